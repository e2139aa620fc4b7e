"""Meeting memory: what the sheet looked like at each meeting, and what changed since.

A spreadsheet only knows its present, yet accountability is about change over time: "you said
you would do X by today". sheetmentor therefore keeps a *history store*,
``<state>/history.sqlite3``, with a snapshot of every goal each time it records the sheet (the
recap run after a meeting does), and computes from it what changed since the last meeting, which
goals went stale, streaks, completion per meeting, attendance and club health.

Goal identity
-------------
A sheet has no stable row ids: members insert rows, sort, reword. sheetmentor recognizes a goal
across versions of the sheet — each new version against the latest recorded one — by these rules,
in order:

1. **Explicit ID.** When the goal's ``ID`` cell is filled, the ID is the goal's identity: the same
   ID is the same goal, whatever its text, tier or member; two different IDs are two goals. IDs
   compare exactly, ignoring surrounding spaces.
2. **Member and text.** Otherwise the goal is its member plus its *normalized* text: case folded,
   punctuation removed, runs of spaces collapsed ("Rewrite  CV!" is "rewrite cv"). Two equal goals
   of one member are told apart by their order in the sheet (so deleting the first of two equal
   goals hands its identity to the second: give such goals IDs, or different words).
3. **Slight rewording.** A goal that matches nothing in the previous snapshot keeps the identity of
   an unmatched goal of the *same member* in that snapshot when their normalized texts have a
   ``difflib.SequenceMatcher(None, old, new).ratio()`` of at least 0.85 ("Call two mentors" →
   "Call 2 mentors"). The best-scoring pairs are taken first and each goal matches at most one
   (ties go to sheet order). The same one-to-one pass also carries a goal over when an ID is
   added to it, or removed from it, without changing its text (a goal and its old self never both
   carry IDs — those would differ, see 1).
4. Anything else is a new goal ("Call two mentors" → "Ask Dana to lunch"), and the old one is
   *removed*.

Identities chain from snapshot to snapshot, so a goal reworded a little at every meeting keeps its
identity even when its first and last wordings are far apart.

Store layout (schema version 1)
-------------------------------
One row per *goal version*, valid from the snapshot that first saw it until the snapshot that saw
it change or disappear (``valid_to``, exclusive; NULL while current). An unchanged goal costs
nothing per snapshot, so 12 meetings of 100,000 goals of which 5% change each time hold ~145,000
rows instead of 1.2 million; each row carries the goal's identity key and a hash of its state, so
recording compares hashes instead of cells. Member rosters are stored once per distinct roster.
``PRAGMA user_version`` is the schema version; :data:`MIGRATIONS` is the ordered list of steps
from each version to the next, run in one transaction on open. The file is in WAL mode with
``synchronous=NORMAL``: a power cut may lose the last snapshot, never corrupt the earlier ones,
and the next run records the sheet again.

Dates in the store are days since 1970-01-01, timestamps ISO 8601 in UTC.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import logging
import math
import re
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from .analysis import STAT_COLUMNS, completion_by_tier, goals_at_meeting, stats_dict
from .cadence import Meeting, Schedule
from .errors import SheetmentorError
from .schema import CATEGORIES, STATUSES, TIERS, Club, member_key
from .storage import StateFile, open_database

__all__ = [
    "CHANGE_KINDS",
    "FUZZY_THRESHOLD",
    "HISTORY_NAME",
    "MIGRATIONS",
    "STATE_COLUMNS",
    "Changes",
    "Health",
    "HistoryError",
    "HistoryStore",
    "HistoryVersionError",
    "MeetingMemory",
    "Snapshot",
    "Streak",
    "attendance",
    "changes_since",
    "club_health",
    "completion_history",
    "current_state",
    "goal_state",
    "history_records",
    "identify",
    "meeting_memory",
    "natural_keys",
    "normalize_goal_text",
    "period_for",
    "recall",
    "records",
    "remember",
    "schema_version",
    "stale",
    "streaks",
    "to_json",
    "what_changed",
]

_log = logging.getLogger("sheetmentor.history")

HISTORY_NAME = "history.sqlite3"
FUZZY_THRESHOLD = 0.85
"""Minimum ``difflib`` ratio for a reworded goal to keep its identity (see the module doc)."""

STATE_COLUMNS = (
    "member",
    "goal",
    "tier",
    "category",
    "status",
    "progress",
    "set",
    "due",
    "completed",
    "notes",
    "id",
)
"""What a snapshot keeps of each goal: every column of ``Club.goals`` that says what the goal *is*
and where it stands — not its place in the sheet, nor extra columns."""

_TEXT = ("member", "goal", "notes", "id")
_DATES = ("set", "due", "completed")
_VOCABULARIES = {"tier": TIERS, "category": CATEGORIES, "status": STATUSES}


class HistoryError(SheetmentorError):
    """The history store cannot be used as asked (exit 1): unreadable, or written out of order."""

    exit_code = 1


class HistoryVersionError(HistoryError):
    """The history file was written by a newer sheetmentor; this one will not guess its layout."""


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
            key           TEXT NOT NULL,       -- the goal's identity (module doc)
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


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_create_v1]
"""``MIGRATIONS[n]`` upgrades a store from schema version ``n`` to ``n + 1``; the last index + 1 is
the version this sheetmentor writes. Append, never edit: files in the field went through the old
steps already."""


def schema_version() -> int:
    """The schema version this sheetmentor writes (the number of migrations)."""
    return len(MIGRATIONS)


# -- goal state and identity --------------------------------------------------------------------


def goal_state(goals: pd.DataFrame) -> pd.DataFrame:
    """The :data:`STATE_COLUMNS` of a goals frame, with fixed dtypes and a fresh index.

    Fixed dtypes (``str`` text with NaN for blanks, categoricals over the schema's vocabularies,
    ``datetime64[ns]`` dates) make a frame read back from the store compare equal, cell for cell,
    to one read from the sheet, and let the analysis functions run on either.
    """
    n = len(goals)
    data: dict[str, Any] = {}
    for name in STATE_COLUMNS:
        column = (
            pd.Series(goals[name].to_numpy(), dtype=goals[name].dtype)
            if name in goals
            else pd.Series([None] * n, dtype=object)
        )
        if name in _TEXT:
            data[name] = column.astype(object).astype("str")
        elif name in _DATES:
            data[name] = pd.to_datetime(column, errors="coerce").astype("datetime64[ns]")
        elif name == "progress":
            data[name] = pd.to_numeric(column, errors="coerce").astype(float)
        else:
            data[name] = pd.Categorical(column.astype(object), categories=_VOCABULARIES[name])
    return pd.DataFrame(data, index=pd.RangeIndex(n))


_PUNCTUATION = re.compile(r"[^\w\s]|_")


def normalize_text(text: str) -> str:
    """Goal text as identity compares it: "Rewrite  the CV!" → "rewrite the cv"."""
    return " ".join(_PUNCTUATION.sub("", text.casefold()).split())


def _per_distinct(values: pd.Series, function: Callable[[str], str]) -> pd.Series:
    """``function`` of each text, computed once per distinct value (blank → "")."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[:-1] = [function(str(value)) for value in np.asarray(uniques, dtype=object).tolist()]
    mapped[-1] = ""
    return pd.Series(mapped[codes], index=values.index, dtype=object)


