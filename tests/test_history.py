"""Meeting memory: a season of sheet versions recorded after each meeting, and what it tells.

The ``season`` fixture writes six versions of a real workbook (five recorded right after meetings
#1–#5, the sixth the sheet as it stands a week later), so every test reads the same history:

    M1 Sep 8   V1  four members, ten goals
    M2 Sep 22  V2  Ada and Bo finish their sprint goals, Ada adds one, progress on a quarterly
    M3 Oct 6   V3  header "Status" renamed "Done?"; a goal dropped, one re-scoped (tier, due),
                   one reworded slightly, a finished row deleted, goals added
    M4 Oct 20  V4  an ID column appears; a goal rewritten (a new goal), a due date moved,
                   Cy leaves (Active: no), Di changes nothing
    M5 Nov 3   V5  the goal with ID A-7 is rewritten entirely (same goal) and done
    (Nov 10)   V6  not recorded: Ada moves a goal forward
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import ClubFolder

from sheetmentor import load_config, read_club
from sheetmentor.analysis import attendance, completion_by_tier
from sheetmentor.config import Config
from sheetmentor.errors import HistoryError, HistoryVersionError, SheetmentorError
from sheetmentor.memory import (
    HISTORY_NAME,
    HistoryStore,
    changes_since,
    club_health,
    completion_history,
    current_state,
    goal_state,
    identify,
    meeting_memory,
    period_for,
    stale,
    streaks,
)
from sheetmentor.plain import to_json
from sheetmentor.render.contexts import schedule_for
from sheetmentor.schedule import Schedule
from sheetmentor.sheet.normalize import Club

D = dt.date
M1, M2, M3, M4, M5, M6 = (D(2026, 9, 8), D(2026, 9, 22), D(2026, 10, 6), D(2026, 10, 20),
                          D(2026, 11, 3), D(2026, 11, 17))  # fmt: skip
ADA, BO, CY, DI = "Ada Okonkwo", "Bo Chen", "Cy Diallo", "Di Evans"
ACTIVE_NOW = [ADA, BO, DI]

MEMBERS = [
    ["Name", "Email", "Active", "Joined"],
    [ADA, "ada@example.org", "yes", D(2026, 1, 10)],
    [BO, "bo@example.org", "yes", None],
    [CY, "cy@example.org", "yes", None],
    [DI, "di@example.org", "yes", D(2026, 9, 20)],
]
CY_LEFT = [row if row[0] != CY else [CY, "cy@example.org", "no", None] for row in MEMBERS]
HEADER = ["Member", "Goal", "Tier", "Category", "Status", "Progress", "Due"]

V1 = [
    [ADA, "Rewrite CV", "two-week", "work", "", None, D(2026, 9, 22)],
    [ADA, "Call two mentors", "2-wk", "work", "in progress", "20%", D(2026, 9, 22)],
    [ADA, "Publish 3 posts", "Q", "career", "", 0.25, D(2026, 12, 31)],
    [ADA, "Run a marathon", "1 year+", "life", "", None, None],
    [BO, "Find a studio space", "sprint", "work", "", None, D(2026, 9, 22)],
    [BO, "Learn to sail", "annual", "personal", "", None, None],
    [CY, "Apply to nursing school", "quarterly", "professional", "", "10%", None],
    [CY, "Read two books", "two-week", "personal", "", None, D(2026, 9, 22)],
    [DI, "Plan the garden", "two-week", "life", "", None, D(2026, 9, 22)],
    [DI, "Learn Italian", "long-term", "personal", "", None, None],
]
V2 = [
    [ADA, "Rewrite CV", "two-week", "work", "done", None, D(2026, 9, 22)],
    [ADA, "Call two mentors", "2-wk", "work", "✓", "20%", D(2026, 9, 22)],
    [ADA, "Publish 3 posts", "Q", "career", "", 0.5, D(2026, 12, 31)],
    [ADA, "Run a marathon", "1 year+", "life", "", None, None],
    [ADA, "Draft portfolio page", "two-week", "work", "", None, D(2026, 10, 6)],
    [BO, "Find a studio space", "sprint", "work", "done", None, D(2026, 9, 22)],
    [BO, "Learn to sail", "annual", "personal", "", None, None],
    [CY, "Apply to nursing school", "quarterly", "professional", "", "10%", None],
    [CY, "Read two books", "two-week", "personal", "", None, D(2026, 9, 22)],
    [DI, "Plan the garden", "two-week", "life", "done", None, D(2026, 9, 22)],
    [DI, "Learn Italian", "long-term", "personal", "", None, None],
]
V3 = [  # written under the header "Done?" instead of "Status"
    [ADA, "Rewrite CV", "two-week", "work", "done", None, D(2026, 9, 22)],
    [ADA, "Call two mentors", "2-wk", "work", "✓", "20%", D(2026, 9, 22)],
    [ADA, "Publish 3 posts", "Q", "career", "", 0.5, D(2026, 12, 31)],
    [ADA, "Run a marathon", "1 year+", "life", "dropped", None, None],
    [ADA, "Draft portfolio page", "two-week", "work", "done", None, D(2026, 10, 6)],
    [ADA, "Ask Dana for coffee", "two-week", "work", "", None, D(2026, 10, 20)],
    [BO, "Find a studio space", "sprint", "work", "done", None, D(2026, 9, 22)],
    [BO, "Learn to sail", "quarterly", "personal", "", None, D(2026, 12, 15)],
    [BO, "Sign the lease", "two-week", "work", "", None, D(2026, 10, 20)],
    [CY, "Apply to the nursing school", "quarterly", "professional", "", "10%", None],
    [CY, "Read two books", "two-week", "personal", "", None, D(2026, 9, 22)],
    [DI, "Learn Italian", "long-term", "personal", "", None, None],
    [DI, "Sketch garden plan", "two-week", "life", "", None, D(2026, 10, 6)],
]
V4 = [  # with an ID column (last)
    [ADA, "Rewrite CV", "two-week", "work", "done", None, D(2026, 9, 22), None],
    [ADA, "Call two mentors", "2-wk", "work", "✓", "20%", D(2026, 9, 22), None],
    [ADA, "Give a talk at PyCon", "Q", "career", "", None, D(2026, 12, 31), None],
    [ADA, "Run a marathon", "1 year+", "life", "dropped", None, None, None],
    [ADA, "Draft portfolio page", "two-week", "work", "done", None, D(2026, 10, 6), None],
    [ADA, "Ask Dana for coffee", "two-week", "work", "", None, D(2026, 10, 20), "A-7"],
    [ADA, "Update LinkedIn", "two-week", "work", "", None, D(2026, 11, 3), "A-8"],
    [BO, "Find a studio space", "sprint", "work", "done", None, D(2026, 9, 22), None],
    [BO, "Learn to sail", "quarterly", "personal", "", None, D(2027, 1, 15), None],
    [BO, "Sign the lease", "two-week", "work", "done", None, D(2026, 10, 20), None],
    [BO, "Visit 3 spaces", "two-week", "work", "", None, D(2026, 11, 3), None],
    [CY, "Apply to the nursing school", "quarterly", "professional", "", "10%", None, None],
    [CY, "Read two books", "two-week", "personal", "", None, D(2026, 9, 22), None],
    [DI, "Learn Italian", "long-term", "personal", "", None, None, None],
    [DI, "Sketch garden plan", "two-week", "life", "", None, D(2026, 10, 6), None],
]


def edit(rows: list[list[Any]], goal: str, **cells: Any) -> list[list[Any]]:
    """A copy of ``rows`` where the row of ``goal`` has new cells (by header name)."""
    names = [*HEADER, "ID"]
    out = []
    for row in rows:
        row = list(row)
        if row[1] == goal:
            for name, value in cells.items():
                row[names.index(name)] = value
        out.append(row)
    return out


V5 = edit(
    edit(
        edit(V4, "Ask Dana for coffee", Goal="Coffee with Dana (mentor)", Status="done"),
        "Update LinkedIn",
        Status="done",
    ),
    "Visit 3 spaces",
    Status="done",
)
V6 = edit(V5, "Give a talk at PyCon", Progress="30%")

ATTENDANCE = [
    [M1, f"{ADA}, {BO}, {CY}"],  # Di joined on Sep 20
    [M2, f"{ADA}, {BO}"],
    [M3, f"{ADA}, {BO}, {DI}"],
    [M4, None],  # nobody wrote down who came
    [M5, f"{ADA}, {BO}"],
]


def workbook(version: int) -> dict[str, list[list[Any]]]:
    goals = [V1, V2, V3, V4, V5, V6][version - 1]
    header = list(HEADER)
    if version >= 3:
        header[4] = "Done?"
    if version >= 4:
        header.append("ID")
    meetings = [["Date", "Attended"], *ATTENDANCE[: min(version, 5)]]
    return {
        "members": CY_LEFT if version >= 4 else MEMBERS,
        "goals": [header, *goals],
        "meetings": meetings,
    }


@dataclasses.dataclass
class Season:
    folder: ClubFolder
    config: Config
    clubs: dict[int, Club]
    schedule: Schedule
    state: Path

    def store(self) -> HistoryStore:
        return HistoryStore.open(self.state)

    def copy_state(self, target: Path) -> Path:
        shutil.copytree(self.state, target)
        return target


def after(day: dt.date, config: Config, hour: int = 14) -> dt.datetime:
    """A moment on ``day``, club time (meetings end at 13:00)."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=config.meetings.zone)


