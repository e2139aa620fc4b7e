"""A1 notation as the Sheets API v4 reads and writes it.

The emulator must answer ``range`` strings exactly as Google does (``Sheet1!A1:D4``,
``'D3'!A1:D4``, ``'Goals 2026'!A1:Z1000``), because readers key on them and tests compare them
with recordings of real traffic. Google's rules, as recorded:

* a sheet title is quoted in a response unless it is a plain identifier that cannot be read as a
  cell (``Sheet1`` stays bare, ``D3`` and ``🌵 tab 1`` are quoted);
* open ends are closed on the sheet's grid (``A:A`` → ``A1:A1000``, ``A1:1`` → ``A1:Z1``, a bare
  sheet name → ``A1:Z1000``);
* a range Google cannot resolve is a 400 ``Unable to parse range: <the range as sent>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gspread.utils import absolute_range_name, column_letter_to_index, rowcol_to_a1

_PLAIN_TITLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CELL_LIKE = re.compile(r"[A-Za-z]{1,3}[0-9]+|[Rr][0-9]*[Cc][0-9]*")
_REF = re.compile(r"(?P<col>[A-Za-z]{1,3})?(?P<row>[1-9][0-9]*)?")


class RangeError(ValueError):
    """The range cannot be parsed (Google answers 400 ``Unable to parse range: ...``)."""


def render_title(title: str) -> str:
    """The title as Google writes it in a response: bare when it is unambiguous, else quoted."""
    if _PLAIN_TITLE.fullmatch(title) and not _CELL_LIKE.fullmatch(title):
        return title
    return absolute_range_name(title)


@dataclass(frozen=True)
class GridRange:
    """A resolved rectangle, 0-based, end-exclusive, closed on the sheet's grid."""

    title: str
    start_row: int
    end_row: int
    start_col: int
    end_col: int

    def a1(self) -> str:
        """``Sheet1!A1:D4`` (a single cell is written ``Sheet1!B2``)."""
        start = rowcol_to_a1(self.start_row + 1, self.start_col + 1)
        end = rowcol_to_a1(self.end_row, self.end_col)
        cells = start if start == end else f"{start}:{end}"
        return f"{render_title(self.title)}!{cells}"


@dataclass(frozen=True)
class ParsedRange:
    """A range as written: the sheet title (or None for "the first sheet") and optional refs."""

    title: str | None
    cells: str | None


def split_range(text: str) -> ParsedRange:
    """Split ``'Goals 2026'!A1:C`` into title and cell part; raise :class:`RangeError`."""
    if text.startswith("'"):
        index, title_chars = 1, []
        while True:
            quote = text.find("'", index)
            if quote < 0:
                raise RangeError(text)
            title_chars.append(text[index:quote])
            if text[quote + 1 : quote + 2] == "'":
                title_chars.append("'")
                index = quote + 2
                continue
            rest = text[quote + 1 :]
            break
        title = "".join(title_chars)
        if rest == "":
            return ParsedRange(title, None)
        if not rest.startswith("!"):
            raise RangeError(text)
        return ParsedRange(title, rest[1:])
    if "!" in text:
        title, _, cells = text.rpartition("!")
        return ParsedRange(title, cells)
    return ParsedRange(None, text)


def _parse_ref(ref: str, text: str) -> tuple[int | None, int | None]:
    match = _REF.fullmatch(ref)
    if not match or not ref:
        raise RangeError(text)
    col = column_letter_to_index(match.group("col")) - 1 if match.group("col") else None
    row = int(match.group("row")) - 1 if match.group("row") else None
    return col, row


def resolve_cells(
    cells: str | None, title: str, row_count: int, column_count: int, text: str
) -> GridRange:
    """Close the cell part on a grid of ``row_count`` × ``column_count``.

    Raises :class:`RangeError` for text that is not A1 notation; the caller checks grid limits.
    """
    if cells is None or cells == "":
        return GridRange(title, 0, row_count, 0, column_count)
    first, colon, second = cells.partition(":")
    col1, row1 = _parse_ref(first, text)
    if not colon:
        if col1 is None or row1 is None:
            raise RangeError(text)
        return GridRange(title, row1, row1 + 1, col1, col1 + 1)
    col2, row2 = _parse_ref(second, text)
    if (col1 is None and row1 is None) or (col2 is None and row2 is None):
        raise RangeError(text)
    # A1:B (rows open), A:B (columns only), 1:3 (rows only), A1:3 (to the grid's last column)
    start_col = col1 if col1 is not None else 0
    start_row = row1 if row1 is not None else 0
    end_col = col2 + 1 if col2 is not None else column_count
    end_row = row2 + 1 if row2 is not None else row_count
    if col1 is None and col2 is not None:
        raise RangeError(text)
    start_row, end_row = min(start_row, end_row - 1), max(start_row + 1, end_row)
    start_col, end_col = min(start_col, end_col - 1), max(start_col + 1, end_col)
    return GridRange(title, start_row, end_row, start_col, end_col)
