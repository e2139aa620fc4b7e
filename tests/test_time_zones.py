"""Time through the CLI: clubs that meet in several zones, at 23:30 and at 00:15, across both DST
changes, with ``--as-of`` and ``SHEETMENTOR_NOW`` on both sides of midnight.

The suite's other clubs meet at 12:00 America/Toronto, where a club day and a UTC day agree
from 00:00 to 19:00 and no meeting comes near midnight or a clock change; here every instant is
written in UTC or with its offset, so a test that passed only because the computer, UTC and the
club share a day fails.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Iterator
from email import policy
from email.parser import BytesParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import ClubFolder, meets, run_cli
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from smtp_servers import Server, smtp_server

from sheetmentor import (
    agenda_text,
    calendar_file,
    clock,
    load_config,
    next_meetings,
    recap_text,
    status_report,
)
from sheetmentor.errors import NaiveTimeError
from sheetmentor.outbound.send import send_agenda

D = dt.date
ADA, BO = "Ada Okonkwo", "Bo Chen"
MEMBERS = [
    ["Name", "Email", "Active"],
    [ADA, "ada@example.org", "yes"],
    [BO, "bo@example.org", "yes"],
]
OUTBOX = {"email": {"from": "Test Club <club@example.org>", "outbox": "outbox"}}


def goals(*due: tuple[str, str, dt.date]) -> list[list]:
    """A Goals tab: one two-week goal per ``(member, status, due)``, and a quarterly one each."""
    rows = [["Member", "Goal", "Tier", "Category", "Status", "Due"]]
    rows += [[who, f"Goal due {day}", "two-week", "work", status, day] for who, status, day in due]
    rows += [[who, "Long haul", "quarterly", "career", "", None] for who in (ADA, BO)]
    return rows


def now(moment: str) -> dict[str, str]:
    return {"SHEETMENTOR_NOW": moment}


def heading(agenda: str) -> str:
    """The day an agenda announces: "Tuesday, November 17, 2026"."""
    found = re.search(r"agenda for (\w+, \w+ \d+, \d{4})", agenda)
    assert found, agenda
    return found.group(1)


def long(day: dt.date) -> str:
    return f"{day:%A, %B} {day.day}, {day.year}"


def outbox(club: ClubFolder) -> list[str]:
    """The subjects in the outbox, sorted."""
    folder = club.folder / "outbox"
    parse = BytesParser(policy=policy.default).parsebytes
    return sorted(str(parse(p.read_bytes())["Subject"]) for p in folder.glob("*.eml"))


# --- the bugs, each seen through the CLI first ------------------------------------------------


def test_a_meeting_at_2330_stays_in_history_and_streaks(club: ClubFolder) -> None:
    """Meeting at 23:30 Toronto ends at 00:30 the next day; the recap run after it (01:05) is the
    sheet at that meeting, not "another day", so it shows in ``status --history`` and streaks."""
    club.write(
        members=MEMBERS,
        goals=goals((ADA, "done", D(2026, 11, 10)), (BO, "done", D(2026, 11, 10))),
        config={**meets("America/Toronto", "23:30", D(2026, 11, 3), every="weekly"), **OUTBOX},
    )
    for night in ("2026-11-04T01:05-05:00", "2026-11-11T01:05-05:00"):
        sent = club.run("send-due", env=now(night))
        assert (sent.exit_code, sent.stderr) == (0, ""), sent.stderr
    assert outbox(club) == [
        "Test Club recap — Tuesday, November 10, 2026",
        "Test Club recap — Tuesday, November 10, 2026",
        "Test Club recap — Tuesday, November 3, 2026",
        "Test Club recap — Tuesday, November 3, 2026",
    ]
    later = now("2026-11-17T20:00-05:00")
    status = club.run("status", "--history", "--format", "json", env=later)
    assert status.exit_code == 0, status.stderr
    assert [row["meeting"] for row in json.loads(status.stdout)["history"]] == [
        "2026-11-03",
        "2026-11-10",
    ]
    agenda = club.run("agenda", "--format", "text", env=later).stdout
    assert heading(agenda) == "Tuesday, November 17, 2026"
    assert "Streak: 1 meeting in a row" in agenda
    assert "first saw" not in agenda


def test_b_a_meeting_that_ended_in_the_repeated_hour_has_ended(club: ClubFolder) -> None:
    """Toronto's clocks go back at 02:00 EDT on 2026-11-01: 01:00–02:00 happens twice. A
    meeting 00:30–01:30 EDT ended 45 minutes before 01:15 EST."""
    club.write(
        members=MEMBERS,
        goals=goals((ADA, "", D(2026, 11, 1))),
        config=meets("America/Toronto", "00:30", D(2026, 10, 25), every="weekly"),
    )
    for moment in ("2026-11-01T01:15-05:00", "2026-11-01T06:15+00:00"):
        recap = club.run("recap", env=now(moment))
        assert recap.exit_code == 0, recap.stderr
        assert "recap of Sunday, November 1, 2026" in recap.stdout
    before = club.run("recap", env=now("2026-11-01T01:15-04:00"))  # the first 01:15: EDT
    assert "recap of Sunday, October 25, 2026" in before.stdout


def test_b_a_meeting_across_the_change_lasts_its_duration(club: ClubFolder) -> None:
    """00:30 EDT plus two hours is 01:30 EST (06:30 UTC), not 02:30 on the wall clock."""
    club.write(
        members=MEMBERS,
        goals=goals((ADA, "", D(2026, 11, 1))),
        config=meets("America/Toronto", "00:30", D(2026, 10, 25), every="weekly", duration="2h"),
    )
    recap = club.run("recap", env=now("2026-11-01T02:15-05:00"))  # 45 minutes after its end
    assert recap.exit_code == 0, recap.stderr
    assert "recap of Sunday, November 1, 2026" in recap.stdout
    ics = club.run("calendar", "--as-of", "2026-11-01", "-n", "1").stdout
    assert "DTSTART;TZID=America/Toronto:20261101T003000" in ics
    assert "DTEND:20261101T063000Z" in ics  # 01:30 local would be read as the first, EDT
    line = club.run("next", "--as-of", "2026-11-01", "-n", "1").stdout
    assert line.startswith("Sun November 1, 2026 · 00:30 EDT–01:30 EST · ")


def test_b_a_time_box_across_the_change_is_real_minutes(club: ClubFolder) -> None:
    """A two-hour meeting from 01:00 EDT on Nov 1: the second speaker's 52 minutes run from
    01:57 EDT to 01:49 EST (06:49 UTC), not to 02:49, an hour past the meeting's end."""
    club.write(
        members=MEMBERS,
        goals=goals((ADA, "", D(2026, 11, 1))),
        config=meets("America/Toronto", "01:00", D(2026, 11, 1), every="weekly", duration="2h"),
    )
    agenda = club.run("agenda", "--as-of", "2026-11-01")
    assert agenda.exit_code == 0, agenda.stderr
    assert "*52 min, 01:05–01:57*" in agenda.stdout
    assert "*52 min, 01:57–01:49*" in agenda.stdout


