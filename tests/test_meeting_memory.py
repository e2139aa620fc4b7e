"""Meeting memory through the CLI: a club that met four times, its sheet edited in between."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from conftest import ClubFolder

D = dt.date
MEMBERS = [
    ["Name", "Email", "Active"],
    ["Ada Okonkwo", "ada@example.org", "yes"],
    ["Bo Chen", "bo@example.org", "yes"],
]
HEADER = ["Member", "Goal", "Tier", "Category", "Status", "Progress", "Due"]
MEETINGS = [
    ["Date", "Attended"],
    [D(2026, 9, 8), "Ada Okonkwo, Bo Chen"],
    [D(2026, 9, 22), "Ada Okonkwo"],
    [D(2026, 10, 6), "Ada Okonkwo, Bo Chen"],
    [D(2026, 10, 20), "Ada Okonkwo, Bo Chen"],
]
PIANO = ["Ada Okonkwo", "Learn the piano", "long-term", "life", "", "0%", None]
# The sheet as it stood after each meeting (Sep 8, Sep 22, Oct 6, Oct 20), and now.
VERSIONS = [
    [
        ["Ada Okonkwo", "Rewrite CV", "2-wk", "work", "", None, D(2026, 9, 22)],
        ["Ada Okonkwo", "Publish posts", "Q", "work", "", "10%", D(2026, 12, 31)],
        PIANO,
        ["Bo Chen", "Find a studio", "2-wk", "work", "", None, D(2026, 9, 22)],
    ],
    [
        ["Ada Okonkwo", "Rewrite CV", "2-wk", "work", "done", None, D(2026, 9, 22)],
        ["Ada Okonkwo", "Publish posts", "Q", "work", "", "30%", D(2026, 12, 31)],
        PIANO,
        ["Ada Okonkwo", "Call two mentors", "2-wk", "work", "", None, D(2026, 10, 6)],
        ["Bo Chen", "Find a studio", "2-wk", "work", "", None, D(2026, 9, 22)],
    ],
    [
        ["Ada Okonkwo", "Rewrite CV", "2-wk", "work", "done", None, D(2026, 9, 22)],
        ["Ada Okonkwo", "Publish posts", "Q", "work", "", "50%", D(2026, 12, 31)],
        PIANO,
        ["Ada Okonkwo", "Call two mentors", "2-wk", "work", "✓", None, D(2026, 10, 6)],
        ["Bo Chen", "Find a studio", "2-wk", "work", "dropped", None, D(2026, 9, 22)],
        ["Bo Chen", "Sign a lease for the studio", "2-wk", "work", "", None, D(2026, 10, 20)],
    ],
    [
        ["Ada Okonkwo", "Rewrite CV", "2-wk", "work", "done", None, D(2026, 9, 22)],
        ["Ada Okonkwo", "Publish posts", "1 year+", "work", "", "50%", D(2027, 6, 30)],
        PIANO,
        ["Ada Okonkwo", "Call two mentors", "2-wk", "work", "✓", None, D(2026, 10, 6)],
        ["Ada Okonkwo", "Write the talk", "2-wk", "work", "", None, D(2026, 11, 3)],
        ["Bo Chen", "Sign a lease for the studio", "2-wk", "work", "", None, D(2026, 10, 20)],
    ],
    [
        ["Ada Okonkwo", "Rewrite CV", "2-wk", "work", "done", None, D(2026, 9, 22)],
        ["Ada Okonkwo", "Publish posts", "1 year+", "work", "", "50%", D(2027, 6, 30)],
        PIANO,
        ["Ada Okonkwo", "Call two mentors", "2-wk", "work", "✓", None, D(2026, 10, 6)],
        ["Ada Okonkwo", "Write the talk", "2-wk", "work", "", None, D(2026, 11, 3)],
        ["Bo Chen", "Sign the lease for the studio", "2-wk", "work", "", "50%", D(2026, 10, 20)],
        ["Bo Chen", "Paint the studio", "2-wk", "work", "", None, D(2026, 11, 3)],
    ],
]
AFTER = ["2026-09-08T14:00", "2026-09-22T14:00", "2026-10-06T14:00", "2026-10-20T14:00"]


@pytest.fixture(scope="module")
def recorded_season(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four meetings, each followed by ``sheetmentor record``; then the sheet now.

    Built once for the module (four records); each test gets its own copy (:func:`season`).
    """
    club = ClubFolder(tmp_path_factory.mktemp("season"))
    for rows, moment in zip(VERSIONS, AFTER, strict=False):
        club.write(members=MEMBERS, goals=[HEADER, *rows], meetings=MEETINGS)
        assert club.run("record", env={"SHEETMENTOR_NOW": moment}).exit_code == 0
    club.write(members=MEMBERS, goals=[HEADER, *VERSIONS[-1]], meetings=MEETINGS)
    return club.folder


