"""Jinja rendering of agendas (and, later, recaps) from the analysed club.

Templates live in the top-level ``templates/`` folder (shipped inside the wheel as
``sheetmentor/templates``); a club can copy them to a folder of its own and point the config's
``templates`` key at it: its files are looked up first. ``templates/README.md`` documents every
variable a template receives.

Sheet text is data, never a template: it only ever reaches Jinja as variable values. Templates
use ``StrictUndefined`` (a typo in a template is an error, not a silent blank) and HTML templates
(``*.html.j2``) are autoescaped.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, TemplateError

from .analysis import (
    STAT_COLUMNS,
    Completion,
    completion_by_tier,
    goals_at_meeting,
    rotation,
    stats_dict,
)
from .cadence import Meeting, Schedule, build_schedule
from .errors import ConfigError
from .schema import CATEGORIES, TIERS

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
        "email": _value(row["email"]),
        "focus": _value(row["focus"]),
        "joined": _date(row["joined"]),
        "extra": {column: _value(row[column]) for column in extras},
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

    ``memory`` is the meeting-memory block (:func:`sheetmentor.history.recall`); without it the
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
            "category": _value(row["category"]),
            "status": row["status"],
            "progress": float(row["progress"]),
            "set": _date(row["set"]),
            "due": _date(row["due"]),
            "completed": _date(row["completed"]),
            "due_meeting": _date(row["due_meeting"]),
            "carried": int(row["carried"]),
            "overdue": bool(row["overdue"]),
            "notes": _value(row["notes"]),
            "ref": f"{row['tab']}!{row['sheet_row']}",
            "extra": {column: _value(row.get(column)) for column in extras},
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


def _date(value: Any) -> dt.date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def _value(value: Any) -> Any:
    """A cell for templates: pandas' missing markers (NaN, NaT, NA) become ``None``."""
    missing = pd.isna(value)
    return None if isinstance(missing, bool) and missing else value


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


def status_json(
    completion: Completion,
    club: str,
    as_of: dt.date,
    *,
    history: list[dict[str, Any]] | None = None,
) -> str:
    """``status --format json``: the object SPEC.md defines; with ``history``, a ``history``
    list of ``{"meeting", "tiers": {TIER: STATS}}`` too, oldest meeting first."""
    data = completion.to_dict(club, as_of)
    if history is not None:
        data["history"] = history
    return json.dumps(data, ensure_ascii=False, indent=2, default=_iso_date) + "\n"


def _iso_date(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def status_csv(completion: Completion) -> str:
    """``status --format csv``: one row per (scope, group), club first, then members."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["member", "group", "key", *STAT_COLUMNS])
    scopes = [("", completion.tiers, completion.categories)] + [
        (name, completion.member_tiers.loc[name], completion.member_categories.loc[name])
        for name in completion.members
    ]
    for member, tiers, categories in scopes:
        for group, frame in (("tier", tiers), ("category", categories)):
            for key, stats in stats_dict(frame).items():
                writer.writerow(
                    [
                        member or "(club)",
                        group,
                        key,
                        *("" if stats[c] is None else stats[c] for c in STAT_COLUMNS),
                    ]
                )
    return buffer.getvalue()


def status_table(
    completion: Completion,
    club: str,
    as_of: dt.date,
    *,
    history: list[dict[str, Any]] | None = None,
) -> None:
    """``status``: a terminal table, a row per member and the club, a column per tier; with
    ``history``, a second table of the club's completion at recent meetings."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        title=f"{club} — {as_of:%b} {as_of.day}, {as_of.year}",
        title_justify="left",
        caption="mean progress, done/total per tier and category (dropped goals left out)",
        caption_justify="left",
    )
    table.add_column("Member", no_wrap=True)
    for tier in TIERS:
        table.add_column(TIER_LABELS[tier], no_wrap=True)
    for category in CATEGORIES:
        table.add_column(category[:4].capitalize() + ".", justify="right", no_wrap=True)

    def cells(tiers: pd.DataFrame, categories: pd.DataFrame) -> list[str]:
        by_tier = stats_dict(tiers)
        by_category = stats_dict(categories)
        return [
            f"{bar(s['progress'], 4)}{pct(s['progress']):>5} {s['done']}/{s['total']}"
            for s in (by_tier[t] for t in TIERS)
        ] + [f"{s['done']}/{s['total']}" for s in by_category.values()]

    for name in completion.members:
        table.add_row(
            name, *cells(completion.member_tiers.loc[name], completion.member_categories.loc[name])
        )
    table.add_section()
    table.add_row("Club", *cells(completion.tiers, completion.categories), style="bold")
    console = Console(highlight=False)
    console.print(table)
    if history is not None:
        console.print(history_table(history))


