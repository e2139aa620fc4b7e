"""No ``nan``, ``None``, ``NaT``, ``null`` or ``undefined`` in anything a person reads.

Every command and every format runs over sheets where each optional cell is blank, and over a
sheet whose optional columns (and Meetings tab) are missing altogether, at moments before, between
and after meetings, with the sheet changing in between so that history and changes have something
to say. JSON may say ``null`` in exactly one place: a rate or progress whose total is 0.
"""

from __future__ import annotations

import csv
import datetime as dt
import email.parser as email_parser
import email.policy as email_policy
import io
import json
import re
from typing import Any

import pytest
from conftest import ClubFolder

D = dt.date
PLACEHOLDER = re.compile(r"\b(nan|NaN|NAN|None|NaT|null|NULL|undefined)\b|<NA>")
STATS = {"total", "done", "dropped", "rate", "progress"}
NOUNS = r"(?:goal|meeting|member|error|warning|time)"
WRONG_PLURAL = re.compile(rf"(?<![\d.,/])(?:\b1 {NOUNS}s|\b(?:0|[2-9]|\d\d+) {NOUNS})\b")


def blank_optional_cells(changed: bool) -> dict[str, list[list[Any]]]:
    """Every column a club may keep, only the required cells filled."""
    goals = [
        ["Member", "Goal", "Tier", "Category", "Status", "Progress", "Set", "Due", "Notes"],
        ["Ada Okonkwo", "Rewrite CV", "two-week", None, None, None, None, None, None],
        ["Bo Chen", "Learn to sail", "long-term", None, None, None, None, None, None],
        ["Bo Chen", "Find a studio", "quarterly", None, None, None, None, None, None],
    ]
    # Later: done, progress, a new goal, one removed, the first meeting's facilitator written
    # down — still with every other optional cell blank.
    if changed:
        goals[1][4] = "done"
        goals[2][5] = "30%"
        goals[2][7] = D(2027, 6, 30)  # a Due where there was none: re-scoped from blank
        goals[3] = ["Ada Okonkwo", "Call a mentor", "two-week", None, None, None, None, None, None]
    blank = [None] * 4
    meetings = [
        ["Date", "Location", "Facilitator", "Attended", "Status", "Notes"],
        [D(2026, 9, 8), None, "Ada Okonkwo" if changed else None, None, None, None],
        [D(2026, 9, 22), None, None, None, None, None],
        [D(2026, 10, 6), None, None, None, None, None],  # the next meeting, planned
    ]
    return {
        "Members": [
            ["Name", "Email", "Active", "Focus", "Joined"],
            ["Ada Okonkwo", *blank],
            ["Bo Chen", *blank],
        ],
        "Goals": goals,
        "Meetings": meetings,
    }


def missing_optional_columns(changed: bool) -> dict[str, list[list[Any]]]:
    """Only the required columns, and no Meetings tab."""
    goals = [
        ["Member", "Goal", "Tier"],
        ["Ada Okonkwo", "Rewrite CV", "two-week"],
        ["Bo Chen", "Learn to sail", "long-term"],
    ]
    if changed:
        goals.append(["Bo Chen", "Find a studio", "quarterly"])
    return {"Members": [["Name"], ["Ada Okonkwo"], ["Bo Chen"]], "Goals": goals}


def outputs(folder: ClubFolder, sheet) -> dict[str, str]:
    """Every command's output, keyed by its command line; stderr too (a person reads it)."""
    found: dict[str, str] = {}

    def run(when: str, *args: str) -> None:
        result = folder.run(*args, env={"SHEETMENTOR_NOW": when})
        assert result.exit_code == 0, (args, result.stderr)
        found[f"{when} {' '.join(args)}"] = result.stdout
        found[f"{when} {' '.join(args)} (stderr)"] = result.stderr

    folder.write(tabs=sheet(changed=False))
    run("2026-09-08T08:00", "record")  # the sheet as it was before the first meeting
    for command in (
        ["status", "--history"],
        ["agenda"],
        ["recap"],
        ["changes", "--format", "json"],
    ):
        run("2026-09-09T08:00", *command)  # one meeting behind, its sheet on record
    run("2026-09-09T08:00", "record")
    folder.write(tabs=sheet(changed=True))
    explain = "--explain" in folder.run("check", "--help").stdout
    commands = [
        ["changes"],
        ["changes", "--format", "json"],
        ["changes", "--since", "2026-09-08"],
        ["changes", "--since", "2026-09-08", "--format", "json"],
        ["check"],
        *([["check", "--explain"]] if explain else []),
        ["status"],
        ["status", "--format", "json"],
        ["status", "--format", "csv"],
        ["status", "--history"],
        ["status", "--history", "--format", "json"],
        ["agenda"],
        ["agenda", "--format", "html"],
        ["agenda", "--format", "text"],
        ["recap"],
        ["recap", "--format", "html"],
        ["recap", "--member", "Bo Chen"],
        ["recap", "--member", "Bo Chen", "--format", "html"],
        ["recap", "--status"],
        ["nudge"],
        ["next"],
        ["calendar", "-n", "3"],
        ["cron"],
    ]
    for command in commands:
        run("2026-09-23T08:00", *command)
    return found


