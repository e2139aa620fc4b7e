"""Post club-level messages (agenda, recap, nudge) to Slack, Discord and Microsoft Teams.

Use it like this::

    message = ChatMessage(kind="recap", date=dt.date(2026, 12, 8), title="Recap of Dec 8",
                          sections=[Section("Ada Okonkwo", ["- Rewrite CV: done"], member="Ada")])
    outcomes = post_to_chats(config, message, member_ids={"slack": {"Ada": "U024BE7LH"}})
    raise_for_outcomes(outcomes)       # ChatRefused (exit 1) / ChatUnavailable (exit 3)

What it guarantees
------------------
* **Fits the platform, never cut.** Each platform has its own payload builder
  (:func:`slack_payloads`, :func:`discord_payloads`, :func:`teams_payloads`) that keeps every
  field inside the platform's documented limits. Content that does not fit is split into more
  blocks, embeds or messages — at section boundaries first, then at line boundaries, then (for a
  single line longer than a whole block) between words — and nothing is dropped: concatenating
  the parts gives back every word in order. A title too long for a header is shortened there
  and given in full as the first line of the body.
* **Sheet text is data.** Slack's ``&``, ``<`` and ``>`` are escaped (a goal called
  ``<!channel>`` pings no one); Discord's markdown characters are backslashed (a cell cannot
  make a masked link) and its posts carry ``allowed_mentions`` naming only the members we mean
  to mention (``@everyone`` in a cell stays text). Adaptive Card markdown has no escape, so
  Teams cards carry every line as a ``TextRun`` in a ``RichTextBlock``, which Teams shows as it
  is: no link, list or bold from a cell. Teams cards name members.
* **Keys for a ledger.** :func:`plan_chat_posts` gives every message to send, with its key,
  before anything is sent; :func:`send_chat_posts` sends them (:func:`post_to_chats` does both).
  Every post has a deterministic key, ``chat/slack/recap/2026-12-08``;
  a post split into several messages has one outcome per part (``…/part-2-of-3``) so a ledger
  can record each, pass the parts already sent as ``skip_keys`` on the next run, and never post
  a part twice or skip one. Incoming webhooks take no idempotency key, so each outcome also
  carries a digest of the payload, and for Discord (posted with ``?wait=true``) the ID of the
  message Discord created, which a later run can look up.
* **Retries within a budget.** A 429 is retried after the wait the platform asks for — Slack's
  and Teams' ``Retry-After`` header, Discord's ``retry_after`` body field (seconds) or its
  ``X-RateLimit-Reset-After`` header — and a 5xx after an exponential backoff with jitter, as
  long as the total wait of the run stays within ``chat.retry_budget``. A refused connection or
  an unknown host fails at once (no retry can help within a run). A request that timed out
  after it was sent is not repeated (the platform may have posted it): it is reported as a
  temporary failure, ``in_doubt``.
* **The webhook URL is a secret.** It is read from the environment variable named in the
  config and never appears in an exception, a log record (``urllib3``'s debug lines included,
  see :class:`_RedactSecrets`) or an outcome: only :func:`redact_url`'s ``https://host/…``.

Errors: a missing variable or a URL that is not a URL is a :class:`ConfigError` (exit 2), before
anything is posted. Per-post trouble is *returned* as :class:`ChatOutcome`\\ s (``accepted``,
``failed-permanently``, ``failed-temporarily``, ``skipped``); :func:`raise_for_outcomes` turns
them into :class:`ChatRefused` (exit 1, a platform said no for good) or :class:`ChatUnavailable`
(exit 3, a platform was unreachable or kept failing).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import random
import re
import time
import urllib.parse
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal, TypeVar

import requests

from sheetmentor.config import ChatConfig, ChatKind, Config, is_loopback
from sheetmentor.errors import ChatMentionError, ChatRefused, ChatUnavailable, ConfigError
from sheetmentor.i18n import _
from sheetmentor.retry_after import retry_after_seconds
from sheetmentor.words import plural

__all__ = [
    "PLATFORMS",
    "ChatMessage",
    "ChatOutcome",
    "ChatPost",
    "PostAnswer",
    "Section",
    "Webhook",
    "WebhookPoster",
    "chat_key",
    "discord_payloads",
    "plan_chat_posts",
    "post_to_chats",
    "raise_for_outcomes",
    "redact_url",
    "send_chat_posts",
    "slack_payloads",
    "teams_payloads",
    "webhooks_from_config",
]

log = logging.getLogger("sheetmentor.outbound.chat")

_T = TypeVar("_T")

Platform = Literal["slack", "discord", "teams"]
PLATFORMS: tuple[Platform, ...] = ("slack", "discord", "teams")
Status = Literal["accepted", "failed-permanently", "failed-temporarily", "skipped"]

# Slack Block Kit: https://api.slack.com/reference/block-kit/blocks
SLACK_HEADER_MAX = 150
SLACK_SECTION_MAX = 3000
SLACK_BLOCKS_MAX = 50
SLACK_TEXT_MAX = 40_000
SLACK_MESSAGE_CHARS = 12_000
"""Block text per message: well under Slack's limits, short enough to read in one screen."""

# Discord execute-webhook / embed limits: https://discord.com/developers/docs/resources/message
DISCORD_CONTENT_MAX = 2000
DISCORD_TITLE_MAX = 256
DISCORD_DESCRIPTION_MAX = 4096
DISCORD_EMBEDS_MAX = 10
DISCORD_EMBEDS_TOTAL_MAX = 6000

# Teams: "The message size limit is 28 KB"; clients report failures from about 21 KB, so stay
# under 20 KB of JSON.
TEAMS_PAYLOAD_BYTES = 20_000
TEAMS_TITLE_MAX = 256
TEAMS_TEXT_BYTES = 4_000
"""One TextBlock's text, as UTF-8 JSON: a split section stays readable in one block."""

HEADING_MAX = 200
"""Longest section heading shown as such; a longer one is shortened and repeated in full."""

