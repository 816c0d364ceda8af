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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from didww_iac import locks, speedups
from didww_iac.locks import Locked, LockHolder

LOCAL_STACK = "local"
LOCAL_PASSPHRASE = "didww-iac-local-only"

# How many resource operations the engine runs at once. The rate limiter decides how many
# requests are on the wire; the engine only has to keep enough waiting on it, and at DIDWW's
# round trips that is more than its default (4 x cores). The provider host's pool
# (provider_host.DEFAULT_WORKERS) matches it.
DEFAULT_PARALLEL = 32

# The operations the engine runs under the stack's lock; a preview takes none.
LOCKING_VERBS = frozenset({"up", "refresh", "destroy"})
# How often a run waiting for the lock looks again: reading a file:// backend's lock files costs
# nothing, anything else starts the engine (about a second).
FILE_LOCK_POLL = 0.5
ENGINE_LOCK_POLL = 2.0


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


class StackLockedError(EngineError):
    """The stack's lock was held, and still was when --lock-timeout ran out."""


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

    def _file_backend(self) -> Path | None:
        backend = self.env()["PULUMI_BACKEND_URL"]
        return Path(urlsplit(backend).path) if backend.startswith("file://") else None

    def _lock_files(self) -> list[Path]:
        """This stack's lock files, in a `file://` backend (`.pulumi/locks/organization/<project>/
        <stack>/<id>.json`, or `.pulumi/locks/<stack>/` in the legacy layout); none elsewhere."""
        backend = self._file_backend()
        folder = backend / ".pulumi" / "locks" if backend else None
        if folder is None or not folder.is_dir():
            return []
        project = _project_name(self.project_dir)
        return [
            lock
            for lock in sorted(folder.rglob("*.json"))
            if lock.parent.name == self.stack and (project is None or lock.parent.parent.name in {project, "locks"})
        ]

    def break_stale_locks(self) -> list[str]:
        """Removes this stack's locks left by an engine process of this host that is gone (a
        cancelled CI job, a kill -9), so the next operation runs; returns a line per lock broken.
        A lock held by a live process, or by another host, is left alone: it is waited for
        (--lock-timeout) or named in the error, with `didww-iac unlock`. Only the file backend
        (`file://`) keeps its locks where this can be seen; on the others the engine can only
        delete every lock of the stack at once (`cancel`), which could take the lock of a live run
        that broke the stale one a moment before, so that is left to a person."""
        broken = []
        for lock in self._lock_files():
            holder = _lock_holder(lock)
            if holder is None or holder.get("hostname") != socket.gethostname() or _alive(holder.get("pid")):
                continue
            lock.unlink(missing_ok=True)
            broken.append(
                f"broke the lock of stack {self.stack} left by engine process {holder.get('pid')} "
                f"(started {holder.get('timestamp')}), which is no longer running on this host"
            )
        return broken

    def lock_holders(self) -> tuple[LockHolder, ...]:
        """Who holds the stack's lock now; empty when nobody does.

        A `file://` backend's lock files are read. Any other backend is asked through the engine:
        `stack init` of an existing stack checks the lock before it finds that the stack exists,
        so it answers "locked by ..." (naming the holders, as an operation would) or "already
        exists", and changes nothing. (When the lock is free it takes it for an instant, as any
        operation starting does.)"""
        if self._file_backend() is not None:
            return tuple(h for h in map(locks.read_lock_file, self._lock_files()) if h is not None)
        proc = self.run(["stack", "init", self.stack, "--secrets-provider", "passphrase"], capture=True, check=False)
        named = locks.parse_locked_error(proc.stderr + proc.stdout)
        if named is not None:
            return named
        if proc.returncode == 0 or "already exists" in proc.stderr:
            return ()
        raise EngineError(f"cannot tell whether stack {self.stack} is locked: {proc.stderr.strip()}")

    def break_lock(self) -> None:
        """Deletes every lock of the stack (the engine's `cancel`), whoever holds it."""
        self.run(["cancel", "--yes", "--stack", self.stack], capture=True)

    def _when_unlocked(
        self, verb: str, lock_timeout: float, run: Callable[[], subprocess.CompletedProcess[str]]
    ) -> subprocess.CompletedProcess[str]:
        """`run()` once the stack's lock is free, waiting up to `lock_timeout` seconds for it.

        Up, refresh and destroy are run and run again while the engine refuses them for the lock
        (its error names the holders on every DIY backend); a `file://` backend's lock files are
        read before each try, so that polling starts no engine. A preview takes no lock, so it
        runs beside an apply as it always did; with a timeout it waits for the lock to be free
        first, so that a plan or a drift report is not read from an apply half done."""
        look_first = self._file_backend() is not None if verb in LOCKING_VERBS else lock_timeout > 0

        def attempt() -> subprocess.CompletedProcess[str] | Locked:
            for line in self.break_stale_locks():
                print(f"warning: {line}", file=sys.stderr, flush=True)
            if look_first and (holders := self.lock_holders()):
                return Locked(holders)
            proc = run()
            named = locks.parse_locked_error(proc.stderr or "")
            return proc if named is None else Locked(named)

        poll = FILE_LOCK_POLL if self._file_backend() is not None else ENGINE_LOCK_POLL
        try:
            return locks.wait_for_lock(attempt, lock_timeout, poll=poll, report=self._report_waiting)
        except locks.StillLocked as exc:
            now = locks.utc_now()
            raise StackLockedError(locks.locked_message(self.stack, exc.holders, exc.waited, now)) from None

    def _report_waiting(self, holders: tuple[LockHolder, ...], left: float) -> None:
        message = locks.waiting_message(self.stack, holders, left, locks.utc_now())
        print(f"waiting: {message}", file=sys.stderr, flush=True)

    def _run_shown(self, args: Sequence[str]) -> subprocess.CompletedProcess[str]:
        """Runs the engine with its output shown as it comes, except its "currently locked" error,
        which is returned (as `stderr`) for the caller to wait or to explain with this project's
        own commands."""
        cmd = [str(self.pulumi), *args, "--non-interactive"]
        held_back: list[str] = []
        with self._started(cmd, None) as proc:
            assert proc.stderr is not None
            for line in proc.stderr:
                if held_back or locks.LOCKED_MARKER in line:
                    held_back.append(line)
                else:
                    sys.stderr.write(line)
                    sys.stderr.flush()
        if held_back and locks.parse_locked_error("".join(held_back)) is None:
            sys.stderr.write("".join(held_back))
        return subprocess.CompletedProcess(cmd, proc.returncode, None, "".join(held_back))

    def ensure_stack(self) -> None:
        listed = self.run(["stack", "ls", "--json"], capture=True)
        names = {s["name"].split("/")[-1] for s in json.loads(listed.stdout or "[]")}
        if self.stack not in names:
            self.run(["stack", "init", self.stack, "--secrets-provider", "passphrase"], capture=True)

    def operation(self, verb: str, extra: Sequence[str] = (), refresh: bool = True, lock_timeout: float = 0.0) -> int:
        """Runs preview/up/refresh/destroy with the engine's own progress output, once the stack's
        lock is free (waiting up to `lock_timeout` seconds; StackLockedError after that).

        preview and up refresh first by default, so they compare the stack file with the live
        account (a change made in the DIDWW panel is shown and undone), not with the last state."""
        self.ensure_stack()
        args = self._operation_args(verb, extra, refresh)
        return self._when_unlocked(verb, lock_timeout, lambda: self._run_shown(args)).returncode

    def _operation_args(self, verb: str, extra: Sequence[str], refresh: bool) -> list[str]:
        args = [verb, "--stack", self.stack, *self._parallel(), *extra]
        if verb in LOCKING_VERBS:
            args.append("--yes")
        if refresh and verb in {"preview", "up"}:
            args.append("--refresh")
        return args

    def _started(self, cmd: Sequence[str], stdout: int | None) -> subprocess.Popen[str]:
        """The engine, started with this project's environment, its standard error piped."""
        (self.project_dir / ".state").mkdir(exist_ok=True)
        return subprocess.Popen(
            cmd,
            cwd=self.project_dir,
            env=self.env(),
            text=True,
            bufsize=1,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=subprocess.PIPE,
        )

    def streamed_operation(
        self,
        verb: str,
        consume: Callable[[subprocess.Popen[str]], str],
        refresh: bool = True,
        lock_timeout: float = 0.0,
    ) -> int:
        """Like `operation`, with the engine's output as JSON (`--json`: its preview, then its
        events as they happen) handed to `consume`, which reads it as it comes and returns the
        engine's standard error (where a "currently locked" error is found)."""
        self.ensure_stack()
        cmd = [str(self.pulumi), *self._operation_args(verb, ["--json"], refresh), "--non-interactive"]

        def run() -> subprocess.CompletedProcess[str]:
            with self._started(cmd, subprocess.PIPE) as proc:
                stderr = consume(proc)
            return subprocess.CompletedProcess(cmd, proc.returncode, None, stderr)

        return self._when_unlocked(verb, lock_timeout, run).returncode

    def refreshed_preview(self, lock_timeout: float = 0.0) -> dict[str, Any]:
        """A preview after refreshing every resource from DIDWW, as the engine's JSON (nothing is
        written: neither the account nor the state); with `lock_timeout`, once the lock is free."""
        self.ensure_stack()
        # Secrets are shown to this process only, so drift in them can be detected; the drift
        # report never prints their values.
        args = ["preview", "--refresh", "--json", "--show-secrets", "--stack", self.stack, *self._parallel()]
        proc = self._when_unlocked("preview", lock_timeout, lambda: self.run(args, capture=True, check=False))
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


def _project_name(project_dir: Path) -> str | None:
    """The `name` of the project's Pulumi.yaml (the folder of its locks); None when unknown."""
    try:
        document = YAML(typ="safe").load((project_dir / "Pulumi.yaml").read_text())
    except (OSError, YAMLError):
        return None
    name = document.get("name") if isinstance(document, dict) else None
    return name if isinstance(name, str) else None


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
