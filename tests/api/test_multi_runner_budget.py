"""K CI runners on different machines, one DIDWW key: the Redis limiter gives them one budget.

Each runner is a process of its own (tests/api/budget_runner.py) with a HOME of its own and
nothing shared with the others but the Redis URL and the key, as on separate machines; each
builds its client as the providers do. They start their load together (each waits for a line on
stdin) against an emulator enforcing DIDWW's 20 requests per second.

Why the bounds hold by construction, not by luck: a runner counts a request in the shared window
from its reservation (before it is sent) until one window after its answer, and the emulator logs
the request in between, so no 1-second window of arrivals holds more than the limit whatever the
delays. The control run (a private limiter per runner) shows the same load does overrun the key.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from didww_api_helpers import logged, max_in_window

from didww_iac.emulator.testing import RunningEmulator, running_emulator
from didww_iac.resources.connection import REDIS_URL_ENV
from didww_iac.settings import API_KEY_ENV

RUNNERS = 4
THREADS = 4  # a provider host runs many at once; 4 each keep 16 requests in flight
REQUESTS = 8  # per thread: 32 per runner, more than one window's budget (20)
RATE = 20.0
WORKER = Path(__file__).with_name("budget_runner.py")


def _run_together(emu: RunningEmulator, tmp_path: Path, limiter: str, redis_url: str | None) -> list[dict[str, Any]]:
    """Starts the runners, lets them all go at once when each is ready, returns their reports."""
    procs = []
    for i in range(RUNNERS):
        home = tmp_path / f"runner-{i}"
        home.mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DIDWW_", "XDG_"))}
        env.update({"HOME": str(home), API_KEY_ENV: emu.api_key})
        if redis_url is not None:
            env[REDIS_URL_ENV] = redis_url
        procs.append(
            subprocess.Popen(
                [sys.executable, str(WORKER), emu.base_url, limiter, str(THREADS), str(REQUESTS)],
                env=env,
                cwd=home,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        )
    try:
        for proc in procs:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready", f"runner exited {proc.wait()}"
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        outputs = [proc.communicate(timeout=120)[0] for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert [proc.returncode for proc in procs] == [0] * RUNNERS
    return [json.loads(out.strip().splitlines()[-1]) for out in outputs]


def _overlapped(reports: list[dict[str, Any]]) -> bool:
    # Each runner needs more than one window's budget, so it cannot finish before the last one
    # has been told to go: the load really was concurrent.
    last_go: float = max(r["go_at"] for r in reports)
    first_done: float = min(r["done_at"] for r in reports)
    return last_go < first_done


@pytest.mark.redis
@pytest.mark.timeout(180)
def test_four_runners_with_one_key_share_its_budget_through_redis(redis_url: str, tmp_path: Path) -> None:
    with running_emulator(rate_limit=RATE, request_log=True) as emu:
        reports = _run_together(emu, tmp_path, "redis", redis_url)
        log = [e for e in logged(emu) if e["path"].startswith("/v3/")]

    assert _overlapped(reports)
    per_runner = 1 + THREADS * REQUESTS  # the connection's first request, then the load
    assert [(r["requests"], r["responses_429"], r["retries"], r["errors"]) for r in reports] == [
        (per_runner, 0, 0, [])
    ] * RUNNERS
    # The emulator's log, every request of every runner from the first one on (nothing cleared).
    assert len(log) == RUNNERS * per_runner
    assert [e for e in log if e["status"] == 429] == []
    assert max_in_window([e["started_at"] for e in log]) <= RATE


@pytest.mark.timeout(180)
def test_control_four_runners_with_a_budget_each_overrun_the_key(tmp_path: Path) -> None:
    with running_emulator(rate_limit=RATE, request_log=True) as emu:
        reports = _run_together(emu, tmp_path, "process", None)
        log = [e for e in logged(emu) if e["path"].startswith("/v3/")]

    assert _overlapped(reports)
    assert sum(r["responses_429"] for r in reports) > 0
    assert [e for e in log if e["status"] == 429] != []
