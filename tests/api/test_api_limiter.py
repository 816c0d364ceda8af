"""The limiter: the slot algorithm (property-based), each backend with a fake or real clock."""

from __future__ import annotations

import heapq
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
from didww_iac.api.limiter import Limiter, MemoryLimiter, NoLimiter, make_limiter, next_slot, window_for
from didww_iac.api.limiter.memory import SlotLog
from didww_iac.api.limiter.sqlite import SqliteLimiter


def max_in_any_window(slots: list[float], window: float) -> int:
    """Largest count of slots in a half-open interval [s, s + window) starting at a slot."""
    s = sorted(slots)
    return max((sum(1 for t in s if a <= t < a + window - 1e-9) for a in s), default=0)


def simulate(
    limit: int, window: float, delays: list[tuple[float, float, float]], threads: int, *, settle_at_send: bool = False
) -> list[float]:
    """Server arrival times of ``len(delays)`` requests sent by ``threads`` workers through one log.

    Each request's ``(late, uplink, downlink)``: the worker sends ``late`` after its slot, the server
    counts it ``uplink`` later and the answer is back ``downlink`` after that. Discrete events on
    a virtual clock; ``settle_at_send`` models the naive rule that counts a request at its slot.
    """
    log, arrivals = SlotLog(), list[float]()
    events: list[tuple[float, int, str, int]] = [(0.0, n, "reserve", -1) for n in range(threads)]
    heapq.heapify(events)
    order, todo = itertools.count(threads), iter(delays)
    while events:
        now, _, kind, ticket = heapq.heappop(events)
        if kind == "settle":
            log.settle(ticket, now)
            kind = "reserve"  # the worker asks for its next slot as soon as it is answered
        reserved = log.reserve(now, limit, window)
        if reserved is None:
            heapq.heappush(events, (now + window / limit / 2, next(order), "reserve", -1))
            continue
        ticket, slot = reserved
        delay = next(todo, None)
        if delay is None:
            log.settle(ticket, now)
            continue
        late, uplink, downlink = delay
        arrivals.append(slot + late + uplink)
        answered = slot + late + uplink + downlink
        if settle_at_send:
            log.settle(ticket, slot)
            answered = max(answered, slot)
            heapq.heappush(events, (answered, next(order), "reserve", -1))
        else:
            heapq.heappush(events, (answered, next(order), "settle", ticket))
    return arrivals


_delay = st.floats(min_value=0.0, max_value=0.4)


@given(
    limit=st.integers(min_value=1, max_value=25),
    window=st.floats(min_value=0.05, max_value=3.0),
    threads=st.integers(min_value=1, max_value=12),
    delays=st.lists(st.tuples(_delay, _delay, _delay), min_size=1, max_size=150),
)
@settings(max_examples=300, deadline=None)
def test_no_server_window_ever_holds_more_than_the_limit(
    limit: int, window: float, threads: int, delays: list[tuple[float, float, float]]
) -> None:
    """Whatever the delays before, between and after the server's count, its window holds."""
    arrivals = simulate(limit, window, delays, threads)
    assert len(arrivals) == len(delays)
    assert max_in_any_window(arrivals, window) <= limit


def test_counting_requests_at_their_slot_is_not_enough() -> None:
    """Control: one request held up on the way lets the naive rule put 21 in the server's window."""
    delays = [(0.0, 0.3, 0.0)] + [(0.0, 0.0, 0.0)] * 40
    naive = simulate(20, 1.0, delays, threads=8, settle_at_send=True)
    assert max_in_any_window(naive, 1.0) > 20
    assert max_in_any_window(simulate(20, 1.0, delays, threads=8), 1.0) <= 20


def test_next_slot_counts_pending_requests_against_the_budget() -> None:
    assert next_slot([], 0, 5.0, 3, 1.0) == 5.0
    assert next_slot([4.5, 4.6], 0, 5.0, 3, 1.0) == 5.0  # two answers in the window: room for one
    assert next_slot([4.5, 4.6, 4.7], 0, 5.0, 3, 1.0) == pytest.approx(5.5)
    assert next_slot([4.5, 4.6], 1, 5.0, 3, 1.0) == pytest.approx(5.5)  # the pending one may land anywhere
    assert next_slot([], 3, 5.0, 3, 1.0) is None


def test_window_for_fractional_rates() -> None:
    assert window_for(20.0) == (20, 1.0)
    assert window_for(20.0, 0.05) == (20, 1.05)
    assert window_for(0.5) == (1, 2.0)
    n, w = window_for(2.5)
    assert n == 3 and w == pytest.approx(1.2)
    with pytest.raises(ValueError):
        window_for(0)


def send_through(lim: Limiter, clock: FakeClock, count: int, latency: float = 0.0) -> list[float]:
    """``count`` sequential requests on the fake clock, each answered ``latency`` after its send."""
    waits = []
    for _ in range(count):
        permit = lim.acquire()
        waits.append(permit.waited)
        clock.sleep(latency)
        lim.settle(permit.ticket)
    return waits


