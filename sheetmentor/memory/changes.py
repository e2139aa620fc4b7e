"""What changed between two states of the sheet, and which goals went stale."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sheetmentor.memory.identity import (
    STATE_COLUMNS,
    differs,
    goal_state,
    identify,
    normalize_goal_text,
    renamed_members,
)
from sheetmentor.memory.store import Baseline, HistoryStore, current_state
from sheetmentor.plain import records
from sheetmentor.schedule import Meeting, Schedule
from sheetmentor.sheet.frames import per_distinct
from sheetmentor.sheet.normalize import Club, member_key

CHANGE_KINDS = (
    "added",
    "completed",
    "reopened",
    "dropped",
    "removed",
    "rescoped",
    "progress",
    "reworded",
    "unread",
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
    - ``reworded``: same goal (see memory.identity), new text; ``before`` is the old text.
    - ``unread``: a goal whose row has an error this time (read with ``--force``): no change is
      claimed for it, nor is the recorded goal it stands for *removed*; ``after`` lists the cells.

    ``updated`` lists members any of whose goals changed in any stored cell (a new note counts);
    ``no_update`` the reported members for whom nothing did — not one with an unread goal, who
    may have updated it.
    """

    members: list[str]
    table: pd.DataFrame
    updated: list[str]
    no_update: list[str]
    baseline: Baseline | None = None
    """The recorded state compared with, when it came from the store (:func:`what_changed`)."""

    @property
    def since(self) -> dt.date | None:
        """The day of the state compared with: the meeting's date when the history holds the
        sheet as it was at that meeting, else the day sheetmentor saw it instead."""
        return self.baseline.since if self.baseline is not None else None

    @property
    def unread_members(self) -> list[str]:
        """Members with a goal not read this time (``unread``), in member order."""
        unsure = set(self.table.loc[self.table["kind"] == "unread", "member"])
        return [m for m in self.members if m in unsure]

    def counts(self) -> dict[str, int]:
        counted = self.table["kind"].value_counts()
        return {kind: int(counted.get(kind, 0)) for kind in CHANGE_KINDS}

    def to_dict(self) -> dict[str, Any]:
        """The shape templates and ``changes --format json`` receive::

            {"since": DATE | None, "meeting": DATE | None, "since_meeting": bool,
             "first_seen": DATE | None,
             "members": {NAME: {"updated": bool, KIND: [CHANGE, ...] for each of CHANGE_KINDS}},
             "no_update": [NAME, ...],
             "counts": {KIND: int}}

        CHANGE is ``{"key", "goal", "tier", "category", "status", "progress", "due", "field",
        "from", "to"}`` (``field``/``from``/``to`` are None where a kind has none). Dates are
        :class:`datetime.date` (templates format them; for JSON use :func:`to_json`), missing
        values None. Members appear in the order given to :func:`changes_since`. ``since`` is the
        day of the state compared with; it is the ``meeting``'s date only when
        ``since_meeting`` is true (:meth:`HistoryStore.baseline`); ``first_seen`` is the day
        sheetmentor first saw the sheet.
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
        found = self.baseline
        return {
            "since": self.since,
            "meeting": found.meeting if found else None,
            "since_meeting": bool(found and found.at_meeting),
            "first_seen": found.first_seen if found else None,
            "members": members,
            "no_update": list(self.no_update),
            "counts": self.counts(),
        }


_REF = re.compile(r"^(?P<tab>.*)![A-Z]*(?P<row>\d+)(?::\d+)?$")


def unread_goals(club: Club) -> dict[int, list[str]]:
    """The goals of ``club`` whose row has an error (a ``--force`` run reads them anyway), by
    position in ``club.goals``, with the cells at fault: what they say this time is no news."""
    at_fault: dict[tuple[str, int], list[str]] = {}
    for problem in club.errors:
        found = _REF.match(problem.ref or "")
        if found:
            at_fault.setdefault((found["tab"], int(found["row"])), []).append(str(problem.ref))
    if not at_fault or club.goals.empty:
        return {}
    rows = zip(club.goals["tab"].astype(object), club.goals["sheet_row"], strict=True)
    return {
        position: at_fault[(str(tab), int(row))]
        for position, (tab, row) in enumerate(rows)
        if (str(tab), int(row)) in at_fault
    }


def _set_unread_aside(
    old: pd.DataFrame, new: pd.DataFrame, unread: Mapping[int, Sequence[str]]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``old`` and ``new`` without the unread goals, and the ``unread`` change rows.

    An unread goal stands for the recorded goal of its key; with its member cell unreadable, for
    a recorded goal of the same text that no readable goal is. The change row shows that goal
    as recorded (its member, tier, status…), with the cells at fault in ``after``; an unread goal
    that stands for nothing recorded and names no member has nowhere to be said."""
    mask = np.zeros(len(new), dtype=bool)
    mask[[p for p in unread if p < len(new)]] = True
    blind, new = new[mask], new[~mask].reset_index(drop=True)
    spare = old[~old["key"].isin(new["key"])]
    spare_text = normalize_goal_text(spare["goal"])
    taken: set[str] = set()
    entries: list[dict[str, object]] = []
    for position, row in zip(np.flatnonzero(mask), blind.itertuples(index=False), strict=True):
        key = row.key if row.key in set(spare["key"]) else None
        if key is None and pd.isna(row.member):
            text = normalize_goal_text(pd.Series([row.goal])).iat[0]
            same = spare[(spare_text == text).to_numpy() & ~spare["key"].isin(taken).to_numpy()]
            key = same["key"].iat[0] if len(same) else None
        source = row._asdict()
        if key is not None:
            taken.add(key)
            recorded = spare[spare["key"] == key].iloc[0]
            source = {c: recorded[c] for c in _ENTRY_COLUMNS if c != "goal"} | {"goal": row.goal}
        if pd.isna(source["member"]):
            continue
        entries.append(
            {c: source[c] for c in _ENTRY_COLUMNS}
            | {"key": key or row.key, "kind": "unread", "field": None, "before": None}
            | {"after": ", ".join(unread[int(position)])}
        )
    kept = old[~old["key"].isin(taken)].reset_index(drop=True)
    columns = [*_ENTRY_COLUMNS, "kind", "field", "before", "after"]
    return kept, new, pd.DataFrame(entries, columns=columns, dtype=object)