class Season(ClubFolder):
    """The club with the clock at Monday, November 2 (before the next meeting) unless a test
    sets another moment."""

    def run(self, *args: str, env: dict[str, str] | None = None):
        return super().run(*args, env={"SHEETMENTOR_NOW": "2026-11-02T09:00", **(env or {})})


@pytest.fixture
def season(recorded_season: Path, tmp_path: Path) -> Season:
    """A copy of the recorded season that the test may change."""
    return Season(Path(shutil.copytree(recorded_season, tmp_path / "club")))


def section(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0]


def test_agenda_tells_each_member_what_changed(season: Season) -> None:
    result = season.run("agenda", "--as-of", "2026-11-02")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    bo = section(text, ". Bo Chen\n", "Two-week goals due ")
    assert "Since Oct 20:\n" in bo
    assert "- added: Paint the studio" in bo
    assert '- reworded: Sign the lease for the studio (was "Sign a lease for the studio")' in bo
    assert "- progress: Sign the lease for the studio (0% → 50%)" in bo
    ada = section(text, ". Ada Okonkwo\n", "Two-week goals due ")
    assert "Since Oct 20: no update." in ada
    assert "Streak: 2 meetings in a row with every two-week goal done." in ada
    assert "- stale: Learn the piano (unchanged for 4 meetings)" in ada
    health = section(text, "## Club health", "## Before we close")
    assert "- No update since Oct 20: Ada Okonkwo" in health
    assert "- Attendance: 88% of members at the recorded meetings" in health  # 7 of 8
    assert (
        "- Two-week goals done at recent meetings: Sep 8 0% · Sep 22 33% · Oct 6 67% · Oct 20 50%"
    ) in health


def test_recap_tells_what_changed_since_the_meeting_before(season: Season) -> None:
    season.write(members=MEMBERS, goals=[HEADER, *VERSIONS[2]], meetings=MEETINGS)
    text = season.run(
        "recap", "--member", "Bo Chen", env={"SHEETMENTOR_NOW": "2026-10-06T15:00"}
    ).stdout
    assert "Hi Bo" in text
    bo = section(text, "BO CHEN\n", "ADA OKONKWO")
    assert "Since Sep 22:\n  * added: Sign a lease for the studio\n" in bo
    assert "  Dropped: Find a studio\n" in bo  # named once, on its own line


def test_changes_command(season: Season) -> None:
    result = season.run("changes", "--as-of", "2026-11-02")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[:2] == ["Since the meeting of Tuesday, October 20, 2026:", ""]
    assert "Ada Okonkwo — no update" in result.stdout
    assert "  progress   Sign the lease for the studio (0% → 50%)" in result.stdout
    since = season.run(
        "changes", "--since", "2026-09-22", "--format", "json", "--as-of", "2026-11-02"
    )
    found = json.loads(since.stdout)
    assert found["since"] == "2026-09-22"
    ada = found["members"]["Ada Okonkwo"]
    assert [c["goal"] for c in ada["completed"]] == ["Call two mentors"]
    assert [(c["field"], c["from"], c["to"]) for c in ada["rescoped"]] == [
        ("tier", "quarterly", "long-term"),
        ("due", "2026-12-31", "2027-06-30"),
    ]
    assert [c["goal"] for c in found["members"]["Bo Chen"]["removed"]] == ["Find a studio"]


def test_status_history_and_chart(season: Season, tmp_path) -> None:
    result = season.run("status", "--history", "--format", "json", "--as-of", "2026-11-02")
    history = json.loads(result.stdout)["history"]
    assert [row["meeting"] for row in history] == [
        "2026-09-08",
        "2026-09-22",
        "2026-10-06",
        "2026-10-20",
    ]
    assert [row["tiers"]["two-week"]["done"] for row in history] == [0, 1, 2, 2]
    table = season.run("status", "--history", "--as-of", "2026-11-02").stdout
    assert "Club completion at recent meetings" in table and "Oct 20" in table
    chart = tmp_path / "chart.png"
    assert season.run("status", "--chart", str(chart), "--as-of", "2026-11-02").exit_code == 0
    assert chart.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and chart.stat().st_size > 5000


