"""The read-only commands as library functions: read the sheet, compute, return rendered output.

Each ``sheetmentor`` command that reads without sending is a thin wrapper over one function here,
so a Python user (or a test) gets exactly what the command prints::

    from sheetmentor import load_config, agenda_text

    print(agenda_text(load_config("sheetmentor.yaml"), as_of=datetime.date(2026, 11, 30)))

Every function reads the sheet once; problems go to the ``sheetmentor`` logger as warnings, and
errors raise :class:`~sheetmentor.errors.SheetProblemsError` unless ``force`` says go on. A sheet
read without errors is recorded in the meeting history (``<state>/history.sqlite3``), always
*after* the history was consulted, so that a run is never its own baseline.

``as_of`` changes what is computed; the moment the sheet was seen comes from
:func:`sheetmentor.clock.now` (the system clock, or ``SHEETMENTOR_NOW``).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from sheetmentor import clock
from sheetmentor.errors import ConfigError, SheetmentorError
from sheetmentor.words import plural

if TYPE_CHECKING:
    from sheetmentor.config import Config
    from sheetmentor.schedule import Meeting, Schedule
    from sheetmentor.sheet.layout import Explanation
    from sheetmentor.sheet.normalize import Club

__all__ = [
    "CheckResult",
    "StatusResult",
    "agenda_text",
    "calendar_file",
    "changes_report",
    "check_club",
    "memory_block",
    "moment",
    "next_meetings",
    "read",
    "read_sheet",
    "recap_text",
    "record_sheet",
    "start_of",
    "status_report",
]

log = logging.getLogger("sheetmentor.commands")

RECAP_FORMATS = {"text": "txt", "html": "html"}


def start_of(config: Config, as_of: dt.date | None) -> dt.datetime:
    """Now, or the start of the ``as_of`` day in the club's time zone: an agenda or status
    "as of" a meeting day comes before that meeting."""
    if as_of is None:
        return clock.now(config.meetings.zone)
    return dt.datetime.combine(as_of, dt.time(), tzinfo=config.meetings.zone)


def moment(config: Config, as_of: dt.datetime | dt.date | None) -> dt.datetime:
    """Now, or the moment ``as_of`` names (a bare date is the end of that day, club time)."""
    zone = config.meetings.zone
    if as_of is None:
        return clock.now(zone)
    if isinstance(as_of, dt.datetime):
        return as_of if as_of.tzinfo else as_of.replace(tzinfo=zone)
    return dt.datetime.combine(as_of, dt.time(23, 59, 59), tzinfo=zone)


def read_sheet(config: Config) -> Club:
    """The sheet read and normalized, with every goal the meeting history ever recorded private
    still private (:func:`sheetmentor.memory.with_private_history`): every command reads the
    club through here, so no output can forget a goal's private past, and
    :func:`sheetmentor.privacy.guard` knows what to look for in every text that leaves."""
    from sheetmentor.memory import with_private_history
    from sheetmentor.privacy import private_goals, watch
    from sheetmentor.sheet.normalize import read_club

    club = with_private_history(config.state, read_club(config))
    watch(private_goals(club))
    return club


def read(
    config: Config,
    *,
    force: bool = False,
    record: bool = False,
    expect_history: bool | None = None,
    errors_stop: bool = True,
) -> Club:
    """Read and normalize the sheet; warnings are logged, errors raise (unless ``force``).

    With ``errors_stop=False`` (``next``, ``calendar``: the cadence comes from the config),
    errors are logged like warnings and never stop the command, so no ``--force`` is involved.
    With ``record``, a sheet without errors is also recorded in the meeting history, as seen
    now (:func:`record_sheet`). ``expect_history`` (default: the state folder exists) makes a
    missing store a warning.
    """
    if expect_history is None:
        expect_history = config.state.is_dir()
    club = read_sheet(config)
    for problem in [*club.warnings, *club.recipient_errors]:
        log.warning("%s", problem)
    if not errors_stop:
        for problem in club.sheet_errors:
            log.warning("%s", problem)
    elif force:
        for problem in club.sheet_errors:
            log.warning("%s (ignored: --force)", problem)
    else:
        club.raise_for_errors()
    if record:
        record_sheet(config, club, expect_history=expect_history)
    return club


def record_sheet(config: Config, club: Club, *, expect_history: bool) -> None:
    """Record the sheet in the meeting history as seen now — :func:`sheetmentor.clock.now`, never
    an ``--as-of`` — unless it has errors (a ``--force`` run must not store half-read goals)."""
    if club.sheet_errors:
        return
    from sheetmentor.memory import remember
    from sheetmentor.render.contexts import schedule_for

    seen = clock.now(config.meetings.zone)
    schedule = schedule_for(config, club, seen.date())
    remember(config.state, club, schedule, seen, expect_history=expect_history)


def memory_block(
    config: Config,
    club: Club,
    schedule: Schedule,
    meeting: Meeting,
    as_of: dt.date | dt.datetime,
    *,
    kind: Literal["agenda", "recap"],
    expect_history: bool,
) -> dict:
    """The ``memory`` block of an agenda or recap as of ``as_of`` (a day, or a moment of it)
    (:func:`sheetmentor.memory.recall`); the sheet is recorded after, as seen now — whatever
    ``as_of`` says — unless it has errors (a ``--force`` run must not store half-read goals)."""
    from sheetmentor.memory import recall

    if isinstance(as_of, dt.datetime):
        as_of = as_of.date()

    return recall(
        config.state,
        club,
        schedule,
        meeting,
        kind=kind,
        as_of=as_of,
        seen=clock.now(config.meetings.zone),
        cap=config.club.cap,
        record=not club.sheet_errors,
        expect_history=expect_history,
    )


@dataclass(frozen=True)
class CheckResult:
    """What ``check`` found: the problems, one line each, then a summary line; and how the
    sheet was read (``check --explain``)."""

    text: str
    errors: int
    explanation: Explanation


def check_club(config: Config) -> CheckResult:
    """``check``: every problem of the sheet with its cell, and a one-line summary.

    Unlike the other commands, a sheet with errors is a result here, not an exception.
    """
    expect_history = config.state.is_dir()
    club = read_sheet(config)
    record_sheet(config, club, expect_history=expect_history)
    lines = [f"{problem.severity}: {problem}" for problem in club.problems]
    errors, warnings = len(club.errors), len(club.warnings)
    active = len(club.active_members)
    lines.append(
        f"{club.name}: {plural(active, 'active member')}, {plural(len(club.goals), 'goal')}, "
        f"{plural(len(club.meetings), 'recorded meeting')} — {plural(errors, 'error')}, "
        f"{plural(warnings, 'warning')}"
    )
    from sheetmentor.privacy import guard

    return CheckResult(guard("\n".join(lines) + "\n"), errors, club.explanation)


@dataclass(frozen=True)
class StatusResult:
    """``status``'s output (``text``) and, when asked for, its chart as PNG bytes."""

    text: str
    chart: bytes | None = None


