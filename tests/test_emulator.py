"""The Sheets API emulator: what Google answers, pinned in the project's own fixtures.

The expected answers come from recordings of real Google traffic (replayed in full by
``test_emulator_reference.py`` where they are available) and from Google's documented error
bodies. Requests go over real HTTP to an emulator on loopback.
"""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

import openpyxl
import pytest
import requests
from google.auth.exceptions import RefreshError
from google.auth.transport.requests import Request
from google.oauth2 import service_account

from sheetmentor_testing.a1 import render_title, split_range
from sheetmentor_testing.cells import Cell
from sheetmentor_testing.emulator import SheetsEmulator
from sheetmentor_testing.keys import make_service_account_key

pytest_plugins = ["emulator_fixtures"]

SA_EMAIL = "club-bot@pbc-sheets.iam.gserviceaccount.com"
RECORDED_GRID = [
    ["A1", "B1", "", "D1"],
    ["", "b2", "", ""],
    ["", "", "", ""],
    ["A4", "B4", "", "D4"],
]


class Api:
    """Raw Sheets API calls, as gspread makes them (ranges percent-encoded in the path)."""

    def __init__(self, emulator: SheetsEmulator, key: str = "book") -> None:
        self.base = f"{emulator.url}/v4/spreadsheets/{key}"

    def get(self, range_: str, **params: Any) -> requests.Response:
        return requests.get(f"{self.base}/values/{quote(range_, safe='')}", params=params)

    def batch_get(self, *ranges: str, **params: Any) -> requests.Response:
        return requests.get(f"{self.base}/values:batchGet", params={"ranges": ranges, **params})

    def update(self, range_: str, values: list, option: str = "RAW") -> requests.Response:
        return requests.put(
            f"{self.base}/values/{quote(range_, safe='')}",
            params={"valueInputOption": option},
            json={"values": values},
        )

    def append(self, range_: str, values: list, option: str = "RAW") -> requests.Response:
        return requests.post(
            f"{self.base}/values/{quote(range_, safe='')}:append",
            params={"valueInputOption": option, "includeValuesInResponse": "False"},
            json={"values": values},
        )

    def metadata(self, **params: Any) -> requests.Response:
        return requests.get(self.base, params=params)


@pytest.fixture
def book(emulator: SheetsEmulator) -> Api:
    """A new spreadsheet with one 4 × 4 ``Sheet1`` holding gspread's test grid (RAW)."""
    emulator.add_spreadsheet("book", {"Sheet1": []})
    sheet = emulator.spreadsheet("book").sheets[0]
    sheet.rows, sheet.columns = 4, 4
    api = Api(emulator)
    assert api.update("'Sheet1'!A1", RECORDED_GRID).json() == {
        "spreadsheetId": "book",
        "updatedRange": "Sheet1!A1:D4",
        "updatedRows": 4,
        "updatedColumns": 4,
        "updatedCells": 16,
    }
    return api


# --- shapes Google answers with ----------------------------------------------------------


def test_trailing_empties_are_trimmed_and_interior_empty_rows_are_empty_lists(book: Api) -> None:
    assert book.get("'Sheet1'").json() == {
        "range": "Sheet1!A1:D4",
        "majorDimension": "ROWS",
        "values": [["A1", "B1", "", "D1"], ["", "b2"], [], ["A4", "B4", "", "D4"]],
    }


def test_an_empty_range_has_no_values_key(book: Api) -> None:
    assert book.get("'Sheet1'!C3:D3").json() == {"range": "Sheet1!C3:D3", "majorDimension": "ROWS"}


def test_batch_get_answers_each_range_in_order(book: Api) -> None:
    assert book.batch_get("'Sheet1'!A1:B1", "'Sheet1'!B4:D4").json() == {
        "spreadsheetId": "book",
        "valueRanges": [
            {"range": "Sheet1!A1:B1", "majorDimension": "ROWS", "values": [["A1", "B1"]]},
            {"range": "Sheet1!B4:D4", "majorDimension": "ROWS", "values": [["B4", "", "D4"]]},
        ],
    }


def test_columns_major_dimension_trims_each_column(book: Api) -> None:
    body = book.get("Sheet1", majorDimension="COLUMNS").json()
    assert body["majorDimension"] == "COLUMNS"
    assert body["values"] == [
        ["A1", "", "", "A4"],
        ["B1", "b2", "", "B4"],
        [],
        ["D1", "", "", "D4"],
    ]