_SLACK_ID = re.compile(r"[UW][A-Z0-9]{2,}")
_DISCORD_ID = re.compile(r"\d{15,21}")


# --- the message ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Section:
    """A part of a message: a heading and lines of plain text (sheet text, never markup).

    A line that starts with ``- `` is a bullet. ``member`` names the member the section is
    about: where the caller gives that member's chat ID, the section mentions them.
    """

    heading: str
    lines: Sequence[str] = ()
    member: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.lines, str):
            raise TypeError("Section.lines is a sequence of lines, not one string")
        lines: list[str] = []
        for line in self.lines:
            lines.extend(str(line).splitlines() or [""])
        object.__setattr__(self, "lines", tuple(lines))


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One club-level message; each platform's builder turns it into one or more payloads."""

    kind: ChatKind
    date: dt.date
    title: str
    sections: Sequence[Section] = ()
    intro: Sequence[str] = ()
    """Lines before the first section."""

    def __post_init__(self) -> None:
        if self.kind not in ("agenda", "recap", "nudge"):
            raise ValueError(f"ChatMessage.kind must be agenda, recap or nudge, not {self.kind!r}")
        object.__setattr__(self, "sections", tuple(self.sections))
        object.__setattr__(self, "intro", Section("", self.intro).lines)
        if not self.title.strip():
            raise ValueError("ChatMessage.title is empty")


def chat_key(platform: str, kind: str, date: dt.date) -> str:
    """The ledger key of a post: ``chat/slack/recap/2026-12-08``."""
    return f"chat/{platform}/{kind}/{date.isoformat()}"


def part_key(key: str, part: int, parts: int) -> str:
    """The key of one message of a post split in ``parts`` (the post's key when it is whole)."""
    return key if parts == 1 else f"{key}/part-{part}-of-{parts}"


# --- splitting -----------------------------------------------------------------------------

_TOKENS = re.compile(r"\S+\s*|\s+")


def _pieces(text: str, limit: int, measure: Callable[[str], int]) -> list[str]:
    """Split ``text`` into pieces that each measure at most ``limit``, between words where it
    can (inside a word only when the word alone is too long). The pieces concatenate to
    ``text``; ``measure`` must be additive (it is a per-character escape or byte count)."""
    if measure(text) <= limit:
        return [text]
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for token in _TOKENS.findall(text):
        width = measure(token)
        if width > limit:
            if current:
                pieces.append("".join(current))
                current, size = [], 0
            for char in token:
                char_width = measure(char)
                if size + char_width > limit:
                    pieces.append("".join(current))
                    current, size = [], 0
                current.append(char)
                size += char_width
            continue
        if size + width > limit:
            pieces.append("".join(current))
            current, size = [], 0
        current.append(token)
        size += width
    if current:
        pieces.append("".join(current))
    return pieces


@dataclass(slots=True)
class _Chunk:
    """A run of rendered lines under one heading that fits one block / embed / TextBlock."""

    heading: str
    member: str | None
    lines: list[str]
    continued: bool
    size: int


def _chunks(
    sections: Iterable[Section],
    *,
    limit: int,
    measure: Callable[[str], int],
    render: Callable[[str], str],
    joiner: str,
) -> Iterator[_Chunk]:
    """Cut every section into chunks whose joined, rendered lines measure at most ``limit``.

    ``render`` escapes one piece of sheet text for the platform; it must keep ``measure``
    additive (``measure(render(a + b)) == measure(render(a)) + measure(render(b))``).
    """
    join_width = measure(joiner)

    def rendered_width(text: str) -> int:
        return measure(render(text))

    for section in sections:
        heading = " ".join(section.heading.split())
        lines = list(section.lines)
        if rendered_width(heading) > HEADING_MAX:
            lines.insert(0, heading)
            heading_room = HEADING_MAX - rendered_width("…")
            heading = _pieces(heading, heading_room, rendered_width)[0].rstrip() + "…"
        chunk = _Chunk(heading, section.member, [], False, 0)
        for line in lines:
            bullet = line.startswith("- ")
            text = line[2:] if bullet else line
            prefix = "• " if bullet else ""
            room = limit - measure(prefix)
            for number, piece in enumerate(_pieces(text, room, rendered_width)):
                rendered = (prefix if number == 0 else "") + render(piece)
                width = measure(rendered)
                extra = width + (join_width if chunk.lines else 0)
                if chunk.lines and chunk.size + extra > limit:
                    yield chunk
                    chunk = _Chunk(heading, section.member, [], True, 0)
                    extra = width
                chunk.lines.append(rendered)
                chunk.size += extra
        if not any(line.strip() for line in chunk.lines):
            chunk.lines = []  # blank lines alone carry nothing, and platforms refuse empty text
        if chunk.heading or chunk.lines:
            yield chunk


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _part_marker(part: int, parts: int) -> str:
    """ " (part 2 of 3)", in the club's language: ours, never escaped."""
    return " (" + _("part %(part)s of %(parts)s") % {"part": part, "parts": parts} + ")"


def _continued() -> str:
    """ " (continued)" after the heading of a section split over messages."""
    return " (" + _("continued") + ")"


def _part_title(
    title: str, part: int, parts: int, limit: int, escape: Callable[[str], str] = str
) -> str:
    """The title of one message of ``parts``: shortened to fit ``limit`` with its marker, the
    sheet's text escaped, ours (the marker) not."""
    marker = _part_marker(part, parts) if parts > 1 else ""
    return escape(_shorten(title, limit - len(marker))) + marker


def _title_lines(message: ChatMessage, limit: int) -> list[str]:
    """Intro lines, led by the full title when a header might have to shorten it (the part
    count is not known yet, so room is kept for the longest marker)."""
    full = " ".join(message.title.split())
    marker_room = len(_part_marker(99999, 99999))
    lead = [full] if len(full) > limit - marker_room else []
    return lead + list(message.intro)


