"""Cells as Google Sheets keeps them, and how the values API renders them.

A Google cell holds an *effective value* (text, number, boolean or error), an optional formula and a
*number format*. Dates are numbers (days since 1899-12-30) with a date format, percents are
fractions with a percent format. What the values API returns depends on the render option:

* ``FORMATTED_VALUE``: everything as the text the sheet shows, in the spreadsheet's locale
  (``11/24/2026``, ``40%``, ``TRUE``, ``1.45``); ``dateTimeRenderOption`` is ignored;
* ``UNFORMATTED_VALUE``: numbers and booleans as JSON numbers and booleans, dates as serial
  numbers or, with ``FORMATTED_STRING``, as their formatted text;
* ``FORMULA``: like ``UNFORMATTED_VALUE`` but a formula cell gives its formula text.

Only the formats a club's workbook uses are rendered faithfully (dates, times, percents, fixed
decimals, grouping, text); anything else falls back to Google's automatic number format.
"""

from __future__ import annotations

import ast
import datetime as dt
import math
import operator
import re
from dataclasses import dataclass
from typing import Any

from sheetmentor.sheet.sources.google import ERROR_TEXTS

EPOCH = dt.datetime(1899, 12, 30)

CellScalar = None | str | bool | int | float


@dataclass(frozen=True)
class Locale:
    decimal: str
    group: str
    short_date: str
    short_datetime: str
    short_time: str
    day_first: bool


LOCALES: dict[str, Locale] = {
    "en_US": Locale(".", ",", "M/d/yyyy", "M/d/yyyy H:mm:ss", "h:mm:ss AM/PM", False),
    "en_GB": Locale(".", ",", "dd/MM/yyyy", "dd/MM/yyyy HH:mm:ss", "HH:mm:ss", True),
    "en_CA": Locale(".", ",", "yyyy-MM-dd", "yyyy-MM-dd H:mm:ss", "h:mm:ss AM/PM", False),
    "de_DE": Locale(",", ".", "dd.MM.yyyy", "dd.MM.yyyy HH:mm:ss", "HH:mm:ss", True),
    "fr_FR": Locale(",", "\u202f", "dd/MM/yyyy", "dd/MM/yyyy HH:mm:ss", "HH:mm:ss", True),
}


def locale_of(name: str) -> Locale:
    """The locale's conventions; unknown locales read like ``en_US``."""
    return LOCALES.get(name, LOCALES["en_US"])


@dataclass(frozen=True)
class Cell:
    """One non-empty cell: effective value, optional formula, optional number format pattern.

    The pattern uses the Sheets/Excel syntax (``0%``, ``M/d/yyyy``, ``#,##0.00``);
    ``SHORT_DATE``, ``SHORT_DATETIME`` and ``SHORT_TIME`` stand for the locale's default formats
    (what a date typed or uploaded without a format gets). Build cells in Python with the class
    methods, or pass plain values to
    :meth:`~sheetmentor_testing.emulator.SheetsEmulator.add_spreadsheet`.
    """

    value: CellScalar
    formula: str | None = None
    pattern: str | None = None
    error: bool = False

    @classmethod
    def percent(cls, fraction: float, pattern: str = "0%") -> Cell:
        return cls(fraction, pattern=pattern)

    @classmethod
    def with_formula(cls, formula: str, value: CellScalar = None) -> Cell:
        """A formula and its computed value (computed here when not given and simple enough)."""
        if value is None:
            computed = evaluate_formula(formula)
            return cls(computed, formula=formula, error=isinstance(computed, str))
        return cls(value, formula=formula)

    @property
    def kind(self) -> str:
        """``text``, ``bool``, ``number``, ``date``, ``time``, ``datetime`` or ``error``."""
        if self.error:
            return "error"
        if isinstance(self.value, bool):
            return "bool"
        if isinstance(self.value, str):
            return "text"
        return pattern_kind(self.pattern)


def to_serial(value: dt.date | dt.datetime | dt.time) -> int | float:
    """A date, datetime or time as a Sheets serial number (whole days for a date)."""
    if isinstance(value, dt.datetime):
        delta = value.replace(tzinfo=None) - EPOCH
        return _tidy(delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6)
    if isinstance(value, dt.date):
        return (value - EPOCH.date()).days
    seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    return _tidy(seconds / 86400)


