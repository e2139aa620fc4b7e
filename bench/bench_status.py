"""``sheetmentor status`` on an organization-sized sheet, against plain pandas reads of it.

    python bench/bench_status.py [--rows 100000] [--members 200] [--seed 7] [--keep DIR]

Generates (seeded, so every run reads the same cells) a club workbook with ``--rows`` goal rows
across ``--members`` members, written the way members write sheets: tier words like "2-wk", "Q"
and "1 year+", categories like "work" and "Life ", statuses like "✓", a TRUE checkbox,
"in progress" and "dropped", progress as "40%", 0.4 or 40, real date cells and some text dates
("Mar 4, 2026", "03/04/2026"), member names in the wrong case with stray spaces, and a Meetings
tab. It is written both as ``club.xlsx`` (openpyxl, write-only mode) and as a folder of .csv files
(what "File > Download > CSV" gives, one file per tab), with a config for each.

Then every measured thing runs in a fresh subprocess, twice: once for wall time and peak RSS
(``os.wait4``'s rusage of that child alone, so runs do not contaminate each other), and once under
``tracemalloc`` for the peak of Python allocations (started after imports, so it is the work's
own peak; tracemalloc slows code down, which is why times come from the other run):

* baseline: ``pandas.read_excel(path, sheet_name=None)`` with the default engine (openpyxl) and
  with ``engine="calamine"`` (the reader sheetmentor uses), and ``pandas.read_csv`` of each .csv;
* the library, step by step as :func:`sheetmentor.sheet.normalize.read_club` does it:
  ``load_config``,
  read (the source's raw tables), normalize (schema), analyse (``completion_by_tier``), the
  ``status --format json`` text, and ``render_agenda`` for the next meeting;
* ``sheetmentor status --format json`` end to end: the installed console script as a subprocess
  (for time and RSS), and ``sheetmentor.cli.main`` in a traced child (for the Python peak).

Prints plain-text tables. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

AS_OF = dt.date(2026, 11, 20)
FIRST_MEETING = dt.date(2026, 1, 6)  # a Tuesday; meetings every other Tuesday
MIB = 1024 * 1024

TIERS = ["two-week", "2-wk", "2 weeks", "biweekly", "Sprint ", "Q", "quarterly", "short term",
         "Q3", "1 year+", "annual", "yearly", "Long term", "LT"]  # fmt: skip
CATEGORIES = ["professional", "work", "career", "Work", "personal", "life", "Life ", "health"]
STATUSES = ["", "", "", "in progress", "in progress", "wip", "todo", "not started", "done",
            "Done", "✓", "x", "yes", True, False, "dropped", "abandoned"]  # fmt: skip
FIRST_NAMES = ["Ada", "Bo", "Cy", "Dee", "Eli", "Fay", "Gus", "Hana", "Ian", "Jo", "Kai", "Lea",
               "Max", "Nia", "Oli", "Pia", "Quinn", "Ray", "Sol", "Tess"]  # fmt: skip
LAST_NAMES = ["Okonkwo", "Chen", "Diallo", "Silva", "Novak", "Haddad", "Ito", "Kowalski", "Moreau",
              "Nguyen"]  # fmt: skip
VERBS = ["Ship", "Write", "Call", "Publish", "Learn", "Plan", "Finish", "Start", "Review", "Draft"]
THINGS = ["the portfolio page", "two mentors", "3 posts", "a talk proposal", "the budget",
          "a side project", "the CV", "10k steps a day", "Spanish A2", "the garden"]  # fmt: skip


# -- the sheet ----------------------------------------------------------------------------------


def member_names(count: int) -> list[str]:
    names = [f"{first} {last}" for last in LAST_NAMES for first in FIRST_NAMES]
    names += [f"{name} {n}" for n in range(2, count // len(names) + 2) for name in names[:]]
    return names[:count]


def text_date(rng: random.Random, day: dt.date) -> str:
    """A date as members type it; month-first numbers, as ``source.day_first: false`` reads."""
    numeric = f"{day.month:02d}/{day.day:02d}/{day.year}"
    return rng.choice([day.isoformat(), f"{day:%b} {day.day}, {day.year}", numeric])


def a_date(rng: random.Random, start: dt.date, spread: int) -> Any:
    roll = rng.random()
    if roll < 0.15:
        return None
    day = start + dt.timedelta(days=rng.randrange(spread))
    return text_date(rng, day) if roll < 0.30 else day


def progress(rng: random.Random) -> Any:
    roll = rng.random()
    if roll < 0.55:
        return None
    if roll < 0.70:
        return f"{rng.randrange(0, 101, 5)}%"
    if roll < 0.85:
        return round(rng.randrange(0, 101, 5) / 100, 2)
    return rng.randrange(10, 100, 10)


def club_tables(rows: int, members: int, seed: int) -> dict[str, list[list[Any]]]:
    rng = random.Random(seed)
    names = member_names(members)
    member_rows: list[list[Any]] = [["Name", "Email", "Active", "Focus", "Joined"]]
    for index, name in enumerate(names):
        active = rng.choice(["yes", "Y", True, None, None]) if index % 20 else "no"
        joined = FIRST_MEETING - dt.timedelta(days=rng.randrange(900))
        email = f"{name.lower().replace(' ', '.')}@example.org"
        member_rows.append([name, email, active, f"Focus of {name}", joined])
    goal_rows: list[list[Any]] = [
        ["Member", "Goal", "Tier", "Category", "Status", "Progress", "Set", "Due", "Notes"]
    ]
    for number in range(rows):
        name = names[number % members]
        if rng.random() < 0.1:
            name = f" {name.lower()} "
        category = rng.choice(CATEGORIES) if rng.random() > 0.001 else None
        notes = f"note {number}" if rng.random() < 0.1 else None
        goal_rows.append(
            [
                name,
                f"{rng.choice(VERBS)} {rng.choice(THINGS)} (#{number})",
                rng.choice(TIERS),
                category,
                rng.choice(STATUSES),
                progress(rng),
                a_date(rng, FIRST_MEETING, 300),
                a_date(rng, FIRST_MEETING + dt.timedelta(days=14), 400),
                notes,
            ]
        )
    meeting_rows: list[list[Any]] = [["Date", "Location", "Facilitator", "Attended", "Notes"]]
    day = FIRST_MEETING
    while day < AS_OF:
        moved = day + dt.timedelta(days=2) if rng.random() < 0.1 else day
        attended = ", ".join(rng.sample(names, min(6, members)))
        meeting_rows.append([moved, "Room 4B", rng.choice(names), attended, f"Met on {moved}"])
        day += dt.timedelta(weeks=2)
    return {"Members": member_rows, "Goals": goal_rows, "Meetings": meeting_rows}


def write_xlsx(path: Path, tables: dict[str, list[list[Any]]]) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, rows in tables.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def write_csv_folder(folder: Path, tables: dict[str, list[list[Any]]]) -> None:
    folder.mkdir()
    for title, rows in tables.items():
        with (folder / f"{title}.csv").open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows([[csv_cell(v) for v in row] for row in rows])


def write_config(path: Path, source: str, members: int) -> None:
    path.write_text(
        f"""club: {{name: Bench Org, cap: {members}}}
