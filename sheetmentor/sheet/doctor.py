"""``sheetmentor doctor``: which identity reads the sheet, whether it can, and what to do next.

Setting up Google access fails in a handful of ways (no credentials, the wrong kind of key
file, a sheet not shared with the service account, a sheet not shared by link, no network), and
each has one fix. :func:`diagnose` tries the configured source once — one metadata request on
the API path, one download by link — and turns the outcome into a :class:`Diagnosis` that names
the identity used, the tabs seen and the one next step, instead of an error alone.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sheetmentor.errors import (
    ConfigError,
    GoogleUnreachableError,
    SheetError,
    SheetmentorError,
    SheetNotSharedError,
)

if TYPE_CHECKING:
    from sheetmentor.config import SourceConfig
    from sheetmentor.sheet.sources.google import GoogleSheetSource


@dataclass
class Diagnosis:
    """What :func:`diagnose` found; :meth:`lines` is what ``sheetmentor doctor`` prints."""

    source: str
    """The sheet, as the config names it (``Google Sheet KEY (access: link)``)."""
    identity: str
    """Who reads it: a service account's address, the signed-in person, anyone with the link."""
    reachable: bool = False
    tabs: list[str] = field(default_factory=list)
    missing_tabs: list[str] = field(default_factory=list)
    problem: str | None = None
    next_step: str = ""
    exit_code: int = 0
    """0 reachable with the configured tabs; 1 a configured tab is missing; 2 the config is
    wrong; 3 Google refused or cannot be reached."""

    def lines(self) -> list[str]:
        reach = "yes" if self.reachable else "no"
        tabs = ", ".join(f'"{t}"' for t in self.tabs) if self.tabs else "(none seen)"
        lines = [
            f"source:    {self.source}",
            f"identity:  {self.identity}",
            f"reachable: {reach}",
            f"tabs:      {tabs}",
        ]
        if self.missing_tabs:
            lines.append("missing:   " + ", ".join(f'"{t}"' for t in self.missing_tabs))
        if self.problem:
            lines.append(f"problem:   {self.problem}")
        lines.append(f"next:      {self.next_step}")
        return lines


def diagnose(
    source: SourceConfig,
    *,
    environ: Mapping[str, str] | None = None,
    keep_download: Path | None = None,
    endpoint: str | None = None,
) -> Diagnosis:
    """Try the configured source once and say what to do next (never raises a
    :class:`~sheetmentor.errors.SheetmentorError`: it becomes the diagnosis).

    ``environ`` replaces ``os.environ``; ``endpoint`` sends the API path to another address
    with the configured credentials (see
    :func:`~sheetmentor.sheet.sources.google.open_google_source`).
    """
    env = os.environ if environ is None else environ
    if source.google_sheet is None:
        return _diagnose_local(source)
    from sheetmentor.sheet.sources import open_google_source, reads_by_link
    from sheetmentor.sheet.sources.google import EMULATOR_ENV, GoogleSheetSource
    from sheetmentor.sheet.sources.link import LinkSheetSource

    where = f"Google Sheet {source.google_sheet} (access: {source.access})"
    if reads_by_link(source, env, endpoint=endpoint):
        identity = "anyone with the link (no Google account; the sheet must be shared by link)"
    elif env.get(EMULATOR_ENV):
        identity = f"the Sheets emulator at {env[EMULATOR_ENV]} (no credentials)"
    else:
        identity = "Google credentials (not readable yet)"
    diagnosis = Diagnosis(where, identity)
    try:
        opened = open_google_source(source, env, endpoint=endpoint)
        if isinstance(opened, GoogleSheetSource):
            diagnosis.identity = _api_identity(opened)
            diagnosis.tabs = opened.tab_titles()
        else:
            assert isinstance(opened, LinkSheetSource)
            if keep_download is not None:
                opened.keep_download = keep_download
            diagnosis.tabs = opened.tab_titles()
    except SheetmentorError as error:
        return _failed(diagnosis, error)
    diagnosis.reachable = True
    return _check_tabs(diagnosis, source)


def _api_identity(opened: GoogleSheetSource) -> str:
    who = opened.identity
    if who.kind == "service_account":
        return f"the service account {who.email} (key: {who.path}, from {who.origin})"
    if who.kind == "oauth":
        return f"the Google account you signed in with (saved sign-in: {who.path})"
    base = opened.http.base_url or "the Sheets emulator"
    return f"the Sheets emulator at {base} (no credentials)"


def _diagnose_local(source: SourceConfig) -> Diagnosis:
    from sheetmentor.sheet.sources.workbook import open_workbook

    diagnosis = Diagnosis(f"local workbook {source.path}", "this computer (no Google access)")
    assert source.path is not None
    try:
        diagnosis.tabs = list(
            open_workbook(source.path, source.encoding, source.delimiter).read_all_tables()
        )
    except SheetmentorError as error:
        return _failed(diagnosis, error)
    diagnosis.reachable = True
    return _check_tabs(diagnosis, source)


def _check_tabs(diagnosis: Diagnosis, source: SourceConfig) -> Diagnosis:
    """The tabs the sheet cannot be read without, missing: those the config names, and —
    without ``source.layout`` — the goals tab when no other tab could hold a member's goals
    (a sheet kept one tab per member needs no Goals tab, but it needs tabs besides Members and
    Meetings)."""
    if source.layout != "tab-per-member":
        tabs = source.tabs
        named = set(tabs.model_fields_set) if source.layout is None else {"members", "goals"}
        if tabs.goals not in diagnosis.tabs and not set(diagnosis.tabs) - {
            tabs.members,
            tabs.meetings,
        }:
            named |= {"members", "goals"}
        wanted = {
            key: tab
            for key, tab in {"members": source.tabs.members, "goals": source.tabs.goals}.items()
            if key in named
        }
        missing = {key: tab for key, tab in wanted.items() if tab not in diagnosis.tabs}
        diagnosis.missing_tabs = list(missing.values())
        if missing:
            key, tab = next(iter(missing.items()))
            diagnosis.next_step = (
                f'rename a tab to "{tab}", or set source.tabs.{key} in the config to the name '
                "of the tab that holds them"
            )
            diagnosis.exit_code = 1
            return diagnosis
    diagnosis.next_step = "run `sheetmentor check` to read the sheet and list its problems"
    return diagnosis


def _failed(diagnosis: Diagnosis, error: SheetmentorError) -> Diagnosis:
    diagnosis.problem = error.message
    diagnosis.exit_code = error.exit_code
    if isinstance(error, SheetNotSharedError):
        diagnosis.next_step = error.message.rpartition("): ")[2] or error.message
    elif isinstance(error, GoogleUnreachableError):
        diagnosis.next_step = "check the network connection, then run `sheetmentor doctor` again"
    elif isinstance(error, ConfigError):
        diagnosis.next_step = "fix the setting the problem names, then run `sheetmentor doctor`"
    elif isinstance(error, SheetError):
        diagnosis.next_step = "fix the workbook the problem names (or source.path)"
    else:
        diagnosis.next_step = "do what the problem says, then run `sheetmentor doctor` again"
    return diagnosis
