"""Jinja rendering of agendas and recaps from the analysed club, and the filters they use.

Templates live in the top-level ``templates/`` folder (shipped inside the wheel as
``sheetmentor/templates``); a club can copy them to a folder of its own and point the config's
``templates`` key at it: its files are looked up first. ``templates/README.md`` documents every
variable a template receives.

Sheet text is data, never a template: it only ever reaches Jinja as variable values. Templates
use ``StrictUndefined`` (a typo in a template is an error, not a silent blank) and HTML templates
(``*.html.j2``) are autoescaped.

The other output formats live beside this module: :mod:`.formats` (status and changes as JSON,
CSV, tables, text), :mod:`.chart` (the PNG chart) and :mod:`.calendar` (the .ics).
"""

from __future__ import annotations

import datetime as dt
import math
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, TemplateError

from .analysis import (
    Completion,
    completion_by_tier,
    goals_at_meeting,
    rotation,
    stats_dict,
)
from .cadence import Meeting, Schedule, build_schedule
from .errors import ConfigError
from .plain import cell, day

if TYPE_CHECKING:
    from .config import Config
    from .schema import Club

FORMATS = {"markdown": "md", "html": "html", "text": "txt"}
TIER_LABELS = {"two-week": "Two-week", "quarterly": "Quarterly", "long-term": "Long-term"}
SCHEDULE_HORIZON = dt.timedelta(days=400)

CHANGE_LABELS = {
    "completed": "completed",
    "added": "added",
    "progress": "progress",
    "rescoped": "re-scoped",
    "reworded": "reworded",
    "dropped": "dropped",
    "removed": "removed",
    "reopened": "reopened",
}
"""How each kind of change reads in agendas, recaps and ``changes``, in the order shown."""


def builtin_templates() -> Path:
    """The templates shipped with sheetmentor (in the wheel, or ``templates/`` in a checkout)."""
    packaged = Path(str(resources.files("sheetmentor") / "templates"))
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "templates"


@cache
def template_environment(user_templates: Path | None = None) -> Environment:
    folders = [str(user_templates)] if user_templates else []
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader([*folders, str(builtin_templates())])]),
        undefined=StrictUndefined,
        autoescape=lambda name: bool(name) and ".html" in name,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        pct=pct,
        bar=bar,
        longdate=longdate,
        shortdate=shortdate,
        describe_change=lambda change, kind: change_line(kind, change),
    )
    return env


def render_template(name: str, context: dict[str, Any], user_templates: Path | None = None) -> str:
    """Render one template; a broken template is a config error naming the file and line."""
    env = template_environment(user_templates)
    try:
        return env.get_template(name).render(context)
    except TemplateError as error:
        lineno = getattr(error, "lineno", None) or _template_line(error)
        where = f"{name} line {lineno}" if lineno else name
        raise ConfigError(f"template {where}: {error.message}") from None


def _template_line(error: BaseException) -> int | None:
    """The template line a render-time error happened on: Jinja rewrites the traceback so that
    template frames carry the template's file name and line."""
    line, frame = None, error.__traceback__
    while frame is not None:
        if frame.tb_frame.f_code.co_filename.endswith(".j2"):
            line = frame.tb_lineno
        frame = frame.tb_next
    return line


def schedule_for(config: Config, club: Club, as_of: dt.date) -> Schedule:
    return build_schedule(config.meetings, club.meetings, until=as_of + SCHEDULE_HORIZON)


