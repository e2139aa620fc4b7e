"""Bad input gets a clear answer.

Every test here makes one mistake a club organizer really makes — a typo in a cell, a header
renamed, a setting misspelt, a flag misused — and runs the real CLI on a real .xlsx file. Each
asserts the exit code README.md gives (1: the sheet has errors; 2: usage or config error), that
the message names the cell (``Goals!C2``) or the config key and its YAML line, that it says what
was expected, and that no traceback ever reaches the user.

Sheets are built from the conftest's ``MEMBERS`` / ``GOALS`` rows with :func:`edit`, which takes
A1 references, so the cell a test breaks and the cell the message must name are the same string.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from conftest import GOALS, MEMBERS, ClubFolder, run_cli
from openpyxl import Workbook

AS_OF = "2026-11-20"  # a Friday; meetings are every other Tuesday from 2026-09-08

# The config as an organizer writes it; tests replace one line, so the line a message must cite
# is known exactly.
BASE_YAML = """\
club:
  name: Test Club
  cap: 10
meetings:
  every: 2 weeks
  weekday: tuesday
  time: "12:00"
  duration: 60m
  timezone: America/Toronto
  first: 2026-09-08
  location: Room 4B
source:
  path: club.xlsx
"""


# -- helpers ------------------------------------------------------------------------------------


def edit(rows: list[list[Any]], **cells: Any) -> list[list[Any]]:
    """A copy of ``rows`` with cells changed by A1 reference: ``edit(GOALS, C2="weekly-ish")``."""
    rows = [list(row) for row in rows]
    for ref, value in cells.items():
        match = re.fullmatch(r"([A-Z])(\d+)", ref)
        assert match, ref
        column, row = ord(match.group(1)) - ord("A"), int(match.group(2)) - 1
        while len(rows) <= row:
            rows.append([])
        rows[row].extend([None] * (column + 1 - len(rows[row])))
        rows[row][column] = value
    return rows


def yaml_with(replace: dict[str, str] | None = None, append: str = "") -> str:
    """``BASE_YAML`` with whole lines replaced (``{old line: new lines}``) and text appended."""
    lines = BASE_YAML.splitlines()
    for old, new in (replace or {}).items():
        assert old in lines, old
        lines[lines.index(old)] = new
    return "\n".join(lines) + "\n" + append


def line_of(text: str, needle: str) -> int:
    """The 1-based line of ``text`` where ``needle`` first appears."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in the config")


def clean(result: Result) -> Result:
    """No traceback, no stray exception: whatever went wrong was said in words."""
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def error_lines(result: Result, ref: str) -> list[str]:
    """``check``'s problem lines (stdout) about one cell or range."""
    return [line for line in result.stdout.splitlines() if line.startswith(f"error: {ref}: ")]


# -- cell values: `check` names the cell and what was expected, exit 1 --------------------------

