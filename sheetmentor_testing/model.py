"""The emulator's spreadsheets: sheets of cells, and the values API's reads and writes on them.

Everything here is plain Python, independent of HTTP, so the rules Google follows (trimming,
``[]`` for interior empty rows, no ``values`` key for an empty range, grid limits, the ``range``
string of a response) live in one place and can be read next to each other.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gspread.utils import absolute_range_name

from sheetmentor_testing.a1 import GridRange, RangeError, resolve_cells, split_range
from sheetmentor_testing.cells import (
    Cell,
    Locale,
    extended_value,
    format_value,
    from_python,
    from_serial,
    locale_of,
    number_format,
    parse_input,
    render,
    to_serial,
)

DEFAULT_ROWS = 1000
DEFAULT_COLUMNS = 26


class ApiError(Exception):
    """A Google-style error: HTTP status, ``status`` name and message, sent as Google's JSON."""

    def __init__(self, code: int, message: str, status: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def parse_range_error(text: str) -> ApiError:
    return ApiError(400, f"Unable to parse range: {text}", "INVALID_ARGUMENT")


@dataclass
class Sheet:
    """One tab: a sparse grid of cells with Google's grid size (1000 × 26 for a new tab)."""

    title: str
    sheet_id: int
    rows: int = DEFAULT_ROWS
    columns: int = DEFAULT_COLUMNS
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)

    def set(self, row: int, col: int, cell: Cell | None) -> None:
        if cell is None:
            self.cells.pop((row, col), None)
        else:
            self.cells[(row, col)] = cell
        self.rows = max(self.rows, row + 1)
        self.columns = max(self.columns, col + 1)

    def last_row(self, start_col: int = 0, end_col: int | None = None) -> int:
        """1 + the last row holding a value in these columns (0 for none)."""
        end = self.columns if end_col is None else end_col
        used = [r for (r, c) in self.cells if start_col <= c < end]
        return max(used) + 1 if used else 0

    def properties(self, index: int) -> dict[str, Any]:
        return {
            "sheetId": self.sheet_id,
            "title": self.title,
            "index": index,
            "sheetType": "GRID",
            "gridProperties": {"rowCount": self.rows, "columnCount": self.columns},
        }


_DEFAULT_FORMAT = {
    "backgroundColor": {"red": 1, "green": 1, "blue": 1},
    "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
    "verticalAlignment": "BOTTOM",
    "wrapStrategy": "OVERFLOW_CELL",
    "textFormat": {
        "foregroundColor": {},
        "fontFamily": "arial,sans,sans-serif",
        "fontSize": 10,
        "bold": False,
        "italic": False,
        "strikethrough": False,
        "underline": False,
        "foregroundColorStyle": {"rgbColor": {}},
    },
    "backgroundColorStyle": {"rgbColor": {"red": 1, "green": 1, "blue": 1}},
}
_THEME_COLORS = [
    ("TEXT", {}),
    ("BACKGROUND", {"red": 1, "green": 1, "blue": 1}),
    ("ACCENT1", {"red": 0.25882354, "green": 0.52156866, "blue": 0.95686275}),
    ("ACCENT2", {"red": 0.91764706, "green": 0.2627451, "blue": 0.20784314}),
    ("ACCENT3", {"red": 0.9843137, "green": 0.7372549, "blue": 0.015686275}),
    ("ACCENT4", {"red": 0.20392157, "green": 0.65882355, "blue": 0.3254902}),
    ("ACCENT5", {"red": 1, "green": 0.42745098, "blue": 0.003921569}),
    ("ACCENT6", {"red": 0.27450982, "green": 0.7411765, "blue": 0.7764706}),
    ("LINK", {"red": 0.06666667, "green": 0.33333334, "blue": 0.8}),
]
_DEFAULT_THEME = {
    "primaryFontFamily": "Arial",
    "themeColors": [{"colorType": kind, "color": {"rgbColor": rgb}} for kind, rgb in _THEME_COLORS],
}


