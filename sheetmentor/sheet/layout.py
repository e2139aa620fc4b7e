"""How a club keeps its sheet: find the header row, the tabs' roles and the goal rows' shape.

Clubs rarely keep the "one header row, one row per goal" table a tool would ask for. This module
reads the raw tables as kept and turns each tab into a *canonical table*: one row per goal (or
member, or meeting) with columns named after sheetmentor's fields, each row keeping the cell it
came from. :mod:`sheetmentor.sheet.normalize` then parses and validates the values. What was
understood
(header row, column → field, layout, section rows, rows skipped) is recorded in an
:class:`Explanation`, which ``sheetmentor check --explain`` prints.

The shapes read:

* **the header row** is the row among the first non-empty rows that names the most known fields,
  so title rows, subtitles, blank rows and merged banners above it are skipped;
* **section rows**: a row whose only text means a tier ("TWO WEEK GOALS"), a category
  ("Personal") or names a member sets that field for the rows under it, until the next section;
* **blocks**: a blank member cell (merged cells read that way) under the first row of a block
  belongs to the member above, within the block, never across a blank or section row;
* **wide**: one row per member and one column per tier ("Two-week goal(s)", "Quarterly goal"),
  several goals per cell on lines or bullets, with done markers ("✅", "[x]", "(done)");
* **tabs**: a Goals tab, or one tab per member (with or without a Members tab; the layout is
  detected when there is no Goals tab), one tab per tier ("Quarterly"), one tab per meeting
  (the newest date is current), other tabs (Instructions, Template…) left out with a note;
  without a Members tab the goals' Member cells are the members;
* **two header rows**: a tier merged over each group of Goal/Status columns;
* **form responses**: a Timestamp column and one row per check-in, the latest per member;
* **a check-in grid**: one column per meeting date holding ✓/✗/½, the latest mark a status;
* **a block beside the table** (a legend after a blank column), left out.

Tab names, headers and words are those of :class:`~sheetmentor.sheet.vocabulary.Words`:
English, the sheet's language (``club.language`` or detected) and the config's ``vocabulary:``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from dateutil import parser as date_parser

from sheetmentor import clock
from sheetmentor.errors import SheetError
from sheetmentor.sheet.frames import distinct, per_distinct
from sheetmentor.sheet.sources import RawTable
from sheetmentor.sheet.sources.tables import column_letter
from sheetmentor.sheet.vocabulary import (
    FIELDS,
    NAME_PARTS,
    WEAK_ALIASES,
    Words,
    candidates,
    detect_language,
    mentions_goals,
    word_key,
)

if TYPE_CHECKING:
    from sheetmentor.config import Config, TabsConfig

HEADER_SCAN = 12
"""How many non-empty rows at the top of a tab may hold the header row."""

LANGUAGE_SCAN = 20
"""How many rows at the top of each tab tell the sheet's language."""

LEFT_OUT_TABS = re.compile(
    r"^(instructions?|how ?to.*|read ?me|template.*|example.*|archive.*|summary|dashboard|"
    r"overview|settings|lists?|lookups?|config|notes|chart.*|stats|old.*|copy of .*|"
    r".*\b(?:old|archived?|backup|copy)\b.*)$",
    re.IGNORECASE,
)
"""Tab names that are never a member's goals, even with goal headers (a Template tab has them)."""

SPREADSHEET_ERROR = re.compile(
    r"#(DIV/0!|VALUE!|REF!|N/A|NAME\?|NUM!|NULL!|ERROR!|SPILL!|CALC!|GETTING_DATA)|Err:\d{3}"
)

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Problem:
    """Something in the sheet that sheetmentor could not understand (or read in a way worth
    saying), and where it is."""

    severity: Severity
    ref: str | None
    message: str
    recipient: str | None = None
    """Set on an error that stops only this member's messages (an address no message can go
    to): ``check`` fails on it, but the others' agendas and recaps still go out."""

    def __str__(self) -> str:
        return f"{self.ref}: {self.message}" if self.ref else self.message


@dataclass
class ColumnReading:
    """One column of a tab: its header, the field it feeds, and what matched it."""

    column: str
    header: str
    field: str | None
    how: str


@dataclass
class TabReading:
    """How one tab was read."""

    title: str
    role: str
    header_row: int | None = None
    layout: str = ""
    columns: list[ColumnReading] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Explanation:
    """What sheetmentor understood of a sheet: per tab, and the words it mapped."""

    layout: str = ""
    layout_how: str = ""
    language: str = ""
    """The sheet's words beside English, and why ("es (club.language)")."""
    tabs: list[TabReading] = field(default_factory=list)
    words: dict[str, dict[str, str]] = field(default_factory=dict)

    def tab(self, title: str, role: str) -> TabReading:
        reading = TabReading(title, role)
        self.tabs.append(reading)
        return reading

    def word(self, vocabulary: str, written: Any, meaning: Any) -> None:
        """Record that ``written`` (a cell's value) was read as ``meaning``."""
        shown = f"{str(written).upper()} (checkbox)" if isinstance(written, bool) else str(written)
        self.words.setdefault(vocabulary, {})[shown] = str(meaning)