CELL_MISTAKES = [
    pytest.param(
        {"goals": edit(GOALS, C2="weekly-ish")},
        "Goals!C2",
        ['unknown tier "weekly-ish"', "two-week, quarterly or long-term"],
        id="unknown-tier",
    ),
    pytest.param(
        {"goals": edit(GOALS, C2=None)},
        "Goals!C2",
        ["no tier", "two-week, quarterly or long-term"],
        id="blank-tier",
    ),
    pytest.param(
        {"goals": edit(GOALS, D2="hobby")},
        "Goals!D2",
        ['unknown category "hobby"', "professional or personal"],
        id="unknown-category",
    ),
    pytest.param(
        {"goals": edit(GOALS, E2="maybe")},
        "Goals!E2",
        ['unknown status "maybe"', "done", "in progress", "dropped"],
        id="unknown-status",
    ),
    pytest.param(
        {"goals": edit(GOALS, F3="lots")},
        "Goals!F3",
        ['"lots" is not a progress', "40%, 0.4 or 40"],
        id="progress-word",
    ),
    pytest.param(
        {"goals": edit(GOALS, F3="150%")},
        "Goals!F3",
        ["150%", "between 0% and 100%"],
        id="progress-over-100-percent",
    ),
    pytest.param(
        {"goals": edit(GOALS, F3=-0.5)},
        "Goals!F3",
        ["-0.5", "between 0% and 100%"],
        id="progress-negative",
    ),
    pytest.param(
        {"goals": edit(GOALS, H2="someday")},
        "Goals!H2",
        ['"someday" is not a date', "2026-11-24"],
        id="date-word",
    ),
    pytest.param(
        {"goals": edit(GOALS, H2="24/11/2026")},
        "Goals!H2",
        ['"24/11/2026"', "month-first", "source.day_first"],
        id="date-impossible-month-first",
    ),
    pytest.param(
        {"goals": edit(GOALS, H2="Nov 24")},
        "Goals!H2",
        ['"Nov 24" has no year', "Nov 24, 2026"],
        id="date-without-year",
    ),
    pytest.param(
        {"goals": edit(GOALS, G2=True)},
        "Goals!G2",
        ["True is not a date"],
        id="checkbox-in-date-column",
    ),
    pytest.param(
        {"goals": edit(GOALS, A2="Zed")},
        "Goals!A2",
        ['unknown member "Zed"', "Ada Okonkwo, Bo Chen, Cy Diallo"],
        id="unknown-member-in-goals",
    ),
    pytest.param(
        {"goals": edit(GOALS, A2=None)},
        "Goals!A2",
        ["no member"],
        id="goal-without-member",
    ),
    pytest.param(
        {"goals": edit(GOALS, B2=None)},
        "Goals!B2",
        ["goal's text is empty"],
        id="tier-but-no-goal-text",
    ),
    pytest.param(
        {"members": edit(MEMBERS, A5="ada okonkwo ", B5="ada2@example.org")},
        "Members!A5",
        ['duplicate member "ada okonkwo"', "row 2", "unique"],
        id="duplicate-member-case-and-space",
    ),
    pytest.param(
        {"members": edit(MEMBERS, B5="dee@example.org", C5="yes", D5="Write a book")},
        "Members!A5",
        ["name is empty"],
        id="empty-member-name",
    ),
    pytest.param(
        {"members": edit(MEMBERS, B2="ada-at-example.org")},
        "Members!B2",
        ['"ada-at-example.org" is not an email address'],
        id="invalid-email",
    ),
    pytest.param(
        {"members": edit(MEMBERS, C2="sometimes")},
        "Members!C2",
        ['"sometimes" is not yes or no', "blank means yes"],
        id="unknown-active-value",
    ),
    pytest.param(
        {"goals": edit(GOALS, H2="2026")},
        "Goals!H2",
        ['"2026" has no day', "2026-11-24"],
        id="date-year-only",
    ),
    pytest.param(
        {"goals": edit(GOALS, H2="Dec 2026")},
        "Goals!H2",
        ['"Dec 2026" has no day'],
        id="date-month-and-year",
    ),
    pytest.param(
        {"goals": edit(GOALS, H2="Q4")},
        "Goals!H2",
        ['"Q4" has no day'],
        id="date-quarter",
    ),
    pytest.param(
        {"goals": edit(GOALS, H2=2026)},
        "Goals!H2",
        ["2026 is a year, not a date"],
        id="date-year-as-number",
    ),
    pytest.param(
        {"goals": edit(GOALS, C2="fortnighty")},
        "Goals!C2",
        ['unknown tier "fortnighty"', "nearest known: fortnight"],
        id="tier-typo-gets-the-nearest-word",
    ),
    pytest.param(
        {"goals": edit(GOALS, F3="#DIV/0!")},
        "Goals!F3",
        ["spreadsheet error #DIV/0!", "fix the formula"],
        id="error-cell-div0",
    ),
    pytest.param(
        {"goals": edit(GOALS, E3="#N/A")},
        "Goals!E3",
        ["spreadsheet error #N/A"],
        id="error-cell-na",
    ),
    pytest.param(
        {"members": edit(MEMBERS, C3="Gone fishing")},
        "Members!C3",
        ['"Gone fishing" is not yes or no'],
        id="unknown-member-status",
    ),
    pytest.param(
        {"meetings": [["Date", "Location"], ["someday", "Cafe"]]},
        "Meetings!A2",
        ['"someday" is not a date'],
        id="meeting-date-word",
    ),
    pytest.param(
        {"meetings": [["Date", "Location"], [None, "Cafe"]]},
        "Meetings!A2",
        ["meeting's date is empty"],
        id="meeting-without-date",
    ),
    pytest.param(
        {"meetings": [["Date", "Attended"], [dt.date(2026, 11, 17), "Ada Okonkwo, Zed"]]},
        "Meetings!B2",
        ["unknown member", "Zed"],
        id="meeting-unknown-attendee",
    ),
]


@pytest.mark.parametrize(("sheet", "ref", "expected"), CELL_MISTAKES)
def test_check_names_the_bad_cell_and_what_was_expected(
    club: ClubFolder, sheet: dict, ref: str, expected: list[str]
) -> None:
    result = clean(club.write(**sheet).run("check"))

    assert result.exit_code == 1, result.stdout + result.stderr
    [line] = error_lines(result, ref)  # reported exactly once
    for words in expected:
        assert words in line
    assert "1 error," in result.stdout  # the broken cell is the only error


def test_an_unknown_category_is_not_also_called_missing(club: ClubFolder) -> None:
    """A misspelt category is one error, not an error plus a "no category" warning."""
    result = clean(club.write(goals=edit(GOALS, D2="hobby")).run("check"))

    assert result.exit_code == 1
    assert [line for line in result.stdout.splitlines() if "Goals!D2" in line] == [
        'error: Goals!D2: unknown category "hobby" (expected professional or personal); to '
        "read it as professional, add this line to the config: vocabulary: {category: "
        '{professional: ["hobby"]}}'
    ]


