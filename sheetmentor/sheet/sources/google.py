"""The club's Google Sheet, read through gspread and google-auth in one request per run.

Why it is built this way:

* **One request in every layout.** Opening a sheet the usual gspread way (``open_by_key``, then
  ``worksheet`` and ``get_all_records`` per tab) costs a metadata call per step and a values call
  per tab, and every call counts against the per-minute quota that a cron job shares with
  everyone using the same service account. ``values:batchGet`` needs the tab names first, and
  Google refuses the whole batch when one names a tab that is not there (a sheet without the
  optional Meetings tab cost a second request). So every read is one ``spreadsheets.get`` with
  ``includeGridData`` and a field mask (:data:`GRID_FIELDS`): every tab, its cells' values and
  their number-format types, in one answer. A missing tab is then found without asking again.
* **Typed cells.** Each cell's ``effectiveValue`` is what ``UNFORMATTED_VALUE`` gives: numbers
  stay numbers (a percent is its fraction), checkboxes are booleans; a number whose format type
  is ``DATE`` or ``DATE_TIME`` is a serial date and becomes a ``date``/``datetime`` (as a workbook
  file gives it), so nothing depends on the sheet's locale. Trailing empty cells and rows are
  left out, as Google leaves them out; empty cells in a row are ``None``.
* **Bounded retries, with tenacity.** gspread has no timeout by default and its
  ``BackOffHTTPClient`` ignores ``Retry-After`` and can retry forever. :class:`SheetsHTTPClient`
  gives every request a timeout and retries (:func:`call_with_retries`, tenacity with our own
  wait and stop) 429 and 5xx — and, for reads, timeouts, dropped connections and cut-off
  answers — with truncated exponential backoff and full jitter, honouring ``Retry-After``, until
  ``source.retry_budget`` is spent. A refused connection or an unknown host is not retried: it
  fails in seconds. Clock, sleep and randomness are injectable (:class:`RetryPolicy`) for tests.
* **Errors a user can act on.** Every failure becomes a
  :class:`~sheetmentor.errors.GoogleSheetsError` (exit 3; subclasses tell a sheet not shared,
  Google unreachable, and an answer that cannot be read apart) or a
  :class:`~sheetmentor.errors.ConfigError` (exit 2) that says what to do — a sheet not shared
  with the service account names the account's address — never a traceback, a token or a key.
* **Link access.** A sheet shared "Anyone with the link" needs no credentials at all: see
  :mod:`sheetmentor.sheet.sources.link`.
* **Emulator.** With ``SHEETMENTOR_SHEETS_EMULATOR=http://127.0.0.1:PORT`` set, requests go to
  that address over plain HTTP without credentials (see :mod:`sheetmentor_testing.emulator`).
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import random
import re
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import google.auth.transport.requests
import gspread
import requests
import tenacity
import urllib3
from google.auth.credentials import AnonymousCredentials, Credentials
from google.auth.exceptions import GoogleAuthError, RefreshError, TransportError
from google.auth.transport.requests import AuthorizedSession
from gspread.exceptions import APIError, NoValidUrlKeyFound
from gspread.http_client import HTTPClient
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NewConnectionError

from sheetmentor.errors import (
    ConfigError,
    GoogleAnswerError,
    GoogleSheetsError,
    GoogleUnreachableError,
    ServiceError,
    SheetError,
    SheetNotSharedError,
)
from sheetmentor.retry_after import retry_after_seconds
from sheetmentor.sheet.sources.tables import CellValue, RawTable

if TYPE_CHECKING:
    from sheetmentor.config import SourceConfig

EMULATOR_ENV = "SHEETMENTOR_SHEETS_EMULATOR"
CREDENTIALS_ENV = "GOOGLE_APPLICATION_CREDENTIALS"
READ_SCOPES = ("https://www.googleapis.com/auth/spreadsheets.readonly",)
SHEETS_ORIGIN = "https://sheets.googleapis.com"
OAUTH_ORIGIN = "https://oauth2.googleapis.com"

_IDEMPOTENT = {"get", "put", "head", "delete", "options"}
_UNPARSABLE_RANGE = "Unable to parse range: "
_T = TypeVar("_T")
_S = TypeVar("_S", bound=requests.Session)

SERIAL_EPOCH = dt.datetime(1899, 12, 30)
"""Day zero of Google's serial dates."""
GRID_FIELDS = (
    "sheets(properties(title,sheetId,index,sheetType),data(startRow,startColumn,"
    "rowData(values(effectiveValue,effectiveFormat/numberFormat/type))))"
)
"""The field mask of the one read: every tab's title, each cell's value and the type of its
number format (to tell a date from a number), nothing else — no text as shown (an error cell's
text comes from its error type), colours, fonts, borders or validation."""
ERROR_TEXTS = {
    "DIVIDE_BY_ZERO": "#DIV/0!",
    "NAME": "#NAME?",
    "VALUE": "#VALUE!",
    "REF": "#REF!",
    "N_A": "#N/A",
    "NUM": "#NUM!",
    "NULL_VALUE": "#NULL!",
    "LOADING": "#LOADING",
}
"""An ``ErrorValue`` type as the cell shows it (and ``UNFORMATTED_VALUE`` gives it)."""


