"""Build the e-mail messages that sheetmentor sends.

A message starts as an :class:`Outgoing`: what the recap (or agenda) code wants to say, to whom,
under a stable *key* that the ledger uses to never send it twice. :func:`build_message` turns it
into a standard-library :class:`~email.message.EmailMessage`:

* ``multipart/alternative`` text + HTML, the HTML's ``<style>`` block inlined into ``style``
  attributes with ``css_inline`` (Gmail and Outlook drop ``<style>``); remote stylesheets are never
  fetched;
* the next meeting as a ``text/calendar; method=PUBLISH`` attachment named ``next-meeting.ics``;
* a **deterministic Message-ID** (a hash of club name and key, at the sender's domain), so a
  receiver can drop the duplicate an interrupted run may send (see
  :mod:`sheetmentor.outbound.transport`);
* ``Auto-Submitted: auto-generated`` (no vacation replies), ``List-Id``, ``X-Sheetmentor-Key``.

Text that reaches a header (a subject, a member's name from the sheet) is data, so a CR or LF in
it is refused with :class:`UnsafeHeaderError` naming the header, instead of letting a sheet cell
add a ``Bcc:`` line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from email.headerregistry import Address, HeaderRegistry
from email.message import EmailMessage, MIMEPart
from email.policy import EmailPolicy
from email.utils import format_datetime
from typing import Any

import css_inline

from sheetmentor.config import EmailConfig
from sheetmentor.errors import ConfigError, UnsafeHeaderError

__all__ = [
    "ICS_FILENAME",
    "MessageTemplate",
    "Outgoing",
    "Pending",
    "UnsafeHeaderError",
    "Unsendable",
    "address",
    "build_message",
    "list_id",
    "message_id_for",
    "parse_address",
]

ICS_FILENAME = "next-meeting.ics"

# Every character str.splitlines() breaks on: a mail client may take any of them for a line end.
_LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")

_INLINER = css_inline.CSSInliner(load_remote_stylesheets=False, keep_link_tags=False)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to send, as the caller means it; :func:`build_message` makes the e-mail.

    ``key`` identifies the message in the ledger for ever, so it must name exactly one message:
    for a personal recap include the recipient (``recap/2026-11-24/ada@example.org``), for a group
    recap the meeting (``recap/2026-11-24/group``). ``html`` is a full document whose ``<style>``
    block is inlined here; ``calendar`` is the bytes of an ``.ics`` file, attached as is.
    """

    key: str
    to: tuple[Address, ...]
    subject: str
    text: str
    html: str | None = None
    calendar: bytes | None = None
    kind: str = "recap"

    def __post_init__(self) -> None:
        if not self.key or self.key != self.key.strip():
            raise ValueError(f"Outgoing.key must be non-empty without outer spaces: {self.key!r}")
        if isinstance(self.to, Address):
            raise TypeError("Outgoing.to is a tuple of Address, not one Address")
        object.__setattr__(self, "to", tuple(self.to))
        if not self.to:
            raise ValueError(f"message {self.key!r} has no recipients")

    @property
    def recipients(self) -> tuple[str, ...]:
        """The envelope recipients (bare addresses), in order."""
        return tuple(a.addr_spec for a in self.to)


@dataclass(frozen=True, slots=True)
class Pending:
    """A message known by its key and recipients before its text exists: ``render`` makes its
    :class:`Outgoing` when it is about to be sent.

    A personal recap holds the whole club, so rendering every member's before the first is sent
    grows with the square of the club; the ledger needs only the keys up front. Delivery renders
    one, sends it and lets it go, so a run holds one message at a time (and none for a message
    sent already)."""

    key: str
    to: tuple[Address, ...]
    kind: str
    render: Callable[[], Outgoing]

    @property
    def recipients(self) -> tuple[str, ...]:
        """The envelope recipients (bare addresses), in order."""
        return tuple(a.addr_spec for a in self.to)

    def outgoing(self) -> Outgoing:
        """The rendered message; it must be the one the ledger planned."""
        made = self.render()
        if (made.key, made.to, made.kind) != (self.key, self.to, self.kind):
            raise ValueError(f"message {self.key!r} rendered with another key or recipients")
        return made


@dataclass(frozen=True, slots=True)
class Unsendable:
    """A message that cannot be built for a recipient (a line break in the name, an address
    that is not one, an address two members share): recorded as failed, and only that one."""

    key: str
    recipients: tuple[str, ...]
    reason: str
    kind: str = "recap"


