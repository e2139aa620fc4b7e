"""Chat delivery: posting to loopback Slack/Discord/Teams webhooks, and building payloads for
clubs of 10, 100 and 1,000 members.

    python bench/bench_chat.py [--count 200] [--members 10,100,1000] [--no-tls]

**Posting.** Starts the test suite's webhook servers (tests/chat_servers.py, which check every
payload the way the platform does) in another process, so server and client do not share a GIL,
then posts ``--count`` one-part recaps to each platform, over plain HTTP and then over HTTPS
(a certificate from a throwaway trustme CA; real webhooks are HTTPS), in two ways:

* ``WebhookPoster``: sheetmentor's poster, one shared ``requests.Session`` (keep-alive);
* ``requests.post``: the plain baseline, a new connection per message.

and one ``post_to_chats`` run of a 10-member recap to all three at once (the per-run cost a
cron pays). Prints wall time and messages per second per channel; all on loopback, so these are
the client's own costs, not Slack's.

**Building.** Times :func:`slack_payloads`, :func:`discord_payloads` and :func:`teams_payloads`
for a nudge naming every member (with a Slack and a Discord ID each), beside the plain baseline
of joining the same lines into one string, and prints the time per member: flat per-member times
mean the builders are linear, not quadratic, in the club's size. Not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import multiprocessing.connection
import ssl
import sys
import tempfile
import time
from pathlib import Path

import requests

from sheetmentor.config import ChatConfig
from sheetmentor.outbound.chat import (
    ChatMessage,
    Section,
    WebhookPoster,
    discord_payloads,
    post_to_chats,
    slack_payloads,
    teams_payloads,
    webhooks_from_config,
)

PLATFORMS = ("slack", "discord", "teams")
ENV = {"slack": "BENCH_SLACK", "discord": "BENCH_DISCORD", "teams": "BENCH_TEAMS"}
BUILDERS = {"slack": slack_payloads, "discord": discord_payloads, "teams": teams_payloads}


def serve(conn: multiprocessing.connection.Connection, tls: bool) -> None:
    """Child process: run the three servers until told to stop; report what they received.

    With ``tls``, over HTTPS with a certificate from a throwaway trustme CA, whose PEM file
    is sent to the parent (real webhooks are HTTPS: every new connection is a TLS handshake).
    """
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from chat_servers import chat_servers  # tests/ is on the path, not a package

    context, ca_file = None, None
    if tls:
        import trustme

        authority = trustme.CA()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        authority.issue_cert("127.0.0.1").configure_cert(context)
        ca_file = Path(tempfile.mkdtemp()) / "ca.pem"
        authority.cert_pem.write_to_path(str(ca_file))
    with chat_servers(context) as servers:
        conn.send(({name: server.url for name, server in servers.items()}, ca_file))
        conn.recv()
        conn.send({name: len(server.received) for name, server in servers.items()})


def club_message(members: int, kind: str = "nudge") -> ChatMessage:
    sections = [
        Section(
            f"Member {m:04d}",
            [
                "- Rewrite the portfolio page & publish it (two-week, open, 40%)",
                "- Call two mentors about the staff role (two-week, done)",
                "- Carried over: draft the conference talk proposal",
            ],
            member=f"Member {m:04d}",
        )
        for m in range(members)
    ]
    return ChatMessage(
        kind=kind,  # type: ignore[arg-type]
        date=dt.date(2026, 12, 8),
        title="Before Tuesday's meeting: please update your row",
        intro=["Your two-week goals due on Tuesday, December 8:"],
        sections=sections,
    )


def ids(members: int) -> dict[str, dict[str, str]]:
    return {
        "slack": {f"Member {m:04d}": f"U{m:08d}" for m in range(members)},
        "discord": {f"Member {m:04d}": str(100000000000000000 + m) for m in range(members)},
    }


def best_of(runs: int, action: object) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def bench_session(verify: str | bool) -> requests.Session:
    """A session that trusts the bench's CA (``REQUESTS_CA_BUNDLE`` would override
    ``Session.verify`` unless ``trust_env`` is off)."""
    session = requests.Session()
    session.trust_env = False
    session.verify = verify
    return session


def bench_posting(count: int, tls: bool) -> None:
    parent, child = multiprocessing.Pipe()
    process = multiprocessing.Process(target=serve, args=(child, tls), daemon=True)
    process.start()
    urls, ca_file = parent.recv()
    verify: str | bool = str(ca_file) if ca_file else True
    environ = {ENV[name]: url for name, url in urls.items()}
    chat = ChatConfig.model_validate({name: {"webhook_env": ENV[name]} for name in PLATFORMS})
    hooks = {hook.platform: hook for hook in webhooks_from_config(chat, environ)}
    sent = 0
    how = "HTTPS" if tls else "plain HTTP"
    print(f"Posting {count} one-part recaps per channel to loopback webhook servers ({how})")
    print(f"{'channel':<9} {'how':<26} {'messages':>8} {'seconds':>8} {'msg/s':>8}")
    for name in PLATFORMS:
        recap = club_message(2, kind="recap")
        payload = (
            teams_payloads(recap)[0] if name == "teams" else BUILDERS[name](recap, ids(2)[name])[0]
        )
        session = bench_session(verify)
        with WebhookPoster(session) as poster:
            start = time.perf_counter()
            answers = [poster.post(hooks[name], payload) for _ in range(count)]
            took = time.perf_counter() - start
        assert all(a.status == "accepted" for a in answers), {a.detail for a in answers}
        sent += count
        session.close()
        print(f"{name:<9} {'WebhookPoster (1 session)':<26} {count:>8} {took:>8.3f} "
              f"{count / took:>8.0f}")  # fmt: skip
        url = urls[name] + ("?wait=true" if name == "discord" else "")
        body = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        start = time.perf_counter()
        for _ in range(count):
            answer = requests.post(url, data=body, headers=headers, timeout=10, verify=verify)
            answer.raise_for_status()
        took = time.perf_counter() - start
        sent += count
        print(f"{name:<9} {'requests.post (baseline)':<26} {count:>8} {took:>8.3f} "
              f"{count / took:>8.0f}")  # fmt: skip
    message = club_message(10, kind="recap")
    session = bench_session(verify)
    start = time.perf_counter()
    with WebhookPoster(session) as poster:
        outcomes = post_to_chats(chat, message, member_ids=ids(10), environ=environ, poster=poster)
    took = time.perf_counter() - start
    assert all(o.status == "accepted" for o in outcomes), [o.detail for o in outcomes]
    sent += len(outcomes)
    per = {name: sum(o.platform == name for o in outcomes) for name in PLATFORMS}
    print(
        f"post_to_chats, 10-member recap to all three: {took * 1000:.1f} ms, messages per "
        f"channel: " + ", ".join(f"{name} {n}" for name, n in per.items())
    )
    parent.send("stop")
    received = parent.recv()
    process.join(timeout=5)
    print(f"servers received {sum(received.values())} messages (sent {sent}): {received}")


def bench_building(sizes: list[int]) -> None:
    print()
    print("Building the nudge payloads (best of 5), per club size")
    header = f"{'members':>8} {'platform':<9} {'messages':>8} {'ms':>9} {'µs/member':>10}"
    print(header)
    for members in sizes:
        message = club_message(members)
        member_ids = ids(members)
        baseline = best_of(
            5,
            lambda message=message: "\n".join(
                f"{s.heading}\n" + "\n".join(s.lines) for s in message.sections
            ),
        )
        print(f"{members:>8} {'baseline':<9} {'-':>8} {baseline * 1000:>9.3f} "
              f"{baseline / members * 1e6:>10.2f}")  # fmt: skip
        for name in PLATFORMS:
            build = BUILDERS[name]
            mentions = member_ids.get(name)
            took = best_of(
                5,
                lambda build=build, message=message, mentions=mentions: (
                    build(message, mentions) if mentions is not None else build(message)
                ),
            )
            parts = len(build(message, mentions) if mentions is not None else build(message))
            print(f"{members:>8} {name:<9} {parts:>8} {took * 1000:>9.3f} "
                  f"{took / members * 1e6:>10.2f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=200, help="messages per channel and way")
    parser.add_argument("--members", default="10,100,1000", help="club sizes to build for")
    parser.add_argument("--no-tls", action="store_true", help="plain HTTP only")
    args = parser.parse_args()
    bench_posting(args.count, tls=False)
    if not args.no_tls:
        print()
        bench_posting(args.count, tls=True)
    bench_building([int(n) for n in args.members.split(",")])


if __name__ == "__main__":
    main()