def spreadsheet_key(value: str) -> str:
    """The key from ``source.google_sheet``: a bare key or the URL from the browser."""
    text = value.strip()
    if "/" in text or "key=" in text:
        try:
            return gspread.utils.extract_id_from_url(text)
        except NoValidUrlKeyFound:
            pass
    elif re.fullmatch(r"[A-Za-z0-9_-]+", text):
        return text
    raise ConfigError(
        f'source.google_sheet: "{value}" is neither a spreadsheet key nor a Google Sheets URL '
        "(copy the URL from the browser's address bar: https://docs.google.com/spreadsheets/d/KEY/...)"
    )


# --- retries -------------------------------------------------------------------------------


@dataclass
class RetryPolicy:
    """Truncated exponential backoff with full jitter, within a total time budget.

    The n-th wait is uniform in ``[0, min(cap, base × 2ⁿ)]`` (full jitter spreads the retries of
    many clients hitting the same quota), or exactly what ``Retry-After`` asks. No wait starts
    that would end past ``budget`` seconds after the request's first attempt: each request has
    the whole budget, and a run makes one read request.
    """

    budget: float
    base: float = 0.5
    cap: float = 32.0
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return retry_after
        return self.rng.uniform(0, min(self.cap, self.base * 2**attempt))


class _RetriesExhausted(Exception):
    """Google kept failing until the budget ran out (or asked to wait past it); always turned
    into a :class:`~sheetmentor.errors.GoogleSheetsError` before it reaches a caller."""

    def __init__(
        self, last: BaseException, attempts: int, elapsed: float, retry_after: float | None
    ) -> None:
        super().__init__(str(last))
        self.last = last
        self.attempts = attempts
        self.elapsed = elapsed
        self.retry_after = retry_after

    @property
    def tries(self) -> str:
        return f"{self.attempts} attempt{'s' if self.attempts != 1 else ''}"

    @property
    def spent(self) -> str:
        return f"{self.elapsed:.0f} s"

    @property
    def asked(self) -> str:
        """Why it stopped early, when Google asked to wait past the budget ("" otherwise)."""
        if self.retry_after is None:
            return ""
        return f"; Google asked to wait {self.retry_after:.0f} s, more than the retry budget left"


def _response_of(error: BaseException) -> requests.Response | None:
    response = getattr(error, "response", None)
    return response if isinstance(response, requests.Response) else None


def _retry_after(error: BaseException | None) -> float | None:
    """Seconds from the ``Retry-After`` header of a refused request (seconds or an HTTP date)."""
    response = _response_of(error) if error is not None else None
    value = response.headers.get("Retry-After") if response is not None else None
    return retry_after_seconds(value)


def _status(error: APIError) -> int:
    """The HTTP status (gspread says -1 when the body is not JSON, as a 502 page is not)."""
    return error.response.status_code


def cannot_connect(error: requests.ConnectionError) -> bool:
    """True when no connection was made at all (refused, no such host): retrying cannot help."""
    reason = error.args[0] if error.args else None
    reason = getattr(reason, "reason", reason)
    return isinstance(reason, NewConnectionError)  # NameResolutionError is one too


def retryable(error: BaseException, *, idempotent: bool = True) -> bool:
    """429 always (Google sends it before doing anything); 5xx, timeouts, dropped connections
    and cut-off answers only for requests that can be repeated. A refused connection or an
    unknown host is not retried: it fails in seconds instead of spending the budget."""
    response = _response_of(error)
    if response is not None and isinstance(error, APIError | requests.HTTPError):
        status = response.status_code
        return status == 429 or (idempotent and 500 <= status <= 599)
    if not idempotent:
        return False
    if isinstance(error, requests.Timeout):
        return True
    if isinstance(error, requests.ConnectionError):
        return not cannot_connect(error)
    return isinstance(error, requests.exceptions.ChunkedEncodingError)


