"""In-process limiter: one log per bucket id, shared by every client and thread of the process."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from didww_iac.api.limiter.core import Limiter, next_slot, window_for


class SlotLog:
    """Reserved send times of one bucket, guarded by a lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.slots: deque[float] = deque()

    def reserve(self, now: float, limit: int, window: float) -> float:
        with self.lock:
            while self.slots and self.slots[0] < now - window:
                self.slots.popleft()
            # next_slot only looks at the last `limit` slots; a deque slice keeps this O(limit).
            recent = list(self.slots)[-limit:] if len(self.slots) > limit else list(self.slots)
            slot = next_slot(recent, now, limit, window)
            self.slots.append(slot)
            return slot


_registry_lock = threading.Lock()
_registry: dict[str, SlotLog] = {}


def shared_log(bucket_id: str) -> SlotLog:
    with _registry_lock:
        return _registry.setdefault(bucket_id, SlotLog())


class MemoryLimiter(Limiter):
    def __init__(
        self,
        bucket_id: str,
        rate: float,
        *,
        margin: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        log: SlotLog | None = None,
    ) -> None:
        super().__init__(sleep)
        self.limit, self.window = window_for(rate, margin)
        self._clock = clock
        self._log = log if log is not None else shared_log(bucket_id)

    def reserve(self) -> float:
        now = self._clock()
        return self._log.reserve(now, self.limit, self.window) - now

    @property
    def description(self) -> str:
        return f"process limiter ({self.limit} per {self.window:.3f} s)"
