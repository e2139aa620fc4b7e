"""The CLI on a Google Sheet: the demo club served by the emulator gives the same results as
the same workbook read from disk, in one Sheets request per command."""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import Result
from conftest import ClubFolder, run_cli

from sheetmentor_testing.emulator import SheetsEmulator

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
    assert [r.api for r in emulator.requests] == ["spreadsheets.get"]


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


# --- link access ------------------------------------------------------------------------------


@pytest.fixture
def link_demo(google_demo: ClubFolder) -> ClubFolder:
    """``link.yaml``: the demo club's sheet read by link, with one config line more."""
    config = yaml.safe_load((google_demo.folder / "google.yaml").read_text(encoding="utf-8"))
    config["source"]["access"] = "link"
    config["state"] = ".sheetmentor-link"
    (google_demo.folder / "link.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return google_demo


def test_link_api_and_local_give_the_same_status(
    link_demo: ClubFolder, emulator: SheetsEmulator
) -> None:
    command = ("status", "--format", "json", *AS_OF)
    local = link_demo.run(*command)
    by_link = run_google(link_demo, emulator, *command, config="link.yaml")
    assert [(r.api, r.status) for r in emulator.requests] == [("export", 200)]
    emulator.reset_log()
    by_api = run_google(link_demo, emulator, *command)
    assert [r.api for r in emulator.requests] == ["spreadsheets.get"]
    assert local.exit_code == by_link.exit_code == by_api.exit_code == 0, by_link.stderr
    assert by_link.stdout == by_api.stdout == local.stdout
    assert json.loads(by_link.stdout)["tiers"]["two-week"]["total"] > 0


@pytest.mark.parametrize("command", [("check",), ("agenda", *AS_OF)], ids=["check", "agenda"])
def test_link_access_costs_one_request_per_command(
    link_demo: ClubFolder, emulator: SheetsEmulator, command: tuple[str, ...]
) -> None:
    result = run_google(link_demo, emulator, *command, config="link.yaml")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == link_demo.run(*command).stdout
    assert [r.api for r in emulator.requests] == ["export"]


def test_a_private_sheet_by_link_is_exit_3_with_what_to_do(
    link_demo: ClubFolder, emulator: SheetsEmulator
) -> None:
    emulator.spreadsheet("demo-club-sheet").link_shared = False
    result = run_google(link_demo, emulator, "status", *AS_OF, config="link.yaml")
    assert result.exit_code == 3
    assert result.stderr.startswith("error: the Google Sheet demo-club-sheet is not shared by link")
    assert "Anyone with the link" in result.stderr and "service account" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


@pytest.mark.parametrize(
    "fault",
    [{"status": 500}, {"status": 429, "retry_after": 1}, {"truncate": True}],
    ids=["500-then-ok", "429-retry-after", "cut-off-then-ok"],
)
def test_link_access_rides_out_a_fault(
    link_demo: ClubFolder, emulator: SheetsEmulator, fault: dict
) -> None:
    emulator.inject(api="export", **fault)
    result = run_google(
        link_demo, emulator, "status", "--format", "json", *AS_OF, config="link.yaml"
    )
    assert result.exit_code == 0, result.stderr
    assert [r.api for r in emulator.requests] == ["export", "export"]
    assert result.stdout == link_demo.run("status", "--format", "json", *AS_OF).stdout


@pytest.mark.parametrize("config", ["link.yaml", "google.yaml"], ids=["link", "api"])
def test_nothing_listening_is_exit_3_at_once(
    link_demo: ClubFolder, closed_port: int, config: str
) -> None:
    env = {"SHEETMENTOR_SHEETS_EMULATOR": f"http://127.0.0.1:{closed_port}"}
    result = run_cli("--config", str(link_demo.folder / config), "status", *AS_OF, env=env)
    assert result.exit_code == 3
    assert f"cannot connect to 127.0.0.1:{closed_port}: Connection refused" in result.stderr
    assert "attempts" not in result.stderr  # one attempt: a refused connection is not retried


TAB_HEADER = ["Goal", "Tier", "Category", "Status", "Progress"]
LAYOUTS = {
    "tab-per-member": {
        "Members": [["Name", "Email"], ["Ada Okonkwo", "ada@example.org"], ["Bo Chen"]],
        "Ada Okonkwo": [TAB_HEADER, ["Rewrite CV", "2-wk", "work", "done", None]],
        "bo chen": [TAB_HEADER, ["Find a studio", "Q", "life", "", 0.4], ["Sail", "annual"]],
    },
    "no-meetings-tab": {
        "Members": [["Name"], ["Ada Okonkwo"], ["Bo Chen"]],
        "Goals": [["Member", *TAB_HEADER], ["Bo Chen", "Sail", "annual", "life", "", 0.4]],
    },
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("access", ["api", "link"])
def test_every_layout_costs_one_request(
    club: ClubFolder, emulator: SheetsEmulator, layout: str, access: str
) -> None:
    settings = {"layout": "tab-per-member"} if layout == "tab-per-member" else {}
    club.write(tabs=LAYOUTS[layout], config={"source": settings})
    emulator.load_workbook(club.folder / "club.xlsx", "layout-sheet")
    config = yaml.safe_load(club.config_path.read_text(encoding="utf-8"))
    config["source"] = {"google_sheet": "layout-sheet", "access": access, **settings}
    config["state"] = ".sheetmentor-google"
    (club.folder / "google.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    command = ("status", "--format", "json", *AS_OF)
    google = run_google(club, emulator, *command)
    assert google.exit_code == 0, google.stderr
    assert google.stdout == club.run(*command).stdout
    expected = "export" if access == "link" else "spreadsheets.get"
    assert [r.api for r in emulator.requests] == [expected]


@pytest.mark.parametrize(
    ("body", "expected"),
    [("<html>Proxy sign-in</html>", "is not JSON"), ('{"sheets": 7}', "cannot read")],
    ids=["not-json", "wrong-shape"],
)
def test_an_answer_that_is_not_googles_is_exit_3(
    google_demo: ClubFolder, emulator: SheetsEmulator, body: str, expected: str
) -> None:
    emulator.inject(body=body, api="spreadsheets.get")
    result = run_google(google_demo, emulator, "status", *AS_OF)
    assert result.exit_code == 3
    assert result.stderr.startswith("error: Google Sheets answered") and expected in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


@pytest.mark.parametrize(
    "now",
    ["2026-11-29T13:00", "2026-12-01T14:00", "2026-12-04T10:00"],
    ids=["nudges-due", "recap-due", "nothing-due"],
)
def test_send_due_reads_the_sheet_once(
    google_demo: ClubFolder, emulator: SheetsEmulator, now: str
) -> None:
    """Cron's run is the recap run and the nudge run in one: one Sheets request, one snapshot."""
    env = {"SHEETMENTOR_SHEETS_EMULATOR": emulator.url, "SHEETMENTOR_NOW": now}
    config = str(google_demo.folder / "google.yaml")
    result = run_cli("--config", config, "send-due", env=env)
    assert result.exit_code == 0, result.stderr
    assert [r.api for r in emulator.requests] == ["spreadsheets.get"]
    from sheetmentor.memory import HistoryStore

    with HistoryStore.open(google_demo.folder / ".sheetmentor-google") as store:
        assert len(store.snapshots()) == 1
