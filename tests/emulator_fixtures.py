"""Fixtures for the Google Sheets tests: an emulator on loopback, real keys, a fake clock.

Test modules load this with ``pytest_plugins = ["emulator_fixtures"]`` and use the fixtures by
name. Nothing here mocks gspread, google-auth or sheetmentor: the emulator is a real HTTP server
and the service-account keys are real RSA keys whose JWTs the emulator verifies.
"""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from sheetmentor.config import SourceConfig
from sheetmentor.sheet.sources.google import GoogleSheetSource
from sheetmentor_testing.clock import FakeClock
from sheetmentor_testing.emulator import SheetsEmulator
from sheetmentor_testing.keys import ServiceAccountKey, make_service_account_key

SA_EMAIL = "club-bot@pbc-sheets.iam.gserviceaccount.com"


@pytest.fixture
def emulator() -> Iterator[SheetsEmulator]:
    with SheetsEmulator() as emu:
        yield emu


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    """One RSA key for the session: generating one takes a noticeable fraction of a second."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def sa_key(
    emulator: SheetsEmulator, rsa_key: rsa.RSAPrivateKey, tmp_path: Path
) -> ServiceAccountKey:
    """A service account the emulator knows; its key file is ``tmp_path/service-account.json``."""
    key = make_service_account_key(emulator.token_uri, SA_EMAIL, private_key=rsa_key)
    emulator.add_service_account(key.email, key.public_key_pem)
    key.write(tmp_path / "service-account.json")
    return key


@pytest.fixture
def emulator_source(
    emulator: SheetsEmulator, fake_clock: FakeClock
) -> Callable[..., GoogleSheetSource]:
    """Make a source in emulator mode (``SHEETMENTOR_SHEETS_EMULATOR``), as a user sets it up."""

    def make(
        spreadsheet_id: str, *, budget: float = 60.0, timeout: float = 5.0, **settings: Any
    ) -> GoogleSheetSource:
        config = SourceConfig(
            google_sheet=spreadsheet_id,
            timeout=dt.timedelta(seconds=timeout),
            retry_budget=dt.timedelta(seconds=budget),
            **settings,
        )
        return GoogleSheetSource.from_config(
            config,
            environ={"SHEETMENTOR_SHEETS_EMULATOR": emulator.url},
            retry=fake_clock.policy(budget),
        )

    return make


@pytest.fixture
def keyed_source(
    emulator: SheetsEmulator, fake_clock: FakeClock
) -> Callable[..., GoogleSheetSource]:
    """Make a source with a real service-account key, talking to the emulator (tokens too)."""

    def make(
        spreadsheet_id: str,
        credentials: Path | None,
        *,
        environ: dict[str, str] | None = None,
        **settings: Any,
    ) -> GoogleSheetSource:
        config = SourceConfig(google_sheet=spreadsheet_id, credentials=credentials, **settings)
        return GoogleSheetSource.from_config(
            config,
            endpoint=emulator.url,
            environ=environ or {},
            retry=fake_clock.policy(config.retry_budget.total_seconds()),
        )

    return make


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
