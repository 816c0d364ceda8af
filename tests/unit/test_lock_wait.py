"""Waiting for a stack's lock (`--lock-timeout`) on a fake clock, and reading who holds it from
the engine's own error and lock files."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from didww_iac.locks import (
    REPORT_EVERY,
    Locked,
    LockHolder,
    StillLocked,
    format_duration,
    locked_message,
    parse_locked_error,
    read_lock_file,
    wait_for_lock,
)

NOW = datetime(2026, 12, 1, 10, 5, 0, tzinfo=UTC)
CI = LockHolder("ci", "runner-7", 4242, NOW - timedelta(minutes=3, seconds=12))
OTHER = LockHolder("deploy", "runner-9", 77, NOW - timedelta(seconds=5))

# As the pinned engine prints it (pkg/backend/diy/lock.go), from a file and a PostgreSQL backend.
ENGINE_ERROR = (
    "error: the stack is currently locked by 2 lock(s). Either wait for the other process(es) to end or "
    "delete the lock file with `pulumi cancel`.\n"
    "  file:///srv/state/.pulumi/locks/organization/didww-iac/dev/4f1c.json?no_tmp_dir=true: "
    "created by ci@runner-7 (pid 4242) at 2026-12-01T10:01:48Z\n"
    "  postgres://****:****@db:5432/state/.pulumi/locks/organization/didww-iac/dev/9a0e.json: "
    "created by deploy@runner-9 (pid 77) at 2026-12-01T10:04:55+00:00\n"
)


class Reports(list[tuple[tuple[LockHolder, ...], float]]):
    """What the wait said: (holders, seconds left) each time."""


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _attempts(*outcomes: Locked | str, cost: float = 0.0, time: FakeTime) -> Callable[[], Locked | str]:
    """An attempt returning `outcomes` in turn, each taking `cost` seconds."""
    pending = list(outcomes)

    def attempt() -> Locked | str:
        time.now += cost
        return pending.pop(0)

    return attempt


def _wait(attempt: Callable[[], Locked | str], timeout: float, time: FakeTime, reports: Reports) -> str:
    return wait_for_lock(
        attempt,
        timeout,
        poll=0.5,
        report=lambda holders, left: reports.append((holders, left)),
        clock=time.clock,
        sleep=time.sleep,
    )


def test_a_free_lock_runs_at_once_without_a_word() -> None:
    time, reports = FakeTime(), Reports()
    assert _wait(_attempts("ran", time=time), 0, time, reports) == "ran"
    assert time.slept == [] and reports == []


def test_a_held_lock_is_waited_for_and_its_holder_named_once() -> None:
    time, reports = FakeTime(), Reports()
    attempt = _attempts(Locked((CI,)), Locked((CI,)), Locked((CI,)), "ran", time=time)
    assert _wait(attempt, 60, time, reports) == "ran"
    assert time.slept == [0.5, 0.5, 0.5]
    assert reports == [((CI,), 60.0)]


def test_a_new_holder_is_named_again_and_a_long_wait_is_reported_now_and_then() -> None:
    time, reports = FakeTime(), Reports()
    held = [Locked((CI,))] * int(REPORT_EVERY / 0.5 + 1)
    attempt = _attempts(*held, Locked((OTHER,)), "ran", time=time)
    assert _wait(attempt, 600, time, reports) == "ran"
    assert [r[0] for r in reports] == [(CI,), (CI,), (OTHER,)]
    assert reports[1][1] == pytest.approx(600 - REPORT_EVERY)


def test_no_timeout_fails_at_the_first_locked_attempt() -> None:
    time = FakeTime()
    with pytest.raises(StillLocked) as failed:
        _wait(_attempts(Locked((CI,)), time=time), 0, time, Reports())
    assert failed.value.holders == (CI,) and failed.value.waited == 0
    assert time.slept == []


def test_the_wait_ends_at_the_timeout_with_the_last_holders_and_never_sleeps_past_it() -> None:
    time, reports = FakeTime(), Reports()
    attempt = _attempts(*[Locked((CI,))] * 6, Locked((OTHER,)), cost=0.4, time=time)
    with pytest.raises(StillLocked) as failed:
        _wait(attempt, 5, time, reports)
    assert failed.value.holders == (OTHER,) and failed.value.waited == 5
    # The wait began when the first attempt found the lock held (at 0.4 s): the last attempt
    # starts at its deadline, 5.4 s, and takes its 0.4 s.
    assert time.now == pytest.approx(5.8)
    assert max(time.slept) <= 0.5 and sum(time.slept) == pytest.approx(5.0 - 6 * 0.4 + 0.4)


def test_a_slow_first_look_does_not_eat_the_wait() -> None:
    # An engine start on a loaded machine can take longer than the whole timeout: the run still
    # says who holds the lock and waits its timeout for it.
    time, reports = FakeTime(), Reports()
    attempt = _attempts(*[Locked((CI,))] * 20, cost=4.0, time=time)
    with pytest.raises(StillLocked):
        _wait(attempt, 3, time, reports)
    assert [r[0] for r in reports] == [(CI,)] and reports[0][1] == pytest.approx(3)
    assert time.now - 4.0 >= 3  # it gave up only once the lock had been held 3 s since it was seen


def test_the_engines_error_names_every_holder() -> None:
    holders = parse_locked_error("Updating (dev):\n" + ENGINE_ERROR)
    assert holders == (
        LockHolder("ci", "runner-7", 4242, datetime(2026, 12, 1, 10, 1, 48, tzinfo=UTC)),
        LockHolder("deploy", "runner-9", 77, datetime(2026, 12, 1, 10, 4, 55, tzinfo=UTC)),
    )
    assert parse_locked_error("error: update failed\n") is None
    assert parse_locked_error(ENGINE_ERROR.splitlines()[0]) == ()  # locked, holders not printed


def test_a_lock_file_as_the_engine_writes_it(tmp_path: Path) -> None:
    lock = tmp_path / "4f1c.json"
    document = {"pid": 4242, "username": "ci", "hostname": "runner-7", "timestamp": "2026-12-01T10:01:48.123456789Z"}
    lock.write_text(json.dumps(document))
    assert read_lock_file(lock) == LockHolder("ci", "runner-7", 4242, datetime(2026, 12, 1, 10, 1, 48, 123456, UTC))
    lock.write_text("{damaged")
    assert read_lock_file(lock) == LockHolder("?", "?", None, None)  # still a lock: the engine refuses on it
    assert read_lock_file(tmp_path / "gone.json") is None


def test_the_message_names_the_holder_how_long_and_the_way_out() -> None:
    at_once = locked_message("dev", [CI], 0, NOW)
    assert "stack dev is locked by another run" in at_once
    assert "ci@runner-7 (pid 4242), held for 3m12s" in at_once
    assert "`--lock-timeout SECONDS` waits" in at_once and "`didww-iac unlock -s dev`" in at_once
    waited = locked_message("dev", [CI, OTHER], 300, NOW)
    assert "still locked after waiting 5m00s (--lock-timeout)" in waited
    assert "deploy@runner-9 (pid 77), held for 5s" in waited and "`didww-iac unlock -s dev`" in waited
    # Short lines: wrapped by nobody, so each part can be searched for in a CI log.
    assert max(len(line) for line in waited.splitlines()) <= 120
    assert "a run the engine did not name" in locked_message("dev", [], 0, NOW)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(-3, "0s"), (0.4, "0s"), (45, "45s"), (192, "3m12s"), (7500, "2h05m"), (3 * 86400 + 4 * 3600, "3d04h")],
)
def test_durations_read_at_a_glance(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text
