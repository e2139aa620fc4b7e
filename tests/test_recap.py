"""Recaps: content, personal and group mode, and what cron's `recap --send` decides to send."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import icalendar
import pytest
from conftest import GOALS, MEMBERS, ClubFolder

MEETINGS = [
    ["Date", "Attended", "Notes"],
    ["2026-11-17", "Ada Okonkwo", "Talked about CVs"],
]
EMAIL = {"email": {"from": "Test Club <club@example.org>", "outbox": "outbox"}}


@pytest.fixture
def mailing_club(club: ClubFolder) -> ClubFolder:
    return club.write(meetings=MEETINGS, config=EMAIL)


def outbox(folder: ClubFolder) -> list[email.message.EmailMessage]:
    files = sorted((folder.folder / "outbox").glob("*.eml"))
    return [email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files]


def test_preview_prints_the_text_and_sends_nothing(mailing_club: ClubFolder) -> None:
    result = mailing_club.run("recap", "--as-of", "2026-11-18")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert text.startswith("Test Club — recap of Tuesday, November 17, 2026 (meeting #6)")
    assert "Attended: Ada Okonkwo. Missed: Bo Chen." in text
    assert "Notes: Talked about CVs" in text
    bo = text.split("BO CHEN")[1].split("NEXT MEETING")[0]
    assert "Due at this meeting:\n    [ ] Find a studio space -> carries over\n" in bo
    assert "Still carried" not in bo  # listed once, under the meeting it was due at
    ada = text.split("ADA OKONKWO")[1].split("BO CHEN")[0]
    assert "Committed for next time:\n    [x] Rewrite CV\n    [ ] Call two mentors (40%)" in ada
    assert "Tuesday, December 1, 2026, 12:00-13:00 (EST), Room 4B" in text
    assert not (mailing_club.folder / ".sheetmentor" / "ledger.sqlite3").exists()
    assert not (mailing_club.folder / "outbox").exists()


def test_personal_preview_puts_the_member_first(mailing_club: ClubFolder) -> None:
    text = mailing_club.run("recap", "--as-of", "2026-11-18", "--member", "bo chen").stdout
    assert "Hi Bo, here is where you and the club stand" in text
    assert text.index("BO CHEN") < text.index("ADA OKONKWO")


def test_html_preview_to_file(mailing_club: ClubFolder, tmp_path: Path) -> None:
    target = tmp_path / "recap.html"
    result = mailing_club.run(
        "recap", "--as-of", "2026-11-18", "--format", "html", "-o", str(target)
    )
    assert result.exit_code == 0 and result.stdout == ""
    page = target.read_text(encoding="utf-8")
    assert "<h3>Bo Chen</h3>" in page and "{{" not in page and "{%" not in page


def test_cron_sends_once_when_due(mailing_club: ClubFolder) -> None:
    # The meeting ends at 13:00; with the default 30 minute delay nothing is due at 13:20.
    early = mailing_club.run("recap", "--send", "--as-of", "2026-11-17T13:20")
    assert (early.exit_code, early.stdout, early.stderr) == (0, "", "")
    assert not (mailing_club.folder / "outbox").exists()
    due = mailing_club.run("recap", "--send", "--as-of", "2026-11-17T13:31")
    assert (due.exit_code, due.stdout, due.stderr) == (0, "", "")
    messages = outbox(mailing_club)
    assert sorted(m["To"] for m in messages) == [
        "Ada Okonkwo <ada@example.org>",
        "Bo Chen <bo@example.org>",
    ]
    again = mailing_club.run("recap", "--send", "--as-of", "2026-11-17T14:31")
    assert (again.exit_code, again.stdout, again.stderr) == (0, "", "")
    assert len(outbox(mailing_club)) == 2
    status = mailing_club.run("recap", "--status").stdout.splitlines()
    assert status[0] == "times in America/Toronto"
    assert [line.split()[2:] for line in status[1:]] == [
        ["sent", "recap/2026-11-17/ada@example.org"],
        ["sent", "recap/2026-11-17/bo@example.org"],
    ]


def test_cron_never_mails_old_recaps(mailing_club: ClubFolder) -> None:
    late = mailing_club.run("-v", "recap", "--send", "--as-of", "2026-11-24T10:00")
    assert late.exit_code == 0 and late.stdout == ""
    assert "more than meetings.recap_max_age" in late.stderr
    assert not (mailing_club.folder / "outbox").exists()


def test_recap_email_parts_and_calendar(mailing_club: ClubFolder) -> None:
    assert mailing_club.run("recap", "--send", "--as-of", "2026-11-18").exit_code == 0
    message = next(m for m in outbox(mailing_club) if "bo@example.org" in m["To"])
    assert message["Subject"] == "Test Club recap — Tuesday, November 17, 2026"
    assert message.get_content_type() == "multipart/mixed"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert text.startswith("Test Club — recap of Tuesday, November 17, 2026")
    assert "Hi Bo" in text and "<style" not in html and 'style="' in html
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "next-meeting.ics"
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart").isoformat() == "2026-12-01T12:00:00-05:00"
    assert str(event["location"]) == "Room 4B"


def test_group_mode_sends_one_message(club: ClubFolder) -> None:
    club.write(
        meetings=MEETINGS,
        config={"email": {**EMAIL["email"], "mode": "group", "to": "Club <all@example.org>"}},
    )
    assert club.run("recap", "--send", "--as-of", "2026-11-18").exit_code == 0
    (message,) = outbox(club)
    assert message["To"] == "Club <all@example.org>"
    assert message["X-Sheetmentor-Key"] == "recap/2026-11-17/group"
    assert "Hi " not in message.get_body(("plain",)).get_content()


def test_nothing_is_sent_while_the_sheet_has_errors(club: ClubFolder) -> None:
    goals = [*GOALS, ["Ada Okonkwo", "Bad", "weekly-ish", "work", "", None, None, None]]
    club.write(goals=goals, meetings=MEETINGS, config=EMAIL)
    refused = club.run("recap", "--send", "--as-of", "2026-11-18")
    assert refused.exit_code == 1
    assert 'Goals!C9: unknown tier "weekly-ish"' in refused.stderr
    assert not (club.folder / "outbox").exists()
    forced = club.run("recap", "--send", "--force", "--as-of", "2026-11-18")
    assert forced.exit_code == 0
    assert len(outbox(club)) == 2


def test_member_without_email_is_warned_and_skipped(club: ClubFolder) -> None:
    members = [*MEMBERS[:2], ["Bo Chen", None, "yes", "Start a studio"], MEMBERS[3]]
    club.write(members=members, meetings=MEETINGS, config=EMAIL)
    result = club.run("recap", "--send", "--as-of", "2026-11-18")
    assert result.exit_code == 0
    assert "Bo Chen has no email address; they will not get recaps" in result.stderr
    assert [m["To"] for m in outbox(club)] == ["Ada Okonkwo <ada@example.org>"]


def test_send_without_email_settings_is_a_config_error(club: ClubFolder) -> None:
    result = club.run("recap", "--send", "--meeting", "2026-11-17", "--as-of", "2026-11-18")
    assert result.exit_code == 2
    assert "email: the config has no email block" in result.stderr


def test_agenda_send_goes_once(mailing_club: ClubFolder) -> None:
    for _ in range(2):
        assert mailing_club.run("agenda", "--send", "--as-of", "2026-11-30").exit_code == 0
    messages = outbox(mailing_club)
    assert len(messages) == 2
    assert messages[0]["Subject"] == "Test Club agenda — Tue Dec 1"


def test_cron_line_has_absolute_paths(mailing_club: ClubFolder) -> None:
    line = mailing_club.run("cron").stdout.strip()
    assert line.startswith("17 * * * * /")
    assert line.endswith(f"--config {mailing_club.config_path.resolve()} recap --send")
