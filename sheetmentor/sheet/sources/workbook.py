"""Local workbooks: .xlsx and .ods files, or a folder of .csv files (one per tab).

This is what a club gets from "File > Download" of its Google Sheet. Spreadsheet files are read
with python-calamine (a Rust reader): it keeps real date cells, booleans and numbers typed, reads
both .xlsx and .ods, and reads 100,000 rows several times faster than a pure-Python reader.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import stat
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from sheetmentor.errors import ConfigError, SheetError, SourceError
from sheetmentor.sheet.sources.tables import CellValue, RawTable, column_index, column_letter

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".ods")
MAX_CELLS = 20_000_000
"""The most cells a tab's used area may span (a 100,000-goal sheet is ~1 million): beyond that
a stray cell far away (Ctrl+End shows it) would make the reader allocate gigabytes."""


MAX_UNPACKED = 512 * 1024 * 1024
"""The most an .xlsx/.ods may declare it unpacks to (a 100,000-goal workbook is ~60 MB): past
that it is a zip bomb, and reading it would end in an out-of-memory crash."""
MAX_ENTRIES = 10_000
"""The most files an .xlsx/.ods zip may hold (a workbook has a few dozen, one per tab plus a
few)."""
MAX_CSV_BYTES = 512 * 1024 * 1024
"""The largest .csv file read (it is read whole)."""


def open_workbook(
    path: Path, encoding: str | None = None, delimiter: str | None = None
) -> SpreadsheetFile | CsvFolder:
    """The reader for ``path``; a missing file or an unsupported kind is a config error, and a
    file that is not a regular one (a FIFO would block for ever) or a zip bomb is a
    :class:`SourceError` naming it, before anything is read.

    ``encoding`` and ``delimiter`` (``source.encoding``, ``source.delimiter``) are for .csv
    files, where they are detected when not set."""
    if not path.exists():
        raise ConfigError(f"source.path: {path} does not exist")
    if path.is_dir() or path.suffix.lower() == ".csv":
        return CsvFolder(path, encoding, delimiter)
    if path.suffix.lower() in SPREADSHEET_SUFFIXES:
        _refuse_irregular(path)
        _refuse_bomb(path)
        return SpreadsheetFile(path)
    raise ConfigError(
        f"source.path: {path.name} is not a workbook sheetmentor can read "
        f"(expected .xlsx, .ods, a .csv file, or a folder of .csv files)"
    )


def _refuse_irregular(path: Path, *, limit: int | None = None) -> None:
    """A FIFO, a socket or a device in place of a workbook file is refused (reading a FIFO
    waits for a writer for ever), and with ``limit`` a file larger than that."""
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise SourceError(
            f"source.path: {path} is not a regular file (a pipe or a device?); point it at the "
            "workbook itself"
        )
    if limit is not None and info.st_size > limit:
        raise SourceError(
            f"source.path: {path.name} is {info.st_size:,} bytes, more than sheetmentor reads "
            f"({limit:,}); is it really the club's sheet?"
        )


def _refuse_bomb(path: Path) -> None:
    """An .xlsx/.ods is a zip: refuse one that declares more files or more unpacked bytes than
    a workbook ever needs, before calamine unpacks it. A file that is not a zip at all is left
    to calamine, which names it."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        return
    unpacked = sum(entry.file_size for entry in entries)
    if len(entries) > MAX_ENTRIES or unpacked > MAX_UNPACKED:
        raise SourceError(
            f"source.path: {path.name} would unpack to {unpacked:,} bytes in "
            f"{len(entries):,} files, more than any workbook needs ({MAX_UNPACKED:,} bytes, "
            f"{MAX_ENTRIES:,} files); it is not read (a damaged or hostile file?)"
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
        """The tab's used area only, placed at its real row and column (a sheet whose only cell
        is XFD1048576 costs one cell, not a 17-billion-cell grid)."""
        area = self._scan().dimensions.get(title)
        if area is not None:
            self._refuse_absurd(title, *area)
        sheet = self._book.get_sheet_by_name(title)
        if sheet.start is None or sheet.end is None:
            return RawTable(title, [])
        (top, left), (bottom, right) = sheet.start, sheet.end
        self._refuse_absurd(title, top, left, bottom, right)
        pad = [None] * left
        used = [[*pad, *(_blank_to_none(v) for v in row)] for row in sheet.to_python()]
        for row, column, text in self._scan().errors.get(title, ()):
            line = used[row - top]
            line.extend([None] * (column + 1 - len(line)))
            line[column] = text
        empty: list = []
        struck = frozenset(self._scan().struck.get(title, ()))
        return RawTable(title, [*([empty] * top), *used], struck)

    def _refuse_absurd(self, title: str, top: int, left: int, bottom: int, right: int) -> None:
        if (bottom - top + 1) * (right - left + 1) > MAX_CELLS:
            raise SheetError(
                f'{self.path.name}: the tab "{title}" has cells from {_a1(top, left)} to '
                f"{_a1(bottom, right)} ({bottom - top + 1:,} rows × {right - left + 1:,} "
                f"columns), more than sheetmentor reads ({MAX_CELLS:,} cells); delete the stray "
                "cells beyond the data (Ctrl+End shows the last one)"
            )

    def _scan(self) -> _XlsxScan:
        if not hasattr(self, "_scanned"):
            self._scanned = _scan_xlsx(self.path)
        return self._scanned


def _a1(row: int, column: int) -> str:
    return f"{column_letter(column)}{row + 1}"


_ERROR_CELL = re.compile(
    rb'<c r="([A-Z]+)(\d+)"[^>]*?t="e"[^>]*>(?:<f[^>]*/>|<f[^>]*>.*?</f>)?<v>([^<]*)</v>'
)
_STYLED_CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*?\ss="(\d+)"')


def _struck_styles(archive: zipfile.ZipFile) -> set[int]:
    """The cell styles (``s="N"``) whose font is struck through."""
    try:
        styles = archive.read("xl/styles.xml")
    except KeyError:
        return set()
    if b"<strike" not in styles:
        return set()
    root = ElementTree.fromstring(styles)
    fonts = root.findall("m:fonts/m:font", _NS)
    struck_fonts = set()
    for index, font in enumerate(fonts):
        strike = font.find("m:strike", _NS)
        if strike is not None and strike.get("val", "1") in ("1", "true"):
            struck_fonts.add(index)
    return {
        index
        for index, xf in enumerate(root.findall("m:cellXfs/m:xf", _NS))
        if int(xf.get("fontId", "0")) in struck_fonts
    }


_DIMENSION = re.compile(rb'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "p": "http://schemas.openxmlformats.org/package/2006/relationships",
}


@dataclass
class _XlsxScan:
    errors: dict[str, list[tuple[int, int, str]]] = field(default_factory=dict)
    dimensions: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)
    struck: dict[str, set[tuple[int, int]]] = field(default_factory=dict)