@dataclass
class Table:
    """A tab's rows in canonical form: field-named columns, ``sheet_row`` and ``tab``.

    ``columns`` gives each field's column letter; in a wide tab the goal, tier and status of a
    row come from the tier column it was written in (``cell_column``).
    """

    title: str
    frame: pd.DataFrame
    columns: dict[str, str]
    extras: list[str]
    cell_column: np.ndarray | None = None
    reading: TabReading | None = None
    struck: frozenset[str] = frozenset()
    """The tab's cells (``B3``) whose text is struck through."""
    row_columns: dict[str, np.ndarray] = field(default_factory=dict)
    """Fields whose column differs row by row (two header rows: each tier's Goal, Status…)."""
    _distinct: dict[str, tuple[np.ndarray, list[Any]]] = field(default_factory=dict, repr=False)
    _distinct_of: pd.DataFrame | None = field(default=None, repr=False)

    def distinct(self, name: str) -> tuple[np.ndarray, list[Any]]:
        """:func:`sheetmentor.sheet.frames.distinct` of a column, computed once per frame (a column
        read twice, like Status for the status and for a "50%", is factorized once)."""
        if self._distinct_of is not self.frame:
            self._distinct_of, self._distinct = self.frame, {}
        if name not in self._distinct:
            self._distinct[name] = distinct(self.frame[name])
        return self._distinct[name]

    def struck_goals(self) -> np.ndarray:
        """Whether each row's goal cell is struck through."""
        if not self.struck:
            return np.zeros(len(self.frame), dtype=bool)
        rows = self.frame["sheet_row"].to_numpy()
        if self.cell_column is not None:
            letters = self.cell_column
        else:
            letters = np.full(len(rows), self.columns.get("goal", ""), dtype=object)
        return np.array([f"{c}{r}" in self.struck for c, r in zip(letters, rows, strict=True)])

    def ref(self, name: str, position: int) -> str:
        row = int(self.frame["sheet_row"].iat[position])
        if name in self.row_columns and self.row_columns[name][position]:
            return f"{self.title}!{self.row_columns[name][position]}{row}"
        if self.cell_column is not None and name in ("goal", "tier", "status"):
            return f"{self.title}!{self.cell_column[position]}{row}"
        if name not in self.columns:
            return f"{self.title}!{row}:{row}"
        return f"{self.title}!{self.columns[name]}{row}"


@dataclass
class Plan:
    """Which tab plays which role."""

    layout: str  # "goals-tab", "tab-per-member", "tab-per-tier" or "tab-per-meeting"
    how: str
    members: str | None
    goals: list[tuple[str, str | None]]  # (tab, owner as the tab names them, or None)
    meetings: str | None
    left_out: list[tuple[str, str]]  # (tab, why)
    tiers: dict[str, str] = field(default_factory=dict)
    """A tab-per-tier sheet: each goals tab's name, which says its goals' tier."""


def filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


