"""Secrets never reach a byte sheetmentor writes or prints: every command at ``-vv``, against an
SMTP server that wants a login and chat servers that echo pieces of their webhook URLs back in
their refusals, then every file in the club's folder (state, ledger, history) and the ledger's
witness grepped for the SMTP password (raw and as AUTH sends it) and each piece of each URL."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from chat_servers import Answer, chat_servers
from conftest import ClubFolder
from smtp_servers import PASSWORD, USER, authenticator, smtp_server

# The login goes in clear to this loopback server on purpose: what it echoes must not leak.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
MEETINGS = [["Date", "Attended"], ["2026-11-17", "Ada Okonkwo, Bo Chen"]]
TEAM, BOT, TOKEN = "TEAMABCDEFGH", "BOTWXYZVUTS", "digitfreetokenvaluexyzwq"
HOOK, QUERY = "hookidentity", "thequeryvaluesecret"
COMMANDS = [
    ("check",),
    ("check", "--explain"),
    ("status", "--format", "json"),
    ("agenda",),
    ("changes",),
    ("next",),
    ("calendar",),
    ("doctor",),
    ("record",),
    ("nudge",),
    ("recap",),
    ("recap", "--send"),
    ("nudge", "--send", "--as-of", "2026-11-29T13:00"),
    ("agenda", "--send"),
    ("send-due",),
    ("recap", "--status"),
]


def test_no_secret_in_any_output_or_file(club: ClubFolder) -> None:
    with (
        smtp_server(
            authenticator=authenticator(echo=True), auth_required=True, auth_require_tls=False
        ) as server,
        chat_servers() as servers,
    ):
        slack, discord, teams = servers["slack"], servers["discord"], servers["teams"]
        urls = {
            "CLUB_SLACK": f"http://127.0.0.1:{slack.port}/services/{TEAM}/{BOT}/{TOKEN}",
            "CLUB_DISCORD": f"http://127.0.0.1:{discord.port}/api/webhooks/{HOOK}/{TOKEN}?k={QUERY}",
            "CLUB_TEAMS": teams.url,
        }
        echoed = f"invalid_token {TEAM}/{BOT}/{TOKEN} {HOOK} {QUERY} {teams.url}"
        slack.script(Answer(400, echoed))
        discord.script(Answer(400, {"code": 50035, "message": echoed}))
        teams.script(Answer(400, {"error": {"code": "Bad", "message": echoed}}))
        smtp = {
            "host": server.host,
            "port": server.port,
            "security": "none",
            "username": USER,
            "password_env": "CLUB_SMTP_PASSWORD",
        }
        chat = {
            name: {"webhook_env": f"CLUB_{name.upper()}"} for name in ("slack", "discord", "teams")
        }
        club.write(
            meetings=MEETINGS,
            config={"email": {"from": "club@example.org", "smtp": smtp}, "chat": chat},
        )
        env = {**urls, "SHEETMENTOR_NOW": "2026-11-17T15:00"}
        shown = []
        for wrong in (True, False):  # a refused login first: the server echoes the password
            password = "not-" + PASSWORD if wrong else PASSWORD
            for command in COMMANDS:
                result = club.run("-vv", *command, env={**env, "CLUB_SMTP_PASSWORD": password})
                assert "Traceback" not in result.output, (command, result.output)
                shown.append(result.stdout + result.stderr)
        assert server.recorder.received, "nothing was sent: the test would prove nothing"
        assert slack.hits and discord.hits and teams.hits
    written = [path.read_bytes() for path in sorted(club.folder.rglob("*")) if path.is_file()]
    witness = Path(os.environ["XDG_STATE_HOME"])
    written += [path.read_bytes() for path in witness.rglob("*") if path.is_file()]
    secrets = [PASSWORD, "not-" + PASSWORD, TEAM, BOT, TOKEN, HOOK, QUERY]
    secrets += [teams.url.split("?", 1)[1].split("sig=")[1].split("&")[0]]
    for login in (PASSWORD, f"\0{USER}\0{PASSWORD}", "not-" + PASSWORD):
        secrets.append(base64.b64encode(login.encode()).decode())
    text = "\n".join(shown)
    found = [s for s in secrets if s in text]
    assert found == [], f"printed: {found}"
    for secret in secrets:
        needle = secret.encode()
        assert not any(needle in data for data in written), f"written: {secret}"