@pytest.mark.parametrize("zone", ["America/Toronto", "Asia/Tokyo"])
def test_c_send_agenda_with_utc_now_picks_tonights_meeting(
    club: ClubFolder, zone: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's library call, ``send_agenda(config, now=clock.now())``: ``clock.now()`` is
    UTC, and at 20:00 club time before a 21:00 meeting UTC may be on the next day already."""
    club.write(
        members=MEMBERS,
        goals=goals((ADA, "", D(2026, 11, 24))),
        config={**meets(zone, "21:00", D(2026, 11, 10)), **OUTBOX},
    )
    evening = dt.datetime(2026, 11, 24, 20, 0, tzinfo=ZoneInfo(zone))
    monkeypatch.setenv("SHEETMENTOR_NOW", evening.isoformat())
    config = load_config(club.config_path)
    report = send_agenda(config, now=clock.now())
    assert report.mailing == "agenda/2026-11-24"
    assert outbox(club) == ["Test Club agenda — Tue Nov 24"] * 2


def test_c_library_refuses_a_naive_now(club: ClubFolder) -> None:
    club.write(config=OUTBOX)
    config = load_config(club.config_path)
    with pytest.raises(NaiveTimeError, match="aware datetime") as raised:
        send_agenda(config, now=dt.datetime(2026, 11, 24, 20, 0))
    assert raised.value.exit_code == 2
    assert not (club.folder / "outbox").exists()


def test_library_as_of_is_any_aware_instant_and_never_a_naive_one(club: ClubFolder) -> None:
    """``as_of`` at 03:00 UTC on Nov 18 is 22:00 on Nov 17 in Toronto, the day of a meeting: the
    agenda is that meeting's, whatever day UTC says. A naive ``as_of`` says no day at all."""
    club.write()
    config = load_config(club.config_path)
    evening = dt.datetime(2026, 11, 18, 3, 0, tzinfo=dt.UTC)
    assert heading(agenda_text(config, as_of=evening)) == "Tuesday, November 17, 2026"
    assert "recap of Tuesday, November 17, 2026" in recap_text(config, as_of=evening)
    naive = dt.datetime(2026, 11, 17, 22, 0)
    for call in (agenda_text, recap_text, status_report, next_meetings, calendar_file):
        with pytest.raises(NaiveTimeError, match="as_of must be an aware datetime"):
            call(config, as_of=naive)


@pytest.mark.parametrize(
    ("moment", "first"),
    [
        ("2026-11-23T23:30-05:00", "2026-11-24"),  # Monday evening in Toronto, Tuesday in UTC
        ("2026-11-25T08:00+09:00", "2026-11-24"),  # Wednesday in Tokyo, Tuesday 23:00 in UTC
    ],
)
def test_init_counts_from_today_by_the_one_clock(tmp_path: Path, moment: str, first: str) -> None:
    """The starter's first meeting is the coming Tuesday in its zone (``timezone: UTC``), from
    ``SHEETMENTOR_NOW`` like every other command — not the computer's own day."""
    made = run_cli("init", str(tmp_path / "club"), env=now(moment))
    assert made.exit_code == 0, made.stderr
    config = (tmp_path / "club" / "sheetmentor.yaml").read_text(encoding="utf-8")
    assert f"  first: {first} " in config


@pytest.mark.parametrize(
    "args",
    [["agenda"], ["status"], ["next"], ["recap"], ["send-due"], ["calendar"], ["nudge"]],
)
@pytest.mark.parametrize("moment", ["9999-12-31T23:00", "0001-01-01T00:30+14:00", "2262-06-01"])
def test_d_sheetmentor_now_out_of_range_is_a_config_error(
    club: ClubFolder, args: list[str], moment: str
) -> None:
    club.write(config=OUTBOX)
    result = club.run(*args, env=now(moment))
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"error: SHEETMENTOR_NOW={moment!r} is out of range: sheetmentor counts meetings "
        "between 1900 and 2261\n"
    )
    assert not (club.folder / "outbox").exists()


