"""The slot algorithm shared by every limiter backend, and the blocking acquire on top of it."""

from __future__ import annotations

import math
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence


def window_for(rate: float, margin: float = 0.0) -> tuple[int, float]:
    """``(N, W)``: at most N sends in any interval of W seconds (W includes the safety margin)."""
    if rate <= 0:
        raise ValueError("rate must be > 0")
    n = max(1, math.ceil(rate))
    return n, n / rate + margin


def next_slot(slots: Sequence[float], now: float, limit: int, window: float) -> float:
    """The earliest send time for a new request, given the reserved ``slots`` (ascending).

    Slots only ever grow, and a new one is at least ``window`` after the ``limit``-th latest, so
    every half-open interval of length ``window`` holds at most ``limit`` slots.
    """
    slot = now
    if slots:
        slot = max(slot, slots[-1])
    if len(slots) >= limit:
        slot = max(slot, slots[-limit] + window)
    return slot


class Limiter(ABC):
    """Blocking rate limiter: :meth:`acquire` waits until this caller may send."""

    def __init__(self, sleep: Callable[[float], None] = time.sleep) -> None:
        self._sleep = sleep

    @abstractmethod
    def reserve(self) -> float:
        """Reserve the next send slot; return how many seconds to wait before sending."""

    def acquire(self) -> float:
        """Wait for a slot; return the seconds spent waiting."""
        delay = self.reserve()
        if delay > 0:
            self._sleep(delay)
        return max(0.0, delay)

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release backend resources."""

    @property
    def description(self) -> str:
        return type(self).__name__


class NoLimiter(Limiter):
    """rate_limit = 0: never waits (benchmarks of the client's own overhead)."""

    def reserve(self) -> float:
        return 0.0