def call_with_retries(
    policy: RetryPolicy, send: Callable[[], _T], *, idempotent: bool = True
) -> _T:
    """``send()``, retried with tenacity as :class:`RetryPolicy` says; raises
    :class:`_RetriesExhausted` when the budget is spent, the last error when it is not
    retryable."""
    start = policy.clock()

    def wait(state: tenacity.RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        return policy.delay(state.attempt_number - 1, _retry_after(error))

    def stop(state: tenacity.RetryCallState) -> bool:
        return policy.clock() - start + (state.upcoming_sleep or 0.0) >= policy.budget

    retrying = tenacity.Retrying(
        sleep=policy.sleep,
        wait=wait,
        stop=stop,
        retry=tenacity.retry_if_exception(lambda e: retryable(e, idempotent=idempotent)),
    )
    try:
        return retrying(send)
    except tenacity.RetryError as gave_up:
        last = gave_up.last_attempt.exception()
        assert last is not None
        raise _RetriesExhausted(
            last, gave_up.last_attempt.attempt_number, policy.clock() - start, _retry_after(last)
        ) from last


class SheetsHTTPClient(HTTPClient):
    """gspread's HTTP client with a timeout on every request, bounded retries, and an
    optional base URL (the emulator's) in place of ``https://sheets.googleapis.com``.

    Requests that can be repeated (GET, PUT, …: every request sheetmentor makes reads) are
    retried on 429, 5xx, timeouts and dropped connections; any other only on 429, which Google
    sends before doing anything.
    """

    def __init__(
        self,
        auth: Credentials | None,
        session: requests.Session | None = None,
        *,
        retry: RetryPolicy,
        timeout: float | None,
        base_url: str | None = None,
    ) -> None:
        super().__init__(auth, session)  # type: ignore[arg-type]
        self.retry = retry
        self.base_url = base_url.rstrip("/") if base_url else None
        self.set_timeout(timeout)

    def request(  # type: ignore[override]
        self,
        method: str,
        endpoint: str,
        params: Any = None,
        data: bytes | None = None,
        json: Mapping[str, Any] | None = None,
        files: Any = None,
        headers: Any = None,
    ) -> requests.Response:
        if self.base_url and endpoint.startswith(SHEETS_ORIGIN):
            endpoint = self.base_url + endpoint[len(SHEETS_ORIGIN) :]

        def send() -> requests.Response:
            return HTTPClient.request(self, method, endpoint, params, data, json, files, headers)

        return call_with_retries(self.retry, send, idempotent=method.lower() in _IDEMPOTENT)


class DeadlineAdapter(HTTPAdapter):
    """requests' adapter, with the whole answer due within the read timeout.

    requests' timeout bounds each socket read, so a server that drips a byte at a time never
    times out; here the body is read as it comes and a :class:`requests.ReadTimeout` is raised
    once the timeout has passed since the headers arrived (it is then retried as any timeout).
    """

    def send(  # type: ignore[override]
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        **kw: Any,
    ) -> requests.Response:
        response = super().send(request, stream=True, timeout=timeout, **kw)
        limit = timeout[1] if isinstance(timeout, tuple) else timeout
        if stream or limit is None:
            return response
        deadline = time.monotonic() + float(limit)
        body = bytearray()
        while chunk := self._read_some(response, request):
            body += chunk
            if time.monotonic() > deadline:
                response.close()
                raise requests.ReadTimeout(
                    f"the answer did not arrive whole within {limit:g} s", request=request
                )
        response._content = bytes(body)
        response._content_consumed = True
        response.raw.release_conn()
        return response

    @staticmethod
    def _read_some(response: requests.Response, request: requests.PreparedRequest) -> bytes:
        """What has arrived (at most one socket read), as requests would raise its errors."""
        try:
            return response.raw.read1(65536, decode_content=True)
        except urllib3.exceptions.ReadTimeoutError as error:
            raise requests.ReadTimeout(error, request=request) from None
        except (urllib3.exceptions.ProtocolError, OSError) as error:
            raise requests.exceptions.ChunkedEncodingError(error, request=request) from None


def bounded(session: _S) -> _S:
    """``session`` with :class:`DeadlineAdapter` for http and https."""
    adapter = DeadlineAdapter()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


class _TokenSession(requests.Session):
    """The session for token requests, sending Google's token endpoint to another address.

    google-auth always refreshes a saved OAuth sign-in at ``oauth2.googleapis.com`` whatever
    the file says, so pointing a run at the emulator (``endpoint``) needs this for user
    credentials; a service-account key names its own ``token_uri``.
    """

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if isinstance(url, str) and url.startswith(OAUTH_ORIGIN):
            url = self.base_url + url[len(OAUTH_ORIGIN) :]
        return super().request(method, url, *args, **kwargs)


# --- credentials ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Identity:
    """Who talks to Google, for messages: never a secret, only names and paths."""

    kind: str  # "service_account", "oauth", "emulator"
    email: str | None = None
    path: Path | None = None
    origin: str = "source.credentials"

    def describe(self) -> str:
        if self.kind == "service_account":
            return f"the service account {self.email}"
        if self.kind == "oauth":
            return "the Google account you signed in with"
        return "the Sheets emulator"


def _read_json_file(path: Path, origin: str) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"{origin} names {path}, which does not exist: point it at the service account's "
            "JSON key file"
        ) from None
    except OSError as error:
        raise ServiceError(
            f"cannot read the Google credentials file {path} ({error.strerror or error}): check "
            "that the file is readable by the user that runs sheetmentor, or download the key "
            "again"
        ) from None
    try:
        info = json.loads(data.decode("utf-8"))
    except ValueError:  # not UTF-8 or not JSON
        info = None
    if not isinstance(info, dict):
        raise ServiceError(
            f"{path} is not a Google credentials file (it is not a JSON object): download the "
            "service account's key again (Cloud console > IAM & Admin > Service accounts > Keys > "
            "Add key > JSON)"
        )
    return info


