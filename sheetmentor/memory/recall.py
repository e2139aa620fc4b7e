"""Everything a meeting's agenda or recap remembers, and what a command run does with the store."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from ..cadence import Meeting, Schedule
from ..errors import HistoryError
from ..plain import records
from ..schema import Club
from .changes import Changes, stale, what_changed
from .health import Health, club_health
from .store import HistoryStore, current_state, period_for
from .streaks import Streak, completion_history, history_records, streaks

_log = logging.getLogger("sheetmentor.memory")


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
