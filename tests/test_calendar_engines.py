"""The same meeting at the same instant in every calendar engine.

The ``.ics`` carries its own ``VTIMEZONE``; an engine that reads it (ical.js in Thunderbird and
Nextcloud, dateutil's ``tzical``) must place every meeting where the tz database does, on both
sides of each DST change, in a northern, a southern and a no-DST zone. Engines here read the
file's ``VTIMEZONE`` only, never a zone database of their own; the expected instants come from
``zoneinfo``.

ical.js runs under Node (marked ``engines``: deselected by default, run by ``.ci/run``, which
installs ical.js with npm and says where in ``ICALJS``).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import ClubFolder
from dateutil import tz

CLUBS = {
    # zone: (weekday, time) — weekly for a year, so every meeting near both DST changes is in it
    "America/Toronto": ("tuesday", "12:00"),
    "Europe/Berlin": ("wednesday", "19:30"),
    "Australia/Sydney": ("monday", "08:00"),
    "Asia/Kolkata": ("friday", "23:30"),
    "Africa/Casablanca": ("thursday", "18:00"),  # off an hour in Ramadan: no yearly rule
}
FIRST = dt.date(2026, 9, 7)


def weekly_calendar(club: ClubFolder, zone: str) -> str:
    weekday, time = CLUBS[zone]
    days = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    first = FIRST + dt.timedelta(days=(days.index(weekday) - FIRST.weekday()) % 7)
    club.write(
        config={
            "meetings": {
                "every": "weekly",
                "weekday": weekday,
                "time": time,
                "timezone": zone,
                "first": first,
            }
        }
    )
    result = club.run("calendar", "-n", "52", "--as-of", FIRST.isoformat())
    assert result.exit_code == 0, result.stderr
    return result.stdout


def unfolded(text: str) -> str:
    return re.sub(r"\r?\n[ \t]", "", text)


def events(text: str) -> list[tuple[str, str]]:
    """(UID, local DTSTART) of each VEVENT, read off the text."""
    found = []
    for block in re.findall(r"BEGIN:VEVENT\r?\n(.*?)END:VEVENT", unfolded(text), re.S):
        uid = re.search(r"^UID:(\S+)", block, re.M).group(1)
        start = re.search(r"^DTSTART;TZID=[^:]+:(\d{8}T\d{6})", block, re.M).group(1)
        found.append((uid, start))
    return found


def tz_database_instant(local: str, zone: str) -> dt.datetime:
    moment = dt.datetime.strptime(local, "%Y%m%dT%H%M%S").replace(tzinfo=ZoneInfo(zone))
    return moment.astimezone(dt.UTC)


@pytest.mark.parametrize("zone", sorted(CLUBS))
def test_the_vtimezone_is_yearly_rules_not_a_list_of_dates(club: ClubFolder, zone: str) -> None:
    text = unfolded(weekly_calendar(club, zone))
    vtimezone = re.search(r"BEGIN:VTIMEZONE.*?END:VTIMEZONE", text, re.S).group(0)
    assert f"TZID:{zone}" in vtimezone
    assert "RDATE" not in vtimezone
    if zone == "Asia/Kolkata":
        assert "RRULE" not in vtimezone and "BEGIN:DAYLIGHT" not in vtimezone
    elif zone == "Africa/Casablanca":
        assert "RRULE" not in vtimezone and vtimezone.count("DTSTART:") >= 5
    else:
        assert vtimezone.count("RRULE:FREQ=YEARLY") == 2
    assert text.index("BEGIN:VTIMEZONE") < text.index("BEGIN:VEVENT")


@pytest.mark.parametrize("zone", sorted(CLUBS))
def test_dateutil_reads_every_meeting_at_its_instant(club: ClubFolder, zone: str) -> None:
    text = weekly_calendar(club, zone)
    vtimezone = tz.tzical(io.StringIO(unfolded(text))).get(zone)
    found = events(text)
    assert len(found) == 52
    offsets = set()
    for _, local in found:
        naive = dt.datetime.strptime(local, "%Y%m%dT%H%M%S")
        engine = naive.replace(tzinfo=vtimezone).astimezone(dt.UTC)
        assert engine == tz_database_instant(local, zone), local
        offsets.add(naive.replace(tzinfo=ZoneInfo(zone)).utcoffset())
    assert len(offsets) == (1 if zone == "Asia/Kolkata" else 2)  # both sides of DST are in it


@pytest.mark.engines
@pytest.mark.parametrize("zone", sorted(CLUBS))
def test_ical_js_reads_every_meeting_at_its_instant(club: ClubFolder, zone: str) -> None:
    library = os.environ.get("ICALJS")
    assert library and Path(library).is_file(), (
        "set ICALJS to ical.js's dist/ical.js (npm install ical.js), as .ci/run does"
    )
    text = weekly_calendar(club, zone)
    script = Path(__file__).with_name("engines") / "ical_starts.mjs"
    run = subprocess.run(
        ["node", str(script)], input=text, capture_output=True, text=True, check=True, timeout=60
    )
    starts = dict(line.split(" ", 1) for line in run.stdout.splitlines())
    found = events(text)
    assert len(starts) == len(found) == 52
    for uid, local in found:
        engine = dt.datetime.fromisoformat(starts[uid].replace("Z", "+00:00"))
        assert engine == tz_database_instant(local, zone), (uid, local)