def from_serial(serial: float) -> dt.datetime:
    return EPOCH + dt.timedelta(days=float(serial))


def _tidy(number: float) -> int | float:
    """Google's JSON writes whole numbers without a fraction (``2``, not ``2.0``)."""
    if isinstance(number, float) and number.is_integer() and abs(number) < 2**53:
        return int(number)
    return number


def from_python(value: Any) -> Cell | None:
    """A Python value as the cell a person would have made: dates get the locale's short date."""
    if value is None or value == "":
        return None
    if isinstance(value, Cell):
        return value
    if isinstance(value, bool | str):
        return Cell(value)
    if isinstance(value, int | float):
        return Cell(_tidy(float(value)) if isinstance(value, float) else value)
    if isinstance(value, dt.datetime):
        return Cell(to_serial(value), pattern="SHORT_DATETIME")
    if isinstance(value, dt.date):
        return Cell(to_serial(value), pattern="SHORT_DATE")
    if isinstance(value, dt.time):
        return Cell(to_serial(value), pattern="SHORT_TIME")
    raise TypeError(f"cannot store a {type(value).__name__} in a cell")


# --- number format patterns ----------------------------------------------------------------

_BRACKETS = re.compile(r"\[[^\]]*\]")
_QUOTED = re.compile(r'"[^"]*"|\\.')
_EXCEL_SHORT_DATE = "mm-dd-yy"  # how openpyxl names Excel's built-in "short date" (format 14)


def _section(pattern: str) -> str:
    """The positive-number section, without colours and locale tags."""
    return _BRACKETS.sub("", pattern.split(";")[0])


def pattern_kind(pattern: str | None) -> str:
    """What a pattern makes of a number: ``number``, ``date``, ``time`` or ``datetime``."""
    if pattern in (None, "", "General", "@"):
        return "number"
    if pattern == "SHORT_DATE":
        return "date"
    if pattern == "SHORT_DATETIME":
        return "datetime"
    if pattern == "SHORT_TIME":
        return "time"
    bare = _QUOTED.sub("", _section(pattern)).lower()
    has_time = bool(re.search(r"[hs]", bare)) or "am/pm" in bare
    has_date = bool(re.search(r"[yd]", bare)) or (not has_time and "m" in bare)
    if has_date and has_time:
        return "datetime"
    if has_date:
        return "date"
    if has_time:
        return "time"
    return "number"


def _resolve(pattern: str, locale: Locale) -> str:
    """Replace the locale-dependent placeholders (and Excel's "short date" built-ins)."""
    if pattern == "SHORT_DATE" or pattern.lower() == _EXCEL_SHORT_DATE:
        return locale.short_date
    if pattern == "SHORT_DATETIME" or pattern.lower() == "m/d/yy h:mm":
        return locale.short_datetime
    if pattern == "SHORT_TIME":
        return locale.short_time
    return pattern


def format_value(cell: Cell, locale: Locale) -> str:
    """The text the cell shows (``FORMATTED_VALUE``)."""
    value = cell.value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    kind = cell.kind
    if kind in ("date", "time", "datetime"):
        return format_datetime(float(value), _resolve(cell.pattern or "", locale))
    return format_number(float(value), cell.pattern, locale)


_DATE_TOKEN = re.compile(
    r'"[^"]*"|\\.|am/pm|a/p|yyyy|yy|mmmmm|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|\.0+|.',
    re.IGNORECASE,
)


