"""Client-side rate limiting shared by every thread (process), process (SQLite) or machine (Redis).

Why not pyrate-limiter (evaluated: 4.5.1)? It has the three backends, but its blocking mode polls:
a refused acquire sleeps and retries, so 8 waiting threads wake and race each other, with no
ordering between them, and the recorded timestamp is the moment a retry wins, not a slot reserved
in advance. Its API has also broken on every major release (2 -> 3 -> 4). What we need is smaller
and stricter: *reserve* the next send time atomically (one read-modify-write in the backend) and
sleep exactly once until it. The same pure function (:func:`next_slot`) decides the slot in all
three backends, so one set of fake-clock tests covers the algorithm, and each backend only has to
make the read-modify-write atomic (a ``threading.Lock``; ``BEGIN IMMEDIATE`` in SQLite; a Lua script
in Redis, which also supplies the clock shared by all machines).

Algorithm: a sliding-window log of requests, each *pending* (reserved, not yet answered) or
*answered* (with the time its answer came back). DIDWW counts a request when it arrives, which is
somewhere between our send and its answer; delays on either side (a busy thread, a slow proxy, a
queue in the server) are unknown. So a pending request counts in every window, and an answered
one leaves the window ``W`` after its answer. With ``N`` requests allowed per ``W`` (``N =
ceil(rate)``, ``W = N / rate + margin``) and ``p`` pending, a new slot is ``now`` or the
``(N - p)``-th latest answer + ``W``, whichever is later (none while ``p >= N``). That bound holds on
the server's clock whatever the delays; it costs one round trip per window of throughput (about
0.99 of the limit against a local server). An earlier version counted reserved send times plus a
75 ms margin, and CI showed 3 x 429 when a loaded machine delayed requests by more than that.
"""

from __future__ import annotations

from didww_iac.api.limiter.core import Limiter, NoLimiter, next_slot, window_for
from didww_iac.api.limiter.memory import MemoryLimiter
from didww_iac.api.settings import ClientSettings


def make_limiter(settings: ClientSettings) -> Limiter:
    """The limiter the settings ask for; rate 0 disables limiting."""
    if settings.rate_limit == 0:
        return NoLimiter()
    if settings.limiter == "process":
        return MemoryLimiter(settings.bucket_id, settings.rate_limit, margin=settings.limiter_margin)
    if settings.limiter == "sqlite":
        from didww_iac.api.limiter.sqlite import SqliteLimiter

        return SqliteLimiter(
            settings.resolved_limiter_path(),
            settings.bucket_id,
            settings.rate_limit,
            margin=settings.limiter_margin,
            stale_after=stale_after(settings),
        )
    from didww_iac.api.limiter.redis import RedisLimiter

    return RedisLimiter(
        settings.limiter,
        settings.bucket_id,
        settings.rate_limit,
        margin=settings.limiter_margin,
        stale_after=stale_after(settings),
    )


def stale_after(settings: ClientSettings) -> float:
    """How long a pending request of a process that died keeps counting: longer than any
    attempt of a live one can take (connect, then a read timeout on sending and on answering)."""
    return settings.connect_timeout + 2 * settings.read_timeout + 5.0


__all__ = ["Limiter", "MemoryLimiter", "NoLimiter", "make_limiter", "next_slot", "window_for"]