class Reader:
    """Reads raw tables into canonical tables, collecting problems and an explanation."""

    def __init__(self, config: Config, problems: list[Problem], explanation: Explanation):
        self.config = config
        self.problems = problems
        self.explanation = explanation
        self.use_words(words_for(config))

    def use_words(self, words: Words) -> None:
        """Read with ``words`` from now on (header aliases are indexed once here)."""
        self.words = words
        self.aliases = {
            kind: {word_key(alias): name for name, names in fields.items() for alias in names}
            for kind, fields in words.fields.items()
        }
        self.spelled: dict[str, dict[str, str]] = {kind: {} for kind in words.fields}
        for kind, fields in words.fields.items():
            for names in fields.values():
                for alias in names:
                    self.spelled[kind].setdefault(word_key(alias), alias)

    def choose_language(self, tables: dict[str, RawTable]) -> None:
        """Add the words of the sheet's language when its tab names and first rows are in
        one that ``club.language`` does not already bring."""
        texts: list[Any] = list(tables)
        for table in tables.values():
            for row in table.rows[:LANGUAGE_SCAN]:
                texts.extend(row)
        found, seen = detect_language(texts)
        configured = self.words.languages
        if found is not None and found not in configured:
            self.use_words(Words.build([*configured, found], self.config.vocabulary.added()))
            shown = ", ".join(f'"{word}"' for word in seen[:4])
            self.explanation.language = f"{found} (detected from the sheet's words: {shown})"
        elif configured:
            self.explanation.language = f"{configured[0]} (club.language)"

    def report(self, severity: Severity, ref: str | None, message: str) -> None:
        self.problems.append(Problem(severity, ref, message))

    # -- which tab is which ----------------------------------------------------------------------

    def plan(self, tables: dict[str, RawTable]) -> Plan:
        """The layout: configured with ``source.layout``, else detected from the tabs."""
        self.choose_language(tables)
        source = self.config.source
        titles = list(tables)
        tabs = self._tab_names(tables)
        members = tabs.members if tabs.members in tables else None
        meetings = tabs.meetings if tabs.meetings in tables else None
        others = [t for t in titles if t not in (tabs.members, tabs.meetings)]
        if source.layout == "goals-tab" or (source.layout is None and tabs.goals in tables):
            how = "source.layout" if source.layout else f'a "{tabs.goals}" tab'
            if tabs.goals not in tables:
                raise _missing_tab(tabs.goals, titles)
            left_out = [(t, "not a Members, Goals or Meetings tab") for t in others
                        if t != tabs.goals]  # fmt: skip
            return Plan("goals-tab", how, members, [(tabs.goals, None)], meetings, left_out)
        left_out: list[tuple[str, str]] = []
        goal_tabs: list[str] = []
        with_member: list[str] = []
        for title in others:
            fields = self._goal_header_fields(tables[title])
            if LEFT_OUT_TABS.match(title.strip()):
                left_out.append((title, "its name says it is not a member's goals"))
            elif "member" in fields and ("goal" in fields or "wide" in fields):
                with_member.append(title)
                goal_tabs.append(title)
            elif source.layout == "tab-per-member" or "goal" in fields or "wide" in fields:
                goal_tabs.append(title)
            else:
                left_out.append((title, "no goal headers (Goal, Tier…) in its first rows"))
        today = clock.club_day(clock.now(), self.config.meetings.zone)
        dated = {t: day for t in with_member if (day := _tab_date(t, today)) is not None}
        if source.layout is None and len(dated) >= 2 and len(dated) == len(goal_tabs):
            newest = max(dated, key=lambda title: dated[title])
            how = (
                f"detected: a tab per meeting ({_listing(list(dated))}); the newest, "
                f'"{newest}", holds the current goals'
            )
            earlier = f'an earlier meeting\'s tab (the newest, "{newest}", is the current one)'
            left_out += [(title, earlier) for title in dated if title != newest]
            return Plan("tab-per-meeting", how, members, [(newest, None)], meetings, left_out)
        tiers = {title: title for title in with_member if self.words.tier.meaning(title)}
        if source.layout is None and tiers and len(tiers) == len(goal_tabs):
            how = (
                f"detected: each goals tab's name is a tier ({_listing(list(tiers))}) and "
                "it has a Member column"
            )
            goals = [(title, None) for title in tiers]
            return Plan("tab-per-tier", how, members, goals, meetings, left_out, tiers)
        if with_member and (source.layout is None and len(goal_tabs) == 1):
            title = with_member[0]
            how = f'detected: no "{tabs.goals}" tab, and "{title}" has Member and Goal columns'
            return Plan("goals-tab", how, members, [(title, None)], meetings, left_out)
        if not goal_tabs:
            raise SheetError(
                f'no tab "{tabs.goals}" and no tab with goal headers (tabs there: '
                f'{_listing(titles)}); name the goals tab "{tabs.goals}" (or set '
                f"source.tabs.goals), or give each member a tab with a Goal and a Tier column"
            )
        if source.layout is None:
            how = (
                f'detected: no "{tabs.goals}" tab, and {len(goal_tabs)} tab'
                f"{'s' if len(goal_tabs) != 1 else ''} with goal headers"
            )
        else:
            how = "source.layout"
        plan_goals = [(title, title) for title in goal_tabs]
        return Plan("tab-per-member", how, members, plan_goals, meetings, left_out)

    def _tab_names(self, tables: dict[str, RawTable]) -> TabsConfig:
        """``source.tabs`` where set; else a tab named as the role is in English or in the
        sheet's language ("Roster", "Metas", "Mitglieder"), or the one tab whose headers are
        a roster's, else the default name."""
        titles = list(tables)
        tabs = self.config.source.tabs
        named: dict[str, str] = {}
        for role, names in self.words.tabs.items():
            if role in tabs.model_fields_set:
                written = getattr(tabs, role)
                default = type(tabs).model_fields[role].default
                if written not in titles and written != default and role != "meetings":
                    raise _missing_tab(written, titles)
                if written != default:
                    continue
            if getattr(tabs, role) in titles:
                continue
            keys = {word_key(name) for name in names}
            found = [title for title in titles if word_key(title) in keys]
            if found:
                named[role] = found[0]
        if "members" not in named and tabs.members not in titles:
            rosters = [title for title in titles if self._is_roster(tables[title])]
            if len(rosters) == 1:
                named["members"] = rosters[0]
        return tabs.model_copy(update=named) if named else tabs

    def _is_roster(self, table: RawTable) -> bool:
        """A tab whose header names a member's Name and Email or Active, and no goal."""
        at = self.find_header(table.rows, "members")
        if at is None:
            return False
        fields = set(self.header_fields(table.rows[at], "members"))
        goals = set(self.header_fields(table.rows[at], "goals"))
        return (
            "name" in fields
            and bool(fields & {"email", "active", "joined"})
            and not (goals & {"goal", "wide", "tier"})
        )

    def _goal_header_fields(self, table: RawTable) -> list[str]:
        at = self.find_header(table.rows, "goals")
        return [] if at is None else self.header_fields(table.rows[at], "goals")

    # -- headers ---------------------------------------------------------------------------------

    def header_fields(self, header: Sequence[Any], kind: str) -> list[str]:
        """The field each header cell names (``wide`` for a tier column), for scoring rows."""
        found = []
        for cell in header:
            if filled(cell):
                name, _ = self.match_header(str(cell).strip(), kind)
                if name is not None:
                    found.append(name)
        return found

    def match_header(self, text: str, kind: str) -> tuple[str | None, str]:
        """The field a header names, and how it matched (``None`` for an extra column)."""
        mapping = getattr(self.config.source.columns, kind)
        key = word_key(text)
        for name, header in mapping.items():
            if word_key(header) == key:
                return name, f"source.columns.{kind}.{name}"
        aliases = self.aliases[kind]
        if key in aliases and aliases[key] not in mapping:
            return aliases[key], f'alias "{self.spelled[kind][key]}"'
        for candidate in candidates(text)[1:]:
            name = aliases.get(word_key(candidate))
            if name is not None and name not in mapping:
                return name, f'alias "{self.spelled[kind][word_key(candidate)]}" in "{text}"'
        if kind == "goals":
            tier = self.words.tier.meaning(text)
            if tier is not None:
                return "wide", f"tier column ({tier})"
        return None, "extra column"

    def find_header(self, rows: list[list[Any]], kind: str) -> int | None:
        """The row among the first non-empty rows that names the most known fields."""
        best, best_score, first = None, 0, None
        seen = 0
        for index, row in enumerate(rows):
            if not any(filled(v) for v in row):
                continue
            first = index if first is None else first
            fields = self.header_fields(row, kind)
            score = len(set(fields)) + max(fields.count("wide") - 1, 0)
            if score > best_score:
                best, best_score = index, score
            seen += 1
            if seen >= HEADER_SCAN:
                break
        return best if best is not None else first

    # -- one tab ---------------------------------------------------------------------------------

    def table(
        self,
        table: RawTable,
        kind: str,
        required: Sequence[str],
        reading: TabReading,
        *,
        members: dict[str, str] | None = None,
    ) -> Table | None:
        """A tab as a canonical table, or ``None`` (with errors) when its header is unusable."""
        rows = table.rows
        band = self._tier_band(rows) if kind == "goals" else None
        if band is not None:
            return self._banded(table, band, required, reading, members)
        header_at = self.find_header(rows, kind)
        if header_at is None:
            self.report(
                "error",
                table.title,
                f"the tab is empty (expected a header row with {', '.join(FIELDS[kind])})",
            )
            return None
        header = rows[header_at]
        header_row = reading.header_row = header_at + 1
        first_filled = next(i for i, row in enumerate(rows) if any(filled(v) for v in row))
        if first_filled < header_at:
            reading.notes.append(
                f"rows {first_filled + 1}–{header_at} above the header skipped (title rows)"
                if header_at - first_filled > 1
                else f"row {first_filled + 1} above the header skipped (a title row)"
            )
        names, seen, wide = self._columns(table.title, header, header_row, kind, reading)
        self._beside(names, seen, wide, header, reading, kind)
        is_wide = bool(wide) and "tier" not in seen and "goal" not in seen
        if wide and not is_wide:  # tier-named columns beside a Tier column: kept as they are
            for index in wide:
                names[index] = str(header[index]).strip()
            for column in reading.columns:
                if column.how.startswith("tier column"):
                    column.field, column.how = None, "extra column (the sheet has a Tier column)"
            wide = {}
        mapping = getattr(self.config.source.columns, kind)
        implied = {"goal", "tier"} if is_wide else set()
        if reading.role.startswith("goals of"):
            implied.add("member")
        name_parts = _name_parts(names) if kind == "members" and "name" not in seen else {}
        if "first" in name_parts:
            implied.add("name")
        missing = [n for n in required if n not in seen and n not in implied and n not in mapping]
        if kind == "goals" and missing:
            supplied = self._sections_supply(rows, header_at, members or {})
            missing = [name for name in missing if name not in supplied]
        if missing:
            found = ", ".join(f'"{str(c).strip()}"' for c in header if filled(c))
            for name in missing:
                self.report(
                    "error",
                    f"{table.title}!{header_row}:{header_row}",
                    self._missing_message(table, kind, name, header_at, found),
                )
            return None
        columns = {**names, **{index: f"\0wide{index}" for index in wide}}
        width = max(columns) + 1
        body = [
            row if len(row) == width else [*row[:width], *[None] * (width - len(row))]
            for row in rows[header_at + 1 :]
        ]
        frame = pd.DataFrame(body, columns=range(width), dtype=object)
        frame = frame[list(columns)].rename(columns=columns)
        frame = self._clean(frame, table.title, columns, header_row)
        if "first" in name_parts:
            frame["name"] = _join_names(frame, [names[i] for i in name_parts.values()])
            names_at = name_parts["first"]
            for column in reading.columns:
                for part, index in name_parts.items():
                    if column.column == column_letter(index):
                        column.field, column.how = "name", f"its {part} part"
        frame["sheet_row"] = np.arange(header_row + 1, header_row + 1 + len(frame))
        blank = frame.drop(columns="sheet_row").isna().all(axis=1).to_numpy()
        letters = {name: column_letter(index) for index, name in names.items()}
        if "first" in name_parts:
            letters["name"] = column_letter(names_at)
        if kind == "goals":
            frame, blank = self._sections(frame, blank, table.title, reading, members or {})
        blank_rows = int(blank.sum())
        if blank_rows:
            reading.notes.append(f"{blank_rows} blank or section row(s) between the data skipped")
        frame = frame[~blank]
        if kind == "goals":
            frame = self._latest_responses(frame, names, reading)
            if not is_wide:
                frame = self._check_in_grid(frame, names, header, "status" in seen, reading)
        frame["tab"] = table.title
        fields = set(FIELDS[kind])
        extras = [name for name in names.values() if name not in fields]
        for name in FIELDS[kind]:
            if name not in frame.columns:
                frame[name] = None
        result = Table(table.title, frame.reset_index(drop=True), letters, extras, None, reading)
        result.struck = frozenset(f"{column_letter(c)}{r + 1}" for r, c in table.struck)
        if is_wide:
            reading.layout = "wide: one row per member, one column per tier"
            self._unknown_tier_columns(table.title, header_row, names, reading)
            return self._widen(result, wide)
        reading.layout = reading.layout or "one row per goal" if kind == "goals" else ""
        return result

    def _unknown_tier_columns(
        self, title: str, header_row: int, names: dict[int, str], reading: TabReading
    ) -> None:
        """In a wide tab, a column whose header says goals but no tier would be left out in
        silence: a warning names it and the line that makes its header a tier."""
        for index, name in names.items():
            if name in FIELDS["goals"] or not mentions_goals(name):
                continue
            fix = self.words.fix(self.words.tier, name).replace("to read it as", "if it holds")
            self.report(
                "warning",
                f"{title}!{column_letter(index)}{header_row}",
                f'the column "{name}" looks like goals but names no tier, so its cells are not '
                f"read as goals; {fix}",
            )
            reading.notes.append(f'column {column_letter(index)} "{name}": goals of no known tier')

    def _latest_responses(
        self, frame: pd.DataFrame, names: dict[int, str], reading: TabReading
    ) -> pd.DataFrame:
        """Google Forms responses (a Timestamp column, one row per check-in): only each
        member's latest response counts, the earlier ones are history."""
        stamp = next((n for n in names.values() if word_key(n) == "timestamp"), None)
        if stamp is None or "member" not in frame.columns or frame.empty:
            return frame
        when = pd.to_datetime(per_distinct(frame[stamp], _timestamp), errors="coerce").to_numpy()
        who = per_distinct(
            frame["member"], lambda v: None if v is None else " ".join(str(v).split()).casefold()
        )
        order = pd.DataFrame({"who": who.to_numpy(), "when": when, "at": np.arange(len(frame))})
        order = order.sort_values(["when", "at"], kind="stable", na_position="first")
        latest = order.drop_duplicates("who", keep="last")["at"].sort_values().to_numpy()
        earlier = len(frame) - len(latest)
        reading.notes.append(
            f"form responses (a {stamp} column): each member's latest response counts"
            + (f", {earlier} earlier one(s) left out" if earlier else "")
        )
        return frame.iloc[latest]

    def _check_in_grid(
        self,
        frame: pd.DataFrame,
        names: dict[int, str],
        header: Sequence[Any],
        has_status: bool,
        reading: TabReading,
    ) -> pd.DataFrame:
        """A check-in grid (one column per meeting date holding ✓, ✗ or ½): with no Status
        column, each goal's status is its latest mark (½ is half-way); said in the
        explanation."""
        today = clock.club_day(clock.now(), self.config.meetings.zone)
        dates: dict[int, dt.date] = {}
        for index, name in names.items():
            if name in FIELDS["goals"]:
                continue
            cell = header[index]
            if isinstance(cell, dt.date):
                dates[index] = cell.date() if isinstance(cell, dt.datetime) else cell
            elif isinstance(cell, str) and (day := _tab_date(cell, today)) is not None:
                dates[index] = day
        if len(dates) < 2:
            return frame
        span = ", ".join(column_letter(i) for i in sorted(dates, key=lambda i: dates[i]))
        if has_status:
            reading.notes.append(
                f"columns {span} are a check-in grid (a meeting date each): kept as extra "
                "columns, the Status column says each goal's status"
            )
            return frame
        latest = pd.Series([None] * len(frame), index=frame.index, dtype=object)
        for index in sorted(dates, key=lambda i: dates[i]):
            marks = frame[names[index]]
            latest = marks.where(marks.notna(), latest)
        frame = frame.assign(status=per_distinct(latest, _grid_mark))
        reading.notes.append(
            f"columns {span} are a check-in grid (a meeting date each): each goal's status is "
            "its latest mark (✓ done, ✗ open, ½ half-way)"
        )
        return frame

    def _beside(
        self,
        names: dict[int, str],
        seen: dict[str, int],
        wide: dict[int, str],
        header: Sequence[Any],
        reading: TabReading,
        kind: str,
    ) -> None:
        """Leave out a block beside the table (a legend, notes): the columns after a blank
        header cell when none of them is a field; said in ``check --explain``."""
        known = [*(i for name, i in seen.items() if name in FIELDS[kind]), *wide]
        if not known:
            return
        last = max(known)
        gaps = [i for i in range(last + 1, len(header)) if not filled(header[i])]
        if not gaps:
            return
        block = [i for i in names if i > gaps[0]]
        if not block:
            return
        for index in block:
            del seen[names.pop(index)]
        for column in reading.columns:
            if column.column in {column_letter(i) for i in block}:
                column.how = "left out: beside the table, after a blank column (a legend or notes)"
        first, end = column_letter(block[0]), column_letter(block[-1])
        span = first if first == end else f"{first}–{end}"
        reading.notes.append(
            f"columns {span}, after the blank column {column_letter(gaps[0])}, "
            "are a block beside the table (a legend or notes): left out"
        )

    # -- two header rows: a tier over each group of columns ---------------------------------------

    def _tier_band(self, rows: list[list[Any]]) -> tuple[int, int, dict[int, int]] | None:
        """Two header rows, a tier over each group ("Two-week" merged over "Goal | Status"):
        the band row, the header row under it, and each tier cell's first and past-last
        column; ``None`` for any other tab."""
        filled_rows = [i for i, row in enumerate(rows[: HEADER_SCAN * 2]) if any(map(filled, row))]
        for band, under in itertools.pairwise(filled_rows):
            cells = {i: v for i, v in enumerate(rows[band]) if filled(v)}
            tiers = [
                i
                for i, v in cells.items()
                if isinstance(v, str)
                and self.words.tier.meaning(v) is not None
                and self.match_header(v.strip(), "goals")[0] in (None, "wide")
            ]
            if not tiers:
                continue
            spans: dict[int, int] = {}
            width = max(len(rows[band]), len(rows[under]))
            for position in tiers:
                later = [i for i in cells if i > position]
                spans[position] = min(later) if later else width
            aliases = self.aliases["goals"]  # a header's own words: no reading of parts
            fields = {i: aliases.get(word_key(v)) for i, v in enumerate(rows[under]) if filled(v)}
            if all(
                any(fields.get(i) == "goal" for i in range(start, end))
                for start, end in spans.items()
            ):
                return band, under, spans
        return None

    def _banded(
        self,
        table: RawTable,
        band: tuple[int, int, dict[int, int]],
        required: Sequence[str],
        reading: TabReading,
        members: dict[str, str] | None,
    ) -> Table | None:
        """One row per goal from a tab with a tier over each group of columns: each group is
        read as its own one-row-per-goal table (the columns outside every group shared), with
        the tier its band cell names."""
        at, under, spans = band
        rows = table.rows
        grouped = {i for start, end in spans.items() for i in range(start, end)}
        width = max(len(row) for row in rows)
        shared = [i for i in range(width) if i not in grouped]
        shared_names = set()
        header = [None] * width
        for i in shared:
            for source in (rows[under], rows[at]):
                if i < len(source) and filled(source[i]):
                    header[i] = source[i]
                    shared_names.add(self.match_header(str(source[i]).strip(), "goals")[0])
                    break
        parts = []
        for start, end in spans.items():
            keep = [*shared, *range(start, end)]
            group_header = list(header)
            for i in range(start, end):
                group_header[i] = rows[under][i] if i < len(rows[under]) else None
            body = [
                [row[i] if i < len(row) and i in keep else None for i in range(width)]
                for row in rows[under + 1 :]
            ]
            part_reading = TabReading(table.title, reading.role)
            synthetic = RawTable(table.title, [*([[]] * under), group_header, *body])
            part = self.table(
                synthetic,
                "goals",
                [name for name in required if name != "tier"],
                part_reading,
                members=members,
            )
            if part is None:
                return None
            frame = part.frame
            own = [n for i, n in enumerate(group_header) if start <= i < end and filled(n)]
            fields = [self.match_header(str(n).strip(), "goals")[0] or str(n).strip() for n in own]
            has_any = frame[[f for f in fields if f in frame.columns]].notna().any(axis=1)
            tier = str(rows[at][start]).strip()
            frame = frame[has_any.to_numpy()].assign(
                tier=frame["tier"].where(frame["tier"].notna(), tier)
            )
            letters = {**part.columns}
            parts.append((frame, letters))
            for column in part_reading.columns:
                if all(c.column != column.column for c in reading.columns):
                    reading.columns.append(column)
        reading.header_row = under + 1
        titles = ", ".join(str(rows[at][start]).strip() for start in spans)
        reading.layout = f"two header rows: a tier over each group of columns ({titles})"
        frame = pd.concat([f for f, _ in parts], ignore_index=False)
        order = np.argsort(frame["sheet_row"].to_numpy(), kind="stable")
        grouped_fields = {name for _, letters in parts for name in letters} - set(shared_names)
        row_columns = {
            name: np.concatenate(
                [np.full(len(f), letters.get(name, ""), dtype=object) for f, letters in parts]
            )[order]
            for name in grouped_fields
        }
        goal_letters = row_columns["goal"]
        frame = frame.iloc[order].reset_index(drop=True)
        columns = {k: v for k, v in parts[0][1].items() if k not in ("goal", "status", "tier")}
        extras = [
            c for c in frame.columns if c not in FIELDS["goals"] and c not in ("sheet_row", "tab")
        ]
        result = Table(table.title, frame, columns, extras, goal_letters, reading)
        result.struck = frozenset(f"{column_letter(c)}{r + 1}" for r, c in table.struck)
        result.row_columns = row_columns
        return result

    def _columns(
        self, title: str, header: Sequence[Any], header_row: int, kind: str, reading: TabReading
    ) -> tuple[dict[int, str], dict[str, int], dict[int, str]]:
        """Each header cell's field (or its own text for an extra column), where each field is,
        and the tier columns of a wide tab (index → tier)."""
        mapping = getattr(self.config.source.columns, kind)
        names: dict[int, str] = {}
        seen: dict[str, int] = {}
        wide: dict[int, str] = {}
        for index, cell in enumerate(header):
            if not filled(cell):
                continue
            text = str(cell).strip()
            name, how = self.match_header(text, kind)
            letter = column_letter(index)
            if name == "wide":
                wide[index] = self.words.tier.meaning(text) or ""
                reading.columns.append(ColumnReading(letter, text, "goal", how))
                continue
            if name in seen and word_key(text) in WEAK_ALIASES.get(kind, ()):
                name, how = None, f"extra column (the {name} field is {column_letter(seen[name])})"
            if name is None:
                name = text
            if name in seen:
                first = f"{title}!{column_letter(seen[name])}{header_row}"
                self.report(
                    "error",
                    f"{title}!{letter}{header_row}",
                    f'duplicate column "{text}" (also {first}); rename one of them',
                )
                continue
            seen[name] = index
            names[index] = name
            reading.columns.append(
                ColumnReading(letter, text, name if name in FIELDS[kind] else None, how)
            )
        for name, text in mapping.items():
            if name not in seen:
                self.report(
                    "error",
                    f"{title}!{header_row}:{header_row}",
                    f'no column "{text}" (source.columns.{kind}.{name} names it)',
                )
        return names, seen, wide

    def _missing_message(
        self, table: RawTable, kind: str, name: str, header_at: int, found: str
    ) -> str:
        fix = f"rename a header or map it with source.columns.{kind}.{name}"
        if not self.header_fields(table.rows[header_at], kind):
            return (
                f'missing required column "{name}": no row among the first {HEADER_SCAN} '
                f"names known columns (row {header_at + 1} reads {found}); put the headers "
                f"(e.g. {', '.join(n.capitalize() for n in list(FIELDS[kind])[:3])}) in one row, "
                f"or {fix}"
            )
        return f'missing required column "{name}" (headers found: {found}); {fix}'

    def _sections_supply(
        self, rows: list[list[Any]], header_at: int, members: dict[str, str]
    ) -> set[str]:
        """The fields section rows under the header give (a tier, a member) that no column
        does; only the first rows are looked at, as a person would."""
        supplied: set[str] = set()
        for row in rows[header_at + 1 : header_at + 1 + 200]:
            texts = [v for v in row if filled(v)]
            if len(texts) == 1 and isinstance(texts[0], str):
                found = _section_kind(texts[0], members, self.words)
                if found is not None:
                    supplied.add(found[0])
        return supplied

    def _clean(
        self, frame: pd.DataFrame, title: str, columns: dict[int, str], header_row: int
    ) -> pd.DataFrame:
        """Trim text cells (blank text is missing), and report spreadsheet error cells (#DIV/0!,
        #REF!…) as problems naming the cell, then blank: one pass per distinct value."""
        cleaned = {}
        for index, name in columns.items():
            column = frame[name]
            codes, uniques = distinct(column)
            stripped, bad = _stripped_and_errors(uniques)
            values = np.empty(len(uniques) + 1, dtype=object)
            values[:] = [*stripped, None]
            for position in np.flatnonzero(np.isin(codes, bad)) if bad else ():
                self.report(
                    "error",
                    f"{title}!{column_letter(index)}{header_row + 1 + position}",
                    f"the cell shows the spreadsheet error {values[codes[position]]} (its "
                    "formula fails); fix the formula or type the value",
                )
            values[bad] = None
            cleaned[name] = pd.Series(values[codes], index=column.index, dtype=object)
        return pd.DataFrame(cleaned, index=frame.index)

    # -- section rows and blocks -----------------------------------------------------------------

    def _sections(
        self,
        frame: pd.DataFrame,
        blank: np.ndarray,
        title: str,
        reading: TabReading,
        members: dict[str, str],
    ) -> tuple[pd.DataFrame, np.ndarray]:
        """Apply section rows and block fill; returns the frame and which rows to drop."""
        data = frame.drop(columns="sheet_row")
        counts = data.notna().sum(axis=1).to_numpy()
        single = np.flatnonzero(counts == 1)
        kinds: dict[int, tuple[str, str]] = {}
        if len(single):
            cells = data.iloc[single].bfill(axis=1).iloc[:, 0]
            meanings = per_distinct(
                cells,
                lambda text: (
                    _section_kind(text, members, self.words) if isinstance(text, str) else None
                ),
            )
            for position, found in zip(single, meanings, strict=True):
                if found is not None:
                    kinds[int(position)] = found
        if not kinds and "member" not in frame.columns:
            return frame, blank
        is_section = np.zeros(len(frame), dtype=bool)
        is_section[list(kinds)] = True
        if kinds:
            frame = self._apply_sections(frame, kinds, title, reading)
        if "member" in frame.columns:
            frame = self._fill_blocks(frame, blank | is_section, title, reading)
        return frame, blank | is_section

    def _apply_sections(
        self, frame: pd.DataFrame, kinds: dict[int, tuple[str, str]], title: str, reading
    ) -> pd.DataFrame:
        order: list[str] = []  # kinds in order of first appearance: later ones nest
        state: dict[str, str] = {}
        states = [dict(state)]
        for position in sorted(kinds):
            kind, text = kinds[position]
            if kind not in order:
                order.append(kind)
            for nested in order[order.index(kind) + 1 :]:
                state.pop(nested, None)
            state[kind] = text
            states.append(dict(state))
            row = int(frame["sheet_row"].iat[position])
            reading.notes.append(
                f'row {row} "{text}" is a section row: {kind} for the rows under it'
            )
        segment = np.zeros(len(frame), dtype=np.int64)
        segment[sorted(kinds)] = 1
        segment = np.cumsum(segment)
        for kind in order:
            values = np.array([s.get(kind) for s in states], dtype=object)[segment]
            if kind not in frame.columns:
                frame[kind] = values
            else:
                own = frame[kind].to_numpy(dtype=object)
                frame[kind] = np.where(pd.isna(own), values, own)
        return frame

    def _fill_blocks(
        self, frame: pd.DataFrame, breaks: np.ndarray, title: str, reading: TabReading
    ) -> pd.DataFrame:
        """A blank member cell below the first row of a block belongs to the member above."""
        member = frame["member"]
        blank_member = member.isna().to_numpy() & ~breaks
        if not blank_member.any() or member.notna().sum() == 0:
            return frame
        block = np.cumsum(breaks)
        # a section row's own text (in the Member column) is no member: it only ends a block
        filled_member = member.where(~breaks, None).groupby(block).ffill()
        gained = blank_member & filled_member.notna().to_numpy()
        if gained.any():
            frame["member"] = filled_member.where(~breaks, member)
            reading.notes.append(
                f"{int(gained.sum())} row(s) with a blank member cell read as the member above "
                "them in their block (merged or left blank)"
            )
            self.report(
                "info",
                title,
                f"{int(gained.sum())} row(s) with a blank member cell belong to the member named "
                "above them in the same block (merged cells or left blank)",
            )
        return frame

    # -- wide ------------------------------------------------------------------------------------

    def _widen(self, table: Table, wide: dict[int, str]) -> Table:
        """One row per goal from one row per member and one column per tier."""
        frame = table.frame
        keep = [c for c in frame.columns if not str(c).startswith("\0wide")]
        pieces = []
        for index, tier in wide.items():
            cells = frame[f"\0wide{index}"]
            items = per_distinct(cells, _goal_items)
            part = frame[keep].assign(_items=items, _column=column_letter(index), tier=tier)
            pieces.append(part[cells.notna().to_numpy()])
        if not pieces:
            return table
        long = pd.concat(pieces).sort_values(["sheet_row", "_column"], kind="stable")
        long = long.explode("_items", ignore_index=True)
        long = long[long["_items"].notna()].reset_index(drop=True)
        long["goal"] = [item[0] for item in long["_items"]]
        long["status"] = [item[1] for item in long["_items"]]
        cell_column = long["_column"].to_numpy(dtype=object)
        long = long.drop(columns=["_items", "_column"])
        table.frame = long
        table.cell_column = cell_column
        if table.reading is not None:
            table.reading.notes.append(
                f"{len(long)} goal(s) from the tier columns, one per line or bullet"
            )
        return table


