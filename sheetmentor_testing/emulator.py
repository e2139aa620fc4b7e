"""A Google Sheets API v4 emulator on loopback, for tests, benchmarks and trying sheetmentor out.

It is a real HTTP server, so the code under test is the real stack — gspread, google-auth,
requests, urllib3 — and only Google is replaced. It answers the values endpoints,
``spreadsheets.get`` (with grid data too) and the export link of a sheet shared by link
(``/spreadsheets/d/KEY/export?format=xlsx``: an .xlsx built from the sheet, or Google's
sign-in redirect when ``link_shared`` is off) the way Google does (recorded in
``tests/test_emulator.py``), issues OAuth tokens from its ``/token`` endpoint after checking a
service account's JWT signature, and can be told to fail (``inject``) so retries and error
messages can be tested::

    with SheetsEmulator() as emu:
        emu.add_spreadsheet("club", {"Goals": [["Member", "Goal"], ["Ada", "Talk"]]})
        emu.inject(status=429, retry_after=1, times=2)
        os.environ["SHEETMENTOR_SHEETS_EMULATOR"] = emu.url

From a shell: ``python -m sheetmentor_testing.emulator --workbook club.xlsx --port 8089``.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import re
import secrets
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from sheetmentor_testing.cells import DATETIME_RENDER_OPTIONS, VALUE_RENDER_OPTIONS
from sheetmentor_testing.model import (
    ApiError,
    Spreadsheet,
    build_spreadsheet,
    export_xlsx,
    load_xlsx,
)

GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
READ_SCOPES = {
    "https://www.googleapis.com/auth/spreadsheets.readonly",
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/drive.readonly",
    "https://www.googleapis.com/auth/drive",
}
WRITE_SCOPES = {
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/drive",
}

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "NOT_IMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
DEFAULT_MESSAGES = {
    400: "Request contains an invalid argument.",
    401: "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
    "cookie or other valid authentication credential. See "
    "https://developers.google.com/identity/sign-in/web/devconsole-project.",
    403: "The caller does not have permission",
    404: "Requested entity was not found.",
    429: "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per "
    "user' of service 'sheets.googleapis.com' for consumer 'project_number:000000000000'.",
    500: "Internal error encountered.",
    503: "The service is currently unavailable.",
    504: "The request timed out. Please try again.",
}
MISSING_CREDENTIAL = (
    "Request is missing required authentication credential. Expected OAuth 2 access token, "
    "login cookie or other valid authentication credential. See "
    "https://developers.google.com/identity/sign-in/web/devconsole-project."
)
# What Google's front end sends for a 502: an HTML page, not JSON.
HTML_502 = (
    "<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n  <title>Error 502 (Server Error)!!1"
    "</title>\n  <p><b>502.</b> <ins>That’s an error.</ins>\n  <p>The server encountered a "
    "temporary error and could not complete your request.<p>Please try again in 30 seconds.  "
    "<ins>That’s all we know.</ins>\n"
)


@dataclass(frozen=True)
class RecordedRequest:
    """One request the emulator received (the token endpoint's too)."""

    method: str
    path: str
    query: dict[str, list[str]]
    api: str
    """``values.batchGet``, ``values.get``, ``spreadsheets.get``, ``oauth2.token``, …"""
    status: int
    principal: str | None
    """The e-mail address the request's token belongs to (None: anonymous)."""
    size: int = 0
    """Bytes of the answer's body."""


@dataclass
class Fault:
    """An injected failure, used ``times`` times (None: until cleared) on matching requests."""

    status: int | None = None
    retry_after: float | None = None
    times: int | None = 1
    delay: float = 0.0
    api: str | None = None
    message: str | None = None
    drop: bool = False
    body: bytes | None = None
    truncate: bool = False
    drip: float = 0.0
    hits: int = 0

    def matches(self, api: str) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        return api_matches(api, self.api)


def api_matches(api: str, pattern: str | None) -> bool:
    """``values`` matches every ``values.*`` call; None matches all but the token endpoint."""
    if pattern is None:
        return api != "oauth2.token"
    return api == pattern or api.startswith(pattern + ".")


@dataclass
class _Token:
    email: str
    scopes: frozenset[str]
    expires: float


@dataclass
class _State:
    spreadsheets: dict[str, Spreadsheet] = field(default_factory=dict)
    service_accounts: dict[str, str] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, _Token] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    requests: list[RecordedRequest] = field(default_factory=list)