def format_datetime(serial: float, pattern: str) -> str:
    """Render a serial number with a date/time pattern (``M/d/yyyy``, ``d-mmm-yy``, ``h:mm``)."""
    moment = from_serial(round(serial * 86400) / 86400)
    tokens = _DATE_TOKEN.findall(_section(pattern))
    twelve_hour = any(t.lower() in ("am/pm", "a/p") for t in tokens)
    out: list[str] = []
    for i, token in enumerate(tokens):
        low = token.lower()
        if token.startswith('"'):
            out.append(token[1:-1])
        elif token.startswith("\\"):
            out.append(token[1:])
        elif low == "yyyy":
            out.append(f"{moment.year:04d}")
        elif low == "yy":
            out.append(f"{moment.year % 100:02d}")
        elif low.startswith("m") and _is_minute(tokens, i):
            out.append(f"{moment.minute:02d}" if len(low) == 2 else str(moment.minute))
        elif low in ("mmmmm", "mmmm", "mmm", "mm", "m"):
            out.append(_month(moment, len(low)))
        elif low == "dddd":
            out.append(moment.strftime("%A"))
        elif low == "ddd":
            out.append(moment.strftime("%a"))
        elif low in ("dd", "d"):
            out.append(f"{moment.day:02d}" if low == "dd" else str(moment.day))
        elif low in ("hh", "h"):
            hour = moment.hour % 12 or 12 if twelve_hour else moment.hour
            out.append(f"{hour:02d}" if low == "hh" else str(hour))
        elif low in ("ss", "s"):
            out.append(f"{moment.second:02d}" if low == "ss" else str(moment.second))
        elif low.startswith(".0"):
            digits = len(low) - 1
            out.append("." + f"{moment.microsecond:06d}"[:digits])
        elif low in ("am/pm", "a/p"):
            marker = "AM" if moment.hour < 12 else "PM"
            out.append(marker if low == "am/pm" else marker[0])
        else:
            out.append(token)
    return "".join(out)


def _is_minute(tokens: list[str], index: int) -> bool:
    if len(tokens[index]) > 2:
        return False
    for prev in reversed(tokens[:index]):
        low = prev.lower()
        if low in ("h", "hh"):
            return True
        if low[:1] in ("y", "d", "m") and not prev.startswith(('"', "\\")):
            break
    for nxt in tokens[index + 1 :]:
        low = nxt.lower()
        if low in ("s", "ss"):
            return True
        if low[:1] in ("y", "d", "m", "h") and not nxt.startswith(('"', "\\")):
            break
    return False


def _month(moment: dt.datetime, width: int) -> str:
    if width == 5:
        return moment.strftime("%B")[0]
    if width == 4:
        return moment.strftime("%B")
    if width == 3:
        return moment.strftime("%b")
    return f"{moment.month:02d}" if width == 2 else str(moment.month)


_NUMBER_TOKEN = re.compile(r'"[^"]*"|\\.|[_*].|[0#?][0#?,]*(?:\.[0#?]*)?(?:[eE][+-][0#]+)?|.')


def format_number(number: float, pattern: str | None, locale: Locale) -> str:
    """Render a number: automatic format, or a fixed/percent/grouped/scientific pattern."""
    if pattern in (None, "", "General", "@"):
        return _general(number, locale)
    tokens = _NUMBER_TOKEN.findall(_section(pattern))
    spec_at = next((i for i, t in enumerate(tokens) if t[0] in "0#?"), None)
    if spec_at is None:
        return _general(number, locale)
    spec = tokens[spec_at]
    if "%" in tokens:
        number *= 100
    whole, _, frac = spec.partition(".")
    decimals = len(re.sub(r"[eE].*", "", frac))
    if re.search(r"[eE][+-]", spec):
        mantissa, power = f"{number:.{decimals}E}".split("E")
        body = f"{mantissa}E{int(power):+03d}".replace(".", locale.decimal)
    else:
        body = f"{abs(number):,.{decimals}f}" if "," in whole else f"{abs(number):.{decimals}f}"
        body = body.replace(",", "\0").replace(".", locale.decimal).replace("\0", locale.group)
        if number < 0 and any(ch not in "0" + locale.decimal + locale.group for ch in body):
            body = "-" + body
    out = []
    for i, token in enumerate(tokens):
        if i == spec_at:
            out.append(body)
        elif token.startswith('"'):
            out.append(token[1:-1])
        elif token.startswith("\\"):
            out.append(token[1:])
        elif token[0] not in "_*":
            out.append(token)
    return "".join(out)