def status_report(
    config: Config,
    *,
    as_of: dt.date | None = None,
    format: Literal["table", "json", "csv"] = "table",
    history: bool = False,
    last: int = 6,
    chart: bool = False,
    force: bool = False,
) -> StatusResult:
    """``status``: completion per member, tier and category as a terminal table, JSON or CSV.

    With ``history``, also the club's completion at the last ``last`` recorded meetings; with
    ``chart``, those figures drawn as a PNG (needs matplotlib).
    """
    from sheetmentor.analysis import completion_by_tier
    from sheetmentor.render.formats import status_csv, status_json, status_table

    now = start_of(config, as_of)
    club = read(config, force=force, record=True)
    completion = completion_by_tier(club)
    today = now.date()
    records = _history(config, club, now, last) if history or chart else None
    png = None
    if chart:
        from sheetmentor.render.chart import history_chart_png

        png = history_chart_png(club.name, records)
    shown = records if history else None
    if format == "json":
        text = status_json(completion, club.name, today, history=shown)
    elif format == "csv":
        text = status_csv(completion)
    elif format == "table":
        text = status_table(completion, club.name, today, history=shown)
    else:
        raise ConfigError(f"unknown status format {format!r} (expected table, json or csv)")
    return StatusResult(text, png)


def _history(config: Config, club: Club, now: dt.datetime, last: int) -> list[dict]:
    from sheetmentor.memory import HistoryStore, completion_history, history_records
    from sheetmentor.render.contexts import schedule_for

    schedule = schedule_for(config, club, now.date())
    through = schedule.last_ended(now)
    with HistoryStore.open(config.state, create=False) as store:
        if through is None:
            return []
        return history_records(completion_history(store, schedule, last, through=through))