@pytest.mark.parametrize("args", [["agenda"], ["recap"], ["nudge"], ["next"]])
def test_d_as_of_out_of_range_is_a_usage_error(club: ClubFolder, args: list[str]) -> None:
    result = club.run(*args, "--as-of", "9999-12-31")
    assert result.exit_code == 2
    assert "'9999-12-31' is out of range" in result.stderr
    assert "Traceback" not in result.output


# --- clubs around the world, around midnight --------------------------------------------------

CLUBS = {
    # zone, meeting time, a first meeting (biweekly from it)
    "berlin-2330": ("Europe/Berlin", "23:30", D(2026, 10, 13)),
    "tokyo-0015": ("Asia/Tokyo", "00:15", D(2026, 10, 13)),
    "kiritimati-2330": ("Pacific/Kiritimati", "23:30", D(2026, 10, 13)),
    "los-angeles-0015": ("America/Los_Angeles", "00:15", D(2026, 10, 13)),
    "sydney-2330": ("Australia/Sydney", "23:30", D(2026, 10, 13)),
}


def zoned(club: ClubFolder, name: str, **config: dict) -> tuple[ZoneInfo, dt.time, dt.date]:
    zone, at, first = CLUBS[name]
    club.write(
        members=MEMBERS,
        goals=goals((ADA, "done", D(2026, 11, 10)), (BO, "", D(2026, 11, 10))),
        config={**meets(zone, at, first), **config},
    )
    return ZoneInfo(zone), dt.time.fromisoformat(at), first


def utc(day: dt.date, at: dt.time, zone: ZoneInfo, shift: dt.timedelta) -> str:
    """``SHEETMENTOR_NOW`` in UTC for ``day`` at ``at`` club time, plus ``shift``."""
    moment = dt.datetime.combine(day, at, tzinfo=zone).astimezone(dt.UTC) + shift
    return moment.isoformat()


MINUTE = dt.timedelta(minutes=1)


