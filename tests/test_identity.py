"""Goal identity across versions of the sheet: a different number or name is a different goal;
case, punctuation, emoji and small typos are not; an ID column wins. Properties with hypothesis,
then the same rule seen through ``changes``."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
from conftest import ClubFolder
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetmentor.memory import goal_state, identify

WORDS = st.lists(
    st.sampled_from(
        ["write", "read", "the", "draft", "report", "plan", "call", "book", "finish", "review"]
    ),
    min_size=2,
    max_size=6,
).map(" ".join)
NAMES = st.sampled_from(["Bo", "Jo", "Dana", "Dina", "Lee", "Leo", "Ana", "Ava"])
NUMBERS = st.integers(min_value=0, max_value=999)


def state(rows: list[tuple[str, str, str | None]]) -> pd.DataFrame:
    """A goals state from (member, goal, id) rows."""
    return goal_state(pd.DataFrame(rows, columns=["member", "goal", "id"]))


def same_goals(pairs: list[tuple[str, str]]) -> list[bool]:
    """For each (old, new) text pair, whether ``new`` keeps ``old``'s identity; each pair is
    its own member's only goal, so one ``identify`` call checks them all."""
    members = [f"Member {i}" for i in range(len(pairs))]
    olds, news = zip(*pairs, strict=True)
    previous = identify(state([(m, old, None) for m, old in zip(members, olds, strict=True)]))
    now = identify(state([(m, new, None) for m, new in zip(members, news, strict=True)]), previous)
    return list(now["key"] == previous["key"])


PAIRS = dict(min_size=1, max_size=12)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.tuples(WORDS, NUMBERS, NUMBERS), **PAIRS))
def test_a_different_number_is_a_different_goal(cases: list[tuple[str, int, int]]) -> None:
    pairs = [(f"{w} {n}".capitalize(), f"{w} {m}".capitalize()) for w, n, m in cases]
    assert same_goals(pairs) == [n == m for _, n, m in cases]


@settings(max_examples=15, deadline=None)
@given(st.lists(st.tuples(WORDS, NAMES, NAMES), **PAIRS))
def test_a_different_name_is_a_different_goal(cases: list[tuple[str, str, str]]) -> None:
    pairs = [(f"{w.capitalize()} {a}", f"{w.capitalize()} {b}") for w, a, b in cases]
    assert same_goals(pairs) == [a == b for _, a, b in cases]


@settings(max_examples=15, deadline=None)
@given(
    st.lists(
        st.tuples(
            WORDS,
            NAMES,
            NUMBERS,
            st.sampled_from(["upper", "lower", "title"]),
            st.sampled_from(["", "!", ".", " 🎯", " ✅", "?!"]),
        ),
        **PAIRS,
    )
)
def test_case_punctuation_and_emoji_keep_the_goal(
    cases: list[tuple[str, str, int, str, str]],
) -> None:
    pairs = []
    for words, name, n, case, tail in cases:
        old = f"{words.capitalize()} {name} {n}"
        pairs.append((old, getattr(old, case)() + tail))
    assert all(same_goals(pairs))


@settings(max_examples=15, deadline=None)
@given(st.lists(st.tuples(WORDS, st.integers(min_value=0, max_value=200)), **PAIRS))
def test_a_small_typo_keeps_the_goal(cases: list[tuple[str, int]]) -> None:
    pairs = []
    for words, seed in cases:
        old = f"{words} and then some more words".capitalize()
        letters = [i for i in range(len(old) - 1) if old[i].isalpha() and old[i + 1].isalpha()]
        i = letters[seed % len(letters)]
        pairs.append((old, old[:i] + old[i + 1] + old[i] + old[i + 2 :]))  # two letters swapped
    assert all(same_goals(pairs))


@settings(max_examples=15, deadline=None)
@given(WORDS, WORDS, st.sampled_from(["G-1", "7", "abc"]))
def test_an_id_wins_over_any_text(old: str, new: str, goal_id: str) -> None:
    previous = identify(state([("Ada", old, goal_id), ("Ada", "Something else", None)]))
    now = identify(state([("Ada", new, goal_id)]), previous)
    assert list(now["key"]) == [previous["key"][0]] == [f"id:{goal_id}"]


