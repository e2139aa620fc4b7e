"""Time for the club: the one clock, and the rules that turn a moment into a club day.

Three kinds of time cross the library, and each has one representation:

- an **instant** ("now", an ``--as-of`` moment, when a sheet was seen, when a meeting starts or
  ends) is an *aware* :class:`datetime.datetime`. :func:`instant` turns any aware value into UTC
  and refuses a naive one (:class:`~sheetmentor.errors.NaiveTimeError`): a naive datetime does
  not say which 20:00 it means. Instants are compared and added to in UTC — elapsed time — and
  never on the club's wall clock, where the hour repeated when summer time ends would make a
  meeting that ended 45 minutes ago look not over yet.
- a **club day** is a :class:`datetime.date` in the club's time zone (``meetings.timezone``):
  :func:`club_day` is the only way from an instant to a day, so "the same day" always means the
  club's day, never UTC's or the computer's.
- a **bare date** given as ``--as-of`` (or ``as_of=`` to a library function) is a club day, read
  as an instant by :func:`as_of`: the start of that day for a command that looks ahead
  (``agenda``, ``status``, ``next``, ``calendar``, ``changes``, ``nudge``: a meeting that day is
  still to come) and its end for ``recap``, which looks back (a meeting that day has ended).

"Now" is :func:`now`: the system clock, or ``SHEETMENTOR_NOW`` where set (simulations and tests;
a naive value there is in the club's zone). ``--as-of`` changes what is computed, never when
things happen: the times the history store, the ledger and the calendar's ``DTSTAMP`` record come
from :func:`now`.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Literal

from sheetmentor.errors import ConfigError, NaiveTimeError

NOW_VARIABLE = "SHEETMENTOR_NOW"

FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2261, 12, 31)
"""The days sheetmentor can reason about: pandas and numpy dates (nanoseconds) span 1677 to
2262, and a schedule looks a year past "now"."""

Bare = Literal["start", "end"]
"""What a bare date means as an instant: the first or the last moment of that club day."""


def now(zone: dt.tzinfo = dt.UTC) -> dt.datetime:
    """The current instant, in UTC: ``SHEETMENTOR_NOW`` (ISO 8601; a naive value is in
    ``zone``, the club's) where set, else the system clock.

    Raises :class:`~sheetmentor.errors.ConfigError` (exit 2) naming the variable when its value
    is not a date-time or lies outside the years sheetmentor can count meetings in.
    """
    text = os.environ.get(NOW_VARIABLE, "").strip()
    if not text:
        return dt.datetime.now(dt.UTC)
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(
            f"{NOW_VARIABLE}={text!r} is not a date-time like 2026-11-24T14:00"
        ) from None
    try:
        return _within(_attach(moment, zone), f"{NOW_VARIABLE}={text!r}")
    except OverflowError:
        raise ConfigError(_out_of_range(f"{NOW_VARIABLE}={text!r}")) from None


def instant(moment: dt.datetime, what: str = "a time") -> dt.datetime:
    """``moment`` in UTC; a naive ``moment`` is refused (:class:`NaiveTimeError`, naming
    ``what``): the library never guesses a zone."""
    if not isinstance(moment, dt.datetime) or moment.utcoffset() is None:
        raise NaiveTimeError(
            f"{what} must be an aware datetime (with a time zone), got {moment!r}; pass e.g. "
            "sheetmentor.clock.now() or datetime.datetime(2026, 11, 24, 20, 0, "
            "tzinfo=zoneinfo.ZoneInfo('America/Toronto'))"
        )
    return moment.astimezone(dt.UTC)


def club_day(moment: dt.datetime, zone: dt.tzinfo) -> dt.date:
    """The club's day at instant ``moment`` (aware): its date on the wall clock in ``zone``."""
    return instant(moment).astimezone(zone).date()


def day_start(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    """The first instant of club day ``day`` (UTC)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=zone).astimezone(dt.UTC)


def day_end(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    """The last instant of club day ``day`` (UTC): one microsecond before the next day starts,
    whatever length summer time gives the day."""
    return day_start(day + dt.timedelta(days=1), zone) - dt.timedelta(microseconds=1)


def local(moment: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """Instant ``moment`` on the club's wall clock, for display only: compare instants, never
    local times (two of them an hour apart read the same when summer time ends)."""
    return instant(moment).astimezone(zone)


def later(moment: dt.datetime, elapsed: dt.timedelta) -> dt.datetime:
    """The instant ``elapsed`` after ``moment``, in ``moment``'s zone: real elapsed time, where
    Python's ``moment + elapsed`` moves the wall clock (one hour off across a DST change)."""
    zone = moment.tzinfo
    return (instant(moment) + elapsed).astimezone(zone)


def as_of(
    value: dt.datetime | dt.date | None, zone: dt.tzinfo, *, bare: Bare, what: str = "as_of"
) -> dt.datetime | None:
    """The instant an ``--as-of`` (or ``as_of=``) names, in UTC; None stays None ("now").

    A bare date is club day ``value``: its first moment with ``bare="start"`` (a command that
    looks ahead), its last with ``bare="end"`` (``recap``). A datetime must be aware
    (:func:`instant`); the CLI gives a typed ``--as-of 2026-11-24T14:00`` the club's zone before
    it gets here. A value outside the years sheetmentor can count meetings in is a
    :class:`~sheetmentor.errors.ConfigError` naming ``what``.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return _within(instant(value, what), what)
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ConfigError(_out_of_range(f"{what} {value.isoformat()}"))
    return day_start(value, zone) if bare == "start" else day_end(value, zone)


def moment(value: dt.datetime | dt.date | None, zone: dt.tzinfo, *, bare: Bare) -> dt.datetime:
    """The instant a command computes for (UTC): ``value`` read by :func:`as_of`, else
    :func:`now`."""
    return as_of(value, zone, bare=bare) or now(zone)


def today(value: dt.datetime | dt.date | None, zone: dt.tzinfo, *, bare: Bare) -> dt.date:
    """The club day a command computes for: that of :func:`moment`."""
    return club_day(moment(value, zone, bare=bare), zone)


def attach(moment: dt.datetime | dt.date | None, zone: dt.tzinfo) -> dt.datetime | dt.date | None:
    """A value typed on the command line, with the club's zone given to a naive date-time (what
    a person types at the club means club time); dates and aware values pass unchanged."""
    if isinstance(moment, dt.datetime):
        return _attach(moment, zone)
    return moment


def _attach(moment: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def _within(moment: dt.datetime, what: str) -> dt.datetime:
    """``moment`` in UTC, if its day lies within :data:`FIRST_DAY`–:data:`LAST_DAY`."""
    utc = moment.astimezone(dt.UTC)
    if not FIRST_DAY <= utc.date() <= LAST_DAY:
        raise ConfigError(_out_of_range(what))
    return utc


def _out_of_range(what: str) -> str:
    return (
        f"{what} is out of range: sheetmentor counts meetings between {FIRST_DAY.year} and "
        f"{LAST_DAY.year}"
    )
