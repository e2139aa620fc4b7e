""".csv exports as spreadsheets save them: the delimiter and the encoding detected (Excel's
``;`` with a BOM, UTF-16 "Unicode text" with tabs, Windows-1252), one .csv file as the whole
sheet — each read to the hand-counted figures of the corpus club, through the CLI."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest
from conftest import CONFIG, ClubFolder, deep_merge
from sheet_corpus import EXPECTED, PLAIN, figures

AS_OF = ("--as-of", "2026-11-30")
MEMBERS = [
    ["Name", "Email", "Active"],
    ["Ada Okonkwo", "ada@example.org", "yes"],
    ["Bo Chen", "bo@example.org", "yes"],
    ["Zoë Müller", "zoe@example.org", "yes"],
]
GOALS = [*PLAIN, ["Zoë Müller", "Café à Köln", "quarterly", "personal", "done"]]
WITH_ZOE = {**EXPECTED, "Zoë Müller": {"quarterly": [1, 1]}}


def write_csv(path: Path, rows: list[list[str]], encoding: str, delimiter: str) -> None:
    text = "\r\n".join(delimiter.join(str(cell) for cell in row) for row in rows) + "\r\n"
    path.write_bytes(text.encode(encoding))


def club_of(folder: Path, config: dict | None = None) -> ClubFolder:
    club = ClubFolder(folder)
    club.write_config(deep_merge(CONFIG, deep_merge({"source": {"path": "export"}}, config or {})))
    return club


def read_figures(club: ClubFolder) -> dict:
    checked = club.run("check")
    assert checked.exit_code == 0, checked.stdout + checked.stderr
    assert "0 errors" in checked.stdout
    status = club.run("status", "--format", "json", *AS_OF)
    assert status.exit_code == 0, status.stderr
    return figures(json.loads(status.stdout))


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [
        ("utf-8-sig", ";"),  # Excel "CSV UTF-8" where the decimal mark is a comma
        ("utf-16", "\t"),  # Excel "Unicode text": UTF-16 with a BOM, tab-separated
        ("utf-16-le", "\t"),  # the same without its byte-order mark
        ("cp1252", ","),  # Excel "CSV" on Windows
        ("cp1252", ";"),
        ("utf-8", "|"),
    ],
)
def test_the_delimiter_and_encoding_are_detected(
    tmp_path: Path, encoding: str, delimiter: str
) -> None:
    export = tmp_path / "export"
    export.mkdir()
    write_csv(export / "Members.csv", MEMBERS, encoding, delimiter)
    write_csv(export / "Goals.csv", GOALS, encoding, delimiter)
    # Zoë's name comes back with its accents: the encoding was read right
    assert read_figures(club_of(tmp_path)) == WITH_ZOE


def test_a_bom_is_not_part_of_the_first_header(tmp_path: Path) -> None:
    export = tmp_path / "export"
    export.mkdir()
    (export / "Members.csv").write_bytes(codecs.BOM_UTF8 + b"Name;Email\r\nAda Okonkwo;a@x.org\r\n")
    write_csv(export / "Goals.csv", [PLAIN[0], PLAIN[1]], "utf-8-sig", ";")
    checked = club_of(tmp_path).run("check", "--explain")
    assert '  A "Name" → name (alias "name")' in checked.stdout


def test_one_csv_file_is_the_whole_sheet(tmp_path: Path) -> None:
    """A single-tab export (Smartsheet, Airtable): no roster, the members are its names."""
    rows = [["Owner", "Goal", "Tier", "Status"], *[[r[0], r[1], r[2], r[4]] for r in PLAIN[1:]]]
    write_csv(tmp_path / "goals-export.csv", rows, "utf-8-sig", ";")
    club = club_of(tmp_path, {"source": {"path": "goals-export.csv"}})
    assert read_figures(club) == EXPECTED


def test_a_set_delimiter_wins(tmp_path: Path) -> None:
    export = tmp_path / "export"
    export.mkdir()
    write_csv(export / "Members.csv", MEMBERS, "utf-8", ";")
    write_csv(export / "Goals.csv", GOALS, "utf-8", ";")
    club = club_of(tmp_path, {"source": {"delimiter": ","}})
    checked = club.run("check")
    assert checked.exit_code == 1  # one column "Member;Goal;…": the setting is obeyed
    assert read_figures(club_of(tmp_path, {"source": {"delimiter": ";"}})) == WITH_ZOE


def test_an_unknown_encoding_setting_is_a_config_error(tmp_path: Path) -> None:
    export = tmp_path / "export"
    export.mkdir()
    write_csv(export / "Goals.csv", GOALS, "utf-8", ",")
    result = club_of(tmp_path, {"source": {"encoding": "klingon"}}).run("check")
    assert result.exit_code == 2
    assert "source.encoding: 'klingon' is not an encoding Python knows" in result.stderr
