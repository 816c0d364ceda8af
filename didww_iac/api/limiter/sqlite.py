"""Cross-process limiter on one machine: the request log lives in a SQLite file.

``BEGIN IMMEDIATE`` takes the database's write lock for the read-modify-write, so processes
serialise on it; the clock is the wall clock because monotonic clocks are not comparable
between processes everywhere.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Hashable
from pathlib import Path

from didww_iac.api.errors import LimiterError
from didww_iac.api.limiter.core import STALE_AFTER, Limiter, Reservation, next_slot, window_for

# One row per request: `answered` is NULL while it is pending.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    bucket TEXT NOT NULL,
    reserved REAL NOT NULL,
    answered REAL
);
CREATE INDEX IF NOT EXISTS requests_bucket_answered ON requests (bucket, answered);
"""


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
            self._db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise LimiterError(f"cannot open the SQLite rate-limit file {self.path}: {exc}") from None

    @property
    def poll_interval(self) -> float:
        return self.window / self.limit / 2

    def reserve(self) -> Reservation | None:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    reserved = self._reserve_in_transaction(self._clock())
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
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
