"""Real SMTP servers for the delivery tests: aiosmtpd on 127.0.0.1, ephemeral ports.

Import explicitly (``from smtp_servers import ...``); pytest's default ``prepend`` import mode
puts ``tests/`` on ``sys.path``. Nothing here mocks smtplib or sheetmentor: the tests talk to a
real server over loopback, and the server misbehaves on cue through :class:`Recorder`'s script:

* ``recorder.refuse["bob@example.org"] = "550 5.1.1 no such user"`` refuses a recipient;
* ``recorder.script("DATA", "451 4.3.0 try later", OK, DROP)`` answers the next ends of DATA
  in turn (``OK`` accepts, ``DROP`` records the message and closes without answering — the
  "did the server get it?" window);
* ``recorder.script("MAIL", DROP)`` / ``RESET`` / ``"421 ..."`` do the same at MAIL FROM;
* ``recorder.per_connection = 2`` drops each connection when a third message starts on it;
* ``recorder.on_data = hook`` runs ``hook(message)`` in a worker thread after a message is
  recorded and before the server answers 250 (a test blocks there to ``kill -9`` the client, or
  to never answer);
* ``recorder.on_mail = hook`` runs ``hook()`` when a MAIL FROM arrives, before the answer (a
  test kills the client there with ``kill -9``, between two messages).

:func:`drip_server` is not SMTP at all: a listener that greets one byte at a time, forever.
"""

from __future__ import annotations

import asyncio
import base64
import socket
import ssl
import struct
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

OK = "250 OK"
DROP = "<drop>"
"""Close the connection without answering (at DATA: after recording the message)."""
RESET = "<reset>"
"""Abort the connection with a TCP RST (the client sees ECONNRESET)."""

USER = "pbc@example.org"
PASSWORD = "s3cret-Pässword"
"""Not ASCII: smtplib cannot send it, so this exercises sheetmentor's own UTF-8 AUTH."""
ASCII_PASSWORD = "s3cret-password"


