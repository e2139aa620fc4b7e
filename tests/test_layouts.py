"""Every layout of the corpus (tests/sheet_corpus.py) gives its hand-counted figures through the
CLI, from a local file and from the Google source (the emulator), and ``check`` passes on it."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import yaml
from conftest import CONFIG, ClubFolder, deep_merge, run_cli
from sheet_corpus import EXPECTED, LAYOUTS, Layout, figures

from sheetmentor_testing.emulator import SheetsEmulator

pytest_plugins = ["emulator_fixtures"]

AS_OF = ("--as-of", "2026-11-30")


def write_club(layout: Layout, folder: Path) -> ClubFolder:
    path = layout.write(folder)
    club = ClubFolder(folder)
    club.write_config(deep_merge(CONFIG, deep_merge({"source": {"path": path}}, layout.config)))
    return club


def test_the_corpus_has_at_least_fifty_layouts() -> None:
    assert len(LAYOUTS) >= 50
    assert len({layout.name for layout in LAYOUTS}) == len(LAYOUTS)


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.name)
def test_layout_gives_the_hand_counted_figures(layout: Layout, tmp_path: Path) -> None:
    club = write_club(layout, tmp_path)
    checked = club.run("check")
    assert checked.exit_code == 0, checked.stdout + checked.stderr
    assert "0 errors" in checked.stdout
    status = club.run("status", "--format", "json", *AS_OF)
    assert status.exit_code == 0, status.stderr
    assert figures(json.loads(status.stdout)) == layout.expected


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.name)
def test_layout_reads_the_same_from_google(
    layout: Layout, tmp_path: Path, emulator: SheetsEmulator
) -> None:
    """Every layout, uploaded (a .csv or .ods layout as the same cells in an .xlsx)."""
    write_club(dataclasses.replace(layout, kind="xlsx"), tmp_path)
    emulator.load_workbook(tmp_path / "club.xlsx", "corpus-sheet")
    config = deep_merge(
        CONFIG, deep_merge({"source": {"google_sheet": "corpus-sheet"}}, layout.config)
    )
    del config["source"]["path"]
    path = tmp_path / "google.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    env = {"SHEETMENTOR_SHEETS_EMULATOR": emulator.url}
    status = run_cli("--config", str(path), "status", "--format", "json", *AS_OF, env=env)
    assert status.exit_code == 0, status.stderr
    assert figures(json.loads(status.stdout)) == layout.expected
    assert 1 <= len(emulator.requests) <= 2  # every tab in one read (plus the tab titles)


def explain(layout_name: str, tmp_path: Path) -> str:
    layout = next(layout for layout in LAYOUTS if layout.name == layout_name)
    result = write_club(layout, tmp_path).run("check", "--explain")
    assert result.exit_code == 0, result.stdout
    return result.stdout


def test_explain_says_the_header_row_columns_and_words(tmp_path: Path) -> None:
    text = explain("title-subtitle-blank", tmp_path)
    assert 'tab "Goals": goals — one row per goal' in text
    assert "  header row: 4" in text
    assert "rows 1–3 above the header skipped (title rows)" in text
    assert '  A "Member" → member (alias "member")' in text
    assert 'words (status): "in progress" → open' in text


def test_explain_says_sections_layout_and_left_out_tabs(tmp_path: Path) -> None:
    text = explain("tab-per-member-sections", tmp_path)
    assert 'layout: tab-per-member (detected: no "Goals" tab, and 2 tabs with goal headers)' in text
    assert 'row 2 "TWO WEEK GOALS" is a section row: tier for the rows under it' in text
    assert 'tab "Archive": left out' in text
    assert 'words (tier): "TWO WEEK GOALS" → two-week' in text


def test_explain_wide_layout(tmp_path: Path) -> None:
    text = explain("wide-lines-and-check-marks", tmp_path)
    assert 'tab "Goals": goals — wide: one row per member, one column per tier' in text
    assert 'B "Two-week goal(s)" → goal (tier column (two-week))' in text
    assert "5 goal(s) from the tier columns, one per line or bullet" in text


def test_blank_member_cells_are_one_info_line(tmp_path: Path) -> None:
    layout = next(layout for layout in LAYOUTS if layout.name == "member-blank-down-block")
    result = write_club(layout, tmp_path).run("check")
    assert result.stdout.splitlines()[0] == (
        "info: Goals: 3 row(s) with a blank member cell belong to the member named above them "
        "in the same block (merged cells or left blank)"
    )


def test_template_slots_are_one_info_line(tmp_path: Path) -> None:
    layout = next(layout for layout in LAYOUTS if layout.name == "template-slots")
    result = write_club(layout, tmp_path).run("check")
    assert "info: Goals: 3 row(s) without goal text or status skipped (empty template slots)" in (
        result.stdout
    )


def test_init_from_an_existing_sheet_writes_a_config_that_reads_it(tmp_path: Path) -> None:
    layout = next(layout for layout in LAYOUTS if layout.name == "tab-per-member-sections")
    layout.write(tmp_path)
    made = run_cli("init", str(tmp_path / "club"), "--from", str(tmp_path / "club.xlsx"))
    assert made.exit_code == 0, made.stderr
    config = tmp_path / "club" / "sheetmentor.yaml"
    text = config.read_text(encoding="utf-8")
    assert "layout: tab-per-member" in text
    assert 'path: "../club.xlsx"' in text
    status = run_cli("--config", str(config), "status", "--format", "json", *AS_OF)
    assert figures(json.loads(status.stdout)) == layout.expected


def test_init_from_a_day_first_sheet_sets_day_first(tmp_path: Path) -> None:
    rows = [["Member", "Goal", "Tier", "Due"], ["Ada Okonkwo", "Rewrite CV", "Q", "24/11/2026"]]
    Layout("day-first", {"Members": LAYOUTS[0].tabs["Members"], "Goals": rows}).write(tmp_path)
    made = run_cli("init", str(tmp_path / "new"), "--from", str(tmp_path / "club.xlsx"))
    assert made.exit_code == 0
    assert "day_first: true" in (tmp_path / "new" / "sheetmentor.yaml").read_text()


def test_error_cells_are_named_from_google_too(tmp_path: Path, emulator: SheetsEmulator) -> None:
    plain = next(layout for layout in LAYOUTS if layout.name == "plain")
    # an error cell, as Excel keeps a failing formula's result
    dataclasses.replace(plain, cells={"Goals": {"E3": "#DIV/0!"}}).write(tmp_path)
    emulator.load_workbook(tmp_path / "club.xlsx", "error-sheet")
    config = deep_merge(CONFIG, {"source": {"google_sheet": "error-sheet"}})
    del config["source"]["path"]
    (tmp_path / "google.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    env = {"SHEETMENTOR_SHEETS_EMULATOR": emulator.url}
    result = run_cli("--config", str(tmp_path / "google.yaml"), "check", env=env)
    assert result.exit_code == 1
    assert "error: Goals!E3: the cell shows the spreadsheet error #DIV/0!" in result.stdout


def test_first_names_and_a_goal_number_column(tmp_path: Path) -> None:
    """A Goals tab that says "Ada" for Ada Okonkwo and numbers its goals in a "Goal #" column."""
    members = [["Full Name", "Member status"], ["Ada Okonkwo", "Active"], ["Bo Chen", "Active"]]
    goals = [
        ["Goal #", "Owner", "Goal", "Type", "Status"],
        [1, "Ada", "Rewrite CV", "2wk", "✅ Done"],
        [2, "Ada", "Call two mentors", "2 weeks", "🔄 In progress"],
        [3, "ada okonkwo", "Publish 3 posts", "Quarterly", ""],
        [4, "Bo", "Find a studio", "Sprint", ""],
        [5, "Bo", "Learn to sail", "Yearly", "Complete"],
    ]
    club = write_club(Layout("first-names", {"Members": members, "Goals": goals}), tmp_path)
    explained = club.run("check", "--explain")
    assert explained.exit_code == 0, explained.stdout
    assert '  A "Goal #" → id (alias "goal #")' in explained.stdout
    assert 'words (member): "Ada" → Ada Okonkwo, "Bo" → Bo Chen' in explained.stdout
    status = club.run("status", "--format", "json", *AS_OF)
    assert figures(json.loads(status.stdout)) == EXPECTED


@pytest.mark.parametrize(
    ("tabs", "expected"),
    [
        (
            {"Members": [["Name"], ["Ada"]], "Notes": [["just notes"]]},
            'no tab "Goals" and no tab with goal headers',
        ),
    ],
    ids=["no-goals-anywhere"],
)
def test_refusals_name_the_cause_and_the_fix(tmp_path: Path, tabs: dict, expected: str) -> None:
    result = write_club(Layout("refused", tabs), tmp_path).run("check")
    assert result.exit_code == 1
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_a_first_name_two_members_share_is_a_warning_that_says_so(tmp_path: Path) -> None:
    tabs = {
        "Members": [["Name"], ["Ada Okonkwo"], ["Ada Lovelace"]],
        "Ada": [["Goal", "Tier"], ["Rewrite CV", "Q"]],
    }
    result = write_club(Layout("two-adas", tabs), tmp_path).run("check")
    assert "warning: Ada: this tab could be Ada Okonkwo or Ada Lovelace" in result.stdout


def test_init_from_a_google_sheet(tmp_path: Path, emulator: SheetsEmulator) -> None:
    layout = next(layout for layout in LAYOUTS if layout.name == "wide-bullets-and-markers")
    layout.write(tmp_path)
    emulator.load_workbook(tmp_path / "club.xlsx", "wide-sheet")
    env = {"SHEETMENTOR_SHEETS_EMULATOR": emulator.url}
    url = "https://docs.google.com/spreadsheets/d/wide-sheet/edit"
    made = run_cli("init", str(tmp_path / "new"), "--from", url, env=env)
    assert made.exit_code == 0, made.stderr
    config = tmp_path / "new" / "sheetmentor.yaml"
    assert f'google_sheet: "{url}"' in config.read_text(encoding="utf-8")
    assert 'tab "Goals": goals — wide: one row per member, one column per tier' in made.stdout
    status = run_cli("--config", str(config), "status", "--format", "json", *AS_OF, env=env)
    assert figures(json.loads(status.stdout)) == layout.expected


def test_members_with_first_and_last_name_columns(tmp_path: Path) -> None:
    members = [["First name", "Last name", "Email"], ["Ada", "Okonkwo", "ada@example.org"],
               ["Bo", "Chen", "bo@example.org"]]  # fmt: skip
    layout = next(layout for layout in LAYOUTS if layout.name == "plain")
    club = write_club(
        dataclasses.replace(layout, tabs={**layout.tabs, "Members": members}), tmp_path
    )
    explained = club.run("check", "--explain")
    assert '  A "First name" → name (its first part)' in explained.stdout
    assert '  B "Last name" → name (its last part)' in explained.stdout
    status = club.run("status", "--format", "json", *AS_OF)
    assert figures(json.loads(status.stdout)) == EXPECTED


def test_a_status_column_beside_active_is_kept_as_an_extra(tmp_path: Path) -> None:
    """Members with both Active and Status read Active; Status reaches templates as is."""
    members = [["Name", "Active", "Status"], ["Ada Okonkwo", "yes", "Mentor"],
               ["Bo Chen", "yes", "New"], ["Cy Diallo", "no", "Left"]]  # fmt: skip
    layout = next(layout for layout in LAYOUTS if layout.name == "plain")
    club = write_club(
        dataclasses.replace(layout, tabs={**layout.tabs, "Members": members}), tmp_path
    )
    explained = club.run("check", "--explain")
    assert explained.exit_code == 0, explained.stdout
    assert '  C "Status" → kept as an extra column (extra column (the active field is B))' in (
        explained.stdout
    )
    status = club.run("status", "--format", "json", *AS_OF)
    assert figures(json.loads(status.stdout)) == EXPECTED