@pytest.fixture(scope="module")
def season(tmp_path_factory: pytest.TempPathFactory) -> Season:
    folder = ClubFolder(tmp_path_factory.mktemp("season"))
    clubs: dict[int, Club] = {}
    config: Config | None = None
    for version in range(1, 7):
        folder.write(**workbook(version))
        config = load_config(folder.config_path)
        club = read_club(config)
        assert not club.errors, club.errors
        clubs[version] = club
        if version <= 5:
            day = [M1, M2, M3, M4, M5][version - 1]
            schedule = schedule_for(config, club, day)
            taken_at = after(day, config)
            with HistoryStore.open(config.state) as store:
                assert store.created == (version == 1)
                assert store.record(club, taken_at=taken_at, period=period_for(schedule, taken_at))
    assert config is not None
    schedule = schedule_for(config, clubs[6], D(2026, 11, 10))
    return Season(folder, config, clubs, schedule, config.state)


@pytest.fixture
def store(season: Season) -> Iterator[HistoryStore]:
    with season.store() as opened:
        yield opened


def by_kind(changes: Any, member: str, kind: str) -> list[str]:
    return [c["goal"] for c in changes.to_dict()["members"][member][kind]]


# -- recording ----------------------------------------------------------------------------------


def test_one_snapshot_per_meeting_keyed_by_its_period(season: Season, store: HistoryStore) -> None:
    snapshots = store.snapshots()
    assert [s.period for s in snapshots] == [M1, M2, M3, M4, M5]
    assert [s.goals for s in snapshots] == [10, 11, 13, 15, 15]
    assert snapshots[0].taken_at == after(M1, season.config)
    assert (season.state / HISTORY_NAME).is_file()


