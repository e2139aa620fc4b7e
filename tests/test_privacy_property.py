"""The privacy property: for random clubs with private goals and random edits between meetings,
no private goal's text reaches anyone but its owner — in any output, message or log line.

A club keeps its goals in a folder of .csv files (fast to write; read by the real sheet stage).
Each goal carries a unique token ("qqx…") in its text, so its identity key carries it too; a
goal is *private* for this test when any recorded state of the sheet (each meeting's, and the
last) had it private — by a Private cell in any accepted spelling, a 🔒 in front of its text, or
a Visibility cell — since once private, private in every later mention. Then, through the
library API the commands wrap, every output is searched for the tokens its reader may not see.

``SHEETMENTOR_PRIVACY_EXAMPLES`` sets the number of examples (default 50; run 1,000 before a
release).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheetmentor.commands import (
    agenda_text,
    changes_report,
    check_club,
    memory_block,
    read,
    recap_text,
    record_club,
    status_report,
)
from sheetmentor.config import load_config
from sheetmentor.outbound.mime import Pending
from sheetmentor.outbound.plan import (
    agenda_messages,
    club_chat,
    nudge_chat,
    nudge_messages,
    recap_messages,
)
from sheetmentor.outbound.send import preview_nudges
from sheetmentor.render.contexts import (
    recap_context,
    render_agenda,
    render_template,
    schedule_for,
)

EXAMPLES = int(os.environ.get("SHEETMENTOR_PRIVACY_EXAMPLES", "50"))
MEMBERS = ["Ada Okonkwo", "Bo Chen", "Cy Diallo"]
PRIVATE_CELLS = ["yes", "✓", "✅", "☑", "✔️", "TRUE", "x", "1", "1.0", "Private 🔒",
                 "confidential", "oui", "private"]  # fmt: skip
SHARED_CELLS = ["", "no", "FALSE", "0"]
VISIBILITY_PRIVATE = ["private", "Private", "only me", "confidential"]
VISIBILITY_SHARED = ["", "club", "everyone"]
TIERS = ["two-week", "quarterly", "long-term"]
MEETING_DAYS = [dt.date(2026, 11, 3), dt.date(2026, 11, 17), dt.date(2026, 12, 1)]
WORDS = "finish the quarterly plan draft with care"
TZ = "Europe/Berlin"


@dataclass
class Goal:
    member: int
    token: str
    tier: str
    status: str = ""
    progress: str = ""
    how: str | None = None  # None (shared), "column", "lock" or "visibility"
    cell: str = ""  # the Private or Visibility cell
    reworded: bool = False

    @property
    def private(self) -> bool:
        return self.how is not None

    def text(self) -> str:
        words = f"{self.token} {WORDS}" + (" soon" if self.reworded else "")
        return f"🔒 {words}" if self.how == "lock" else words


@dataclass
class Sheet:
    goals: list[Goal] = field(default_factory=list)
    ids: bool = False

    def copy(self) -> Sheet:
        return Sheet([replace(g) for g in self.goals], self.ids)


def make_private(goal: Goal, how: str, cell: str) -> None:
    goal.how, goal.cell = how, cell if how in ("column", "visibility") else ""


def make_shared(goal: Goal, cell: str) -> None:
    goal.how, goal.cell = None, cell


@st.composite
def goals_strategy(draw: st.DrawFn, start: int) -> list[Goal]:
    found = []
    for index in range(draw(st.integers(1, 4))):
        goal = Goal(
            member=draw(st.integers(0, len(MEMBERS) - 1)),
            token=f"qqx{start + index:03d}k",
            tier=draw(st.sampled_from(TIERS)),
            progress=draw(st.sampled_from(["", "20%", "50%"])),
        )
        apply_privacy(draw, goal)
        found.append(goal)
    return found


def apply_privacy(draw: st.DrawFn, goal: Goal) -> None:
    how = draw(st.sampled_from([None, None, "column", "lock", "visibility"]))
    if how == "column":
        make_private(goal, how, draw(st.sampled_from(PRIVATE_CELLS)))
    elif how == "visibility":
        make_private(goal, how, draw(st.sampled_from(VISIBILITY_PRIVATE)))
    elif how == "lock":
        make_private(goal, how, "")
    else:
        make_shared(goal, "")


EDITS = ["add", "reword", "done", "drop", "delete", "unprivate", "privatize", "progress"]


@st.composite
def seasons(draw: st.DrawFn) -> tuple[list[Sheet], bool]:
    """The sheet at each meeting, then the sheet now (the last)."""
    sheet = Sheet(draw(goals_strategy(0)), ids=draw(st.booleans()))
    visibility = draw(st.booleans())  # a Visibility column instead of a Private one
    states = [sheet.copy()]
    counter = len(sheet.goals)
    for _ in range(draw(st.integers(1, len(MEETING_DAYS)))):
        for _ in range(draw(st.integers(0, 4))):
            edit = draw(st.sampled_from(EDITS))
            if edit == "add" or not sheet.goals:
                added = draw(goals_strategy(counter))
                counter += len(added)
                sheet.goals.extend(added)
                continue
            goal = draw(st.sampled_from(sheet.goals))
            if edit == "reword":
                goal.reworded = not goal.reworded
            elif edit == "done":
                goal.status = "done"
            elif edit == "drop":
                goal.status = "dropped"
            elif edit == "progress":
                goal.progress = "80%"
            elif edit == "delete":
                sheet.goals.remove(goal)
            elif edit == "unprivate":
                shared = VISIBILITY_SHARED if goal.how == "visibility" else SHARED_CELLS
                make_shared(goal, draw(st.sampled_from(shared)))
            elif edit == "privatize":
                apply_privacy(draw, goal)
        states.append(sheet.copy())
    return states, visibility


def write_sheet(folder: Path, sheet: Sheet, visibility: bool) -> None:
    folder.mkdir(exist_ok=True)
    with (folder / "Members.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["Name", "Email"])
        for number, name in enumerate(MEMBERS):
            writer.writerow([name, f"m{number}@example.org"])
    column = "Visibility" if visibility else "Private"
    with (folder / "Goals.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["ID", "Member", "Goal", "Tier", "Status", "Progress", column])
        for goal in sheet.goals:
            cell = goal.cell
            if visibility and goal.how == "column":  # the Visibility column's own words
                cell = "private"
            if not visibility and goal.how == "visibility":
                cell = "yes"
            if not visibility and goal.how is None and cell in VISIBILITY_SHARED[1:]:
                cell = ""
            if visibility and goal.how is None and cell in SHARED_CELLS[1:]:
                cell = ""
            writer.writerow(
                [
                    goal.token.upper() if sheet.ids else "",
                    MEMBERS[goal.member],
                    goal.text(),
                    goal.tier,
                    goal.status,
                    goal.progress,
                    cell,
                ]
            )


@contextlib.contextmanager
def now(moment: str) -> Iterator[None]:
    old = os.environ.get("SHEETMENTOR_NOW")
    os.environ["SHEETMENTOR_NOW"] = moment
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("SHEETMENTOR_NOW", None)
        else:
            os.environ["SHEETMENTOR_NOW"] = old


class Logs(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def outputs(config_path: Path, last: dt.date) -> tuple[list[str], dict[str, list[str]]]:
    """Everything the club reads, and what each member reads as their own. The commands that
    differ in how they read run as commands; the formats and readers of one output reuse its
    club and memory (what the command does after reading)."""
    config = load_config(config_path)
    club_wide: list[str] = []
    own: dict[str, list[str]] = {name: [] for name in MEMBERS}
    as_of = last + dt.timedelta(days=12)
    club_wide.append(agenda_text(config, as_of=as_of, format="markdown"))
    club_wide.append(status_report(config, as_of=as_of, format="json").text)
    for fmt in ("text", "json"):
        club_wide.append(changes_report(config, as_of=as_of, format=fmt))
    club_wide.append(recap_text(config, meeting=last, as_of=as_of, format="html"))
    moment = dt.datetime.combine(as_of, dt.time(9), tzinfo=config.meetings.zone)
    for part in preview_nudges(config, now=moment).split("To: ")[1:]:
        own[next(name for name in MEMBERS if part.startswith(name))].append(part)
    club = read(config)
    schedule = schedule_for(config, club, as_of)
    expect = config.state.is_dir()
    for kind, meeting in (("agenda", schedule.next_meeting(as_of)), ("recap", schedule.on(last))):
        memory = memory_block(
            config, club, schedule, meeting, as_of, kind=kind, expect_history=expect
        )
        if kind == "agenda":
            for fmt in ("html", "text"):
                club_wide.append(
                    render_agenda(config, club, as_of=as_of, format=fmt, memory=memory)
                )
            mailings = [
                agenda_messages(config, club, schedule, meeting, as_of=as_of, memory=memory),
                nudge_messages(config, club, schedule, meeting, as_of=as_of, memory=memory),
            ]
            club_wide.append(repr(nudge_chat(config, club, schedule, meeting, moment, memory)))
        else:
            for name in [None, *MEMBERS]:
                context = recap_context(
                    club, schedule, meeting, as_of=as_of, cap=config.club.cap,
                    recipient=name, memory=memory, config=config,
                )  # fmt: skip
                for fmt in ("txt", "html"):
                    text = render_template(f"recap.{fmt}.j2", context, config.templates)
                    (own[name] if name else club_wide).append(text)
            mailings = [recap_messages(config, club, schedule, meeting, as_of=as_of, memory=memory)]
        club_wide.append(repr(club_chat(config, kind, club, schedule, meeting, moment, memory)))
        for mailing in mailings:
            for planned in mailing.messages:
                message = planned.outgoing() if isinstance(planned, Pending) else planned
                text = "\n".join([message.subject, message.text, message.html or ""])
                names = [a.display_name for a in message.to]
                if len(names) == 1 and names[0] in own and message.kind != "agenda":
                    own[names[0]].append(text)
                else:
                    club_wide.append(text)
    return club_wide, own


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(seasons())
def test_no_private_text_reaches_anyone_but_its_owner(season: tuple[list[Sheet], bool]) -> None:
    states, visibility = season
    ever_private: dict[str, int] = {}
    for state in states:
        for goal in state.goals:
            if goal.private:
                ever_private[goal.token] = goal.member
    logs = Logs()
    logger = logging.getLogger("sheetmentor")
    old_level = logger.level
    logger.addHandler(logs)
    logger.setLevel(logging.DEBUG)
    try:
        with tempfile.TemporaryDirectory() as temp:
            folder = Path(temp)
            config_path = folder / "sheetmentor.yaml"
            config_path.write_text(yaml.safe_dump(config_data()), encoding="utf-8")
            for state, day in zip(states[:-1], MEETING_DAYS, strict=False):
                write_sheet(folder / "club", state, visibility)
                with now(f"{day.isoformat()}T15:00"):
                    check = check_club(load_config(config_path))
                    assert check.errors == 0, check.text
                    record_club(load_config(config_path))
            last = MEETING_DAYS[len(states) - 2]
            write_sheet(folder / "club", states[-1], visibility)
            with now(f"{(last + dt.timedelta(days=12)).isoformat()}T13:00"):
                club_wide, own = outputs(config_path, last)
                club_wide.append(check_club(load_config(config_path)).text)
    finally:
        logger.removeHandler(logs)
        logger.setLevel(old_level)
    club_wide.extend(logs.lines)
    for text in club_wide:
        found = [token for token in ever_private if token in text.casefold()]
        assert found == [], f"private goals {found} in a club-wide output:\n{text}"
    for number, name in enumerate(MEMBERS):
        others = [token for token, owner in ever_private.items() if owner != number]
        for text in own[name]:
            found = [token for token in others if token in text.casefold()]
            assert found == [], f"{name} reads others' private goals {found}:\n{text}"


def config_data() -> dict:
    return {
        "club": {"name": "Property Club", "cap": 10},
        "meetings": {
            "every": "2 weeks",
            "weekday": "tuesday",
            "time": "12:00",
            "duration": "60m",
            "timezone": TZ,
            "first": dt.date(2026, 9, 8),
            "nudge_updated": True,
        },
        "source": {"path": "club"},
        "email": {"from": "Property Club <club@example.org>", "outbox": "outbox"},
        "chat": {
            "slack": {"webhook_env": "PROPERTY_SLACK_WEBHOOK"},
            "discord": {"webhook_env": "PROPERTY_DISCORD_WEBHOOK"},
            "teams": {"webhook_env": "PROPERTY_TEAMS_WEBHOOK"},
        },
    }