def _all_sections(message: ChatMessage, title_limit: int) -> list[Section]:
    intro = _title_lines(message, title_limit)
    head = [Section("", intro)] if intro else []
    return head + list(message.sections)


def _normal(name: str) -> str:
    return " ".join(name.split()).casefold()


def _checked_ids(platform: Platform, ids: Mapping[str, str] | None) -> dict[str, str]:
    """Member name (normalized) → chat ID, each ID checked so sheet text cannot inject markup."""
    pattern = {"slack": _SLACK_ID, "discord": _DISCORD_ID}.get(platform)
    checked: dict[str, str] = {}
    for name, raw in (ids or {}).items():
        value = str(raw).strip()
        if not value:
            continue
        if pattern is None or not pattern.fullmatch(value):
            example = "U024BE7LH" if platform == "slack" else "80351110224678912"
            raise ChatMentionError(
                f'Members: the {platform.title()} ID of {name} is "{value}", which is not a '
                f"{platform.title()} user ID (like {example})"
            )
        checked[_normal(name)] = value
    return checked


def _pack(sized: Iterable[tuple[_T, int]], *, max_items: int, max_size: int) -> list[list[_T]]:
    """Group items, in order, into messages of at most ``max_items`` items and ``max_size`` in
    total (an item alone may reach ``max_size``: the chunks were cut to fit)."""
    groups: list[list[_T]] = [[]]
    size = 0
    for item, width in sized:
        if groups[-1] and (len(groups[-1]) >= max_items or size + width > max_size):
            groups.append([])
            size = 0
        groups[-1].append(item)
        size += width
    return groups


@dataclass(frozen=True, slots=True)
class _Layout:
    """How one platform cuts and packs a message: the longest header title, the longest text
    of one block (as ``measure`` counts it, after ``render`` escapes it), what joins lines, and
    how many blocks and how much text one message holds."""

    title_max: int
    block_max: int
    measure: Callable[[str], int]
    render: Callable[[str], str]
    joiner: str
    blocks_per_message: int
    text_per_message: int


def _laid_out(
    message: ChatMessage, layout: _Layout, make: Callable[[_Chunk], tuple[_T, int]]
) -> list[list[_T]]:
    """``message`` cut into chunks, each made into a platform block, packed into messages."""
    chunks = _chunks(
        _all_sections(message, layout.title_max),
        limit=layout.block_max,
        measure=layout.measure,
        render=layout.render,
        joiner=layout.joiner,
    )
    return _pack(
        map(make, chunks),
        max_items=layout.blocks_per_message,
        max_size=layout.text_per_message,
    )


# --- Slack ---------------------------------------------------------------------------------


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_SLACK = _Layout(
    title_max=SLACK_HEADER_MAX,
    block_max=SLACK_SECTION_MAX - HEADING_MAX - 60,  # room for the bold heading and a mention
    measure=len,
    render=_slack_escape,
    joiner="\n",
    blocks_per_message=SLACK_BLOCKS_MAX - 1,  # and the header
    text_per_message=SLACK_MESSAGE_CHARS,
)


