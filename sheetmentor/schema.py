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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from dateutil import parser as date_parser

from .errors import SheetProblemsError
from .sources import RawTable, open_source

if TYPE_CHECKING:
    from .config import Config

TIERS = ("two-week", "quarterly", "long-term")
CATEGORIES = ("professional", "personal")
STATUSES = ("done", "open", "dropped")

GOOGLE_EPOCH = dt.date(1899, 12, 30)
"""Day zero of spreadsheet serial dates (Google Sheets, Excel's 1900 system after 1900-03-01)."""


def _key(text: object) -> str:
    """How headers and vocabulary words compare: case, spaces and punctuation do not count."""
    return re.sub(r"[^0-9a-z%+✓✔☑☐]", "", str(text).casefold())


def _vocabulary(words: dict[str, Sequence[str]]) -> dict[str, str]:
    return {_key(word): value for value, synonyms in words.items() for word in synonyms}


TIER_WORDS = _vocabulary(
    {
        "two-week": ["two-week", "two weeks", "2 week", "2 weeks", "2-wk", "2wks", "biweekly",
                     "bi-weekly", "fortnight", "fortnightly", "sprint", "cycle", "next meeting"],
        "quarterly": ["quarterly", "quarter", "q", "q1", "q2", "q3", "q4", "short term",
                      "3 months", "3 month", "90 days", "this quarter"],
        "long-term": ["long-term", "long term", "long", "1 year+", "1 year", "1yr+", "1 yr",
                      "annual", "yearly", "year", "years", "multi-year", "lt", "12 months"],
    }
)  # fmt: skip
CATEGORY_WORDS = _vocabulary(
    {
        "professional": ["professional", "pro", "work", "career", "job", "business"],
        "personal": ["personal", "life", "self", "health", "family", "home", "private"],
    }
)
STATUS_WORDS = _vocabulary(
    {
        "done": ["done", "complete", "completed", "finished", "achieved", "✓", "✔", "☑", "x",
                 "true", "yes", "y", "100%"],
        "open": ["todo", "to do", "not started", "in progress", "wip", "false", "no", "n",
                 "open", "started", "ongoing", "pending", "blocked", "☐", "0%"],
        "dropped": ["dropped", "abandoned", "cancelled", "canceled", "scrapped", "dropped it"],
    }
)  # fmt: skip
ACTIVE_WORDS = _vocabulary(
    {
        "yes": ["yes", "y", "true", "active", "1", "x", "✓", "✔", "☑"],
        "no": ["no", "n", "false", "inactive", "left", "paused", "alumni", "away", "0", "☐"],
    }
)
MEETING_STATUS_WORDS = _vocabulary(
    {
        "held": ["held", "met", "done", "yes", "happened", "planned", "scheduled", "moved"],
        "skipped": ["skipped", "skip", "cancelled", "canceled", "no meeting", "none", "off"],
    }
)

FIELDS: dict[str, dict[str, Sequence[str]]] = {
    "members": {
        "name": ["name", "member", "peer", "person", "full name", "who"],
        "email": ["email", "e-mail", "email address", "mail"],
        "active": ["active", "active?", "is active", "current"],
        "focus": ["focus", "focus area", "wants", "looking for", "what i want", "objective"],
        "joined": ["joined", "join date", "member since", "since", "start date"],
    },
    "goals": {
        "member": ["member", "name", "who", "peer", "owner", "person"],
        "goal": ["goal", "goals", "description", "commitment", "what", "task", "objective"],
        "tier": ["tier", "horizon", "term", "timeframe", "time frame", "type"],
        "category": ["category", "cat", "kind", "area", "domain"],
        "status": ["status", "state", "done?", "done"],
        "progress": [
            "progress",
            "% done",
            "% complete",
            "percent",
            "percent done",
            "percent complete",
            "completion",
            "pct",
        ],
        "set": ["set", "date set", "set on", "created", "added", "start", "started"],
        "due": ["due", "due date", "due by", "deadline", "by", "target", "target date"],
        "completed": ["completed", "completed on", "date done", "done on", "finished on"],
        "notes": ["notes", "note", "comments", "comment", "update", "updates"],
        "id": ["id", "goal id", "ref"],
    },
    "meetings": {
        "date": ["date", "meeting", "meeting date", "when"],
        "location": ["location", "where", "place", "room"],
        "facilitator": ["facilitator", "host", "chair", "lead", "led by"],
        "attended": ["attended", "attendance", "present", "attendees", "who came"],
        "notes": ["notes", "note", "minutes", "summary"],
        "status": ["status", "held", "held?", "happened"],
    },
}
REQUIRED = {"members": ("name",), "goals": ("member", "goal", "tier"), "meetings": ("date",)}
DATE_FIELDS = {"members": ("joined",), "goals": ("set", "due", "completed"), "meetings": ("date",)}