class _HeaderClasses(HeaderRegistry):
    """The standard header registry, but each header class is made once: the stock one builds a
    new class with ``type()`` for every header of every message, a third of the time it takes to
    build a recap."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        if key not in self._made:
            self._made[key] = super().__getitem__(name)
        return self._made[key]


_FOLDED: dict[tuple[object, ...], bytes] = {}
_FOLDED_MAX = 4096


class _Policy(EmailPolicy):
    """``email.policy.default`` that remembers how it folded a header: most headers of a
    mailing's messages are the same in every message (From, List-Id, each part's Content-Type
    and Content-Transfer-Encoding, the .ics part's), and refolding them was most of the time
    spent serialising a message. A header's fold depends only on the policy's line settings and
    the header's class, name and text (its parse tree is parsed from that text), so those are
    the key; the memory is bounded (cleared when full)."""

    def fold_binary(self, name: str, value: Any) -> bytes:
        if not hasattr(value, "name"):
            return super().fold_binary(name, value)
        key = (
            self.linesep,
            self.max_line_length,
            self.utf8,
            self.cte_type,
            self.refold_source,
            type(value),
            name,
            str(value),
        )
        folded = _FOLDED.get(key)
        if folded is None:
            if len(_FOLDED) >= _FOLDED_MAX:
                _FOLDED.clear()
            folded = _FOLDED[key] = super().fold_binary(name, value)
        return folded


MESSAGE_POLICY = _Policy(header_factory=_HeaderClasses())
"""``email.policy.default`` with cached header classes; :mod:`sheetmentor.outbound.transport`
derives the
wire policies from it."""


def _check_header(header: str, value: str, what: str = "") -> str:
    """Return ``value`` if it holds no line break, else raise naming the header."""
    if any(ch in _LINE_BREAKS for ch in value):
        part = f" ({what})" if what else ""
        raise UnsafeHeaderError(
            f"refusing to build a message: the {header} header{part} would contain a line break "
            f"(CR or LF): {value!r}"
        )
    return value


def address(name: str, email: str, *, header: str = "To") -> Address:
    """An :class:`Address` from a display name and a bare e-mail, as a sheet row gives them.

    Prefer this to ``Address(name, email)``, whose second positional argument is the *user name*
    part, not the address. A line break in either part raises :class:`UnsafeHeaderError`.
    """
    _check_header(header, name, "display name")
    _check_header(header, email, "address")
    email = email.strip()
    local, at, domain = email.rpartition("@")
    if not at or not local or not domain or any(ch.isspace() for ch in email):
        raise ValueError(f"{email!r} is not an e-mail address")
    if local.isascii():
        return Address(display_name=name.strip(), addr_spec=email)
    # The parser refuses a non-ASCII local part (RFC 6531 allows it where the server offers
    # SMTPUTF8): build it from its parts; the transport checks the server at send time.
    return Address(display_name=name.strip(), username=local, domain=domain)


def parse_address(text: str, *, setting: str = "email.from") -> Address:
    """Parse one ``Name <user@domain>`` (or bare address) from the config.

    Raises :class:`ConfigError` naming ``setting`` when the text is not exactly one address.
    """
    if any(ch in _LINE_BREAKS for ch in text):
        raise ConfigError(f"{setting}: contains a line break: {text!r}")
    parsed = MESSAGE_POLICY.header_factory("To", text)
    addresses = parsed.addresses
    if len(addresses) != 1 or parsed.defects or "@" not in addresses[0].addr_spec:
        raise ConfigError(
            f'{setting}: "{text}" is not one e-mail address like "Club <club@example.org>"'
        )
    found = addresses[0]
    if not found.username or not found.domain:
        raise ConfigError(f'{setting}: "{text}" has no user@domain part')
    return found


def slugify(text: str) -> str:
    """``Personal Branding Club`` → ``personal-branding-club`` (ASCII, for List-Id)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "club"


def message_id_for(club_name: str, key: str, domain: str) -> str:
    """The deterministic Message-ID of the message ``key`` of ``club_name``.

    The same club and key give the same ID on every run and every machine, so a message sent again
    after an interrupted run carries the ID of the first copy and a receiver can drop it.
    """
    digest = hashlib.sha256(f"{club_name}\x00{key}".encode()).hexdigest()[:32]
    return f"<{digest}.sheetmentor@{domain}>"


def list_id(club_name: str, domain: str) -> str:
    """``Club Name <club-name.sheetmentor.example.org>``.

    RFC 2919 wants the List-Id under a domain the list owner controls: the sender's.
    """
    phrase = re.sub(r'[<>"]', "", club_name).strip()
    return f"{phrase} <{slugify(club_name)}.sheetmentor.{domain}>"