def normalize_goal_text(text: pd.Series) -> pd.Series:
    """:func:`normalize_text` of every goal, once per distinct text."""
    return _per_distinct(text, normalize_text)


def _member_keys(member: pd.Series) -> pd.Series:
    """:func:`sheetmentor.schema.member_key` of every cell, once per distinct name."""
    return _per_distinct(member, member_key)


def _ids(goals: pd.DataFrame) -> pd.Series:
    if "id" not in goals:
        return pd.Series(np.nan, index=goals.index, dtype="str")
    ids = _per_distinct(goals["id"], str.strip)
    return ids.where(ids.ne("")).astype("str")


def natural_keys(goals: pd.DataFrame) -> pd.Series:
    """Each goal's key by rules 1 and 2 of the module doc: ``id:ID`` or ``member|text``.

    A repeated key gets ``#2``, ``#3``… in sheet order, so keys are unique within a snapshot.
    """
    ids = _ids(goals)
    member = _member_keys(goals["member"]).to_numpy()
    base = member + "|" + normalize_goal_text(goals["goal"]).to_numpy()
    if ids.notna().any():
        has_id = ids.notna().to_numpy()
        base[has_id] = "id:" + ids[has_id].to_numpy(dtype=object)
    codes, uniques = pd.factorize(base)
    if len(uniques) < len(base):
        repeat = pd.Series(codes).groupby(codes, sort=False).cumcount().to_numpy()
        suffix = np.where(repeat > 0, "#" + (repeat + 1).astype(str).astype(object), "")
        base = base + suffix
    return pd.Series(base, index=goals.index, dtype="str")


def identify(
    goals: pd.DataFrame,
    previous: pd.DataFrame | None = None,
    *,
    threshold: float = FUZZY_THRESHOLD,
) -> pd.DataFrame:
    """``goals`` with ``natural`` and ``key`` (identity) columns, matched against ``previous``.

    ``previous`` is an earlier state with ``key`` and ``natural`` columns (a snapshot read from
    the store, or an earlier result of this function). Exact matches are joins; only goals left
    unmatched on both sides of one member are compared with ``difflib`` (module doc, rule 3).
    """
    natural = natural_keys(goals)
    frame = goals.assign(natural=natural.to_numpy())
    if previous is None or previous.empty:
        return frame.assign(key=natural.to_numpy())
    old = previous.reset_index(drop=True)
    by_natural = pd.Series(old["key"].to_numpy(), index=old["natural"].to_numpy())
    keys = natural.map(by_natural)
    open_new = keys.isna().to_numpy()
    if open_new.any():
        open_old = old[~old["key"].isin(keys.dropna())]
        if not open_old.empty:
            inherited = _pair(goals[open_new], open_old, threshold)
            positions = np.flatnonzero(open_new)
            keys.iloc[positions] = inherited.reindex(range(len(positions))).to_numpy()
    inherited_mask = keys.notna().to_numpy()
    keys = keys.where(keys.notna(), natural)
    return frame.assign(key=_unique(keys, inherited_mask).to_numpy())


def _pair(new: pd.DataFrame, old: pd.DataFrame, threshold: float) -> pd.Series:
    """Old keys for unmatched new goals (positional index into ``new``): exact text, then fuzzy.

    Both frames are the goals left unmatched by natural key; a pair where both carry an ID is
    never made (different IDs are different goals).
    """
    candidates = pd.DataFrame(
        {
            "member": _member_keys(new["member"]).to_numpy(),
            "text": normalize_goal_text(new["goal"]).to_numpy(),
            "has_id": _ids(new).notna().to_numpy(),
        }
    )
    previous = pd.DataFrame(
        {
            "member": _member_keys(old["member"]).to_numpy(),
            "text": normalize_goal_text(old["goal"]).to_numpy(),
            "has_id": _ids(old).notna().to_numpy(),
            "key": old["key"].to_numpy(),
        }
    )
    for side in (candidates, previous):
        side["nth"] = side.groupby(["member", "text"], sort=False).cumcount()
    exact = candidates.reset_index(names="position").merge(
        previous, on=["member", "text", "nth"], suffixes=("", "_old")
    )
    exact = exact[~(exact["has_id"] & exact["has_id_old"])]
    found = pd.Series(exact["key"].to_numpy(), index=exact["position"].to_numpy(), dtype=object)
    rest_new = candidates.drop(index=found.index)
    rest_old = previous[~previous["key"].isin(found.to_numpy())]
    shared = set(rest_new["member"]) & set(rest_old["member"])
    if not shared:
        return found
    olds: dict[str, list[tuple[str, bool, str]]] = {}
    for member, text, has_id, key in zip(
        rest_old["member"], rest_old["text"], rest_old["has_id"], rest_old["key"], strict=True
    ):
        if member in shared:
            olds.setdefault(member, []).append((text, bool(has_id), key))
    news: dict[str, list[tuple[int, str, bool]]] = {}
    for position, member, text, has_id in zip(
        rest_new.index, rest_new["member"], rest_new["text"], rest_new["has_id"], strict=True
    ):
        if member in shared:
            news.setdefault(member, []).append((int(position), text, bool(has_id)))
    fuzzy: dict[int, str] = {}
    for member, mine in news.items():
        fuzzy.update(_fuzzy(mine, olds[member], threshold))
    return pd.concat([found, pd.Series(fuzzy, dtype=object)])