def _service_account(
    path: Path, origin: str, scopes: Sequence[str]
) -> tuple[Credentials, _Identity]:
    from google.oauth2 import service_account

    info = _read_json_file(path, origin)
    if "installed" in info or "web" in info:
        raise ServiceError(
            f"{path} is an OAuth client file (for signing in as a person), not a service-account "
            f"key. Either set source.oauth: true to sign in with your own Google account, or "
            "create a key for a service account (Cloud console > IAM & Admin > Service accounts "
            f"> Keys > Add key > JSON) and point {origin} at that file"
        )
    if info.get("type") == "authorized_user":
        raise ServiceError(
            f"{path} is a person's saved sign-in (authorized_user), not a service-account key: "
            f"set source.oauth: true to use your own Google account, or point {origin} at a "
            "service account's JSON key"
        )
    if info.get("type") != "service_account":
        raise ServiceError(
            f"{path} is not a service-account key (its type is {info.get('type')!r}): create a "
            "JSON key for a service account (Cloud console > IAM & Admin > Service accounts > "
            f"Keys > Add key > JSON) and point {origin} at it"
        )
    missing = [k for k in ("client_email", "private_key", "token_uri") if not info.get(k)]
    if missing:
        raise ServiceError(
            f"{path} is an incomplete service-account key (missing {', '.join(missing)}): "
            "download a new key for the service account"
        )
    try:
        credentials = service_account.Credentials.from_service_account_info(info, scopes=scopes)
    except (ValueError, TypeError):
        raise ServiceError(
            f"the private key in {path} cannot be read (the file is damaged or was edited): "
            f"download a new key for {info['client_email']}"
        ) from None
    return credentials, _Identity("service_account", info["client_email"], path, origin)


def _oauth_user(
    source: SourceConfig, scopes: Sequence[str], authorized_user_file: Path | None
) -> tuple[Credentials, _Identity]:
    """gspread's OAuth user flow: a saved sign-in, else the browser flow once (then saved)."""
    saved = authorized_user_file or gspread.auth.DEFAULT_AUTHORIZED_USER_FILENAME
    try:
        credentials = gspread.auth.load_credentials(saved)
    except (ValueError, OSError):
        raise ServiceError(
            f"the saved Google sign-in {saved} cannot be used: delete it and run again to sign in"
        ) from None
    if credentials is not None:
        return credentials, _Identity("oauth", path=saved)
    client_file = source.credentials or gspread.auth.DEFAULT_CREDENTIALS_FILENAME
    if not client_file.exists():
        raise ConfigError(
            f"source.oauth is true but there is no OAuth client file at {client_file}: create an "
            "OAuth client ID (type: Desktop app) in the Cloud console, download its JSON and set "
            "source.credentials to it"
        )
    client_config = _read_json_file(client_file, "source.credentials")
    if "installed" not in client_config and "web" not in client_config:
        raise ServiceError(
            f"{client_file} is not an OAuth client file: with source.oauth: true, "
            "source.credentials must be the JSON of an OAuth client ID (Desktop app); for a "
            "service-account key, set source.oauth: false"
        )
    if not sys.stdin.isatty():
        raise ServiceError(
            "signing in to Google needs a browser: run sheetmentor once in a terminal to sign in "
            f"(the sign-in is then saved in {saved})"
        )
    try:
        credentials = gspread.auth.local_server_flow(client_config, list(scopes))
    except Exception as error:  # the flow raises oauthlib, OSError and webbrowser errors alike
        raise ServiceError(f"signing in to Google failed ({type(error).__name__})") from None
    gspread.auth.store_credentials(credentials, filename=saved)
    return credentials, _Identity("oauth", path=saved)


