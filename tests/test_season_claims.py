"""A whole season, every claim checked against the sheet's history.

Six members meet every other Tuesday from Sep 8 to Dec 15 (eight meetings). Between meetings
they edit a real .xlsx: goals are added, done, carried, dropped; Fay's name is fixed in every
tab; Di joins with a blank Joined date; Ed leaves; Cy keeps a 🔒 private goal. At each meeting
the CLI runs as a club runs it: the agenda (Markdown and text), ``status``, ``changes`` and the
nudge preview the day before, the recap preview and ``recap --send`` to a loopback SMTP server
(aiosmtpd) after it, whose every message — text and HTML — is checked as its reader sees it.

The model below is the season itself — who owns which goal, its status at each version of the
sheet, who came to which meeting. The checker computes what each output may claim from that
model alone (never from sheetmentor's code) and reads every claim back from the output: wins,
carried counts, streaks, "no update", attendance, who missed a meeting, commitments, drops,
the club's figures and history, who is nudged, the figures of ``status``, the changes of
``changes``; and no output names another member's private goal or says nan/None. A claim the
history does not support fails the test; so does a claim missing. It runs in America/Toronto
and in Europe/Berlin (daylight saving ends mid-season in both, on different days).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage

import pytest
from conftest import ClubFolder
from smtp_servers import Server, smtp_server

D = dt.date
MEETINGS = [D(2026, 9, 8) + dt.timedelta(weeks=2 * i) for i in range(8)]
"""M1 … M8: Sep 8, Sep 22, Oct 6, Oct 20, Nov 3, Nov 17, Dec 1, Dec 15."""


# -- the season ---------------------------------------------------------------------------------


@dataclass
class Person:
    key: str
    names: dict[int, str]
    """Name from a version of the sheet on (a rename is a new entry)."""
    email: str
    joins: int = 1
    leaves: int | None = None
    """The first version in which the person is no longer active."""

    def name(self, version: int) -> str:
        return self.names[max(v for v in self.names if v <= version)]

    def active(self, version: int) -> bool:
        return self.joins <= version and (self.leaves is None or version < self.leaves)

    def on_sheet(self, version: int) -> bool:
        return self.joins <= version


@dataclass
class Goal:
    owner: str
    text: str
    tier: str
    due: int | None
    """The meeting (1…8) a two-week goal is due at; None for the other tiers."""
    states: dict[int, tuple[str, float]]
    """(status, progress) from a version on; the first key is when the goal is added."""
    category: str = "work"

    @property
    def private(self) -> bool:
        return self.text.startswith("🔒")

    def there(self, version: int) -> bool:
        return min(self.states) <= version

    def state(self, version: int) -> tuple[str, float]:
        return self.states[max(v for v in self.states if v <= version)]

    def status(self, version: int) -> str:
        return self.state(version)[0]


PEOPLE = [
    Person("ada", {1: "Ada Okonkwo"}, "ada@example.org"),
    Person("bo", {1: "Bo Chen"}, "bo@example.org"),
    Person("cy", {1: "Cy Diallo"}, "cy@example.org"),
    Person("fay", {1: "Fay Schmit", 4: "Fay Schmidt"}, "fay@example.org"),
    Person("di", {1: "Di Evans"}, "di@example.org", joins=3),
    Person("ed", {1: "Ed Park"}, "ed@example.org", leaves=5),
]
BY_KEY = {p.key: p for p in PEOPLE}
OPEN, X, DROP = "open", "done", "dropped"
GOALS = [
    Goal("ada", "Rewrite CV", "two-week", 2, {1: (OPEN, 0), 2: (X, 1)}),
    Goal("ada", "Call two mentors", "two-week", 3, {2: (OPEN, 0), 3: (X, 1)}),
    Goal("ada", "Draft the talk", "two-week", 4, {3: (OPEN, 0), 4: (OPEN, 0.5), 6: (X, 1)}),
    Goal("ada", "Book the venue", "two-week", 6, {5: (OPEN, 0), 6: (X, 1)}),
    Goal("ada", "Plan the next quarter", "two-week", 8, {7: (OPEN, 0)}),
    Goal("ada", "Publish 3 posts", "quarterly", None, {1: (OPEN, 0.1), 3: (OPEN, 0.5), 7: (X, 1)}),
    Goal("ada", "Learn the piano", "long-term", None, {1: (OPEN, 0)}, "personal"),
    Goal("bo", "Find a studio", "two-week", 2, {1: (OPEN, 0), 2: (X, 1)}),
    Goal("bo", "Sign the lease", "two-week", 3, {2: (OPEN, 0), 3: (X, 1)}),
    Goal("bo", "Paint the studio", "two-week", 4, {3: (OPEN, 0), 4: (X, 1)}),
    Goal("bo", "Host an open day", "two-week", 6, {4: (OPEN, 0), 5: (DROP, 0)}),
    Goal("bo", "Send the invoices", "two-week", 6, {5: (OPEN, 0), 6: (X, 1)}),
    Goal("bo", "Hire an assistant", "two-week", 8, {7: (OPEN, 0.5), 8: (X, 1)}),
    Goal("bo", "Learn to sail", "long-term", None, {1: (OPEN, 0)}, "personal"),
    Goal("cy", "Read two books", "two-week", 2, {1: (OPEN, 0), 3: (X, 1)}, "personal"),
    Goal("cy", "Run 5k", "two-week", 4, {3: (OPEN, 0), 4: (X, 1)}, "personal"),
    Goal("cy", "🔒 See a therapist", "two-week", 5, {4: (OPEN, 0), 5: (X, 1)}, "personal"),
    Goal("cy", "Visit grandma", "two-week", 6, {5: (OPEN, 0)}, "personal"),
    Goal("cy", "Apply to nursing school", "quarterly", None, {1: (OPEN, 0.1), 4: (OPEN, 0.4)}),
    Goal("fay", "Finish the course", "two-week", 2, {1: (OPEN, 0), 2: (X, 1)}),
    Goal("fay", "Start a blog", "quarterly", None, {1: (OPEN, 0), 2: (X, 1)}),
    Goal("fay", "Write post one", "two-week", 4, {3: (OPEN, 0), 4: (X, 1)}),
    Goal("fay", "Write post two", "two-week", 6, {5: (OPEN, 0), 6: (X, 1)}),
    Goal("fay", "Write post three", "two-week", 8, {7: (OPEN, 0), 8: (X, 1)}),
    Goal("di", "Set up a portfolio", "two-week", 4, {3: (OPEN, 0), 4: (X, 1)}),
    Goal("di", "Apply to 2 jobs", "two-week", 7, {6: (OPEN, 0), 7: (X, 1)}),
    Goal("di", "Meet 3 designers", "quarterly", None, {3: (OPEN, 0.3), 6: (OPEN, 0.6)}),
    Goal("ed", "Fix the bike", "two-week", 2, {1: (OPEN, 0), 2: (X, 1)}, "personal"),
    Goal("ed", "Ship the app", "two-week", 4, {3: (OPEN, 0)}),
    Goal("ed", "Learn Rust", "quarterly", None, {1: (OPEN, 0)}),
]
ATTENDED = {
    1: ["ada", "bo", "cy", "fay", "ed"],
    2: ["ada", "bo", "fay", "ed"],
    3: ["ada", "bo", "cy", "fay", "di"],
    4: ["ada", "cy", "fay", "di", "ed"],
    5: ["ada", "bo", "cy", "fay", "di"],
    6: ["ada", "bo", "cy", "fay", "di"],
    7: ["ada", "bo", "di", "fay"],
    8: ["ada", "bo", "cy", "di", "fay"],
}
PRIVATE_TEXT = "See a therapist"
MISSING = re.compile(r"\b(None|nan|NaN|NaT|null)\b")


def workbook(version: int, held: int) -> dict[str, list[list]]:
    """The sheet as version ``version`` of the goals, with the Meetings tab through meeting
    ``held`` — every name as it is now (a rename is fixed in every tab)."""
    members = [["Name", "Email", "Active", "Joined"]]
    for person in PEOPLE:
        if person.on_sheet(version):
            active = "yes" if person.active(version) else "left"
            members.append([person.name(version), person.email, active, None])
    goals = [["Member", "Goal", "Tier", "Category", "Status", "Progress", "Due"]]
    for goal in GOALS:
        if goal.there(version):
            status, progress = goal.state(version)
            goals.append(
                [
                    BY_KEY[goal.owner].name(version),
                    goal.text,
                    goal.tier,
                    goal.category,
                    "" if status == OPEN else status,
                    f"{round(progress * 100)}%" if status == OPEN and progress else None,
                    MEETINGS[goal.due - 1] if goal.due else D(2026, 12, 31),
                ]
            )
    meetings = [["Date", "Attended"]]
    for number in range(1, held + 1):
        names = [BY_KEY[k].name(version) for k in ATTENDED[number]]
        meetings.append([MEETINGS[number - 1], ", ".join(names)])
    return {"Members": members, "Goals": goals, "Meetings": meetings}


# -- what the history supports ------------------------------------------------------------------


def active(version: int) -> list[Person]:
    return [p for p in PEOPLE if p.active(version)]


def goals_of(person: Person, version: int) -> list[Goal]:
    return [g for g in GOALS if g.owner == person.key and g.there(version)]


def shown(goals: list[Goal], viewer: str | None) -> set[str]:
    """The texts a reader sees: another member's private goal is "1 private goal"."""
    return {g.text for g in goals if not g.private or g.owner == viewer}


