"""The meeting cadence as iCalendar (``calendar``, the .ics attached to emails) and as lines of
text (``next``).

Each event's UID is the meeting's planned date and a hash of the club's name, so a re-import
updates events instead of duplicating them, a moved meeting keeps the UID of its planned slot, and
two clubs never share a UID (whatever script their names are written in). The calendar says
``METHOD:PUBLISH``, as the mail attachment's content type does; ``DTSTAMP`` is when the file was
made, from :func:`sheetmentor.clock.now`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING

from sheetmentor import clock
from sheetmentor.analysis import rotation
from sheetmentor.errors import ConfigError
from sheetmentor.render.contexts import longdate, schedule_for, shortdate
from sheetmentor.schedule import LAST_DAY

if TYPE_CHECKING:
    from sheetmentor.config import Config
    from sheetmentor.schedule import Meeting, Schedule
    from sheetmentor.sheet.normalize import Club


def upcoming(config: Config, club: Club, as_of: dt.date, count: int) -> tuple[Schedule, list]:
    """The schedule and the next ``count`` meetings from ``as_of``: all of them, or a usage error
    saying why not (the schedule ends in :data:`sheetmentor.schedule.LAST_DAY`) — never fewer
    without a word."""
    schedule = schedule_for(config, club, as_of, count)
    meetings = schedule.upcoming(as_of, count)
    if len(meetings) < count:
        raise ConfigError(
            f"-n {count}: only {len(meetings)} meetings are scheduled from {as_of.isoformat()} "
            f"to {LAST_DAY.isoformat()}, the last day a schedule reaches"
        )
    return schedule, meetings


def upcoming_lines(config: Config, club: Club, as_of: dt.date, count: int) -> list[str]:
    """``next``: one line per upcoming meeting, with place and facilitator."""
    schedule, meetings = upcoming(config, club, as_of, count)
    members = list(club.active_members["name"])
    lines = []
    for meeting in meetings:
        facilitator, _ = rotation(members, schedule, meeting)
        parts = [
            f"{meeting.date:%a} {longdate(meeting.date).split(', ', 1)[1]}",
            f"{meeting.start:%H:%M}–{meeting.end:%H:%M} {meeting.start.tzname()}",
        ]
        if meeting.location:
            parts.append(meeting.location)
        if facilitator:
            parts.append(f"facilitator {facilitator}")
        if meeting.moved_from:
            parts.append(f"moved from {shortdate(meeting.moved_from)}")
        lines.append(" · ".join(parts))
    return lines


def calendar_ics(
    config: Config, club: Club, as_of: dt.date, count: int, *, stamp: dt.datetime | None = None
) -> bytes:
    """``calendar``: the next ``count`` meetings as iCalendar events with stable UIDs."""
    schedule, meetings = upcoming(config, club, as_of, count)
    return meetings_ics(club, schedule, meetings, stamp=stamp)


def event_uid(club_name: str, meeting: Meeting) -> str:
    """``YYYYMMDD-HASH@sheetmentor``: the planned date and the first 12 hex digits of the
    SHA-256 of the club's name."""
    slot = meeting.moved_from or meeting.date
    club = hashlib.sha256(club_name.encode("utf-8")).hexdigest()[:12]
    return f"{slot:%Y%m%d}-{club}@sheetmentor"


def meetings_ics(
    club: Club,
    schedule: Schedule,
    meetings: list[Meeting],
    *,
    stamp: dt.datetime | None = None,
) -> bytes:
    """Meetings as an iCalendar file (also the .ics attached to emails), with facilitators.

    ``stamp`` is the ``DTSTAMP`` of every event (default: now, by :func:`sheetmentor.clock.now`,
    a naive ``SHEETMENTOR_NOW`` read in the meetings' time zone).
    """
    from icalendar import Calendar, Event

    if stamp is None:
        stamp = clock.now(meetings[0].start.tzinfo if meetings else dt.UTC)
    stamp = stamp.astimezone(dt.UTC)
    calendar = Calendar()
    calendar.add("prodid", "-//sheetmentor//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", club.name)
    members = list(club.active_members["name"])
    for meeting in meetings:
        facilitator, _ = rotation(members, schedule, meeting)
        event = Event()
        event.add("uid", event_uid(club.name, meeting))
        event.add("summary", club.name)
        event.add("dtstart", meeting.start)
        event.add("dtend", meeting.end)
        event.add("dtstamp", stamp)
        if meeting.location:
            event.add("location", meeting.location)
        if facilitator:
            event.add("description", f"Facilitator: {facilitator}")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