def _fuzzy(
    new: list[tuple[int, str, bool]], old: list[tuple[str, bool, str]], threshold: float
) -> dict[int, str]:
    """One member's reworded goals: best ratio first, one-to-one, ties in sheet order."""
    scored: list[tuple[float, int, int]] = []
    for position, text, has_id in new:
        matcher = difflib.SequenceMatcher(None)
        matcher.set_seq2(text)  # seq2 is the one SequenceMatcher caches
        for j, (other, other_id, _) in enumerate(old):
            if has_id and other_id:
                continue
            matcher.set_seq1(other)
            if (
                matcher.real_quick_ratio() >= threshold
                and matcher.quick_ratio() >= threshold
                and (ratio := matcher.ratio()) >= threshold
            ):
                scored.append((ratio, position, j))
    scored.sort(key=lambda item: (-item[0], item[1], item[2]))
    taken_new: set[int] = set()
    taken_old: set[int] = set()
    pairs: dict[int, str] = {}
    for _, position, j in scored:
        if position not in taken_new and j not in taken_old:
            taken_new.add(position)
            taken_old.add(j)
            pairs[position] = old[j][2]
    return pairs


def _unique(keys: pd.Series, inherited: np.ndarray) -> pd.Series:
    """Inherited keys win; a new goal whose natural key an inherited one already uses gets
    ``#2``, ``#3``… (rare: a goal reworded back while its namesake was re-added)."""
    duplicated = keys.duplicated(keep=False).to_numpy() & ~inherited
    if not duplicated.any():
        return keys
    keys = keys.copy()
    used = set(keys[~duplicated])
    for position in np.flatnonzero(duplicated):
        key, n = keys.iat[position], 2
        candidate = key
        while candidate in used:
            candidate, n = f"{key}#{n}", n + 1
        keys.iat[position] = candidate
        used.add(candidate)
    return keys


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


def _digest(hashes: np.ndarray, roster: list[list[Any]]) -> str:
    """A content hash of goals and roster. Row hashes are sorted first, so re-sorting the sheet
    is no change; equal digests mean nothing to record, without reading the store back."""
    digest = hashlib.sha256(np.sort(hashes).tobytes())
    digest.update(json.dumps([list(STATE_COLUMNS), roster], ensure_ascii=False).encode())
    return digest.hexdigest()


