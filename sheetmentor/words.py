"""Counts in words: "1 goal", "2 goals". One helper for the code and, as the ``plural`` filter,
for the templates, so no output says "1 goals" or "2 meeting"."""

from __future__ import annotations


def plural(count: int, singular: str, plural: str | None = None) -> str:
    """``count`` and the noun that goes with it: ``plural(1, "goal")`` → "1 goal",
    ``plural(3, "goal")`` → "3 goals"; ``plural`` for irregular nouns ("person", "people")."""
    noun = singular if count == 1 else (plural or singular + "s")
    return f"{count} {noun}"
