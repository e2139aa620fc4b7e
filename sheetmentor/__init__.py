"""sheetmentor: agendas and recaps for a peer-mentoring club, from the spreadsheet it keeps.

The library API, step by step (each step is one module of the flow in SPEC.md)::

    from sheetmentor import load_config, read_club, completion_by_tier, render_agenda

    config = load_config("sheetmentor.yaml")      # sheetmentor.config
    club = read_club(config)                      # sheetmentor.sources + sheetmentor.schema
    club.raise_for_errors()                       # problems name their cells
    figures = completion_by_tier(club)            # sheetmentor.analysis
    print(render_agenda(config, club, as_of=datetime.date.today()))  # sheetmentor.render

Names are imported lazily, so ``import sheetmentor`` (and ``sheetmentor --help``) stays quick.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "load_config": "config",
    "Config": "config",
    "read_club": "schema",
    "normalize": "schema",
    "Club": "schema",
    "Problem": "schema",
    "build_schedule": "cadence",
    "Schedule": "cadence",
    "Meeting": "cadence",
    "completion_by_tier": "analysis",
    "goals_at_meeting": "analysis",
    "Completion": "analysis",
    "render_agenda": "render",
    "agenda_context": "render",
    "schedule_for": "render",
    "SheetmentorError": "errors",
    "ConfigError": "errors",
    "SheetError": "errors",
    "SheetProblemsError": "errors",
    "DeliveryError": "errors",
    "ServiceError": "errors",
}

__all__ = [
    "Club",
    "Completion",
    "Config",
    "ConfigError",
    "DeliveryError",
    "Meeting",
    "Problem",
    "Schedule",
    "ServiceError",
    "SheetError",
    "SheetProblemsError",
    "SheetmentorError",
    "agenda_context",
    "build_schedule",
    "completion_by_tier",
    "goals_at_meeting",
    "load_config",
    "normalize",
    "read_club",
    "render_agenda",
    "schedule_for",
]

if TYPE_CHECKING:
    from .analysis import Completion, completion_by_tier, goals_at_meeting
    from .cadence import Meeting, Schedule, build_schedule
    from .config import Config, load_config
    from .errors import (
        ConfigError,
        DeliveryError,
        ServiceError,
        SheetError,
        SheetmentorError,
        SheetProblemsError,
    )
    from .render import agenda_context, render_agenda, schedule_for
    from .schema import Club, Problem, normalize, read_club


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'sheetmentor' has no attribute {name!r}")
    return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