# --- the source ----------------------------------------------------------------------------


class _UnknownRange(Exception):
    def __init__(self, range_text: str) -> None:
        super().__init__(range_text)
        self.range_text = range_text


class GoogleSheetSource:
    """The tabs of one Google Sheet as :class:`~sheetmentor.sheet.sources.RawTable`\\ s.

    Build it with :meth:`from_config`; the constructor takes a ready HTTP client so that a Python
    user can bring their own session.
    """

    def __init__(
        self, spreadsheet_id: str, http: SheetsHTTPClient, identity: _Identity | None = None
    ) -> None:
        self.spreadsheet_id = spreadsheet_id
        self.http = http
        self.identity = identity or _Identity("emulator")

    @classmethod
    def from_config(
        cls,
        source: SourceConfig,
        *,
        retry: RetryPolicy | None = None,
        endpoint: str | None = None,
        environ: Mapping[str, str] | None = None,
        authorized_user_file: Path | None = None,
    ) -> GoogleSheetSource:
        """The source ``source`` describes, with the read-only scope.

        ``endpoint`` sends the Sheets API and Google's token endpoint to another address, with
        the configured credentials (tests: the emulator with a real service-account key, or a
        saved OAuth sign-in); ``environ`` replaces
        ``os.environ``; ``authorized_user_file`` replaces gspread's saved OAuth sign-in.
        """
        if source.google_sheet is None:
            raise ConfigError("source.google_sheet is not set")
        key = spreadsheet_key(source.google_sheet)
        env = os.environ if environ is None else environ
        scopes = READ_SCOPES
        emulator = None if endpoint else env.get(EMULATOR_ENV)
        if emulator:
            base_url: str | None = checked_url(emulator, EMULATOR_ENV)
            session = bounded(AuthorizedSession(AnonymousCredentials(), refresh_status_codes=()))
            identity = _Identity("emulator")
        else:
            base_url = checked_url(endpoint, "endpoint") if endpoint else None
            if source.oauth:
                credentials, identity = _oauth_user(source, scopes, authorized_user_file)
            elif source.credentials is not None:
                credentials, identity = _service_account(
                    source.credentials, "source.credentials", scopes
                )
            elif env.get(CREDENTIALS_ENV):
                credentials, identity = _service_account(
                    Path(env[CREDENTIALS_ENV]), CREDENTIALS_ENV, scopes
                )
            else:
                raise ConfigError(
                    "no Google credentials: set source.credentials to a service account's JSON "
                    f"key file, or the environment variable {CREDENTIALS_ENV}, or set "
                    "source.oauth: true to sign in with your own Google account; or share the "
                    "sheet by link and set source.access: link (no credentials needed)"
                )
            token_requests = (
                google.auth.transport.requests.Request(_TokenSession(base_url))
                if base_url
                else None
            )
            session = bounded(AuthorizedSession(credentials, auth_request=token_requests))
        policy = retry or RetryPolicy(budget=source.retry_budget.total_seconds())
        http = SheetsHTTPClient(
            None,
            session,
            retry=policy,
            timeout=source.timeout.total_seconds(),
            base_url=base_url,
        )
        return cls(key, http, identity)

    # --- reads -------------------------------------------------------------------------

    def read_all_tables(self) -> dict[str, RawTable]:
        """Every grid tab in the sheet's order, typed, from one ``spreadsheets.get``."""
        response = self._call(
            "read",
            lambda: self.http.spreadsheets_get(
                self.spreadsheet_id,
                params={"includeGridData": "true", "fields": GRID_FIELDS, "prettyPrint": "false"},
            ),
        )
        try:
            return tables_from_grid_data(response)
        except (AttributeError, KeyError, TypeError, ValueError) as error:
            raise GoogleAnswerError(
                f"Google Sheets answered with something sheetmentor cannot read for "
                f"{self._where()} ({type(error).__name__} in the spreadsheet's data): run "
                "again; if it keeps happening, download the sheet (File > Download > .xlsx) and "
                "set source.path to the file"
            ) from None

    def read_tables(
        self, required: Sequence[str], optional: Sequence[str] = ()
    ) -> dict[str, RawTable]:
        """These tabs, from the same one request as :meth:`read_all_tables`; a missing
        required tab raises :class:`SheetError` listing the tabs there are."""
        tables = self.read_all_tables()
        return pick_tables(tables, required, optional)

    def tab_titles(self) -> list[str]:
        """The titles of the sheet's grid tabs, in order (one metadata request, no cells)."""
        metadata = self._call(
            "list the tabs of",
            lambda: self.http.spreadsheets_get(
                self.spreadsheet_id, params={"fields": "sheets.properties(title,sheetType)"}
            ),
        )
        try:
            return [
                sheet["properties"]["title"]
                for sheet in metadata.get("sheets", [])
                if sheet.get("properties", {}).get("sheetType", "GRID") == "GRID"
            ]
        except (AttributeError, KeyError, TypeError):
            raise GoogleAnswerError(
                f"Google Sheets listed the tabs of {self._where()} in a shape sheetmentor does "
                "not know: run again"
            ) from None

    # --- errors ------------------------------------------------------------------------

    def _call(self, action: str, send: Callable[[], Any], ranges: Sequence[str] = ()) -> Any:
        """Run one API call; turn what can go wrong into an error that says what to do."""
        try:
            return send()
        except _RetriesExhausted as error:
            raise self._gave_up(error) from None
        except APIError as error:
            message = str(error.error.get("message", ""))
            if _status(error) == 400 and message.startswith(_UNPARSABLE_RANGE):
                unparsed = message[len(_UNPARSABLE_RANGE) :]
                if unparsed in ranges:
                    raise _UnknownRange(unparsed) from None
            raise self._refused(action, error) from None
        except RefreshError as error:
            raise GoogleSheetsError(self._token_refused(error)) from None
        except TransportError as error:
            raise GoogleUnreachableError(
                f"cannot reach Google's sign-in service: {network_reason(error)}; check the "
                "network connection"
            ) from None
        except GoogleAuthError as error:
            raise GoogleSheetsError(
                f"Google sign-in failed for {self.identity.describe()} "
                f"({type(error).__name__}): check the credentials file"
            ) from None
        except requests.JSONDecodeError:
            raise GoogleAnswerError(
                f"Google Sheets answered a request to {action} {self._where()} with something "
                "that is not JSON (a proxy or captive portal in the way?): check the network "
                "connection and run again"
            ) from None
        except requests.Timeout:
            raise GoogleUnreachableError(self._timed_out(1)) from None
        except requests.ConnectionError as error:
            raise GoogleUnreachableError(self._unreachable(error)) from None
        except requests.RequestException as error:  # a cut-off answer to a write
            raise GoogleAnswerError(
                f"Google Sheets' answer to a request to {action} {self._where()} was cut off "
                f"({type(error).__name__}): check the sheet, then run again"
            ) from None

    def _where(self) -> str:
        return f"spreadsheet {self.spreadsheet_id}"

    def _refused(self, action: str, error: APIError) -> GoogleSheetsError:
        status = _status(error)
        message = self._refusal(action, error)
        if status == 403 and "Cloud project" not in message and "scope" not in message:
            return SheetNotSharedError(message)
        return GoogleSheetsError(message)

    def _refusal(self, action: str, error: APIError) -> str:
        status = _status(error)
        detail = str(error.error.get("message", "")).strip()
        name = str(error.error.get("status", ""))
        who = self.identity
        if status == 403 and "insufficient authentication scopes" in detail:
            return (
                f"Google refused to let sheetmentor {action} {self._where()}: the sign-in does "
                "not include that permission (it reads with the read-only scope)"
                + (
                    f"; delete {who.path} and sign in again"
                    if who.kind == "oauth" and who.path
                    else ""
                )
            )
        if status == 403 and ("has not been used" in detail or "is disabled" in detail):
            return (
                "the Google Sheets API is not enabled for the Cloud project of "
                f"{who.describe()}: enable it (Cloud console > APIs & Services > Library > "
                "Google Sheets API > Enable), wait a minute, and run again"
            )
        if status == 403:
            if who.kind == "service_account":
                return (
                    f"Google Sheets refused {who.email} access to {self._where()} (403: "
                    f"{detail or 'permission denied'}): share the sheet with {who.email} "
                    "(Viewer is enough; Editor if sheetmentor writes to it) with the sheet's "
                    "Share button"
                )
            if who.kind == "oauth":
                return (
                    f"Google Sheets refused the Google account you signed in with access to "
                    f"{self._where()} (403): ask the sheet's owner to share it with that "
                    f"account, or sign in as another account (delete {who.path})"
                )
            return f"the Sheets emulator refused access to {self._where()} (403: {detail})"
        if status == 404:
            return (
                f"Google Sheets has no spreadsheet with the key {self.spreadsheet_id} (404): "
                "check source.google_sheet (copy the key or the whole URL from the browser's "
                "address bar)"
            )
        if status == 401:
            return (
                f"Google Sheets refused the credentials of {who.describe()} (401 "
                f"{name or 'UNAUTHENTICATED'}): {self._renew_advice()}"
            )
        code = f"{status} {name}".strip()
        return f"Google Sheets refused to {action} {self._where()} ({code}: {detail})"

    def _renew_advice(self) -> str:
        who = self.identity
        if who.kind == "service_account":
            return (
                f"the key {who.path} may have been deleted or disabled; create a new key for "
                f"{who.email} (Cloud console > IAM & Admin > Service accounts > Keys) and point "
                f"{who.origin} at it, and check this computer's clock"
            )
        if who.kind == "oauth":
            return f"the saved sign-in was revoked or expired; delete {who.path} and sign in again"
        return "the emulator does not accept this token"

    def _token_refused(self, error: RefreshError) -> str:
        reason = str(error.args[0]) if error.args else type(error).__name__
        return (
            f"Google refused to sign in {self.identity.describe()} ({reason}): "
            f"{self._renew_advice()}"
        )

    def _gave_up(self, error: _RetriesExhausted) -> GoogleSheetsError:
        last, tries, spent = error.last, error.tries, error.spent
        if isinstance(last, requests.Timeout):
            return GoogleUnreachableError(self._timed_out(error.attempts))
        if isinstance(last, requests.ConnectionError):
            return GoogleUnreachableError(self._unreachable(last) + f" ({tries})")
        if not isinstance(last, APIError):
            return GoogleAnswerError(
                f"Google Sheets' answers were cut off for {spent} over {tries}: check the "
                "network connection and run again"
            )
        status = _status(last)
        if status == 429:
            return GoogleUnreachableError(
                f"Google Sheets kept refusing with 429 (too many requests: the quota of "
                f"{self.identity.describe()} is used up) for {spent} over {tries}{error.asked}. "
                "Wait a minute and run again; if it keeps happening, raise source.retry_budget "
                "or check what else uses the same account"
            )
        detail = last.error.get("message") if last.error.get("code") != -1 else "no details"
        return GoogleUnreachableError(
            f"Google Sheets kept failing ({status}: {detail}) for {spent} over {tries}"
            f"{error.asked}. It is Google's side: run again later, or raise source.retry_budget "
            "to wait longer"
        )

    def _timed_out(self, attempts: int) -> str:
        timeout = self.http.timeout
        tries = f" ({attempts} attempts)" if attempts > 1 else ""
        return (
            f"Google Sheets did not answer within {timeout:g} s{tries}: check the network "
            "connection, or raise source.timeout"
        )

    def _unreachable(self, error: requests.ConnectionError) -> str:
        emulated = self.identity.kind == "emulator"
        return unreachable(self.http.base_url or SHEETS_ORIGIN, error, emulated=emulated)


