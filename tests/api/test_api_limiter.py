"""The limiter: the slot algorithm (property-based), each backend with a fake or real clock."""

from __future__ import annotations

import itertools
import multiprocessing
import threading
import time
from pathlib import Path

import pytest
from didww_api_helpers import FakeClock
from hypothesis import given, settings
from hypothesis import strategies as st

from didww_iac.api import ClientSettings
from didww_iac.api.limiter import MemoryLimiter, NoLimiter, make_limiter, next_slot, window_for
from didww_iac.api.limiter.memory import SlotLog
from didww_iac.api.limiter.sqlite import SqliteLimiter


def max_in_any_window(slots: list[float], window: float) -> int:
    """Largest count of slots in a half-open interval [s, s + window) starting at a slot."""
    s = sorted(slots)
    return max((sum(1 for t in s if a <= t < a + window - 1e-9) for a in s), default=0)


@given(
    limit=st.integers(min_value=1, max_value=25),
    window=st.floats(min_value=0.05, max_value=3.0),
    gaps=st.lists(st.floats(min_value=0.0, max_value=0.5), min_size=1, max_size=120),
)
@settings(max_examples=200, deadline=None)
def test_no_window_ever_holds_more_than_the_limit(limit: int, window: float, gaps: list[float]) -> None:
    now, slots = 0.0, list[float]()
    for gap in gaps:
        now += gap
        slots.append(next_slot(slots, now, limit, window))
    assert all(b >= a for a, b in itertools.pairwise(slots))
    assert all(s >= t for s, t in zip(slots, _accumulate(gaps), strict=True))  # never before asked
    assert max_in_any_window(slots, window) <= limit


def _accumulate(gaps: list[float]) -> list[float]:
    out, t = [], 0.0
    for g in gaps:
        t += g
        out.append(t)
    return out


def test_window_for_fractional_rates() -> None:
    assert window_for(20.0) == (20, 1.0)
    assert window_for(20.0, 0.05) == (20, 1.05)
    assert window_for(0.5) == (1, 2.0)
    n, w = window_for(2.5)
    assert n == 3 and w == pytest.approx(1.2)
    with pytest.raises(ValueError):
        window_for(0)


def test_memory_limiter_lets_a_burst_through_then_spaces(clock: FakeClock) -> None:
    lim = MemoryLimiter("t", 20.0, clock=clock, sleep=clock.sleep, log=SlotLog())
    waits = [lim.acquire() for _ in range(60)]
    assert waits[:20] == [0.0] * 20
    assert waits[20] == pytest.approx(1.0)
    # Sustained: 60 requests take exactly 2 s beyond the first burst.
    assert clock.now - 1000.0 == pytest.approx(2.0)


def test_sustained_rate_with_margin_is_close_to_the_limit(clock: FakeClock) -> None:
    lim = MemoryLimiter("t", 20.0, margin=0.05, clock=clock, sleep=clock.sleep, log=SlotLog())
    for _ in range(401):
        lim.acquire()
    rate = 400 / (clock.now - 1000.0)
    assert 0.9 * 20 <= rate <= 20


def test_memory_limiters_with_the_same_bucket_share_the_budget(clock: FakeClock) -> None:
    log = SlotLog()
    a = MemoryLimiter("x", 10.0, clock=clock, sleep=clock.sleep, log=log)
    b = MemoryLimiter("x", 10.0, clock=clock, sleep=clock.sleep, log=log)
    waits = [(a if i % 2 else b).reserve() for i in range(20)]
    assert sum(1 for w in waits if w == 0) == 10


def test_process_limiters_are_shared_by_bucket_id() -> None:
    s = ClientSettings(api_key="same-key-0123456789", endpoint="emulator")
    a, b = make_limiter(s), make_limiter(s)
    assert isinstance(a, MemoryLimiter) and isinstance(b, MemoryLimiter)
    assert a._log is b._log
    other = make_limiter(ClientSettings(api_key="other-key-0123456789", endpoint="emulator"))
    assert isinstance(other, MemoryLimiter) and other._log is not a._log
    assert isinstance(make_limiter(ClientSettings(api_key="k-0123456789ab", rate_limit=0)), NoLimiter)


def test_threads_block_and_never_exceed(tmp_path: Path) -> None:
    lim = MemoryLimiter("threads", 50.0, log=SlotLog())
    sent: list[float] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(15):
            lim.acquire()
            with lock:
                sent.append(time.monotonic())

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(sent) == 120
    assert max_in_any_window(sent, 1.0 - 0.01) <= 50  # small tolerance for sleep overshoot ordering


def test_sqlite_limiters_share_one_file(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "rl.sqlite3"
    a = SqliteLimiter(path, "bucket", 5.0, clock=clock, sleep=clock.sleep)
    b = SqliteLimiter(path, "bucket", 5.0, clock=clock, sleep=clock.sleep)
    other = SqliteLimiter(path, "another", 5.0, clock=clock, sleep=clock.sleep)
    waits = [(a if i % 2 else b).reserve() for i in range(10)]
    assert waits[:5] == [0.0] * 5 and waits[5] == pytest.approx(1.0) and waits[9] == pytest.approx(1.0)
    assert other.reserve() == 0.0
    for lim in (a, b, other):
        lim.close()


def _sqlite_worker(path: str, n: int, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    lim = SqliteLimiter(Path(path), "mp", 20.0)
    stamps = []
    for _ in range(n):
        lim.acquire()
        stamps.append(time.time())
    out.put(stamps)


def test_sqlite_limiter_across_processes(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    q: multiprocessing.Queue = ctx.Queue()  # type: ignore[type-arg]
    procs = [ctx.Process(target=_sqlite_worker, args=(str(tmp_path / "mp.sqlite3"), 30, q)) for _ in range(2)]
    for p in procs:
        p.start()
    stamps = [t for _ in procs for t in q.get(timeout=60)]
    for p in procs:
        p.join(timeout=30)
    assert len(stamps) == 60
    assert max_in_any_window(stamps, 0.98) <= 20
    assert max(stamps) - min(stamps) >= 2.0  # 60 slots at 20/s need at least 2 s


@pytest.mark.redis
def test_redis_limiter_shares_the_budget(redis_url: str) -> None:
    from didww_iac.api.limiter.redis import RedisLimiter

    a = RedisLimiter(redis_url, "r1", 10.0)
    b = RedisLimiter(redis_url, "r1", 10.0)
    c = RedisLimiter(redis_url, "r2", 10.0)
    waits = [(a if i % 2 else b).reserve() for i in range(20)]
    assert sum(1 for w in waits if w < 0.05) == 10
    assert max(waits) == pytest.approx(1.0, abs=0.1)
    assert c.reserve() < 0.05
    for lim in (a, b, c):
        lim.close()


@pytest.mark.redis
def test_redis_limiter_error_is_redacted() -> None:
    from didww_iac.api import LimiterError
    from didww_iac.api.limiter.redis import RedisLimiter

    lim = RedisLimiter("redis://:hunter2@127.0.0.1:1/0", "x", 1.0)
    with pytest.raises(LimiterError) as info:
        lim.reserve()
    assert "hunter2" not in str(info.value)
