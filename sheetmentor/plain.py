"""Plain Python values for templates and JSON: one home for the conversions and the one JSON
encoder of the project."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import numpy as np
import pandas as pd


def number(value: Any) -> float | None:
    """A figure for JSON: rounded to 4 places (rates and progress need no more), None when
    missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), 4)


def plain(value: Any) -> Any:
    """One cell as templates and JSON want it: pandas' and numpy's dates as
    :class:`datetime.date`, their scalars as Python ones, every missing marker as None."""
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date()
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else pd.Timestamp(value).date()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NaT or value is pd.NA:
        return None
    return value


def cell(value: Any) -> Any:
    """A cell for templates: pandas' missing markers (NaN, NaT, NA) become ``None``; any other
    value stays as it is."""
    missing = pd.isna(value)
    return None if isinstance(missing, bool) and missing else value


def day(value: Any) -> dt.date | None:
    """A date cell (a ``Timestamp``, ``datetime64`` or date) as :class:`datetime.date`; None
    when missing."""
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain dicts: dates as :class:`datetime.date`, missing values as None, numpy
    scalars as Python ones — what templates expect."""
    columns = list(frame.columns)
    return [
        {str(c): plain(v) for c, v in zip(columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]


def to_json(value: Any) -> str:
    """JSON for ``to_dict()`` results: dates as ISO 8601."""

    def default(item: Any) -> Any:
        if isinstance(item, dt.date):
            return item.isoformat()
        raise TypeError(f"{type(item).__name__} is not JSON serializable")

    return json.dumps(value, ensure_ascii=False, indent=2, default=default) + "\n"