def agenda_context(
    club: Club,
    schedule: Schedule,
    meeting: Meeting,
    *,
    as_of: dt.date,
    cap: int,
    memory: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything the agenda templates receive (documented in ``templates/README.md``)."""
    completion = completion_by_tier(club)
    goals = goals_at_meeting(club, schedule, meeting)
    facilitator, order = rotation(list(club.active_members["name"]), schedule, meeting)
    mine = _by_member(goals)
    people = []
    for name in order:
        two_week = mine[name][mine[name]["tier"] == "two-week"]
        carried = two_week[two_week["carried"] > 0].sort_values("carried", ascending=False)
        people.append(
            _member(club, completion, name)
            | {
                "due": _goals(two_week[two_week["due_here"]], club),
                "carried": _goals(carried, club),
                "quarterly": _goals(_open(mine[name], "quarterly"), club),
                "long_term": _goals(_open(mine[name], "long-term"), club),
                "wins": _goals(mine[name][mine[name]["win"]], club),
            }
        )
    previous = schedule.previous(meeting)
    _attach_memory(people, memory)
    return _common(club, completion, as_of, cap) | {
        "meeting": _meeting(meeting),
        "previous": _meeting(previous) if previous else None,
        "facilitator": facilitator,
        "speaking_order": order,
        "members": people,
        "wins": [win for person in people for win in person["wins"]],
        "carried_total": int((goals["carried"] > 0).sum()),
        "memory": memory,
    }


def recap_context(
    club: Club,
    schedule: Schedule,
    meeting: Meeting,
    *,
    as_of: dt.date,
    cap: int,
    recipient: str | None = None,
    memory: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything the recap templates receive (documented in ``templates/README.md``).

    With ``recipient`` (personal mode), that member's section comes first and ``recipient`` is
    their MEMBER entry; in group mode it is ``None`` and members keep the sheet's order.
    """
    completion = completion_by_tier(club)
    at_meeting = _by_member(goals_at_meeting(club, schedule, meeting))
    following = schedule.following(meeting)
    names = list(club.active_members["name"])
    if following is not None:
        after = _by_member(goals_at_meeting(club, schedule, following))
        next_facilitator, _ = rotation(names, schedule, following)
    else:
        after, next_facilitator = at_meeting, None
    order = [recipient, *(n for n in names if n != recipient)] if recipient else names
    people = []
    for name in order:
        here, ahead = at_meeting[name], after[name]
        two_week_here = here[here["tier"] == "two-week"]
        two_week_ahead = ahead[ahead["tier"] == "two-week"]
        due_here = set(two_week_here.index[two_week_here["due_here"]])
        # Goals due at this meeting and still open show under "due" as carrying over; this
        # list is what was already carried before it.
        carrying = two_week_ahead[
            (two_week_ahead["carried"] > 0) & ~two_week_ahead.index.isin(due_here)
        ]
        people.append(
            _member(club, completion, name)
            | {
                "due": _goals(two_week_here[two_week_here["due_here"]], club),
                "carrying": _goals(carrying.sort_values("carried", ascending=False), club),
                "next_due": _goals(
                    two_week_ahead[two_week_ahead["due_here"] & (two_week_ahead["carried"] == 0)],
                    club,
                ),
                "quarterly": _goals(_open(here, "quarterly"), club),
                "long_term": _goals(_open(here, "long-term"), club),
                "wins": _goals(here[here["win"]], club),
            }
        )
    attended = list(meeting.attended) if meeting.attended is not None else None
    _attach_memory(people, memory)
    return _common(club, completion, as_of, cap) | {
        "meeting": _meeting(meeting),
        "attended": attended,
        "absent": [n for n in names if n not in attended] if attended is not None else None,
        "next": _meeting(following) if following else None,
        "next_facilitator": next_facilitator,
        "members": people,
        "recipient": people[0] if recipient else None,
        "wins": [win for person in people for win in person["wins"]],
        "memory": memory,
    }


def _attach_memory(people: list[dict[str, Any]], memory: dict[str, Any] | None) -> None:
    """Each member's part of the meeting memory, so templates need not look names up:
    ``changes`` (their CHANGES entry, or None without history), ``stale`` and ``streak``."""
    changes = memory["changes"] if memory else None
    for person in people:
        name = person["name"]
        person["changes"] = changes["members"].get(name) if changes else None
        person["stale"] = [s for s in memory["stale"] if s["member"] == name] if memory else []
        person["streak"] = memory["streaks"].get(name) if memory else None


def _common(club: Club, completion: Completion, as_of: dt.date, cap: int) -> dict[str, Any]:
    active = len(club.active_members)
    return {
        "club": {"name": club.name, "cap": cap, "active": active, "over_cap": active > cap},
        "as_of": as_of,
        "tier_labels": TIER_LABELS,
        "figures": {
            "tiers": stats_dict(completion.tiers),
            "categories": stats_dict(completion.categories),
        },
        "warnings": [str(p) for p in club.warnings if p.ref is None],
        "change_labels": CHANGE_LABELS,
    }


def _member(club: Club, completion: Completion, name: str) -> dict[str, Any]:
    members = club.members
    row = members[members["name"] == name].iloc[0]
    extras = club.extra_columns.get("members", [])
    return {
        "name": name,
        "email": cell(row["email"]),
        "focus": cell(row["focus"]),
        "joined": day(row["joined"]),
        "extra": {column: cell(row[column]) for column in extras},
        "tiers": stats_dict(completion.member_tiers.loc[name]),
        "categories": stats_dict(completion.member_categories.loc[name]),
    }


def _by_member(goals: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Each member's goals; a member without goals gets an empty frame."""
    groups = dict(tuple(goals.groupby("member", observed=False)))
    return {name: groups.get(name, goals.iloc[0:0]) for name in goals["member"].cat.categories}


def render_agenda(
    config: Config,
    club: Club,
    *,
    as_of: dt.date,
    date: dt.date | None = None,
    format: str = "markdown",
    memory: dict[str, Any] | None = None,
) -> str:
    """The agenda of the meeting on ``date`` (default: the next one on or after ``as_of``).

    ``memory`` is the meeting-memory block (:func:`sheetmentor.memory.recall`); without it the
    agenda leaves out what changed since the last meeting.
    """
    if format not in FORMATS:
        raise ConfigError(f"unknown agenda format {format!r} (expected {', '.join(FORMATS)})")
    schedule = schedule_for(config, club, max(as_of, date or as_of))
    meeting = agenda_meeting(schedule, as_of, date)
    context = agenda_context(
        club, schedule, meeting, as_of=as_of, cap=config.club.cap, memory=memory
    )
    return render_template(f"agenda.{FORMATS[format]}.j2", context, config.templates)


def agenda_meeting(schedule: Schedule, as_of: dt.date, date: dt.date | None) -> Meeting:
    """The meeting on ``date``, else the next one on or after ``as_of``."""
    return schedule.on(date) if date else schedule.next_meeting(as_of)


def _open(goals: pd.DataFrame, tier: str) -> pd.DataFrame:
    return goals[(goals["tier"] == tier) & (goals["status"] == "open")]


def _goals(goals: pd.DataFrame, club: Club) -> list[dict[str, Any]]:
    extras = club.extra_columns.get("goals", [])
    return [
        {
            "member": row["member"],
            "goal": row["goal"],
            "tier": row["tier"],
            "category": cell(row["category"]),
            "status": row["status"],
            "progress": float(row["progress"]),
            "set": day(row["set"]),
            "due": day(row["due"]),
            "completed": day(row["completed"]),
            "due_meeting": day(row["due_meeting"]),
            "carried": int(row["carried"]),
            "overdue": bool(row["overdue"]),
            "notes": cell(row["notes"]),
            "ref": f"{row['tab']}!{row['sheet_row']}",
            "extra": {column: cell(row.get(column)) for column in extras},
        }
        for row in goals.to_dict("records")
    ]


def _meeting(meeting: Meeting) -> dict[str, Any]:
    return {
        "number": meeting.number,
        "date": meeting.date,
        "start": meeting.start,
        "end": meeting.end,
        "location": meeting.location,
        "facilitator": meeting.facilitator,
        "attended": list(meeting.attended) if meeting.attended is not None else None,
        "notes": meeting.notes,
        "moved_from": meeting.moved_from,
        "extra": meeting.extra,
    }


def pct(value: float | None) -> str:
    """0.4 → "40%"; a missing figure → "–"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{round(value * 100):d}%"


def bar(value: float | None, width: int = 10) -> str:
    """0.4 → "████░░░░░░"."""
    filled = 0 if value is None or math.isnan(value) else round(value * width)
    return "█" * filled + "░" * (width - filled)


def longdate(value: dt.date | None) -> str:
    """Tuesday, December 1, 2026."""
    return "" if value is None else f"{value:%A, %B} {value.day}, {value.year}"


def shortdate(value: dt.date | None, near: dt.date | None = None) -> str:
    """Dec 1; with the year when it differs from ``near``'s (Sep 30, 2027)."""
    if value is None:
        return ""
    year = f", {value.year}" if near is not None and value.year != near.year else ""
    return f"{value:%b} {value.day}{year}"


def change_line(kind: str, change: dict[str, Any]) -> str:
    """One change in words: "Call two mentors (40% → 70%)"."""
    goal = change["goal"]
    if kind == "progress":
        return f"{goal} ({pct(change['from'])} → {pct(change['to'])})"
    if kind == "rescoped":
        before, after = change["from"], change["to"]
        if isinstance(before, dt.date) or isinstance(after, dt.date):
            before, after = shortdate(before) or "no date", shortdate(after) or "no date"
        return f"{goal} ({change['field']}: {before} → {after})"
    if kind == "reworded":
        return f'{goal} (was "{change["from"]}")'
    return goal
