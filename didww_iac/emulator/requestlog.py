"""A bounded log of the /v3 requests the emulator answered, for test assertions."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class LoggedRequest:
    method: str
    path: str
    query: str
    status: int | None
    outcome: str  # "response", "dropped", "throttled", "error", "answer_lost" (carried out, unanswered)
    api_version_header: str | None
    has_api_key: bool  # never the key itself
    body: Any
    started_at: float
    duration: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class RequestLog:
    def __init__(self, enabled: bool, limit: int = 10_000) -> None:
        self.enabled = enabled
        self._lock = threading.Lock()
        self._entries: deque[LoggedRequest] = deque(maxlen=limit)

    def add(self, entry: LoggedRequest) -> None:
        if self.enabled:
            with self._lock:
                self._entries.append(entry)

    def entries(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
