"""Send messages through SMTP or into an outbox folder, recording each one in the ledger.

:mod:`sheetmentor.outbound.send` decides what to send and calls :func:`deliver`; a library user can
too::

    with Ledger.open(config.state) as ledger, transport_for(config.email) as transport:
        report = deliver(outgoings, transport, ledger, email=config.email,
                         club_name=config.club.name)
    report.raise_for_problems()   # DeliveryError (exit 1) if a message failed for good,
                                  # DeliveryDeferred (exit 3) if some wait for the next run

Guarantees
----------
* **One run at a time.** :func:`deliver` holds ``<state>/send.lock`` (an OS file lock, released
  even by ``kill -9``) for the whole run, or runs under the caller's hold of it. A second run
  waits up to ``lock_timeout`` seconds (default 60), then finds those messages ``sent`` and skips
  them; if the lock is still held after that, it raises :class:`SendLockBusy` (exit 1) without
  sending anything.
* **Planned first.** Every key is written to the ledger (``planned``) before anything goes out,
  so a run killed between two messages leaves the rest for the next run.
* **Never twice, except in one window.** The ledger commits ``sending`` at the handover (the
  server said 354 to DATA, the message is about to go) and ``sent`` as soon as the server
  answers 250. Only a message in between — its run died, or the server took the whole message
  and never answered — is *in doubt*. It is not sent again in the same run; a later run sends it
  once more with **the same Message-ID** (mail clients and servers that drop duplicate
  Message-IDs show it once); in doubt a second time, it becomes ``failed``, never a third copy.
* **Never skipped.** A message leaves the retry cycle only when the server accepted it (``sent``)
  or refused it for good (``failed``: 5xx for every recipient or for the content, an address the
  server cannot take, a header that would hold a line break). 4xx replies and dropped or reset
  connections before the handover are retried within the run, reconnecting, up to
  ``max_attempts`` times with a short backoff; a refused connection or a timeout stops the run.
  What is left is ``deferred`` or still ``planned``, and the next run sends it. ``failed``
  messages are not retried by cron: pass ``retry_failed=True`` after fixing the cause.
* **Bounded waits.** Each SMTP exchange (greeting and login; one message) must finish within the
  transport's ``timeout``, however slowly the server drips its bytes.

Errors: a login refusal, a server that cannot be reached (refused, unknown host: no retry) or a
refused sender address raise :class:`~sheetmentor.errors.ServiceError` (exit 3); everything
recorded per message is in the :class:`DeliveryReport`. The SMTP password is read from the
environment variable named in the config, never logged, and scrubbed from any server reply quoted
in an error.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import os
import re
import smtplib
import socket
import ssl
import tempfile
import threading
import time
import urllib.parse
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Literal, Self

from sheetmentor.config import EmailConfig, SmtpConfig
from sheetmentor.errors import (
    ConfigError,
    DeliveryDeferred,
    DeliveryError,
    SendLockBusy,
    ServiceError,
    UnsafeHeaderError,
)
from sheetmentor.outbound.ledger import (
    Entry,
    Ledger,
    Planned,
    State,
    expired_detail,
    mailing_of,
)
from sheetmentor.outbound.mime import (
    MESSAGE_POLICY,
    MessageTemplate,
    Outgoing,
    Pending,
    Unsendable,
    message_id_for,
    parse_address,
)
from sheetmentor.words import plural

__all__ = [
    "Accepted",
    "DeliveryReport",
    "Envelope",
    "OutboxTransport",
    "Outcome",
    "PermanentFailure",
    "SendLockBusy",
    "SmtpTransport",
    "TemporaryFailure",
    "Transport",
    "deliver",
    "envelope_for",
    "mailing_of",
    "outbox_filename",
    "transport_for",
]

log = logging.getLogger("sheetmentor.outbound.transport")

Status = Literal["sent", "skipped", "held", "failed", "deferred"]


@dataclass(frozen=True, slots=True)
class Envelope:
    """What a transport sends: the SMTP envelope and the message as bytes (CRLF line ends)."""

    key: str
    sender: str
    recipients: tuple[str, ...]
    data: bytes
    smtputf8: bool = False
    """An address is not ASCII: the server must offer SMTPUTF8."""


@dataclass(frozen=True, slots=True)
class Accepted:
    """The server accepted the message for every recipient except ``refused`` (address → reply)."""

    reply: str
    refused: Mapping[str, str] = field(default_factory=dict)


class TemporaryFailure(Exception):
    """Try again later: a 4xx reply, a lost connection, a timeout.

    ``in_doubt``: the connection broke after the whole message was handed over and before the
    server's reply, so the server may have accepted it. ``unavailable``: the destination itself
    could not be reached (connect failed, outbox not writable), so the run stops trying.
    ``timeout``: the server did not answer in time (the run stops trying too).
    """

    def __init__(
        self,
        reply: str,
        *,
        in_doubt: bool = False,
        unavailable: bool = False,
        timeout: bool = False,
    ) -> None:
        super().__init__(reply)
        self.reply = reply
        self.in_doubt = in_doubt
        self.unavailable = unavailable
        self.timeout = timeout


class PermanentFailure(Exception):
    """The server refused the message for good (5xx): every recipient, or the content."""

    def __init__(self, reply: str, *, refused: Mapping[str, str] | None = None) -> None:
        super().__init__(reply)
        self.reply = reply
        self.refused = dict(refused or {})


class Transport(ABC):
    """Where messages go; a context manager that closes itself.

    ``send`` makes one attempt and reports trouble by raising :class:`TemporaryFailure` (retry
    later), :class:`PermanentFailure` (do not retry) or :class:`ServiceError` (stop the run: login
    or sender refused).
    """

    @abstractmethod
    def open(self) -> None:
        """Get ready to send (connect and log in); raise :class:`ServiceError` if refused."""

    @abstractmethod
    def send(self, envelope: Envelope, handover: Callable[[], None] | None = None) -> Accepted:
        """Hand one message over; call ``handover()`` right before the message itself goes,
        once nothing but the message is left (the ledger commits ``sending`` there)."""

    @abstractmethod
    def close(self) -> None:
        """Let go of the connection; safe to call twice."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