@pytest.mark.parametrize(
    ("title", "written"),
    [
        ("Sheet1", "Sheet1"),
        ("Goals", "Goals"),
        ("D3", "'D3'"),
        ("R1C1", "'R1C1'"),
        ("Goals 2026", "'Goals 2026'"),
        ("Bo's goals", "'Bo''s goals'"),
        ("🌵 tab 1", "'🌵 tab 1'"),
    ],
)
def test_titles_are_quoted_in_answers_only_when_needed(title: str, written: str) -> None:
    assert render_title(title) == written
    assert split_range(f"{written}!A1").title == title


@pytest.mark.parametrize(
    ("sent", "answered"),
    [
        ("'Goals 2026'", "'Goals 2026'!A1:Z1000"),
        ("Goals 2026!A1:B2", "'Goals 2026'!A1:B2"),
        ("'Goals 2026'!A:A", "'Goals 2026'!A1:A1000"),
        ("'Goals 2026'!A1:1", "'Goals 2026'!A1:Z1"),
        ("'Goals 2026'!1:3", "'Goals 2026'!A1:Z3"),
        ("'Goals 2026'!A1:C", "'Goals 2026'!A1:C1000"),
        ("'Goals 2026'!B2", "'Goals 2026'!B2"),
        ("'Goals 2026'!B5:A1", "'Goals 2026'!A1:B5"),
        ("A1:B2", "'Goals 2026'!A1:B2"),
        ("D3", "'D3'!A1:Z1000"),
    ],
)
def test_a1_ranges_are_closed_on_the_grid(
    emulator: SheetsEmulator, sent: str, answered: str
) -> None:
    emulator.add_spreadsheet("book", {"Goals 2026": [["x"]], "D3": []})
    assert Api(emulator).get(sent).json()["range"] == answered


def test_metadata_has_googles_layout_and_field_masks(emulator: SheetsEmulator) -> None:
    emulator.add_spreadsheet("book", {"Members": [], "Goals": []}, title="PBC")
    api = Api(emulator)
    full = api.metadata(includeGridData="false").json()
    assert list(full) == ["spreadsheetId", "properties", "sheets", "spreadsheetUrl"]
    assert full["properties"]["locale"] == "en_US"
    assert full["sheets"][1]["properties"] == {
        "sheetId": full["sheets"][1]["properties"]["sheetId"],
        "title": "Goals",
        "index": 1,
        "sheetType": "GRID",
        "gridProperties": {"rowCount": 1000, "columnCount": 26},
    }
    titles = {"sheets": [{"properties": {"title": "Members"}}, {"properties": {"title": "Goals"}}]}
    assert api.metadata(fields="sheets.properties.title").json() == titles
    assert api.metadata(fields="sheets(properties(title))").json() == titles
    assert api.metadata(fields="properties.title", ranges="Goals").json() == {
        "properties": {"title": "PBC"}
    }
    only_goals = api.metadata(fields="sheets.properties.index", ranges="'Goals'!A1").json()
    assert only_goals == {"sheets": [{"properties": {"index": 1}}]}


