"""The read-only commands as library functions: read the sheet, compute, return rendered output.

Each ``sheetmentor`` command that reads without sending is a thin wrapper over one function here,
so a Python user (or a test) gets exactly what the command prints::

    from sheetmentor import load_config, agenda_text

    print(agenda_text(load_config("sheetmentor.yaml"), as_of=datetime.date(2026, 11, 30)))

Every function reads the sheet once; problems go to the ``sheetmentor`` logger as warnings, and
errors raise :class:`~sheetmentor.errors.SheetProblemsError` unless ``force`` says go on.

These commands only read: they consult the meeting history (``<state>/history.sqlite3``) with the
current sheet held in memory, and write nothing to the state folder, so the same command at the
same moment on the same sheet prints the same bytes every time. The history is written by the
sending runs (:mod:`sheetmentor.outbound.send`) and by :func:`record_club` (``sheetmentor
record``) through :meth:`sheetmentor.run.Run.record`, always *after* the history was consulted,
so that a run is never its own baseline.

``as_of`` changes what is computed; the moment the sheet was seen comes from
:func:`sheetmentor.clock.now` (the system clock, or ``SHEETMENTOR_NOW``). ``as_of`` is a club day
or an aware datetime (a naive one raises :class:`~sheetmentor.errors.NaiveTimeError`); what a
bare day means is :func:`sheetmentor.clock.as_of`'s rule: its start, except for ``recap``, its end.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from sheetmentor import clock
from sheetmentor.errors import ConfigError, SheetmentorError
from sheetmentor.i18n import in_club_language
from sheetmentor.run import read_sheet
from sheetmentor.words import plural

if TYPE_CHECKING:
    from sheetmentor.config import Config
    from sheetmentor.memory import MeetingMemory
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
    "next_meetings",
    "read",
    "recap_text",
    "record_club",
    "status_report",
]

log = logging.getLogger("sheetmentor.commands")

RECAP_FORMATS = {"text": "txt", "html": "html"}


def read(config: Config, *, force: bool = False, errors_stop: bool = True) -> Club:
    """Read and normalize the sheet; warnings are logged, errors raise (unless ``force``).

    With ``errors_stop=False`` (``next``, ``calendar``: the cadence comes from the config),
    errors are logged like warnings and never stop the command, so no ``--force`` is involved.
    Nothing is recorded: only sending runs and :func:`record_club` write the history.
    """
    return _checked(read_sheet(config), force=force, errors_stop=errors_stop)


def _checked(club: Club, *, force: bool = False, errors_stop: bool = True) -> Club:
    """``club`` once its problems are logged: warnings always, errors as :func:`read` says."""
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
    return club


def record_club(config: Config) -> str:
    """``record``: store the sheet in the meeting history as seen now, for a club that previews
    agendas and recaps but sends nothing (no sending run records it then). Run it after each
    meeting, once members updated their rows: that state is what the next agenda's "since the
    meeting" compares with.

    A sheet with errors is refused (exit 1, each error listed) — half-read goals would become
    history. Returns one line saying what was stored.
    """
    from sheetmentor.memory import untouched_starter
    from sheetmentor.run import Run

    run = Run.start(config)
    club = _checked(run.club)
    when = run.now.strftime("%Y-%m-%d %H:%M %Z")
    if untouched_starter(club):
        return f"not recorded: the sheet is still the starter workbook ({when})"
    stored = run.record()
    goals = plural(len(club.goals), "goal")
    if stored:
        return f"recorded the sheet as seen {when}: {goals}"
    return f"the sheet is unchanged since it was last recorded; seen again {when} ({goals})"


def memory_block(
    config: Config,
    club: Club,
    schedule: Schedule,
    meeting: Meeting,
    as_of: dt.date | dt.datetime,
    *,
    kind: Literal["agenda", "recap"],
    expect_history: bool | None = None,
) -> MeetingMemory:
    """What the agenda or recap remembers as of ``as_of`` (a day, or a moment of it)
    (:func:`sheetmentor.memory.recall_memory`), read without writing anything: the runs that
    record do it once they are done (:meth:`sheetmentor.run.Run.record`). ``expect_history``
    (default: the state folder exists) makes a missing store a warning."""
    from sheetmentor.memory import recall_memory

    if expect_history is None:
        expect_history = config.state.is_dir()

    if isinstance(as_of, dt.datetime):
        as_of = clock.club_day(as_of, config.meetings.zone)

    return recall_memory(
        config.state,
        club,
        schedule,
        meeting,
        kind=kind,
        as_of=as_of,
        seen=clock.now(config.meetings.zone),
        cap=config.club.cap,
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
    club = read_sheet(config)
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


@in_club_language
def status_report(
    config: Config,
    *,
    as_of: dt.date | dt.datetime | None = None,
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

    now = clock.moment(as_of, config.meetings.zone, bare="start")
    club = read(config, force=force)
    completion = completion_by_tier(club)
    today = clock.club_day(now, config.meetings.zone)
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

    schedule = schedule_for(config, club, clock.club_day(now, config.meetings.zone))
    through = schedule.last_ended(now)
    with HistoryStore.open(config.state, create=False) as store:
        if through is None:
            return []
        return history_records(completion_history(store, schedule, last, through=through))


@in_club_language
def changes_report(
    config: Config,
    *,
    since: dt.date | None = None,
    as_of: dt.date | dt.datetime | None = None,
    format: Literal["text", "json"] = "text",
    force: bool = False,
) -> str:
    """``changes``: what moved in each member's goals since the meeting on or before ``since``
    (default: the last meeting that ended), as text or JSON."""
    from sheetmentor.memory import HistoryStore, what_changed
    from sheetmentor.render.contexts import schedule_for
    from sheetmentor.render.formats import changes_json, changes_text

    now = clock.moment(as_of, config.meetings.zone, bare="start")
    club = read(config, force=force)
    schedule = schedule_for(config, club, clock.club_day(now, config.meetings.zone))
    if since is None:
        last = schedule.last_ended(now)
        if last is None:
            raise SheetmentorError("no meeting has happened yet, so nothing changed since one")
        since = last.date
    with HistoryStore.open(config.state, create=False) as store:
        found = what_changed(store, club, schedule, since=since)
    if found is None and not any(m.date <= since for m in schedule.meetings):
        raise SheetmentorError(f"no meeting on or before {since.isoformat()} to compare with")
    if found is None:
        raise SheetmentorError(
            "the meeting history holds no earlier state of the sheet, so sheetmentor cannot say "
            "what changed yet; a sending run (send-due) or `sheetmentor record` after a meeting "
            "records it"
        )
    from sheetmentor.privacy import guard, hide_private, private_goals

    shown = hide_private(found.to_dict(), private_goals(club))  # the club's view: no owner's
    return guard(changes_json(shown) if format == "json" else changes_text(shown))


@in_club_language
def agenda_text(
    config: Config,
    *,
    date: dt.date | None = None,
    as_of: dt.date | dt.datetime | None = None,
    format: Literal["markdown", "html", "text"] = "markdown",
    force: bool = False,
) -> str:
    """``agenda``: the agenda of the meeting on ``date`` (default: the next one), with what
    changed since the last meeting."""
    from sheetmentor.render.contexts import agenda_meeting, render_agenda, schedule_for

    today = clock.today(as_of, config.meetings.zone, bare="start")
    club = read(config, force=force)
    schedule = schedule_for(config, club, max(today, date or today))
    meeting = agenda_meeting(schedule, today, date)
    memory = memory_block(config, club, schedule, meeting, today, kind="agenda")
    from sheetmentor.privacy import guard

    text = render_agenda(config, club, as_of=today, date=meeting.date, format=format, memory=memory)
    return guard(text)


@in_club_language
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
    from sheetmentor.sheet.normalize import named_member

    now = clock.moment(as_of, config.meetings.zone, bare="end")
    today = clock.club_day(now, config.meetings.zone)
    club = read(config, force=force)
    schedule = schedule_for(config, club, today)
    chosen = schedule.on(meeting) if meeting else schedule.last_ended(now)
    if chosen is None:
        raise SheetmentorError("no meeting has ended yet, so there is nothing to recap")
    if member is not None:
        names = [str(n) for n in club.active_members["name"]]
        named = named_member(names, member)
        if named is None:
            listing = ", ".join(names)
            known = f"the active members are {listing}" if names else "no member is active"
            raise ConfigError(f"--member: no active member named {member!r}; {known}")
        member = named
    memory = memory_block(config, club, schedule, chosen, today, kind="recap")
    context = recap_context(
        club,
        schedule,
        chosen,
        as_of=today,
        cap=config.club.cap,
        recipient=member,
        memory=memory,
        config=config,
    )
    from sheetmentor.privacy import guard

    text = render_template(f"recap.{RECAP_FORMATS[format]}.j2", context, config.templates)
    return guard(text, member)


@in_club_language
def next_meetings(
    config: Config, *, as_of: dt.date | dt.datetime | None = None, count: int = 3
) -> list[str]:
    """``next``: one line per upcoming meeting, with place and facilitator. Sheet errors do not
    stop it (the cadence comes from the config)."""
    from sheetmentor.render.calendar import upcoming_lines

    today = clock.today(as_of, config.meetings.zone, bare="start")
    club = read(config, errors_stop=False)
    return upcoming_lines(config, club, today, count)


@in_club_language
def calendar_file(
    config: Config, *, as_of: dt.date | dt.datetime | None = None, count: int = 26
) -> bytes:
    """``calendar``: the next ``count`` meetings as an iCalendar file; ``DTSTAMP`` is now."""
    from sheetmentor.render.calendar import calendar_ics

    zone = config.meetings.zone
    today = clock.today(as_of, zone, bare="start")
    club = read(config, errors_stop=False)
    return calendar_ics(config, club, today, count, stamp=clock.now(zone))
