"""Each read-only command is one library function: the function returns what the command prints.

Also the calendar: UIDs unique per club and meeting, ``METHOD:PUBLISH`` as the mail attachment
says, ``DTSTAMP`` from the clock (``SHEETMENTOR_NOW``).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import icalendar
import pytest
from conftest import ClubFolder

import sheetmentor
from sheetmentor import (
    agenda_text,
    calendar_file,
    changes_report,
    check_club,
    load_config,
    next_meetings,
    recap_text,
    status_report,
)

D = dt.date
NOV_30 = D(2026, 11, 30)


def fresh_copy(club: ClubFolder, tmp_path: Path, name: str) -> ClubFolder:
    """The same club in another folder, with no history: library and CLI each start clean."""
    return ClubFolder(Path(shutil.copytree(club.folder, tmp_path / name)))


def test_each_command_function_returns_what_the_command_prints(
    club: ClubFolder, tmp_path: Path
) -> None:
    other = fresh_copy(club, tmp_path, "other")
    config = load_config(other.config_path)
    cases = [
        (("agenda", "--as-of", "2026-11-30"), lambda: agenda_text(config, as_of=D(2026, 11, 30))),
        (
            ("agenda", "--format", "html", "--as-of", "2026-11-30"),
            lambda: agenda_text(config, as_of=D(2026, 11, 30), format="html"),
        ),
        (
            ("recap", "--member", "bo chen", "--as-of", "2026-11-18"),
            lambda: recap_text(config, as_of=D(2026, 11, 18), member="bo chen"),
        ),
        (
            ("status", "--format", "json", "--as-of", "2026-11-30"),
            lambda: status_report(config, as_of=D(2026, 11, 30), format="json").text,
        ),
        (
            ("status", "--format", "csv", "--as-of", "2026-11-30"),
            lambda: status_report(config, as_of=D(2026, 11, 30), format="csv").text,
        ),
        (
            ("status", "--as-of", "2026-11-30"),
            lambda: status_report(config, as_of=D(2026, 11, 30)).text,
        ),
        (
            ("next", "-n", "2", "--as-of", "2026-11-30"),
            lambda: "".join(f"{line}\n" for line in next_meetings(config, count=2, as_of=NOV_30)),
        ),
        (("check",), lambda: check_club(config).text),
    ]
    for args, call in cases:
        result = club.run(*args)
        assert result.exit_code == 0, (args, result.stderr)
        assert call() == result.stdout, args


def test_check_reports_errors_as_a_result(club: ClubFolder) -> None:
    from conftest import GOALS

    club.write(goals=[*GOALS, ["Nobody Known", "A goal", "two-week", "work", "", None, None, None]])
    result = check_club(load_config(club.config_path))
    assert result.errors == 1
    assert result.text.splitlines()[-1].endswith("1 error, 0 warnings")
    cli = club.run("check")
    assert (cli.exit_code, cli.stdout) == (1, result.text)


def test_changes_report_matches_the_command(
    club: ClubFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert club.run("record", env={"SHEETMENTOR_NOW": "2026-11-17T14:00"}).exit_code == 0
    monkeypatch.setenv("SHEETMENTOR_NOW", "2026-11-30T09:00")
    other = fresh_copy(club, tmp_path, "other")
    config = load_config(other.config_path)
    for fmt in ("text", "json"):
        expected = club.run("changes", "--format", fmt, "--as-of", "2026-11-30")
        assert expected.exit_code == 0, expected.stderr
        assert changes_report(config, format=fmt, as_of=D(2026, 11, 30)) == expected.stdout
    found = json.loads(changes_report(config, format="json", as_of=D(2026, 11, 30)))
    assert found["since"] == "2026-11-17"


def test_status_chart_comes_with_the_text(club: ClubFolder) -> None:
    result = status_report(load_config(club.config_path), as_of=D(2026, 11, 30), chart=True)
    assert result.chart is not None and result.chart.startswith(b"\x89PNG\r\n\x1a\n")
    assert "Test Club" in result.text


def test_package_exports_the_command_functions() -> None:
    names = ["agenda_text", "status_report", "changes_report", "check_club", "recap_text"]
    names += ["next_meetings", "calendar_file", "HistoryStore", "recall", "HistoryError"]
    for name in names:
        assert name in sheetmentor.__all__
        assert getattr(sheetmentor, name) is not None


def events(data: bytes) -> list[icalendar.Event]:
    return icalendar.Calendar.from_ical(data).walk("VEVENT")


def test_calendar_uids_differ_between_clubs_whatever_their_script(
    club: ClubFolder, tmp_path: Path
) -> None:
    other = fresh_copy(club, tmp_path, "other")
    club.write(config={"club": {"name": "Клуб наставников"}})
    other.write(config={"club": {"name": "メンタークラブ"}})
    uids = []
    for folder in (club, other):
        found = events(calendar_file(load_config(folder.config_path), as_of=D(2026, 11, 25)))
        uids.append([str(event["uid"]) for event in found])
    assert len(uids[0]) == len(uids[1]) == 26
    assert not set(uids[0]) & set(uids[1])
    assert len(set(uids[0])) == 26  # one per meeting
    assert uids[0][0].startswith("20261201-") and uids[0][0].endswith("@sheetmentor")
    again = events(calendar_file(load_config(club.config_path), as_of=D(2026, 11, 25)))
    assert [str(event["uid"]) for event in again] == uids[0]  # stable: re-imports update


def test_calendar_is_published_and_stamped_with_the_clock(club: ClubFolder) -> None:
    env = {"SHEETMENTOR_NOW": "2026-11-20T09:30"}  # naive: the club's time zone (Toronto)
    result = club.run("calendar", "-n", "2", "--as-of", "2026-11-25", env=env)
    assert result.exit_code == 0, result.stderr
    calendar = icalendar.Calendar.from_ical(result.stdout_bytes)
    assert str(calendar["method"]) == "PUBLISH"
    stamps = {event.decoded("dtstamp") for event in calendar.walk("VEVENT")}
    assert stamps == {dt.datetime(2026, 11, 20, 14, 30, tzinfo=dt.UTC)}


def test_a_malformed_clock_is_a_config_error(club: ClubFolder) -> None:
    result = club.run("calendar", env={"SHEETMENTOR_NOW": "next tuesday"})
    assert result.exit_code == 2
    assert "SHEETMENTOR_NOW='next tuesday' is not a date-time" in result.stderr


@pytest.mark.parametrize("moment", ["2026-11-20T09:30", "2026-11-20T14:30+00:00"])
def test_the_attached_calendar_is_published_too(club: ClubFolder, moment: str) -> None:
    from sheetmentor.render.calendar import meetings_ics
    from sheetmentor.sheet.normalize import read_club

    config = load_config(club.config_path)
    data = read_club(config)
    schedule = sheetmentor.schedule_for(config, data, D(2026, 11, 25))
    meeting = schedule.next_meeting(D(2026, 11, 25))
    stamp = dt.datetime.fromisoformat(moment)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=config.meetings.zone)
    calendar = icalendar.Calendar.from_ical(meetings_ics(data, schedule, [meeting], stamp=stamp))
    assert str(calendar["method"]) == "PUBLISH"
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstamp") == dt.datetime(2026, 11, 20, 14, 30, tzinfo=dt.UTC)