def unreachable(address: str, error: requests.ConnectionError, *, emulated: bool) -> str:
    """``cannot connect to HOST: Connection refused``, and where to look."""
    hint = (
        f" (is the emulator running? {EMULATOR_ENV} is set)"
        if emulated
        else "; check the network connection"
    )
    return f"cannot connect to {urlsplit(address).netloc}: {network_reason(error)}{hint}"


def network_reason(error: Exception) -> str:
    """The human part of a network error (``Connection refused``), without URLs."""
    text = str(error)
    for pattern in (
        r"\[Errno -?\d+\] ([^'\")\]]+)",
        r"(Connection refused|Connection reset[^'\")]*)",
    ):
        match = re.search(pattern, text)
        if match:
            return match.group(1).strip()
    if "RemoteDisconnected" in text or "Connection aborted" in text:
        return "the connection was closed without an answer"
    return type(error).__name__


def pick_tables(
    tables: Mapping[str, RawTable], required: Sequence[str], optional: Sequence[str] = ()
) -> dict[str, RawTable]:
    """The required tabs and the optional ones there are, from a whole workbook's tables."""
    missing = [title for title in dict.fromkeys(required) if title not in tables]
    if missing:
        raise missing_tabs_error(missing, list(tables))
    wanted = [*required, *(title for title in optional if title in tables)]
    return {title: tables[title] for title in dict.fromkeys(wanted)}