@dataclass(frozen=True)
class Problem:
    """Something in the sheet that sheetmentor could not understand, and where it is."""

    severity: Literal["error", "warning"]
    ref: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.ref}: {self.message}" if self.ref else self.message


@dataclass
class Club:
    """The sheet as typed frames. Frames keep the sheet's row order and a ``sheet_row`` column.

    ``members``: name, email, active, focus, joined, tab, sheet_row, then extra columns.
    ``goals``: member, goal, tier, category, status, progress, set, due, completed, notes, id,
    tab, sheet_row, then extra columns. Dates are ``datetime64`` (NaT when blank); ``progress``
    is the goal's progress as a fraction (1.0 when done).
    ``meetings``: date, location, facilitator, attended (tuple of names), notes, status (held or
    skipped), tab, sheet_row, then extra columns.
    """

    name: str
    members: pd.DataFrame
    goals: pd.DataFrame
    meetings: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    extra_columns: dict[str, list[str]] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def active_members(self) -> pd.DataFrame:
        return self.members[self.members["active"]]

    def raise_for_errors(self) -> None:
        """Refuse to go on while the sheet has errors (``--force`` skips this call)."""
        if self.errors:
            raise SheetProblemsError(self.errors)


def read_club(config: Config) -> Club:
    """Read the configured sheet in one go and normalize it."""
    tabs = config.source.tabs
    source = open_source(config.source)
    if config.source.layout == "tab-per-member":
        tables = source.read_all_tables()
    else:
        tables = source.read_tables([tabs.members, tabs.goals], optional=[tabs.meetings])
    return normalize(tables, config)


def normalize(tables: dict[str, RawTable], config: Config) -> Club:
    """Members, goals and meetings from raw tables, with every problem found on the way."""
    normalizer = _Normalizer(config)
    return normalizer.club(tables)


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


@dataclass
class _Tab:
    """A tab's data rows as an object frame, with the sheet column of each recognized field."""

    title: str
    frame: pd.DataFrame
    columns: dict[str, str]  # field or extra header -> column letter
    extras: list[str]

    def ref(self, name: str, row: int) -> str:
        return f"{self.title}!{self.columns[name]}{row}"


