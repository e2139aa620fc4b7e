"""The send ledger: a SQLite record of every message sheetmentor tried to send.

The ledger lives in ``<state>/ledger.sqlite3`` and has one row per message *key* (see
:class:`sheetmentor.mail.Outgoing`). A row moves through these states::

    (no row) ──► sending ──► sent
                   │  ▲ └──► failed    (permanent: every recipient or the content refused)
                   ▼  │
                 deferred              (temporary: 4xx, connection lost; the next run retries)

``sending`` is committed *before* a message goes to the server and ``sent`` right after the server
accepts it, so a row found in ``sending`` when a run starts belongs to a run that died in between:
the message may or may not have reached the server. :mod:`sheetmentor.delivery` sends it again
with the Message-ID recorded here.

The database is in WAL mode with ``synchronous=FULL`` (a ``sent`` commit survives a power cut, so
it is never sent again) and a ``busy_timeout`` (a ``recap --status`` reading during a send waits
instead of failing). Runs that *send* are serialised by a file lock, ``<state>/send.lock``, taken
with :meth:`Ledger.send_lock`.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import filelock

from .errors import DeliveryError
from .storage import StateFile, open_database

__all__ = ["LEDGER_NAME", "LOCK_NAME", "Entry", "Ledger", "SendLockBusy", "State"]

LEDGER_NAME = "ledger.sqlite3"
LOCK_NAME = "send.lock"
_SCHEMA_VERSION = 1

_SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS messages (
    key         TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    recipients  TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('sending', 'sent', 'failed', 'deferred')),
    error       TEXT,
    refused     TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    sent_at     TEXT
)
""",
    "CREATE INDEX IF NOT EXISTS messages_created ON messages (created_at)",
)


class State(StrEnum):
    """Where a message stands; the values are what the ledger stores and ``--status`` shows."""

    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    DEFERRED = "deferred"


class SendLockBusy(DeliveryError):
    """Another run held ``send.lock`` for longer than this run would wait; nothing was sent."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One ledger row. Timestamps are aware UTC datetimes."""

    key: str
    kind: str
    message_id: str
    recipients: tuple[str, ...]
    state: State
    error: str | None
    refused: Mapping[str, str]
    """Recipients the server refused while it accepted the others (address → server reply)."""
    attempts: int
    created_at: dt.datetime
    updated_at: dt.datetime
    sent_at: dt.datetime | None


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


class Ledger(StateFile):
    """The ledger of one state folder; open with :meth:`open`, use as a context manager.

    Every ``mark_*`` method commits before returning: the ledger is only useful if what it says
    is on disk before the next network round trip.
    """

    def __init__(
        self,
        path: Path,
        *,
        clock: Callable[[], dt.datetime] = _utc_now,
    ) -> None:
        self.path = Path(path)
        self._clock = clock
        self._db = open_database(self.path, synchronous="FULL")
        self._db.row_factory = sqlite3.Row
        with self._transaction():
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > _SCHEMA_VERSION:
                raise DeliveryError(
                    f"{self.path} was written by a newer sheetmentor (ledger version {version})"
                )
            for statement in _SCHEMA:
                self._db.execute(statement)
            self._db.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")

    @classmethod
    def open(cls, state_dir: Path, *, clock: Callable[[], dt.datetime] = _utc_now) -> Ledger:
        """Open (creating if needed) ``<state_dir>/ledger.sqlite3``."""
        state_dir = Path(state_dir)
        state_dir.mkdir(parents=True, exist_ok=True)
        return cls(state_dir / LEDGER_NAME, clock=clock)

    @property
    def state_dir(self) -> Path:
        return self.path.parent

    @contextmanager
    def send_lock(self, timeout: float) -> Iterator[None]:
        """Hold ``<state>/send.lock`` for a sending run; wait at most ``timeout`` seconds for it.

        The lock is an OS file lock (``flock``), so a run killed with ``kill -9`` releases it.
        Raises :class:`SendLockBusy` when another run keeps it longer than ``timeout``.
        """
        lock = filelock.FileLock(self.state_dir / LOCK_NAME, timeout=timeout)
        try:
            lock.acquire()
        except filelock.Timeout:
            raise SendLockBusy(
                f"another sheetmentor run has been sending for more than {timeout:g} s "
                f"(it holds {lock.lock_file}); this run sent nothing and the next one will retry"
            ) from None
        try:
            yield
        finally:
            lock.release()

    def get(self, key: str) -> Entry | None:
        """The row for ``key``, or ``None`` if it was never tried."""
        row = self._db.execute("SELECT * FROM messages WHERE key = ?", (key,)).fetchone()
        return None if row is None else _entry(row)

    def mark_sending(
        self, key: str, *, kind: str, message_id: str, recipients: tuple[str, ...]
    ) -> Entry:
        """Record that ``key`` is about to go to the server (one more attempt).

        The Message-ID of an existing row is kept: it is the one a receiver may already have.
        Refuses (``ValueError``) to move a ``sent`` message back to ``sending``.
        """
        now = _iso(self._clock())
        with self._transaction():
            cursor = self._db.execute(
                """
                INSERT INTO messages (key, kind, message_id, recipients, state, attempts,
                                      created_at, updated_at)
                VALUES (?, ?, ?, ?, 'sending', 1, ?, ?)
                ON CONFLICT (key) DO UPDATE SET
                    state = 'sending', attempts = attempts + 1, kind = excluded.kind,
                    recipients = excluded.recipients, error = NULL, refused = NULL,
                    updated_at = excluded.updated_at
                WHERE state != 'sent'
                """,
                (key, kind, message_id, json.dumps(list(recipients)), now, now),
            )
            if cursor.rowcount != 1:
                raise ValueError(f"{key!r} is already sent; it must not be sent again")
        entry = self.get(key)
        assert entry is not None
        return entry

    def mark_sent(self, key: str, *, refused: Mapping[str, str] | None = None) -> None:
        """Record that the server accepted ``key`` (for all recipients but ``refused``)."""
        now = _iso(self._clock())
        self._update(
            "UPDATE messages SET state = 'sent', sent_at = ?, updated_at = ?, refused = ?,"
            " error = ? WHERE key = ?",
            (now, now, json.dumps(dict(refused)) if refused else None, _refusals(refused), key),
        )

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
        """Record a temporary failure; the next run sends the message again."""
        now = _iso(self._clock())
        self._update(
            "UPDATE messages SET state = 'deferred', error = ?, updated_at = ? WHERE key = ?",
            (error, now, key),
        )

    def _update(self, sql: str, params: tuple[object, ...]) -> None:
        with self._transaction():
            if self._db.execute(sql, params).rowcount != 1:
                raise KeyError(f"{params[-1]!r} is not in the ledger (mark_sending comes first)")

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
        rows = self._db.execute(sql, params).fetchall()
        return [_entry(row) for row in reversed(rows)]


def _refusals(refused: Mapping[str, str] | None) -> str | None:
    if not refused:
        return None
    return "; ".join(f"{rcpt}: {reply}" for rcpt, reply in refused.items())


def _parse_time(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text)


def _entry(row: sqlite3.Row) -> Entry:
    return Entry(
        key=row["key"],
        kind=row["kind"],
        message_id=row["message_id"],
        recipients=tuple(json.loads(row["recipients"])),
        state=State(row["state"]),
        error=row["error"],
        refused=json.loads(row["refused"]) if row["refused"] else {},
        attempts=row["attempts"],
        created_at=dt.datetime.fromisoformat(row["created_at"]),
        updated_at=dt.datetime.fromisoformat(row["updated_at"]),
        sent_at=_parse_time(row["sent_at"]),
    )