def test_recording_the_same_sheet_twice_stores_nothing_new(season: Season) -> None:
    store = season.folder / ".sheetmentor" / "history.sqlite3"
    size = store.stat().st_size
    for _ in range(3):
        assert season.run("record").exit_code == 0
    from sheetmentor.memory import HistoryStore

    with HistoryStore.open(store.parent) as opened:
        taken = [s.taken_at.date() for s in opened.snapshots()]
    assert len(taken) == len(set(taken)) == 5  # four meetings and the sheet now
    assert store.stat().st_size >= size


def test_missing_store_starts_over_with_a_warning(season: Season) -> None:
    for name in ("history.sqlite3", "history.sqlite3-wal", "history.sqlite3-shm"):
        (season.folder / ".sheetmentor" / name).unlink(missing_ok=True)
    result = season.run("agenda", "--as-of", "2026-11-02")
    assert result.exit_code == 0
    assert "no meeting history in" in result.stderr and "sheetmentor record" in result.stderr
    assert "Since Oct 20" not in result.stdout
    recorded = season.run("record")
    assert recorded.exit_code == 0
    assert "no meeting history in" in recorded.stderr and "starting it over" in recorded.stderr


def test_wins_are_the_goals_done_since_the_last_meeting_whatever_their_tier(
    tmp_path: Path,
) -> None:
    """Rewrite CV, due Nov 3 and carried since, is finally done, and so is a quarterly goal: both
    are wins in the agenda and the recap. Call mentors, due Dec 1 but done before the Nov 17
    meeting, was that meeting's win and is not one again."""
    club = ClubFolder(tmp_path)
    meetings = [
        ["Date", "Attended"],
        [D(2026, 11, 3), "Ada Okonkwo, Bo Chen"],
        [D(2026, 11, 17), "Ada Okonkwo, Bo Chen"],
    ]

    def sheet(cv: str, posts: str, mentors: str) -> list[list]:
        return [
            HEADER,
            ["Ada Okonkwo", "Rewrite CV", "2-wk", "work", cv, None, D(2026, 11, 3)],
            ["Ada Okonkwo", "Publish 3 posts", "Q", "work", posts, "30%", D(2026, 12, 31)],
            ["Ada Okonkwo", "Call mentors", "2-wk", "work", mentors, None, D(2026, 12, 1)],
            ["Bo Chen", "Find a studio", "2-wk", "work", "", None, D(2026, 12, 1)],
        ]

    club.write(members=MEMBERS, goals=sheet("", "", ""), meetings=meetings[:2])
    assert club.run("record", env={"SHEETMENTOR_NOW": "2026-11-03T14:00"}).exit_code == 0
    club.write(members=MEMBERS, goals=sheet("", "", "done"), meetings=meetings)
    first = club.run("recap", env={"SHEETMENTOR_NOW": "2026-11-17T14:00"})
    assert "WINS\n  * Ada Okonkwo: Call mentors\n\n" in first.stdout
    assert club.run("record", env={"SHEETMENTOR_NOW": "2026-11-17T14:00"}).exit_code == 0
    club.write(members=MEMBERS, goals=sheet("done", "done", "done"), meetings=meetings)
    env = {"SHEETMENTOR_NOW": "2026-11-30T09:00"}
    agenda = club.run("agenda", env=env)
    assert agenda.exit_code == 0, agenda.stderr
    wins = section(agenda.stdout, "## Wins since Nov 17\n", "## ")
    assert wins.strip().split("\n") == [
        "- **Ada Okonkwo**: Rewrite CV",
        "- **Ada Okonkwo**: Publish 3 posts",
    ]
    recap = club.run("recap", "--meeting", "2026-11-17", env=env)
    assert recap.exit_code == 0, recap.stderr
    # the recap of Nov 17 tells what was done since Nov 3: Call mentors too
    wins = section(recap.stdout, "WINS\n", "\n\n").split("\n")
    assert wins == [
        f"  * Ada Okonkwo: {goal}" for goal in ("Rewrite CV", "Publish 3 posts", "Call mentors")
    ]