@pytest.mark.parametrize("sheet", [blank_optional_cells, missing_optional_columns])
def test_no_placeholder_in_any_output(club: ClubFolder, sheet) -> None:
    found = outputs(club, sheet)
    for command, text in found.items():
        if "--format json" in command and "(stderr)" not in command:
            check_json(command, json.loads(text))
            text = text.replace("null", "")  # checked above: only where a total is 0
        if "--format csv" in command and "(stderr)" not in command:
            check_csv(command, text)
        match = PLACEHOLDER.search(text)
        assert match is None, (
            f"{command}: {match.group()!r} in …{text[match.start() - 80 :][:160]}…"
        )
        wrong = WRONG_PLURAL.search(text)  # "1 goals", "2 meeting"
        assert wrong is None, f"{command}: {wrong.group()!r}"
    assert any("Learn to sail" in text for text in found.values())  # the runs had content


def check_json(command: str, value: Any, path: str = "", parent: Any = None) -> None:
    """Every value means something: ``null`` only as a rate or progress of a total of 0; no
    empty or placeholder string; numbers finite."""
    where = f"{command}: {path or '/'}"
    if value is None:
        key = path.rsplit("/", 1)[-1]
        assert key in ("rate", "progress") and parent.get("total") == 0, f"{where} is null"
    elif isinstance(value, dict):
        if set(value) >= STATS:
            assert value["total"] >= 0 and 0 <= value["done"] <= value["total"]
        for key, item in value.items():
            assert key and not PLACEHOLDER.search(key), where
            check_json(command, item, f"{path}/{key}", value)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_json(command, item, f"{path}/{index}", value)
    elif isinstance(value, str):
        assert value.strip() and not PLACEHOLDER.search(value), f"{where} = {value!r}"
    else:
        assert isinstance(value, bool | int | float) and value == value, f"{where} = {value!r}"


def check_csv(command: str, text: str) -> None:
    """A rate or progress cell is empty only where its total is 0; every other cell is filled."""
    for row in csv.DictReader(io.StringIO(text)):
        for column, cell in row.items():
            if cell == "":
                assert column in ("rate", "progress") and row["total"] == "0", (command, row)


def test_no_placeholder_in_mail(club: ClubFolder) -> None:
    """The recap and agenda e-mails (subject, text, HTML, the .ics) over a sheet whose only
    filled optional cells are the e-mail addresses."""
    sheet = blank_optional_cells(changed=True)
    for row, address in zip(
        sheet["Members"][1:], ("ada@example.org", "bo@example.org"), strict=True
    ):
        row[1] = address
    email = {"email": {"from": "Test Club <club@example.org>", "outbox": "outbox"}}
    club.write(tabs=blank_optional_cells(changed=False), config=email)
    assert club.run("check", env={"SHEETMENTOR_NOW": "2026-09-08T08:00"}).exit_code == 0
    club.write(tabs=sheet, config=email)
    for command in (["recap", "--send"], ["agenda", "--send"]):
        result = club.run(*command, env={"SHEETMENTOR_NOW": "2026-09-23T08:00"})
        assert result.exit_code == 0, result.stderr
        assert not PLACEHOLDER.search(result.stderr)
    files = sorted((club.folder / "outbox").rglob("*.eml"))
    assert len(files) == 4  # a recap and an agenda for each member
    for path in files:
        message = email_parser.BytesParser(policy=email_policy.default).parse(path.open("rb"))
        texts = [str(message["Subject"])] + [
            part.get_content() for part in message.walk() if not part.is_multipart()
        ]
        for text in texts:
            text = text.decode() if isinstance(text, bytes) else text
            match = PLACEHOLDER.search(text)
            assert match is None, (
                f"{path.name}: {match.group()!r} in …{text[match.start() - 80 :][:160]}…"
            )