def _scan_xlsx(path: Path) -> _XlsxScan:
    """What calamine does not say before it allocates: each tab's declared used area (a stray
    cell at XFD1048576 makes it build a 17-billion-cell grid), its error cells (#DIV/0!…,
    which calamine reads as blanks), as 0-based (row, column, text), and the cells whose font
    is struck through (looked for only when the workbook has such a font)."""
    scan = _XlsxScan()
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return scan
    try:
        with zipfile.ZipFile(path) as archive:
            book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
            struck_styles = _struck_styles(archive)
            targets = {
                rel.get("Id"): rel.get("Target", "") for rel in rels.findall("p:Relationship", _NS)
            }
            for sheet in book.findall("m:sheets/m:sheet", _NS):
                title = sheet.get("name", "")
                target = targets.get(sheet.get(f"{{{_NS['r']}}}id"), "")
                part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                data = archive.read(part)
                dimension = _DIMENSION.search(data, 0, 4096)
                if dimension:
                    first_col, first_row, last_col, last_row = dimension.groups()
                    scan.dimensions[title] = (
                        int(first_row) - 1,
                        column_index(first_col.decode()),
                        int(last_row or first_row) - 1,
                        column_index((last_col or first_col).decode()),
                    )
                if struck_styles:
                    scan.struck[title] = {
                        (int(row) - 1, column_index(col.decode()))
                        for col, row, style in _STYLED_CELL.findall(data)
                        if int(style) in struck_styles
                    }
                if b't="e"' in data:
                    scan.errors[title] = [
                        (int(row) - 1, column_index(col.decode()), text.decode())
                        for col, row, text in _ERROR_CELL.findall(data)
                    ]
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return _XlsxScan()
    return scan


