"""No guesses, no crashes: a date without a day, or one pandas cannot hold, is a problem naming
its cell; a cadence out of range is a config error; a far ``--as-of`` is a usage error."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import GOALS, ClubFolder

D = dt.date


@pytest.mark.parametrize(
    ("due", "message"),
    [
        ("2026", '"2026" has no day'),
        ("Dec 2026", '"Dec 2026" has no day'),
        ("December", '"December" has no year'),
        ("Dec 1, 2026", None),
        ("1 Dec 2026", None),
        ("2300-01-01", "2300-01-01 is not a date between 1678 and 2261"),
        (D(2300, 1, 1), "2300-01-01 is not a date between 1678 and 2261"),
    ],
)
def test_a_date_is_read_or_named_never_guessed(club: ClubFolder, due, message) -> None:
    club.write(goals=[*GOALS, ["Ada Okonkwo", "Later", "quarterly", "work", "", None, None, due]])
    result = club.run("check")
    if message is None:
        assert result.exit_code == 0, result.stdout
        assert "Goals!H9" not in result.stdout
    else:
        assert result.exit_code == 1
        assert f"error: Goals!H9: {message}" in result.stdout
        status = club.run("status", "--as-of", "2026-11-30")
        assert status.exit_code == 1 and "Goals!H9" in status.stderr  # no traceback


def test_a_meeting_date_out_of_range_is_a_problem(club: ClubFolder) -> None:
    club.write(meetings=[["Date", "Notes"], [D(2300, 1, 6), "far"], [D(2026, 11, 17), "held"]])
    result = club.run("check")
    assert result.exit_code == 1
    assert "Meetings!A2: 2300-01-06 is not a date between 1678 and 2261" in result.stdout
    assert club.run("next", "--as-of", "2026-11-30").exit_code == 0  # next carries on


@pytest.mark.parametrize("first", [D(1800, 1, 7), D(2300, 1, 2)])
def test_a_cadence_out_of_range_is_a_config_error(club: ClubFolder, first: dt.date) -> None:
    club.write(config={"meetings": {"first": first, "weekday": f"{first:%A}".lower()}})
    for command in ("check", "next", "status"):
        result = club.run(command)
        assert result.exit_code == 2
        assert f"meetings.first: {first.isoformat()} is out of range" in result.stderr


def test_a_first_meeting_far_ahead_is_the_next_meeting(club: ClubFolder) -> None:
    club.write(config={"meetings": {"first": D(2030, 1, 1)}})
    result = club.run("next", "-n", "1", "--as-of", "2026-11-30")
    assert result.exit_code == 0
    assert result.stdout.startswith("Tue January 1, 2030 ·")