def test_grid_data_comes_with_include_grid_data_or_a_field_mask(
    emulator: SheetsEmulator,
) -> None:
    emulator.add_spreadsheet(
        "book",
        {
            "Goals": [
                ["Goal", "Due", "Progress", "Done", "Logged"],
                [],
                ["CV", dt.date(2026, 12, 1), Cell.percent(0.4), True, dt.datetime(2026, 1, 2, 18)],
                [None, None, Cell.with_formula("=1/0")],
            ]
        },
    )
    api = Api(emulator)
    [sheet] = api.metadata(includeGridData="true").json()["sheets"]
    [grid] = sheet["data"]
    assert "startRow" not in grid and "startColumn" not in grid  # zeros are left out
    assert len(grid["rowMetadata"]) == 1000 and len(grid["columnMetadata"]) == 26
    header, empty, row, last = grid["rowData"]
    assert empty == {}
    assert header["values"][0] == {
        "userEnteredValue": {"stringValue": "Goal"},
        "effectiveValue": {"stringValue": "Goal"},
        "formattedValue": "Goal",
    }
    due, progress, done, logged = row["values"][1:]
    assert due["effectiveValue"] == {"numberValue": 46357}
    assert due["formattedValue"] == "12/1/2026"
    assert due["effectiveFormat"] == {"numberFormat": {"type": "DATE", "pattern": "M/d/yyyy"}}
    assert progress["effectiveValue"] == {"numberValue": 0.4}
    assert progress["effectiveFormat"]["numberFormat"]["type"] == "PERCENT"
    assert done["effectiveValue"] == {"boolValue": True}
    assert logged["effectiveFormat"]["numberFormat"]["type"] == "DATE_TIME"
    assert last["values"][:2] == [{}, {}]
    assert last["values"][2]["effectiveValue"]["errorValue"]["type"] == "DIVIDE_BY_ZERO"
    assert last["values"][2]["formattedValue"] == "#DIV/0!"
    assert "data" not in api.metadata(includeGridData="false").json()["sheets"][0]
    compact = api.metadata(includeGridData="true", prettyPrint="false")
    assert "\n" not in compact.text and compact.json()["sheets"][0] == sheet
    # A field mask decides alone: includeGridData is ignored when one is given.
    masked = api.metadata(
        fields="sheets(data(rowData(values(effectiveValue,effectiveFormat/numberFormat/type))))",
        includeGridData="false",
    ).json()
    assert masked["sheets"][0]["data"][0]["rowData"][2]["values"][1] == {
        "effectiveValue": {"numberValue": 46357},
        "effectiveFormat": {"numberFormat": {"type": "DATE"}},
    }
    assert "data" not in api.metadata(fields="sheets.properties", includeGridData="true").json()
    ranged = api.metadata(includeGridData="true", ranges="Goals!B3:C4").json()
    [grid] = ranged["sheets"][0]["data"]
    assert (grid["startRow"], grid["startColumn"]) == (2, 1)
    assert [len(r["values"]) for r in grid["rowData"]] == [2, 2]


def test_the_export_link_serves_the_workbook_with_its_types(emulator: SheetsEmulator) -> None:
    emulator.add_spreadsheet(
        "book",
        {
            "Members": [["Name", "Joined"], ["Ada", dt.date(2026, 1, 6)]],
            "Goals": [["Goal", "Progress", "Done", "Note"], ["CV", Cell.percent(0.4), True, "=1"]],
        },
        title="Club sheet",
    )
    answer = requests.get(f"{emulator.url}/spreadsheets/d/book/export", params={"format": "xlsx"})
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].endswith("spreadsheetml.sheet")
    assert 'filename="Club%20sheet.xlsx"' in answer.headers["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(answer.content))
    assert workbook.sheetnames == ["Members", "Goals"]
    assert workbook["Members"]["B2"].value == dt.datetime(2026, 1, 6)
    assert workbook["Members"]["B2"].number_format == "m/d/yyyy"
    progress = workbook["Goals"]["B2"]
    assert (progress.value, progress.number_format) == (0.4, "0%")
    assert workbook["Goals"]["C2"].value is True
    assert workbook["Goals"]["D2"].value == "=1"
    assert workbook["Goals"]["D2"].data_type == "s"  # RAW text stays text
    assert [r.api for r in emulator.requests] == ["export"]


def test_a_sheet_not_shared_by_link_redirects_to_the_sign_in_page(
    emulator: SheetsEmulator,
) -> None:
    emulator.add_spreadsheet("book", {"Goals": []}, link_shared=False)
    url = f"{emulator.url}/spreadsheets/d/book/export?format=xlsx"
    answer = requests.get(url, allow_redirects=False)
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith("https://accounts.google.com/ServiceLogin?")
    assert "continue=https%3A%2F%2Fdocs.google.com%2Fspreadsheets%2Fd%2Fbook%2Fexport" in location
    unknown = requests.get(f"{emulator.url}/spreadsheets/d/nope/export?format=xlsx")
    assert unknown.status_code == 404 and "unable to open the file" in unknown.text
    emulator.spreadsheet("book").link_shared = True
    emulator.inject(status=503, api="export")
    failed = requests.get(url)
    assert failed.status_code == 503 and failed.headers["Content-Type"].startswith("text/html")
    assert requests.get(url).status_code == 200


# --- errors as Google words them -------------------------------------------------------------


def error(code: int, message: str, status: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "status": status}}