meetings: {{every: 2 weeks, weekday: tuesday, time: "12:00", duration: 60m,
           timezone: America/Toronto, first: {FIRST_MEETING.isoformat()}, location: Room 4B}}
source: {{path: {source}}}
""",
        encoding="utf-8",
    )


def generate(folder: Path, rows: int, members: int, seed: int) -> dict[str, float]:
    timings = {}
    start = time.perf_counter()
    tables = club_tables(rows, members, seed)
    timings["build rows"] = time.perf_counter() - start
    start = time.perf_counter()
    write_xlsx(folder / "club.xlsx", tables)
    timings["write .xlsx (openpyxl write-only)"] = time.perf_counter() - start
    start = time.perf_counter()
    write_csv_folder(folder / "csv", tables)
    timings["write .csv folder"] = time.perf_counter() - start
    write_config(folder / "xlsx.yaml", "club.xlsx", members)
    write_config(folder / "csv.yaml", "csv", members)
    return timings


# -- what a child measures ----------------------------------------------------------------------


class Phases:
    """Times (or, traced, Python peaks) of consecutive steps in one child."""

    def __init__(self, traced: bool) -> None:
        self.traced = traced
        self.results: dict[str, float] = {}
        self.facts: dict[str, float] = {}

    def run(self, name: str, step, *args, **kwargs):
        import tracemalloc

        if self.traced:
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
        start = time.perf_counter()
        value = step(*args, **kwargs)
        elapsed = time.perf_counter() - start
        if self.traced:
            self.results[name] = (tracemalloc.get_traced_memory()[1] - base) / MIB
        else:
            self.results[name] = elapsed
        return value


def child(kind: str, folder: Path, traced: bool) -> dict[str, float]:
    """One measured thing, in this (fresh) process."""
    import tracemalloc

    start = time.perf_counter()
    import pandas as pd

    imports = {"import": time.perf_counter() - start}
    if kind.startswith("lib"):
        start = time.perf_counter()
        import sheetmentor.analysis
        import sheetmentor.render.contexts
        import sheetmentor.render.formats
        import sheetmentor.sheet.normalize
        import sheetmentor.sheet.sources.workbook  # noqa: F401

        imports["import"] += time.perf_counter() - start
    if traced:
        tracemalloc.start()
    phases = Phases(traced)
    xlsx, csv_folder = folder / "club.xlsx", folder / "csv"
    if kind == "pandas-xlsx-openpyxl":
        phases.run("total", pd.read_excel, xlsx, sheet_name=None)
    elif kind == "pandas-xlsx-calamine":
        phases.run("total", pd.read_excel, xlsx, sheet_name=None, engine="calamine")
    elif kind == "pandas-csv":
        phases.run(
            "total", lambda: {f.stem: pd.read_csv(f) for f in sorted(csv_folder.glob("*.csv"))}
        )
    elif kind in ("lib-xlsx", "lib-csv"):
        library(phases, folder / f"{kind.removeprefix('lib-')}.yaml")
    else:
        raise SystemExit(f"unknown measurement {kind}")
    if not traced and "total" not in phases.results:
        phases.results["total"] = sum(phases.results.values())
    if traced:
        phases.results["total"] = tracemalloc.get_traced_memory()[1] / MIB
    return {**({} if traced else imports), **phases.results, **phases.facts}


def library(phases: Phases, config_path: Path) -> None:
    from sheetmentor.analysis import completion_by_tier
    from sheetmentor.config import load_config
    from sheetmentor.render.contexts import render_agenda
    from sheetmentor.render.formats import status_json
    from sheetmentor.sheet.normalize import normalize
    from sheetmentor.sheet.sources import open_source

    config = phases.run("load_config", load_config, config_path)

    def read() -> dict:  # what read_club does before normalize: every tab, one read
        return open_source(config.source).read_all_tables()

    tables = phases.run("read", read)
    club = phases.run("normalize", normalize, tables, config)
    if club.errors:
        raise SystemExit(f"the generated sheet has errors: {club.errors[:3]}")
    phases.run("  of which layout", detect_layout, tables, config)
    sectioned = with_tier_sections(tables)
    sections_club = phases.run("normalize, sections", normalize, sectioned, config)
    if len(sections_club.goals) != len(club.goals) or sections_club.errors:
        raise SystemExit(f"the sectioned sheet reads differently: {sections_club.errors[:3]}")
    completion = phases.run("analyse", completion_by_tier, club)
    phases.run("status json", status_json, completion, club.name, AS_OF)
    agenda = phases.run("render_agenda", render_agenda, config, club, as_of=AS_OF)
    phases.facts["agenda KiB"] = len(agenda.encode()) / 1024


def detect_layout(tables: dict, config: Any) -> None:
    """The layout step of normalize alone: which tab is which, header rows, canonical tables."""
    from sheetmentor.sheet.layout import Explanation, Reader
    from sheetmentor.sheet.vocabulary import REQUIRED

    reader = Reader(config, [], Explanation())
    plan = reader.plan(tables)
    reader.table(
        tables[plan.members], "members", REQUIRED["members"], reader.explanation.tab("m", "members")
    )
    for title, _ in plan.goals:
        reading = reader.explanation.tab(title, "goals")
        reader.table(tables[title], "goals", REQUIRED["goals"], reading, members={})
    if plan.meetings:
        reading = reader.explanation.tab(plan.meetings, "meetings")
        reader.table(tables[plan.meetings], "meetings", REQUIRED["meetings"], reading)


def with_tier_sections(tables: dict) -> dict:
    """The same goals kept under tier section rows ("TWO WEEK GOALS") with the Tier cells blank
    and a blank row between sections: the layout detection's most expensive path."""
    from sheetmentor.sheet.sources import RawTable
    from sheetmentor.sheet.vocabulary import TIER

    header, *rows = tables["Goals"].rows
    tier_at = header.index("Tier")
    by_tier: dict[str, list] = {}
    for row in rows:
        by_tier.setdefault(TIER.meaning(row[tier_at]), []).append(row)
    body: list = []
    for tier, group in by_tier.items():
        body += [[], [f"{tier.upper()} GOALS"]]
        body += [[*row[:tier_at], None, *row[tier_at + 1 :]] for row in group]
    return {**tables, "Goals": RawTable("Goals", [["Club goals 2026"], header, *body])}


