"""SQLite files in the state folder (the ledger, the meeting history), opened the same way.

Two cron runs may open a file at the same moment. SQLite waits out a busy database for ordinary
statements (``busy_timeout``), but switching a new file to WAL mode needs an exclusive lock and
fails at once with "database is locked" when another connection is doing the same: that switch is
retried here until the same timeout.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Literal

BUSY_TIMEOUT_MS = 10_000


def open_database(
    path: Path | str, *, synchronous: Literal["FULL", "NORMAL"]
) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL journal, busy timeout."""
    db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
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
