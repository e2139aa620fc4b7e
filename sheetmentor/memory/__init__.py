"""Meeting memory: what the sheet looked like at each meeting, and what changed since.

A spreadsheet only knows its present, yet accountability is about change over time: "you said
you would do X by today". sheetmentor therefore keeps a *history store*,
``<state>/history.sqlite3``, with a snapshot of every goal each time it records the sheet (the
recap run after a meeting does), and computes from it what changed since the last meeting, which
goals went stale, streaks, completion per meeting and club health.

One module per job, each importing only the ones above it in this list:

- :mod:`~sheetmentor.memory.identity`: a goal's state columns and identity across versions;
- :mod:`~sheetmentor.memory.store`: the SQLite store, its snapshots and migrations;
- :mod:`~sheetmentor.memory.changes`: what changed between two states, stale goals;
- :mod:`~sheetmentor.memory.streaks`: streaks and completion at each recorded meeting;
- :mod:`~sheetmentor.memory.health`: club health (attendance, carried goals, silent members);
- :mod:`~sheetmentor.memory.recall`: everything an agenda or recap remembers, and recording.
"""

from __future__ import annotations

from sheetmentor.memory.changes import (
    CHANGE_KINDS,
    Changes,
    changes_from,
    changes_since,
    stale,
    what_changed,
)
from sheetmentor.memory.health import Health, club_health
from sheetmentor.memory.identity import (
    FUZZY_THRESHOLD,
    STATE_COLUMNS,
    goal_state,
    identify,
    natural_keys,
    normalize_goal_text,
)
from sheetmentor.memory.recall import (
    STARTER_MEMBER,
    MeetingMemory,
    meeting_memory,
    recall,
    recall_memory,
    remember,
    untouched_starter,
    with_private_history,
)
from sheetmentor.memory.store import (
    HISTORY_NAME,
    MIGRATIONS,
    Baseline,
    HistoryStore,
    Snapshot,
    current_state,
    period_for,
    schema_version,
)
from sheetmentor.memory.streaks import Streak, completion_history, history_records, streaks

__all__ = [
    "CHANGE_KINDS",
    "FUZZY_THRESHOLD",
    "HISTORY_NAME",
    "MIGRATIONS",
    "STARTER_MEMBER",
    "STATE_COLUMNS",
    "Baseline",
    "Changes",
    "Health",
    "HistoryStore",
    "MeetingMemory",
    "Snapshot",
    "Streak",
    "changes_from",
    "changes_since",
    "club_health",
    "completion_history",
    "current_state",
    "goal_state",
    "history_records",
    "identify",
    "meeting_memory",
    "natural_keys",
    "normalize_goal_text",
    "period_for",
    "recall",
    "recall_memory",
    "remember",
    "schema_version",
    "stale",
    "streaks",
    "untouched_starter",
    "what_changed",
    "with_private_history",
]
