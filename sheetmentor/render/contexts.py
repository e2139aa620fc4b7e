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
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from jinja2 import (
    BytecodeCache,
    ChoiceLoader,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
)

from sheetmentor import clock
from sheetmentor.analysis import (
    Completion,
    completion_by_tier,
    could_miss,
    goals_at_meeting,
    rotation,
    stats_dict,
)
from sheetmentor.config import AgendaConfig, Config
from sheetmentor.errors import ConfigError
from sheetmentor.i18n import N_, _, current, in_club_language, ngettext
from sheetmentor.memory import MeetingMemory
from sheetmentor.plain import number, records
from sheetmentor.privacy import hide_private, private_goals
from sheetmentor.schedule import LAST_DAY, Meeting, Schedule, build_schedule
from sheetmentor.words import plural, status_label

if TYPE_CHECKING:
    from sheetmentor.sheet.normalize import Club

FORMATS = {"markdown": "md", "html": "html", "text": "txt"}
TIER_LABELS = {
    "two-week": N_("Two-week"),
    "quarterly": N_("Quarterly"),
    "long-term": N_("Long-term"),
}
SCHEDULE_HORIZON = dt.timedelta(days=400)
GOOGLE_SHEET_URL = "https://docs.google.com/spreadsheets/d/{key}/edit"

CHANGE_LABELS = {
    "completed": N_("completed"),
    "added": N_("added"),
    "progress": N_("progress"),
    "rescoped": N_("re-scoped"),
    "reworded": N_("reworded"),
    "dropped": N_("dropped"),
    "removed": N_("removed"),
    "reopened": N_("reopened"),
    "unread": N_("not read this time"),
}
"""How each kind of change reads in agendas, recaps and ``changes``, in the order shown (in
English: :func:`change_labels` gives them in the club's language)."""

CATEGORY_WORDS = {"professional": N_("professional"), "personal": N_("personal")}
"""A goal's category as outputs show it (the ``category`` filter)."""

FIELD_LABELS = {"tier": N_("tier"), "due": N_("due"), "member": N_("member")}
"""What a re-scoped goal's change names (``tier: two-week → quarterly``)."""

TIER_WORDS = {
    "two-week": N_("two-week"),
    "quarterly": N_("quarterly"),
    "long-term": N_("long-term"),
}
"""A tier inside a sentence (``tier: two-week → quarterly``)."""


def tier_labels() -> dict[str, str]:
    """``TIER_LABELS`` in the current language."""
    return {tier: _(label) for tier, label in TIER_LABELS.items()}


def change_labels() -> dict[str, str]:
    """``CHANGE_LABELS`` in the current language, in the order shown."""
    return {kind: _(label) for kind, label in CHANGE_LABELS.items()}


def builtin_templates() -> Path:
    """The templates shipped with sheetmentor (in the wheel, or ``templates/`` in a checkout)."""
    packaged = Path(str(resources.files("sheetmentor") / "templates"))
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


@cache
def template_environment(user_templates: Path | None = None) -> Environment:
    folders = [str(user_templates)] if user_templates else []
    env = Environment(
        extensions=["jinja2.ext.i18n"],
        loader=ChoiceLoader([FileSystemLoader([*folders, str(builtin_templates())])]),
        undefined=StrictUndefined,
        autoescape=lambda name: bool(name) and ".html" in name,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=_compiled_templates(),
    )
    # The words of the run's current language (:mod:`sheetmentor.i18n`), asked at render time:
    # one environment (and one compiled template) serves every language.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda message: current().gettext(message),
        ngettext=lambda singular, plural, count: current().ngettext(singular, plural, count),
        newstyle=True,
    )
    env.filters.update(
        status=status_label,
        category=lambda key: _(CATEGORY_WORDS[key]) if key in CATEGORY_WORDS else key,
        pct=pct,
        bar=bar,
        longdate=longdate,
        shortdate=shortdate,
        clip=clip,
        plural=plural,
        describe_change=lambda change, kind: change_line(kind, change),
    )
    return env