# -- the parent: fresh children, rusage of each ------------------------------------------------


def spawn(command: list[str]) -> tuple[int, float, float, str]:
    """Run a child; its exit code, wall seconds, and max RSS (MiB) from ``os.wait4``."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    return process.returncode, wall, usage.ru_maxrss / 1024, stderr  # Linux: KiB


def run_child(kind: str, folder: Path, traced: bool) -> tuple[dict[str, float], float]:
    """One fresh child measuring ``kind``: its results and its max RSS (MiB)."""
    out = folder / f"{kind}-{'traced' if traced else 'timed'}.json"
    command = [sys.executable, __file__, "--child", kind, "--dir", str(folder), "--out", str(out)]
    code, _, rss, stderr = spawn([*command, *(["--traced"] if traced else [])])
    if code != 0:
        raise SystemExit(f"{kind} failed ({code}):\n{stderr[-3000:]}")
    return json.loads(out.read_text()), rss


def measure(kinds: list[str], folder: Path) -> dict[str, dict[str, Any]]:
    """Timed runs one after another (so they do not compete for the CPU), then the traced runs
    two at a time: tracemalloc's peaks do not depend on the CPU, and the traced openpyxl read
    alone takes minutes, so it runs beside all the others."""
    from concurrent.futures import ThreadPoolExecutor

    results: dict[str, dict[str, Any]] = {}
    for kind in kinds:
        times, rss = run_child(kind, folder, traced=False)
        results[kind] = {"times": times, "rss": rss}
    with ThreadPoolExecutor(max_workers=2) as pool:
        traced = {kind: pool.submit(run_child, kind, folder, True) for kind in kinds}
        for kind, future in traced.items():
            results[kind]["peaks"] = future.result()[0]
    return results


def measure_console_script(config: Path) -> dict[str, Any]:
    script = Path(sys.executable).with_name("sheetmentor")  # the venv's console script
    if not script.exists():
        script = Path(shutil.which("sheetmentor") or "sheetmentor")
    command = [str(script), "--config", str(config), "status", "--format", "json"]
    code, wall, rss, stderr = spawn([*command, "--as-of", AS_OF.isoformat()])
    if code != 0:
        raise SystemExit(f"sheetmentor status failed ({code}):\n{stderr[-2000:]}")
    return {"wall": wall, "rss": rss, "warnings": stderr.count("WARNING")}


def generate_in_child(folder: Path, rows: int, members: int, seed: int) -> dict[str, float]:
    """The club is built in a child, so that this process stays small: a child forked from a
    large parent reports the parent's RSS as its own ``ru_maxrss``."""
    out = folder / "generate.json"
    command = [sys.executable, __file__, "--generate", "--dir", str(folder), "--out", str(out)]
    code, _, _, stderr = spawn(
        [*command, "--rows", str(rows), "--members", str(members), "--seed", str(seed)]
    )
    if code != 0:
        raise SystemExit(f"generating the club failed ({code}):\n{stderr[-3000:]}")
    return json.loads(out.read_text())


