"""Agendas: content, formats, safety of sheet text, rotation, the user's own templates."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from pathlib import Path

from conftest import GOALS, MEMBERS, ClubFolder

from sheetmentor import load_config, read_club, render_agenda, schedule_for
from sheetmentor.memory import recall

D = dt.date


def agenda(folder: ClubFolder, *args: str) -> str:
    result = folder.run("agenda", "--as-of", "2026-11-30", *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_agenda_content(club: ClubFolder) -> None:
    text = agenda(club)
    assert text.startswith("# Test Club — agenda for Tuesday, December 1, 2026\n")
    assert "12:00–13:00 (EST) · Room 4B · meeting #7" in text
    # Ada: two two-week goals due Dec 1, one done; Bo's sprint goal was due Nov 17.
    assert "- [x] Rewrite CV\n" in text
    assert "- [ ] Call two mentors — 40%\n" in text
    assert "- [ ] Find a studio space — carried 1 meeting (was due Nov 17)" in text
    assert "Quarterly: Publish 3 posts — 25%, due Dec 31\n" in text
    assert "| Two-week | 1/3 | 33% |" in text
    assert "Cy Diallo" not in text  # inactive
    assert "Run a marathon" not in text  # dropped


def test_rotation_is_fair_and_deterministic(club: ClubFolder) -> None:
    orders = []
    for day in ("2026-12-01", "2026-12-15", "2026-12-29"):
        runs = [agenda(club, "--date", day).splitlines() for _ in range(2)]
        facilitator, again = ([line for line in run if "Facilitator" in line] for run in runs)
        assert facilitator == again  # a re-run gives the same order
        order = next(line for line in runs[0] if "Speaking order" in line)
        orders.append((facilitator[0], order))
    assert orders[0] == (
        "**Facilitator:** Ada Okonkwo",
        "**Speaking order:** Bo Chen (12:05), Ada Okonkwo (12:27)",
    )
    assert orders[1] == (
        "**Facilitator:** Bo Chen",
        "**Speaking order:** Ada Okonkwo (12:05), Bo Chen (12:27)",
    )
    assert orders[2] == orders[0]


def test_formats_and_output_file(club: ClubFolder, tmp_path: Path) -> None:
    text = agenda(club, "--format", "text")
    assert "Test Club — agenda for Tuesday, December 1, 2026" in text
    assert "[x] Rewrite CV" in text and "#" not in text.splitlines()[0]
    target = tmp_path / "agenda.html"
    assert agenda(club, "--format", "html", "-o", str(target)) == ""
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Rewrite CV" in page


class _TextAndTags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)

    def handle_data(self, data) -> None:
        self.text.append(data)


def test_sheet_text_is_data_never_markup_or_template(club: ClubFolder) -> None:
    hostile = '<script>alert("x")</script> {{ 7 * 7 }} {% if true %}y{% endif %}'
    goals = [*GOALS, ["Ada Okonkwo", hostile, "Q", "work", "", "10%", None, None]]
    members = [MEMBERS[0], [*MEMBERS[1][:3], "<b>bold</b> {{ club }}"], *MEMBERS[2:]]
    club.write(members=members, goals=goals)
    page = agenda(club, "--format", "html")
    parser = _TextAndTags()
    parser.feed(page)
    assert "script" not in parser.tags and "b" not in parser.tags
    assert hostile in "".join(parser.text)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    markdown = agenda(club)
    assert hostile in markdown  # verbatim: never evaluated as a template
    assert "<b>bold</b> {{ club }}" in markdown


def test_user_templates_override_builtin_ones(club: ClubFolder) -> None:
    folder = club.folder / "my-templates"
    folder.mkdir()
    (folder / "agenda.md.j2").write_text(
        "{{ club.name }} #{{ meeting.number }}: "
        "{% for p in members %}{{ p.name }}={{ p.due | length }};{% endfor %}\n",
        encoding="utf-8",
    )
    club.write(config={"templates": "my-templates"})
    assert agenda(club) == "Test Club #7: Bo Chen=0;Ada Okonkwo=2;\n"
    assert "Where the club stands" in agenda(club, "--format", "html")  # built-in fallback


def test_extra_columns_reach_templates(club: ClubFolder) -> None:
    goals = [[*GOALS[0], "Buddy"], [*GOALS[1], "Bo Chen"]]
    folder = club.folder / "t"
    folder.mkdir()
    (folder / "agenda.md.j2").write_text(
        "{% for p in members %}{% for g in p.due %}{{ g.goal }} with {{ g.extra.Buddy }}"
        "{% endfor %}{% endfor %}\n",
        encoding="utf-8",
    )
    club.write(goals=goals, config={"templates": "t"})
    assert agenda(club) == "Rewrite CV with Bo Chen\n"


def test_wins_since_previous_meeting(club: ClubFolder) -> None:
    header = [*GOALS[0], "Completed"]
    goals = [
        header,
        ["Ada Okonkwo", "Won by date", "Q", "work", "done", None, None, None, D(2026, 11, 20)],
        ["Ada Okonkwo", "Too old", "Q", "work", "done", None, None, None, D(2026, 11, 10)],
        ["Bo Chen", "Due here, done", "2-wk", "work", "✓", None, None, D(2026, 12, 1), None],
    ]
    club.write(goals=goals)
    text = agenda(club)
    wins = text.split("## Wins since Nov 17")[1].split("## Where the club stands")[0]
    assert "**Ada Okonkwo**: Won by date" in wins
    assert "**Bo Chen**: Due here, done" in wins
    assert "Too old" not in wins


def test_cap_warning(club: ClubFolder) -> None:
    club.write(config={"club": {"cap": 1}})
    result = club.run("agenda", "--as-of", "2026-11-30")
    assert result.exit_code == 0
    assert "> ⚠ 2 active members, above the club's cap of 1 (club.cap)" in result.stdout
    assert "2 active members, above the club's cap of 1" in result.stderr


def test_library_api_renders_the_same_agenda(club: ClubFolder) -> None:
    config = load_config(club.config_path)
    club_data = read_club(config)
    schedule = schedule_for(config, club_data, D(2026, 11, 30))
    meeting = schedule.next_meeting(D(2026, 11, 30))
    now = dt.datetime(2026, 11, 30, tzinfo=config.meetings.zone)
    memory = recall(
        config.state,
        club_data,
        schedule,
        meeting,
        kind="agenda",
        as_of=now.date(),
        seen=now,
        cap=config.club.cap,
        record=False,
    )
    text = render_agenda(config, club_data, as_of=now.date(), format="markdown", memory=memory)
    assert text == agenda(club)  # the CLI's first run: no history yet either
    without_memory = render_agenda(config, club_data, as_of=now.date())
    assert "## Club health" in text and "## Club health" not in without_memory


def test_due_today_only_on_the_meeting_day(club: ClubFolder) -> None:
    """An agenda printed a week before the meeting said "due today"; it names the day."""
    for as_of, when in (("2026-11-24", "Dec 1"), ("2026-12-01", "today")):
        markdown = club.run("agenda", "--as-of", as_of).stdout
        assert f"Two-week goals due {when}:\n" in markdown
        text = club.run("agenda", "--as-of", as_of, "--format", "text").stdout
        assert f"   Due {when}:\n" in text
        html = club.run("agenda", "--as-of", as_of, "--format", "html").stdout
        assert f"no two-week goal due {when}</li>" in html  # Bo's sprint goal is carried
    assert "today" not in club.run("agenda", "--as-of", "2026-11-24").stdout
