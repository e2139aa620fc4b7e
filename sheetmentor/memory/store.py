"""The history store: ``<state>/history.sqlite3``, a snapshot of every goal each time the sheet
is recorded, and the migrations that keep old files readable.

Store layout (schema version 2)
-------------------------------
One row per *goal version*, valid from the snapshot that first saw it until the snapshot that saw
it change or disappear (``valid_to``, exclusive; NULL while current). An unchanged goal costs
nothing per snapshot, so 12 meetings of 100,000 goals of which 5% change each time hold ~145,000
rows instead of 1.2 million; each row carries the goal's identity key and a hash of its state, so
recording compares hashes instead of cells. Member rosters are stored once per distinct roster.
Each snapshot also keeps when the sheet was last seen unchanged (``seen_to``, version 2), so the
store knows whether it saw the sheet at a meeting (:meth:`HistoryStore.baseline`). Times are the
clock's (:func:`sheetmentor.clock.now`), never an ``--as-of``.
``PRAGMA user_version`` is the schema version; :data:`MIGRATIONS` is the ordered list of steps
from each version to the next, run in one transaction on open. The file is in WAL mode with
``synchronous=NORMAL``: a power cut may lose the last snapshot, never corrupt the earlier ones,
and the next run records the sheet again.

Dates in the store are days since 1970-01-01, timestamps ISO 8601 in UTC.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sheetmentor import clock
from sheetmentor.errors import HistoryError, HistoryVersionError
from sheetmentor.memory.identity import (
    DATE_COLUMNS,
    STATE_COLUMNS,
    VOCABULARIES,
    differs,
    goal_state,
    identify,
)
from sheetmentor.privacy import is_private_text, private_mask
from sheetmentor.schedule import Meeting, Schedule
from sheetmentor.sheet.normalize import Club
from sheetmentor.storage import StateFile, foreign_tables, open_database, state_folder

HISTORY_NAME = "history.sqlite3"


# -- migrations ---------------------------------------------------------------------------------


def _create_v1(db: sqlite3.Connection) -> None:
    """Version 0 → 1: the snapshot and goal-version tables."""
    for statement in (
        """
        CREATE TABLE rosters (
            id      INTEGER PRIMARY KEY,
            digest  TEXT NOT NULL UNIQUE,
            members TEXT NOT NULL              -- JSON [[name, active], ...] in sheet order
        )
        """,
        """
        CREATE TABLE snapshots (
            id        INTEGER PRIMARY KEY,
            taken_at  TEXT NOT NULL,           -- ISO 8601, UTC
            period    TEXT,                    -- the last meeting by then (ISO date), or NULL
            digest    TEXT NOT NULL,           -- content hash of goals and roster
            roster_id INTEGER NOT NULL REFERENCES rosters (id),
            goals     INTEGER NOT NULL         -- how many goals the sheet had
        )
        """,
        "CREATE INDEX snapshots_period ON snapshots (period, id)",
        """
        CREATE TABLE versions (
            vid           INTEGER PRIMARY KEY,
            key           TEXT NOT NULL,       -- the goal's identity (see memory.identity)
            valid_from    INTEGER NOT NULL REFERENCES snapshots (id),
            valid_to      INTEGER REFERENCES snapshots (id),  -- exclusive; NULL while current
            member        TEXT,
            goal          TEXT,
            tier          TEXT,
            category      TEXT,
            status        TEXT,
            progress      REAL,
            set_day       INTEGER,             -- days since 1970-01-01
            due_day       INTEGER,
            completed_day INTEGER,
            notes         TEXT,
            goal_id       TEXT,                -- the sheet's ID cell
            natural       TEXT,                -- natural key, when it differs from key
            rowhash       INTEGER NOT NULL,    -- hash of the goal's state columns
            seq           INTEGER              -- vid of the goal's first version; NULL: this one
        )
        """,
        "CREATE INDEX versions_current ON versions (vid) WHERE valid_to IS NULL",
    ):
        db.execute(statement)


def _add_seen_to(db: sqlite3.Connection) -> None:
    """Version 1 → 2: when each snapshot was last seen unchanged, so that the store knows whether
    it saw the sheet at a meeting (:meth:`HistoryStore.baseline`)."""
    db.execute("ALTER TABLE snapshots ADD COLUMN seen_to TEXT")  # NULL: seen at taken_at only


def _add_private_keys(db: sqlite3.Connection) -> None:
    """Version 2 → 3: the identity keys of every goal ever recorded private, so that a goal once
    private stays private in every later mention (its removal, a rewording, a cleared Private
    cell). Goals whose text starts with 🔒 are known private from the versions already stored;
    a Private column was not stored before this version."""
    db.execute("CREATE TABLE private_keys (key TEXT PRIMARY KEY)")
    keys = {
        key
        for key, goal in db.execute("SELECT key, goal FROM versions WHERE goal IS NOT NULL")
        if is_private_text(goal)
    }
    db.executemany("INSERT INTO private_keys (key) VALUES (?)", ((key,) for key in sorted(keys)))


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _create_v1,
    _add_seen_to,
    _add_private_keys,
]
"""``MIGRATIONS[n]`` upgrades a store from schema version ``n`` to ``n + 1``; the last index + 1 is
the version this sheetmentor writes. Append, never edit: files in the field went through the old
steps already."""


def schema_version() -> int:
    """The schema version this sheetmentor writes (the number of migrations)."""
    return len(MIGRATIONS)


def _roster(members: pd.DataFrame) -> list[list[Any]]:
    if members.empty:
        return []
    return [[str(n), bool(a)] for n, a in zip(members["name"], members["active"], strict=True)]


def _row_hashes(state: pd.DataFrame) -> np.ndarray:
    """A 64-bit hash of each goal's :data:`STATE_COLUMNS` (as signed integers, for SQLite).

    ``pandas.util.hash_pandas_object`` is stable across runs; should a pandas upgrade ever change
    it, the next snapshot stores every goal once more — wasteful once, never wrong."""
    hashed = pd.util.hash_pandas_object(state[list(STATE_COLUMNS)], index=False).to_numpy()
    return hashed.view(np.int64)


def _digest(hashes: np.ndarray, roster: list[list[Any]], private: np.ndarray) -> str:
    """A content hash of goals, their privacy and the roster. Row hashes are sorted first, so
    re-sorting the sheet is no change; equal digests mean nothing to record, without reading the
    store back."""
    digest = hashlib.sha256(np.sort(hashes).tobytes())
    digest.update(np.sort(hashes[private]).tobytes())
    digest.update(json.dumps([list(STATE_COLUMNS), roster], ensure_ascii=False).encode())
    return digest.hexdigest()


# -- the store ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One recorded state of the sheet."""

    id: int
    taken_at: dt.datetime
    """When it was recorded (aware, UTC)."""
    period: dt.date | None
    """The date of the last meeting that had ended by ``taken_at`` (:func:`period_for`)."""
    goals: int
    digest: str
    seen_to: dt.datetime
    """The last time the sheet was seen exactly so (``taken_at`` if never again)."""