@dataclass
class Received:
    """One message the server accepted."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    connection: int

    @property
    def message(self) -> EmailMessage:
        return BytesParser(policy=policy.default).parsebytes(self.data)  # type: ignore[return-value]

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    @property
    def key(self) -> str:
        return str(self.message["X-Sheetmentor-Key"])


@dataclass
class Recorder:
    """An aiosmtpd handler that records what it accepts and misbehaves on cue."""

    received: list[Received] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    per_connection: int | None = None
    on_data: Callable[[Received], None] | None = None
    on_mail: Callable[[], None] | None = None
    scripts: dict[str, deque[str]] = field(default_factory=dict)
    connections: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def script(self, stage: str, *replies: str) -> None:
        """Queue replies for the next ``stage`` commands (``MAIL``, ``RCPT``, ``DATA``)."""
        self.scripts.setdefault(stage, deque()).extend(replies)

    def _next(self, stage: str) -> str | None:
        with self.lock:
            queue = self.scripts.get(stage)
            return queue.popleft() if queue else None

    def keys(self) -> list[str]:
        with self.lock:
            return [r.key for r in self.received]

    def connection_made(self) -> int:
        with self.lock:
            self.connections += 1
            return self.connections

    @staticmethod
    def _hang_up(server: SMTP, how: str) -> None:
        transport = server.transport
        assert transport is not None
        if how == RESET:
            sock = transport.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            transport.abort()
        else:
            transport.close()

    async def handle_MAIL(
        self, server: SMTP, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        done = getattr(server, "messages_done", 0)
        if self.on_mail is not None:
            self.on_mail()
        reply = self._next("MAIL")
        if self.per_connection is not None and done >= self.per_connection:
            reply = DROP
        if reply in (DROP, RESET):
            self._hang_up(server, reply)
            return "421 4.3.2 closing"  # never reaches the client: the transport is closed
        if reply is not None and reply != OK:
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return OK

    async def handle_RCPT(
        self, server: SMTP, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        reply = self._next("RCPT")
        if reply is not None and reply != OK:
            return reply
        envelope.rcpt_tos.append(address)
        return OK

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Any) -> str:
        reply = self._next("DATA")
        if reply is not None and reply not in (OK, DROP):
            return reply
        received = Received(
            mail_from=envelope.mail_from,
            rcpt_tos=list(envelope.rcpt_tos),
            data=bytes(envelope.original_content),
            connection=getattr(server, "connection_number", 0),
        )
        with self.lock:
            self.received.append(received)
        server.messages_done = getattr(server, "messages_done", 0) + 1  # type: ignore[attr-defined]
        if reply == DROP:
            self._hang_up(server, DROP)
            return "451 never sent"
        if self.on_data is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.on_data, received)
        return OK


class _Controller(Controller):
    """A Controller on an ephemeral port that numbers the connections it accepts."""

    counting = False

    def factory(self) -> SMTP:
        server = super().factory()
        if self.counting:
            server.connection_number = self.handler.connection_made()  # type: ignore[attr-defined]
        return server

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass
class Server:
    host: str
    port: int
    recorder: Recorder
    controller: Controller

    def stop_listening(self) -> None:
        """Refuse new connections from now on (connections already open go on)."""
        done = threading.Event()

        def close() -> None:
            assert self.controller.server is not None
            self.controller.server.close()
            done.set()

        self.controller.loop.call_soon_threadsafe(close)
        done.wait(10)


@contextmanager
def smtp_server(
    recorder: Recorder | None = None,
    *,
    implicit_tls: ssl.SSLContext | None = None,
    **smtp_options: Any,
) -> Iterator[Server]:
    """Run an SMTP server on ``127.0.0.1:<ephemeral>`` for the ``with`` block.

    ``implicit_tls`` makes it an SMTPS server (TLS from the first byte); ``smtp_options`` go to
    :class:`aiosmtpd.smtp.SMTP` (``tls_context``, ``require_starttls``, ``authenticator``,
    ``auth_require_tls``, ``auth_required``, ``auth_exclude_mechanism``, …).
    """
    recorder = recorder or Recorder()
    controller = _Controller(
        recorder,
        hostname="127.0.0.1",
        port=0,
        ssl_context=implicit_tls,
        server_hostname="mx.test",
        **smtp_options,
    )
    controller.start()
    controller.counting = True
    try:
        yield Server("127.0.0.1", controller.port, recorder, controller)
    finally:
        controller.stop()


@contextmanager
def drip_server(interval: float = 0.5) -> Iterator[tuple[str, int]]:
    """A listener on loopback that sends ``220`` one byte every ``interval`` seconds and never
    finishes the line: each read gets a byte before any socket timeout, so only a deadline on
    the whole exchange stops a client."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def drip(conn: socket.socket) -> None:
        with conn:
            while not stop.wait(interval):
                try:
                    conn.sendall(b"2")
                except OSError:
                    return

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=drip, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield listener.getsockname()[:2]
    finally:
        stop.set()
        listener.close()


def authenticator(
    user: str = USER, password: str = PASSWORD, *, echo: bool = False
) -> Callable[..., AuthResult]:
    """An aiosmtpd ``authenticator`` accepting exactly ``user`` / ``password``.

    ``echo`` puts the password it was given, raw and base64, into the 535 reply, as careless
    servers do: the client must not pass that on.
    """

    def check(server: SMTP, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and data.login == user.encode()
            and data.password == password.encode()
        )
        message = None
        if not ok and echo and isinstance(data, LoginPassword):
            given = data.password.decode("utf-8", "replace")
            message = f"535 5.7.8 bad password {given} ({base64.b64encode(data.password).decode()})"
        # handled=False: aiosmtpd itself answers (535, or our message).
        return AuthResult(success=ok, handled=False, message=message)

    return check


@dataclass(frozen=True)
class Tls:
    """A throwaway CA with a certificate for 127.0.0.1, and contexts for both sides."""

    ca: trustme.CA

    @classmethod
    def create(cls) -> Tls:
        return cls(trustme.CA())

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        return context

    def client_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        self.ca.configure_trust(context)
        return context
