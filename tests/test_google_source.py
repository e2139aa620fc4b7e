"""The Google source through the real gspread + google-auth stack, against the emulator.

Every test talks HTTP on loopback: values, errors and tokens come from the emulator, retries
wait on a fake clock (``fake_clock.sleeps`` are the waits asked for), and the request log says
how many requests a run cost.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from sheetmentor.config import SourceConfig
from sheetmentor.errors import (
    ConfigError,
    GoogleAnswerError,
    GoogleUnreachableError,
    ServiceError,
    SheetError,
)
from sheetmentor.sheet.sources.google import GoogleSheetSource, spreadsheet_key
from sheetmentor_testing.cells import Cell
from sheetmentor_testing.clock import FakeClock
from sheetmentor_testing.emulator import SheetsEmulator
from sheetmentor_testing.keys import ServiceAccountKey, make_service_account_key

pytest_plugins = ["emulator_fixtures"]

Make = Callable[..., GoogleSheetSource]

MEMBERS = [["Name", "Email", "Active"], ["Ada Okonkwo", "ada@example.org", True], ["Bo Chen"]]
GOALS = [
    ["Member", "Goal", "Tier", "Status", "Progress", "Due", "Done"],
    ["Ada Okonkwo", "Rewrite CV", "two-week", "done", Cell.percent(1), dt.date(2026, 12, 1), True],
    [],
    ["Bo Chen", "Find a studio", "Q", "", Cell.percent(0.4), None, False],
    ["Bo Chen", "=SUM(1)", "annual", "", 0.25, dt.datetime(2026, 11, 24, 18)],
]  # fmt: skip


@pytest.fixture
def club(emulator: SheetsEmulator) -> SheetsEmulator:
    emulator.add_spreadsheet(
        "club-key",
        {"Members": MEMBERS, "Goals 2026": GOALS, "Bo's notes": [["", "ok"]], "Empty": []},
    )
    return emulator


# --- reading --------------------------------------------------------------------------------


def test_a_run_reads_every_tab_in_one_request_with_typed_cells(
    club: SheetsEmulator, emulator_source: Make
) -> None:
    tables = emulator_source("club-key").read_tables(
        ["Members", "Goals 2026"], optional=["Bo's notes", "Empty"]
    )
    [request] = club.requests
    assert request.api == "spreadsheets.get"
    assert "rowData(values(effectiveValue" in request.query["fields"][0]
    assert request.query["prettyPrint"] == ["false"]  # compact JSON: the answer is big
    assert tables["Members"].rows == [
        ["Name", "Email", "Active"],
        ["Ada Okonkwo", "ada@example.org", True],
        ["Bo Chen"],
    ]
    assert tables["Goals 2026"].rows == [
        ["Member", "Goal", "Tier", "Status", "Progress", "Due", "Done"],
        ["Ada Okonkwo", "Rewrite CV", "two-week", "done", 1, dt.date(2026, 12, 1), True],
        [],
        ["Bo Chen", "Find a studio", "Q", None, 0.4, None, False],
        ["Bo Chen", "=SUM(1)", "annual", None, 0.25, dt.datetime(2026, 11, 24, 18)],
    ]
    assert tables["Bo's notes"].rows == [[None, "ok"]]
    assert tables["Empty"].rows == []
    assert tables["Goals 2026"].title == "Goals 2026"


def test_cells_are_typed_as_the_values_endpoint_types_them(
    club: SheetsEmulator, emulator_source: Make
) -> None:
    """Every value but dates is what ``UNFORMATTED_VALUE`` gives; dates are the serial
    numbers it gives, as dates."""
    tables = emulator_source("club-key").read_all_tables()
    values = club.spreadsheet("club-key").read(
        "'Goals 2026'", value_render="UNFORMATTED_VALUE", datetime_render="SERIAL_NUMBER"
    )["values"]
    serial_epoch = dt.datetime(1899, 12, 30)
    for row, expected in zip(tables["Goals 2026"].rows, values, strict=True):
        for got, want in zip(row, expected, strict=True):
            if isinstance(got, dt.datetime):
                assert got == serial_epoch + dt.timedelta(days=want)
            elif isinstance(got, dt.date):
                assert got == (serial_epoch + dt.timedelta(days=want)).date()
            else:
                assert got == (None if want == "" else want)
                assert type(got) is type(want) or got is None


@pytest.mark.parametrize(
    "optional", [["Meetings"], ["Meetings", "Bo's notes"], []], ids=["absent", "some", "none"]
)
def test_a_missing_optional_tab_costs_no_extra_request(
    club: SheetsEmulator, emulator_source: Make, optional: list[str]
) -> None:
    tables = emulator_source("club-key").read_tables(["Members"], optional=optional)
    assert list(tables) == ["Members", *(t for t in optional if t != "Meetings")]
    assert [(r.api, r.status) for r in club.requests] == [("spreadsheets.get", 200)]


def test_a_missing_required_tab_lists_the_tabs_there_are(
    club: SheetsEmulator, emulator_source: Make
) -> None:
    with pytest.raises(SheetError) as caught:
        emulator_source("club-key").read_tables(["Members", "Goals"], optional=["Meetings"])
    message = str(caught.value)
    assert 'no tab "Goals"' in message
    assert '"Goals" may be "Goals 2026"' in message
    assert 'its tabs are: "Members", "Goals 2026", "Bo\'s notes", "Empty"' in message
    assert "source.tabs" in message
    assert caught.value.exit_code == 1
    assert [r.api for r in club.requests] == ["spreadsheets.get"]


def test_read_all_tables_costs_one_request(club: SheetsEmulator, emulator_source: Make) -> None:
    tables = emulator_source("club-key").read_all_tables()
    assert list(tables) == ["Members", "Goals 2026", "Bo's notes", "Empty"]
    assert [r.api for r in club.requests] == ["spreadsheets.get"]


def test_the_key_can_be_the_browser_url() -> None:
    url = "https://docs.google.com/spreadsheets/d/1AbC-d_9/edit#gid=0"
    assert spreadsheet_key(url) == "1AbC-d_9"
    assert spreadsheet_key(" 1AbC-d_9 ") == "1AbC-d_9"
    with pytest.raises(ConfigError, match=r"source\.google_sheet"):
        spreadsheet_key("my club sheet")


# --- retries --------------------------------------------------------------------------------


def test_rate_limits_are_retried_after_the_wait_google_asks_for(
    club: SheetsEmulator, emulator_source: Make, fake_clock: FakeClock
) -> None:
    club.inject(status=429, retry_after=2, times=2)
    tables = emulator_source("club-key").read_tables(["Members"])
    assert tables["Members"].rows[1][0] == "Ada Okonkwo"
    assert fake_clock.sleeps == [2, 2]
    assert [r.status for r in club.requests] == [429, 429, 200]


def test_server_errors_are_retried_with_jittered_exponential_backoff(
    club: SheetsEmulator, emulator_source: Make, fake_clock: FakeClock
) -> None:
    club.inject(status=503, times=2)
    club.inject(status=502, times=1)
    club.inject(drop=True, times=1)
    emulator_source("club-key").read_tables(["Members"])
    assert [r.status for r in club.requests] == [503, 503, 502, 0, 200]
    assert len(fake_clock.sleeps) == 4
    for attempt, wait in enumerate(fake_clock.sleeps):
        assert 0 <= wait <= 0.5 * 2**attempt


def test_google_failing_for_longer_than_the_budget_gives_up_within_it(
    club: SheetsEmulator, emulator_source: Make, fake_clock: FakeClock
) -> None:
    club.inject(status=503, times=None)
    with pytest.raises(ServiceError) as caught:
        emulator_source("club-key", budget=20).read_tables(["Members"])
    assert sum(fake_clock.sleeps) <= 20
    assert len(club.requests) == len(fake_clock.sleeps) + 1 > 3
    message = str(caught.value)
    assert "kept failing (503: The service is currently unavailable.)" in message
    assert f"over {len(club.requests)} attempts" in message
    assert "source.retry_budget" in message
    assert caught.value.exit_code == 3


def test_a_retry_after_past_the_budget_is_not_waited_for(
    club: SheetsEmulator, emulator_source: Make, fake_clock: FakeClock
) -> None:
    club.inject(status=429, retry_after=120, times=None)
    with pytest.raises(ServiceError) as caught:
        emulator_source("club-key", budget=60).read_tables(["Members"])
    assert fake_clock.sleeps == []
    assert len(club.requests) == 1
    assert "429" in str(caught.value) and "asked to wait 120 s" in str(caught.value)


def test_a_request_that_times_out(club: SheetsEmulator, emulator_source: Make) -> None:
    club.inject(delay=2.0)
    with pytest.raises(ServiceError) as caught:
        emulator_source("club-key", timeout=0.2, budget=0).read_tables(["Members"])
    assert "did not answer within 0.2 s" in str(caught.value)
    assert "source.timeout" in str(caught.value)


def test_nothing_listening(emulator_source: Make, closed_port: int) -> None:
    config = SourceConfig(google_sheet="club-key", retry_budget=dt.timedelta(0))
    source = GoogleSheetSource.from_config(
        config, environ={"SHEETMENTOR_SHEETS_EMULATOR": f"http://127.0.0.1:{closed_port}"}
    )
    with pytest.raises(ServiceError) as caught:
        source.read_tables(["Members"])
    assert str(caught.value).startswith(f"cannot connect to 127.0.0.1:{closed_port}")
    assert "Connection refused" in str(caught.value)
    assert caught.value.exit_code == 3


def test_nothing_listening_is_not_retried(
    emulator_source: Make, closed_port: int, fake_clock: FakeClock
) -> None:
    config = SourceConfig(google_sheet="club-key")
    source = GoogleSheetSource.from_config(
        config,
        environ={"SHEETMENTOR_SHEETS_EMULATOR": f"http://127.0.0.1:{closed_port}"},
        retry=fake_clock.policy(60),
    )
    with pytest.raises(GoogleUnreachableError, match="Connection refused"):
        source.read_all_tables()
    assert fake_clock.sleeps == []


def test_an_unknown_host_is_not_retried(fake_clock: FakeClock) -> None:
    config = SourceConfig(google_sheet="club-key")
    source = GoogleSheetSource.from_config(
        config,
        environ={"SHEETMENTOR_SHEETS_EMULATOR": "http://sheets.invalid:8089"},
        retry=fake_clock.policy(60),
    )
    with pytest.raises(GoogleUnreachableError, match=r"cannot connect to sheets\.invalid:8089"):
        source.read_all_tables()
    assert fake_clock.sleeps == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("<html><body>Proxy login</body></html>", "is not JSON"),
        ('{"sheets": [{"properties": {"title": "Members"', "is not JSON"),
        ('{"sheets": {"properties": 5}}', "cannot read for spreadsheet club-key"),
        ('{"sheets": [{"properties": {"title": "A"}, "data": [{"rowData": [{"values": '
         '[{"effectiveValue": {"numberValue": "7"}}]}]}]}]}', "(TypeError in"),
        ("[1, 2]", "cannot read"),
    ],
    ids=["html", "truncated-json", "wrong-shape", "wrong-type", "a-list"],
)  # fmt: skip
def test_an_answer_that_cannot_be_read_is_a_clear_error(
    club: SheetsEmulator, emulator_source: Make, body: str, expected: str
) -> None:
    club.inject(body=body, api="spreadsheets.get")
    with pytest.raises(GoogleAnswerError) as caught:
        emulator_source("club-key").read_all_tables()
    assert expected in str(caught.value)
    assert caught.value.exit_code == 3


def test_a_cut_off_answer_is_retried(
    club: SheetsEmulator, emulator_source: Make, fake_clock: FakeClock
) -> None:
    club.inject(truncate=True)
    assert "Members" in emulator_source("club-key").read_all_tables()
    assert len(fake_clock.sleeps) == 1
    club.inject(truncate=True, times=None)
    with pytest.raises(GoogleAnswerError, match="cut off"):
        emulator_source("club-key", budget=5).read_all_tables()


def test_a_slow_drip_is_bounded_by_the_timeout(club: SheetsEmulator, emulator_source: Make):
    club.inject(drip=0.02, times=None)
    with pytest.raises(GoogleUnreachableError, match=r"did not answer within 0\.3 s"):
        emulator_source("club-key", budget=0, timeout=0.3).read_all_tables()


# --- service accounts and what Google refuses --------------------------------------------------


def test_a_service_account_signs_in_through_the_token_endpoint(
    club: SheetsEmulator, keyed_source: Make, sa_key: ServiceAccountKey, tmp_path: Path
) -> None:
    club.spreadsheet("club-key").shared_with = {sa_key.email}
    source = keyed_source("club-key", tmp_path / "service-account.json")
    source.read_tables(["Members"])
    club.expire_tokens()
    source.read_tables(["Members"])
    assert [(r.api, r.status, r.principal) for r in club.requests] == [
        ("oauth2.token", 200, None),
        ("spreadsheets.get", 200, sa_key.email),
        ("spreadsheets.get", 401, None),
        ("oauth2.token", 200, None),
        ("spreadsheets.get", 200, sa_key.email),
    ]


def test_google_application_credentials_is_used_when_the_config_names_no_key(
    club: SheetsEmulator, keyed_source: Make, sa_key: ServiceAccountKey, tmp_path: Path
) -> None:
    env = {"GOOGLE_APPLICATION_CREDENTIALS": str(tmp_path / "service-account.json")}
    keyed_source("club-key", None, environ=env).read_tables(["Members"])
    assert club.requests[-1].principal == sa_key.email


def test_a_sheet_not_shared_with_the_service_account_names_its_address(
    club: SheetsEmulator, keyed_source: Make, sa_key: ServiceAccountKey, tmp_path: Path
) -> None:
    club.spreadsheet("club-key").shared_with = {"organizer@example.org"}
    with pytest.raises(ServiceError) as caught:
        keyed_source("club-key", tmp_path / "service-account.json").read_tables(["Members"])
    message = str(caught.value)
    assert f"share the sheet with {sa_key.email} (Viewer is enough" in message
    assert "PRIVATE KEY" not in message and "ya29" not in message
    assert caught.value.exit_code == 3


def test_a_wrong_key_is_a_404_that_points_at_the_setting(
    club: SheetsEmulator, emulator_source: Make
) -> None:
    with pytest.raises(ServiceError) as caught:
        emulator_source("no-such-sheet").read_tables(["Members"])
    assert "no spreadsheet with the key no-such-sheet (404)" in str(caught.value)
    assert "source.google_sheet" in str(caught.value)


def test_a_disabled_sheets_api_says_where_to_enable_it(
    club: SheetsEmulator, keyed_source: Make, sa_key: ServiceAccountKey, tmp_path: Path
) -> None:
    club.inject(
        status=403,
        message="Google Sheets API has not been used in project 1234 before or it is disabled.",
    )
    with pytest.raises(ServiceError) as caught:
        keyed_source("club-key", tmp_path / "service-account.json").read_tables(["Members"])
    assert "Google Sheets API is not enabled for the Cloud project of" in str(caught.value)
    assert sa_key.email in str(caught.value)


def test_a_deleted_key_is_refused_by_the_token_endpoint(
    club: SheetsEmulator, keyed_source: Make, sa_key: ServiceAccountKey, tmp_path: Path
) -> None:
    club.revoke_service_account(sa_key.email)
    with pytest.raises(ServiceError) as caught:
        keyed_source("club-key", tmp_path / "service-account.json").read_tables(["Members"])
    message = str(caught.value)
    assert "invalid_grant" in message
    assert f"create a new key for {sa_key.email}" in message
    assert caught.value.exit_code == 3


def test_a_key_signed_by_another_private_key_is_refused(
    club: SheetsEmulator, keyed_source: Make, sa_key: ServiceAccountKey, tmp_path: Path
) -> None:
    forged = make_service_account_key(club.token_uri, sa_key.email)
    path = forged.write(tmp_path / "forged.json")
    with pytest.raises(ServiceError, match=r"invalid_grant: Invalid JWT Signature\."):
        keyed_source("club-key", path).read_tables(["Members"])


def test_a_token_refused_by_the_sheets_api(
    club: SheetsEmulator, keyed_source: Make, sa_key: ServiceAccountKey, tmp_path: Path
) -> None:
    club.inject(status=401, times=None)
    with pytest.raises(ServiceError) as caught:
        keyed_source("club-key", tmp_path / "service-account.json").read_tables(["Members"])
    assert "refused the credentials of the service account" in str(caught.value)
    assert "(401 UNAUTHENTICATED)" in str(caught.value)


# --- credentials files ---------------------------------------------------------------------


def test_no_credentials_at_all_is_a_config_error(keyed_source: Make) -> None:
    with pytest.raises(ConfigError) as caught:
        keyed_source("club-key", None)
    assert "source.credentials" in str(caught.value)
    assert "GOOGLE_APPLICATION_CREDENTIALS" in str(caught.value)
    assert caught.value.exit_code == 2


def test_a_credentials_path_that_does_not_exist_is_a_config_error(
    keyed_source: Make, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match="GOOGLE_APPLICATION_CREDENTIALS names"):
        keyed_source("k", None, environ={"GOOGLE_APPLICATION_CREDENTIALS": str(tmp_path / "x")})


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ({"installed": {"client_id": "x"}}, "is an OAuth client file"),
        ({"web": {"client_id": "x"}}, "source.oauth: true"),
        ({"type": "authorized_user", "refresh_token": "x"}, "a person's saved sign-in"),
        ({"type": "external_account"}, "is not a service-account key"),
        ({"type": "service_account", "client_email": "a@b"}, "missing private_key, token_uri"),
        ("not json at all", "is not a Google credentials file"),
        (b"PK\x03\x04\xff\xfe", "is not a Google credentials file"),  # an .xlsx
    ],
)
def test_the_wrong_kind_of_credentials_file_says_what_to_do(
    keyed_source: Make, tmp_path: Path, content: object, expected: str
) -> None:
    path = tmp_path / "credentials.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content if isinstance(content, str) else json.dumps(content))
    with pytest.raises(ServiceError) as caught:
        keyed_source("club-key", path)
    assert expected in str(caught.value)
    assert caught.value.exit_code == 3


def test_an_unreadable_credentials_file(keyed_source: Make, tmp_path: Path) -> None:
    with pytest.raises(ServiceError, match="cannot read the Google credentials file"):
        keyed_source("club-key", tmp_path)  # a folder: reading it fails as for a locked file


def test_a_damaged_private_key(
    keyed_source: Make, sa_key: ServiceAccountKey, tmp_path: Path
) -> None:
    info = {**sa_key.info, "private_key": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END"}
    path = tmp_path / "damaged.json"
    path.write_text(json.dumps(info))
    with pytest.raises(ServiceError) as caught:
        keyed_source("club-key", path)
    assert "cannot be read" in str(caught.value) and "AAAA" not in str(caught.value)


def test_a_bad_emulator_address_is_a_config_error() -> None:
    config = SourceConfig(google_sheet="k")
    with pytest.raises(ConfigError, match="SHEETMENTOR_SHEETS_EMULATOR"):
        GoogleSheetSource.from_config(config, environ={"SHEETMENTOR_SHEETS_EMULATOR": "8089"})


# --- OAuth user credentials ------------------------------------------------------------------


def _authorized_user(emulator: SheetsEmulator, path: Path, refresh_token: str) -> Path:
    path.write_text(
        json.dumps(
            {
                "type": "authorized_user",
                "client_id": "123.apps.googleusercontent.com",
                "client_secret": "not-secret",
                "refresh_token": refresh_token,
                "token_uri": emulator.token_uri,
            }
        )
    )
    return path


def test_oauth_user_credentials_refresh_against_the_token_endpoint(
    club: SheetsEmulator, tmp_path: Path, fake_clock: FakeClock
) -> None:
    club.add_user("1//ada", "ada@example.org")
    saved = _authorized_user(club, tmp_path / "authorized_user.json", "1//ada")
    config = SourceConfig(google_sheet="club-key", oauth=True)

    def source() -> GoogleSheetSource:
        return GoogleSheetSource.from_config(
            config,
            endpoint=club.url,
            environ={},
            authorized_user_file=saved,
            retry=fake_clock.policy(60),
        )

    source().read_tables(["Members"])
    assert club.requests[-1].principal == "ada@example.org"
    club.spreadsheet("club-key").shared_with = {"organizer@example.org"}
    with pytest.raises(ServiceError, match="ask the sheet's owner to share it"):
        source().read_tables(["Members"])
    _authorized_user(club, saved, "1//revoked")
    with pytest.raises(ServiceError) as caught:
        source().read_tables(["Members"])
    assert "Token has been expired or revoked" in str(caught.value)
    assert f"delete {saved} and sign in again" in str(caught.value)


def test_oauth_without_a_client_file_says_where_to_get_one(tmp_path: Path) -> None:
    config = SourceConfig(google_sheet="k", oauth=True, credentials=tmp_path / "client.json")
    with pytest.raises(ConfigError, match="OAuth client ID"):
        GoogleSheetSource.from_config(
            config, environ={}, authorized_user_file=tmp_path / "none.json"
        )
