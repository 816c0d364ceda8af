"""Provider processes publish their request counters; the CLI sums them."""

from __future__ import annotations

from pathlib import Path

import pytest

from didww_iac import run_stats
from didww_iac.api import RequestStats


def test_published_counters_are_summed_across_processes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(run_stats.STATS_DIR_ENV, str(tmp_path))
    run_stats.publish([RequestStats(requests=3, retries=1), RequestStats(requests=2, throttled_seconds=0.5)])
    (tmp_path / "provider-1.json").write_text('{"requests": 10, "responses_429": 1}')

    total = run_stats.collect(tmp_path)

    assert (total.requests, total.retries, total.responses_429, total.throttled_seconds) == (15, 1, 1, 0.5)
    assert not list(tmp_path.glob("*.tmp"))


def test_nothing_is_written_unless_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(run_stats.STATS_DIR_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    run_stats.publish([RequestStats(requests=1)])
    assert list(tmp_path.iterdir()) == []