# -- headers and tabs ---------------------------------------------------------------------------


def test_missing_required_column(club: ClubFolder) -> None:
    goals = [[cell for index, cell in enumerate(row) if index != 2] for row in GOALS]  # no Tier
    result = clean(club.write(goals=goals).run("check"))

    assert result.exit_code == 1
    [line] = error_lines(result, "Goals!1:1")
    assert 'missing required column "tier"' in line
    assert '"Member", "Goal", "Category"' in line  # the headers it did find
    assert "source.columns.goals.tier" in line  # and how to map one


def test_duplicate_header(club: ClubFolder) -> None:
    goals = edit(GOALS, I1="status")  # a second Status column, spelt differently
    result = clean(club.write(goals=goals).run("check"))

    assert result.exit_code == 1
    [line] = error_lines(result, "Goals!I1")
    assert 'duplicate column "status"' in line
    assert "Goals!E1" in line


def test_empty_goals_tab(club: ClubFolder) -> None:
    result = clean(club.write(tabs={"Members": MEMBERS, "Goals": []}).run("check"))

    assert result.exit_code == 1
    [line] = error_lines(result, "Goals")
    assert "the tab is empty" in line
    assert "header row" in line


def test_a_roster_under_another_name_is_found_by_its_headers(club: ClubFolder) -> None:
    result = clean(club.write(tabs={"Crew": MEMBERS, "Goals": GOALS}).run("check", "--explain"))

    assert result.exit_code == 0, result.stdout + result.stderr
    assert 'tab "Crew": members' in result.stdout


def test_a_configured_members_tab_that_is_missing_lists_the_tabs_there_are(
    club: ClubFolder,
) -> None:
    config = {"source": {"tabs": {"members": "Roster"}}}
    result = clean(club.write(tabs={"People": MEMBERS, "Goals": GOALS}, config=config).run("check"))

    assert result.exit_code == 1
    assert result.stdout == ""
    assert 'no tab "Roster"' in result.stderr
    assert '"People", "Goals"' in result.stderr
    assert "source.tabs" in result.stderr


def test_configured_tab_name_that_is_not_in_the_workbook(club: ClubFolder) -> None:
    result = clean(club.write(config={"source": {"tabs": {"goals": "Objectives"}}}).run("check"))

    assert result.exit_code == 1
    assert 'no tab "Objectives"' in result.stderr
    assert '"Members", "Goals"' in result.stderr


def test_column_mapping_to_a_header_that_is_not_there(club: ClubFolder) -> None:
    club.write(config={"source": {"columns": {"goals": {"member": "Who"}}}})
    result = clean(club.run("check"))

    assert result.exit_code == 1
    assert any(
        'no column "Who"' in line and "source.columns.goals.member" in line
        for line in error_lines(result, "Goals!1:1")
    ), result.stdout


def test_column_mapping_to_an_unknown_field_names_key_and_line(club: ClubFolder) -> None:
    text = yaml_with(append="  columns:\n    goals:\n      whom: Who\n")
    club.write_config(text)
    result = clean(club.run("check"))

    assert result.exit_code == 2
    assert "source.columns.goals.whom" in result.stderr
    assert "member, goal, tier" in result.stderr.replace("'", "")  # the fields there are
    assert f"line {line_of(text, 'whom:')}" in result.stderr


# -- day_first ----------------------------------------------------------------------------------


def test_day_first_true_reads_the_same_date_as_november(club: ClubFolder) -> None:
    """With ``source.day_first: true`` "24/11/2026" is fine, and the Dec 1 meeting moved to
    "30/11/2026" is read as Monday, November 30."""
    club.write(
        goals=edit(GOALS, H2="24/11/2026"),
        meetings=[["Date", "Location"], ["30/11/2026", "Cafe"]],
        config={"source": {"day_first": True}},
    )
    checked = clean(club.run("check"))
    upcoming = clean(club.run("next", "--as-of", AS_OF, "-n", "1"))

    assert checked.exit_code == 0, checked.stdout
    assert "0 errors" in checked.stdout
    assert upcoming.exit_code == 0
    assert upcoming.stdout.startswith("Mon November 30, 2026")
    assert "Cafe" in upcoming.stdout
    assert "moved from Dec 1" in upcoming.stdout


def test_day_first_false_refuses_the_same_meeting_date(club: ClubFolder) -> None:
    club.write(meetings=[["Date", "Location"], ["30/11/2026", "Cafe"]])
    result = clean(club.run("check"))

    assert result.exit_code == 1
    [line] = error_lines(result, "Meetings!A2")
    assert "source.day_first" in line


# -- the workbook file --------------------------------------------------------------------------


def test_source_path_that_does_not_exist(club: ClubFolder) -> None:
    result = clean(club.write(config={"source": {"path": "clubb.xlsx"}}).run("check"))

    assert result.exit_code == 2
    assert "source.path" in result.stderr
    assert "clubb.xlsx does not exist" in result.stderr


