"""Noise that does not change a club's goals does not change its figures.

Hypothesis adds title rows, blank rows, tier section rows, member cells left blank down their
block, case and spacing noise, and reorders the columns of a Goals tab; the figures (goals and
done per member and tier) stay those of the clean sheet, read by the library as ``read_club``
reads any source.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from sheet_corpus import EXPECTED, MEMBERS, PLAIN

from sheetmentor.config import Config
from sheetmentor.sheet.normalize import normalize
from sheetmentor.sheet.sources import RawTable

CONFIG = Config.model_validate(
    {
        "club": {"name": "Property Club"},
        "meetings": {"first": dt.date(2026, 9, 8)},
        "source": {"path": "club.xlsx"},
    }
)
TIER_WORDS = {
    "two-week": ["two-week", "2 weeks", "TWO WEEK GOALS", "Biweekly", "2-wk"],
    "quarterly": ["quarterly", "This quarter", "Q4", "Short-term (quarterly)"],
    "long-term": ["long-term", "Long term (1yr+)", "Yearly", "1 year+"],
}
STATUS_WORDS = {
    "done": ["done", "✅ Done", "Complete", "✔", "x"],
    "in progress": ["in progress", "On track", "Behind", "Carried over", "Not done", "50%"],
    "": ["", "⏳", "Incomplete"],
}


def noisy(draw: st.DrawFn, text: str) -> str:
    spaced = draw(st.sampled_from([text, f"  {text}", f"{text} ", text.replace(" ", "  ")]))
    return draw(st.sampled_from([spaced, spaced.upper(), spaced.lower(), spaced.title()]))


@st.composite
def sheets(draw: st.DrawFn) -> list[list]:
    header, *rows = PLAIN
    order = draw(st.permutations(range(len(header))))
    sections = draw(st.booleans())
    blocks = not sections and draw(st.booleans())  # member named once, blank down its block
    body: list[list] = []
    keyed = sorted(rows, key=lambda row: ["two-week", "quarterly", "long-term"].index(row[2]))
    ordered = keyed if sections else rows
    current_tier = None
    for position, row in enumerate(ordered):
        row = list(row)
        tier_word = draw(st.sampled_from(TIER_WORDS[row[2]]))
        if sections and row[2] != current_tier:
            current_tier = row[2]
            body.append([tier_word])
            row[2] = None
        else:
            row[2] = noisy(draw, tier_word)
        same_block = position > 0 and ordered[position - 1][0] == row[0]
        row[0] = None if blocks and same_block else noisy(draw, row[0])
        row[4] = draw(st.sampled_from(STATUS_WORDS[row[4]]))
        body.append([row[index] for index in order])
        block_ends = (
            position + 1 == len(ordered) or ordered[position + 1][0] != ordered[position][0]
        )
        if block_ends or not blocks:
            body.extend([[]] * draw(st.integers(0, 1)))
    titles = [[draw(st.sampled_from(["PBC Goals 2026", "Our goals", "Updated weekly"]))]]
    top = titles * draw(st.integers(0, 2)) + [[]] * draw(st.integers(0, 2))
    return [*top, [noisy(draw, header[index]) for index in order], *body]


def figures(goals) -> dict:
    found: dict = {}
    for (member, tier), group in goals.groupby(["member", "tier"], observed=True):
        found.setdefault(member, {})[tier] = [len(group), int((group["status"] == "done").sum())]
    return found


@settings(max_examples=60, deadline=None)
@given(sheets())
def test_noise_keeps_the_figures(goals: list[list]) -> None:
    tables = {"Members": RawTable("Members", MEMBERS), "Goals": RawTable("Goals", goals)}
    club = normalize(tables, CONFIG)
    assert club.errors == [], (club.errors, goals)
    assert figures(club.goals) == EXPECTED
