"""Per-API-key request limit over a sliding one-second window (DIDWW limits per key, not per IP)."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable


class SlidingWindowLimiter:
    def __init__(self, rate: float | None, window: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self._window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._hits: dict[str, deque[float]] = defaultdict(deque)

    def allow(self, key: str) -> bool:
        """Count this request if it fits in the window; rejected requests do not count."""
        if not self.rate:
            return True
        with self._lock:
            now = self._clock()
            hits = self._hits[key]
            while hits and hits[0] <= now - self._window:
                hits.popleft()
            if len(hits) >= self.rate:
                return False
            hits.append(now)
            return True

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()
