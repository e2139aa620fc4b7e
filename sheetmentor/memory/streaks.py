"""Streaks and completion at each recorded meeting, read back from the history store."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sheetmentor.analysis import STAT_COLUMNS, completion_by_tier, goals_at_meeting, stats_dict
from sheetmentor.memory.store import HistoryStore, current_state, meeting_day
from sheetmentor.schedule import Meeting, Schedule
from sheetmentor.sheet.normalize import TIERS, Club


@dataclass(frozen=True, slots=True)
class Streak:
    """Consecutive meetings, most recent backwards, at which a member had every two-week goal
    due there done.

    A meeting where the member had nothing due (or only dropped goals) neither breaks nor extends
    the streak; a streak counts only meetings the history holds (:meth:`HistoryStore.held_at`),
    so it never reaches back past the first snapshot; and a two-week goal the sheet shows carried
    over now was open at every meeting from the one it was due at, so it ends the streak there
    and leaves none since, whatever was recorded then (a goal added later with an earlier due
    date, or done and reopened): a streak never sits above a carried goal.
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


def live_at(meeting: Meeting, seen: dt.datetime | None) -> bool:
    """Whether the sheet seen at ``seen`` is the sheet as it was at ``meeting``: seen on the
    meeting's day (club time) after it ended — the recap run, before it records the sheet."""
    return seen is not None and meeting.end <= seen < meeting_day(meeting)[1]


class _States:
    """Clubs at meetings the history holds, each snapshot read once; ``live`` (the current
    sheet, seen at ``live_at`` a meeting) stands in for that meeting when the store has no
    state from after it yet (the recap run computing before it records)."""

    def __init__(
        self, store: HistoryStore, live: Club | None = None, seen: dt.datetime | None = None
    ) -> None:
        self.store = store
        self.live = live
        self.seen = seen
        self.clubs: dict[int, Club] = {}

    def club_at(self, meeting: Meeting) -> Club | None:
        snapshot = self.store.held_at(meeting)
        if (
            self.live is not None
            and live_at(meeting, self.seen)
            and (snapshot is None or snapshot.seen_to < meeting.end)
        ):
            club = self.live
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
    seen: dt.datetime | None = None,
    now_state: pd.DataFrame | None = None,
) -> dict[str, Streak]:
    """Each active member's streak (:class:`Streak`) at the meetings up to ``through``.

    Which goals were due at a meeting, and whether they were done, comes from the state stored
    for that meeting run through :func:`sheetmentor.analysis.goals_at_meeting` — the agenda's own
    due-meeting rules — so a goal that was done late does not count as done on time; a goal
    counts for the member who has it now, so a member renamed since keeps her streak. ``seen``
    is when the current sheet was read: on ``through``'s day after it, the sheet stands for it
    (:func:`live_at`); ``now_state`` saves identifying the sheet again when the caller has
    :func:`current_state`.
    """
    names = list(club.active_members["name"])
    states = _States(store, club, seen)
    now = goals_at_meeting(club, schedule, through)
    present = now_state if now_state is not None else current_state(club, store)
    owner_now = pd.Series(
        present["member"].astype(object).to_numpy(), index=present["key"].to_numpy()
    )
    carried = now[
        (now["tier"] == "two-week").to_numpy()
        & (now["status"] == "open").to_numpy()
        & (now["due_meeting"] <= pd.Timestamp(through.date)).to_numpy()
    ]
    broken_by = carried.groupby("member", observed=True)["due_meeting"].max()
    counting = set(names)
    length = dict.fromkeys(names, 0)
    since: dict[str, dt.date | None] = dict.fromkeys(names)
    last: dict[str, dt.date | None] = dict.fromkeys(names)
    broken: dict[str, dt.date | None] = dict.fromkeys(names)
    for name, due in broken_by.items():
        if name in counting:  # open since it was due: not every goal was done at any meeting since
            last[name] = broken[name] = due.date()
            counting.discard(name)
    for meeting in reversed(schedule.meetings[: through.number]):
        if not counting:
            break
        past = states.club_at(meeting)
        if past is None:
            break
        goals = goals_at_meeting(past, schedule, meeting)
        due = goals[goals["due_here"] & (goals["status"] != "dropped").to_numpy()]
        # a goal is its owner's under the name she has now (a member renamed since keeps her
        # streak: identities survive the rename)
        member = due["key"].map(owner_now).fillna(due["member"].astype(object))
        done = (due["status"] == "done").groupby(member.to_numpy()).all()
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
    seen: dt.datetime | None = None,
) -> pd.DataFrame:
    """Club completion at each of the last ``last_n`` meetings (up to ``through``) that have a
    stored state, oldest first.

    Rows are indexed by meeting date (``meeting``); columns are ``(tier, stat)`` with stat in
    ``total, done, dropped, rate, progress`` — :func:`sheetmentor.analysis.completion_by_tier`
    run on each meeting's state, so the history means exactly what ``status`` means (active
    members of that time). Only meetings the history holds count
    (:meth:`HistoryStore.held_at`), so no meeting before the first snapshot appears. Without
    ``through``: meetings that ended by the latest snapshot. With ``club`` seen at ``seen`` on
    ``through``'s day, the current sheet stands for ``through`` (:func:`live_at`).
    """
    if through is None:
        last = store.latest_snapshot()
        candidates = (
            [m for m in schedule.meetings if m.end <= last.taken_at] if last is not None else []
        )
    else:
        candidates = schedule.meetings[: through.number]
    states = _States(store, club, seen)
    rows: list[tuple[dt.date, dict[tuple[str, str], Any]]] = []
    for meeting in reversed(candidates):
        if len(rows) >= last_n:
            break
        past = states.club_at(meeting)
        if past is None:
            continue  # a meeting the history does not hold leaves a gap, not a guess
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
