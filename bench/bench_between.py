"""Between meetings: a nudge + recap cycle to e-mail, Slack and Discord, for clubs of 10 to 1,000.

    python bench/bench_between.py [--members 10,100,1000] [--smoke]

For each club size, a club on disk (an .xlsx with ``Slack`` and ``Discord`` ID columns, one
two-week goal per member) whose config mails through an aiosmtpd server and posts to the test
suite's Slack and Discord webhook servers, all on loopback (tests/smtp_servers.py,
tests/chat_servers.py, in this process: the servers share the GIL with the client). Cron's
library call, :func:`sheetmentor.outbound.send.send_due`, runs twice:

* after the Nov 17 meeting ended: the recap (one personal e-mail per member, one post per chat);
* on Nov 29, 47 hours before the Dec 1 meeting: the nudges (the same).

It prints each run's wall time, the messages each channel received, and the time per member.
The baseline beside it is :func:`sheetmentor.outbound.send.preview_nudges` — reading the sheet and
rendering every nudge, sending nothing — so the difference is the cost of the ledger and the
delivery. Flat per-member times from 10 to 1,000 members mean the run is linear in the club's
size; a personal recap holds the whole club, so its bytes (not its bookkeeping) grow with n².
Not a test: nothing is asserted. ``--smoke``: clubs of 10 and 50.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from openpyxl import Workbook

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the test helpers
from chat_servers import ChatServer
from conftest import CONFIG, deep_merge
from smtp_servers import smtp_server

from sheetmentor.config import load_config
from sheetmentor.outbound.send import preview_nudges, send_due

ZONE = ZoneInfo("America/Toronto")
RECAP_TIME = dt.datetime(2026, 11, 17, 14, 0, tzinfo=ZONE)
NUDGE_TIME = dt.datetime(2026, 11, 29, 13, 0, tzinfo=ZONE)


def write_club(folder: Path, members: int, smtp: tuple[str, int]) -> Path:
    book = Workbook()
    book.remove(book.active)
    people = book.create_sheet("Members")
    people.append(["Name", "Email", "Active", "Slack", "Discord"])
    goals = book.create_sheet("Goals")
    goals.append(["Member", "Goal", "Tier", "Status", "Progress", "Due"])
    for m in range(members):
        name = f"Member {m:04d}"
        people.append([name, f"m{m}@example.org", "yes", f"U{m:08d}", str(100000000000000000 + m)])
        goals.append(
            [name, f"Rewrite the portfolio page {m}", "two-week", "", 0.4, dt.date(2026, 12, 1)]
        )
        goals.append([name, f"Call a mentor {m}", "two-week", "done", None, dt.date(2026, 11, 17)])
    meetings = book.create_sheet("Meetings")
    meetings.append(["Date", "Attended"])
    meetings.append(["2026-11-17", "Member 0000"])
    book.save(folder / "club.xlsx")
    config = deep_merge(
        CONFIG,  # the test suite's club: Toronto, every other Tuesday at noon
        {
            "club": {"name": "Bench Club", "cap": members},
            "email": {
                "from": "Bench Club <club@example.org>",
                "smtp": {"host": smtp[0], "port": smtp[1], "security": "none"},
            },
            "chat": {
                "slack": {"webhook_env": "BENCH_SLACK_WEBHOOK"},
                "discord": {"webhook_env": "BENCH_DISCORD_WEBHOOK"},
                "post": ["recap", "nudge"],
            },
        },
    )
    path = folder / "sheetmentor.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def cycle(members: int) -> None:
    with (
        tempfile.TemporaryDirectory() as tmp,
        smtp_server() as smtp,
        ChatServer("slack") as slack,
        ChatServer("discord") as discord,
    ):
        os.environ["BENCH_SLACK_WEBHOOK"] = slack.url
        os.environ["BENCH_DISCORD_WEBHOOK"] = discord.url
        os.environ["XDG_STATE_HOME"] = str(Path(tmp) / "xdg")  # the ledger's witness
        config = load_config(write_club(Path(tmp), members, (smtp.host, smtp.port)))
        counts = [0, 0, 0]
        for label, now in (("recap", RECAP_TIME), ("nudge", NUDGE_TIME)):
            if label == "nudge":
                start = time.perf_counter()
                preview_nudges(config, now=now)
                baseline = time.perf_counter() - start
            start = time.perf_counter()
            report = send_due(config, now)
            took = time.perf_counter() - start
            report.raise_for_problems()
            seen = [len(smtp.recorder.received), len(slack.received), len(discord.received)]
            mails, slacks, discords = (
                now - before for now, before in zip(seen, counts, strict=True)
            )
            counts = seen
            line = (
                f"{members:>7} {label:<6} {took:>8.2f} {took / members * 1000:>9.2f}"
                f" {mails:>6} {slacks:>6} {discords:>8}"
            )
            if label == "nudge":
                per = baseline / members * 1000
                line += f"   preview (no sending): {baseline:.2f} s, {per:.2f} ms/member"
            print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", default="10,100,1000")
    parser.add_argument("--smoke", action="store_true", help="clubs of 10 and 50")
    args = parser.parse_args()
    sizes = [10, 50] if args.smoke else [int(n) for n in args.members.split(",")]
    print("cron's send_due, e-mail (SMTP) + Slack + Discord on loopback")
    print(
        f"{'members':>7} {'run':<6} {'seconds':>8} {'ms/member':>9}"
        f" {'e-mail':>6} {'slack':>6} {'discord':>8}"
    )
    for members in sizes:
        cycle(members)


if __name__ == "__main__":
    main()