def _differs(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Cell-wise "not equal", where two blanks are equal (without boxing dates or codes)."""
    if isinstance(a.dtype, pd.CategoricalDtype) and a.dtype == b.dtype:
        return a.cat.codes.to_numpy() != b.cat.codes.to_numpy()
    if a.dtype.kind == "M" and b.dtype.kind == "M":
        left = a.to_numpy(dtype="datetime64[ns]").view(np.int64)
        return left != b.to_numpy(dtype="datetime64[ns]").view(np.int64)  # NaT is one value
    if a.dtype.kind == "f" and b.dtype.kind == "f":
        left, right = a.to_numpy(), b.to_numpy()
        return ~((left == right) | (np.isnan(left) & np.isnan(right)))
    left, right = a.to_numpy(dtype=object), b.to_numpy(dtype=object)
    differs = np.asarray(left != right, dtype=bool)
    maybe = np.flatnonzero(differs)  # NaN != NaN: check blanks only where cells differ
    differs[maybe] = ~(pd.isna(left[maybe]) & pd.isna(right[maybe]))
    return differs


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


def period_for(schedule: Schedule, taken_at: dt.datetime) -> dt.date | None:
    """The ``period`` to record a snapshot under: the last meeting that *ended* by ``taken_at``
    (as :meth:`Schedule.last_ended` says), None before the first one.

    The end, not the day, counts: a snapshot taken the morning of a meeting, or while it runs,
    still belongs to the previous period, so the first one after the meeting — the recap run's —
    is the state that stands for it.
    """
    ended = schedule.last_ended(taken_at)
    return ended.date if ended else None


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


class HistoryStore(StateFile):
    """The meeting memory of one state folder; open with :meth:`open`, use as a context manager.

    ``created`` is True when the file did not exist (first run, or someone deleted it): history
    starts over, and a caller that expected history should log a warning.
    ``migrated_from`` is the schema version the file had before this open upgraded it, or None.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.created = str(path) == ":memory:" or (
            not self.path.exists() or self.path.stat().st_size == 0
        )
        self.migrated_from: int | None = None
        self._cache: dict[int, pd.DataFrame] = {}
        self._db: sqlite3.Connection | None = None
        try:
            self._db = open_database(self.path, synchronous="NORMAL")
            self._migrate()
        except sqlite3.OperationalError as error:
            self._close_quietly()
            raise HistoryError(f"cannot open the history store {self.path}: {error}") from None
        except sqlite3.DatabaseError as error:
            self._close_quietly()
            raise HistoryError(
                f"{self.path} is not a sheetmentor history store ({error}); move it away and "
                f"the next run starts the history over"
            ) from None
        except BaseException:
            self._close_quietly()
            raise

    def _close_quietly(self) -> None:
        if self._db is not None:
            self._db.close()

    @classmethod
    def open(cls, state_dir: Path, *, create: bool = True) -> HistoryStore:
        """Open ``<state_dir>/history.sqlite3``, creating folder and file if needed.

        With ``create=False`` (previews, which must not write anything), a missing file opens an
        empty store in memory instead: every read finds no history and ``created`` is True.
        """
        state_dir = Path(state_dir)
        path = state_dir / HISTORY_NAME
        if not create and not path.exists():
            store = cls(Path(":memory:"))
            store.path, store.created = path, True
            return store
        state_dir.mkdir(parents=True, exist_ok=True)
        return cls(path)

    def _migrate(self) -> None:
        target = schema_version()
        with self._transaction():
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
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
        if taken_at.tzinfo is None:
            raise ValueError("taken_at must be an aware datetime")
        state = goal_state(club.goals)
        hashes = _row_hashes(state)
        roster = _roster(club.members)
        digest = _digest(hashes, roster)
        with self._transaction():
            last = self.latest_snapshot()
            if last is not None:
                if taken_at < last.taken_at:
                    raise HistoryError(
                        f"the history already has a snapshot from {last.taken_at.isoformat()}; "
                        f"a snapshot taken at {taken_at.isoformat()} would rewrite the past"
                    )
                if last.digest == digest:
                    return False
            previous = self.identities()
            state = identify(state, previous).assign(rowhash=hashes)
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
                | _differs(merged["natural"], merged["natural_old"])
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

    def snapshots(self) -> list[Snapshot]:
        """Every snapshot, oldest first."""
        return [_snapshot(row) for row in self._db.execute(f"{_SNAPSHOT_SQL} ORDER BY id")]

    def latest_snapshot(self) -> Snapshot | None:
        row = self._db.execute(f"{_SNAPSHOT_SQL} ORDER BY id DESC LIMIT 1").fetchone()
        return None if row is None else _snapshot(row)

    def snapshot_at(self, meeting_date: dt.date) -> Snapshot | None:
        """The snapshot that stands for the sheet at the meeting on ``meeting_date``.

        The earliest snapshot of that meeting's period (typically the recap run's, right after
        the meeting: what members reported at it); else the latest one of an earlier period (the
        sheet did not change, or nothing was recorded since); None when history starts later.
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
            if name in _DATES:
                days = np.array(values, dtype=float)
                stamps = np.full(len(days), np.datetime64("NaT"), dtype="datetime64[ns]")
                known = ~np.isnan(days)
                stamps[known] = days[known].astype(np.int64).astype("datetime64[D]")
                data[name] = stamps
            elif name == "progress":
                data[name] = np.array(values, dtype=float)
            elif name in _VOCABULARIES:
                data[name] = pd.Categorical(array, categories=_VOCABULARIES[name])
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


_SNAPSHOT_SQL = "SELECT id, taken_at, period, goals, digest FROM snapshots"
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
    )


def current_state(club: Club, store: HistoryStore | None = None) -> pd.DataFrame:
    """The sheet's goals now, with identities chained from the store's latest snapshot.

    Identify against the *latest* snapshot, not the one you compare with: identities chain from
    snapshot to snapshot (module doc), so only the latest knows every rewording so far.
    """
    previous = store.identities() if store is not None else None
    return identify(goal_state(club.goals), previous)


# -- changes ------------------------------------------------------------------------------------

CHANGE_KINDS = (
    "added",
    "completed",
    "reopened",
    "dropped",
    "removed",
    "rescoped",
    "progress",
    "reworded",
)
_ENTRY_COLUMNS = ["member", "key", "goal", "tier", "category", "status", "progress", "due"]


@dataclass
class Changes:
    """What changed between two states of the goals, per member.

    ``table`` has one row per change: ``member, key, goal, tier, category, status, progress,
    due`` (the goal now; its last known state when removed) and ``kind, field, before, after``.
    Kinds (:data:`CHANGE_KINDS`):

    - ``added``: a goal that was not there before.
    - ``completed``: done now and not done before — including a goal *added* already done.
    - ``reopened``: done or dropped before, open now.
    - ``dropped``: its status became dropped (the member said so).
    - ``removed``: its row disappeared (``status`` is its last known status: deleting finished
      goals is housekeeping, deleting open ones is worth a word).
    - ``rescoped``: ``field`` ``tier``, ``due`` or ``member`` moved from ``before`` to ``after``.
    - ``progress``: an open goal's progress went up from ``before`` to ``after``.
    - ``reworded``: same goal (module doc), new text; ``before`` is the old text.

    ``updated`` lists members any of whose goals changed in any stored cell (a new note counts);
    ``no_update`` the reported members for whom nothing did.
    """

    members: list[str]
    table: pd.DataFrame
    updated: list[str]
    no_update: list[str]
    since: dt.date | None = None
    """The meeting whose state was the baseline, when known (:func:`meeting_memory`)."""

    def counts(self) -> dict[str, int]:
        counted = self.table["kind"].value_counts()
        return {kind: int(counted.get(kind, 0)) for kind in CHANGE_KINDS}

    def to_dict(self) -> dict[str, Any]:
        """The shape templates and ``changes --format json`` receive::

            {"since": DATE | None,
             "members": {NAME: {"updated": bool, KIND: [CHANGE, ...] for each of CHANGE_KINDS}},
             "no_update": [NAME, ...],
             "counts": {KIND: int}}

        CHANGE is ``{"key", "goal", "tier", "category", "status", "progress", "due", "field",
        "from", "to"}`` (``field``/``from``/``to`` are None where a kind has none). Dates are
        :class:`datetime.date` (templates format them; for JSON use :func:`to_json`), missing
        values None. Members appear in the order given to :func:`changes_since`.
        """
        members: dict[str, dict[str, Any]] = {
            name: {"updated": name in self.updated, **{kind: [] for kind in CHANGE_KINDS}}
            for name in self.members
        }
        for row in records(self.table):
            bucket = members.setdefault(
                row["member"], {"updated": True, **{kind: [] for kind in CHANGE_KINDS}}
            )
            bucket[row["kind"]].append(
                {
                    **{c: row[c] for c in _ENTRY_COLUMNS if c != "member"},
                    "field": row["field"],
                    "from": row["before"],
                    "to": row["after"],
                }
            )
        return {
            "since": self.since,
            "members": members,
            "no_update": list(self.no_update),
            "counts": self.counts(),
        }


def changes_since(
    before: pd.DataFrame | None,
    after: pd.DataFrame,
    *,
    members: Sequence[str] | None = None,
) -> Changes:
    """What changed from the ``before`` state of the goals to the ``after`` one.

    Both are states with a ``key`` column (:meth:`HistoryStore.state_at`,
    :func:`current_state`); an ``after`` without keys is identified against ``before``.
    ``before`` None (no history yet) makes every goal ``added``. ``members`` are the members to
    report on, in order (typically the active ones); by default everyone with a goal in either.
    Joins on the key, so 100,000 goals diff in well under a second.
    """
    old = _keyed(before)
    new = after if "key" in after else identify(goal_state(after), old)
    new = new.reset_index(drop=True)
    merged = new.merge(
        old[["key", *STATE_COLUMNS]], on="key", how="left", suffixes=("", "_b"), indicator=True
    )
    present = (merged["_merge"] == "both").to_numpy()
    added = ~present
    gone = old[~old["key"].isin(new["key"])]

    status, was = merged["status"].astype(object), merged["status_b"].astype(object)
    status_moved = present & _differs(status, was)
    parts: list[pd.DataFrame] = []

    def part(
        frame: pd.DataFrame,
        mask: np.ndarray,
        kind: str,
        field_name: str | None = None,
        before_column: str | None = None,
        after_column: str | None = None,
    ) -> None:
        if not mask.any():
            return
        rows = frame.loc[mask, _ENTRY_COLUMNS]
        parts.append(
            rows.astype(object).assign(
                kind=kind,
                field=field_name,
                before=frame.loc[mask, before_column].astype(object).to_numpy()
                if before_column
                else None,
                after=frame.loc[mask, after_column].astype(object).to_numpy()
                if after_column
                else None,
            )
        )

    part(merged, added, "added")
    part(
        merged,
        ((status == "done") & (was != "done")).to_numpy() & (status_moved | added),
        "completed",
        "status",
        "status_b",
        "status",
    )
    part(
        merged,
        status_moved & (status == "open").to_numpy(),
        "reopened",
        "status",
        "status_b",
        "status",
    )
    part(
        merged,
        status_moved & (status == "dropped").to_numpy(),
        "dropped",
        "status",
        "status_b",
        "status",
    )
    part(gone.reset_index(drop=True), np.ones(len(gone), dtype=bool), "removed")
    for name in ("tier", "due", "member"):
        moved = present & _differs(merged[name], merged[f"{name}_b"])
        part(merged, moved, "rescoped", name, f"{name}_b", name)
    gained = (
        present
        & (status == "open").to_numpy()
        & (merged["progress"] > merged["progress_b"].fillna(0.0)).to_numpy()
    )
    part(merged, gained, "progress", "progress", "progress_b", "progress")
    part(
        merged,
        present & _differs(merged["goal"], merged["goal_b"]),
        "reworded",
        "goal",
        "goal_b",
        "goal",
    )

    columns = [*_ENTRY_COLUMNS, "kind", "field", "before", "after"]
    table = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    )
    table = table[columns]
    touched = added.copy()
    for name in STATE_COLUMNS:
        touched |= present & _differs(merged[name], merged[f"{name}_b"])
    updated_names = set(merged.loc[touched, "member"].dropna()) | set(gone["member"].dropna())
    if members is None:
        names = pd.concat([new["member"], old["member"]]).dropna()
        members = [str(name) for name in names.unique()]
    else:
        table = table[table["member"].isin(members).to_numpy()].reset_index(drop=True)
    members = list(members)
    return Changes(
        members=members,
        table=table,
        updated=[m for m in members if m in updated_names],
        no_update=[m for m in members if m not in updated_names],
    )


def what_changed(
    store: HistoryStore,
    club: Club,
    schedule: Schedule,
    *,
    since: dt.date,
    now_state: pd.DataFrame | None = None,
) -> Changes | None:
    """What changed for the active members from the last meeting on or before ``since`` to the
    sheet now (``changes --since``); None when the store has no state for that meeting.

    ``Changes.since`` is that meeting's date. ``now_state`` saves reading the store again when the
    caller has :func:`current_state` already.
    """
    earlier = [m for m in schedule.meetings if m.date <= since]
    if not earlier:
        return None
    before = store.state_at(earlier[-1].date)
    if before is None:
        return None
    now = now_state if now_state is not None else current_state(club, store)
    changes = changes_since(before, now, members=list(club.active_members["name"]))
    changes.since = earlier[-1].date
    return changes


def _keyed(state: pd.DataFrame | None) -> pd.DataFrame:
    if state is None:
        return goal_state(pd.DataFrame({c: [] for c in STATE_COLUMNS})).assign(
            key=pd.Series(dtype="str"), natural=pd.Series(dtype="str")
        )
    if "key" not in state:
        return identify(goal_state(state))
    return state.reset_index(drop=True)


def stale(
    store: HistoryStore,
    meetings: Sequence[dt.date],
    now_state: pd.DataFrame,
    min_meetings: int = 2,
) -> pd.DataFrame:
    """Open goals whose status and progress have not moved over the last ``min_meetings``
    meetings or more.

    ``meetings`` are the dates of meetings *before* ``now_state`` (oldest first; the caller
    passes the held meetings so far). Walking back from the most recent, a goal's run of
    unchanged meetings lasts while the state at that meeting has the goal with the status and
    progress it has now. Returns ``now_state``'s stale rows (``key``, member, goal, tier,
    category, status, progress, due) with ``unchanged`` (meetings) and ``since`` (the earliest
    meeting of the run), longest runs first. All tiers count; templates may filter by tier.
    """
    current = now_state.reset_index(drop=True)
    current = current[(current["status"] == "open").to_numpy()].reset_index(drop=True)
    run = np.zeros(len(current), dtype=int)
    alive = np.ones(len(current), dtype=bool)
    since = np.full(len(current), None, dtype=object)
    for day in reversed(list(meetings)):
        if not alive.any():
            break
        then = store.state_at(day)
        if then is None:
            break
        lookup = then.set_index("key")
        status = current["key"].map(lookup["status"].astype(object))
        progress = current["key"].map(lookup["progress"])
        same = (
            status.notna().to_numpy()
            & (status.to_numpy() == "open")
            & ~_differs(progress, current["progress"])
        )
        alive &= same
        run += alive
        since[alive] = day
    keep = run >= min_meetings
    columns = ["key", *_ENTRY_COLUMNS]
    result = current.loc[keep, columns].assign(unchanged=run[keep], since=since[keep])
    return result.sort_values("unchanged", ascending=False, kind="stable").reset_index(drop=True)


# -- streaks and history ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Streak:
    """Consecutive meetings, most recent backwards, at which a member had every two-week goal
    due there done.

    A meeting where the member had nothing due (or only dropped goals) neither breaks nor extends
    the streak; a streak never reaches back past the first recorded snapshot.
    """

    length: int
    since: dt.date | None
    """The earliest meeting of the streak."""
    last: dt.date | None
    """The most recent meeting at which the member had something due."""
    broken: dt.date | None
    """The meeting where a due goal was not done and the streak stopped (None: not yet)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "length": self.length,
            "since": self.since,
            "last": self.last,
            "broken": self.broken,
        }


