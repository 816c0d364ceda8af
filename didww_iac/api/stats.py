"""Per-client request counters (thread-safe), read as an immutable snapshot."""

from __future__ import annotations

import threading
from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class RequestStats:
    requests: int = 0  # HTTP attempts sent (retries included)
    responses_429: int = 0
    responses_5xx: int = 0
    transport_errors: int = 0
    retries: int = 0
    throttled_seconds: float = 0.0  # waiting for the client-side rate limiter
    backoff_seconds: float = 0.0  # sleeping between retries (Retry-After, backoff)
    request_seconds: float = 0.0  # time on the wire (sum of latencies)

    def __str__(self) -> str:
        return (
            f"{self.requests} requests, {self.responses_429} x 429, {self.responses_5xx} x 5xx, "
            f"{self.transport_errors} transport errors, {self.retries} retries, "
            f"throttled {self.throttled_seconds:.2f} s, backoff {self.backoff_seconds:.2f} s"
        )


class StatsRecorder:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stats = RequestStats()

    def add(self, **deltas: float) -> None:
        with self._lock:
            self._stats = replace(self._stats, **{k: getattr(self._stats, k) + v for k, v in deltas.items()})

    def snapshot(self) -> RequestStats:
        with self._lock:
            return self._stats

    def reset(self) -> None:
        with self._lock:
            self._stats = RequestStats()


STAT_FIELDS = tuple(f.name for f in fields(RequestStats))
