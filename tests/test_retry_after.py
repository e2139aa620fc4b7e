"""The one ``Retry-After`` parser reads every RFC 9110 form, measured from a fixed now."""

from __future__ import annotations

import datetime as dt

import pytest

from sheetmentor.retry_after import MAX_WAIT, retry_after_seconds

NOW = dt.datetime(1994, 11, 6, 8, 49, 7, tzinfo=dt.UTC)  # 30 s before the RFC's example date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        ("  7 ", 7.0),
        ("0", 0.0),
        ("0.5", 0.5),
        ("-5", 0.0),
        ("99999999999", MAX_WAIT),
        ("1e400", None),
        ("inf", None),
        ("nan", None),
        ("Sun, 06 Nov 1994 08:49:37 GMT", 30.0),
        ("Sunday, 06-Nov-94 08:49:37 GMT", 30.0),
        ("Sun Nov  6 08:49:37 1994", 30.0),
        ("Sun, 06 Nov 1994 08:49:37 -0000", 30.0),
        ("Sun, 06 Nov 1994 08:49:37 +0000", 30.0),
        ("Sun, 06 Nov 1994 09:49:37 +0100", 30.0),
        ("Sat, 05 Nov 1994 08:49:37 GMT", 0.0),
        ("Sun, 06 Nov 2094 08:49:37 GMT", MAX_WAIT),
        ("garbage", None),
        ("Sun, 32 Nov 1994 08:49:37 GMT", None),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_every_form_is_read(value: str | None, expected: float | None) -> None:
    assert retry_after_seconds(value, now=NOW) == expected


def test_a_naive_now_means_utc_and_the_cap_can_be_lowered() -> None:
    naive = NOW.replace(tzinfo=None)
    assert retry_after_seconds("Sun, 06 Nov 1994 08:49:37 GMT", now=naive) == 30.0
    assert retry_after_seconds("600", now=NOW, cap=60) == 60.0


def test_without_now_the_system_clock_is_used() -> None:
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=100)
    seconds = retry_after_seconds(soon.strftime("%a, %d %b %Y %H:%M:%S -0000"))
    assert seconds is not None and 90 <= seconds <= 100


def test_both_callers_read_a_minus_zero_zone_date_without_error() -> None:
    import requests
    from gspread.exceptions import APIError

    from sheetmentor.outbound.chat import _retry_after as chat_retry_after
    from sheetmentor.sheet.sources.google import _retry_after as google_retry_after

    response = requests.Response()
    response.status_code = 429
    response._content = b"{}"
    response.headers["Retry-After"] = "Sun, 06 Nov 1994 08:49:37 -0000"  # long past: 0 s
    assert chat_retry_after("slack", response) == 0.0

    class Refused(APIError):
        def __init__(self, response: requests.Response) -> None:
            self.response = response

    assert google_retry_after(Refused(response)) == 0.0
    response.headers["Retry-After"] = "soon"
    assert google_retry_after(Refused(response)) is None
    assert chat_retry_after("teams", response) is None
