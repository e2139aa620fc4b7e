"""`recap --send` through the CLI to a real SMTP server: STARTTLS with a test CA, AUTH, once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ClubFolder
from smtp_servers import PASSWORD, USER, Server, Tls, authenticator, smtp_server

MEETINGS = [["Date", "Attended"], ["2026-11-17", "Ada Okonkwo, Bo Chen"]]


@pytest.fixture
def tls(tmp_path: Path) -> Iterator[tuple[Tls, dict[str, str]]]:
    """A throwaway CA, trusted by the CLI through SSL_CERT_FILE as a real deployment would."""
    authority = Tls.create()
    bundle = tmp_path / "ca.pem"
    authority.ca.cert_pem.write_to_path(str(bundle))
    yield authority, {"SSL_CERT_FILE": str(bundle)}


@pytest.fixture
def server(tls) -> Iterator[Server]:
    authority, _ = tls
    with smtp_server(
        tls_context=authority.server_context(),
        require_starttls=True,
        authenticator=authenticator(),
        auth_required=True,
    ) as running:
        yield running


def smtp_club(club: ClubFolder, server: Server) -> ClubFolder:
    smtp = {
        "host": server.host,
        "port": server.port,
        "security": "starttls",
        "username": USER,
        "password_env": "SHEETMENTOR_SMTP_PASSWORD",
        "timeout": "10s",
    }
    return club.write(
        meetings=MEETINGS, config={"email": {"from": "Test Club <club@example.org>", "smtp": smtp}}
    )


def test_cron_sends_each_recap_once_over_starttls(club, server, tls) -> None:
    smtp_club(club, server)
    env = {**tls[1], "SHEETMENTOR_SMTP_PASSWORD": PASSWORD}
    for _ in range(2):
        result = club.run("recap", "--send", "--as-of", "2026-11-17T14:00", env=env)
        assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert sorted(r.rcpt_tos[0] for r in server.recorder.received) == [
        "ada@example.org",
        "bo@example.org",
    ]
    assert len({r.connection for r in server.recorder.received}) == 1  # one connection per run
    message = server.recorder.received[0].message
    assert message["Subject"] == "Test Club recap — Tuesday, November 17, 2026"
    status = club.run("recap", "--status").stdout
    assert status.count(" sent ") == 2


def test_wrong_password_is_exit_3_and_never_printed(club, server, tls) -> None:
    smtp_club(club, server)
    env = {**tls[1], "SHEETMENTOR_SMTP_PASSWORD": "not-the-password"}
    result = club.run("recap", "--send", "--as-of", "2026-11-17T14:00", env=env)
    assert result.exit_code == 3
    assert "not-the-password" not in result.output
    assert "535" in result.stderr
    assert server.recorder.received == []
    again = club.run(
        "recap", "--send", "--as-of", "2026-11-17T15:00",
        env={**tls[1], "SHEETMENTOR_SMTP_PASSWORD": PASSWORD},
    )  # fmt: skip
    assert again.exit_code == 0 and len(server.recorder.received) == 2


def test_missing_password_variable_is_a_config_error(club, server, tls) -> None:
    smtp_club(club, server)
    result = club.run("recap", "--send", "--as-of", "2026-11-17T14:00", env=tls[1])
    assert result.exit_code == 2
    assert "SHEETMENTOR_SMTP_PASSWORD" in result.stderr
    assert server.recorder.received == []
