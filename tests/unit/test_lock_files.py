"""Which lock files of a `file://` backend are this stack's: its project's and the legacy
layout's, not another project's stack of the same name."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from didww_iac.engine import Engine


def _lock(folder: Path, pid: int, host: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{pid}.json"
    path.write_text(json.dumps({"pid": pid, "username": "ci", "hostname": host, "timestamp": "2026-12-01T10:00:00Z"}))
    return path


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_stack_of_the_same_name_in_another_project_is_not_this_one(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: didww-iac\nruntime: python\n")
    locks = tmp_path / "state" / ".pulumi" / "locks"
    env = {"PULUMI_BACKEND_URL": (tmp_path / "state").as_uri(), "PULUMI_HOME": str(tmp_path)}
    engine = Engine(tmp_path, "dev", extra_env=env)
    ours = _lock(locks / "organization" / "didww-iac" / "dev", 4242, "runner-7")
    legacy = _lock(locks / "dev", 77, "runner-9")
    theirs = _lock(locks / "organization" / "billing" / "dev", _dead_pid(), "runner-7")

    assert {h.pid for h in engine.lock_holders()} == {4242, 77}
    assert engine.break_stale_locks() == []  # another project's lock is left to that project
    assert ours.exists() and legacy.exists() and theirs.exists()


def test_no_lock_file_means_nobody_holds_the_lock(tmp_path: Path) -> None:
    env = {"PULUMI_BACKEND_URL": (tmp_path / "state").as_uri(), "PULUMI_HOME": str(tmp_path)}
    assert Engine(tmp_path, "dev", extra_env=env).lock_holders() == ()