def done_since(person: Person, now: int, before: int) -> list[Goal]:
    """Goals done at ``now`` that were not done (or not there) at ``before``: wins."""
    return [
        g
        for g in goals_of(person, now)
        if g.status(now) == X and not (g.there(before) and g.status(before) == X)
    ]


def carried(person: Person, version: int, meeting: int) -> dict[str, int]:
    """Open two-week goals due before ``meeting``: how many meetings each was carried."""
    return {
        g.text: meeting - g.due
        for g in goals_of(person, version)
        if g.tier == "two-week" and g.status(version) == OPEN and g.due < meeting
    }


def streak(person: Person, now: int, through: int) -> int:
    """Meetings in a row up to ``through`` at which every two-week goal due was done, as the
    sheet stood at each (version n is the sheet at meeting n); nothing due neither breaks nor
    extends it; a goal open at ``now`` that was due by ``through`` leaves none."""
    if any(
        g.tier == "two-week" and g.status(now) == OPEN and g.due <= through
        for g in goals_of(person, now)
    ):
        return 0
    length = 0
    for meeting in range(through, 0, -1):
        due = [
            g
            for g in goals_of(person, meeting)
            if g.tier == "two-week" and g.due == meeting and g.status(meeting) != DROP
        ]
        if not due:
            continue
        if all(g.status(meeting) == X for g in due):
            length += 1
        else:
            break
    return length


