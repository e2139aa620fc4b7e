"""The SQLite ledger: states, attempts, timestamps, history, the send lock."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sheetmentor.errors import LedgerError
from sheetmentor.outbound.ledger import LEDGER_NAME, LOCK_NAME, Ledger, SendLockBusy, State


class Clock:
    """A clock the test moves by hand (ledger timestamps are UTC)."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 24, 13, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))

    def __call__(self) -> dt.datetime:
        return self.now

    def tick(self, minutes: int = 1) -> None:
        self.now += dt.timedelta(minutes=minutes)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ledger(tmp_path: Path, clock: Clock) -> Iterator[Ledger]:
    with Ledger.open(tmp_path / "state", clock=clock) as opened:
        yield opened


def mark(ledger: Ledger, key: str, message_id: str = "<id@example.org>") -> None:
    ledger.mark_sending(key, kind="recap", message_id=message_id, recipients=("a@example.org",))


def test_open_creates_a_wal_database_with_a_busy_timeout(tmp_path: Path) -> None:
    state = tmp_path / "deep" / "state"
    with Ledger.open(state) as ledger:
        assert ledger.path == state / LEDGER_NAME
        assert ledger.path.exists()
    raw = sqlite3.connect(state / LEDGER_NAME)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with Ledger.open(state) as ledger:
        assert ledger._db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_sending_then_sent(ledger: Ledger, clock: Clock) -> None:
    assert ledger.get("k") is None
    entry = ledger.mark_sending(
        "k", kind="recap", message_id="<a@example.org>", recipients=("a@example.org", "b@x.org")
    )
    assert (entry.state, entry.attempts, entry.sent_at) == (State.SENDING, 1, None)
    assert entry.recipients == ("a@example.org", "b@x.org")
    clock.tick()
    ledger.mark_sent("k")
    entry = ledger.get("k")
    assert entry is not None
    assert entry.state == State.SENT
    assert entry.sent_at == dt.datetime(2026, 11, 24, 18, 1, tzinfo=dt.UTC)
    assert entry.created_at == dt.datetime(2026, 11, 24, 18, 0, tzinfo=dt.UTC)
    assert entry.refused == {} and entry.error is None


def test_timestamps_are_stored_as_utc_iso(ledger: Ledger) -> None:
    mark(ledger, "k")
    ledger.mark_sent("k")
    raw = sqlite3.connect(ledger.path)
    created, sent = raw.execute("SELECT created_at, sent_at FROM messages").fetchone()
    assert created == sent == "2026-11-24T18:00:00+00:00"


def test_attempts_count_and_the_first_message_id_is_kept(ledger: Ledger) -> None:
    mark(ledger, "k", "<first@example.org>")
    ledger.mark_deferred("k", "451 4.3.0 try later")
    entry = ledger.get("k")
    assert entry is not None
    assert (entry.state, entry.error) == (State.DEFERRED, "451 4.3.0 try later")
    entry = ledger.mark_sending(
        "k", kind="recap", message_id="<second@example.org>", recipients=("a@example.org",)
    )
    assert (entry.state, entry.attempts, entry.error) == (State.SENDING, 2, None)
    assert entry.message_id == "<first@example.org>"


def test_failed_keeps_the_reply_and_refusals(ledger: Ledger) -> None:
    mark(ledger, "k")
    ledger.mark_failed("k", "every recipient refused", refused={"a@example.org": "550 no"})
    entry = ledger.get("k")
    assert entry is not None
    assert entry.state == State.FAILED
    assert entry.refused == {"a@example.org": "550 no"}


def test_partial_refusal_is_recorded_on_a_sent_message(ledger: Ledger) -> None:
    mark(ledger, "k")
    ledger.mark_sent("k", refused={"b@example.org": "550 5.1.1 unknown"})
    entry = ledger.get("k")
    assert entry is not None
    assert entry.state == State.SENT
    assert entry.error == "b@example.org: 550 5.1.1 unknown"


def test_a_sent_message_cannot_go_back_to_sending(ledger: Ledger) -> None:
    mark(ledger, "k")
    ledger.mark_sent("k")
    with pytest.raises(ValueError, match="already sent"):
        mark(ledger, "k")
    entry = ledger.get("k")
    assert entry is not None and entry.state == State.SENT and entry.attempts == 1


def test_marking_an_unknown_key_is_an_error(ledger: Ledger) -> None:
    with pytest.raises(KeyError):
        ledger.mark_sent("never-tried")


def test_history_is_oldest_first_and_filters(ledger: Ledger, clock: Clock) -> None:
    for number in range(4):
        ledger.mark_sending(
            f"recap/{number}",
            kind="recap" if number != 2 else "agenda",
            message_id=f"<{number}@x>",
            recipients=("a@example.org",),
        )
        clock.tick()
    ledger.mark_sent("recap/0")
    ledger.mark_failed("recap/3", "550 no")
    assert [e.key for e in ledger.history()] == ["recap/0", "recap/1", "recap/2", "recap/3"]
    assert [e.key for e in ledger.history(kind="agenda")] == ["recap/2"]
    assert [e.key for e in ledger.history(states=(State.SENT, State.FAILED))] == [
        "recap/0",
        "recap/3",
    ]
    assert [e.key for e in ledger.history(limit=2)] == ["recap/2", "recap/3"]
    since = dt.datetime(2026, 11, 24, 18, 2, tzinfo=dt.UTC)
    assert [e.key for e in ledger.history(since=since)] == ["recap/2", "recap/3"]


def test_the_ledger_persists_across_opens(tmp_path: Path) -> None:
    with Ledger.open(tmp_path) as ledger:
        mark(ledger, "k")
        ledger.mark_sent("k")
    with Ledger.open(tmp_path) as ledger:
        entry = ledger.get("k")
        assert entry is not None and entry.state == State.SENT


