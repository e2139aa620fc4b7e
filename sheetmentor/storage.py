"""SQLite files in the state folder (the ledger, the meeting history), opened the same way.

Two cron runs may open a file at the same moment. SQLite waits out a busy database for ordinary
statements (``busy_timeout``), but switching a new file to WAL mode needs an exclusive lock and
fails at once with "database is locked" when another connection is doing the same: that switch is
retried here until the same timeout.

The state folder holds who got which message and the club's goal history: it is created ``0700``
and its files ``0600`` (owner only), whatever the umask.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Literal, Self

from sheetmentor.errors import ConfigError

BUSY_TIMEOUT_MS = 10_000
FOLDER_MODE = 0o700
FILE_MODE = 0o600


def state_folder(path: Path) -> Path:
    """Make sure the state folder exists (created ``0700``); ``state:`` naming a file, or a
    folder that cannot be created, is a :class:`ConfigError` naming the setting."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ConfigError(
            f"state: {path} is a file, not a folder; point state: at a folder "
            "(sheetmentor keeps its ledger and meeting history there)"
        )
    try:
        path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(f"state: cannot create the folder {path}: {error.strerror}") from None
    return path


def create_private(path: Path) -> None:
    """Create ``path`` empty and ``0600`` if it does not exist (SQLite gives its -wal and -shm
    files the database file's mode)."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
    except FileExistsError:
        return
    os.close(fd)


def open_database(
    path: Path | str, *, synchronous: Literal["FULL", "NORMAL"], read_only: bool = False
) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL journal, busy timeout.

    A new file is created ``0600``. With ``read_only`` (a command that only shows what the file
    holds) the journal mode is left as the file has it: switching it writes the file."""
    if str(path) != ":memory:":
        create_private(Path(path))
    db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if read_only:
            return db
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                db.execute("PRAGMA journal_mode = WAL")
                break
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        db.execute(f"PRAGMA synchronous = {synchronous}")
    except BaseException:
        db.close()
        raise
    return db


def foreign_tables(db: sqlite3.Connection, ours: Iterable[str]) -> list[str]:
    """The tables of ``db`` that are not among ``ours``: a file some other program wrote (a
    copied database, another tool's file given our name), which must not be written into."""
    names = [
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
        )
    ]
    known = set(ours)
    return [name for name in names if name not in known]


class StateFile:
    """What the ledger and the history store share: one connection, explicit transactions, and
    use as a context manager that closes it."""

    _db: sqlite3.Connection

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """``BEGIN IMMEDIATE`` (take the write lock now, waiting out other writers) … COMMIT."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
