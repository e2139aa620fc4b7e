"""Start-up: reading a club's .xlsx does not import openpyxl, and column letters are right.

openpyxl (with PIL) costs more to import than a small club's whole agenda run, and sheetmentor
reads workbooks with calamine; openpyxl is used only to write a starter workbook (``init``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import CONFIG, ROOT, ClubFolder, deep_merge
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.utils import column_index_from_string, get_column_letter
from sheet_corpus import MEMBERS, PLAIN, Layout

from sheetmentor.sheet.sources.tables import column_index, column_letter

MAX_COLUMN = 18_278
"""XFD, the last column a spreadsheet has."""


@given(st.integers(min_value=0, max_value=MAX_COLUMN * 2))
def test_column_letters_match_openpyxl_and_round_trip(index: int) -> None:
    letters = column_letter(index)
    assert column_index(letters) == index
    if index < MAX_COLUMN:
        assert letters == get_column_letter(index + 1)
        assert column_index_from_string(letters) == index + 1


@given(st.text(alphabet="ABCXYZabcz", min_size=1, max_size=3))
def test_column_index_reads_letters_in_either_case(letters: str) -> None:
    assert column_index(letters) == column_index_from_string(letters.upper()) - 1


def in_a_fresh_python(*argv: str) -> str:
    """The CLI run with ``argv`` in a new interpreter; its stdout, ending with the line
    ``LOADED [...]``: which of openpyxl and PIL it imported."""
    code = (
        "import sys\n"
        "from sheetmentor.cli import cli\n"
        f"argv = {list(argv)!r}\n"
        "try:\n"
        "    cli(argv, prog_name='sheetmentor')\n"
        "except SystemExit as stop:\n"
        "    assert not stop.code, stop.code\n"
        "print('LOADED', sorted(m for m in ('openpyxl', 'PIL') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return result.stdout


def test_agenda_from_an_xlsx_does_not_import_openpyxl(demo: ClubFolder) -> None:
    stdout = in_a_fresh_python("--config", str(demo.config_path), "agenda", "--as-of", "2026-11-30")
    assert "# " in stdout
    assert "LOADED []" in stdout


def test_struck_goals_are_read_without_importing_openpyxl(tmp_path: Path) -> None:
    """Strikethrough (done) is read from the .xlsx's own styles, not through openpyxl."""
    goals = [["Member", "Goal", "Tier"], *[[r[0], r[1], r[2]] for r in PLAIN[1:]]]
    struck = Layout("struck", {"Members": MEMBERS, "Goals": goals}, struck={"Goals": ["B2", "B6"]})
    club = ClubFolder(tmp_path)
    club.write_config(deep_merge(CONFIG, {"source": {"path": struck.write(tmp_path)}}))
    stdout = in_a_fresh_python("--config", str(club.config_path), "check")
    assert "struck through and with no status read as done (B2, B6)" in stdout
    assert "LOADED []" in stdout