@pytest.mark.parametrize("name", CLUBS)
def test_agenda_and_next_on_both_sides_of_midnight(club: ClubFolder, name: str) -> None:
    """The meeting of Nov 10 is the next one from the last minute of Nov 9 (club time) through
    Nov 10; from the first minute of Nov 11 it is Nov 24's — whatever day it is in UTC."""
    zone, _, _ = zoned(club, name)
    meeting, following = D(2026, 11, 10), D(2026, 11, 24)
    midnight = dt.time(0, 0)
    cases = [
        (utc(meeting, midnight, zone, -MINUTE), meeting),
        (utc(meeting, midnight, zone, MINUTE), meeting),
        (utc(meeting, dt.time(23, 59), zone, dt.timedelta(0)), meeting),
        (utc(meeting + dt.timedelta(days=1), midnight, zone, MINUTE), following),
    ]
    for moment, expected in cases:
        agenda = club.run("agenda", env=now(moment))
        assert agenda.exit_code == 0, agenda.stderr
        assert heading(agenda.stdout) == long(expected), moment
        first = club.run("next", "-n", "1", env=now(moment)).stdout
        assert first.startswith(f"{expected:%a %B} {expected.day}, 2026 · "), (moment, first)
    for as_of, expected in [(meeting, meeting), (meeting + dt.timedelta(days=1), following)]:
        agenda = club.run("agenda", "--as-of", as_of.isoformat())
        assert heading(agenda.stdout) == long(expected)


@pytest.mark.parametrize(
    ("name", "moment", "day"),
    [
        ("tokyo-0015", "2026-11-10T16:30+00:00", "2026-11-11"),  # 01:30 on Nov 11 in Tokyo
        ("los-angeles-0015", "2026-11-11T03:00+00:00", "2026-11-10"),  # 19:00 on Nov 10 in LA
        ("kiritimati-2330", "2026-11-10T10:30+00:00", "2026-11-11"),  # UTC+14: 00:30 Nov 11
        ("berlin-2330", "2026-11-10T23:30+00:00", "2026-11-11"),  # 00:30 CET
    ],
)
def test_status_is_as_of_the_club_day(club: ClubFolder, name: str, moment: str, day: str) -> None:
    zoned(club, name)
    status = club.run("status", "--format", "json", env=now(moment))
    assert status.exit_code == 0, status.stderr
    assert json.loads(status.stdout)["as_of"] == day
    pinned = club.run("status", "--format", "json", "--as-of", "2026-11-10", env=now(moment))
    assert json.loads(pinned.stdout)["as_of"] == "2026-11-10"


@pytest.mark.parametrize("name", ["berlin-2330", "sydney-2330", "kiritimati-2330"])
def test_recap_of_a_meeting_that_ends_after_midnight(club: ClubFolder, name: str) -> None:
    """A 23:30 meeting ends at 00:30 the next day: recapped from then, not before."""
    zone, at, _ = zoned(club, name)
    meeting = D(2026, 11, 10)
    during = club.run("recap", env=now(utc(meeting, at, zone, 45 * MINUTE)))
    assert "recap of Tuesday, October 27, 2026" in during.stdout
    after = club.run("recap", env=now(utc(meeting, at, zone, 61 * MINUTE)))
    assert "recap of Tuesday, November 10, 2026" in after.stdout
    # A bare --as-of is the end of that club day, when this meeting is still running.
    assert "recap of Tuesday, October 27" in club.run("recap", "--as-of", "2026-11-10").stdout
    next_day = club.run("recap", "--as-of", "2026-11-11").stdout
    assert "recap of Tuesday, November 10, 2026" in next_day
    moment = club.run("recap", "--as-of", "2026-11-11T00:31").stdout
    assert "recap of Tuesday, November 10, 2026" in moment


def test_a_0015_meeting_is_on_its_own_day(club: ClubFolder) -> None:
    """Tokyo at 00:15 on Nov 10 is 15:15 UTC on Nov 9: the meeting is Nov 10's, its agenda the
    one announced on the evening of Nov 9 in Tokyo, its recap the one from 01:15 on."""
    zoned(club, "tokyo-0015")
    agenda = club.run("agenda", env=now("2026-11-09T14:00+00:00"))  # 23:00 Nov 9 in Tokyo
    assert heading(agenda.stdout) == "Tuesday, November 10, 2026"
    recap = club.run("recap", env=now("2026-11-09T16:20+00:00"))  # 01:20 Nov 10 in Tokyo
    assert "recap of Tuesday, November 10, 2026" in recap.stdout
    line = club.run("next", "--as-of", "2026-11-10", "-n", "1").stdout
    assert line.startswith("Tue November 10, 2026 · 00:15–01:15 JST")


