"""Goal identity: which goal of a new version of the sheet is which goal of the recorded one.

Goal identity
-------------
A sheet has no stable row ids: members insert rows, sort, reword. sheetmentor recognizes a goal
across versions of the sheet — each new version against the latest recorded one — by these rules,
in order:

1. **Explicit ID.** When the goal's ``ID`` cell is filled, the ID is the goal's identity: the same
   ID is the same goal, whatever its text, tier or member; two different IDs are two goals. IDs
   compare exactly, ignoring surrounding spaces.
2. **Member and text.** Otherwise the goal is its member plus its *normalized* text: case folded,
   punctuation removed, runs of spaces collapsed ("Rewrite  CV!" is "rewrite cv"). Two equal goals
   of one member are told apart by their order in the sheet (so deleting the first of two equal
   goals hands its identity to the second: give such goals IDs, or different words).
3. **Slight rewording.** A goal that matches nothing in the previous snapshot keeps the identity of
   an unmatched goal of the *same member* in that snapshot when their normalized texts have a
   ``difflib.SequenceMatcher(None, old, new).ratio()`` of at least 0.85 (a typo fixed: "Rewrite
   the CV" → "Rewrite the CV draft") — but never when they differ in a number or a name: the
   numbers in both texts must be the same ("two" is 2: "Call two mentors" → "Call 2 mentors"
   is one goal, "Write chapter 3" → "Write chapter 4" two), and every capitalized word after the
   first in either text must be a word of the other ("Call Bo" → "Call Jo" are two goals, "Call
   Bo" → "Call Bo back" one). The best-scoring pairs are taken first and each goal matches at
   most one (ties go to sheet order). The same one-to-one pass also carries a goal over when an
   ID is added to it, or removed from it, without changing its text (a goal and its old self
   never both carry IDs — those would differ, see 1).
4. Anything else is a new goal ("Call two mentors" → "Ask Dana to lunch"), and the old one is
   *removed*.

**A renamed member** keeps her goals: a member name that no goal of the new sheet carries any more
and one that no goal of the previous snapshot carried are the same member renamed ("Lena Schmit"
→ "Lena Schmidt", fixed in the Members and the Goals tab) when at least half of the goals of each
have the same normalized text, and either two goals do or the names share a word. Rules 2 and 3
then compare her goals under the new name (:func:`renamed_members`), so a goal done long ago is
not a new win, and the rename is no change of hers.

Identities chain from snapshot to snapshot, so a goal reworded a little at every meeting keeps its
identity even when its first and last wordings are far apart.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from sheetmentor.sheet.frames import per_distinct
from sheetmentor.sheet.normalize import CATEGORIES, STATUSES, TIERS, member_key

FUZZY_THRESHOLD = 0.85
"""Minimum ``difflib`` ratio for a reworded goal to keep its identity (see the module doc)."""

STATE_COLUMNS = (
    "member",
    "goal",
    "tier",
    "category",
    "status",
    "progress",
    "set",
    "due",
    "completed",
    "notes",
    "id",
)
"""What a snapshot keeps of each goal: every column of ``Club.goals`` that says what the goal *is*
and where it stands — not its place in the sheet, nor extra columns."""

_TEXT = ("member", "goal", "notes", "id")
DATE_COLUMNS = ("set", "due", "completed")
VOCABULARIES = {"tier": TIERS, "category": CATEGORIES, "status": STATUSES}


def goal_state(goals: pd.DataFrame) -> pd.DataFrame:
    """The :data:`STATE_COLUMNS` of a goals frame, with fixed dtypes and a fresh index.

    Fixed dtypes (``str`` text with NaN for blanks, categoricals over the schema's vocabularies,
    ``datetime64[ns]`` dates) make a frame read back from the store compare equal, cell for cell,
    to one read from the sheet, and let the analysis functions run on either.
    """
    n = len(goals)
    data: dict[str, Any] = {}
    for name in STATE_COLUMNS:
        column = (
            pd.Series(goals[name].to_numpy(), dtype=goals[name].dtype)
            if name in goals
            else pd.Series([None] * n, dtype=object)
        )
        if name in _TEXT:
            data[name] = column.astype(object).astype("str")
        elif name in DATE_COLUMNS:
            data[name] = pd.to_datetime(column, errors="coerce").astype("datetime64[ns]")
        elif name == "progress":
            data[name] = pd.to_numeric(column, errors="coerce").astype(float)
        else:
            data[name] = pd.Categorical(column.astype(object), categories=VOCABULARIES[name])
    return pd.DataFrame(data, index=pd.RangeIndex(n))


_PUNCTUATION = re.compile(r"[^\w\s]|_")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_WORD = re.compile(r"[^\W\d_]+")
NUMBER_WORDS = {
    word: str(value)
    for value, word in enumerate(
        [
            *("zero", "one", "two", "three", "four", "five", "six"),
            *("seven", "eight", "nine", "ten", "eleven", "twelve"),
        ]
    )
}
"""Number words that count as the number they name when comparing goals (rule 3)."""


def normalize_text(text: str) -> str:
    """Goal text as identity compares it: "Rewrite  the CV!" → "rewrite the cv"."""
    return " ".join(_PUNCTUATION.sub("", text.casefold()).split())


def goal_marks(text: str) -> tuple[tuple[str, ...], frozenset[str], frozenset[str]]:
    """What a reworded goal must keep to stay the same goal (module doc, rule 3): its numbers
    (digits, or the words of :data:`NUMBER_WORDS`, in order), its names (capitalized words after
    the first, case folded) and all its words (case folded)."""
    words = _WORD.findall(text)
    folded = [word.casefold() for word in words]
    numbers = [(match.group(), match.start()) for match in _NUMBER.finditer(text.replace(",", "."))]
    spelled = [
        (NUMBER_WORDS[word.casefold()], match.start())
        for match in _WORD.finditer(text)
        if (word := match.group()).casefold() in NUMBER_WORDS
    ]
    ordered = tuple(value for value, _ in sorted(numbers + spelled, key=lambda item: item[1]))
    names = frozenset(word.casefold() for word in words[1:] if word[0].isupper() and word != "I")
    return ordered, names, frozenset(folded)


def same_marks(old: str, new: str) -> bool:
    """Whether two goal texts may be one goal reworded: same numbers, and every name of
    either is a word of the other (module doc, rule 3)."""
    old_numbers, old_names, old_words = goal_marks(old)
    new_numbers, new_names, new_words = goal_marks(new)
    return old_numbers == new_numbers and old_names <= new_words and new_names <= old_words


def _per_distinct(values: pd.Series, function: Callable[[str], str]) -> pd.Series:
    """``function`` of each cell as text, computed once per distinct value (blank → "")."""
    return per_distinct(values, lambda value: "" if value is None else function(str(value)))


def normalize_goal_text(text: pd.Series) -> pd.Series:
    """:func:`normalize_text` of every goal, once per distinct text."""
    return _per_distinct(text, normalize_text)


def _member_keys(member: pd.Series) -> pd.Series:
    """:func:`sheetmentor.sheet.normalize.member_key` of every cell, once per distinct name."""
    return _per_distinct(member, member_key)


def _ids(goals: pd.DataFrame) -> pd.Series:
    if "id" not in goals:
        return pd.Series(np.nan, index=goals.index, dtype="str")
    ids = _per_distinct(goals["id"], str.strip)
    return ids.where(ids.ne("")).astype("str")


def renamed_members(previous: pd.DataFrame, goals: pd.DataFrame) -> dict[str, str]:
    """Member keys of ``previous`` renamed in ``goals``: ``{old key: new key}`` (module doc, "A
    renamed member"). Only names that vanished are paired with names that appeared, best
    overlap first, one to one."""
    old_members = _member_keys(previous["member"]).to_numpy(dtype=object)
    new_members = _member_keys(goals["member"]).to_numpy(dtype=object)
    gone = set(old_members) - set(new_members) - {""}
    came = set(new_members) - set(old_members) - {""}
    if not gone or not came:
        return {}
    old_texts = normalize_goal_text(previous["goal"]).to_numpy(dtype=object)
    new_texts = normalize_goal_text(goals["goal"]).to_numpy(dtype=object)
    before = {m: set(old_texts[old_members == m]) for m in gone}
    after = {m: set(new_texts[new_members == m]) for m in came}
    scored: list[tuple[int, str, str]] = []
    for old, old_goals in before.items():
        for new, new_goals in after.items():
            shared = len(old_goals & new_goals)
            named = bool(set(old.split()) & set(new.split()))
            half = 2 * shared >= max(len(old_goals), len(new_goals))
            if shared and half and (shared >= 2 or named):
                scored.append((shared, old, new))
    scored.sort(key=lambda item: (-item[0], item[1], item[2]))
    pairs: dict[str, str] = {}
    for _, old, new in scored:
        if old not in pairs and new not in pairs.values():
            pairs[old] = new
    return pairs


def _as_renamed(previous: pd.DataFrame, renames: dict[str, str]) -> pd.DataFrame:
    """``previous`` with each renamed member's goals under the new name (member and the natural
    key's member part), for matching only: their keys stay as they were."""
    keys = _member_keys(previous["member"])
    moved = keys.isin(list(renames)).to_numpy()
    out = previous.copy()
    natural = out["natural"].to_numpy(dtype=object).copy()
    member = out["member"].to_numpy(dtype=object).copy()
    for position in np.flatnonzero(moved):
        old = keys.iat[position]
        member[position] = renames[old]
        if not str(natural[position]).startswith("id:"):
            natural[position] = renames[old] + str(natural[position])[len(old) :]
    out["natural"] = pd.Series(natural, index=out.index, dtype="str")
    out["member"] = pd.Series(member, index=out.index, dtype="str")
    return out


def natural_keys(goals: pd.DataFrame) -> pd.Series:
    """Each goal's key by rules 1 and 2 of the module doc: ``id:ID`` or ``member|text``.

    A repeated key gets ``#2``, ``#3``… in sheet order, so keys are unique within a snapshot.
    """
    ids = _ids(goals)
    member = _member_keys(goals["member"]).to_numpy()
    base = member + "|" + normalize_goal_text(goals["goal"]).to_numpy()
    if ids.notna().any():
        has_id = ids.notna().to_numpy()
        base[has_id] = "id:" + ids[has_id].to_numpy(dtype=object)
    codes, uniques = pd.factorize(base)
    if len(uniques) < len(base):
        repeat = pd.Series(codes).groupby(codes, sort=False).cumcount().to_numpy()
        suffix = np.where(repeat > 0, "#" + (repeat + 1).astype(str).astype(object), "")
        base = base + suffix
    return pd.Series(base, index=goals.index, dtype="str")


def identify(
    goals: pd.DataFrame,
    previous: pd.DataFrame | None = None,
    *,
    threshold: float = FUZZY_THRESHOLD,
) -> pd.DataFrame:
    """``goals`` with ``natural`` and ``key`` (identity) columns, matched against ``previous``.

    ``previous`` is an earlier state with ``key`` and ``natural`` columns (a snapshot read from
    the store, or an earlier result of this function). Exact matches are joins; only goals left
    unmatched on both sides of one member are compared with ``difflib`` (module doc, rule 3).
    """
    natural = natural_keys(goals)
    frame = goals.assign(natural=natural.to_numpy())
    if previous is None or previous.empty:
        return frame.assign(key=natural.to_numpy())
    old = previous.reset_index(drop=True)
    renames = renamed_members(old, goals)
    if renames:
        old = _as_renamed(old, renames)
    by_natural = pd.Series(old["key"].to_numpy(), index=old["natural"].to_numpy())
    keys = natural.map(by_natural)
    open_new = keys.isna().to_numpy()
    if open_new.any():
        open_old = old[~old["key"].isin(keys.dropna())]
        if not open_old.empty:
            inherited = _pair(goals[open_new], open_old, threshold)
            positions = np.flatnonzero(open_new)
            keys.iloc[positions] = inherited.reindex(range(len(positions))).to_numpy()
    inherited_mask = keys.notna().to_numpy()
    keys = keys.where(keys.notna(), natural)
    return frame.assign(key=_unique(keys, inherited_mask).to_numpy())


def _pair(new: pd.DataFrame, old: pd.DataFrame, threshold: float) -> pd.Series:
    """Old keys for unmatched new goals (positional index into ``new``): exact text, then fuzzy.

    Both frames are the goals left unmatched by natural key; a pair where both carry an ID is
    never made (different IDs are different goals).
    """
    candidates = pd.DataFrame(
        {
            "member": _member_keys(new["member"]).to_numpy(),
            "text": normalize_goal_text(new["goal"]).to_numpy(),
            "has_id": _ids(new).notna().to_numpy(),
            "original": new["goal"].astype(object).fillna("").to_numpy(),
        }
    )
    previous = pd.DataFrame(
        {
            "member": _member_keys(old["member"]).to_numpy(),
            "text": normalize_goal_text(old["goal"]).to_numpy(),
            "has_id": _ids(old).notna().to_numpy(),
            "key": old["key"].to_numpy(),
            "original": old["goal"].astype(object).fillna("").to_numpy(),
        }
    )
    for side in (candidates, previous):
        side["nth"] = side.groupby(["member", "text"], sort=False).cumcount()
    exact = candidates.reset_index(names="position").merge(
        previous, on=["member", "text", "nth"], suffixes=("", "_old")
    )
    exact = exact[~(exact["has_id"] & exact["has_id_old"])]
    found = pd.Series(exact["key"].to_numpy(), index=exact["position"].to_numpy(), dtype=object)
    rest_new = candidates.drop(index=found.index)
    rest_old = previous[~previous["key"].isin(found.to_numpy())]
    shared = set(rest_new["member"]) & set(rest_old["member"])
    if not shared:
        return found
    olds: dict[str, list[tuple[str, bool, str, str]]] = {}
    for member, text, has_id, key, original in zip(
        rest_old["member"],
        rest_old["text"],
        rest_old["has_id"],
        rest_old["key"],
        rest_old["original"],
        strict=True,
    ):
        if member in shared:
            olds.setdefault(member, []).append((text, bool(has_id), key, str(original)))
    news: dict[str, list[tuple[int, str, bool, str]]] = {}
    for position, member, text, has_id, original in zip(
        rest_new.index,
        rest_new["member"],
        rest_new["text"],
        rest_new["has_id"],
        rest_new["original"],
        strict=True,
    ):
        if member in shared:
            news.setdefault(member, []).append((int(position), text, bool(has_id), str(original)))
    fuzzy: dict[int, str] = {}
    for member, mine in news.items():
        fuzzy.update(_fuzzy(mine, olds[member], threshold))
    return pd.concat([found, pd.Series(fuzzy, dtype=object)])


def _fuzzy(
    new: list[tuple[int, str, bool, str]],
    old: list[tuple[str, bool, str, str]],
    threshold: float,
) -> dict[int, str]:
    """One member's reworded goals: best ratio first, one-to-one, ties in sheet order; a pair
    that differs in a number or a name is never made (:func:`same_marks`)."""
    scored: list[tuple[float, int, int]] = []
    for position, text, has_id, original in new:
        matcher = difflib.SequenceMatcher(None)
        matcher.set_seq2(text)  # seq2 is the one SequenceMatcher caches
        for j, (other, other_id, _, other_original) in enumerate(old):
            if has_id and other_id:
                continue
            matcher.set_seq1(other)
            if (
                matcher.real_quick_ratio() >= threshold
                and matcher.quick_ratio() >= threshold
                and (ratio := matcher.ratio()) >= threshold
                and same_marks(other_original, original)
            ):
                scored.append((ratio, position, j))
    scored.sort(key=lambda item: (-item[0], item[1], item[2]))
    taken_new: set[int] = set()
    taken_old: set[int] = set()
    pairs: dict[int, str] = {}
    for _, position, j in scored:
        if position not in taken_new and j not in taken_old:
            taken_new.add(position)
            taken_old.add(j)
            pairs[position] = old[j][2]
    return pairs


def _unique(keys: pd.Series, inherited: np.ndarray) -> pd.Series:
    """Inherited keys win; a new goal whose natural key an inherited one already uses gets
    ``#2``, ``#3``… (rare: a goal reworded back while its namesake was re-added)."""
    duplicated = keys.duplicated(keep=False).to_numpy() & ~inherited
    if not duplicated.any():
        return keys
    keys = keys.copy()
    used = set(keys[~duplicated])
    for position in np.flatnonzero(duplicated):
        key, n = keys.iat[position], 2
        candidate = key
        while candidate in used:
            candidate, n = f"{key}#{n}", n + 1
        keys.iat[position] = candidate
        used.add(candidate)
    return keys


def differs(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Cell-wise "not equal", where two blanks are equal (without boxing dates or codes)."""
    if isinstance(a.dtype, pd.CategoricalDtype) and a.dtype == b.dtype:
        return a.cat.codes.to_numpy() != b.cat.codes.to_numpy()
    if a.dtype.kind == "M" and b.dtype.kind == "M":
        left = a.to_numpy(dtype="datetime64[ns]").view(np.int64)
        return left != b.to_numpy(dtype="datetime64[ns]").view(np.int64)  # NaT is one value
    if a.dtype.kind == "f" and b.dtype.kind == "f":
        left, right = a.to_numpy(), b.to_numpy()
        return ~((left == right) | (np.isnan(left) & np.isnan(right)))
    left, right = a.to_numpy(dtype=object), b.to_numpy(dtype=object)
    differs = np.asarray(left != right, dtype=bool)
    maybe = np.flatnonzero(differs)  # NaN != NaN: check blanks only where cells differ
    differs[maybe] = ~(pd.isna(left[maybe]) & pd.isna(right[maybe]))
    return differs
