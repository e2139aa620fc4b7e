"""Delivery against real SMTP servers on loopback: TLS, login, refusals, drops, retries, ledger.

Every test talks to an aiosmtpd server started here (see ``smtp_servers.py``); nothing mocks
smtplib or sheetmentor. The ``slow`` tests run ``delivery_driver.py`` in other processes to run
two deliveries at once and to ``kill -9`` one at chosen points.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from smtp_servers import (
    ASCII_PASSWORD,
    DROP,
    OK,
    PASSWORD,
    RESET,
    USER,
    Received,
    Server,
    Tls,
    authenticator,
    smtp_server,
)

from sheetmentor.config import EmailConfig, SmtpConfig
from sheetmentor.errors import ConfigError, DeliveryError, ServiceError
from sheetmentor.outbound.ledger import Ledger, State
from sheetmentor.outbound.mime import Outgoing, address
from sheetmentor.outbound.transport import (
    DeliveryReport,
    OutboxTransport,
    SendLockBusy,
    SmtpTransport,
    Transport,
    deliver,
    outbox_filename,
    transport_for,
)

CLUB = "Personal Branding Club"
EMAIL = EmailConfig.model_validate({"from": "PBC <pbc@example.org>"})
DRIVER = Path(__file__).with_name("delivery_driver.py")
WAIT = 30.0  # generous upper bound for handshakes between processes; never an assertion


def recap(number: int, *, to: tuple[str, ...] | None = None) -> Outgoing:
    addresses = to or (f"m{number}@example.org",)
    return Outgoing(
        key=f"recap/2026-11-24/{addresses[0] if len(addresses) == 1 else 'group'}",
        to=tuple(address(f"Member Ö{number}", a) for a in addresses),
        subject=f"Recap 🎉 {number}",
        text=f"Hello {number}\n.\n..dots stay\n",
        html=f"<html><head><style>p{{color:red}}</style></head><body><p>Hi {number}</p></body>",
    )


def recaps(count: int) -> list[Outgoing]:
    return [recap(n) for n in range(count)]


class Sleeps(list[float]):
    """An injectable sleep that only records how long it was asked to wait."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    with Ledger.open(tmp_path / "state") as opened:
        yield opened


@pytest.fixture
def server() -> Iterator[Server]:
    with smtp_server() as running:
        yield running


@pytest.fixture(scope="module")
def tls() -> Tls:
    return Tls.create()


def plain(server: Server, **options: object) -> SmtpTransport:
    return SmtpTransport(server.host, server.port, security="none", timeout=10, **options)


def run(
    transport: Transport, ledger: Ledger, outgoings: list[Outgoing], **options: object
) -> DeliveryReport:
    options.setdefault("sleep", Sleeps())
    with transport:
        return deliver(outgoings, transport, ledger, email=EMAIL, club_name=CLUB, **options)


def counts(received: list[Received]) -> Counter[str]:
    return Counter(r.key for r in received)


# --- the happy path -------------------------------------------------------------------------


def test_plain_smtp_sends_each_message_over_one_connection(
    server: Server, ledger: Ledger, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="sheetmentor.outbound.transport")
    report = run(plain(server), ledger, recaps(3))
    assert report.ok
    assert [o.status for o in report.outcomes] == ["sent"] * 3
    assert server.recorder.connections == 1
    first = server.recorder.received[0]
    assert first.mail_from == "pbc@example.org"
    assert first.rcpt_tos == ["m0@example.org"]
    assert first.message["To"].addresses[0].display_name == "Member Ö0"
    text = first.message.get_body(("plain",)).get_content()
    assert text.splitlines() == ["Hello 0", ".", "..dots stay"]
    for outcome in report.outcomes:
        entry = ledger.get(outcome.key)
        assert entry is not None
        assert entry.state == State.SENT
        assert entry.message_id == outcome.message_id
    records = [r for r in caplog.records if r.name == "sheetmentor.outbound.transport"]
    assert [r.levelno for r in records] == [logging.INFO] * 3
    assert "Hello 0" not in caplog.text


