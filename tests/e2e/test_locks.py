"""The stack's lock, through the real engine and the real `didww-iac` command, against emulators
over HTTP: an `up` killed with SIGKILL midway (a cancelled CI job) is completed by the next `up`
with no manual step and no duplicate, trial after trial; a run holding the lock is waited for
(`--lock-timeout`), by `up` and by `drift`, on the file backend (its lock files) and on PostgreSQL
(the engine's own "locked" error); a wait that runs out, or a lock left where its holder cannot
be checked, names the holder and `didww-iac unlock`, which breaks it.

No sleep orders anything: a run is held in its `up` by an order the emulator completes only when
told (`POST /__emulator/clock/tick`), and every step waits for a condition, with a deadline.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from didww_iac.emulator.testing import RunningEmulator, running_emulator
from tests.e2e.conftest import E2E_API_KEY, REPO, RUN_TIMEOUT, Project

pytestmark = pytest.mark.e2e

TRIALS = 20
# Two trials run at once (each with its own emulator and project): the cost of a trial is the
# start-up of four processes twice, which two cores overlap.
WORKERS = 2
GROUPS = 16
# Low enough that the creates take over a second: a kill after at most four of them lands among
# them with a second to spare.
KILL_RATE_LIMIT = 10
DEADLINE = 120.0
ORPHAN_DEADLINE = 15.0
POLL = 0.02

USER = pwd.getpwuid(os.getuid()).pw_name
HOST = socket.gethostname()


def _emulator(**options: Any) -> AbstractContextManager[RunningEmulator]:
    return running_emulator(api_keys=[E2E_API_KEY], rate_limit=None, request_log=True, **options)


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    """The emulator of the `project` fixture: an order stays pending until the test ticks the
    clock, which holds an `up` (and its lock) as long as a test needs."""
    with _emulator(order_delay=86_400.0) as emu:
        yield emu


@pytest.fixture(scope="module")
def kill_emulators() -> Iterator[list[RunningEmulator]]:
    with ExitStack() as stack:
        yield [stack.enter_context(_emulator()) for _ in range(WORKERS)]


def _new_project(root: Path, emulator: RunningEmulator) -> Project:
    root.mkdir(parents=True)
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(REPO / name, root / name)
    (root / ".venv").symlink_to(REPO / ".venv")
    (root / "tools").symlink_to(REPO / "tools")
    (root / "stacks").mkdir()
    return Project(root, emulator)


def _env(backend: str | None) -> dict[str, str]:
    env = {**os.environ, "DIDWW_API_KEY": E2E_API_KEY, "PULUMI_CONFIG_PASSPHRASE": "e2e-passphrase"}
    env.pop("PULUMI_BACKEND_URL", None)
    if backend:
        env["PULUMI_BACKEND_URL"] = backend
    return env


def _command(project: Project, args: tuple[str, ...]) -> list[str]:
    return [sys.executable, "-m", "didww_iac.cli", args[0], "--project-dir", str(project.root), *args[1:]]


def _cli(project: Project, *args: str, backend: str | None = None) -> subprocess.CompletedProcess[str]:
    # No terminal on stdin, as in CI: `unlock` must not wait for an answer.
    return subprocess.run(
        _command(project, args),
        env=_env(backend),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )


class Started:
    """A `didww-iac` command running in a process group of its own, its output in files."""

    def __init__(self, project: Project, *args: str, backend: str | None = None) -> None:
        name = f"{args[0]}-{uuid.uuid4().hex[:8]}"
        self.stdout_path = project.root / f"{name}.out"
        self.stderr_path = project.root / f"{name}.err"
        with self.stdout_path.open("w") as out, self.stderr_path.open("w") as err:
            self.process = subprocess.Popen(
                _command(project, args),
                env=_env(backend),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,
            )

    @property
    def stdout(self) -> str:
        return self.stdout_path.read_text()

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text()

    def finish(self) -> int:
        return self.process.wait(timeout=RUN_TIMEOUT)

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def output(self) -> str:
        return f"--- stdout\n{self.stdout[-3000:]}\n--- stderr\n{self.stderr[-3000:]}"


def _wait_until(condition: Callable[[], bool], what: str, deadline: float = DEADLINE) -> None:
    end = time.monotonic() + deadline
    while not condition():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(POLL)


def _posts(emu: RunningEmulator, api_type: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = httpx.get(emu.admin_url + "requests").json()["requests"]
    return [e for e in entries if e["method"] == "POST" and e["path"] == f"/v3/{api_type}"]


def _created_names(emu: RunningEmulator, api_type: str) -> Counter[str]:
    return Counter(e["body"]["data"]["attributes"]["name"] for e in _posts(emu, api_type) if e["status"] == 201)


def _running_in(root: Path) -> dict[int, bytes]:
    """Live processes whose working directory is `root`, with their command lines: what is left
    of a killed run (the engine starts its plugins in process groups of their own, so they
    outlive a killpg)."""
    found = {}
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if (proc / "cwd").resolve() == root.resolve():
                found[int(proc.name)] = (proc / "cmdline").read_bytes()
        except OSError:
            continue  # gone, or a zombie (no cwd)
    return found


def _is_engine(command: bytes) -> bool:
    return command.split(b"\0", 1)[0].endswith(b"/pulumi")


def _end_leftovers(root: Path) -> None:
    """Waits for the engine of a killed run to be gone and its provider host to leave by itself
    (a create it had in flight is carried out or not before the next run looks), then ends a
    language host still there: one built before it watched its engine stays behind, doing
    nothing, after the engine is killed. A SIGKILLed engine is not gone at once: a Go process
    with many threads, or one in the middle of a write, takes a moment to exit, and until it has,
    the lock it holds names a live process (which the next `up` rightly does not break)."""
    _wait_until(
        lambda: not any(_is_engine(c) for c in _running_in(root).values()),
        "the killed run's engine to exit",
        ORPHAN_DEADLINE,
    )
    _wait_until(
        lambda: not any(b"didww_iac.provider_host" in c for c in _running_in(root).values()),
        "the killed run's provider host to leave",
        ORPHAN_DEADLINE,
    )
    for pid, command in _running_in(root).items():
        if b"pulumi-language-python\0" in command:
            os.kill(pid, signal.SIGKILL)


def _state_groups(project: Project, stack: str) -> int:
    deployment = json.loads(project.state_file(stack).read_text())["checkpoint"]["latest"]
    return sum(1 for r in deployment.get("resources", []) if r["type"].endswith("VoiceInTrunkGroup"))


def _groups_stack(project: Project, stack: str, count: int, rate_limit: int) -> list[str]:
    names = [f"Group {i}" for i in range(count)]
    body = "".join(f"  g{i}:\n    name: {name}\n" for i, name in enumerate(names))
    project.write_stack(stack, f"rate_limit: {rate_limit}\nvoice_in_trunk_groups:\n{body}")
    return names


def _kill_trial(project: Project, trial: int) -> None:
    """`up` killed once `kill_after` groups were made, then `up` again: every group made once."""
    emu = project.emulator
    httpx.post(emu.admin_url + "reset").raise_for_status()
    httpx.delete(emu.admin_url + "requests").raise_for_status()
    stack = f"killed{trial}"
    names = _groups_stack(project, stack, GROUPS, KILL_RATE_LIMIT)
    kill_after = 1 + trial % 4  # kills at different points of the creates

    first = Started(project, "up", "--stack", stack)
    try:
        _wait_until(
            lambda: first.process.poll() is not None or len(_created_names(emu, "voice_in_trunk_groups")) >= kill_after,
            f"trial {trial}: {kill_after} groups made",
        )
        assert first.process.poll() is None, f"trial {trial}: up ended before it was killed\n{first.output()}"
    finally:
        first.kill()
    _end_leftovers(project.root)
    made_before = sum(_created_names(emu, "voice_in_trunk_groups").values())
    assert made_before < GROUPS, f"trial {trial}: the kill came after every group was made"

    again = _cli(project, "up", "--stack", stack)
    seen = f"trial {trial}, {made_before} made before the kill:\n{again.stdout[-3000:]}\n{again.stderr[-3000:]}"
    assert again.returncode == 0, seen
    assert f"broke the lock of stack {stack}" in again.stderr, seen
    assert _created_names(emu, "voice_in_trunk_groups") == Counter(names), seen
    assert all(e["status"] == 201 for e in _posts(emu, "voice_in_trunk_groups")), seen  # none refused
    assert sorted(g["attributes"]["name"] for g in project.live("voice_in_trunk_groups")) == sorted(names), seen
    assert _state_groups(project, stack) == GROUPS, seen


def test_an_up_killed_midway_is_completed_by_the_next_up_every_time(
    tmp_path: Path, kill_emulators: list[RunningEmulator]
) -> None:
    projects = [_new_project(tmp_path / f"worker{i}", emu) for i, emu in enumerate(kill_emulators)]

    def worker(index: int) -> int:
        for trial in range(index, TRIALS, len(projects)):
            _kill_trial(projects[index], trial)
        return len(range(index, TRIALS, len(projects)))

    with ThreadPoolExecutor(len(projects)) as pool:
        done = sum(pool.map(worker, range(len(projects))))
    assert done == TRIALS


def _a_sku(emu: RunningEmulator) -> str:
    answer = httpx.get(
        emu.base_url + "did_groups",
        params={"include": "stock_keeping_units"},
        headers={"Api-Key": E2E_API_KEY, "Accept": "application/vnd.api+json"},
    ).json()
    sku: str = answer["data"][0]["relationships"]["stock_keeping_units"]["data"][0]["id"]
    return sku


def _held_stack(project: Project, stack: str) -> None:
    """A group and an order of one number: `up` waits in the order until the clock is ticked."""
    sku = _a_sku(project.emulator)
    project.write_stack(
        stack,
        "rate_limit: 1000\nvoice_in_trunk_groups:\n  office:\n    name: Office\n"
        f"orders:\n  nums:\n    on_delete: forget\n    items:\n      - sku_id: {sku}\n        qty: 1\n",
    )


def _hold_up(project: Project, stack: str, backend: str | None = None) -> Started:
    """An `up` of the held stack, waiting for its order (so holding the stack's lock)."""
    _held_stack(project, stack)
    first = Started(project, "up", "--stack", stack, backend=backend)
    _wait_until(
        lambda: first.process.poll() is not None or bool(_posts(project.emulator, "orders")),
        "the first up to place its order",
    )
    assert first.process.poll() is None, first.output()
    return first


def _release(project: Project, first: Started) -> None:
    """Completes the held order: the first `up` ends and lets go of the lock."""
    httpx.post(project.emulator.admin_url + "clock/tick", json={}).raise_for_status()
    assert first.finish() == 0, first.output()


def _lock_files(project: Project, stack: str) -> list[Path]:
    return sorted((project.root / ".state" / ".pulumi" / "locks" / "organization" / "didww-iac" / stack).glob("*.json"))


def _file_lock_holder(project: Project, stack: str) -> str:
    [lock] = _lock_files(project, stack)
    held = json.loads(lock.read_text())
    return f"{held['username']}@{held['hostname']} (pid {held['pid']})"


def test_up_and_drift_wait_for_a_running_up_then_run(project: Project) -> None:
    first = _hold_up(project, "held")
    holder = _file_lock_holder(project, "held")
    assert holder.startswith(f"{USER}@{HOST} (pid ")

    second = Started(project, "up", "--stack", "held", "--lock-timeout", "300")
    drift = Started(project, "drift", "--stack", "held", "--lock-timeout", "300")
    waiting = f"waiting: stack held is locked by {holder}, held for "
    _wait_until(lambda: waiting in second.stderr and waiting in drift.stderr, "both to wait for the lock")
    assert second.process.poll() is None and drift.process.poll() is None

    _release(project, first)
    assert second.finish() == 0, second.output()
    assert "No changes" in second.stdout
    assert drift.finish() == 0, drift.output()  # what the first up made is no drift
    assert "broke the lock" not in second.stderr + drift.stderr
    assert len(_posts(project.emulator, "orders")) == 1
    assert _created_names(project.emulator, "voice_in_trunk_groups") == Counter(["Office"])


def _remote_lock(project: Project, stack: str) -> Path:
    """A lock as the engine writes it, by a run on another machine (which cannot be checked)."""
    folder = project.root / ".state" / ".pulumi" / "locks" / "organization" / "didww-iac" / stack
    folder.mkdir(parents=True, exist_ok=True)
    lock = folder / f"{uuid.uuid4()}.json"
    since = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    lock.write_text(json.dumps({"pid": 4242, "username": "ci", "hostname": "runner-elsewhere", "timestamp": since}))
    return lock


def test_a_lock_held_elsewhere_fails_naming_its_holder_and_unlock_breaks_it(project: Project) -> None:
    project.write_stack("remote", "voice_in_trunk_groups:\n  office:\n    name: Office\n")
    assert _cli(project, "pulumi", "--stack", "remote", "--", "config").returncode == 0  # the stack exists
    lock = _remote_lock(project, "remote")
    holder = "ci@runner-elsewhere (pid 4242), held for 5m"

    waited = _cli(project, "up", "--stack", "remote", "--lock-timeout", "2")
    assert waited.returncode == 1, waited.stdout + waited.stderr
    assert f"waiting: stack remote is locked by {holder}" in waited.stderr
    assert "still locked after waiting 2s (--lock-timeout), by:" in waited.stderr
    assert holder in waited.stderr.split("by:")[-1] and "`didww-iac unlock -s remote`" in waited.stderr

    at_once = _cli(project, "destroy", "--stack", "remote")
    assert at_once.returncode == 1, at_once.stdout + at_once.stderr
    assert "is locked by another run" in at_once.stderr and holder in at_once.stderr
    assert "`--lock-timeout SECONDS` waits" in at_once.stderr and "`didww-iac unlock -s remote`" in at_once.stderr
    assert [e for e in project.api_requests() if e["method"] != "GET"] == []  # refused before any write

    unasked = _cli(project, "unlock", "--stack", "remote")
    assert unasked.returncode == 1 and "without --yes" in unasked.stderr
    assert lock.exists()
    broken = _cli(project, "unlock", "--stack", "remote", "--yes")
    assert broken.returncode == 0, broken.stdout + broken.stderr
    assert f"stack remote is locked by {holder}" in broken.stdout and "broke the lock of stack remote" in broken.stdout
    assert not lock.exists()
    assert "stack remote is not locked" in _cli(project, "unlock", "--stack", "remote", "--yes").stdout


def _postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        pytest.fail("PostgreSQL is not installed (apt-get install -y postgresql)")
    return found[-1].parent


def _as_server_owner(*command: str) -> None:
    # The server refuses to run as root; the Debian package makes the `postgres` account.
    owner = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
    subprocess.run([*owner, *command], check=True, capture_output=True, stdin=subprocess.DEVNULL, cwd="/")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def postgres_backend() -> Iterator[str]:
    """Pulumi's PostgreSQL state backend, on a throwaway server of this module's own (as the API
    tests run a redis-server of their own): trust on loopback, no durability."""
    pg = _postgres_bin()
    data = Path(tempfile.mkdtemp(prefix="didww-iac-locks-pg-"))
    if os.getuid() == 0:
        shutil.chown(data, "postgres")
    _as_server_owner(str(pg / "initdb"), "-D", str(data), "-U", "didww", "--auth=trust")
    port = _free_port()
    options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c fsync=off"
    _as_server_owner(str(pg / "pg_ctl"), "-D", str(data), "-l", str(data / "server.log"), "-w", "-o", options, "start")
    try:
        yield f"postgres://didww@127.0.0.1:{port}/postgres?sslmode=disable"
    finally:
        _as_server_owner(str(pg / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(data, ignore_errors=True)


def _engine_pid(cli: Started) -> int:
    """The `pulumi up` engine process a `didww-iac up` started (the pid its lock records)."""
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
            parent = (proc / "stat").read_text().rsplit(")", 1)[1].split()[1]
        except (OSError, IndexError):
            continue
        if int(parent) == cli.process.pid and argv[0].endswith(b"/pulumi") and argv[1:2] == [b"up"]:
            return int(proc.name)
    raise AssertionError(f"the engine of the up is not running\n{cli.output()}")


def test_on_postgresql_the_engines_lock_error_is_waited_on_and_a_dead_holder_is_named(
    project: Project, postgres_backend: str
) -> None:
    pg = postgres_backend
    first = _hold_up(project, "shared", backend=pg)
    holder = f"{USER}@{HOST} (pid {_engine_pid(first)})"
    assert not (project.root / ".state" / ".pulumi").exists()  # nothing of the state is on disk

    expired = _cli(project, "up", "--stack", "shared", "--lock-timeout", "3", backend=pg)
    assert expired.returncode == 1, expired.stdout + expired.stderr
    assert f"waiting: stack shared is locked by {holder}, held for " in expired.stderr
    assert "still locked after waiting 3s" in expired.stderr and "`didww-iac unlock -s shared`" in expired.stderr

    second = Started(project, "up", "--stack", "shared", "--lock-timeout", "300", backend=pg)
    _wait_until(lambda: f"locked by {holder}" in second.stderr, "the second up to wait for the lock")
    _release(project, first)
    assert second.finish() == 0, second.output()
    assert "No changes" in second.stdout and len(_posts(project.emulator, "orders")) == 1

    # A run killed on a backend whose locks this machine cannot read leaves its lock: the next run
    # names it and the command that breaks it; after that, the stack converges with no duplicate.
    # Slow enough (5 a second) that the engine is still running when it is looked for and killed.
    names = _groups_stack(project, "pgkilled", 24, 5)
    killed = Started(project, "up", "--stack", "pgkilled", backend=pg)
    _wait_until(lambda: "Group 0" in _created_names(project.emulator, "voice_in_trunk_groups"), "a group made")
    dead = f"{USER}@{HOST} (pid {_engine_pid(killed)})"
    killed.kill()
    _end_leftovers(project.root)
    refused = _cli(project, "up", "--stack", "pgkilled", backend=pg)
    assert refused.returncode == 1, refused.stdout[-3000:] + refused.stderr[-3000:]
    assert dead in refused.stderr and "`didww-iac unlock -s pgkilled`" in refused.stderr
    unlocked = _cli(project, "unlock", "--stack", "pgkilled", "--yes", backend=pg)
    assert unlocked.returncode == 0 and dead in unlocked.stdout, unlocked.stdout + unlocked.stderr
    up = _cli(project, "up", "--stack", "pgkilled", backend=pg)
    assert up.returncode == 0, up.stdout[-3000:] + up.stderr[-3000:]
    assert _created_names(project.emulator, "voice_in_trunk_groups") == Counter(["Office", *names])
