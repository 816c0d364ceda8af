"""Limiter shared by runners on several machines: the request log is two Redis sorted sets.

Lua scripts do each read-modify-write atomically and take ``now`` from Redis ``TIME``, so the
machines' own clocks never need to agree; the caller sleeps for the returned delay.
``KEYS[1]`` holds answered requests (score: when the answer came back), ``KEYS[2]`` pending ones
(score: reserved send time, so a runner that died mid-request stops counting after a while).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Hashable
from typing import Any
from urllib.parse import urlsplit

from didww_iac.api.errors import LimiterError
from didww_iac.api.limiter.core import STALE_AFTER, Limiter, Reservation, window_for

# The same rule as `next_slot`. Returns the delay as a string (Redis truncates Lua numbers to
# integers), or false when pending requests use the whole budget.
_RESERVE = """
local answered_key, pending_key = KEYS[1], KEYS[2]
local limit, window, stale = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', answered_key, '-inf', string.format('(%.6f', now - 4 * window))
redis.call('ZREMRANGEBYSCORE', pending_key, '-inf', string.format('(%.6f', now - stale))
local budget = limit - redis.call('ZCARD', pending_key)
if budget <= 0 then return false end
local slot = now
if redis.call('ZCOUNT', answered_key, string.format('%.6f', now - window), '+inf') >= budget then
  local nth = redis.call('ZREVRANGE', answered_key, budget - 1, budget - 1, 'WITHSCORES')
  slot = math.max(slot, tonumber(nth[2]) + window)
end
redis.call('ZADD', pending_key, string.format('%.6f', slot), ARGV[3])
local ttl = math.ceil((slot - now + stale + 4 * window) * 1000)
redis.call('PEXPIRE', pending_key, ttl)
redis.call('PEXPIRE', answered_key, ttl)
return string.format('%.6f', slot - now)
"""

_SETTLE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
if redis.call('ZREM', KEYS[2], ARGV[1]) == 1 then
  redis.call('ZADD', KEYS[1], string.format('%.6f', now), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
end
return 1
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
        stale_after: float = STALE_AFTER,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(sleep)
        import redis

        self.limit, self.window = window_for(rate, margin)
        self._stale_after = stale_after
        self._url = _safe(url)  # never keep a password in text we may print
        prefix = f"didww-iac:ratelimit:{bucket_id}"
        self._keys = [f"{prefix}:answered", f"{prefix}:pending"]
        self._redis: Any = redis.Redis.from_url(url, socket_timeout=5.0, socket_connect_timeout=5.0)
        self._reserve: Any = self._redis.register_script(_RESERVE)
        self._settle: Any = self._redis.register_script(_SETTLE)

    @property
    def poll_interval(self) -> float:
        return self.window / self.limit / 2

    def reserve(self) -> Reservation | None:
        ticket = uuid.uuid4().hex
        delay = self._call(self._reserve, [self.limit, repr(self.window), ticket, repr(self._stale_after)])
        return None if delay is None else Reservation(float(delay), ticket)

    def settle(self, ticket: Hashable) -> None:
        ttl_ms = int((self._stale_after + 4 * self.window) * 1000)
        self._call(self._settle, [str(ticket), ttl_ms])

    def _call(self, script: Any, args: list[Any]) -> Any:
        import redis

        try:
            return script(keys=self._keys, args=args)
        except redis.RedisError as exc:
            raise LimiterError(f"Redis rate limiter at {self._url} failed: {type(exc).__name__}") from None

    def close(self) -> None:
        self._redis.close()

    @property
    def description(self) -> str:
        return f"redis limiter ({self.limit} per {self.window:.3f} s, {self._url})"
