"""The meeting cadence as iCalendar (``calendar``, the .ics attached to emails) and as lines of
text (``next``).

Each event's UID is the meeting's planned date and a hash of the club's name, so a re-import
updates events instead of duplicating them, a moved meeting keeps the UID of its planned slot, and
two clubs never share a UID (whatever script their names are written in). The calendar says
``METHOD:PUBLISH``, as the mail attachment's content type does; ``DTSTAMP`` is when the file was
made, from :func:`sheetmentor.clock.now`.

The club's ``VTIMEZONE`` is written as Google Calendar and Outlook write theirs: one yearly
``RRULE`` per kind of change ("second Sunday of March at 02:00"), found from the tz database's own
transitions over the years the file covers. A list of dates (``RDATE``) is valid iCalendar too,
but ical.js, the engine of Thunderbird and Nextcloud, then applies one offset all year; the list is
never used: a zone whose changes follow no yearly rule in those years gets one block per change.
"""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
import hashlib
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sheetmentor import clock
from sheetmentor.analysis import rotation
from sheetmentor.errors import ConfigError
from sheetmentor.i18n import _, current
from sheetmentor.render.contexts import schedule_for, shortdate
from sheetmentor.schedule import LAST_DAY

if TYPE_CHECKING:
    from icalendar import Timezone

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
        facilitator = rotation(members, schedule, meeting)[0]
        parts = [
            current().weekday_date(meeting.date, year=True),
            _hours(meeting),
        ]
        if meeting.location:
            parts.append(meeting.location)
        if facilitator:
            parts.append(_("facilitator %(name)s") % {"name": facilitator})
        if meeting.moved_from:
            parts.append(_("moved from %(date)s") % {"date": shortdate(meeting.moved_from)})
        lines.append(" · ".join(parts))
    return lines


def _hours(meeting: Meeting) -> str:
    """``12:00–13:00 EST``; ``00:30 EDT–01:30 EST`` when the clocks change during the meeting."""
    start, end = meeting.start, meeting.end
    if start.tzname() == end.tzname():
        return f"{start:%H:%M}–{end:%H:%M} {start.tzname()}"
    return f"{start:%H:%M} {start.tzname()}–{end:%H:%M} {end.tzname()}"


def _unambiguous(moment: dt.datetime) -> dt.datetime:
    """``moment`` as the .ics can say it: a local time read twice (the hour repeated when summer
    time ends) means its first occurrence there, so the second one is written in UTC."""
    other = moment.replace(fold=1 - moment.fold)
    return moment.astimezone(dt.UTC) if other.utcoffset() != moment.utcoffset() else moment


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
    zones = {meeting.start.tzinfo for meeting in meetings}
    for zone in sorted((z for z in zones if isinstance(z, ZoneInfo)), key=lambda z: z.key):
        years = [m.start.year for m in meetings if m.start.tzinfo is zone]
        calendar.add_component(club_vtimezone(zone, min(years) - 1, max(years) + 1))
    members = list(club.active_members["name"])
    for meeting in meetings:
        facilitator = rotation(members, schedule, meeting)[0]
        event = Event()
        event.add("uid", event_uid(club.name, meeting))
        event.add("summary", club.name)
        event.add("dtstart", _unambiguous(meeting.start))
        event.add("dtend", _unambiguous(meeting.end))
        event.add("dtstamp", stamp)
        if meeting.location:
            event.add("location", meeting.location)
        if facilitator:
            event.add("description", _("Facilitator: %(name)s") % {"name": facilitator})
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def club_vtimezone(zone: ZoneInfo, first_year: int, last_year: int) -> Timezone:
    """``zone`` as a ``VTIMEZONE`` for the years ``first_year`` to ``last_year``: one yearly rule
    per kind of change where every year follows it, else each change of those years on its own."""
    from icalendar import Timezone

    changes = _offset_changes(zone, first_year, last_year)
    timezone = Timezone()
    timezone.add("tzid", zone.key)
    start = dt.datetime(first_year, 1, 1, tzinfo=zone)
    timezone.add_component(
        _observance(
            start.replace(tzinfo=None), start.utcoffset(), start.utcoffset(), start.tzname()
        )
    )
    kinds: dict[tuple, list[dt.datetime]] = {}
    for instant, before, after in changes:
        wall = (instant + before).replace(tzinfo=None)
        name = instant.astimezone(zone).tzname()
        kinds.setdefault((before, after, wall.month, wall.weekday(), wall.time(), name), []).append(
            wall
        )
    years = last_year - first_year + 1
    rules = {kind: _week_of_month(walls) for kind, walls in kinds.items()}
    if all(len(kinds[kind]) == years and week is not None for kind, week in rules.items()):
        for (before, after, month, weekday, _, name), week in rules.items():
            day = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[weekday]
            rule = {"freq": "yearly", "bymonth": month, "byday": f"{week}{day}"}
            walls = kinds[(before, after, month, weekday, _, name)]
            timezone.add_component(_observance(walls[0], before, after, name, rule))
    else:
        for instant, before, after in changes:
            wall = (instant + before).replace(tzinfo=None)
            timezone.add_component(
                _observance(wall, before, after, instant.astimezone(zone).tzname())
            )
    return timezone


def _observance(
    start: dt.datetime,
    before: dt.timedelta,
    after: dt.timedelta,
    name: str | None,
    rule: dict | None = None,
):
    """One ``STANDARD`` or ``DAYLIGHT`` block (daylight where the offset grows)."""
    from icalendar import TimezoneDaylight, TimezoneStandard

    observance = TimezoneDaylight() if after > before else TimezoneStandard()
    observance.add("dtstart", start)
    observance.add("tzoffsetfrom", before)
    observance.add("tzoffsetto", after)
    if name:
        observance.add("tzname", name)
    if rule:
        observance.add("rrule", rule)
    return observance


def _week_of_month(walls: list[dt.datetime]) -> int | None:
    """The ``BYDAY`` ordinal every one of these days shares (1–4 from the start of the month, −1
    for the last), or ``None``."""
    if len({(wall.day - 1) // 7 + 1 for wall in walls}) == 1 and walls[0].day <= 28:
        return (walls[0].day - 1) // 7 + 1
    if all(wall.day + 7 > month_calendar.monthrange(wall.year, wall.month)[1] for wall in walls):
        return -1
    return None


def _offset_changes(
    zone: ZoneInfo, first_year: int, last_year: int
) -> list[tuple[dt.datetime, dt.timedelta, dt.timedelta]]:
    """Every change of UTC offset in those years: (the UTC instant, the offset before, after),
    each found to the minute by bisection within the day it falls in."""
    changes = []
    day = dt.timedelta(days=1)
    moment = dt.datetime(first_year, 1, 1, tzinfo=dt.UTC)
    end = dt.datetime(last_year + 1, 1, 1, tzinfo=dt.UTC)
    offset = moment.astimezone(zone).utcoffset()
    while moment < end:
        following = (moment + day).astimezone(zone).utcoffset()
        if following != offset:
            low, high = 0, 24 * 60
            while high - low > 1:
                middle = (low + high) // 2
                at = moment + dt.timedelta(minutes=middle)
                low, high = (
                    (middle, high) if at.astimezone(zone).utcoffset() == offset else (low, middle)
                )
            changes.append((moment + dt.timedelta(minutes=high), offset, following))
            offset = following
        moment += day
    return changes
