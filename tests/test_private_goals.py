"""Private goals: every output and message of a club with private goals, and whose text reaches
whom. Ada marks a goal private in the Private column; Bo starts one with 🔒."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json

import pytest
from chat_servers import chat_servers
from conftest import MEMBERS, ClubFolder

D = dt.date
ADA_SECRET = "Talk to my lead about a raise"
BO_SECRET = "🔒 Book the therapist"
ADA_NOTE = "salary bands leaked"
GOALS = [
    ["Member", "Goal", "Tier", "Status", "Progress", "Due", "Notes", "Private"],
    ["Ada Okonkwo", "Rewrite CV", "two-week", "done", None, D(2026, 12, 1), None, None],
    ["Ada Okonkwo", ADA_SECRET, "two-week", "", "40%", D(2026, 12, 1), ADA_NOTE, "yes"],
    ["Ada Okonkwo", "Publish 3 posts", "quarterly", "", 0.25, D(2026, 12, 31), None, None],
    ["Bo Chen", "Find a studio space", "two-week", "", None, D(2026, 12, 1), None, None],
    ["Bo Chen", BO_SECRET, "two-week", "done", None, D(2026, 12, 1), None, None],
]
MEETINGS = [["Date", "Attended"], ["2026-11-17", "Ada Okonkwo"]]
CONFIG = {
    "meetings": {"nudge_updated": True},  # Ada and Bo updated; nudge them all the same
    "email": {"from": "Test Club <club@example.org>", "outbox": "outbox"},
    "chat": {
        "slack": {"webhook_env": "TEST_SLACK_WEBHOOK"},
        "discord": {"webhook_env": "TEST_DISCORD_WEBHOOK"},
    },
}
SECRETS = (ADA_SECRET, "Book the therapist", ADA_NOTE)
ADA_ONLY = (ADA_SECRET, ADA_NOTE)


def secrets_in(text: str) -> set[str]:
    return {secret for secret in SECRETS if secret in text}


@pytest.fixture
def private_club(club: ClubFolder) -> ClubFolder:
    club.write(members=MEMBERS, goals=GOALS, meetings=MEETINGS, config=CONFIG)
    # The history holds the sheet as at the Nov 17 meeting; then the private goals move.
    assert club.run("record", env={"SHEETMENTOR_NOW": "2026-11-17T14:00"}).exit_code == 0
    goals = [list(row) for row in GOALS]
    goals[2][4] = "70%"
    goals[5][3] = "done"
    goals[4][3] = "in progress"
    club.write(members=MEMBERS, goals=goals, meetings=MEETINGS, config=CONFIG)
    return club


def outbox(folder: ClubFolder) -> dict[str, list[str]]:
    """Each recipient's messages (subject and every text part)."""
    found: dict[str, list[str]] = {}
    for path in sorted((folder.folder / "outbox").glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        parts = [
            part.get_content() for part in message.walk() if part.get_content_maintype() == "text"
        ]
        found.setdefault(message["To"], []).append("\n".join([message["Subject"], *parts]))
    return found


def test_private_goal_text_reaches_only_its_owner(private_club: ClubFolder) -> None:
    club = private_club
    nudge_time = {"SHEETMENTOR_NOW": "2026-11-29T13:00"}
    recap_time = {"SHEETMENTOR_NOW": "2026-12-01T14:00"}
    club_wide: dict[str, str] = {}
    for fmt in ("markdown", "html", "text"):
        result = club.run("agenda", "--format", fmt, env=nudge_time)
        assert result.exit_code == 0, result.stderr
        club_wide[f"agenda {fmt}"] = result.stdout
    for fmt in ("text", "html"):
        club_wide[f"recap {fmt}"] = club.run("recap", "--format", fmt, env=recap_time).stdout
    for fmt in ("text", "json"):
        result = club.run("changes", "--format", fmt, env=nudge_time)
        assert result.exit_code == 0, result.stderr
        club_wide[f"changes {fmt}"] = result.stdout
    for fmt in ("table", "json", "csv"):
        club_wide[f"status {fmt}"] = club.run("status", "--format", fmt, env=nudge_time).stdout
    for name, text in club_wide.items():
        assert secrets_in(text) == set(), name
    assert "1 private goal (open)" in club_wide["agenda markdown"]
    assert "1 private goal (done)" in club_wide["agenda html"]
    assert "1 private goal" in club_wide["changes text"]

    # Personal previews: each member's own private goal, nobody else's.
    ada = club.run("recap", "--member", "Ada Okonkwo", env=recap_time).stdout
    bo = club.run("recap", "--member", "Bo Chen", env=recap_time).stdout
    assert secrets_in(ada) == set(ADA_ONLY) and secrets_in(bo) == {"Book the therapist"}
    nudges = club.run("nudge", "--member", "Ada Okonkwo", env=nudge_time).stdout
    assert ADA_SECRET in nudges and "Book the therapist" not in nudges

    with chat_servers() as servers:
        env = {
            "TEST_SLACK_WEBHOOK": servers["slack"].url,
            "TEST_DISCORD_WEBHOOK": servers["discord"].url,
        }
        for args, when in (
            (("nudge", "--send"), nudge_time),
            (("agenda", "--send", "--date", "2026-12-01"), nudge_time),
            (("recap", "--send", "--meeting", "2026-12-01"), recap_time),
        ):
            result = club.run(*args, env={**env, **when})
            assert (result.exit_code, result.stderr) == (0, ""), args
        posts = [json.dumps(p, ensure_ascii=False) for s in servers.values() for p in s.received]
    assert len(posts) == 6  # nudge, agenda and recap on Slack and on Discord
    for post in posts:
        assert secrets_in(post) == set(), post
    assert any("1 private goal (open)" in post for post in posts)
    assert not any("private goal (open): open" in post for post in posts)

    mail = outbox(club)
    ada_mail = "\n".join(mail["Ada Okonkwo <ada@example.org>"])
    bo_mail = "\n".join(mail["Bo Chen <bo@example.org>"])
    assert len(mail["Ada Okonkwo <ada@example.org>"]) == 3  # nudge, agenda, recap
    assert secrets_in(ada_mail) == set(ADA_ONLY)
    assert secrets_in(bo_mail) == {"Book the therapist"}


def test_private_goals_count_in_every_figure(private_club: ClubFolder) -> None:
    status = json.loads(
        private_club.run("status", "--format", "json", env={"SHEETMENTOR_NOW": "2026-11-29"}).stdout
    )
    text = json.dumps(status)
    assert secrets_in(text) == set()
    ada = next(m for m in status["members"] if m["name"] == "Ada Okonkwo")
    assert ada["tiers"]["two-week"]["total"] == 2


def test_visibility_column(club: ClubFolder) -> None:
    goals = [[*row[:7], "Visibility"] if i == 0 else row[:7] for i, row in enumerate(GOALS)]
    goals = [goals[0]] + [
        row + (["private"] if row[1] == ADA_SECRET else ["club"]) for row in goals[1:]
    ]
    club.write(members=MEMBERS, goals=goals, meetings=MEETINGS, config=CONFIG)
    agenda = club.run("agenda", env={"SHEETMENTOR_NOW": "2026-11-29T13:00"}).stdout
    assert secrets_in(agenda) == set() and "Rewrite CV" in agenda and "Find a studio" in agenda