class SheetsEmulator:
    """The Sheets API v4 on ``127.0.0.1``; ``port=0`` picks a free port.

    ``require_auth=True`` refuses requests without a token (401) as Google does; by default a
    request without a token is let in, which is how ``SHEETMENTOR_SHEETS_EMULATOR`` clients talk.
    A request *with* a token is always checked, and a spreadsheet with ``shared_with`` lets in
    only those addresses (403 otherwise, anonymous included).
    """

    def __init__(self, port: int = 0, *, require_auth: bool = False, verbose: bool = False):
        self.require_auth = require_auth
        self.verbose = verbose
        self._lock = threading.RLock()
        self._state = _State()
        self._stopping = threading.Event()
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.emulator = self
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def token_uri(self) -> str:
        return self.url + "/token"

    def start(self) -> SheetsEmulator:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="sheets-emulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving now: a connection wakes the server loop instead of waiting for its
        next poll."""
        self._stopping.set()
        stopper = threading.Thread(target=self._server.shutdown)
        stopper.start()
        while stopper.is_alive():
            with contextlib.suppress(OSError):
                socket.create_connection(self._server.server_address[:2], timeout=1).close()
            stopper.join(0.05)
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> SheetsEmulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- content --------------------------------------------------------------------------

    def add_spreadsheet(
        self,
        spreadsheet_id: str,
        tabs: Mapping[str, Sequence[Sequence[Any]]] | None = None,
        *,
        title: str = "Club",
        locale: str = "en_US",
        time_zone: str = "Etc/GMT",
        shared_with: Iterable[str] | None = None,
        link_shared: bool = True,
    ) -> Spreadsheet:
        """Hold a spreadsheet built from Python values: ``str`` is text, ``bool`` a checkbox,
        numbers numbers, ``date``/``datetime`` dates in the locale's short format, and
        :class:`~sheetmentor_testing.cells.Cell` anything else (percents, formulas).

        ``link_shared=False`` makes the export link answer with the sign-in redirect, as for
        a sheet not shared "Anyone with the link" (switch it later with
        ``spreadsheet(key).link_shared``)."""
        book = build_spreadsheet(
            spreadsheet_id,
            tabs or {"Sheet1": []},
            title=title,
            locale=locale,
            time_zone=time_zone,
            shared_with=shared_with,
        )
        book.link_shared = link_shared
        with self._lock:
            self._state.spreadsheets[spreadsheet_id] = book
        return book

    def load_workbook(
        self,
        path: str | Path,
        spreadsheet_id: str | None = None,
        *,
        locale: str = "en_US",
        shared_with: Iterable[str] | None = None,
    ) -> str:
        """Hold an .xlsx as Google would after an upload; returns the spreadsheet id."""
        key = spreadsheet_id or _id_from_name(Path(path).stem)
        book = load_xlsx(path, key, locale=locale, shared_with=shared_with)
        with self._lock:
            self._state.spreadsheets[key] = book
        return key

    def spreadsheet(self, spreadsheet_id: str) -> Spreadsheet:
        with self._lock:
            return self._state.spreadsheets[spreadsheet_id]

    # --- identities -----------------------------------------------------------------------

    def add_service_account(self, email: str, public_key_pem: str) -> None:
        """Accept JWTs from ``email`` signed by the private half of this key."""
        with self._lock:
            self._state.service_accounts[email] = public_key_pem

    def revoke_service_account(self, email: str) -> None:
        """As deleting the key in the Cloud console: its next token request is refused."""
        with self._lock:
            self._state.service_accounts.pop(email, None)
            self._state.tokens = {k: t for k, t in self._state.tokens.items() if t.email != email}

    def add_user(self, refresh_token: str, email: str) -> None:
        """An OAuth user (``authorized_user.json``) whose refresh token the endpoint accepts."""
        with self._lock:
            self._state.users[refresh_token] = email

    def expire_tokens(self) -> None:
        """Every access token issued so far now gets a 401."""
        with self._lock:
            self._state.tokens.clear()

    # --- faults and the request log -------------------------------------------------------

    def inject(
        self,
        status: int | None = None,
        *,
        retry_after: float | None = None,
        times: int | None = 1,
        delay: float = 0.0,
        api: str | None = None,
        message: str | None = None,
        drop: bool = False,
        body: bytes | str | None = None,
        truncate: bool = False,
        drip: float = 0.0,
    ) -> Fault:
        """Fail the next ``times`` matching requests (``api`` like ``values``,
        ``values.batchGet`` or ``export``; default: every request but the token endpoint's).

        ``status`` answers with Google's error body for that code (502 and the export link:
        its HTML page), ``retry_after`` adds the header, ``delay`` waits before answering
        (alone: latency), ``drop`` closes the connection without an answer. The others spoil
        the real answer: ``body`` replaces it (status 200 unless ``status`` is given; HTML when
        it starts with ``<``),
        ``truncate`` sends half of it and closes the connection, ``drip`` sends it a byte at a
        time with that many seconds between bytes.
        """
        data = body.encode("utf-8") if isinstance(body, str) else body
        fault = Fault(status, retry_after, times, delay, api, message, drop, data, truncate, drip)
        with self._lock:
            self._state.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self._state.faults.clear()

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._state.requests)

    def count(self, api: str | None = None) -> int:
        """Requests received, all or for one ``api`` (prefix: ``values`` counts every values
        call); the token endpoint counts only when asked for by name."""
        return sum(1 for r in self.requests if api_matches(r.api, api))

    def reset_log(self) -> None:
        with self._lock:
            self._state.requests.clear()

    # --- dispatch (called from handler threads) -------------------------------------------

    def _record(self, entry: RecordedRequest) -> None:
        with self._lock:
            self._state.requests.append(entry)
        if self.verbose:
            print(f"{entry.status} {entry.method} {entry.path} ({entry.api})", file=sys.stderr)

    def _take_fault(self, api: str) -> Fault | None:
        with self._lock:
            for fault in self._state.faults:
                if fault.matches(api):
                    fault.hits += 1
                    return fault
        return None

    def _principal(self, authorization: str | None) -> _Token | None:
        """The token's owner; ApiError 401 for a token the emulator did not issue."""
        if not authorization:
            if self.require_auth:
                raise ApiError(401, MISSING_CREDENTIAL, "UNAUTHENTICATED")
            return None
        scheme, _, token = authorization.partition(" ")
        with self._lock:
            found = self._state.tokens.get(token) if scheme.lower() == "bearer" else None
        if found is None or found.expires < time.time():
            raise ApiError(401, DEFAULT_MESSAGES[401], "UNAUTHENTICATED")
        return found

    def _book(self, spreadsheet_id: str, who: _Token | None, write: bool) -> Spreadsheet:
        with self._lock:
            book = self._state.spreadsheets.get(spreadsheet_id)
        if book is None:
            raise ApiError(404, DEFAULT_MESSAGES[404], "NOT_FOUND")
        if who is not None and not who.scopes & (WRITE_SCOPES if write else READ_SCOPES):
            raise ApiError(
                403, "Request had insufficient authentication scopes.", "PERMISSION_DENIED"
            )
        if book.shared_with is not None and (who is None or who.email not in book.shared_with):
            raise ApiError(403, DEFAULT_MESSAGES[403], "PERMISSION_DENIED")
        return book

    def _issue_token(self, email: str, scopes: Iterable[str]) -> dict[str, Any]:
        token = "ya29.emulated-" + secrets.token_urlsafe(24)
        with self._lock:
            self._state.tokens[token] = _Token(email, frozenset(scopes), time.time() + 3599)
        return {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}

    def _token_grant(self, form: dict[str, list[str]]) -> dict[str, Any]:
        """The OAuth token endpoint: JWT-bearer (service accounts) and refresh-token grants."""
        grant = (form.get("grant_type") or [""])[0]
        if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            claims = self._verify_assertion((form.get("assertion") or [""])[0])
            scopes = str(claims.get("scope", "")).split()
            if not scopes:
                raise _OAuthError(
                    "invalid_scope", "Invalid OAuth scope or ID token audience provided."
                )
            return self._issue_token(str(claims["iss"]), scopes)
        if grant == "refresh_token":
            with self._lock:
                email = self._state.users.get((form.get("refresh_token") or [""])[0])
            if email is None:
                raise _OAuthError("invalid_grant", "Token has been expired or revoked.")
            scopes = (form.get("scope") or ["https://www.googleapis.com/auth/spreadsheets"])[0]
            return {**self._issue_token(email, scopes.split()), "scope": scopes}
        raise _OAuthError("unsupported_grant_type", f"Invalid grant_type: {grant}")

    def _verify_assertion(self, assertion: str) -> dict[str, Any]:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import padding

        try:
            head_b64, body_b64, sig_b64 = assertion.split(".")
            header = json.loads(_b64decode(head_b64))
            claims = json.loads(_b64decode(body_b64))
            signature = _b64decode(sig_b64)
        except ValueError:
            raise _OAuthError("invalid_grant", "Invalid JWT: could not be parsed.") from None
        if header.get("alg") != "RS256":
            raise _OAuthError("invalid_grant", "Invalid JWT Signature.")
        with self._lock:
            pem = self._state.service_accounts.get(str(claims.get("iss")))
        if pem is None:
            raise _OAuthError("invalid_grant", "Invalid grant: account not found")
        public_key = serialization.load_pem_public_key(pem.encode())
        try:
            public_key.verify(  # type: ignore[union-attr, call-arg]
                signature,
                f"{head_b64}.{body_b64}".encode(),
                padding.PKCS1v15(),  # type: ignore[arg-type]
                hashes.SHA256(),  # type: ignore[arg-type]
            )
        except InvalidSignature:
            raise _OAuthError("invalid_grant", "Invalid JWT Signature.") from None
        now = time.time()
        iat, exp = claims.get("iat", 0), claims.get("exp", 0)
        if not (iat - 300 <= now <= exp + 300 and exp - iat <= 3600):
            raise _OAuthError(
                "invalid_grant",
                "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable "
                "timeframe. Check your iat and exp values in the JWT claim.",
            )
        if claims.get("aud") not in (GOOGLE_TOKEN_URI, self.token_uri):
            raise _OAuthError("invalid_grant", "Invalid JWT: Failed audience check.")
        return claims