def test_period_is_the_last_meeting_that_ended(season: Season) -> None:
    zone = season.config.meetings.zone
    assert period_for(season.schedule, dt.datetime(2026, 9, 8, 12, 30, tzinfo=zone)) is None
    assert period_for(season.schedule, dt.datetime(2026, 9, 8, 13, 0, tzinfo=zone)) == M1
    assert period_for(season.schedule, dt.datetime(2026, 10, 20, 12, 30, tzinfo=zone)) == M3


def test_an_unchanged_sheet_stores_nothing(season: Season, tmp_path: Path) -> None:
    state = season.copy_state(tmp_path / "state")
    club = season.clubs[5]
    shuffled = dataclasses.replace(club, goals=club.goals.iloc[::-1].reset_index(drop=True))
    with HistoryStore.open(state) as store:
        later = after(M5, season.config, hour=20)
        assert not store.record(club, taken_at=later, period=M5)
        assert not store.record(shuffled, taken_at=later, period=M5)  # sorting is no change
        assert len(store.snapshots()) == 5
        # a member leaving changes the roster, not the goals: that is recorded
        left = club.members.assign(active=club.members["active"] & (club.members["name"] != BO))
        assert store.record(dataclasses.replace(club, members=left), taken_at=later, period=M5)
        assert list(store.roster(store.latest_snapshot())["active"]) == [True, False, False, True]


