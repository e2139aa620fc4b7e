"""The meeting schedule: cadence, the Meetings tab's corrections, due meetings, carry-over."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import GOALS, ClubFolder

from sheetmentor import goals_at_meeting, load_config, read_club, schedule_for

D = dt.date
MEETINGS_HEADER = ["Date", "Location", "Facilitator", "Attended", "Status", "Notes"]


def schedule(folder: ClubFolder, rows: list[list] | None = None, config: dict | None = None):
    folder.write(meetings=[MEETINGS_HEADER, *(rows or [])], config=config)
    loaded = load_config(folder.config_path)
    club = read_club(loaded)
    return club, schedule_for(loaded, club, D(2026, 12, 31))


def test_plain_cadence(club: ClubFolder) -> None:
    _, meetings = schedule(club)
    dates = [m.date for m in meetings][:4]
    assert dates == [D(2026, 9, 8), D(2026, 9, 22), D(2026, 10, 6), D(2026, 10, 20)]
    first = meetings.meetings[0]
    assert first.start.isoformat() == "2026-09-08T12:00:00-04:00"  # EDT
    assert meetings.next_meeting(D(2026, 11, 24)).start.isoformat() == "2026-12-01T12:00:00-05:00"


def test_weekly_cadence(club: ClubFolder) -> None:
    _, weekly = schedule(club, config={"meetings": {"every": "weekly"}})
    assert weekly.meetings[1].date - weekly.meetings[0].date == dt.timedelta(weeks=1)


def test_meetings_tab_moves_skips_and_adds(club: ClubFolder) -> None:
    rows = [
        [D(2026, 10, 8), "Café Lumen", "Bo Chen", "Ada Okonkwo, bo chen", "", "moved"],
        [D(2026, 10, 20), None, None, None, "skipped", "conference"],
        [D(2026, 11, 10), "Park", None, None, "", "extra social"],
    ]
    _, meetings = schedule(club, rows)
    by_date = {m.date: m for m in meetings}
    moved = by_date[D(2026, 10, 8)]
    assert moved.moved_from == D(2026, 10, 6) and moved.location == "Café Lumen"
    assert moved.facilitator == "Bo Chen" and moved.attended == ("Ada Okonkwo", "Bo Chen")
    assert D(2026, 10, 6) not in by_date and D(2026, 10, 20) not in by_date
    assert by_date[D(2026, 11, 10)].extra
    assert [s.date for s in meetings.skipped] == [D(2026, 10, 20)]
    numbers = {m.date: m.number for m in meetings}
    assert numbers[D(2026, 11, 3)] == 4 and numbers[D(2026, 11, 10)] == 5


def test_next_command(club: ClubFolder) -> None:
    rows = [[D(2026, 12, 3), "Café", None, None, "", "moved to Thursday"]]
    club.write(meetings=[MEETINGS_HEADER, *rows])
    result = club.run("next", "--as-of", "2026-11-25", "-n", "2")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "Thu December 3, 2026 · 12:00–13:00 EST · Café · facilitator Ada Okonkwo · "
        "moved from Dec 1",
        "Tue December 15, 2026 · 12:00–13:00 EST · Room 4B · facilitator Bo Chen",
    ]


@pytest.mark.parametrize(
    ("set_", "due", "due_meeting"),
    [
        (None, D(2026, 11, 17), D(2026, 11, 17)),  # due on a meeting day: that meeting
        (None, D(2026, 11, 18), D(2026, 12, 1)),  # else the first meeting after
        (D(2026, 11, 3), None, D(2026, 11, 17)),  # no due: the first meeting after it was set
        (D(2026, 11, 4), None, D(2026, 11, 17)),
        (None, None, D(2026, 12, 1)),  # neither: the meeting the agenda is for
    ],
)
def test_two_week_due_meeting(club: ClubFolder, set_, due, due_meeting) -> None:
    goals = [GOALS[0], ["Ada Okonkwo", "G", "two-week", "work", "", None, set_, due]]
    club.write(goals=goals)
    config = load_config(club.config_path)
    club_data = read_club(config)
    meetings = schedule_for(config, club_data, D(2026, 12, 31))
    at = goals_at_meeting(club_data, meetings, meetings.on(D(2026, 12, 1)))
    assert at["due_meeting"].iloc[0].date() == due_meeting
    carried = 1 if due_meeting < D(2026, 12, 1) else 0
    assert at["carried"].iloc[0] == carried
    assert bool(at["overdue"].iloc[0]) == bool(carried)


def test_carry_over_counts_meetings_not_weeks(club: ClubFolder) -> None:
    goals = [
        GOALS[0],
        ["Ada Okonkwo", "Open since Oct", "2-wk", "work", "", None, None, D(2026, 10, 20)],
        ["Ada Okonkwo", "Done late", "2-wk", "work", "done", None, None, D(2026, 10, 20)],
        ["Ada Okonkwo", "Quarterly past due", "Q", "work", "", None, None, D(2026, 11, 1)],
    ]
    rows = [[D(2026, 11, 3), None, None, None, "skipped", ""]]
    club.write(goals=goals, meetings=[MEETINGS_HEADER, *rows])
    config = load_config(club.config_path)
    club_data = read_club(config)
    meetings = schedule_for(config, club_data, D(2026, 12, 31))
    at = goals_at_meeting(club_data, meetings, meetings.on(D(2026, 12, 1))).set_index("goal")
    # Oct 20 -> Nov 17 -> Dec 1 (Nov 3 skipped): carried two meetings.
    assert at.loc["Open since Oct", "carried"] == 2
    assert at.loc["Done late", "carried"] == 0
    assert at.loc["Quarterly past due", "overdue"]
    assert not at.loc["Quarterly past due", "carried"]


def test_agenda_for_a_date_without_meeting(club: ClubFolder) -> None:
    result = club.run("agenda", "--date", "2026-12-02")
    assert result.exit_code == 2
    assert "no meeting on 2026-12-02 (the nearest is 2026-12-01)" in result.stderr


def test_calendar_file(club: ClubFolder, tmp_path) -> None:
    import icalendar

    rows = [[D(2026, 12, 3), "Café", None, None, "", "moved to Thursday"]]
    club.write(meetings=[MEETINGS_HEADER, *rows])
    stdout = club.run("calendar", "-n", "2", "--as-of", "2026-11-25")
    assert stdout.exit_code == 0
    events = icalendar.Calendar.from_ical(stdout.stdout_bytes).walk("VEVENT")
    assert [e.decoded("dtstart").isoformat() for e in events] == [
        "2026-12-03T12:00:00-05:00",
        "2026-12-15T12:00:00-05:00",
    ]
    # The moved meeting keeps the UID of its planned slot, so calendars update it in place.
    assert str(events[0]["uid"]).startswith("20261201-")
    assert str(events[0]["uid"]).endswith("@sheetmentor")
    assert str(events[0]["location"]) == "Café"
    assert str(events[0]["description"]) == "Facilitator: Ada Okonkwo"
    target = tmp_path / "club.ics"
    assert club.run("calendar", "-o", str(target), "--as-of", "2026-11-25").exit_code == 0
    assert len(icalendar.Calendar.from_ical(target.read_bytes()).walk("VEVENT")) == 26


def test_two_rows_for_one_meeting_day_are_one_meeting_and_an_error_naming_both(
    club: ClubFolder,
) -> None:
    """Dec 1 written down twice used to be two meetings: ``check`` silent, a duplicate UID in the
    .ics, and every later facilitator shifted by one."""
    import icalendar

    club.write(meetings=[MEETINGS_HEADER])
    before = club.run("next", "--as-of", "2026-11-25", "-n", "3").stdout
    rows = [
        [D(2026, 12, 1), "Café", None, None, "", "holiday party"],
        [D(2026, 12, 1), "Café", None, None, "", "holiday party (again)"],
    ]
    club.write(meetings=[MEETINGS_HEADER, *rows])
    check = club.run("check")
    assert check.exit_code == 1
    assert (
        "error: Meetings!A3: a second row for the meeting of 2026-12-01 (the first is "
        "Meetings!A2); one meeting is one row: merge them"
    ) in check.stdout
    calendar = club.run("calendar", "-n", "3", "--as-of", "2026-11-25")
    assert calendar.exit_code == 0
    events = icalendar.Calendar.from_ical(calendar.stdout_bytes).walk("VEVENT")
    uids = [str(event["uid"]) for event in events]
    assert len(uids) == len(set(uids)) == 3
    assert [e.decoded("dtstart").date() for e in events] == [
        D(2026, 12, 1), D(2026, 12, 15), D(2026, 12, 29),
    ]  # fmt: skip
    after = club.run("next", "--as-of", "2026-11-25", "-n", "3").stdout
    facilitators = [line.split("facilitator ")[1].split(" ·")[0] for line in after.splitlines()]
    assert facilitators == [
        line.split("facilitator ")[1].split(" ·")[0] for line in before.splitlines()
    ]


def test_as_many_meetings_as_asked_or_why_not(club: ClubFolder) -> None:
    """``next -n 330`` and ``calendar -n 50`` stopped at about 400 days (exit 0, fewer lines)."""
    import icalendar

    lines = club.run("next", "-n", "330", "--as-of", "2026-11-25").stdout.splitlines()
    assert len(lines) == 330
    assert lines[-1].startswith("Tue July 12, 2039 ")  # 329 steps of two weeks after Dec 1, 2026
    calendar = club.run("calendar", "-n", "50", "--as-of", "2026-11-25")
    assert calendar.exit_code == 0
    assert len(icalendar.Calendar.from_ical(calendar.stdout_bytes).walk("VEVENT")) == 50
    too_many = club.run("next", "-n", "10000", "--as-of", "2026-11-25")
    assert too_many.exit_code == 2 and too_many.stdout == ""
    assert "error: -n 10000: only 6134 meetings are scheduled from 2026-11-25 to 2261-12-31" in (
        too_many.stderr
    )
