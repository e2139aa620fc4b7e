"""The send ledger: a SQLite record of every message sheetmentor planned, tried and sent.

The ledger lives in ``<state>/ledger.sqlite3``. A *mailing* (``recap/2026-11-24``) is a set of
messages, each with a *key* (``recap/2026-11-24/ada@example.org``, see
:class:`sheetmentor.outbound.mime.Outgoing`). A run that sends a mailing first writes every key of
it as
``planned``, in one transaction, under the send lock; then a row moves through these states::

    planned ──► sending ──► sent
      │           │  ▲ └──► failed    (for good: every recipient or the content refused,
      ▼           ▼  │                 the address unusable, or in doubt twice)
    deferred ◄────┘                   (temporary: 4xx, connection refused; the next run retries)

``sending`` is committed at the *handover*: after the server agreed to take the message (354 to
DATA) and before the message goes, and ``sent`` right after the server accepts it. A run that
dies earlier leaves the row ``planned`` or ``deferred``: nothing reached the server, the next run
sends it as if for the first time. A row found in ``sending`` by a later run is **in doubt**: the
server may or may not have it (the run died in the window, or the server took the whole message
and never answered). The next run counts that doubt (``doubts``) and sends it again, once, with
the Message-ID recorded here; a message in doubt a second time becomes ``failed`` instead of a
third copy.

A mailing is *complete* when it was planned and every planned key is ``sent`` or ``failed``: a
run killed half-way leaves ``planned`` rows, so the next run sends the rest.

The database is in WAL mode with ``synchronous=FULL`` and a ``busy_timeout`` (a ``recap
--status`` reading during a send waits instead of failing). One commit per message waits for the
disk: ``sending``, before the handover. ``sent`` is committed without waiting
(``synchronous=NORMAL``): a ``kill -9`` cannot lose it (the commit is in the operating system's
cache), and the next durable commit — the next message's ``sending``, or the sync when the
ledger closes — puts it on disk with everything before it in the WAL. A power cut in between
can only turn it back into ``sending``, which the next run treats as in doubt: the one resend
with the same Message-ID the handover allows anyway (ARCHITECTURE.md has the proof). Runs that
*send* are serialised by a file lock, ``<state>/send.lock`` (:meth:`Ledger.send_lock`). Each plan
also adds a line to ``<state>/mailings.log``, outside the database: if the ledger file is deleted,
that line is the evidence that makes :meth:`Ledger.open_for_sending` refuse to start over. The
same mailing name also goes to a *witness* outside the state folder
(``$XDG_STATE_HOME/sheetmentor/<digest of the state folder's path>.log``, by default under
``~/.local/state``), so that a whole state folder deleted, or replaced by one that does not know
what was sent from it (an old backup, another club's), is a refusal too, not a resend.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import filelock

from sheetmentor.errors import LedgerError, LedgerMissingError, SendLockBusy
from sheetmentor.storage import (
    FILE_MODE,
    StateFile,
    foreign_tables,
    open_database,
    state_folder,
)

__all__ = [
    "LEDGER_NAME",
    "LOCK_NAME",
    "LOG_NAME",
    "QUEUE_LIFETIME",
    "Entry",
    "Ledger",
    "Planned",
    "SendLockBusy",
    "State",
    "expired_detail",
    "mailing_of",
]

LEDGER_NAME = "ledger.sqlite3"
LOCK_NAME = "send.lock"
LOG_NAME = "mailings.log"
QUEUE_LIFETIME = dt.timedelta(days=5)
"""How long a ``deferred`` message is retried, counted from when it was first planned (like an
MTA's queue lifetime, five days by RFC 5321's advice): a later run past it records it
``failed`` and says so (exit 1) instead of trying on, or of dropping it silently."""
_SCHEMA_VERSION = 2

_MESSAGES = """
CREATE TABLE IF NOT EXISTS messages (
    key         TEXT PRIMARY KEY,
    mailing     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    recipients  TEXT NOT NULL,
    state       TEXT NOT NULL
                CHECK (state IN ('planned', 'sending', 'sent', 'failed', 'deferred')),
    error       TEXT,
    refused     TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    doubts      INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    sent_at     TEXT
)
"""
_SCHEMA = (
    _MESSAGES,
    "CREATE INDEX IF NOT EXISTS messages_created ON messages (created_at)",
    "CREATE INDEX IF NOT EXISTS messages_mailing ON messages (mailing)",
    """
    CREATE TABLE IF NOT EXISTS mailings (
        mailing     TEXT PRIMARY KEY,
        kind        TEXT NOT NULL,
        planned_at  TEXT,
        expired_at  TEXT
    )
    """,
)


class State(StrEnum):
    """Where a message stands; the values are what the ledger stores and ``--status`` shows."""

    PLANNED = "planned"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    DEFERRED = "deferred"


DONE = (State.SENT, State.FAILED)


@dataclass(frozen=True, slots=True)
class Planned:
    """One message of a mailing, as a run plans it before sending anything."""

    key: str
    message_id: str
    recipients: tuple[str, ...]
    error: str | None = None
    """Set when the message cannot be built (a bad address): planned straight as ``failed``."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One ledger row. Timestamps are aware UTC datetimes."""

    key: str
    mailing: str
    kind: str
    message_id: str
    recipients: tuple[str, ...]
    state: State
    error: str | None
    refused: Mapping[str, str]
    """Recipients the server refused while it accepted the others (address → server reply)."""
    attempts: int
    doubts: int
    """Handovers that ended without an answer (the server may have the message); cron sends a
    message again after one, never after two."""
    created_at: dt.datetime
    updated_at: dt.datetime
    sent_at: dt.datetime | None