@pytest.mark.parametrize(
    ("zone", "first", "before", "after"),
    [
        ("Europe/Berlin", D(2026, 10, 20), "23:30–00:30 CEST", "23:30–00:30 CET"),  # Oct 25
        ("Europe/Berlin", D(2026, 3, 24), "23:30–00:30 CET", "23:30–00:30 CEST"),  # Mar 29
        ("Australia/Sydney", D(2026, 3, 31), "23:30–00:30 AEDT", "23:30–00:30 AEST"),  # Apr 5
        ("Australia/Sydney", D(2026, 9, 29), "23:30–00:30 AEST", "23:30–00:30 AEDT"),  # Oct 4
        ("America/Los_Angeles", D(2026, 10, 27), "23:30–00:30 PDT", "23:30–00:30 PST"),  # Nov 1
    ],
)
def test_meetings_across_both_dst_changes_keep_their_club_time(
    club: ClubFolder, zone: str, first: dt.date, before: str, after: str
) -> None:
    club.write(members=MEMBERS, config=meets(zone, "23:30", first, every="weekly"))
    lines = club.run("next", "--as-of", first.isoformat(), "-n", "2").stdout.splitlines()
    assert [line.split(" · ")[1] for line in lines] == [before, after]
    ics = club.run("calendar", "--as-of", first.isoformat(), "-n", "2").stdout
    second = first + dt.timedelta(weeks=1)
    for day in (first, second):
        assert f"DTSTART;TZID={zone}:{day:%Y%m%d}T233000" in ics
        assert f"DTEND;TZID={zone}:{day + dt.timedelta(days=1):%Y%m%d}T003000" in ics


@pytest.fixture
def smtp() -> Iterator[Server]:
    with smtp_server() as running:
        yield running


@pytest.mark.parametrize("name", ["berlin-2330", "sydney-2330"])
def test_send_due_sends_the_recap_after_midnight_once(
    club: ClubFolder, smtp: Server, name: str
) -> None:
    """The 23:30 meeting of Nov 10 ends at 00:30 on Nov 11 (club time): its recap is due from
    01:00, on a day that is Nov 10 or Nov 11 in UTC depending on the zone, and goes out once."""
    email = {"from": "Test Club <club@example.org>"}
    email["smtp"] = {"host": smtp.host, "port": smtp.port, "security": "none", "timeout": "5s"}
    zone, at, _ = zoned(club, name, email=email)
    meeting = D(2026, 11, 10)
    early = club.run("send-due", env=now(utc(meeting, at, zone, 80 * MINUTE)))  # 00:50
    assert (early.exit_code, early.stderr, smtp.recorder.received) == (0, "", [])
    for minutes in (95, 155):  # 01:05, then 02:05: the second run finds it sent
        run = club.run("send-due", env=now(utc(meeting, at, zone, minutes * MINUTE)))
        assert (run.exit_code, run.stderr) == (0, "")
    subjects = sorted(str(r.message["Subject"]) for r in smtp.recorder.received)
    assert subjects == ["Test Club recap — Tuesday, November 10, 2026"] * 2
    assert sorted(r.rcpt_tos[0] for r in smtp.recorder.received) == [
        "ada@example.org",
        "bo@example.org",
    ]


# --- the property -----------------------------------------------------------------------------

EVERY = dt.timedelta(weeks=2)


def expected_meeting(first: dt.date, day: dt.date) -> dt.date:
    """The first date of the cadence (every two weeks from ``first``) on or after ``day``."""
    if day <= first:
        return first
    cycles = -(-(day - first).days // EVERY.days)  # ceiling division
    return first + cycles * EVERY


ZONES_OF_NOW = st.sampled_from(
    [None, dt.UTC, ZoneInfo("Pacific/Kiritimati"), ZoneInfo("America/Los_Angeles")]
    + [dt.timezone(dt.timedelta(hours=h, minutes=m)) for h, m in ((-9, -30), (5, 45), (13, 0))]
)


@pytest.fixture(scope="module")
def clubs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ClubFolder]:
    made = {}
    for name in CLUBS:
        folder = ClubFolder(tmp_path_factory.mktemp(name))
        zoned(folder, name)
        made[name] = folder
    return made


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    name=st.sampled_from(sorted(CLUBS)),
    moment=st.datetimes(
        min_value=dt.datetime(2026, 9, 1),
        max_value=dt.datetime(2027, 12, 31),
        timezones=ZONES_OF_NOW,
    ),
)
def test_agenda_announces_the_next_meeting_in_the_club_zone(
    clubs: dict[str, ClubFolder], name: str, moment: dt.datetime
) -> None:
    """For any NOW (any zone, or naive: club time), ``agenda`` announces the first meeting of
    the cadence on or after NOW's day in the club's zone (a meeting today is still today's)."""
    zone, _, first = CLUBS[name]
    club = clubs[name]
    shutil.rmtree(club.folder / ".sheetmentor", ignore_errors=True)  # each NOW a new club
    text = moment.isoformat()
    seen = dt.datetime.fromisoformat(text)
    local = (seen if seen.tzinfo else seen.replace(tzinfo=ZoneInfo(zone))).astimezone(
        ZoneInfo(zone)
    )
    agenda = club.run("agenda", "--format", "text", env=now(text))
    assert agenda.exit_code == 0, agenda.stderr
    assert heading(agenda.stdout) == long(expected_meeting(first, local.date()))


