"""Private goals: counted in every figure, named only to their owner.

A goal is private when the Goals tab has a ``Private`` column saying so (``yes``, ``✓``,
``TRUE``, ``x``, ``1``), a ``Visibility`` column saying ``private`` (``club`` or blank: not), or
its text starts with 🔒. Figures are computed from the frames, which keep every goal; only what a
person reads is changed: :func:`hide_private` replaces each private goal of another member with
"1 private goal (done)" — its status stays, its text, notes and extra columns go.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from sheetmentor.i18n import _
from sheetmentor.words import status_label

if TYPE_CHECKING:
    from sheetmentor.sheet.normalize import Club

__all__ = ["LOCK", "hide_private", "is_private_text", "private_goals"]

LOCK = "🔒"
_YES = {"yes", "y", "✓", "✔", "true", "x", "1", "private"}
_COLUMNS = ("private", "visibility")

Owned = Collection[tuple[str, str]]
"""(member, goal text) of each private goal."""


def is_private_text(text: Any) -> bool:
    """A goal text that starts with 🔒 is private, whatever the columns say."""
    return isinstance(text, str) and text.lstrip().startswith(LOCK)


def _says_private(value: Any) -> bool:
    if value is True:
        return True
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value == 1
    return isinstance(value, str) and value.strip().casefold() in _YES


def private_goals(club: Club) -> frozenset[tuple[str, str]]:
    """Every private goal of the Goals tab as (member, goal text)."""
    goals = club.goals
    columns = [
        c for c in club.extra_columns.get("goals", []) if str(c).strip().casefold() in _COLUMNS
    ]
    flags = [goals[c].tolist() for c in columns]
    found = set()
    for index, (member, goal) in enumerate(zip(goals["member"], goals["goal"], strict=True)):
        if is_private_text(goal) or any(_says_private(flag[index]) for flag in flags):
            found.add((str(member), str(goal)))
    return frozenset(found)


def masked(goal: dict[str, Any]) -> dict[str, Any]:
    """The goal as others see it: "1 private goal (done)", no notes, no extra columns."""
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
    return hidden


def hide_private(value: Any, private: Owned, viewer: str | None = None) -> Any:
    """``value`` (a template context, a CHANGES dict…) with every private goal not ``viewer``'s
    masked (:func:`masked`); the rest is shared, not copied. A goal dict is one with a ``goal``
    text; its owner is its ``member``, else the member whose entry holds it (a MEMBER's
    ``name``, or a key of a dict keyed by member name)."""
    owned = set(private)
    names = {member for member, _ in owned} | ({viewer} if viewer else set())
    return _walk(value, owned, names, viewer, None)


def _walk(value: Any, owned: set, names: set, viewer: str | None, member: str | None) -> Any:
    if isinstance(value, dict):
        text = value.get("goal")
        if isinstance(text, str):
            owner = str(value.get("member") or member or "")
            if ((owner, text) in owned or is_private_text(text)) and owner != viewer:
                return masked(value)
        if isinstance(value.get("name"), str) and "due" in value:
            member = value["name"]
        return {
            key: _walk(item, owned, names, viewer, key if key in names else member)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return type(value)(_walk(item, owned, names, viewer, member) for item in value)
    return value
