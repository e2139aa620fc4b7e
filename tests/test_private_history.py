"""Private means private: a private goal's identity (its key), its past (a deleted or un-private
goal the history saw private), the spellings of a Private cell, and ``check``'s messages."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
from typing import Any

import pytest
from conftest import MEMBERS, ClubFolder

D = dt.date
SECRET = "Apply to Rival Corp as CTO"
LOCKED = "🔒 Start therapy for anxiety"
AT_MEETING = {"SHEETMENTOR_NOW": "2026-11-17T14:00"}
BEFORE_NEXT = {"SHEETMENTOR_NOW": "2026-11-29T13:00"}
AFTER_NEXT = {"SHEETMENTOR_NOW": "2026-12-01T14:00"}
MEETINGS = [["Date", "Attended"], ["2026-11-17", "Ada Okonkwo, Bo Chen"]]
HEADER = ["Member", "Goal", "Tier", "Status", "Progress", "Due", "Private"]
CONFIG = {"email": {"from": "Test Club <club@example.org>", "outbox": "outbox"}}


def goals(*rows: list[Any]) -> list[list[Any]]:
    return [
        HEADER,
        ["Ada Okonkwo", "Rewrite CV", "two-week", "done", None, D(2026, 12, 1), None],
        ["Bo Chen", "Find a studio space", "two-week", "", None, D(2026, 12, 1), None],
        *rows,
    ]


def leaks(text: str, viewer: str | None = None) -> list[str]:
    """Any trace of the two private goals (Ada's, Bo's) but ``viewer``'s own: their text, or
    their identity key's words."""
    words = {"Ada Okonkwo": ("rival corp",), "Bo Chen": ("therapy", "anxiety")}
    return [w for name, own in words.items() if name != viewer for w in own if w in text.casefold()]


def club_outputs(club: ClubFolder) -> dict[str, str]:
    """Everything the club (not the owner) reads: agenda, changes, recap, Bo's recap."""
    found: dict[str, str] = {}
    for fmt in ("markdown", "html", "text"):
        result = club.run("agenda", "--format", fmt, env=BEFORE_NEXT)
        assert result.exit_code == 0, result.stderr
        found[f"agenda {fmt}"] = result.stdout + result.stderr
    for fmt in ("text", "json"):
        result = club.run("changes", "--format", fmt, env=BEFORE_NEXT)
        assert result.exit_code == 0, result.stderr
        found[f"changes {fmt}"] = result.stdout + result.stderr
    for args in (("recap",), ("recap", "--member", "Bo Chen")):
        result = club.run(*args, "--meeting", "2026-12-01", env=AFTER_NEXT)
        assert result.exit_code == 0, result.stderr
        found[" ".join(args)] = result.stdout + result.stderr
    return found


def test_changes_json_keys_name_no_private_goal(club: ClubFolder) -> None:
    rows = [
        ["Ada Okonkwo", SECRET, "two-week", "", "10%", D(2026, 12, 1), "yes"],
        ["Bo Chen", LOCKED, "quarterly", "", "10%", D(2026, 12, 31), None],
    ]
    club.write(members=MEMBERS, goals=goals(*rows), meetings=MEETINGS, config=CONFIG)
    assert club.run("record", env=AT_MEETING).exit_code == 0
    rows[0][4] = rows[1][4] = "60%"
    club.write(members=MEMBERS, goals=goals(*rows), meetings=MEETINGS, config=CONFIG)
    result = club.run("changes", "--format", "json", env=BEFORE_NEXT)
    assert result.exit_code == 0, result.stderr
    assert leaks(result.stdout) == []
    changes = json.loads(result.stdout)["members"]
    hidden = [c for name in changes for c in changes[name]["progress"]]
    assert [c["goal"] for c in hidden] == ["1 private goal (open)"] * 2
    assert {c["key"] for c in hidden} == {"private-1", "private-2"}
    assert all(c["private"] is True for c in hidden)


