"""Exactly once under faults: a randomized loop of ``recap --send`` runs through the real CLI.

    python bench/bench_exactly_once.py [--runs 200] [--members 5] [--seed 7] [--smoke]

Each *episode* is a fresh club of ``--members`` members and a fresh aiosmtpd server on loopback.
Cron's command (``python -m sheetmentor … recap --send``, a real process, ``SHEETMENTOR_NOW``
one hour later each time) runs with a random fault, one to four times, then without faults until
it exits 0, then once more a day later. The faults:

* ``kill-between``: ``kill -9`` of the sender at a random MAIL FROM (earlier messages committed);
* ``kill-accepted``: ``kill -9`` after the server recorded a random message, before its 250;
* ``drop``: the server records a random message and closes the connection without answering;
* ``reset``: a TCP reset at a random MAIL FROM;
* ``no-answer``: the server records a random message and never answers (the client's 1 s
  timeout ends it);
* ``busy``: ``451`` to a random number of MAIL FROMs (retried in the run, then next hour);
* ``concurrent``: two or three runs at once; ``concurrent-kill``: the same, one of them killed;
* ``state-deleted``: the whole state folder deleted at a random MAIL FROM, mid-run (the later
  runs must refuse, naming ``--new-ledger``, rather than send everyone the recap again);
* ``clock-back``: after the episode, a run whose clock says two weeks earlier, when the
  previous meeting's recap was due (it must send nothing);
* ``chat-kill``: the club also posts its recap to a Slack and a Discord webhook (loopback
  servers), long enough to take several messages on each; the chat server ``kill -9``s the
  sender at a random post, either after taking it or while the sender waits to retry it after
  a 429. Its row counts e-mails and chat parts together: a
  part missing is one the ledger planned that never reached its channel.

At the end of each episode it counts, per member, the copies the server got and their distinct
Message-IDs. The table prints, per fault: runs, messages expected / delivered, **missing**
(members who got nothing), **duplicates** (distinct Message-IDs beyond one per member: a member
seeing two different recaps) and **in-doubt resends** (a second copy with the same Message-ID:
the documented bound, at most one per message). Target: 0 missing, 0 duplicates. Not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the test helpers

from cli_faults import (
    MEETING_ENDED,
    Killer,
    finish,
    members,
    run,
    smtp_settings,
    start,
    tally,
    write_club,
)
from smtp_servers import DROP, OK, RESET, Server, smtp_server

FAULTS = (
    "kill-between",
    "kill-accepted",
    "drop",
    "reset",
    "no-answer",
    "busy",
    "concurrent",
    "concurrent-kill",
    "state-deleted",
    "clock-back",
    "chat-kill",
)
CHAT = {
    "chat": {
        "slack": {"webhook_env": "BENCH_SLACK_WEBHOOK"},
        "discord": {"webhook_env": "BENCH_DISCORD_WEBHOOK"},
        "post": ["recap"],
    }
}


@dataclass
class Row:
    episodes: int = 0
    runs: int = 0
    expected: int = 0
    delivered: int = 0
    missing: int = 0
    duplicates: int = 0
    resends: int = 0
    exits: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def record(self, results: list[subprocess.CompletedProcess[str]]) -> None:
        """Count the runs and their exit codes; keep why a run said a message failed."""
        self.runs += len(results)
        self.exits.update(r.returncode for r in results)
        for result in results:
            if result.returncode == 1:
                lines = [line.strip() for line in result.stderr.splitlines()]
                self.failures += [line for line in lines if ": failed: " in line]


def hours_after(start: str, hours: int) -> str:
    return (dt.datetime.fromisoformat(start) + dt.timedelta(hours=hours)).isoformat()


class Faults:
    """Arms one fault on ``server`` for the next run and returns the processes' results."""

    def __init__(self, server: Server, config: Path, count: int, rng: random.Random) -> None:
        self.server, self.config, self.count, self.rng = server, config, count, rng

    def disarm(self) -> None:
        recorder = self.server.recorder
        recorder.scripts.clear()
        recorder.on_mail = recorder.on_data = None

    def once(self, fault: str, now: str) -> list[subprocess.CompletedProcess[str]]:
        recorder, rng, count = self.server.recorder, self.rng, self.count
        self.disarm()
        if fault in ("kill-between", "kill-accepted", "concurrent-kill"):
            stages = {"kill-between": "MAIL", "kill-accepted": "DATA"}
            stage = stages.get(fault) or rng.choice(("MAIL", "DATA"))
            killer = Killer(stage, rng.randint(1, count))
            killer.attach(self.server)
            processes = [start(self.config, "recap", "--send", now=now)]
            if fault == "concurrent-kill":
                processes += [start(self.config, "recap", "--send", now=now)]
            killer.pid = processes[0].pid
            return [finish(p) for p in processes]
        if fault == "state-deleted":
            target, seen = rng.randint(1, count), [0]
            state = self.config.parent / ".sheetmentor"

            def delete_state() -> None:
                seen[0] += 1
                if seen[0] == target:
                    shutil.rmtree(state, ignore_errors=True)

            recorder.on_mail = delete_state
        if fault == "drop":
            recorder.script("DATA", *[OK] * rng.randint(0, count - 1), DROP)
        elif fault == "reset":
            recorder.script("MAIL", *[OK] * rng.randint(0, count - 1), RESET)
        elif fault == "busy":
            recorder.script("MAIL", *["451 4.3.0 try later"] * rng.randint(1, 4))
        elif fault == "no-answer":
            target, seen, lock = rng.randint(1, count), [0], threading.Lock()

            def hang(received: object) -> None:
                with lock:
                    seen[0] += 1
                    now_hanging = seen[0] == target
                if now_hanging:
                    time.sleep(2.5)  # longer than the client's 1 s timeout

            recorder.on_data = hang
        if fault == "concurrent":
            processes = [
                start(self.config, "recap", "--send", now=now) for _ in range(rng.randint(2, 3))
            ]
            return [finish(p) for p in processes]
        return [run(self.config, "recap", "--send", now=now)]