def mailing_of(key: str) -> str:
    """``recap/2026-11-24/ada@example.org`` → ``recap/2026-11-24``: the mailing a key is part
    of (a key without ``/`` is its own mailing)."""
    return key.rpartition("/")[0] or key


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


@contextmanager
def _readable(path: Path) -> Iterator[None]:
    """Turn SQLite's and the OS's complaints about the file into a :class:`LedgerError`."""
    try:
        yield
    except sqlite3.DatabaseError as error:
        raise LedgerError(
            f"cannot use the ledger {path}: {error}. Nothing was sent. If the file is damaged, "
            "move it away: sheetmentor then refuses to send until you confirm with --new-ledger "
            "(messages recorded in the old file may go out again)"
        ) from None
    except OSError as error:
        raise LedgerError(f"cannot use the ledger {path}: {error.strerror or error}") from None


class Ledger(StateFile):
    """The ledger of one state folder; open with :meth:`open`, use as a context manager.

    Every ``mark_*`` method commits before returning: the ledger is only useful if what it says
    is on disk before the next network round trip. :meth:`mark_sent` alone commits without
    waiting for the disk (see the module docstring); :meth:`close` makes it durable. With
    ``read_only`` (``recap --status``) the file is never written: a ledger of an older schema is
    upgraded in a copy in memory.
    """

    def __init__(
        self,
        path: Path,
        *,
        clock: Callable[[], dt.datetime] = _utc_now,
        read_only: bool = False,
    ) -> None:
        self.path = Path(path)
        self._clock = clock
        self._lock: filelock.FileLock | None = None
        self._unsynced = False
        with _readable(self.path):
            self._db = open_database(self.path, synchronous="FULL", read_only=read_only)
            try:
                self._db.row_factory = sqlite3.Row
                if read_only:
                    self._read_only()
                else:
                    self._migrate()
            except BaseException:
                self._db.close()
                raise

    def _migrate(self) -> None:
        with self._transaction():
            foreign = foreign_tables(self._db, ("messages", "mailings", "messages_v1"))
            if foreign:
                raise LedgerError(
                    f"{self.path} is not a sheetmentor ledger: it holds tables sheetmentor does "
                    f"not write ({', '.join(foreign[:5])}). Nothing was sent. Move the file "
                    "away; sheetmentor then refuses to send until you confirm with --new-ledger"
                )
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > _SCHEMA_VERSION:
                raise LedgerError(
                    f"{self.path} was written by a newer sheetmentor (ledger version {version}); "
                    "upgrade sheetmentor"
                )
            if version == 1:
                _from_v1(self._db)
            for statement in _SCHEMA:
                self._db.execute(statement)
            self._db.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")

    def _read_only(self) -> None:
        """Read the file as it is; migrate only a copy in memory when its schema is older."""
        if self._db.execute("PRAGMA user_version").fetchone()[0] == _SCHEMA_VERSION:
            return
        memory = open_database(":memory:", synchronous="FULL")
        try:
            self._db.backup(memory)
        finally:
            self._db.close()
        self._db = memory
        self._db.row_factory = sqlite3.Row
        self._migrate()

    @classmethod
    def open(
        cls,
        state_dir: Path,
        *,
        clock: Callable[[], dt.datetime] = _utc_now,
        read_only: bool = False,
    ) -> Ledger:
        """Open (creating if needed) ``<state_dir>/ledger.sqlite3``; ``read_only`` for a
        command that only shows what the ledger holds (the file must exist)."""
        return cls(state_folder(state_dir) / LEDGER_NAME, clock=clock, read_only=read_only)

    @classmethod
    def open_for_sending(
        cls,
        state_dir: Path,
        *,
        new_ledger: bool = False,
        outbox: Path | None = None,
        clock: Callable[[], dt.datetime] = _utc_now,
    ) -> Ledger:
        """Open the ledger for a run that sends; refuse to *start* one over earlier sends.

        A missing ``ledger.sqlite3`` while ``<state>/mailings.log`` lists earlier mailings (or
        ``send.lock`` shows earlier sending runs, or ``outbox`` holds ``.eml`` files) means the
        ledger was deleted or lost: a new one would send everyone again what they already
        received. That is a :class:`LedgerMissingError` unless ``new_ledger`` says to go on
        anyway.
        """
        state_dir = state_folder(state_dir)
        witness = witness_path(state_dir)
        witnessed = _witnessed(witness)
        if not (state_dir / LEDGER_NAME).exists() and not new_ledger:
            evidence = _earlier_sends(state_dir, outbox)
            if evidence is None and witnessed:
                evidence = (
                    f"{witness} records {len(witnessed)} mailing"
                    f"{'s' if len(witnessed) != 1 else ''} sent from {state_dir} (was the "
                    "state folder deleted?)"
                )
            if evidence:
                raise LedgerMissingError(
                    f"the ledger {state_dir / LEDGER_NAME} is missing, but {evidence}: a new "
                    "ledger would send those messages again. Restore the file if you can; to "
                    "start a new ledger anyway, run the same command with --new-ledger"
                )
        ledger = cls.open(state_dir, clock=clock)
        try:
            unknown = sorted(witnessed - ledger.planned_mailings())
            if unknown and not new_ledger:
                shown = ", ".join(unknown[-3:])
                raise LedgerMissingError(
                    f"the ledger {ledger.path} does not know {len(unknown)} mailing"
                    f"{'s' if len(unknown) != 1 else ''} sent from this state folder ({shown}), "
                    f"which {witness} records: it is not the ledger they were sent with (an "
                    "older copy, or another folder's), and would send them again. Restore the "
                    "right state folder if you can; to go on with this one anyway, run the same "
                    "command with --new-ledger"
                )
            if new_ledger and witness is not None and witnessed:
                _rewrite_witness(witness, state_dir, ledger.planned_mailings())
        except BaseException:
            ledger.close()
            raise
        return ledger

    @property
    def state_dir(self) -> Path:
        return self.path.parent

    @property
    def locked(self) -> bool:
        """This ledger object holds the send lock (see :meth:`send_lock`)."""
        return self._lock is not None

    @contextmanager
    def send_lock(self, timeout: float) -> Iterator[None]:
        """Hold ``<state>/send.lock`` for a sending run; wait at most ``timeout`` seconds for it.

        The lock is an OS file lock (``flock``), so a run killed with ``kill -9`` releases it.
        Raises :class:`SendLockBusy` when another run keeps it longer than ``timeout``. Nesting
        on the same ledger is allowed (the inner block holds nothing more).
        """
        if self._lock is not None:
            yield
            return
        lock = filelock.FileLock(self.state_dir / LOCK_NAME, timeout=timeout, mode=FILE_MODE)
        try:
            lock.acquire()
        except filelock.Timeout:
            raise SendLockBusy(
                f"another sheetmentor run has been sending for more than {timeout:g} s "
                f"(it holds {lock.lock_file}); this run sent nothing and the next one will retry"
            ) from None
        self._lock = lock
        try:
            yield
        finally:
            self._lock = None
            lock.release()

    def get(self, key: str) -> Entry | None:
        """The row for ``key``, or ``None`` if it was never planned."""
        with _readable(self.path):
            row = self._db.execute("SELECT * FROM messages WHERE key = ?", (key,)).fetchone()
        return None if row is None else _entry(row)

    # -- mailings ----------------------------------------------------------------------------

    def plan(self, mailing: str, kind: str, messages: Iterable[Planned]) -> int:
        """Write every message of ``mailing`` as ``planned`` (or ``failed`` when it carries an
        error) in one transaction; keys already in the ledger keep their row. Returns how many
        rows are new. Call it under :meth:`send_lock`, before sending anything."""
        now = _iso(self._clock())
        added = 0
        with self._transaction():
            self._db.execute(
                "INSERT INTO mailings (mailing, kind, planned_at) VALUES (?, ?, ?)"
                " ON CONFLICT (mailing) DO UPDATE SET planned_at = excluded.planned_at"
                " WHERE planned_at IS NULL",
                (mailing, kind, now),
            )
            for item in messages:
                state = State.PLANNED if item.error is None else State.FAILED
                cursor = self._db.execute(
                    """
                    INSERT INTO messages (key, mailing, kind, message_id, recipients, state,
                                          error, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (key) DO NOTHING
                    """,
                    (
                        item.key,
                        mailing,
                        kind,
                        item.message_id,
                        json.dumps(list(item.recipients)),
                        str(state),
                        item.error,
                        now,
                        now,
                    ),
                )
                added += cursor.rowcount
        if added:
            self._log(f"{now} planned {mailing}: {added} message{'s' if added != 1 else ''}")
            _witness(witness_path(self.state_dir), self.state_dir, mailing)
        return added

    def _log(self, line: str) -> None:
        """Append to ``mailings.log`` (0600): the trace :meth:`open_for_sending` looks for."""
        try:
            fd = os.open(
                self.state_dir / LOG_NAME, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE
            )
            with os.fdopen(fd, "a", encoding="utf-8") as log:
                log.write(line + "\n")
        except OSError as error:
            raise LedgerError(
                f"cannot write {self.state_dir / LOG_NAME}: {error.strerror}"
            ) from None

    def planned(self, mailing: str) -> bool:
        """``mailing`` was planned by some run (its keys are in the ledger)."""
        with _readable(self.path):
            row = self._db.execute(
                "SELECT planned_at FROM mailings WHERE mailing = ?", (mailing,)
            ).fetchone()
        return row is not None and row["planned_at"] is not None

    def planned_mailings(self) -> set[str]:
        """Every mailing some run planned in this ledger."""
        with _readable(self.path):
            rows = self._db.execute(
                "SELECT mailing FROM mailings WHERE planned_at IS NOT NULL"
            ).fetchall()
        return {row[0] for row in rows}

    def ever_planned(self) -> bool:
        """Some mailing was planned in this ledger (this is not a new installation)."""
        with _readable(self.path):
            row = self._db.execute(
                "SELECT 1 FROM mailings WHERE planned_at IS NOT NULL LIMIT 1"
            ).fetchone()
        return row is not None

    def complete(self, mailing: str) -> bool:
        """Planned, and every planned key is ``sent`` or ``failed``: nothing left to send."""
        if not self.planned(mailing):
            return False
        with _readable(self.path):
            row = self._db.execute(
                "SELECT count(*) FROM messages WHERE mailing = ? AND state NOT IN (?, ?)",
                (mailing, *map(str, DONE)),
            ).fetchone()
        return row[0] == 0

    def unfinished(self, kind: str) -> list[str]:
        """The mailings of ``kind`` some run planned and that still have a message to send
        (``planned``, ``deferred`` or ``sending``), oldest first: cron finishes them even after
        a newer meeting ended."""
        with _readable(self.path):
            rows = self._db.execute(
                "SELECT m.mailing FROM mailings m WHERE m.kind = ? AND m.planned_at IS NOT NULL"
                " AND EXISTS (SELECT 1 FROM messages WHERE mailing = m.mailing"
                " AND state NOT IN (?, ?)) ORDER BY m.planned_at, m.rowid",
                (kind, *map(str, DONE)),
            ).fetchall()
        return [row[0] for row in rows]

    def fail_unfinished(self, mailing: str, error: str) -> int:
        """Record every message of ``mailing`` not sent or failed yet as ``failed`` with
        ``error`` (it can no longer be sent); how many."""
        now = _iso(self._clock())
        with self._transaction():
            cursor = self._db.execute(
                "UPDATE messages SET state = 'failed', error = ?, updated_at = ?"
                " WHERE mailing = ? AND state NOT IN (?, ?)",
                (error, now, mailing, *map(str, DONE)),
            )
            return cursor.rowcount

    def newest_meeting(self, kind: str) -> dt.date | None:
        """The latest meeting date of a planned mailing of ``kind`` (``recap/2026-11-24`` →
        Nov 24): what cron has sent up to, so that a clock set back does not send an older
        meeting's mailing after a newer one."""
        with _readable(self.path):
            rows = self._db.execute(
                "SELECT mailing FROM mailings WHERE kind = ? AND planned_at IS NOT NULL", (kind,)
            ).fetchall()
        dates = []
        for (mailing,) in rows:
            try:
                dates.append(dt.date.fromisoformat(mailing.rpartition("/")[2]))
            except ValueError:
                continue  # a key of its own (mark_sending without a plan): no meeting
        return max(dates, default=None)

    def latest_with_failures(self, kind: str) -> str | None:
        """The most recently planned mailing of ``kind`` with a ``failed`` message."""
        with _readable(self.path):
            row = self._db.execute(
                "SELECT m.mailing FROM mailings m WHERE m.kind = ? AND EXISTS (SELECT 1 FROM"
                " messages WHERE mailing = m.mailing AND state = 'failed')"
                " ORDER BY m.planned_at DESC, m.rowid DESC LIMIT 1",
                (kind,),
            ).fetchone()
        return None if row is None else row[0]

    def expire(self, mailing: str, kind: str) -> bool:
        """Record that ``mailing`` is too old to send; True only the first time (so a run says
        so once, not every hour)."""
        now = _iso(self._clock())
        with self._transaction():
            cursor = self._db.execute(
                "INSERT INTO mailings (mailing, kind, expired_at) VALUES (?, ?, ?)"
                " ON CONFLICT (mailing) DO UPDATE SET expired_at = excluded.expired_at"
                " WHERE expired_at IS NULL",
                (mailing, kind, now),
            )
            return cursor.rowcount == 1

    # -- one message -------------------------------------------------------------------------

    def mark_sending(
        self,
        key: str,
        *,
        kind: str,
        message_id: str,
        recipients: tuple[str, ...],
    ) -> Entry:
        """Record that ``key`` is being handed to the server (one more attempt).

        A key that was not planned is planned now, in a mailing named after its key. The
        Message-ID of an existing row is kept: it is the one a receiver may already have.
        Refuses (``ValueError``) to move a ``sent`` message back to ``sending``.
        """
        now = _iso(self._clock())
        mailing = mailing_of(key)
        with self._transaction():
            cursor = self._db.execute(
                """
                INSERT INTO messages (key, mailing, kind, message_id, recipients, state,
                                      attempts, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, 'sending', 1, ?, ?)
                ON CONFLICT (key) DO UPDATE SET
                    state = 'sending', attempts = attempts + 1, kind = excluded.kind,
                    recipients = excluded.recipients, error = NULL, refused = NULL,
                    updated_at = excluded.updated_at
                WHERE state != 'sent'
                """,
                (key, mailing, kind, message_id, json.dumps(list(recipients)), now, now),
            )
            if cursor.rowcount != 1:
                raise ValueError(f"{key!r} is already sent; it must not be sent again")
        entry = self.get(key)
        assert entry is not None
        return entry

    def mark_sent(self, key: str, *, refused: Mapping[str, str] | None = None) -> None:
        """Record that the server accepted ``key`` (for all recipients but ``refused``).

        Committed without an fsync: the next durable commit (the next ``sending``) or
        :meth:`close` carries it to disk. Until then only a power cut can undo it, back to the
        ``sending`` the handover made durable — in doubt, resent once with its Message-ID."""
        now = _iso(self._clock())
        self._db.execute("PRAGMA synchronous = NORMAL")
        try:
            self._update(
                "UPDATE messages SET state = 'sent', sent_at = ?, updated_at = ?, refused = ?,"
                " error = ? WHERE key = ?",
                (now, now, json.dumps(dict(refused)) if refused else None, _refusals(refused), key),
            )
        finally:
            self._db.execute("PRAGMA synchronous = FULL")
        self._unsynced = True

    def sync(self) -> None:
        """Put every commit on disk: the ``sent`` rows :meth:`mark_sent` committed without
        waiting. A WAL commit is appended to the ``-wal`` file, so syncing that file makes them
        all durable at once (a checkpoint syncs the WAL before it moves frames into the
        database, so a frame that left the WAL is durable already)."""
        if not self._unsynced:
            return
        wal = self.path.with_name(self.path.name + "-wal")
        with suppress(FileNotFoundError):
            descriptor = os.open(wal, os.O_RDONLY)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
        self._unsynced = False

    def close(self) -> None:
        """Sync what :meth:`mark_sent` left unsynced, then close the connection."""
        try:
            self.sync()
        finally:
            super().close()

    def mark_failed(
        self, key: str, error: str, *, refused: Mapping[str, str] | None = None
    ) -> None:
        """Record a permanent failure with the server's reply; cron does not retry it."""
        now = _iso(self._clock())
        self._update(
            "UPDATE messages SET state = 'failed', error = ?, refused = ?, updated_at = ?"
            " WHERE key = ?",
            (error, json.dumps(dict(refused)) if refused else None, now, key),
        )

    def mark_deferred(self, key: str, error: str) -> None:
        """Record a temporary failure before the server had the message; the next run sends
        it again."""
        now = _iso(self._clock())
        self._update(
            "UPDATE messages SET state = 'deferred', error = ?, updated_at = ? WHERE key = ?",
            (error, now, key),
        )

    def count_doubt(self, key: str) -> Entry:
        """A row found ``sending`` by a later run: one more doubt, and back to ``deferred``
        until its resend is handed over (the error says why)."""
        now = _iso(self._clock())
        self._update(
            "UPDATE messages SET state = 'deferred', doubts = doubts + 1, updated_at = ?,"
            " error = 'in doubt: ' || coalesce(error, 'the sending run stopped at the handover')"
            " WHERE key = ? AND state = 'sending'",
            (now, key),
        )
        entry = self.get(key)
        assert entry is not None
        return entry

    def mark_in_doubt(self, key: str, error: str) -> None:
        """The server had the whole message and did not answer: the row stays ``sending`` (a
        later run sends it once more) and keeps why."""
        now = _iso(self._clock())
        self._update(
            "UPDATE messages SET error = ?, updated_at = ? WHERE key = ? AND state = 'sending'",
            (error, now, key),
        )

    def _update(self, sql: str, params: tuple[object, ...]) -> None:
        with self._transaction():
            if self._db.execute(sql, params).rowcount != 1:
                raise KeyError(f"{params[-1]!r} is not in the ledger (mark_sending comes first)")

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        with _readable(self.path), super()._transaction():
            yield

    def history(
        self,
        *,
        kind: str | None = None,
        states: tuple[State, ...] | None = None,
        since: dt.datetime | None = None,
        limit: int | None = None,
    ) -> list[Entry]:
        """Rows oldest first, for ``recap --status``: filter by kind, states, first-try time.

        With ``limit``, the *newest* ``limit`` rows (still oldest first).
        """
        clauses, params = [], []
        if kind is not None:
            clauses.append("kind = ?")
            params.append(kind)
        if states:
            clauses.append(f"state IN ({', '.join('?' for _ in states)})")
            params.extend(str(s) for s in states)
        if since is not None:
            clauses.append("created_at >= ?")
            params.append(_iso(since))
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        sql = f"SELECT * FROM messages {where} ORDER BY created_at DESC, rowid DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        with _readable(self.path):
            rows = self._db.execute(sql, params).fetchall()
        return [_entry(row) for row in reversed(rows)]