class CsvFolder(_LocalSource):
    """A folder with ``Members.csv``, ``Goals.csv``… (the tab is the file name without .csv),
    or one .csv file (one tab).

    Each file's encoding is read from its byte-order mark (UTF-8 or UTF-16, as Excel's
    "Unicode text" and "CSV UTF-8" save), else UTF-8, else Windows-1252 (Excel's "CSV" on
    Windows); its delimiter is whichever of ``,`` ``;`` tab ``|`` splits its first lines into
    the same number of columns (Excel writes ``;`` where the decimal comma is used).
    """

    def __init__(
        self, path: Path, encoding: str | None = None, delimiter: str | None = None
    ) -> None:
        self.path = path
        files = [path] if path.is_file() else sorted(path.glob("*.csv"))
        self._files = {file.stem: file for file in files}
        if not self._files:
            raise ConfigError(f"source.path: the folder {path} holds no .csv files")
        if encoding is not None:
            try:
                codecs.lookup(encoding)
            except LookupError:
                raise ConfigError(
                    f"source.encoding: {encoding!r} is not an encoding Python knows (try "
                    "utf-8, utf-16, cp1252 or latin-1)"
                ) from None
        self.encoding = encoding
        self.delimiter = delimiter

    def titles(self) -> list[str]:
        return list(self._files)

    def read_table(self, title: str) -> RawTable:
        file = self._files[title]
        _refuse_irregular(file, limit=MAX_CSV_BYTES)
        text = self._text(file)
        delimiter = self.delimiter or _delimiter(text)
        try:
            rows = [
                [_blank_to_none(value) for value in row]
                for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
            ]
        except csv.Error as error:
            raise SheetError(
                f"{file.name}: not a CSV file sheetmentor can read ({error}); set "
                "source.delimiter to the character between its columns"
            ) from None
        return RawTable(title, rows)

    def _text(self, file: Path) -> str:
        data = file.read_bytes()
        if self.encoding is not None:
            try:
                return data.decode(self.encoding).removeprefix("\ufeff")
            except UnicodeDecodeError as error:
                raise SheetError(
                    f"{file.name}: not {self.encoding} text (byte {data[error.start]:#04x} at "
                    f"position {error.start}); fix source.encoding, or remove it to detect it"
                ) from None
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16")
        head = data[:2000]
        if len(head) >= 4 and head.count(0) * 3 > len(head):  # UTF-16 without its mark
            order = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
            return data.decode(order, errors="strict")
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as error:
                failed = error
        raise SheetError(
            f"{file.name}: neither UTF-8 nor Windows-1252 text (byte "
            f'{data[failed.start]:#04x} at position {failed.start}); save it as "CSV UTF-8", '
            "or set source.encoding to its encoding (e.g. source.encoding: latin-1)"
        )


def _delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the same number (more than one) of
    columns; ``,`` when none does better."""
    sample = text[:20_000]
    best, best_width = ",", 1
    for delimiter in (",", ";", "\t", "|"):
        try:
            rows = [row for row in csv.reader(io.StringIO(sample), delimiter=delimiter) if row]
        except csv.Error:
            continue
        rows = rows[:-1] if len(rows) > 1 else rows  # the sample may cut the last row
        widths = {len(row) for row in rows[:50]}
        width = max(widths, default=1)
        if width > best_width and len(widths) <= 2:
            best, best_width = delimiter, width
    return best