def test_a_deleted_private_goal_stays_private(club: ClubFolder) -> None:
    private = ["Ada Okonkwo", SECRET, "two-week", "", "20%", D(2026, 12, 1), "yes"]
    club.write(members=MEMBERS, goals=goals(private), meetings=MEETINGS, config=CONFIG)
    assert club.run("record", env=AT_MEETING).exit_code == 0
    club.write(members=MEMBERS, goals=goals(), meetings=MEETINGS, config=CONFIG)  # row deleted

    outputs = club_outputs(club)
    for name, text in outputs.items():
        assert leaks(text, "Bo Chen" if "Bo" in name else None) == [], name
    assert "1 private goal (open)" in outputs["changes text"]
    removed = json.loads(outputs["changes json"])["members"]["Ada Okonkwo"]["removed"]
    assert [(c["goal"], c["key"]) for c in removed] == [("1 private goal (open)", "private-1")]

    # Ada's own view still names it.
    ada = club.run("recap", "--member", "Ada Okonkwo", "--meeting", "2026-12-01", env=AFTER_NEXT)
    assert "Rival Corp" in ada.stdout

    sent = club.run("agenda", "--send", "--date", "2026-12-01", env=BEFORE_NEXT)
    assert sent.exit_code == 0, sent.stderr
    for path in (club.folder / "outbox").glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        text = "\n".join(
            part.get_content() for part in message.walk() if part.get_content_maintype() == "text"
        )
        assert leaks(text) == [], message["To"]


@pytest.mark.parametrize("made_public", ["cleared", "lock removed", "reworded and cleared"])
def test_a_goal_once_private_stays_private(club: ClubFolder, made_public: str) -> None:
    ada = ["Ada Okonkwo", SECRET, "two-week", "", "20%", D(2026, 12, 1), "yes"]
    bo = ["Bo Chen", LOCKED, "quarterly", "", "20%", D(2026, 12, 31), None]
    club.write(members=MEMBERS, goals=goals(ada, bo), meetings=MEETINGS, config=CONFIG)
    assert club.run("record", env=AT_MEETING).exit_code == 0
    if made_public == "cleared":
        ada[6] = None
    elif made_public == "lock removed":
        bo[1] = LOCKED.removeprefix("🔒 ")
    else:
        ada[1], ada[6] = SECRET + " now", None
    club.write(members=MEMBERS, goals=goals(ada, bo), meetings=MEETINGS, config=CONFIG)
    for name, text in club_outputs(club).items():
        hits = leaks(text, "Bo Chen" if "Bo" in name else None)
        if made_public == "reworded and cleared" and name.startswith(("agenda", "recap")):
            # The new wording is Ada's choice to share; the old one never shows, nor the change.
            hits = [hit for hit in hits if f"{SECRET} now".casefold() not in text.casefold()]
        assert hits == [], name


@pytest.mark.parametrize(
    "cell", ["✅", "☑", "✔️", 1.0, "1.0", "Private 🔒", "confidential", "oui", "TRUE", "x"]
)
def test_every_spelling_of_private_is_private(club: ClubFolder, cell: Any) -> None:
    private = ["Ada Okonkwo", SECRET, "two-week", "", "20%", D(2026, 12, 1), cell]
    club.write(members=MEMBERS, goals=goals(private), meetings=MEETINGS, config=CONFIG)
    assert club.run("check").exit_code == 0
    result = club.run("agenda", env=BEFORE_NEXT)
    assert result.exit_code == 0, result.stderr
    assert leaks(result.stdout) == [] and "1 private goal (open)" in result.stdout


@pytest.mark.parametrize(
    ("header", "cell"), [("Private", "maybe"), ("Private", "❌ private"), ("Visibility", "yes")]
)
def test_an_unknown_privacy_word_is_an_error_and_private(
    club: ClubFolder, header: str, cell: str
) -> None:
    rows = goals(["Ada Okonkwo", SECRET, "two-week", "", "20%", D(2026, 12, 1), cell])
    rows[0] = [*HEADER[:-1], header]
    club.write(members=MEMBERS, goals=rows, meetings=MEETINGS, config=CONFIG)
    check = club.run("check")
    if cell == "❌ private":  # any reading meaning private wins
        assert check.exit_code == 0, check.stdout
    else:
        assert check.exit_code == 1
        assert "error: Goals!G4: unknown" in check.stdout and "private" in check.stdout
    forced = club.run("agenda", "--force", env=BEFORE_NEXT)
    assert forced.exit_code == 0, forced.stderr
    assert leaks(forced.stdout + forced.stderr) == []