def expired_detail(entry: Entry) -> str:
    """Why a message deferred past :data:`QUEUE_LIFETIME` is given up, with its last error."""
    days = QUEUE_LIFETIME.days
    last = f": {entry.error}" if entry.error else ""
    return (
        f"deferred for more than {days} days since {entry.created_at.date().isoformat()}, "
        f"given up (--retry-failed tries again){last}"
    )


WITNESS_HEADER = "# sheetmentor: mailings planned from the state folder "


def witness_path(state_dir: Path) -> Path | None:
    """Where the witness of ``state_dir`` lives, outside it: ``$XDG_STATE_HOME/sheetmentor/``
    (default ``~/.local/state/sheetmentor/``), one file per state folder, named by a digest of
    its absolute path. None when there is no home folder to keep it in."""
    base = os.environ.get("XDG_STATE_HOME")
    try:
        root = Path(base) if base else Path.home() / ".local" / "state"
    except RuntimeError:
        return None
    digest = hashlib.sha256(str(Path(state_dir).resolve()).encode()).hexdigest()[:24]
    return root / "sheetmentor" / f"{digest}.log"


def _witnessed(witness: Path | None) -> set[str]:
    """The mailings the witness records (none when it cannot be read)."""
    if witness is None:
        return set()
    try:
        lines = witness.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return set()
    named = (line.partition(" ")[2].strip() for line in lines if not line.startswith("#"))
    return {mailing for mailing in named if mailing}