class _States:
    """Clubs at meetings, each snapshot read once; ``live`` stands in for a meeting whose period
    has no snapshot yet (the recap run computing before it records)."""

    def __init__(self, store: HistoryStore, live: tuple[dt.date, Club] | None = None) -> None:
        self.store = store
        self.live = live
        self.clubs: dict[int, Club] = {}

    def club_at(self, meeting: Meeting) -> Club | None:
        snapshot = self.store.snapshot_at(meeting.date)
        live = self.live is not None and meeting.date == self.live[0]
        if live and (snapshot is None or snapshot.period != meeting.date):
            club = self.live[1]
            return Club(club.name, club.members, current_state(club, self.store), club.meetings)
        if snapshot is None:
            return None
        if snapshot.id not in self.clubs:
            self.clubs[snapshot.id] = self.store.club_of(snapshot)
        return self.clubs[snapshot.id]


def streaks(
    store: HistoryStore,
    schedule: Schedule,
    club: Club,
    *,
    through: Meeting,
    live: bool = False,
) -> dict[str, Streak]:
    """Each active member's streak (:class:`Streak`) at the meetings up to ``through``.

    Which goals were due at a meeting, and whether they were done, comes from the state stored
    for that meeting run through :func:`sheetmentor.analysis.goals_at_meeting` — the agenda's own
    due-meeting rules — so a goal that was done late does not count as done on time. With
    ``live``, the current sheet stands for ``through`` when its period has no snapshot yet.
    """
    names = list(club.active_members["name"])
    states = _States(store, (through.date, club) if live else None)
    counting = set(names)
    length = dict.fromkeys(names, 0)
    since: dict[str, dt.date | None] = dict.fromkeys(names)
    last: dict[str, dt.date | None] = dict.fromkeys(names)
    broken: dict[str, dt.date | None] = dict.fromkeys(names)
    for meeting in reversed(schedule.meetings[: through.number]):
        if not counting:
            break
        past = states.club_at(meeting)
        if past is None:
            break
        goals = goals_at_meeting(past, schedule, meeting)
        due = goals[goals["due_here"] & (goals["status"] != "dropped").to_numpy()]
        done = (due["status"] == "done").groupby(due["member"], observed=True).all()
        for name in list(counting):
            if name not in done.index:
                continue
            last[name] = last[name] or meeting.date
            if done[name]:
                length[name] += 1
                since[name] = meeting.date
            else:
                broken[name] = meeting.date
                counting.discard(name)
    return {n: Streak(length[n], since[n], last[n], broken[n]) for n in names}