@dataclass(frozen=True, slots=True)
class Baseline:
    """The recorded state a "since the meeting" claim compares with (:meth:`HistoryStore.baseline`).

    ``at_meeting`` is True only when the history holds the sheet as it was at the meeting: seen on
    the meeting's day (club time), after it ended, or before it on that day, or unchanged across
    it. Otherwise ``since`` is the day the compared state was seen instead, and every claim says
    that day, not the meeting's.
    """

    snapshot: Snapshot
    meeting: dt.date
    since: dt.date
    at_meeting: bool
    first_seen: dt.date
    """The day sheetmentor first saw the sheet (the history's first snapshot), club time."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "meeting": self.meeting,
            "since": self.since,
            "at_meeting": self.at_meeting,
            "first_seen": self.first_seen,
        }


def period_for(schedule: Schedule, taken_at: dt.datetime) -> dt.date | None:
    """The ``period`` to record a snapshot under: the last meeting that *ended* by ``taken_at``
    (as :meth:`Schedule.last_ended` says), None before the first one.

    The end, not the day, counts: a snapshot taken the morning of a meeting, or while it runs,
    still belongs to the previous period, so the first one after the meeting — the recap run's —
    is the state that stands for it.
    """
    ended = schedule.last_ended(taken_at)
    return ended.date if ended else None


def meeting_day(meeting: Meeting) -> tuple[dt.datetime, dt.datetime]:
    """The instants the meeting's day spans, club time: from the start of the club day it
    starts on to the end of the club day it ends on. A sheet seen within them, after the meeting
    or before, is the sheet at that meeting (:meth:`HistoryStore.baseline`): a meeting at 23:30
    ends after midnight, and the recap run's sighting then is still the sheet at that meeting."""
    zone = meeting.end.tzinfo
    assert zone is not None  # a Meeting's times are aware
    last_day = clock.club_day(meeting.end, zone)
    return clock.day_start(meeting.date, zone), clock.day_start(
        last_day + dt.timedelta(days=1), zone
    )


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


