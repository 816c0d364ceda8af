"""Per-key sliding-window rate limit and DIDWW's 429 document."""

from __future__ import annotations

import time

import httpx

from didww_iac.emulator.ratelimit import SlidingWindowLimiter
from didww_iac.emulator.testing import running_emulator

TOO_MANY = {"errors": [{"status": "429", "detail": "Too Many Requests"}]}


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_sliding_window_with_fake_clock() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(3, clock=clock)
    assert [limiter.allow("k") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("other")  # per key
    clock.now += 0.5
    assert not limiter.allow("k")  # the window slides, it does not reset per second
    clock.now += 0.51
    assert limiter.allow("k")


def test_disabled_limiter_allows_everything() -> None:
    for rate in (None, 0):
        limiter = SlidingWindowLimiter(rate)
        assert all(limiter.allow("k") for _ in range(1000))


def test_burst_above_the_limit_gets_429() -> None:
    with (
        running_emulator(rate_limit=5, admin=False) as emu,
        httpx.Client(headers={"Api-Key": emu.api_key}) as client,
    ):
        responses = [client.get(emu.base_url + "pops") for _ in range(8)]
        statuses = [r.status_code for r in responses]
        assert statuses[:5] == [200] * 5
        assert statuses[5:] == [429] * 3
        rejected = responses[-1]
        assert rejected.json() == TOO_MANY
        assert rejected.headers["content-type"] == "application/vnd.api+json"
        time.sleep(1.05)
        assert client.get(emu.base_url + "pops").status_code == 200


def test_limit_is_per_key() -> None:
    with running_emulator(rate_limit=2, api_keys=["a", "b"], admin=False) as emu:
        statuses_a = [httpx.get(emu.base_url + "pops", headers={"Api-Key": "a"}).status_code for _ in range(3)]
        statuses_b = [httpx.get(emu.base_url + "pops", headers={"Api-Key": "b"}).status_code for _ in range(2)]
        assert statuses_a == [200, 200, 429]
        assert statuses_b == [200, 200]


def test_default_limit_is_20_per_second() -> None:
    with running_emulator(admin=False) as emu, httpx.Client(headers={"Api-Key": emu.api_key}) as client:
        statuses = [client.get(emu.base_url + "pops").status_code for _ in range(25)]
        assert statuses.count(200) == 20 and statuses[20:] == [429] * 5
