"""The nudge before a meeting: preview, when cron sends it, once per member, who is skipped."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest
from conftest import GOALS, MEMBERS, ClubFolder

MEETINGS = [["Date", "Attended", "Notes"], ["2026-11-17", "Ada Okonkwo", "Talked about CVs"]]
EMAIL = {"email": {"from": "Test Club <club@example.org>", "outbox": "outbox"}}
BEFORE = "2026-11-29T13:00"  # the Dec 1 meeting starts at 12:00: 47 hours later


@pytest.fixture
def nudging_club(club: ClubFolder) -> ClubFolder:
    return club.write(meetings=MEETINGS, config=EMAIL)


def outbox(folder: ClubFolder) -> list[email.message.EmailMessage]:
    files = sorted((folder.folder / "outbox").glob("*.eml"))
    return [email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files]


def at(moment: str) -> dict[str, str]:
    return {"SHEETMENTOR_NOW": moment}


def test_preview_lists_goals_due_carried_and_the_sheet(nudging_club: ClubFolder) -> None:
    result = nudging_club.run("nudge", env=at(BEFORE))
    assert result.exit_code == 0, result.stderr
    ada, bo = result.stdout.split("To: Bo Chen")
    assert ada.startswith("To: Ada Okonkwo <ada@example.org>\n")
    assert "Subject: Test Club: please update your goals before Tuesday, December 1, 2026" in ada
    assert "[x] Rewrite CV (done)" in ada
    assert "[ ] Call two mentors (open, 40%)" in ada
    assert "Please update your row before the meeting: club.xlsx" in ada
    assert "Carried over from earlier meetings:\n  [ ] Find a studio space (carried 1x" in bo
    assert "Cy Diallo" not in result.stdout  # not active
    assert not (nudging_club.folder / ".sheetmentor" / "ledger.sqlite3").exists()
    assert not (nudging_club.folder / "outbox").exists()


def test_preview_of_one_member_and_an_unknown_one(nudging_club: ClubFolder) -> None:
    result = nudging_club.run("nudge", "--member", "bo  chen", env=at(BEFORE))
    assert result.stdout.startswith("To: Bo Chen <bo@example.org>") and "Ada" not in result.stdout
    unknown = nudging_club.run("nudge", "--member", "Zed", env=at(BEFORE))
    assert unknown.exit_code == 2
    assert "no active member named 'Zed'" in unknown.stderr


def test_send_due_nudges_once_from_nudge_before(nudging_club: ClubFolder) -> None:
    early = nudging_club.run("send-due", env=at("2026-11-29T11:00"))  # 49 hours before
    assert (early.exit_code, early.stdout, early.stderr) == (0, "", "")
    assert not (nudging_club.folder / "outbox").exists()
    due = nudging_club.run("send-due", env=at(BEFORE))
    assert (due.exit_code, due.stdout, due.stderr) == (0, "", "")
    messages = outbox(nudging_club)
    assert sorted(m["To"] for m in messages) == [
        "Ada Okonkwo <ada@example.org>",
        "Bo Chen <bo@example.org>",
    ]
    html = messages[0].get_body(("html",)).get_content()
    assert "Please update your row" in html
    for later in ("2026-11-30T09:00", "2026-12-01T11:59"):
        again = nudging_club.run("send-due", env=at(later))
        assert (again.exit_code, again.stdout, again.stderr) == (0, "", "")
    assert len(outbox(nudging_club)) == 2
    status = nudging_club.run("recap", "--status").stdout
    assert "sent      nudge/2026-12-01/ada@example.org" in status
    assert "sent      nudge/2026-12-01/bo@example.org" in status


def test_nudge_send_by_hand_is_once_too(nudging_club: ClubFolder) -> None:
    first = nudging_club.run("nudge", "--send", "--member", "Ada Okonkwo", env=at(BEFORE))
    assert first.exit_code == 0, first.stderr
    assert [m["To"] for m in outbox(nudging_club)] == ["Ada Okonkwo <ada@example.org>"]
    everyone = nudging_club.run("nudge", "--send", env=at(BEFORE))
    assert everyone.exit_code == 0, everyone.stderr
    assert sorted(m["To"] for m in outbox(nudging_club)) == [
        "Ada Okonkwo <ada@example.org>",
        "Bo Chen <bo@example.org>",
    ]


def test_nudge_before_zero_turns_it_off(club: ClubFolder) -> None:
    club.write(meetings=MEETINGS, config={**EMAIL, "meetings": {"nudge_before": 0}})
    result = club.run("send-due", env=at(BEFORE))
    assert (result.exit_code, result.stderr) == (0, "")
    assert not (club.folder / "outbox").exists()


def updated_since_last_meeting(folder: ClubFolder, config: dict) -> None:
    """The history holds the sheet as at Nov 17; then Ada changes her progress."""
    folder.write(meetings=MEETINGS, config=config)
    assert folder.run("record", env=at("2026-11-17T14:00")).exit_code == 0
    goals = [list(row) for row in GOALS]
    goals[2][5] = "70%"  # Call two mentors
    folder.write(members=MEMBERS, goals=goals, meetings=MEETINGS, config=config)


def test_members_who_updated_are_skipped(club: ClubFolder) -> None:
    updated_since_last_meeting(club, EMAIL)
    result = club.run("nudge", env=at(BEFORE))
    assert result.exit_code == 0, result.stderr
    assert "To: Bo Chen" in result.stdout and "Ada" not in result.stdout
    ada = club.run("nudge", "--member", "ada okonkwo", env=at(BEFORE)).stdout
    assert ada.startswith("nobody to nudge before 2026-12-01: ada okonkwo has updated their row")
    assert club.run("send-due", env=at(BEFORE)).exit_code == 0
    assert [m["To"] for m in outbox(club)] == ["Bo Chen <bo@example.org>"]


def test_nudge_updated_nudges_everyone(club: ClubFolder) -> None:
    updated_since_last_meeting(club, {**EMAIL, "meetings": {"nudge_updated": True}})
    text = club.run("nudge", env=at(BEFORE)).stdout
    assert "To: Ada Okonkwo" in text and "To: Bo Chen" in text
    assert "(open, 70%)" in text


def test_without_history_of_the_last_meeting_nobody_is_assumed_updated(
    nudging_club: ClubFolder,
) -> None:
    goals = [list(row) for row in GOALS]
    goals[2][5] = "70%"
    nudging_club.write(members=MEMBERS, goals=goals, meetings=MEETINGS, config=EMAIL)
    text = nudging_club.run("nudge", env=at(BEFORE)).stdout
    assert "To: Ada Okonkwo" in text and "To: Bo Chen" in text


def test_sheet_text_is_escaped_in_the_html_nudge(club: ClubFolder, tmp_path: Path) -> None:
    goals = [list(row) for row in GOALS]
    goals[1][1] = "<b>Rewrite</b> CV & cover"
    club.write(members=MEMBERS, goals=goals, meetings=MEETINGS, config=EMAIL)
    assert club.run("nudge", "--send", env=at(BEFORE)).exit_code == 0
    ada = next(m for m in outbox(club) if m["To"].startswith("Ada"))
    html = ada.get_body(("html",)).get_content()
    assert "&lt;b&gt;Rewrite&lt;/b&gt; CV &amp; cover" in html and "<b>Rewrite" not in html


def test_send_due_nudges_compare_with_the_history_not_with_this_run(club: ClubFolder) -> None:
    """The history last saw the sheet before the Nov 17 meeting; Ada updated since. Cron's run
    records the sheet once, after its recap part and its nudge part consulted the history, so
    the nudges compare with Nov 10 — not with the sheet this very run recorded."""
    club.write(meetings=MEETINGS, config=EMAIL)
    assert club.run("record", env=at("2026-11-10T10:00")).exit_code == 0
    goals = [list(row) for row in GOALS]
    goals[2][5] = "70%"  # Call two mentors
    club.write(members=MEMBERS, goals=goals, meetings=MEETINGS, config=EMAIL)
    result = club.run("send-due", env=at(BEFORE))
    assert result.exit_code == 0, result.stderr
    nudged = [m["To"] for m in outbox(club) if m["Subject"].startswith("Test Club: please")]
    assert nudged == ["Bo Chen <bo@example.org>"]


def test_member_by_first_name_as_in_a_cell(nudging_club: ClubFolder) -> None:
    """``--member Bo`` works as "Bo" does in a Goals cell; so does ``recap --member``."""
    result = nudging_club.run("nudge", "--member", "bo", env=at(BEFORE))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("To: Bo Chen <bo@example.org>") and "Ada" not in result.stdout
    sent = nudging_club.run("nudge", "--send", "--member", "Bo", env=at(BEFORE))
    assert sent.exit_code == 0, sent.stderr
    assert [str(m["To"]) for m in outbox(nudging_club)] == ["Bo Chen <bo@example.org>"]
    recap = nudging_club.run("recap", "--member", "Ada", env=at(BEFORE))
    assert recap.exit_code == 0, recap.stderr
    assert "Hi Ada, here is where you and the club stand" in recap.stdout