def test_storage_keeps_one_row_per_goal_version(season: Season) -> None:
    with sqlite3.connect(season.state / HISTORY_NAME) as db:
        versions = db.execute("SELECT COUNT(*) FROM versions").fetchone()[0]
        current = db.execute("SELECT COUNT(*) FROM versions WHERE valid_to IS NULL").fetchone()[0]
        journal = db.execute("PRAGMA journal_mode").fetchone()[0]
    # 10 goals, then only what changed: V2 +6, V3 +7 (the renamed header changes nothing),
    # V4 +6 (an ID added to a goal makes a new version of it), V5 +3
    assert (versions, current) == (32, 15)
    assert sum(s.goals for s in HistoryStore.open(season.state).snapshots()) == 64
    assert journal == "wal"


def test_history_only_moves_forward(season: Season, tmp_path: Path) -> None:
    state = season.copy_state(tmp_path / "state")
    with HistoryStore.open(state) as store, pytest.raises(HistoryError, match="rewrite the past"):
        store.record(season.clubs[6], taken_at=after(M4, season.config), period=M4)


def test_state_read_back_equals_the_sheet(season: Season, store: HistoryStore) -> None:
    state = store.state_at(M4)
    assert state is not None
    sheet = goal_state(season.clubs[4].goals)
    columns = list(sheet.columns)
    ordered = state.set_index("natural").loc[current_state(season.clubs[4])["natural"]]
    pd.testing.assert_frame_equal(ordered[columns].reset_index(drop=True), sheet)


# -- state at a meeting -------------------------------------------------------------------------


def test_state_at_a_meeting(season: Season, tmp_path: Path) -> None:
    state = season.copy_state(tmp_path / "state")
    with HistoryStore.open(state) as store:
        assert store.state_at(D(2026, 8, 25)) is None  # before history began
        assert store.snapshot_at(M6).period == M5  # no snapshot yet: the latest before
        # an edit a day after M5 is recorded in M5's period; M5's state stays the first one
        store.record(season.clubs[6], taken_at=after(D(2026, 11, 4), season.config), period=M5)
        assert [s.period for s in store.snapshots()][-2:] == [M5, M5]
        at_m5 = store.state_at(M5)
        talk = at_m5[at_m5["goal"] == "Give a talk at PyCon"]
        assert list(talk["progress"]) == [0.0]
        assert store.snapshot_at(M6) == store.latest_snapshot()


def test_a_missing_store_starts_over(season: Season, tmp_path: Path) -> None:
    state = season.copy_state(tmp_path / "state")
    (state / HISTORY_NAME).unlink()
    with HistoryStore.open(state) as store:
        assert store.created and store.latest() is None and store.state_at(M5) is None
        assert store.record(season.clubs[6], taken_at=after(M5, season.config), period=M5)
    with HistoryStore.open(state) as store:
        assert not store.created and len(store.snapshots()) == 1


# -- migrations ---------------------------------------------------------------------------------


def test_a_version_0_file_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / HISTORY_NAME
    db = sqlite3.connect(path)  # a version 0 file: SQLite's, with none of our tables yet
    db.executescript("CREATE TABLE scratch (text TEXT); DROP TABLE scratch;")
    db.close()
    assert path.stat().st_size > 0
    with HistoryStore(path) as store:
        assert (store.created, store.migrated_from, store.version) == (False, 0, 3)
        assert store.snapshots() == []


