"""Reading the sheet the way members really keep it: aliases, vocabularies, dates, layouts."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import CONFIG, GOALS, MEMBERS, ClubFolder, deep_merge

from sheetmentor import load_config, read_club
from sheetmentor.sheet.normalize import Club

GOAL_HEADER = ["Member", "Goal", "Tier", "Category", "Status", "Progress", "Set", "Due"]


def club_with_goals(folder: ClubFolder, rows: list[list], **config) -> Club:
    folder.write(goals=[GOAL_HEADER, *rows], config=config)
    return read_club(load_config(folder.config_path))


def one_goal(folder: ClubFolder, **cells) -> pd.Series:
    row = dict(
        zip(GOAL_HEADER, ["Ada Okonkwo", "A goal", "Q", "work", "", None, None, None], strict=True)
    )
    row.update({key.capitalize(): value for key, value in cells.items()})
    club = club_with_goals(folder, [list(row.values())])
    assert club.errors == [], club.errors
    return club.goals.iloc[0]


@pytest.mark.parametrize(
    ("word", "tier"),
    [
        ("two-week", "two-week"),
        ("2 week", "two-week"),
        ("2-wk", "two-week"),
        ("Biweekly", "two-week"),
        ("SPRINT", "two-week"),
        ("quarterly", "quarterly"),
        ("Short term", "quarterly"),
        ("Q", "quarterly"),
        ("long term", "long-term"),
        ("1 year+", "long-term"),
        ("Annual", "long-term"),
        ("yearly", "long-term"),
    ],
)
def test_tier_vocabulary(club: ClubFolder, word: str, tier: str) -> None:
    assert one_goal(club, tier=word)["tier"] == tier


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("done", "done"),
        ("Complete", "done"),
        ("✓", "done"),
        ("x", "done"),
        (True, "done"),
        ("yes", "done"),
        ("100%", "done"),
        (None, "open"),
        ("todo", "open"),
        ("Not started", "open"),
        ("in progress", "open"),
        ("WIP", "open"),
        (False, "open"),
        ("no", "open"),
        ("dropped", "dropped"),
        ("Abandoned", "dropped"),
        ("cancelled", "dropped"),
    ],
)
def test_status_vocabulary(club: ClubFolder, word: object, status: str) -> None:
    assert one_goal(club, status=word)["status"] == status


@pytest.mark.parametrize(
    ("word", "category"),
    [("professional", "professional"), ("Work", "professional"), ("career", "professional"),
     ("personal", "personal"), ("Life", "personal")],
)  # fmt: skip
def test_category_vocabulary(club: ClubFolder, word: str, category: str) -> None:
    assert one_goal(club, category=word)["category"] == category


@pytest.mark.parametrize("written", ["40%", 0.4, 40, "40", "0.4", " 40 % "])
def test_progress_forms(club: ClubFolder, written: object) -> None:
    assert one_goal(club, progress=written)["progress"] == pytest.approx(0.4)


def test_progress_of_done_goal_is_one_and_blank_is_zero(club: ClubFolder) -> None:
    assert one_goal(club, status="done", progress="10%")["progress"] == 1.0
    assert one_goal(club, status="", progress=None)["progress"] == 0.0


@pytest.mark.parametrize(
    ("written", "day_first", "expected"),
    [
        (dt.date(2026, 11, 24), False, dt.date(2026, 11, 24)),  # a real date cell
        (dt.datetime(2026, 11, 24, 9, 30), False, dt.date(2026, 11, 24)),
        (46350, False, dt.date(2026, 11, 24)),  # a Sheets serial number
        ("2026-11-24", False, dt.date(2026, 11, 24)),
        ("Nov 24, 2026", False, dt.date(2026, 11, 24)),
        ("24 November 2026", False, dt.date(2026, 11, 24)),
        ("11/24/2026", False, dt.date(2026, 11, 24)),
        ("24/11/2026", True, dt.date(2026, 11, 24)),
        ("03/04/2026", False, dt.date(2026, 3, 4)),
        ("03/04/2026", True, dt.date(2026, 4, 3)),
        ("3.4.26", True, dt.date(2026, 4, 3)),
    ],
)
def test_dates(club: ClubFolder, written: object, day_first: bool, expected: dt.date) -> None:
    row = ["Ada Okonkwo", "A goal", "two-week", "work", "", None, None, written]
    goals = club_with_goals(club, [row], source={"day_first": day_first}).goals
    assert goals["due"].iloc[0].date() == expected


def test_impossible_month_first_date_points_at_the_setting(club: ClubFolder) -> None:
    row = ["Ada Okonkwo", "A goal", "two-week", "work", "", None, None, "24/11/2026"]
    result = club.write(goals=[GOAL_HEADER, row]).run("check")
    assert result.exit_code == 1
    assert (
        'error: Goals!H2: "24/11/2026" is not a date when read month-first '
        "(source.day_first is false); fix the cell or the setting"
    ) in result.stdout


def test_members_match_case_and_space_insensitively(club: ClubFolder) -> None:
    rows = [["ada  OKONKWO ", "A goal", "Q", "work", "", None, None, None]]
    assert club_with_goals(club, rows).goals["member"].tolist() == ["Ada Okonkwo"]


def test_header_aliases_punctuation_and_config_mapping(club: ClubFolder) -> None:
    header = ["Who", "  GOAL ", "Horizon", "Area", "Done?", "% complete", "Owner notes", "By"]
    rows = [["Bo Chen", "Find a studio", "Q", "Work", "wip", "30%", "call Sam", "Dec 31, 2026"]]
    club.write(
        goals=[header, *rows],
        config={"source": {"columns": {"goals": {"notes": "Owner notes", "member": "Who"}}}},
    )
    goals = read_club(load_config(club.config_path)).goals
    goal = goals.iloc[0]
    assert (goal["member"], goal["goal"], goal["tier"], goal["category"]) == (
        "Bo Chen",
        "Find a studio",
        "quarterly",
        "professional",
    )
    assert (goal["status"], goal["progress"], goal["notes"]) == ("open", 0.3, "call Sam")
    assert goal["due"].date() == dt.date(2026, 12, 31)


def test_blank_rows_skipped_and_problems_keep_true_row_numbers(club: ClubFolder) -> None:
    rows = [
        [None] * 8,
        ["Ada Okonkwo", "First", "Q", "work", "", None, None, None],
        ["", "  ", None, None, None, None, None, None],
        ["Ada Okonkwo", "Second", "weekly-ish", "work", "", None, None, None],
    ]
    club_data = club_with_goals(club, rows)
    assert club_data.goals["goal"].tolist() == ["First", "Second"]
    assert [str(p) for p in club_data.errors] == [
        'Goals!C5: unknown tier "weekly-ish" (expected two-week, quarterly or long-term; '
        "nearest known: bi-weekly, 2 weeks, 2 week goals); to read it as two-week, add this "
        'line to the config: vocabulary: {tier: {two-week: ["weekly-ish"]}}'
    ]


def test_header_is_the_first_non_empty_row(club: ClubFolder) -> None:
    club.write(goals=[[None], [], GOALS[0], GOALS[1]])
    club_data = read_club(load_config(club.config_path))
    assert club_data.goals["goal"].tolist() == ["Rewrite CV"]
    assert club_data.goals["sheet_row"].tolist() == [4]


def test_member_only_placeholder_rows_are_not_goals(club: ClubFolder) -> None:
    rows = [["Bo Chen", None, None, None, None, None, None, None]]
    club_data = club_with_goals(club, rows)
    assert club_data.goals.empty and club_data.errors == []


def test_extra_columns_are_kept(club: ClubFolder) -> None:
    header = [*GOAL_HEADER, "Buddy"]
    club.write(goals=[header, ["Ada Okonkwo", "G", "Q", "work", "", None, None, None, "Bo"]])
    club_data = read_club(load_config(club.config_path))
    assert club_data.extra_columns["goals"] == ["Buddy"]
    assert club_data.goals["Buddy"].tolist() == ["Bo"]


def test_inactive_members_and_active_words(club: ClubFolder) -> None:
    members = [
        ["Name", "Email", "Active"],
        ["Ada Okonkwo", "ada@example.org", ""],
        ["Bo Chen", "bo@example.org", False],
        ["Cy Diallo", "cy@example.org", "paused"],
        ["Dee Ekwueme", "dee@example.org", "Y"],
    ]
    club.write(members=members, goals=[GOAL_HEADER])
    club_data = read_club(load_config(club.config_path))
    assert club_data.active_members["name"].tolist() == ["Ada Okonkwo", "Dee Ekwueme"]


def test_tab_per_member_layout(club: ClubFolder) -> None:
    header = ["Goal", "Tier", "Category", "Status"]
    club.write(
        tabs={
            "Members": MEMBERS,
            "Ada Okonkwo": [header, ["Rewrite CV", "2-wk", "work", "done"]],
            "bo chen": [header, ["Find a studio", "Q", "work", ""], ["Sail", "annual", "life", ""]],
            "Notes": [["anything"]],
        },
        config={"source": {"layout": "tab-per-member"}},
    )
    club_data = read_club(load_config(club.config_path))
    assert club_data.goals[["member", "goal"]].values.tolist() == [
        ["Ada Okonkwo", "Rewrite CV"],
        ["Bo Chen", "Find a studio"],
        ["Bo Chen", "Sail"],
    ]
    assert club_data.warnings == []
    assert [str(p) for p in club_data.notes] == [
        "Notes: left out: its name says it is not a member's goals"
    ]


def status_json(folder: ClubFolder) -> dict:
    result = folder.run("status", "--format", "json", "--as-of", "2026-11-30")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_ods_and_csv_folder_give_the_same_figures_as_xlsx(club: ClubFolder, tmp_path: Path):
    expected = status_json(club)
    frames = {
        "Members": pd.DataFrame(MEMBERS[1:], columns=MEMBERS[0]),
        "Goals": pd.DataFrame(GOALS[1:], columns=GOALS[0]),
    }
    ods = tmp_path / "ods"
    ods.mkdir()
    with pd.ExcelWriter(ods / "club.ods", engine="odf") as writer:
        for title, frame in frames.items():
            frame.to_excel(writer, sheet_name=title, index=False)
    csv_folder = tmp_path / "csv" / "club"
    csv_folder.mkdir(parents=True)
    for title, frame in frames.items():
        frame.to_csv(csv_folder / f"{title}.csv", index=False)
    for folder, path in ((ods, "club.ods"), (tmp_path / "csv", "club")):
        other = ClubFolder(folder)
        other.write_config(deep_merge(CONFIG, {"source": {"path": path}}))
        assert status_json(other) == expected


def test_relative_source_path_resolves_against_the_config_folder(club: ClubFolder, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(club.config_path, elsewhere / "sheetmentor.yaml")
    result = ClubFolder(elsewhere).run("check")
    assert result.exit_code == 2
    assert f"source.path: {elsewhere / 'club.xlsx'} does not exist" in result.stderr
    assert status_json(club)["members"][0]["name"] == "Ada Okonkwo"


def test_a_checkbox_and_the_number_one_are_different_cells(club: ClubFolder) -> None:
    rows = [
        ["Ada Okonkwo", "Ticked", "Q", "work", True, True, None, None],
        ["Ada Okonkwo", "Number", "Q", "work", "", 1, None, None],
        ["Ada Okonkwo", "Zero", "Q", "work", 0, False, None, None],
    ]
    club_data = club_with_goals(club, rows)
    assert [str(p) for p in club_data.errors] == [
        "Goals!F2: True is not a progress (write 40%, 0.4 or 40)",
        "Goals!F4: False is not a progress (write 40%, 0.4 or 40)",
    ]
    goals = club_data.goals.set_index("goal")
    assert goals.loc["Ticked", "status"] == "done"
    assert goals.loc["Number", "progress"] == 1.0  # 1 in Progress is 100%
    assert goals.loc["Zero", "status"] == "open"