class _Normalizer:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.day_first = config.source.day_first
        self.problems: list[Problem] = []
        self.extra_columns: dict[str, list[str]] = {}

    def error(self, ref: str | None, message: str) -> None:
        self.problems.append(Problem("error", ref, message))

    def warning(self, ref: str | None, message: str) -> None:
        self.problems.append(Problem("warning", ref, message))

    def club(self, tables: dict[str, RawTable]) -> Club:
        tabs = self.config.source.tabs
        members = self.members(tables[tabs.members])
        if self.config.source.layout == "tab-per-member":
            goal_tables = self._member_tabs(tables, members)
        else:
            goal_tables = [(tables[tabs.goals], None)]
        goals = self.goals(goal_tables, members)
        meetings_table = tables.get(tabs.meetings)
        meetings = self.meetings(meetings_table, members)
        self._club_warnings(members)
        return Club(
            name=self.config.club.name,
            members=members,
            goals=goals,
            meetings=meetings,
            problems=self.problems,
            extra_columns=self.extra_columns,
        )

    # -- tables ---------------------------------------------------------------------------------

    def tab(self, table: RawTable, kind: str, required: Sequence[str]) -> _Tab | None:
        """Find the header row, match headers to fields, and return the non-blank data rows."""
        rows = table.rows
        header_at = next((i for i, row in enumerate(rows) if any(_filled(v) for v in row)), None)
        if header_at is None:
            self.error(
                table.title,
                f"the tab is empty (expected a header row with {', '.join(FIELDS[kind])})",
            )
            return None
        header = rows[header_at]
        header_row = header_at + 1
        mapping = getattr(self.config.source.columns, kind)
        explicit = {_key(text): name for name, text in mapping.items()}
        aliases = {_key(alias): name for name, names in FIELDS[kind].items() for alias in names}
        names: dict[int, str] = {}
        seen: dict[str, int] = {}
        for index, cell in enumerate(header):
            if not _filled(cell):
                continue
            text = str(cell).strip()
            name = explicit.get(_key(text))
            if name is None:
                alias = aliases.get(_key(text))
                name = alias if alias is not None and alias not in mapping else text
            if name in seen:
                first = f"{table.title}!{column_letter(seen[name])}{header_row}"
                self.error(
                    f"{table.title}!{column_letter(index)}{header_row}",
                    f'duplicate column "{text}" (also {first}); rename one of them',
                )
                continue
            seen[name] = index
            names[index] = name
        for name, text in mapping.items():
            if name not in seen:
                self.error(
                    f"{table.title}!{header_row}:{header_row}",
                    f'no column "{text}" (source.columns.{kind}.{name} names it)',
                )
        missing = [name for name in required if name not in seen]
        if missing:
            missing = [name for name in missing if name not in mapping]  # reported above
            found = ", ".join(f'"{str(c).strip()}"' for c in header if _filled(c))
            for name in missing:
                self.error(
                    f"{table.title}!{header_row}:{header_row}",
                    f'missing required column "{name}" (headers found: {found}); rename a '
                    f"header or map it with source.columns.{kind}.{name}",
                )
            return None
        width = max(names) + 1
        body = [
            row if len(row) == width else [*row[:width], *[None] * (width - len(row))]
            for row in rows[header_at + 1 :]
        ]
        frame = pd.DataFrame(body, columns=range(width), dtype=object) if body else None
        if frame is None:
            frame = pd.DataFrame(columns=range(width), dtype=object)
        frame = frame[list(names)].rename(columns=names)
        frame = frame.apply(_strip_text)
        frame["sheet_row"] = np.arange(header_row + 1, header_row + 1 + len(frame))
        frame = frame[frame.drop(columns="sheet_row").notna().any(axis=1)]
        frame["tab"] = table.title
        fields = set(FIELDS[kind])
        extras = [name for name in names.values() if name not in fields]
        columns = {name: column_letter(index) for index, name in names.items()}
        for name in FIELDS[kind]:
            if name not in frame.columns:
                frame[name] = None
        return _Tab(table.title, frame.reset_index(drop=True), columns, extras)

    def parse(
        self, tab: _Tab, name: str, parse: Callable[[Any], tuple[Any, str | None]]
    ) -> np.ndarray:
        """Parse a column once per distinct value; report every cell whose value failed."""
        codes, uniques = _distinct(tab.frame[name])
        parsed = [parse(value) for value in uniques] + [parse(None)]
        values = np.empty(len(parsed), dtype=object)
        values[:] = [value for value, _ in parsed]
        messages = [message for _, message in parsed]
        bad = [code for code, message in enumerate(messages) if message]
        if bad:
            bad_codes = np.array(bad)
            bad_codes[bad_codes == len(uniques)] = -1
            for position in np.flatnonzero(np.isin(codes, bad_codes)):
                row = int(tab.frame["sheet_row"].iat[position])
                self.error(tab.ref(name, row), messages[codes[position]])
        return values[codes]

    def dates(self, tab: _Tab, name: str) -> pd.Series:
        if name not in tab.columns:
            return pd.Series(pd.NaT, index=tab.frame.index, dtype="datetime64[ns]")
        values = self.parse(tab, name, self.parse_date)
        return pd.Series(pd.to_datetime(values), index=tab.frame.index).astype("datetime64[ns]")

    # -- members --------------------------------------------------------------------------------

    def members(self, table: RawTable) -> pd.DataFrame:
        tab = self.tab(table, "members", REQUIRED["members"])
        if tab is None:
            return _empty_frame(FIELDS["members"])
        self.extra_columns["members"] = tab.extras
        frame = tab.frame
        names = _texts(frame["name"])
        seen: dict[str, int] = {}
        keep = np.ones(len(frame), dtype=bool)
        for position, name in enumerate(names):
            row = int(frame["sheet_row"].iat[position])
            if name is None:
                self.error(tab.ref("name", row), "the member's name is empty")
                keep[position] = False
            elif member_key(name) in seen:
                self.error(
                    tab.ref("name", row),
                    f'duplicate member "{name}" (also on row {seen[member_key(name)]}); '
                    f"names must be unique",
                )
                keep[position] = False
            else:
                seen[member_key(name)] = row
        frame = frame.assign(
            name=names,
            email=self.parse(tab, "email", _parse_email),
            active=self.parse(tab, "active", _parse_active).astype(bool),
            focus=_texts(frame["focus"]),
            joined=self.dates(tab, "joined"),
        )
        return frame[keep].reset_index(drop=True)

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
                self.warning(
                    f"{row.tab}!{row.sheet_row}:{row.sheet_row}",
                    f"{row.name} has no email address; they will not get recaps",
                )

    # -- goals ----------------------------------------------------------------------------------

    def _member_tabs(
        self, tables: dict[str, RawTable], members: pd.DataFrame
    ) -> list[tuple[RawTable, str]]:
        tabs = self.config.source.tabs
        by_key = dict(zip(members["name"].map(member_key), members["name"], strict=True))
        found = []
        for title, table in tables.items():
            if title in (tabs.members, tabs.meetings):
                continue
            member = by_key.get(member_key(title))
            if member is None:
                self.warning(title, "this tab is not named after a member; it is ignored")
            else:
                found.append((table, member))
        return found

    def goals(
        self, tables: list[tuple[RawTable, str | None]], members: pd.DataFrame
    ) -> pd.DataFrame:
        required = [name for name in REQUIRED["goals"] if name != "member"]
        frames = []
        for table, owner in tables:
            tab = self.tab(table, "goals", required if owner else REQUIRED["goals"])
            if tab is None:
                continue
            self.extra_columns["goals"] = list(
                dict.fromkeys([*self.extra_columns.get("goals", []), *tab.extras])
            )
            frames.append(self.goal_frame(tab, owner, members))
        if not frames:
            return _empty_frame([*FIELDS["goals"], "tab", "sheet_row"])
        goals = pd.concat(frames, ignore_index=True)
        if goals.empty and len(tables) == 1:
            self.warning(tables[0][0].title, "no goals yet")
        return goals

    def goal_frame(self, tab: _Tab, owner: str | None, members: pd.DataFrame) -> pd.DataFrame:
        frame = tab.frame
        placeholder = frame["goal"].isna() & frame["tier"].isna()
        tab.frame = frame = frame[~placeholder].reset_index(drop=True)
        for position in np.flatnonzero(frame["goal"].isna().to_numpy()):
            row = int(frame["sheet_row"].iat[position])
            self.error(tab.ref("goal", row), "the goal's text is empty")
        if owner is None:
            by_key = dict(zip(members["name"].map(member_key), members["name"], strict=True))
            listed = ", ".join(members["name"]) or "none"

            def parse_member(value: Any) -> tuple[str | None, str | None]:
                if value is None:
                    return None, "no member named for this goal"
                name = by_key.get(member_key(value))
                if name is None:
                    return None, f'unknown member "{value}" (members are: {listed})'
                return name, None

            member = self.parse(tab, "member", parse_member)
        else:
            member = np.full(len(frame), owner, dtype=object)
        tier = self.parse(tab, "tier", _vocab_parser(TIER_WORDS, "tier", TIERS, required=True))
        category = self.parse(
            tab, "category", _vocab_parser(CATEGORY_WORDS, "category", CATEGORIES)
        )
        blank_category = frame["category"].isna().to_numpy()
        status = self.parse(tab, "status", _parse_status)
        given = self.parse(tab, "progress", _parse_progress)
        status = np.where(pd.isna(status), "open", status)
        given = pd.to_numeric(pd.Series(given), errors="coerce").to_numpy(dtype=float)
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
        for position in np.flatnonzero(blank_category & frame["goal"].notna().to_numpy()):
            if "category" in tab.columns:
                row = int(frame["sheet_row"].iat[position])
                self.warning(
                    tab.ref("category", row),
                    "no category (professional or personal); the goal counts in its tier only",
                )
        return frame

    # -- meetings -------------------------------------------------------------------------------

    def meetings(self, table: RawTable | None, members: pd.DataFrame) -> pd.DataFrame:
        columns = [*FIELDS["meetings"], "tab", "sheet_row"]
        if table is None:
            return _empty_frame(columns)
        tab = self.tab(table, "meetings", REQUIRED["meetings"])
        if tab is None:
            return _empty_frame(columns)
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
                row = int(frame["sheet_row"].iat[position])
                self.error(tab.ref("date", row), "the meeting's date is empty")
        status = self.parse(
            tab,
            "status",
            _vocab_parser(MEETING_STATUS_WORDS, "meeting status", ("held", "skipped")),
        )
        frame = frame.assign(
            date=pd.to_datetime(pd.Series(dates, index=frame.index)).astype("datetime64[ns]"),
            location=_texts(frame["location"]),
            facilitator=self.parse(tab, "facilitator", parse_facilitator),
            attended=self.parse(tab, "attended", parse_people),
            notes=_texts(frame["notes"]),
            status=np.where(pd.isna(status), "held", status),
        )
        return frame[frame["date"].notna()].sort_values("date").reset_index(drop=True)

    # -- values ---------------------------------------------------------------------------------

    def parse_date(self, value: Any) -> tuple[dt.date | None, str | None]:
        """A real date cell, a serial number, or text (ISO, "Nov 24, 2026", "24/11/2026"),
        within the years pandas can hold (a date outside them is a problem, not a crash)."""
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
            if 1 <= value < 2958466:
                return GOOGLE_EPOCH + dt.timedelta(days=int(value)), None
            return None, f"{value} is not a date"
        text = str(value).strip()
        iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?", text)
        numeric = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})", text)
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
            parsed = date_parser.parse(text, dayfirst=self.day_first, default=_NO_YEAR)
            if parsed.year == _NO_YEAR.year:
                return None, f'"{text}" has no year (write it like "Nov 24, 2026")'
            other = date_parser.parse(text, dayfirst=self.day_first, default=_OTHER_DEFAULT)
            if (parsed.month, parsed.day) != (other.month, other.day):  # filled in, not read
                return None, f'"{text}" has no day (write it like "Nov 24, 2026")'
            return parsed.date(), None
        except (ValueError, OverflowError):
            return None, f'"{text}" is not a date (write it like 2026-11-24 or "Nov 24, 2026")'


