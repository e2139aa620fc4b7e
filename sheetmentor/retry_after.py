"""The one ``Retry-After`` parser: how long a refused request was asked to wait, in seconds.

RFC 9110 §10.2.3 allows delta-seconds or an HTTP date, and an HTTP date has three forms:
IMF-fixdate (``Sun, 06 Nov 1994 08:49:37 GMT``), RFC 850 (``Sunday, 06-Nov-94 08:49:37 GMT``)
and asctime (``Sun Nov  6 08:49:37 1994``). :func:`email.utils.parsedate_to_datetime` reads all
three, but gives a naive datetime for asctime and for a ``-0000`` zone; both mean UTC here, as
HTTP dates always are. A date in the past is 0 s; a negative number is 0 s; a huge one is capped
at ``cap``; anything else (garbage, ``inf``, ``nan``) is None, so the caller uses its own backoff.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import math

#: The longest wait a header can ask for (a day): more is surely a mistake.
MAX_WAIT = 86_400.0


def retry_after_seconds(
    value: str | None, *, now: dt.datetime | None = None, cap: float = MAX_WAIT
) -> float | None:
    """Seconds to wait from a ``Retry-After`` value, between 0 and ``cap``; None when unreadable.

    ``now`` (aware; naive means UTC) is the moment an HTTP date is measured from, by default the
    system clock."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        seconds = None
    if seconds is not None:
        if math.isnan(seconds) or math.isinf(seconds):
            return None
        return min(cap, max(0.0, seconds))
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    if now is None:
        now = dt.datetime.now(dt.UTC)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=dt.UTC)
    return min(cap, max(0.0, (when - now).total_seconds()))
