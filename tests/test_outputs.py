"""Small things a user sees: the status table fits 80 columns, counts agree with their nouns,
mistakes name what would be right, CSV is safe to open in a spreadsheet app, usage mistakes
exit 2."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from conftest import CONFIG, GOALS, MEMBERS, ClubFolder, deep_merge, run_cli
from openpyxl import Workbook

from sheetmentor.words import plural

LONG_NAMES = [
    "Alexandra Konstantinopoulou-Smithson",
    "Bo Chen",
    "Maximiliano Bartholomew Featherstonehaugh",
]


def test_status_table_fits_80_columns_and_wraps_long_names(club: ClubFolder) -> None:
    members = [["Name", "Active"], *([name, "yes"] for name in LONG_NAMES)]
    goals = [["Member", "Goal", "Tier", "Category", "Status"]]
    for name in LONG_NAMES:  # two-digit counts: 12 goals per tier
        for i in range(12):
            for tier in ("two-week", "quarterly", "long-term"):
                goals.append([name, f"{tier} {i}", tier, "work", "done" if i % 3 == 0 else ""])
    club.write(members=members, goals=goals)
    result = club.run("status", "--as-of", "2026-10-01", env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    header = next(line for line in lines if line.startswith("Member"))
    width = header.index("Two-week")
    column = "".join(line[:width].replace(" ", "") for line in lines[lines.index(header) + 2 :])
    for name in LONG_NAMES:  # every name in full, wrapped within the Member column
        assert name.replace(" ", "") in column
    assert "Bo Chen" in result.stdout  # a short name stays on one line
    club_row = next(line for line in lines if line.startswith("Club"))
    figures = ["33%", "12/36"] * 3 + ["36/108", "0/0"]  # 36 work goals, none personal
    assert club_row.split() == ["Club", *figures]
    wide = club.run("status", "--as-of", "2026-10-01", env={"COLUMNS": "160"}).stdout
    assert "Alexandra Konstantinopoulou-Smithson " in wide and "█" in wide  # room for bars


@pytest.mark.parametrize(
    ("count", "words"),
    [(0, "0 goals"), (1, "1 goal"), (2, "2 goals"), (21, "21 goals")],
)
def test_plural(count: int, words: str) -> None:
    assert plural(count, "goal") == words
    assert plural(count, "person", "people").endswith("person" if count == 1 else "people")


def test_counts_agree_with_their_nouns(club: ClubFolder) -> None:
    club.write(
        members=MEMBERS[:2],
        goals=GOALS[:2],
        meetings=[["Date", "Attended"], ["2026-09-08", "Zed"]],
    )
    result = club.run("check")
    assert "1 active member, 1 goal, 1 recorded meeting — 1 error, 0 warnings" in result.stdout
    club.write(goals=GOALS)
    result = club.run("check")
    assert "2 active members, 7 goals, 0 recorded meetings — 0 errors, 0 warnings" in result.stdout


def test_the_plural_filter_in_a_clubs_own_template(club: ClubFolder) -> None:
    folder = club.folder / "t"
    folder.mkdir()
    (folder / "agenda.md.j2").write_text(
        '{{ 1 | plural("goal") }}, {{ members | length | plural("member") }}, '
        '{{ 2 | plural("person", "people") }}\n',
        encoding="utf-8",
    )
    club.write(config={"templates": "t"})
    result = club.run("agenda", "--as-of", "2026-11-30")
    assert result.stdout == "1 goal, 2 members, 2 people\n"


def test_an_unknown_member_lists_the_members(club: ClubFolder) -> None:
    result = club.run("recap", "--as-of", "2026-11-30", "--member", "Adda")
    assert result.exit_code == 2
    assert "no active member named 'Adda'" in result.stderr
    assert "Ada Okonkwo, Bo Chen" in result.stderr
    assert "Cy Diallo" not in result.stderr  # not active


def test_next_and_calendar_say_nothing_about_force(club: ClubFolder) -> None:
    goals = [*GOALS, ["Ada Okonkwo", "Weekly-ish goal", "weekly-ish", "work"]]
    club.write(goals=goals)
    for command in ("next", "calendar"):
        result = club.run(command, "--as-of", "2026-11-30")
        assert result.exit_code == 0
        assert 'unknown tier "weekly-ish"' in result.stderr  # the sheet's error is still shown
        assert "ignored" not in result.stderr and "--force" not in result.stderr


def write_text_cells(path: Path, tabs: dict[str, list[list]]) -> None:
    """An .xlsx whose text cells stay text even when they start with "=" (as a sheet's cells
    typed with a leading apostrophe, or imported as plain text, do)."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in tabs.items():
        sheet = book.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                cell = sheet.cell(r, c, value)
                if isinstance(value, str):
                    cell.data_type = "s"
    book.save(path)


FORMULAS = ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", "Plain"]


def test_csv_cells_never_start_a_formula(tmp_path: Path) -> None:
    members = [["Name", "Active"], *([name, "yes"] for name in FORMULAS)]
    goals = [["Member", "Goal", "Tier"], *([name, "A goal", "two-week"] for name in FORMULAS)]
    write_text_cells(tmp_path / "club.xlsx", {"Members": members, "Goals": goals})
    folder = ClubFolder(tmp_path)
    folder.write_config(deep_merge(CONFIG, {}))
    result = folder.run("status", "--format", "csv", "--as-of", "2026-11-30")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    members = list(dict.fromkeys(row["member"] for row in rows))
    assert members == ["(club)", *("'" + name for name in FORMULAS[:-1]), "Plain"]
    assert all(not row[key].startswith("'") for row in rows for key in ("total", "rate"))


@pytest.mark.parametrize(
    "args",
    [
        ["status", "--format", "xml"],
        ["status", "--last", "0"],
        ["status", "--last", "3"],  # without --history or --chart it would mean nothing
        ["status", "--as-of", "2026-13-01"],
        ["changes", "--format", "csv"],
        ["changes", "--since", "yesterday"],
        ["agenda", "--format", "pdf"],
        ["agenda", "--send", "-o", "agenda.md"],  # -o would be ignored
        ["agenda", "--date", "2026-11-30"],  # no meeting that day
        ["recap", "--format", "md"],
        ["recap", "--meeting", "2026-11-30"],
        ["recap", "--as-of", "2026-99"],
        ["recap", "--retry-failed"],  # ignored without --send, so refused
        ["recap", "--send", "--member", "Bo Chen"],  # would send to everyone
        ["recap", "--status", "--send"],
        ["next", "-n", "0"],
        ["next", "--as-of", "3000-01-01"],
        ["calendar", "-n", "-3"],
        ["calendar", "-o", "missing-folder/club.ics"],
        ["cron", "--minute", "60"],
        ["check", "extra"],
        ["no-such-command"],
    ],
)
def test_usage_mistakes_exit_2(club: ClubFolder, args: list[str]) -> None:
    result = club.run(*args)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stderr.strip() and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_usage_mistakes_before_any_config_exit_2(tmp_path: Path) -> None:
    result = run_cli("--config", str(tmp_path / "none.yaml"), "status")
    assert result.exit_code == 2 and "none.yaml" in result.stderr