@dataclass
class Spreadsheet:
    """A spreadsheet: id, title, locale, its tabs, and who may read it."""

    spreadsheet_id: str
    title: str
    locale: str = "en_US"
    time_zone: str = "Etc/GMT"
    sheets: list[Sheet] = field(default_factory=list)
    shared_with: set[str] | None = None
    """E-mail addresses allowed in when the emulator checks tokens (None: anyone)."""
    link_shared: bool = True
    """"Anyone with the link can view": the export link serves the workbook without signing
    in (False: it answers with Google's sign-in redirect)."""

    @property
    def conventions(self) -> Locale:
        return locale_of(self.locale)

    # --- tabs ------------------------------------------------------------------------------

    def add_sheet(
        self,
        title: str,
        rows: Sequence[Sequence[Any]] = (),
        *,
        sheet_id: int | None = None,
        grid: tuple[int, int] | None = None,
        index: int | None = None,
    ) -> Sheet:
        if any(s.title == title for s in self.sheets):
            raise ApiError(
                400,
                f'Invalid requests[0].addSheet: A sheet with the name "{title}" already exists. '
                "Please enter another name.",
                "INVALID_ARGUMENT",
            )
        if sheet_id is None:
            sheet_id = 0 if not self.sheets else random.randrange(1, 2**31 - 1)
        height = max(DEFAULT_ROWS, len(rows)) if grid is None else grid[0]
        width = max([DEFAULT_COLUMNS, *(len(r) for r in rows)]) if grid is None else grid[1]
        sheet = Sheet(title, sheet_id, height, width)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                cell = from_python(value)
                if cell is not None:
                    sheet.cells[(r, c)] = cell
        self.sheets.insert(len(self.sheets) if index is None else index, sheet)
        return sheet

    def sheet_by_id(self, sheet_id: int) -> Sheet:
        for sheet in self.sheets:
            if sheet.sheet_id == sheet_id:
                return sheet
        raise ApiError(400, f"No grid with id: {sheet_id}", "INVALID_ARGUMENT")

    def metadata(self) -> dict[str, Any]:
        """``spreadsheets.get`` without grid data, in Google's key order."""
        return {
            "spreadsheetId": self.spreadsheet_id,
            "properties": {
                "title": self.title,
                "locale": self.locale,
                "autoRecalc": "ON_CHANGE",
                "timeZone": self.time_zone,
                "defaultFormat": _DEFAULT_FORMAT,
                "spreadsheetTheme": _DEFAULT_THEME,
            },
            "sheets": [{"properties": s.properties(i)} for i, s in enumerate(self.sheets)],
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{self.spreadsheet_id}/edit",
        }

    # --- ranges ----------------------------------------------------------------------------

    def resolve(self, text: str, *, for_write: bool = False) -> tuple[Sheet, GridRange]:
        """The sheet and rectangle a range names; 400 as Google words it when it cannot."""
        try:
            parsed = split_range(text)
        except RangeError:
            raise parse_range_error(text) from None
        if parsed.title is None:
            named = self._sheet_named(parsed.cells or "")
            sheet, cells = (named, None) if named else (self.sheets[0], parsed.cells)
        else:
            sheet = self._sheet_named(parsed.title)
            if sheet is None:
                raise parse_range_error(text)
            cells = parsed.cells
        try:
            grid = resolve_cells(cells, sheet.title, sheet.rows, sheet.columns, text)
        except RangeError:
            raise parse_range_error(text) from None
        if not for_write and (grid.end_row > sheet.rows or grid.end_col > sheet.columns):
            cells = grid.a1().rpartition("!")[2]
            raise ApiError(
                400,
                f"Range ({absolute_range_name(sheet.title, cells)}) exceeds grid limits. "
                f"Max rows: {sheet.rows}, max columns: {sheet.columns}",
                "INVALID_ARGUMENT",
            )
        return sheet, grid

    def _sheet_named(self, title: str) -> Sheet | None:
        return next((s for s in self.sheets if s.title == title), None)

    # --- reads -----------------------------------------------------------------------------

    def read(
        self,
        text: str,
        *,
        major_dimension: str = "ROWS",
        value_render: str = "FORMATTED_VALUE",
        datetime_render: str = "SERIAL_NUMBER",
    ) -> dict[str, Any]:
        """A ``ValueRange``: trailing empties trimmed, interior empty rows ``[]``, and no
        ``values`` key at all when the range holds nothing."""
        sheet, grid = self.resolve(text)
        locale = self.conventions
        matrix: list[list[Any]] = []
        # Only the used part of the grid can hold values: stop there, not at row 1000.
        last_row = min(grid.end_row, max((r for r, _ in sheet.cells), default=-1) + 1)
        last_col = min(grid.end_col, max((c for _, c in sheet.cells), default=-1) + 1)
        outer = range(grid.start_row, last_row)
        inner = range(grid.start_col, last_col)
        if major_dimension == "COLUMNS":
            outer, inner = inner, outer
        for o in outer:
            line: list[Any] = []
            for i in inner:
                key = (i, o) if major_dimension == "COLUMNS" else (o, i)
                cell = sheet.cells.get(key)
                line.append(
                    "" if cell is None else render(cell, value_render, datetime_render, locale)
                )
            while line and line[-1] == "":
                line.pop()
            matrix.append(line)
        while matrix and not matrix[-1]:
            matrix.pop()
        result: dict[str, Any] = {"range": grid.a1(), "majorDimension": major_dimension}
        if matrix:
            result["values"] = matrix
        return result

    def grid_data(self, sheet: Sheet, grid: GridRange | None = None) -> dict[str, Any]:
        """A ``GridData`` for ``spreadsheets.get`` with grid data: one ``RowData`` per row up
        to the last one holding a value (``{}`` for an empty row), each up to its last cell
        (``{}`` for an empty cell); ``startRow``/``startColumn`` only when not 0, as Google
        leaves zeros out; row and column sizes for the whole range."""
        grid = grid or GridRange(sheet.title, 0, sheet.rows, 0, sheet.columns)
        locale = self.conventions
        used = [(r, c) for (r, c) in sheet.cells if grid.start_row <= r < grid.end_row]
        used = [(r, c) for (r, c) in used if grid.start_col <= c < grid.end_col]
        last_row = max((r for r, _ in used), default=grid.start_row - 1)
        rows: list[dict[str, Any]] = []
        for r in range(grid.start_row, last_row + 1):
            last_col = max((c for rr, c in used if rr == r), default=grid.start_col - 1)
            values = []
            for c in range(grid.start_col, last_col + 1):
                cell = sheet.cells.get((r, c))
                values.append({} if cell is None else _cell_data(cell, locale))
            rows.append({"values": values} if values else {})
        data: dict[str, Any] = {}
        if grid.start_row:
            data["startRow"] = grid.start_row
        if grid.start_col:
            data["startColumn"] = grid.start_col
        if rows:
            data["rowData"] = rows
        data["rowMetadata"] = [{"pixelSize": 21}] * (grid.end_row - grid.start_row)
        data["columnMetadata"] = [{"pixelSize": 100}] * (grid.end_col - grid.start_col)
        return data

    # --- writes ----------------------------------------------------------------------------

    def write(
        self,
        text: str,
        values: Sequence[Sequence[Any]],
        *,
        user_entered: bool,
        major_dimension: str = "ROWS",
    ) -> dict[str, Any]:
        """``values.update``: cells from the range's top-left corner; the grid grows to fit."""
        sheet, grid = self.resolve(text, for_write=True)
        rows = _as_rows(values, major_dimension)
        return self._put(sheet, grid.start_row, grid.start_col, rows, user_entered)

    def append(
        self, text: str, values: Sequence[Sequence[Any]], *, user_entered: bool, major: str
    ) -> dict[str, Any]:
        """``values.append``: after the last row of the table the range finds."""
        sheet, grid = self.resolve(text, for_write=True)
        rows = _as_rows(values, major)
        whole_sheet = split_range(text).cells in (None, "")
        start_col = 0 if whole_sheet else grid.start_col
        end_col = sheet.columns if whole_sheet else grid.end_col
        last = sheet.last_row(start_col, end_col)
        table_start = grid.start_row
        result: dict[str, Any] = {"spreadsheetId": self.spreadsheet_id}
        if last > table_start:
            used_cols = [c for (r, c) in sheet.cells if start_col <= c < end_col]
            table = GridRange(sheet.title, table_start, last, start_col, max(used_cols) + 1)
            result["tableRange"] = table.a1()
        update = self._put(sheet, max(last, table_start), start_col, rows, user_entered)
        result["updates"] = update
        return result

    def _put(
        self, sheet: Sheet, top: int, left: int, rows: list[list[Any]], user_entered: bool
    ) -> dict[str, Any]:
        locale = self.conventions
        width = max((len(r) for r in rows), default=0)
        cells = 0
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                try:
                    cell = parse_input(value, user_entered, locale)
                except TypeError as error:
                    raise ApiError(400, str(error), "INVALID_ARGUMENT") from None
                cells += 1
                if cell is not False:
                    sheet.set(top + r, left + c, cell)
        result: dict[str, Any] = {"spreadsheetId": self.spreadsheet_id}
        if rows and width:
            written = GridRange(sheet.title, top, top + len(rows), left, left + width)
            result.update(
                updatedRange=written.a1(),
                updatedRows=len(rows),
                updatedColumns=width,
                updatedCells=cells,
            )
        else:
            result["updatedRange"] = GridRange(sheet.title, top, top + 1, left, left + 1).a1()
        return result

    def clear(self, text: str) -> str:
        sheet, grid = self.resolve(text)
        for key in list(sheet.cells):
            if grid.start_row <= key[0] < grid.end_row and grid.start_col <= key[1] < grid.end_col:
                del sheet.cells[key]
        return grid.a1()


