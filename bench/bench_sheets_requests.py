"""Sheets API requests and wall time of one run's read: sheetmentor vs. a plain gspread script.

A run reads the sheet in one request (README.md, "Google Sheets"). This counts what each reader
sends to the emulator serving a generated club workbook (8 members, 80 goals, 12 meetings;
Members/Goals/Meetings):

* sheetmentor's Google source reading the tabs a run needs (``read_tables``);
* the usual gspread script: ``open_by_key``, then ``worksheet(tab).get_all_records()`` per tab.

Loopback answers in well under a millisecond, so the time shows client overhead; ``--latency``
makes the emulator wait before every answer, as Google's 100-300 ms round trips do.

    python bench/bench_sheets_requests.py [--runs 20] [--latency 0.15] [--smoke]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gspread
import openpyxl
from google.auth.credentials import AnonymousCredentials

from sheetmentor.config import SourceConfig
from sheetmentor.sources.google import SHEETS_ORIGIN, GoogleSheetSource
from sheetmentor.testing.emulator import SheetsEmulator

TABS = ("Members", "Goals", "Meetings")
TIERS = ("two-week", "quarterly", "long-term")
STATUSES = ("done", "", "in progress", "todo", "dropped", "✓")


def write_club(path: Path, members: int, goals: int, meetings: int, seed: int = 7) -> Path:
    """A club workbook with the cell types a real sheet has: dates, percents, checkboxes."""
    rng = random.Random(seed)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Members"
    surnames = ("Okonkwo", "Chen", "Diallo", "Silva")
    names = [f"Member {chr(65 + i)}. {surnames[i % 4]}" for i in range(members)]
    sheet.append(["Name", "Email", "Active", "Focus", "Joined"])
    for i, name in enumerate(names):
        sheet.append([name, f"m{i}@example.org", i % 7 != 6, "Next role", dt.date(2026, 1, 6)])
    sheet = book.create_sheet("Goals")
    sheet.append(["Member", "Goal", "Tier", "Category", "Status", "Progress", "Set", "Due", "Done"])
    first = dt.date(2026, 9, 8)
    for i in range(goals):
        set_on = first + dt.timedelta(days=rng.randrange(0, 80))
        status = rng.choice(STATUSES)
        sheet.append(
            [
                names[i % members],
                f"Goal number {i + 1}",
                rng.choice(TIERS),
                rng.choice(("professional", "personal")),
                status,
                rng.choice((None, 0.25, 0.5, 0.75)),
                set_on,
                set_on + dt.timedelta(days=14),
                status in ("done", "✓"),
            ]
        )
        sheet.cell(sheet.max_row, 6).number_format = "0%"
    sheet = book.create_sheet("Meetings")
    sheet.append(["Date", "Location", "Facilitator", "Attended", "Notes"])
    for i in range(meetings):
        sheet.append(
            [first + dt.timedelta(weeks=2 * i), "Room 4B", names[i % members], ", ".join(names)]
        )
    book.save(path)
    return path


class LoopbackHTTPClient(gspread.HTTPClient):
    """Plain gspread, with Google's address replaced by the emulator's (and nothing else)."""

    base_url = ""

    def request(self, method: str, endpoint: str, *args: Any, **kwargs: Any) -> Any:
        endpoint = endpoint.replace(SHEETS_ORIGIN, self.base_url)
        return super().request(method, endpoint, *args, **kwargs)


def sheetmentor_read(emulator: SheetsEmulator, key: str) -> int:
    config = SourceConfig(google_sheet=key)
    source = GoogleSheetSource.from_config(
        config, environ={"SHEETMENTOR_SHEETS_EMULATOR": emulator.url}
    )
    tables = source.read_tables(["Members", "Goals"], optional=["Meetings"])
    return len(tables["Goals"].rows) - 1


def gspread_read(emulator: SheetsEmulator, key: str) -> int:
    LoopbackHTTPClient.base_url = emulator.url
    client = gspread.Client(AnonymousCredentials(), http_client=LoopbackHTTPClient)
    spreadsheet = client.open_by_key(key)
    records = {tab: spreadsheet.worksheet(tab).get_all_records() for tab in TABS}
    return len(records["Goals"])


def measure(
    emulator: SheetsEmulator, key: str, read: Callable[[SheetsEmulator, str], int], runs: int
) -> tuple[Counter[str], float, int]:
    """Requests of one run (by API method) and the median wall time over ``runs`` runs."""
    times, calls, rows = [], Counter[str](), 0
    for run in range(runs):
        emulator.reset_log()
        start = time.perf_counter()
        rows = read(emulator, key)
        times.append(time.perf_counter() - start)
        if run == 0:
            calls = Counter(r.api for r in emulator.requests)
        elif Counter(r.api for r in emulator.requests) != calls:
            raise SystemExit(f"{read.__name__}: the request count changed between runs")
    return calls, statistics.median(times), rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="runs per reader (median time)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds the emulator waits")
    parser.add_argument("--smoke", action="store_true", help="one run each, as CI does")
    args = parser.parse_args()
    runs = 1 if args.smoke else args.runs
    with tempfile.TemporaryDirectory() as folder, SheetsEmulator() as emulator:
        workbook = write_club(Path(folder) / "club.xlsx", members=8, goals=80, meetings=12)
        key = emulator.load_workbook(workbook, "bench-club")
        if args.latency:
            emulator.inject(delay=args.latency, times=None)
        readers = [
            ("sheetmentor GoogleSheetSource.read_tables", sheetmentor_read),
            ("gspread open_by_key + get_all_records per tab", gspread_read),
        ]
        print(
            f"Sheets API requests per run, emulator on loopback, latency {args.latency:g} s, "
            f"8 members / 80 goals / 12 meetings, median of {runs} run(s)\n"
        )
        print(f"| {'reader':<46} | requests | {'by method':<38} | wall time |")
        print(f"|{'-' * 48}|----------|{'-' * 40}|-----------|")
        results = {}
        for name, read in readers:
            calls, median, rows = measure(emulator, key, read, runs)
            results[name] = rows
            methods = ", ".join(f"{api} ×{n}" for api, n in sorted(calls.items()))
            total = sum(calls.values())
            print(f"| {name:<46} | {total:>8} | {methods:<38} | {median * 1000:>6.1f} ms |")
        if len(set(results.values())) != 1:
            raise SystemExit(f"the readers disagree on the number of goals: {results}")


if __name__ == "__main__":
    main()
