"""The one clock: the system clock, or ``SHEETMENTOR_NOW`` where set (simulations and tests).

``--as-of`` changes what is computed, never when things happen: the times the history store, the
ledger and the calendar's ``DTSTAMP`` record come from here.
"""

from __future__ import annotations

import datetime as dt
import os

from sheetmentor.errors import ConfigError

NOW_VARIABLE = "SHEETMENTOR_NOW"
YEARS = (1900, 2261)
"""The years a moment may fall in: what a meeting schedule reaches (pandas holds dates up to
2262), with room for a year of meetings after the last one."""


def now(zone: dt.tzinfo = dt.UTC) -> dt.datetime:
    """The current moment in ``zone``: ``SHEETMENTOR_NOW`` (ISO 8601; a naive value is in
    ``zone``) where set, else the system clock."""
    text = os.environ.get(NOW_VARIABLE, "").strip()
    if not text:
        return dt.datetime.now(zone)
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(
            f"{NOW_VARIABLE}={text!r} is not a date-time like 2026-11-24T14:00"
        ) from None
    if not YEARS[0] <= moment.year <= YEARS[1]:
        raise ConfigError(
            f"{NOW_VARIABLE}={text!r} is outside the years {YEARS[0]}–{YEARS[1]} that "
            "sheetmentor plans meetings in"
        )
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)