def _compiled_templates() -> BytecodeCache | None:
    """Jinja's cache of compiled templates in the user's temporary folder: compiling the
    agenda's templates costs more than rendering them. Each entry is checked against its
    template's source, so an edited template is compiled again; without a usable folder,
    templates are compiled on every run."""
    try:
        return FileSystemBytecodeCache()
    except (OSError, RuntimeError):
        return None


def render_template(name: str, context: dict[str, Any], user_templates: Path | None = None) -> str:
    """Render one template in the run's current language (which each command's library function
    sets from ``club.language``; :func:`sheetmentor.i18n.speaking` sets it for other callers); a
    broken template is a config error naming the file and line."""
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


def schedule_for(config: Config, club: Club, as_of: dt.date, count: int = 0) -> Schedule:
    """The schedule from the cadence's first meeting to :data:`SCHEDULE_HORIZON` after
    ``as_of`` — and far enough for ``count`` meetings from ``as_of`` (``next -n``,
    ``calendar -n``), a cadence step for each, however far that is."""
    days = SCHEDULE_HORIZON.days + 7 * config.meetings.every * count
    left = (LAST_DAY - as_of).days
    until = as_of + dt.timedelta(days=days) if days < left else LAST_DAY
    return build_schedule(config.meetings, club.meetings, until=until)


def template_memory(memory: MeetingMemory | dict[str, Any] | None) -> dict[str, Any] | None:
    """The ``memory`` block templates receive: the typed memory's ``to_dict`` (a dict given is
    taken as that block already)."""
    return memory.to_dict() if isinstance(memory, MeetingMemory) else memory


def agenda_context(
    club: Club,
    schedule: Schedule,
    meeting: Meeting,
    *,
    as_of: dt.date,
    cap: int,
    memory: MeetingMemory | dict[str, Any] | None = None,
    config: Config | None = None,
    reveal_private: bool = False,
) -> dict[str, Any]:
    """Everything the agenda templates receive (documented in ``templates/README.md``).

    ``memory`` is the meeting memory (:func:`sheetmentor.memory.recall_memory`; or its
    :meth:`~sheetmentor.memory.MeetingMemory.to_dict`, which this turns it into: the template
    boundary).

    ``config`` gives the time box (``meetings.agenda``) and the sheet's link; without it the
    defaults apply and the link is left out. Private goals show as "1 private goal (done)"
    (:func:`sheetmentor.privacy.hide_private`) unless ``reveal_private``, for a caller that
    masks them per reader itself.
    """
    memory = template_memory(memory)
    completion = completion_by_tier(club)
    basics = _members(club, completion)
    names = list(basics)
    facilitator, order = rotation(names, schedule, meeting)
    previous, following = schedule.previous(meeting), schedule.following(meeting)
    rows = _member_goals(
        goals_at_meeting(club, schedule, meeting), club, previous, meeting, following, memory
    )
    settings = config.meetings.agenda if config else AgendaConfig()
    box = time_box(meeting, len(order), settings.opening, settings.closing)
    people = []
    for position, name in enumerate(order):
        mine = rows[name]
        people.append(
            basics[name]
            | _slot(meeting, box, position)
            | {
                "due": [g for g, f in mine if f.due_here and g["status"] != "dropped"],
                "carried": sorted(
                    (g for g, _ in mine if g["tier"] == "two-week" and g["carried"] > 0),
                    key=lambda goal: -goal["carried"],
                ),
                "dropped": [g for g, f in mine if f.let_go],
                "quarterly": _open_goals(mine, "quarterly"),
                "long_term": _open_goals(mine, "long-term"),
                "wins": [g for g, f in mine if f.win],
                "next_due": [g for g, f in mine if f.next_due and g["carried"] == 0],
            }
        )
    _attach_memory(people, memory)
    context = _common(club, completion, as_of, cap, config) | {
        "meeting": _meeting(meeting),
        "previous": _meeting(previous) if previous else None,
        "previous_absent": absent_from(club, previous, memory),
        "next": _meeting(following) if following else None,
        "next_facilitator": rotation(names, schedule, following)[0] if following else None,
        "facilitator": facilitator,
        "speaking_order": order,
        "time_box": box,
        "members": people,
        "wins": [win for person in people for win in person["wins"]],
        "carried_total": sum(len(person["carried"]) for person in people),
        "memory": memory,
    }
    return context if reveal_private else hide_private(context, private_goals(club))


