"""Counts and statuses in words: "1 goal", "2 goals", "done". ``plural`` is one helper for the
English messages of the code (``check``, errors) and, as the ``plural`` filter, for templates a
club copied before they were translated; translated text uses ``ngettext``
(:mod:`sheetmentor.i18n`), so no output says "1 goals" or "2 meeting" in any language."""

from __future__ import annotations

from sheetmentor.i18n import N_, _

STATUS_LABELS = {"done": N_("done"), "open": N_("open"), "dropped": N_("dropped")}
"""A goal's status as outputs show it (the templates' ``status`` filter)."""


def plural(count: int, singular: str, plural: str | None = None) -> str:
    """``count`` and the noun that goes with it: ``plural(1, "goal")`` → "1 goal",
    ``plural(3, "goal")`` → "3 goals"; ``plural`` for irregular nouns ("person", "people")."""
    noun = singular if count == 1 else (plural or singular + "s")
    return f"{count} {noun}"


def status_label(status: str | None) -> str:
    """A goal's status in the current language ("done", "open", "dropped")."""
    return _(STATUS_LABELS[status]) if status in STATUS_LABELS else str(status or "")
