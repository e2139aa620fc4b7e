"""The facilitator rotation as a person sees it in ``next``, the agenda and the .ics: a blank
Facilitator cell means "the rotation", and writing the rotation's own pick down changes nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from conftest import GOALS, ClubFolder
from hypothesis import assume, given
from hypothesis import strategies as st

from sheetmentor.analysis import rotation
from sheetmentor.schedule import Meeting, Schedule

D = dt.date
MEMBERS = [
    ["Name", "Email", "Active"],
    ["Ada Okonkwo", "ada@example.org", "yes"],
    ["Bo Chen", "bo@example.org", "yes"],
    ["Cy Diallo", "cy@example.org", "no"],
    ["Di Evans", "di@example.org", "yes"],
]
HEADER = ["Date", "Facilitator", "Attended"]
FIRST = D(2026, 9, 8)  # the test club's first meeting; one every two weeks
MEETINGS = [FIRST + dt.timedelta(weeks=2 * i) for i in range(10)]


def write(folder: ClubFolder, rows: list[list]) -> None:
    folder.write(members=MEMBERS, goals=GOALS, meetings=[HEADER, *rows])


def announced(folder: ClubFolder, as_of: dt.date = FIRST, count: int = 10) -> list[str]:
    """Who ``next`` announces for each meeting from ``as_of`` on."""
    result = folder.run("next", "--as-of", as_of.isoformat(), "-n", str(count))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == count
    return [line.split(" · facilitator ")[1] if " · facilitator " in line else "" for line in lines]


def in_calendar(folder: ClubFolder, as_of: dt.date = FIRST, count: int = 10) -> list[str]:
    result = folder.run("calendar", "--as-of", as_of.isoformat(), "-n", str(count))
    assert result.exit_code == 0, result.stderr
    text = result.stdout.replace("\r\n ", "")
    return [line.split(": ", 1)[1] for line in text.splitlines() if "Facilitator" in line]


def in_agenda(folder: ClubFolder, meeting: dt.date) -> str:
    result = folder.run("agenda", "--as-of", FIRST.isoformat(), "--date", meeting.isoformat())
    assert result.exit_code == 0, result.stderr
    return next(line for line in result.stdout.splitlines() if "Facilitator" in line)


def test_with_no_records_the_turn_passes_one_place_per_meeting(club: ClubFolder) -> None:
    write(club, [])
    assert announced(club) == ["Ada Okonkwo", "Bo Chen", "Di Evans"] * 3 + ["Ada Okonkwo"]
    assert in_calendar(club) == announced(club)


def test_a_blank_facilitator_cell_means_the_rotation(club: ClubFolder) -> None:
    """One row names a facilitator, the next leaves the cell blank: the blank one is the
    rotation's pick, in ``next``, the agenda and the .ics alike."""
    write(club, [[MEETINGS[0], "Bo Chen", None], [MEETINGS[1], None, None]])
    expected = ["Bo Chen", "Ada Okonkwo", "Di Evans", "Bo Chen", "Ada Okonkwo"]
    assert announced(club, count=5) == expected
    assert in_calendar(club, count=5) == expected
    assert in_agenda(club, MEETINGS[1]) == "**Facilitator:** Ada Okonkwo"
    for command in (["next"], ["calendar"], ["agenda"]):
        result = club.run(*command, "--as-of", FIRST.isoformat())
        assert re.search(r"\bnan\b", result.stdout, flags=re.IGNORECASE) is None


def test_writing_down_the_rotations_pick_changes_nothing(club: ClubFolder) -> None:
    """The Meetings tab records each meeting (who came) with the Facilitator left blank; then,
    meeting by meeting, the organizer writes down who the rotation picked: every announcement,
    earlier and later, stays what it was."""
    everyone = "Ada Okonkwo, Bo Chen, Di Evans"
    rows: list[list] = [
        [date, None, everyone if i % 2 else None] for i, date in enumerate(MEETINGS[:6])
    ]
    write(club, rows)
    before = announced(club)
    assert before == ["Ada Okonkwo", "Bo Chen", "Di Evans"] * 3 + ["Ada Okonkwo"]
    for number in (2, 0, 4, 1, 5, 3):
        rows[number][1] = before[number]
        write(club, rows)
        assert announced(club) == before, f"after writing down meeting {number + 1}"
    assert announced(club, MEETINGS[6], 4) == before[6:]
    assert in_calendar(club) == before


def test_writing_down_a_future_meeting_changes_nothing(club: ClubFolder) -> None:
    write(club, [])
    before = announced(club)
    write(club, [[MEETINGS[4], before[4], None]])
    assert announced(club) == before


def test_naming_someone_else_changes_that_meeting_and_later_ones(club: ClubFolder) -> None:
    write(club, [])
    before = announced(club, count=7)
    assert before[2] == "Di Evans"
    write(club, [[MEETINGS[2], "Ada Okonkwo", None]])
    after = announced(club, count=7)
    assert after[:2] == before[:2]  # earlier meetings keep their facilitator
    # Ada facilitated meeting 3, so Di (never yet) goes next, then Bo (meeting 2), then Ada.
    assert after[2:] == ["Ada Okonkwo", "Di Evans", "Bo Chen", "Ada Okonkwo", "Di Evans"]


def test_a_pick_who_was_away_keeps_their_turn(club: ClubFolder) -> None:
    write(club, [[MEETINGS[1], None, "Ada Okonkwo, Di Evans"]])  # Bo's turn; Bo was away
    assert announced(club, count=5) == [
        "Ada Okonkwo",
        "",  # no facilitator is known for the meeting Bo missed
        "Bo Chen",
        "Di Evans",
        "Ada Okonkwo",
    ]
    assert in_agenda(club, MEETINGS[1]) == "**Facilitator:** to be decided"


NAMES = ["Ada", "Bo", "Cy", "Di"]


@st.composite
def schedules(draw: st.DrawFn) -> tuple[list[str], Schedule]:
    members = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=4, unique=True))
    count = draw(st.integers(1, 9))
    meetings = []
    for number in range(1, count + 1):
        date = FIRST + dt.timedelta(weeks=2 * (number - 1))
        start = dt.datetime.combine(date, dt.time(12), tzinfo=dt.UTC)
        attended = draw(st.none() | st.lists(st.sampled_from(NAMES), unique=True).map(tuple))
        facilitator = draw(st.none() | st.sampled_from([*NAMES, "Visitor"]))
        meetings.append(
            Meeting(
                number=number,
                date=date,
                start=start,
                end=start + dt.timedelta(hours=1),
                location="Room",
                facilitator=facilitator,
                attended=attended,
            )
        )
    return members, Schedule(meetings, [])


@given(schedules(), st.data())
def test_any_recorded_pick_leaves_every_announcement_unchanged(drawn, data) -> None:
    members, schedule = drawn
    before = [rotation(members, schedule, meeting) for meeting in schedule]
    number = data.draw(st.integers(1, len(schedule)))
    pick, _ = before[number - 1]
    assume(pick is not None)  # else there is nobody to write down
    recorded = list(schedule.meetings)
    recorded[number - 1] = dataclasses.replace(recorded[number - 1], facilitator=pick)
    changed = Schedule(recorded, [])
    assert [rotation(members, changed, meeting) for meeting in changed] == before
