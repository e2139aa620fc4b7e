"""Loopback servers that answer like Slack, Discord and Teams Workflows incoming webhooks.

Import explicitly (``from chat_servers import ...``). Each server is a real HTTP/1.1 server on
127.0.0.1 (keep-alive, so one client session reuses its connection) that checks what it gets the
way the platform does and answers with the platform's documented status codes and bodies:

* **Slack** (``/services/T…/B…/TOKEN``): ``200 ok`` (text/plain); ``400 invalid_payload`` for a
  body that is not a JSON object, ``400 no_text`` without ``text`` or ``blocks``,
  ``400 invalid_blocks`` for a block over Block Kit's limits (header text 150, section text
  3,000, 50 blocks), ``400 msg_too_long`` for ``text`` over 40,000; ``404 no_service`` for a
  webhook that does not exist.
* **Discord** (``/api/webhooks/ID/TOKEN``): ``204`` (or ``200`` and the message with its ``id``
  when ``?wait=true``); JSON errors ``{"code": 50006, "message": "Cannot send an empty
  message"}``, ``{"code": 50035, "message": "Invalid Form Body", "errors": {…}}`` with the path
  of each field over its limit (content 2,000; 10 embeds; title 256; description 4,096; 6,000
  characters of embeds), ``404 {"code": 10015, "message": "Unknown Webhook"}``, ``401 {"code":
  50027, "message": "Invalid Webhook Token"}``; every answer has the ``X-RateLimit-*`` headers.
* **Teams Workflows** (``/workflows/ID/triggers/manual/paths/invoke?…&sig=SIG``): ``202`` with an
  empty body for any JSON; ``400 InvalidRequestContent`` for a body that is not JSON, ``401
  DirectApiInvalidAuthorizationSignature`` for a wrong ``sig``, ``404 WorkflowNotFound``. Like the
  real service, the workflow runs *after* the 202: a card that Teams would not post (not an
  Adaptive Card in the message envelope, or over 28 KB) is accepted and lands in
  ``failed_runs`` instead of ``received``.

Misbehaviour on cue: ``server.script(Answer(429, …), Answer(503), DROP, HANG)`` answers the next
requests in turn before the normal handling (``DROP`` closes the connection without answering,
``HANG`` waits ``hang_seconds`` before answering normally). ``server.hits`` records every request
(time, path, status), ``server.received`` each payload the platform would post, in order.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import ssl
import threading
import time
import urllib.parse
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SLACK_TOKEN = "xoxS3cretSlackT0kenValue1"
DISCORD_TOKEN = "S3cret-Discord-Token_abcdefghijklmnopqrstuvwxyz0123456789"
TEAMS_SIG = "S3cretTeamsSignatureValue0123456789abcdefgh"
SECRETS = (SLACK_TOKEN, DISCORD_TOKEN, TEAMS_SIG)
"""What must never show up in an exception, a log record or an outcome."""

TEAMS_MAX_BYTES = 28 * 1024


@dataclass(frozen=True)
class Answer:
    """A scripted answer: status, body (str, bytes or JSON-able) and headers."""

    status: int
    body: Any = b""
    headers: dict[str, str] = field(default_factory=dict)


DROP = "<drop>"
HANG = "<hang>"


@dataclass
class Hit:
    at: float
    path: str
    status: int | None
    payload: Any


def slack_problems(payload: Any) -> list[str]:
    """Why Slack would refuse ``payload`` (empty if it would post it)."""
    if not isinstance(payload, dict):
        return ["invalid_payload"]
    text, blocks = payload.get("text"), payload.get("blocks")
    if not text and not blocks:
        return ["no_text"]
    problems = []
    if isinstance(text, str) and len(text) > 40_000:
        problems.append("msg_too_long")
    if blocks is not None:
        if not isinstance(blocks, list) or len(blocks) > 50:
            problems.append("invalid_blocks")
        for block in blocks if isinstance(blocks, list) else []:
            kind = block.get("type") if isinstance(block, dict) else None
            inner = block.get("text") if isinstance(block, dict) else None
            if kind == "header":
                ok = (
                    isinstance(inner, dict)
                    and inner.get("type") == "plain_text"
                    and 0 < len(inner.get("text", "")) <= 150
                )
            elif kind == "section":
                ok = (
                    isinstance(inner, dict)
                    and inner.get("type") in ("mrkdwn", "plain_text")
                    and 0 < len(inner.get("text", "")) <= 3000
                )
            else:
                ok = kind in ("divider", "context")
            if not ok:
                problems.append("invalid_blocks")
    return problems


def discord_problems(payload: Any) -> dict[str, Any]:
    """Discord's ``errors`` object for ``payload`` (empty if it would post it)."""
    errors: dict[str, Any] = {}

    def fail(path: list[str], code: str, message: str) -> None:
        node = errors
        for part in path:
            node = node.setdefault(part, {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    if not isinstance(payload, dict):
        fail([], "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return errors
    content = payload.get("content") or ""
    if len(content) > 2000:
        fail(["content"], "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.")
    embeds = payload.get("embeds") or []
    if len(embeds) > 10:
        fail(["embeds"], "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    total = 0
    for number, embed in enumerate(embeds):
        title, description = embed.get("title", ""), embed.get("description", "")
        if len(title) > 256:
            fail(["embeds", str(number), "title"], "BASE_TYPE_MAX_LENGTH", "Must be 256 or fewer.")
        if len(description) > 4096:
            fail(
                ["embeds", str(number), "description"],
                "BASE_TYPE_MAX_LENGTH",
                "Must be 4096 or fewer in length.",
            )
        if not title and not description:
            fail(["embeds", str(number)], "EMBED_EMPTY", "Embed must not be empty.")
        total += len(title) + len(description)
    if total > 6000:
        fail(["embeds"], "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")
    mentions = payload.get("allowed_mentions")
    if mentions is not None and len(mentions.get("users", [])) > 100:
        fail(["allowed_mentions", "users"], "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer.")
    return errors


def _shown_as_written(item: Any) -> bool:
    """A card element whose text Teams shows as written: a ``RichTextBlock`` of ``TextRun``s
    (a ``TextBlock`` would render a cell's markdown)."""
    inlines = item["inlines"]
    return (
        item["type"] == "RichTextBlock"
        and bool(inlines)
        and all(
            (run["type"] == "TextRun" and run["text"]) if isinstance(run, dict) else run
            for run in inlines
        )
    )


def teams_problems(payload: Any, size: int) -> list[str]:
    """Why the Teams "post card" step of the workflow would fail (empty if it would post)."""
    if size > TEAMS_MAX_BYTES:
        return ["MessageSizeTooBig"]
    try:
        (attachment,) = payload["attachments"]
        card = attachment["content"]
        ok = (
            payload["type"] == "message"
            and attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
            and card["type"] == "AdaptiveCard"
            and card["version"] in ("1.0", "1.1", "1.2", "1.3", "1.4", "1.5")
            and all(_shown_as_written(item) for item in card["body"])
        )
    except (KeyError, TypeError, ValueError):
        ok = False
    return [] if ok else ["InvalidCard"]


class ChatServer:
    """One platform's webhook endpoint on 127.0.0.1; use as a context manager."""

    def __init__(
        self,
        platform: str,
        *,
        hang_seconds: float = 2.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.platform = platform
        self.scheme = "https" if ssl_context else "http"
        self.hang_seconds = hang_seconds
        self.received: list[Any] = []
        self.failed_runs: list[tuple[str, Any]] = []
        self.hits: list[Hit] = []
        self.scripts: deque[Answer | str] = deque()
        self.bucket_remaining: int | None = None
        """Discord: the X-RateLimit-Remaining to report (None: never 0)."""
        self._ids = iter(range(1_100_000_000_000_000_000, 2**63))
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # the path is a secret
                pass

            def setup(self) -> None:
                super().setup()
                # Headers and body go out in two writes: without this, a keep-alive client
                # waits for a delayed ACK (~40 ms) on every answer.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                server._handle(self, raw)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        if ssl_context is not None:
            self.httpd.socket = ssl_context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        base = f"{self.scheme}://127.0.0.1:{self.port}"
        if self.platform == "slack":
            return f"{base}/services/T0001ABCD/B0002EFGH/{SLACK_TOKEN}"
        if self.platform == "discord":
            return f"{base}/api/webhooks/1234567890123456789/{DISCORD_TOKEN}"
        query = urllib.parse.urlencode(
            {
                "api-version": "2016-06-01",
                "sp": "/triggers/manual/run",
                "sv": "1.0",
                "sig": TEAMS_SIG,
            }
        )
        workflow = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
        return f"{base}/workflows/{workflow}/triggers/manual/paths/invoke?{query}"

    def script(self, *answers: Answer | str) -> None:
        self.scripts.extend(answers)

    def __enter__(self) -> ChatServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # --- answering ---

    def _handle(self, handler: BaseHTTPRequestHandler, raw: bytes) -> None:
        with self._lock:
            scripted = self.scripts.popleft() if self.scripts else None
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = None
        if scripted == DROP:
            self.hits.append(Hit(time.monotonic(), handler.path, None, payload))
            handler.close_connection = True
            handler.connection.close()
            return
        if scripted == HANG:
            time.sleep(self.hang_seconds)
            scripted = None
        if isinstance(scripted, Answer):
            answer = scripted
        else:
            answer = getattr(self, f"_{self.platform}")(handler.path, raw, payload)
        self.hits.append(Hit(time.monotonic(), handler.path, answer.status, payload))
        body = answer.body
        headers = dict(answer.headers)
        if isinstance(body, dict | list):
            body = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            body = body.encode()
            headers.setdefault("Content-Type", "text/plain; charset=utf-8")
        if self.platform == "discord":
            remaining = "4" if self.bucket_remaining is None else str(self.bucket_remaining)
            headers.setdefault("X-RateLimit-Limit", "5")
            headers.setdefault("X-RateLimit-Remaining", remaining)
            headers.setdefault("X-RateLimit-Reset-After", "0.25")
            headers.setdefault("X-RateLimit-Bucket", "e1a2b3c4d5")
        try:
            handler.send_response(answer.status)
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except OSError:  # the client gave up (a timeout test)
            pass

    def _slack(self, path: str, raw: bytes, payload: Any) -> Answer:
        if path != urllib.parse.urlsplit(self.url).path:
            return Answer(404, "no_service")
        problems = slack_problems(payload)
        if problems:
            return Answer(400, problems[0])
        self.received.append(payload)
        return Answer(200, "ok")

    def _discord(self, path: str, raw: bytes, payload: Any) -> Answer:
        parts = urllib.parse.urlsplit(path)
        expected = urllib.parse.urlsplit(self.url).path
        if parts.path.rsplit("/", 1)[0] != expected.rsplit("/", 1)[0]:
            return Answer(404, {"message": "Unknown Webhook", "code": 10015})
        if parts.path != expected:
            return Answer(401, {"message": "Invalid Webhook Token", "code": 50027})
        if payload is None:
            return Answer(
                400, {"message": "The request body contains invalid JSON.", "code": 50109}
            )
        if isinstance(payload, dict) and not payload.get("content") and not payload.get("embeds"):
            return Answer(400, {"message": "Cannot send an empty message", "code": 50006})
        errors = discord_problems(payload)
        if errors:
            return Answer(400, {"code": 50035, "errors": errors, "message": "Invalid Form Body"})
        self.received.append(payload)
        if urllib.parse.parse_qs(parts.query).get("wait") == ["true"]:
            message = {"id": str(next(self._ids)), "type": 0, "channel_id": "5550001112223334445"}
            return Answer(200, {**message, "content": payload.get("content", "")})
        return Answer(204)

    def _teams(self, path: str, raw: bytes, payload: Any) -> Answer:
        parts = urllib.parse.urlsplit(path)
        expected = urllib.parse.urlsplit(self.url)
        if parts.path != expected.path:
            return Answer(
                404,
                {"error": {"code": "WorkflowNotFound", "message": "The workflow was not found."}},
            )
        if urllib.parse.parse_qs(parts.query).get("sig") != [TEAMS_SIG]:
            return Answer(
                401,
                {
                    "error": {
                        "code": "DirectApiInvalidAuthorizationSignature",
                        "message": "The provided authentication signature is not valid.",
                    }
                },
            )
        if payload is None:
            return Answer(
                400,
                {
                    "error": {
                        "code": "InvalidRequestContent",
                        "message": "The request content is not valid and could not be "
                        "deserialized.",
                    }
                },
            )
        problems = teams_problems(payload, len(raw))
        if problems:
            self.failed_runs.append((problems[0], payload))
        else:
            self.received.append(payload)
        return Answer(202)


class _KillsAtPost(ChatServer):
    """A chat server that, at its ``at``-th post, does :meth:`_fire` instead of answering, once;
    ``pid`` is the posting process to ``kill -9``."""

    def __init__(self, platform: str, at: int) -> None:
        super().__init__(platform)
        self.at, self.seen, self.pid, self.fired = at, 0, 0, False

    def _handle(self, handler: BaseHTTPRequestHandler, raw: bytes) -> None:
        with self._lock:
            self.seen += 1
            fire = self.seen == self.at and self.pid and not self.fired
        if not fire:
            super()._handle(handler, raw)
            return
        self.fired = True
        self._fire(handler, raw)

    def _fire(self, handler: BaseHTTPRequestHandler, raw: bytes) -> None:
        raise NotImplementedError


class KillingServer(_KillsAtPost):
    """Records the ``at``-th post, then ``kill -9``s the process ``pid`` before answering: the
    post is in the channel, the sender never hears so."""

    def _fire(self, handler: BaseHTTPRequestHandler, raw: bytes) -> None:
        self.received.append(json.loads(raw))
        os.kill(self.pid, signal.SIGKILL)


class RetryKillingServer(_KillsAtPost):
    """Answers the ``at``-th post with a 429 that asks for a retry in five seconds, then
    ``kill -9``s the poster while it waits: that part was never posted."""

    def _fire(self, handler: BaseHTTPRequestHandler, raw: bytes) -> None:
        wait = {"Retry-After": "5", "X-RateLimit-Reset-After": "5"}
        body = {"message": "You are being rate limited.", "retry_after": 5, "global": False}
        self.script(Answer(429, body if self.platform == "discord" else "rate_limited", wait))
        ChatServer._handle(self, handler, raw)  # the 429, as the platform would answer
        threading.Timer(0.5, os.kill, (self.pid, signal.SIGKILL)).start()


@contextmanager
def chat_servers(ssl_context: ssl.SSLContext | None = None) -> Iterator[dict[str, ChatServer]]:
    """A Slack, a Discord and a Teams server, running (over TLS with ``ssl_context``)."""
    with (
        ChatServer("slack", ssl_context=ssl_context) as slack,
        ChatServer("discord", ssl_context=ssl_context) as discord,
        ChatServer("teams", ssl_context=ssl_context) as teams,
    ):
        yield {"slack": slack, "discord": discord, "teams": teams}


def closed_port_url(platform: str = "slack") -> str:
    """A webhook URL on a loopback port nothing listens on (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/services/T0001ABCD/B0002EFGH/{SLACK_TOKEN}"
