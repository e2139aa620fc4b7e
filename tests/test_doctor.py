"""``sheetmentor doctor``: the identity, whether the sheet is reachable, its tabs, what next.

Through the CLI against the emulator (link access, emulator mode, nothing listening) and through
the library with a real service-account key whose tokens the emulator issues.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import MEMBERS, ClubFolder, run_cli

from sheetmentor.config import SourceConfig
from sheetmentor.sheet.doctor import diagnose
from sheetmentor_testing.emulator import SheetsEmulator
from sheetmentor_testing.keys import ServiceAccountKey

pytest_plugins = ["emulator_fixtures"]


@pytest.fixture
def google_club(demo: ClubFolder, emulator: SheetsEmulator) -> ClubFolder:
    emulator.load_workbook(demo.folder / "club.xlsx", "demo-club-sheet")
    config = yaml.safe_load(demo.config_path.read_text(encoding="utf-8"))
    config["source"] = {"google_sheet": "demo-club-sheet", "access": "link"}
    demo.write_config(config)
    return demo


def doctor(club: ClubFolder, address: str, *args: str) -> tuple[int, dict[str, str]]:
    result = club.run("doctor", *args, env={"SHEETMENTOR_SHEETS_EMULATOR": address})
    assert "Traceback" not in result.output
    fields = {}
    for line in result.stdout.splitlines():
        name, _, value = line.partition(":")
        fields[name] = value.strip()
    return result.exit_code, fields


def test_a_sheet_shared_by_link(google_club: ClubFolder, emulator: SheetsEmulator) -> None:
    code, found = doctor(google_club, emulator.url)
    assert code == 0
    assert found["source"] == "Google Sheet demo-club-sheet (access: link)"
    assert found["identity"].startswith("anyone with the link (no Google account")
    assert found["reachable"] == "yes"
    assert found["tabs"] == '"Members", "Goals", "Meetings"'
    assert "sheetmentor check" in found["next"]
    assert [r.api for r in emulator.requests] == ["export"]


def test_a_private_sheet_gets_the_one_thing_to_do(
    google_club: ClubFolder, emulator: SheetsEmulator, tmp_path: Path
) -> None:
    emulator.spreadsheet("demo-club-sheet").link_shared = False
    code, found = doctor(google_club, emulator.url, "--keep-download", str(tmp_path / "x.xlsx"))
    assert code == 3
    assert found["reachable"] == "no"
    assert found["tabs"] == "(none seen)"
    assert "is not shared by link" in found["problem"]
    assert found["next"].startswith("share it by link (in the sheet: Share > General access")
    assert not (tmp_path / "x.xlsx").exists()


def test_keep_download_keeps_the_workbook(
    google_club: ClubFolder, emulator: SheetsEmulator, tmp_path: Path
) -> None:
    code, _ = doctor(google_club, emulator.url, "--keep-download", str(tmp_path / "kept.xlsx"))
    assert code == 0
    assert (tmp_path / "kept.xlsx").read_bytes()[:2] == b"PK"


def test_the_emulator_and_a_missing_tab(google_club: ClubFolder, emulator: SheetsEmulator):
    config = yaml.safe_load(google_club.config_path.read_text(encoding="utf-8"))
    config["source"] = {"google_sheet": "demo-club-sheet", "tabs": {"goals": "Objectives"}}
    google_club.write_config(config)
    code, found = doctor(google_club, emulator.url)
    assert code == 1
    assert found["identity"] == f"the Sheets emulator at {emulator.url} (no credentials)"
    assert found["missing"] == '"Objectives"'
    assert 'rename a tab to "Objectives", or set source.tabs.goals' in found["next"]
    assert [r.api for r in emulator.requests] == ["spreadsheets.get"]


def test_nothing_listening(google_club: ClubFolder, closed_port: int) -> None:
    code, found = doctor(google_club, f"http://127.0.0.1:{closed_port}")
    assert code == 3
    assert "Connection refused" in found["problem"]
    assert found["next"].startswith("check the network connection")


def test_a_local_workbook(demo: ClubFolder) -> None:
    result = run_cli("--config", str(demo.config_path), "doctor")
    assert result.exit_code == 0
    assert "identity:  this computer (no Google access)" in result.stdout
    assert '"Members", "Goals"' in result.stdout


def test_no_credentials_with_api_access_is_a_config_problem() -> None:
    found = diagnose(SourceConfig(google_sheet="k", access="api"), environ={})
    assert (found.exit_code, found.reachable) == (2, False)
    assert "no Google credentials" in (found.problem or "")
    assert found.next_step.startswith("fix the setting")


def test_a_service_account_names_its_address(
    emulator: SheetsEmulator, sa_key: ServiceAccountKey, tmp_path: Path
) -> None:
    emulator.add_spreadsheet("club", {"Members": [], "Goals": []}, shared_with=[sa_key.email])
    config = SourceConfig(google_sheet="club", credentials=tmp_path / "service-account.json")
    found = diagnose(config, environ={}, endpoint=emulator.url)
    assert found.identity.startswith(f"the service account {sa_key.email} (key: ")
    assert (found.reachable, found.tabs, found.exit_code) == (True, ["Members", "Goals"], 0)
    emulator.spreadsheet("club").shared_with = {"organizer@example.org"}
    refused = diagnose(config, environ={}, endpoint=emulator.url)
    assert refused.exit_code == 3 and not refused.reachable
    assert refused.next_step.startswith(f"share the sheet with {sa_key.email}")


def test_a_deleted_goals_tab_is_missing_without_source_tabs(
    club: ClubFolder, emulator: SheetsEmulator
) -> None:
    """Doctor checked tabs only when ``source.tabs`` named them: with the Goals tab deleted it
    said all was well. With nothing but Members and Meetings left, no tab holds goals."""
    meetings = [["Date", "Attended"]]
    club.write(tabs={"Members": MEMBERS, "Meetings": meetings})
    local = club.run("doctor")
    assert local.exit_code == 1
    assert 'missing:   "Goals"' in local.stdout
    assert 'next:      rename a tab to "Goals", or set source.tabs.goals' in local.stdout
    emulator.load_workbook(club.folder / "club.xlsx", "no-goals-sheet")
    config = yaml.safe_load(club.config_path.read_text(encoding="utf-8"))
    config["source"] = {"google_sheet": "no-goals-sheet"}
    club.write_config(config)
    code, found = doctor(club, emulator.url)
    assert (code, found["reachable"], found["missing"]) == (1, "yes", '"Goals"')
    # a sheet kept one tab per member needs no Goals tab
    club.write(tabs={"Members": MEMBERS, "Ada Okonkwo": [["Goal", "Tier"], ["Rewrite CV", "Q"]]})
    club.write_config({**config, "source": {"path": "club.xlsx"}})
    assert club.run("doctor").exit_code == 0