def test_a_missing_tab_fails_the_whole_batch(book: Api) -> None:
    answer = book.batch_get("'Sheet1'", "Nope!A1")
    assert answer.status_code == 400
    assert answer.json() == error(400, "Unable to parse range: Nope!A1", "INVALID_ARGUMENT")
    assert answer.headers["Content-Type"] == "application/json; charset=UTF-8"


@pytest.mark.parametrize(
    "sent", ["'Sheet1'!A0", "'Sheet1'!1A", "'Sheet1", "'Sheet1'x", "Sheet1!A1:"]
)
def test_garbage_ranges_cannot_be_parsed(book: Api, sent: str) -> None:
    assert book.get(sent).json() == error(400, f"Unable to parse range: {sent}", "INVALID_ARGUMENT")


def test_a_range_past_the_grid_is_refused(book: Api) -> None:
    answer = book.get("'Sheet1'!A1:A9")
    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == (
        "Range ('Sheet1'!A1:A9) exceeds grid limits. Max rows: 4, max columns: 4"
    )


def test_unknown_spreadsheet_and_unshared_spreadsheet(emulator: SheetsEmulator) -> None:
    emulator.add_spreadsheet("private", {"Sheet1": []}, shared_with=["owner@example.org"])
    missing = Api(emulator, "nope").get("Sheet1")
    assert missing.status_code == 404
    assert missing.json() == error(404, "Requested entity was not found.", "NOT_FOUND")
    refused = Api(emulator, "private").metadata(includeGridData="false")
    assert refused.status_code == 403
    assert refused.json() == error(403, "The caller does not have permission", "PERMISSION_DENIED")


def test_writes_need_an_input_option_and_reads_valid_render_options(book: Api) -> None:
    answer = book.update("Sheet1!A1", [["x"]], option="")
    assert answer.json() == error(
        400, "'valueInputOption' is required but not specified", "INVALID_ARGUMENT"
    )
    bad = book.get("Sheet1", valueRenderOption="PRETTY").json()
    assert bad["error"]["message"] == (
        "Invalid value at 'value_render_option' "
        '(type.googleapis.com/google.apps.sheets.v4.ValueRenderOption), "PRETTY"'
    )


# --- render options --------------------------------------------------------------------------


def test_user_entered_values_under_every_render_option(emulator: SheetsEmulator) -> None:
    """The exact answers Google recorded for gspread's date/time render option test."""
    emulator.add_spreadsheet("book", {"Sheet1": []})
    api = Api(emulator)
    written = [["=4/2", "2020-01-01", "string", 53], ["=3/2", 0.12, "1999-01-02", ""]]
    assert api.update("'Sheet1'!A1:D2", written, option="USER_ENTERED").status_code == 200
    expected = {
        ("UNFORMATTED_VALUE", "SERIAL_NUMBER"): [[2, 43831, "string", 53], [1.5, 0.12, 36162]],
        ("UNFORMATTED_VALUE", "FORMATTED_STRING"): [
            [2, "2020-01-01", "string", 53],
            [1.5, 0.12, "1999-01-02"],
        ],
        ("FORMATTED_VALUE", "SERIAL_NUMBER"): [
            ["2", "2020-01-01", "string", "53"],
            ["1.5", "0.12", "1999-01-02"],
        ],
        ("FORMATTED_VALUE", "FORMATTED_STRING"): [
            ["2", "2020-01-01", "string", "53"],
            ["1.5", "0.12", "1999-01-02"],
        ],
        ("FORMULA", "SERIAL_NUMBER"): [["=4/2", 43831, "string", 53], ["=3/2", 0.12, 36162]],
    }
    for (value_option, date_option), values in expected.items():
        answer = api.get(
            "'Sheet1'", valueRenderOption=value_option, dateTimeRenderOption=date_option
        ).json()
        assert answer["values"] == values, (value_option, date_option)
        assert answer["range"] == "Sheet1!A1:Z1000"


def test_raw_keeps_text_as_text(book: Api) -> None:
    row = [["=SUM(1)", "40%", "2026-11-24", "TRUE", "'quoted", 7, True]]
    book.update("Sheet1!A2", row)
    for option in ("FORMULA", "UNFORMATTED_VALUE", "FORMATTED_VALUE"):
        values = book.get("Sheet1!A2:G2", valueRenderOption=option).json()["values"]
        rendered = ["=SUM(1)", "40%", "2026-11-24", "TRUE", "'quoted"]
        assert values[0][:5] == rendered, option
    assert book.get("Sheet1!A2:G2", valueRenderOption="UNFORMATTED_VALUE").json()["values"][0][
        5:
    ] == [7, True]