def test_running_twice_sends_nothing_the_second_time(server: Server, ledger: Ledger) -> None:
    run(plain(server), ledger, recaps(3))
    again = run(plain(server), ledger, recaps(3))
    assert [o.status for o in again.outcomes] == ["skipped"] * 3
    assert again.ok
    assert counts(server.recorder.received) == {r.key: 1 for r in recaps(3)}
    assert server.recorder.connections == 1  # nothing due: no connection at all


def test_starttls_with_login(tls: Tls, ledger: Ledger) -> None:
    with smtp_server(
        tls_context=tls.server_context(),
        require_starttls=True,
        authenticator=authenticator(password=ASCII_PASSWORD),
        auth_required=True,
    ) as server:
        transport = SmtpTransport(
            server.host,
            server.port,
            security="starttls",
            username=USER,
            password=ASCII_PASSWORD,
            ssl_context=tls.client_context(),
        )
        report = run(transport, ledger, recaps(2))
        assert report.ok
        assert len(server.recorder.received) == 2
        assert transport.connections == 1


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_implicit_tls_with_a_utf8_password(tls: Tls, ledger: Ledger) -> None:
    # aiosmtpd counts only STARTTLS as TLS for auth_require_tls; this connection is TLS throughout.
    with smtp_server(
        implicit_tls=tls.server_context(),
        authenticator=authenticator(),
        auth_required=True,
        auth_require_tls=False,
    ) as server:
        transport = SmtpTransport(
            server.host,
            server.port,
            security="ssl",
            username=USER,
            password=PASSWORD,
            ssl_context=tls.client_context(),
        )
        assert run(transport, ledger, recaps(2)).ok
        assert len(server.recorder.received) == 2


def test_an_untrusted_certificate_is_a_service_error(tls: Tls, ledger: Ledger) -> None:
    with smtp_server(tls_context=tls.server_context(), require_starttls=True) as server:
        transport = SmtpTransport(server.host, server.port, security="starttls")
        with pytest.raises(ServiceError, match="certificate not trusted"):
            run(transport, ledger, recaps(1))
        assert server.recorder.received == []
    assert [e.state for e in ledger.history()] == [State.PLANNED]  # the next run sends it


def test_starttls_required_by_config_but_not_offered(server: Server, ledger: Ledger) -> None:
    transport = SmtpTransport(server.host, server.port, security="starttls")
    with pytest.raises(ServiceError, match="does not offer STARTTLS"):
        run(transport, ledger, recaps(1))
    assert server.recorder.received == []


