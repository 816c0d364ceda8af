"""The slot rule shared by every limiter backend, and the blocking acquire/settle on top of it."""

from __future__ import annotations

import heapq
import logging
import math
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

# A request reserved but never answered (its process died) stops counting after this long by
# default; `make_limiter` derives it from the client's timeouts instead.
STALE_AFTER = 120.0
# Waiting this long on requests in flight (of this or another process) is worth a log line.
SLOW_WAIT = 5.0

log = logging.getLogger(__name__)


def window_for(rate: float, margin: float = 0.0) -> tuple[int, float]:
    """``(N, W)``: at most N requests in any interval of W seconds (W includes the safety margin)."""
    if rate <= 0:
        raise ValueError("rate must be > 0")
    n = max(1, math.ceil(rate))
    return n, n / rate + margin


def next_slot(answered: Sequence[float], pending: int, now: float, limit: int, window: float) -> float | None:
    """The earliest send time for a new request, or ``None`` while ``pending`` uses the whole budget.

    ``answered`` holds, for requests whose answer came back, the time it came back (any order);
    ``pending`` counts requests reserved but not answered yet. The server stamps a request
    somewhere between its send and its answer, so:

    - a pending request may land in any window: each one takes a place from the budget;
    - an answered one landed no later than its answer: once ``window`` has passed since then,
      it is out of every window that can hold the new request.

    So the new request waits until only ``limit - pending - 1`` answers are younger than
    ``window``; no interval of length ``window`` on the server's clock then holds more than
    ``limit`` arrivals, whatever the delays between sending, arriving and answering.
    """
    budget = limit - pending
    if budget <= 0:
        return None
    if len(answered) < budget:
        return now
    return max(now, heapq.nlargest(budget, answered)[-1] + window)


@dataclass(frozen=True)
class Reservation:
    """A reserved send time: wait ``delay`` seconds, send, then settle ``ticket``."""

    delay: float
    ticket: Hashable


@dataclass(frozen=True)
class Permit:
    """What :meth:`Limiter.acquire` hands back: the wait it took and the ticket to settle."""

    waited: float
    ticket: Hashable


class Limiter(ABC):
    """Blocking rate limiter: :meth:`acquire` before sending, :meth:`settle` once answered."""

    def __init__(self, sleep: Callable[[float], None] = time.sleep) -> None:
        self._sleep = sleep

    @property
    @abstractmethod
    def poll_interval(self) -> float:
        """How long to wait before asking again when every slot of the budget is pending."""

    @abstractmethod
    def reserve(self) -> Reservation | None:
        """Reserve the next send slot, or ``None`` when requests in flight use the whole budget."""

    @abstractmethod
    def settle(self, ticket: Hashable) -> None:
        """Record that the request holding ``ticket`` was answered (or failed) just now."""

    def acquire(self) -> Permit:
        """Wait for a slot; the caller must :meth:`settle` the permit's ticket after sending."""
        waited = 0.0
        while (reservation := self.reserve()) is None:
            self._sleep(self.poll_interval)
            waited += self.poll_interval
            if waited - self.poll_interval < SLOW_WAIT <= waited:
                log.warning("rate limiter: waited %.0f s for requests still in flight to be answered", waited)
        if reservation.delay > 0:
            try:
                self._sleep(reservation.delay)
            except BaseException:
                self.settle(reservation.ticket)  # interrupted: nothing is sent on this slot
                raise
            waited += reservation.delay
        return Permit(waited, reservation.ticket)

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release backend resources."""

    @property
    def description(self) -> str:
        return type(self).__name__


class NoLimiter(Limiter):
    """rate_limit = 0: never waits (benchmarks of the client's own overhead)."""

    poll_interval = 0.0

    def reserve(self) -> Reservation:
        return Reservation(0.0, None)

    def settle(self, ticket: Hashable) -> None:
        pass