def test_source_path_of_a_kind_it_cannot_read(club: ClubFolder) -> None:
    club.write(config={"source": {"path": "club.txt"}})
    (club.folder / "club.txt").write_text("Name,Email\nAda,ada@example.org\n", encoding="utf-8")
    result = clean(club.run("check"))

    assert result.exit_code == 2
    assert "source.path: club.txt is not a workbook" in result.stderr
    assert ".xlsx, .ods, a .csv file, or a folder of .csv" in result.stderr


def test_xlsx_that_is_really_text(club: ClubFolder) -> None:
    """The config is right; the file it names is not a workbook: a sheet error (exit 1)."""
    club.write(config={"source": {"path": "export.xlsx"}})
    (club.folder / "export.xlsx").write_text("Name,Email\nAda,ada@example.org\n")
    result = clean(club.run("check"))

    assert result.exit_code == 1
    assert "cannot read export.xlsx as a spreadsheet" in result.stderr
    assert "is it really a .xlsx file?" in result.stderr


def test_csv_folder_without_csv_files(club: ClubFolder) -> None:
    club.write(config={"source": {"path": "export"}})
    (club.folder / "export").mkdir()
    result = clean(club.run("check"))

    assert result.exit_code == 2
    assert "source.path" in result.stderr
    assert "no .csv files" in result.stderr


def test_csv_in_no_encoding_it_can_tell_names_the_setting(club: ClubFolder) -> None:
    club.write(config={"source": {"path": "export"}})
    (club.folder / "export").mkdir()
    (club.folder / "export" / "Members.csv").write_bytes(b"Name\nZo\x81\n")  # not UTF-8/cp1252
    (club.folder / "export" / "Goals.csv").write_text("Member,Goal,Tier\n", encoding="utf-8")
    result = clean(club.run("check"))

    assert result.exit_code == 1
    assert "Members.csv: neither UTF-8 nor Windows-1252 text (byte 0x81 at position 7)" in (
        result.stderr
    )
    assert "source.encoding: latin-1" in result.stderr
    club.write_config(club.config_path.read_text() + "  encoding: latin-1\n")
    assert "Members.csv" not in clean(club.run("check")).stderr


# -- the config file: exit 2, the key and its line ----------------------------------------------

CONFIG_MISTAKES = [
    pytest.param(
        {"  weekday: tuesday": "  wekday: tuesday"},
        "",
        "meetings.wekday",
        "wekday:",
        ["unknown setting"],
        id="unknown-key",
    ),
    pytest.param(
        {},
        "clubs:\n  name: Other\n",
        "clubs",
        "clubs:",
        ["unknown setting"],
        id="unknown-top-level-key",
    ),
    pytest.param(
        {"  weekday: tuesday": "  weekday: funday"},
        "",
        "meetings.weekday",
        "weekday:",
        ['"funday" is not a weekday', "monday"],
        id="bad-weekday",
    ),
    pytest.param(
        {"  first: 2026-09-08": "  first: 2026-09-09"},
        "",
        "meetings.first",
        "first:",
        ["2026-09-09", "wednesday", "tuesday"],
        id="first-not-on-weekday",
    ),
    pytest.param(
        {"  first: 2026-09-08": "  first: next tuesday"},
        "",
        "meetings.first",
        "first:",
        ["date"],
        id="first-not-a-date",
    ),
    pytest.param(
        {"  first: 2026-09-08": ""},
        "",
        "meetings.first",
        "meetings:",
        ["missing required setting"],
        id="first-missing",
    ),
    pytest.param(
        {"  timezone: America/Toronto": "  timezone: Toronto"},
        "",
        "meetings.timezone",
        "timezone:",
        ['"Toronto" is not a time zone', "America/Toronto"],
        id="bad-timezone",
    ),
    pytest.param(
        {"  every: 2 weeks": "  every: sometimes"},
        "",
        "meetings.every",
        "every:",
        ['"sometimes" is not a cadence', "2 weeks"],
        id="bad-every",
    ),
    pytest.param(
        {"  every: 2 weeks": "  every: 0 weeks"},
        "",
        "meetings.every",
        "every:",
        ["not a cadence"],
        id="every-zero",
    ),
    pytest.param(
        {"  duration: 60m": "  duration: a while"},
        "",
        "meetings.duration",
        "duration:",
        ['"a while" is not a duration', "60m"],
        id="bad-duration",
    ),
    pytest.param(
        {"  duration: 60m": "  duration: 5 parsecs"},
        "",
        "meetings.duration",
        "duration:",
        ['unknown unit "parsecs"'],
        id="bad-duration-unit",
    ),
    pytest.param(
        {'  time: "12:00"': "  time: noonish"},
        "",
        "meetings.time",
        "time:",
        ['"noonish" is not a time of day', "12:00"],
        id="bad-time",
    ),
    pytest.param(
        {"  cap: 10": "  cap: 0"},
        "",
        "club.cap",
        "cap:",
        ["greater than or equal to 1"],
        id="cap-zero",
    ),
    pytest.param(
        {"  path: club.xlsx": "  path: club.xlsx\n  day_first: sometimes"},
        "",
        "source.day_first",
        "day_first:",
        ["boolean"],
        id="day-first-not-a-boolean",
    ),
    pytest.param(
        {"  path: club.xlsx": "  path: club.xlsx\n  google_sheet: 1AbCdEf"},
        "",
        "source.google_sheet",
        "source:",
        ["exactly one of", "source.path"],
        id="both-google-sheet-and-path",
    ),
    pytest.param(
        {"  path: club.xlsx": "  day_first: false"},
        "",
        "source.google_sheet",
        "source:",
        ["exactly one of", "source.path"],
        id="neither-google-sheet-nor-path",
    ),
    pytest.param(
        {},
        "email:\n  from: PBC <pbc@example.org>\n  smtp:\n    host: smtp.example.org\n"
        "    password_env: correct horse battery\n",
        "email.smtp.password_env",
        "password_env:",
        ["NAME of an environment variable"],
        id="password-in-password-env",
    ),
]


