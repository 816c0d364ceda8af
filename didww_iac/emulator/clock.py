"""The account's clock: wall time plus an offset the admin API can push forward.

Orders complete and reservations expire against this clock, so a test can jump ten minutes
ahead instead of sleeping. Timestamps are rendered as DIDWW does: ISO 8601 UTC with
milliseconds, e.g. ``2017-06-25T08:21:41.795Z``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime


def iso(moment: float) -> str:
    # Whole milliseconds first: float seconds such as 2395.4739999 must not lose one.
    millis = round(moment * 1000)
    when = datetime.fromtimestamp(millis // 1000, UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{millis % 1000:03d}Z"


def parse_iso(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def day(moment: float) -> date:
    return datetime.fromtimestamp(moment, UTC).date()


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end (billing cycles are monthly)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    for candidate in (start.day, 30, 29, 28):
        try:
            return start.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


class Clock:
    def __init__(self, offset: float = 0.0, wall: Callable[[], float] = time.time) -> None:
        self._offset = offset
        self._wall = wall
        self._lock = threading.Lock()

    @property
    def offset(self) -> float:
        with self._lock:
            return self._offset

    def now(self) -> float:
        with self._lock:
            return self._wall() + self._offset

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0