def recap_context(
    club: Club,
    schedule: Schedule,
    meeting: Meeting,
    *,
    as_of: dt.date,
    cap: int,
    recipient: str | None = None,
    memory: MeetingMemory | dict[str, Any] | None = None,
    config: Config | None = None,
    reveal_private: bool = False,
) -> dict[str, Any]:
    """Everything the recap templates receive (documented in ``templates/README.md``).

    With ``recipient`` (personal mode), that member's section comes first and ``recipient`` is
    their MEMBER entry; in group mode it is ``None`` and members keep the sheet's order.
    ``config`` gives the sheet's link for members who set no commitment; ``memory`` as for
    :func:`agenda_context`.
    """
    memory = template_memory(memory)
    completion = completion_by_tier(club)
    previous, following = schedule.previous(meeting), schedule.following(meeting)
    rows = _member_goals(
        goals_at_meeting(club, schedule, meeting), club, previous, meeting, following, memory
    )
    basics = _members(club, completion)
    names = list(basics)
    next_facilitator = rotation(names, schedule, following)[0] if following else None
    order = [recipient, *(n for n in names if n != recipient)] if recipient else names
    people = []
    for name in order:
        mine = rows[name]
        # A two-week goal with neither Due nor Set dates is due "at the meeting the agenda is
        # for": after this meeting, that is the next one — a commitment, not a goal due here.
        due = [g for g, f in mine if f.due_here and g["status"] != "dropped" and not _undated(g)]
        due_here = {id(goal) for goal in due}
        people.append(
            basics[name]
            | {
                "due": due,
                # Goals due at this meeting and still open show under "due" as carrying over;
                # this list is what was already carried before it.
                "carrying": sorted(
                    (
                        g
                        for g, _ in mine
                        if g["tier"] == "two-week" and g["carried"] > 0 and id(g) not in due_here
                    ),
                    key=lambda goal: -goal["carried"],
                ),
                # A dropped goal is no commitment, whatever its dates.
                "next_due": [
                    g
                    for g, f in mine
                    if g["status"] != "dropped"
                    and (
                        (f.next_due and g["carried"] == 0 and not f.due_here)
                        or (g["tier"] == "two-week" and _undated(g))
                    )
                ],
                "dropped": [g for g, f in mine if f.let_go],
                "quarterly": _open_goals(mine, "quarterly"),
                "long_term": _open_goals(mine, "long-term"),
                "wins": [g for g, f in mine if f.win],
            }
        )
    attended = list(meeting.attended) if meeting.attended is not None else None
    _attach_memory(people, memory)
    context = _common(club, completion, as_of, cap, config) | {
        "meeting": _meeting(meeting),
        "attended": attended,
        "absent": absent_from(club, meeting, memory),
        "next": _meeting(following) if following else None,
        "next_facilitator": next_facilitator,
        "members": people,
        "recipient": people[0] if recipient else None,
        "wins": [win for person in people for win in person["wins"]],
        "memory": memory,
    }
    # Private goals are named in their owner's personal recap only (``reveal_private``: the
    # caller masks them per reader itself).
    return context if reveal_private else hide_private(context, private_goals(club), recipient)


def time_box(
    meeting: Meeting, speakers: int, opening: dt.timedelta, closing: dt.timedelta
) -> dict[str, Any]:
    """How the meeting's minutes are shared: ``{opening, closing, round, per_speaker}`` in whole
    minutes, and ``speaker`` (``per_speaker`` as a timedelta, to add to a start time).
    ``per_speaker`` is what the round leaves each speaker (rounded down, so the meeting ends on
    time), or None when the opening and closing leave less than a minute each."""
    whole = (clock.instant(meeting.end) - clock.instant(meeting.start)).total_seconds() // 60
    first, last = opening.total_seconds() // 60, closing.total_seconds() // 60
    left = max(0, int(whole - first - last))
    per_speaker = left // speakers if speakers else 0
    return {
        "opening": int(first),
        "closing": int(last),
        "round": left,
        "per_speaker": per_speaker or None,
        "speaker": dt.timedelta(minutes=per_speaker),
    }


