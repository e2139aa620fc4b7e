"""Private goals: counted in every figure, named only to their owner.

A goal is private when its text starts with 🔒, or a ``Private`` column (``yes``, ``✓``, ``✅``,
``1``, ``private``, ``confidential``…) or a ``Visibility`` column (``private``; ``club`` or blank:
not) says so — the sheet stage reads those cells (``Club.goals["private"]``), and a value it does
not know makes the goal private and is an error naming the cell. Privacy is sticky: a goal the
meeting history ever recorded private stays private in every later mention — its removal, its
old wordings, after its Private cell is cleared (:func:`sheetmentor.memory.with_private_history`
puts the history's keys and wordings on the ``Club``).

Figures are computed from the frames, which keep every goal; only what a person reads is
changed, in two steps:

- :func:`hide_private` decides what a reader sees of the goals in a context (an agenda's, a
  recap's, a CHANGES dict): each private goal of another member becomes "1 private goal (done)"
  — its status stays; its text, notes, extra columns, cell and identity key go (the key names
  the member and the text, so it becomes an opaque ``private-1``).
- :func:`guard` is the last look at every text before it leaves sheetmentor — a command's
  result, each e-mail (for its one reader), each chat message, every log line: any private text
  of someone other than the reader still in it becomes "1 private goal". The sheet is read
  through :func:`sheetmentor.run.read_sheet`, which hands its private goals to
  :func:`watch`, so an output added later is guarded without knowing about privacy.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sheetmentor.i18n import _
from sheetmentor.sheet.vocabulary import PRIVATE_MARKS
from sheetmentor.words import status_label

if TYPE_CHECKING:
    from sheetmentor.sheet.normalize import Club

__all__ = [
    "LOCK",
    "PrivateGoals",
    "guard",
    "hide_private",
    "is_private_text",
    "private_goals",
    "private_mask",
    "watch",
]

LOCK = PRIVATE_MARKS[0]


@dataclass(frozen=True)
class PrivateGoals:
    """Every private goal a reader may meet: ``texts`` (member, goal text) — on the sheet now,
    or any recorded wording of a goal once private — and ``keys``, the identity keys the
    history recorded private (a removed goal is known by its key)."""

    texts: frozenset[tuple[str, str]]
    keys: frozenset[str] = frozenset()

    @property
    def owners(self) -> set[str]:
        return {member for member, _ in self.texts}


Owned = Collection[tuple[str, str]]
"""(member, goal text) of each private goal."""


def is_private_text(text: Any) -> bool:
    """A goal text that starts with 🔒 (or 🔐) is private, whatever the columns say."""
    return isinstance(text, str) and text.lstrip().startswith(PRIVATE_MARKS)


def private_mask(club: Club) -> np.ndarray:
    """Which of ``club``'s goals are private: its ``private`` column, else a 🔒 text (a club
    built from the store has no column)."""
    if "private" in club.goals:
        return club.goals["private"].to_numpy(dtype=bool)
    return np.array([is_private_text(text) for text in club.goals["goal"]], dtype=bool)


def private_goals(club: Club) -> PrivateGoals:
    """Every private goal of ``club``: on the sheet now, and from its history (sticky)."""
    goals = club.goals
    mask = private_mask(club)
    now = {
        (str(member), str(goal))
        for member, goal in zip(goals["member"][mask], goals["goal"][mask], strict=True)
    }
    return PrivateGoals(frozenset(now | club.private_texts), club.private_keys)


def masked(goal: dict[str, Any], key: str | None = None) -> dict[str, Any]:
    """The goal as others see it: "1 private goal (done)", no notes, no extra columns, no cell,
    and ``key`` (an opaque stand-in) for its identity key."""
    status = goal.get("status")
    text = (
        _("1 private goal (%(status)s)") % {"status": status_label(status)}
        if status
        else _("1 private goal")
    )
    hidden = goal | {"goal": text, "notes": None, "private": True}
    if "extra" in hidden:
        hidden["extra"] = {}
    if hidden.get("field") in ("goal", "notes"):
        hidden["from"] = hidden["to"] = None
    if "ref" in hidden:
        hidden["ref"] = None
    if "key" in hidden:
        hidden["key"] = key
    return hidden


def hide_private(value: Any, private: PrivateGoals | Owned, viewer: str | None = None) -> Any:
    """``value`` (a template context, a CHANGES dict…) with every private goal not ``viewer``'s
    masked (:func:`masked`); the rest is shared, not copied. A goal dict is one with a ``goal``
    text; its owner is its ``member``, else the member whose entry holds it (a MEMBER's
    ``name``, or a key of a dict keyed by member name). It is private when its text, or the
    text it was reworded from or to, is one of its owner's private texts, when its ``key`` was
    ever private, or when it starts with 🔒."""
    if not isinstance(private, PrivateGoals):
        private = PrivateGoals(frozenset(private))
    walker = _Walker(private, viewer)
    return walker.walk(value, None)


class _Walker:
    def __init__(self, private: PrivateGoals, viewer: str | None) -> None:
        self.texts = private.texts
        self.keys = private.keys
        self.viewer = viewer
        self.names = private.owners | ({viewer} if viewer else set())
        self.stand_ins: dict[Any, str] = {}

    def is_private(self, goal: dict[str, Any], owner: str) -> bool:
        texts = [goal.get("goal")]
        if goal.get("field") == "goal":
            texts += [goal.get("from"), goal.get("to")]
        return (
            goal.get("private") is True
            or goal.get("key") in self.keys
            or any(is_private_text(text) or (owner, text) in self.texts for text in texts)
        )

    def stand_in(self, goal: dict[str, Any]) -> str | None:
        """The same opaque key for one goal wherever it appears in one output."""
        if "key" not in goal:
            return None
        return self.stand_ins.setdefault(goal["key"], f"private-{len(self.stand_ins) + 1}")

    def walk(self, value: Any, member: str | None) -> Any:
        if isinstance(value, dict):
            if isinstance(value.get("goal"), str):
                owner = str(value.get("member") or member or "")
                if owner != self.viewer and self.is_private(value, owner):
                    return masked(value, self.stand_in(value))
            if isinstance(value.get("name"), str) and "due" in value:
                member = value["name"]
            return {
                key: self.walk(item, key if key in self.names else member)
                for key, item in value.items()
            }
        if isinstance(value, list | tuple):
            return type(value)(self.walk(item, member) for item in value)
        return value


MIN_GUARDED = 8
"""Texts shorter than this are left to :func:`hide_private` alone: guarding "Run" would blank the
word wherever it appears."""

_watched: dict[str, re.Pattern[str] | None] = {}
_owners: dict[str, set[str]] = {}


def watch(private: PrivateGoals) -> None:
    """Make ``private`` the goals :func:`guard` looks for (the club just read; each read
    replaces the last), and guard every ``sheetmentor`` log line from now on."""
    _owners.clear()
    _watched.clear()
    for member, text in private.texts:
        bare = text.lstrip().removeprefix(LOCK).removeprefix(PRIVATE_MARKS[1]).strip()
        for form in {text.strip(), bare, html.escape(text.strip()), html.escape(bare)}:
            if len(form) >= MIN_GUARDED:
                _owners.setdefault(member, set()).add(form)
    _install_log_guard()


def guard(text: str, reader: str | None = None) -> str:
    """``text`` with every watched private text not ``reader``'s replaced by "1 private goal", in
    the output's language (``reader`` None: the club, the channel, the organizer's terminal)."""
    if not _owners or not text:
        return text
    if reader not in _watched:
        forms = {form for owner, mine in _owners.items() if owner != reader for form in mine}
        ordered = sorted(forms, key=len, reverse=True)
        _watched[reader] = (
            re.compile("|".join(map(re.escape, ordered)), re.IGNORECASE) if ordered else None
        )
    pattern = _watched[reader]
    if pattern is None:
        return text
    placeholder = _("1 private goal")
    return pattern.sub(lambda _found: placeholder, text)


class _LogGuard(logging.Filter):
    """Every log record's message, guarded for the club (logs are read by the organizer, cron's
    mail, a CI log…)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _owners:
            message = record.getMessage()
            guarded = guard(message)
            if guarded != message:
                record.msg, record.args = guarded, ()
        return True


_LOG_GUARD = _LogGuard()


def _install_log_guard() -> None:
    """On every ``sheetmentor`` logger (a logger's filter sees only its own records, not its
    children's), including those created since the last call."""
    names = [name for name in logging.Logger.manager.loggerDict if name.startswith("sheetmentor")]
    for name in ["sheetmentor", *names]:
        logger = logging.getLogger(name)
        if _LOG_GUARD not in logger.filters:
            logger.addFilter(_LOG_GUARD)
