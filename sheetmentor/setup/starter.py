"""``sheetmentor init``: a starter config and workbook that a club fills in, or a config for the
sheet a club already keeps (``init --from``).

The workbook has the three tabs with the headers sheetmentor recognizes, drop-down lists for
tier, category and status (so members pick words sheetmentor knows), and one example row per tab.
A config ``--from`` an existing sheet says, in comments, what was inferred from it: the layout,
the tabs and the header rows, so the organizer can check it before the first run.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from sheetmentor import clock
from sheetmentor.errors import ConfigError

if TYPE_CHECKING:
    from sheetmentor.sheet.layout import Explanation
    from sheetmentor.sheet.normalize import Club

STARTER_CONFIG = """\
# sheetmentor config — every key is described in config.example.yaml of the project.
club:
  name: {name}
  cap: 10                 # warn when more members are active
  language: en            # agendas, recaps, nudges in: en, fr, es, pt-BR, de, it, nl

meetings:
  every: 2 weeks          # or "1 week", "weekly", "biweekly"
  weekday: {weekday}
  time: "12:00"
  duration: 60m
  timezone: UTC           # e.g. America/Toronto
  first: {first}          # a meeting date the cadence counts from
  location: ""

{source}
# email:
#   from: "Club <club@example.org>"
#   outbox: outbox        # messages are written here until you add an smtp block

state: .sheetmentor
"""

STARTER_SOURCE = """\
source:
  path: club.xlsx         # or google_sheet: <key or URL> (share it with your service account)
  day_first: false        # how to read text dates like 03/04/2026
"""

HEADERS = {
    "Members": ["Name", "Email", "Active", "Focus", "Joined"],
    "Goals": ["Member", "Goal", "Tier", "Category", "Status", "Progress", "Set", "Due", "Notes"],
    "Meetings": ["Date", "Location", "Facilitator", "Attended", "Notes"],
}


def _today() -> dt.date:
    """Today in the starter config's zone (``timezone: UTC``), by the one clock: the computer's
    own day may already be tomorrow there, or still yesterday."""
    return clock.club_day(clock.now(), dt.UTC)


def write_starter(
    folder: Path, *, overwrite: bool = False, today: dt.date | None = None
) -> list[Path]:
    """Write ``sheetmentor.yaml`` and ``club.xlsx`` into ``folder``; never clobber silently."""
    config_path, workbook_path = folder / "sheetmentor.yaml", folder / "club.xlsx"
    existing = [p for p in (config_path, workbook_path) if p.exists()]
    if existing and not overwrite:
        raise ConfigError(f"{existing[0]} already exists (use --force to overwrite)")
    folder.mkdir(parents=True, exist_ok=True)
    today = today or _today()
    first = today + dt.timedelta(days=(1 - today.weekday()) % 7)  # the coming Tuesday
    config_path.write_text(
        STARTER_CONFIG.format(
            name="My Mentoring Club", weekday="tuesday", first=first, source=STARTER_SOURCE
        ),
        encoding="utf-8",
    )
    _write_workbook(workbook_path, today, first)
    return [config_path, workbook_path]


def _write_workbook(path: Path, today: dt.date, first: dt.date) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    book.remove(book.active)
    examples = {
        "Members": ["Your Name", "you@example.org", "yes", "What you want from the club", today],
        "Goals": [
            "Your Name", "Write down three goals", "two-week", "professional", "in progress",
            0.5, today, first, "",
        ],
        "Meetings": [first, "", "", "", "First meeting"],
    }  # fmt: skip
    for title, headers in HEADERS.items():
        sheet = book.create_sheet(title)
        sheet.append(headers)
        sheet.append(examples[title])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for column in sheet.columns:
            sheet.column_dimensions[column[0].column_letter].width = 18
        for cell in sheet[2]:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    goals = book["Goals"]
    goals["F2"].number_format = "0%"
    for column, choices in (
        ("C", "two-week,quarterly,long-term"),
        ("D", "professional,personal"),
        ("E", "open,in progress,done,dropped"),
    ):
        rule = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
        rule.add(f"{column}2:{column}1000")
        goals.add_data_validation(rule)
    book.save(path)


def write_config_from(
    sheet: str, folder: Path, *, overwrite: bool = False, today: dt.date | None = None
) -> tuple[Path, Explanation]:
    """Write ``sheetmentor.yaml`` for an existing sheet (a file, a folder of .csv files, or a
    Google Sheet's key or URL), with what was inferred from it; the sheet is read once."""
    from sheetmentor.config import Config
    from sheetmentor.sheet.normalize import read_club

    config_path = folder / "sheetmentor.yaml"
    if config_path.exists() and not overwrite:
        raise ConfigError(f"{config_path} already exists (use --force to overwrite)")
    local = Path(sheet).expanduser()
    if local.exists():
        source: dict = {"path": os.path.relpath(local.resolve(), folder.resolve())}
        name = local.stem.replace("_", " ").replace("-", " ").strip() or "My Mentoring Club"
    else:
        source = {"google_sheet": sheet}
        name = "My Mentoring Club"
    today = today or _today()
    first = today + dt.timedelta(days=(1 - today.weekday()) % 7)
    probe = Config.model_validate(
        {"club": {"name": name}, "meetings": {"first": first}, "source": source}
    )
    if "path" in source:
        probe.source.path = local.resolve()
    club = read_club(probe)
    day_first = _looks_day_first(club)
    if day_first:
        club = read_club(
            probe.model_copy(update={"source": probe.source.model_copy(update={"day_first": True})})
        )
    explanation = club.explanation
    lines = ["source:"]
    for key, value in source.items():
        lines.append(f"  {key}: {json.dumps(value, ensure_ascii=False)}")
    lines.append(f"  day_first: {str(day_first).lower()}")
    if explanation.layout == "tab-per-member":
        lines.append("  layout: tab-per-member")
    lines.append(
        f"  # inferred from the sheet: layout {explanation.layout} ({explanation.layout_how})"
    )
    for reading in explanation.tabs:
        where = f", header on row {reading.header_row}" if reading.header_row else ""
        shape = f", {reading.layout}" if reading.layout else ""
        lines.append(f'  #   tab "{reading.title}": {reading.role}{where}{shape}')
    lines.append(
        f"  #   {len(club.active_members)} active members, {len(club.goals)} goals, "
        f"{len(club.errors)} error(s): run `sheetmentor check --explain` for the details"
    )
    folder.mkdir(parents=True, exist_ok=True)
    config_path.write_text(
        STARTER_CONFIG.format(
            name=name, weekday="tuesday", first=first, source="\n".join(lines) + "\n"
        ),
        encoding="utf-8",
    )
    return config_path, explanation


def _looks_day_first(club: Club) -> bool:
    """Text dates that are impossible month-first ("24/11/2026") mean the sheet is day-first."""
    return any("read month-first" in problem.message for problem in club.errors)
