"""The words sheetmentor understands in a club's sheet, and how it matches what people type.

Headers and values compare by *key* (case, spaces and punctuation do not count), then by
*meaning*: "Quarterly goals (Q1)", "Long term – 1 yr+" and "✅ Done" are read by trying the whole
text, the text without "goals" and brackets, the bracketed part, each part between dashes or
slashes, and the emoji's own word. A word that still means nothing is refused with the nearest
known words, so a typo gets its fix.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sheetmentor.sheet.languages import GOAL_WORDS, LANGUAGES

TIERS = ("two-week", "quarterly", "long-term")
CATEGORIES = ("professional", "personal")
STATUSES = ("done", "open", "dropped")


def word_key(text: object) -> str:
    """How headers and vocabulary words compare: case, spaces, punctuation and accents do not
    count ("Terminé" is "termine", "¿Hecho?" is "hecho")."""
    folded = str(text).casefold()
    if folded.isascii():
        return _NOT_KEY_ASCII.sub("", folded)
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c)
    )
    return _NOT_KEY.sub("", plain)


_NOT_KEY_ASCII = re.compile(r"[^0-9a-z%+#]")
_NOT_KEY = re.compile(r"[^\w%+#✓✔☑☐]|_")


EMOJI_WORDS = {
    "✅": "done", "✔️": "done", "✔": "done", "✓": "done", "☑️": "done", "☑": "done",
    "🟢": "on track", "❌": "not done", "✖️": "not done", "✖": "not done", "✗": "not done",
    "⏳": "in progress", "🔄": "in progress", "🟡": "behind", "🔴": "blocked", "☐": "todo",
    "⬜": "todo", "🚫": "dropped",
}  # fmt: skip
"""Emoji and check marks people type or pick from chips, with the word they stand for."""

_GOAL_WORDS = re.compile(
    rf"\b(goals?|goal\(s\)|objectives?|targets?|aims?|{'|'.join(GOAL_WORDS)})\b", re.IGNORECASE
)
_NUMBERED = re.compile(r"(?:\s*[-–#]?\s*\b(?:19|20)\d{2}\b|\s*[#-]?\s*\d+)\s*$")
"""A year or a number at the end ("Q4 2026", "Cycle 23", "Sprint 12"), tried without it."""
_FILLER = re.compile(
    r"^\s*(?:(?:for|of|the|a|à|au|de|du|des|da|di|del|para|por|für|per|van|voor|op)\s+)+", re.I
)
"""Small words before a tier once "goals" is left out ("Metas a dos semanas", "Goals for the
quarter")."""
_QUESTION = re.compile(
    r"^\s*(?:(?:what|which)\s+(?:are|is|were|was)\s+)?(?:your|my)\s+|\s*\?\s*$", re.I
)
"""A form's question around the words that matter ("What are your two-week goals?", "Your
name")."""
_BRACKETS = re.compile(r"[(\[]([^)\]]*)[)\]]")
_PARTS = re.compile(r"\s[–—-]\s|[–—:/|,;]")


@dataclass(frozen=True)
class Vocabulary:
    """Words of one kind (tiers, statuses…) and the value each means."""

    name: str
    values: tuple[str, ...]
    words: dict[str, str]  # word key -> value
    spelled: dict[str, str]  # word key -> the word as listed
    setting: str = ""
    """Its key under the config's ``vocabulary:`` section (``tier``, ``status``…)."""
    numbered: bool = False
    """Whether a trailing year or number is read past ("Q4 2026", "Sprint 12")."""

    @classmethod
    def of(
        cls, name: str, words: Mapping[str, Sequence[str]], setting: str = "", **options: bool
    ) -> Vocabulary:
        keys = {word_key(w): value for value, synonyms in words.items() for w in synonyms}
        spelled = {word_key(w): w for synonyms in words.values() for w in synonyms}
        return cls(name, tuple(words), keys, spelled, setting or name, **options)

    def plus(self, *more: Mapping[str, Iterable[str]]) -> Vocabulary:
        """This vocabulary with more words (a language's, the config's); later ones win."""
        words, spelled = dict(self.words), dict(self.spelled)
        for extra in more:
            for value, synonyms in extra.items():
                for word in synonyms:
                    words[word_key(word)] = value
                    spelled[word_key(word)] = word
        return Vocabulary(self.name, self.values, words, spelled, self.setting, self.numbered)

    def exact(self, text: object) -> str | None:
        return self.words.get(word_key(text))

    def meaning(self, text: object) -> str | None:
        """The value ``text`` means, by exact key first, then by its parts (see module doc)."""
        for candidate in candidates(str(text)):
            found = self.words.get(word_key(candidate))
            if found is not None:
                return found
        if self.numbered:
            bare = _NUMBERED.sub("", str(text))
            if bare != str(text) and word_key(bare):
                return self.meaning(bare)
        return None

    def fix(self, text: object, value: str | None = None) -> str:
        """The config line that makes ``text`` mean ``value`` (by default what the nearest
        known word means, else the first value), ready to paste into the config."""
        near = self.nearest(text, 1)
        value = value or (self.words[word_key(near[0])] if near else self.values[0])
        word = json.dumps(" ".join(str(text).split()), ensure_ascii=False)
        return f"vocabulary: {{{self.setting}: {{{value}: [{word}]}}}}"

    def nearest(self, text: object, count: int = 3) -> list[str]:
        """The known words closest in spelling to ``text``, to suggest a fix."""
        close = difflib.get_close_matches(word_key(text), list(self.words), n=count, cutoff=0.6)
        return [self.spelled[key] for key in close]

    def listing(self) -> str:
        return ", ".join(self.values[:-1]) + f" or {self.values[-1]}"


def mentions_goals(text: str) -> bool:
    """Whether a header says "goals" in any language sheetmentor knows ("Metas de verano")."""
    return _GOAL_WORDS.search(text) is not None


def candidates(text: str) -> list[str]:
    """Readings of a cell to try in order: whole, without "goals"/brackets, parts, emoji."""
    found = [text]
    plain = _GOAL_WORDS.sub(" ", text)
    found.append(_BRACKETS.sub(" ", plain))
    found.append(_FILLER.sub("", found[-1]))
    found.append(_FILLER.sub("", _QUESTION.sub("", found[1])))
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
                     "next meeting", "two week goals", "2 week goals", "next 2 weeks",
                     "next 2 wks", "2 wks", "two wks", "14 days", "14-day", "next two weeks"],
        "quarterly": ["quarterly", "quarter", "q", "q1", "q2", "q3", "q4", "short term",
                      "short-term", "3 months", "3 month", "90 days", "this quarter",
                      "next quarter", "medium term", "mid term", "90-day", "90 day",
                      "12-week", "12 weeks", "12 week", "13 weeks", "3-month", "quarter goals"],
        "long-term": ["long-term", "long term", "long", "1 year+", "1 year", "1yr+", "1 yr",
                      "1 yr+", "1yr", "annual", "yearly", "year", "years", "multi-year", "lt",
                      "12 months", "this year", "1 year goal", "5 years", "fy", "12-month",
                      "1-year", "one year", "annual goals"],
    },
    numbered=True,
)  # fmt: skip
CATEGORY = Vocabulary.of(
    "category",
    {
        "professional": ["professional", "pro", "work", "career", "job", "business"],
        "personal": ["personal", "life", "self", "health", "family", "home", "private"],
    },
)
RAG = ("red", "amber", "green", "yellow")
"""Red/Amber/Green: how a goal is going, never that it is finished, so each is "open"; a club
whose Green means done says so in ``vocabulary: {status: {done: [Green]}}``."""
STATUS = Vocabulary.of(
    "status",
    {
        "done": ["done", "complete", "completed", "finished", "achieved", "✓", "✔", "☑", "x",
                 "true", "yes", "y", "100%", "met", "did it", "closed", "checked"],
        "open": ["todo", "to do", "not started", "in progress", "wip", "false", "no", "n",
                 "open", "started", "ongoing", "pending", "blocked", "☐", "0%", "incomplete",
                 "not done", "partially done", "partial", "partly done", "on track", "behind",
                 "at risk", "carried over", "carry over", "rolled over", "waiting", "on hold",
                 "not yet", "working on it", "late", "overdue", "unchecked", *RAG],
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
    setting="meeting",
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

TABS: dict[str, Sequence[str]] = {
    "members": ["members", "roster", "people", "mentees"],
    "goals": ["goals", "goal tracker", "goals tracker", "objectives"],
    "meetings": ["meetings", "sessions", "meeting log"],
}
"""The names a Members, Goals or Meetings tab goes by when ``source.tabs`` is not set."""


@dataclass(frozen=True)
class Words:
    """Every word one sheet is read with: the English words, those of the sheet's language
    (``club.language``, or detected from the sheet) and the config's ``vocabulary:`` section.

    Kept per sheet, not global, so two clubs in two languages never share a word.
    """

    languages: tuple[str, ...] = ()
    tier: Vocabulary = TIER
    category: Vocabulary = CATEGORY
    status: Vocabulary = STATUS
    active: Vocabulary = ACTIVE
    meeting: Vocabulary = MEETING_STATUS
    fields: dict[str, dict[str, list[str]]] = field(
        default_factory=lambda: {
            kind: {n: list(a) for n, a in f.items()} for kind, f in FIELDS.items()
        }
    )
    tabs: dict[str, list[str]] = field(
        default_factory=lambda: {k: list(v) for k, v in TABS.items()}
    )
    configured: bool = False
    """Whether the config has a ``vocabulary:`` section (a fix then says where to add a word)."""

    @classmethod
    def build(
        cls, languages: Sequence[str] = (), added: Mapping[str, Mapping[str, Iterable[str]]] = {}
    ) -> Words:
        """English, plus each language's words, plus ``added`` (the config's, which win)."""
        known = [LANGUAGES[code] for code in languages if code in LANGUAGES]
        fields = {kind: {n: list(a) for n, a in f.items()} for kind, f in FIELDS.items()}
        tabs = {role: list(names) for role, names in TABS.items()}
        for words in known:
            for kind in fields:
                for name, aliases in words[kind].items():
                    fields[kind][name].extend(aliases)
            for role, names in words["tabs"].items():
                tabs[role].extend(names)

        def vocabulary(base: Vocabulary) -> Vocabulary:
            more = [words[base.setting] for words in known]
            return base.plus(*more, added.get(base.setting, {}))

        return cls(
            tuple(code for code in languages if code in LANGUAGES),
            vocabulary(TIER),
            vocabulary(CATEGORY),
            vocabulary(STATUS),
            vocabulary(ACTIVE),
            vocabulary(MEETING_STATUS),
            fields,
            tabs,
            bool(added),
        )

    def fix(self, vocabulary: Vocabulary, text: object, value: str | None = None) -> str:
        """How to make ``text`` a word of ``vocabulary`` (meaning ``value``, else a guess): the
        line to paste, or where to add it when the config already has a ``vocabulary:``."""
        line = vocabulary.fix(text, value)
        value = line.split("{", 2)[2].split(":", 1)[0]
        if not self.configured:
            return f"to read it as {value}, add this line to the config: {line}"
        return f'to read it as {value}, add "{text}" to vocabulary.{vocabulary.setting}.{value}'


VOCABULARY_SETTINGS = {v.setting: v for v in (TIER, CATEGORY, STATUS, ACTIVE, MEETING_STATUS)}
"""The config's ``vocabulary:`` keys and the vocabulary each adds words to."""


def _language_keys() -> dict[str, set[str]]:
    """Per language, the word keys only its sheets use (English words do not count)."""
    english = {
        word_key(w) for kind in FIELDS.values() for aliases in kind.values() for w in aliases
    }
    for vocabulary in VOCABULARY_SETTINGS.values():
        english |= set(vocabulary.words)
    english |= {word_key(w) for names in TABS.values() for w in names}
    found = {}
    for code, words in LANGUAGES.items():
        keys = {
            word_key(w) for kind in words.values() for synonyms in kind.values() for w in synonyms
        }
        found[code] = keys - english
    return found


_LANGUAGE_KEYS = _language_keys()


def detect_language(texts: Iterable[object]) -> tuple[str | None, list[str]]:
    """The language whose words the most of ``texts`` are (tab names, header and first rows'
    cells), and those words; ``None`` when fewer than two are."""
    keys: dict[str, str] = {}
    for text in texts:
        if isinstance(text, str) and len(text) <= 60:
            keys.setdefault(word_key(text), text.strip())
    best, best_words = None, []
    for code, known in _LANGUAGE_KEYS.items():
        words = [shown for key, shown in keys.items() if key in known]
        if len(words) > len(best_words):
            best, best_words = code, words
    return (best, best_words) if len(best_words) >= 2 else (None, [])
