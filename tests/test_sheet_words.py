"""A club's own words: the built-in languages, the ``vocabulary:`` setting, and refusals whose
fix is a config line that works when pasted — all through the CLI on real workbooks."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from conftest import CONFIG, ClubFolder, deep_merge
from sheet_corpus import EXPECTED, LAYOUTS, MEMBERS, PLAIN, Layout, figures

AS_OF = ("--as-of", "2026-11-30")


def layout(name: str) -> Layout:
    return next(found for found in LAYOUTS if found.name == name)


def write(found: Layout, folder: Path, config: dict | None = None) -> ClubFolder:
    path = found.write(folder)
    club = ClubFolder(folder)
    setting = deep_merge({"source": {"path": path}}, found.config)
    club.write_config(deep_merge(CONFIG, deep_merge(setting, config or {})))
    return club


def status_figures(club: ClubFolder) -> dict:
    result = club.run("status", "--format", "json", *AS_OF)
    assert result.exit_code == 0, result.stdout + result.stderr
    return figures(json.loads(result.stdout))


@pytest.mark.parametrize(
    ("cell", "word", "setting"),
    [
        ((5, 4), "Hecho", "status"),
        ((1, 2), "Someday", "tier"),
        ((2, 3), "Side hustle", "category"),
    ],
    ids=["status", "tier", "category"],
)
def test_a_refused_word_names_the_config_line_that_fixes_it_when_pasted(
    tmp_path: Path, cell: tuple[int, int], word: str, setting: str
) -> None:
    """The refusal's line, pasted at the end of the config as it stands, makes the word read
    (and the figures are those the word was meant to give)."""
    row, column = cell
    goals = [list(r) for r in PLAIN]
    meant = goals[row][column]
    goals[row][column] = word
    club = write(Layout("one-unknown-word", {"Members": MEMBERS, "Goals": goals}), tmp_path)
    checked = club.run("check")
    assert checked.exit_code == 1
    [line] = [line for line in checked.stdout.splitlines() if f'"{word}"' in line]
    assert line.startswith(f"error: Goals!{'ABCDE'[column]}{row + 1}: unknown {setting}")
    pasted = re.search(r"add this line to the config: (vocabulary: .*)$", line).group(1)
    assert pasted.startswith(f"vocabulary: {{{setting}: ")
    if pasted != f'vocabulary: {{{setting}: {{{meant or "done"}: ["{word}"]}}}}':
        # the nearest word's meaning is only a guess: the club says what the word means
        pasted = f'vocabulary: {{{setting}: {{{meant}: ["{word}"]}}}}'
    config = club.config_path.read_text(encoding="utf-8")
    club.write_config(config + pasted + "\n")
    rechecked = club.run("check")
    assert rechecked.exit_code == 0, rechecked.stdout
    assert "0 errors" in rechecked.stdout
    assert status_figures(club) == EXPECTED


def test_the_pasted_line_for_a_status_is_exactly_the_one_in_the_refusal(tmp_path: Path) -> None:
    goals = [list(r) for r in PLAIN]
    goals[5][4] = "Hecho"  # Bo's "Learn to sail", done, in an English sheet
    club = write(Layout("hecho", {"Members": MEMBERS, "Goals": goals}), tmp_path)
    checked = club.run("check")
    assert (
        'error: Goals!E6: unknown status "Hecho" (expected done, open — e.g. "in progress" — or '
        "dropped); to read it as done, add this line to the config: vocabulary: {status: "
        '{done: ["Hecho"]}}'
    ) in checked.stdout.splitlines()
    club.write_config(club.config_path.read_text() + 'vocabulary: {status: {done: ["Hecho"]}}\n')
    assert status_figures(club) == EXPECTED


def test_with_a_vocabulary_section_the_fix_says_where_to_add_the_word(tmp_path: Path) -> None:
    goals = [list(r) for r in PLAIN]
    goals[5][4] = "Hecho"
    club = write(
        Layout("hecho", {"Members": MEMBERS, "Goals": goals}),
        tmp_path,
        {"vocabulary": {"tier": {"two-week": ["Now"]}}},
    )
    checked = club.run("check")
    assert checked.exit_code == 1
    assert 'to read it as done, add "Hecho" to vocabulary.status.done' in checked.stdout


def test_an_unknown_member_status_names_the_line_too(tmp_path: Path) -> None:
    members = [*MEMBERS, ["Cy Diallo", "cy@example.org", "Sabbatical"]]
    club = write(Layout("sabbatical", {"Members": members, "Goals": PLAIN}), tmp_path)
    checked = club.run("check")
    assert checked.exit_code == 1
    assert (
        'add this line to the config: vocabulary: {active: {yes: ["Sabbatical"]}}' in checked.stdout
    )
    club.write_config(club.config_path.read_text() + 'vocabulary: {active: {no: ["Sabbatical"]}}\n')
    rechecked = club.run("check")
    assert rechecked.exit_code == 0, rechecked.stdout


@pytest.mark.parametrize(
    ("vocabulary", "expected"),
    [
        ({"status": {"finished": ["Hecho"]}}, "vocabulary.status.finished"),
        ({"tiers": {"two-week": ["Now"]}}, "vocabulary.tiers: unknown setting"),
        ({"status": {"done": ["Hecho"], "open": ["hecho"]}}, '"hecho" is listed under both'),
        ({"status": {"done": [""]}}, "every word must be a non-blank text"),
    ],
    ids=["unknown-value", "unknown-field", "one-word-two-meanings", "blank-word"],
)
def test_the_vocabulary_setting_is_validated_with_key_and_line(
    tmp_path: Path, vocabulary: dict, expected: str
) -> None:
    club = write(layout("plain"), tmp_path, {"vocabulary": vocabulary})
    result = club.run("check")
    assert result.exit_code == 2
    assert expected in result.stderr
    assert re.search(r"sheetmentor\.yaml line \d+: vocabulary", result.stderr), result.stderr
    assert "Traceback" not in result.stderr


def test_club_language_is_validated(tmp_path: Path) -> None:
    club = write(layout("plain"), tmp_path, {"club": {"language": "French!"}})
    result = club.run("check")
    assert result.exit_code == 2
    assert "club.language" in result.stderr
    assert "is not a language tag" in result.stderr


def test_the_sheets_language_is_detected_and_said(tmp_path: Path) -> None:
    club = write(layout("spanish"), tmp_path)
    checked = club.run("check", "--explain")
    assert checked.exit_code == 0, checked.stdout
    assert "language: es (detected from the sheet's words: " in checked.stdout
    assert 'tab "Miembros": members' in checked.stdout
    assert 'words (status): "Hecho" → done, "En curso" → open' in checked.stdout
    assert "info: the sheet is read in es (detected" in checked.stdout


def test_a_configured_language_is_said(tmp_path: Path) -> None:
    checked = write(layout("portuguese-configured"), tmp_path).run("check", "--explain")
    assert "language: pt (club.language)" in checked.stdout


def test_an_english_sheet_is_read_in_english_only(tmp_path: Path) -> None:
    checked = write(layout("plain"), tmp_path).run("check", "--explain")
    assert "language:" not in checked.stdout
    assert "read in" not in checked.stdout


def test_rag_colours_are_open_with_a_warning_that_says_how_green_can_mean_done(
    tmp_path: Path,
) -> None:
    goals = [list(r) for r in PLAIN]
    goals[1][4], goals[5][4] = "Green", "Green"
    goals[2][4] = "Amber"
    club = write(Layout("rag", {"Members": MEMBERS, "Goals": goals}), tmp_path)
    checked = club.run("check")
    assert checked.exit_code == 0, checked.stdout
    assert (
        "warning: Goals: the status column holds Red/Amber/Green colours (Green, Amber): "
        "read as open (how a goal is going), so none of them counts as done; if Green means "
        'done in this club, add this line to the config: vocabulary: {status: {done: ["Green"]}}'
    ) in checked.stdout.splitlines()
    assert status_figures(club)["Ada Okonkwo"]["two-week"] == [2, 0]
    club.write_config(club.config_path.read_text() + 'vocabulary: {status: {done: ["Green"]}}\n')
    rechecked = club.run("check")
    assert "Red/Amber/Green" not in rechecked.stdout
    assert status_figures(club) == EXPECTED


def test_no_roster_tab_says_who_the_members_are(tmp_path: Path) -> None:
    checked = write(layout("no-roster-tab"), tmp_path).run("check")
    assert checked.exit_code == 0, checked.stdout
    assert (
        "info: no Members tab: the members are the names in the Member column of Goals "
        "(Ada Okonkwo, Bo Chen), all active; add a Members tab to mark who left or give addresses"
    ) in checked.stdout.splitlines()


def test_tab_per_tier_is_explained_and_its_other_tabs_left_out_in_check(tmp_path: Path) -> None:
    club = write(layout("tab-per-tier"), tmp_path)
    checked = club.run("check", "--explain")
    assert checked.exit_code == 0, checked.stdout
    assert "layout: tab-per-tier (detected: each goals tab's name is a tier" in checked.stdout
    assert 'tab "Quarterly": goals (Quarterly: the tab\'s name)' in checked.stdout
    assert "info: Instructions: left out: its name says it is not a member's goals" in (
        checked.stdout
    )


def test_a_left_out_tab_says_why_in_check_with_a_goals_tab(tmp_path: Path) -> None:
    found = layout("plain")
    tabs = {**found.tabs, "Scratch": [["some notes"]]}
    checked = write(Layout("scratch", tabs), tmp_path).run("check")
    assert "info: Scratch: left out: not a Members, Goals or Meetings tab" in checked.stdout


def test_template_rows_with_defaults_are_one_info_line(tmp_path: Path) -> None:
    checked = write(layout("template-rows-with-defaults"), tmp_path).run("check")
    assert checked.exit_code == 0, checked.stdout
    assert (
        "info: Goals: 3 row(s) without goal text or status skipped (empty template slots)"
        in checked.stdout.splitlines()
    )
    assert "the goal's text is empty" not in checked.stdout


def test_totals_rows_are_left_out_and_said_in_explain(tmp_path: Path) -> None:
    checked = write(layout("totals-row"), tmp_path).run("check", "--explain")
    assert checked.exit_code == 0, checked.stdout
    assert "  row 8 is a totals or summary row: left out" in checked.stdout
    assert "  row 9 is a totals or summary row: left out" in checked.stdout
    assert "unknown member" not in checked.stdout


def test_goals_struck_through_in_an_xlsx_are_done(tmp_path: Path) -> None:
    """No status column; finished goals struck through (Rewrite CV, Learn to sail)."""
    goals = [["Member", "Goal", "Tier"], *[[r[0], r[1], r[2]] for r in PLAIN[1:]]]
    struck = Layout("struck", {"Members": MEMBERS, "Goals": goals}, struck={"Goals": ["B2", "B6"]})
    club = write(struck, tmp_path)
    checked = club.run("check")
    assert checked.exit_code == 0, checked.stdout
    assert (
        "info: Goals: 2 goal(s) struck through and with no status read as done (B2, B6)"
        in checked.stdout.splitlines()
    )
    assert status_figures(club) == EXPECTED


def test_a_struck_goal_whose_status_says_open_is_a_warning_naming_the_cell(
    tmp_path: Path,
) -> None:
    struck = Layout("struck", {"Members": MEMBERS, "Goals": PLAIN}, struck={"Goals": ["B2", "B3"]})
    checked = write(struck, tmp_path).run("check")
    assert (
        "warning: Goals: 1 goal(s) struck through but with a status that is not done (B3): "
        "read by their status; set the status to done if they are"
    ) in checked.stdout.splitlines()


def test_struck_goals_in_a_wide_cell_are_done(tmp_path: Path) -> None:
    wide = layout("wide-lines-and-check-marks")
    goals = [
        ["Member", "Two-week goal(s)", "Quarterly goal", "1 year goal"],
        ["Ada Okonkwo", "Rewrite CV", "Publish 3 posts", None],
        ["Ada Okonkwo", "Call two mentors", None, None],
        ["Bo Chen", "Find a studio", None, "Learn to sail"],
    ]
    struck = Layout("struck-wide", {**wide.tabs, "Goals": goals}, struck={"Goals": ["B2", "D4"]})
    assert status_figures(write(struck, tmp_path)) == EXPECTED


def test_two_header_rows_name_each_groups_own_cell(tmp_path: Path) -> None:
    found = layout("two-header-rows")
    goals = [list(row) for row in found.tabs["Goals"]]
    goals[4][6] = "Zzz"  # Bo's long-term status, under "Long-term" › "Status"
    checked = write(Layout("banded", {**found.tabs, "Goals": goals}, merged=found.merged), tmp_path)
    result = checked.run("check", "--explain")
    assert result.exit_code == 1
    assert 'error: Goals!G5: unknown status "Zzz"' in result.stdout
    assert (
        'tab "Goals": goals — two header rows: a tier over each group of columns (Two-week, '
        "Quarterly, Long-term)"
    ) in result.stdout


def test_tab_per_meeting_reads_the_newest_tab_and_says_the_others_are_earlier(
    tmp_path: Path,
) -> None:
    """Tabs named "Dec 1", "Nov 17", "Jan 5" without a year: each in the year that makes it
    no later than today (on 2027-01-10 "Dec 1" is 2026-12-01 and "Jan 5" the newest)."""
    found = layout("tab-per-meeting")
    tabs = dict(zip(["Members", "Nov 17", "Dec 1", "Nov 3"], found.tabs.values(), strict=True))
    club = write(Layout("year-less", tabs), tmp_path)
    checked = club.run("check", "--explain", env={"SHEETMENTOR_NOW": "2026-12-04T12:00"})
    assert checked.exit_code == 0, checked.stdout
    assert 'the newest, "Dec 1", holds the current goals' in checked.stdout
    assert (
        'info: Nov 17: left out: an earlier meeting\'s tab (the newest, "Dec 1", is the current '
        "one)"
    ) in checked.stdout.splitlines()
    after_new_year = Layout("new-year", {**tabs, "Jan 5": tabs["Dec 1"]})
    club = write(after_new_year, tmp_path)
    explained = club.run("check", "--explain", env={"SHEETMENTOR_NOW": "2027-01-10T12:00"})
    assert 'the newest, "Jan 5", holds the current goals' in explained.stdout


def test_goal_tabs_named_after_nobody_are_an_error_not_zero_goals(tmp_path: Path) -> None:
    tabs = {
        "Members": MEMBERS,
        "Team A": [["Goal", "Tier"], ["Rewrite CV", "Q"]],
        "Team B": [["Goal", "Tier"], ["Find a studio", "Q"]],
    }
    checked = write(Layout("nobody", tabs), tmp_path).run("check")
    assert checked.exit_code == 1
    assert "error: no goals read: none of the tabs Team A, Team B is named after a member" in (
        checked.stdout
    )


def test_a_legend_beside_the_table_is_left_out_and_said_in_explain(tmp_path: Path) -> None:
    checked = write(layout("legend-beside-the-table"), tmp_path).run("check", "--explain")
    assert checked.exit_code == 0, checked.stdout
    assert (
        "  columns G, after the blank column F, are a block beside the table (a legend or "
        "notes): left out"
    ) in checked.stdout.splitlines()
    assert "template" not in checked.stdout


def test_form_responses_count_each_members_latest_and_say_so(tmp_path: Path) -> None:
    checked = write(layout("google-form-responses"), tmp_path).run("check", "--explain")
    assert checked.exit_code == 0, checked.stdout
    assert (
        "  form responses (a Timestamp column): each member's latest response counts, 2 earlier "
        "one(s) left out"
    ) in checked.stdout.splitlines()
    assert 'C "What are your two-week goals?" → goal (tier column (two-week))' in checked.stdout


def test_a_check_in_grid_of_real_date_cells_gives_each_goal_its_latest_mark(
    tmp_path: Path,
) -> None:
    found = layout("check-in-grid")
    goals = [list(row) for row in found.tabs["Goals"]]
    goals[0][3:] = [dt.date(2026, 11, 3), dt.date(2026, 11, 17), dt.date(2026, 12, 1)]
    club = write(Layout("grid", {**found.tabs, "Goals": goals}), tmp_path)
    checked = club.run("check", "--explain")
    assert checked.exit_code == 0, checked.stdout
    assert (
        "  columns D, E, F are a check-in grid (a meeting date each): each goal's status is its "
        "latest mark (✓ done, ✗ open, ½ half-way)"
    ) in checked.stdout.splitlines()
    assert status_figures(club) == EXPECTED


def test_a_wide_column_of_goals_with_no_known_tier_is_a_warning_whose_line_reads_it(
    tmp_path: Path,
) -> None:
    goals = [
        ["Nombre", "Metas a dos semanas", "Metas del verano", "Largo plazo"],
        ["Ada Okonkwo", "✅ Rewrite CV\nCall two mentors", "Publish 3 posts", None],
        ["Bo Chen", "Find a studio", None, "✅ Learn to sail"],
    ]
    club = write(
        Layout("summer", {"Miembros": [["Nombre"], ["Ada Okonkwo"], ["Bo Chen"]], "Metas": goals}),
        tmp_path,
    )
    checked = club.run("check")
    [line] = [line for line in checked.stdout.splitlines() if "Metas!C1" in line]
    assert line.startswith(
        'warning: Metas!C1: the column "Metas del verano" looks like goals but names no tier, so '
        "its cells are not read as goals; if it holds "
    )
    pasted = 'vocabulary: {tier: {quarterly: ["Metas del verano"]}}'
    club.write_config(club.config_path.read_text() + pasted + "\n")
    rechecked = club.run("check")
    assert "Metas!C1" not in rechecked.stdout
    assert status_figures(club) == EXPECTED


def test_first_name_and_initial_two_members_share_is_refused_naming_both(tmp_path: Path) -> None:
    members = [*MEMBERS, ["Ada Obi", "obi@example.org", "yes"]]
    goals = [PLAIN[0], ["Ada O.", "Rewrite CV", "two-week", "professional", "done"]]
    checked = write(Layout("two-ada-os", {"Members": members, "Goals": goals}), tmp_path).run(
        "check"
    )
    assert checked.exit_code == 1
    assert (
        'error: Goals!A2: "Ada O." could be Ada Okonkwo or Ada Obi; write the full name'
        in checked.stdout.splitlines()
    )