def slack_payloads(
    message: ChatMessage, mentions: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """Slack Block Kit messages for an incoming webhook: a header block, one section block per
    chunk (mrkdwn, at most 3,000 characters), at most 50 blocks and about 12,000 characters a
    message, and a ``text`` fallback (the title) for notifications. ``mentions`` maps member
    names to Slack user IDs (``U024BE7LH``)."""
    ids = _checked_ids("slack", mentions)

    def block(chunk: _Chunk) -> tuple[dict[str, Any], int]:
        head = ""
        if chunk.heading:
            head = f"*{_slack_escape(chunk.heading)}*" + (_continued() if chunk.continued else "")
            member_id = ids.get(_normal(chunk.member or ""))
            if member_id and not chunk.continued:
                head += f" <@{member_id}>"
        text = "\n".join([head, *chunk.lines] if head else chunk.lines)
        return {"type": "section", "text": {"type": "mrkdwn", "text": text}}, len(text)

    groups = _laid_out(message, _SLACK, block)
    parts = len(groups)
    payloads = []
    for number, blocks in enumerate(groups, 1):
        title = _part_title(message.title, number, parts, SLACK_HEADER_MAX)
        header = {"type": "header", "text": {"type": "plain_text", "text": title, "emoji": True}}
        payloads.append({"text": _slack_escape(title), "blocks": [header, *blocks]})
    return payloads


# --- Discord -------------------------------------------------------------------------------

_DISCORD_MARKUP = re.compile(r"([\\*_~`|>#\[\]()])")


def _discord_escape(text: str) -> str:
    """Backslash Discord's markdown characters, so sheet text cannot bold, quote or make a
    masked link (``[text](url)``)."""
    return _DISCORD_MARKUP.sub(r"\\\1", text)


_DISCORD = _Layout(
    title_max=DISCORD_TITLE_MAX,
    block_max=DISCORD_DESCRIPTION_MAX,
    measure=len,
    render=_discord_escape,
    joiner="\n",
    blocks_per_message=DISCORD_EMBEDS_MAX,
    text_per_message=DISCORD_EMBEDS_TOTAL_MAX,
)


def discord_payloads(
    message: ChatMessage, mentions: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """Discord execute-webhook bodies: the title (and the mentions of the members in that
    message, which only ``content`` can make ping) in ``content``, one embed per chunk (title
    ≤ 256, description ≤ 4,096), at most 10 embeds and 6,000 embed characters a message.
    ``allowed_mentions`` lets only those members be pinged. ``mentions`` maps member names to
    Discord user IDs."""
    ids = _checked_ids("discord", mentions)

    def embed(chunk: _Chunk) -> tuple[tuple[dict[str, Any], str | None], int]:
        made: dict[str, Any] = {}
        if chunk.lines:
            made["description"] = "\n".join(chunk.lines)
        if chunk.heading:
            suffix = _continued() if chunk.continued else ""
            made["title"] = _discord_escape(chunk.heading) + suffix  # fits: see HEADING_MAX
        width = len(made.get("description", "")) + len(made.get("title", ""))
        member_id = None if chunk.continued else ids.get(_normal(chunk.member or ""))
        return (made, member_id), width

    groups = _laid_out(message, _DISCORD, embed)
    parts = len(groups)
    payloads = []
    for number, group in enumerate(groups, 1):
        users = list(dict.fromkeys(member for _, member in group if member))
        title = _part_title(message.title, number, parts, DISCORD_TITLE_MAX, _discord_escape)
        content = f"**{title}**"
        if users:
            content += "\n" + " ".join(f"<@{u}>" for u in users)
        payloads.append(
            {
                "content": content,
                "embeds": [embed for embed, _ in group],
                "allowed_mentions": {"parse": [], "users": users},
            }
        )
    return payloads


# --- Microsoft Teams -----------------------------------------------------------------------


_JSON_AS_IS = re.compile(r'[^"\\\x00-\x1f\x7f\u2028\u2029]*')
"""Characters JSON writes as they are (no escape), so they take their UTF-8 bytes."""


def _json_bytes(text: str) -> int:
    """Bytes ``text`` takes inside a JSON string (UTF-8); additive, as :func:`_chunks` needs."""
    if _JSON_AS_IS.fullmatch(text):
        return len(text.encode())
    return len(json.dumps(text, ensure_ascii=False).encode()) - 2


_TEAMS = _Layout(
    title_max=TEAMS_TITLE_MAX,
    block_max=TEAMS_TEXT_BYTES,
    measure=_json_bytes,
    render=str,
    joiner="\n\n",
    blocks_per_message=TEAMS_PAYLOAD_BYTES,  # bounded by size alone
    text_per_message=TEAMS_PAYLOAD_BYTES - 2_000,  # the title and the card's own JSON
)


def _teams_text(text: str, *, spacing: str | None = None, **style: str) -> dict[str, Any]:
    """A paragraph shown as written: a ``TextRun`` (a plain string is one) takes no markdown,
    where a ``TextBlock`` would turn ``[text](url)`` from a cell into a disguised link."""
    run: str | dict[str, str] = {"type": "TextRun", "text": text, **style} if style else text
    block: dict[str, Any] = {"type": "RichTextBlock", "inlines": [run]}
    if spacing:
        block["spacing"] = spacing
    return block


def teams_payloads(message: ChatMessage) -> list[dict[str, Any]]:
    """Adaptive Cards (version 1.4) in the envelope a Teams Workflows webhook expects, each
    under 20 KB of JSON (Teams refuses messages over about 28 KB). Teams' ``<at>`` mentions
    need Entra IDs, which the sheet does not have, so members are named, not mentioned."""

    def items(chunk: _Chunk) -> tuple[list[dict[str, Any]], int]:
        made: list[dict[str, Any]] = []
        if chunk.heading:
            suffix = _continued() if chunk.continued else ""
            made.append(_teams_text(chunk.heading + suffix, spacing="Medium", weight="Bolder"))
        made.extend(_teams_text(line) for line in chunk.lines if line)
        return made, sum(len(json.dumps(item, ensure_ascii=False).encode()) + 1 for item in made)

    packed = _laid_out(message, _TEAMS, items)
    groups = [[item for made in group for item in made] for group in packed]
    parts = len(groups)
    payloads = []
    for number, body in enumerate(groups, 1):
        title = _teams_text(
            _part_title(message.title, number, parts, TEAMS_TITLE_MAX),
            size="Large",
            weight="Bolder",
        )
        card = {
            "type": "AdaptiveCard",
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "version": "1.4",
            "body": [title, *body],
            "msteams": {"width": "Full"},
        }
        payloads.append(
            {
                "type": "message",
                "attachments": [
                    {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
                ],
            }
        )
    return payloads


# --- secrets -------------------------------------------------------------------------------


def redact_url(url: str) -> str:
    """What may be shown of a webhook URL: scheme and host, ``https://hooks.slack.com/…``."""
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or "?"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(webhook URL)"
    return f"{parts.scheme}://{host}{port}/…"


_SECRETS: set[str] = set()
"""Every webhook URL this process was given, and its secret-bearing pieces."""


_ROUTE_WORDS = frozenset(
    {"services", "api", "webhooks", "workflows", "triggers", "manual", "paths", "invoke", "run"}
)
"""The platforms' public route words in a webhook path; every other segment may be a secret."""
_SHORTEST_SECRET = 4
"""Shorter pieces are not worth a guess, and scrubbing them would garble every message."""


def _register_secret(url: str) -> None:
    """Every piece of ``url`` beyond the host is a secret: each path segment but the platforms'
    route words, and each query value (encoded or not), whatever characters it holds — a token
    without a digit is a token too."""
    parts = urllib.parse.urlsplit(url)
    pieces = {url, parts.path, f"{parts.path}?{parts.query}" if parts.query else parts.path}
    if parts.query:
        pieces.add(parts.query)
    for segment in parts.path.split("/"):
        if segment.lower() not in _ROUTE_WORDS:
            pieces.update({segment, urllib.parse.unquote(segment)})
    for _name, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True):
        pieces.update({value, urllib.parse.quote(value, safe=""), urllib.parse.quote_plus(value)})
    _SECRETS.update(piece for piece in pieces if len(piece) >= _SHORTEST_SECRET)


def _scrub(text: str) -> str:
    for secret in sorted(_SECRETS, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, "…")
    return text


class _RedactSecrets(logging.Filter):
    """Scrubs webhook URLs from the records of the loggers that could print one (urllib3 logs
    every request line at DEBUG, path and query included)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _SECRETS:
            text = record.getMessage()
            scrubbed = _scrub(text)
            if scrubbed != text:
                record.msg, record.args = scrubbed, None
        return True


def _install_redaction() -> None:
    redact = _RedactSecrets()
    for name in (
        "urllib3.connectionpool",
        "urllib3.util.retry",
        "requests",
        "sheetmentor.outbound.chat",
    ):
        logging.getLogger(name).addFilter(redact)


_install_redaction()


# --- config --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Webhook:
    """A platform and its URL; ``repr`` and ``str`` show only :func:`redact_url`."""

    platform: Platform
    url: str = field(repr=False)

    def __post_init__(self) -> None:
        _register_secret(self.url)

    def __str__(self) -> str:
        return f"{self.platform} webhook {redact_url(self.url)}"

    def __repr__(self) -> str:
        return f"Webhook({self.platform!r}, {redact_url(self.url)!r})"


def webhooks_from_config(
    chat: ChatConfig, environ: Mapping[str, str] | None = None
) -> list[Webhook]:
    """Each configured platform's webhook, its URL read from the variable ``webhook_env`` names.

    Raises :class:`ConfigError` (exit 2) naming the variable when it is unset or does not hold an
    ``https://`` URL (plain ``http://`` only to this machine, for tests); the value is never
    shown.
    """
    environ = os.environ if environ is None else environ
    hooks = []
    for platform in PLATFORMS:
        settings = getattr(chat, platform)
        if settings is None:
            continue
        name = settings.webhook_env
        setting = f"chat.{platform}.webhook_env"
        url = environ.get(name, "").strip()
        if not url:
            raise ConfigError(
                f"the environment variable {name} ({setting}) is not set; it must hold the "
                f"{platform.title()} webhook URL"
            )
        try:
            parts = urllib.parse.urlsplit(url)
            host = parts.hostname or ""
        except ValueError:
            parts, host = None, ""
        secure = parts is not None and (
            parts.scheme == "https" or (parts.scheme == "http" and is_loopback(host))
        )
        if not secure or not host:
            raise ConfigError(
                f"the environment variable {name} ({setting}) does not hold an https:// webhook "
                f"URL (its value is not shown: it is a secret)"
            )
        hooks.append(Webhook(platform, url))
    return hooks


# --- posting -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChatOutcome:
    """What happened to one message of one post; what a ledger records.

    ``status``: ``accepted`` (the platform took it), ``failed-permanently`` (it refused; posting
    again will not help until the cause is fixed), ``failed-temporarily`` (unreachable, 5xx or
    429 past the budget; the next run posts it), ``skipped`` (in ``skip_keys``: already sent).
    ``in_doubt``: the request timed out after it was sent, so the platform may have posted it.
    """

    key: str
    part_key: str
    platform: Platform
    part: int
    parts: int
    status: Status
    detail: str
    http_status: int | None = None
    error: str | None = None
    """The platform's own name for the refusal: ``channel_not_found``, ``10015``…"""
    remote_id: str | None = None
    """The ID of the message the platform created, where it says (Discord)."""
    digest: str = ""
    """SHA-256 (first 16 hex digits) of the payload: the same content gives the same digest."""
    attempts: int = 0
    in_doubt: bool = False

    @property
    def ok(self) -> bool:
        return self.status in ("accepted", "skipped")


@dataclass(slots=True)
class PostAnswer:
    """What one :meth:`WebhookPoster.post` got: the makings of a :class:`ChatOutcome`."""

    status: Status
    detail: str
    http_status: int | None = None
    error: str | None = None
    remote_id: str | None = None
    attempts: int = 0
    in_doubt: bool = False
    stop: bool = False
    """Post nothing more to this webhook in this run: it is unreachable, gone, or out of
    budget."""


SLACK_ERRORS = {
    "invalid_payload": "the message is not valid JSON or not a Slack message",
    "invalid_blocks": "a block is not valid Block Kit",
    "invalid_blocks_format": "the blocks are not a list of blocks",
    "no_text": "the message has no text",
    "too_many_attachments": "the message has too many attachments",
    "msg_too_long": "the message is too long",
    "user_not_found": "a mentioned user does not exist",
    "action_prohibited": "the workspace does not allow this webhook to post here",
    "posting_to_general_channel_denied": "only admins may post to this channel",
    "channel_not_found": "the webhook's channel no longer exists; create a new webhook",
    "channel_is_archived": "the webhook's channel is archived",
    "no_service": "the webhook is disabled, removed or wrong; create a new incoming webhook",
    "no_service_id": "the webhook URL is wrong (no such service)",
    "no_team": "the webhook URL is wrong (no such workspace)",
    "team_disabled": "the workspace is disabled",
    "invalid_token": "the webhook URL's token is wrong",
    "rollup_error": "Slack had an internal error",
}
_SLACK_WEBHOOK_GONE = {
    "action_prohibited", "posting_to_general_channel_denied", "channel_not_found",
    "channel_is_archived", "no_service", "no_service_id", "no_team", "team_disabled",
    "invalid_token",
}  # fmt: skip

DISCORD_ERRORS = {
    0: "general error (a malformed request body)",
    10003: "Unknown Channel: the webhook's channel was deleted",
    10015: "Unknown Webhook: the webhook was deleted or its URL is wrong; create a new one",
    40005: "Request entity too large",
    50006: "Cannot send an empty message",
    50013: "Missing Permissions",
    50027: "Invalid Webhook Token: the webhook URL's token is wrong",
    50035: "Invalid Form Body",
}
_DISCORD_WEBHOOK_GONE = {10003, 10015, 50013, 50027}

TEAMS_ERRORS = {
    "InvalidRequestContent": "the request is not JSON the workflow accepts",
    "TriggerInputSchemaMismatch": "the card does not match the workflow's input schema",
    "DirectApiAuthorizationRequired": "the workflow does not accept anonymous posts "
    '(set "Who can trigger the flow" to "Anyone")',
    "DirectApiInvalidAuthorizationSignature": "the webhook URL's sig= signature is wrong",
    "WorkflowNotFound": "the workflow was deleted or its URL is wrong",
    "WorkflowTriggerIsNotEnabled": "the workflow is turned off; turn it on in Teams",
    "MessageSizeTooBig": "the card is larger than Teams accepts (about 28 KB)",
}

_NAMES = {"slack": "Slack", "discord": "Discord", "teams": "Teams"}


def _seconds(value: Any) -> float | None:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds if seconds >= 0 and seconds == seconds and seconds != float("inf") else None


def _retry_after(platform: Platform, response: requests.Response) -> float | None:
    """The wait a 429 asks for: Discord's ``retry_after`` body (seconds) or its
    ``X-RateLimit-Reset-After``, else ``Retry-After`` (seconds or an HTTP date)."""
    if platform == "discord":
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and _seconds(body.get("retry_after")) is not None:
            return _seconds(body["retry_after"])
        if _seconds(response.headers.get("X-RateLimit-Reset-After")) is not None:
            return _seconds(response.headers["X-RateLimit-Reset-After"])
    return retry_after_seconds(response.headers.get("Retry-After"))


def _flatten_discord(errors: Any, path: str = "") -> list[str]:
    """``{"embeds": {"0": {"title": {"_errors": [{"message": "..."}]}}}}`` →
    ``["embeds.0.title: ..."]``."""
    found: list[str] = []
    if isinstance(errors, dict):
        for item in errors.get("_errors", []) or []:
            if isinstance(item, dict):
                found.append(f"{path or 'body'}: {item.get('message', item.get('code', '?'))}")
        for name, value in errors.items():
            if name != "_errors":
                found.extend(_flatten_discord(value, f"{path}.{name}" if path else str(name)))
    return found


def _refusal(platform: Platform, response: requests.Response) -> tuple[str, str | None, bool]:
    """(what the platform said, its error name, does it refuse the webhook itself), with every
    piece of a webhook URL scrubbed: a platform may echo the token it refuses."""
    said, code, gone = _refusal_as_said(platform, response)
    return _scrub(said), None if code is None else _scrub(code), gone


def _refusal_as_said(
    platform: Platform, response: requests.Response
) -> tuple[str, str | None, bool]:
    status = response.status_code
    text = _scrub(response.text.strip())
    if platform == "slack":
        code = text if re.fullmatch(r"[a-z][a-z0-9_]{1,60}", text) else None
        meaning = SLACK_ERRORS.get(code or "")
        said = f"{code}: {meaning}" if meaning else (_shorten(text, 200) or "no explanation")
        return said, code, code in _SLACK_WEBHOOK_GONE or status in (401, 403, 404, 410)
    try:
        body = response.json()
    except ValueError:
        body = None
    if platform == "discord" and isinstance(body, dict) and isinstance(body.get("code"), int):
        number = body["code"]
        said = DISCORD_ERRORS.get(number) or _scrub(str(body.get("message", "")))
        details = _flatten_discord(body.get("errors"))
        if details:
            said += " (" + "; ".join(details[:3]) + ")"
        gone = number in _DISCORD_WEBHOOK_GONE or status in (401, 403, 404)
        return f"error {number}: {said}", str(number), gone
    if platform == "teams" and isinstance(body, dict) and isinstance(body.get("error"), dict):
        code = str(body["error"].get("code", "")) or None
        meaning = TEAMS_ERRORS.get(code or "") or _scrub(str(body["error"].get("message", "")))
        return f"{code}: {_shorten(meaning, 300)}", code, status in (401, 403, 404, 409)
    said = _shorten(text, 200) if text and "<html" not in text.lower() else response.reason
    return said or "no explanation", None, status in (401, 403, 404, 410)


def _why_unreachable(error: BaseException) -> str:
    """Name a connection failure without the exception's text (requests puts the URL in it)."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ConnectionRefusedError):
            return "connection refused"
        if isinstance(seen, OSError) and seen.__class__.__name__ == "gaierror":
            return "host not found"
        seen = seen.__cause__ or seen.__context__
    if isinstance(error, requests.exceptions.SSLError):
        return "TLS handshake failed"
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return "connection timed out"
    if isinstance(error, requests.exceptions.ProxyError):
        return "the proxy refused the connection"
    return "could not connect"


class WebhookPoster:
    """Posts JSON to webhooks over one shared ``requests.Session``, retrying within a budget.

    ``budget`` bounds the total time one poster (one run) waits on 429s and 5xx; a wait that
    would pass it is not started. ``clock``, ``sleep`` and ``rng`` are injectable so a caller
    can simulate time; tests use the real ones against loopback servers.
    """

    def __init__(
        self,
        session: requests.Session | None = None,
        *,
        timeout: float = 10.0,
        budget: float = 60.0,
        backoff: float = 0.5,
        backoff_cap: float = 16.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.session = session or requests.Session()
        self._own_session = session is None
        self.timeout = timeout
        self.budget = budget
        self.backoff = backoff
        self.backoff_cap = backoff_cap
        self.clock = clock
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.waited = 0.0
        """Seconds spent waiting on rate limits and retries so far."""
        self.requests = 0
        self._not_before: dict[str, float] = {}

    @classmethod
    def from_config(cls, chat: ChatConfig, **kwargs: Any) -> WebhookPoster:
        return cls(
            timeout=chat.timeout.total_seconds(),
            budget=chat.retry_budget.total_seconds(),
            **kwargs,
        )

    def close(self) -> None:
        if self._own_session:
            self.session.close()

    def __enter__(self) -> WebhookPoster:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _wait(self, seconds: float) -> bool:
        """Wait ``seconds`` if the budget allows; False (and no wait) if it does not."""
        if self.waited + seconds > self.budget:
            return False
        if seconds > 0:
            self.sleep(seconds)
            self.waited += seconds
        return True

    def post(
        self,
        webhook: Webhook,
        payload: Mapping[str, Any],
        *,
        before_request: Callable[[], None] | None = None,
        before_retry: Callable[[str], None] | None = None,
    ) -> PostAnswer:
        """One message, retried on 429/5xx within the budget; never raises for HTTP trouble.

        ``before_request`` is called right before each request goes (after any wait), and
        ``before_retry`` with the reason when the platform answered that it did not post the
        message and the poster is about to wait and try again: a ledger records ``sending``
        only while a request may be on its way, so a run killed during a wait has nothing in
        doubt.
        """
        name = _NAMES[webhook.platform]
        where = redact_url(webhook.url)
        url = webhook.url
        if webhook.platform == "discord":
            url = _with_query(url, wait="true")
        body = json.dumps(payload, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        attempt = 0
        while True:
            attempt += 1
            pause = self._not_before.get(webhook.url, 0.0) - self.clock()
            if pause > 0 and not self._wait(pause):
                return PostAnswer(
                    "failed-temporarily",
                    f"{name} ({where}) asked to slow down beyond the retry budget",
                    attempts=attempt - 1,
                    stop=True,
                )
            self.requests += 1
            if before_request is not None:
                before_request()
            try:
                response = self.session.post(
                    url,
                    data=body,
                    headers=headers,
                    timeout=(min(self.timeout, 5.0), self.timeout),
                    allow_redirects=False,
                )
            except (requests.exceptions.ConnectTimeout, requests.exceptions.SSLError) as error:
                return self._unreachable(name, where, error, attempt)
            except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError) as error:
                if isinstance(error, requests.exceptions.ConnectionError) and not _sent(error):
                    return self._unreachable(name, where, error, attempt)
                return PostAnswer(
                    "failed-temporarily",
                    f"{name} ({where}) did not answer; the message may have been posted, so it "
                    "is not sent again in this run",
                    attempts=attempt,
                    in_doubt=True,
                    stop=True,
                )
            except requests.exceptions.RequestException as error:
                return PostAnswer(
                    "failed-temporarily",
                    f"cannot post to {name} at {where}: {error.__class__.__name__}",
                    attempts=attempt,
                    stop=True,
                )
            status = response.status_code
            self._note_bucket(webhook, response)
            if 200 <= status < 300:
                return PostAnswer(
                    "accepted",
                    f"{name} accepted it (HTTP {status})",
                    http_status=status,
                    remote_id=_message_id(webhook.platform, response),
                    attempts=attempt,
                )
            if status == 429 or status >= 500 or status == 408:
                asked = _retry_after(webhook.platform, response)
                delay = asked
                if delay is None:
                    delay = self.rng.uniform(0, min(self.backoff_cap, self.backoff * 2**attempt))
                if self.waited + delay <= self.budget:
                    if before_retry is not None:
                        before_retry(f"{name} answered HTTP {status}; retrying in {delay:.1f} s")
                    self._wait(delay)
                    log.info("%s answered HTTP %d; retrying in %.1f s", name, status, delay)
                    continue
                said, code, _ = _refusal(webhook.platform, response)
                why = "rate limited" if status == 429 else f"failing (HTTP {status}: {said})"
                wait = f"; it asked to wait {asked:g} s" if asked is not None else ""
                return PostAnswer(
                    "failed-temporarily",
                    f"{name} ({where}) kept {why} past the retry budget of {self.budget:g} s{wait}",
                    http_status=status,
                    error=code,
                    attempts=attempt,
                    stop=True,
                )
            if 300 <= status < 400:
                return PostAnswer(
                    "failed-permanently",
                    f"{name} ({where}) answered with a redirect (HTTP {status}); check the "
                    "webhook URL",
                    http_status=status,
                    attempts=attempt,
                    stop=True,
                )
            said, code, gone = _refusal(webhook.platform, response)
            return PostAnswer(
                "failed-permanently",
                f"{name} ({where}) refused the message: HTTP {status} {said}",
                http_status=status,
                error=code,
                attempts=attempt,
                stop=gone,
            )

    @staticmethod
    def _unreachable(name: str, where: str, error: BaseException, attempt: int) -> PostAnswer:
        return PostAnswer(
            "failed-temporarily",
            f"cannot reach {name} at {where}: {_why_unreachable(error)}",
            attempts=attempt,
            stop=True,
        )

    def _note_bucket(self, webhook: Webhook, response: requests.Response) -> None:
        """Discord says when a bucket is empty; wait for it to refill before the next post."""
        if response.headers.get("X-RateLimit-Remaining") == "0":
            reset = _seconds(response.headers.get("X-RateLimit-Reset-After"))
            if reset is not None:
                self._not_before[webhook.url] = self.clock() + reset


def _sent(error: requests.exceptions.RequestException) -> bool:
    """True when the connection broke after the request went out (a reset, a dropped
    connection while waiting for the answer) rather than while connecting."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ConnectionRefusedError) or seen.__class__.__name__ in (
            "gaierror",
            "NewConnectionError",
            "NameResolutionError",
        ):
            return False
        seen = seen.__cause__ or seen.__context__
    return True


def _with_query(url: str, **params: str) -> str:
    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
    query.update(params)
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def _message_id(platform: Platform, response: requests.Response) -> str | None:
    if platform != "discord" or not response.content:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    return str(body["id"]) if isinstance(body, dict) and body.get("id") else None


def _digest(payload: Mapping[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(canonical).hexdigest()[:16]


def payloads_for(
    platform: Platform, message: ChatMessage, mentions: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """The payloads ``platform`` gets for ``message``."""
    if platform == "slack":
        return slack_payloads(message, mentions)
    if platform == "discord":
        return discord_payloads(message, mentions)
    return teams_payloads(message)


@dataclass(frozen=True, slots=True)
class ChatPost:
    """One message to one webhook, planned before anything is sent (what a ledger records
    first); ``repr`` shows the webhook redacted."""

    key: str
    part_key: str
    part: int
    parts: int
    webhook: Webhook
    payload: Mapping[str, Any] = field(repr=False)
    digest: str

    @property
    def platform(self) -> Platform:
        return self.webhook.platform


def plan_chat_posts(
    config: Config | ChatConfig,
    message: ChatMessage,
    *,
    member_ids: Mapping[str, Mapping[str, str]] | None = None,
    environ: Mapping[str, str] | None = None,
) -> list[ChatPost]:
    """Every message ``message`` becomes on every chat that takes its kind (``chat.post``), in
    posting order, with its key: nothing is sent. No chat configured, or this kind not in
    ``chat.post``, gives ``[]``.

    ``member_ids`` maps a platform to member name → user ID (the Members tab's ``Slack`` and
    ``Discord`` columns). Raises :class:`ConfigError` for a missing webhook variable and
    :class:`ChatMentionError` for an ID that is not one.
    """
    chat = config.chat if isinstance(config, Config) else config
    if chat is None or message.kind not in chat.post:
        return []
    posts = []
    for hook in webhooks_from_config(chat, environ):
        key = chat_key(hook.platform, message.kind, message.date)
        payloads = payloads_for(hook.platform, message, (member_ids or {}).get(hook.platform))
        for number, payload in enumerate(payloads, 1):
            posts.append(
                ChatPost(
                    key=key,
                    part_key=part_key(key, number, len(payloads)),
                    part=number,
                    parts=len(payloads),
                    webhook=hook,
                    payload=payload,
                    digest=_digest(payload),
                )
            )
    return posts


def send_chat_posts(
    posts: Iterable[ChatPost],
    *,
    poster: WebhookPoster | None = None,
    skip_keys: Collection[str] = (),
    on_outcome: Callable[[ChatOutcome], None] | None = None,
    before_request: Callable[[ChatPost], None] | None = None,
    before_retry: Callable[[ChatPost, str], None] | None = None,
) -> list[ChatOutcome]:
    """Post planned messages in order; one :class:`ChatOutcome` each, never raising for HTTP.

    Parts whose ``part_key`` is in ``skip_keys`` (already sent, says the ledger) are not posted
    again. Once a part of a post fails, the later parts of that post are not posted (they would
    arrive out of order) and get the same status; once a webhook is unreachable, gone or out of
    retry budget, nothing more is posted to it in this run. ``on_outcome`` is called after each
    part, so a ledger can commit it before the next one goes; ``before_request`` and
    ``before_retry`` are :meth:`WebhookPoster.post`'s, for the part being posted.
    """
    owned = poster is None
    poster = poster or WebhookPoster()
    outcomes: list[ChatOutcome] = []
    blocked: dict[str, PostAnswer] = {}
    dead: dict[str, PostAnswer] = {}
    try:
        for post in posts:
            earlier = blocked.get(post.key)
            gone = dead.get(post.webhook.url)
            if post.part_key in skip_keys:
                answer = PostAnswer("skipped", "already posted (in the ledger)")
            elif earlier is not None:
                detail = f"not posted: an earlier part failed ({earlier.detail})"
                answer = PostAnswer(earlier.status, detail, error=earlier.error)
            elif gone is not None:
                detail = f"not posted: this webhook failed earlier in this run ({gone.detail})"
                answer = PostAnswer(gone.status, detail, error=gone.error)
            else:
                answer = poster.post(
                    post.webhook,
                    post.payload,
                    before_request=None
                    if before_request is None
                    else partial(before_request, post),
                    before_retry=None if before_retry is None else partial(before_retry, post),
                )
                if answer.status != "accepted":
                    blocked[post.key] = answer
                if answer.stop:
                    dead[post.webhook.url] = answer
            outcome = ChatOutcome(
                key=post.key,
                part_key=post.part_key,
                platform=post.platform,
                part=post.part,
                parts=post.parts,
                status=answer.status,
                detail=answer.detail,
                http_status=answer.http_status,
                error=answer.error,
                remote_id=answer.remote_id,
                digest=post.digest,
                attempts=answer.attempts,
                in_doubt=answer.in_doubt,
            )
            log.info("%s: %s", post.part_key, outcome.detail)
            outcomes.append(outcome)
            if on_outcome is not None:
                on_outcome(outcome)
    finally:
        if owned:
            poster.close()
    return outcomes


def post_to_chats(
    config: Config | ChatConfig,
    message: ChatMessage,
    *,
    member_ids: Mapping[str, Mapping[str, str]] | None = None,
    environ: Mapping[str, str] | None = None,
    poster: WebhookPoster | None = None,
    skip_keys: Collection[str] = (),
    on_outcome: Callable[[ChatOutcome], None] | None = None,
) -> list[ChatOutcome]:
    """Post ``message`` to every chat in the config that takes its kind: :func:`plan_chat_posts`
    then :func:`send_chat_posts` with a poster built from ``chat.timeout`` and
    ``chat.retry_budget``. Configuration and ID errors are raised before anything is posted;
    HTTP trouble is in the outcomes (see :func:`raise_for_outcomes`)."""
    posts = plan_chat_posts(config, message, member_ids=member_ids, environ=environ)
    if not posts:
        return []
    if poster is None:
        chat = config.chat if isinstance(config, Config) else config
        assert chat is not None  # there are posts
        with WebhookPoster.from_config(chat) as own:
            return send_chat_posts(posts, poster=own, skip_keys=skip_keys, on_outcome=on_outcome)
    return send_chat_posts(posts, poster=poster, skip_keys=skip_keys, on_outcome=on_outcome)


def raise_for_outcomes(outcomes: Iterable[ChatOutcome]) -> None:
    """Raise if any part was not posted: :class:`ChatRefused` (exit 1) when a platform refused
    one for good — the user has something to fix — else :class:`ChatUnavailable` (exit 3)."""
    failed = [o for o in outcomes if not o.ok]
    if not failed:
        return
    lines = "\n".join(f"  {o.part_key}: {o.detail}" for o in failed)
    summary = f"{plural(len(failed), 'chat message')} not posted:\n{lines}"
    if any(o.status == "failed-permanently" for o in failed):
        raise ChatRefused(summary)
    raise ChatUnavailable(summary)