def test_a_ledger_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    raw = sqlite3.connect(tmp_path / LEDGER_NAME)
    raw.execute("PRAGMA user_version = 99")
    raw.close()
    with pytest.raises(LedgerError, match="newer sheetmentor"):
        Ledger.open(tmp_path)


def test_the_send_lock_excludes_a_second_holder(tmp_path: Path) -> None:
    with Ledger.open(tmp_path) as first, Ledger.open(tmp_path) as second:
        with (
            first.send_lock(timeout=1),
            pytest.raises(SendLockBusy, match="sent nothing"),
            second.send_lock(timeout=0),
        ):
            pass
        with second.send_lock(timeout=0):
            assert (tmp_path / LOCK_NAME).exists()


def test_the_send_lock_excludes_another_process(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, filelock; lock = filelock.FileLock(sys.argv[1]); lock.acquire();"
            " print('held', flush=True); sys.stdin.read()",
            str(tmp_path / LOCK_NAME),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "held\n"
        with (
            Ledger.open(tmp_path) as ledger,
            pytest.raises(SendLockBusy),
            ledger.send_lock(timeout=0.1),
        ):
            pass
    finally:
        holder.kill()
        holder.wait()
    with Ledger.open(tmp_path) as ledger, ledger.send_lock(timeout=10):
        pass  # a killed holder leaves no stale lock behind


V1 = """
CREATE TABLE messages (
    key TEXT PRIMARY KEY, kind TEXT NOT NULL, message_id TEXT NOT NULL, recipients TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('sending', 'sent', 'failed', 'deferred')),
    error TEXT, refused TEXT, attempts INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, sent_at TEXT
);
CREATE INDEX messages_created ON messages (created_at);
INSERT INTO messages VALUES ('recap/2026-11-17/a@example.org', 'recap', '<a@x>', '["a"]',
    'sent', NULL, NULL, 1, '2026-11-17T19:00:00+00:00', '2026-11-17T19:00:00+00:00',
    '2026-11-17T19:00:00+00:00');
INSERT INTO messages VALUES ('recap/2026-11-17/b@example.org', 'recap', '<b@x>', '["b"]',
    'sending', NULL, NULL, 1, '2026-11-17T19:00:00+00:00', '2026-11-17T19:00:00+00:00', NULL);
PRAGMA user_version = 1;
"""


def test_a_version_1_ledger_is_migrated_keeping_every_row(tmp_path: Path) -> None:
    raw = sqlite3.connect(tmp_path / LEDGER_NAME)
    raw.executescript(V1)
    raw.close()
    with Ledger.open(tmp_path) as ledger:
        sent, doubtful = ledger.history()
        assert (sent.state, sent.message_id, sent.mailing) == (
            State.SENT,
            "<a@x>",
            "recap/2026-11-17",
        )
        assert (doubtful.state, doubtful.doubts) == (State.SENDING, 0)
        assert ledger.planned("recap/2026-11-17") and not ledger.complete("recap/2026-11-17")
        ledger.mark_sent(doubtful.key)
        assert ledger.complete("recap/2026-11-17")


def test_a_plan_is_written_at_once_and_completes_when_every_key_is_done(ledger: Ledger) -> None:
    from sheetmentor.outbound.ledger import Planned

    keys = [f"recap/2026-11-24/m{i}@example.org" for i in range(3)]
    plan = [Planned(k, f"<{i}@x>", (k.rpartition("/")[2],)) for i, k in enumerate(keys)]
    bad = Planned("recap/2026-11-24/bad", "<bad@x>", ("bad",), error="not an address")
    assert ledger.plan("recap/2026-11-24", "recap", [*plan, bad]) == 4
    assert ledger.plan("recap/2026-11-24", "recap", plan) == 0  # planning again adds nothing
    assert [e.state for e in ledger.history()] == [State.PLANNED] * 3 + [State.FAILED]
    assert not ledger.complete("recap/2026-11-24")
    for key in keys[:2]:
        mark(ledger, key)
        ledger.mark_sent(key)
    assert not ledger.complete("recap/2026-11-24")  # the killed run's third message is planned
    mark(ledger, keys[2])
    assert ledger.count_doubt(keys[2]).doubts == 1
    ledger.mark_failed(keys[2], "550 no such user")
    assert ledger.complete("recap/2026-11-24")
    assert ledger.latest_with_failures("recap") == "recap/2026-11-24"
    log = (ledger.state_dir / "mailings.log").read_text()
    assert log.count("planned recap/2026-11-24: 4 messages") == 1


def test_a_missing_ledger_with_earlier_mailings_is_refused(tmp_path: Path) -> None:
    from sheetmentor.errors import LedgerMissingError
    from sheetmentor.outbound.ledger import Planned

    with Ledger.open_for_sending(tmp_path) as ledger:  # a new installation: nothing on record
        ledger.plan("recap/2026-11-24", "recap", [Planned("recap/2026-11-24/a", "<a@x>", ("a",))])
    (tmp_path / LEDGER_NAME).unlink()
    with pytest.raises(LedgerMissingError, match="--new-ledger"):
        Ledger.open_for_sending(tmp_path)
    assert not (tmp_path / LEDGER_NAME).exists()
    with Ledger.open_for_sending(tmp_path, new_ledger=True) as ledger:
        assert ledger.history() == []
        with ledger.send_lock(timeout=1):
            pass
    (tmp_path / LEDGER_NAME).unlink()
    (tmp_path / "mailings.log").unlink()
    with pytest.raises(LedgerMissingError, match="earlier runs sent from this folder"):
        Ledger.open_for_sending(tmp_path)  # the lock file of a sending run is evidence too
