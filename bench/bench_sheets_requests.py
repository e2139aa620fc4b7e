"""Read requests and wall time per run, in every layout: sheetmentor vs. a plain gspread script.

One read request per run, in every layout. This counts what each reader sends to the emulator
serving a generated club workbook (8 members, 80 goals, 12 meetings) in four shapes:

* ``canonical``: Members, Goals, Meetings tabs;
* ``no Meetings tab``: Members and Goals only (most clubs);
* ``tab-per-member``: a Members tab and one tab of goals per member;
* ``link access``: the canonical sheet shared by link, read with no credentials.

Then cron's ``send-due`` on the canonical sheet, once when a recap is due and once when the
nudges are: the requests of the whole run (recap part and nudge part share one read; goal 1).

Readers: sheetmentor's Google source (``read_tables`` for the goals-tab layouts,
``read_all_tables`` for tab-per-member; the link source for link access), and the usual gspread
script: ``open_by_key``, then ``worksheet(tab).get_all_records()`` per tab (``worksheets()``
for tab-per-member; a missing Meetings tab caught as ``WorksheetNotFound``).

"received" is the answers' bodies (uncompressed; Google gzips them on the wire). Loopback
answers in well under a millisecond, so the time shows client overhead (and the in-process
emulator's); ``--latency``
makes the emulator wait before every answer, as Google's 100-300 ms round trips do.

    python bench/bench_sheets_requests.py [--runs 20] [--latency 0.15] [--smoke]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gspread
import openpyxl
from google.auth.credentials import AnonymousCredentials

from sheetmentor.config import SourceConfig, load_config
from sheetmentor.sheet.sources import open_google_source
from sheetmentor.sheet.sources.google import SHEETS_ORIGIN

try:
    from sheetmentor_testing.emulator import SheetsEmulator
except ModuleNotFoundError:  # the emulator lives in the checkout, beside the installed package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from sheetmentor_testing.emulator import SheetsEmulator

TABS = ("Members", "Goals", "Meetings")
TIERS = ("two-week", "quarterly", "long-term")
STATUSES = ("done", "", "in progress", "todo", "dropped", "✓")


def write_club(
    path: Path, members: int, goals: int, meetings: int, layout: str = "canonical", seed: int = 7
) -> Path:
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
    header = ["Member", "Goal", "Tier", "Category", "Status", "Progress", "Set", "Due", "Done"]
    tabs = {name: book.create_sheet(name) for name in names} if layout == "tab-per-member" else {}
    if not tabs:
        sheet = book.create_sheet("Goals")
    for tab in tabs.values() or [sheet]:
        tab.append(header)
    first = dt.date(2026, 9, 8)
    for i in range(goals):
        set_on = first + dt.timedelta(days=rng.randrange(0, 80))
        status = rng.choice(STATUSES)
        target = tabs.get(names[i % members], sheet)
        target.append(
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
        target.cell(target.max_row, 6).number_format = "0%"
    if layout != "no Meetings tab":
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


Reader = Callable[[SheetsEmulator, str, str], int]


def sheetmentor_read(emulator: SheetsEmulator, key: str, layout: str) -> int:
    """Goal rows read, as ``read_club`` reads them (one ``Source`` call per run)."""
    access = "link" if layout == "link access" else "api"
    config = SourceConfig(google_sheet=key, access=access)
    source = open_google_source(config, {"SHEETMENTOR_SHEETS_EMULATOR": emulator.url})
    if layout == "tab-per-member":
        tables = source.read_all_tables()
        return sum(_rows(table.rows) - 1 for title, table in tables.items() if title not in TABS)
    tables = source.read_tables(["Members", "Goals"], optional=["Meetings"])
    return _rows(tables["Goals"].rows) - 1


def _rows(rows: list[list[Any]]) -> int:
    return sum(1 for row in rows if any(cell is not None for cell in row))


def gspread_read(emulator: SheetsEmulator, key: str, layout: str) -> int:
    LoopbackHTTPClient.base_url = emulator.url
    client = gspread.Client(AnonymousCredentials(), http_client=LoopbackHTTPClient)
    spreadsheet = client.open_by_key(key)
    if layout == "tab-per-member":
        records = {ws.title: ws.get_all_records() for ws in spreadsheet.worksheets()}
        return sum(len(rows) for title, rows in records.items() if title not in TABS)
    records = {}
    for tab in TABS:
        try:
            records[tab] = spreadsheet.worksheet(tab).get_all_records()
        except gspread.WorksheetNotFound:
            records[tab] = []
    return len(records["Goals"])


def measure(
    emulator: SheetsEmulator, key: str, layout: str, read: Reader, runs: int
) -> tuple[Counter[str], int, float, int]:
    """Requests of one run (by API method), the bytes they brought, and the median wall time
    over ``runs`` runs."""
    times, calls, rows, size = [], Counter[str](), 0, 0
    for run in range(runs):
        emulator.reset_log()
        start = time.perf_counter()
        rows = read(emulator, key, layout)
        times.append(time.perf_counter() - start)
        if run == 0:
            calls = Counter(r.api for r in emulator.requests)
            size = sum(r.size for r in emulator.requests)
        elif Counter(r.api for r in emulator.requests) != calls:
            raise SystemExit(f"{read.__name__}: the request count changed between runs")
    return calls, size, statistics.median(times), rows


LAYOUTS = ("canonical", "no Meetings tab", "tab-per-member", "link access")
SEND_DUE = {  # the generated club meets every other Tuesday from Sep 8, 12:00 Toronto time
    "recap due": dt.datetime(2026, 11, 17, 14, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
    "nudges due": dt.datetime(2026, 11, 29, 13, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
}


def send_due_requests(emulator: SheetsEmulator, key: str, folder: Path, when: str) -> Counter:
    """Requests of one ``send_due`` run (mail to an outbox) at the moment ``when`` names."""
    from sheetmentor.outbound.send import send_due

    club = folder / when.replace(" ", "-")
    club.mkdir()
    (club / "sheetmentor.yaml").write_text(
        "club: {name: Bench Club}\n"
        "meetings: {every: 2 weeks, weekday: tuesday, time: '12:00', duration: 60m,"
        " timezone: America/Toronto, first: 2026-09-08}\n"
        f"source: {{google_sheet: {key}, access: api}}\n"
        "email: {from: 'Bench Club <club@example.org>', outbox: outbox}\n",
        encoding="utf-8",
    )
    os.environ["SHEETMENTOR_SHEETS_EMULATOR"] = emulator.url
    emulator.reset_log()
    report = send_due(load_config(club / "sheetmentor.yaml"), SEND_DUE[when])
    if not report.outcomes:
        raise SystemExit(f"send-due, {when}: nothing was sent")
    return Counter(r.api for r in emulator.requests)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="runs per reader (median time)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds the emulator waits")
    parser.add_argument("--smoke", action="store_true", help="one run each, as CI does")
    args = parser.parse_args()
    runs = 1 if args.smoke else args.runs
    with tempfile.TemporaryDirectory() as folder, SheetsEmulator() as emulator:
        keys = {}
        for layout in LAYOUTS:
            shape = "canonical" if layout == "link access" else layout
            path = Path(folder) / f"{shape}.xlsx"
            if not path.exists():
                write_club(path, members=8, goals=80, meetings=12, layout=shape)
            keys[layout] = emulator.load_workbook(path, shape.replace(" ", "-"))
        if args.latency:
            emulator.inject(delay=args.latency, times=None)
        print(
            f"Read requests per run, emulator on loopback, latency {args.latency:g} s, "
            f"8 members / 80 goals / 12 meetings, median of {runs} run(s)\n"
        )
        print(
            f"| {'layout':<15} | {'reader':<11} | requests | {'by method':<36} "
            "| received | wall time |"
        )
        print(f"|{'-' * 17}|{'-' * 13}|----------|{'-' * 38}|----------|-----------|")
        for layout in LAYOUTS:
            results = {}
            readers: list[tuple[str, Reader]] = [("sheetmentor", sheetmentor_read)]
            if layout != "link access":
                readers.append(("gspread", gspread_read))
            for name, read in readers:
                calls, size, median, rows = measure(emulator, keys[layout], layout, read, runs)
                results[name] = rows
                methods = ", ".join(f"{api} ×{n}" for api, n in sorted(calls.items()))
                total = sum(calls.values())
                print(
                    f"| {layout:<15} | {name:<11} | {total:>8} | {methods:<36} "
                    f"| {size / 1024:>5.0f} KB | {median * 1000:>6.1f} ms |"
                )
            if len(set(results.values())) != 1 or 80 not in results.values():
                raise SystemExit(f"{layout}: the readers disagree on the goals: {results}")
        print("\nRequests per `send-due` run (recap and nudges), canonical layout, goal 1\n")
        print(f"| {'send-due':<15} | requests | {'by method':<36} |")
        print(f"|{'-' * 17}|----------|{'-' * 38}|")
        for when in SEND_DUE:
            calls = send_due_requests(emulator, keys["canonical"], Path(folder), when)
            methods = ", ".join(f"{api} ×{n}" for api, n in sorted(calls.items()))
            print(f"| {when:<15} | {sum(calls.values()):>8} | {methods:<36} |")


if __name__ == "__main__":
    main()