def test_user_entered_reads_what_a_person_types(emulator: SheetsEmulator) -> None:
    emulator.add_spreadsheet("book", {"Sheet1": []})
    api = Api(emulator)
    typed = [["40%", "TRUE", "11/24/2026", "Nov 24, 2026", "'=text", "1,234.5", "=1/0", "=FOO()"]]
    api.update("Sheet1!A1", typed, option="USER_ENTERED")
    assert api.get("Sheet1", valueRenderOption="UNFORMATTED_VALUE").json()["values"] == [
        [0.4, True, 46350, 46350, "=text", 1234.5, "#DIV/0!", "#NAME?"]
    ]
    assert api.get("Sheet1").json()["values"] == [
        ["40%", "TRUE", "11/24/2026", "Nov 24, 2026", "=text", "1234.5", "#DIV/0!", "#NAME?"]
    ]


def test_formatted_values_follow_the_spreadsheet_locale(emulator: SheetsEmulator) -> None:
    row = [
        dt.date(2026, 11, 24),
        Cell.percent(0.4),
        Cell.percent(0.125, "0.0%"),
        True,
        1.45,
        Cell(1234.5, pattern="#,##0.00"),
        dt.datetime(2026, 11, 24, 13, 5),
    ]
    emulator.add_spreadsheet("us", {"Goals": [row]})
    emulator.add_spreadsheet("de", {"Goals": [row]}, locale="de_DE")
    assert Api(emulator, "us").get("Goals").json()["values"] == [
        ["11/24/2026", "40%", "12.5%", "TRUE", "1.45", "1,234.50", "11/24/2026 13:05:00"]
    ]
    assert Api(emulator, "de").get("Goals").json()["values"] == [
        ["24.11.2026", "40%", "12,5%", "TRUE", "1,45", "1.234,50", "24.11.2026 13:05:00"]
    ]
    assert Api(emulator, "de").get("Goals", valueRenderOption="UNFORMATTED_VALUE").json()[
        "values"
    ] == [[46350, 0.4, 0.125, True, 1.45, 1234.5, pytest.approx(46350 + 13 / 24 + 5 / 1440)]]


# --- writes ----------------------------------------------------------------------------------


def test_append_finds_the_table_and_says_where_it_wrote(emulator: SheetsEmulator) -> None:
    emulator.add_spreadsheet("book", {"Sheet1": []})
    api = Api(emulator)
    first = api.append("'Sheet1'", [[f"v{i}" for i in range(10)]]).json()
    assert first == {
        "spreadsheetId": "book",
        "updates": {
            "spreadsheetId": "book",
            "updatedRange": "Sheet1!A1:J1",
            "updatedRows": 1,
            "updatedColumns": 10,
            "updatedCells": 10,
        },
    }
    second = api.append("'Sheet1'", [["a", "b"]]).json()
    assert second["tableRange"] == "Sheet1!A1:J1"
    assert second["updates"]["updatedRange"] == "Sheet1!A2:B2"
    assert api.get("'Sheet1'!A1:1").json()["range"] == "Sheet1!A1:Z1"


def test_batch_update_clear_and_batch_clear(emulator: SheetsEmulator) -> None:
    emulator.add_spreadsheet("book", {"Sheet1": []})
    base = Api(emulator).base
    body = {
        "valueInputOption": "RAW",
        "data": [
            {"range": "'Sheet1'!A1:D1", "values": [["A1", "B1", "", "D1"]]},
            {"range": "'Sheet1'!A4:D4", "values": [["A4", "B4", "", "D4"]]},
        ],
    }
    answer = requests.post(f"{base}/values:batchUpdate", json=body).json()
    assert {k: v for k, v in answer.items() if k != "responses"} == {
        "spreadsheetId": "book",
        "totalUpdatedRows": 2,
        "totalUpdatedColumns": 4,
        "totalUpdatedCells": 8,
        "totalUpdatedSheets": 1,
    }
    assert [r["updatedRange"] for r in answer["responses"]] == ["Sheet1!A1:D1", "Sheet1!A4:D4"]
    assert Api(emulator).get("'Sheet1'!A1:D4").json()["values"] == [
        ["A1", "B1", "", "D1"],
        [],
        [],
        ["A4", "B4", "", "D4"],
    ]
    cleared = requests.post(f"{base}/values/{quote(chr(39) + 'Sheet1' + chr(39))}:clear").json()
    assert cleared == {"spreadsheetId": "book", "clearedRange": "Sheet1!A1:Z1000"}
    batch = requests.post(f"{base}/values:batchClear", json={"ranges": ["Sheet1!A1:B2"]}).json()
    assert batch == {"spreadsheetId": "book", "clearedRanges": ["Sheet1!A1:B2"]}