def _slot(meeting: Meeting, box: dict[str, Any], position: int) -> dict[str, Any]:
    """A speaker's time box: ``minutes``, and when it ``starts`` and ``ends`` (aware datetimes,
    real elapsed time from the meeting's start) — all None when the meeting leaves no time box."""
    minutes = box["per_speaker"]
    if minutes is None:
        return {"minutes": None, "starts": None, "ends": None}
    offset = dt.timedelta(minutes=box["opening"] + position * minutes)
    starts = clock.later(meeting.start, offset)
    return {"minutes": minutes, "starts": starts, "ends": clock.later(starts, box["speaker"])}


def absent_from(
    club: Club, meeting: Meeting | None, memory: dict[str, Any] | None = None
) -> list[str] | None:
    """Active members the Meetings tab does not list as present at ``meeting``, of those who
    could have missed it (:func:`sheetmentor.analysis.could_miss`: not before their Joined date
    or, with Joined blank, the history's first sighting of them); None when the tab records no
    attendance for it."""
    if meeting is None or meeting.attended is None:
        return None
    came = set(meeting.attended)
    first_seen = ((memory or {}).get("health") or {}).get("first_seen") or {}
    active = club.active_members
    return [
        name
        for name, joined in zip(active["name"], active["joined"], strict=True)
        if name not in came and could_miss(meeting, joined, first_seen.get(name))
    ]


def sheet_link(config: Config) -> dict[str, Any]:
    """Where members update their goals: ``{name, url}`` — ``source.url`` if set, else the
    Google Sheet's own address; a local workbook has a name (its file name) and no URL."""
    source = config.source
    if source.google_sheet is not None:
        key = source.google_sheet.strip()
        own = key if key.startswith(("https://", "http://")) else GOOGLE_SHEET_URL.format(key=key)
        return {"name": _("the club's sheet"), "url": source.url or own}
    name = source.path.name if source.path is not None else _("the club's sheet")
    return {"name": name, "url": source.url}


@dataclass(frozen=True)
class _Place:
    """Where a goal stands at the meeting: what the GOAL dict does not say by itself."""

    due_here: bool
    next_due: bool
    win: bool
    let_go: bool


def _member_goals(
    goals: pd.DataFrame,
    club: Club,
    previous: Meeting | None,
    meeting: Meeting,
    following: Meeting | None,
    memory: dict[str, Any] | None,
) -> dict[str, list[tuple[dict[str, Any], _Place]]]:
    """Each active member's goals as GOAL dicts in sheet order, each with its :class:`_Place`.

    The frame is converted once, not sliced per member. A win is a goal done since the previous
    meeting: by its Completed date; for a goal without one, when the meeting memory saw it turn
    done since then — whatever its tier, a two-week goal carried for meetings too. Only when the
    memory does not hold the sheet as it was at the previous meeting (nothing recorded yet, or
    first seen after it) is a two-week goal due here and done a win too, done when the memory
    cannot tell. A goal let go was dropped since then, by the same rules: its Completed date, the
    memory saw it turn dropped, or — only when the memory cannot tell — a two-week goal due here
    and dropped (so a goal dropped before the last meeting is not let go again at the one it was
    due at).
    """
    at_meeting = bool(memory and memory.get("since_meeting") and memory.get("changes"))
    seen_since = memory.get("since") if memory else None
    after_meeting = seen_since is not None and (previous is None or seen_since >= previous.date)
    completed_since = _pairs(memory, "completed")
    dropped_since = _pairs(memory, "dropped")
    since = previous.date if previous else None
    next_date = following.date if following else None
    by_member: dict[str, list[tuple[dict[str, Any], _Place]]] = {
        name: [] for name in goals["member"].cat.categories
    }
    for row in records(goals[[*_GOAL_COLUMNS, *club.extra_columns.get("goals", [])]]):
        goal = _goal(row, club)
        pair = (goal["member"], goal["goal"])
        two_week = goal["tier"] == "two-week"
        due_here = two_week and goal["due_meeting"] == meeting.date
        finished = goal["completed"]
        recent = finished is not None and (since is None or since < finished <= meeting.date)
        turned_done = goal["status"] == "done" and pair in completed_since
        turned_dropped = goal["status"] == "dropped" and pair in dropped_since
        if finished is not None:
            win, let_go = bool(row["win"]), goal["status"] == "dropped" and recent
        elif at_meeting:
            win, let_go = turned_done, turned_dropped
        else:
            win = bool(row["win"]) or (turned_done and after_meeting)
            let_go = turned_dropped or (goal["status"] == "dropped" and due_here)
        place = _Place(
            due_here=due_here,
            next_due=two_week and next_date is not None and goal["due_meeting"] == next_date,
            win=win,
            let_go=let_go,
        )
        by_member[goal["member"]].append((goal, place))
    return by_member