def episode(folder: Path, fault: str, count: int, rng: random.Random, row: Row) -> None:
    with smtp_server() as server:
        config = write_club(folder, smtp_settings(server, timeout="1s"), count=count)
        faults = Faults(server, config, count, rng)
        hour = 0
        for _ in range(rng.randint(1, 4)):
            row.record(faults.once(fault, hours_after(MEETING_ENDED, hour)))
            hour += 1
        faults.disarm()
        for _ in range(6):  # clean runs until one succeeds (a member failed for good: exit 1)
            result = run(config, "recap", "--send", now=hours_after(MEETING_ENDED, hour))
            row.record([result])
            hour += 1
            if result.returncode in (0, 1):
                break
        row.record([run(config, "recap", "--send", now=hours_after(MEETING_ENDED, hour + 24))])
        if fault == "clock-back":
            row.record([run(config, "recap", "--send", now=hours_after(MEETING_ENDED, -24 * 14))])
        found = tally(server.recorder.received, members(count))
    row.episodes += 1
    row.expected += found.expected
    row.delivered += found.delivered
    row.missing += found.missing
    row.duplicates += found.duplicates
    row.resends += found.resends


def chat_episode(folder: Path, count: int, rng: random.Random, row: Row) -> None:
    """``chat-kill``: one killed run at a random chat post, then cron's clean runs; every part
    the ledger planned must be in its channel exactly once."""
    from chat_servers import ChatServer, KillingServer, RetryKillingServer
    from openpyxl import load_workbook

    platforms = ("slack", "discord")
    victim = rng.choice(platforms)
    kind = rng.choice((KillingServer, RetryKillingServer))
    killer = kind(victim, rng.randint(1, 2 if victim == "slack" else 4))
    with smtp_server() as mail, killer, ChatServer(platforms[victim == "slack"]) as plain:
        servers = {victim: killer, plain.platform: plain}
        os.environ["BENCH_SLACK_WEBHOOK"] = servers["slack"].url
        os.environ["BENCH_DISCORD_WEBHOOK"] = servers["discord"].url
        config = write_club(folder, smtp_settings(mail, timeout="1s"), count=count, config=CHAT)
        book = load_workbook(folder / "club.xlsx")
        for line in book["Goals"].iter_rows(min_row=2):
            line[1].value = " ".join(["a long goal text"] * 400)
        book.save(folder / "club.xlsx")
        process = start(config, "recap", "--send", now=MEETING_ENDED)
        killer.pid = process.pid
        row.record([finish(process)])
        for hour in range(1, 4):
            row.record([run(config, "recap", "--send", now=hours_after(MEETING_ENDED, hour))])
        found = tally(mail.recorder.received, members(count))
        status = run(config, "recap", "--status", now=hours_after(MEETING_ENDED, 4)).stdout
    row.episodes += 1
    row.expected += found.expected
    row.delivered += found.delivered
    row.missing += found.missing
    row.duplicates += found.duplicates
    row.resends += found.resends
    for platform, server in servers.items():
        parts = sum(f"chat/{platform}/" in line for line in status.splitlines())
        bodies = [json.dumps(payload, sort_keys=True) for payload in server.received]
        row.expected += parts
        row.delivered += len(bodies)
        row.missing += max(0, parts - len(set(bodies)))
        row.duplicates += len(bodies) - len(set(bodies))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="CLI runs at least (default 200)")
    parser.add_argument("--members", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--smoke", action="store_true", help="a few runs (CI)")
    parser.add_argument("--fault", action="append", choices=FAULTS, help="only these faults")
    args = parser.parse_args()
    faults = tuple(args.fault or FAULTS)
    target = 8 if args.smoke else args.runs
    rng = random.Random(args.seed)
    rows: dict[str, Row] = defaultdict(Row)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as temp:
        os.environ["XDG_STATE_HOME"] = str(Path(temp) / "xdg")  # the ledgers' witnesses
        number = 0
        while sum(r.runs for r in rows.values()) < target:
            fault = faults[number % len(faults)] if not args.smoke else rng.choice(faults)
            if fault == "chat-kill":
                chat_episode(Path(temp) / f"e{number}", args.members, rng, rows[fault])
            else:
                episode(Path(temp) / f"e{number}", fault, args.members, rng, rows[fault])
            number += 1
    elapsed = time.perf_counter() - started

    print(f"exactly once: {number} episodes, {args.members} members, seed {args.seed}")
    header = f"{'fault':<16}{'runs':>6}{'expected':>10}{'delivered':>11}{'missing':>9}"
    header += f"{'duplicates':>12}{'in-doubt resends':>18}  exit codes"
    print(header)
    print("-" * len(header) + "-" * 12)
    total = Row()
    for fault in FAULTS:
        if fault not in rows:
            continue
        r = rows[fault]
        exits = " ".join(f"{code}:{n}" for code, n in sorted(r.exits.items()))
        print(
            f"{fault:<16}{r.runs:>6}{r.expected:>10}{r.delivered:>11}{r.missing:>9}"
            f"{r.duplicates:>12}{r.resends:>18}  {exits}"
        )
        for name in ("episodes", "runs", "expected", "delivered", "missing", "duplicates"):
            setattr(total, name, getattr(total, name) + getattr(r, name))
        total.resends += r.resends
        total.exits.update(r.exits)
        total.failures += [f"{fault}: {line}" for line in r.failures]
    exits = " ".join(f"{code}:{n}" for code, n in sorted(total.exits.items()))
    print(
        f"{'total':<16}{total.runs:>6}{total.expected:>10}{total.delivered:>11}"
        f"{total.missing:>9}{total.duplicates:>12}{total.resends:>18}  {exits}"
    )
    print(
        f"target: 0 missing, 0 duplicates; in-doubt resends at most one per message "
        f"(same Message-ID). {elapsed:.0f} s"
    )
    for line in total.failures:
        print(f"  failed for good: {line}")
    if total.missing or total.duplicates:
        sys.exit(1)


if __name__ == "__main__":
    main()
