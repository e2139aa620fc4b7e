"""Streaks and completion at each recorded meeting, read back from the history store."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..analysis import STAT_COLUMNS, completion_by_tier, goals_at_meeting, stats_dict
from ..cadence import Meeting, Schedule
from ..schema import TIERS, Club
from .store import HistoryStore, current_state


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