@pytest.mark.parametrize(("replace", "append", "key", "line_with", "expected"), CONFIG_MISTAKES)
def test_config_mistake_names_key_and_line(
    club: ClubFolder,
    replace: dict[str, str],
    append: str,
    key: str,
    line_with: str,
    expected: list[str],
) -> None:
    text = yaml_with(replace, append)
    club.write_config(text)
    result = clean(club.run("check"))

    assert result.exit_code == 2, result.stdout + result.stderr
    assert result.stdout == ""
    message = result.stderr
    assert message.startswith("error: ")
    assert key in message
    assert f"line {line_of(text, line_with)}" in message
    for words in expected:
        assert words in message


def test_password_env_value_is_never_echoed(club: ClubFolder) -> None:
    club.write_config(
        yaml_with(
            append="email:\n  from: a@example.org\n  smtp:\n    host: h\n"
            "    password_env: correct horse battery\n"
        )
    )
    result = clean(club.run("check"))

    assert result.exit_code == 2
    assert "horse" not in result.stdout + result.stderr


def test_invalid_yaml_names_the_line(club: ClubFolder) -> None:
    text = yaml_with({"  location: Room 4B": "  location: Room 4B: upstairs"})
    club.write_config(text)
    result = clean(club.run("check"))

    assert result.exit_code == 2
    assert f"line {line_of(text, 'upstairs')}: invalid YAML" in result.stderr


def test_config_that_is_not_a_mapping(club: ClubFolder) -> None:
    club.write_config("- club\n- meetings\n")
    result = clean(club.run("check"))

    assert result.exit_code == 2
    assert "expected a mapping of settings" in result.stderr


def test_missing_config_file_suggests_init(tmp_path: Path) -> None:
    result = clean(run_cli("--config", str(tmp_path / "sheetmentor.yaml"), "check"))

    assert result.exit_code == 2
    assert "sheetmentor.yaml not found" in result.stderr
    assert "sheetmentor init" in result.stderr


def test_config_env_var_pointing_nowhere(tmp_path: Path) -> None:
    missing = tmp_path / "elsewhere.yaml"
    result = clean(run_cli("status", env={"SHEETMENTOR_CONFIG": str(missing)}))

    assert result.exit_code == 2
    assert str(missing) in result.stderr
    assert "$SHEETMENTOR_CONFIG" in result.stderr


# -- user templates -----------------------------------------------------------------------------

BROKEN_TEMPLATES = [
    pytest.param("# {{ club.name }}\n{% if %}\n", 2, "expected an expression", id="syntax-error"),
    pytest.param("# {{ club.name }}\n\n{{ nosuch }}\n", 3, "'nosuch' is undefined", id="undefined"),
]


@pytest.mark.parametrize(("source", "line", "expected"), BROKEN_TEMPLATES)
def test_broken_user_template_names_file_and_line(
    club: ClubFolder, source: str, line: int, expected: str
) -> None:
    club.write(config={"templates": "my-templates"})
    (club.folder / "my-templates").mkdir()
    (club.folder / "my-templates" / "agenda.md.j2").write_text(source, encoding="utf-8")
    result = clean(club.run("agenda", "--as-of", AS_OF))

    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"agenda.md.j2 line {line}" in result.stderr
    assert expected.casefold() in result.stderr.casefold()


# -- the command line ---------------------------------------------------------------------------

