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
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LOCAL_STACK = "local"
LOCAL_PASSPHRASE = "didww-iac-local-only"


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


@dataclass
class Engine:
    project_dir: Path
    stack: str
    extra_env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.pulumi = find_pulumi(self.project_dir)

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        tools = str(self.pulumi.parent)
        venv_bin = str(Path(sys.executable).parent)
        env["PATH"] = os.pathsep.join([tools, venv_bin, env.get("PATH", "")])
        state = self.project_dir / ".state"
        env.setdefault("PULUMI_BACKEND_URL", state.as_uri())
        env.setdefault("PULUMI_HOME", str(state / "home"))
        env["PULUMI_SKIP_UPDATE_CHECK"] = "true"
        env["PULUMI_PYTHON_CMD"] = sys.executable
        if self.stack == LOCAL_STACK:
            env.setdefault("PULUMI_CONFIG_PASSPHRASE", LOCAL_PASSPHRASE)
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
        args = [verb, "--stack", self.stack, *extra]
        if verb in {"up", "refresh", "destroy"}:
            args.append("--yes")
        if refresh and verb in {"preview", "up"}:
            args.append("--refresh")
        return self.run(args, check=False).returncode

    def refreshed_preview(self) -> dict[str, Any]:
        """A preview after refreshing every resource from DIDWW, as the engine's JSON (nothing is
        written: neither the account nor the state)."""
        self.ensure_stack()
        # Secrets are shown to this process only, so drift in them can be detected; the drift
        # report never prints their values.
        proc = self.run(
            ["preview", "--refresh", "--json", "--show-secrets", "--stack", self.stack],
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