def missing_tabs_error(missing: Sequence[str], titles: Sequence[str]) -> SheetError:
    """A missing tab, with the tabs there are and the one it may be (a typo, a case)."""
    listed = ", ".join(f'"{t}"' for t in titles) or "none"
    hints = []
    for tab in missing:
        close = difflib.get_close_matches(tab, titles, n=1, cutoff=0.6) or [
            t for t in titles if t.casefold().strip() == tab.casefold().strip()
        ]
        if close:
            hints.append(f'"{tab}" may be "{close[0]}"')
    hint = f" ({'; '.join(hints)})" if hints else ""
    names = ", ".join(f'"{t}"' for t in missing)
    return SheetError(
        f"the Google Sheet has no tab {names}{hint}; its tabs are: {listed}. Rename the tab "
        "in the sheet, or set source.tabs in the config to the tab's name"
    )


def tables_from_grid_data(response: Mapping[str, Any]) -> dict[str, RawTable]:
    """Raw tables from a ``spreadsheets.get`` answer with grid data (:data:`GRID_FIELDS`).

    Typed as the values endpoint types them with ``UNFORMATTED_VALUE``: numbers stay numbers
    (a percent is its fraction), checkboxes are booleans, an error cell is its text
    (``#DIV/0!``, from its error type); a number whose format is a date or a date-time becomes
    a ``date`` or a ``datetime``, as a workbook file gives it. Empty cells are None; trailing
    empty cells and rows are left out, as Google leaves them out.
    """
    tables: dict[str, RawTable] = {}
    for sheet in response.get("sheets", []):
        properties = sheet["properties"]
        if properties.get("sheetType", "GRID") != "GRID":
            continue
        rows: list[list[CellValue]] = []
        for grid in sheet.get("data", []):
            top, left = int(grid.get("startRow", 0)), int(grid.get("startColumn", 0))
            for offset, row_data in enumerate(grid.get("rowData", [])):
                values = [_grid_value(cell) for cell in row_data.get("values", [])]
                while len(rows) <= top + offset:
                    rows.append([])
                row = rows[top + offset]
                row.extend([None] * (left + len(values) - len(row)))
                row[left : left + len(values)] = values
        for row in rows:
            while row and row[-1] is None:
                row.pop()
        while rows and not rows[-1]:
            rows.pop()
        title = str(properties["title"])
        tables[title] = RawTable(title, rows)
    return tables