def _pairs(memory: dict[str, Any] | None, kind: str) -> set[tuple[str, str]]:
    """(member, goal) for each change of ``kind`` the meeting memory saw since its baseline."""
    changes = memory["changes"] if memory else None
    if not changes:
        return set()
    return {
        (name, change["goal"])
        for name, entry in changes["members"].items()
        for change in entry[kind]
    }


def _undated(goal: dict[str, Any]) -> bool:
    return goal["due"] is None and goal["set"] is None


def _open_goals(mine: list[tuple[dict[str, Any], _Place]], tier: str) -> list[dict[str, Any]]:
    return [g for g, _ in mine if g["tier"] == tier and g["status"] == "open"]


def _attach_memory(people: list[dict[str, Any]], memory: dict[str, Any] | None) -> None:
    """Each member's part of the meeting memory, so templates need not look names up:
    ``changes`` (their CHANGES entry, or None without history), ``stale`` and ``streak``."""
    changes = memory["changes"] if memory else None
    for person in people:
        name = person["name"]
        person["changes"] = changes["members"].get(name) if changes else None
        person["stale"] = [s for s in memory["stale"] if s["member"] == name] if memory else []
        person["streak"] = memory["streaks"].get(name) if memory else None


def _common(
    club: Club, completion: Completion, as_of: dt.date, cap: int, config: Config | None
) -> dict[str, Any]:
    active = len(club.active_members)
    return {
        "club": {"name": club.name, "cap": cap, "active": active, "over_cap": active > cap},
        "as_of": as_of,
        "language": current().tag,
        "tier_labels": tier_labels(),
        "figures": {
            "tiers": stats_dict(completion.tiers),
            "categories": stats_dict(completion.categories),
        },
        "warnings": [str(p) for p in club.warnings if p.ref is None],
        "change_labels": change_labels(),
        "member_change_labels": {k: v for k, v in change_labels().items() if k != "dropped"},
        "sheet": sheet_link(config) if config else None,
    }


def _members(club: Club, completion: Completion) -> dict[str, dict[str, Any]]:
    """Every active member's MEMBER basics (``name, email, focus, joined, extra, tiers,
    categories``), converted in one pass over each frame."""
    extras = club.extra_columns.get("members", [])
    columns = ["name", "email", "focus", "joined", *extras]
    people = {
        row["name"]: {
            "name": row["name"],
            "email": row["email"],
            "focus": row["focus"],
            "joined": row["joined"],
            "extra": {column: row[column] for column in extras},
            "tiers": {},
            "categories": {},
        }
        for row in records(club.active_members[columns])
    }
    for key, frame, level in (
        ("tiers", completion.member_tiers, "tier"),
        ("categories", completion.member_categories, "category"),
    ):
        for row in records(frame.reset_index()):
            if row["member"] in people:
                people[row["member"]][key][str(row[level])] = {
                    "total": int(row["total"]),
                    "done": int(row["done"]),
                    "dropped": int(row["dropped"]),
                    "rate": number(row["rate"]),
                    "progress": number(row["progress"]),
                }
    return people


@in_club_language
def render_agenda(
    config: Config,
    club: Club,
    *,
    as_of: dt.date,
    date: dt.date | None = None,
    format: str = "markdown",
    memory: MeetingMemory | dict[str, Any] | None = None,
) -> str:
    """The agenda of the meeting on ``date`` (default: the next one on or after ``as_of``).

    ``memory`` is the meeting-memory block (:func:`sheetmentor.memory.recall`); without it the
    agenda leaves out what changed since the last meeting. It is in ``club.language``.
    """
    if format not in FORMATS:
        raise ConfigError(f"unknown agenda format {format!r} (expected {', '.join(FORMATS)})")
    schedule = schedule_for(config, club, max(as_of, date or as_of))
    meeting = agenda_meeting(schedule, as_of, date)
    context = agenda_context(
        club, schedule, meeting, as_of=as_of, cap=config.club.cap, memory=memory, config=config
    )
    return render_template(f"agenda.{FORMATS[format]}.j2", context, config.templates)