def export_xlsx(book: Spreadsheet) -> bytes:
    """The workbook as "File > Download > Microsoft Excel" (and the export link) gives it:
    typed cells (dates and times as Excel dates with their format, percents as fractions with a
    percent format, checkboxes as booleans), formulas as their computed values."""
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    locale = book.conventions
    for sheet in book.sheets:
        worksheet = workbook.create_sheet(sheet.title)
        for (r, c), cell in sorted(sheet.cells.items()):
            target = worksheet.cell(row=r + 1, column=c + 1)
            value = cell.value
            if cell.error or isinstance(value, bool | str) or value is None:
                target.value = value
                if isinstance(value, str):
                    target.data_type = "s"  # text, even "#DIV/0!" or "=1+1"
                continue
            numbers = number_format(cell, locale)
            kind = cell.kind
            if kind == "date":
                target.value = from_serial(value).date()
            elif kind == "datetime":
                target.value = from_serial(round(value * 86400) / 86400)
            elif kind == "time":
                target.value = from_serial(round(value * 86400) / 86400).time()
            else:
                target.value = value
            if numbers is not None:
                target.number_format = _excel_pattern(numbers["pattern"], kind)
    if not workbook.worksheets:
        workbook.create_sheet("Sheet1")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _excel_pattern(pattern: str, kind: str) -> str:
    """Sheets' ``M/d/yyyy`` is Excel's ``m/d/yyyy`` (Excel reads date codes in lower case)."""
    if kind in ("date", "time", "datetime"):
        return pattern.replace("AM/PM", "\0").lower().replace("\0", "AM/PM")
    return pattern