def _general(number: float, locale: Locale) -> str:
    """Google's automatic format: whole numbers bare, others up to ten decimals."""
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    if abs(number) >= 1e15 or abs(number) < 1e-9:
        mantissa, power = f"{number:.2E}".split("E")
        return f"{mantissa}E{int(power):+03d}".replace(".", locale.decimal)
    digits = max(0, 10 - max(0, math.floor(math.log10(abs(number))) + 1))
    text = f"{number:.{digits}f}".rstrip("0").rstrip(".")
    return text.replace(".", locale.decimal)


# --- what the API returns -----------------------------------------------------------------

VALUE_RENDER_OPTIONS = ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA")
DATETIME_RENDER_OPTIONS = ("SERIAL_NUMBER", "FORMATTED_STRING")


def render(cell: Cell, value_option: str, datetime_option: str, locale: Locale) -> Any:
    """The JSON value of a cell under the request's render options."""
    if value_option == "FORMATTED_VALUE" or cell.error:
        return format_value(cell, locale)
    if value_option == "FORMULA" and cell.formula is not None:
        return cell.formula
    if cell.kind in ("date", "time", "datetime") and datetime_option == "FORMATTED_STRING":
        return format_value(cell, locale)
    value = cell.value
    if isinstance(value, float):
        return _tidy(value)
    return value


def number_format(cell: Cell, locale: Locale) -> dict[str, str] | None:
    """The cell's ``effectiveFormat.numberFormat`` (None: Google's automatic format)."""
    if cell.pattern is None or cell.error or not isinstance(cell.value, int | float):
        return None
    kind = cell.kind
    pattern = _resolve(cell.pattern, locale)
    if kind in ("date", "time", "datetime"):
        return {"type": {"datetime": "DATE_TIME"}.get(kind, kind.upper()), "pattern": pattern}
    bare = _QUOTED.sub("", _section(pattern))
    if "%" in bare:
        kind = "PERCENT"
    elif re.search(r"[eE][+-]", bare):
        kind = "SCIENTIFIC"
    elif re.search(r"[$€£¥]", pattern):
        kind = "CURRENCY"
    elif pattern == "@":
        kind = "TEXT"
    else:
        kind = "NUMBER"
    return {"type": kind, "pattern": pattern}


def extended_value(cell: Cell) -> dict[str, Any]:
    """The cell's ``effectiveValue`` (an ``ExtendedValue``)."""
    if cell.error:
        kind = _ERROR_TYPES.get(str(cell.value), "ERROR")
        return {"errorValue": {"type": kind, "message": f"Error {cell.value} in the formula."}}
    if isinstance(cell.value, bool):
        return {"boolValue": cell.value}
    if isinstance(cell.value, str):
        return {"stringValue": cell.value}
    value = cell.value
    return {"numberValue": _tidy(value) if isinstance(value, float) else value}


_ERROR_TYPES = {text: kind for kind, text in ERROR_TEXTS.items()}


# --- what the API accepts -----------------------------------------------------------------

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_PERCENT = re.compile(r"([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*%")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_SLASH_DATE = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})")
_NAMED_DATE = re.compile(
    r"([A-Za-z]{3,9})\.? (\d{1,2}),? (\d{4})|(\d{1,2}) ([A-Za-z]{3,9})\.? (\d{4})"
)
_MONTHS = {
    name: number
    for number in range(1, 13)
    for name in (
        dt.date(2000, number, 1).strftime("%B").lower(),
        dt.date(2000, number, 1).strftime("%b").lower(),
    )
}


def parse_input(value: Any, user_entered: bool, locale: Locale) -> Cell | bool | None:
    """A value from a write request as the cell Google stores.

    Returns ``False`` for JSON ``null`` ("leave this cell alone"), ``None`` for an empty cell.
    ``RAW`` keeps strings as text, so a member's ``=SUM(1)`` stays text. ``USER_ENTERED`` reads
    what a person typing would get: formulas (simple arithmetic is computed), numbers, percents,
    booleans and dates (ISO, locale order, month names), with a leading ``'`` forcing text.
    """
    if value is None:
        return False
    if isinstance(value, bool):
        return Cell(value)
    if isinstance(value, int | float):
        return Cell(_tidy(float(value)) if isinstance(value, float) else value)
    if not isinstance(value, str):
        raise TypeError(f"Invalid value at 'data.values' ({type(value).__name__})")
    if value == "":
        return None
    if not user_entered:
        return Cell(value)
    return _parse_user_text(value, locale)


