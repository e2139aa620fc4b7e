"""Meeting memory a club can trust, through the CLI with the clock set by ``SHEETMENTOR_NOW``:
snapshots recorded only by sending runs and ``sheetmentor record``, stamped by the clock whatever
``--as-of`` says, "since" claims only about meetings the
history saw, the starter sheet never recorded, figures that agree across outputs, and damaged
state files reported with exit code 2.

The club meets every other Tuesday, 12:00–13:00 Toronto time: Nov 3, Nov 17, Dec 1, Dec 15.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import ClubFolder, run_cli
from openpyxl import load_workbook

from sheetmentor.memory import HistoryStore

D = dt.date
ADA, BO = "Ada Okonkwo", "Bo Chen"
MEMBERS = [
    ["Name", "Email", "Active"],
    [ADA, "ada@example.org", "yes"],
    [BO, "bo@example.org", "yes"],
]
HEADER = ["Member", "Goal", "Tier", "Category", "Status", "Progress", "Due"]
GOALS = [
    HEADER,
    [ADA, "Rewrite CV", "2-wk", "work", "done", None, D(2026, 11, 17)],
    [ADA, "Publish 3 posts", "Q", "work", "", "20%", D(2026, 12, 31)],
    [BO, "Find a studio", "2-wk", "work", "", "50%", D(2026, 12, 1)],
]


def at(club: ClubFolder, moment: str, *args: str):
    """Run the CLI with the clock at ``moment`` (club time)."""
    return club.run(*args, env={"SHEETMENTOR_NOW": moment})


def snapshots(club: ClubFolder) -> list[tuple[str, str | None]]:
    """(taken_at in club time, period) of every snapshot, oldest first."""
    state = club.folder / ".sheetmentor"
    if not (state / "history.sqlite3").exists():
        return []
    zone = dt.timezone(dt.timedelta(hours=-5))  # Toronto in November and December
    with HistoryStore.open(state) as store:
        return [
            (
                s.taken_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
                s.period.isoformat() if s.period else None,
            )
            for s in store.snapshots()
        ]


def section(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0]


# -- one clock ----------------------------------------------------------------------------------


def test_snapshots_are_stamped_by_the_clock_whatever_as_of_says(club: ClubFolder) -> None:
    club.write(members=MEMBERS, goals=GOALS)
    # a future --as-of computes as of June and records nothing; record files it on Nov 18
    assert at(club, "2026-11-18T09:00", "status", "--as-of", "2027-06-01").exit_code == 0
    assert snapshots(club) == []
    assert at(club, "2026-11-18T09:00", "record").exit_code == 0
    # the history is not frozen by it: a later change is recorded
    club.write(
        members=MEMBERS, goals=[*GOALS, [BO, "Sign a lease", "2-wk", "work", "", None, None]]
    )
    # a past --as-of: today's sheet is not filed under a September meeting
    result = at(club, "2026-11-20T09:00", "agenda", "--as-of", "2026-09-01")
    assert result.exit_code == 0, result.stderr
    assert at(club, "2026-11-20T09:00", "record").exit_code == 0
    club.write(members=MEMBERS, goals=GOALS)
    assert at(club, "2026-11-25T09:00", "changes", "--as-of", "2026-09-30").exit_code == 0
    assert at(club, "2026-11-25T09:00", "record").exit_code == 0
    assert snapshots(club) == [
        ("2026-11-18T09:00", "2026-11-17"),
        ("2026-11-20T09:00", "2026-11-17"),
        ("2026-11-25T09:00", "2026-11-17"),
    ]


def test_recap_preview_of_a_past_meeting_records_nothing(club: ClubFolder) -> None:
    club.write(members=MEMBERS, goals=GOALS)
    result = at(club, "2026-12-01T15:00", "recap", "--as-of", "2026-11-03T14:00")
    assert result.exit_code == 0, result.stderr
    assert "recap of Tuesday, November 3, 2026" in result.stdout
    assert snapshots(club) == []
    assert not (club.folder / ".sheetmentor").exists()


def test_cron_recap_send_records_the_sheet_as_seen_now(club: ClubFolder) -> None:
    outbox = {"email": {"from": "Club <club@example.org>", "outbox": "outbox"}}
    club.write(members=MEMBERS, goals=GOALS, config=outbox)
    result = at(club, "2026-11-18T09:00", "recap", "--send", "--as-of", "2027-03-01")
    assert result.exit_code == 0, result.stderr
    lease = [BO, "Sign a lease", "2-wk", "work", "", None, None]
    club.write(members=MEMBERS, goals=[*GOALS, lease], config=outbox)
    result = at(club, "2026-11-19T09:00", "recap", "--send", "--as-of", "2026-09-08T14:00")
    assert result.exit_code == 0, result.stderr
    assert snapshots(club) == [
        ("2026-11-18T09:00", "2026-11-17"),
        ("2026-11-19T09:00", "2026-11-17"),
    ]


# -- honest memory ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def first_seen_late(tmp_path_factory: pytest.TempPathFactory) -> ClubFolder:
    """A club that first records its sheet on Friday Nov 20, three days after the Nov 17
    meeting."""
    club = ClubFolder(tmp_path_factory.mktemp("late")).write(members=MEMBERS, goals=GOALS)
    assert at(club, "2026-11-20T10:00", "record").exit_code == 0
    return club


def test_first_run_after_a_meeting_says_when_it_first_saw_the_sheet(
    first_seen_late: ClubFolder,
) -> None:
    agenda = at(first_seen_late, "2026-11-21T10:00", "agenda")
    assert agenda.exit_code == 0, agenda.stderr
    text = agenda.stdout
    assert "Nov 17" not in section(text, "## Club health", "## Wins")
    assert "No update since Nov 20, when sheetmentor first saw the sheet: Ada Okonkwo, Bo Chen" in (
        text
    )
    ada = section(text, ". Ada Okonkwo\n", "Two-week goals due ")
    assert "Since Nov 20, when sheetmentor first saw the sheet: no update." in ada
    assert "Since Nov 17" not in text and "stale" not in text and "Streak" not in text
    html = at(first_seen_late, "2026-11-21T10:00", "agenda", "--format", "html").stdout
    assert "No update since Nov 20, when sheetmentor first saw the sheet" in html
    assert "Since Nov 17" not in html


def test_changes_since_a_meeting_it_never_saw(first_seen_late: ClubFolder) -> None:
    text = at(first_seen_late, "2026-11-21T10:00", "changes").stdout
    assert text.splitlines()[0] == (
        "Since Friday, November 20, 2026, when sheetmentor first saw the sheet "
        "(it did not see it at the meeting of Tuesday, November 17, 2026):"
    )
    found = json.loads(
        at(first_seen_late, "2026-11-21T10:00", "changes", "--format", "json").stdout
    )
    assert (found["since"], found["meeting"], found["since_meeting"], found["first_seen"]) == (
        "2026-11-20", "2026-11-17", False, "2026-11-20",
    )  # fmt: skip
    assert found["no_update"] == [ADA, BO]


def test_no_meeting_before_the_first_snapshot_in_history(first_seen_late: ClubFolder) -> None:
    result = at(first_seen_late, "2026-11-21T10:00", "status", "--history", "--format", "json")
    assert json.loads(result.stdout)["history"] == []
    table = at(first_seen_late, "2026-11-21T10:00", "status", "--history").stdout
    assert "Nov 17" not in table


def test_a_meeting_seen_on_its_day_is_remembered(tmp_path: Path) -> None:
    club = ClubFolder(tmp_path).write(members=MEMBERS, goals=GOALS)
    assert at(club, "2026-11-20T10:00", "record").exit_code == 0  # first seen after Nov 17
    assert at(club, "2026-12-01T14:00", "record").exit_code == 0  # recorded after Dec 1
    moved = [row[:] for row in GOALS]
    moved[3][5] = "80%"
    club.write(members=MEMBERS, goals=moved)
    text = at(club, "2026-12-05T10:00", "agenda").stdout
    assert "- No update since Dec 1: Ada Okonkwo" in text
    bo = section(text, ". Bo Chen\n", "Two-week goals due ")
    assert "Since Dec 1:\n" in bo and "Find a studio (50% → 80%)" in bo
    history = json.loads(
        at(club, "2026-12-05T10:00", "status", "--history", "--format", "json").stdout
    )
    assert [row["meeting"] for row in history["history"]] == ["2026-12-01"]


def test_the_untouched_starter_sheet_is_never_recorded(tmp_path: Path) -> None:
    folder = tmp_path / "new-club"
    assert run_cli("init", str(folder)).exit_code == 0
    config = str(folder / "sheetmentor.yaml")
    for command in (["status"], ["agenda"], ["check"], ["next"], ["record"]):
        result = run_cli("--config", config, *command)
        assert result.exit_code == 0, (command, result.stderr)
    assert "not recorded: the sheet is still the starter workbook" in result.stdout
    assert snapshots(ClubFolder(folder)) == []
    book = load_workbook(folder / "club.xlsx")
    book["Members"]["A2"] = ADA
    book["Goals"]["A2"] = ADA
    book.save(folder / "club.xlsx")
    assert run_cli("--config", config, "record").exit_code == 0
    assert len(snapshots(ClubFolder(folder))) == 1


# -- one definition per figure ------------------------------------------------------------------


@pytest.fixture(scope="module")
def late_goal(tmp_path_factory: pytest.TempPathFactory) -> ClubFolder:
    """Ada did everything due at Nov 3 and Nov 17, as recorded after each meeting; on Nov 25 she
    adds a goal that was due on Nov 3 and is still open (carried over twice by Dec 1)."""
    club = ClubFolder(tmp_path_factory.mktemp("figures"))
    sheet = [
        HEADER,
        [ADA, "Rewrite CV", "2-wk", "work", "done", None, D(2026, 11, 3)],
        [ADA, "Call two mentors", "2-wk", "work", "done", None, D(2026, 11, 17)],
        [BO, "Find a studio", "2-wk", "work", "", "50%", D(2026, 11, 17)],
        [BO, "Paint the studio", "2-wk", "work", "", "40%", D(2026, 12, 1)],
    ]
    club.write(members=MEMBERS, goals=sheet)
    for moment in ("2026-11-03T14:00", "2026-11-17T14:00"):
        assert at(club, moment, "record").exit_code == 0
    late = [ADA, "Book the venue", "2-wk", "work", "", None, D(2026, 11, 3)]
    club.write(members=MEMBERS, goals=[*sheet, late])
    return club


def test_no_streak_above_a_carried_goal(late_goal: ClubFolder) -> None:
    text = at(late_goal, "2026-11-25T10:00", "agenda").stdout
    ada = section(text, ". Ada Okonkwo\n", "Long-term" if "Long-term" in text else "## Next")
    assert "Book the venue — carried 2 meetings (was due Nov 3)" in ada
    # Nov 17's goal was done, but the venue was open then too: no meeting had every goal done
    assert "Streak:" not in text
    recap = at(late_goal, "2026-12-01T14:00", "recap").stdout
    ada = section(recap, "ADA OKONKWO\n", "BO CHEN\n")
    assert "Book the venue (carried 2x)" in ada
    assert "Streak:" not in ada


def test_carried_counts_agree_with_member_sections(late_goal: ClubFolder) -> None:
    agenda = at(late_goal, "2026-11-25T10:00", "agenda").stdout
    listed = len(re.findall(r"— carried \d+ meetings?", agenda))
    assert listed == 2  # Ada's venue, Bo's studio
    assert f"- Two-week goals carried over from earlier meetings: {listed}" in agenda
    recap = at(late_goal, "2026-12-01T14:00", "recap").stdout
    carrying = len(re.findall(r"\(carried \d+x\)", recap))
    assert carrying == 2
    assert f"  * Two-week goals carried over from earlier meetings: {carrying}" in recap


def test_history_figure_means_the_same_in_every_format(late_goal: ClubFolder) -> None:
    """ "Goals done" is the done rate in Markdown, text and HTML alike (Bo's 50% progress on an
    open goal would make a mean progress differ)."""
    markdown = at(late_goal, "2026-11-25T10:00", "agenda").stdout
    text = at(late_goal, "2026-11-25T10:00", "agenda", "--format", "text").stdout
    html = at(late_goal, "2026-11-25T10:00", "agenda", "--format", "html").stdout
    line = "Two-week goals done at recent meetings: Nov 3 50% · Nov 17 50%"
    assert line in markdown and line in text
    table = section(html, '<table class="history">', "</table>")
    assert "Goals done at recent meetings" in table
    assert table.count("50% done (2/4)") == 2
    assert "72%" not in table and "73%" not in table  # the mean progress at both meetings
    history = json.loads(
        at(late_goal, "2026-11-25T10:00", "status", "--history", "--format", "json").stdout
    )["history"]
    assert [row["tiers"]["two-week"]["rate"] for row in history] == [0.5, 0.5]
    assert [row["tiers"]["two-week"]["progress"] for row in history] == [0.725, 0.725]
    table = at(late_goal, "2026-11-25T10:00", "status", "--history").stdout
    assert "mean progress" in section(table, "Club completion at recent meetings", "\n\n\n")


# -- damaged or unreadable state ----------------------------------------------------------------


def assert_state_error(result, *words: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr and result.stdout == ""
    for word in words:
        assert word in result.stderr


@pytest.mark.parametrize(
    "command", [["status", "--history"], ["agenda"], ["changes"], ["record"]], ids=" ".join
)
def test_a_history_file_that_is_not_sqlite(club: ClubFolder, command: list[str]) -> None:
    state = club.folder / ".sheetmentor"
    state.mkdir()
    (state / "history.sqlite3").write_bytes(b"these are not the droids\n" * 200)
    result = at(club, "2026-11-25T10:00", *command)
    assert_state_error(result, "history.sqlite3", "not a sheetmentor history store")


def test_a_truncated_history_file(late_goal: ClubFolder, tmp_path: Path) -> None:
    source = late_goal.folder / ".sheetmentor" / "history.sqlite3"
    copy = ClubFolder(tmp_path).write(members=MEMBERS, goals=GOALS)
    (tmp_path / ".sheetmentor").mkdir()
    data = source.read_bytes()
    assert len(data) > 8192
    (tmp_path / ".sheetmentor" / "history.sqlite3").write_bytes(data[: len(data) // 2])
    result = at(copy, "2026-11-25T10:00", "agenda")
    assert_state_error(result, "history.sqlite3")


def test_a_history_path_that_cannot_be_opened(club: ClubFolder) -> None:
    (club.folder / ".sheetmentor" / "history.sqlite3").mkdir(parents=True)
    for command in ("record", "agenda"):
        result = at(club, "2026-11-25T10:00", command)
        assert_state_error(result, "cannot open the history store")


def test_state_pointing_at_a_file(club: ClubFolder) -> None:
    (club.folder / "state.txt").write_text("not a folder\n")
    club.write(config={"state": "state.txt"})
    for command in ("record", "agenda"):
        result = at(club, "2026-11-25T10:00", command)
        assert_state_error(result, "state.txt is a file, not a folder")


def test_state_folder_and_history_are_private(club: ClubFolder) -> None:
    old = os.umask(0o022)
    try:
        assert at(club, "2026-11-25T10:00", "record").exit_code == 0
    finally:
        os.umask(old)
    state = club.folder / ".sheetmentor"
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    for path in state.glob("history.sqlite3*"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


@pytest.mark.slow
def test_a_history_file_it_may_not_read() -> None:
    """The state folder and store of another user (0700 / 0600, as sheetmentor creates them):
    a process that may not read them gets exit 2 and the path, not a traceback."""
    folder = Path(tempfile.mkdtemp(prefix="sheetmentor-perm-"))
    try:
        folder.chmod(0o755)  # the club's files stay readable; the state folder is private
        club = ClubFolder(folder).write(members=MEMBERS, goals=GOALS)
        assert at(club, "2026-11-25T10:00", "record").exit_code == 0
        if os.geteuid() == 0:  # root reads anything: run as nobody instead
            command = [
                "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                sys.executable, "-m", "sheetmentor", "--config", str(club.config_path), "agenda",
            ]  # fmt: skip
            env = {**os.environ, "SHEETMENTOR_NOW": "2026-11-26T10:00", "HOME": str(folder)}
            done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
            exit_code, stderr = done.returncode, done.stderr
        else:
            (folder / ".sheetmentor" / "history.sqlite3").chmod(0o000)
            result = at(club, "2026-11-26T10:00", "agenda")
            exit_code, stderr = result.exit_code, result.stderr
        assert exit_code == 2, stderr
        assert "history.sqlite3" in stderr and "Traceback" not in stderr
    finally:
        shutil.rmtree(folder)


def test_a_run_on_the_meeting_morning_holds_that_meeting(tmp_path: Path) -> None:
    """A club that records its sheet each meeting morning, before printing the agenda: the sheet
    seen on Nov 17 before the meeting is the sheet at Nov 17."""
    club = ClubFolder(tmp_path).write(members=MEMBERS, goals=GOALS)
    assert at(club, "2026-11-17T09:00", "record").exit_code == 0
    moved = [row[:] for row in GOALS]
    moved[3][5] = "70%"
    club.write(members=MEMBERS, goals=moved)
    text = at(club, "2026-12-01T09:00", "agenda").stdout
    assert "- No update since Nov 17: Ada Okonkwo" in text
    assert "Find a studio (50% → 70%)" in section(text, ". Bo Chen\n", "Two-week goals due ")


def test_a_meeting_it_did_not_see_is_named_by_the_day_it_did(tmp_path: Path) -> None:
    club = ClubFolder(tmp_path).write(members=MEMBERS, goals=GOALS)
    assert at(club, "2026-11-17T14:00", "record").exit_code == 0  # seen at Nov 17, then not
    text = at(club, "2026-12-05T10:00", "agenda").stdout  # until after the Dec 1 meeting
    assert "- No update since Nov 17 (the sheet was not seen on Dec 1): Ada Okonkwo, Bo Chen" in (
        text
    )
    assert "Since Dec 1" not in text
    # recorded now, unchanged since Nov 17: the history holds the sheet at Dec 1 too
    assert at(club, "2026-12-05T10:00", "record").exit_code == 0
    found = json.loads(at(club, "2026-12-05T11:00", "changes", "--format", "json").stdout)
    assert (found["since"], found["meeting"], found["since_meeting"]) == (
        "2026-12-01", "2026-12-01", True,
    )  # fmt: skip


def test_changes_text_names_the_day_it_saw_the_sheet(tmp_path: Path) -> None:
    club = ClubFolder(tmp_path).write(members=MEMBERS, goals=GOALS)
    assert at(club, "2026-11-17T14:00", "record").exit_code == 0
    text = at(club, "2026-12-05T10:00", "changes").stdout
    assert text.splitlines()[0] == (
        "Since Tuesday, November 17, 2026 (sheetmentor did not see the sheet at the meeting of "
        "Tuesday, December 1, 2026):"
    )


def test_changes_on_the_first_run_says_it_has_nothing_to_compare_with(tmp_path: Path) -> None:
    club = ClubFolder(tmp_path).write(members=MEMBERS, goals=GOALS)
    first = at(club, "2026-11-20T10:00", "changes")
    assert first.exit_code == 1 and "holds no earlier state of the sheet" in first.stderr
    assert "`sheetmentor record`" in first.stderr
    early = at(club, "2026-11-20T10:00", "changes", "--since", "2026-01-05")
    assert early.exit_code == 1 and "no meeting on or before 2026-01-05" in early.stderr
    assert at(club, "2026-11-20T10:00", "record").exit_code == 0
    again = at(club, "2026-11-20T11:00", "changes")
    assert again.exit_code == 0, again.stderr
    assert again.stdout.startswith("Since Friday, November 20, 2026, when sheetmentor first saw")


SEASON_RUNS = [
    "2026-11-05T10:00",  # first seen, two days after the Nov 3 meeting
    "2026-11-17T14:00",  # after the Nov 17 meeting (an agenda run still names Nov 17's)
    "2026-11-20T10:00",
    "2026-12-04T10:00",  # Dec 1 never seen
    "2026-12-15T09:00",  # the morning of Dec 15
    "2026-12-16T10:00",
]
MEETING_DAYS = {D(2026, 11, 3), D(2026, 11, 17), D(2026, 12, 1), D(2026, 12, 15)}


def test_every_since_claim_over_a_season_is_one_the_history_can_make(tmp_path: Path) -> None:
    """Agendas at irregular times, the sheet edited and recorded after each: every "No update
    since D" names a meeting day sheetmentor saw, or says which day it saw instead."""
    club = ClubFolder(tmp_path)
    seen: list[dt.date] = []
    claims = []
    for number, moment in enumerate(SEASON_RUNS):
        goals = [row[:] for row in GOALS]
        goals[3][5] = f"{50 + 5 * number}%"  # Bo moves before every run; Ada never
        club.write(members=MEMBERS, goals=goals)
        result = at(club, moment, "agenda")
        assert result.exit_code == 0, result.stderr
        assert at(club, moment, "record").exit_code == 0
        line = next((x for x in result.stdout.splitlines() if x.startswith("- No update")), None)
        if seen:
            assert line is not None, moment
            claims.append(line)
            named = re.match(r"- No update since (\w+ \d+)", line).group(1)
            day = dt.datetime.strptime(f"{named} 2026", "%b %d %Y")
            qualified = ", when sheetmentor first saw" in line or "(the sheet was not seen" in line
            if not qualified:  # a meeting day sheetmentor saw
                assert day.date() in MEETING_DAYS and day.date() in seen, line
            elif "first saw" in line:
                assert day.date() == seen[0], line
            else:  # the meeting named was not seen, the day named was
                missed = re.search(r"not seen on (\w+ \d+)\)", line).group(1)
                assert dt.datetime.strptime(f"{missed} 2026", "%b %d %Y").date() not in seen
                assert day.date() in seen, line
            assert line.endswith(": Ada Okonkwo"), line  # Bo updated every time
        else:
            assert line is None  # nothing to compare with on the very first run
        seen.append(dt.date.fromisoformat(moment[:10]))
    assert claims == [
        "- No update since Nov 5, when sheetmentor first saw the sheet: Ada Okonkwo",
        "- No update since Nov 17: Ada Okonkwo",
        "- No update since Nov 20 (the sheet was not seen on Dec 1): Ada Okonkwo",
        "- No update since Dec 4 (the sheet was not seen on Dec 1): Ada Okonkwo",
        "- No update since Dec 15: Ada Okonkwo",
    ]