class _OAuthError(Exception):
    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.body = {"error": error, "error_description": description}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    emulator: SheetsEmulator


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _id_from_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", name) or "spreadsheet"


_SPREADSHEET_PATH = re.compile(r"/v4/spreadsheets/(?P<id>[^/:]+)(?P<rest>.*)")
_EXPORT_PATH = re.compile(r"/spreadsheets/d/(?P<id>[^/]+)/export")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in one segment: a split answer on a kept-alive connection meets
    # Nagle's algorithm and delayed ACKs, and every request would take 40 ms on loopback.
    wbufsize = -1
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the emulator's log is :attr:`SheetsEmulator.requests` (and ``-v``)."""

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def _dispatch(self, method: str) -> None:
        emulator = self.server.emulator
        split = urlsplit(self.path)
        query = parse_qs(split.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        api, route = _route(method, split.path)
        principal: str | None = None
        fault = emulator._take_fault(api)
        if fault is not None and fault.delay:
            emulator._stopping.wait(fault.delay)
        if fault is not None and fault.drop:
            emulator._record(RecordedRequest(method, unquote(split.path), query, api, 0, None))
            self.close_connection = True
            return
        if fault is not None and fault.status is not None and fault.body is None:
            answer = _fault_answer(fault, api)
        elif api == "export":
            answer = _export(emulator, split.path, query)
        else:
            answer, principal = self._api_answer(method, api, route, query, raw_body)
        if fault is not None and fault.body is not None:
            html = fault.body.lstrip()[:1] == b"<"
            kind = "text/html; charset=utf-8" if html else answer.content_type
            answer = _Answer(fault.status or 200, fault.body, kind, answer.headers)
        path, size = unquote(split.path), len(answer.data)
        emulator._record(RecordedRequest(method, path, query, api, answer.status, principal, size))
        self._send(answer.status, answer.data, answer.content_type, answer.headers, fault)

    def _api_answer(
        self, method: str, api: str, route: Route | None, query: Any, raw_body: bytes
    ) -> tuple[_Answer, str | None]:
        emulator = self.server.emulator
        principal = None
        try:
            if api == "oauth2.token":
                form = parse_qs(raw_body.decode("utf-8"))
                try:
                    status, body = 200, emulator._token_grant(form)
                except _OAuthError as error:
                    status, body = 400, error.body
            else:
                who = emulator._principal(self.headers.get("Authorization"))
                principal = who.email if who else None
                payload = json.loads(raw_body) if raw_body else {}
                assert route is not None
                status, body = 200, route(emulator, who, query, payload)
        except ApiError as error:
            status, body = error.code, _error_body(error.code, error.message, error.status)
        except json.JSONDecodeError:
            status, body = 400, _error_body(400, "Invalid JSON payload received.")
        pretty = (query.get("prettyPrint") or ["true"])[-1] != "false"
        return _json_answer(status, body, pretty=pretty), principal

    def _send(
        self,
        status: int,
        data: bytes,
        content_type: str,
        headers: Mapping[str, str] | None,
        fault: Fault | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if fault is not None and fault.truncate:
            self.wfile.write(data[: len(data) // 2])
            self.close_connection = True
        elif fault is not None and fault.drip:
            self.wfile.flush()
            for index in range(len(data)):
                if self.server.emulator._stopping.wait(fault.drip):
                    break
                self.wfile.write(data[index : index + 1])
                self.wfile.flush()
            self.close_connection = True
        else:
            self.wfile.write(data)


@dataclass(frozen=True)
class _Answer:
    status: int
    data: bytes
    content_type: str
    headers: Mapping[str, str] = field(default_factory=dict)


def _json_answer(
    status: int, body: Any, headers: Mapping[str, str] | None = None, *, pretty: bool = True
) -> _Answer:
    """JSON as Google sends it: indented, unless the request said ``prettyPrint=false``."""
    if pretty:
        text = json.dumps(body, indent=2, ensure_ascii=False) + "\n"
    else:
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return _Answer(status, text.encode("utf-8"), "application/json; charset=UTF-8", headers or {})


def _html_answer(status: int, html: str, headers: Mapping[str, str] | None = None) -> _Answer:
    return _Answer(status, html.encode("utf-8"), "text/html; charset=utf-8", headers or {})


def _fault_answer(fault: Fault, api: str) -> _Answer:
    status = fault.status or 500
    headers = {}
    if fault.retry_after is not None:
        headers["Retry-After"] = f"{fault.retry_after:g}"
    if (status == 502 or api == "export") and fault.message is None:
        return _html_answer(status, HTML_502 if status == 502 else _error_page(status), headers)
    message = fault.message or DEFAULT_MESSAGES.get(status, "Unknown error.")
    return _json_answer(status, _error_body(status, message), headers)


def _error_page(status: int) -> str:
    """Google's HTML error page (the export link answers errors with a page, not JSON)."""
    return (
        f"<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n  <title>Error {status}"
        f"</title>\n  <p><b>{status}.</b> <ins>That’s an error.</ins>\n  <p>Sorry, unable to "
        "open the file at this time.  <ins>That’s all we know.</ins>\n"
    )


SIGN_IN_URL = "https://accounts.google.com/ServiceLogin"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _export(emu: SheetsEmulator, path: str, query: Mapping[str, list[str]]) -> _Answer:
    """The export link (``/spreadsheets/d/KEY/export?format=xlsx``) as Google answers it
    without a sign-in: the workbook when the sheet is shared by link, else a redirect to the
    sign-in page; a page saying "unable to open the file" for an unknown key.

    Google answers a link-shared sheet with a redirect to a download host first; the emulator
    sends the file directly (one request).
    """
    match = _EXPORT_PATH.fullmatch(path)
    assert match is not None
    key = unquote(match.group("id"))
    with emu._lock:
        book = emu._state.spreadsheets.get(key)
        if book is None:
            return _html_answer(404, _error_page(404))
        if not book.link_shared:
            here = f"https://docs.google.com{path}?{urlencode(query, doseq=True)}"
            location = f"{SIGN_IN_URL}?" + urlencode(
                {"service": "wise", "passive": "1209600", "continue": here, "followup": here}
            )
            return _html_answer(302, f'<A HREF="{location}">here</A>.', {"Location": location})
        fmt = (query.get("format") or [""])[-1]
        if fmt != "xlsx":
            return _html_answer(400, _error_page(400))
        data = export_xlsx(book)
        filename = quote(f"{book.title}.xlsx")
        disposition = f"attachment; filename=\"{filename}\"; filename*=UTF-8''{filename}"
    return _Answer(200, data, XLSX_TYPE, {"Content-Disposition": disposition})


def _error_body(code: int, message: str, status: str | None = None) -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "message": message,
            "status": status or STATUS_NAMES.get(code, "UNKNOWN"),
        }
    }


# --- routes ------------------------------------------------------------------------------

Route = Callable[[SheetsEmulator, "_Token | None", Mapping[str, list[str]], Any], Any]
"""Answers one API call: (emulator, the caller's token, query, JSON body) → JSON answer."""


def _route(method: str, path: str) -> tuple[str, Route | None]:
    """The API method a request calls and the function that answers it."""
    if path == "/token" and method == "POST":
        return "oauth2.token", None
    if method == "GET" and _EXPORT_PATH.fullmatch(path):
        return "export", None
    match = _SPREADSHEET_PATH.fullmatch(path)
    if match is None:
        return "unknown", _not_found
    key, rest = unquote(match.group("id")), match.group("rest")
    table: dict[tuple[str, str], tuple[str, Route]] = {
        ("GET", ""): ("spreadsheets.get", _get_spreadsheet),
        ("POST", ":batchUpdate"): ("spreadsheets.batchUpdate", _batch_update_spreadsheet),
        ("GET", "/values:batchGet"): ("values.batchGet", _batch_get),
        ("POST", "/values:batchUpdate"): ("values.batchUpdate", _batch_update_values),
        ("POST", "/values:batchClear"): ("values.batchClear", _batch_clear),
    }
    if (method, rest) in table:
        api, function = table[(method, rest)]
        return api, _bind(function, key)
    if rest.startswith("/values/"):
        encoded = rest[len("/values/") :]
        for suffix, api, function in (
            (":append", "values.append", _append),
            (":clear", "values.clear", _clear),
        ):
            if method == "POST" and encoded.endswith(suffix):
                return api, _bind(function, key, unquote(encoded[: -len(suffix)]))
        if method == "GET":
            return "values.get", _bind(_values_get, key, unquote(encoded))
        if method == "PUT":
            return "values.update", _bind(_values_update, key, unquote(encoded))
    return "unknown", _not_found


def _bind(function: Any, *args: Any) -> Route:
    def call(emu: SheetsEmulator, who: _Token | None, query: Any, body: Any) -> Any:
        return function(emu, who, query, body, *args)

    return call


def _not_found(*_: Any) -> Any:
    raise ApiError(404, DEFAULT_MESSAGES[404], "NOT_FOUND")


def _option(query: Mapping[str, list[str]], name: str, allowed: Sequence[str], default: str) -> str:
    value = (query.get(name) or [default])[-1]
    if value not in allowed:
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
        type_name = name[0].upper() + name[1:]
        raise ApiError(
            400,
            f"Invalid value at '{snake}' (type.googleapis.com/google.apps.sheets.v4."
            f'{type_name}), "{value}"',
            "INVALID_ARGUMENT",
        )
    return value


def _read_options(query: Mapping[str, list[str]]) -> dict[str, str]:
    return {
        "major_dimension": _option(query, "majorDimension", ("ROWS", "COLUMNS"), "ROWS"),
        "value_render": _option(
            query, "valueRenderOption", VALUE_RENDER_OPTIONS, "FORMATTED_VALUE"
        ),
        "datetime_render": _option(
            query, "dateTimeRenderOption", DATETIME_RENDER_OPTIONS, "SERIAL_NUMBER"
        ),
    }


def _input_option(value: str | None) -> bool:
    """True for USER_ENTERED; Google requires the option on every write."""
    if not value:
        raise ApiError(400, "'valueInputOption' is required but not specified", "INVALID_ARGUMENT")
    if value not in ("RAW", "USER_ENTERED"):
        raise ApiError(
            400,
            "Invalid value at 'value_input_option' (type.googleapis.com/google.apps.sheets.v4."
            f'ValueInputOption), "{value}"',
            "INVALID_ARGUMENT",
        )
    return value == "USER_ENTERED"


def _get_spreadsheet(emu: SheetsEmulator, who: Any, query: Any, body: Any, key: str) -> Any:
    """Metadata, and with grid data each tab's cells. As Google documents it,
    ``includeGridData`` is ignored when a field mask is given: the mask alone says whether
    ``sheets.data`` comes back."""
    book = emu._book(key, who, write=False)
    fields = (query.get("fields") or [""])[-1]
    mask = parse_field_mask(fields) if fields else None
    if mask is not None:
        sheets_mask = mask.get("sheets", mask.get("*"))
        with_grid = sheets_mask is not None and (not sheets_mask or "data" in sheets_mask)
    else:
        with_grid = (query.get("includeGridData") or ["false"])[-1].lower() == "true"
    with emu._lock:
        metadata = book.metadata()
        ranges = query.get("ranges") or []
        resolved = [book.resolve(r) for r in ranges]
        if ranges:
            titles = {sheet.title for sheet, _ in resolved}
            metadata["sheets"] = [
                s for s in metadata["sheets"] if s["properties"]["title"] in titles
            ]
        if with_grid:
            for entry in metadata["sheets"]:
                sheet = book.sheet_by_id(entry["properties"]["sheetId"])
                grids = [grid for s, grid in resolved if s is sheet] or [None]
                entry["data"] = [book.grid_data(sheet, grid) for grid in grids]
    return apply_field_mask(metadata, mask) if mask else metadata


def _batch_get(emu: SheetsEmulator, who: Any, query: Any, body: Any, key: str) -> Any:
    book = emu._book(key, who, write=False)
    options = _read_options(query)
    with emu._lock:
        ranges = [book.read(r, **options) for r in query.get("ranges") or []]
    result: dict[str, Any] = {"spreadsheetId": key}
    if ranges:
        result["valueRanges"] = ranges
    return result


def _values_get(emu: SheetsEmulator, who: Any, query: Any, body: Any, key: str, text: str) -> Any:
    book = emu._book(key, who, write=False)
    options = _read_options(query)
    with emu._lock:
        return book.read(text, **options)


def _values_update(
    emu: SheetsEmulator, who: Any, query: Any, body: Any, key: str, text: str
) -> Any:
    book = emu._book(key, who, write=True)
    user_entered = _input_option((query.get("valueInputOption") or [None])[-1])
    major = body.get("majorDimension") or "ROWS"
    with emu._lock:
        return book.write(
            text, body.get("values", []), user_entered=user_entered, major_dimension=major
        )


def _append(emu: SheetsEmulator, who: Any, query: Any, body: Any, key: str, text: str) -> Any:
    book = emu._book(key, who, write=True)
    user_entered = _input_option((query.get("valueInputOption") or [None])[-1])
    major = body.get("majorDimension") or "ROWS"
    with emu._lock:
        return book.append(text, body.get("values", []), user_entered=user_entered, major=major)


def _clear(emu: SheetsEmulator, who: Any, query: Any, body: Any, key: str, text: str) -> Any:
    book = emu._book(key, who, write=True)
    with emu._lock:
        return {"spreadsheetId": key, "clearedRange": book.clear(text)}


def _batch_clear(emu: SheetsEmulator, who: Any, query: Any, body: Any, key: str) -> Any:
    book = emu._book(key, who, write=True)
    with emu._lock:
        cleared = [book.clear(r) for r in body.get("ranges", [])]
    return {"spreadsheetId": key, "clearedRanges": cleared}


def _batch_update_values(emu: SheetsEmulator, who: Any, query: Any, body: Any, key: str) -> Any:
    book = emu._book(key, who, write=True)
    user_entered = _input_option(body.get("valueInputOption"))
    responses = []
    rows: set[tuple[str, int]] = set()
    columns: set[tuple[str, int]] = set()
    with emu._lock:
        for item in body.get("data", []):
            response = book.write(
                item.get("range", ""),
                item.get("values", []),
                user_entered=user_entered,
                major_dimension=item.get("majorDimension") or "ROWS",
            )
            responses.append(response)
            if "updatedRows" in response:
                sheet, grid = book.resolve(response["updatedRange"])
                rows.update((sheet.title, r) for r in range(grid.start_row, grid.end_row))
                columns.update((sheet.title, c) for c in range(grid.start_col, grid.end_col))
    result: dict[str, Any] = {"spreadsheetId": key}
    if responses:
        result.update(
            totalUpdatedRows=len(rows),
            totalUpdatedColumns=len(columns),
            totalUpdatedCells=sum(r.get("updatedCells", 0) for r in responses),
            totalUpdatedSheets=len({title for title, _ in rows}),
            responses=responses,
        )
    return result


def _batch_update_spreadsheet(
    emu: SheetsEmulator, who: Any, query: Any, body: Any, key: str
) -> Any:
    """The few structural requests tests use: addSheet, deleteSheet, updateSheetProperties."""
    book = emu._book(key, who, write=True)
    replies: list[dict[str, Any]] = []
    with emu._lock:
        for request in body.get("requests", []):
            if "addSheet" in request:
                props = request["addSheet"].get("properties", {})
                grid = props.get("gridProperties", {})
                title = props.get("title") or f"Sheet{len(book.sheets) + 1}"
                sheet = book.add_sheet(
                    title,
                    sheet_id=props.get("sheetId"),
                    grid=(grid.get("rowCount", 1000), grid.get("columnCount", 26)),
                    index=props.get("index"),
                )
                index = book.sheets.index(sheet)
                replies.append({"addSheet": {"properties": sheet.properties(index)}})
            elif "deleteSheet" in request:
                book.sheets.remove(book.sheet_by_id(request["deleteSheet"]["sheetId"]))
                replies.append({})
            elif "updateSheetProperties" in request:
                props = request["updateSheetProperties"]["properties"]
                sheet = book.sheet_by_id(props.get("sheetId", 0))
                if "title" in props:
                    sheet.title = props["title"]
                grid = props.get("gridProperties", {})
                sheet.rows = grid.get("rowCount", sheet.rows)
                sheet.columns = grid.get("columnCount", sheet.columns)
                sheet.cells = {
                    (r, c): cell
                    for (r, c), cell in sheet.cells.items()
                    if r < sheet.rows and c < sheet.columns
                }
                replies.append({})
            else:
                kind = next(iter(request), "?")
                raise ApiError(400, f"Invalid requests[0].{kind}: not emulated", "INVALID_ARGUMENT")
    return {"spreadsheetId": key, "replies": replies}


# --- field masks (``fields=sheets.properties.title``) ------------------------------------------


_FIELD_NAME = re.compile(r"[A-Za-z0-9_*]+")
_FIELD_STEP = "./"
"""``a.b`` and ``a/b`` both select ``b`` inside ``a``."""


def parse_field_mask(text: str) -> dict[str, Any]:
    """``sheets(properties(title,index)),sheets.properties.sheetId`` → a nested dict in which
    ``{}`` means "everything below"."""
    tree, _ = _parse_fields(text, 0, None)
    return tree


def _parse_fields(text: str, position: int, stop: str | None) -> tuple[dict[str, Any], int]:
    tree: dict[str, Any] = {}
    while position < len(text):
        char = text[position]
        if char == stop:
            return tree, position + 1
        if char in ", ":
            position += 1
            continue
        path = []
        while True:
            match = _FIELD_NAME.match(text, position)
            if match is None:
                raise ApiError(400, "Request contains an invalid argument.", "INVALID_ARGUMENT")
            path.append(match.group(0))
            position = match.end()
            if text[position : position + 1] not in tuple(_FIELD_STEP):
                break
            position += 1
        sub: dict[str, Any] = {}
        if text[position : position + 1] == "(":
            sub, position = _parse_fields(text, position + 1, ")")
        for name in reversed(path):
            sub = {name: sub}
        _merge(tree, sub)
    if stop is not None:
        raise ApiError(400, "Request contains an invalid argument.", "INVALID_ARGUMENT")
    return tree, position


def _merge(tree: dict[str, Any], other: dict[str, Any]) -> None:
    for key, sub in other.items():
        if key not in tree:
            tree[key] = sub
        elif tree[key] and sub:
            _merge(tree[key], sub)
        else:
            tree[key] = {}


def apply_field_mask(value: Any, tree: dict[str, Any]) -> Any:
    if not tree or "*" in tree:
        return value
    if isinstance(value, list):
        return [apply_field_mask(item, tree) for item in value]
    if isinstance(value, dict):
        return {k: apply_field_mask(v, tree[k]) for k, v in value.items() if k in tree}
    return value


# --- command line ------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Serve a workbook until interrupted, printing the address and the spreadsheet id."""
    parser = argparse.ArgumentParser(
        prog="python -m sheetmentor_testing.emulator",
        description="Serve an .xlsx workbook through an emulated Sheets API v4 on 127.0.0.1.",
    )
    parser.add_argument("--workbook", type=Path, help="an .xlsx file to serve")
    parser.add_argument("--port", type=int, default=8089, help="port on 127.0.0.1 (0: any free)")
    parser.add_argument("--id", dest="spreadsheet_id", help="the spreadsheet id to serve it under")
    parser.add_argument("--locale", default="en_US", help="the spreadsheet's locale (en_US)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log each request to stderr")
    args = parser.parse_args(argv)
    emulator = SheetsEmulator(args.port, verbose=args.verbose)
    if args.workbook is not None:
        key = emulator.load_workbook(args.workbook, args.spreadsheet_id, locale=args.locale)
    else:
        key = args.spreadsheet_id or "emulated"
        emulator.add_spreadsheet(key, locale=args.locale)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with emulator:
        print(f"Sheets API emulator on {emulator.url}", flush=True)
        print(f"spreadsheet id: {key}", flush=True)
        print(f"export link: {emulator.url}/spreadsheets/d/{key}/export?format=xlsx", flush=True)
        print(f"export SHEETMENTOR_SHEETS_EMULATOR={emulator.url}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
