"""Local workbooks: .xlsx and .ods files, or a folder of .csv files (one per tab).

This is what a club gets from "File > Download" of its Google Sheet. Spreadsheet files are read
with python-calamine (a Rust reader): it keeps real date cells, booleans and numbers typed, reads
both .xlsx and .ods, and reads 100,000 rows several times faster than a pure-Python reader.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from ..errors import ConfigError, SheetError
from . import CellValue, RawTable

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".ods")


def open_workbook(path: Path) -> SpreadsheetFile | CsvFolder:
    """The reader for ``path``; a missing file or an unsupported kind is a config error."""
    if not path.exists():
        raise ConfigError(f"source.path: {path} does not exist")
    if path.is_dir():
        return CsvFolder(path)
    if path.suffix.lower() in SPREADSHEET_SUFFIXES:
        return SpreadsheetFile(path)
    raise ConfigError(
        f"source.path: {path.name} is not a workbook sheetmentor can read "
        f"(expected .xlsx, .ods, or a folder of .csv files)"
    )


def _blank_to_none(value: CellValue) -> CellValue:
    return None if value == "" else value


class _LocalSource:
    path: Path

    def titles(self) -> list[str]:
        raise NotImplementedError

    def read_table(self, title: str) -> RawTable:
        raise NotImplementedError

    def read_tables(
        self, required: Sequence[str], optional: Sequence[str] = ()
    ) -> dict[str, RawTable]:
        titles = self.titles()
        missing = [title for title in required if title not in titles]
        if missing:
            there = ", ".join(f'"{t}"' for t in titles) or "none"
            raise SheetError(
                f'{self.path.name}: no tab named "{missing[0]}" (tabs there: {there}); '
                f"rename the tab or set source.tabs in the config"
            )
        wanted = [*required, *(title for title in optional if title in titles)]
        return {title: self.read_table(title) for title in wanted}

    def read_all_tables(self) -> dict[str, RawTable]:
        return {title: self.read_table(title) for title in self.titles()}


class SpreadsheetFile(_LocalSource):
    def __init__(self, path: Path) -> None:
        from python_calamine import CalamineWorkbook

        self.path = path
        try:
            self._book = CalamineWorkbook.from_path(str(path))
        except Exception as error:  # calamine raises its own error types for every bad file
            raise SheetError(
                f"source.path: cannot read {path.name} as a spreadsheet ({error}); "
                f"is it really a {path.suffix} file?"
            ) from None

    def titles(self) -> list[str]:
        return list(self._book.sheet_names)

    def read_table(self, title: str) -> RawTable:
        rows = self._book.get_sheet_by_name(title).to_python(skip_empty_area=False)
        return RawTable(title, [[_blank_to_none(value) for value in row] for row in rows])


class CsvFolder(_LocalSource):
    """A folder with ``Members.csv``, ``Goals.csv``…: the tab is the file name without .csv."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._files = {file.stem: file for file in sorted(path.glob("*.csv"))}
        if not self._files:
            raise ConfigError(f"source.path: the folder {path} holds no .csv files")

    def titles(self) -> list[str]:
        return list(self._files)

    def read_table(self, title: str) -> RawTable:
        file = self._files[title]
        try:
            with file.open(newline="", encoding="utf-8-sig") as handle:
                rows = [[_blank_to_none(value) for value in row] for row in csv.reader(handle)]
        except (UnicodeDecodeError, csv.Error) as error:
            raise SheetError(f"{file.name}: not a UTF-8 CSV file ({error})") from None
        return RawTable(title, rows)
