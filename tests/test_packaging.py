"""What a user installs: templates inside the wheel, and a quick --help."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT


@pytest.mark.slow
def test_wheel_ships_the_templates(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path)],
        check=True,
    )
    (wheel,) = tmp_path.glob("sheetmentor-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for template in ("agenda.md.j2", "agenda.html.j2", "agenda.txt.j2"):
        assert f"sheetmentor/templates/{template}" in names
    for language in ("fr", "es", "pt_BR", "de"):
        assert f"sheetmentor/locale/{language}/LC_MESSAGES/sheetmentor.po" in names
    assert not any(name.startswith("templates/") for name in names)


def test_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys\n"
        "from sheetmentor.cli import cli\n"
        "try:\n"
        "    cli(['--help'], prog_name='sheetmentor')\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = sorted(m for m in ('pandas', 'numpy', 'gspread', 'openpyxl', 'google.auth',"
        " 'babel') if m in sys.modules)\n"
        "print('HEAVY', heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert "Usage: sheetmentor" in result.stdout
    assert "HEAVY []" in result.stdout
