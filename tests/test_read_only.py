"""Read-only commands never write: the same command, at the same ``SHEETMENTOR_NOW``, on the same
sheet, prints the same bytes every time and leaves the state folder byte-identical (or absent).

The meeting history is written only by sending runs and by ``sheetmentor record``; the previews
read it, with the current sheet in memory, and say only what it supports.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.conftest import ClubFolder

NOW = "2026-12-04T10:00"  # three days after the demo's Dec 1 meeting

READ_ONLY = [
    ("agenda", "--as-of", "2026-11-30"),
    ("agenda",),
    ("agenda", "--format", "html"),
    ("status",),
    ("status", "--history", "--format", "json"),
    ("changes",),
    ("changes", "--format", "json"),
    ("recap",),
    ("recap", "--member", "Ada Okonkwo"),
    ("recap", "--status"),
    ("nudge",),
    ("next",),
    ("calendar",),
    ("check",),
    ("check", "--explain"),
    ("doctor",),
]


def fingerprint(folder: Path) -> dict[str, str] | None:
    """Every file under ``folder`` (the listing, folders included) with a hash of its bytes."""
    if not folder.exists():
        return None
    found = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        found[name] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
    return found


def run_twice(demo: ClubFolder, args: tuple[str, ...], now: str = NOW) -> tuple[str, str]:
    """Run a command twice at ``now``: the same output both times, and every file of the club
    folder (config, workbook, state folder, outbox) byte-identical after."""
    before = fingerprint(demo.folder)
    first = demo.run(*args, env={"SHEETMENTOR_NOW": now})
    second = demo.run(*args, env={"SHEETMENTOR_NOW": now})
    assert (first.exit_code, first.stdout, first.stderr) == (
        second.exit_code,
        second.stdout,
        second.stderr,
    ), args
    assert fingerprint(demo.folder) == before, args
    return first.stdout, first.stderr


@pytest.mark.parametrize("args", READ_ONLY, ids=" ".join)
def test_a_read_only_command_creates_no_state_folder(demo: ClubFolder, args: tuple) -> None:
    run_twice(demo, args)
    assert not (demo.folder / ".sheetmentor").exists()


@pytest.mark.parametrize("args", READ_ONLY, ids=" ".join)
def test_a_read_only_command_leaves_the_state_byte_identical(demo: ClubFolder, args: tuple) -> None:
    """After cron's run has mailed the Dec 1 recap: history, ledger, lock and outbox exist."""
    sent = demo.run("send-due", env={"SHEETMENTOR_NOW": "2026-12-01T14:00"})
    assert sent.exit_code == 0, sent.output
    state = demo.folder / ".sheetmentor"
    assert {"history.sqlite3", "ledger.sqlite3"} <= {p.name for p in state.iterdir()}
    assert any((demo.folder / "outbox").iterdir())
    run_twice(demo, args)


def test_the_quick_start_agenda_is_the_same_on_its_second_run(demo: ClubFolder) -> None:
    text, _ = run_twice(demo, ("agenda", "--as-of", "2026-11-30"))
    assert "first saw the sheet" not in text
    assert "no update" not in text.lower()  # nothing recorded: nothing claimed


def test_record_stores_the_sheet_the_next_agenda_compares_with(demo: ClubFolder) -> None:
    """A club that sends nothing records after its meeting; the agenda for the next one then
    says what changed since that meeting, and the record line says what was stored."""
    first = demo.run("record", env={"SHEETMENTOR_NOW": "2026-12-01T14:00"})
    assert first.exit_code == 0
    assert first.stdout.startswith("recorded the sheet as seen 2026-12-01 14:00 EST: ")
    again = demo.run("record", env={"SHEETMENTOR_NOW": "2026-12-01T15:00"})
    assert again.stdout.startswith("the sheet is unchanged since it was last recorded")

    text, _ = run_twice(demo, ("agenda",))
    assert "Since Dec 1:" in text  # the history holds the sheet as it was at the Dec 1 meeting
    assert "first saw the sheet" not in text and "not seen on" not in text
    changes, _ = run_twice(demo, ("changes",))
    assert changes.startswith("Since the meeting of Tuesday, December 1, 2026:")


def test_changes_without_history_says_how_to_record(demo: ClubFolder) -> None:
    result = demo.run("changes", env={"SHEETMENTOR_NOW": NOW})
    assert result.exit_code == 1
    assert "sheetmentor record" in result.stderr and "it remembers" not in result.stderr
    assert not (demo.folder / ".sheetmentor").exists()


def test_record_refuses_a_sheet_with_errors(club: ClubFolder) -> None:
    from tests.conftest import GOALS

    club.write(goals=[*GOALS, ["Ada Okonkwo", "Sail", "fortnighty", "", "", None, None, None]])
    result = club.run("record", env={"SHEETMENTOR_NOW": NOW})
    assert result.exit_code == 1
    assert "Goals!C9" in result.stderr and "fortnighty" in result.stderr
    assert "Traceback" not in result.output
    assert not (club.folder / ".sheetmentor").exists()


def test_a_sending_run_records_the_sheet(demo: ClubFolder) -> None:
    result = demo.run("send-due", env={"SHEETMENTOR_NOW": "2026-12-01T14:00"})
    assert result.exit_code == 0, result.output
    assert (demo.folder / ".sheetmentor" / "history.sqlite3").is_file()
    text, _ = run_twice(demo, ("agenda",))
    assert "Since Dec 1:" in text


def test_a_preview_upgrades_an_older_history_in_memory_only(
    demo: ClubFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A history written by an older sheetmentor is read by a preview as upgraded, and left as
    it was on disk; the next run that records upgrades the file."""
    import sqlite3

    from sheetmentor.memory import store as store_module

    assert demo.run("record", env={"SHEETMENTOR_NOW": "2026-12-01T14:00"}).exit_code == 0
    path = demo.folder / ".sheetmentor" / "history.sqlite3"
    older = len(store_module.MIGRATIONS)

    def add_labels(db: sqlite3.Connection) -> None:
        db.execute("ALTER TABLE snapshots ADD COLUMN label TEXT")

    monkeypatch.setattr(store_module, "MIGRATIONS", [*store_module.MIGRATIONS, add_labels])
    text, _ = run_twice(demo, ("agenda",))
    assert "Since Dec 1:" in text
    run_twice(demo, ("status", "--history"))
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == older
    assert demo.run("record", env={"SHEETMENTOR_NOW": NOW}).exit_code == 0
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == older + 1


def test_cron_records_for_a_club_with_nowhere_to_send(club: ClubFolder) -> None:
    line = club.run("cron").stdout.strip()
    assert line.startswith("17 * * * * /")
    assert line.endswith(f"--config {club.config_path.resolve()} -q record")
    quiet = club.run("-q", "record", env={"SHEETMENTOR_NOW": NOW})
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")
    assert (club.folder / ".sheetmentor" / "history.sqlite3").is_file()


def test_recap_status_reads_an_older_ledger_without_upgrading_it(demo: ClubFolder) -> None:
    import sqlite3

    from tests.test_ledger import V1

    state = demo.folder / ".sheetmentor"
    state.mkdir()
    raw = sqlite3.connect(state / "ledger.sqlite3")
    raw.executescript(V1)
    raw.close()
    text, _ = run_twice(demo, ("recap", "--status"))
    assert "sent      recap/2026-11-17/a@example.org" in text
    with sqlite3.connect(state / "ledger.sqlite3") as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1
