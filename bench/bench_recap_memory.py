"""Peak memory of a personal ``recap --send``: a club of 10 beside a club of 1,000.

    python bench/bench_recap_memory.py [--members 10,1000] [--smoke]

Each club (an .xlsx, two goals a member, the Nov 17 meeting) mails its personal recap through
an aiosmtpd server on loopback (in this process, tests/smtp_servers.py); the recap runs as cron
runs it, ``python -m sheetmentor … recap --send`` in a child process, whose max RSS comes from
``os.wait4`` (that child's own rusage). Every member's recap holds the whole club, so the bytes
mailed grow with the square of the club; the memory of the run should not: the target is the
largest club's peak RSS within 1.5× of the smallest's. The baseline in the same run is
``python -c "import pandas, …"`` of the libraries a send imports (the interpreter's floor).
Prints wall time, peak RSS, messages and bytes received; asserts nothing. ``--smoke``: clubs of
10 and 100.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from openpyxl import Workbook

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the test helpers
from conftest import CONFIG, ROOT, deep_merge
from smtp_servers import smtp_server

FLOOR = "import pandas, jinja2, click, yaml, pydantic, python_calamine, css_inline"


def write_club(folder: Path, members: int, smtp: tuple[str, int]) -> Path:
    book = Workbook()
    book.remove(book.active)
    people = book.create_sheet("Members")
    people.append(["Name", "Email", "Active"])
    goals = book.create_sheet("Goals")
    goals.append(["Member", "Goal", "Tier", "Status", "Progress", "Due"])
    for m in range(members):
        name = f"Member {m:04d}"
        people.append([name, f"m{m}@example.org", "yes"])
        goals.append([name, f"Rewrite the portfolio page {m}", "two-week", "", 0.4, None])
        goals.append([name, f"Call a mentor {m}", "two-week", "done", None, None])
    meetings = book.create_sheet("Meetings")
    meetings.append(["Date", "Attended"])
    meetings.append([dt.date(2026, 11, 17), "Member 0000"])
    book.save(folder / "club.xlsx")
    config = deep_merge(
        CONFIG,
        {
            "club": {"name": "Bench Club", "cap": members},
            "email": {
                "from": "Bench Club <club@example.org>",
                "smtp": {"host": smtp[0], "port": smtp[1], "security": "none"},
            },
        },
    )
    path = folder / "sheetmentor.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def child(argv: list[str]) -> tuple[float, float]:
    """Wall seconds and max RSS (MiB) of one child process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SHEETMENTOR_NOW": "2026-11-17T13:31"}
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, *argv], env=env, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        assert process.stderr is not None
        sys.exit(f"failed: {argv}\n{process.stderr.read().decode()[-2000:]}")
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", default="10,1000")
    parser.add_argument("--smoke", action="store_true", help="clubs of 10 and 100")
    options = parser.parse_args()
    sizes = [10, 100] if options.smoke else [int(n) for n in options.members.split(",")]
    _, floor = child(["-c", FLOOR])
    print(f"floor: python -c {FLOOR!r}: max RSS {floor:.0f} MiB")
    print(f"{'members':>7} {'seconds':>8} {'max RSS MiB':>11} {'messages':>8} {'MiB mailed':>10}")
    peaks = []
    for members in sizes:
        with tempfile.TemporaryDirectory() as tmp, smtp_server() as smtp:
            config = write_club(Path(tmp), members, (smtp.host, smtp.port))
            wall, rss = child(["-m", "sheetmentor", "--config", str(config), "recap", "--send"])
            mailed = sum(len(message.data) for message in smtp.recorder.received)
            count = len(smtp.recorder.received)
        peaks.append(rss)
        print(f"{members:>7} {wall:>8.2f} {rss:>11.0f} {count:>8} {mailed / 2**20:>10.1f}")
    print(
        f"peak RSS, {sizes[-1]:,} members vs {sizes[0]:,}: {peaks[-1] / peaks[0]:.2f}x "
        "(target: 1.5x or less)"
    )


if __name__ == "__main__":
    main()