def completion_history(
    store: HistoryStore,
    schedule: Schedule,
    last_n: int = 6,
    *,
    through: Meeting | None = None,
    club: Club | None = None,
) -> pd.DataFrame:
    """Club completion at each of the last ``last_n`` meetings (up to ``through``) that have a
    stored state, oldest first.

    Rows are indexed by meeting date (``meeting``); columns are ``(tier, stat)`` with stat in
    ``total, done, dropped, rate, progress`` — :func:`sheetmentor.analysis.completion_by_tier`
    run on each meeting's state, so the history means exactly what ``status`` means (active
    members of that time). Without ``through``: meetings that ended by the latest snapshot.
    With ``club``, the current sheet stands for ``through`` when its period has no snapshot yet.
    """
    if through is None:
        last = store.latest_snapshot()
        candidates = (
            [m for m in schedule.meetings if m.end <= last.taken_at] if last is not None else []
        )
    else:
        candidates = schedule.meetings[: through.number]
    states = _States(store, (through.date, club) if through and club else None)
    rows: list[tuple[dt.date, dict[tuple[str, str], Any]]] = []
    for meeting in reversed(candidates):
        if len(rows) >= last_n:
            break
        past = states.club_at(meeting)
        if past is None:
            break
        tiers = completion_by_tier(past).tiers
        rows.append(
            (
                meeting.date,
                {(t, s): tiers.at[t, s] for t in TIERS for s in STAT_COLUMNS},
            )
        )
    rows.reverse()
    columns = pd.MultiIndex.from_product([TIERS, STAT_COLUMNS], names=["tier", "stat"])
    return pd.DataFrame(
        [values for _, values in rows],
        index=pd.Index([day for day, _ in rows], name="meeting", dtype=object),
        columns=columns,
    )