# --- fault injection and the request log -----------------------------------------------------


def test_injected_faults_answer_like_google_then_stop(book: Api, emulator: SheetsEmulator) -> None:
    emulator.reset_log()
    emulator.inject(status=429, retry_after=2, times=2)
    for _ in range(2):
        limited = book.get("Sheet1")
        assert limited.status_code == 429
        assert limited.headers["Retry-After"] == "2"
        assert limited.json()["error"]["status"] == "RESOURCE_EXHAUSTED"
    assert book.get("Sheet1").status_code == 200
    assert [r.status for r in emulator.requests] == [429, 429, 200]
    assert emulator.count("values") == 3 and emulator.count("values.batchGet") == 0


def test_a_502_is_googles_html_page_and_faults_can_target_one_api(
    book: Api, emulator: SheetsEmulator
) -> None:
    emulator.inject(status=502, api="values.batchGet")
    assert book.get("Sheet1").status_code == 200
    page = book.batch_get("Sheet1")
    assert page.status_code == 502
    assert page.headers["Content-Type"].startswith("text/html")
    assert "Error 502" in page.text
    emulator.inject(status=503, message="Try later.")
    assert book.get("Sheet1").json() == error(503, "Try later.", "UNAVAILABLE")


def test_dropped_connections_and_latency(book: Api, emulator: SheetsEmulator) -> None:
    emulator.inject(drop=True)
    with pytest.raises(requests.ConnectionError):
        book.get("Sheet1")
    emulator.inject(delay=1.0)
    with pytest.raises(requests.ReadTimeout):
        requests.get(f"{book.base}/values/Sheet1", timeout=0.1)
    assert book.get("Sheet1").status_code == 200


# --- OAuth token endpoint ---------------------------------------------------------------------


def _credentials(emulator: SheetsEmulator, rsa_key: Any, *, register: bool = True) -> Any:
    key = make_service_account_key(emulator.token_uri, SA_EMAIL, private_key=rsa_key)
    if register:
        emulator.add_service_account(key.email, key.public_key_pem)
    return service_account.Credentials.from_service_account_info(
        key.info, scopes=["https://www.googleapis.com/auth/spreadsheets.readonly"]
    )


def test_the_token_endpoint_verifies_the_jwt_signature(
    emulator: SheetsEmulator, rsa_key: Any
) -> None:
    emulator.add_spreadsheet("book", {"Sheet1": [["hi"]]}, shared_with=[SA_EMAIL])
    credentials = _credentials(emulator, rsa_key)
    credentials.refresh(Request())
    assert credentials.token.startswith("ya29.")
    answer = requests.get(
        f"{emulator.url}/v4/spreadsheets/book/values/Sheet1",
        headers={"Authorization": f"Bearer {credentials.token}"},
    )
    assert answer.json()["values"] == [["hi"]]
    assert [(r.api, r.principal) for r in emulator.requests] == [
        ("oauth2.token", None),
        ("values.get", SA_EMAIL),
    ]
    assert requests.get(f"{emulator.url}/v4/spreadsheets/book/values/Sheet1").status_code == 403


def test_a_key_the_emulator_does_not_know_is_refused(
    emulator: SheetsEmulator, rsa_key: Any
) -> None:
    _credentials(emulator, rsa_key)
    forged = make_service_account_key(emulator.token_uri, SA_EMAIL)  # same account, other key
    credentials = service_account.Credentials.from_service_account_info(
        forged.info, scopes=["https://www.googleapis.com/auth/spreadsheets.readonly"]
    )
    with pytest.raises(RefreshError, match=r"invalid_grant: Invalid JWT Signature\."):
        credentials.refresh(Request())
    emulator.revoke_service_account(SA_EMAIL)
    with pytest.raises(RefreshError, match="invalid_grant: Invalid grant: account not found"):
        _credentials(emulator, rsa_key, register=False).refresh(Request())


