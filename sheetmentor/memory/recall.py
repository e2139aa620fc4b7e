"""Everything a meeting's agenda or recap remembers, and what a command run does with the store."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from sheetmentor.errors import HistoryError
from sheetmentor.memory.changes import Changes, changes_from, stale
from sheetmentor.memory.health import Health, club_health
from sheetmentor.memory.store import (
    HISTORY_NAME,
    Baseline,
    HistoryStore,
    current_state,
    period_for,
)
from sheetmentor.memory.streaks import Streak, completion_history, history_records, streaks
from sheetmentor.plain import records
from sheetmentor.privacy import private_mask
from sheetmentor.schedule import Meeting, Schedule
from sheetmentor.sheet.normalize import Club

_log = logging.getLogger("sheetmentor.memory")


STARTER_MEMBER = "Your Name"
"""The placeholder member of the workbook ``sheetmentor init`` writes."""


def untouched_starter(club: Club) -> bool:
    """Whether the sheet is still the starter workbook: no member but the placeholder
    :data:`STARTER_MEMBER`. Such a sheet is not a club yet and is never recorded, so its example
    goal never shows as a past meeting."""
    names = set(club.members["name"].dropna()) | set(club.goals["member"].dropna())
    return names <= {STARTER_MEMBER}


@dataclass
class MeetingMemory:
    """The history blocks of one agenda or recap (:func:`meeting_memory`)."""

    meeting: dt.date
    baseline: Baseline | None
    changes: Changes | None
    stale: pd.DataFrame
    streaks: dict[str, Streak]
    history: pd.DataFrame
    health: Health
    started_over: bool = False

    def to_dict(self) -> dict[str, Any]:
        """``{"meeting", "previous", "since", "since_meeting", "first_seen", "changes":
        Changes.to_dict() | None, "stale": [STALE], "streaks": {NAME: Streak.to_dict()},
        "history": history_records(...), "health": Health.to_dict(), "started_over": bool}``.

        ``previous`` is the meeting the "since" claims are about, ``since`` the day of the state
        they compare with — equal to ``previous`` only when ``since_meeting`` (the history holds
        the sheet as it was at that meeting); ``first_seen`` the day sheetmentor first saw the
        sheet. STALE is ``{"key", "member", "goal", "tier", "category", "status", "progress",
        "due", "unchanged", "since"}``."""
        found = self.baseline
        return {
            "meeting": self.meeting,
            "previous": found.meeting if found else None,
            "since": found.since if found else None,
            "since_meeting": bool(found and found.at_meeting),
            "first_seen": found.first_seen if found else None,
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
    seen: dt.datetime | None = None,
    since: dt.date | None = None,
    history_n: int = 6,
    attendance_n: int = 6,
    min_stale: int = 2,
) -> MeetingMemory:
    """Changes, stale goals, streaks, history and health for the agenda or recap of ``meeting``.

    The baseline is :meth:`HistoryStore.baseline` of the meeting before ``meeting`` (or of the
    last meeting on or before ``since``); the present is the current sheet, read at ``seen``
    (the clock, whatever ``as_of`` says). An agenda counts streaks and history up to the previous
    meeting (this one has not happened); a recap up to ``meeting`` itself, with the current sheet
    standing for it when it was read on that meeting's day after it ended.
    """
    previous = schedule.previous(meeting)
    if since is None:
        about = previous
    else:
        earlier = [m for m in schedule.meetings if m.date <= since]
        about = earlier[-1] if earlier else None
    baseline = store.baseline(about) if about is not None else None
    now = current_state(club, store)
    names = list(club.active_members["name"])
    active_now = now[now["member"].isin(names).to_numpy()]
    held = schedule.meetings[: meeting.number - 1]
    through = meeting if kind == "recap" else previous
    live = club if kind == "recap" else None
    return MeetingMemory(
        meeting=meeting.date,
        baseline=baseline,
        changes=changes_from(store, club, baseline, now),
        stale=stale(store, held, active_now, min_stale),
        streaks=(
            streaks(
                store, schedule, club, through=through, seen=seen if live else None, now_state=now
            )
            if through is not None
            else {name: Streak(0, None, None, None) for name in names}
        ),
        history=completion_history(
            store, schedule, history_n, through=through, club=live, seen=seen
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
            baseline=baseline,
            seen=seen,
        ),
        started_over=store.created,
    )


def with_private_history(state_dir: Path, club: Club) -> Club:
    """``club`` with every goal the history ever recorded private marked private again (its
    Private cell cleared, its 🔒 taken off: once private, private in every later mention), and
    the history's private keys and wordings (``Club.private_keys``, ``Club.private_texts``) for
    the mentions of goals no longer on the sheet. Reads the store, never writes it; a store
    that cannot be read adds nothing (the command meets its error when it opens the store)."""
    try:
        if not (Path(state_dir) / HISTORY_NAME).is_file():
            return club
        with HistoryStore.open(state_dir, create=False) as store:
            keys = store.private_keys()
            if not keys:
                return club
            texts = store.private_texts()
            now = current_state(club, store)
    except (HistoryError, OSError):
        return club
    sticky = now["key"].isin(keys).to_numpy(dtype=bool)
    goals = club.goals.assign(private=private_mask(club) | sticky)
    return replace(club, goals=goals, private_keys=keys, private_texts=texts)


def remember(
    state_dir: Path,
    club: Club,
    schedule: Schedule,
    seen: dt.datetime,
    *,
    expect_history: bool = False,
) -> bool:
    """Record the sheet as it was seen at ``seen`` — the clock's time, never ``--as-of``; the
    sending runs and ``sheetmentor record`` do, never a preview.

    Returns whether a new snapshot was stored: nothing is when the sheet is unchanged (the
    latest snapshot's sighting is extended), still the untouched starter workbook
    (:func:`untouched_starter`), or ``seen`` is before the latest snapshot (a clock set back:
    history only grows forward). With ``expect_history`` (the state folder existed before this
    run), a missing store starts over with a warning.
    """
    if untouched_starter(club):
        return False
    with _open_logged(state_dir, create=True, expect_history=expect_history) as store:
        return _record(store, club, schedule, seen)


def recall_memory(
    state_dir: Path,
    club: Club,
    schedule: Schedule,
    meeting: Meeting,
    *,
    kind: Literal["agenda", "recap"],
    as_of: dt.date,
    seen: dt.datetime,
    cap: int,
    expect_history: bool = False,
) -> MeetingMemory:
    """What the agenda or recap of ``meeting`` remembers as of ``as_of`` (:func:`meeting_memory`),
    read without writing anything: typed, for the decisions a run makes from it (who is nudged);
    templates get :meth:`MeetingMemory.to_dict` at the render boundary."""
    with _open_logged(state_dir, create=False, expect_history=expect_history) as store:
        return meeting_memory(
            store, club, schedule, meeting, kind=kind, as_of=as_of, cap=cap, seen=seen
        )


def recall(
    state_dir: Path,
    club: Club,
    schedule: Schedule,
    meeting: Meeting,
    *,
    kind: Literal["agenda", "recap"],
    as_of: dt.date,
    seen: dt.datetime,
    cap: int,
    record: bool = False,
    expect_history: bool = False,
) -> dict[str, Any]:
    """The ``memory`` block of the agenda or recap of ``meeting`` (:meth:`MeetingMemory.to_dict`)
    as of ``as_of``, then, with ``record`` (sending runs), the sheet recorded as seen at
    ``seen``. Without it nothing is written: a missing store reads as an empty history.

    Recording comes second so that this run's own snapshot never serves as the baseline it is
    compared with: the first run after a meeting compares with what was stored before.
    """
    memory = recall_memory(
        state_dir,
        club,
        schedule,
        meeting,
        kind=kind,
        as_of=as_of,
        seen=seen,
        cap=cap,
        expect_history=expect_history,
    )
    if record:
        remember(state_dir, club, schedule, seen, expect_history=expect_history)
    return memory.to_dict()


def _open_logged(state_dir: Path, *, create: bool, expect_history: bool) -> HistoryStore:
    store = HistoryStore.open(state_dir, create=create)
    if store.created and expect_history:
        if create:
            _log.warning("no meeting history in %s; starting it over from today", store.path)
        else:
            _log.warning(
                "no meeting history in %s; the next sending run or `sheetmentor record` starts "
                "it over",
                store.path,
            )
    return store


def _record(store: HistoryStore, club: Club, schedule: Schedule, seen: dt.datetime) -> bool:
    try:
        return store.record(club, taken_at=seen, period=period_for(schedule, seen))
    except HistoryError as error:
        _log.info("not recording the sheet: %s", error)
        return False