class HistoryStore(StateFile):
    """The meeting memory of one state folder; open with :meth:`open`, use as a context manager.

    ``created`` is True when the file did not exist (first run, or someone deleted it): history
    starts over, and a caller that expected history should log a warning.
    ``migrated_from`` is the schema version the file had before this open upgraded it, or None.
    With ``read_only`` (previews), a file of an older schema (or an empty one) is upgraded in a
    copy in memory, never on disk: only a run that records writes the file.
    """

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.migrated_from: int | None = None
        self._cache: dict[int, pd.DataFrame] = {}
        self._snapshots: list[Snapshot] | None = None
        self._db: sqlite3.Connection | None = None
        try:
            self.created = str(path) == ":memory:" or (
                not self.path.exists() or self.path.stat().st_size == 0
            )
            self._db = open_database(self.path, synchronous="NORMAL", read_only=read_only)
            if read_only and self.version != schema_version():
                self._db = self._copy_in_memory(self._db)
                self._migrate()
            elif not read_only:
                self._migrate()
            if not self.created:
                self._check()
        except sqlite3.OperationalError as error:
            self._close_quietly()
            raise HistoryError(f"cannot open the history store {self.path}: {error}") from None
        except sqlite3.DatabaseError as error:
            self._close_quietly()
            raise HistoryError(
                f"{self.path} is not a sheetmentor history store ({error}); move it away and "
                f"the next run starts the history over"
            ) from None
        except OSError as error:
            self._close_quietly()
            raise HistoryError(
                f"cannot open the history store {self.path}: {error.strerror}"
            ) from None
        except BaseException:
            self._close_quietly()
            raise

    @staticmethod
    def _copy_in_memory(db: sqlite3.Connection) -> sqlite3.Connection:
        """The database of ``db`` copied into memory, ``db`` closed."""
        memory = open_database(":memory:", synchronous="NORMAL")
        try:
            db.backup(memory)
        finally:
            db.close()
        return memory

    def _close_quietly(self) -> None:
        if self._db is not None:
            self._db.close()

    @classmethod
    def open(cls, state_dir: Path, *, create: bool = True) -> HistoryStore:
        """Open ``<state_dir>/history.sqlite3``, creating folder and file if needed.

        With ``create=False`` (previews, which must not write anything), a missing file opens an
        empty store in memory instead: every read finds no history and ``created`` is True; an
        existing file is read as is, upgraded in memory when its schema is older.
        """
        state_dir = Path(state_dir)
        path = state_dir / HISTORY_NAME
        try:
            if not create and not path.exists():
                if state_dir.exists() and not state_dir.is_dir():
                    state_folder(state_dir)  # the same message as when creating it
                store = cls(Path(":memory:"))
                store.path, store.created = path, True
                return store
            state_folder(state_dir)  # created 0700; the file is created 0600 on open
        except OSError as error:
            raise HistoryError(
                f"cannot open the history store {path}: {error.strerror} (is the state "
                f"folder someone else's?)"
            ) from None
        return cls(path, read_only=not create)

    def _migrate(self) -> None:
        target = schema_version()
        with self._transaction():
            foreign = foreign_tables(self._db, ("rosters", "snapshots", "versions", "private_keys"))
            if foreign:
                raise sqlite3.DatabaseError(
                    f"it holds tables sheetmentor does not write: {', '.join(foreign[:5])}"
                )
            version = self.version
            if version > target:
                raise HistoryVersionError(
                    f"{self.path} was written by a newer sheetmentor (history version {version}; "
                    f"this one reads up to {target}): upgrade sheetmentor, or move the file away "
                    f"to start the history over"
                )
            for step in range(version, target):
                MIGRATIONS[step](self._db)
                self._db.execute(f"PRAGMA user_version = {step + 1}")
        if version < target and not self.created:
            self.migrated_from = version

    def _check(self) -> None:
        """Read every page once (``PRAGMA quick_check``), so that a truncated or damaged file
        is reported now, with its name, instead of half-way through a command."""
        problem = self._db.execute("PRAGMA quick_check(1)").fetchone()[0]
        if problem != "ok":
            raise sqlite3.DatabaseError(problem)

    @property
    def version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    # -- writing --------------------------------------------------------------------------------

    def record(self, club: Club, *, taken_at: dt.datetime, period: dt.date | None) -> bool:
        """Store the state of ``club``'s goals (and roster) as a snapshot; False if unchanged.

        ``period`` is the date of the last meeting by ``taken_at`` (:func:`period_for`), None
        before the first meeting. Nothing is stored when goals and roster are identical to the
        latest snapshot — an hourly cron over an untouched sheet adds nothing — and otherwise only
        the goals that changed get a new version row. History only grows forward: a snapshot
        taken before the latest one is refused (:class:`HistoryError`), because the sheet's
        present cannot stand for the past.
        """
        taken_at = clock.instant(taken_at, "taken_at")  # a naive one: NaiveTimeError
        try:
            return self._record(club, taken_at, period)
        finally:
            self._snapshots = None

    def _record(self, club: Club, taken_at: dt.datetime, period: dt.date | None) -> bool:
        state = goal_state(club.goals)
        hashes = _row_hashes(state)
        roster = _roster(club.members)
        private = private_mask(club)
        digest = _digest(hashes, roster, private)
        with self._transaction():
            last = self.latest_snapshot()
            if last is not None:
                if taken_at < last.taken_at:
                    raise HistoryError(
                        f"the history already has a snapshot from {last.taken_at.isoformat()}; "
                        f"a snapshot taken at {taken_at.isoformat()} would rewrite the past"
                    )
                if last.digest == digest:
                    self._seen(last, taken_at)
                    return False
            previous = self.identities()
            state = identify(state, previous).assign(rowhash=hashes)
            self._db.executemany(
                "INSERT OR IGNORE INTO private_keys (key) VALUES (?)",
                ((key,) for key in state.loc[private, "key"]),
            )
            roster_id = self._roster_id(roster)
            merged = state.merge(
                previous[["key", "vid", "rowhash", "natural", "seq"]],
                on="key",
                how="left",
                suffixes=("", "_old"),
            )  # a left join keeps the sheet's order for the rows written
            present = merged["vid"].notna().to_numpy()
            changed = present & (
                (merged["rowhash"].to_numpy() != merged["rowhash_old"].to_numpy())
                | differs(merged["natural"], merged["natural_old"])
            )
            new_rows = merged[changed | ~present]
            removed = previous.loc[~previous["key"].isin(state["key"]).to_numpy(), "vid"]
            closed = [*merged.loc[changed, "vid"], *removed]
            if (
                last is not None
                and new_rows.empty
                and not closed
                and roster_id == self._last_roster_id()
            ):
                # same content under a different digest (a pandas upgrade hashing differently):
                # remember the new digest so the next run takes the fast path again
                self._db.execute("UPDATE snapshots SET digest = ? WHERE id = ?", (digest, last.id))
                self._seen(last, taken_at)
                return False
            snapshot = self._db.execute(
                "INSERT INTO snapshots (taken_at, period, digest, roster_id, goals)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    _iso(taken_at),
                    period.isoformat() if period else None,
                    digest,
                    roster_id,
                    len(state),
                ),
            ).lastrowid
            self._db.executemany(
                "UPDATE versions SET valid_to = ? WHERE vid = ?",
                ((snapshot, int(vid)) for vid in closed),
            )
            self._insert_versions(new_rows, snapshot)
        self._cache.clear()
        return True

    def _seen(self, snapshot: Snapshot, moment: dt.datetime) -> None:
        """The sheet was seen unchanged at ``moment``: extend ``snapshot``'s sighting."""
        if moment > snapshot.seen_to:
            self._db.execute(
                "UPDATE snapshots SET seen_to = ? WHERE id = ?", (_iso(moment), snapshot.id)
            )

    def _roster_id(self, roster: list[list[Any]]) -> int:
        text = json.dumps(roster, ensure_ascii=False)
        digest = hashlib.sha256(text.encode()).hexdigest()
        self._db.execute(
            "INSERT OR IGNORE INTO rosters (digest, members) VALUES (?, ?)", (digest, text)
        )
        return self._db.execute("SELECT id FROM rosters WHERE digest = ?", (digest,)).fetchone()[0]

    def _last_roster_id(self) -> int | None:
        row = self._db.execute(
            "SELECT roster_id FROM snapshots ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return None if row is None else row[0]

    def _insert_versions(self, rows: pd.DataFrame, snapshot: int) -> None:
        def text(name: str) -> list[Any]:
            column = rows[name].astype(object)
            return column.where(column.notna(), None).tolist()

        def days(name: str) -> list[Any]:
            values = rows[name].to_numpy(dtype="datetime64[ns]")
            numbers = values.astype("datetime64[D]").astype(np.int64).astype(object)
            numbers[np.isnat(values)] = None
            return numbers.tolist()

        progress = rows["progress"].astype(object)
        natural = rows["natural"].to_numpy(dtype=object)
        natural = np.where(natural == rows["key"].to_numpy(dtype=object), None, natural)
        columns = [
            rows["key"].tolist(),
            [snapshot] * len(rows),
            text("member"),
            text("goal"),
            text("tier"),
            text("category"),
            text("status"),
            progress.where(progress.notna(), None).tolist(),
            days("set"),
            days("due"),
            days("completed"),
            text("notes"),
            text("id"),
            natural.tolist(),
            rows["rowhash"].astype(np.int64).tolist(),
            _integers(rows["seq"]),
        ]
        self._db.executemany(
            "INSERT INTO versions (key, valid_from, member, goal, tier, category, status, "
            "progress, set_day, due_day, completed_day, notes, goal_id, natural, rowhash, seq)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            zip(*columns, strict=True),
        )

    # -- reading --------------------------------------------------------------------------------

    def private_keys(self) -> frozenset[str]:
        """The identity keys of every goal ever recorded private."""
        return frozenset(key for (key,) in self._db.execute("SELECT key FROM private_keys"))

    def private_texts(self) -> frozenset[tuple[str, str]]:
        """(member, goal text) of every recorded wording of a goal ever recorded private —
        wordings from before it was made private too: once private, every mention is."""
        rows = self._db.execute(
            "SELECT DISTINCT v.member, v.goal FROM versions v JOIN private_keys p ON p.key = v.key"
            " WHERE v.member IS NOT NULL AND v.goal IS NOT NULL"
        )
        return frozenset((str(member), str(goal)) for member, goal in rows)

    def snapshots(self) -> list[Snapshot]:
        """Every snapshot, oldest first (read once per open store and recording)."""
        if self._snapshots is None:
            self._snapshots = [
                _snapshot(row) for row in self._db.execute(f"{_SNAPSHOT_SQL} ORDER BY id")
            ]
        return list(self._snapshots)

    def latest_snapshot(self) -> Snapshot | None:
        row = self._db.execute(f"{_SNAPSHOT_SQL} ORDER BY id DESC LIMIT 1").fetchone()
        return None if row is None else _snapshot(row)

    def snapshot_at(self, meeting_date: dt.date) -> Snapshot | None:
        """The snapshot that stands for the sheet at the meeting on ``meeting_date``.

        The earliest snapshot of that meeting's period (typically the recap run's, right after
        the meeting: what members reported at it); else the latest one of an earlier period (the
        sheet did not change, or nothing was recorded since); None when history starts later.
        This goes by periods only: whatever a person reads ("since", streaks, history) goes
        through :meth:`baseline` and :meth:`held_at`, which also ask *when* the sheet was seen.
        """
        day = meeting_date.isoformat()
        row = self._db.execute(
            f"{_SNAPSHOT_SQL} WHERE period = ? ORDER BY id LIMIT 1", (day,)
        ).fetchone()
        if row is None:
            # Periods only go forward in normal use; should the schedule change under an existing
            # history, a snapshot recorded after a later period never stands for an earlier one.
            row = self._db.execute(
                f"{_SNAPSHOT_SQL} WHERE (period IS NULL OR period < ?) AND id < COALESCE("
                "(SELECT MIN(id) FROM snapshots WHERE period >= ?), 1 << 62)"
                " ORDER BY id DESC LIMIT 1",
                (day, day),
            ).fetchone()
        return None if row is None else _snapshot(row)

    def baseline(self, meeting: Meeting) -> Baseline | None:
        """The recorded state to compare the sheet with when saying what changed "since"
        ``meeting``; None when nothing was recorded yet.

        The history holds the sheet *at* the meeting (``at_meeting``) when sheetmentor saw it on
        the meeting's day, club time: first choice the first sighting after the meeting ended
        (the recap run's: what members reported at it), else the last one before it on that day;
        a state seen both before and after the meeting counts too. Otherwise the first state seen
        after the meeting stands in, with its own day as ``since`` (a club's first run days after
        a meeting: "first seen Nov 27"); with nothing seen after the meeting, the last state
        seen before it, again with its own day.
        """
        snapshots = self.snapshots()
        if not snapshots:
            return None
        zone = meeting.end.tzinfo
        day_start, day_end = meeting_day(meeting)
        after = next((s for s in snapshots if s.seen_to >= meeting.end), None)
        before = next((s for s in reversed(snapshots) if s.taken_at < meeting.end), None)
        if after is not None and after.taken_at < day_end:
            found, exact = after, True
        elif before is not None and before.seen_to >= day_start:
            found, exact = before, True
        elif after is not None:
            found, exact = after, False
        else:
            found, exact = before, False
        seen = found.taken_at if found is after else min(found.seen_to, meeting.end)
        return Baseline(
            snapshot=found,
            meeting=meeting.date,
            since=meeting.date if exact else clock.club_day(seen, zone),
            at_meeting=exact,
            first_seen=clock.club_day(snapshots[0].taken_at, zone),
        )

    def held_at(self, meeting: Meeting) -> Snapshot | None:
        """The snapshot that is the sheet as it was at ``meeting``, or None when the history
        does not hold it (:meth:`baseline` with ``at_meeting``): streaks, stale goals and
        completion at past meetings count only such meetings, so no meeting before the first
        snapshot ever shows."""
        found = self.baseline(meeting)
        return found.snapshot if found is not None and found.at_meeting else None

    def state(self, snapshot: Snapshot | int) -> pd.DataFrame:
        """The goals of one snapshot: :data:`STATE_COLUMNS` plus ``key`` and ``natural``, in the
        order the goals were first seen (the sheet's order, new goals after older ones)."""
        number = snapshot if isinstance(snapshot, int) else snapshot.id
        if number not in self._cache:
            self._cache[number] = self._load(
                "v.valid_from <= ? AND (v.valid_to IS NULL OR v.valid_to > ?)", (number, number)
            ).drop(columns=["vid"])
        return self._cache[number].copy()

    def latest(self) -> pd.DataFrame | None:
        """The goals of the latest snapshot, or None when nothing was recorded yet."""
        last = self.latest_snapshot()
        return None if last is None else self.state(last)

    def state_at(self, meeting_date: dt.date) -> pd.DataFrame | None:
        """The goals as they stood at the meeting on ``meeting_date`` (:meth:`snapshot_at`)."""
        snapshot = self.snapshot_at(meeting_date)
        return None if snapshot is None else self.state(snapshot)

    def roster(self, snapshot: Snapshot | int) -> pd.DataFrame:
        """Members (``name``, ``active``) in sheet order as of ``snapshot``."""
        number = snapshot if isinstance(snapshot, int) else snapshot.id
        row = self._db.execute(
            "SELECT r.members FROM snapshots s JOIN rosters r ON r.id = s.roster_id WHERE s.id = ?",
            (number,),
        ).fetchone()
        members = json.loads(row[0]) if row else []
        return pd.DataFrame(
            {
                "name": pd.Series([m[0] for m in members], dtype="str"),
                "active": pd.Series([bool(m[1]) for m in members], dtype=bool),
            }
        )

    def club_at(self, meeting_date: dt.date, name: str = "") -> Club | None:
        """A :class:`Club` as it stood at a meeting, for the analysis functions (goals and
        roster from the store; no meetings, no extra columns)."""
        snapshot = self.snapshot_at(meeting_date)
        return None if snapshot is None else self.club_of(snapshot, name)

    def club_of(self, snapshot: Snapshot | int, name: str = "") -> Club:
        """:meth:`club_at` for a known snapshot."""
        roster = self.roster(snapshot)
        members = roster.assign(
            email=pd.Series(np.nan, index=roster.index, dtype="str"),
            focus=pd.Series(np.nan, index=roster.index, dtype="str"),
            joined=pd.Series(pd.NaT, index=roster.index, dtype="datetime64[ns]"),
        )
        meetings = pd.DataFrame(
            {c: pd.Series(dtype=object) for c in ("date", "attended", "status")}
        )
        return Club(name=name, members=members, goals=self.state(snapshot), meetings=meetings)

    def first_snapshots(self) -> dict[str, int]:
        """Each goal identity's first snapshot (the id of the snapshot that first held it)."""
        rows = self._db.execute("SELECT key, MIN(valid_from) FROM versions GROUP BY key")
        return {str(key): int(first) for key, first in rows}

    def identities(self) -> pd.DataFrame:
        """The latest snapshot's goals, only as much as identity and change detection need:
        ``key, natural, member, goal, id`` plus the version's ``vid``, ``rowhash`` and ``seq``."""
        return self._load("v.valid_to IS NULL", (), _IDENTITY_COLUMNS)

    def _load(
        self,
        where: str,
        params: tuple[Any, ...],
        columns: tuple[str, ...] | None = None,
    ) -> pd.DataFrame:
        """Version rows as a frame with the dtypes of :func:`goal_state` (column by column:
        ``DataFrame.from_records`` would box every cell)."""
        columns = columns or (*STATE_COLUMNS, "key", "natural", "vid")
        sql = ", ".join(_SQL_COLUMNS[c] for c in columns)
        rows = self._db.execute(
            f"SELECT {sql} FROM versions v WHERE {where} ORDER BY COALESCE(v.seq, v.vid)",
            params,
        ).fetchall()
        cells = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
        data: dict[str, Any] = {}
        for name, values in zip(columns, cells, strict=True):
            array = np.array(values, dtype=object)
            if name in DATE_COLUMNS:
                days = np.array(values, dtype=float)
                stamps = np.full(len(days), np.datetime64("NaT"), dtype="datetime64[ns]")
                known = ~np.isnan(days)
                stamps[known] = days[known].astype(np.int64).astype("datetime64[D]")
                data[name] = stamps
            elif name == "progress":
                data[name] = np.array(values, dtype=float)
            elif name in VOCABULARIES:
                data[name] = pd.Categorical(array, categories=VOCABULARIES[name])
            elif name in ("vid", "rowhash", "seq"):
                data[name] = np.array(values, dtype=np.int64)
            else:
                data[name] = pd.Series(array, dtype="str")
        return pd.DataFrame(data, index=pd.RangeIndex(len(rows)))


def _integers(column: pd.Series) -> list[int | None]:
    values = column.to_numpy(dtype=float)
    known = ~np.isnan(values)
    out = np.full(len(values), None, dtype=object)
    out[known] = values[known].astype(np.int64)
    return out.tolist()


_SNAPSHOT_SQL = (
    "SELECT id, taken_at, period, goals, digest, COALESCE(seen_to, taken_at) FROM snapshots"
)
_SQL_COLUMNS = {
    "member": "v.member",
    "goal": "v.goal",
    "tier": "v.tier",
    "category": "v.category",
    "status": "v.status",
    "progress": "v.progress",
    "set": "v.set_day",
    "due": "v.due_day",
    "completed": "v.completed_day",
    "notes": "v.notes",
    "id": "v.goal_id",
    "key": "v.key",
    "natural": "COALESCE(v.natural, v.key)",
    "vid": "v.vid",
    "rowhash": "v.rowhash",
    "seq": "COALESCE(v.seq, v.vid)",
}
_IDENTITY_COLUMNS = ("key", "natural", "member", "goal", "id", "vid", "rowhash", "seq")


def _snapshot(row: tuple[Any, ...]) -> Snapshot:
    return Snapshot(
        id=row[0],
        taken_at=dt.datetime.fromisoformat(row[1]),
        period=dt.date.fromisoformat(row[2]) if row[2] else None,
        goals=row[3],
        digest=row[4],
        seen_to=dt.datetime.fromisoformat(row[5]),
    )


def current_state(club: Club, store: HistoryStore | None = None) -> pd.DataFrame:
    """The sheet's goals now, with identities chained from the store's latest snapshot.

    Identify against the *latest* snapshot, not the one you compare with: identities chain from
    snapshot to snapshot (see memory.identity), so only the latest knows every rewording so far.
    """
    previous = store.identities() if store is not None else None
    return identify(goal_state(club.goals), previous)