_NO_YEAR = dt.datetime(0o1, 1, 1)
_OTHER_DEFAULT = dt.datetime(0o2, 2, 2)
"""Text parsed with both defaults gives two dates when it lacks a month or a day."""
DATE_RANGE = (dt.date(1678, 1, 1), dt.date(2261, 12, 31))
"""The dates pandas holds (nanoseconds since 1970 span 1677 to 2262)."""


def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _strip_text(column: pd.Series) -> pd.Series:
    """Trim text cells and turn blank text into missing values, leaving typed cells alone."""
    return _per_distinct(column, _stripped)


def _stripped(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() or None
    return value


def _per_distinct(column: pd.Series, function: Callable[[Any], Any]) -> pd.Series:
    """``function`` over a column, called once per distinct value; blanks become ``None`` and
    the result stays an object column (``Series.map`` in pandas 3 would infer a ``str`` dtype
    with NaN for blanks)."""
    codes, uniques = _distinct(column)
    values = np.empty(len(uniques) + 1, dtype=object)
    values[:] = [*(function(value) for value in uniques), function(None)]
    return pd.Series(values[codes], index=column.index, dtype=object)


def _distinct(column: pd.Series) -> tuple[np.ndarray, list[Any]]:
    """Codes and distinct values of a column, blanks coded -1.

    ``pandas.factorize`` hashes ``True`` and ``1`` (and ``False`` and ``0``) as one value, but a
    checkbox and a number mean different things in a cell ("TRUE" is no progress; 1 is 100%), so
    booleans get codes of their own.
    """
    codes, found = pd.factorize(column, use_na_sentinel=True)
    uniques = list(found)
    if not any(isinstance(value, bool | int | float | np.number) for value in uniques):
        return codes, uniques
    cells = column.to_numpy(dtype=object)
    is_bool = np.fromiter((type(v) is bool for v in cells), dtype=bool, count=len(cells))
    stands_for_bool = np.array([type(v) is bool for v in uniques] + [False])
    mixed = is_bool != stands_for_bool[codes]
    if mixed.any():
        codes = codes.copy()
        extra: dict[tuple[bool, Any], int] = {}
        for position in np.flatnonzero(mixed):
            value = cells[position]
            key = (type(value) is bool, value)
            if key not in extra:
                extra[key] = len(uniques)
                uniques.append(value)
            codes[position] = extra[key]
    return codes, uniques


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
    return _per_distinct(column, _text)


def member_key(name: Any) -> str:
    """How member names compare: case and runs of spaces do not count ("ada  okonkwo ")."""
    return " ".join(str(name).split()).casefold()


def _empty_frame(columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=object) for name in columns})