def dropped_since(person: Person, now: int, before: int) -> set[str]:
    """Goals dropped at ``now`` that were not dropped at ``before``: what was let go."""
    return {
        g.text
        for g in goals_of(person, now)
        if g.status(now) == DROP and not (g.there(before) and g.status(before) == DROP)
    }


def since_lines(block: str, kind: str) -> set[str]:
    """The goals a member's "Since …" block lists as ``kind`` ("- completed: X", "* added: X")."""
    found = re.findall(rf"^ *[-*] {kind}: (.+)$", block, re.M)
    return {goal for goal in found if "private goal" not in goal}


def added_since(person: Person, now: int, before: int) -> set[str]:
    return {g.text for g in goals_of(person, now) if not g.there(before)}


def dropped_claim(block: str) -> set[str]:
    found = re.search(r"^ *Dropped: (.+)$", block, re.M)
    return {part.split(" (")[0] for part in found[1].split("; ")} if found else set()


def updated(person: Person, now: int, before: int) -> bool:
    """Whether any of the person's goals changed (or came or went) between two versions; a
    rename alone is no update."""

    def seen(version: int) -> set[tuple]:
        return {(g.text, g.state(version)) for g in goals_of(person, version)}

    return seen(now) != seen(before)


def attendance(version: int, through: int) -> str:
    """The attendance rate of the members active at ``version`` over the last six meetings up
    to ``through``: a meeting counts for a member who came, or who was on the sheet by then."""
    meetings = list(range(max(1, through - 5), through + 1))
    came = counted = 0
    for person in active(version):
        for number in meetings:
            present = person.key in ATTENDED[number]
            came += present
            counted += present or person.on_sheet(number)
    return f"{round(came / counted * 100)}%"


def two_week_done(version: int) -> str:
    """The club's two-week done share as the sheet stood at meeting ``version``."""
    goals = [
        g
        for p in active(version)
        for g in goals_of(p, version)
        if g.tier == "two-week" and g.status(version) != DROP
    ]
    return f"{round(sum(g.status(version) == X for g in goals) / len(goals) * 100)}%"