def test_a_member_with_no_joined_date_misses_no_meeting_before_she_was_on_the_sheet(
    club: ClubFolder,
) -> None:
    """Cy is added to the sheet, Joined left blank, after the Oct 6 meeting and comes on Oct 20:
    the history first saw her on Oct 8, so Sep 8 to Oct 6 are not hers to have missed."""
    members = [["Name", "Email", "Joined"], [ADA, "ada@example.org", None], [BO, "bo@x.org", None]]
    cy = ["Cy Diallo", "cy@example.org", None]
    cy_goal = ["Cy Diallo", "Apply to nursing school", "Q", "work", "", None, D(2026, 12, 31)]
    meetings = [
        ["Date", "Attended"],
        [D(2026, 9, 8), f"{ADA}, {BO}"],
        [D(2026, 9, 22), ADA],
        [D(2026, 10, 6), f"{ADA}, {BO}"],
    ]
    for moment, with_meetings in (("2026-09-08T14:00", 2), ("2026-09-22T14:00", 3)):
        club.write(members=members, goals=GOALS, meetings=meetings[:with_meetings])
        assert at(club, moment, "record").exit_code == 0
    club.write(members=members, goals=GOALS, meetings=meetings)
    assert at(club, "2026-10-06T14:00", "record").exit_code == 0
    club.write(members=[*members, cy], goals=[*GOALS, cy_goal], meetings=meetings)
    assert at(club, "2026-10-08T09:00", "record").exit_code == 0
    meetings.append([D(2026, 10, 20), f"{ADA}, {BO}, Cy Diallo"])
    club.write(members=[*members, cy], goals=[*GOALS, cy_goal], meetings=meetings)
    agenda = at(club, "2026-11-02T09:00", "agenda")
    assert agenda.exit_code == 0, agenda.stderr
    assert "Attendance: 89% of members at the recorded meetings" in agenda.stdout  # 8 of 9
    recap = at(club, "2026-11-02T09:00", "recap", "--meeting", "2026-09-22")
    assert recap.exit_code == 0, recap.stderr
    assert "Missed: Bo Chen." in recap.stdout