def history_table(history: list[dict[str, Any]]):  # -> rich.table.Table
    """The club's completion per tier at each recorded meeting, oldest first."""
    from rich import box
    from rich.table import Table

    table = Table(
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        title="Club completion at recent meetings",
        title_justify="left",
        caption=None if history else "no meeting recorded yet: history starts with the next one",
        caption_justify="left",
    )
    table.add_column("Meeting", no_wrap=True)
    for tier in TIERS:
        table.add_column(TIER_LABELS[tier], no_wrap=True)
    for row in history:
        table.add_row(
            shortdate(row["meeting"], dt.date.today()),
            *(
                f"{bar(s['progress'], 6)}{pct(s['progress']):>5} {s['done']}/{s['total']}"
                for s in (row["tiers"][tier] for tier in TIERS)
            ),
        )
    return table


def history_chart_png(club: str, history: list[dict[str, Any]]) -> bytes:
    """``status --chart``: mean progress per tier at recent meetings, as a PNG line chart."""
    try:
        import matplotlib
    except ImportError:
        raise ConfigError("--chart needs matplotlib: pip install 'sheetmentor[chart]'") from None
    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(7, 3.5), dpi=100)
    days = [row["meeting"] for row in history]
    for tier in TIERS:
        values = [row["tiers"][tier]["progress"] for row in history]
        axes.plot(days, [v * 100 if v is not None else None for v in values], marker="o",
                  label=TIER_LABELS[tier])  # fmt: skip
    axes.set_ylim(0, 100)
    axes.set_ylabel("mean progress (%)")
    axes.set_title(f"{club}: progress at each meeting")
    axes.grid(alpha=0.3)
    axes.legend(loc="upper left", fontsize="small")
    if not history:
        axes.text(0.5, 0.5, "no meeting recorded yet", ha="center", transform=axes.transAxes)
    figure.autofmt_xdate()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    pyplot.close(figure)
    return buffer.getvalue()


def changes_text(changes: dict[str, Any]) -> str:
    """``changes``: per member, what moved since the last meeting's recorded state."""
    since = changes["since"]
    lines = [f"Since the meeting of {longdate(since)}:" if since else "Since the last meeting:"]
    for name, found in changes["members"].items():
        lines.append("")
        lines.append(name if found["updated"] else f"{name} — no update")
        for kind, label in CHANGE_LABELS.items():
            for change in found.get(kind, []):
                lines.append(f"  {label:<10} {change_line(kind, change)}")
    return "\n".join(lines) + "\n"


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


def upcoming_lines(config: Config, club: Club, as_of: dt.date, count: int) -> list[str]:
    """``next``: one line per upcoming meeting, with place and facilitator."""
    schedule = schedule_for(config, club, as_of)
    members = list(club.active_members["name"])
    lines = []
    for meeting in schedule.upcoming(as_of, count):
        facilitator, _ = rotation(members, schedule, meeting)
        parts = [
            f"{meeting.date:%a} {longdate(meeting.date).split(', ', 1)[1]}",
            f"{meeting.start:%H:%M}–{meeting.end:%H:%M} {meeting.start.tzname()}",
        ]
        if meeting.location:
            parts.append(meeting.location)
        if facilitator:
            parts.append(f"facilitator {facilitator}")
        if meeting.moved_from:
            parts.append(f"moved from {shortdate(meeting.moved_from)}")
        lines.append(" · ".join(parts))
    return lines


def calendar_ics(config: Config, club: Club, as_of: dt.date, count: int) -> bytes:
    """``calendar``: the next ``count`` meetings as iCalendar events with stable UIDs, so a
    re-import updates events instead of duplicating them."""
    schedule = schedule_for(config, club, as_of)
    return meetings_ics(club, schedule, schedule.upcoming(as_of, count))


def meetings_ics(club: Club, schedule: Schedule, meetings: list[Meeting]) -> bytes:
    """Meetings as an iCalendar file (also the .ics attached to emails), with facilitators."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//sheetmentor//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", club.name)
    slug = re.sub(r"[^a-z0-9]+", "-", club.name.lower()).strip("-")
    members = list(club.active_members["name"])
    for meeting in meetings:
        facilitator, _ = rotation(members, schedule, meeting)
        event = Event()
        slot = meeting.moved_from or meeting.date
        event.add("uid", f"{slot:%Y%m%d}-{slug}@sheetmentor")
        event.add("summary", club.name)
        event.add("dtstart", meeting.start)
        event.add("dtend", meeting.end)
        event.add("dtstamp", dt.datetime.combine(meeting.date, dt.time(), tzinfo=dt.UTC))
        if meeting.location:
            event.add("location", meeting.location)
        if facilitator:
            event.add("description", f"Facilitator: {facilitator}")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
