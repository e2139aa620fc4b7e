"""``sheetmentor init``: a starter config and workbook that a club fills in.

The workbook has the three tabs with the headers sheetmentor recognizes, drop-down lists for
tier, category and status (so members pick words sheetmentor knows), and one example row per tab.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .errors import ConfigError

STARTER_CONFIG = """\
# sheetmentor config — every key is described in config.example.yaml of the project.
club:
  name: {name}
  cap: 10                 # warn when more members are active

meetings:
  every: 2 weeks          # or "1 week", "weekly", "biweekly"
  weekday: {weekday}
  time: "12:00"
  duration: 60m
  timezone: UTC           # e.g. America/Toronto
  first: {first}          # a meeting date the cadence counts from
  location: ""

source:
  path: club.xlsx         # or google_sheet: <key or URL> (share it with your service account)
  day_first: false        # how to read text dates like 03/04/2026

# email:
#   from: "Club <club@example.org>"
#   outbox: outbox        # messages are written here until you add an smtp block

state: .sheetmentor
"""

HEADERS = {
    "Members": ["Name", "Email", "Active", "Focus", "Joined"],
    "Goals": ["Member", "Goal", "Tier", "Category", "Status", "Progress", "Set", "Due", "Notes"],
    "Meetings": ["Date", "Location", "Facilitator", "Attended", "Notes"],
}


def write_starter(
    folder: Path, *, overwrite: bool = False, today: dt.date | None = None
) -> list[Path]:
    """Write ``sheetmentor.yaml`` and ``club.xlsx`` into ``folder``; never clobber silently."""
    config_path, workbook_path = folder / "sheetmentor.yaml", folder / "club.xlsx"
    existing = [p for p in (config_path, workbook_path) if p.exists()]
    if existing and not overwrite:
        raise ConfigError(f"{existing[0]} already exists (use --force to overwrite)")
    folder.mkdir(parents=True, exist_ok=True)
    today = today or dt.date.today()
    first = today + dt.timedelta(days=(1 - today.weekday()) % 7)  # the coming Tuesday
    config_path.write_text(
        STARTER_CONFIG.format(name="My Mentoring Club", weekday="tuesday", first=first),
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
