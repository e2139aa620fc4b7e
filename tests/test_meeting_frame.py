"""The agenda's frame and the recap's loop: goal notes, dropped goals, the last meeting's notes
and absences, the time box, the closing checklist, and a request for a commitment."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
from conftest import MEMBERS, ClubFolder

from sheetmentor import load_config
from sheetmentor.render.contexts import clip, sheet_link

D = dt.date
HEADER = ["Member", "Goal", "Tier", "Category", "Status", "Progress", "Set", "Due", "Completed",
          "Notes"]  # fmt: skip
LONG_NOTE = (
    "Asked Priya and Tom; Tom said yes for next week, Priya is travelling until the 12th so "
    "maybe then"
)
GOALS = [
    HEADER,
    ["Ada Okonkwo", "Rewrite CV", "2-wk", "work", "done", None, None, D(2026, 12, 1), None,
     "met Lena from Design"],
    ["Ada Okonkwo", "Call two mentors", "2-wk", "work", "", "40%", None, D(2026, 12, 1), None,
     LONG_NOTE],
    ["Ada Okonkwo", "Publish 3 posts", "Q", "career", "", 0.25, None, D(2026, 12, 31), None,
     "1 of 3 live"],
    ["Ada Okonkwo", "Run a marathon", "1 year+", "life", "dropped", None, None, None,
     D(2026, 11, 20), "knee injury"],
    ["Ada Okonkwo", "Speak at a meetup", "2-wk", "work", "", None, D(2026, 12, 1),
     D(2026, 12, 15), None, None],
    ["Bo Chen", "Find a studio space", "sprint", "work", "", None, None, D(2026, 11, 17), None,
     None],
    ["Bo Chen", "Cold-call ten clients", "2-wk", "work", "dropped", None, None, D(2026, 12, 1),
     None, "not the right time"],
    ["Bo Chen", "Learn to sail", "annual", "personal", "", "10%", None, None, None, None],
]  # fmt: skip
MEETINGS = [
    ["Date", "Attended", "Notes"],
    ["2026-11-17", "Ada Okonkwo", "Talked about CVs"],
    ["2026-12-01", "Ada Okonkwo, Bo Chen", "Agreed to share drafts"],
]
MISSING = re.compile(r"\b(None|nan|NaN|NaT|null)\b")


@pytest.fixture
def full(club: ClubFolder) -> ClubFolder:
    """Notes, an absence, drops, and Bo without a commitment for the next meeting."""
    return club.write(goals=GOALS, meetings=MEETINGS)


def heading_level(line: str) -> int:
    return len(line) - len(line.lstrip("#"))


def empty_headings(markdown: str) -> list[str]:
    """Markdown headings with nothing under them before the next heading of their level."""
    lines = [line for line in markdown.splitlines() if line.strip()] + ["# (end)"]
    return [
        line
        for line, following in itertools.pairwise(lines)
        if heading_level(line) and 0 < heading_level(following) <= heading_level(line)
    ]


def agenda(folder: ClubFolder, format: str = "markdown") -> str:
    result = folder.run("agenda", "--as-of", "2026-11-30", "--format", format)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def recap(folder: ClubFolder, *args: str) -> str:
    result = folder.run("recap", "--as-of", "2026-12-01T14:00", *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def section(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0]


def test_agenda_frame(full: ClubFolder) -> None:
    text = agenda(full)
    assert "**Last meeting (Nov 17):** Talked about CVs · absent: Bo Chen\n" in text
    # 60 minutes: 5 opening, 10 closing, 45 shared by two speakers.
    assert "**Time box:** opening 5 min · 22 min each · closing 10 min\n" in text
    # Bo missed his turn to facilitate on Nov 17, so he facilitates now and speaks last.
    assert "**Facilitator:** Bo Chen\n" in text
    assert "**Speaking order:** Ada Okonkwo (12:05), Bo Chen (12:27)\n" in text
    assert "### 2. Bo Chen\n*22 min, 12:27–12:49 · Focus: Start a studio*\n" in text
    closing = text.split("## Before we close\n", 1)[1]
    assert closing == (
        "\n- [ ] Everyone names new two-week commitments, due Dec 15 (already in the sheet: "
        "Ada Okonkwo)\n"
        "- [ ] Next facilitator: Ada Okonkwo\n"
        "- [ ] Next meeting: Tuesday, December 15, 2026, 12:00 · Room 4B\n"
    )


def test_agenda_member_blocks(full: ClubFolder) -> None:
    text = agenda(full)
    ada = section(text, ". Ada Okonkwo\n", ". Bo Chen\n")
    assert "- [x] Rewrite CV · _met Lena from Design_\n" in ada
    assert f"- [ ] Call two mentors — 40% · _{clip(LONG_NOTE)}_\n" in ada
    assert clip(LONG_NOTE).endswith("…") and LONG_NOTE not in text
    assert "Quarterly: Publish 3 posts — 25%, due Dec 31 (1 of 3 live)\n" in ada
    assert "Dropped: Run a marathon (knee injury)\n" in ada  # by its Completed date
    bo = section(text, ". Bo Chen\n", "## Wins")
    assert "Two-week goals due Dec 1:\n- none due\n" in bo  # the dropped one is not "due"
    assert "- [ ] Find a studio space — carried 1 meeting (was due Nov 17)\n" in bo
    assert "Dropped: Cold-call ten clients (not the right time)\n" in bo  # due here, dropped
    assert "Long-term: Learn to sail — 10%\n" in bo
    for goal in ("Run a marathon", "Cold-call ten clients"):
        assert text.count(goal) == 1  # named once


def test_round_the_table_comes_first_in_every_format(full: ClubFolder) -> None:
    for format, first, then in (
        ("markdown", "## Round the table", "## Where the club stands"),
        ("text", "ROUND THE TABLE", "WHERE THE CLUB STANDS"),
        ("html", '<div class="member">', "<h2>Where the club stands</h2>"),
    ):
        text = agenda(full, format)
        assert 0 < text.index(first) < text.index(then), format
        assert text.upper().index("WINS") > text.index(first), format
        assert text.rstrip().endswith("Room 4B" if format != "html" else "</html>")
        assert not MISSING.search(text), format
        assert "Talked about CVs" in text and "knee injury" in text


def test_recap_closes_the_loop(full: ClubFolder) -> None:
    text = recap(full)
    assert "Notes: Agreed to share drafts\n" in text
    ada = section(text, "ADA OKONKWO\n", "BO CHEN\n")
    assert "  Committed for next time:\n    [ ] Speak at a meetup\n" in ada
    assert "  Dropped: Run a marathon (knee injury)\n" in ada
    assert "    [x] Rewrite CV - met Lena from Design\n" in ada
    bo = section(text, "BO CHEN\n", "NEXT MEETING")
    assert (
        "  Committed for next time: nothing yet. Please add a two-week goal due Dec 15 to the "
        "sheet: club.xlsx\n"
    ) in bo
    assert "  Dropped: Cold-call ten clients (not the right time)\n" in bo
    assert "Cold-call" not in bo.split("Dropped:")[0]
    assert not MISSING.search(text)
    html = recap(full, "--format", "html")
    assert "Nothing yet. Please add a two-week goal due Dec 15 to the sheet: club.xlsx." in html
    assert not MISSING.search(html)


def test_the_link_is_the_sheets_own(full: ClubFolder) -> None:
    full.write(goals=GOALS, meetings=MEETINGS, config={"source": {"url": "https://x.test/s"}})
    assert "to the sheet: https://x.test/s\n" in recap(full)
    html = recap(full, "--format", "html")
    assert 'the sheet: <a href="https://x.test/s">https://x.test/s</a>.' in html
    google = {"source": {"path": None, "google_sheet": "1AbC"}}
    full.write(goals=GOALS, config=google)
    link = sheet_link(load_config(full.config_path))
    assert link["url"] == "https://docs.google.com/spreadsheets/d/1AbC/edit"


def test_done_and_dropped_seen_by_the_meeting_memory(full: ClubFolder) -> None:
    """No Completed date: the snapshot in which a goal turned done or dropped says when."""
    before = [*GOALS, ["Bo Chen", "Learn Spanish", "Q", "life", "", None, None, None, None, None]]
    full.write(goals=before, meetings=MEETINGS)
    baseline = full.run("record", env={"SHEETMENTOR_NOW": "2026-11-17T14:00"})
    assert baseline.exit_code == 0, baseline.stderr
    after = [row[:] for row in before]
    after[3][4] = "done"  # Ada's quarterly "Publish 3 posts"
    after[-1][4] = "dropped"  # Bo's "Learn Spanish"
    full.write(goals=after, meetings=MEETINGS)
    text = recap(full)
    wins = section(text, "WINS\n", "ADA OKONKWO")
    assert "  * Ada Okonkwo: Publish 3 posts - 1 of 3 live\n" in wins
    # Cold-call ten clients was dropped already when the Nov 17 meeting was recorded: let go
    # before that meeting, not again at the Dec 1 one it was due at
    assert "  Dropped: Learn Spanish\n" in text
    assert text.count("Learn Spanish") == 1


def test_blocks_disappear_when_the_data_has_none(club: ClubFolder) -> None:
    # No Meetings tab, no notes, no recent drops; a meeting too short for a time box.
    club.write(config={"meetings": {"duration": "15m"}})
    for format in ("markdown", "text", "html"):
        text = agenda(club, format)
        for absent in ("Last meeting", "absent", "Dropped", "Time box", "(12:0", " min "):
            assert absent not in text, (format, absent)
        assert not MISSING.search(text), format
    markdown = agenda(club)
    assert empty_headings(markdown) == []
    assert "**Speaking order:** Bo Chen, Ada Okonkwo\n" in markdown
    assert "Next facilitator: Bo Chen" in markdown
    html = agenda(club, "html")
    assert not re.search(r"<(h2|h3|ul)>\s*</\1>|<h2>[^<]*</h2>\s*<h2>", html)


def test_everyone_committed_means_no_request(club: ClubFolder) -> None:
    goals = [
        HEADER,
        ["Ada Okonkwo", "Next step", "2-wk", "work", "", None, None, D(2026, 12, 15), None, None],
        ["Bo Chen", "Sign a lease", "2-wk", "work", "", None, None, D(2026, 12, 15), None, None],
    ]
    club.write(goals=goals, members=MEMBERS, meetings=MEETINGS)
    text = recap(club)
    assert "nothing yet" not in text and "Please add" not in text
    assert text.count("Committed for next time:") == 2


def test_time_box_settings_are_validated(club: ClubFolder) -> None:
    club.write(config={"meetings": {"agenda": {"opening": "2m", "closing": "8m"}}})
    assert "**Time box:** opening 2 min · 25 min each · closing 8 min\n" in agenda(club)
    club.write(config={"meetings": {"agenda": {"opening": "soon"}}})
    result = club.run("agenda", "--as-of", "2026-11-30")
    assert result.exit_code == 2
    assert 'meetings.agenda.opening: "soon" is not a duration' in result.stderr
    club.write(config={"meetings": {"agenda": {"intro": "5m"}}})
    assert "meetings.agenda.intro: unknown setting" in club.run("agenda").stderr


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("knee injury", 60, "knee injury"),
        ("met Lena\nfrom   Design", 60, "met Lena from Design"),
        ("one two three four five six", 15, "one two three…"),
        ("x" * 30, 10, "xxxxxxxxx…"),
        (None, 60, ""),
    ],
)
def test_clip(text: str | None, width: int, expected: str) -> None:
    assert clip(text, width) == expected


def test_members_who_joined_later_were_not_absent(club: ClubFolder) -> None:
    members = [[*row, "Joined"] for row in MEMBERS[:1]]
    members += [[*row, D(2026, 9, 1)] for row in MEMBERS[1:]]
    members.append(["Di Ekström", "di@example.org", "yes", "Write a novel", D(2026, 11, 20)])
    club.write(members=members, goals=GOALS, meetings=MEETINGS)
    assert "absent: Bo Chen\n" in agenda(club)  # Di joined after Nov 17
    text = recap(club)
    assert "Attended: Ada Okonkwo, Bo Chen. Missed: Di Ekström." in text
    di = text.split("DI EKSTRÖM\n", 1)[1]
    assert "Committed for next time: nothing yet." in di


def test_an_undated_two_week_goal_is_a_commitment_in_the_recap(club: ClubFolder) -> None:
    goals = [*GOALS, ["Bo Chen", "Call the landlord", "2-wk", "work", "", None, None, None, None,
                      None]]  # fmt: skip
    club.write(goals=goals, meetings=MEETINGS)
    bo = recap(club).split("BO CHEN\n", 1)[1]
    assert "  Committed for next time:\n    [ ] Call the landlord\n" in bo
    assert bo.count("Call the landlord") == 1
    assert "- [ ] Call the landlord\n" in agenda(club)  # due at the meeting the agenda is for


def test_a_dropped_goal_is_no_commitment_in_the_recap(club: ClubFolder) -> None:
    goals = [*GOALS, ["Bo Chen", "Write a blog post", "2-wk", "work", "dropped", None, None,
                      D(2026, 12, 15), None, "changed my mind"]]  # fmt: skip
    club.write(goals=goals, meetings=MEETINGS)
    bo = recap(club).split("BO CHEN\n", 1)[1]
    assert "[ ] Write a blog post" not in bo
    assert "  Committed for next time: nothing yet." in bo