def _grid_value(cell: Mapping[str, Any]) -> CellValue:
    """One ``CellData`` as a typed value (see :func:`tables_from_grid_data`)."""
    value = cell.get("effectiveValue")
    if not value:
        return None
    if "errorValue" in value:
        return ERROR_TEXTS.get(str(value["errorValue"].get("type")), "#ERROR!")
    if "boolValue" in value:
        return _typed(value["boolValue"], bool)
    if "stringValue" in value:
        return _typed(value["stringValue"], str) or None
    number = value["numberValue"]
    if isinstance(number, bool) or not isinstance(number, int | float):
        raise TypeError("numberValue")
    kind = ((cell.get("effectiveFormat") or {}).get("numberFormat") or {}).get("type")
    if kind in ("DATE", "DATE_TIME"):
        moment = SERIAL_EPOCH + dt.timedelta(seconds=round(number * 86400))
        return moment.date() if kind == "DATE" else moment
    return number


def _typed(value: Any, kind: type) -> Any:
    if not isinstance(value, kind):
        raise TypeError(kind.__name__)
    return value


def checked_url(value: str, name: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f'{name}="{value}" is not an address like http://127.0.0.1:8089')
    return value


def has_credentials(source: SourceConfig, environ: Mapping[str, str]) -> bool:
    """Whether the API path has credentials to use (a key file, or an OAuth sign-in)."""
    return source.oauth or source.credentials is not None or bool(environ.get(CREDENTIALS_ENV))
