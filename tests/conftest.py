"""Shared fixtures: real workbooks written to disk, configs next to them, the CLI through Click.

``club`` builds a club folder (config + .xlsx) from plain Python rows; each test changes only the
cells it is about, so a failing test shows its sheet in a few lines.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from openpyxl import Workbook

from sheetmentor.cli import cli

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "demo-club"

MEMBERS = [
    ["Name", "Email", "Active", "Focus"],
    ["Ada Okonkwo", "ada@example.org", "yes", "Staff engineer role"],
    ["Bo Chen", "bo@example.org", "yes", "Start a studio"],
    ["Cy Diallo", "cy@example.org", "no", "Left in October"],
]
D = dt.date
GOALS = [
    ["Member", "Goal", "Tier", "Category", "Status", "Progress", "Set", "Due"],
    ["Ada Okonkwo", "Rewrite CV", "two-week", "professional", "done", None, None, D(2026, 12, 1)],
    ["Ada Okonkwo", "Call two mentors", "2-wk", "work", "in progress", "40%", None, D(2026, 12, 1)],
    ["Ada Okonkwo", "Publish 3 posts", "Q", "career", "", 0.25, None, D(2026, 12, 31)],
    ["Ada Okonkwo", "Run a marathon", "1 year+", "life", "dropped", None, None, None],
    ["Bo Chen", "Find a studio space", "sprint", "work", "", None, None, D(2026, 11, 17)],
    ["Bo Chen", "Learn to sail", "annual", "personal", "✓", None, None, None],
    ["Cy Diallo", "Apply to nursing school", "quarterly", "professional", "", None, None, None],
]  # fmt: skip
CONFIG = {
    "club": {"name": "Test Club", "cap": 10},
    "meetings": {
        "every": "2 weeks",
        "weekday": "tuesday",
        "time": "12:00",
        "duration": "60m",
        "timezone": "America/Toronto",
        "first": dt.date(2026, 9, 8),
        "location": "Room 4B",
    },
    "source": {"path": "club.xlsx"},
}


def meets(
    zone: str, at: str, first: dt.date, *, every: str = "2 weeks", duration: str = "60m"
) -> dict:
    """A ``config=`` change: the club meets at ``at`` in ``zone``, every ``every`` from ``first``
    (on its weekday). :data:`CONFIG`'s club meets at 12:00 America/Toronto; a test about time
    makes its clubs meet elsewhere, at other hours."""
    weekday = first.strftime("%A").lower()
    meetings = {"timezone": zone, "time": at, "first": first, "weekday": weekday}
    return {"meetings": {**meetings, "every": every, "duration": duration}}


def write_xlsx(path: Path, tabs: dict[str, list[list[Any]]]) -> Path:
    """A real .xlsx file with one sheet per tab; dates become real date cells."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in tabs.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def deep_merge(base: dict, changes: dict) -> dict:
    merged = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


class ClubFolder:
    """A club on disk: ``sheetmentor.yaml`` and ``club.xlsx`` in a temporary folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.config_path = folder / "sheetmentor.yaml"

    def write(
        self,
        *,
        members: list[list[Any]] | None = None,
        goals: list[list[Any]] | None = None,
        meetings: list[list[Any]] | None = None,
        tabs: dict[str, list[list[Any]]] | None = None,
        config: dict | None = None,
    ) -> ClubFolder:
        sheet = tabs or {"Members": members or MEMBERS, "Goals": goals or GOALS}
        if meetings is not None:
            sheet["Meetings"] = meetings
        write_xlsx(self.folder / "club.xlsx", sheet)
        self.write_config(deep_merge(CONFIG, config or {}))
        return self

    def write_config(self, data: dict | str) -> None:
        text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
        self.config_path.write_text(text, encoding="utf-8")

    def run(self, *args: str, env: dict[str, str] | None = None) -> Result:
        return run_cli("--config", str(self.config_path), *args, env=env)


def run_cli(*args: str, env: dict[str, str] | None = None) -> Result:
    """The real CLI in-process; stdout and stderr kept apart, as a user's shell sees them."""
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


@pytest.fixture(autouse=True)
def _witness_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """The ledger's witness (``$XDG_STATE_HOME/sheetmentor``) in a folder of the test session,
    never the home folder; subprocesses inherit it through the environment."""
    home = tmp_path_factory.getbasetemp() / "xdg-state"
    monkeypatch.setenv("XDG_STATE_HOME", str(home))
    return home


@pytest.fixture
def club(tmp_path: Path) -> ClubFolder:
    return ClubFolder(tmp_path).write()


@pytest.fixture
def demo(tmp_path: Path) -> ClubFolder:
    """A copy of the bundled demo club (so runs never write state into the repository)."""
    target = tmp_path / "demo-club"
    shutil.copytree(DEMO, target, ignore=shutil.ignore_patterns(".sheetmentor", "outbox"))
    return ClubFolder(target)
