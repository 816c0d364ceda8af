"""In-process limiter: one log per bucket id, shared by every client and thread of the process."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Hashable

from didww_iac.api.limiter.core import Limiter, Reservation, next_slot, window_for


class SlotLog:
    """Answer times and pending reservations of one bucket, guarded by a lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.answered: list[float] = []
        self.pending: set[int] = set()
        self._tickets = itertools.count()

    def reserve(self, now: float, limit: int, window: float) -> tuple[int, float] | None:
        with self.lock:
            self.answered = [t for t in self.answered if t >= now - window]
            slot = next_slot(self.answered, len(self.pending), now, limit, window)
            if slot is None:
                return None
            ticket = next(self._tickets)
            self.pending.add(ticket)
            return ticket, slot

    def settle(self, ticket: int, now: float) -> None:
        with self.lock:
            if ticket in self.pending:
                self.pending.discard(ticket)
                self.answered.append(now)


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

    @property
    def poll_interval(self) -> float:
        return self.window / self.limit / 2

    def reserve(self) -> Reservation | None:
        now = self._clock()
        reserved = self._log.reserve(now, self.limit, self.window)
        if reserved is None:
            return None
        ticket, slot = reserved
        return Reservation(slot - now, ticket)

    def settle(self, ticket: Hashable) -> None:
        assert isinstance(ticket, int)
        self._log.settle(ticket, self._clock())

    @property
    def description(self) -> str:
        return f"process limiter ({self.limit} per {self.window:.3f} s)"