def build_message(
    outgoing: Outgoing,
    email_config: EmailConfig,
    club_name: str,
    *,
    message_id: str | None = None,
    date: dt.datetime | None = None,
) -> EmailMessage:
    """Build the e-mail for ``outgoing`` from the club's ``email`` settings.

    ``message_id`` overrides the deterministic ID (the delivery loop passes the one the ledger
    recorded at the first attempt, so a resend keeps it even if ``email.from`` changed since);
    ``date`` defaults to now. Raises :class:`UnsafeHeaderError` if a header value holds a line
    break, :class:`ConfigError` if ``email.from`` or ``email.reply_to`` is not an address. A
    mailing of many messages builds them from one :class:`MessageTemplate` instead.
    """
    template = MessageTemplate.prepare(email_config, club_name)
    return template.build(outgoing, message_id=message_id, date=date)


@dataclass(frozen=True)
class MessageTemplate:
    """What every message of a mailing shares, parsed and built once: the sender and Reply-To
    addresses and the calendar attachment's MIME part (each member gets the same .ics).
    Building those per message was about a fifth of the time a recap took to build."""

    email_config: EmailConfig
    club_name: str
    sender: Address
    reply_to: Address | None
    _calendars: dict[bytes, MIMEPart] = field(default_factory=dict, repr=False)

    @classmethod
    def prepare(cls, email_config: EmailConfig, club_name: str) -> MessageTemplate:
        """Parse the addresses of ``email_config``; :class:`ConfigError` names a bad one."""
        sender = parse_address(email_config.sender, setting="email.from")
        reply_to = (
            parse_address(email_config.reply_to, setting="email.reply_to")
            if email_config.reply_to
            else None
        )
        return cls(email_config, club_name, sender, reply_to)

    def build(
        self,
        outgoing: Outgoing,
        *,
        message_id: str | None = None,
        date: dt.datetime | None = None,
    ) -> EmailMessage:
        """The e-mail for ``outgoing`` (see :func:`build_message`)."""
        club_name = self.club_name
        for recipient in outgoing.to:
            _check_header("To", recipient.display_name, "display name")
            _check_header("To", recipient.addr_spec, "address")
        _check_header("Subject", outgoing.subject)
        _check_header("X-Sheetmentor-Key", outgoing.key)
        _check_header("List-Id", club_name, "club name")

        message = EmailMessage(policy=MESSAGE_POLICY)
        message["From"] = self.sender
        message["To"] = outgoing.to
        if self.reply_to is not None:
            message["Reply-To"] = self.reply_to
        message["Subject"] = outgoing.subject
        message["Date"] = format_datetime(date or dt.datetime.now(dt.UTC))
        message["Message-ID"] = message_id or message_id_for(
            club_name, outgoing.key, self.sender.domain
        )
        message["List-Id"] = list_id(club_name, self.sender.domain)
        message["Auto-Submitted"] = "auto-generated"
        message["X-Auto-Response-Suppress"] = "OOF, AutoReply"
        message["X-Sheetmentor-Key"] = outgoing.key

        message.set_content(outgoing.text)
        if outgoing.html is not None:
            message.add_alternative(_INLINER.inline(outgoing.html), subtype="html")
        if outgoing.calendar is not None:
            message.make_mixed()
            message.attach(self._calendar(outgoing.calendar))
        _set_boundaries(message)
        return message

    def _calendar(self, calendar: bytes) -> MIMEPart:
        """The attachment part of ``calendar``, made once per mailing and shared by its
        messages (serialising a part does not change it)."""
        part = self._calendars.get(calendar)
        if part is None:
            part = MIMEPart(policy=MESSAGE_POLICY)
            part.set_content(
                calendar,
                maintype="text",
                subtype="calendar",
                disposition="attachment",
                filename=ICS_FILENAME,
                params={"method": "PUBLISH", "charset": "utf-8"},
            )
            self._calendars[calendar] = part
        return part


def _set_boundaries(message: EmailMessage) -> None:
    """Give each multipart part a random boundary that no part's encoded body contains. Left to
    the standard library, serialising compiles a new regular expression per boundary to check
    that, a fifth of a message's serialisation."""
    multiparts = [part for part in message.walk() if part.is_multipart()]
    if not multiparts:
        return
    bodies = [part.get_payload() for part in message.walk() if not part.is_multipart()]
    for part in multiparts:
        while True:
            boundary = f"=_sm_{secrets.token_hex(16)}"
            if not any(boundary in body for body in bodies if isinstance(body, str)):
                break
        part.set_boundary(boundary)