def history_records(history: pd.DataFrame) -> list[dict[str, Any]]:
    """:func:`completion_history` for templates and JSON: ``[{"meeting": DATE, "tiers":
    {TIER: {"total", "done", "dropped", "rate", "progress"}}}]``, oldest first (rates and
    progress None where a tier had no goals)."""
    return [
        {
            "meeting": day,
            "tiers": stats_dict(
                pd.DataFrame(
                    {s: [row[(t, s)] for t in TIERS] for s in STAT_COLUMNS}, index=list(TIERS)
                )
            ),
        }
        for day, row in history.iterrows()
    ]


# -- attendance and club health -----------------------------------------------------------------


def attendance(
    club: Club, schedule: Schedule, *, through: dt.date, last_n: int = 6
) -> pd.DataFrame:
    """Each active member's attendance over the last ``last_n`` meetings (on or before
    ``through``) whose attendance the Meetings tab records.

    A meeting without an Attended cell is not counted for or against anyone; meetings before a
    member's Joined date do not count for them. Index: member (sheet order); columns:
    ``meetings`` (counted), ``attended``, ``rate`` (NaN when none counted), ``last_attended``.
    """
    recorded = [m for m in schedule.meetings if m.date <= through and m.attended is not None]
    recorded = recorded[-last_n:] if last_n > 0 else []
    active = club.active_members
    names = list(active["name"])
    joined = pd.to_datetime(active["joined"]).dt.date.to_numpy() if len(active) else []
    counted = np.zeros((len(names), len(recorded)), dtype=bool)
    present = np.zeros_like(counted)
    for j, meeting in enumerate(recorded):
        came = set(meeting.attended or ())
        for i, name in enumerate(names):
            start = joined[i]
            counted[i, j] = pd.isna(start) or start <= meeting.date
            present[i, j] = counted[i, j] and name in came
    meetings = counted.sum(axis=1)
    attended = present.sum(axis=1)
    dates = np.array([m.date for m in recorded], dtype=object)
    last_attended = [
        dates[np.flatnonzero(present[i])[-1]] if present[i].any() else None
        for i in range(len(names))
    ]
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(meetings > 0, attended / np.maximum(meetings, 1), np.nan)
    return pd.DataFrame(
        {
            "meetings": meetings,
            "attended": attended,
            "rate": rate,
            "last_attended": last_attended,
        },
        index=pd.Index(names, name="member", dtype="str"),
    )


@dataclass
class Health:
    """Club health at a meeting, after the My-Peer toolkit's monitoring indicators.

    ``attendance_rate``: member-meetings attended / counted over the recorded meetings
    (:func:`attendance`); ``carried``: open two-week goals carried over ``min_carried`` or more
    meetings at ``meeting``; ``no_update``: active members none of whose goals changed since the
    previous meeting (None when there is no stored state to compare with); ``active`` vs ``cap``.
    """

    meeting: dt.date
    active: int
    cap: int
    attendance_rate: float | None
    attendance: pd.DataFrame
    carried: int
    carried_goals: pd.DataFrame
    no_update: list[str] | None
    min_carried: int = 2

    @property
    def over_cap(self) -> bool:
        return self.active > self.cap

    def to_dict(self) -> dict[str, Any]:
        """``{"meeting", "active", "cap", "over_cap", "attendance_rate", "attendance": {NAME:
        {"meetings", "attended", "rate", "last_attended"}}, "carried", "carried_goals":
        [{"member", "goal", "carried", "due"}], "no_update": [NAME] | None}``."""
        return {
            "meeting": self.meeting,
            "active": self.active,
            "cap": self.cap,
            "over_cap": self.over_cap,
            "attendance_rate": _number(self.attendance_rate),
            "attendance": {
                str(name): {
                    "meetings": int(row["meetings"]),
                    "attended": int(row["attended"]),
                    "rate": _number(row["rate"]),
                    "last_attended": row["last_attended"],
                }
                for name, row in self.attendance.iterrows()
            },
            "carried": self.carried,
            "carried_goals": records(self.carried_goals),
            "no_update": self.no_update,
        }


def club_health(
    club: Club,
    schedule: Schedule,
    store: HistoryStore,
    as_of: dt.date,
    *,
    cap: int,
    meeting: Meeting | None = None,
    last_n: int = 6,
    min_carried: int = 2,
    now_state: pd.DataFrame | None = None,
) -> Health:
    """Health of the club at ``meeting`` (default: the next meeting on or after ``as_of``).

    Attendance counts recorded meetings on or before ``as_of``; carried-over goals come from
    :func:`sheetmentor.analysis.goals_at_meeting` at ``meeting``; "no update" compares the
    current sheet (``now_state``, if the caller has it already, else :func:`current_state`) with
    the stored state at the meeting before ``meeting``.
    """
    meeting = meeting or schedule.next_meeting(as_of)
    present = attendance(club, schedule, through=as_of, last_n=last_n)
    counted = int(present["meetings"].sum())
    rate = float(present["attended"].sum() / counted) if counted else None
    goals = goals_at_meeting(club, schedule, meeting)
    carried = goals[goals["carried"] >= min_carried].sort_values(
        "carried", ascending=False, kind="stable"
    )
    previous = schedule.previous(meeting)
    before = store.state_at(previous.date) if previous else None
    names = list(club.active_members["name"])
    no_update = (
        None
        if before is None
        else changes_since(
            before,
            now_state if now_state is not None else current_state(club, store),
            members=names,
        ).no_update
    )
    return Health(
        meeting=meeting.date,
        active=len(names),
        cap=cap,
        attendance_rate=rate,
        attendance=present,
        carried=len(carried),
        carried_goals=carried[["member", "goal", "tier", "carried", "due"]],
        no_update=no_update,
        min_carried=min_carried,
    )


# -- everything a meeting's agenda or recap needs -----------------------------------------------