def test_visibility_club_or_blank_is_shared(club: ClubFolder) -> None:
    rows = goals(
        ["Ada Okonkwo", "Ship the beta", "two-week", "", "20%", D(2026, 12, 1), "club"],
        ["Ada Okonkwo", SECRET, "two-week", "", "20%", D(2026, 12, 1), "Private"],
    )
    rows[0] = [*HEADER[:-1], "Visibility"]
    club.write(members=MEMBERS, goals=rows, meetings=MEETINGS, config=CONFIG)
    assert club.run("check").exit_code == 0
    agenda = club.run("agenda", env=BEFORE_NEXT).stdout
    assert "Ship the beta" in agenda and "Find a studio space" in agenda
    assert leaks(agenda) == []


def test_check_never_quotes_a_private_goals_cell(club: ClubFolder) -> None:
    rows = goals(
        ["Ada Okonkwo", SECRET, "two-week", "", "20%", "after therapy", "yes"],
        ["Bo Chen", LOCKED, "fortnighty", "", None, None, None],
        ["Ada Okonkwo", "🔒 Talk to HR", "quarterly", "✅ therapy booked", None, None, None],
    )
    club.write(members=MEMBERS, goals=rows, meetings=MEETINGS, config=CONFIG)
    result = club.run("check", "--explain")
    assert result.exit_code == 1
    assert "error: Goals!F4:" in result.stdout and "error: Goals!C5:" in result.stdout
    assert leaks(result.stdout + result.stderr) == [], result.stdout
    forced = club.run("agenda", "--force", env=BEFORE_NEXT)
    assert leaks(forced.stdout + forced.stderr) == []


def test_another_goal_quoting_a_private_goal_does_not_leak_it(club: ClubFolder) -> None:
    """The last look (privacy.guard): Bo's shared goal quotes Ada's private one word for word;
    what the club reads shows "1 private goal" in its place, Ada's own recap keeps it."""
    rows = goals(
        ["Ada Okonkwo", SECRET, "two-week", "", "20%", D(2026, 12, 1), "yes"],
        ["Bo Chen", f"Help Ada: {SECRET}", "two-week", "", "20%", D(2026, 12, 1), None],
    )
    club.write(members=MEMBERS, goals=rows, meetings=MEETINGS, config=CONFIG)
    assert club.run("record", env=AT_MEETING).exit_code == 0
    agenda = club.run("agenda", env=BEFORE_NEXT).stdout
    assert "Help Ada: 1 private goal" in agenda and leaks(agenda) == []
    for args in (("recap",), ("recap", "--member", "Bo Chen"), ("-vv", "recap")):
        result = club.run(*args, "--meeting", "2026-12-01", env=AFTER_NEXT)
        assert leaks(result.stdout + result.stderr, "Bo Chen" if "Bo" in args[-1] else None) == []
    ada = club.run("recap", "--member", "Ada Okonkwo", "--meeting", "2026-12-01", env=AFTER_NEXT)
    assert SECRET in ada.stdout


def test_a_history_from_before_privacy_was_stored_knows_its_locked_goals(club: ClubFolder) -> None:
    """A store written before private goals were recorded (schema 2) is upgraded knowing the 🔒
    goals it holds: Bo taking the 🔒 off later does not make his goal public."""
    import sqlite3

    bo = ["Bo Chen", LOCKED, "quarterly", "", "20%", D(2026, 12, 31), None]
    club.write(members=MEMBERS, goals=goals(bo), meetings=MEETINGS, config=CONFIG)
    assert club.run("record", env=AT_MEETING).exit_code == 0
    db = sqlite3.connect(club.folder / ".sheetmentor" / "history.sqlite3")
    with db:
        db.execute("DROP TABLE private_keys")
        db.execute("PRAGMA user_version = 2")
    db.close()
    bo[1] = LOCKED.removeprefix("🔒 ")
    club.write(members=MEMBERS, goals=goals(bo), meetings=MEETINGS, config=CONFIG)
    for name, text in club_outputs(club).items():
        assert leaks(text, "Bo Chen" if "Bo" in name else None) == [], name