_MONTH = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\b", re.IGNORECASE
)
_NUMERIC_DATE = re.compile(r"^\d{1,4}[-/.]\d{1,2}(?:[-/.]\d{1,4})?$")
_MEETING_WORDS = re.compile(r"\b(meeting|session|check-?in|mtg|goals?)\b[:\s-]*", re.IGNORECASE)


def _tab_date(title: str, today: dt.date) -> dt.date | None:
    """The date a tab is named after ("Dec 1", "Nov 17, 2026", "Meeting 2026-11-17"), a
    year-less one in the year that makes it no later than ``today``; else ``None``."""
    text = _MEETING_WORDS.sub(" ", title).strip(" -–:")
    if not (_MONTH.search(text) and re.search(r"\d", text)) and not _NUMERIC_DATE.match(text):
        return None
    try:
        day = date_parser.parse(text, default=dt.datetime(today.year, 1, 1)).date()
    except (ValueError, OverflowError):
        return None
    if not re.search(r"\d{4}", text) and day > today:
        day = day.replace(year=day.year - 1)
    return day


def _grid_mark(value: Any) -> Any:
    """A check-in grid's mark as a status: ½ is half-way ("50%"), anything else as written."""
    if isinstance(value, str) and value.strip() in ("½", "1/2"):
        return "50%"
    if isinstance(value, float) and value == 0.5:
        return "50%"
    return value


