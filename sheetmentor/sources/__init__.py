"""Where the club's sheet comes from: a Google Sheet or a local workbook.

A source returns *raw tables*: the cells of each tab as typed Python values, positioned so that
``rows[r][c]`` is the cell at row ``r + 1``, column ``c + 1`` of the tab. Nothing is interpreted
here; :mod:`sheetmentor.layout` finds how the sheet is kept and :mod:`sheetmentor.schema` turns
raw tables into members, goals and meetings, naming every cell it could not understand because
the coordinates are kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..config import SourceConfig

CellValue = str | bool | int | float | dt.date | dt.datetime | None
"""A cell as the source gives it. Google's serial date numbers arrive as numbers; the schema
reads numbers in date columns as serial numbers counted from 1899-12-30."""


@dataclass(frozen=True)
class RawTable:
    title: str
    rows: list[list[CellValue]] = field(repr=False)
    """Ragged: trailing empty cells and rows may be missing, as Google omits them."""


class Source(Protocol):
    def read_tables(
        self, required: Sequence[str], optional: Sequence[str] = ()
    ) -> dict[str, RawTable]:
        """Read these tabs; raise an error listing the tabs there are if a required one is
        missing; leave a missing optional tab out of the result."""

    def read_all_tables(self) -> dict[str, RawTable]:
        """Every tab, in the workbook's order: what ``read_club`` reads, so the layout is
        detected from all the tabs."""


def open_source(source: SourceConfig) -> Source:
    """The source the config names; the Google stack is imported only when it is used."""
    if source.google_sheet is not None:
        from .google import open_google_source

        return open_google_source(source)
    from .workbook import open_workbook

    assert source.path is not None
    return open_workbook(source.path)
