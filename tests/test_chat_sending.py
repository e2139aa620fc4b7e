"""Chat through the send ledger: `recap --send`, `agenda --send` and `nudge --send` post one
club-level message to each configured chat, planned with the e-mails, never twice, never skipped
— with the sending CLI process killed by the chat server, and with two runs at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from chat_servers import (
    HANG,
    SECRETS,
    Answer,
    ChatServer,
    KillingServer,
    RetryKillingServer,
    chat_servers,
    closed_port_url,
)
from cli_faults import HOUR_LATER, MEETING_ENDED, ROOT, WAIT, write_club
from conftest import run_cli

CHAT = {
    "chat": {
        "slack": {"webhook_env": "TEST_SLACK_WEBHOOK"},
        "discord": {"webhook_env": "TEST_DISCORD_WEBHOOK"},
        "post": ["agenda", "recap", "nudge"],
    }
}
NUDGE_TIME = "2026-11-29T13:00"  # 47 hours before the Dec 1 meeting


def hooks(slack: ChatServer, discord: ChatServer) -> dict[str, str]:
    return {"TEST_SLACK_WEBHOOK": slack.url, "TEST_DISCORD_WEBHOOK": discord.url}


def chat_club(folder: Path, *, count: int = 3, rows: list[list[Any]] | None = None) -> Path:
    return write_club(folder, None, count=count, rows=rows, config=CHAT)


def start(config: Path, now: str, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "sheetmentor", "--config", str(config), *args]
    environment = {**os.environ, **env, "SHEETMENTOR_NOW": now, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    _, err = process.communicate(timeout=WAIT)
    return process.returncode, err


def cli(config: Path, now: str, env: dict[str, str], *args: str) -> Any:
    return run_cli("--config", str(config), *args, env={**env, "SHEETMENTOR_NOW": now})


def outbox(config: Path) -> list[str]:
    return sorted(p.name for p in (config.parent / "outbox").glob("*.eml"))


def status(config: Path) -> list[str]:
    return run_cli("--config", str(config), "recap", "--status").stdout.splitlines()


def test_recap_goes_to_email_and_every_chat_once(tmp_path: Path) -> None:
    config = chat_club(tmp_path)
    with chat_servers() as servers:
        env = hooks(servers["slack"], servers["discord"])
        first = cli(config, MEETING_ENDED, env, "recap", "--send")
        assert (first.exit_code, first.stderr) == (0, ""), first.stderr
        again = cli(config, HOUR_LATER, env, "recap", "--send")
        assert (again.exit_code, again.stderr) == (0, "")
        assert len(servers["slack"].received) == 1
        assert len(servers["discord"].received) == 1
        assert servers["teams"].hits == []
    assert len(outbox(config)) == 3
    slack = json.dumps(servers["slack"].received[0])
    assert "Test Club recap" in slack and "Member 2" in slack and "Goal of Member 3" in slack
    lines = status(config)
    assert any(line.endswith("sent      chat/slack/recap/2026-11-17") for line in lines)
    assert any(line.endswith("sent      chat/discord/recap/2026-11-17") for line in lines)
    assert not any(secret in "\n".join(lines) for secret in SECRETS)


def test_chat_without_email_block(tmp_path: Path) -> None:
    config = chat_club(tmp_path)
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    del data["email"]
    config.write_text(yaml.safe_dump(data), encoding="utf-8")
    with chat_servers() as servers:
        env = hooks(servers["slack"], servers["discord"])
        result = cli(config, MEETING_ENDED, env, "agenda", "--send", "--date", "2026-12-01")
        assert (result.exit_code, result.stderr) == (0, "")
        assert len(servers["slack"].received) == len(servers["discord"].received) == 1
    assert "agenda" in json.dumps(servers["discord"].received[0])
    assert not (config.parent / "outbox").exists()


def test_nudge_names_each_member_with_their_chat_id(tmp_path: Path) -> None:
    rows = [
        ["Member 1", "m1@example.org", "yes", "U024BE7LH", "80351110224678912"],
        ["Member 2", "m2@example.org", "yes", "", ""],
    ]
    folder = tmp_path / "club"
    config = write_club(folder, None, rows=rows, config=CHAT)
    # write_club writes three member columns; add the chat ID columns to the Members tab.
    from openpyxl import load_workbook

    book = load_workbook(folder / "club.xlsx")
    sheet = book["Members"]
    sheet["D1"], sheet["E1"] = "Slack", "Discord"
    book.save(folder / "club.xlsx")
    with chat_servers() as servers:
        env = hooks(servers["slack"], servers["discord"])
        result = cli(config, NUDGE_TIME, env, "nudge", "--send")
        assert (result.exit_code, result.stderr) == (0, "")
        again = cli(config, "2026-11-30T09:00", env, "send-due")
        assert (again.exit_code, again.stderr) == (0, "")
        assert len(servers["slack"].received) == len(servers["discord"].received) == 1
    slack = json.dumps(servers["slack"].received[0])
    assert "<@U024BE7LH>" in slack and "Member 2" in slack
    discord = servers["discord"].received[0]
    assert "<@80351110224678912>" in json.dumps(discord)
    assert discord["allowed_mentions"]["users"] == ["80351110224678912"]
    assert len(outbox(config)) == 2


def test_refused_is_exit_1_and_unreachable_exit_3(tmp_path: Path) -> None:
    config = chat_club(tmp_path)
    with chat_servers() as servers:
        servers["slack"].script(Answer(404, "no_service"))
        env = hooks(servers["slack"], servers["discord"])
        refused = cli(config, MEETING_ENDED, env, "recap", "--send")
        assert refused.exit_code == 1
        assert "chat/slack/recap/2026-11-17" in refused.stderr
        assert len(servers["discord"].received) == 1  # the other chat still got it
        assert not any(secret in refused.stderr for secret in SECRETS)
    other = chat_club(tmp_path / "other")
    with chat_servers() as servers:
        env = {
            **hooks(servers["slack"], servers["discord"]),
            "TEST_SLACK_WEBHOOK": closed_port_url(),
        }
        down = cli(other, MEETING_ENDED, env, "recap", "--send")
        assert down.exit_code == 3, down.stderr
        assert len(servers["discord"].received) == 1
        env = hooks(servers["slack"], servers["discord"])
        later = cli(other, HOUR_LATER, env, "recap", "--send")  # Slack is back: posted now
        assert (later.exit_code, later.stderr) == (0, "")
        assert len(servers["slack"].received) == len(servers["discord"].received) == 1


@pytest.mark.slow
@pytest.mark.parametrize(("platform", "at"), [("slack", 1), ("discord", 1)])
def test_kill_9_while_posting_then_a_later_cron_run(tmp_path: Path, platform: str, at: int) -> None:
    """The chat server kills the sending process on its ``at``-th post, after taking it; the
    next run sends the rest, and every chat message is in its channel exactly once."""
    config = chat_club(tmp_path)
    killer = KillingServer(platform, at)
    other = "discord" if platform == "slack" else "slack"
    with killer, ChatServer(other) as plain:
        servers = {platform: killer, other: plain}
        env = hooks(servers["slack"], servers["discord"])
        process = start(config, MEETING_ENDED, env, "recap", "--send")
        killer.pid = process.pid
        code, err = finish(process)
        assert killer.fired and code == -9, err
        hour = cli(config, HOUR_LATER, env, "recap", "--send")
        assert hour.exit_code == 0, hour.stderr
        assert f"chat/{platform}/recap/2026-11-17: in doubt" in hour.stderr  # said, not reposted
        day = cli(config, "2026-11-18T14:00", env, "recap", "--send")
        assert (day.exit_code, day.stderr) == (0, "")
        assert len(killer.received) == 1
        assert len(plain.received) == 1
    assert len(outbox(config)) == 3
    lines = status(config)
    assert sum(" sent " in f" {line} " and "chat/" in line for line in lines) == 2


@pytest.mark.slow
def test_two_runs_at_once_post_each_message_once(tmp_path: Path) -> None:
    config = chat_club(tmp_path, count=5)
    with chat_servers() as servers:
        env = hooks(servers["slack"], servers["discord"])
        runs = [start(config, MEETING_ENDED, env, "recap", "--send") for _ in range(2)]
        results = [finish(run) for run in runs]
        assert [code for code, _ in results] == [0, 0], results
        assert len(servers["slack"].received) == 1
        assert len(servers["discord"].received) == 1
    assert len(outbox(config)) == 5


def test_a_refused_post_is_held_until_retry_failed(tmp_path: Path) -> None:
    config = chat_club(tmp_path)
    with chat_servers() as servers:
        servers["discord"].script(Answer(404, {"message": "Unknown Webhook", "code": 10015}))
        env = hooks(servers["slack"], servers["discord"])
        refused = cli(config, MEETING_ENDED, env, "recap", "--send")
        assert refused.exit_code == 1 and "10015" in refused.stderr
        held = cli(config, HOUR_LATER, env, "recap", "--send")  # cron: complete, nothing due
        assert (held.exit_code, held.stderr) == (0, "")
        assert servers["discord"].received == []
        fixed = cli(config, HOUR_LATER, env, "recap", "--send", "--retry-failed")
        assert (fixed.exit_code, fixed.stderr) == (0, "")
        assert len(servers["discord"].received) == len(servers["slack"].received) == 1
    assert len(outbox(config)) == 3


def test_teams_gets_an_adaptive_card_once(tmp_path: Path) -> None:
    config = write_club(
        tmp_path, None, count=2, config={"chat": {"teams": {"webhook_env": "TEST_TEAMS"}}}
    )
    with chat_servers() as servers:
        env = {"TEST_TEAMS": servers["teams"].url}
        for when in (MEETING_ENDED, HOUR_LATER):
            result = cli(config, when, env, "recap", "--send")
            assert (result.exit_code, result.stderr) == (0, "")
        assert len(servers["teams"].received) == 1
        assert servers["teams"].failed_runs == []
    card = json.dumps(servers["teams"].received[0])
    assert "AdaptiveCard" in card and "Member 2" in card


def test_a_post_split_otherwise_later_is_not_posted_again(tmp_path: Path) -> None:
    config = chat_club(tmp_path)
    with chat_servers() as servers:
        env = hooks(servers["slack"], servers["discord"])
        first = cli(config, MEETING_ENDED, env, "recap", "--send")
        assert (first.exit_code, first.stderr) == (0, "")
        # The goals grow long: the same recap now takes several messages on each chat.
        long = [[f"Member {i}", f"m{i}@example.org", "yes"] for i in range(1, 4)]
        chat_club(tmp_path, rows=long)
        from openpyxl import load_workbook

        book = load_workbook(tmp_path / "club.xlsx")
        for row in book["Goals"].iter_rows(min_row=2):
            row[1].value = " ".join(["a long goal text"] * 400)
        book.save(tmp_path / "club.xlsx")
        again = cli(config, HOUR_LATER, env, "recap", "--send", "--meeting", "2026-11-17")
        assert (again.exit_code, again.stderr) == (0, "")
        assert len(servers["slack"].received) == len(servers["discord"].received) == 1
    assert len(outbox(config)) == 3


def test_the_chat_recap_says_what_the_e_mail_recap_says_a_club_needs(club) -> None:
    club.write(
        meetings=[["Date", "Attended"], ["2026-12-01", "Ada Okonkwo"]],
        config={"email": {"from": "club@example.org"}, **CHAT},
    )
    with chat_servers() as servers:
        env = hooks(servers["slack"], servers["discord"])
        result = cli(club.config_path, "2026-12-01T14:00", env, "recap", "--send")
        assert (result.exit_code, result.stderr) == (0, "")
        (slack,) = servers["slack"].received
        (discord,) = servers["discord"].received
    text = "\n".join(block["text"]["text"] for block in slack["blocks"])
    assert "Attended: Ada Okonkwo · Missed: Bo Chen" in text
    assert "*Wins*\n• Ada Okonkwo: Rewrite CV" in text
    assert "• Find a studio space: open (carried 1×)" in text  # Bo's, due Nov 17
    assert "*Next meeting*\nTuesday, December 15, 2026, 12:00–13:00 (EST) · Room 4B" in text
    assert "Facilitator: " in text.split("*Next meeting*")[1]
    shown = json.dumps(discord, ensure_ascii=False)
    assert "Missed: Bo Chen" in shown and "Next meeting" in shown and "Rewrite CV" in shown


def long_club(folder: Path) -> Path:
    """A club whose recap takes two messages on Slack and three or more on Discord."""
    config = chat_club(folder)
    from openpyxl import load_workbook

    book = load_workbook(folder / "club.xlsx")
    for row in book["Goals"].iter_rows(min_row=2):
        row[1].value = " ".join(["a long goal text"] * 400)
    book.save(folder / "club.xlsx")
    return config


def parts_posted(config: Path, platform: str) -> list[str]:
    """The ledger's part keys of ``platform``'s recap, each with its state."""
    return [line.split()[-2:] for line in status(config) if f"chat/{platform}/" in line]


def assert_each_part_once(config: Path, servers: dict[str, ChatServer]) -> None:
    """Every part of every post in its channel exactly once, and the ledger says sent."""
    for platform, server in servers.items():
        rows = parts_posted(config, platform)
        assert len(rows) >= 2, rows
        assert [state for state, _ in rows] == ["sent"] * len(rows), rows
        bodies = [json.dumps(payload, sort_keys=True) for payload in server.received]
        assert len(bodies) == len(rows) == len(set(bodies)), (platform, len(bodies), rows)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("platform", "at", "server"),
    [
        ("slack", 1, KillingServer),
        ("slack", 2, KillingServer),
        ("discord", 2, KillingServer),
        ("discord", 3, KillingServer),
        ("slack", 2, RetryKillingServer),
        ("discord", 1, RetryKillingServer),
    ],
)
def test_kill_9_in_a_long_post_posts_every_part_once(
    tmp_path: Path, platform: str, at: int, server: type[ChatServer]
) -> None:
    """A recap split into several messages, the poster killed at its ``at``-th part — after
    the platform took it, or while it waits to retry a part the platform refused with 429:
    the next runs post every part not posted, and none twice."""
    config = long_club(tmp_path)
    killer = server(platform, at)  # type: ignore[call-arg]
    other = "discord" if platform == "slack" else "slack"
    with killer, ChatServer(other) as plain:
        servers = {platform: killer, other: plain}
        env = hooks(servers["slack"], servers["discord"])
        process = start(config, MEETING_ENDED, env, "recap", "--send")
        killer.pid = process.pid  # type: ignore[attr-defined]
        code, err = finish(process)
        assert killer.fired and code == -9, err  # type: ignore[attr-defined]
        for when in (HOUR_LATER, "2026-11-18T14:00"):
            later = cli(config, when, env, "recap", "--send")
            assert later.exit_code == 0, later.stderr
        assert_each_part_once(config, servers)
    assert len(outbox(config)) == 3


def test_a_part_left_unanswered_is_in_doubt_and_not_posted_again(tmp_path: Path) -> None:
    """Slack takes the first part and does not answer in time: that part is in doubt (the
    next run records it sent and says so), the part after it is posted by the next run."""
    chat = {"chat": {**CHAT["chat"], "timeout": "1s"}}
    config = write_club(tmp_path, None, config=chat)
    long_club(tmp_path)
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["chat"] = chat["chat"]
    config.write_text(yaml.safe_dump(data), encoding="utf-8")
    with chat_servers() as servers:
        servers["slack"].hang_seconds = 2.5
        servers["slack"].script(HANG)
        env = hooks(servers["slack"], servers["discord"])
        first = cli(config, MEETING_ENDED, env, "recap", "--send")
        assert first.exit_code == 3, first.stderr
        assert "may have been posted" in first.stderr
        deadline = time.monotonic() + WAIT
        while not servers["slack"].hits and time.monotonic() < deadline:
            time.sleep(0.05)  # the server posts the part when it wakes, after the run gave up
        later = cli(config, HOUR_LATER, env, "recap", "--send")
        assert later.exit_code == 0, later.stderr
        assert "chat/slack/recap/2026-11-17/part-1-of-2: in doubt" in later.stderr
        assert_each_part_once(config, {"slack": servers["slack"], "discord": servers["discord"]})


def test_a_refusal_echoing_a_digit_free_token_never_shows_it(tmp_path: Path) -> None:
    """Slack and Discord answer 400 echoing pieces of the webhook URL — tokens without a digit,
    a query value: none of them reaches stderr, the log or the ledger (``recap --status``)."""
    token, team, query = "abcdefghijklmnopqrstuvwx", "TEAMABCDEF", "thequeryvaluesecret"
    config = chat_club(tmp_path)
    with chat_servers() as servers:
        slack, discord = servers["slack"], servers["discord"]
        slack_url = f"http://127.0.0.1:{slack.port}/services/{team}/BOTWXYZ/{token}"
        discord_url = f"http://127.0.0.1:{discord.port}/api/webhooks/hookid/{token}?key={query}"
        slack.script(Answer(400, f"invalid_token {team}/{token}"))
        errors = {"content": {"_errors": [{"code": "BAD", "message": f"{token} {query}"}]}}
        discord.script(Answer(400, {"code": 50035, "message": token, "errors": errors}))
        env = {"TEST_SLACK_WEBHOOK": slack_url, "TEST_DISCORD_WEBHOOK": discord_url}
        result = cli(config, MEETING_ENDED, env, "-v", "recap", "--send")
    assert result.exit_code == 1, result.stderr
    assert "chat/slack/recap/2026-11-17" in result.stderr
    assert "chat/discord/recap/2026-11-17" in result.stderr
    shown = "\n".join([result.stdout, result.stderr, *status(config)])
    assert "failed" in shown
    for secret in (token, team, query, "hookid"):
        assert secret not in shown, secret
