"""Where the club's sheet comes from: a Google Sheet or a local workbook.

A source returns *raw tables* (:mod:`~sheetmentor.sheet.sources.tables`). Nothing is
interpreted here; :mod:`sheetmentor.sheet.layout` finds how the sheet is kept and
:mod:`sheetmentor.sheet.normalize` turns raw tables into members, goals and meetings, naming
every cell it could not understand because the coordinates are kept. The Google stack is
imported only when a Google source is used.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from sheetmentor.sheet.sources.tables import CellValue, RawTable, Source

if TYPE_CHECKING:
    from sheetmentor.config import SourceConfig
    from sheetmentor.sheet.sources.google import GoogleSheetSource
    from sheetmentor.sheet.sources.link import LinkSheetSource

__all__ = ["CellValue", "RawTable", "Source", "open_google_source", "open_source", "reads_by_link"]


def open_source(source: SourceConfig) -> Source:
    """The source the config names."""
    if source.google_sheet is not None:
        return open_google_source(source)
    from sheetmentor.sheet.sources.workbook import open_workbook

    assert source.path is not None
    return open_workbook(source.path, source.encoding, source.delimiter)


def open_google_source(
    source: SourceConfig,
    environ: Mapping[str, str] | None = None,
    *,
    endpoint: str | None = None,
) -> GoogleSheetSource | LinkSheetSource:
    """The Google source ``source.access`` asks for: the Sheets API, or the sheet's link.

    ``auto`` (the default) uses the API when credentials are set up or the emulator is, and
    the link otherwise — so a sheet shared by link needs no setup at all. ``endpoint`` is
    :meth:`GoogleSheetSource.from_config`'s (tests: the emulator, with real credentials).
    """
    from sheetmentor.sheet.sources.google import GoogleSheetSource
    from sheetmentor.sheet.sources.link import LinkSheetSource

    env = os.environ if environ is None else environ
    if reads_by_link(source, env, endpoint=endpoint):
        return LinkSheetSource.from_config(
            source, environ=env, chosen_for_lack_of_credentials=source.access == "auto"
        )
    return GoogleSheetSource.from_config(source, environ=env, endpoint=endpoint)


def reads_by_link(
    source: SourceConfig, environ: Mapping[str, str], *, endpoint: str | None = None
) -> bool:
    """``access: link``, or ``auto`` with neither credentials nor an emulator to talk to."""
    if source.access != "auto":
        return source.access == "link"
    from sheetmentor.sheet.sources.google import EMULATOR_ENV, has_credentials

    return not (endpoint or environ.get(EMULATOR_ENV) or has_credentials(source, environ))