def test_every_club_percentage_says_what_it_is(late_goal: ClubFolder) -> None:
    """The recap's club table gave the mean progress unlabelled beside a done count, above a
    history giving the done share: one figure, two numbers. Each now says which it is, and the
    done share is the history's own number for the same meeting."""
    recap = at(late_goal, "2026-12-01T14:00", "recap").stdout
    club = section(recap, "THE CLUB\n", "\n\n")
    # two-week at Dec 1: 2 of 5 done; mean progress (1 + 1 + .5 + .4 + 0) / 5
    assert "Two-week   ██████░░░░  58% mean progress · 2/5 done (40%)" in club
    assert "Two-week goals done at recent meetings: Nov 3 50% · Nov 17 50% · Dec 1 40%" in recap
    html = at(late_goal, "2026-12-01T14:00", "recap", "--format", "html").stdout
    assert "<td>58% mean progress</td><td>2/5 done (40%)</td>" in html
    agenda = at(late_goal, "2026-11-25T10:00", "agenda", "--format", "text").stdout
    table = section(agenda, "WHERE THE CLUB STANDS\n", "\n\n")
    for line in table.splitlines():
        if "%" in line:
            assert re.search(r"\d+% mean progress · \d+/\d+ done \(\d+%\)$", line), line
    markdown = at(late_goal, "2026-11-25T10:00", "agenda").stdout
    assert "| Tier | Done | Done share | Mean progress |" in markdown