def test_changes_tells_a_new_goal_from_a_reworded_one(club: ClubFolder) -> None:
    members = [["Name", "Email", "Active"], ["Ada Okonkwo", "ada@example.org", "yes"]]
    header = ["Goal ID", "Member", "Goal", "Tier", "Category", "Status"]
    due = dt.date(2026, 12, 1)

    def sheet(*goals: tuple[str | None, str]) -> list[list]:
        return [[*header, "Due"]] + [
            [goal_id, "Ada Okonkwo", text, "2-wk", "work", "", due] for goal_id, text in goals
        ]

    club.write(
        members=members,
        goals=sheet(
            (None, "Write chapter 3"),
            (None, "Call Bo"),
            (None, "Rewrite the CV"),
            ("G-9", "Plan the retreat"),
        ),
    )
    env = {"SHEETMENTOR_NOW": "2026-11-17T14:00"}
    assert club.run("record", env=env).exit_code == 0
    club.write(
        members=members,
        goals=sheet(
            (None, "Write chapter 4"),
            (None, "Call Jo"),
            (None, "Rewrite teh CV!"),
            ("G-9", "Book a cabin for the club weekend"),
        ),
    )
    result = club.run("changes", "--format", "json", env={"SHEETMENTOR_NOW": "2026-11-20T10:00"})
    assert result.exit_code == 0, result.stderr
    ada = json.loads(result.stdout)["members"]["Ada Okonkwo"]
    assert [c["goal"] for c in ada["added"]] == ["Write chapter 4", "Call Jo"]
    assert [c["goal"] for c in ada["removed"]] == ["Write chapter 3", "Call Bo"]
    assert [(c["from"], c["to"]) for c in ada["reworded"]] == [
        ("Rewrite the CV", "Rewrite teh CV!"),
        ("Plan the retreat", "Book a cabin for the club weekend"),
    ]


def test_a_renamed_member_keeps_her_goals_and_no_old_win_is_new(club: ClubFolder) -> None:
    """Fixing a typo in a member's name, in the Members and the Goals tab alike, is no change of
    hers: her goal done in September is not a new win, nor are her goals added or re-scoped.
    A member who leaves while another joins with goals of her own is not taken for a rename."""
    header = ["Member", "Goal", "Tier", "Category", "Status", "Progress", "Due"]
    due = dt.date(2026, 12, 1)

    def sheet(lena: str, leaver: str) -> dict:
        return {
            "members": [
                ["Name", "Email", "Active"],
                ["Ada Okonkwo", "ada@example.org", "yes"],
                [lena, "lena@example.org", "yes"],
                [leaver, "x@example.org", "yes"],
            ],
            "goals": [
                header,
                ["Ada Okonkwo", "Rewrite CV", "2-wk", "work", "", None, due],
                [lena, "Run 5k", "2-wk", "life", "done", None, dt.date(2026, 9, 22)],
                [lena, "Learn Go", "Q", "work", "", "30%", dt.date(2026, 12, 31)],
                [leaver, "Run 5k", "2-wk", "life", "", None, due],
            ],
        }

    club.write(**sheet("Lena Schmit", "Cy Diallo"))
    assert club.run("record", env={"SHEETMENTOR_NOW": "2026-11-17T14:00"}).exit_code == 0
    club.write(**sheet("Lena Schmidt", "Di Evans"))
    env = {"SHEETMENTOR_NOW": "2026-11-20T10:00"}
    result = club.run("changes", "--format", "json", env=env)
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    lena = report["members"]["Lena Schmidt"]
    assert not lena["updated"]
    assert not any(lena[kind] for kind in ("added", "completed", "rescoped", "removed"))
    assert "Lena Schmidt" in report["no_update"]
    assert [c["goal"] for c in report["members"]["Di Evans"]["added"]] == ["Run 5k"]
    agenda = club.run("agenda", env=env)
    assert agenda.exit_code == 0, agenda.stderr
    assert "completed: Run 5k" not in agenda.stdout
    assert "Since Nov 17: no update." in agenda.stdout.split(". Lena Schmidt\n", 1)[1]