def changes_report(
    config: Config,
    *,
    since: dt.date | None = None,
    as_of: dt.date | None = None,
    format: Literal["text", "json"] = "text",
    force: bool = False,
) -> str:
    """``changes``: what moved in each member's goals since the meeting on or before ``since``
    (default: the last meeting that ended), as text or JSON."""
    from sheetmentor.memory import HistoryStore, what_changed
    from sheetmentor.render.contexts import schedule_for
    from sheetmentor.render.formats import changes_json, changes_text

    expect_history = config.state.is_dir()
    now = start_of(config, as_of)
    club = read(config, force=force)
    schedule = schedule_for(config, club, now.date())
    if since is None:
        last = schedule.last_ended(now)
        if last is None:
            raise SheetmentorError("no meeting has happened yet, so nothing changed since one")
        since = last.date
    with HistoryStore.open(config.state, create=False) as store:
        found = what_changed(store, club, schedule, since=since)
    record_sheet(config, club, expect_history=expect_history)  # after comparing
    if found is None and not any(m.date <= since for m in schedule.meetings):
        raise SheetmentorError(f"no meeting on or before {since.isoformat()} to compare with")
    if found is None:
        raise SheetmentorError(
            "sheetmentor had not seen the sheet before this run, so it cannot say what changed "
            "yet; it remembers the sheet from now on"
        )
    from sheetmentor.privacy import guard, hide_private, private_goals

    shown = hide_private(found.to_dict(), private_goals(club))  # the club's view: no owner's
    return guard(changes_json(shown) if format == "json" else changes_text(shown))


def agenda_text(
    config: Config,
    *,
    date: dt.date | None = None,
    as_of: dt.date | None = None,
    format: Literal["markdown", "html", "text"] = "markdown",
    force: bool = False,
) -> str:
    """``agenda``: the agenda of the meeting on ``date`` (default: the next one), with what
    changed since the last meeting."""
    from sheetmentor.render.contexts import agenda_meeting, render_agenda, schedule_for

    expect_history = config.state.is_dir()
    now = start_of(config, as_of)
    today = now.date()
    club = read(config, force=force)
    schedule = schedule_for(config, club, max(today, date or today))
    meeting = agenda_meeting(schedule, today, date)
    memory = memory_block(
        config, club, schedule, meeting, today, kind="agenda", expect_history=expect_history
    )
    from sheetmentor.privacy import guard

    text = render_agenda(config, club, as_of=today, date=meeting.date, format=format, memory=memory)
    return guard(text)


def recap_text(
    config: Config,
    *,
    meeting: dt.date | None = None,
    as_of: dt.datetime | dt.date | None = None,
    format: Literal["text", "html"] = "text",
    member: str | None = None,
    force: bool = False,
) -> str:
    """``recap`` without ``--send``: the recap of the meeting on ``meeting`` (default: the last
    that ended), in group form or as ``member`` receives it. Sends nothing."""
    from sheetmentor.render.contexts import recap_context, render_template, schedule_for
    from sheetmentor.sheet.normalize import member_key

    expect_history = config.state.is_dir()
    now = moment(config, as_of)
    club = read(config, force=force)
    schedule = schedule_for(config, club, now.date())
    chosen = schedule.on(meeting) if meeting else schedule.last_ended(now)
    if chosen is None:
        raise SheetmentorError("no meeting has ended yet, so there is nothing to recap")
    if member is not None:
        names = {member_key(n): n for n in club.active_members["name"]}
        if member_key(member) not in names:
            listing = ", ".join(names.values())
            known = f"the active members are {listing}" if names else "no member is active"
            raise ConfigError(f"--member: no active member named {member!r}; {known}")
        member = names[member_key(member)]
    memory = memory_block(
        config, club, schedule, chosen, now.date(), kind="recap", expect_history=expect_history
    )
    context = recap_context(
        club,
        schedule,
        chosen,
        as_of=now.date(),
        cap=config.club.cap,
        recipient=member,
        memory=memory,
        config=config,
    )
    from sheetmentor.privacy import guard

    text = render_template(f"recap.{RECAP_FORMATS[format]}.j2", context, config.templates)
    return guard(text, member)


def next_meetings(config: Config, *, as_of: dt.date | None = None, count: int = 3) -> list[str]:
    """``next``: one line per upcoming meeting, with place and facilitator. Sheet errors do not
    stop it (the cadence comes from the config)."""
    from sheetmentor.render.calendar import upcoming_lines

    now = start_of(config, as_of)
    club = read(config, record=True, errors_stop=False)
    return upcoming_lines(config, club, now.date(), count)


def calendar_file(config: Config, *, as_of: dt.date | None = None, count: int = 26) -> bytes:
    """``calendar``: the next ``count`` meetings as an iCalendar file; ``DTSTAMP`` is now."""
    from sheetmentor.render.calendar import calendar_ics

    now = start_of(config, as_of)
    club = read(config, record=True, errors_stop=False)
    return calendar_ics(config, club, now.date(), count, stamp=clock.now(config.meetings.zone))
