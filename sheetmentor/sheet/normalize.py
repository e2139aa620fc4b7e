"""Turn raw tables into typed frames of members, goals and meetings — or problems with cell refs.

The sheet belongs to the members, so sheetmentor adapts to it: headers match through aliases,
values through vocabularies ("2-wk", "Q", "✓", "40%"), and every value it still cannot understand
becomes a :class:`Problem` naming its cell (``Goals!C7``) and what was expected, never a guess.

Values are parsed once per *distinct* value (``pandas.factorize``) and spread back with numpy, so
a 100,000-row Goals tab with a few hundred distinct dates costs a few hundred parses.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from dateutil import parser as date_parser

from sheetmentor.errors import SheetProblemsError
from sheetmentor.sheet.frames import per_distinct
from sheetmentor.sheet.layout import Explanation, Plan, Problem, Reader, Table, TabReading
from sheetmentor.sheet.sources import RawTable, open_source
from sheetmentor.sheet.vocabulary import (
    CATEGORIES,
    FIELDS,
    PRIVACY,
    PRIVACY_HEADERS,
    PRIVATE_MARKS,
    REQUIRED,
    STATUSES,
    TIERS,
    VISIBILITY,
    Vocabulary,
    Words,
    candidates,
    word_key,
)

if TYPE_CHECKING:
    from sheetmentor.config import Config

__all__ = ["CATEGORIES", "STATUSES", "TIERS", "Club", "Problem", "normalize", "read_club"]

GOOGLE_EPOCH = dt.date(1899, 12, 30)
"""Day zero of spreadsheet serial dates (Google Sheets, Excel's 1900 system after 1900-03-01)."""


@dataclass
class Club:
    """The sheet as typed frames. Frames keep the sheet's row order and a ``sheet_row`` column.

    ``members``: name, email, active, focus, joined, tab, sheet_row, then extra columns (members
    known only from their tab's name have sheet_row 0).
    ``goals``: member, goal, tier, category, status, progress, set, due, completed, notes, id,
    tab, sheet_row, then extra columns, then ``private`` (bool: the goal's text starts with 🔒,
    or a Private/Visibility column says so). Dates are ``datetime64`` (NaT when blank); ``progress``
    is the goal's progress as a fraction (1.0 when done).
    ``meetings``: date, location, facilitator, attended (tuple of names), notes, status (held or
    skipped), tab, sheet_row, then extra columns.
    ``explanation`` says how each tab was read (``sheetmentor check --explain``).
    """

    name: str
    members: pd.DataFrame
    goals: pd.DataFrame
    meetings: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    extra_columns: dict[str, list[str]] = field(default_factory=dict)
    explanation: Explanation = field(default_factory=Explanation)
    unusable_addresses: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Member name → (the address cell as written, on one line; why no message can go to it),
    for the members whose address is not one: their ``email`` is empty, and the messages
    planned for them fail alone (a recipient error, not a sheet error)."""
    private_keys: frozenset[str] = frozenset()
    """Identity keys of the goals the meeting history ever recorded private, and
    ``private_texts`` (member, text) of every recorded wording of them: set by
    :func:`sheetmentor.memory.with_private_history`, so that a goal once private stays private
    in every later mention — its removal too."""
    private_texts: frozenset[tuple[str, str]] = frozenset()

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def sheet_errors(self) -> list[Problem]:
        """The errors that stop every figure and message; a recipient's error stops only
        that member's messages."""
        return [p for p in self.errors if p.recipient is None]

    @property
    def recipient_errors(self) -> list[Problem]:
        return [p for p in self.errors if p.recipient is not None]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def notes(self) -> list[Problem]:
        """Info lines: how the sheet was read where it is worth saying (rows skipped…)."""
        return [p for p in self.problems if p.severity == "info"]

    @property
    def active_members(self) -> pd.DataFrame:
        return self.members[self.members["active"]]

    def raise_for_errors(self) -> None:
        """Refuse to go on while the sheet has errors (``--force`` skips this call)."""
        if self.sheet_errors:
            raise SheetProblemsError(self.sheet_errors)


def read_club(config: Config) -> Club:
    """Read every tab of the configured sheet in one go and normalize it."""
    return normalize(open_source(config.source).read_all_tables(), config)


def explain_club(config: Config) -> Explanation:
    """How sheetmentor reads the configured sheet: tabs, header rows, columns, words."""
    return read_club(config).explanation


def normalize(tables: dict[str, RawTable], config: Config) -> Club:
    """Members, goals and meetings from raw tables, with every problem found on the way.

    Raises :class:`~sheetmentor.errors.SheetError` when the tabs cannot be told apart (no
    Members tab, no goals tab); everything about cells is a :class:`Problem` in the result.
    """
    return _Normalizer(config).club(tables)


MEMBERS_COLUMNS = [*FIELDS["members"], "tab", "sheet_row"]
GOALS_COLUMNS = [*FIELDS["goals"], "tab", "sheet_row"]
MEETINGS_COLUMNS = [*FIELDS["meetings"], "tab", "sheet_row"]


class _Normalizer:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.day_first = config.source.day_first
        self.problems: list[Problem] = []
        self.explanation = Explanation()
        self.reader = Reader(config, self.problems, self.explanation)
        self.extra_columns: dict[str, list[str]] = {}
        self.unusable_addresses: dict[str, tuple[str, str]] = {}
        self.private_rows: np.ndarray | None = None
        """While a goals tab is read: its private rows, whose words ``check --explain`` does
        not list (a word only a private goal uses is that goal's)."""

    @property
    def words(self) -> Words:
        """The words this sheet is read with (its language is known once the plan is made)."""
        return self.reader.words

    def error(self, ref: str | None, message: str) -> None:
        self.problems.append(Problem("error", ref, message))

    def warning(self, ref: str | None, message: str) -> None:
        self.problems.append(Problem("warning", ref, message))

    def recipient_error(self, ref: str | None, member: str, message: str) -> None:
        self.problems.append(Problem("error", ref, message, recipient=member))

    def info(self, ref: str | None, message: str) -> None:
        self.problems.append(Problem("info", ref, message))

    def club(self, tables: dict[str, RawTable]) -> Club:
        plan = self.reader.plan(tables)
        self.explanation.layout = plan.layout
        self.explanation.layout_how = plan.how
        if self.explanation.language:
            self.info(None, f"the sheet is read in {self.explanation.language} as well as English")
        members: pd.DataFrame | None
        if plan.members is not None:
            members = self.members(tables[plan.members])
        elif plan.layout == "tab-per-member":
            members = self.members_from_tabs(plan)
        else:
            members = None  # the distinct names in the goals' Member column
        goal_tables = self._goal_tables(tables, plan, members)
        if plan.goals and not goal_tables:
            self.error(
                None,
                f"no goals read: none of the tabs {', '.join(t for t, _ in plan.goals)} is "
                "named after a member (see the warnings); name each member's tab with their "
                "name, or list the members in the Members tab",
            )
        goals, members = self.goals(goal_tables, members, plan.tiers)
        meetings_table = tables.get(plan.meetings) if plan.meetings else None
        meetings = self.meetings(meetings_table, members)
        for title, why in plan.left_out:
            self.explanation.tab(title, "left out").notes.append(why)
            self.info(title, f"left out: {why}")
        self._club_warnings(members)
        return Club(
            name=self.config.club.name,
            members=members,
            goals=goals,
            meetings=meetings,
            problems=self.problems,
            extra_columns=self.extra_columns,
            explanation=self.explanation,
            unusable_addresses=self.unusable_addresses,
        )

    # -- values ----------------------------------------------------------------------------------

    def parse(
        self,
        tab: Table,
        name: str,
        parse: Callable[[Any], tuple[Any, str | None]],
        vocabulary: str | None = None,
    ) -> np.ndarray:
        """Parse a column once per distinct value; report every cell whose value failed.

        With ``vocabulary``, each distinct word and its meaning go to the explanation — but not
        a word only private goals use (``private_rows``).
        """
        codes, uniques = tab.distinct(name)
        parsed = [parse(value) for value in uniques] + [parse(None)]
        if vocabulary is not None:
            shown = (
                set(np.unique(codes[~self.private_rows]).tolist())
                if self.private_rows is not None
                else None
            )
            for code, (value, (meaning, message)) in enumerate(zip(uniques, parsed, strict=False)):
                if shown is not None and code not in shown:
                    continue
                if isinstance(meaning, bool):
                    meaning = "active" if meaning else "not active"
                if message is None and meaning is not None and word_key(value) != word_key(meaning):
                    self.explanation.word(vocabulary, value, meaning)
        values = np.empty(len(parsed), dtype=object)
        values[:] = [value for value, _ in parsed]
        messages = [message for _, message in parsed]
        bad = [code for code, message in enumerate(messages) if message]
        if bad:
            bad_codes = np.array(bad)
            bad_codes[bad_codes == len(uniques)] = -1
            for position in np.flatnonzero(np.isin(codes, bad_codes)):
                self.error(tab.ref(name, int(position)), messages[codes[position]])
        return values[codes]

    def dates(self, tab: Table, name: str) -> pd.Series:
        if name not in tab.columns:
            return pd.Series(pd.NaT, index=tab.frame.index, dtype="datetime64[ns]")
        values = self.parse(tab, name, self.parse_date)
        return pd.Series(pd.to_datetime(values), index=tab.frame.index).astype("datetime64[ns]")

    # -- members ---------------------------------------------------------------------------------

    def members(self, table: RawTable) -> pd.DataFrame:
        reading = self.explanation.tab(table.title, "members")
        tab = self.reader.table(table, "members", REQUIRED["members"], reading)
        if tab is None:
            return _empty_frame(MEMBERS_COLUMNS, active=bool)
        self.extra_columns["members"] = tab.extras
        frame = tab.frame
        names = _texts(frame["name"])
        seen: dict[str, int] = {}
        keep = np.ones(len(frame), dtype=bool)
        for position, name in enumerate(names):
            row = int(frame["sheet_row"].iat[position])
            if name is None:
                self.error(tab.ref("name", position), "the member's name is empty")
                keep[position] = False
            elif "\n" in name or "\r" in name:
                self.recipient_error(
                    tab.ref("name", position),
                    name,
                    f'the name "{" ".join(name.split())}" has a line break in it (Alt+Enter in '
                    "the cell); write it on one line: no message can be addressed to it",
                )
                seen[member_key(name)] = row
            elif member_key(name) in seen:
                self.error(
                    tab.ref("name", position),
                    f'duplicate member "{name}" (also on row {seen[member_key(name)]}); '
                    f"names must be unique",
                )
                keep[position] = False
            else:
                seen[member_key(name)] = row
        active = self.parse(tab, "active", _active_parser(self.words), vocabulary="active")
        frame = frame.assign(
            name=names,
            email=self.emails(tab, names, keep),
            active=active.astype(bool),
            focus=_texts(frame["focus"]),
            joined=self.dates(tab, "joined"),
        )
        self._unsendable_emails(tab, frame, keep)
        frame["email"] = frame["email"].astype(object).where(frame["email"].notna(), None)
        return frame[keep].reset_index(drop=True)

    def emails(self, tab: Table, names: list[str | None], keep: np.ndarray) -> np.ndarray:
        """The email column, once per distinct value. A cell that is not one address (a typo
        like ``ben@@example``, a second address or a ``Bcc:`` line in the cell) is an error that
        stops only that member's messages: the others' recaps still go out."""
        codes, uniques = tab.distinct("email")
        parsed = [_parse_email(value) for value in uniques] + [(None, None)]
        values = np.empty(len(parsed), dtype=object)
        values[:] = [value for value, _ in parsed]
        for position, code in enumerate(codes):
            message = parsed[code][1]
            if message is None:
                continue
            ref, name = tab.ref("email", position), names[position]
            if name is None or not keep[position]:
                self.error(ref, message)
                continue
            self.recipient_error(ref, name, f"{message}; this member's messages are not sent")
            self.unusable_addresses[name] = (_one_line(uniques[code]), message)
        return values[codes]

    def _unsendable_emails(self, tab: Table, frame: pd.DataFrame, keep: np.ndarray) -> None:
        """Addresses a recap cannot go to as written: errors naming the cell that stop only
        that member's messages (the others still get theirs)."""
        first: dict[str, int] = {}
        for position, email in enumerate(frame["email"]):
            if not isinstance(email, str) or not keep[position]:
                continue
            name = frame["name"].iat[position]
            if not email.rsplit("@", 1)[0].isascii():
                self.recipient_error(
                    tab.ref("email", position),
                    name,
                    f'"{email}": the part before @ is not plain ASCII, which only a mail server '
                    "offering SMTPUTF8 accepts (sheetmentor does not assume it); ask the member "
                    "for an ASCII address",
                )
            key = email.casefold()
            if key in first:
                row = int(frame["sheet_row"].iat[first[key]])
                self.recipient_error(
                    tab.ref("email", position),
                    name,
                    f"{email} is also the address of {frame['name'].iat[first[key]]} (row {row}); "
                    "each member needs their own address: this member's messages are not sent",
                )
            else:
                first[key] = position

    def members_from_tabs(self, plan: Plan) -> pd.DataFrame:
        """No Members tab: each goals tab's name is a member, active, without an address."""
        names = [owner for _, owner in plan.goals if owner is not None]
        frame = pd.DataFrame(
            {
                "name": pd.Series([" ".join(n.split()) for n in names], dtype=object),
                "email": pd.Series([None] * len(names), dtype=object),
                "active": np.ones(len(names), dtype=bool),
                "focus": pd.Series([None] * len(names), dtype=object),
                "joined": pd.Series(pd.NaT, index=range(len(names)), dtype="datetime64[ns]"),
                "tab": pd.Series([t for t, _ in plan.goals], dtype=object),
                "sheet_row": np.zeros(len(names), dtype=np.int64),
            }
        )
        self.extra_columns["members"] = []
        if names:
            self.info(
                None,
                f"no {self.config.source.tabs.members} tab: the members are the goal tabs' "
                f"names ({', '.join(names)}), all active",
            )
        return frame

    def _club_warnings(self, members: pd.DataFrame) -> None:
        active = members[members["active"]]
        cap = self.config.club.cap
        if len(active) > cap:
            self.warning(
                None,
                f"{len(active)} active members, above the club's cap of {cap} (club.cap)",
            )
        if self.config.email is not None:
            for row in active[active["email"].isna()].itertuples():
                if row.name in self.unusable_addresses:
                    continue  # its address cell is an error already
                where = f"{row.tab}!{row.sheet_row}:{row.sheet_row}" if row.sheet_row else row.tab
                self.warning(where, f"{row.name} has no email address; they will not get recaps")

    # -- goals -----------------------------------------------------------------------------------

    def _goal_tables(
        self, tables: dict[str, RawTable], plan: Plan, members: pd.DataFrame | None
    ) -> list[tuple[RawTable, str | None, TabReading]]:
        if plan.layout != "tab-per-member" or members is None:
            return [
                (tables[title], None, self.explanation.tab(title, _goals_role(title, plan)))
                for title, _ in plan.goals
            ]
        names = list(members["name"])
        by_key = {member_key(name): name for name in names}
        firsts = _first_names(names)
        found = []
        for title, _ in plan.goals:
            member = by_key.get(member_key(title)) or firsts.get(member_key(title))
            if member is None:
                same = [n for n in names if member_key(n.split()[0]) == member_key(title)]
                why = (
                    f"this tab could be {' or '.join(same)}; name it with the full name"
                    if same
                    else "this tab is not named after a member; it is ignored"
                )
                self.warning(title, why)
                self.explanation.tab(title, "left out").notes.append(why)
            else:
                reading = self.explanation.tab(title, f"goals of {member}")
                found.append((tables[title], member, reading))
        return found

    def goals(
        self,
        tables: list[tuple[RawTable, str | None, TabReading]],
        members: pd.DataFrame | None,
        tiers: dict[str, str],
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The goals of every goals tab, and the members (from the goals' Member cells when
        the sheet has no Members tab)."""
        sections = {} if members is None else {member_key(n): n for n in members["name"]}
        read = []
        for table, owner, reading in tables:
            tier = tiers.get(table.title)
            required = [
                name
                for name in REQUIRED["goals"]
                if not (name == "member" and owner) and not (name == "tier" and tier)
            ]
            tab = self.reader.table(
                table, "goals", required, reading, members=sections if owner is None else None
            )
            if tab is None:
                continue
            if tier is not None:
                tab.frame["tier"] = tab.frame["tier"].where(tab.frame["tier"].notna(), tier)
                reading.notes.append(f'the tab\'s name "{tier}" is the tier of its goals')
            self.extra_columns["goals"] = list(
                dict.fromkeys([*self.extra_columns.get("goals", []), *tab.extras])
            )
            self._leave_out_non_goals(tab)
            read.append((tab, owner))
        if members is None:
            members = self.members_from_cells([tab for tab, _ in read])
        frames = [self.goal_frame(tab, owner, members) for tab, owner in read]
        if not frames:
            return _empty_goals(), members
        goals = pd.concat(frames, ignore_index=True)
        if goals.empty and len(tables) == 1:
            self.warning(tables[0][0].title, "no goals yet")
        return goals, members

    def _leave_out_non_goals(self, tab: Table) -> None:
        """Leave out the rows that are not goals: template slots (no goal text, and nothing
        but defaults — FALSE, 0, 0 % — where a status or progress would be), said in one info
        line; totals rows ("Total", "Average"), said in ``check --explain``."""
        frame = tab.frame
        no_text = frame["goal"].isna().to_numpy()
        slot = np.zeros(len(frame), dtype=bool)
        blank = np.flatnonzero(no_text)  # few rows: the cells there are looked at one by one
        if len(blank):
            status, progress = frame["status"].to_numpy(), frame["progress"].to_numpy()
            completed = frame["completed"].isna().to_numpy()
            slot[blank] = [
                _is_default(status[i]) and _is_default(progress[i]) and completed[i] for i in blank
            ]
        # the member column's distinct values, as the member parse reads them later
        codes, uniques = tab.distinct("member")
        member_total = np.array([*map(_is_total, uniques), False])[codes]
        # a goal cell is looked at only where the member cell is blank or a total: a goal
        # column has as many distinct texts as goals
        maybe = np.flatnonzero(member_total | (codes == -1))
        goal_total = np.zeros(len(frame), dtype=bool)
        goal_total[maybe] = [_is_total(value) for value in frame["goal"].to_numpy()[maybe]]
        totals = (member_total & (no_text | goal_total)) | goal_total
        if not (slot.any() or totals.any()):
            return
        if tab.reading is not None:
            for row in frame["sheet_row"].to_numpy()[totals]:
                tab.reading.notes.append(f"row {row} is a totals or summary row: left out")
        slot &= ~totals
        if slot.any():
            self.info(
                tab.title,
                f"{int(slot.sum())} row(s) without goal text or status skipped (empty template "
                "slots)",
            )
            if tab.reading is not None:
                tab.reading.notes.append(
                    f"{int(slot.sum())} empty template row(s) skipped (no goal text; no status "
                    "or only a default: FALSE, 0, 0 %)"
                )
        keep = ~(slot | totals)
        if tab.cell_column is not None:
            tab.cell_column = tab.cell_column[keep]
        tab.frame = frame[keep].reset_index(drop=True)

    def members_from_cells(self, tabs: list[Table]) -> pd.DataFrame:
        """No Members tab: the members are the distinct names in the goals' Member column,
        all active (a name that is an e-mail address is that member's address too)."""
        names: dict[str, str] = {}
        where: dict[str, str] = {}
        for tab in tabs:
            for value in _texts(tab.frame["member"]).dropna():
                key = member_key(value)
                if key not in names:
                    names[key] = " ".join(value.split())
                    where[key] = tab.title
        listed = list(names.values())
        emails = [name if _EMAIL.fullmatch(name) else None for name in listed]
        frame = pd.DataFrame(
            {
                "name": pd.Series(listed, dtype=object),
                "email": pd.Series(emails, dtype=object),
                "active": np.ones(len(listed), dtype=bool),
                "focus": pd.Series([None] * len(listed), dtype=object),
                "joined": pd.Series(pd.NaT, index=range(len(listed)), dtype="datetime64[ns]"),
                "tab": pd.Series(list(where.values()), dtype=object),
                "sheet_row": np.zeros(len(listed), dtype=np.int64),
            }
        )
        self.extra_columns["members"] = []
        if listed:
            tabs_read = ", ".join(dict.fromkeys(tab.title for tab in tabs))
            self.info(
                None,
                f"no {self.config.source.tabs.members} tab: the members are the names in the "
                f"Member column of {tabs_read} ({', '.join(listed)}), all active; add a "
                f"{self.config.source.tabs.members} tab to mark who left or give addresses",
            )
        return frame

    def goal_frame(self, tab: Table, owner: str | None, members: pd.DataFrame) -> pd.DataFrame:
        first_problem = len(self.problems)
        frame = tab.frame
        for position in np.flatnonzero(frame["goal"].isna().to_numpy()):
            self.error(tab.ref("goal", int(position)), "the goal's text is empty")
        private = self.private(tab, frame["goal"])
        self.private_rows = private
        try:
            frame = self._goal_cells(tab, owner, members)
        finally:
            self.private_rows = None
        frame["private"] = private
        self._hide_private_cells(tab, private, first_problem)
        return frame

    def _goal_cells(self, tab: Table, owner: str | None, members: pd.DataFrame) -> pd.DataFrame:
        frame = tab.frame
        if owner is None:
            by_key = dict(zip(members["name"].map(member_key), members["name"], strict=True))
            others, shared = _other_names(members)
            by_key |= others
            firsts = _first_names(members["name"])
            listed = ", ".join(members["name"]) or "none"

            def parse_member(value: Any) -> tuple[str | None, str | None]:
                if value is None:
                    return None, "no member named for this goal (and none above it in its block)"
                name = by_key.get(member_key(value)) or firsts.get(member_key(value))
                if name is None and member_key(value) in shared:
                    could = " or ".join(shared[member_key(value)])
                    return None, f'"{value}" could be {could}; write the full name'
                if name is None:
                    return None, f'unknown member "{value}" (members are: {listed})'
                return name, None

            member = self.parse(tab, "member", parse_member, vocabulary="member")
        else:
            member = np.full(len(frame), owner, dtype=object)
        words = self.words
        tier = self.parse(tab, "tier", _vocab_parser(words, words.tier, True), vocabulary="tier")
        category = self.parse(
            tab, "category", _vocab_parser(words, words.category), vocabulary="category"
        )
        blank_category = frame["category"].isna().to_numpy()
        status = self.parse(tab, "status", _status_parser(words), vocabulary="status")
        self._rag_warning(tab)
        given = self.parse(tab, "progress", _parse_progress)
        in_status = self.parse(tab, "status", _status_percent)
        given = pd.to_numeric(pd.Series(given), errors="coerce").to_numpy(dtype=float)
        in_status = pd.to_numeric(pd.Series(in_status), errors="coerce").to_numpy(dtype=float)
        given = np.where(np.isnan(given), in_status, given)
        no_status = pd.isna(status)
        struck = tab.struck_goals()
        if struck.any():
            status = self._struck_through(tab, struck, status, no_status)
            no_status = pd.isna(status)
        status = np.where(no_status, np.where(given == 1.0, "done", "open"), status)
        progress = np.where(status == "done", 1.0, np.where(np.isnan(given), 0.0, given))
        frame = frame.assign(
            member=member,
            goal=_texts(frame["goal"]),
            tier=pd.Categorical(tier, categories=TIERS),
            category=pd.Categorical(category, categories=CATEGORIES),
            status=pd.Categorical(status, categories=STATUSES),
            progress=progress,
            set=self.dates(tab, "set"),
            due=self.dates(tab, "due"),
            completed=self.dates(tab, "completed"),
            notes=_texts(frame["notes"]),
            id=_texts(frame["id"]),
        )
        if "category" in tab.columns:
            for position in np.flatnonzero(blank_category & frame["goal"].notna().to_numpy()):
                self.warning(
                    tab.ref("category", int(position)),
                    "no category (professional or personal); the goal counts in its tier only",
                )
        return frame

    def _struck_through(
        self, tab: Table, struck: np.ndarray, status: np.ndarray, no_status: np.ndarray
    ) -> np.ndarray:
        """A goal struck through with no status is done (how many sheets mark it), said in one
        info line; struck through beside a status that says otherwise is that status, with a
        warning naming the cells, since which one the member meant is not certain."""
        done = struck & no_status
        status = np.where(done, "done", status)
        if done.any():
            cells = [tab.ref("goal", int(p)).split("!")[1] for p in np.flatnonzero(done)]
            self.info(
                tab.title,
                f"{len(cells)} goal(s) struck through and with no status read as done "
                f"({_cells(cells)})",
            )
        unsure = struck & ~no_status & (status != "done")
        if unsure.any():
            cells = [tab.ref("goal", int(p)).split("!")[1] for p in np.flatnonzero(unsure)]
            self.warning(
                tab.title,
                f"{len(cells)} goal(s) struck through but with a status that is not done "
                f"({_cells(cells)}): read by their status; set the status to done if they are",
            )
        return status

    def _rag_warning(self, tab: Table) -> None:
        """Red/Amber/Green say how a goal is going, so they read as open; whether a club's
        Green means done is not certain, so a warning says how to make it so."""
        told = self.config.vocabulary.status.values()
        if any(word_key(word) in _RAG for words in told for word in words):
            return  # the club has said what its colours mean
        _, uniques = tab.distinct("status")
        colours = [
            str(value).strip()
            for value in uniques
            if isinstance(value, str)
            and word_key(value) in _RAG
            and self.words.status.exact(value) == "open"
        ]
        if colours:
            shown = ", ".join(sorted(colours, key=lambda c: list(_RAG).index(word_key(c))))
            fix = self.words.fix(self.words.status, "Green", "done").replace(
                "to read it as done, ", ""
            )
            self.warning(
                tab.title,
                f"the status column holds Red/Amber/Green colours ({shown}): read as open (how "
                "a goal is going), so none of them counts as done; if Green means done in this "
                f"club, {fix}",
            )

    def private(self, tab: Table, goal: pd.Series) -> np.ndarray:
        """Each goal's privacy: its text starts with 🔒, or a Private/Visibility column says so.
        A value that says neither private nor shared is an error naming its cell, and the goal
        is private meanwhile: a spelling sheetmentor does not know never makes a goal public."""
        private = np.array(goal.map(_locked).to_numpy(dtype=bool))
        for name, kind in _privacy_columns(tab.extras):
            said = self.parse(tab, name, _privacy_parser(kind))
            private = private | said.astype(bool)
        return private

    def _hide_private_cells(self, tab: Table, private: np.ndarray, first: int) -> None:
        """A problem in a private goal's row names its cell but never quotes the row's text:
        ``check`` output and logs are read by more people than the goal's owner. (A Private or
        Visibility cell's own word is no secret and stays quoted.)"""
        if not private.any():
            return
        shown = {name for name, _ in _privacy_columns(tab.extras)}
        hidden = {
            tab.ref(name, int(position))
            for position in np.flatnonzero(private)
            for name in [*tab.columns, "goal", "tier", "status"]
            if name not in shown
        }
        for index in range(first, len(self.problems)):
            problem = self.problems[index]
            if problem.ref in hidden:
                message = _QUOTED.sub("(a private goal's cell)", problem.message)
                self.problems[index] = replace(problem, message=message)

    # -- meetings --------------------------------------------------------------------------------

    def meetings(self, table: RawTable | None, members: pd.DataFrame) -> pd.DataFrame:
        if table is None:
            return _empty_frame(MEETINGS_COLUMNS)
        reading = self.explanation.tab(table.title, "meetings")
        tab = self.reader.table(table, "meetings", REQUIRED["meetings"], reading)
        if tab is None:
            return _empty_frame(MEETINGS_COLUMNS)
        self.extra_columns["meetings"] = tab.extras
        by_key = dict(zip(members["name"].map(member_key), members["name"], strict=True))

        def parse_people(value: Any) -> tuple[tuple[str, ...], str | None]:
            if value is None:
                return (), None
            names = [n.strip() for n in re.split(r"[,;\n]+", str(value)) if n.strip()]
            unknown = [n for n in names if member_key(n) not in by_key]
            if unknown:
                return (), f"unknown member(s) {', '.join(map(repr, unknown))}"
            return tuple(by_key[member_key(n)] for n in names), None

        def parse_facilitator(value: Any) -> tuple[str | None, str | None]:
            people, message = parse_people(value)
            return (people[0] if people else None), message

        frame = tab.frame
        dates = self.parse(tab, "date", self.parse_date)
        for position in np.flatnonzero(pd.isna(dates)):
            if frame["date"].iat[position] is None:
                self.error(tab.ref("date", int(position)), "the meeting's date is empty")
        status = self.parse(
            tab, "status", _vocab_parser(self.words, self.words.meeting), vocabulary="meeting"
        )
        frame = frame.assign(
            date=pd.to_datetime(pd.Series(dates, index=frame.index)).astype("datetime64[ns]"),
            location=_texts(frame["location"]),
            facilitator=self.parse(tab, "facilitator", parse_facilitator),
            attended=self.parse(tab, "attended", parse_people),
            notes=_texts(frame["notes"]),
            status=np.where(pd.isna(status), "held", status),
        )
        frame = frame[~self.repeated_meetings(tab, frame["date"])]
        return frame[frame["date"].notna()].sort_values("date").reset_index(drop=True)

    def repeated_meetings(self, tab: Table, dates: pd.Series) -> np.ndarray:
        """Rows recording a meeting day that an earlier row records already: an error naming
        both rows, and the later row left out, so the day is one meeting everywhere (one
        facilitator turn, one calendar event) even when a command carries on past errors."""
        repeated = (dates.duplicated(keep="first") & dates.notna()).to_numpy()
        first_row: dict[Any, int] = {}
        for position, date in enumerate(dates):
            if pd.isna(date):
                continue
            if not repeated[position]:
                first_row[date] = position
                continue
            self.error(
                tab.ref("date", position),
                f"a second row for the meeting of {date.date().isoformat()} (the first is "
                f"{tab.ref('date', first_row[date])}); one meeting is one row: merge them",
            )
        return repeated

    # -- values ----------------------------------------------------------------------------------

    def parse_date(self, value: Any) -> tuple[dt.date | None, str | None]:
        """A real date cell, a serial number, or text (ISO, "Nov 24, 2026", "24/11/2026"),
        within the years pandas can hold (a date outside them is a problem, not a crash).

        A date without a day ("2026", "Dec 2026", "Q4") is refused, never a guessed first day.
        """
        date, message = self._date(value)
        if date is not None and not DATE_RANGE[0] <= date <= DATE_RANGE[1]:
            first, last = DATE_RANGE
            return None, f"{date.isoformat()} is not a date between {first.year} and {last.year}"
        return date, message

    def _date(self, value: Any) -> tuple[dt.date | None, str | None]:
        if value is None:
            return None, None
        if isinstance(value, dt.datetime):
            return value.date(), None
        if isinstance(value, dt.date):
            return value, None
        if isinstance(value, bool):
            return None, f"{value} is not a date"
        if isinstance(value, int | float):
            if 1900 <= value <= 2200 and float(value).is_integer():
                return None, f"{int(value)} is a year, not a date (write the day, like 2026-11-24)"
            if 1 <= value < 2958466:
                return GOOGLE_EPOCH + dt.timedelta(days=int(value)), None
            return None, f"{value} is not a date"
        text = str(value).strip()
        iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?", text)
        numeric = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})", text)
        no_day = f'"{text}" has no day (write the day too, like 2026-11-24 or "Nov 24, 2026")'
        try:
            if iso:
                return dt.date(*map(int, iso.groups())), None
            if numeric:
                first, second, year = map(int, numeric.groups())
                year += 2000 if year < 100 else 0
                day, month = (first, second) if self.day_first else (second, first)
                try:
                    return dt.date(year, month, day), None
                except ValueError:
                    order = "day-first" if self.day_first else "month-first"
                    return None, (
                        f'"{text}" is not a date when read {order} (source.day_first is '
                        f"{str(self.day_first).lower()}); fix the cell or the setting"
                    )
            if _QUARTER.fullmatch(text):
                return None, no_day
            parsed = date_parser.parse(text, dayfirst=self.day_first, default=_NO_YEAR)
            if parsed.year == _NO_YEAR.year:
                return None, f'"{text}" has no year (write it like "Nov 24, 2026")'
            if parsed.day == 1 or parsed.month == 1:  # maybe the defaults: is a day written?
                other = date_parser.parse(text, dayfirst=self.day_first, default=_OTHER_DAY)
                if other.day != parsed.day or other.month != parsed.month:
                    return None, no_day
            return parsed.date(), None
        except (ValueError, OverflowError):
            return None, f'"{text}" is not a date (write it like 2026-11-24 or "Nov 24, 2026")'


_NO_YEAR = dt.datetime(0o1, 1, 1)
_OTHER_DAY = dt.datetime(0o1, 2, 2)
_QUARTER = re.compile(r"(?i)(q[1-4]|h[12])(\s*[/-]?\s*\d{2,4})?|\d{4}\s*[/-]?\s*q[1-4]")
DATE_RANGE = (dt.date(1678, 1, 1), dt.date(2261, 12, 31))
"""The dates pandas holds (nanoseconds since 1970 span 1677 to 2262)."""


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip() or None


def _texts(column: pd.Series) -> pd.Series:
    """:func:`_text` over a column, blanks kept as ``None``."""
    return per_distinct(column, _text)


def _first_names(names: Any) -> dict[str, str]:
    """First name → member, for first names only one member has ("Ada" is Ada Okonkwo)."""
    found: dict[str, list[str]] = {}
    for name in names:
        words = str(name).split()
        if len(words) > 1:
            found.setdefault(member_key(words[0]), []).append(name)
    return {first: same[0] for first, same in found.items() if len(same) == 1}


def _other_names(members: pd.DataFrame) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Other ways a goal names a member: their e-mail address, or "First L." (first name and
    last initial) where only one member fits; and the short names several members share."""
    found: dict[str, str] = {}
    for name, email in zip(members["name"], members["email"], strict=True):
        if isinstance(email, str):
            found[member_key(email)] = name
    short: dict[str, list[str]] = {}
    for name in members["name"]:
        words = str(name).split()
        if len(words) > 1:
            for written in (f"{words[0]} {words[-1][0]}.", f"{words[0]} {words[-1][0]}"):
                short.setdefault(member_key(written), []).append(name)
    found |= {key: same[0] for key, same in short.items() if len(same) == 1 and key not in found}
    return found, {key: same for key, same in short.items() if len(same) > 1}


def named_member(names: Iterable[Any], given: str) -> str | None:
    """The member of ``names`` that ``given`` names, as a cell of the sheet would: the full name
    (case and spaces aside), or a first name that only one member has ("tom" is Tom Berg);
    None when it names no one. ``--member`` options read names the same way as cells do."""
    names = [str(name) for name in names]
    by_key = {member_key(name): name for name in names}
    return by_key.get(member_key(given)) or _first_names(names).get(member_key(given))


def member_key(name: Any) -> str:
    """How member names compare: case and runs of spaces do not count ("ada  okonkwo ")."""
    return " ".join(str(name).split()).casefold()


_RAG = {word_key(colour): colour for colour in ("green", "amber", "yellow", "red")}
_DEFAULTS = {"", "false", "0", "0%", "00%", "000", "☐", "no", "n"}
_TOTALS = {"total", "totals", "sum", "average", "avg", "mean", "grandtotal", "subtotal",
           "overall", "count", "totalgoals"}  # fmt: skip


def _is_default(value: Any) -> bool:
    """Whether a status or progress cell holds only what a template row starts with."""
    if value is None or value is False:
        return True
    if isinstance(value, int | float):
        return value == 0
    return word_key(value) in _DEFAULTS


def _is_total(value: Any) -> bool:
    """Whether a member or goal cell names a totals or summary row ("Total:", "Average")."""
    return isinstance(value, str) and word_key(value) in _TOTALS


def _cells(refs: list[str], shown: int = 8) -> str:
    more = f" and {len(refs) - shown} more" if len(refs) > shown else ""
    return ", ".join(refs[:shown]) + more


def _goals_role(title: str, plan: Plan) -> str:
    return f"goals ({plan.tiers[title]}: the tab's name)" if title in plan.tiers else "goals"


def _empty_goals() -> pd.DataFrame:
    """No goals, with the dtypes real goals have, so every computation downstream runs."""
    frame = _empty_frame(GOALS_COLUMNS, progress=float, sheet_row=np.int64)
    for name, categories in (("tier", TIERS), ("category", CATEGORIES), ("status", STATUSES)):
        frame[name] = pd.Categorical([], categories=categories)
    for name in ("set", "due", "completed"):
        frame[name] = pd.Series(dtype="datetime64[ns]")
    frame["private"] = pd.Series(dtype=bool)
    return frame


def _empty_frame(columns: Sequence[str], **dtypes: Any) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=dtypes.get(name, object)) for name in columns})


def _unknown(words: Words, vocabulary: Vocabulary, value: Any, expected: str) -> str:
    """The refusal of a word: what was expected, the nearest known words, and the config line
    that makes it a word (ready to paste)."""
    near = vocabulary.nearest(value)
    hint = f"; nearest known: {', '.join(near)}" if near else ""
    fix = words.fix(vocabulary, value)
    return f'unknown {vocabulary.name} "{value}" (expected {expected}{hint}); {fix}'


def _vocab_parser(
    words: Words, vocabulary: Vocabulary, required: bool = False
) -> Callable[[Any], tuple[str | None, str | None]]:
    listing = vocabulary.listing()

    def parse(value: Any) -> tuple[str | None, str | None]:
        if value is None:
            return None, (f"no {vocabulary.name} (expected {listing})" if required else None)
        found = vocabulary.meaning(value)
        if found is None:
            return None, _unknown(words, vocabulary, value, listing)
        return found, None

    return parse


_PERCENT = re.compile(r"(\d{1,3}(?:\.\d+)?)\s*%")
_QUOTED = re.compile(r'"[^"]*"')
_CHECKED = {"✅", "✔", "✓", "☑", "☒", "[x]", "[X]", *PRIVATE_MARKS}
_UNCHECKED = {"☐", "[ ]", "[]"}


def _locked(text: Any) -> bool:
    """A goal text that starts with 🔒 (or 🔐) is private, whatever the columns say."""
    return isinstance(text, str) and text.lstrip().startswith(PRIVATE_MARKS)


def _privacy_columns(extras: Sequence[str]) -> list[tuple[str, str]]:
    """The extra columns that say whether a goal is private: (column, "private" or
    "visibility")."""
    found = []
    for name in extras:
        key = word_key(name)
        kinds = [k for k, headers in PRIVACY_HEADERS.items() if key in map(word_key, headers)]
        if kinds and key:
            found.append((name, kinds[0]))
        elif not key and any(mark in str(name) for mark in PRIVATE_MARKS):
            found.append((name, "private"))
    return found


def _privacy_parser(kind: str) -> Callable[[Any], tuple[bool, str | None]]:
    """A Private (yes/✓/1/private/confidential…) or Visibility (private/club…) cell → private?
    Any reading of the cell that means private wins ("no - private" is private); a cell with no
    known reading is private and an error."""
    vocabulary = PRIVACY if kind == "private" else VISIBILITY
    expected = (
        "yes, ✓ or private for a private goal; no or blank for one the club sees"
        if kind == "private"
        else "private, or club (blank) for a goal the club sees"
    )

    def parse(value: Any) -> tuple[bool, str | None]:
        if value is None:
            return False, None
        if isinstance(value, bool) and kind == "private":
            return value, None
        text = str(value).replace("\ufe0f", "").strip()
        if kind == "private":
            if text in _CHECKED:
                return True, None
            if text in _UNCHECKED:
                return False, None
            try:
                number = float(text)
            except ValueError:
                number = None
            if number in (0.0, 1.0):
                return number == 1.0, None
        meanings = {vocabulary.words.get(word_key(c)) for c in candidates(text)} - {None}
        if meanings:
            return "private" in meanings, None
        near = vocabulary.nearest(text)
        hint = f"; nearest known: {', '.join(near)}" if near else ""
        message = f'unknown {vocabulary.name} value "{text}" (expected {expected}{hint})'
        return True, f"{message}; the goal is private until this cell says"

    return parse


def _status_parser(words: Words) -> Callable[[Any], tuple[str | None, str | None]]:
    """done, open or dropped; blank is ``None`` (the goal's progress decides, see README)."""

    def parse(value: Any) -> tuple[str | None, str | None]:
        if value is None:
            return None, None
        if isinstance(value, bool):
            return ("done" if value else "open"), None
        if isinstance(value, int | float):
            if 0 <= value <= 1:
                return ("done" if value == 1 else "open"), None
            return None, f"unknown status {value} (expected done, open or dropped)"
        text = str(value)
        found = words.status.meaning(text)
        if found is None:
            match = _PERCENT.fullmatch(text.strip())
            if match and float(match.group(1)) <= 100:
                found = "done" if float(match.group(1)) == 100 else "open"
        if found is None and re.fullmatch(r"\[\s*\]", text.strip()):
            found = "open"
        if found is None:
            expected = 'done, open — e.g. "in progress" — or dropped'
            return None, _unknown(words, words.status, text, expected)
        return found, None

    return parse


def _status_percent(value: Any) -> tuple[float | None, None]:
    """The progress a status cell gives ("50%": half-way)."""
    if isinstance(value, str):
        match = _PERCENT.fullmatch(value.strip())
        if match and float(match.group(1)) <= 100:
            return float(match.group(1)) / 100, None
    return None, None


def _parse_progress(value: Any) -> tuple[float | None, str | None]:
    if value is None:
        return None, None
    if isinstance(value, bool):
        return None, f"{value} is not a progress (write 40%, 0.4 or 40)"
    number: float
    percent = False
    if isinstance(value, int | float):
        number = float(value)
    else:
        match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(%?)", str(value).strip())
        if not match:
            return None, f'"{value}" is not a progress (write 40%, 0.4 or 40)'
        number = float(match.group(1))
        if match.group(2):
            number, percent = number / 100, True
    if not percent and 1 < number <= 100:  # 40 means 40%; "150%" stays 1.5 and is refused
        number /= 100
    if not 0 <= number <= 1:
        return None, f'"{value}" is not between 0% and 100%'
    return number, None


def _active_parser(words: Words) -> Callable[[Any], tuple[bool, str | None]]:
    """Active or not, from an Active column (yes/no) or a Status column (Active, Left…)."""

    def parse(value: Any) -> tuple[bool, str | None]:
        if value is None:
            return True, None
        if isinstance(value, bool):
            return value, None
        found = words.active.meaning(value)
        if found is None:
            near = words.active.nearest(value)
            hint = f"; nearest known: {', '.join(near)}" if near else ""
            fix = words.fix(words.active, value)
            return True, f'"{value}" is not yes or no (Active: blank means yes{hint}); {fix}'
        return found == "yes", None

    return parse


_EMAIL = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+")


def _one_line(value: Any) -> str:
    """A cell's text with every run of white space (line breaks too) as one space."""
    return " ".join(str(value).split())


def _parse_email(value: Any) -> tuple[str | None, str | None]:
    if value is None:
        return None, None
    text = str(value).strip()
    if not _EMAIL.fullmatch(text):
        if any(char in text for char in "\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029"):
            return None, f'"{_one_line(text)}" has a line break in it: one address per cell'
        return None, f'"{_one_line(text)}" is not an email address'
    return text, None