def _cell_data(cell: Cell, locale: Locale) -> dict[str, Any]:
    """A ``CellData``: what was entered, its value, its text and its number format."""
    entered: dict[str, Any]
    if cell.formula is not None:
        entered = {"formulaValue": cell.formula}
    elif cell.error:
        entered = {"stringValue": str(cell.value)}
    else:
        entered = extended_value(cell)
    data: dict[str, Any] = {
        "userEnteredValue": entered,
        "effectiveValue": extended_value(cell),
        "formattedValue": format_value(cell, locale),
    }
    numbers = number_format(cell, locale)
    if numbers is not None:
        data["userEnteredFormat"] = {"numberFormat": numbers}
        data["effectiveFormat"] = {"numberFormat": numbers}
    return data


def _as_rows(values: Sequence[Sequence[Any]], major_dimension: str) -> list[list[Any]]:
    if not isinstance(values, list) or not all(isinstance(row, list) for row in values):
        raise ApiError(
            400, "Invalid values: expected a list of lists of values", "INVALID_ARGUMENT"
        )
    if major_dimension != "COLUMNS":
        return values
    height = max((len(col) for col in values), default=0)
    return [[col[r] if r < len(col) else None for col in values] for r in range(height)]


def build_spreadsheet(
    spreadsheet_id: str,
    tabs: Mapping[str, Sequence[Sequence[Any]]] | Iterable[tuple[str, Sequence[Sequence[Any]]]],
    *,
    title: str = "Club",
    locale: str = "en_US",
    time_zone: str = "Etc/GMT",
    shared_with: Iterable[str] | None = None,
) -> Spreadsheet:
    """A spreadsheet from Python values (``{"Goals": [["Member", "Goal"], ...]}``)."""
    book = Spreadsheet(
        spreadsheet_id,
        title,
        locale,
        time_zone,
        shared_with=None if shared_with is None else set(shared_with),
    )
    items = tabs.items() if isinstance(tabs, Mapping) else tabs
    for name, rows in items:
        book.add_sheet(name, rows)
    if not book.sheets:
        book.add_sheet("Sheet1")
    return book


