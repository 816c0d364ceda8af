"""The account's pending timers: (due time, type, record id), earliest first.

A timer names a record, not a callback, so timers can be rebuilt from stored state after a
restart; an entry whose record is gone or has moved on is simply ignored when it fires.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator


class Timers:
    def __init__(self) -> None:
        self._heap: list[tuple[float, int, str, str]] = []
        self._seq = 0  # ties fire in scheduling order

    def add(self, due: float, type_name: str, record_id: str) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (due, self._seq, type_name, record_id))

    def is_due(self, now: float) -> bool:
        return bool(self._heap) and self._heap[0][0] <= now

    def due(self, now: float) -> Iterator[tuple[str, str]]:
        """Pop the timers due at ``now`` (including any a fired one schedules for now)."""
        while self._heap and self._heap[0][0] <= now:
            _, _, type_name, record_id = heapq.heappop(self._heap)
            yield type_name, record_id

    def take(self, wanted: Callable[[str], bool]) -> list[tuple[str, str]]:
        """Remove and return, in due order, every timer of the types ``wanted`` accepts."""
        taken = sorted(t for t in self._heap if wanted(t[2]))
        self._heap = [t for t in self._heap if not wanted(t[2])]
        heapq.heapify(self._heap)
        return [(type_name, record_id) for _, _, type_name, record_id in taken]

    def clear(self) -> None:
        self._heap.clear()