def test_tokens_expire_and_anonymous_calls_can_be_refused(
    emulator: SheetsEmulator, rsa_key: Any
) -> None:
    emulator.add_spreadsheet("book", {"Sheet1": [["hi"]]})
    credentials = _credentials(emulator, rsa_key)
    credentials.refresh(Request())
    emulator.expire_tokens()
    stale = requests.get(
        f"{emulator.url}/v4/spreadsheets/book/values/Sheet1",
        headers={"Authorization": f"Bearer {credentials.token}"},
    )
    assert stale.status_code == 401
    assert stale.json()["error"]["status"] == "UNAUTHENTICATED"
    emulator.require_auth = True
    anonymous = requests.get(f"{emulator.url}/v4/spreadsheets/book/values/Sheet1")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["message"].startswith(
        "Request is missing required authentication credential."
    )


def test_refresh_token_grant_for_oauth_users(emulator: SheetsEmulator) -> None:
    emulator.add_user("1//refresh", "ada@example.org")
    granted = requests.post(
        emulator.token_uri, data={"grant_type": "refresh_token", "refresh_token": "1//refresh"}
    )
    assert set(granted.json()) == {"access_token", "expires_in", "token_type", "scope"}
    refused = requests.post(
        emulator.token_uri, data={"grant_type": "refresh_token", "refresh_token": "1//old"}
    )
    assert refused.status_code == 400
    assert refused.json() == {
        "error": "invalid_grant",
        "error_description": "Token has been expired or revoked.",
    }


# --- workbooks and the command line -----------------------------------------------------------


def write_typed_workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Goals 2026"
    sheet.append(["Member", "Due", "Progress", "Done", "Points", "Sum", "Set"])
    sheet.append(
        ["Ada", dt.date(2026, 11, 24), 0.4, True, 1234.5, "=1+2", dt.datetime(2026, 1, 6, 9)]
    )
    sheet["B2"].number_format = "mm-dd-yy"
    sheet["C2"].number_format = "0%"
    sheet["E2"].number_format = "#,##0.00"
    sheet.append([])
    sheet.append(["Bo", None, None, False])
    book.create_sheet("Empty")
    book.save(path)
    return path


def test_an_xlsx_is_held_with_its_types_and_formats(
    emulator: SheetsEmulator, tmp_path: Path
) -> None:
    key = emulator.load_workbook(write_typed_workbook(tmp_path / "club.xlsx"), "club")
    api = Api(emulator, key)
    assert api.get("'Goals 2026'").json()["values"] == [
        ["Member", "Due", "Progress", "Done", "Points", "Sum", "Set"],
        ["Ada", "11/24/2026", "40%", "TRUE", "1,234.50", "3", "2026-01-06 9:00:00"],
        [],
        ["Bo", "", "", "FALSE"],
    ]
    unformatted = api.get("'Goals 2026'", valueRenderOption="FORMULA").json()["values"]
    assert unformatted[1] == ["Ada", 46350, 0.4, True, 1234.5, "=1+2", 46028.375]
    assert "values" not in api.get("Empty").json()


def test_the_command_line_serves_a_workbook(tmp_path: Path) -> None:
    workbook = write_typed_workbook(tmp_path / "club.xlsx")
    command = [sys.executable, "-m", "sheetmentor_testing.emulator", "--workbook", str(workbook)]
    process = subprocess.Popen(
        [*command, "--port", "0", "--id", "pbc"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split(" on ")[1].strip()
        assert process.stdout.readline().strip() == "spreadsheet id: pbc"
        link = f"{url}/spreadsheets/d/pbc/export?format=xlsx"
        assert process.stdout.readline().strip() == f"export link: {link}"
        assert process.stdout.readline().strip() == f"export SHEETMENTOR_SHEETS_EMULATOR={url}"
        assert url.startswith("http://127.0.0.1:")
        answer = requests.get(f"{url}/v4/spreadsheets/pbc/values/'Goals 2026'!A2").json()
        assert answer == {"range": "'Goals 2026'!A2", "majorDimension": "ROWS", "values": [["Ada"]]}
        assert requests.get(link).content[:2] == b"PK"
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
