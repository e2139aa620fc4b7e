"""The bundled demo club, exactly as the README's quick start runs it."""

from __future__ import annotations

import json

from conftest import ClubFolder


def test_quick_start_agenda_reads_as_a_real_agenda(demo: ClubFolder) -> None:
    result = demo.run("agenda", "--as-of", "2026-11-30")
    assert result.exit_code == 0, result.stderr
    agenda = result.stdout
    assert agenda.startswith("# Personal Branding Club — agenda for Tuesday, December 1, 2026")
    assert "12:00–13:00 (EST) · Lunch room 4B · meeting #6" in agenda
    for member in ("Ada Okonkwo", "Bruno Tavares", "Chen Wei", "Dana Whitfield", "Elif Yılmaz"):
        assert f". {member}\n" in agenda
    assert "Gus Moreau" not in agenda  # left the club
    assert "Set up an invoicing system — carried 2 meetings (was due Nov 3)" in agenda
    assert "- **Ada Okonkwo**: Submit a talk abstract to PyCon" in agenda
    assert "Speak at a regional conference — 10%, due Sep 30, 2027" in agenda
    assert result.stderr == ""


def test_demo_sheet_is_valid(demo: ClubFolder) -> None:
    result = demo.run("check")
    assert result.exit_code == 0
    assert "6 active members, 29 goals, 6 recorded meetings — 0 errors, 0 warnings" in result.stdout


def test_demo_status_json_figures(demo: ClubFolder) -> None:
    result = demo.run("status", "--format", "json", "--as-of", "2026-11-30")
    assert result.exit_code == 0
    status = json.loads(result.stdout)
    assert status["club"] == "Personal Branding Club"
    assert status["as_of"] == "2026-11-30"
    ada = status["members"][0]
    assert ada["name"] == "Ada Okonkwo"
    # Rewrite LinkedIn (open, 60%), Ask for recommendations (open, blank), Submit abstract (✓).
    assert ada["tiers"]["two-week"] == {
        "total": 3,
        "done": 1,
        "dropped": 0,
        "rate": 0.3333,
        "progress": 0.5333,
    }
    # 0.33 written as a fraction, 70 written as a number of percent.
    assert ada["tiers"]["quarterly"]["progress"] == 0.515
    assert [m["name"] for m in status["members"]] == [
        "Ada Okonkwo",
        "Bruno Tavares",
        "Chen Wei",
        "Dana Whitfield",
        "Elif Yılmaz",
        "Farid Haddad",
    ]
    assert status["tiers"]["long-term"]["dropped"] == 1  # Chen's podcast, "abandoned"


def test_demo_status_table_and_csv(demo: ClubFolder) -> None:
    table = demo.run("status", "--as-of", "2026-11-30").stdout
    club_row = next(line for line in table.splitlines() if line.lstrip().startswith("Club"))
    assert club_row.split() == ["Club", "██░░", "59%", "5/13", "██░░", "38%", "0/8", "░░░░",
                                "10%", "0/6", "5/21", "0/6"]  # fmt: skip
    rows = demo.run("status", "--format", "csv").stdout.splitlines()
    assert rows[0] == "member,group,key,total,done,dropped,rate,progress"
    assert rows[1] == "(club),tier,two-week,13,5,0,0.3846,0.5908"
    assert "Ada Okonkwo,category,personal,1,0,0,0.0,0.7" in rows
    assert len(rows) == 1 + 7 * 5  # club + six members, three tiers + two categories each
