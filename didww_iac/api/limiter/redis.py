"""Limiter shared by runners on several machines: the slot log is a Redis sorted set.

A Lua script does the read-modify-write atomically and takes ``now`` from Redis ``TIME``, so the
machines' own clocks never need to agree; the caller sleeps for the returned delay.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from didww_iac.api.errors import LimiterError
from didww_iac.api.limiter.core import Limiter, window_for

# Returns the delay as a string: Redis truncates Lua numbers to integers.
_RESERVE = """
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', key, '-inf', string.format('(%.6f', now - 4 * window))
local slot = now
local last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
if #last > 0 then slot = math.max(slot, tonumber(last[2])) end
if redis.call('ZCARD', key) >= limit then
  local nth = redis.call('ZRANGE', key, -limit, -limit, 'WITHSCORES')
  slot = math.max(slot, tonumber(nth[2]) + window)
end
redis.call('ZADD', key, string.format('%.6f', slot), ARGV[3])
redis.call('PEXPIRE', key, math.ceil((slot - now + 4 * window) * 1000) + 1000)
return string.format('%.6f', slot - now)
"""


def _safe(url: str) -> str:
    p = urlsplit(url)
    return f"{p.scheme}://{p.hostname or ''}{':' + str(p.port) if p.port else ''}{p.path}"


class RedisLimiter(Limiter):
    def __init__(
        self,
        url: str,
        bucket_id: str,
        rate: float,
        *,
        margin: float = 0.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(sleep)
        import redis

        self.limit, self.window = window_for(rate, margin)
        self._url = _safe(url)  # never keep a password in text we may print
        self._key = f"didww-iac:ratelimit:{bucket_id}"
        self._redis: Any = redis.Redis.from_url(url, socket_timeout=5.0, socket_connect_timeout=5.0)
        self._script: Any = self._redis.register_script(_RESERVE)

    def reserve(self) -> float:
        import redis

        try:
            delay = self._script(keys=[self._key], args=[self.limit, repr(self.window), uuid.uuid4().hex])
        except redis.RedisError as exc:
            raise LimiterError(f"Redis rate limiter at {self._url} failed: {type(exc).__name__}") from None
        return float(delay)

    def close(self) -> None:
        self._redis.close()

    @property
    def description(self) -> str:
        return f"redis limiter ({self.limit} per {self.window:.3f} s, {self._url})"
