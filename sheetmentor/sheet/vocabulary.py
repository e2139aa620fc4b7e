"""The words sheetmentor understands in a club's sheet, and how it matches what people type.

Headers and values compare by *key* (case, spaces and punctuation do not count), then by
*meaning*: "Quarterly goals (Q1)", "Long term – 1 yr+" and "✅ Done" are read by trying the whole
text, the text without "goals" and brackets, the bracketed part, each part between dashes or
slashes, and the emoji's own word. A word that still means nothing is refused with the nearest
known words, so a typo gets its fix.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

TIERS = ("two-week", "quarterly", "long-term")
CATEGORIES = ("professional", "personal")
STATUSES = ("done", "open", "dropped")


def word_key(text: object) -> str:
    """How headers and vocabulary words compare: case, spaces and punctuation do not count."""
    return re.sub(r"[^0-9a-z%+#✓✔☑☐]", "", str(text).casefold())


EMOJI_WORDS = {
    "✅": "done", "✔️": "done", "✔": "done", "✓": "done", "☑️": "done", "☑": "done",
    "🟢": "on track", "❌": "not done", "✖️": "not done", "✖": "not done", "✗": "not done",
    "⏳": "in progress", "🔄": "in progress", "🟡": "behind", "🔴": "blocked", "☐": "todo",
    "⬜": "todo", "🚫": "dropped",
}  # fmt: skip
"""Emoji and check marks people type or pick from chips, with the word they stand for."""

_GOAL_WORDS = re.compile(r"\b(goals?|goal\(s\)|objectives?|targets?|aims?)\b", re.IGNORECASE)
_BRACKETS = re.compile(r"[(\[]([^)\]]*)[)\]]")
_PARTS = re.compile(r"\s[–—-]\s|[–—:/|,;]")


@dataclass(frozen=True)
class Vocabulary:
    """Words of one kind (tiers, statuses…) and the value each means."""

    name: str
    values: tuple[str, ...]
    words: dict[str, str]  # word key -> value
    spelled: dict[str, str]  # word key -> the word as listed

    @classmethod
    def of(cls, name: str, words: dict[str, Sequence[str]]) -> Vocabulary:
        keys = {word_key(w): value for value, synonyms in words.items() for w in synonyms}
        spelled = {word_key(w): w for synonyms in words.values() for w in synonyms}
        return cls(name, tuple(words), keys, spelled)

    def exact(self, text: object) -> str | None:
        return self.words.get(word_key(text))

    def meaning(self, text: object) -> str | None:
        """The value ``text`` means, by exact key first, then by its parts (see module doc)."""
        for candidate in candidates(str(text)):
            found = self.words.get(word_key(candidate))
            if found is not None:
                return found
        return None

    def nearest(self, text: object, count: int = 3) -> list[str]:
        """The known words closest in spelling to ``text``, to suggest a fix."""
        close = difflib.get_close_matches(word_key(text), list(self.words), n=count, cutoff=0.6)
        return [self.spelled[key] for key in close]

    def listing(self) -> str:
        return ", ".join(self.values[:-1]) + f" or {self.values[-1]}"


def candidates(text: str) -> list[str]:
    """Readings of a cell to try in order: whole, without "goals"/brackets, parts, emoji."""
    found = [text]
    plain = _GOAL_WORDS.sub(" ", text)
    found.append(_BRACKETS.sub(" ", plain))
    found.extend(match for match in _BRACKETS.findall(plain))
    found.extend(part for part in _PARTS.split(_BRACKETS.sub(" ", plain)))
    for emoji, word in EMOJI_WORDS.items():
        if emoji in text:
            rest = text.replace(emoji, " ")
            found.extend([rest, word] if word_key(rest) else [word])
    return [candidate for candidate in found if word_key(candidate)]


TIER = Vocabulary.of(
    "tier",
    {
        "two-week": ["two-week", "two weeks", "2 week", "2 weeks", "2-wk", "2wks", "2 wk",
                     "biweekly", "bi-weekly", "fortnight", "fortnightly", "sprint", "cycle",
                     "next meeting", "two week goals", "2 week goals", "next 2 weeks"],
        "quarterly": ["quarterly", "quarter", "q", "q1", "q2", "q3", "q4", "short term",
                      "short-term", "3 months", "3 month", "90 days", "this quarter",
                      "next quarter", "medium term", "mid term"],
        "long-term": ["long-term", "long term", "long", "1 year+", "1 year", "1yr+", "1 yr",
                      "1 yr+", "1yr", "annual", "yearly", "year", "years", "multi-year", "lt",
                      "12 months", "this year", "1 year goal", "5 years"],
    },
)  # fmt: skip
CATEGORY = Vocabulary.of(
    "category",
    {
        "professional": ["professional", "pro", "work", "career", "job", "business"],
        "personal": ["personal", "life", "self", "health", "family", "home", "private"],
    },
)
STATUS = Vocabulary.of(
    "status",
    {
        "done": ["done", "complete", "completed", "finished", "achieved", "✓", "✔", "☑", "x",
                 "true", "yes", "y", "100%", "met", "did it", "closed"],
        "open": ["todo", "to do", "not started", "in progress", "wip", "false", "no", "n",
                 "open", "started", "ongoing", "pending", "blocked", "☐", "0%", "incomplete",
                 "not done", "partially done", "partial", "partly done", "on track", "behind",
                 "at risk", "carried over", "carry over", "rolled over", "waiting", "on hold",
                 "not yet", "working on it", "late", "overdue"],
        "dropped": ["dropped", "abandoned", "cancelled", "canceled", "scrapped", "dropped it",
                    "gave up", "won't do", "wont do", "no longer relevant"],
    },
)  # fmt: skip
ACTIVE = Vocabulary.of(
    "active",
    {
        "yes": ["yes", "y", "true", "active", "1", "x", "✓", "✔", "☑", "current", "member",
                "new", "joined"],
        "no": ["no", "n", "false", "inactive", "left", "paused", "alumni", "alum", "away", "0",
               "☐", "on leave", "leave", "former", "gone", "quit", "on break", "break", "on hold",
               "dropped out", "not active"],
    },
)  # fmt: skip
MEETING_STATUS = Vocabulary.of(
    "meeting status",
    {
        "held": ["held", "met", "done", "yes", "happened", "planned", "scheduled", "moved"],
        "skipped": ["skipped", "skip", "cancelled", "canceled", "no meeting", "none", "off"],
    },
)

PRIVATE_MARKS = ("🔒", "🔐")
"""A goal whose text starts with one of these is private, whatever the columns say."""
PRIVACY = Vocabulary.of(
    "private",
    {
        "private": ["private", "yes", "y", "true", "x", "1", "✓", "✔", "☑", "confidential",
                    "secret", "only me", "me only", "hidden", "personal", "locked", "oui", "ja",
                    "si"],
        "shared": ["no", "n", "false", "0", "☐", "club", "public", "shared", "everyone",
                   "non", "nein"],
    },
)  # fmt: skip
VISIBILITY = Vocabulary.of(
    "visibility",
    {
        "private": ["private", "confidential", "secret", "only me", "me only", "me", "hidden",
                    "owner", "owner only", "personal", "locked", "privé", "privat"],
        "shared": ["club", "public", "shared", "everyone", "all", "group", "visible", "members"],
    },
)  # fmt: skip
"""Private/Visibility column values; a value in neither list makes the goal private, and is an
error naming its cell (never public by default)."""
PRIVACY_HEADERS = {
    "private": ("private", "privacy", "private goal", "keep private", "confidential"),
    "visibility": ("visibility", "visible to", "shared with", "who can see", "audience"),
}
"""Extra Goals columns that say whether a goal is private, by kind (matched by word key; a
header that is only 🔒 or 🔐 is a Private column too)."""

FIELDS: dict[str, dict[str, Sequence[str]]] = {
    "members": {
        "name": ["name", "member", "peer", "person", "full name", "who", "members"],
        "email": ["email", "e-mail", "email address", "mail", "e-mail address"],
        "active": ["active", "active?", "is active", "current", "status", "member status",
                   "membership"],
        "focus": ["focus", "focus area", "wants", "looking for", "what i want", "objective"],
        "joined": ["joined", "join date", "member since", "since", "start date"],
    },
    "goals": {
        "member": ["member", "name", "who", "peer", "owner", "person", "members", "mentee"],
        "goal": ["goal", "goals", "description", "commitment", "what", "task", "objective",
                 "goal description", "my goal"],
        "tier": ["tier", "horizon", "term", "timeframe", "time frame", "type", "goal type",
                 "tier of goal"],
        "category": ["category", "cat", "kind", "area", "domain", "pro personal",
                     "professional personal"],
        "status": ["status", "state", "done?", "done", "complete?", "completed?"],
        "progress": ["progress", "% done", "% complete", "percent", "percent done",
                     "percent complete", "completion", "pct", "%"],
        "set": ["set", "date set", "set on", "created", "added", "start", "started"],
        "due": ["due", "due date", "due by", "deadline", "by", "target", "target date", "by when"],
        "completed": ["completed", "completed on", "date done", "done on", "finished on",
                      "date completed"],
        "notes": ["notes", "note", "comments", "comment", "update", "updates"],
        "id": ["id", "goal id", "ref", "#", "goal #", "goal no", "no."],
    },
    "meetings": {
        "date": ["date", "meeting", "meeting date", "when"],
        "location": ["location", "where", "place", "room"],
        "facilitator": ["facilitator", "host", "chair", "lead", "led by"],
        "attended": ["attended", "attendance", "present", "attendees", "who came"],
        "notes": ["notes", "note", "minutes", "summary"],
        "status": ["status", "held", "held?", "happened"],
    },
}  # fmt: skip
"""Each field's header aliases, per tab kind; ``source.columns`` maps anything else."""

NAME_PARTS = {
    "first": ["first name", "given name", "first", "firstname", "forename"],
    "last": ["last name", "surname", "family name", "last", "lastname"],
}
"""A Members tab without a Name column may split it in two: the name is "first last"."""

WEAK_ALIASES = {"members": {"status", "memberstatus", "membership"}, "goals": {"done"}}
"""Aliases that give way: a Members tab with both Active and Status reads Active, and Status is
kept as an extra column instead of being a duplicate."""

REQUIRED = {"members": ("name",), "goals": ("member", "goal", "tier"), "meetings": ("date",)}
DATE_FIELDS = {"members": ("joined",), "goals": ("set", "due", "completed"), "meetings": ("date",)}
