"""What the club has done: completion per tier and category, and each goal's place in the cycle.

All figures come from grouped pandas aggregations over the goals frame — no Python loop over goal
rows — so an organization with 100,000 goals is analysed in well under a second.

A goal is done, open or dropped. ``total`` counts goals not dropped; ``rate`` is done/total and
``progress`` the mean progress of those goals (1.0 for done ones), both ``None`` when total is 0.
Club figures count the goals of active members only.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sheetmentor.schedule import Meeting, Schedule
from sheetmentor.sheet.normalize import Club

STAT_COLUMNS = ("total", "done", "dropped", "rate", "progress")


@dataclass(frozen=True)
class Completion:
    """Completion figures for the club and each active member.

    ``tiers`` and ``categories`` are indexed by tier / category; ``member_tiers`` and
    ``member_categories`` by (member, tier) / (member, category), members in sheet order.
    Every frame has the columns ``total, done, dropped, rate, progress``.
    """

    members: list[str]
    tiers: pd.DataFrame
    categories: pd.DataFrame
    member_tiers: pd.DataFrame
    member_categories: pd.DataFrame

    def to_dict(self, club: str, as_of: dt.date) -> dict[str, Any]:
        """The ``status --format json`` object (documented in README.md, "Commands")."""
        return {
            "club": club,
            "as_of": as_of.isoformat(),
            "tiers": stats_dict(self.tiers),
            "categories": stats_dict(self.categories),
            "members": [
                {
                    "name": name,
                    "tiers": stats_dict(self.member_tiers.loc[name]),
                    "categories": stats_dict(self.member_categories.loc[name]),
                }
                for name in self.members
            ],
        }


def active_goals(club: Club) -> pd.DataFrame:
    """Goals of active members, with ``member`` as a categorical in the members' sheet order."""
    names = list(club.active_members["name"])
    goals = club.goals[club.goals["member"].isin(names)]
    return goals.assign(member=pd.Categorical(goals["member"], categories=names))


def completion_by_tier(club: Club) -> Completion:
    """Total, done, dropped, rate and progress per tier and category, for the club and each
    active member."""
    goals = active_goals(club)
    counted = goals["status"] != "dropped"
    facts = pd.DataFrame(
        {
            "member": goals["member"],
            "tier": goals["tier"],
            "category": goals["category"],
            "total": counted,
            "done": goals["status"] == "done",
            "dropped": ~counted,
            "progress": goals["progress"].where(counted),
        }
    )
    return Completion(
        members=list(goals["member"].cat.categories),
        tiers=_stats(facts, ["tier"]),
        categories=_stats(facts, ["category"]),
        member_tiers=_stats(facts, ["member", "tier"]),
        member_categories=_stats(facts, ["member", "category"]),
    )