# --- SMTP -----------------------------------------------------------------------------------


class _Unreachable(Exception):
    """Connecting failed in a way that may pass (refused, timeout, 4xx greeting)."""


class _Refused(Exception):
    """The server said no to us (login, STARTTLS missing, untrusted certificate)."""


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return " ".join(text.split())


def _trusting(ca_file: Path) -> ssl.SSLContext:
    """A TLS context that trusts the CAs in ``ca_file`` (``email.smtp.ca_file``) and no others."""
    try:
        return ssl.create_default_context(cafile=str(ca_file))
    except (OSError, ssl.SSLError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else "no PEM CA"
        raise ConfigError(
            f"email.smtp.ca_file: cannot use {ca_file} as CA certificates ({reason})"
        ) from None


class SmtpTransport(Transport):
    """SMTP with STARTTLS, implicit TLS (``ssl``) or none, and login; one connection per run.

    The connection is opened by :meth:`open` (or by the first :meth:`send`), reused for every
    message, reopened after the server drops it, and closed with ``QUIT`` by :meth:`close`.
    ``ssl_context`` defaults to the system's trusted CAs; tests pass one that trusts their CA.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        security: Literal["starttls", "ssl", "none"] = "starttls",
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
        ssl_context: ssl.SSLContext | None = None,
        local_hostname: str | None = None,
    ) -> None:
        if security not in ("starttls", "ssl", "none"):
            raise ValueError(f"security must be starttls, ssl or none, not {security!r}")
        if username is not None and password is None:
            raise ValueError("a username needs a password")
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self._password = password
        self.timeout = timeout
        self._ssl_context = ssl_context
        self.local_hostname = local_hostname
        self._smtp: smtplib.SMTP | None = None
        self.connections = 0
        """How many connections this transport opened (one per run unless the server drops it)."""

    @classmethod
    def from_config(
        cls,
        smtp: SmtpConfig,
        *,
        environ: Mapping[str, str] | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> SmtpTransport:
        """Build from the ``email.smtp`` settings, reading the password from the environment.

        Raises :class:`ConfigError` (exit 2) when ``username`` is set without ``password_env``
        or when the variable ``password_env`` names is not set.
        """
        environ = os.environ if environ is None else environ
        password = None
        if smtp.username is not None:
            if smtp.password_env is None:
                raise ConfigError(
                    "email.smtp.password_env: missing; name the environment variable that holds "
                    f"the SMTP password for {smtp.username}"
                )
            password = environ.get(smtp.password_env)
            if password is None:
                raise ConfigError(
                    f"the environment variable {smtp.password_env} (email.smtp.password_env) is "
                    "not set; it must hold the SMTP password"
                )
        if ssl_context is None and smtp.ca_file is not None:
            ssl_context = _trusting(smtp.ca_file)
        return cls(
            smtp.host,
            smtp.effective_port,
            security=smtp.security,
            username=smtp.username,
            password=password,
            timeout=smtp.timeout.total_seconds(),
            ssl_context=ssl_context,
        )

    def __repr__(self) -> str:
        user = f" as {self.username}" if self.username else ""
        return f"<SmtpTransport {self.security} {self.host}:{self.port}{user}>"

    @property
    def where(self) -> str:
        return f"SMTP server {self.host}:{self.port} ({self.security})"

    def _redact(self, text: str) -> str:
        """Scrub the password, and the base64 forms AUTH PLAIN/LOGIN send, from server text."""
        if not self._password:
            return text
        secrets = [self._password]
        for blob in (self._password, f"\0{self.username}\0{self._password}"):
            secrets.append(base64.b64encode(blob.encode()).decode())
        for secret in secrets:
            text = text.replace(secret, "***")
        return text

    def _reply(self, reply: bytes | str) -> str:
        return self._redact(_text(reply))

    def _context(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            self._ssl_context = ssl.create_default_context()
        return self._ssl_context

    @contextmanager
    def _deadline(self, smtp: smtplib.SMTP) -> Iterator[threading.Event]:
        """Bound a whole exchange by ``timeout``, not only each read: a server that drips one
        byte at a time never trips the socket timeout. When time is up the socket is shut down,
        the blocked read fails, and the event returned is set."""
        fired = threading.Event()

        def abort() -> None:
            fired.set()
            sock = getattr(smtp, "sock", None)
            if sock is not None:
                with suppress(OSError):
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)

        timer = threading.Timer(self.timeout, abort)
        timer.daemon = True
        timer.start()
        try:
            yield fired
        finally:
            timer.cancel()

    def _connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                local_hostname=self.local_hostname, timeout=self.timeout, context=self._context()
            )
        else:
            smtp = smtplib.SMTP(local_hostname=self.local_hostname, timeout=self.timeout)
        with self._deadline(smtp) as late:
            try:
                self._greeted(smtp)
            except (_Unreachable, _Refused):
                smtp.close()
                if late.is_set():
                    raise _Unreachable(
                        f"{self.where} did not finish its greeting and login within "
                        f"{self.timeout:g} s"
                    ) from None
                raise
        self.connections += 1
        return smtp

    def _greeted(self, smtp: smtplib.SMTP) -> None:
        smtp._host = self.host  # type: ignore[attr-defined]  # STARTTLS checks this name
        try:
            code, message = smtp.connect(self.host, self.port)
            if code != 220:
                raise smtplib.SMTPConnectError(code, message)
        except smtplib.SMTPConnectError as error:
            message = f"{self.where} greeted with {error.smtp_code} {self._reply(error.smtp_error)}"
            raise (_Unreachable if error.smtp_code < 500 else _Refused)(message) from None
        except ssl.SSLCertVerificationError as error:
            raise _Refused(
                f"{self.where}: certificate not trusted: {error.verify_message}"
            ) from None
        except OSError as error:
            raise _Unreachable(f"cannot connect to {self.where}: {_describe(error)}") from None
        self._handshake(smtp)

    def _handshake(self, smtp: smtplib.SMTP) -> None:
        try:
            smtp.ehlo_or_helo_if_needed()
            if self.security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise _Refused(
                        f"{self.where} does not offer STARTTLS; refusing to send in clear "
                        "(set email.smtp.security to ssl or none if that is intended)"
                    )
                smtp.starttls(context=self._context())
                smtp.ehlo()
            if self.username is not None:
                self._login(smtp, self.username, self._password or "")
        except smtplib.SMTPAuthenticationError as error:
            reply = f"{error.smtp_code} {self._reply(error.smtp_error)}"
            if error.smtp_code < 500:
                raise _Unreachable(f"{self.where} could not log in now: {reply}") from None
            raise _Refused(f"{self.where} refused the login for {self.username}: {reply}") from None
        except smtplib.SMTPNotSupportedError:
            raise _Refused(
                f"{self.where} does not offer AUTH; check email.smtp.security and username"
            ) from None
        except smtplib.SMTPResponseException as error:
            reply = f"{error.smtp_code} {self._reply(error.smtp_error)}"
            kind = _Unreachable if error.smtp_code < 500 else _Refused
            raise kind(f"{self.where} refused the session: {reply}") from None
        except ssl.SSLCertVerificationError as error:
            raise _Refused(
                f"{self.where}: certificate not trusted: {error.verify_message}"
            ) from None
        except OSError as error:
            raise _Unreachable(f"{self.where}: {self._redact(_describe(error))}") from None

    @staticmethod
    def _login(smtp: smtplib.SMTP, username: str, password: str) -> None:
        """Log in; smtplib can only send ASCII credentials, so UTF-8 ones go by hand (RFC 4616)."""
        if username.isascii() and password.isascii():
            smtp.login(username, password)
            return
        mechanisms = str(smtp.esmtp_features.get("auth", "")).upper().split()

        def b64(text: str) -> str:
            return base64.b64encode(text.encode()).decode()

        if "PLAIN" in mechanisms:
            code, reply = smtp.docmd("AUTH", "PLAIN " + b64("\0" + username + "\0" + password))
        elif "LOGIN" in mechanisms:
            code, reply = smtp.docmd("AUTH", f"LOGIN {b64(username)}")
            if code == 334:
                code, reply = smtp.docmd(b64(password))
        else:
            raise smtplib.SMTPNotSupportedError("no AUTH PLAIN or LOGIN for UTF-8 credentials")
        if code != 235:
            raise smtplib.SMTPAuthenticationError(code, reply)

    def open(self) -> None:
        """Connect, say EHLO, STARTTLS and log in; :class:`ServiceError` if that fails."""
        if self._smtp is not None:
            return
        try:
            self._smtp = self._connect()
        except (_Unreachable, _Refused) as error:
            raise ServiceError(str(error)) from None

    def _drop(self) -> None:
        """Forget a connection that is broken or that the server is closing (421)."""
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None

    def close(self) -> None:
        """Say QUIT and close; the connection may already be gone."""
        if self._smtp is None:
            return
        try:
            self._smtp.quit()
        except (smtplib.SMTPException, OSError):
            pass
        finally:
            self._drop()

    def send(self, envelope: Envelope, handover: Callable[[], None] | None = None) -> Accepted:
        """One attempt at one message over the shared connection (reconnecting if it dropped)."""
        if self._smtp is None:
            try:
                self._smtp = self._connect()
            except _Unreachable as error:
                raise TemporaryFailure(str(error), unavailable=True) from None
            except _Refused as error:
                raise ServiceError(str(error)) from None
        with self._deadline(self._smtp) as late:
            return self._exchange(self._smtp, envelope, late, handover)

    def _exchange(
        self,
        smtp: smtplib.SMTP,
        envelope: Envelope,
        late: threading.Event,
        handover: Callable[[], None] | None,
    ) -> Accepted:
        handed_over = False
        try:
            if envelope.smtputf8 and not smtp.has_extn("smtputf8"):
                raise PermanentFailure(
                    f"{self.where} does not accept international addresses (no SMTPUTF8)"
                )
            options = ["SMTPUTF8", "BODY=8BITMIME"] if envelope.smtputf8 else []
            code, reply = smtp.mail(envelope.sender, options)
            if code != 250:
                if code >= 500:
                    self._reset()
                    refusal = f"{code} {self._reply(reply)}"
                    raise ServiceError(
                        f"{self.where} refused the sender {envelope.sender}: {refusal}"
                    )
                self._fail(code, reply, "MAIL FROM")
            refused: dict[str, str] = {}
            for recipient in envelope.recipients:
                code, reply = smtp.rcpt(recipient)
                if code in (250, 251):
                    continue
                if code < 500:
                    self._fail(code, reply, f"RCPT TO {recipient}")
                refused[recipient] = f"{code} {self._reply(reply)}"
            if len(refused) == len(envelope.recipients):
                self._reset()
                raise PermanentFailure(
                    "every recipient refused: "
                    + "; ".join(f"{r}: {m}" for r, m in refused.items()),
                    refused=refused,
                )
            code, reply = smtp.docmd("DATA")
            if code != 354:
                self._fail(code, reply, "DATA")
            if handover is not None:
                handover()
            smtp.send(_dot_stuffed(envelope.data))
            handed_over = True
            code, reply = smtp.getreply()
            if code != 250:
                self._fail(code, reply, "end of DATA")
            return Accepted(f"{code} {self._reply(reply)}", refused)
        except OSError as error:  # includes SMTPServerDisconnected, resets, timeouts, TLS errors
            self._drop()
            # smtplib turns a read timeout into SMTPServerDisconnected("... timed out")
            timeout = late.is_set() or any(
                isinstance(cause, TimeoutError) for cause in (error, error.__context__)
            )
            state = (
                " after the whole message was sent (the server may have it)" if handed_over else ""
            )
            what = (
                f"no answer from {self.where} within {self.timeout:g} s"
                if timeout
                else f"connection to {self.where} lost: {self._redact(_describe(error))}"
            )
            raise TemporaryFailure(what + state, in_doubt=handed_over, timeout=timeout) from None

    def _reset(self) -> None:
        """RSET after a refused transaction, so the next message starts clean."""
        assert self._smtp is not None
        try:
            code, _ = self._smtp.rset()
        except OSError:
            code = 0
        if code != 250:
            self._drop()

    def _fail(self, code: int, reply: bytes, stage: str) -> None:
        """Raise the failure a reply stands for, leaving the connection ready or closed."""
        text = f"{stage}: {code} {self._reply(reply)}"
        if code == 421:  # the server is closing the connection
            self._drop()
            raise TemporaryFailure(text)
        self._reset()
        if code >= 500:
            raise PermanentFailure(text)
        raise TemporaryFailure(text)


def _dot_stuffed(data: bytes) -> bytes:
    """The DATA payload: lines starting with "." doubled, CRLF ends, the final "." line."""
    data = re.sub(rb"(?m)^\.", b"..", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


def _describe(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return text if text.startswith(type(error).__name__) else f"{type(error).__name__}: {text}"


# --- Outbox ---------------------------------------------------------------------------------


def outbox_filename(key: str) -> str:
    """``recap/2026-11-24/ada@example.org`` → ``recap_2026-11-24_ada@example.org.eml``.

    Each part of the key is percent-encoded where it is not a plain file-name character (an
    ``_`` inside a part too), and the parts are joined with ``_``: the name stays readable and
    distinct keys map to distinct files.
    """
    parts = [urllib.parse.quote(part, safe="@+-~.").replace("_", "%5F") for part in key.split("/")]
    name = "_".join(parts)
    if name.startswith("."):
        name = "%2E" + name[1:]
    return f"{name}.eml"


class OutboxTransport(Transport):
    """Write each message to ``<outbox>/<key>.eml`` (for a mail client, or to check by eye).

    A file appears whole or not at all: the bytes go to a temporary file in the same folder,
    are flushed to disk, and the file is renamed into place with :func:`os.replace`.
    """

    def __init__(self, outbox: Path) -> None:
        self.outbox = Path(outbox)

    def __repr__(self) -> str:
        return f"<OutboxTransport {self.outbox}>"

    def open(self) -> None:
        try:
            self.outbox.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DeliveryError(f"cannot create the outbox {self.outbox}: {error}") from None

    def close(self) -> None:
        """Nothing to let go of."""

    def path_for(self, key: str) -> Path:
        return self.outbox / outbox_filename(key)

    def send(self, envelope: Envelope, handover: Callable[[], None] | None = None) -> Accepted:
        target = self.path_for(envelope.key)
        try:
            fd, temp = tempfile.mkstemp(dir=self.outbox, prefix=".", suffix=".eml.tmp")
            try:
                with os.fdopen(fd, "wb") as file:
                    file.write(envelope.data)
                    file.flush()
                    os.fsync(file.fileno())
                if handover is not None:
                    handover()
                os.replace(temp, target)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
            _fsync_dir(self.outbox)
        except OSError as error:
            raise TemporaryFailure(f"cannot write {target}: {error}", unavailable=True) from None
        return Accepted(f"written to {target}")


def _fsync_dir(path: Path) -> None:
    """Make a rename durable before the ledger says ``sent``."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def transport_for(
    email: EmailConfig,
    *,
    environ: Mapping[str, str] | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> SmtpTransport | OutboxTransport:
    """SMTP when ``email.smtp`` is set, else the outbox folder (``email.outbox``)."""
    if email.smtp is not None:
        return SmtpTransport.from_config(email.smtp, environ=environ, ssl_context=ssl_context)
    return OutboxTransport(email.outbox)


# --- The send loop --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one message in this run.

    ``status``: ``sent``; ``skipped`` (sent by an earlier run); ``held`` (failed for good in an
    earlier run and not retried, see ``retry_failed``); ``failed`` (refused for good now, could
    not be built, or still in doubt after its one resend); ``deferred`` (temporary trouble, the
    next run tries again).
    """

    key: str
    kind: str
    recipients: tuple[str, ...]
    status: Status
    message_id: str | None
    detail: str = ""
    refused: Mapping[str, str] = field(default_factory=dict)
    """Recipients refused for good (address → server reply), also when the others got it."""
    attempts: int = 0
    """Attempts made in this run."""
    resent: bool = False
    """Sent again after an attempt that may have reached the server (same Message-ID)."""
    in_doubt: bool = False
    """The server took the whole message and never answered: it may have it."""


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """Every message's :class:`Outcome`, in the order given to :func:`deliver`.

    ``mailing`` names what was sent (``recap/2026-11-24``) when a run sent one; ``notices`` are
    what a person should read even without ``-v`` (a recap too old to send, and how to send it).
    """

    outcomes: tuple[Outcome, ...] = ()
    mailing: str | None = None
    notices: tuple[str, ...] = ()

    def _with(self, status: Status) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.status == status)

    @property
    def sent(self) -> tuple[Outcome, ...]:
        return self._with("sent")

    @property
    def skipped(self) -> tuple[Outcome, ...]:
        return self._with("skipped")

    @property
    def held(self) -> tuple[Outcome, ...]:
        return self._with("held")

    @property
    def failed(self) -> tuple[Outcome, ...]:
        return self._with("failed")

    @property
    def deferred(self) -> tuple[Outcome, ...]:
        return self._with("deferred")

    @property
    def partially_refused(self) -> tuple[Outcome, ...]:
        """Sent, but some recipients were refused."""
        return tuple(o for o in self.sent if o.refused)

    @property
    def ok(self) -> bool:
        """Nothing failed, nothing waits for a later run, no recipient was refused."""
        return not (self.failed or self.deferred or self.partially_refused)

    def problems(self) -> list[str]:
        """One line per message that needs attention, for stderr."""
        lines = []
        for o in self.outcomes:
            if o.status in ("failed", "deferred"):
                later = " (the next run tries again)" if o.status == "deferred" else ""
                lines.append(f"{o.key}: {o.status}{later}: {o.detail}")
            elif o.status == "sent" and o.refused:
                for rcpt, reply in o.refused.items():
                    lines.append(f"{o.key}: {rcpt} refused: {reply}")
        return lines

    def raise_for_problems(self) -> None:
        """Unless :attr:`ok`: :class:`DeliveryError` (exit 1) when a message or recipient failed
        for good, else :class:`DeliveryDeferred` (exit 3: the server could not take them now)."""
        if self.ok:
            return
        problems = self.problems()
        lines = "\n".join(f"  {line}" for line in problems)
        message = f"{plural(len(problems), 'delivery problem')}:\n{lines}"
        if self.failed or self.partially_refused:
            raise DeliveryError(message)
        raise DeliveryDeferred(message)


_SMTP = MESSAGE_POLICY.clone(linesep="\r\n", max_line_length=998)
"""ASCII headers fold at RFC 5322's hard limit (998), not at its suggested 78: folding an
address header at 78 splits a long non-ASCII display name into encoded-words that the standard
library decodes with a stray space ("Øde gaard")."""
_SMTPUTF8 = MESSAGE_POLICY.clone(linesep="\r\n", utf8=True)
"""Raw UTF-8 headers (RFC 6532) have no encoded-words to split: they fold at 78 characters,
which also keeps a line of 4-byte characters under 998 bytes."""


def envelope_for(
    key: str, message: EmailMessage, sender: str, recipients: tuple[str, ...]
) -> Envelope:
    """Serialise ``message`` for the wire: CRLF, ASCII headers unless an address needs UTF-8."""
    smtputf8 = not all(a.isascii() for a in (sender, *recipients))
    data = message.as_bytes(policy=_SMTPUTF8 if smtputf8 else _SMTP)
    return Envelope(key, sender, recipients, data, smtputf8)


def deliver(
    outgoings: Iterable[Outgoing | Pending],
    transport: Transport,
    ledger: Ledger,
    *,
    email: EmailConfig,
    club_name: str,
    unsendable: Iterable[Unsendable] = (),
    mailing: str | None = None,
    retry_failed: bool = False,
    give_up_before: dt.datetime | None = None,
    lock_timeout: float = 60.0,
    max_attempts: int = 3,
    backoff: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> DeliveryReport:
    """Plan every message in the ledger, then send each one not yet sent, once.

    A :class:`Pending` message is rendered only when it is sent, and let go after, so a run
    holds one message at a time. Holds ``<state>/send.lock`` for the run (see the module
    docstring), unless the caller holds it already through the same ``ledger``. Before anything
    goes out, every key (of ``outgoings`` and of ``unsendable``, the recipients that cannot be
    mailed) is written to the ledger in one transaction, under ``mailing`` (by default each
    key's own, see :func:`mailing_of`), so a run killed half-way leaves the rest ``planned`` for
    the next one.
    Opens ``transport`` only when a message needs sending; the caller closes it. A temporary
    failure before the server had the message is retried up to ``max_attempts``
    times, sleeping ``backoff``, ``2 * backoff``, … seconds; a message the server took without
    answering is not sent again in this run (a later run sends it once more, with the same
    Message-ID); when the server cannot be reached or stops answering, the messages left are
    deferred without trying. A message still ``deferred`` that was first planned before
    ``give_up_before`` (see :data:`~sheetmentor.outbound.ledger.QUEUE_LIFETIME`) is not tried
    again: it becomes ``failed``, saying for how long it was deferred and why.

    Raises :class:`ServiceError` (exit 3) when the server refuses the login or the sender, or
    cannot be reached at the start (nothing is lost: the messages stay planned);
    :class:`SendLockBusy` (exit 1) when another run holds the lock; ``ValueError`` when two
    messages share a key. Everything else is in the returned report.
    """
    items = list(outgoings)
    bad = list(unsendable)
    duplicates = sorted(k for k, n in Counter(o.key for o in [*items, *bad]).items() if n > 1)
    if duplicates:
        raise ValueError(f"two messages share a ledger key: {', '.join(duplicates)}")
    sender = parse_address(email.sender, setting="email.from")
    outcomes: list[Outcome] = []
    with ledger.send_lock(lock_timeout):
        new = _plan(ledger, items, bad, club_name, sender.domain, mailing)
        for item in bad:
            outcome = _unsendable(ledger, item, new=item.key in new, retry_failed=retry_failed)
            outcomes.append(outcome)
            _log(outcome)
        run = _Run(
            transport,
            ledger,
            email,
            club_name,
            sender.addr_spec,
            max_attempts,
            backoff,
            sleep,
            give_up_before=give_up_before,
        )
        for outgoing in items:
            outcome = run.one(outgoing, retry_failed=retry_failed)
            outcomes.append(outcome)
            _log(outcome)
    return DeliveryReport(tuple(outcomes))


def _plan(
    ledger: Ledger,
    items: list[Outgoing | Pending],
    bad: list[Unsendable],
    club_name: str,
    domain: str,
    mailing: str | None,
) -> set[str]:
    """Write every key to the ledger, one transaction per mailing; the keys that are new."""
    mailings: dict[str, list[tuple[str, Planned]]] = {}
    for outgoing in items:
        planned = Planned(
            outgoing.key, message_id_for(club_name, outgoing.key, domain), outgoing.recipients
        )
        name = mailing or mailing_of(outgoing.key)
        mailings.setdefault(name, []).append((outgoing.kind, planned))
    for item in bad:
        planned = Planned(
            item.key, message_id_for(club_name, item.key, domain), item.recipients, item.reason
        )
        mailings.setdefault(mailing or mailing_of(item.key), []).append((item.kind, planned))
    keys = {planned.key for group in mailings.values() for _, planned in group}
    known = {key for key in keys if ledger.get(key) is not None}
    for mailing, group in mailings.items():
        ledger.plan(mailing, group[0][0], [planned for _, planned in group])
    return keys - known


def _unsendable(ledger: Ledger, item: Unsendable, *, new: bool, retry_failed: bool) -> Outcome:
    """A recipient that cannot be mailed fails alone, once; later runs hold it."""
    entry = ledger.get(item.key)
    base = dict(key=item.key, kind=item.kind, recipients=item.recipients)
    message_id = entry.message_id if entry else None
    if entry is not None and entry.state == State.SENT:
        return Outcome(**base, status="skipped", message_id=message_id)
    if not new and not retry_failed and entry is not None and entry.state == State.FAILED:
        detail = f"failed in an earlier run: {entry.error}"
        return Outcome(**base, status="held", message_id=message_id, detail=detail)
    ledger.mark_failed(item.key, item.reason)
    return Outcome(**base, status="failed", message_id=message_id, detail=item.reason)


@dataclass
class _Run:
    transport: Transport
    ledger: Ledger
    email: EmailConfig
    club_name: str
    sender: str
    max_attempts: int
    backoff: float
    sleep: Callable[[float], None]
    opened: bool = False
    unavailable: str | None = None
    template: MessageTemplate | None = None
    """Prepared at the first message built: what every message of the run shares."""
    give_up_before: dt.datetime | None = None

    def one(self, outgoing: Outgoing | Pending, *, retry_failed: bool) -> Outcome:
        entry = self.ledger.get(outgoing.key)
        base = dict(key=outgoing.key, kind=outgoing.kind, recipients=outgoing.recipients)
        if entry is not None and entry.state == State.SENT:
            return Outcome(**base, status="skipped", message_id=entry.message_id)
        if entry is not None and entry.state == State.FAILED and not retry_failed:
            detail = f"failed in an earlier run: {entry.error}"
            return Outcome(**base, status="held", message_id=entry.message_id, detail=detail)
        message_id = entry.message_id if entry is not None else None
        if (
            entry is not None
            and entry.state == State.DEFERRED
            and self.give_up_before is not None
            and entry.created_at < self.give_up_before
            and not retry_failed
        ):
            detail = expired_detail(entry)
            self.ledger.mark_failed(outgoing.key, detail)
            return Outcome(**base, status="failed", message_id=message_id, detail=detail)
        if entry is not None and entry.state == State.SENDING:
            entry = self.ledger.count_doubt(outgoing.key)
        in_doubt = entry is not None and entry.doubts >= 1
        if entry is not None and entry.doubts >= 2 and not retry_failed:
            return self._give_up(entry, base)
        if self.unavailable is not None:
            detail = f"not tried: {self.unavailable}"
            return Outcome(**base, status="deferred", message_id=message_id, detail=detail)
        if isinstance(outgoing, Pending):
            outgoing = outgoing.outgoing()
        if self.template is None:
            self.template = MessageTemplate.prepare(self.email, self.club_name)
        try:
            message = self.template.build(outgoing, message_id=message_id)
        except UnsafeHeaderError as error:
            self.ledger.mark_failed(outgoing.key, error.message)
            return Outcome(**base, status="failed", message_id=message_id, detail=error.message)
        message_id = str(message["Message-ID"])
        envelope = envelope_for(outgoing.key, message, self.sender, outgoing.recipients)
        if not self.opened:
            self.transport.open()
            self.opened = True
        return self._attempts(outgoing, envelope, message_id, base, in_doubt)

    def _give_up(self, entry: Entry, base: dict) -> Outcome:
        """The one resend of an in-doubt message was in doubt too: no third copy."""
        detail = (
            f"handed to the server twice without an answer ({entry.error}); the server may have "
            "it, so it is not sent a third time (--retry-failed sends it anyway)"
        )
        self.ledger.mark_failed(entry.key, detail)
        return Outcome(**base, status="failed", message_id=entry.message_id, detail=detail)

    def _attempts(
        self,
        outgoing: Outgoing,
        envelope: Envelope,
        message_id: str,
        base: dict,
        resend: bool,
    ) -> Outcome:
        key = outgoing.key
        failure: TemporaryFailure | None = None

        def handover() -> None:
            self.ledger.mark_sending(
                key, kind=outgoing.kind, message_id=message_id, recipients=outgoing.recipients
            )

        for attempt in range(1, self.max_attempts + 1):
            if attempt > 1:
                self.sleep(self.backoff * 2 ** (attempt - 2))
            try:
                accepted = self.transport.send(envelope, handover)
            except TemporaryFailure as error:
                failure = error
                log.info("%s: attempt %d of %d: %s", key, attempt, self.max_attempts, error.reply)
                if error.in_doubt or error.unavailable or error.timeout:
                    break
                continue
            except PermanentFailure as error:
                self.ledger.mark_failed(key, error.reply, refused=error.refused)
                return Outcome(
                    **base,
                    status="failed",
                    message_id=message_id,
                    detail=error.reply,
                    refused=error.refused,
                    attempts=attempt,
                    resent=resend,
                )
            except ServiceError as error:
                self.ledger.mark_deferred(key, error.message)
                raise
            self.ledger.mark_sent(key, refused=accepted.refused)
            return Outcome(
                **base,
                status="sent",
                message_id=message_id,
                detail=accepted.reply,
                refused=accepted.refused,
                attempts=attempt,
                resent=resend,
            )
        assert failure is not None
        if failure.unavailable or failure.timeout:
            self.unavailable = failure.reply
        if failure.in_doubt:
            self.ledger.mark_in_doubt(key, failure.reply)
            detail = f"{failure.reply}; a later run sends it once more with the same Message-ID"
        else:
            self.ledger.mark_deferred(key, failure.reply)
            detail = failure.reply
        return Outcome(
            **base,
            status="deferred",
            message_id=message_id,
            detail=detail,
            attempts=attempt,
            resent=resend,
            in_doubt=failure.in_doubt,
        )


def _log(outcome: Outcome) -> None:
    """One line per message: INFO when all is well, WARNING when something needs a look."""
    to = ", ".join(outcome.recipients)
    if outcome.status == "sent" and outcome.refused:
        refused = "; ".join(f"{r}: {m}" for r, m in outcome.refused.items())
        log.warning("sent %s to %s but refused: %s", outcome.key, to, refused)
    elif outcome.status == "sent" and outcome.resent:
        log.warning(
            "sent %s to %s again with the same Message-ID %s: an earlier attempt, maybe in an "
            "interrupted run, may have reached the server",
            outcome.key,
            to,
            outcome.message_id,
        )
    elif outcome.status == "sent":
        log.info("sent %s to %s %s", outcome.key, to, outcome.message_id)
    elif outcome.status == "skipped":
        log.info("skipped %s (already sent)", outcome.key)
    elif outcome.status == "held":
        log.info("held %s: %s", outcome.key, outcome.detail)
    else:
        log.warning("%s %s to %s: %s", outcome.status, outcome.key, to, outcome.detail)