def history_claim(through: int) -> str:
    """The health line's history: the last six meetings up to ``through``."""
    return " · ".join(
        f"{shortdate(n)} {two_week_done(n)}" for n in range(max(1, through - 5), through + 1)
    )


def shortdate(number: int) -> str:
    day = MEETINGS[number - 1]
    return f"{day:%b} {day.day}"


# -- reading the outputs ------------------------------------------------------------------------


def section(text: str, start: str, ends: tuple[str, ...]) -> str:
    """The text after ``start`` up to the first of ``ends`` (or the end)."""
    rest = text.split(start, 1)[1]
    cut = min((rest.index(end) for end in ends if end in rest), default=len(rest))
    return rest[:cut]


def agenda_members(markdown: str) -> dict[str, str]:
    round_ = section(markdown, "## Round the table\n", ("\n## ",))
    parts = re.split(r"^### \d+\. (.+)$", round_, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def recap_members(text: str, names: list[str]) -> dict[str, str]:
    found = {}
    for name in names:
        heads = [f"\n{other.upper()}\n" for other in names if other != name]
        found[name] = section(text, f"\n{name.upper()}\n", (*heads, "\nNEXT MEETING"))
    return found


def listed(block: str, pattern: str) -> list[tuple[str, ...]]:
    """Every match of ``pattern`` (one per line), private goals left out."""
    return [
        m.groups() for m in re.finditer(pattern, block, flags=re.M) if "private goal" not in m[0]
    ]


def streak_claim(block: str) -> int:
    found = re.search(r"Streak: (\d+) meetings? in a row with every two-week goal done", block)
    return int(found[1]) if found else 0


# -- the run ------------------------------------------------------------------------------------


@dataclass
class Run:
    folder: ClubFolder
    server: Server
    failures: list[str] = field(default_factory=list)

    def cli(self, moment: dt.datetime, *args: str) -> str:
        result = self.folder.run(*args, env={"SHEETMENTOR_NOW": moment.isoformat()})
        assert result.exit_code == 0, (args, moment, result.stderr)
        assert "Traceback" not in result.output
        return result.stdout

    def claim(self, where: str, what: str, said: object, supported: object) -> None:
        if said != supported:
            self.failures.append(f"{where}: {what}: says {said!r}, the history says {supported!r}")


@pytest.fixture(scope="module", params=["America/Toronto", "Europe/Berlin"])
def season(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Run]:
    folder = ClubFolder(tmp_path_factory.mktemp("season"))
    with smtp_server() as server:
        config = {
            "club": {"name": "Season Club", "cap": 8},
            "meetings": {"timezone": request.param, "first": MEETINGS[0]},
            "email": {
                "from": "Season Club <club@example.org>",
                "smtp": {"host": server.host, "port": server.port, "security": "none"},
            },
        }
        run = Run(folder, server)
        for number in range(1, len(MEETINGS) + 1):
            day = MEETINGS[number - 1]
            folder.write(tabs=workbook(number, number - 1), config=config)
            before = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(9))
            check_agenda(run, number, run.cli(before, "agenda"))
            check_text_agenda(run, number, run.cli(before, "agenda", "--format", "text"))
            check_status(run, number, json.loads(run.cli(before, "status", "--format", "json")))
            if number > 1:
                changes = json.loads(run.cli(before, "changes", "--format", "json"))
                check_changes(run, number, changes)
            check_nudges(run, number, run.cli(before, "nudge"))
            folder.write(tabs=workbook(number, number), config=config)
            after = dt.datetime.combine(day, dt.time(14))
            check_recap(run, number, run.cli(after, "recap"), f"recap of meeting {number}")
            sent = len(server.recorder.received)
            assert run.cli(after, "recap", "--send") == ""
            for message in server.recorder.received[sent:]:
                check_mail(run, number, message.message)
        yield run


# -- the checks ---------------------------------------------------------------------------------


