"""Running the Pulumi engine (the CLI built into tools/bin by `make`) for a stack.

State lives in a local file backend inside the project (.state/), so nothing needs a Pulumi
Cloud account or a login prompt. The `local` stack gets a fixed passphrase: its only secret is
the emulator's key. Every other stack needs PULUMI_CONFIG_PASSPHRASE (or its own backend and
secrets provider configured by the team).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from didww_iac import speedups

LOCAL_STACK = "local"
LOCAL_PASSPHRASE = "didww-iac-local-only"

# How many resource operations the engine runs at once. The rate limiter decides how many
# requests are on the wire; the engine only has to keep enough waiting on it, and at DIDWW's
# round trips that is more than its default (4 x cores). The provider host's pool
# (provider_host.DEFAULT_WORKERS) matches it.
DEFAULT_PARALLEL = 32


class Checkpoints(StrEnum):
    """When the engine writes the state during an operation.

    `end` (the default): once, when the operation ends (also when it fails). The file backend
    rewrites the whole state at every checkpoint, so a checkpoint after every step makes an
    operation quadratic in the stack's size (400 resources: 64 s against 24 s). Nothing is
    lost by waiting: a create that DIDWW carried out in a run killed before its end is found
    again by the next run (external_reference_id, or the type's unique name or number) and
    adopted, and updates and deletes are re-derived from the live account by the next refresh.
    `step`: after every step, Pulumi's own default, for whoever prefers the state to follow
    each step at the cost above."""

    END = "end"
    STEP = "step"


class EngineError(RuntimeError):
    pass


def find_pulumi(project_dir: Path) -> Path:
    for candidate in (
        project_dir / "tools" / "bin" / "pulumi",
        Path(__file__).parents[1] / "tools" / "bin" / "pulumi",
    ):
        if candidate.exists():
            return candidate
    on_path = shutil.which("pulumi")
    if on_path:
        return Path(on_path)
    raise EngineError("the Pulumi CLI was not found: run `make setup` (builds it into tools/bin)")


CHECKPOINTS_ENV = "DIDWW_IAC_CHECKPOINTS"


def checkpoints_from_env() -> Checkpoints:
    raw = os.environ.get(CHECKPOINTS_ENV, Checkpoints.END.value)
    try:
        return Checkpoints(raw)
    except ValueError:
        choices = ", ".join(c.value for c in Checkpoints)
        raise EngineError(f"{CHECKPOINTS_ENV} must be one of {choices}, not {raw!r}") from None


@dataclass
class Engine:
    project_dir: Path
    stack: str
    extra_env: dict[str, str] = field(default_factory=dict)
    parallel: int = DEFAULT_PARALLEL
    checkpoints: Checkpoints = field(default_factory=lambda: checkpoints_from_env())

    def __post_init__(self) -> None:
        self.pulumi = find_pulumi(self.project_dir)

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        tools = str(self.pulumi.parent)
        venv_bin = str(Path(sys.executable).parent)
        env["PATH"] = os.pathsep.join([tools, venv_bin, env.get("PATH", "")])
        state = self.project_dir / ".state"
        env.setdefault("PULUMI_BACKEND_URL", state.as_uri())
        if "PULUMI_HOME" not in env:
            env["PULUMI_HOME"] = str(state / "home")
            speedups.prepare_engine_home(state / "home")
        env["PULUMI_SKIP_UPDATE_CHECK"] = "true"
        env["PULUMI_PYTHON_CMD"] = sys.executable
        if self.stack == LOCAL_STACK:
            env.setdefault("PULUMI_CONFIG_PASSPHRASE", LOCAL_PASSPHRASE)
        if self.checkpoints is Checkpoints.END:
            env["PULUMI_SKIP_CHECKPOINTS"] = "true"
        else:
            env.pop("PULUMI_SKIP_CHECKPOINTS", None)
        env.update(self.extra_env)
        return env

    def run(self, args: Sequence[str], capture: bool = False, check: bool = True) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.pulumi), *args, "--non-interactive"]
        (self.project_dir / ".state").mkdir(exist_ok=True)
        proc = subprocess.run(
            cmd,
            cwd=self.project_dir,
            env=self.env(),
            text=True,
            capture_output=capture,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        if check and proc.returncode != 0:
            detail = (proc.stderr or proc.stdout or "").strip() if capture else ""
            raise EngineError(f"pulumi {args[0]} failed (exit {proc.returncode}){': ' + detail if detail else ''}")
        return proc

    def _parallel(self) -> list[str]:
        return ["--parallel", str(self.parallel)]

    def break_stale_locks(self) -> list[str]:
        """Removes this stack's locks left by an engine process of this host that is gone (a
        cancelled CI job, a kill -9), so the next operation runs; returns a line per lock broken.
        A lock held by a live process, or by another host, is left alone: the engine reports it.
        Only the file backend (`file://`) keeps its locks where this can be seen."""
        backend = self.env()["PULUMI_BACKEND_URL"]
        if not backend.startswith("file://"):
            return []
        locks = Path(urlsplit(backend).path) / ".pulumi" / "locks"
        broken = []
        for lock in sorted(locks.rglob("*.json")) if locks.is_dir() else []:
            if lock.parent.name != self.stack:
                continue
            holder = _lock_holder(lock)
            if holder is None or holder.get("hostname") != socket.gethostname() or _alive(holder.get("pid")):
                continue
            lock.unlink(missing_ok=True)
            broken.append(
                f"broke the lock of stack {self.stack} left by engine process {holder.get('pid')} "
                f"(started {holder.get('timestamp')}), which is no longer running on this host"
            )
        return broken

    def ensure_stack(self) -> None:
        listed = self.run(["stack", "ls", "--json"], capture=True)
        names = {s["name"].split("/")[-1] for s in json.loads(listed.stdout or "[]")}
        if self.stack not in names:
            self.run(["stack", "init", self.stack, "--secrets-provider", "passphrase"], capture=True)

    def operation(self, verb: str, extra: Sequence[str] = (), refresh: bool = True) -> int:
        """Runs preview/up/refresh/destroy with the engine's own progress output.

        preview and up refresh first by default, so they compare the stack file with the live
        account (a change made in the DIDWW panel is shown and undone), not with the last state."""
        self.ensure_stack()
        for line in self.break_stale_locks():
            print(f"warning: {line}", file=sys.stderr)
        args = [verb, "--stack", self.stack, *self._parallel(), *extra]
        if verb in {"up", "refresh", "destroy"}:
            args.append("--yes")
        if refresh and verb in {"preview", "up"}:
            args.append("--refresh")
        return self.run(args, check=False).returncode

    def refreshed_preview(self) -> dict[str, Any]:
        """A preview after refreshing every resource from DIDWW, as the engine's JSON (nothing is
        written: neither the account nor the state)."""
        self.ensure_stack()
        for line in self.break_stale_locks():
            print(f"warning: {line}", file=sys.stderr)
        # Secrets are shown to this process only, so drift in them can be detected; the drift
        # report never prints their values.
        proc = self.run(
            [
                "preview",
                "--refresh",
                "--json",
                "--show-secrets",
                "--stack",
                self.stack,
                "--parallel",
                str(self.parallel),
            ],
            capture=True,
            check=False,
        )
        try:
            preview: dict[str, Any] = json.loads(proc.stdout)
        except json.JSONDecodeError:
            preview = {}
        if proc.returncode != 0:
            messages = [d.get("message", "") for d in preview.get("diagnostics", []) if d.get("severity") == "error"]
            detail = "\n".join(m.strip() for m in messages if m) or proc.stderr.strip()
            raise EngineError(f"pulumi preview failed (exit {proc.returncode}): {detail}")
        return preview

    def last_changes(self) -> dict[str, int]:
        """What the latest update did, e.g. {"same": 4} or {"create": 1, "update": 2}."""
        proc = self.run(["stack", "history", "--stack", self.stack, "--json", "--page-size", "1"], capture=True)
        history = json.loads(proc.stdout or "[]")
        changes: dict[str, int] = history[0].get("resourceChanges", {}) if history else {}
        return changes

    def outputs(self) -> dict[str, Any]:
        proc = self.run(["stack", "output", "--stack", self.stack, "--json", "--show-secrets"], capture=True)
        result: dict[str, Any] = json.loads(proc.stdout or "{}")
        return result


def _lock_holder(lock: Path) -> dict[str, Any] | None:
    try:
        holder = json.loads(lock.read_text())
    except (OSError, json.JSONDecodeError):
        return None
    return holder if isinstance(holder, dict) else None


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return True  # not knowable: treat as held
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    # A killed process whose parent died too can stay a zombie where nothing reaps orphans
    # (containers without an init): it answers signals but runs nothing.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in {"Z", "X"}