def changes_since(
    before: pd.DataFrame | None,
    after: pd.DataFrame,
    *,
    members: Sequence[str] | None = None,
    unread: Mapping[int, Sequence[str]] | None = None,
) -> Changes:
    """What changed from the ``before`` state of the goals to the ``after`` one.

    Both are states with a ``key`` column (:meth:`HistoryStore.state_at`,
    :func:`current_state`); an ``after`` without keys is identified against ``before``.
    ``before`` None (no history yet) makes every goal ``added``. ``members`` are the members to
    report on, in order (typically the active ones); by default everyone with a goal in either.
    ``unread`` are positions in ``after`` of goals whose row has an error
    (:func:`unread_goals`): each is an ``unread`` change, never another kind.
    Joins on the key, so 100,000 goals diff in well under a second.
    """
    old = _keyed(before)
    new = after if "key" in after else identify(goal_state(after), old)
    new = new.reset_index(drop=True)
    blind = None
    if unread:
        old, new, blind = _set_unread_aside(old, new, unread)
    merged = new.merge(
        old[["key", *STATE_COLUMNS]], on="key", how="left", suffixes=("", "_b"), indicator=True
    )
    present = (merged["_merge"] == "both").to_numpy()
    added = ~present
    gone = old[~old["key"].isin(new["key"])]

    status, was = merged["status"].astype(object), merged["status_b"].astype(object)
    status_moved = present & differs(status, was)
    moved_member = present & _moved_member(merged, renamed_members(old, new))
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
    for name in ("tier", "due"):
        moved = present & differs(merged[name], merged[f"{name}_b"])
        part(merged, moved, "rescoped", name, f"{name}_b", name)
    part(merged, moved_member, "rescoped", "member", "member_b", "member")
    gained = (
        present
        & (status == "open").to_numpy()
        & (merged["progress"] > merged["progress_b"].fillna(0.0)).to_numpy()
    )
    part(merged, gained, "progress", "progress", "progress_b", "progress")
    part(
        merged,
        present & differs(merged["goal"], merged["goal_b"]),
        "reworded",
        "goal",
        "goal_b",
        "goal",
    )

    if blind is not None and not blind.empty:
        parts.append(blind)
    columns = [*_ENTRY_COLUMNS, "kind", "field", "before", "after"]
    table = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    )
    table = table[columns]
    touched = added | moved_member
    for name in STATE_COLUMNS:
        if name != "member":
            touched |= present & differs(merged[name], merged[f"{name}_b"])
    updated_names = set(merged.loc[touched, "member"].dropna()) | set(gone["member"].dropna())
    if members is None:
        names = pd.concat([new["member"], old["member"]]).dropna()
        members = [str(name) for name in names.unique()]
    else:
        table = table[table["member"].isin(members).to_numpy()].reset_index(drop=True)
    members = list(members)
    unsure = set(blind["member"]) if blind is not None else set()
    return Changes(
        members=members,
        table=table,
        updated=[m for m in members if m in updated_names],
        no_update=[m for m in members if m not in updated_names and m not in unsure],
    )


