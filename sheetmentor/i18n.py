"""The club's language (``club.language``): the words, dates and numbers of every output.

Fixed words come from gettext catalogs, one ``.po`` file per language in
``sheetmentor/locale/<locale>/LC_MESSAGES/sheetmentor.po``; dates, numbers, percentages and plural
forms come from Babel (CLDR), so "mardi 1 décembre 2026" and "60 %" are what a native reader
writes. The ``.po`` file is the only one kept: a run compiles it with Babel (``read_po``, then
``write_mo``) into the user's own cache folder (``$XDG_CACHE_HOME/sheetmentor``, else
``~/.cache/sheetmentor``: not a shared temporary folder, where another account could plant a
catalog whose words reach e-mails), named by a hash of the ``.po``'s bytes, and later runs load
that ``.mo`` (reading the ``.po`` costs about 60 ms, loading the ``.mo`` under 1 ms). So there
is no compiled file to forget to rebuild, at install or after a translator's edit, and no build
step; without a writable cache folder the ``.po`` is compiled in memory on each run.

English is the source language: it needs no catalog and no Babel, so an English club's run
imports neither (and ``--help`` never does). Its dates are written here the way CLDR writes them
for ``en``.

The language of a run is ambient (a context variable), set from the config by the library
function of each command (:func:`in_club_language`), so the code that builds text — templates'
filters, subjects, chat posts, calendar entries, tables — asks :func:`current` instead of being
handed a language through every call.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
import gettext as _gettext
import hashlib
import io
import math
import os
import struct
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

ENGLISH = "en"
DOMAIN = "sheetmentor"
CATALOGS = Path(__file__).resolve().parent / "locale"

P = ParamSpec("P")
R = TypeVar("R")


class Language:
    """One language's words (``gettext``/``ngettext``) and its ways with dates and numbers."""

    def __init__(self, tag: str, locale: Any = None, translations: Any = None) -> None:
        self.tag = tag
        self.locale = locale  # a babel.Locale, None for English
        self.translations = translations or _gettext.NullTranslations()

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self.translations.ngettext(singular, plural, count)

    def longdate(self, value: dt.date | None) -> str:
        """Tuesday, December 1, 2026 · mardi 1 décembre 2026 (CLDR's full date)."""
        if value is None:
            return ""
        if self.locale is None:
            return f"{value:%A, %B} {value.day}, {value.year}"
        from babel.dates import format_date

        return format_date(value, "full", locale=self.locale)

    def shortdate(self, value: dt.date | None, near: dt.date | None = None) -> str:
        """Dec 1 · 1 déc.; with the year when it differs from ``near``'s (Sep 30, 2027)."""
        if value is None:
            return ""
        with_year = near is not None and value.year != near.year
        if self.locale is None:
            return f"{value:%b} {value.day}" + (f", {value.year}" if with_year else "")
        from babel.dates import format_skeleton

        return format_skeleton("yMMMd" if with_year else "MMMd", value, locale=self.locale)

    def weekday_date(self, value: dt.date, *, year: bool = False) -> str:
        """Tue Dec 1 · mar. 1 déc. (a chat title); ``year``: Tue December 1, 2026 · mar. 1
        décembre 2026 (a line of ``next``)."""
        if self.locale is None:
            if year:
                return f"{value:%a %B} {value.day}, {value.year}"
            return f"{value:%a %b} {value.day}"
        from babel.dates import format_skeleton

        return format_skeleton("yMMMMEd" if year else "MMMEd", value, locale=self.locale)

    def percent(self, value: float | None) -> str:
        """0.4 → "40%" · "40 %"; a missing figure → "–"."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "–"
        if self.locale is None:
            return f"{round(value * 100):d}%"
        from babel.numbers import format_percent

        return format_percent(round(value, 2), locale=self.locale)


_ENGLISH = Language(ENGLISH)
_current: contextvars.ContextVar[Language] = contextvars.ContextVar("language", default=_ENGLISH)


def is_english(tag: str) -> bool:
    return tag.replace("_", "-").split("-")[0].lower() == ENGLISH


def available() -> list[str]:
    """The languages with a catalog, as BCP 47 tags (``pt-BR``), and English."""
    found = {path.parent.parent.name.replace("_", "-") for path in CATALOGS.glob("*/*/*.po")}
    return [ENGLISH, *sorted(found)]


def check_tag(value: Any) -> str:
    """``club.language`` validated: a BCP 47 tag Babel knows and sheetmentor has a catalog for
    (``fr-CA`` uses the ``fr`` one); raises ValueError saying which languages there are."""
    text = str(value).strip()
    if is_english(text):
        return ENGLISH if "-" not in text.replace("_", "-") else text.replace("_", "-")
    from babel import Locale, UnknownLocaleError

    try:
        locale = Locale.parse(text.replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        raise ValueError(
            f'"{value}" is not a language tag (BCP 47, e.g. "fr", "pt-BR"; '
            f"sheetmentor speaks {', '.join(available())})"
        ) from None
    if _catalog(locale) is None:
        raise ValueError(
            f'sheetmentor has no translation for "{value}" yet (it speaks '
            f"{', '.join(available())}; templates/README.md says how to add one)"
        )
    return text.replace("_", "-")


def _catalog(locale: Any) -> Path | None:
    """The ``.po`` file for ``locale``: its own (``pt_BR``), else its language's (``fr``)."""
    for name in (str(locale), locale.language):
        path = CATALOGS / name / "LC_MESSAGES" / f"{DOMAIN}.po"
        if path.is_file():
            return path
    return None


