"""A Google Sheet shared "Anyone with the link", read without a Google account or Cloud project.

Why it is built this way:

* **No setup.** The Sheets API needs a Cloud project, the API enabled, a service account, a key
  and the sheet shared with the account: the step where most organizers stop. A sheet shared by
  link is served by Google as a whole .xlsx from
  ``https://docs.google.com/spreadsheets/d/KEY/export?format=xlsx`` with no credentials, so one
  config line (``source.access: link``, or no credentials at all) is enough.
* **One request, the same figures.** The download is one GET (Google may add a redirect to its
  download host), every tab included, and its bytes go to the local workbook reader
  (:mod:`sheetmentor.sheet.sources.workbook`): a sheet read by link gives what the same sheet gives
  through "File > Download", and what the API path gives.
* **Nothing kept.** The workbook reader reads from a path, so the download lives in a temporary
  file that is deleted as soon as it is read; ``source.keep_download`` (or ``doctor
  --keep-download FILE``) keeps a copy, for debugging.
* **The same retries and errors as the API path.** The GET goes through
  :func:`~sheetmentor.sheet.sources.google.call_with_retries` (429, 5xx, timeouts, cut-off
  downloads;
  never a refused connection). A sheet that is not shared by link makes Google redirect to its
  sign-in page (or answer 401/403): that is a :class:`~sheetmentor.errors.SheetNotSharedError`
  saying how to share it by link, or to set up a service account instead.
* **Emulator.** With ``SHEETMENTOR_SHEETS_EMULATOR=http://127.0.0.1:PORT`` set, the download
  goes to that address (``/spreadsheets/d/KEY/export?format=xlsx``) over plain HTTP.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

import requests

from sheetmentor.errors import (
    ConfigError,
    GoogleAnswerError,
    GoogleSheetsError,
    GoogleUnreachableError,
    SheetError,
    SheetNotSharedError,
)
from sheetmentor.sheet.sources.google import (
    EMULATOR_ENV,
    RetryPolicy,
    _RetriesExhausted,
    bounded,
    call_with_retries,
    checked_url,
    pick_tables,
    spreadsheet_key,
    unreachable,
)
from sheetmentor.sheet.sources.tables import RawTable
from sheetmentor.sheet.sources.workbook import open_workbook

if TYPE_CHECKING:
    from sheetmentor.config import SourceConfig

EXPORT_ORIGIN = "https://docs.google.com"
SIGN_IN_HOSTS = ("accounts.google.com",)
MAX_REDIRECTS = 5
SHARE_BY_LINK = (
    'share it by link (in the sheet: Share > General access > "Anyone with the link", Viewer) '
    "to read it with no Google account, or set up a service account and set "
    'source.credentials (both are described in the README, "Reading a Google Sheet")'
)


class _SignInRequired(Exception):
    """Google answered with its sign-in page: the sheet is not shared by link."""


class LinkSheetSource:
    """The tabs of a Google Sheet shared by link, from one .xlsx download.

    The download happens on the first read and is kept in memory for the object's life, so
    :meth:`read_tables` after :meth:`tab_titles` costs nothing more.
    """

    def __init__(
        self,
        spreadsheet_id: str,
        *,
        session: requests.Session | None = None,
        retry: RetryPolicy,
        timeout: float,
        base_url: str | None = None,
        keep_download: Path | None = None,
        chosen_for_lack_of_credentials: bool = False,
    ) -> None:
        self.spreadsheet_id = spreadsheet_id
        self.session = session or bounded(requests.Session())
        self.retry = retry
        self.timeout = timeout
        self.base_url = (base_url or EXPORT_ORIGIN).rstrip("/")
        self.keep_download = keep_download
        self.chosen_for_lack_of_credentials = chosen_for_lack_of_credentials
        self._tables: dict[str, RawTable] | None = None

    @classmethod
    def from_config(
        cls,
        source: SourceConfig,
        *,
        retry: RetryPolicy | None = None,
        environ: Mapping[str, str] | None = None,
        keep_download: Path | None = None,
        chosen_for_lack_of_credentials: bool = False,
    ) -> LinkSheetSource:
        """The link source for ``source.google_sheet``; ``environ`` replaces ``os.environ``,
        ``keep_download`` overrides ``source.keep_download``."""
        if source.google_sheet is None:
            raise ConfigError("source.google_sheet is not set")
        env = os.environ if environ is None else environ
        emulator = env.get(EMULATOR_ENV)
        return cls(
            spreadsheet_key(source.google_sheet),
            retry=retry or RetryPolicy(budget=source.retry_budget.total_seconds()),
            timeout=source.timeout.total_seconds(),
            base_url=checked_url(emulator, EMULATOR_ENV) if emulator else None,
            keep_download=keep_download or source.keep_download,
            chosen_for_lack_of_credentials=chosen_for_lack_of_credentials,
        )

    @property
    def url(self) -> str:
        return f"{self.base_url}/spreadsheets/d/{self.spreadsheet_id}/export?format=xlsx"

    # --- reads -------------------------------------------------------------------------

    def read_all_tables(self) -> dict[str, RawTable]:
        """Every tab in the workbook's order, from one download."""
        if self._tables is None:
            self._tables = self._read_workbook(self.download())
        return dict(self._tables)

    def read_tables(
        self, required: Sequence[str], optional: Sequence[str] = ()
    ) -> dict[str, RawTable]:
        """These tabs from the same one download; a missing required tab raises
        :class:`SheetError` listing the tabs there are."""
        return pick_tables(self.read_all_tables(), required, optional)

    def tab_titles(self) -> list[str]:
        return list(self.read_all_tables())

    def download(self) -> bytes:
        """The workbook's bytes: one GET (plus Google's redirects to its download host)."""
        try:
            response = call_with_retries(self.retry, self._fetch)
        except _RetriesExhausted as error:
            raise self._gave_up(error) from None
        except _SignInRequired:
            raise SheetNotSharedError(self._not_shared("Google asked to sign in")) from None
        except requests.HTTPError as error:
            raise self._refused(error.response) from None
        except requests.Timeout:
            raise GoogleUnreachableError(self._timed_out(1)) from None
        except requests.ConnectionError as error:
            raise GoogleUnreachableError(self._unreachable(error)) from None
        except requests.RequestException as error:
            raise GoogleAnswerError(self._cut_off(type(error).__name__)) from None
        data = response.content
        if not zipfile.is_zipfile(BytesIO(data)):
            kind = response.headers.get("Content-Type", "no type").split(";")[0]
            raise GoogleAnswerError(
                f"Google's answer to the download of the sheet {self.spreadsheet_id} is not "
                f"an .xlsx workbook ({kind}, {len(data)} bytes): open {self._public_url()} "
                "in a browser to see what Google says, and run again"
            )
        return data

    def _fetch(self) -> requests.Response:
        url = self.url
        for _ in range(MAX_REDIRECTS + 1):
            response = self.session.get(url, timeout=self.timeout, allow_redirects=False)
            if response.is_redirect:
                url = urljoin(url, response.headers.get("Location", ""))
                if urlsplit(url).hostname in SIGN_IN_HOSTS or "ServiceLogin" in url:
                    raise _SignInRequired(url)
                continue
            response.raise_for_status()
            return response
        raise GoogleAnswerError(
            f"Google redirected the download of the sheet {self.spreadsheet_id} more than "
            f"{MAX_REDIRECTS} times: open {self._public_url()} in a browser, and run again"
        )

    def _read_workbook(self, data: bytes) -> dict[str, RawTable]:
        """The tables of the downloaded workbook, through the local workbook reader."""
        if self.keep_download is not None:
            try:
                self.keep_download.write_bytes(data)
            except OSError as error:
                raise ConfigError(
                    f"cannot keep the download in {self.keep_download}: {error.strerror}"
                ) from None
            return self._tables_from(self.keep_download)
        with tempfile.TemporaryDirectory(prefix="sheetmentor-") as folder:
            path = Path(folder) / f"{self.spreadsheet_id}.xlsx"
            path.write_bytes(data)
            return self._tables_from(path)

    def _tables_from(self, path: Path) -> dict[str, RawTable]:
        try:
            return open_workbook(path).read_all_tables()
        except SheetError as error:
            raise GoogleAnswerError(
                f"the workbook Google sent for the sheet {self.spreadsheet_id} cannot be read "
                f"({error.message}): run again"
            ) from None

    # --- errors ------------------------------------------------------------------------

    def _public_url(self) -> str:
        return f"{EXPORT_ORIGIN}/spreadsheets/d/{self.spreadsheet_id}/edit"

    def _not_shared(self, what: str) -> str:
        why = (
            "no Google credentials are set up, so sheetmentor read the sheet's link, but "
            if self.chosen_for_lack_of_credentials
            else ""
        )
        return (
            f"{why}the Google Sheet {self.spreadsheet_id} is not shared by link ({what}): "
            + SHARE_BY_LINK
        )

    def _refused(self, response: requests.Response | None) -> GoogleSheetsError:
        status = response.status_code if response is not None else 0
        if status in (401, 403):
            return SheetNotSharedError(self._not_shared(f"{status}"))
        if status == 404:
            return GoogleSheetsError(
                f"Google has no spreadsheet with the key {self.spreadsheet_id} (404): check "
                "source.google_sheet (copy the key or the whole URL from the browser's address "
                "bar)"
            )
        return GoogleSheetsError(
            f"Google refused the download of the sheet {self.spreadsheet_id} ({status}): "
            f"open {self._public_url()} in a browser, and run again"
        )

    def _gave_up(self, error: _RetriesExhausted) -> GoogleSheetsError:
        last, tries, spent = error.last, error.tries, error.spent
        if isinstance(last, requests.Timeout):
            return GoogleUnreachableError(self._timed_out(error.attempts))
        if isinstance(last, requests.ConnectionError):
            return GoogleUnreachableError(f"{self._unreachable(last)} ({tries})")
        if not isinstance(last, requests.HTTPError) or last.response is None:
            return GoogleAnswerError(self._cut_off(f"{tries} over {spent}"))
        if last.response.status_code == 429:
            return GoogleUnreachableError(
                f"Google kept refusing the download with 429 (too many requests) for {spent} "
                f"over {tries}{error.asked}. Wait a minute and run again"
            )
        return GoogleUnreachableError(
            f"Google kept failing to send the sheet ({last.response.status_code}) for {spent} "
            f"over {tries}{error.asked}. It is Google's side: run again later, or raise "
            "source.retry_budget to wait longer"
        )

    def _timed_out(self, attempts: int) -> str:
        tries = f" ({attempts} attempts)" if attempts > 1 else ""
        return (
            f"Google did not send the sheet within {self.timeout:g} s{tries}: check the network "
            "connection, or raise source.timeout"
        )

    def _unreachable(self, error: requests.ConnectionError) -> str:
        return unreachable(self.base_url, error, emulated=self.base_url != EXPORT_ORIGIN)

    def _cut_off(self, detail: str) -> str:
        return (
            f"the download of the sheet {self.spreadsheet_id} was cut off ({detail}): check the "
            "network connection and run again"
        )
