"""sheetmentor: agendas and recaps for a peer-mentoring club, from the spreadsheet it keeps.

Each command has one library function that returns what the command prints::

    from sheetmentor import load_config, agenda_text, status_report

    config = load_config("sheetmentor.yaml")
    print(agenda_text(config, as_of=datetime.date(2026, 11, 30)))
    print(status_report(config, format="json").text)

The same, stage by stage (ARCHITECTURE.md draws the flow, one module per stage)::

    from sheetmentor import clock, load_config, read_club, completion_by_tier, render_agenda

    config = load_config("sheetmentor.yaml")      # sheetmentor.config
    club = read_club(config)                      # sheetmentor.sheet
    club.raise_for_errors()                       # problems name their cells
    figures = completion_by_tier(club)            # sheetmentor.analysis
    today = clock.club_day(clock.now(), config.meetings.zone)  # the club's day, not the computer's
    print(render_agenda(config, club, as_of=today))  # sheetmentor.render

Names are imported lazily, so ``import sheetmentor`` (and ``sheetmentor --help``) stays quick.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "load_config": "config",
    "Config": "config",
    "read_club": "sheet.normalize",
    "normalize": "sheet.normalize",
    "explain_club": "sheet.normalize",
    "Explanation": "sheet.layout",
    "Club": "sheet.normalize",
    "Problem": "sheet.normalize",
    "build_schedule": "schedule",
    "Schedule": "schedule",
    "Meeting": "schedule",
    "completion_by_tier": "analysis",
    "goals_at_meeting": "analysis",
    "Completion": "analysis",
    "render_agenda": "render.contexts",
    "recap_context": "render.contexts",
    "render_template": "render.contexts",
    "check_club": "commands",
    "CheckResult": "commands",
    "status_report": "commands",
    "StatusResult": "commands",
    "changes_report": "commands",
    "agenda_text": "commands",
    "recap_text": "commands",
    "next_meetings": "commands",
    "calendar_file": "commands",
    "record_club": "commands",
    "HistoryStore": "memory",
    "MeetingMemory": "memory",
    "meeting_memory": "memory",
    "recall": "memory",
    "remember": "memory",
    "what_changed": "memory",
    "Changes": "memory",
    "attendance": "analysis",
    "HistoryError": "errors",
    "HistoryVersionError": "errors",
    "agenda_context": "render.contexts",
    "schedule_for": "render.contexts",
    "SheetmentorError": "errors",
    "ConfigError": "errors",
    "SheetError": "errors",
    "SheetProblemsError": "errors",
    "DeliveryError": "errors",
    "ServiceError": "errors",
}

__all__ = [
    "Changes",
    "CheckResult",
    "Club",
    "Completion",
    "Config",
    "ConfigError",
    "DeliveryError",
    "Explanation",
    "HistoryError",
    "HistoryStore",
    "HistoryVersionError",
    "Meeting",
    "MeetingMemory",
    "Problem",
    "Schedule",
    "ServiceError",
    "SheetError",
    "SheetProblemsError",
    "SheetmentorError",
    "StatusResult",
    "agenda_context",
    "agenda_text",
    "attendance",
    "build_schedule",
    "calendar_file",
    "changes_report",
    "check_club",
    "completion_by_tier",
    "explain_club",
    "goals_at_meeting",
    "load_config",
    "meeting_memory",
    "next_meetings",
    "normalize",
    "read_club",
    "recall",
    "recap_context",
    "recap_text",
    "record_club",
    "remember",
    "render_agenda",
    "render_template",
    "schedule_for",
    "status_report",
    "what_changed",
]

if TYPE_CHECKING:
    from sheetmentor.analysis import Completion, attendance, completion_by_tier, goals_at_meeting
    from sheetmentor.commands import (
        CheckResult,
        StatusResult,
        agenda_text,
        calendar_file,
        changes_report,
        check_club,
        next_meetings,
        recap_text,
        record_club,
        status_report,
    )
    from sheetmentor.config import Config, load_config
    from sheetmentor.errors import (
        ConfigError,
        DeliveryError,
        HistoryError,
        HistoryVersionError,
        ServiceError,
        SheetError,
        SheetmentorError,
        SheetProblemsError,
    )
    from sheetmentor.memory import (
        Changes,
        HistoryStore,
        MeetingMemory,
        meeting_memory,
        recall,
        remember,
        what_changed,
    )
    from sheetmentor.render.contexts import (
        agenda_context,
        recap_context,
        render_agenda,
        render_template,
        schedule_for,
    )
    from sheetmentor.schedule import Meeting, Schedule, build_schedule
    from sheetmentor.sheet.layout import Explanation
    from sheetmentor.sheet.normalize import Club, Problem, explain_club, normalize, read_club


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'sheetmentor' has no attribute {name!r}")
    return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