USAGE_MISTAKES = [
    pytest.param(
        ["status", "--as-of", "tomorrow"],
        ["--as-of", "'tomorrow'", "2026-11-24"],
        id="as-of-not-a-date",
    ),
    pytest.param(
        ["next", "--as-of", "2026-13-01"],
        ["--as-of", "'2026-13-01'"],
        id="as-of-impossible-date",
    ),
    pytest.param(
        ["agenda", "--date", "2026-11-19", "--as-of", AS_OF],
        ["no meeting on 2026-11-19", "nearest is 2026-11-17"],
        id="agenda-date-no-meeting",
    ),
    pytest.param(
        ["agenda", "--format", "pdf"],
        ["--format", "'pdf'", "markdown", "html", "text"],
        id="agenda-format-pdf",
    ),
    pytest.param(
        ["status", "--format", "xml"],
        ["--format", "'xml'", "table", "json", "csv"],
        id="status-format-xml",
    ),
    pytest.param(["stats"], ["No such command 'stats'", "status"], id="misspelt-command"),
]


@pytest.mark.parametrize(("args", "expected"), USAGE_MISTAKES)
def test_usage_mistake_exits_2(club: ClubFolder, args: list[str], expected: list[str]) -> None:
    result = clean(club.run(*args))

    assert result.exit_code == 2, result.stdout + result.stderr
    assert result.stdout == ""
    for words in expected:
        assert words in result.stderr


def test_init_never_clobbers(club: ClubFolder) -> None:
    before = club.config_path.read_text(encoding="utf-8")
    result = clean(run_cli("init", str(club.folder)))

    assert result.exit_code == 2
    assert "already exists" in result.stderr
    assert "--force" in result.stderr
    assert club.config_path.read_text(encoding="utf-8") == before


# -- a sheet with errors stops commands; --force and warnings do not ----------------------------


@pytest.mark.parametrize(
    "args", [["status"], ["agenda", "--as-of", AS_OF]], ids=["status", "agenda"]
)
def test_commands_refuse_a_sheet_with_errors(club: ClubFolder, args: list[str]) -> None:
    club.write(goals=edit(GOALS, C2="weekly-ish", D4="hobby"))
    result = clean(club.run(*args))

    assert result.exit_code == 1
    assert result.stdout == ""  # nothing half-rendered
    assert "the sheet has 2 errors" in result.stderr
    assert 'Goals!C2: unknown tier "weekly-ish"' in result.stderr
    assert 'Goals!D4: unknown category "hobby"' in result.stderr


def test_status_force_goes_on_with_warnings_on_stderr(club: ClubFolder) -> None:
    club.write(goals=edit(GOALS, C2="weekly-ish"))
    result = clean(club.run("status", "--force", "--format", "json", "--as-of", AS_OF))

    assert result.exit_code == 0
    assert 'Goals!C2: unknown tier "weekly-ish"' in result.stderr
    assert "--force" in result.stderr
    report = json.loads(result.stdout)  # stdout stays a clean result
    assert report["club"] == "Test Club"
    assert report["tiers"]["two-week"]["total"] == 2  # the unreadable goal is left out


def test_check_lists_every_bad_cell(club: ClubFolder) -> None:
    club.write(
        members=edit(MEMBERS, B3="bo-at-example.org"),
        goals=edit(GOALS, C2="weekly-ish", C4="monthly", H3="someday"),
    )
    result = clean(club.run("check"))

    assert result.exit_code == 1
    errors = [line for line in result.stdout.splitlines() if line.startswith("error: ")]
    refs = [line.split(": ")[1] for line in errors]
    assert sorted(refs) == ["Goals!C2", "Goals!C4", "Goals!H3", "Members!B3"]
    assert "4 errors" in result.stdout


def test_valid_sheet_passes(club: ClubFolder) -> None:
    result = clean(club.run("check"))

    assert result.exit_code == 0
    assert result.stderr == ""
    assert "0 errors, 0 warnings" in result.stdout


WARNINGS = [
    pytest.param({"config": {"club": {"cap": 1}}}, "club.cap", id="over-cap"),
    pytest.param(
        {"members": edit(MEMBERS, B3=None), "config": {"email": {"from": "pbc@example.org"}}},
        "Members!3:3: Bo Chen has no email address",
        id="no-email-with-email-configured",
    ),
    pytest.param(
        {"tabs": {"Members": MEMBERS, "Goals": GOALS[:1]}},
        "no goals yet",
        id="goals-tab-with-header-only",
    ),
]


@pytest.mark.parametrize(("sheet", "expected"), WARNINGS)
def test_warnings_exit_0(club: ClubFolder, sheet: dict, expected: str) -> None:
    club.write(**sheet)
    checked = clean(club.run("check"))
    status = clean(club.run("status", "--format", "json", "--as-of", AS_OF))

    assert checked.exit_code == 0
    assert any(
        line.startswith("warning: ") and expected in line for line in checked.stdout.splitlines()
    ), checked.stdout
    assert "0 errors, 1 warning" in checked.stdout
    assert status.exit_code == 0
    assert expected in status.stderr
    assert json.loads(status.stdout)["club"] == "Test Club"


def test_no_email_is_fine_without_email_config(club: ClubFolder) -> None:
    result = clean(club.write(members=edit(MEMBERS, B3=None)).run("check"))

    assert result.exit_code == 0
    assert "0 warnings" in result.stdout