@functools.cache
def language(tag: str) -> Language:
    """The :class:`Language` for a tag :func:`check_tag` accepted; its catalog read once."""
    if is_english(tag):
        return _ENGLISH
    from babel import Locale

    locale = Locale.parse(tag.replace("-", "_"))
    path = _catalog(locale)
    if path is None:
        raise ValueError(f"no catalog for {tag}")
    source = path.read_bytes()
    cached = _cache_folder() / f"{locale}-{hashlib.sha256(source).hexdigest()[:16]}.mo"
    try:
        translations = _gettext.GNUTranslations(io.BytesIO(cached.read_bytes()))
    except (OSError, ValueError, struct.error):  # absent, unreadable or damaged: compile it
        translations = _gettext.GNUTranslations(io.BytesIO(_compile(source, locale, cached)))
    return Language(tag, locale, translations)


def _cache_folder() -> Path:
    """The user's own cache folder for compiled catalogs."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "sheetmentor" / "catalogs"


def _compile(source: bytes, locale: Any, cached: Path) -> bytes:
    """The ``.mo`` bytes of a ``.po`` file's ``source``, kept at ``cached`` for the next run
    when the folder can be written."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    compiled = io.BytesIO()
    write_mo(compiled, read_po(io.BytesIO(source), locale=locale, domain=DOMAIN))
    data = compiled.getvalue()
    try:
        cached.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        partial = cached.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(data)
        partial.replace(cached)  # atomic: a concurrent run reads the old file or the new one
    except OSError:
        pass
    return data


def current() -> Language:
    """The language of this run (English unless :func:`speaking` says otherwise)."""
    return _current.get()


@contextlib.contextmanager
def speaking(tag: str) -> Iterator[Language]:
    """Within the block, :func:`current` is ``tag``'s language."""
    token = _current.set(language(tag))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def in_club_language(function: Callable[P, R]) -> Callable[P, R]:
    """Run a library function whose first argument is the config in its ``club.language``."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        config = args[0] if args else kwargs["config"]
        with speaking(config.club.language):  # type: ignore[attr-defined]
            return function(*args, **kwargs)

    return wrapper


def _(message: str) -> str:
    """``message`` in the current language."""
    return _current.get().gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of ``singular``/``plural`` the current language uses for ``count``."""
    return _current.get().ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Marks ``message`` for the catalog where it is defined; it is translated where shown."""
    return message