def floor_rss() -> float:
    """Max RSS of a child that only imports pandas and sheetmentor: the floor under every row."""
    code = (
        "import pandas, sheetmentor.sheet.normalize, sheetmentor.render.formats, "
        "sheetmentor.analysis"
    )
    return spawn([sys.executable, "-c", code])[2]


# -- report -------------------------------------------------------------------------------------


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    lines = [
        "  ".join(
            str(cell).ljust(w) if i == 0 else str(cell).rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in [headers, ["-" * w for w in widths], *rows]
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="goal rows (default 100000)")
    parser.add_argument("--members", type=int, default=200, help="members (default 200)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="write the club here and keep it")
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        args.out.write_text(json.dumps(child(args.child, args.dir, args.traced)))
        return
    if args.generate:
        args.out.write_text(json.dumps(generate(args.dir, args.rows, args.members, args.seed)))
        return

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-status-") as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        made = generate_in_child(folder, args.rows, args.members, args.seed)
        size = (folder / "club.xlsx").stat().st_size / MIB
        csv_size = sum(f.stat().st_size for f in (folder / "csv").glob("*.csv")) / MIB
        print(
            f"club: {args.rows:,} goal rows, {args.members} members, seed {args.seed}; "
            f"club.xlsx {size:.1f} MiB, csv folder {csv_size:.1f} MiB; "
            f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
        )
        print("  " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in made.items()))
        kinds = ["pandas-xlsx-openpyxl", "pandas-xlsx-calamine", "pandas-csv", "lib-xlsx",
                 "lib-csv"]  # fmt: skip
        results = measure(kinds, folder)
        scripts = {
            name: measure_console_script(folder / f"{name}.yaml") for name in ("xlsx", "csv")
        }
        floor = floor_rss()

    def row(label: str, kind: str) -> list[str]:
        r = results[kind]
        return [label, f"{r['times']['total']:.2f}", f"{r['times']['import']:.2f}",
                f"{r['peaks']['total']:.0f}", f"{r['rss']:.0f}"]  # fmt: skip

    print()
    print(
        "Each row is a fresh process. time: the work itself (imports apart); py peak: tracemalloc"
    )
    print(
        f"peak of that work; max RSS: the whole child (a child that only imports: {floor:.0f} MiB)"
    )
    print()
    rows = [
        row("pandas.read_excel(xlsx) default engine (openpyxl)", "pandas-xlsx-openpyxl"),
        row("pandas.read_excel(xlsx, engine='calamine')", "pandas-xlsx-calamine"),
        row("pandas.read_csv(each .csv)", "pandas-csv"),
        row("library, xlsx: load_config..render_agenda", "lib-xlsx"),
        row("library, csv:  load_config..render_agenda", "lib-csv"),
    ]
    for name, script in scripts.items():
        rows.append(
            [
                f"$ sheetmentor status --format json ({name}, wall)",
                f"{script['wall']:.2f}",
                "incl.",
                "",
                f"{script['rss']:.0f}",
            ]
        )
    print(table(["measured", "time s", "import s", "py peak MiB", "max RSS MiB"], rows))

    print()
    print("Library breakdown (in-process; time s / tracemalloc peak MiB of the step)")
    steps = ["load_config", "read", "normalize", "  of which layout", "analyse", "status json",
             "render_agenda", "normalize, sections"]  # fmt: skip
    breakdown = []
    for step in steps:
        line = [step]
        for kind in ("lib-xlsx", "lib-csv"):
            r = results[kind]
            line += [f"{r['times'][step]:.3f}", f"{r['peaks'][step]:.1f}"]
        breakdown.append(line)
    status_steps = ["load_config", "read", "normalize", "analyse", "status json"]
    total = ["read..status json"]
    for kind in ("lib-xlsx", "lib-csv"):
        total += [f"{sum(results[kind]['times'][s] for s in status_steps):.3f}", ""]
    breakdown.append(total)
    print(table(["step", "xlsx s", "xlsx MiB", "csv s", "csv MiB"], breakdown))
    agenda_kib = results["lib-xlsx"]["times"]["agenda KiB"]
    warnings = scripts["xlsx"]["warnings"]
    print()
    print(f"agenda: {agenda_kib:.0f} KiB of markdown; status printed {warnings} warnings to stderr")
    print(f"bench total: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