def agenda_meeting(schedule: Schedule, as_of: dt.date, date: dt.date | None) -> Meeting:
    """The meeting on ``date``, else the next one on or after ``as_of``."""
    return schedule.on(date) if date else schedule.next_meeting(as_of)


_GOAL_COLUMNS = [
    "member", "goal", "tier", "category", "status", "progress", "set", "due", "completed",
    "due_meeting", "carried", "overdue", "notes", "tab", "sheet_row", "win",
]  # fmt: skip


def _goal(row: dict[str, Any], club: Club) -> dict[str, Any]:
    """A GOAL (``templates/README.md``) from one plain row of :func:`goals_at_meeting`."""
    return {
        "member": str(row["member"]),
        "goal": row["goal"],
        "tier": row["tier"],
        "category": row["category"],
        "status": row["status"],
        "progress": float(row["progress"] or 0),
        "set": row["set"],
        "due": row["due"],
        "completed": row["completed"],
        "due_meeting": row["due_meeting"],
        "carried": int(row["carried"]),
        "overdue": bool(row["overdue"]),
        "notes": row["notes"],
        "ref": f"{row['tab']}!{row['sheet_row']}",
        "extra": {column: row[column] for column in club.extra_columns.get("goals", [])},
        "private": False,
    }


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
    """0.4 → "40%" ("40 %" in French); a missing figure → "–"."""
    return current().percent(value)


def bar(value: float | None, width: int = 10) -> str:
    """0.4 → "████░░░░░░"."""
    filled = 0 if value is None or math.isnan(value) else round(value * width)
    return "█" * filled + "░" * (width - filled)


def longdate(value: dt.date | None) -> str:
    """Tuesday, December 1, 2026 (mardi 1 décembre 2026), in the current language."""
    return current().longdate(value)


def shortdate(value: dt.date | None, near: dt.date | None = None) -> str:
    """Dec 1 (1 déc.); with the year when it differs from ``near``'s (Sep 30, 2027)."""
    return current().shortdate(value, near)


def clip(text: str | None, width: int = 60) -> str:
    """A cell shortened to ``width`` characters for a line of the agenda: whitespace and line
    breaks collapse, and a longer text ends at a word with "…" (the sheet has the rest)."""
    if text is None:
        return ""
    flat = " ".join(str(text).split())
    if len(flat) <= width:
        return flat
    cut = flat[: width - 1]
    if " " in cut and not flat[width - 1].isspace():
        cut = cut.rsplit(" ", 1)[0] if len(cut.rsplit(" ", 1)[0]) >= width // 2 else cut
    return cut.rstrip(" ,;:.–—-") + "…"


def change_line(kind: str, change: dict[str, Any]) -> str:
    """One change in words: "Call two mentors (40% → 70%)"."""
    goal = change["goal"]
    if kind == "progress":
        return f"{goal} ({pct(change['from'])} → {pct(change['to'])})"
    if kind == "rescoped":
        before, after = change["from"], change["to"]
        if isinstance(before, dt.date) or isinstance(after, dt.date):
            before, after = shortdate(before) or _("no date"), shortdate(after) or _("no date")
        elif change["field"] == "tier":
            before, after = (_(TIER_WORDS.get(t, str(t))) for t in (before, after))
        field = _(FIELD_LABELS.get(change["field"], change["field"]))
        return f"{goal} ({field}: {before} → {after})"
    if kind == "reworded":
        return _('%(goal)s (was "%(before)s")') % {"goal": goal, "before": change["from"]}
    if kind == "unread":
        cells = change["to"]
        count = len(str(cells).split(","))
        line = ngettext("%(goal)s (cell %(cells)s)", "%(goal)s (cells %(cells)s)", count)
        return line % {"goal": goal, "cells": cells}
    return goal
