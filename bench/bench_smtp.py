"""Recaps to a loopback SMTP server: one reused connection against one connection per message.

    python bench/bench_smtp.py [--count 1000] [--no-tls]

Builds ``--count`` recap-sized messages (about 6 KB of HTML and text, CSS inlined, an .ics
attached) with :func:`sheetmentor.outbound.mime.build_message`, then sends them to an aiosmtpd
server
running in another process (so server and client do not share a GIL), in three ways:

* ``SmtpTransport``: sheetmentor's transport, one connection for the whole run;
* ``deliver()``: the same plus building each message from one :class:`MessageTemplate`, the
  ledger (one durable SQLite commit per message: ``sending``) and the lock;
* ``per message``: what mailmerge-style tools do, ``smtplib.SMTP`` + ``sendmail`` + ``quit``
  for every message.

With trustme installed (a test dependency) each is also run over STARTTLS, where a connection
per message pays a TLS handshake per message. Prints messages per second; not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import multiprocessing.connection
import os
import shutil
import smtplib
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sheetmentor.config import EmailConfig
from sheetmentor.outbound.ledger import Ledger
from sheetmentor.outbound.mime import MessageTemplate, Outgoing, address, build_message
from sheetmentor.outbound.transport import Envelope, SmtpTransport, deliver, envelope_for

CLUB = "Personal Branding Club"
EMAIL = EmailConfig.model_validate({"from": "PBC <pbc@example.org>"})
STYLE = """<style>
body { font-family: Helvetica, Arial, sans-serif; color: #222; }
h1 { font-size: 20px; color: #1a4d8f; } h2 { font-size: 16px; margin-top: 18px; }
table { border-collapse: collapse; width: 100%; } td, th { padding: 4px 8px; }
.done { color: #2a7a2a; } .open { color: #8a6d00; } .over { color: #a12; font-weight: bold; }
</style>"""


def recap(number: int) -> Outgoing:
    rows = "".join(
        f"<tr><td>Goal {g}: ship the portfolio page &amp; write post #{g}</td>"
        f'<td class="{"done" if g % 3 == 0 else "open"}">{(g * 17) % 100}%</td>'
        f"<td>2026-12-{1 + g % 28:02d}</td></tr>"
        for g in range(40)
    )
    html = (
        f"<html><head>{STYLE}</head><body><h1>Recap of Nov 24 — Member Ö{number}</h1>"
        f"<h2>Two-week goals</h2><table>{rows}</table>"
        f'<p class="over">2 goals carried over</p></body></html>'
    )
    text = "".join(f"- Goal {g}: ship the portfolio page ({(g * 17) % 100}%)\n" for g in range(40))
    return Outgoing(
        key=f"recap/2026-11-24/m{number}@example.org",
        to=(address(f"Member Ö{number}", f"m{number}@example.org"),),
        subject=f"Recap 🎉 Nov 24 for member {number}",
        text=f"Hello member {number},\n\n{text}",
        html=html,
        calendar=b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nEND:VCALENDAR\r\n",
    )


def serve(port_pipe: multiprocessing.connection.Connection, tls_pem: str | None) -> None:
    """The server process: count messages and connections, report them when asked."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import SMTP

    class Counter:
        messages = 0

        async def handle_DATA(self, server: SMTP, session: object, envelope: object) -> str:
            Counter.messages += 1
            return "250 OK"

    class CountingController(Controller):
        connections = 0

        def factory(self) -> SMTP:
            CountingController.connections += 1
            return super().factory()

        def _trigger_server(self) -> None:
            self.port = self.server.sockets[0].getsockname()[1]  # port=0: the one bound
            super()._trigger_server()

    context = None
    if tls_pem is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(tls_pem)
    controller = CountingController(
        Counter(), hostname="127.0.0.1", port=0, tls_context=context, server_hostname="mx.bench"
    )
    controller.start()
    port_pipe.send(controller.port)
    while port_pipe.recv() == "counts":
        port_pipe.send((Counter.messages, CountingController.connections - 1))
    controller.stop()


def one_connection(
    host: str, port: int, envelopes: list[Envelope], context: ssl.SSLContext | None
) -> None:
    """The floor: a bare ``smtplib`` loop, one connection, no ledger."""
    with smtplib.SMTP(host, port, timeout=30) as smtp:
        if context is not None:
            smtp.starttls(context=context)
        for envelope in envelopes:
            smtp.sendmail(envelope.sender, list(envelope.recipients), envelope.data)


MAILMERGE_TEMPLATE = """TO: {{{{email}}}}
SUBJECT: Recap for {{{{name}}}}
FROM: PBC <pbc@example.org>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="boundary"

--boundary
Content-Type: text/plain; charset=utf-8

{text}
--boundary
Content-Type: text/html; charset=utf-8

{html}
--boundary--
"""


def mailmerge(command: str, port: int, count: int, folder: Path) -> None:
    """The ``mailmerge`` tool (its own venv) sending ``count`` recap-sized messages, one
    connection per message as it does; its template holds the same text and HTML."""
    sample = recap(0)
    (folder / "template.txt").write_text(
        MAILMERGE_TEMPLATE.format(
            text=sample.text.replace("{", "(").replace("}", ")"),
            html=sample.html.replace("{", "(").replace("}", ")"),
        ),
        encoding="utf-8",
    )
    rows = "".join(f"Member {n},m{n}@example.org\n" for n in range(count))
    (folder / "database.csv").write_text(f"name,email\n{rows}", encoding="utf-8")
    (folder / "server.conf").write_text(
        f"[smtp_server]\nhost = 127.0.0.1\nport = {port}\nsecurity = Never\n", encoding="utf-8"
    )
    subprocess.run(
        [
            *(command, "--no-dry-run", "--no-limit", "--output-format", "raw"),
            *("--template", "template.txt", "--database", "database.csv"),
            *("--config", "server.conf"),
        ],
        cwd=folder,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def per_message(
    host: str, port: int, envelopes: list[Envelope], context: ssl.SSLContext | None
) -> None:
    for envelope in envelopes:
        smtp = smtplib.SMTP(host, port, timeout=30)
        if context is not None:
            smtp.starttls(context=context)
        smtp.sendmail(envelope.sender, list(envelope.recipients), envelope.data)
        smtp.quit()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--no-tls", action="store_true", help="plain SMTP only")
    parser.add_argument(
        "--mailmerge",
        default=shutil.which("mailmerge") or "/tmp/mm/bin/mailmerge",
        help="the mailmerge command, installed in its own venv: python -m venv /tmp/mm && "
        "/tmp/mm/bin/pip install mailmerge (plain SMTP row; skipped when absent)",
    )
    args = parser.parse_args()

    started = time.perf_counter()
    outgoings = [recap(n) for n in range(args.count)]
    now = dt.datetime(2026, 11, 24, 19, 0, tzinfo=dt.UTC)
    messages = [build_message(o, EMAIL, CLUB, date=now) for o in outgoings]
    envelopes = [
        envelope_for(o.key, m, "pbc@example.org", o.recipients)
        for o, m in zip(outgoings, messages, strict=True)
    ]
    build_seconds = time.perf_counter() - started
    size = sum(len(e.data) for e in envelopes) / len(envelopes)
    html = sum(len(o.html or "") + len(o.text) for o in outgoings) / len(outgoings)
    print(f"{args.count} messages: {html / 1024:.1f} KB HTML+text each, {size / 1024:.1f} KB sent")
    print(f"build_message (css_inline, MIME): {args.count / build_seconds:,.0f} messages/s")
    started = time.perf_counter()
    template = MessageTemplate.prepare(EMAIL, CLUB)  # what deliver() does once per run
    for o in outgoings:
        envelope_for(o.key, template.build(o, date=now), "pbc@example.org", o.recipients)
    prepared_seconds = time.perf_counter() - started
    print(
        f"MessageTemplate.build, one template per mailing: "
        f"{args.count / prepared_seconds:,.0f} messages/s\n"
    )

    modes: list[tuple[str, ssl.SSLContext | None, str | None]] = [("none", None, None)]
    workdir = Path(tempfile.mkdtemp(prefix="bench-smtp-"))
    os.environ["XDG_STATE_HOME"] = str(workdir / "xdg")  # the ledgers' witnesses
    if not args.no_tls:
        try:
            import trustme
        except ImportError:
            print("(trustme not installed: STARTTLS rows skipped)")
        else:
            ca = trustme.CA()
            pem = workdir / "server.pem"
            ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(pem))
            client = ssl.create_default_context()
            ca.configure_trust(client)
            modes.append(("starttls", client, str(pem)))

    rows = []
    for security, client_context, pem in modes:
        parent, child = multiprocessing.Pipe()
        process = multiprocessing.get_context("spawn").Process(target=serve, args=(child, pem))
        process.start()
        port = parent.recv()

        def counts(pipe: multiprocessing.connection.Connection = parent) -> tuple[int, int]:
            pipe.send("counts")
            return pipe.recv()

        def reused(
            sec: str = security, ctx: ssl.SSLContext | None = client_context, port: int = port
        ) -> None:
            with SmtpTransport("127.0.0.1", port, security=sec, ssl_context=ctx) as transport:
                transport.open()
                for envelope in envelopes:
                    transport.send(envelope)

        def with_ledger(
            sec: str = security, ctx: ssl.SSLContext | None = client_context, port: int = port
        ) -> None:
            state = Path(tempfile.mkdtemp(dir=workdir))
            with (
                Ledger.open(state) as ledger,
                SmtpTransport("127.0.0.1", port, security=sec, ssl_context=ctx) as transport,
            ):
                report = deliver(outgoings, transport, ledger, email=EMAIL, club_name=CLUB)
            assert len(report.sent) == len(outgoings)

        runs: list[tuple[str, Callable[[], None]]] = [
            ("SmtpTransport, one connection", reused),
            ("deliver(): build + ledger + send", with_ledger),
            (
                "smtplib, one connection per message",
                lambda ctx=client_context, port=port: per_message(
                    "127.0.0.1", port, envelopes, ctx
                ),
            ),
            (
                "smtplib, one connection (bare loop)",
                lambda ctx=client_context, port=port: one_connection(
                    "127.0.0.1", port, envelopes, ctx
                ),
            ),
        ]
        if security == "none" and Path(args.mailmerge).exists():
            runs.append(
                (
                    "mailmerge, one connection per message",
                    lambda port=port: mailmerge(
                        args.mailmerge, port, args.count, Path(tempfile.mkdtemp(dir=workdir))
                    ),
                )
            )
        for name, function in runs:
            before = counts()
            started = time.perf_counter()
            function()
            seconds = time.perf_counter() - started
            after = counts()
            rows.append((security, name, after[0] - before[0], after[1] - before[1], seconds))
        parent.send("stop")
        process.join()
    shutil.rmtree(workdir, ignore_errors=True)

    print(f"{'security':<9} {'how':<37} {'msgs':>5} {'conns':>5} {'seconds':>8} {'msgs/s':>8}")
    for security, name, sent, connections, seconds in rows:
        print(
            f"{security:<9} {name:<37} {sent:>5} {connections:>5} {seconds:>8.2f} "
            f"{sent / seconds:>8,.0f}"
        )
    rates = {(security, name): sent / seconds for security, name, sent, _, seconds in rows}
    for security in dict.fromkeys(security for security, *_ in rows):
        ours = rates[(security, "deliver(): build + ledger + send")]
        floor = rates[(security, "smtplib, one connection (bare loop)")]
        line = f"{security}: deliver() is {floor / ours:.2f}x slower than the bare loop (target 3x)"
        theirs = rates.get((security, "mailmerge, one connection per message"))
        if theirs:
            line += f", {ours / theirs:.2f}x mailmerge's rate (target 1x or more)"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