def test_blank_optional_cells_never_show_as_nan(club: ClubFolder) -> None:
    """A blank Focus is not a mistake, and must not reach the agenda as "nan"."""
    club.write(members=edit(MEMBERS, D3=None))
    result = clean(club.run("agenda", "--as-of", AS_OF))

    assert result.exit_code == 0
    assert "### 1. Bo Chen" in result.stdout
    assert not re.search(r"\bnan\b", result.stdout, re.IGNORECASE), result.stdout


@pytest.mark.parametrize(
    ("members", "ref", "expected"),
    [
        pytest.param(
            edit(MEMBERS, B3="ada@example.org"),
            "Members!B3",
            "ada@example.org is also the address of Ada Okonkwo (row 2)",
            id="two-members-one-email",
        ),
        pytest.param(
            edit(MEMBERS, A3="Bo\nChen"),
            "Members!A3",
            'the name "Bo Chen" has a line break in it (Alt+Enter in the cell)',
            id="line-break-in-member-name",
        ),
        pytest.param(
            edit(MEMBERS, B3="élodie@example.org"),
            "Members!B3",
            "only a mail server offering SMTPUTF8 accepts (sheetmentor does not assume it)",
            id="non-ascii-email-local-part",
        ),
    ],
)
def test_check_names_members_whose_messages_cannot_be_sent(
    club: ClubFolder, members: list[list], ref: str, expected: str
) -> None:
    """``check`` fails on an address no message can go to, naming the cell; it stops only that
    member's messages, so the figures and the agenda still come out (and name the cell)."""
    result = clean(club.write(members=members).run("check"))
    assert result.exit_code == 1
    [line] = [line for line in result.stdout.splitlines() if line.startswith(f"error: {ref}: ")]
    assert expected in line
    agenda = clean(club.run("agenda", "--as-of", "2026-11-30"))
    assert agenda.exit_code == 0
    assert ref in agenda.stderr


def club_workbook() -> Workbook:
    """The conftest's club as an openpyxl workbook, to set cells Python rows cannot express."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in {"Members": MEMBERS, "Goals": GOALS}.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    return book


def test_error_cells_from_a_real_formula_result(club: ClubFolder) -> None:
    """Excel keeps a failing formula's error as a typed cell; it is named, never a blank."""
    book = club_workbook()
    book["Goals"]["F3"] = "#DIV/0!"  # openpyxl writes this as an error cell (t="e")
    assert book["Goals"]["F3"].data_type == "e"
    book.save(club.folder / "club.xlsx")
    result = clean(club.run("check"))
    assert result.exit_code == 1
    [line] = error_lines(result, "Goals!F3")
    assert "#DIV/0!" in line


def test_a_stray_cell_at_the_last_cell_of_the_grid_is_cheap(club: ClubFolder) -> None:
    """One cell at XFD1048576 must not make the reader allocate the whole grid."""
    book = club_workbook()
    book.create_sheet("Scratch")["XFD1048576"] = "x"
    book.save(club.folder / "club.xlsx")
    result = clean(club.run("status", "--format", "json", "--as-of", AS_OF))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["tiers"]["two-week"]["total"] == 3


def test_a_tab_with_an_absurd_used_area_is_refused_by_name(club: ClubFolder) -> None:
    book = club_workbook()
    book["Goals"]["XFD1048576"] = "x"
    book.save(club.folder / "club.xlsx")
    result = clean(club.run("check"))
    assert result.exit_code == 1
    assert 'the tab "Goals" has cells from A1 to XFD1048576' in result.stderr
    assert "Ctrl+End" in result.stderr


def test_a_member_who_left_is_never_counted(club: ClubFolder) -> None:
    members = [
        ["Name", "Email", "Status"],
        ["Ada Okonkwo", "ada@example.org", "Active"],
        ["Bo Chen", "bo@example.org", "Left"],
        ["Cy Diallo", "cy@example.org", "Paused"],
    ]
    result = clean(club.write(members=members).run("status", "--format", "json", "--as-of", AS_OF))
    assert [m["name"] for m in json.loads(result.stdout)["members"]] == ["Ada Okonkwo"]


def test_tab_per_member_without_a_members_tab_never_crashes(club: ClubFolder) -> None:
    """It used to end in KeyError: 'Members'; the members now come from the tab names."""
    header = ["Goal", "Tier", "Status"]
    club.write(
        tabs={"Ada": [header, ["Rewrite CV", "2-wk", "done"]], "Bo": [header, ["Sail", "Q", ""]]},
        config={"source": {"layout": "tab-per-member"}},
    )
    result = clean(club.run("status", "--format", "json", "--as-of", AS_OF))
    assert result.exit_code == 0, result.stderr
    assert [m["name"] for m in json.loads(result.stdout)["members"]] == ["Ada", "Bo"]