def _stats(facts: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    grouped = facts.groupby(by, observed=False).agg(
        total=("total", "sum"),
        done=("done", "sum"),
        dropped=("dropped", "sum"),
        progress=("progress", "mean"),
    )
    rate = grouped["done"] / grouped["total"].where(grouped["total"] > 0)
    progress = grouped["progress"].where(grouped["total"] > 0)
    return grouped.assign(rate=rate, progress=progress)[list(STAT_COLUMNS)]


def stats_dict(frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """A stats frame (``Completion.tiers`` and friends) as plain dicts, for templates and JSON."""
    return {str(key): _stat_dict(row) for key, row in frame.iterrows()}


def _stat_dict(row: pd.Series) -> dict[str, Any]:
    def number(value: float) -> float | None:
        return None if value is None or math.isnan(value) else round(float(value), 4)

    return {
        "total": int(row["total"]),
        "done": int(row["done"]),
        "dropped": int(row["dropped"]),
        "rate": number(row["rate"]),
        "progress": number(row["progress"]),
    }


def goals_at_meeting(club: Club, schedule: Schedule, meeting: Meeting) -> pd.DataFrame:
    """Active members' goals, each with its place in the cycle as seen at ``meeting``.

    Adds ``due_meeting`` (the meeting a two-week goal is due at: the first on or after its Due
    date; without Due, the first after it was Set; without either, this meeting), ``due_here``,
    ``carried`` (meetings an open two-week goal has been carried over), ``overdue`` (an open goal
    past its due meeting or Due date) and ``win`` (done since the previous meeting: by its
    Completed date where the sheet has one, else a two-week goal due here and already done).
    """
    goals = active_goals(club)
    dates = schedule.dates
    here = meeting.number - 1
    due_index = np.searchsorted(dates, goals["due"].to_numpy(), side="left")
    set_index = np.searchsorted(dates, goals["set"].to_numpy(), side="right")
    index = np.where(
        goals["due"].notna(), due_index, np.where(goals["set"].notna(), set_index, here)
    )
    two_week = (goals["tier"] == "two-week").to_numpy()
    is_open = (goals["status"] == "open").to_numpy()
    in_range = index < len(dates)
    due_meeting = np.where(two_week & in_range, dates[np.minimum(index, len(dates) - 1)], None)
    carried = np.where(two_week & is_open & (index < here), here - index, 0)
    meeting_day = np.datetime64(meeting.date, "ns")
    late = (~two_week) & is_open & (goals["due"] < meeting_day).to_numpy()
    previous = schedule.previous(meeting)
    since = np.datetime64(previous.date, "ns") if previous else np.datetime64("NaT")
    completed = goals["completed"]
    done = (goals["status"] == "done").to_numpy()
    win_by_date = done & ((completed > since) | pd.isna(since)) & (completed <= meeting_day)
    win_by_cycle = done & completed.isna().to_numpy() & two_week & (index == here)
    return goals.assign(
        due_meeting=pd.to_datetime(pd.Series(due_meeting, index=goals.index)),
        due_here=two_week & (index == here),
        carried=carried,
        overdue=(carried > 0) | late,
        win=win_by_date.to_numpy() | win_by_cycle,
    )


def rotation(
    members: list[str], schedule: Schedule, meeting: Meeting
) -> tuple[str | None, list[str]]:
    """Facilitator and speaking order for a meeting.

    A blank Facilitator cell means "the rotation": whoever has gone longest without
    facilitating (never counts as longest; ties go in sheet order), so with no records the turn
    passes one place per meeting. A facilitator the Meetings tab names is who facilitated. When
    the tab records who attended and the rotation's pick is not among them, the meeting has no
    known facilitator and the pick keeps their turn for the next meeting.

    Each meeting's facilitator is worked out exactly as an announcement of it is, so writing down
    the rotation's own pick changes no later meeting; only naming someone else does. The order
    depends only on the schedule and the sheet, so a re-run gives the same answer. Speaking
    starts with the member after the facilitator, who speaks last.
    """
    last_turn = dict.fromkeys(members, 0)
    for past in schedule.meetings[: meeting.number - 1]:
        done_by = _facilitator(past, members, last_turn)
        if done_by in last_turn:
            last_turn[done_by] = past.number
    facilitator = _facilitator(meeting, members, last_turn)
    turn = members.index(facilitator) if facilitator in members else -1
    return facilitator, members[turn + 1 :] + members[: turn + 1]


def _facilitator(meeting: Meeting, members: list[str], last_turn: dict[str, int]) -> str | None:
    """The Meetings tab's facilitator, else the rotation's pick (None when the pick was away)."""
    if meeting.facilitator or not members:
        return meeting.facilitator
    pick = min(members, key=last_turn.__getitem__)
    if meeting.attended is not None and pick not in meeting.attended:
        return None
    return pick


def could_miss(meeting: Meeting, joined: Any, first_seen: dt.datetime | None) -> bool:
    """Whether a member who did not come to ``meeting`` missed it: she had joined by its day
    (her Joined cell) — or, with Joined blank, she was on the sheet by its start as far as the
    history knows (``first_seen``: when the history first saw her; None when she has been on the
    sheet since the history began, or there is none). A member cannot miss a meeting held before
    she was on the sheet."""
    if not pd.isna(joined):
        return pd.Timestamp(joined).date() <= meeting.date
    return first_seen is None or first_seen <= meeting.start


def attendance(
    club: Club,
    schedule: Schedule,
    *,
    through: dt.date,
    last_n: int = 6,
    first_seen: Mapping[str, dt.datetime] | None = None,
) -> pd.DataFrame:
    """Each active member's attendance over the last ``last_n`` meetings (on or before
    ``through``) whose attendance the Meetings tab records.

    A meeting without an Attended cell is not counted for or against anyone; a meeting a member
    could not have missed (:func:`could_miss`: before her Joined date, or with Joined blank
    before ``first_seen`` says she was on the sheet) counts for her only if she came. Index:
    member (sheet order); columns: ``meetings`` (counted), ``attended``, ``rate`` (NaN when none
    counted), ``last_attended``.
    """
    recorded = [m for m in schedule.meetings if m.date <= through and m.attended is not None]
    recorded = recorded[-last_n:] if last_n > 0 else []
    active = club.active_members
    names = list(active["name"])
    joined = list(active["joined"])
    seen = first_seen or {}
    counted = np.zeros((len(names), len(recorded)), dtype=bool)
    present = np.zeros_like(counted)
    for j, meeting in enumerate(recorded):
        came = set(meeting.attended or ())
        for i, name in enumerate(names):
            present[i, j] = name in came
            counted[i, j] = present[i, j] or could_miss(meeting, joined[i], seen.get(name))
    meetings = counted.sum(axis=1)
    attended = present.sum(axis=1)
    dates = np.array([m.date for m in recorded], dtype=object)
    last_attended = [
        dates[np.flatnonzero(present[i])[-1]] if present[i].any() else None
        for i in range(len(names))
    ]
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(meetings > 0, attended / np.maximum(meetings, 1), np.nan)
    return pd.DataFrame(
        {
            "meetings": meetings,
            "attended": attended,
            "rate": rate,
            "last_attended": last_attended,
        },
        index=pd.Index(names, name="member", dtype="str"),
    )
