"""Config loading: validation names key and line, paths resolve, the config is found."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import ClubFolder, run_cli

from sheetmentor import ConfigError, load_config
from sheetmentor.config import parse_duration, parse_every


def test_spec_example_keys_load(tmp_path: Path) -> None:
    path = tmp_path / "sheetmentor.yaml"
    path.write_text(
        """
club: {name: Personal Branding Club, cap: 10}
meetings:
  every: 2 weeks
  weekday: tuesday
  time: "12:00"
  duration: 60m
  timezone: America/Toronto
  first: 2026-01-06
  location: Lunch room 4B
source:
  path: club.xlsx
  tabs: {members: Members, goals: Goals, meetings: Meetings}
  columns: {goals: {member: Who}}
  day_first: false
email:
  from: "PBC <pbc@example.org>"
  smtp: {host: smtp.example.org, port: 587, security: starttls, username: pbc@example.org,
         password_env: SHEETMENTOR_SMTP_PASSWORD}
  outbox: outbox
state: .sheetmentor
""",
        encoding="utf-8",
    )
    config = load_config(path)
    assert config.meetings.every == 2
    assert config.meetings.time == dt.time(12, 0)
    assert config.meetings.duration == dt.timedelta(minutes=60)
    assert config.source.path == tmp_path / "club.xlsx"
    assert config.state == tmp_path / ".sheetmentor"
    assert config.email.outbox == tmp_path / "outbox"
    assert config.email.sender == "PBC <pbc@example.org>"
    assert config.email.smtp.effective_port == 587


@pytest.mark.parametrize(
    ("text", "weeks"),
    [("2 weeks", 2), ("1 week", 1), ("weekly", 1), ("biweekly", 2), ("3w", 3), (2, 2)],
)
def test_every(text: object, weeks: int) -> None:
    assert parse_every(text) == weeks


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("60m", 60), ("1h", 60), ("90 minutes", 90), ("1h30m", 90), ("2 hours", 120), (45, 45)],
)
def test_duration(text: object, minutes: int) -> None:
    assert parse_duration(text) == dt.timedelta(minutes=minutes)


def test_unquoted_clock_time_is_understood(club: ClubFolder) -> None:
    text = club.config_path.read_text().replace("time: '12:00'", "time: 12:30")
    club.write_config(text)
    assert load_config(club.config_path).meetings.time == dt.time(12, 30)


def test_error_names_key_and_line(club: ClubFolder) -> None:
    text = club.config_path.read_text().replace("weekday: tuesday", "weekday: tuesdy")
    club.write_config(text)
    line = text.splitlines().index("  weekday: tuesdy") + 1
    with pytest.raises(ConfigError) as error:
        load_config(club.config_path)
    assert error.value.message == (
        f'{club.config_path} line {line}: meetings.weekday: "tuesdy" is not a weekday '
        "(expected monday … sunday)"
    )


def test_config_found_through_env_then_working_directory(club: ClubFolder, monkeypatch) -> None:
    monkeypatch.chdir(club.folder)
    assert run_cli("check").exit_code == 0  # ./sheetmentor.yaml
    renamed = club.folder / "other.yaml"
    club.config_path.rename(renamed)
    missing = run_cli("check")
    assert missing.exit_code == 2
    assert "config file sheetmentor.yaml not found" in missing.stderr
    assert "sheetmentor init" in missing.stderr
    assert run_cli("check", env={"SHEETMENTOR_CONFIG": str(renamed)}).exit_code == 0


def test_init_writes_a_working_starter(tmp_path: Path) -> None:
    result = run_cli("init", str(tmp_path / "club"))
    assert result.exit_code == 0
    assert (tmp_path / "club" / "club.xlsx").exists()
    starter = ClubFolder(tmp_path / "club")
    checked = starter.run("check")
    assert checked.exit_code == 0, checked.output
    assert "1 active member, 1 goal, 1 recorded meeting — 0 errors" in checked.stdout
    assert starter.run("agenda").exit_code == 0
    again = run_cli("init", str(tmp_path / "club"))
    assert again.exit_code == 2
    assert "already exists (use --force to overwrite)" in again.stderr


@pytest.mark.parametrize(
    ("written", "meant"),
    [("18", dt.time(18, 0)), ("'18'", dt.time(18, 0)), ("6:30pm", dt.time(18, 30))],
)
def test_a_bare_hour_is_that_hour_not_minutes_past_midnight(
    club: ClubFolder, written: str, meant: dt.time
) -> None:
    club.write_config(club.config_path.read_text().replace("time: '12:00'", f"time: {written}"))
    assert load_config(club.config_path).meetings.time == meant


@pytest.mark.parametrize(
    ("setting", "written", "message"),
    [
        ("time: '12:00'", "time: 99", 'meetings.time: "99" is not an hour of the day'),
        ("first: ", "first: 2026-02-30 #", '"2026-02-30" is not a real date'),
        ("every: 2 weeks", "every: 99999999999 weeks", "is more than 52 weeks between meetings"),
        ("every: 2 weeks", "every: 0", '"0" is not a cadence'),
        ("duration: 60m", "duration: 99999999999d", "is longer than a year"),
        ("cap: 10", "cap: " + "9" * 5000, "line 3: club.cap: Unable to parse"),
        ("cap: 10", "cap: 5000", "line 3: club.cap: Input should be less than or equal to 1000"),
        ("cap: 10", "cap: 10\n  cap: 12", 'line 4: "cap" is given twice (lines 3 and 4)'),
        ("cap: 10", "cap: " + "[" * 5000 + "]" * 5000, "line 3: the YAML is nested more than 20"),
        (
            "source:\n",
            "deep:\n" + "".join(" " * depth + "x:\n" for depth in range(1, 99)) + "source:\n",
            "line 32: the YAML is nested more than 20 levels deep",
        ),
        (
            "source:\n",
            "email:\n  from: c@example.org\n  smtp: {host: localhost, port: 70000}\nsource:\n",
            "line 14: email.smtp.port: Input should be less than or equal to 65535",
        ),
        (
            "source:\n",
            "email:\n  from: c@example.org\n  smtp: {host: localhost, port: -1}\nsource:\n",
            "line 14: email.smtp.port: Input should be greater than or equal to 1",
        ),
        ("source:\n", "templates: my-templates\nsource:\n", "line 12: templates: the folder"),
    ],
)
def test_impossible_values_are_config_errors_at_their_line(
    club: ClubFolder, setting: str, written: str, message: str
) -> None:
    text = club.config_path.read_text()
    assert setting in text
    club.write_config(text.replace(setting, written, 1))
    result = club.run("next")
    assert result.exit_code == 2
    assert message in result.stderr
    assert " line " in result.stderr
    assert "Traceback" not in result.stderr


def test_a_merge_key_may_override_what_it_merges(club: ClubFolder) -> None:
    """A ``<<`` merge is how YAML shares settings: a key after it is an override, not a key
    given twice."""
    text = club.config_path.read_text().replace(
        "club:\n  name: Test Club\n  cap: 10\n",
        "defaults: &club {name: Test Club, cap: 10}\nclub:\n  <<: *club\n  cap: 12\n",
    )
    club.write_config(text)
    result = club.run("check")
    assert result.exit_code == 2 and "defaults: unknown setting" in result.stderr
    club.write_config(text.replace("defaults: &club", "x-defaults: &club"))
    assert "cap" not in club.run("check").stderr


@pytest.mark.parametrize("name", ["ledger.sqlite3", "history.sqlite3"])
def test_a_foreign_sqlite_file_in_the_state_folder_is_refused(club: ClubFolder, name: str) -> None:
    """Another program's database under our file name is refused, naming the file, and left
    untouched: nothing is written into it, nothing is sent."""
    import sqlite3

    state = club.folder / ".sheetmentor"
    state.mkdir()
    with sqlite3.connect(state / name) as db:
        db.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")
        db.execute("INSERT INTO contacts VALUES ('Ada', '555-0100')")
    club.write(config={"email": {"from": "Club <club@example.org>"}})
    result = club.run("recap", "--send", env={"SHEETMENTOR_NOW": "2026-11-17T14:00"})
    assert result.exit_code in (1, 2), result.stderr
    assert f"{state / name} is not a sheetmentor" in result.stderr
    assert "contacts" in result.stderr and "Traceback" not in result.stderr
    assert not (club.folder / "outbox").exists()
    with sqlite3.connect(state / name) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master")]
    assert tables == ["contacts"]


@pytest.mark.parametrize("moment", ["9999-12-31T23:00", "0001-01-01T00:00", "1850-06-01"])
def test_a_clock_outside_the_planned_years_is_a_config_error(club: ClubFolder, moment: str) -> None:
    for command in ("next", "status"):
        result = club.run(command, env={"SHEETMENTOR_NOW": moment})
        assert result.exit_code == 2, result.stderr
        assert f"SHEETMENTOR_NOW='{moment}' is out of range" in result.stderr
        assert "sheetmentor counts meetings between 1900 and 2261" in result.stderr
