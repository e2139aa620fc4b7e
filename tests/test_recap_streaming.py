"""Personal recaps are rendered one at a time, each as it is sent.

Each member's recap holds the whole club, so a club of n members mails n² sections. A run that
renders every message before sending the first holds all of them at once (1.05 MB each at 1,000
members); this one holds one. Measured with ``tracemalloc`` (allocations, not time): the peak of
a whole ``recap --send`` stays well under the bytes it writes.
"""

from __future__ import annotations

import datetime as dt
import tracemalloc
from pathlib import Path

import pytest
from conftest import ClubFolder

MEMBERS = 40
WORDS = " ".join(["and then a long description of the work, step by step"] * 12)
"""Long goals: a message's bytes grow with them times the club squared, the run's data once."""


def big_club(folder: Path, size: int = MEMBERS) -> ClubFolder:
    folder.mkdir()
    members = [["Name", "Email", "Active"]]
    goals = [["Member", "Goal", "Tier", "Status", "Progress", "Due"]]
    for m in range(size):
        name = f"Member {m:03d}"
        members.append([name, f"m{m}@example.org", "yes"])
        goals.append([name, f"Rewrite the portfolio page {m} {WORDS}", "two-week", "", 0.4, None])
        goals.append(
            [name, f"Call a mentor about role {m} {WORDS}", "two-week", "done", None, None]
        )
        goals.append([name, f"Publish essay number {m} {WORDS}", "quarterly", "", 0.25, None])
    meetings = [["Date", "Attended"], [dt.date(2026, 11, 17), "Member 000"]]
    email = {"from": "Test Club <club@example.org>", "outbox": "outbox"}
    return ClubFolder(folder).write(
        members=members,
        goals=goals,
        meetings=meetings,
        config={"club": {"cap": size}, "email": email},
    )


def traced_send(club: ClubFolder, warm_up: ClubFolder) -> tuple[int, list[Path]]:
    """The peak of Python allocations over one ``recap --send`` and the messages it wrote;
    ``warm_up`` sends first, untraced, so the modules a send imports are not counted."""
    assert warm_up.run("recap", "--send", "--as-of", "2026-11-17T13:31").exit_code == 0
    tracemalloc.start()
    try:
        result = club.run("recap", "--send", "--as-of", "2026-11-17T13:31")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (result.exit_code, result.stderr) == (0, "")
    return peak, sorted((club.folder / "outbox").glob("*.eml"))


@pytest.mark.slow
def test_personal_recap_holds_one_message_at_a_time(tmp_path: Path) -> None:
    peak, messages = traced_send(big_club(tmp_path / "big"), big_club(tmp_path / "warm", 3))
    assert len(messages) == MEMBERS
    written = sum(message.stat().st_size for message in messages)
    largest = max(message.stat().st_size for message in messages)
    # All rendered first, the run would hold every message's text and HTML (about the bytes
    # written); one at a time, it holds the club's data and one message (its text, inlined
    # HTML and wire bytes, a few copies of it).
    assert peak < written / 2, (peak, written, largest)