def check_agenda(run: Run, number: int, markdown: str) -> None:
    """The agenda the day before meeting ``number``: the sheet is version ``number``, the
    history holds every meeting before it."""
    where = f"agenda of meeting {number}"
    assert PRIVATE_TEXT not in markdown, where
    assert not MISSING.search(markdown), (where, MISSING.search(markdown))
    people = active(number)
    sections = agenda_members(markdown)
    run.claim(where, "members", set(sections), {p.name(number) for p in people})
    previous = number - 1
    wins = section(markdown, "## Wins", ("\n## ",)) if "## Wins" in markdown else ""
    said_wins = set(listed(wins, r"^- \*\*(.+?)\*\*: (.+?)(?: · _.*_)?$"))
    supported = set()
    if previous:
        supported = {
            (p.name(number), text)
            for p in people
            for text in shown(done_since(p, number, previous), None)
        }
    run.claim(where, "wins", said_wins, supported)
    for person in people:
        name = person.name(number)
        block = sections[name]
        said = dict(
            (goal, int(count))
            for goal, count in listed(block, r"^- \[ \] (.+?) — carried (\d+) meetings?")
        )
        run.claim(f"{where}, {name}", "carried", said, carried_shown(person, number, number))
        if previous:
            run.claim(
                f"{where}, {name}",
                "streak",
                streak_claim(block),
                streak(person, number, previous),
            )
            no_update = f"Since {shortdate(previous)}: no update." in block
            run.claim(
                f"{where}, {name}", "no update", no_update, not updated(person, number, previous)
            )
            run.claim(
                f"{where}, {name}",
                "dropped",
                dropped_claim(block),
                dropped_since(person, number, previous),
            )
            for kind, supported in (
                ("completed", {g.text for g in done_since(person, number, previous)}),
                ("added", added_since(person, number, previous)),
            ):
                said = since_lines(block, kind)
                run.claim(f"{where}, {name}", f"since: {kind}", said, supported - _private())
    if previous:
        health = section(markdown, "## Club health\n", ("\n## ",))
        rate = re.search(r"Attendance: (\S+) of members", health)[1]
        run.claim(where, "attendance", rate, attendance(number, previous))
        said_idle = re.search(rf"No update since {shortdate(previous)}: (.+)$", health, re.M)[1]
        idle = [p.name(number) for p in people if not updated(p, number, previous)]
        run.claim(where, "no update (health)", said_idle, ", ".join(idle) or _EVERYONE)
        said_carried = int(re.search(r"carried over from earlier meetings: (\d+)", health)[1])
        total = sum(len(carried(p, number, number)) for p in people)
        run.claim(where, "carried (health)", said_carried, total)
        said_history = re.search(r"done at recent meetings: (.+)$", health, re.M)[1]
        run.claim(where, "history", said_history, history_claim(previous))


_EVERYONE = "none — everyone moved something"


def carried_shown(
    person: Person, version: int, meeting: int, viewer: str | None = None
) -> dict[str, int]:
    texts = shown(goals_of(person, version), viewer)
    return {t: n for t, n in carried(person, version, meeting).items() if t in texts}


def check_status(run: Run, number: int, status: dict) -> None:
    where = f"status before meeting {number}"
    people = active(number)
    for tier in ("two-week", "quarterly", "long-term"):
        goals = [
            g
            for p in people
            for g in goals_of(p, number)
            if g.tier == tier and g.status(number) != DROP
        ]
        figures = status["tiers"][tier]
        run.claim(
            where,
            f"{tier} done/total",
            (figures["done"], figures["total"]),
            (sum(g.status(number) == X for g in goals), len(goals)),
        )
    run.claim(
        where, "members", [m["name"] for m in status["members"]], [p.name(number) for p in people]
    )


def check_changes(run: Run, number: int, changes: dict) -> None:
    where = f"changes before meeting {number}"
    previous = number - 1
    for person in active(number):
        name = person.name(number)
        found = changes["members"][name]
        mine = goals_of(person, number)
        done = [g.text for g in done_since(person, number, previous)]
        added = [g.text for g in mine if not g.there(previous)]
        dropped = [
            g.text
            for g in mine
            if g.status(number) == DROP and not (g.there(previous) and g.status(previous) == DROP)
        ]
        for kind, supported in (("completed", done), ("added", added), ("dropped", dropped)):
            said = {c["goal"] for c in found[kind] if "private goal" not in c["goal"]}
            run.claim(f"{where}, {name}", kind, said, set(supported) - _private())
        for kind in ("removed", "rescoped", "reopened", "unread"):
            run.claim(f"{where}, {name}", kind, found[kind], [])
        run.claim(
            f"{where}, {name}", "updated", found["updated"], updated(person, number, previous)
        )
    idle = [p.name(number) for p in active(number) if not updated(p, number, previous)]
    run.claim(where, "no_update", changes["no_update"], idle)