RECAP_CLUBS = {
    **{name: (*CLUBS[name], dt.timedelta(weeks=2), 60) for name in CLUBS},
    # Meetings that end in the hour repeated when summer time ends (Nov 1 in Toronto, Oct 25
    # in Berlin), weekly; the last number is the duration in minutes.
    "toronto-0030-2h": ("America/Toronto", "00:30", D(2026, 10, 18), dt.timedelta(weeks=1), 120),
    "berlin-0145-90m": ("Europe/Berlin", "01:45", D(2026, 10, 11), dt.timedelta(weeks=1), 90),
}


def meeting_ends(name: str, count: int = 6) -> list[tuple[dt.date, dt.datetime]]:
    """The first ``count`` meetings of a club and their ends (UTC), from the config alone:
    start in the club's zone, plus the duration in real time."""
    zone, at, first, step, minutes = RECAP_CLUBS[name]
    ends = []
    for day in (first + i * step for i in range(count)):
        start = dt.datetime.combine(day, dt.time.fromisoformat(at), tzinfo=ZoneInfo(zone))
        ends.append((day, start.astimezone(dt.UTC) + dt.timedelta(minutes=minutes)))
    return ends


@pytest.fixture(scope="module")
def recap_clubs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ClubFolder]:
    made = {}
    for name, (zone, at, first, step, minutes) in RECAP_CLUBS.items():
        folder = ClubFolder(tmp_path_factory.mktemp(name))
        every = "weekly" if step == dt.timedelta(weeks=1) else "2 weeks"
        folder.write(
            members=MEMBERS,
            goals=goals((ADA, "", first)),
            config=meets(zone, at, first, every=every, duration=f"{minutes}m"),
        )
        made[name] = folder
    return made


@st.composite
def near_a_meeting_end(draw: st.DrawFn) -> tuple[str, dt.datetime]:
    """A club, and an instant within 90 minutes of one of its meetings' ends, in some zone."""
    name = draw(st.sampled_from(sorted(RECAP_CLUBS)))
    _, end = draw(st.sampled_from(meeting_ends(name)))
    offset = draw(
        st.timedeltas(min_value=-dt.timedelta(minutes=90), max_value=dt.timedelta(minutes=90))
    )
    zone = draw(ZONES_OF_NOW.filter(lambda z: z is not None))
    return name, (end + offset).astimezone(zone)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(case=near_a_meeting_end())
# 15 minutes after the real end of each meeting that ends in the repeated hour, always tried.
@example(case=("toronto-0030-2h", dt.datetime(2026, 11, 1, 6, 45, tzinfo=dt.UTC)))
@example(case=("berlin-0145-90m", dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC)))
def test_recap_is_of_the_last_meeting_ended_in_real_time(
    recap_clubs: dict[str, ClubFolder], case: tuple[str, dt.datetime]
) -> None:
    """For any NOW near a meeting's end, ``recap`` recaps the last meeting that has ended by
    then, counted in elapsed time — including ends in the hour the clocks repeat."""
    name, moment = case
    club = recap_clubs[name]
    shutil.rmtree(club.folder / ".sheetmentor", ignore_errors=True)
    ended = [day for day, end in meeting_ends(name) if end <= moment]
    recap = club.run("recap", env=now(moment.isoformat()))
    if not ended:
        assert recap.exit_code == 1
        assert "no meeting has ended yet" in recap.stderr
        return
    assert recap.exit_code == 0, recap.stderr
    assert f"recap of {long(ended[-1])} (meeting #{len(ended)})" in recap.stdout