@pytest.mark.parametrize(
    ("goals", "ref"),
    [
        ([GOALS[0], [None, "Orphan goal", "Q", "work"], *GOALS[1:]], "Goals!A2"),
        ([*GOALS, [], [None, "After a blank row", "Q", "work"]], "Goals!A10"),
        ([*GOALS, ["TWO WEEK GOALS"], [None, "Under a section", None, "work"]], "Goals!A10"),
    ],
    ids=["first-row", "after-a-blank-row", "under-a-section-row"],
)
def test_a_goal_whose_member_cannot_be_known_is_an_error(
    club: ClubFolder, goals: list[list], ref: str
) -> None:
    """A blank member cell takes the member above only within its block."""
    result = clean(club.write(goals=goals).run("check"))
    assert result.exit_code == 1
    [line] = error_lines(result, ref)
    assert "no member named for this goal" in line


def test_a_title_row_is_skipped_and_a_sheet_without_headers_says_why(club: ClubFolder) -> None:
    goals = [["PBC Goals 2026"], ["Ada Okonkwo", "Rewrite CV", "sometime"]]
    result = clean(club.write(goals=goals).run("check"))
    assert result.exit_code == 1
    lines = error_lines(result, "Goals!1:1")
    assert [line.split('"')[1] for line in lines] == ["member", "goal", "tier"]
    for line in lines:
        assert "no row among the first 12 names known columns" in line
        assert '"PBC Goals 2026"' in line


@pytest.mark.parametrize(
    "goals",
    [
        [["PBC Goals 2026"]],
        [["Who", "What"]],
        [["Member", "Goal", "Tier"], ["#REF!", "#VALUE!", "#N/A"]],
        [["Member", "Two-week goal(s)", "Quarterly goal"], ["Nobody", "✅", "[x]"]],
        [["TWO WEEK GOALS"], ["Member", "Goal"], ["Ada Okonkwo"], [None, "Orphan"]],
    ],
    ids=["title-only", "no-known-headers", "error-cells", "wide-markers-only", "sections"],
)
@pytest.mark.parametrize("command", ["status", "agenda", "recap", "next", "calendar"])
def test_force_never_crashes(club: ClubFolder, goals: list[list], command: str) -> None:
    club.write(goals=goals)
    args = [command, "--as-of", AS_OF] + (
        ["--force"] if command not in ("next", "calendar") else []
    )
    result = clean(club.run(*args))
    assert result.exit_code == 0, result.stderr


def repacked(club: ClubFolder, *, declare: int | None = None, extra_files: int = 0) -> None:
    """Rewrite the club's .xlsx as a small zip bomb: the first sheet declares ``declare``
    unpacked bytes (its real data stays small), and ``extra_files`` empty files are added."""
    import zipfile

    source = club.folder / "club.xlsx"
    with zipfile.ZipFile(source) as original:
        parts = [(info, original.read(info)) for info in original.infolist()]
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info, data in parts:
            bomb.writestr(info, data)
            if declare is not None and info.filename == "xl/worksheets/sheet1.xml":
                bomb.filelist[-1].file_size = declare  # what the central directory will say
        for number in range(extra_files):
            bomb.writestr(f"xl/media/pad{number}.bin", b"")


@pytest.mark.parametrize(
    ("declare", "extra_files", "expected"),
    [
        (3 * 1024**3, 0, "would unpack to 3,221,"),
        (None, 10_001, "files, more than any workbook needs"),
    ],
    ids=["3-GB-declared", "10001-files"],
)
def test_a_zip_bomb_workbook_is_refused_by_name_before_reading(
    club: ClubFolder, declare: int | None, extra_files: int, expected: str
) -> None:
    repacked(club, declare=declare, extra_files=extra_files)
    result = clean(club.run("check"))
    assert result.exit_code == 1, result.stderr
    assert "club.xlsx" in result.stderr and expected in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("where", ["workbook", "csv"])
def test_a_fifo_in_place_of_the_workbook_is_refused_not_waited_on(
    club: ClubFolder, where: str
) -> None:
    """A named pipe where the workbook (or one .csv of a folder) should be: a clear refusal at
    once, in a real process (reading it would wait for a writer for ever)."""
    import os
    import subprocess
    import sys

    if where == "workbook":
        (club.folder / "club.xlsx").unlink()
        os.mkfifo(club.folder / "club.xlsx")
        pipe = club.folder / "club.xlsx"
    else:
        folder = club.folder / "sheet"
        folder.mkdir()
        (folder / "Members.csv").write_text(
            "\n".join(",".join(str(c or "") for c in row) for row in MEMBERS), encoding="utf-8"
        )
        os.mkfifo(folder / "Goals.csv")
        pipe = folder / "Goals.csv"
        club.write_config(club.config_path.read_text().replace("club.xlsx", "sheet"))
    done = subprocess.run(
        [sys.executable, "-m", "sheetmentor", "--config", str(club.config_path), "check"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert f"{pipe} is not a regular file" in done.stderr
    assert "Traceback" not in done.stderr
