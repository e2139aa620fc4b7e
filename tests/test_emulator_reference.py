"""The emulator against Google's own answers, recorded from real gspread ↔ Google traffic.

``../shared/reference/google-sheets-responses/`` holds vcrpy cassettes from gspread's test suite.
Each cassette is replayed in order against a fresh emulator: the Drive call that created a
spreadsheet creates it in the emulator (Google's new spreadsheet: one ``Sheet1`` of 1000 × 26),
every Sheets API request is sent as recorded (method, path, query, body), so the writes a test
made seed the data its reads see, and each answer must equal Google's: status, keys, value
types, trimming, ``range`` strings and error bodies. A spreadsheet the cassette opens without
creating it is seeded from the recorded metadata (its tabs and grid sizes), or as unshared when
Google answered 403.

The cassettes are not part of the repository: this module runs where the folder is beside the
clone (CI), selected with ``-m reference``. What it showed is pinned in ``test_emulator.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from sheetmentor_testing.emulator import SheetsEmulator

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "google-sheets-responses"
CASSETTES = sorted(REFERENCE.glob("*.json")) if REFERENCE.is_dir() else []

pytestmark = [
    pytest.mark.reference,
    pytest.mark.skipif(
        not REFERENCE.is_dir(),
        reason=f"no recordings of Google's answers at {REFERENCE} (CI lays them beside the clone)",
    ),
]


def _interactions(cassette: Path) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for item in json.loads(cassette.read_text(encoding="utf-8"))["interactions"]:
        yield item["request"], item["response"]


def _json(text: str | None) -> Any:
    return json.loads(text) if text else None


class Replay:
    """One cassette against one emulator, mapping Google's random sheet ids to the emulator's."""

    def __init__(self, emulator: SheetsEmulator) -> None:
        self.emulator = emulator
        self.sheet_ids: dict[int, int] = {}
        self.compared = 0

    def drive(self, request: dict[str, Any], response: dict[str, Any]) -> None:
        """Drive calls are not emulated; a file creation creates the spreadsheet."""
        path = urlsplit(request["uri"]).path
        if request["method"] == "POST" and path == "/drive/v3/files":
            created = _json(response["body"]["string"])
            self.emulator.add_spreadsheet(created["id"], {"Sheet1": []}, title=created["name"])

    def seed_unknown(self, key: str, response: dict[str, Any]) -> None:
        """A spreadsheet opened but not created in this cassette: rebuild it from Google's
        answer (or make it unshared, where Google said 403)."""
        recorded = _json(response["body"]["string"])
        status = response["status"]["code"]
        if status == 403:
            self.emulator.add_spreadsheet(key, {"Sheet1": []}, shared_with=())
        elif status == 200 and "sheets" in recorded:
            book = self.emulator.add_spreadsheet(
                key,
                {},
                title=recorded["properties"]["title"],
                locale=recorded["properties"]["locale"],
                time_zone=recorded["properties"]["timeZone"],
            )
            book.sheets.clear()
            for sheet in recorded["sheets"]:
                props = sheet["properties"]
                grid = props["gridProperties"]
                book.add_sheet(
                    props["title"],
                    sheet_id=props["sheetId"],
                    grid=(grid["rowCount"], grid["columnCount"]),
                )

    def sheets(self, request: dict[str, Any], response: dict[str, Any]) -> None:
        parts = urlsplit(request["uri"])
        key = parts.path.split("/")[3].split(":")[0]
        try:
            self.emulator.spreadsheet(key)
        except KeyError:
            self.seed_unknown(key, response)
        body = request["body"]
        for recorded_id, actual_id in self.sheet_ids.items():
            if body:
                body = body.replace(f'"sheetId": {recorded_id}', f'"sheetId": {actual_id}')
        url = self.emulator.url + parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {"Content-Type": "application/json"} if body else {}
        actual = requests.request(request["method"], url, data=body, headers=headers, timeout=10)
        expected_status = response["status"]["code"]
        expected = _json(response["body"]["string"])
        got = actual.json() if actual.content else None
        where = f"{request['method']} {request['uri']}"
        assert actual.status_code == expected_status, f"{where}: {actual.text}"
        self.learn_sheet_ids(expected, got)
        assert shape(got) == shape(expected), f"{where}: shapes differ"
        assert self.normalized(got) == self.normalized(expected), f"{where}: values differ"
        self.compared += 1

    def learn_sheet_ids(self, expected: Any, got: Any) -> None:
        if not isinstance(expected, dict) or "replies" not in expected:
            return
        for want, have in zip(expected["replies"], got.get("replies", []), strict=False):
            if "addSheet" in want:
                recorded_id = want["addSheet"]["properties"]["sheetId"]
                self.sheet_ids[recorded_id] = have["addSheet"]["properties"]["sheetId"]

    def normalized(self, value: Any) -> Any:
        """The answer with the emulator's sheet ids put back to Google's."""
        reverse = {actual: recorded for recorded, actual in self.sheet_ids.items()}
        if isinstance(value, dict):
            return {
                k: reverse.get(v, v) if k == "sheetId" else self.normalized(v)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [self.normalized(v) for v in value]
        return value


def shape(value: Any) -> Any:
    """Keys, list lengths and value types (a number is a number, int or float)."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(v) for v in value]
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


@pytest.mark.parametrize("cassette", CASSETTES, ids=lambda p: p.stem)
def test_emulator_answers_as_google_did(cassette: Path) -> None:
    with SheetsEmulator() as emulator:
        replay = Replay(emulator)
        for request, response in _interactions(cassette):
            host = urlsplit(request["uri"]).netloc
            if host == "sheets.googleapis.com":
                replay.sheets(request, response)
            else:
                replay.drive(request, response)
    assert replay.compared > 0


def test_every_cassette_is_replayed() -> None:
    """A cassette added to the folder is picked up (and none is silently skipped)."""
    assert len(CASSETTES) >= 19
