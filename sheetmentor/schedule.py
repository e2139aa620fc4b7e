"""When the club meets: the cadence from the config, corrected by what the Meetings tab records.

The config says "every 2 weeks on Tuesday from 2026-01-06"; real clubs move a meeting to
Thursday, skip one over the holidays, or add an extra one. A row in the Meetings tab whose date
lies within half a cycle of a cadence date *replaces* that date (a moved meeting, or the same
date with its notes); a row marked skipped cancels it; any other row is an extra meeting. The
result is a :class:`Schedule`: every meeting, numbered, on its club day, with its start and end
as aware instants (shown in the club's time zone; compared as instants, :mod:`sheetmentor.clock`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sheetmentor import clock
from sheetmentor.clock import LAST_DAY
from sheetmentor.config import MeetingsConfig
from sheetmentor.errors import ConfigError
from sheetmentor.plain import cell


@dataclass(frozen=True)
class Meeting:
    number: int
    """1 for the first meeting on the schedule, counting only meetings that take place."""
    date: dt.date
    """The club's day of the meeting (its start, in ``meetings.timezone``)."""
    start: dt.datetime
    """When it starts: aware, in the club's zone (for display); compare it as an instant."""
    end: dt.datetime
    """``meetings.duration`` of real time after ``start`` (not of wall clock: a meeting that
    spans the end of summer time ends an hour earlier on the clock)."""
    location: str
    facilitator: str | None = None
    """As recorded in the Meetings tab; otherwise the rotation decides."""
    attended: tuple[str, ...] | None = None
    """Who came, when the Meetings tab says."""
    notes: str | None = None
    moved_from: dt.date | None = None
    extra: bool = False


@dataclass(frozen=True)
class Skipped:
    date: dt.date
    notes: str | None


class Schedule:
    """Every meeting from the cadence's first date up to a horizon, in order."""

    def __init__(
        self, meetings: list[Meeting], skipped: list[Skipped], zone: dt.tzinfo = dt.UTC
    ) -> None:
        self.meetings = meetings
        self.skipped = skipped
        self.zone = zone
        """The club's time zone: its days are the schedule's days."""
        self.dates = np.array([m.date for m in meetings], dtype="datetime64[ns]")

    def __iter__(self) -> Iterator[Meeting]:
        return iter(self.meetings)

    def __len__(self) -> int:
        return len(self.meetings)

    def day(self, moment: dt.datetime) -> dt.date:
        """The club's day at instant ``moment`` (aware; :func:`sheetmentor.clock.club_day`)."""
        return clock.club_day(moment, self.zone)

    def next_meeting(self, as_of: dt.date) -> Meeting:
        """The first meeting on or after ``as_of`` (a meeting today is still the next one)."""
        if not self.meetings or as_of > self.meetings[-1].date:
            raise ConfigError(f"no meeting scheduled on or after {as_of.isoformat()}")
        if as_of <= self.meetings[0].date:  # also dates too early for numpy's nanoseconds
            return self.meetings[0]
        index = int(np.searchsorted(self.dates, np.datetime64(as_of, "ns"), side="left"))
        return self.meetings[index]

    def upcoming(self, as_of: dt.date, count: int) -> list[Meeting]:
        first = self.next_meeting(as_of)
        return self.meetings[first.number - 1 : first.number - 1 + count]

    def last_ended(self, now: dt.datetime) -> Meeting | None:
        """The most recent meeting that has ended by instant ``now`` (aware; a naive one is
        refused), compared as instants: in the hour repeated when summer time ends, 01:15 EST
        is after a meeting that ended at 01:30 EDT."""
        moment = clock.instant(now, "now")
        ended = [m for m in self.meetings if clock.instant(m.end) <= moment]
        return ended[-1] if ended else None

    def previous(self, meeting: Meeting) -> Meeting | None:
        return self.meetings[meeting.number - 2] if meeting.number > 1 else None

    def following(self, meeting: Meeting) -> Meeting | None:
        return self.meetings[meeting.number] if meeting.number < len(self.meetings) else None

    def on(self, date: dt.date) -> Meeting:
        """The meeting on ``date``; a date with none is a usage error that names the nearest."""
        for meeting in self.meetings:
            if meeting.date == date:
                return meeting
        nearest = min(self.meetings, key=lambda m: abs(m.date - date), default=None)
        hint = f" (the nearest is {nearest.date.isoformat()})" if nearest else ""
        raise ConfigError(f"no meeting on {date.isoformat()}{hint}")


def build_schedule(config: MeetingsConfig, recorded: pd.DataFrame, until: dt.date) -> Schedule:
    """The cadence from ``config.first`` to ``until`` (at least the first meeting, at most
    :data:`~sheetmentor.clock.LAST_DAY`: the config refuses a ``first`` out of range),
    corrected by the Meetings tab rows."""
    until = min(max(until, config.first), LAST_DAY)
    step = dt.timedelta(weeks=config.every)
    cadence = []
    day = config.first
    while day <= until:
        cadence.append(day)
        day += step
    half_cycle = step / 2
    planned: dict[dt.date, dict] = {day: {"date": day} for day in cadence}
    extras: list[dict] = []
    skipped: list[Skipped] = []
    for row in recorded.itertuples(index=False):
        date = row.date.date()
        nearest = min(cadence, key=lambda d: abs(d - date), default=None)
        slot = planned.get(nearest) if nearest and abs(nearest - date) < half_cycle else None
        # A blank cell reads as None, never as the NaN a pandas string column holds for it: a
        # blank Facilitator means "the rotation", not a member named "nan".
        details = {
            "date": date,
            "location": cell(row.location),
            "facilitator": cell(row.facilitator),
            "attended": cell(row.attended) or None,
            "notes": cell(row.notes),
        }
        if slot is not None and "recorded" not in slot:
            if row.status == "skipped":
                del planned[nearest]
                skipped.append(Skipped(date, row.notes))
                continue
            slot.update(details, recorded=True, moved_from=nearest if date != nearest else None)
        elif row.status == "skipped":
            skipped.append(Skipped(date, row.notes))
        else:
            extras.append({**details, "extra": True})
    rows = sorted([*planned.values(), *extras], key=lambda m: m["date"])
    meetings = [_meeting(config, number, row) for number, row in enumerate(rows, start=1)]
    return Schedule(meetings, skipped, config.zone)


def _meeting(config: MeetingsConfig, number: int, row: dict) -> Meeting:
    start = dt.datetime.combine(row["date"], config.time, tzinfo=config.zone)
    return Meeting(
        number=number,
        date=row["date"],
        start=start,
        end=clock.later(start, config.duration),
        location=row.get("location") or config.location,
        facilitator=row.get("facilitator"),
        attended=row.get("attended"),
        notes=row.get("notes"),
        moved_from=row.get("moved_from"),
        extra=row.get("extra", False),
    )