def _timestamp(value: Any) -> dt.datetime | None:
    """A form's Timestamp cell ("12/1/2026 10:04:31" as text, or a real date-time)."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, str):
        try:
            return date_parser.parse(value)
        except (ValueError, OverflowError):
            return None
    return None


def words_for(config: Config) -> Words:
    """The words ``config`` brings: English, ``club.language``'s and its ``vocabulary:``."""
    language = config.club.language.split("-")[0].casefold()
    languages = [] if language == "en" else [language]
    return Words.build(languages, config.vocabulary.added())


def _name_parts(names: dict[int, str]) -> dict[str, int]:
    """Where a first-name and a last-name column are, by their headers."""
    found = {}
    for part, words in NAME_PARTS.items():
        keys = {word_key(word) for word in words}
        for index, header in names.items():
            if word_key(header) in keys:
                found.setdefault(part, index)
    return found


def _join_names(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    parts = frame[columns].astype(object).where(frame[columns].notna(), "")
    joined = parts.astype(str).agg(" ".join, axis=1).str.strip()
    return joined.astype(object).where(joined != "", None)


def _section_kind(text: str, members: dict[str, str], words: Words) -> tuple[str, str] | None:
    """What a row whose only text is ``text`` sets: ``("tier", text)``, category or member."""
    if len(text) > 60:
        return None
    member = members.get(" ".join(text.split()).casefold())
    if member is not None:
        return "member", member
    if words.tier.meaning(text) is not None:
        return "tier", text
    if words.category.meaning(text) is not None:
        return "category", text
    return None


_BULLET = re.compile(r"^\s*(?:[-*•·▪◦‣–]|\d{1,2}[.)])\s+")
_DONE_MARKS = re.compile(r"✅|✔️?|☑️?|✓|\[\s*[xX✓]\s*\]|\((?:done|complete|completed)\)", re.I)
_OPEN_MARKS = re.compile(r"\[\s*\]|☐|⬜")
_DROPPED_MARKS = re.compile(r"\((?:dropped|cancelled|canceled)\)|^~~.*~~$", re.I)


def _goal_items(value: Any) -> list[tuple[str, str | None]] | None:
    """The goals written in one cell: a line or bullet each, with done markers read."""
    if value is None:
        return None
    text = str(value)
    lines = [part for line in text.splitlines() for part in re.split(r"\s+•\s+", line)]
    items = []
    for line in lines:
        line = _BULLET.sub("", line).strip()
        if not line:
            continue
        status = None
        if _DONE_MARKS.search(line):
            status = "done"
            line = _DONE_MARKS.sub("", line)
        elif _DROPPED_MARKS.search(line):
            status = "dropped"
            line = _DROPPED_MARKS.sub("", line).strip("~")
        elif _OPEN_MARKS.search(line):
            status = "open"
            line = _OPEN_MARKS.sub("", line)
        line = " ".join(line.split()).strip(" -–:")
        if line:
            items.append((line, status))
    return items or None


def _stripped_and_errors(values: list[Any]) -> tuple[list[Any], list[int]]:
    """Trimmed values (blank text is ``None``), and where spreadsheet error texts are."""
    stripped: list[Any] = []
    errors: list[int] = []
    for position, value in enumerate(values):
        if isinstance(value, str):
            value = value.strip() or None
            if value and value[0] in "#E" and SPREADSHEET_ERROR.fullmatch(value):
                errors.append(position)
        stripped.append(value)
    return stripped, errors


def _listing(titles: Sequence[str]) -> str:
    return ", ".join(f'"{t}"' for t in titles) or "none"


def _missing_tab(title: str, titles: Sequence[str], fix: str = "") -> SheetError:
    return SheetError(
        f'no tab "{title}" (tabs there: {_listing(titles)}); '
        + (fix or "rename the tab or set source.tabs in the config")
    )