def test_an_unreadable_row_is_not_read_this_time_never_a_change(club: ClubFolder) -> None:
    """With ``--force``, a tier no one knows made "tier: two-week → None" and a typo in a
    member cell made the goal "removed". Neither row was read: that is what is said."""

    def sheet(tier: str, bo: str) -> list[list]:
        return [
            HEADER,
            [ADA, "Rewrite CV", tier, "work", "", None, D(2026, 12, 1)],
            [ADA, "Publish 3 posts", "Q", "work", "", "30%", D(2026, 12, 31)],
            [bo, "Find a studio", "2-wk", "work", "", None, D(2026, 12, 1)],
        ]

    club.write(members=MEMBERS, goals=sheet("2-wk", BO))
    assert at(club, "2026-11-17T14:00", "record").exit_code == 0
    club.write(members=MEMBERS, goals=sheet("fortnightish", "Bo Chn"))
    agenda = at(club, "2026-11-30T09:00", "agenda", "--force")
    assert agenda.exit_code == 0, agenda.stderr
    assert "None" not in agenda.stdout
    assert "re-scoped" not in agenda.stdout and "removed" not in agenda.stdout
    assert "- not read this time: Rewrite CV (cell Goals!C2)" in agenda.stdout
    assert "- not read this time: Find a studio (cell Goals!A4)" in agenda.stdout
    assert "no update" not in agenda.stdout  # nobody can tell, from rows not read
    assert "- No update since Nov 17: none\n" in agenda.stdout  # and not "everyone moved"
    result = at(club, "2026-11-30T09:00", "changes", "--force", "--format", "json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert {k: v for k, v in report["counts"].items() if v} == {"unread": 2}
    assert [c["goal"] for c in report["members"][BO]["unread"]] == ["Find a studio"]
    assert report["no_update"] == []
