"""Output formats of the read-only commands: ``status`` as JSON, CSV or a terminal table, the
history table, and ``changes`` as text. Jinja templates (agendas, recaps): :mod:`.render`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pandas as pd

from sheetmentor.analysis import STAT_COLUMNS, Completion, stats_dict
from sheetmentor.i18n import _
from sheetmentor.plain import to_json
from sheetmentor.render.contexts import (
    CATEGORY_WORDS,
    bar,
    change_labels,
    change_line,
    longdate,
    pct,
    shortdate,
    tier_labels,
)
from sheetmentor.sheet.normalize import CATEGORIES, TIERS


def status_json(
    completion: Completion,
    club: str,
    as_of: dt.date,
    *,
    history: list[dict[str, Any]] | None = None,
) -> str:
    """``status --format json``: the object README.md documents; with ``history``, a ``history``
    list of ``{"meeting", "tiers": {TIER: STATS}}`` too, oldest meeting first."""
    data = completion.to_dict(club, as_of)
    if history is not None:
        data["history"] = history
    return to_json(data)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet app may take for the start of a formula when it opens a CSV file."""


def csv_cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet app opens as text, never as a formula: sheet text starting
    with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``
    (OWASP's advice against CSV injection). Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(rows: list[list[Any]]) -> str:
    """Rows as CSV, every cell passed through :func:`csv_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return buffer.getvalue()


def status_csv(completion: Completion) -> str:
    """``status --format csv``: one row per (scope, group), club first, then members; text cells
    are safe from formula injection (:func:`csv_cell`)."""
    rows: list[list[Any]] = [["member", "group", "key", *STAT_COLUMNS]]
    scopes = [("", completion.tiers, completion.categories)] + [
        (name, completion.member_tiers.loc[name], completion.member_categories.loc[name])
        for name in completion.members
    ]
    for member, tiers, categories in scopes:
        for group, frame in (("tier", tiers), ("category", categories)):
            for key, stats in stats_dict(frame).items():
                rows.append(
                    [
                        member or "(club)",
                        group,
                        key,
                        *("" if stats[c] is None else stats[c] for c in STAT_COLUMNS),
                    ]
                )
    return csv_text(rows)


def status_table(
    completion: Completion,
    club: str,
    as_of: dt.date,
    *,
    history: list[dict[str, Any]] | None = None,
) -> str:
    """``status``: a terminal table, a row per member and the club, a column per tier; with
    ``history``, a second table of the club's completion at recent meetings.

    The text is laid out for the terminal on standard output (its width, and its colours when
    it is one), as ``rich`` would print it there. It fits the width (80 columns when standard
    output is not a terminal, or ``COLUMNS``): long names wrap between words, and the progress
    bars are left out when they would leave names too little room."""
    from rich.console import Console
    from rich.measure import Measurement

    terminal = Console()
    console = Console(
        file=io.StringIO(),
        width=terminal.width,
        force_terminal=terminal.is_terminal,
        color_system=terminal.color_system,
        highlight=False,
    )
    table = _status_table(completion, club, as_of, bars=True)
    unbounded = console.options.update_width(10_000)
    if Measurement.get(console, unbounded, table).maximum > console.width:
        table = _status_table(completion, club, as_of, bars=False)
    console.print(table)
    if history is not None:
        console.print(history_table(history, as_of))
    return console.file.getvalue()


def _status_table(completion: Completion, club: str, as_of: dt.date, *, bars: bool):
    from rich import box
    from rich.table import Table

    table = Table(
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        show_edge=False,
        title=f"{club} — {shortdate(as_of, dt.date.min)}",  # always with its year
        title_justify="left",
        caption=_("% = mean progress · done/total · dropped goals left out"),
        caption_justify="left",
    )
    table.add_column(_("Member"), overflow="fold", min_width=8)
    labels = tier_labels()
    for tier in TIERS:
        table.add_column(labels[tier], overflow="fold")
    for category in CATEGORIES:
        short = _(CATEGORY_WORDS.get(category, category))[:4].capitalize() + "."
        table.add_column(short, justify="right", overflow="fold")

    def cells(tiers: pd.DataFrame, categories: pd.DataFrame) -> list[str]:
        by_tier = stats_dict(tiers)
        by_category = stats_dict(categories)
        return [
            f"{bar(s['progress'], 4) if bars else ''}{pct(s['progress']):>5} "
            f"{s['done']}/{s['total']}"
            for s in (by_tier[t] for t in TIERS)
        ] + [f"{s['done']}/{s['total']}" for s in by_category.values()]

    for name in completion.members:
        table.add_row(
            name, *cells(completion.member_tiers.loc[name], completion.member_categories.loc[name])
        )
    table.add_section()
    table.add_row(_("Club"), *cells(completion.tiers, completion.categories), style="bold")
    return table


def history_table(history: list[dict[str, Any]], as_of: dt.date):  # -> rich.table.Table
    """The club's completion per tier at each recorded meeting, oldest first (a meeting in
    another year than ``as_of``'s says its year)."""
    from rich import box
    from rich.table import Table

    table = Table(
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        show_edge=False,
        title=_("Club completion at recent meetings"),
        title_justify="left",
        caption=_("mean progress, done/total per tier (dropped goals left out)")
        if history
        else _("no meeting recorded yet: history starts with the next one"),
        caption_justify="left",
    )
    table.add_column(_("Meeting"), no_wrap=True)
    labels = tier_labels()
    for tier in TIERS:
        table.add_column(labels[tier], no_wrap=True)
    for row in history:
        table.add_row(
            shortdate(row["meeting"], as_of),
            *(
                f"{bar(s['progress'], 6)}{pct(s['progress']):>5} {s['done']}/{s['total']}"
                for s in (row["tiers"][tier] for tier in TIERS)
            ),
        )
    return table


def _since_line(changes: dict[str, Any]) -> str:
    """The "since the meeting of …" line only when the history holds the sheet as it was then;
    otherwise the day sheetmentor saw the sheet instead, said as such."""
    since, meeting = changes["since"], changes.get("meeting")
    if since is None:
        return _("Since the last meeting:")
    dates = {"since": longdate(since), "meeting": longdate(meeting)}
    if changes.get("since_meeting", True) or meeting is None:
        return _("Since the meeting of %(since)s:") % dates
    if since == changes.get("first_seen") and since > meeting:
        return (
            _(
                "Since %(since)s, when sheetmentor first saw the sheet (it did not see it "
                "at the meeting of %(meeting)s):"
            )
            % dates
        )
    return (
        _("Since %(since)s (sheetmentor did not see the sheet at the meeting of %(meeting)s):")
        % dates
    )


def changes_json(changes: dict[str, Any]) -> str:
    """``changes --format json``: :meth:`sheetmentor.memory.Changes.to_dict`, each change without
    the keys it has no value for — a blank Category or Due, ``field``/``from``/``to`` where a kind
    has none, the ``from`` of a Due that was blank — so that JSON never says ``null`` for a
    missing cell."""
    members = {
        name: {
            kind: [_known(change) for change in value] if isinstance(value, list) else value
            for kind, value in found.items()
        }
        for name, found in changes["members"].items()
    }
    return to_json(changes | {"members": members})


def _known(change: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in change.items() if value is not None}


def changes_text(changes: dict[str, Any]) -> str:
    """``changes``: per member, what moved since the last meeting's recorded state."""
    lines = [_since_line(changes)]
    for name, found in changes["members"].items():
        lines.append("")
        said = found["updated"] or found.get("unread")
        lines.append(name if said else _("%(name)s — no update") % {"name": name})
        for kind, label in change_labels().items():
            for change in found.get(kind, []):
                lines.append(f"  {label:<10} {change_line(kind, change)}")
    return "\n".join(lines) + "\n"