@pytest.mark.parametrize("mechanism", ["LOGIN", "PLAIN"])
@pytest.mark.parametrize("password", [ASCII_PASSWORD, PASSWORD], ids=["ascii", "utf8"])
def test_a_wrong_password_is_refused_without_showing_it(
    mechanism: str, password: str, tls: Tls, ledger: Ledger, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    other = "PLAIN" if mechanism == "LOGIN" else "LOGIN"
    wrong = password.replace("s3cret", "wrong")
    with smtp_server(
        tls_context=tls.server_context(),
        authenticator=authenticator(password=password, echo=True),
        auth_required=True,
        auth_exclude_mechanism=[other],
    ) as server:

        def transport(secret: str) -> SmtpTransport:
            return SmtpTransport(
                server.host,
                server.port,
                username=USER,
                password=secret,
                ssl_context=tls.client_context(),
            )

        refused = transport(wrong)
        with pytest.raises(ServiceError, match=r"refused the login for pbc@example\.org") as caught:
            run(refused, ledger, recaps(2))
        assert caught.value.exit_code == 3
        assert "535 5.7.8 bad password ***" in str(caught.value)  # the server echoed it
        assert wrong not in str(caught.value)
        assert base64.b64encode(wrong.encode()).decode() not in str(caught.value)
        assert wrong not in repr(refused)
        client_logs = [r.getMessage() for r in caplog.records if r.name != "mail.log"]
        assert not [line for line in client_logs if wrong in line]  # mail.log is the server's
        assert server.recorder.received == []
        assert {e.state for e in ledger.history()} == {State.PLANNED}

        assert run(transport(password), ledger, recaps(2)).ok
        assert len(server.recorder.received) == 2


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_login_over_plain_smtp_when_the_server_allows_it(ledger: Ledger) -> None:
    with smtp_server(
        authenticator=authenticator(), auth_require_tls=False, auth_required=True
    ) as server:
        transport = plain(server, username=USER, password=PASSWORD)
        assert run(transport, ledger, recaps(1)).ok


def test_password_comes_from_the_environment_variable_named_in_config() -> None:
    smtp = SmtpConfig.model_validate(
        {
            "host": "127.0.0.1",
            "security": "ssl",
            "username": USER,
            "password_env": "PBC_SMTP_PASSWORD",
            "timeout": "5s",
        }
    )
    email = EMAIL.model_copy(update={"smtp": smtp})
    with pytest.raises(ConfigError, match="PBC_SMTP_PASSWORD") as caught:
        transport_for(email, environ={})
    assert caught.value.exit_code == 2
    transport = transport_for(email, environ={"PBC_SMTP_PASSWORD": PASSWORD})
    assert isinstance(transport, SmtpTransport)
    assert (transport.security, transport.port, transport.timeout) == ("ssl", 465, 5.0)
    assert PASSWORD not in repr(transport)
    outbox = transport_for(EMAIL.model_copy(update={"outbox": Path("/tmp/x")}))
    assert isinstance(outbox, OutboxTransport)


def test_an_unreachable_server_is_a_service_error(ledger: Ledger) -> None:
    with smtp_server() as server:
        port = server.port
    transport = SmtpTransport("127.0.0.1", port, security="none", timeout=5)
    with pytest.raises(ServiceError, match="cannot connect"):
        run(transport, ledger, recaps(2))
    assert {e.state for e in ledger.history()} == {State.PLANNED}


def test_a_refused_sender_stops_the_run_and_keeps_the_message_retryable(
    server: Server, ledger: Ledger
) -> None:
    server.recorder.script("MAIL", "553 5.7.1 sender not allowed")
    with pytest.raises(ServiceError, match=r"refused the sender pbc@example\.org: 553"):
        run(plain(server), ledger, recaps(2))
    entry = ledger.get(recap(0).key)
    assert entry is not None and entry.state == State.DEFERRED
    assert run(plain(server), ledger, recaps(2)).ok
    assert counts(server.recorder.received) == {r.key: 1 for r in recaps(2)}


# --- refusals -------------------------------------------------------------------------------


def test_a_refused_recipient_fails_and_the_others_go(
    server: Server, ledger: Ledger, caplog: pytest.LogCaptureFixture
) -> None:
    server.recorder.refuse["m1@example.org"] = "550 5.1.1 <m1@example.org>: no such user"
    report = run(plain(server), ledger, recaps(3))
    assert [o.status for o in report.outcomes] == ["sent", "failed", "sent"]
    assert not report.ok
    assert set(server.recorder.keys()) == {recap(0).key, recap(2).key}
    entry = ledger.get(recap(1).key)
    assert entry is not None
    assert entry.state == State.FAILED
    assert "550 5.1.1 <m1@example.org>: no such user" in (entry.error or "")
    assert entry.refused == {"m1@example.org": "550 5.1.1 <m1@example.org>: no such user"}
    assert [
        r.levelname for r in caplog.records if r.name == "sheetmentor.outbound.transport"
    ].count("WARNING") == 1
    with pytest.raises(DeliveryError, match="no such user"):
        report.raise_for_problems()

    cron = run(plain(server), ledger, recaps(3))
    assert [o.status for o in cron.outcomes] == ["skipped", "held", "skipped"]
    assert cron.ok
    assert len(server.recorder.received) == 2

    del server.recorder.refuse["m1@example.org"]
    fixed = run(plain(server), ledger, recaps(3), retry_failed=True)
    assert [o.status for o in fixed.outcomes] == ["skipped", "sent", "skipped"]
    assert counts(server.recorder.received) == {r.key: 1 for r in recaps(3)}


def test_a_group_message_goes_to_the_recipients_that_are_accepted(
    server: Server, ledger: Ledger
) -> None:
    server.recorder.refuse["bo@example.org"] = "550 5.1.1 no such user"
    group = recap(0, to=("ada@example.org", "bo@example.org", "cy@example.org"))
    report = run(plain(server), ledger, [group])
    (outcome,) = report.outcomes
    assert outcome.status == "sent"
    assert outcome.refused == {"bo@example.org": "550 5.1.1 no such user"}
    assert not report.ok
    (received,) = server.recorder.received
    assert received.rcpt_tos == ["ada@example.org", "cy@example.org"]
    entry = ledger.get(group.key)
    assert entry is not None and entry.state == State.SENT
    assert entry.refused == {"bo@example.org": "550 5.1.1 no such user"}


def test_a_message_with_a_line_break_in_a_header_fails_alone(
    server: Server, ledger: Ledger
) -> None:
    bad = Outgoing(
        key="recap/2026-11-24/evil@example.org",
        to=(address("Eve", "evil@example.org"),),
        subject="Recap\r\nBcc: everyone@example.org",
        text="x",
    )
    report = run(plain(server), ledger, [recap(0), bad, recap(1)])
    assert [o.status for o in report.outcomes] == ["sent", "failed", "sent"]
    assert "Subject header" in report.failed[0].detail
    entry = ledger.get(bad.key)
    assert entry is not None and entry.state == State.FAILED  # --retry-failed, once fixed
    assert len(server.recorder.received) == 2


def test_duplicate_keys_are_a_programming_error(server: Server, ledger: Ledger) -> None:
    with pytest.raises(ValueError, match="share a ledger key"):
        run(plain(server), ledger, [recap(0), recap(0)])


def test_international_domains_use_smtputf8(server: Server, ledger: Ledger) -> None:
    report = run(plain(server), ledger, [recap(0, to=("ada@ökonkwo.example",))])
    assert report.ok
    (received,) = server.recorder.received
    assert received.rcpt_tos == ["ada@ökonkwo.example"]
    assert "<ada@ökonkwo.example>".encode() in received.data  # raw UTF-8 header (RFC 6532)


def test_a_non_ascii_local_part_goes_where_smtputf8_is_offered_and_fails_alone_elsewhere(
    ledger: Ledger, tmp_path: Path
) -> None:
    with smtp_server() as server:
        assert run(plain(server), ledger, [recap(0, to=("élodie@example.org",))]).ok
        assert server.recorder.received[0].rcpt_tos == ["élodie@example.org"]
    with smtp_server(enable_SMTPUTF8=False) as server, Ledger.open(tmp_path / "b") as other:
        report = run(plain(server), other, [recap(1, to=("élodie@example.org",)), recap(2)])
        assert [o.status for o in report.outcomes] == ["failed", "sent"]
        assert "SMTPUTF8" in report.outcomes[0].detail
        assert [r.rcpt_tos for r in server.recorder.received] == [["m2@example.org"]]


# --- temporary trouble ----------------------------------------------------------------------


@pytest.mark.parametrize("how", [DROP, RESET])
def test_a_server_that_drops_the_connection_every_two_messages(
    how: str, server: Server, ledger: Ledger
) -> None:
    server.recorder.per_connection = 2
    if how == RESET:
        server.recorder.per_connection = None
        server.recorder.script("MAIL", OK, OK, RESET, OK, OK, RESET)
    sleeps = Sleeps()
    report = run(plain(server), ledger, recaps(5), sleep=sleeps)
    assert report.ok
    assert counts(server.recorder.received) == {r.key: 1 for r in recaps(5)}
    assert server.recorder.connections == 3
    assert sleeps == [1.0, 1.0]
    assert not any(o.resent for o in report.outcomes)


def test_421_then_451_are_retried_within_the_run(server: Server, ledger: Ledger) -> None:
    server.recorder.script("MAIL", OK, "421 4.7.0 too busy, closing")
    server.recorder.script("DATA", OK, OK, "451 4.3.0 queue full")
    sleeps = Sleeps()
    report = run(plain(server), ledger, recaps(3), sleep=sleeps, backoff=0.5)
    assert report.ok
    assert [o.attempts for o in report.outcomes] == [1, 2, 2]
    assert sleeps == [0.5, 0.5]
    assert counts(server.recorder.received) == {r.key: 1 for r in recaps(3)}
    assert server.recorder.connections == 2


def test_persistent_451_defers_to_the_next_run_which_sends_once(
    server: Server, ledger: Ledger, caplog: pytest.LogCaptureFixture
) -> None:
    server.recorder.script("DATA", OK, "451 4.3.0 try later", "451 4.3.0 try later", "451 again")
    sleeps = Sleeps()
    report = run(plain(server), ledger, recaps(3), sleep=sleeps, max_attempts=3)
    assert [o.status for o in report.outcomes] == ["sent", "deferred", "sent"]
    assert sleeps == [1.0, 2.0]
    assert report.deferred[0].detail == "end of DATA: 451 again"
    entry = ledger.get(recap(1).key)
    assert entry is not None
    assert (entry.state, entry.attempts) == (State.DEFERRED, 3)
    assert "WARNING" in [r.levelname for r in caplog.records]
    with pytest.raises(DeliveryError, match="next run tries again"):
        report.raise_for_problems()

    later = run(plain(server), ledger, recaps(3))
    assert [o.status for o in later.outcomes] == ["skipped", "sent", "skipped"]
    assert counts(server.recorder.received) == {r.key: 1 for r in recaps(3)}
    entry = ledger.get(recap(1).key)
    assert entry is not None and (entry.state, entry.attempts) == (State.SENT, 4)


def test_temporary_refusal_of_one_recipient_defers_the_whole_message(
    server: Server, ledger: Ledger
) -> None:
    server.recorder.script("RCPT", OK, "450 4.2.1 mailbox busy", *["450 4.2.1 busy"] * 2)
    group = recap(0, to=("ada@example.org", "bo@example.org"))
    report = run(plain(server), ledger, [group], max_attempts=2)
    assert report.outcomes[0].status == "deferred"
    assert server.recorder.received == []
    assert run(plain(server), ledger, [group]).ok
    (received,) = server.recorder.received
    assert received.rcpt_tos == ["ada@example.org", "bo@example.org"]


def test_a_drop_after_the_server_took_the_message_resends_once_in_a_later_run(
    server: Server, ledger: Ledger, caplog: pytest.LogCaptureFixture
) -> None:
    server.recorder.script("DATA", OK, DROP)
    report = run(plain(server), ledger, recaps(3))
    assert [o.status for o in report.outcomes] == ["sent", "deferred", "sent"]
    assert report.outcomes[1].in_doubt and "the server may have it" in report.outcomes[1].detail
    with pytest.raises(DeliveryError) as raised:
        report.raise_for_problems()
    assert raised.value.exit_code == 3  # nothing failed for good: the next run sends it
    assert counts(server.recorder.received)[recap(1).key] == 1  # not again in the same run
    entry = ledger.get(recap(1).key)
    assert entry is not None and entry.state == State.SENDING

    later = run(plain(server), ledger, recaps(3))
    assert [o.status for o in later.outcomes] == ["skipped", "sent", "skipped"]
    assert later.outcomes[1].resent and later.ok
    copies = [r for r in server.recorder.received if r.key == recap(1).key]
    assert len(copies) == 2
    assert copies[0].message_id == copies[1].message_id == later.outcomes[1].message_id
    assert "again with the same Message-ID" in caplog.text
    assert ledger.get(recap(1).key).doubts == 1


def test_an_in_doubt_message_is_resent_at_most_once(server: Server, ledger: Ledger) -> None:
    server.recorder.script("DATA", DROP, DROP)
    first = run(plain(server), ledger, recaps(1))
    second = run(plain(server), ledger, recaps(1))
    assert first.outcomes[0].in_doubt and second.outcomes[0].in_doubt
    third = run(plain(server), ledger, recaps(1))
    assert third.outcomes[0].status == "failed"
    assert "not sent a third time" in third.outcomes[0].detail
    assert len(server.recorder.received) == 2
    assert len({r.message_id for r in server.recorder.received}) == 1
    fourth = run(plain(server), ledger, recaps(1))
    assert fourth.outcomes[0].status == "held" and len(server.recorder.received) == 2


def test_a_server_gone_mid_run_defers_the_rest(server: Server, ledger: Ledger) -> None:
    def vanish(received: Received) -> None:
        server.stop_listening()

    server.recorder.on_data = vanish
    server.recorder.script("MAIL", OK, "421 4.3.2 shutting down")
    report = run(plain(server), ledger, recaps(4))
    assert [o.status for o in report.outcomes] == ["sent", "deferred", "deferred", "deferred"]
    assert "cannot connect" in report.outcomes[1].detail
    assert report.outcomes[2].detail.startswith("not tried")
    entry = ledger.get(recap(1).key)
    assert entry is not None and entry.state == State.DEFERRED
    entry = ledger.get(recap(2).key)
    assert entry is not None and entry.state == State.PLANNED


def test_a_run_waits_for_the_lock_then_gives_up_without_sending(
    server: Server, ledger: Ledger, tmp_path: Path
) -> None:
    with (
        Ledger.open(tmp_path / "state") as other,
        other.send_lock(timeout=1),
        pytest.raises(SendLockBusy, match="sent nothing"),
    ):
        run(plain(server), ledger, recaps(2), lock_timeout=0.05)
    assert server.recorder.received == []
    assert server.recorder.connections == 0


# --- outbox ---------------------------------------------------------------------------------


def test_outbox_writes_one_parseable_eml_per_message_and_nothing_on_rerun(
    tmp_path: Path, ledger: Ledger
) -> None:
    outbox = tmp_path / "outbox"
    email = EMAIL.model_copy(update={"outbox": outbox})
    transport = transport_for(email)
    report = run(transport, ledger, recaps(3))
    assert report.ok
    files = sorted(outbox.iterdir())
    assert [f.name for f in files] == sorted(outbox_filename(r.key) for r in recaps(3))
    assert files[0].name == "recap_2026-11-24_m0@example.org.eml"
    parsed = BytesParser(policy=policy.default).parsebytes(files[0].read_bytes())
    assert parsed["X-Sheetmentor-Key"] == recap(0).key
    assert parsed.get_body(("html",)).get_content().count('style="color: red;"') == 1
    before = {f.name: (f.stat().st_ino, f.stat().st_mtime_ns) for f in files}

    again = run(transport_for(email), ledger, recaps(3))
    assert [o.status for o in again.outcomes] == ["skipped"] * 3
    assert {f.name: (f.stat().st_ino, f.stat().st_mtime_ns) for f in outbox.iterdir()} == before


def test_outbox_names_cannot_collide_or_escape() -> None:
    names = {outbox_filename(k) for k in ("a/b", "a_b", "a%2Fb", "a b", "../x", ".hidden")}
    assert len(names) == 6
    assert all("/" not in n and not n.startswith(".") for n in names)


def test_outbox_rewrites_a_message_left_sending_atomically(tmp_path: Path, ledger: Ledger) -> None:
    outbox = tmp_path / "outbox"
    ledger.mark_sending(
        recap(0).key, kind="recap", message_id="<kept@example.org>", recipients=("m0@x.org",)
    )
    outbox.mkdir()
    (outbox / outbox_filename(recap(0).key)).write_bytes(b"half a message from a killed run")
    report = run(OutboxTransport(outbox), ledger, recaps(1))
    assert report.outcomes[0].resent
    data = (outbox / outbox_filename(recap(0).key)).read_bytes()
    assert BytesParser().parsebytes(data)["Message-ID"] == "<kept@example.org>"
    assert [p.name for p in outbox.iterdir()] == [outbox_filename(recap(0).key)]


# --- other processes: two runs at once, kill -9 ---------------------------------------------


def write_config(tmp_path: Path, server: Server) -> Path:
    config = tmp_path / "sheetmentor.yaml"
    config.write_text(
        f"""\
club: {{name: {CLUB}}}
meetings: {{first: 2026-01-06, weekday: tuesday}}
source: {{path: club.xlsx}}
email:
  from: "PBC <pbc@example.org>"
  smtp: {{host: {server.host}, port: {server.port}, security: none, timeout: 10s}}
state: state
""",
        encoding="utf-8",
    )
    return config


def driver(config: Path, count: int, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(DRIVER), str(config), "--count", str(count), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> dict[str, list[str]]:
    out, err = process.communicate(timeout=WAIT)
    assert process.returncode == 0, err
    return json.loads(out)


def wait_for(path: Path, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + WAIT
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.01)


def kill(process: subprocess.Popen[str]) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=WAIT)
    assert process.returncode == -signal.SIGKILL


def keys(count: int) -> list[str]:
    return [f"recap/2026-11-24/m{i}@example.org" for i in range(count)]


@pytest.mark.slow
def test_two_processes_at_once_send_each_message_once(server: Server, tmp_path: Path) -> None:
    config = write_config(tmp_path, server)
    gate = threading.Event()
    ready = [tmp_path / "ready-a", tmp_path / "ready-b"]

    def hold_first_message(received: Received) -> None:
        gate.wait(WAIT)

    server.recorder.on_data = hold_first_message
    first = driver(config, 4, "--ready", str(ready[0]))
    second = driver(config, 4, "--ready", str(ready[1]))
    wait_for(ready[0], first)
    wait_for(ready[1], second)
    deadline = time.monotonic() + WAIT
    while not server.recorder.received and time.monotonic() < deadline:
        time.sleep(0.01)  # one process is now inside its run, holding the lock
    gate.set()
    server.recorder.on_data = None
    results = [finish(first), finish(second)]
    assert counts(server.recorder.received) == dict.fromkeys(keys(4), 1)
    assert sorted(len(r["sent"]) for r in results) == [0, 4]
    assert sorted(len(r["skipped"]) for r in results) == [0, 4]


@pytest.mark.slow
@pytest.mark.parametrize("point", ["mark:1", "send:1", "mark:3", "send:3"])
def test_kill_before_the_server_has_the_message_loses_nothing_and_duplicates_nothing(
    point: str, server: Server, tmp_path: Path
) -> None:
    config = write_config(tmp_path, server)
    sentinel = tmp_path / "paused"
    process = driver(config, 4, "--pause-at", point, str(sentinel))
    wait_for(sentinel, process)
    kill(process)
    before = int(point.split(":")[1]) - 1
    assert server.recorder.keys() == keys(4)[:before]

    result = finish(driver(config, 4))
    assert counts(server.recorder.received) == dict.fromkeys(keys(4), 1)
    assert result["skipped"] == keys(4)[:before]
    assert result["resent"] == []  # killed before the handover: nothing was in doubt
    with Ledger.open(tmp_path / "state") as ledger:
        assert {e.state for e in ledger.history()} == {State.SENT}
        assert {e.doubts for e in ledger.history()} == {0}


@pytest.mark.slow
def test_kill_after_the_server_accepted_resends_once_with_the_same_message_id(
    server: Server, tmp_path: Path
) -> None:
    config = write_config(tmp_path, server)
    arrived, release = threading.Event(), threading.Event()

    def hold_third(received: Received) -> None:
        if received.key == keys(4)[2]:
            arrived.set()
            release.wait(WAIT)

    server.recorder.on_data = hold_third
    process = driver(config, 4)
    try:
        assert arrived.wait(WAIT)
        kill(process)  # the server has message 3; the client never reads its 250
    finally:
        release.set()
    with Ledger.open(tmp_path / "state") as ledger:
        entry = ledger.get(keys(4)[2])
        assert entry is not None and entry.state == State.SENDING
    server.recorder.on_data = None

    result = finish(driver(config, 4))
    assert result["resent"] == [keys(4)[2]]
    assert result["sent"] == keys(4)[2:]
    received = counts(server.recorder.received)
    assert received == {**dict.fromkeys(keys(4), 1), keys(4)[2]: 2}
    copies = {r.message_id for r in server.recorder.received if r.key == keys(4)[2]}
    assert len(copies) == 1
    assert finish(driver(config, 4))["skipped"] == keys(4)
