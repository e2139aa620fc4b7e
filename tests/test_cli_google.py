"""The CLI on a Google Sheet: the demo club served by the emulator gives the same results as
the same workbook read from disk, in one Sheets request per command."""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import Result
from conftest import ClubFolder, run_cli

from sheetmentor.testing.emulator import SheetsEmulator

pytest_plugins = ["emulator_fixtures"]

AS_OF = ("--as-of", "2026-11-30")


@pytest.fixture
def google_demo(demo: ClubFolder, emulator: SheetsEmulator) -> ClubFolder:
    """The demo club twice: ``sheetmentor.yaml`` reads club.xlsx, ``google.yaml`` reads the
    same workbook uploaded to the emulator."""
    emulator.load_workbook(demo.folder / "club.xlsx", "demo-club-sheet")
    config = yaml.safe_load(demo.config_path.read_text(encoding="utf-8"))
    config["source"]["google_sheet"] = "https://docs.google.com/spreadsheets/d/demo-club-sheet/edit"
    del config["source"]["path"]
    config["state"] = ".sheetmentor-google"  # its own meeting history, like a second club
    (demo.folder / "google.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return demo


def run_google(
    demo: ClubFolder, emulator: SheetsEmulator, *args: str, config: str = "google.yaml"
) -> Result:
    env = {"SHEETMENTOR_SHEETS_EMULATOR": emulator.url}
    return run_cli("--config", str(demo.folder / config), *args, env=env)


@pytest.mark.parametrize(
    "command",
    [("check",), ("status", "--format", "json", *AS_OF), ("agenda", *AS_OF)],
    ids=["check", "status-json", "agenda"],
)
def test_google_and_local_give_the_same_output(
    google_demo: ClubFolder, emulator: SheetsEmulator, command: tuple[str, ...]
) -> None:
    local = google_demo.run(*command)
    google = run_google(google_demo, emulator, *command)
    assert local.exit_code == google.exit_code == 0, google.stderr
    assert google.stdout == local.stdout
    assert 1 <= len(emulator.requests) <= 2  # one read of every tab (tab titles, then values)


def test_status_figures_come_from_the_sheet(
    google_demo: ClubFolder, emulator: SheetsEmulator
) -> None:
    status = json.loads(
        run_google(google_demo, emulator, "status", "--format", "json", *AS_OF).stdout
    )
    local = json.loads(google_demo.run("status", "--format", "json", *AS_OF).stdout)
    assert status == local
    assert status["club"] == "Personal Branding Club"
    assert status["tiers"]["two-week"]["total"] > 0


def test_google_failing_is_exit_3_with_a_message(
    google_demo: ClubFolder, emulator: SheetsEmulator
) -> None:
    config = yaml.safe_load((google_demo.folder / "google.yaml").read_text(encoding="utf-8"))
    config["source"]["retry_budget"] = "0s"
    (google_demo.folder / "impatient.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    emulator.inject(status=503, times=None)
    result = run_google(google_demo, emulator, "status", *AS_OF, config="impatient.yaml")
    assert result.exit_code == 3
    assert result.stderr.startswith("error: Google Sheets kept failing (503")
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_a_renamed_tab_is_a_sheet_error(google_demo: ClubFolder, emulator: SheetsEmulator) -> None:
    goals = next(s for s in emulator.spreadsheet("demo-club-sheet").sheets if s.title == "Goals")
    goals.title = "Goals (old)"
    result = run_google(google_demo, emulator, "check")
    assert result.exit_code == 1
    assert 'no tab "Goals"' in result.stderr and '"Goals (old)"' in result.stderr


MESSY_GOALS = [
    [None],
    ["Who", "Goal", "Horizon", "Area", "Done?", "% complete", "Set", "Due", "Buddy"],
    ["ada okonkwo ", "Rewrite CV", "2-wk", "Work", True, None, None, "Dec 1, 2026", "Bo"],
    ["Ada Okonkwo", "Call two mentors", "sprint", "career", "wip", 0.4, None, "2026-12-01"],
    [],
    ["Bo Chen", "Find a studio", "Q", "Life", "in progress", "25%", "11/03/2026"],
    ["Bo Chen", "Learn to sail", "weekly-ish", "personal", "✓"],
    ["Cy Diallo", "Apply to nursing school", "1 year+", "work", False, 40],
]


def test_messy_club_reads_the_same_from_google(club: ClubFolder, emulator: SheetsEmulator):
    club.write(goals=MESSY_GOALS)
    emulator.load_workbook(club.folder / "club.xlsx", "messy-sheet")
    config = yaml.safe_load(club.config_path.read_text(encoding="utf-8"))
    config["source"] = {"google_sheet": "messy-sheet"}
    config["state"] = ".sheetmentor-google"
    (club.folder / "google.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    for command in (("check",), ("status", "--format", "json", "--force", *AS_OF)):
        local = club.run(*command)
        google = run_google(club, emulator, *command)
        assert (google.exit_code, google.stdout) == (local.exit_code, local.stdout)
    checked = run_google(club, emulator, "check")
    assert checked.exit_code == 1
    assert 'error: Goals!C7: unknown tier "weekly-ish"' in checked.stdout
    status = json.loads(run_google(club, emulator, "status", "--format", "json", "--force").stdout)
    assert status["members"][0]["tiers"]["two-week"] == {
        "total": 2,
        "done": 1,
        "dropped": 0,
        "rate": 0.5,
        "progress": 0.7,
    }