def _parse_user_text(text: str, locale: Locale) -> Cell:
    if text.startswith("'"):
        return Cell(text[1:])
    if text.startswith("=") and len(text) > 1:
        return Cell.with_formula(text)
    stripped = text.strip()
    if stripped.upper() in ("TRUE", "FALSE"):
        return Cell(stripped.upper() == "TRUE")
    number = _locale_number(stripped, locale)
    if number is not None:
        return Cell(number)
    match = _PERCENT.fullmatch(stripped.replace(locale.decimal, "."))
    if match:
        places = len(match.group(1).partition(".")[2])
        pattern = "0%" if places == 0 else "0." + "0" * places + "%"
        return Cell(_tidy(round(float(match.group(1)) / 100, 12)), pattern=pattern)
    date_cell = _parse_date(stripped, locale)
    if date_cell is not None:
        return date_cell
    return Cell(text)


def _locale_number(text: str, locale: Locale) -> int | float | None:
    candidate = text.replace(locale.group, "") if locale.group in text else text
    if locale.decimal != ".":
        if "." in candidate:
            return None
        candidate = candidate.replace(locale.decimal, ".")
    if not _NUMBER.fullmatch(candidate):
        return None
    number = float(candidate)
    return int(number) if re.fullmatch(r"[+-]?\d+", candidate) else _tidy(number)


def _parse_date(text: str, locale: Locale) -> Cell | None:
    try:
        match = _ISO_DATE.fullmatch(text)
        if match:
            year, month, day = (int(g) for g in match.group(1, 2, 3))
            if match.group(4) is None:
                return Cell(to_serial(dt.date(year, month, day)), pattern="yyyy-mm-dd")
            hour, minute, second = (
                int(match.group(4)),
                int(match.group(5)),
                int(match.group(6) or 0),
            )
            moment = dt.datetime(year, month, day, hour, minute, second)
            return Cell(to_serial(moment), pattern="yyyy-mm-dd H:mm:ss")
        match = _SLASH_DATE.fullmatch(text)
        if match:
            first, second, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
            year += 2000 if year < 30 else 1900 if year < 100 else 0
            day, month = (first, second) if locale.day_first else (second, first)
            return Cell(to_serial(dt.date(year, month, day)), pattern="SHORT_DATE")
        match = _NAMED_DATE.fullmatch(text)
        if match:
            if match.group(1):
                name, day, year = match.group(1), int(match.group(2)), int(match.group(3))
                pattern = "mmm d, yyyy" if len(name) <= 4 else "mmmm d, yyyy"
            else:
                day, name, year = int(match.group(4)), match.group(5), int(match.group(6))
                pattern = "d mmm yyyy" if len(name) <= 4 else "d mmmm yyyy"
            month = _MONTHS.get(name.lower().rstrip("."))
            if month is None:
                return None
            return Cell(to_serial(dt.date(year, month, day)), pattern=pattern)
    except ValueError:
        return None
    return None


# --- formulas: arithmetic on literals only -------------------------------------------------

_OPERATORS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
_FUNCTIONS = {
    "SUM": sum,
    "MIN": min,
    "MAX": max,
    "AVERAGE": lambda values: sum(values) / len(values),
}


def evaluate_formula(formula: str) -> int | float | str:
    """The value of ``=4/2`` or ``=SUM(1, 2.5)``; ``#NAME?`` (or ``#DIV/0!``) otherwise.

    The emulator computes only arithmetic on literal numbers: enough for tests of what
    ``USER_ENTERED`` does, without pretending to be a spreadsheet engine.
    """
    source = formula[1:].replace("^", "**")
    try:
        tree = ast.parse(source, mode="eval")
        return _tidy(float(_eval(tree.body)))
    except ZeroDivisionError:
        return "#DIV/0!"
    except (SyntaxError, ValueError, TypeError, KeyError, OverflowError):
        return "#NAME?"


def _eval(node: ast.AST) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _eval(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](_eval(node.left), _eval(node.right))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        function = _FUNCTIONS[node.func.id.upper()]
        return function([_eval(arg) for arg in node.args])
    raise ValueError("unsupported formula")
