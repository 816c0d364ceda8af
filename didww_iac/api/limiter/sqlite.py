"""Cross-process limiter on one machine: the request log lives in a SQLite file.

``BEGIN IMMEDIATE`` takes the database's write lock for the read-modify-write, so processes
serialise on it; the clock is the wall clock because monotonic clocks are not comparable
between processes everywhere.

Opening is safe while other processes open (or create) the same file: see :func:`_retry_busy`.
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from didww_iac.api.errors import LimiterError
from didww_iac.api.limiter.core import STALE_AFTER, Limiter, Reservation, next_slot, window_for

T = TypeVar("T")

# One row per request: `answered` is NULL while it is pending. Idempotent: every opener runs it.
_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS requests (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        bucket TEXT NOT NULL,
        reserved REAL NOT NULL,
        answered REAL
    )""",
    "CREATE INDEX IF NOT EXISTS requests_bucket_answered ON requests (bucket, answered)",
)
# How long one operation may wait for other processes holding the file's lock.
BUSY_TIMEOUT = 30.0
# Back-off between attempts that SQLite fails at once instead of waiting (see `_retry_busy`).
_RETRY_FIRST, _RETRY_MAX = 0.001, 0.05


def _is_busy(exc: sqlite3.Error) -> bool:
    """SQLITE_BUSY / SQLITE_LOCKED (any extended code): another connection holds a lock."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _retry_busy(db: sqlite3.Connection, step: Callable[[], T], deadline: float) -> T:
    """Run ``step``, trying again while it fails because another connection holds a lock.

    The busy timeout only covers waits SQLite may safely block on. A connection that already
    holds a read lock and needs the write lock (``PRAGMA journal_mode=WAL`` on a file still in
    rollback mode reads the header, then rewrites it) gets SQLITE_BUSY at once: two such readers
    waiting for each other would deadlock. Concurrent first openers of a new file hit exactly that.
    Backing off (the failed statement has dropped its lock) and retrying is what the docs of
    ``sqlite3_busy_handler`` prescribe for that case; the jitter stops openers that collided
    from colliding again in lockstep.
    """
    pause = _RETRY_FIRST
    while True:
        try:
            return step()
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or time.monotonic() + pause > deadline:
                raise
        if db.in_transaction:  # never retry while still holding this attempt's lock
            db.execute("ROLLBACK")
        time.sleep(random.uniform(pause / 2, pause))
        pause = min(2 * pause, _RETRY_MAX)


class SqliteLimiter(Limiter):
    def __init__(
        self,
        path: Path,
        bucket_id: str,
        rate: float,
        *,
        margin: float = 0.0,
        stale_after: float = STALE_AFTER,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(sleep)
        self.limit, self.window = window_for(rate, margin)
        self.path = Path(path)
        self._bucket = bucket_id
        self._stale_after = stale_after
        self._clock = clock
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise LimiterError(f"cannot open the SQLite rate-limit file {self.path}: {exc}") from None
        try:
            self._set_up()
        except sqlite3.Error as exc:
            self._db.close()
            raise LimiterError(f"cannot open the SQLite rate-limit file {self.path}: {exc}") from None

    def _set_up(self) -> None:
        """Switch the file to WAL and create the schema, both safe against concurrent openers.

        Where the file system cannot share WAL's index, SQLite keeps the rollback journal (the
        pragma then answers the old mode, no error); ``BEGIN IMMEDIATE`` serialises either way.
        """
        deadline = time.monotonic() + BUSY_TIMEOUT
        # WAL is persistent: once one opener has switched the file, this only reads the header.
        _retry_busy(self._db, lambda: self._db.execute("PRAGMA journal_mode=WAL").fetchone(), deadline)
        _retry_busy(self._db, self._create_schema, deadline)

    def _create_schema(self) -> None:
        # One write transaction (BEGIN IMMEDIATE waits on the busy timeout): no opener can see
        # the table without its index, and statements of concurrent openers never interleave.
        with self._immediate():
            for statement in _SCHEMA:
                self._db.execute(statement)

    @contextmanager
    def _immediate(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:  # some errors have rolled back already
                self._db.execute("ROLLBACK")
            raise

    @property
    def poll_interval(self) -> float:
        return self.window / self.limit / 2

    def reserve(self) -> Reservation | None:
        with self._lock:
            try:
                with self._immediate():
                    reserved = self._reserve_in_transaction(self._clock())
            except sqlite3.Error as exc:
                raise LimiterError(f"SQLite rate-limit file {self.path} failed: {exc}") from None
        return reserved

    def _reserve_in_transaction(self, now: float) -> Reservation | None:
        # Keep a few windows of answers: other processes may run with a lower rate (longer window).
        self._db.execute(
            "DELETE FROM requests WHERE bucket = ? AND (answered < ? OR (answered IS NULL AND reserved < ?))",
            (self._bucket, now - 4 * self.window, now - self._stale_after),
        )
        (pending,) = self._db.execute(
            "SELECT count(*) FROM requests WHERE bucket = ? AND answered IS NULL", (self._bucket,)
        ).fetchone()
        answered = self._db.execute(
            "SELECT answered FROM requests WHERE bucket = ? AND answered >= ? ORDER BY answered DESC LIMIT ?",
            (self._bucket, now - self.window, self.limit),
        ).fetchall()
        slot = next_slot([r[0] for r in answered], pending, now, self.limit, self.window)
        if slot is None:
            return None
        cursor = self._db.execute("INSERT INTO requests (bucket, reserved) VALUES (?, ?)", (self._bucket, slot))
        return Reservation(slot - now, cursor.lastrowid)

    def settle(self, ticket: Hashable) -> None:
        with self._lock:
            try:
                self._db.execute(
                    "UPDATE requests SET answered = ? WHERE id = ? AND answered IS NULL", (self._clock(), ticket)
                )
            except sqlite3.Error as exc:
                raise LimiterError(f"SQLite rate-limit file {self.path} failed: {exc}") from None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @property
    def description(self) -> str:
        return f"sqlite limiter ({self.limit} per {self.window:.3f} s, {self.path})"
