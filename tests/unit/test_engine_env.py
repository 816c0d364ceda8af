"""What the engine is run with: checkpoints once per operation unless asked, and its parallelism."""

from __future__ import annotations

from pathlib import Path

import pytest

from didww_iac.engine import CHECKPOINTS_ENV, DEFAULT_PARALLEL, Engine, EngineError


def test_by_default_the_state_is_written_once_per_operation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CHECKPOINTS_ENV, raising=False)
    monkeypatch.setenv("PULUMI_SKIP_CHECKPOINTS", "false")  # the project's choice wins
    engine = Engine(tmp_path, "dev")
    assert engine.env()["PULUMI_SKIP_CHECKPOINTS"] == "true"
    assert engine._parallel() == ["--parallel", str(DEFAULT_PARALLEL)]


def test_step_checkpoints_on_request(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CHECKPOINTS_ENV, "step")
    monkeypatch.setenv("PULUMI_SKIP_CHECKPOINTS", "true")
    assert "PULUMI_SKIP_CHECKPOINTS" not in Engine(tmp_path, "dev").env()


def test_a_wrong_checkpoint_setting_names_the_choices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CHECKPOINTS_ENV, "sometimes")
    with pytest.raises(EngineError, match="end, step"):
        Engine(tmp_path, "dev")