def _moved_member(merged: pd.DataFrame, renames: dict[str, str]) -> np.ndarray:
    """Goals handed from one member to another: the member's name changed beyond case and
    spacing, and not because the member was renamed (:func:`renamed_members`) — a rename is
    no change of the member's goals."""

    def key(name: object) -> str:
        return "" if name is None else member_key(name)

    now, then = per_distinct(merged["member"], key), per_distinct(merged["member_b"], key)
    renamed = (then.map(renames) == now).to_numpy(dtype=bool)
    return (now.to_numpy() != then.to_numpy()) & ~renamed


def what_changed(
    store: HistoryStore,
    club: Club,
    schedule: Schedule,
    *,
    since: dt.date,
    now_state: pd.DataFrame | None = None,
) -> Changes | None:
    """What changed for the active members from the last meeting on or before ``since`` to the
    sheet now (``changes --since``); None when nothing was recorded yet, or no meeting was held
    by ``since``.

    The state compared with is :meth:`HistoryStore.baseline` of that meeting, which
    ``Changes.baseline`` keeps: when the history does not hold the sheet as it was at the
    meeting, ``Changes.since`` is the day the compared state was seen instead.
    ``now_state`` saves reading the store again when the caller has :func:`current_state`.
    """
    earlier = [m for m in schedule.meetings if m.date <= since]
    if not earlier:
        return None
    return changes_from(store, club, store.baseline(earlier[-1]), now_state)


def changes_from(
    store: HistoryStore,
    club: Club,
    baseline: Baseline | None,
    now_state: pd.DataFrame | None = None,
) -> Changes | None:
    """What changed for the active members from ``baseline`` to the sheet now; None without
    a baseline."""
    if baseline is None:
        return None
    now = now_state if now_state is not None else current_state(club, store)
    changes = changes_since(
        store.state(baseline.snapshot),
        now,
        members=list(club.active_members["name"]),
        unread=unread_goals(club),
    )
    changes.baseline = baseline
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
    meetings: Sequence[Meeting],
    now_state: pd.DataFrame,
    min_meetings: int = 2,
) -> pd.DataFrame:
    """Open goals whose status and progress have not moved over the last ``min_meetings``
    meetings or more.

    ``meetings`` are the meetings *before* ``now_state`` (oldest first; the caller passes the
    held meetings so far). Walking back from the most recent, a goal's run of unchanged meetings
    lasts while the history holds the sheet at that meeting (:meth:`HistoryStore.held_at`) with
    the goal in the status and progress it has now; a meeting the history does not hold ends
    every run, so no goal is called unchanged over meetings sheetmentor never saw.

    Returns ``now_state``'s stale rows (``key``, member, goal, tier,
    category, status, progress, due) with ``unchanged`` (meetings) and ``since`` (the earliest
    meeting of the run), longest runs first. All tiers count; templates may filter by tier.
    """
    current = now_state.reset_index(drop=True)
    current = current[(current["status"] == "open").to_numpy()].reset_index(drop=True)
    run = np.zeros(len(current), dtype=int)
    alive = np.ones(len(current), dtype=bool)
    since = np.full(len(current), None, dtype=object)
    for meeting in reversed(list(meetings)):
        if not alive.any():
            break
        held = store.held_at(meeting)
        if held is None:
            break
        then = store.state(held)
        lookup = then.set_index("key")
        status = current["key"].map(lookup["status"].astype(object))
        progress = current["key"].map(lookup["progress"])
        same = (
            status.notna().to_numpy()
            & (status.to_numpy() == "open")
            & ~differs(progress, current["progress"])
        )
        alive &= same
        run += alive
        since[alive] = meeting.date
    keep = run >= min_meetings
    columns = ["key", *_ENTRY_COLUMNS]
    result = current.loc[keep, columns].assign(unchanged=run[keep], since=since[keep])
    return result.sort_values("unchanged", ascending=False, kind="stable").reset_index(drop=True)