def _private() -> set[str]:
    return {g.text for g in GOALS if g.private}


def items(block: str, header: str) -> list[str]:
    """The lines listed under ``header`` (a line of its own), up to the first that is not."""
    if f"{header}\n" not in block:
        return []
    lines = block.split(f"{header}\n", 1)[1].split("\n")
    taken = []
    for line in lines:
        if not line.startswith("    ["):
            break
        if "private goal" not in line:
            taken.append(line)
    return taken


def check_text_agenda(run: Run, number: int, text: str) -> None:
    """The text agenda claims what the Markdown one does: the same wins, the same carried."""
    where = f"text agenda of meeting {number}"
    assert PRIVATE_TEXT not in text and not MISSING.search(text), where
    wins = section(text, "\nWINS", ("\n\n",)) if "\nWINS" in text else ""
    said = set(listed(wins, r"^  \* (.+?): (.+?)(?: - .*)?$"))
    supported = set()
    if number > 1:
        supported = {
            (p.name(number), t)
            for p in active(number)
            for t in shown(done_since(p, number, number - 1), None)
        }
    run.claim(where, "wins", said, supported)
    said_carried = {
        (goal, int(n)) for goal, n in listed(text, r"^     \[ \] (.+?) \(carried (\d+)x, was due")
    }
    supported_carried = {
        (goal, n) for p in active(number) for goal, n in carried_shown(p, number, number).items()
    }
    run.claim(where, "carried", said_carried, supported_carried)


def check_nudges(run: Run, number: int, text: str) -> None:
    """The nudge preview the day before meeting ``number``: to every member who has not
    updated since the last meeting (everyone before the first), each with her own goals due
    there and carried."""
    where = f"nudges before meeting {number}"
    assert not MISSING.search(text), (where, MISSING.search(text))
    nudges = {
        found[1]: found[2]
        for found in re.finditer(r"^To: (.+?) <[^>]+>\n(.*?)(?=^To: |\Z)", text, re.M | re.S)
    }
    people = active(number)
    idle = [p for p in people if number == 1 or not updated(p, number, number - 1)]
    run.claim(where, "to", list(nudges), [p.name(number) for p in idle])
    for person in idle:
        name = person.name(number)
        body = nudges.get(name, "")
        due_lines = section(body, "due at that meeting:\n", ("\n\n",)) if body else ""
        said = {
            m[1] for m in re.finditer(r"^  \[[ x]\] (.+?) \((?:open|done|dropped)", due_lines, re.M)
        }
        supported = {
            g.text for g in goals_of(person, number) if g.tier == "two-week" and g.due == number
        }
        run.claim(f"{where}, {name}", "due", said, supported)
        said_carried = {
            m[1]: int(m[2]) for m in re.finditer(r"^  \[ \] (.+?) \(carried (\d+)x", body, re.M)
        }
        run.claim(f"{where}, {name}", "carried", said_carried, carried(person, number, number))
        others = [g.text for g in GOALS if g.private and g.owner != person.key]
        assert not any(t in body for t in others), (where, name)


