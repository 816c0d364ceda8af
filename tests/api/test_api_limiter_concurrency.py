"""Stress: many processes set up the same brand-new SQLite limiter file at the same instant.

A fresh machine (or two CI pipelines starting together) once failed with "database is locked":
switching a new file to WAL needs a lock upgrade SQLite refuses at once instead of waiting.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
import traceback
from dataclasses import dataclass
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest

from didww_iac.api.limiter import window_for
from didww_iac.api.limiter.sqlite import SqliteLimiter

PROCESSES = 8
ROUNDS = 12
ATTEMPTS = 3  # reservations each process tries per round
RATE = 12.0  # limit N = 12 < 8 x 3 attempts: the budget really runs out in every round
BUCKET = "stress"


@dataclass(frozen=True)
class Outcome:
    round: int
    granted: int  # reservations this process got
    delays: tuple[float, ...]
    error: str | None


def _round_file(base: Path, rnd: int) -> Path:
    # A new, not yet existing directory too: the openers also race on creating it.
    return base / f"round-{rnd}" / "rl.sqlite3"


def _opener(base: str, barrier: Barrier, out: multiprocessing.Queue[Outcome]) -> None:
    """One process: in every round, wait for all the others, then open the new file and reserve."""
    for rnd in range(ROUNDS):
        # The barrier makes the 8 opens of each round start together (a timeout rather than
        # hanging the suite if a sibling died).
        barrier.wait(timeout=60)
        try:
            lim = SqliteLimiter(_round_file(Path(base), rnd), BUCKET, RATE)
            try:
                # Never settled: every granted slot stays pending, so it holds the budget whatever
                # the interleaving, and the total over all processes must be exactly the limit.
                got = [r for r in (lim.reserve() for _ in range(ATTEMPTS)) if r is not None]
                out.put(Outcome(rnd, len(got), tuple(r.delay for r in got), None))
            finally:
                lim.close()
        except Exception:
            out.put(Outcome(rnd, 0, (), traceback.format_exc()))


@pytest.mark.timeout(180)
def test_eight_processes_set_up_a_new_sqlite_limiter_file_at_once(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(PROCESSES)
    out: multiprocessing.Queue[Outcome] = ctx.Queue()
    procs = [ctx.Process(target=_opener, args=(str(tmp_path), barrier, out)) for _ in range(PROCESSES)]
    for p in procs:
        p.start()
    try:
        outcomes = [out.get(timeout=120) for _ in range(PROCESSES * ROUNDS)]
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
    assert [p.exitcode for p in procs] == [0] * PROCESSES

    errors = [o.error for o in outcomes if o.error is not None]
    assert errors == []
    limit, _ = window_for(RATE)
    for rnd in range(ROUNDS):
        mine = [o for o in outcomes if o.round == rnd]
        assert len(mine) == PROCESSES
        # Never more than N across the processes, and no slot lost either: exactly N.
        assert sum(o.granted for o in mine) == limit
        assert all(d == 0.0 for o in mine for d in o.delays)  # nothing answered yet: all "now"
        with sqlite3.connect(_round_file(tmp_path, rnd)) as db:
            assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)  # persistent: one opener switched it
            rows = db.execute("SELECT count(*) FROM requests WHERE bucket = ? AND answered IS NULL", (BUCKET,))
            assert rows.fetchone() == (limit,)
            names = db.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'index') ORDER BY name")
            assert [n for (n,) in names if not n.startswith("sqlite_")] == ["requests", "requests_bucket_answered"]
        db.close()
