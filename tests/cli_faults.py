"""The real CLI in its own process against a real SMTP server, and what each member received.

Shared by ``test_exactly_once.py`` and ``bench/bench_exactly_once.py``: a small club on disk
whose config points at an aiosmtpd server on loopback (see ``smtp_servers.py``), the command
``python -m sheetmentor … recap --send`` run with ``SHEETMENTOR_NOW`` set (the clock every run
reads), a :class:`Killer` that kills that process (``kill -9``) from inside the server at a chosen
point, :func:`invoke` for the same command in-process where process death does not matter, and
:func:`tally`, which counts per member the copies and the distinct Message-IDs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from conftest import CONFIG, deep_merge, run_cli, write_xlsx
from smtp_servers import Received, Server

ROOT = Path(__file__).resolve().parents[1]
MEETING_ENDED = "2026-11-17T14:00"  # the meeting of Nov 17 ends at 13:00 (Toronto), +30 min delay
HOUR_LATER = "2026-11-17T15:00"
DAY_LATER = "2026-11-18T14:00"
WAIT = 60.0  # an upper bound for a run that hangs by mistake; never a measured time


def members(count: int) -> list[str]:
    return [f"m{i}@example.org" for i in range(1, count + 1)]


def write_club(
    folder: Path,
    smtp: dict[str, Any] | None,
    *,
    count: int = 4,
    rows: list[list[Any]] | None = None,
    config: dict[str, Any] | None = None,
) -> Path:
    """A club of ``count`` active members (``m1@example.org`` …) mailing through ``smtp`` (or
    the outbox when None); ``rows`` replaces the member rows. Returns the config path."""
    folder.mkdir(parents=True, exist_ok=True)
    people = rows or [[f"Member {i}", f"m{i}@example.org", "yes"] for i in range(1, count + 1)]
    goals = [["Member", "Goal", "Tier", "Status"]] + [
        [row[0], f"Goal of {row[0]}", "two-week", "in progress"] for row in people
    ]
    write_xlsx(
        folder / "club.xlsx",
        {
            "Members": [["Name", "Email", "Active"], *people],
            "Goals": goals,
            "Meetings": [["Date", "Attended"], ["2026-11-17", people[0][0]]],
        },
    )
    email: dict[str, Any] = {"from": "Test Club <club@example.org>"}
    if smtp is not None:
        email["smtp"] = smtp
    data = deep_merge(CONFIG, {"email": email, **(config or {})})
    path = folder / "sheetmentor.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def smtp_settings(server: Server | tuple[str, int], timeout: str = "3s") -> dict[str, Any]:
    host, port = (server.host, server.port) if isinstance(server, Server) else server
    return {"host": host, "port": port, "security": "none", "timeout": timeout}


def command(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "sheetmentor", "--config", str(config), *args]


def environment(now: str) -> dict[str, str]:
    return {**os.environ, "SHEETMENTOR_NOW": now, "PYTHONPATH": str(ROOT)}


def run(config: Path, *args: str, now: str) -> subprocess.CompletedProcess[str]:
    """One CLI run to the end (``WAIT`` bounds a hang)."""
    return subprocess.run(
        command(config, *args),
        env=environment(now),
        capture_output=True,
        text=True,
        timeout=WAIT,
        check=False,
    )


def invoke(config: Path, *args: str, now: str) -> subprocess.CompletedProcess[str]:
    """The same command through Click in this process (faster; a traceback fails the test)."""
    result = run_cli("--config", str(config), *args, env={"SHEETMENTOR_NOW": now})
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def start(config: Path, *args: str, now: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        command(config, *args),
        env=environment(now),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    out, err = process.communicate(timeout=WAIT)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


class Killer:
    """``kill -9`` the process ``pid`` on the ``at``-th MAIL FROM (between two messages: the
    earlier ones are sent and committed) or the ``at``-th DATA (after the server recorded the
    message, before it answers 250: the sender cannot commit ``sent``)."""

    def __init__(self, stage: str, at: int) -> None:
        self.stage, self.at, self.seen, self.pid = stage, at, 0, 0
        self.lock = threading.Lock()
        self.fired = False

    def attach(self, server: Server) -> None:
        if self.stage == "MAIL":
            server.recorder.on_mail = self.hit
        else:
            server.recorder.on_data = lambda received: self.hit()

    def hit(self) -> None:
        with self.lock:
            self.seen += 1
            fire = self.seen == self.at and self.pid and not self.fired
            if fire:
                self.fired = True
                os.kill(self.pid, signal.SIGKILL)


@dataclass(frozen=True)
class Tally:
    """What the server got, per member: ``missing`` members got nothing; ``duplicates`` counts
    distinct Message-IDs beyond one per member (a member seeing two different recaps);
    ``resends`` counts extra copies with a Message-ID the member already had (the documented
    in-doubt resend, which a mail client shows once)."""

    expected: int
    delivered: int
    missing: int
    duplicates: int
    resends: int
    per_member: dict[str, list[str]]


def tally(received: list[Received], addresses: list[str]) -> Tally:
    ids: dict[str, list[str]] = defaultdict(list)
    for message in received:
        for rcpt in message.rcpt_tos:
            ids[rcpt].append(message.message_id)
    missing = sum(1 for a in addresses if not ids.get(a))
    duplicates = sum(max(0, len(set(found)) - 1) for found in ids.values())
    resends = sum(len(found) - len(set(found)) for found in ids.values())
    delivered = sum(len(found) for found in ids.values())
    return Tally(len(addresses), delivered, missing, duplicates, resends, dict(ids))