def _vocab_parser(
    words: dict[str, str], what: str, expected: Sequence[str], *, required: bool = False
) -> Callable[[Any], tuple[str | None, str | None]]:
    listing = ", ".join(expected[:-1]) + f" or {expected[-1]}"

    def parse(value: Any) -> tuple[str | None, str | None]:
        if value is None:
            return None, (f"no {what} (expected {listing})" if required else None)
        found = words.get(_key(value))
        if found is None:
            return None, f'unknown {what} "{value}" (expected {listing})'
        return found, None

    return parse


def _parse_status(value: Any) -> tuple[str | None, str | None]:
    if value is None:
        return "open", None
    if isinstance(value, bool):
        return ("done" if value else "open"), None
    if isinstance(value, int | float):
        if 0 <= value <= 1:
            return ("done" if value == 1 else "open"), None
        return None, f"unknown status {value} (expected done, open or dropped)"
    text = str(value)
    found = STATUS_WORDS.get(_key(text))
    if found is None and re.fullmatch(r"\d{1,2}(\.\d+)?\s*%", text.strip()):
        found = "open"
    if found is None:
        return (
            None,
            f'unknown status "{text}" (expected done, open — e.g. "in progress" — or dropped)',
        )
    return found, None


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


def _parse_active(value: Any) -> tuple[bool, str | None]:
    if value is None:
        return True, None
    if isinstance(value, bool):
        return value, None
    found = ACTIVE_WORDS.get(_key(value))
    if found is None:
        return True, f'"{value}" is not yes or no (Active: blank means yes)'
    return found == "yes", None


_EMAIL = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+")


def _parse_email(value: Any) -> tuple[str | None, str | None]:
    if value is None:
        return None, None
    text = str(value).strip()
    if not _EMAIL.fullmatch(text):
        return None, f'"{text}" is not an email address'
    return text, None
