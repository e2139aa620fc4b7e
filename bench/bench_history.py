"""Meeting memory at organization size: snapshot, read back and diff 100,000 goals over 12 meetings.

    python bench/bench_history.py [--rows 100000] [--meetings 12] [--members 200] [--change 0.05]
                                  [--seed 7] [--smoke]

Generates (seeded) a goals frame with the columns of ``Club.goals`` and, between meetings,
perturbs about ``--change`` of the goals the way members edit a sheet: progress moves, goals get
done or dropped, due dates move, tiers change, text is reworded slightly (identity must survive)
or rewritten, rows are deleted and new goals added. After each meeting it measures, in one
process:

* ``record``: :meth:`HistoryStore.record` of the new sheet state (identity matching, diff against
  the latest snapshot, writing only changed versions);
* ``record again``: the same state once more (the content-hash fast path: nothing stored);
* ``open``: opening the store, which reads every page once (``PRAGMA quick_check``) so that a
  damaged file is reported at once;
* ``baseline``: finding and reading back the state that stands for the previous meeting
  (:meth:`HistoryStore.baseline`, then :meth:`HistoryStore.state`) from a freshly opened store;
* ``changes``: :func:`current_state` + :func:`changes_since` (previous meeting → now).

Baselines in the same run: ``pickle.dumps`` of each meeting's full goals frame, and writing every
snapshot in full to SQLite with ``DataFrame.to_sql`` (one table, a snapshot column). Prints the
store's size on disk after the last meeting beside theirs, and checks that the diffs found what
the generator changed. ``--smoke`` (2,000 rows, 4 meetings) is for CI. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import pickle
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sheetmentor.config import MeetingsConfig
from sheetmentor.memory import HistoryStore, changes_since, current_state, goal_state
from sheetmentor.schedule import Meeting
from sheetmentor.sheet.normalize import CATEGORIES, STATUSES, TIERS, Club

FIRST = dt.date(2026, 1, 6)
WORDS = ["ship", "write", "call", "publish", "learn", "plan", "finish", "start", "review", "draft",
         "portfolio", "mentors", "posts", "talk", "proposal", "budget", "project", "resume",
         "spanish", "garden", "marathon", "podcast", "newsletter", "workshop", "course",
         "certificate", "interview", "network", "conference", "article", "chapter", "website",
         "guitar", "savings", "pottery", "volunteer", "apartment", "recipe", "french", "kotlin",
         "rust", "design", "system", "lunch", "coffee", "manager", "promotion", "salary",
         "offsite", "retro", "hiring", "onboarding", "roadmap", "launch", "demo", "pitch",
         "investor", "client", "contract", "invoice", "taxes", "insurance", "doctor", "dentist",
         "yoga", "swim", "climb", "bike", "hike", "camp", "paint", "sketch", "photo"]  # fmt: skip


def meetings_config() -> MeetingsConfig:
    return MeetingsConfig.model_validate(
        {"every": "2 weeks", "weekday": "tuesday", "time": "12:00", "duration": "60m",
         "timezone": "America/Toronto", "first": FIRST, "location": "Room 4B"}
    )  # fmt: skip


def sentence(rng: np.random.Generator, count: int) -> np.ndarray:
    words = np.array(WORDS, dtype=object)
    picks = rng.integers(0, len(words), size=(count, 5))
    lengths = rng.integers(3, 6, size=count)
    return np.array(
        [" ".join(words[row[:n]]).capitalize() for row, n in zip(picks, lengths, strict=True)],
        dtype=object,
    )


def first_sheet(rng: np.random.Generator, rows: int, members: list[str]) -> pd.DataFrame:
    days = pd.to_datetime(FIRST) + pd.to_timedelta(rng.integers(0, 330, size=rows), unit="D")
    status = rng.choice(np.array(STATUSES, dtype=object), size=rows, p=[0.2, 0.75, 0.05])
    progress = np.where(status == "done", 1.0, rng.integers(0, 10, size=rows) / 10)
    return pd.DataFrame(
        {
            "member": rng.choice(np.array(members, dtype=object), size=rows),
            "goal": sentence(rng, rows),
            "tier": pd.Categorical(rng.choice(TIERS, size=rows), categories=TIERS),
            "category": pd.Categorical(rng.choice(CATEGORIES, size=rows), categories=CATEGORIES),
            "status": pd.Categorical(status, categories=STATUSES),
            "progress": progress,
            "set": pd.Series(days - pd.Timedelta(days=14)).astype("datetime64[ns]"),
            "due": pd.Series(days).astype("datetime64[ns]"),
            "completed": pd.Series(pd.NaT, index=range(rows), dtype="datetime64[ns]"),
            "notes": pd.Series(np.nan, index=range(rows), dtype="str"),
            "id": pd.Series(np.nan, index=range(rows), dtype="str"),
            "tab": "Goals",
            "sheet_row": np.arange(2, rows + 2),
        }
    )


def perturb(
    rng: np.random.Generator, goals: pd.DataFrame, share: float, members: list[str]
) -> tuple[pd.DataFrame, dict[str, int]]:
    """About ``share`` of the goals edited, as members edit: returns the new sheet and what the
    diff should find."""
    goals = goals.copy()
    n = len(goals)
    picked = rng.choice(n, size=int(n * share), replace=False)
    kinds = rng.choice(
        np.array(["progress", "done", "dropped", "due", "tier", "reword", "rewrite", "delete"]),
        size=len(picked),
        p=[0.35, 0.15, 0.05, 0.1, 0.05, 0.1, 0.05, 0.15],
    )
    is_open = (goals["status"] == "open").to_numpy()

    def rows(kind: str, open_only: bool = True) -> np.ndarray:
        chosen = picked[kinds == kind]
        return chosen[is_open[chosen]] if open_only else chosen

    at = rows("progress")
    before = goals.loc[at, "progress"].to_numpy()
    goals.loc[at, "progress"] = np.minimum(before + 0.1, 0.9)
    moved = int((goals.loc[at, "progress"].to_numpy() > before).sum())  # 90% stays 90%
    at = rows("done")
    goals.loc[at, "status"], goals.loc[at, "progress"] = "done", 1.0
    goals.loc[rows("dropped"), "status"] = "dropped"
    at = rows("due", open_only=False)
    goals.loc[at, "due"] = goals.loc[at, "due"] + pd.Timedelta(days=14)
    at = rows("tier", open_only=False)
    goals.loc[at, "tier"] = np.where(goals.loc[at, "tier"] == "quarterly", "long-term", "quarterly")
    at = rows("reword", open_only=False)
    goals.loc[at, "goal"] = goals.loc[at, "goal"] + " soon"  # ratio stays above 0.85
    at = rows("rewrite", open_only=False)
    rewritten_done = int((goals.loc[at, "status"] == "done").sum())
    goals.loc[at, "goal"] = sentence(rng, len(at))
    expected = {
        "progress": moved,
        "completed": len(rows("done")),
        "dropped": len(rows("dropped")),
        "rescoped": len(rows("due", False)) + len(rows("tier", False)),
        "reworded": len(rows("reword", False)),
        "rewritten": len(rows("rewrite", False)),
        "removed": len(rows("delete", False)),
    }
    goals = goals.drop(index=rows("delete", open_only=False))
    added = first_sheet(rng, expected["removed"], members)
    expected["added done"] = int((added["status"] == "done").sum()) + rewritten_done
    goals = pd.concat([goals, added], ignore_index=True)
    goals["sheet_row"] = np.arange(2, len(goals) + 2)
    return goals, expected


def club_of(goals: pd.DataFrame, members: pd.DataFrame) -> Club:
    meetings = pd.DataFrame({c: pd.Series(dtype=object) for c in ("date", "attended", "status")})
    return Club(name="Bench", members=members, goals=goals, meetings=meetings)


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


def size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def meeting_on(day: dt.date, zone: dt.tzinfo) -> Meeting:
    """The meeting of ``day``, 12:00–13:00 club time (snapshots are taken at 14:00)."""
    start = dt.datetime.combine(day, dt.time(12, 0), tzinfo=zone)
    return Meeting(0, day, start, start + dt.timedelta(hours=1), "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--meetings", type=int, default=12)
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--change", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--smoke", action="store_true", help="2,000 rows, 4 meetings (for CI)")
    args = parser.parse_args()
    if args.smoke:
        args.rows, args.meetings, args.members = 2_000, 4, 20

    rng = np.random.default_rng(args.seed)
    random.seed(args.seed)
    names = [f"Member {i:04d}" for i in range(args.members)]
    members = pd.DataFrame(
        {
            "name": pd.Series(names, dtype="str"),
            "active": np.ones(len(names), dtype=bool),
            "email": pd.Series(np.nan, index=range(len(names)), dtype="str"),
            "focus": pd.Series(np.nan, index=range(len(names)), dtype="str"),
            "joined": pd.Series(pd.NaT, index=range(len(names)), dtype="datetime64[ns]"),
        }
    )
    config = meetings_config()
    zone = config.zone
    dates = [FIRST + dt.timedelta(weeks=2 * i) for i in range(args.meetings)]

    sheets: list[pd.DataFrame] = []
    expectations: list[dict[str, int]] = []
    goals = first_sheet(rng, args.rows, names)
    for index in range(args.meetings):
        if index:
            goals, expected = perturb(rng, goals, args.change, names)
            expectations.append(expected)
        sheets.append(goals)

    print(
        f"meeting memory: {args.rows:,} goal rows, {args.members} members, {args.meetings} "
        f"meetings, ~{args.change:.0%} of goals edited between meetings (seed {args.seed})"
    )
    print(
        f"python {sys.version.split()[0]}, pandas {pd.__version__}, sqlite {sqlite3.sqlite_version}"
    )

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store_path = folder / "state" / "history.sqlite3"
        record_s, again_s, open_s, state_s, diff_s = [], [], [], [], []
        found: list[dict[str, int]] = []
        for index, (day, sheet) in enumerate(zip(dates, sheets, strict=True)):
            club = club_of(sheet, members)
            taken_at = dt.datetime.combine(day, dt.time(14, 0), tzinfo=zone)
            if index:
                seconds, store = timed(HistoryStore.open, store_path.parent)
                open_s.append(seconds)
                previous = meeting_on(dates[index - 1], zone)
                with store:
                    seconds, before = timed(
                        lambda s=store, m=previous: s.state(s.baseline(m).snapshot)
                    )
                    state_s.append(seconds)
                    seconds, changes = timed(
                        lambda s=store, b=before, c=club: changes_since(b, current_state(c, s))
                    )
                    diff_s.append(seconds)
                    found.append(changes.counts())
            with HistoryStore.open(store_path.parent) as store:
                seconds, stored = timed(store.record, club, taken_at=taken_at, period=day)
                assert stored
                record_s.append(seconds)
                seconds, stored = timed(store.record, club, taken_at=taken_at, period=day)
                assert not stored
                again_s.append(seconds)
        with HistoryStore.open(store_path.parent) as store:
            snapshots = len(store.snapshots())
            versions = store._db.execute("SELECT COUNT(*) FROM versions").fetchone()[0]
        store_bytes = size(store_path)

        states = [goal_state(sheet) for sheet in sheets]
        pickle_s, pickles = timed(lambda: [pickle.dumps(s, protocol=5) for s in states])
        pickle_bytes = sum(len(p) for p in pickles)
        full_path = folder / "full.sqlite3"

        def to_sql() -> None:
            with sqlite3.connect(full_path) as db:
                for number, state in enumerate(states, start=1):
                    state.assign(
                        snapshot=number,
                        tier=state["tier"].astype(object),
                        category=state["category"].astype(object),
                        status=state["status"].astype(object),
                    ).to_sql("goals", db, if_exists="append", index=False, chunksize=50_000)

        full_s, _ = timed(to_sql)
        full_bytes = size(full_path)

    def ms(values: list[float]) -> str:
        if not values:
            return f"{'-':>9} {'-':>9}"
        return f"{statistics.median(values) * 1000:6.0f} ms {max(values) * 1000:6.0f} ms"

    print()
    print(f"{'per meeting':<44} {'median':>9} {'max':>9}")
    print(f"{'record: first snapshot, every row':<44} {ms(record_s[:1])}")
    print(f"{'record: later snapshots, changed rows only':<44} {ms(record_s[1:])}")
    print(f"{'record: unchanged sheet (content hash only)':<44} {ms(again_s)}")
    print(f"{'open the store (quick_check included)':<44} {ms(open_s)}")
    print(f"{'baseline(previous meeting) + its state':<44} {ms(state_s)}")
    print(f"{'current_state + changes_since':<44} {ms(diff_s)}")
    print()
    print(f"{f'after {args.meetings} meetings':<44} {'on disk':>9} {'writing':>9}")
    print(
        f"{'history store (goal versions)':<44} {store_bytes / 2**20:6.1f} MB "
        f"{sum(record_s):7.2f} s   {snapshots} snapshots, {versions:,} rows"
    )
    print(
        f"{'baseline: pickle.dumps of every frame':<44} {pickle_bytes / 2**20:6.1f} MB "
        f"{pickle_s:7.2f} s"
    )
    print(
        f"{'baseline: every snapshot in full, to_sql':<44} {full_bytes / 2**20:6.1f} MB "
        f"{full_s:7.2f} s   {sum(len(s) for s in states):,} rows"
    )
    print()
    generated = {k: sum(e.get(k, 0) for e in expectations) for k in expectations[0]}
    total = {k: sum(f.get(k, 0) for f in found) for k in found[0]}
    gone = generated["removed"] + generated["rewritten"]
    print("changes found vs made, all meetings (a rewritten goal is one removed and one added,")
    print("a goal added already done counts as added and completed):")
    for kind, made in (
        ("completed", generated["completed"] + generated["added done"]),
        ("dropped", generated["dropped"]),
        ("progress", generated["progress"]),
        ("rescoped", generated["rescoped"]),
        ("reworded", generated["reworded"]),
        ("removed", gone),
        ("added", gone),
    ):
        print(f"  {kind:<10} made {made:>7,}  found {total[kind]:>7,}")


if __name__ == "__main__":
    main()
