"""The raw tables a source returns: each tab's cells as typed Python values, positioned so
that ``rows[r][c]`` is the cell at row ``r + 1``, column ``c + 1`` of the tab."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

CellValue = str | bool | int | float | dt.date | dt.datetime | None
"""A cell as the source gives it. Google's serial date numbers arrive as numbers; the schema
reads numbers in date columns as serial numbers counted from 1899-12-30."""


def column_letter(index: int) -> str:
    """The column's letters for a 0-based index: 0 → A, 25 → Z, 26 → AA. Here rather than
    openpyxl's ``get_column_letter`` because importing openpyxl (and PIL with it) costs more
    than reading a small club's workbook."""
    if index < 0:
        raise ValueError(f"no column has the index {index}")
    letters = ""
    number = index + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def column_index(letters: str) -> int:
    """The 0-based index of a column named by its letters (``A`` → 0, ``AA`` → 26): the
    inverse of :func:`column_letter`, for cell references such as the ``r="AB12"`` of .xlsx."""
    if not letters or not letters.isascii() or not letters.isalpha():
        raise ValueError(f"{letters!r} is not a column's letters")
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number - 1


@dataclass(frozen=True)
class RawTable:
    title: str
    rows: list[list[CellValue]] = field(repr=False)
    """Ragged: trailing empty cells and rows may be missing, as Google omits them."""
    struck: frozenset[tuple[int, int]] = field(default=frozenset(), repr=False)
    """The cells whose text is struck through, as 0-based (row, column): in many sheets that
    is how a goal is marked done."""


class Source(Protocol):
    def read_tables(
        self, required: Sequence[str], optional: Sequence[str] = ()
    ) -> dict[str, RawTable]:
        """Read these tabs; raise an error listing the tabs there are if a required one is
        missing; leave a missing optional tab out of the result."""

    def read_all_tables(self) -> dict[str, RawTable]:
        """Every tab, in the workbook's order: what ``read_club`` reads, so the layout is
        detected from all the tabs."""