def test_memory_limiter_lets_a_burst_through_then_spaces(clock: FakeClock) -> None:
    lim = MemoryLimiter("t", 20.0, clock=clock, sleep=clock.sleep, log=SlotLog())
    waits = send_through(lim, clock, 60)
    assert waits[:20] == [0.0] * 20
    assert waits[20] == pytest.approx(1.0)
    # Sustained: 60 requests take exactly 2 s beyond the first burst.
    assert clock.now - 1000.0 == pytest.approx(2.0)


def test_sustained_rate_with_round_trips_is_close_to_the_limit(clock: FakeClock) -> None:
    lim = MemoryLimiter("t", 20.0, margin=0.01, clock=clock, sleep=clock.sleep, log=SlotLog())
    send_through(lim, clock, 401, latency=0.01)
    rate = 400 / (clock.now - 1000.0)
    assert 0.95 * 20 <= rate <= 20


def test_every_pending_request_blocks_until_one_is_answered(clock: FakeClock) -> None:
    lim = MemoryLimiter("t", 3.0, clock=clock, sleep=clock.sleep, log=SlotLog())
    permits = [lim.acquire() for _ in range(3)]
    assert lim.reserve() is None  # three in flight: the whole budget
    lim.settle(permits[0].ticket)
    reservation = lim.reserve()
    assert reservation is not None and reservation.delay == pytest.approx(1.0)


def test_memory_limiters_with_the_same_bucket_share_the_budget(clock: FakeClock) -> None:
    log = SlotLog()
    a = MemoryLimiter("x", 10.0, clock=clock, sleep=clock.sleep, log=log)
    b = MemoryLimiter("x", 10.0, clock=clock, sleep=clock.sleep, log=log)
    waits = [send_through(a if i % 2 else b, clock, 1)[0] for i in range(11)]
    assert waits[:10] == [0.0] * 10 and waits[10] == pytest.approx(1.0)  # one budget of 10, not two


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
            permit = lim.acquire()
            with lock:
                sent.append(time.monotonic())
            lim.settle(permit.ticket)

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
    waits = [send_through(a if i % 2 else b, clock, 1)[0] for i in range(10)]
    assert waits[:5] == [0.0] * 5 and waits[5] == pytest.approx(1.0) and waits[9] == pytest.approx(0.0)
    assert send_through(other, clock, 1) == [0.0]
    first = a.acquire()
    assert b.reserve() is not None and a.reserve() is not None
    a.settle(first.ticket)
    for lim in (a, b, other):
        lim.close()


def _sqlite_worker(path: str, n: int, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    lim = SqliteLimiter(Path(path), "mp", 20.0)
    stamps = []
    for _ in range(n):
        permit = lim.acquire()
        stamps.append(time.time())
        lim.settle(permit.ticket)
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
    permits = [(a if i % 2 else b).acquire() for i in range(10)]
    assert (a.reserve(), b.reserve()) == (None, None)  # ten in flight: the whole budget of r1
    assert c.reserve() is not None  # another bucket
    for i, permit in enumerate(permits):
        (a if i % 2 else b).settle(permit.ticket)
    start = time.monotonic()
    waits = [(a if i % 2 else b).acquire().waited for i in range(10)]
    assert waits[0] == pytest.approx(1.0, abs=0.1) and time.monotonic() - start < 1.5
    for lim in (a, b, c):
        lim.close()


@pytest.mark.redis
def test_redis_limiter_error_is_redacted() -> None:
    from didww_iac.api import LimiterError
    from didww_iac.api.limiter.redis import RedisLimiter

    lim = RedisLimiter("redis://:hunter2@127.0.0.1:1/0", "x", 1.0)
    with pytest.raises(LimiterError) as info:
        lim.acquire()
    assert "hunter2" not in str(info.value)


def test_sqlite_pending_requests_hold_the_budget_until_answered_or_stale(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "pending.sqlite3"
    a = SqliteLimiter(path, "bucket", 3.0, stale_after=60.0, clock=clock, sleep=clock.sleep)
    b = SqliteLimiter(path, "bucket", 3.0, stale_after=60.0, clock=clock, sleep=clock.sleep)
    permits = [a.acquire() for _ in range(3)]
    assert b.reserve() is None  # another process's three requests in flight: the whole budget

    a.settle(permits[0].ticket)
    a.settle(permits[0].ticket)  # a second settle changes nothing
    reservation = b.reserve()
    assert reservation is not None and reservation.delay == pytest.approx(1.0)

    clock.sleep(61.0)  # a's process died with two requests in flight: they stop counting
    assert b.reserve() is not None
    for lim in (a, b):
        lim.close()


def test_an_interrupted_wait_gives_the_slot_back(clock: FakeClock) -> None:
    def interrupted(_: float) -> None:
        raise KeyboardInterrupt

    log = SlotLog()
    waiting = MemoryLimiter("t", 1.0, clock=clock, sleep=interrupted, log=log)
    other = MemoryLimiter("t", 1.0, clock=clock, sleep=clock.sleep, log=log)
    other.settle(other.acquire().ticket)
    with pytest.raises(KeyboardInterrupt):
        waiting.acquire()  # must wait a second for the slot, and is interrupted
    assert log.pending == set()
