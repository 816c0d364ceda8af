"""Locks of the file backend left by an engine process that is gone are broken; others are kept."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from didww_iac.engine import Engine


def _lock(state: Path, stack: str, name: str, pid: int, host: str) -> Path:
    folder = state / ".pulumi" / "locks" / "organization" / "didww-iac" / stack
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(json.dumps({"pid": pid, "username": "ci", "hostname": host, "timestamp": "2026-12-01T10:00:00Z"}))
    return path


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_only_the_lock_of_a_gone_local_process_of_this_stack_is_broken(tmp_path: Path) -> None:
    state = tmp_path / "state"
    engine = Engine(tmp_path, "dev", extra_env={"PULUMI_BACKEND_URL": state.as_uri(), "PULUMI_HOME": str(tmp_path)})
    here = socket.gethostname()
    gone = _lock(state, "dev", "gone", _dead_pid(), here)
    running = _lock(state, "dev", "running", os.getpid(), here)
    remote = _lock(state, "dev", "remote", _dead_pid(), "another-runner")
    other_stack = _lock(state, "prod", "gone", _dead_pid(), here)

    broken = engine.break_stale_locks()

    assert not gone.exists()
    assert running.exists() and remote.exists() and other_stack.exists()
    assert len(broken) == 1 and "no longer running on this host" in broken[0]


def test_other_backends_are_left_to_the_engine(tmp_path: Path) -> None:
    engine = Engine(tmp_path, "dev", extra_env={"PULUMI_BACKEND_URL": "postgres://localhost/db"})
    assert engine.break_stale_locks() == []