def load_xlsx(
    path: str | Path,
    spreadsheet_id: str,
    *,
    locale: str = "en_US",
    shared_with: Iterable[str] | None = None,
) -> Spreadsheet:
    """A spreadsheet as Google would hold an uploaded .xlsx: cell types, number formats,
    formulas (with Excel's cached results where the file has them)."""
    import openpyxl

    formulas = openpyxl.load_workbook(path, data_only=False)
    cached = openpyxl.load_workbook(path, data_only=True)
    book = Spreadsheet(
        spreadsheet_id,
        Path(path).stem,
        locale,
        shared_with=None if shared_with is None else set(shared_with),
    )
    for index, ws in enumerate(formulas.worksheets):
        values_ws = cached[ws.title]
        sheet = Sheet(
            ws.title,
            0 if index == 0 else 1_000_000 + index,
            max(DEFAULT_ROWS, ws.max_row),
            max(DEFAULT_COLUMNS, ws.max_column),
        )
        for row in ws.iter_rows():
            for xl in row:
                cell = _cell_from_xlsx(xl, values_ws.cell(row=xl.row, column=xl.column).value)
                if cell is not None:
                    sheet.cells[(xl.row - 1, xl.column - 1)] = cell
        book.sheets.append(sheet)
    return book


def _cell_from_xlsx(xl: Any, cached_value: Any) -> Cell | None:
    value = xl.value
    pattern = None if xl.number_format in (None, "General") else xl.number_format
    if xl.data_type == "f" or (isinstance(value, str) and value.startswith("=")):
        formula = value if isinstance(value, str) else getattr(value, "text", None)
        if not formula:
            return None
        if cached_value is None:
            return Cell.with_formula(formula)
        computed = from_python(cached_value)
        if computed is None:
            return Cell("", formula=formula)
        return Cell(computed.value, formula=formula, pattern=pattern or computed.pattern)
    if xl.data_type == "e":
        return Cell(str(value), error=True)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return Cell(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return Cell(to_serial(value), pattern=pattern or "SHORT_DATE")
    if isinstance(value, int | float):
        return Cell(value, pattern=pattern)
    return Cell(str(value))
