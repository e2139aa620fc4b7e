"""Fixtures for the Google Sheets tests: an emulator on loopback, real keys, a fake clock.

Test modules load this with ``pytest_plugins = ["emulator_fixtures"]``. Nothing here mocks
gspread, google-auth or sheetmentor: the emulator is a real HTTP server and the service-account
keys are real RSA keys whose JWTs the emulator verifies.
"""

from __future__ import annotations

import datetime as dt
import random
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from sheetmentor.config import SourceConfig
from sheetmentor.sources.google import GoogleSheetSource, RetryPolicy
from sheetmentor.testing.emulator import SheetsEmulator
from sheetmentor.testing.keys import ServiceAccountKey, make_service_account_key

SA_EMAIL = "club-bot@pbc-sheets.iam.gserviceaccount.com"


@dataclass
class FakeClock:
    """A monotonic clock that only moves when the code under test sleeps."""

    now: float = 0.0
    sleeps: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def policy(self, budget: float) -> RetryPolicy:
        return RetryPolicy(budget=budget, clock=self.clock, sleep=self.sleep, rng=random.Random(3))


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
def service_account(
    emulator: SheetsEmulator, rsa_key: rsa.RSAPrivateKey, tmp_path: Path
) -> tuple[ServiceAccountKey, Path]:
    """A service account the emulator knows, and its key file on disk."""
    key = make_service_account_key(emulator.token_uri, SA_EMAIL, private_key=rsa_key)
    emulator.add_service_account(key.email, key.public_key_pem)
    return key, key.write(tmp_path / "service-account.json")


def emulator_source(
    emulator: SheetsEmulator,
    spreadsheet_id: str,
    clock: FakeClock | None = None,
    *,
    budget: float = 60.0,
    timeout: float = 5.0,
    **settings: Any,
) -> GoogleSheetSource:
    """A source in emulator mode (``SHEETMENTOR_SHEETS_EMULATOR``), as a user would set it up."""
    config = SourceConfig(
        google_sheet=spreadsheet_id,
        timeout=dt.timedelta(seconds=timeout),
        retry_budget=dt.timedelta(seconds=budget),
        **settings,
    )
    return GoogleSheetSource.from_config(
        config,
        environ={"SHEETMENTOR_SHEETS_EMULATOR": emulator.url},
        retry=(clock or FakeClock()).policy(budget),
    )


def keyed_source(
    emulator: SheetsEmulator,
    spreadsheet_id: str,
    key_file: Path,
    clock: FakeClock | None = None,
    *,
    budget: float = 60.0,
    writable: bool = False,
) -> GoogleSheetSource:
    """A source with a real service-account key, pointed at the emulator (tokens included)."""
    config = SourceConfig(
        google_sheet=spreadsheet_id,
        credentials=key_file,
        retry_budget=dt.timedelta(seconds=budget),
    )
    return GoogleSheetSource.from_config(
        config,
        endpoint=emulator.url,
        environ={},
        writable=writable,
        retry=(clock or FakeClock()).policy(budget),
    )


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