def _witness(witness: Path | None, state_dir: Path, mailing: str) -> None:
    """Append ``mailing`` to the witness. A witness that cannot be written only weakens the
    protection (``mailings.log`` still holds): sending goes on."""
    if witness is None:
        return
    try:
        witness.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(witness, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
        with os.fdopen(fd, "a", encoding="utf-8") as file:
            if file.tell() == 0:
                file.write(f"{WITNESS_HEADER}{Path(state_dir).resolve()}\n")
            file.write(f"{_iso(_utc_now())} {mailing}\n")
    except OSError:
        return


def _rewrite_witness(witness: Path, state_dir: Path, mailings: set[str]) -> None:
    """``--new-ledger`` accepted this ledger: the witness now records what it knows."""
    try:
        witness.unlink(missing_ok=True)
    except OSError:
        return
    for mailing in sorted(mailings):
        _witness(witness, state_dir, mailing)


def _earlier_sends(state_dir: Path, outbox: Path | None) -> str | None:
    """What in the state folder (or the outbox) shows that messages were sent before."""
    log = state_dir / LOG_NAME
    try:
        if log.stat().st_size > 0:
            return f"{log} records earlier mailings"
    except OSError:
        pass
    if (state_dir / LOCK_NAME).exists():
        return f"{state_dir / LOCK_NAME} shows that earlier runs sent from this folder"
    if outbox is not None and outbox.is_dir() and any(outbox.glob("*.eml")):
        return f"the outbox {outbox} holds messages sent before"
    return None


def _from_v1(db: sqlite3.Connection) -> None:
    """Version 1 had no ``planned`` state, no mailings and no count of doubts."""
    db.execute("ALTER TABLE messages RENAME TO messages_v1")
    db.execute("DROP INDEX IF EXISTS messages_created")
    db.execute(_MESSAGES)
    db.execute(
        """
        INSERT INTO messages (key, mailing, kind, message_id, recipients, state, error, refused,
                              attempts, created_at, updated_at, sent_at)
        SELECT key, rtrim(rtrim(key, replace(key, '/', '')), '/'), kind, message_id, recipients,
               state, error, refused, attempts, created_at, updated_at, sent_at
        FROM messages_v1
        """
    )
    db.execute("DROP TABLE messages_v1")
    db.execute(_SCHEMA[3])
    db.execute(
        "INSERT INTO mailings (mailing, kind, planned_at)"
        " SELECT mailing, min(kind), min(created_at) FROM messages GROUP BY mailing"
    )


def _refusals(refused: Mapping[str, str] | None) -> str | None:
    if not refused:
        return None
    return "; ".join(f"{rcpt}: {reply}" for rcpt, reply in refused.items())


def _parse_time(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text)


def _entry(row: sqlite3.Row) -> Entry:
    return Entry(
        key=row["key"],
        mailing=row["mailing"],
        kind=row["kind"],
        message_id=row["message_id"],
        recipients=tuple(json.loads(row["recipients"])),
        state=State(row["state"]),
        error=row["error"],
        refused=json.loads(row["refused"]) if row["refused"] else {},
        attempts=row["attempts"],
        doubts=row["doubts"],
        created_at=dt.datetime.fromisoformat(row["created_at"]),
        updated_at=dt.datetime.fromisoformat(row["updated_at"]),
        sent_at=_parse_time(row["sent_at"]),
    )