@dataclass
class MeetingMemory:
    """The history blocks of one agenda or recap (:func:`meeting_memory`)."""

    meeting: dt.date
    since: dt.date | None
    changes: Changes | None
    stale: pd.DataFrame
    streaks: dict[str, Streak]
    history: pd.DataFrame
    health: Health
    started_over: bool = False

    def to_dict(self) -> dict[str, Any]:
        """``{"meeting", "since", "changes": Changes.to_dict() | None, "stale": [STALE],
        "streaks": {NAME: Streak.to_dict()}, "history": history_records(...),
        "health": Health.to_dict(), "started_over": bool}``; STALE is ``{"key", "member",
        "goal", "tier", "category", "status", "progress", "due", "unchanged", "since"}``."""
        return {
            "meeting": self.meeting,
            "since": self.since,
            "changes": self.changes.to_dict() if self.changes is not None else None,
            "stale": records(self.stale),
            "streaks": {name: s.to_dict() for name, s in self.streaks.items()},
            "history": history_records(self.history),
            "health": self.health.to_dict(),
            "started_over": self.started_over,
        }


def meeting_memory(
    store: HistoryStore,
    club: Club,
    schedule: Schedule,
    meeting: Meeting,
    *,
    kind: Literal["agenda", "recap"],
    as_of: dt.date,
    cap: int,
    since: dt.date | None = None,
    history_n: int = 6,
    attendance_n: int = 6,
    min_stale: int = 2,
) -> MeetingMemory:
    """Changes, stale goals, streaks, history and health for the agenda or recap of ``meeting``.

    The baseline is the state at the meeting before ``meeting`` (or at the last meeting on or
    before ``since``); the present is the current sheet. An agenda counts streaks and history up
    to the previous meeting (this one has not happened); a recap up to ``meeting`` itself, with
    the current sheet standing for it when no snapshot of its period exists yet.
    """
    previous = schedule.previous(meeting)
    if since is None:
        since = previous.date if previous else None
    now = current_state(club, store)
    names = list(club.active_members["name"])
    changes = (
        what_changed(store, club, schedule, since=since, now_state=now)
        if since is not None
        else None
    )
    base = [m.date for m in schedule.meetings if since is not None and m.date <= since]
    active_now = now[now["member"].isin(names).to_numpy()]
    held = [m.date for m in schedule.meetings[: meeting.number - 1]]
    through = meeting if kind == "recap" else previous
    return MeetingMemory(
        meeting=meeting.date,
        since=base[-1] if base else None,
        changes=changes,
        stale=stale(store, held, active_now, min_stale),
        streaks=(
            streaks(store, schedule, club, through=through, live=kind == "recap")
            if through is not None
            else {name: Streak(0, None, None, None) for name in names}
        ),
        history=completion_history(
            store,
            schedule,
            history_n,
            through=through,
            club=club if kind == "recap" else None,
        )
        if through is not None
        else completion_history(store, schedule, 0),
        health=club_health(
            club,
            schedule,
            store,
            as_of,
            cap=cap,
            meeting=meeting,
            last_n=attendance_n,
            now_state=now,
        ),
        started_over=store.created,
    )


# -- plain values for templates and JSON --------------------------------------------------------


def _number(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), 4)


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date()
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else pd.Timestamp(value).date()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NaT or value is pd.NA:
        return None
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain dicts: dates as :class:`datetime.date`, missing values as None, numpy
    scalars as Python ones — what templates expect."""
    columns = list(frame.columns)
    return [
        {str(c): _plain(v) for c, v in zip(columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]


def to_json(value: Any) -> str:
    """JSON for ``to_dict()`` results: dates as ISO 8601."""

    def default(item: Any) -> Any:
        if isinstance(item, dt.date):
            return item.isoformat()
        raise TypeError(f"{type(item).__name__} is not JSON serializable")

    return json.dumps(value, ensure_ascii=False, indent=2, default=default) + "\n"


# -- what a command run does with the store ------------------------------------------------------


def remember(
    state_dir: Path,
    club: Club,
    schedule: Schedule,
    now: dt.datetime,
    *,
    expect_history: bool = False,
) -> bool:
    """Record the sheet as it is ``now``; every command that reads a sheet without errors does.

    Returns whether a new snapshot was stored. A run "in the past" (``--as-of`` before the
    latest snapshot) records nothing: history only grows forward. With ``expect_history`` (the
    state folder existed before this run), a missing store starts over with a warning.
    """
    with _open_logged(state_dir, create=True, expect_history=expect_history) as store:
        return _record(store, club, schedule, now)


def recall(
    state_dir: Path,
    club: Club,
    schedule: Schedule,
    meeting: Meeting,
    *,
    kind: Literal["agenda", "recap"],
    now: dt.datetime,
    cap: int,
    record: bool = True,
    expect_history: bool = False,
) -> dict[str, Any]:
    """The ``memory`` block of the agenda or recap of ``meeting`` (:meth:`MeetingMemory.to_dict`),
    then the sheet recorded (unless ``record`` is False).

    Recording comes second so that this run's own snapshot never serves as the baseline it is
    compared with: the first run after a meeting compares with what was stored before.
    """
    with _open_logged(state_dir, create=record, expect_history=expect_history) as store:
        memory = meeting_memory(
            store, club, schedule, meeting, kind=kind, as_of=now.date(), cap=cap
        ).to_dict()
        if record:
            _record(store, club, schedule, now)
        return memory


def _open_logged(state_dir: Path, *, create: bool, expect_history: bool) -> HistoryStore:
    store = HistoryStore.open(state_dir, create=create)
    if store.created and expect_history:
        _log.warning("no meeting history in %s; starting it over from today", store.path)
    return store


def _record(store: HistoryStore, club: Club, schedule: Schedule, now: dt.datetime) -> bool:
    try:
        return store.record(club, taken_at=now, period=period_for(schedule, now))
    except HistoryError as error:
        _log.info("not recording the sheet: %s", error)
        return False
