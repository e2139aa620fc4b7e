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


def test_ca_file_trusts_the_club_s_own_ca(club, server, tls) -> None:
    smtp_club(club, server)
    env = {"SHEETMENTOR_SMTP_PASSWORD": PASSWORD, "SSL_CERT_FILE": str(club.folder / "none.pem")}
    untrusted = club.run("recap", "--send", "--as-of", "2026-11-17T14:00", env=env)
    assert untrusted.exit_code == 3 and server.recorder.received == []
    tls[0].ca.cert_pem.write_to_path(str(club.folder / "company-ca.pem"))
    text = club.config_path.read_text(encoding="utf-8")
    club.write_config(
        text.replace("    timeout: 10s\n", "    timeout: 10s\n    ca_file: company-ca.pem\n")
    )
    result = club.run("recap", "--send", "--as-of", "2026-11-17T14:00", env=env)
    assert (result.exit_code, result.stderr) == (0, "")
    assert len(server.recorder.received) == 2


def test_a_ca_file_that_is_not_one_is_a_config_error(club, server, tls) -> None:
    smtp_club(club, server)
    (club.folder / "notes.txt").write_text("not a certificate\n", encoding="utf-8")
    text = club.config_path.read_text(encoding="utf-8")
    for name in ("missing.pem", "notes.txt"):
        club.write_config(
            text.replace("    timeout: 10s\n", f"    timeout: 10s\n    ca_file: {name}\n")
        )
        result = club.run(
            "recap", "--send", "--as-of", "2026-11-17T14:00",
            env={"SHEETMENTOR_SMTP_PASSWORD": PASSWORD},
        )  # fmt: skip
        assert result.exit_code == 2, result.stderr
        assert "email.smtp.ca_file" in result.stderr and name in result.stderr
        assert "Traceback" not in result.output
    assert server.recorder.received == []


@pytest.mark.parametrize(
    ("host", "extra", "refused"),
    [
        ("smtp.example.org", {}, True),
        ("smtp.example.org", {"plaintext_login": True}, False),
        ("127.0.0.1", {}, False),
        ("localhost", {}, False),
        ("::1", {}, False),
    ],
)
def test_a_password_in_clear_to_another_host_is_refused(club, host, extra, refused) -> None:
    smtp = {"host": host, "security": "none", "username": USER, "password_env": "PW", **extra}
    club.write(config={"email": {"from": "club@example.org", "smtp": smtp}})
    result = club.run("check")
    if refused:
        assert result.exit_code == 2
        assert "line" in result.stderr and "email.smtp" in result.stderr
        assert "in clear" in result.stderr and "plaintext_login: true" in result.stderr
    else:
        assert "in clear" not in result.output