def check_recap(run: Run, number: int, text: str, where: str, viewer: str | None = None) -> None:
    """The recap of meeting ``number``, the sheet as it stood at the meeting (version
    ``number``), compared with the meeting before, as ``viewer`` (a member's key) reads it."""
    if viewer is None:
        assert PRIVATE_TEXT not in text, where
    assert not MISSING.search(text), (where, MISSING.search(text))
    people = active(number)
    previous = number - 1
    names = [p.name(number) for p in people]
    attended = re.search(r"^Attended: (.+?)(?:\. Missed: (.+))?\.$", text, re.M)
    came = [BY_KEY[k].name(number) for k in ATTENDED[number]]
    run.claim(where, "attended", attended[1].split(", "), came)
    missed = [p.name(number) for p in people if p.key not in ATTENDED[number]]
    run.claim(where, "missed", (attended[2] or "").split(", ") if attended[2] else [], missed)
    wins = section(text, "\nWINS\n", ("\n\n",)) if "\nWINS\n" in text else ""
    said_wins = set(listed(wins, r"^  \* (.+?): (.+?)(?: - .*)?$"))
    supported = set()
    if previous:
        supported = {
            (p.name(number), t)
            for p in people
            for t in shown(done_since(p, number, previous), viewer)
        }
    run.claim(where, "wins", said_wins, supported)
    blocks = recap_members(text, names)
    for person in people:
        name = person.name(number)
        block = blocks[name]
        line = re.compile(r"^    \[[ x]\] (.+?)(?: \(\d+%\))?(?: \(carried (\d+)x\))?(?: - .*)?$")
        said = {line.match(item)[1] for item in items(block, "  Committed for next time:")}
        mine = goals_of(person, number)
        supported = shown(
            [
                g
                for g in mine
                if g.tier == "two-week" and g.due == number + 1 and g.status(number) != DROP
            ],
            viewer,
        )
        run.claim(f"{where}, {name}", "committed", said, supported)
        carrying = {
            found[1]: int(found[2])
            for found in map(line.match, items(block, "  Still carried from earlier meetings:"))
        }
        supported_carried = carried_shown(person, number, number, viewer)
        run.claim(f"{where}, {name}", "still carried", carrying, supported_carried)
        if previous:
            run.claim(
                f"{where}, {name}", "streak", streak_claim(block), streak(person, number, number)
            )
            no_update = f"Since {shortdate(previous)}: no update." in block
            run.claim(
                f"{where}, {name}", "no update", no_update, not updated(person, number, previous)
            )
            run.claim(
                f"{where}, {name}",
                "dropped",
                dropped_claim(block),
                dropped_since(person, number, previous),
            )
            for kind, supported in (
                ("completed", {g.text for g in done_since(person, number, previous)}),
                ("added", added_since(person, number, previous)),
            ):
                mine = shown([g for g in GOALS if g.text in supported], viewer)
                said = since_lines(block, kind)
                run.claim(f"{where}, {name}", f"since: {kind}", said, mine)
    if previous:
        health = section(text, "CLUB HEALTH\n", ("\n\n",))
        rate = re.search(r"Attendance: (\S+) of members", health)[1]
        run.claim(where, "attendance", rate, attendance(number, number))
        said_history = re.search(r"done at recent meetings: (.+)$", health, re.M)[1]
        run.claim(where, "history", said_history, history_claim(number))
        club = section(text, "THE CLUB\n", ("\n\n",))
        said_share = re.search(r"Two-week .* done \((\S+)\)", club)[1]
        run.claim(where, "two-week done share", said_share, two_week_done(number))


def check_mail(run: Run, number: int, message: EmailMessage) -> None:
    """Each member's recap e-mail: the same claims as the recap, their own private goal named
    to them only."""
    to = str(message["To"])
    body = message.get_body(("plain",)).get_content()
    reader = next(p for p in PEOPLE if p.email in to)
    html = message.get_body(("html",)).get_content()
    for part in (body, html):
        assert not MISSING.search(part), (to, MISSING.search(part))
        if PRIVATE_TEXT in part:
            assert reader.key == "cy", f"{PRIVATE_TEXT!r} mailed to {to}"
    where = f"recap mail of meeting {number} to {to}"
    check_recap(run, number, body, where, reader.key)
    wins = re.search(r">Wins</h2>(.*?)</ul>", html, re.S)
    found = re.findall(
        r"<li[^>]*><strong[^>]*>(.+?)</strong>: (.+?)(?: <span|</li>)", wins[1] if wins else ""
    )
    said = {(member, goal) for member, goal in found if "private goal" not in goal}
    supported = (
        {
            (p.name(number), t)
            for p in active(number)
            for t in shown(done_since(p, number, number - 1), reader.key)
        }
        if number > 1
        else set()
    )
    run.claim(f"{where} (HTML)", "wins", said, supported)


def test_every_claim_of_the_season_is_supported_by_the_sheet_history(season: Run) -> None:
    assert not season.failures, "\n".join(season.failures)


def test_every_member_got_every_recap_once(season: Run) -> None:
    received = [
        (str(r.message["Subject"]), tuple(r.rcpt_tos)) for r in season.server.recorder.received
    ]
    assert len(received) == len(set(received))
    assert sorted(rcpt for _, (rcpt,) in received) == sorted(
        p.email for n in range(1, len(MEETINGS) + 1) for p in active(n)
    )
