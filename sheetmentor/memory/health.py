"""Club health at a meeting: attendance, carried-over goals, and who sent no update since the
previous meeting (which the history store knows)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sheetmentor.analysis import attendance, goals_at_meeting
from sheetmentor.memory.changes import changes_since, unread_goals
from sheetmentor.memory.store import Baseline, HistoryStore, current_state
from sheetmentor.plain import number, records
from sheetmentor.schedule import Meeting, Schedule
from sheetmentor.sheet.normalize import Club, member_key


@dataclass
class Health:
    """Club health at a meeting, after the My-Peer toolkit's monitoring indicators.

    ``attendance_rate``: member-meetings attended / counted over the recorded meetings
    (:func:`sheetmentor.analysis.attendance`); ``carried``: open two-week goals carried over
    ``min_carried`` or more meetings at ``meeting`` — by default every carried goal, the same
    goals the member sections list as carried; ``no_update``: active members none of whose goals
    changed since the baseline of the previous meeting (:meth:`HistoryStore.baseline`; None when
    nothing was recorded to compare with); ``active`` vs ``cap``.
    """

    meeting: dt.date
    active: int
    cap: int
    attendance_rate: float | None
    attendance: pd.DataFrame
    carried: int
    carried_goals: pd.DataFrame
    no_update: list[str] | None
    min_carried: int = 1
    unread: list[str] = field(default_factory=list)
    """Members with a goal not read this time (a row with an error, read with ``--force``):
    neither updated nor not, as far as anyone can tell."""
    first_seen: dict[str, dt.datetime] | None = None
    """When the history first saw each member on the sheet, for members it has not seen since
    it began (:func:`first_sightings`): no meeting before then counts against them."""

    @property
    def over_cap(self) -> bool:
        return self.active > self.cap

    def to_dict(self) -> dict[str, Any]:
        """``{"meeting", "active", "cap", "over_cap", "attendance_rate", "attendance": {NAME:
        {"meetings", "attended", "rate", "last_attended"}}, "carried", "carried_goals":
        [{"member", "goal", "carried", "due"}], "no_update": [NAME] | None, "unread": [NAME],
        "first_seen": {NAME: DATETIME}}`` (members first seen after the history began)."""
        return {
            "meeting": self.meeting,
            "active": self.active,
            "cap": self.cap,
            "over_cap": self.over_cap,
            "attendance_rate": number(self.attendance_rate),
            "attendance": {
                str(name): {
                    "meetings": int(row["meetings"]),
                    "attended": int(row["attended"]),
                    "rate": number(row["rate"]),
                    "last_attended": row["last_attended"],
                }
                for name, row in self.attendance.iterrows()
            },
            "carried": self.carried,
            "carried_goals": records(self.carried_goals),
            "no_update": self.no_update,
            "unread": list(self.unread),
            "first_seen": dict(self.first_seen or {}),
        }


def first_sightings(
    store: HistoryStore, club: Club, now_state: pd.DataFrame, seen: dt.datetime | None = None
) -> dict[str, dt.datetime]:
    """When the history first saw each active member on the sheet — her name on the roster or
    one of her goals (identities survive a rename) — for members it did not see from its first
    snapshot on. A member it never saw is first seen ``seen`` (this run), or at the latest
    sighting of the sheet without her. Empty when nothing was recorded yet."""
    snapshots = store.snapshots()
    if not snapshots:
        return {}
    order = {snapshot.id: position for position, snapshot in enumerate(snapshots)}
    first_roster: dict[str, int] = {}
    for position, snapshot in enumerate(snapshots):
        for name in store.roster(snapshot)["name"]:
            first_roster.setdefault(member_key(name), position)
    first_goal = store.first_snapshots()
    goal_positions: dict[str, int] = {}
    for member, key in zip(now_state["member"], now_state["key"], strict=True):
        if pd.isna(member) or key not in first_goal:
            continue
        position = order.get(first_goal[key], len(snapshots))
        mine = member_key(member)
        goal_positions[mine] = min(goal_positions.get(mine, position), position)
    never = seen or snapshots[-1].seen_to
    found: dict[str, dt.datetime] = {}
    for name in club.active_members["name"]:
        mine = member_key(name)
        sightings = (first_roster.get(mine), goal_positions.get(mine))
        candidates = [p for p in sightings if p is not None]
        if not candidates:
            found[name] = never
        elif min(candidates) > 0:
            found[name] = snapshots[min(candidates)].taken_at
    return found


def club_health(
    club: Club,
    schedule: Schedule,
    store: HistoryStore,
    as_of: dt.date,
    *,
    cap: int,
    meeting: Meeting | None = None,
    last_n: int = 6,
    min_carried: int = 1,
    now_state: pd.DataFrame | None = None,
    baseline: Baseline | None = None,
    seen: dt.datetime | None = None,
) -> Health:
    """Health of the club at ``meeting`` (default: the next meeting on or after ``as_of``).

    Attendance counts recorded meetings on or before ``as_of``; carried-over goals come from
    :func:`sheetmentor.analysis.goals_at_meeting` at ``meeting``; "no update" compares the
    current sheet (``now_state``, if the caller has it already, else :func:`current_state`) with
    ``baseline`` (default: :meth:`HistoryStore.baseline` of the meeting before ``meeting``), the
    same state the members' "since" lines compare with. A member with a blank Joined cell
    cannot have missed a meeting held before the history first saw her (:func:`first_sightings`;
    ``seen`` is this run's moment, for a member not seen before).
    """
    meeting = meeting or schedule.next_meeting(as_of)
    now_state = now_state if now_state is not None else current_state(club, store)
    first_seen = first_sightings(store, club, now_state, seen)
    present = attendance(club, schedule, through=as_of, last_n=last_n, first_seen=first_seen)
    counted = int(present["meetings"].sum())
    rate = float(present["attended"].sum() / counted) if counted else None
    goals = goals_at_meeting(club, schedule, meeting)
    carried = goals[goals["carried"] >= min_carried].sort_values(
        "carried", ascending=False, kind="stable"
    )
    if baseline is None:
        previous = schedule.previous(meeting)
        baseline = store.baseline(previous) if previous else None
    names = list(club.active_members["name"])
    since = (
        None
        if baseline is None
        else changes_since(
            store.state(baseline.snapshot),
            now_state,
            members=names,
            unread=unread_goals(club),
        )
    )
    return Health(
        meeting=meeting.date,
        active=len(names),
        cap=cap,
        attendance_rate=rate,
        attendance=present,
        carried=len(carried),
        carried_goals=carried[["member", "goal", "tier", "carried", "due"]],
        no_update=since.no_update if since is not None else None,
        unread=since.unread_members if since is not None else [],
        min_carried=min_carried,
        first_seen=first_seen,
    )
