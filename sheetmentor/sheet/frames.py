"""Column helpers shared by the normalizer and the meeting memory: work once per distinct value.

A 100,000-row Goals tab has a few hundred distinct tier words, dates or names; parsing each
distinct value once (``pandas.factorize``) and spreading the results back with numpy costs a few
hundred parses instead of 100,000.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd


def per_distinct(column: pd.Series, function: Callable[[Any], Any]) -> pd.Series:
    """``function`` over a column, called once per distinct value; blanks become ``None`` and
    the result stays an object column (``Series.map`` in pandas 3 would infer a ``str`` dtype
    with NaN for blanks)."""
    codes, uniques = distinct(column)
    values = np.empty(len(uniques) + 1, dtype=object)
    values[:] = [*(function(value) for value in uniques), function(None)]
    return pd.Series(values[codes], index=column.index, dtype=object)


def distinct(column: pd.Series) -> tuple[np.ndarray, list[Any]]:
    """Codes and distinct values of a column, blanks coded -1.

    ``pandas.factorize`` hashes ``True`` and ``1`` (and ``False`` and ``0``) as one value, but a
    checkbox and a number mean different things in a cell ("TRUE" is no progress; 1 is 100%), so
    booleans get codes of their own.
    """
    codes, found = pd.factorize(column, use_na_sentinel=True)
    uniques = list(found)
    if pd.api.types.infer_dtype(found, skipna=True) in ("string", "empty"):
        return codes, uniques  # text only (the usual case, checked in C): no checkbox to split
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