def test_an_older_file_runs_only_the_newer_steps(
    season: Season, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sheetmentor.memory import store as store_module

    state = season.copy_state(tmp_path / "state")

    def add_labels(db: sqlite3.Connection) -> None:
        db.execute("ALTER TABLE snapshots ADD COLUMN label TEXT")
        db.execute("UPDATE snapshots SET label = 'meeting ' || period")

    monkeypatch.setattr(store_module, "MIGRATIONS", [*store_module.MIGRATIONS, add_labels])
    with HistoryStore.open(state) as store:
        assert (store.migrated_from, store.version) == (3, 4)
        assert len(store.snapshots()) == 5 and store.state_at(M3) is not None
        labels = [row[0] for row in store._db.execute("SELECT label FROM snapshots")]
    assert labels[0] == f"meeting {M1.isoformat()}"
    with HistoryStore.open(state) as store:
        assert store.migrated_from is None  # already there


def test_a_newer_file_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / HISTORY_NAME
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 7")
    db.close()
    with pytest.raises(HistoryVersionError, match="newer sheetmentor") as raised:
        HistoryStore(path)
    assert isinstance(raised.value, SheetmentorError) and "move the file away" in str(raised.value)


def test_a_file_that_is_not_a_store(tmp_path: Path) -> None:
    (tmp_path / HISTORY_NAME).write_bytes(b"this is a spreadsheet, honest" * 100)
    with pytest.raises(HistoryError, match="not a sheetmentor history store"):
        HistoryStore.open(tmp_path)


# -- identity -----------------------------------------------------------------------------------


def test_identity_rules(season: Season, store: HistoryStore) -> None:
    keys = {m: store.state_at(m).set_index("goal")["key"] for m in (M2, M3, M4, M5)}
    # slight rewording keeps the identity
    assert keys[M3]["Apply to the nursing school"] == keys[M2]["Apply to nursing school"]
    # an ID added to an unchanged goal keeps it, and then the ID wins over any rewording
    dana = keys[M3]["Ask Dana for coffee"]
    assert keys[M4]["Ask Dana for coffee"] == dana == keys[M5]["Coffee with Dana (mentor)"]
    # a rewrite is a new goal
    assert keys[M4]["Give a talk at PyCon"] not in set(keys[M3])
    assert keys[M4]["Update LinkedIn"] == "id:A-8"


def test_identity_matching_is_one_to_one_best_first() -> None:
    def goals(rows: list[tuple[str, str, str | None]]) -> pd.DataFrame:
        return goal_state(pd.DataFrame(rows, columns=["member", "goal", "id"]))

    before = identify(
        goals(
            [
                ("Ada", "Call two mentors this week", None),
                ("Ada", "Call two mentors next week", None),
                ("Ada", "Read a book", None),
                ("Ada", "Read a book", None),  # the same text twice: two goals
                ("Bo", "Write the Q3 report!", None),
                ("Bo", "Fix the bike", "B-1"),
                ("Bo", "Sell the car", "B-2"),
            ]
        )
    )
    assert list(before["key"])[2:4] == ["ada|read a book", "ada|read a book#2"]
    now = identify(
        goals(
            [
                ("Ada", "Call two mentors each week", None),  # 0.885 to both old ones...
                ("Ada", "Call two mentors this weekend", None),  # ...but 0.945 goes first
                ("Ada", "Call both mentors this week", None),  # 0.906, taken: a new goal
                ("Ada", "Read a book", None),
                ("Bo", "write teh Q3 report", None),  # a typo; case, punctuation don't count
                ("Bo", "Sell the car", "B-3"),  # a different ID is a different goal
                ("bo ", "Fix the bike", None),  # ID removed, text unchanged: same goal
            ]
        ),
        before,
    )
    assert list(now["key"]) == [
        "ada|call two mentors next week",
        "ada|call two mentors this week",
        "ada|call both mentors this week",
        "ada|read a book",
        "bo|write the q3 report",
        "id:B-3",
        "id:B-1",
    ]


# -- changes ------------------------------------------------------------------------------------


def test_changes_at_meeting_2(store: HistoryStore) -> None:
    changes = changes_since(store.state_at(M1), store.state_at(M2))
    assert by_kind(changes, ADA, "completed") == ["Rewrite CV", "Call two mentors"]
    assert by_kind(changes, ADA, "added") == ["Draft portfolio page"]
    (progress,) = changes.to_dict()["members"][ADA]["progress"]
    assert (progress["goal"], progress["from"], progress["to"]) == ("Publish 3 posts", 0.25, 0.5)
    assert by_kind(changes, BO, "completed") == ["Find a studio space"]
    assert by_kind(changes, DI, "completed") == ["Plan the garden"]
    assert changes.no_update == [CY]


def test_changes_at_meeting_3_with_a_renamed_header(store: HistoryStore) -> None:
    changes = changes_since(store.state_at(M2), store.state_at(M3))
    data = changes.to_dict()["members"]
    assert by_kind(changes, ADA, "dropped") == ["Run a marathon"]
    assert by_kind(changes, ADA, "completed") == ["Draft portfolio page"]  # not the done ones
    assert by_kind(changes, ADA, "added") == ["Ask Dana for coffee"]
    assert [(c["goal"], c["field"], c["from"], c["to"]) for c in data[BO]["rescoped"]] == [
        ("Learn to sail", "tier", "long-term", "quarterly"),
        ("Learn to sail", "due", None, D(2026, 12, 15)),
    ]
    (reworded,) = data[CY]["reworded"]
    assert (reworded["from"], reworded["to"]) == ("Apply to nursing school", reworded["goal"])
    assert data[CY]["added"] == [] and data[CY]["removed"] == []
    (removed,) = data[DI]["removed"]
    assert (removed["goal"], removed["status"]) == ("Plan the garden", "done")
    assert by_kind(changes, DI, "added") == ["Sketch garden plan"]
    assert changes.no_update == []
    assert changes.counts() == {
        "added": 3, "completed": 1, "reopened": 0, "dropped": 1, "removed": 1,
        "rescoped": 2, "progress": 0, "reworded": 1, "unread": 0,
    }  # fmt: skip


def test_changes_at_meeting_4_and_5(store: HistoryStore) -> None:
    changes = changes_since(store.state_at(M3), store.state_at(M4), members=ACTIVE_NOW)
    assert list(changes.to_dict()["members"]) == ACTIVE_NOW  # Cy left: not reported
    assert by_kind(changes, ADA, "removed") == ["Publish 3 posts"]
    assert by_kind(changes, ADA, "added") == ["Give a talk at PyCon", "Update LinkedIn"]
    assert by_kind(changes, BO, "completed") == ["Sign the lease"]
    due = changes.to_dict()["members"][BO]["rescoped"]
    assert [(c["from"], c["to"]) for c in due] == [(D(2026, 12, 15), D(2027, 1, 15))]
    assert changes.no_update == [DI]

    changes = changes_since(store.state_at(M4), store.state_at(M5), members=ACTIVE_NOW)
    assert by_kind(changes, ADA, "completed") == ["Coffee with Dana (mentor)", "Update LinkedIn"]
    (reworded,) = changes.to_dict()["members"][ADA]["reworded"]
    assert reworded["from"] == "Ask Dana for coffee"
    assert changes.no_update == [DI]


def test_changes_since_the_last_meeting_of_the_live_sheet(
    season: Season, store: HistoryStore
) -> None:
    now = current_state(season.clubs[6], store)
    changes = changes_since(store.state_at(M5), now, members=ACTIVE_NOW)
    assert changes.to_dict()["members"][ADA]["progress"][0]["to"] == 0.3
    assert changes.no_update == [BO, DI]
    # no history yet: everything is new
    first = changes_since(None, now)
    assert first.counts()["added"] == 15 and first.no_update == []
    shape = json.loads(to_json(changes.to_dict()))
    assert set(shape) == {
        "since", "meeting", "since_meeting", "first_seen", "members", "no_update", "counts",
    }  # fmt: skip
    assert set(shape["members"][ADA]) == {
        "updated", "added", "completed", "reopened", "dropped", "removed", "rescoped",
        "progress", "reworded", "unread",
    }  # fmt: skip


def test_stale_goals(season: Season, store: HistoryStore) -> None:
    now = current_state(season.clubs[6], store)
    now = now[now["member"].isin(ACTIVE_NOW)]
    held = [season.schedule.on(day) for day in (M1, M2, M3, M4, M5)]
    found = stale(store, held, now)
    assert [(r.member, r.goal, r.unchanged, r.since) for r in found.itertuples()] == [
        (BO, "Learn to sail", 5, M1),  # re-scoped twice, but never moved forward
        (DI, "Learn Italian", 5, M1),
        (DI, "Sketch garden plan", 3, M3),
    ]
    assert list(stale(store, held, now, min_meetings=4)["goal"]) == [
        "Learn to sail",
        "Learn Italian",
    ]


# -- streaks, history, attendance, health -------------------------------------------------------


def test_streaks(season: Season, store: HistoryStore) -> None:
    found = streaks(store, season.schedule, season.clubs[6], through=season.schedule.on(M5))
    assert set(found) == set(ACTIVE_NOW)  # Cy left
    # Ada: done at M5, not at M4 (coffee with Dana was late)
    assert (found[ADA].length, found[ADA].since, found[ADA].broken) == (1, M5, M4)
    # Bo: M2, M4, M5; nothing due at M3 or M1 neither breaks nor extends it
    assert (found[BO].length, found[BO].since, found[BO].last, found[BO].broken) == (
        3, M2, M5, None,
    )  # fmt: skip
    # Di: the garden sketch was due at M3 and is still open; nothing due since
    assert (found[DI].length, found[DI].last, found[DI].broken) == (0, M3, M3)


def test_a_recap_counts_its_own_meeting_from_the_live_sheet(season: Season, tmp_path: Path) -> None:
    state = tmp_path / "state"
    with HistoryStore.open(state) as store:
        for version, day in enumerate([M1, M2, M3, M4], start=1):
            store.record(season.clubs[version], taken_at=after(day, season.config), period=day)
        m5 = season.schedule.on(M5)
        stored = streaks(store, season.schedule, season.clubs[5], through=m5)
        seen = after(M5, season.config)
        live = streaks(store, season.schedule, season.clubs[5], through=m5, seen=seen)
        days_later = streaks(
            store, season.schedule, season.clubs[5], through=m5, seen=seen + dt.timedelta(days=3)
        )
    # the history does not hold M5 (nothing seen on its day), so the streak stops there; a
    # recap computed on M5's day before recording lets the live sheet stand for M5, but not a
    # recap run days later (the sheet may have changed since the meeting)
    assert (stored[BO].length, stored[BO].broken) == (0, None)
    assert (live[BO].length, live[BO].broken) == (3, None)
    assert (days_later[BO].length, days_later[BO].broken) == (0, None)


def test_completion_history_is_status_at_each_meeting(season: Season, store: HistoryStore) -> None:
    history = completion_history(store, season.schedule, 4, through=season.schedule.on(M5))
    assert list(history.index) == [M2, M3, M4, M5]
    for version, day in enumerate([M2, M3, M4, M5], start=2):
        tiers = completion_by_tier(season.clubs[version]).tiers
        for tier in ("two-week", "quarterly", "long-term"):
            row = history.loc[day, tier]
            assert list(row[["total", "done", "dropped"]]) == list(
                tiers.loc[tier, ["total", "done", "dropped"]]
            )
            assert row["rate"] == pytest.approx(tiers.at[tier, "rate"], nan_ok=True)
    assert history.loc[M2, ("two-week", "rate")] == pytest.approx(4 / 6)
    default = completion_history(store, season.schedule, 12)
    assert list(default.index) == [M1, M2, M3, M4, M5]

    from sheetmentor.memory import history_records

    records = history_records(history)
    assert records[0]["meeting"] == M2
    assert records[0]["tiers"]["two-week"] == {
        "total": 6, "done": 4, "dropped": 0, "rate": 0.6667, "progress": 0.6667,
    }  # fmt: skip
    json.loads(to_json(records))


def test_attendance(season: Season) -> None:
    frame = attendance(season.clubs[6], season.schedule, through=D(2026, 11, 10))
    assert list(frame.index) == ACTIVE_NOW
    assert frame.loc[ADA, ["meetings", "attended", "rate"]].tolist() == [4, 4, 1.0]
    # Di joined on Sep 20: Sep 8 does not count; Oct 20 has no attendance written down
    assert frame.loc[DI, ["meetings", "attended"]].tolist() == [3, 1]
    assert frame.at[DI, "last_attended"] == M3
    recent = attendance(season.clubs[6], season.schedule, through=D(2026, 11, 10), last_n=2)
    assert recent.loc[DI, ["meetings", "attended"]].tolist() == [2, 1]


def test_club_health(season: Season, store: HistoryStore) -> None:
    health = club_health(season.clubs[6], season.schedule, store, D(2026, 11, 10), cap=2)
    assert health.meeting == M6
    assert health.attendance_rate == pytest.approx(9 / 11)
    assert health.carried == 1 and list(health.carried_goals["goal"]) == ["Sketch garden plan"]
    assert list(health.carried_goals["carried"]) == [3]
    assert health.no_update == [BO, DI]
    assert (health.active, health.cap, health.over_cap) == (3, 2, True)
    data = json.loads(to_json(health.to_dict()))
    assert data["attendance"][DI] == {
        "meetings": 3, "attended": 1, "rate": 0.3333, "last_attended": "2026-10-06",
    }  # fmt: skip


def test_meeting_memory_for_an_agenda_and_a_recap(season: Season, store: HistoryStore) -> None:
    schedule, club = season.schedule, season.clubs[6]
    agenda = meeting_memory(
        store, club, schedule, schedule.on(M6), kind="agenda", as_of=D(2026, 11, 10), cap=10
    )
    assert agenda.baseline.since == M5 and agenda.baseline.at_meeting
    assert agenda.changes is not None
    assert agenda.changes.no_update == [BO, DI]
    assert agenda.streaks[BO].length == 3
    assert list(agenda.history.index)[-1] == M5
    data = json.loads(to_json(agenda.to_dict()))
    assert set(data) == {
        "meeting", "previous", "since", "since_meeting", "first_seen", "changes", "stale",
        "streaks", "history", "health", "started_over",
    }  # fmt: skip
    assert [s["goal"] for s in data["stale"]][:1] == ["Learn to sail"]

    recap = meeting_memory(
        store, season.clubs[5], schedule, schedule.on(M5), kind="recap", as_of=M5, cap=10
    )
    assert recap.baseline.since == M4
    assert by_kind(recap.changes, BO, "completed") == ["Visit 3 spaces"]
    since_m2 = meeting_memory(
        store, club, schedule, schedule.on(M6), kind="agenda", as_of=M6, cap=10,
        since=D(2026, 9, 30),
    )  # fmt: skip
    assert since_m2.baseline.since == M2
    assert by_kind(since_m2.changes, ADA, "dropped") == ["Run a marathon"]


def test_a_preview_opens_no_file(season: Season, tmp_path: Path) -> None:
    state = tmp_path / "state"
    with HistoryStore.open(state, create=False) as store:
        assert store.created and store.latest() is None
        memory = meeting_memory(
            store,
            season.clubs[6],
            season.schedule,
            season.schedule.on(M6),
            kind="agenda",
            as_of=D(2026, 11, 10),
            cap=10,
        )
    assert memory.changes is None and memory.started_over and memory.health.no_update is None
    assert not state.exists()


def test_what_changed_since_a_date(season: Season, store: HistoryStore) -> None:
    from sheetmentor.memory import what_changed

    club, schedule = season.clubs[6], season.schedule
    changes = what_changed(store, club, schedule, since=D(2026, 11, 10))  # between meetings
    assert changes is not None and changes.since == M5 and changes.no_update == [BO, DI]
    assert what_changed(store, club, schedule, since=D(2026, 9, 1)) is None  # before M1
