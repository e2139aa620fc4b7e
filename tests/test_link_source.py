"""A sheet shared by link, read as one .xlsx download from the emulator's export link.

The download goes over real HTTP to the emulator, which builds the .xlsx from its model with
openpyxl; the workbook reader (python-calamine) reads it back. Retries wait on a fake clock.
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from sheetmentor.config import SourceConfig
from sheetmentor.errors import (
    GoogleAnswerError,
    GoogleUnreachableError,
    SheetError,
    SheetNotSharedError,
)
from sheetmentor.sheet.sources import RawTable, open_google_source
from sheetmentor.sheet.sources.google import GoogleSheetSource
from sheetmentor.sheet.sources.link import LinkSheetSource
from sheetmentor_testing.cells import Cell
from sheetmentor_testing.clock import FakeClock
from sheetmentor_testing.emulator import SheetsEmulator

pytest_plugins = ["emulator_fixtures"]

GOALS = [
    ["Member", "Goal", "Tier", "Progress", "Due", "Done", "Logged"],
    ["Ada Okonkwo", "Rewrite CV", "two-week", Cell.percent(1), dt.date(2026, 12, 1), True],
    [],
    ["Bo Chen", "Studio", "Q", Cell.percent(0.4), None, False, dt.datetime(2026, 11, 24, 18)],
    ["Bo Chen", "=SUM(1)", "annual", 0.25, None, None, None],
]  # fmt: skip

MakeLink = Callable[..., LinkSheetSource]


@pytest.fixture
def shared(emulator: SheetsEmulator) -> SheetsEmulator:
    emulator.add_spreadsheet(
        "club-key", {"Members": [["Name"], ["Ada Okonkwo"], ["Bo Chen"]], "Goals": GOALS}
    )
    return emulator


@pytest.fixture
def link_source(emulator: SheetsEmulator, fake_clock: FakeClock) -> MakeLink:
    def make(key: str = "club-key", *, budget: float = 60.0, **settings: object) -> LinkSheetSource:
        config = SourceConfig(
            google_sheet=key, access="link", retry_budget=dt.timedelta(seconds=budget), **settings
        )
        source = open_google_source(config, {"SHEETMENTOR_SHEETS_EMULATOR": emulator.url})
        assert isinstance(source, LinkSheetSource)
        source.retry = fake_clock.policy(budget)
        return source

    return make


def trimmed(table: RawTable) -> list[list[object]]:
    """Rows without trailing empty cells and rows (a workbook file pads them; Google does not)."""
    rows = [list(row) for row in table.rows]
    for row in rows:
        while row and row[-1] is None:
            row.pop()
    while rows and not rows[-1]:
        rows.pop()
    return rows


def test_one_download_gives_the_tables_the_api_gives(
    shared: SheetsEmulator, link_source: MakeLink, emulator_source: Callable[..., GoogleSheetSource]
) -> None:
    by_link = link_source().read_all_tables()
    assert [(r.api, r.status, r.query) for r in shared.requests] == [
        ("export", 200, {"format": ["xlsx"]})
    ]
    by_api = emulator_source("club-key").read_all_tables()
    assert list(by_link) == list(by_api) == ["Members", "Goals"]
    for title in by_api:
        assert trimmed(by_link[title]) == by_api[title].rows
    assert by_link["Goals"].rows[1][3:6] == [1, dt.date(2026, 12, 1), True]
    assert by_link["Goals"].rows[3][6] == dt.datetime(2026, 11, 24, 18)


def test_read_tables_picks_tabs_from_the_same_download(
    shared: SheetsEmulator, link_source: MakeLink
) -> None:
    source = link_source()
    tables = source.read_tables(["Members", "Goals"], optional=["Meetings"])
    assert list(tables) == ["Members", "Goals"]
    with pytest.raises(SheetError) as caught:
        source.read_tables(["Members", "Goal"])
    assert '"Goal" may be "Goals"' in str(caught.value)
    assert shared.count("export") == 1


def test_a_private_sheet_says_how_to_share_it(
    shared: SheetsEmulator, link_source: MakeLink
) -> None:
    shared.spreadsheet("club-key").link_shared = False
    with pytest.raises(SheetNotSharedError) as caught:
        link_source().read_all_tables()
    message = str(caught.value)
    assert "is not shared by link (Google asked to sign in)" in message
    assert '"Anyone with the link"' in message and "service account" in message
    assert caught.value.exit_code == 3
    assert [(r.api, r.status) for r in shared.requests] == [("export", 302)]


def test_without_credentials_auto_access_reads_the_link() -> None:
    config = SourceConfig(google_sheet="club-key")
    chosen = open_google_source(config, {})
    assert isinstance(chosen, LinkSheetSource) and chosen.chosen_for_lack_of_credentials
    assert chosen.url == "https://docs.google.com/spreadsheets/d/club-key/export?format=xlsx"
    keyed = {"GOOGLE_APPLICATION_CREDENTIALS": "/nonexistent/key.json"}
    with pytest.raises(Exception, match="GOOGLE_APPLICATION_CREDENTIALS names"):
        open_google_source(config, keyed)  # the API path, which checks the key file
    api = SourceConfig(google_sheet="club-key", access="api")
    with pytest.raises(Exception, match=r"source\.access: link"):
        open_google_source(api, {})


def test_auto_access_on_a_private_sheet_says_why_the_link_was_tried(
    shared: SheetsEmulator, fake_clock: FakeClock
) -> None:
    shared.spreadsheet("club-key").link_shared = False
    source = LinkSheetSource(
        "club-key",
        retry=fake_clock.policy(60),
        timeout=5,
        base_url=shared.url,
        chosen_for_lack_of_credentials=True,
    )
    with pytest.raises(SheetNotSharedError, match=r"^no Google credentials are set up"):
        source.read_all_tables()


def test_an_unknown_key(shared: SheetsEmulator, link_source: MakeLink) -> None:
    with pytest.raises(Exception, match=r"no spreadsheet with the key nope \(404\)"):
        link_source("nope").read_all_tables()


# --- faults -----------------------------------------------------------------------------------


def test_a_server_error_then_the_file(
    shared: SheetsEmulator, link_source: MakeLink, fake_clock: FakeClock
) -> None:
    shared.inject(status=500, api="export")
    assert list(link_source().read_all_tables()) == ["Members", "Goals"]
    assert [r.status for r in shared.requests] == [500, 200]
    assert len(fake_clock.sleeps) == 1 and 0 <= fake_clock.sleeps[0] <= 0.5


def test_a_rate_limit_waits_as_long_as_google_asks(
    shared: SheetsEmulator, link_source: MakeLink, fake_clock: FakeClock
) -> None:
    shared.inject(status=429, retry_after=3, api="export", times=2)
    link_source().read_all_tables()
    assert fake_clock.sleeps == [3, 3]
    shared.reset_log()
    shared.inject(status=429, retry_after=120, api="export")
    with pytest.raises(GoogleUnreachableError, match="asked to wait 120 s"):
        link_source().read_all_tables()


def test_nothing_listening_fails_at_once(closed_port: int, fake_clock: FakeClock) -> None:
    source = LinkSheetSource(
        "club-key",
        retry=fake_clock.policy(60),
        timeout=5,
        base_url=f"http://127.0.0.1:{closed_port}",
    )
    with pytest.raises(GoogleUnreachableError) as caught:
        source.read_all_tables()
    assert f"cannot connect to 127.0.0.1:{closed_port}: Connection refused" in str(caught.value)
    assert fake_clock.sleeps == []
    assert caught.value.exit_code == 3


def test_a_cut_off_download_is_retried_then_given_up(
    shared: SheetsEmulator, link_source: MakeLink, fake_clock: FakeClock
) -> None:
    shared.inject(truncate=True, api="export")
    assert list(link_source().read_all_tables()) == ["Members", "Goals"]
    assert len(fake_clock.sleeps) == 1
    shared.inject(truncate=True, api="export", times=None)
    with pytest.raises(GoogleAnswerError, match="was cut off") as caught:
        link_source(budget=10).read_all_tables()
    assert sum(fake_clock.sleeps) <= 10 + 0.5
    assert caught.value.exit_code == 3


def test_a_page_instead_of_a_workbook(shared: SheetsEmulator, link_source: MakeLink) -> None:
    shared.inject(body="<html>Sign in to continue</html>", api="export")
    with pytest.raises(GoogleAnswerError, match=r"is not an \.xlsx workbook \(text/html"):
        link_source().read_all_tables()


def test_a_slow_drip_is_bounded_by_the_timeout(
    shared: SheetsEmulator, link_source: MakeLink
) -> None:
    shared.inject(drip=0.05, api="export", times=None)
    with pytest.raises(GoogleUnreachableError, match=r"within 0\.3 s"):
        link_source(budget=0, timeout=dt.timedelta(seconds=0.3)).read_all_tables()


# --- nothing on disk unless asked ---------------------------------------------------------------


def test_nothing_is_left_on_disk_unless_asked(
    shared: SheetsEmulator, link_source: MakeLink, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    link_source().read_all_tables()
    assert list(scratch.iterdir()) == []
    kept = tmp_path / "download.xlsx"
    tables = link_source(keep_download=kept).read_all_tables()
    assert kept.read_bytes()[:2] == b"PK"
    assert list(tables) == ["Members", "Goals"]
    assert list(scratch.iterdir()) == []


def test_random_cells_read_the_same_by_link_and_by_api(
    emulator: SheetsEmulator,
    link_source: MakeLink,
    emulator_source: Callable[..., GoogleSheetSource],
) -> None:
    """Seeded random cells of every kind a club sheet holds, in two tabs with ragged rows."""
    rng = random.Random(12)
    makers: list[Callable[[], object]] = [
        lambda: rng.choice(["Ada", "  spaced  ", "007", "=1+1", "ünïcode ✓", "40%", "TRUE"]),
        lambda: rng.choice([True, False]),
        lambda: rng.randint(-(10**6), 10**6),
        lambda: round(rng.uniform(-1000, 1000), rng.randint(0, 6)),
        lambda: Cell.percent(round(rng.random(), 2)),
        lambda: dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(-20000, 20000)),
        lambda: dt.datetime(2026, 1, 1, rng.randint(0, 23), rng.choice([0, 15, 30, 59])),
        lambda: None,
    ]
    tabs = {
        title: [[rng.choice(makers)() for _ in range(rng.randint(0, 8))] for _ in range(25)]
        for title in ("Members", "Goals")
    }
    emulator.add_spreadsheet("random", tabs)
    by_api = emulator_source("random").read_all_tables()
    by_link = link_source("random").read_all_tables()
    for title in tabs:
        assert trimmed(by_link[title]) == by_api[title].rows
