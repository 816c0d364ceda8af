"""Cross-process limiter on one machine: the slot log lives in a SQLite file.

``BEGIN IMMEDIATE`` takes the database's write lock for the read-modify-write, so processes
serialise on it; the clock is the wall clock because monotonic clocks are not comparable
between processes everywhere.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from didww_iac.api.errors import LimiterError
from didww_iac.api.limiter.core import Limiter, next_slot, window_for

_SCHEMA = """
CREATE TABLE IF NOT EXISTS slots (bucket TEXT NOT NULL, t REAL NOT NULL);
CREATE INDEX IF NOT EXISTS slots_bucket_t ON slots (bucket, t);
"""


class SqliteLimiter(Limiter):
    def __init__(
        self,
        path: Path,
        bucket_id: str,
        rate: float,
        *,
        margin: float = 0.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(sleep)
        self.limit, self.window = window_for(rate, margin)
        self.path = Path(path)
        self._bucket = bucket_id
        self._clock = clock
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise LimiterError(f"cannot open the SQLite rate-limit file {self.path}: {exc}") from None

    def reserve(self) -> float:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    now = self._clock()
                    # Keep a few windows of history: other processes may run with a lower rate.
                    self._db.execute(
                        "DELETE FROM slots WHERE bucket = ? AND t < ?", (self._bucket, now - 4 * self.window)
                    )
                    rows = self._db.execute(
                        "SELECT t FROM slots WHERE bucket = ? ORDER BY t DESC LIMIT ?",
                        (self._bucket, self.limit),
                    ).fetchall()
                    slot = next_slot([r[0] for r in reversed(rows)], now, self.limit, self.window)
                    self._db.execute("INSERT INTO slots (bucket, t) VALUES (?, ?)", (self._bucket, slot))
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise LimiterError(f"SQLite rate-limit file {self.path} failed: {exc}") from None
        return slot - now

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @property
    def description(self) -> str:
        return f"sqlite limiter ({self.limit} per {self.window:.3f} s, {self.path})"
