"""Two runners share one stack through Pulumi's PostgreSQL state backend, with the real engine and
the real `didww-iac` command, against an emulator over HTTP.

A runner is what a CI job on a machine of its own has: a checkout of its own (a directory), a
HOME and PULUMI_HOME of its own, and the team's PULUMI_BACKEND_URL and passphrase. Each test gets
a fresh database on the PostgreSQL server `make test` starts (tools/ensure-postgres.sh).

No sleep orders anything: a run is held in its `up` by an order the emulator completes only when
told (`POST /__emulator/clock/tick`), and every step waits for a condition, with a deadline.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from didww_iac.emulator.testing import RunningEmulator, running_emulator
from tests.e2e.conftest import E2E_API_KEY, REPO, RUN_TIMEOUT

pytestmark = pytest.mark.e2e

POSTGRES_URL_FILE = REPO / ".state" / "postgres" / "url"
NOT_RUNNING = "run `make test` (or `bash tools/ensure-postgres.sh`), which starts it"
PASSPHRASE = "shared-state-passphrase"
# Distinctive, so the backend's whole content can be searched for them.
SIP_PASSWORD = "sip-secret-6b1d9e0c4a77"
STACK = "team"
DEADLINE = 120.0
POLL = 0.02

BASE_STACK = f"""\
voice_in_trunks:
  pbx:
    name: Office PBX
    sip:
      username: "+{{DID}}"
      host: pbx.example.com
      auth_enabled: true
      auth_user: office
      auth_password: "{SIP_PASSWORD}"
voice_in_trunk_groups:
  office:
    name: Office
    trunks: [pbx]
"""


def _psql_binary() -> str:
    found = shutil.which("psql")
    if found is None:
        pytest.fail(f"psql (PostgreSQL's client) is not installed: {NOT_RUNNING}")
    return found


def _psql(url: str, sql: str) -> str:
    """One statement through psql (the server's own client: no driver in the project), as text."""
    proc = subprocess.run(
        [_psql_binary(), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"psql failed: {proc.stderr.strip()}")
    return proc.stdout.strip()


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


@pytest.fixture(scope="module")
def postgres_server() -> str:
    """The URL of the test server, which `make test` starts; a test fails (never skips) without it."""
    if not POSTGRES_URL_FILE.is_file():
        pytest.fail(f"no PostgreSQL server for the shared-state tests: {NOT_RUNNING}")
    url = POSTGRES_URL_FILE.read_text().strip()
    try:
        _psql(url, "SELECT 1")
    except RuntimeError as exc:
        pytest.fail(f"the PostgreSQL server of {POSTGRES_URL_FILE} does not answer ({exc}): {NOT_RUNNING}")
    return url


@pytest.fixture
def backend_url(postgres_server: str) -> Iterator[str]:
    """A database of this test's own: Pulumi's backend makes its table in it on first use."""
    database = f"shared_state_{uuid.uuid4().hex[:12]}"
    _psql(postgres_server, f"CREATE DATABASE {database}")
    try:
        yield _with_database(postgres_server, database)
    finally:
        _psql(postgres_server, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    # An order stays pending until the test ticks the clock: that holds an `up`, and its lock.
    with running_emulator(api_keys=[E2E_API_KEY], rate_limit=20.0, request_log=True, order_delay=86_400.0) as emu:
        yield emu


@dataclass
class Runner:
    """One CI runner: its own checkout and homes, the team's backend and passphrase."""

    name: str
    root: Path  # the checkout
    home: Path
    backend_url: str

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "DIDWW_", "XDG_"))}
        env.update(
            HOME=str(self.home),
            PULUMI_HOME=str(self.home / ".pulumi"),
            PULUMI_BACKEND_URL=self.backend_url,
            PULUMI_CONFIG_PASSPHRASE=PASSPHRASE,
        )
        return env  # no DIDWW_API_KEY: the key is the stack's secret config

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "didww_iac.cli", args[0], "--project-dir", str(self.root), *args[1:]]

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(*args),
            env=self.env(),
            cwd=self.root,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )

    def start(self, *args: str) -> Started:
        return Started(self, args)

    def write_stack(self, body: str, emulator: RunningEmulator) -> None:
        path = self.root / "stacks" / f"{STACK}.yaml"
        path.write_text(f'api_version: "2026-04-16"\nendpoint: "{emulator.base_url}"\nlimiter: process\n{body}')


class Started:
    """A `didww-iac` command running in the background, its output in files."""

    def __init__(self, runner: Runner, args: tuple[str, ...]) -> None:
        name = f"{args[0]}-{uuid.uuid4().hex[:8]}"
        self.stdout_path = runner.home / f"{name}.out"
        self.stderr_path = runner.home / f"{name}.err"
        with self.stdout_path.open("w") as out, self.stderr_path.open("w") as err:
            self.process = subprocess.Popen(
                runner.command(*args),
                env=runner.env(),
                cwd=runner.root,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,
            )

    def output(self) -> str:
        return f"--- stdout\n{self.stdout_path.read_text()[-3000:]}\n--- stderr\n{self.stderr_path.read_text()[-3000:]}"

    def finish(self) -> int:
        return self.process.wait(timeout=RUN_TIMEOUT)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def _runner(tmp_path: Path, name: str, backend_url: str) -> Runner:
    root = tmp_path / name / "checkout"
    home = tmp_path / name / "home"
    (root / "stacks").mkdir(parents=True)
    home.mkdir()
    for file in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(REPO / file, root / file)
    (root / ".venv").symlink_to(REPO / ".venv")
    (root / "tools").symlink_to(REPO / "tools")
    return Runner(name, root, home, backend_url)


@pytest.fixture
def runners(tmp_path: Path, backend_url: str, emulator: RunningEmulator) -> tuple[Runner, Runner]:
    if not (REPO / "tools" / "bin" / "pulumi").exists():
        pytest.fail("the Pulumi engine is not built: run `make setup` (tools/pulumi.sh)")
    httpx.post(emulator.admin_url + "reset").raise_for_status()
    httpx.delete(emulator.admin_url + "requests").raise_for_status()
    return _runner(tmp_path, "a", backend_url), _runner(tmp_path, "b", backend_url)


def _ok(proc: subprocess.CompletedProcess[str]) -> str:
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"exit {proc.returncode}\n{out[-4000:]}"
    return out


def _set_key_and_share_config(a: Runner, b: Runner) -> None:
    """Runner A sets the key as the stack's secret; B gets the stack config file as a team's
    checkout would (committed; this project's .gitignore leaves that choice to the team): the
    ciphertext in it opens with the shared passphrase."""
    _ok(a.cli("pulumi", "--stack", STACK, "--", "config", "set", "--secret", "didww:apiKey", E2E_API_KEY))
    config = (a.root / f"Pulumi.{STACK}.yaml").read_text()
    assert "secure:" in config and E2E_API_KEY not in config
    (b.root / f"Pulumi.{STACK}.yaml").write_text(config)


def _backend_rows(url: str) -> dict[str, bytes]:
    """Every blob of the backend's table, decoded: key -> content as Pulumi wrote it."""
    text = _psql(url, "SELECT coalesce(json_object_agg(key, data), '{}') FROM pulumi_state")
    rows: dict[str, Any] = json.loads(text)
    decoded = {}
    for key, blob in rows.items():
        content = base64.b64decode(blob["data"])  # the backend keeps each blob base64 in JSON
        if content[:2] == b"\x1f\x8b":  # PULUMI_DIY_BACKEND_GZIP
            content = gzip.decompress(content)
        decoded[key] = content
    return decoded


def _checkpoint(url: str) -> dict[str, Any]:
    [content] = [v for k, v in _backend_rows(url).items() if k.endswith(f"/.pulumi/stacks/didww-iac/{STACK}.json")]
    latest: dict[str, Any] = json.loads(content)["checkpoint"]["latest"]
    return latest


def _locks(url: str) -> list[str]:
    return [k for k in _backend_rows(url) if "/.pulumi/locks/" in k and f"/{STACK}/" in k]


def _is_secret(value: object) -> bool:
    # Pulumi's serialized secret: its signature key, and the value only as ciphertext.
    return isinstance(value, dict) and "4dabf18193072939515e22adb298388d" in value and "ciphertext" in value


def _resource(latest: dict[str, Any], type_suffix: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [r for r in latest["resources"] if r["type"].endswith(type_suffix)]
    assert len(found) == 1, [r["type"] for r in latest["resources"]]
    return found[0]


def _requests(emu: RunningEmulator, method: str, api_type: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = httpx.get(emu.admin_url + "requests").json()["requests"]
    return [e for e in entries if e["method"] == method and e["path"] == f"/v3/{api_type}"]


def _live(emu: RunningEmulator, api_type: str) -> list[dict[str, Any]]:
    response = httpx.get(
        emu.base_url + api_type,
        params={"page[size]": "100"},
        headers={"Api-Key": E2E_API_KEY, "Accept": "application/vnd.api+json"},
    )
    response.raise_for_status()
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def _wait_until(condition: Callable[[], bool], what: str) -> None:
    end = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(POLL)


def _a_sku(emu: RunningEmulator) -> str:
    answer = httpx.get(
        emu.base_url + "did_groups",
        params={"include": "stock_keeping_units"},
        headers={"Api-Key": E2E_API_KEY, "Accept": "application/vnd.api+json"},
    ).json()
    sku: str = answer["data"][0]["relationships"]["stock_keeping_units"]["data"][0]["id"]
    return sku


def test_a_second_runner_sees_the_first_runners_apply_as_no_change(
    runners: tuple[Runner, Runner], backend_url: str, emulator: RunningEmulator
) -> None:
    a, b = runners
    for runner in runners:
        runner.write_stack(BASE_STACK, emulator)  # one commit, two checkouts
    _set_key_and_share_config(a, b)

    _ok(a.cli("up", "--stack", STACK))
    assert [t["attributes"]["name"] for t in _live(emulator, "voice_in_trunks")] == ["Office PBX"]
    assert [g["attributes"]["name"] for g in _live(emulator, "voice_in_trunk_groups")] == ["Office"]

    # Runner B has never run this stack: everything it knows comes from the database.
    _ok(b.cli("preview", "--stack", STACK, "--expect-no-changes"))
    again = _ok(b.cli("up", "--stack", STACK))
    assert "No changes" in again
    # ...and A still reads the state B wrote (B's engine re-encrypted its secrets).
    _ok(a.cli("preview", "--stack", STACK, "--expect-no-changes"))

    assert len(_requests(emulator, "POST", "voice_in_trunks")) == 1
    assert len(_requests(emulator, "POST", "voice_in_trunk_groups")) == 1
    assert _requests(emulator, "PATCH", "voice_in_trunks") == []
    for runner in runners:
        assert not (runner.root / ".state" / ".pulumi").exists()  # no state on either machine

    # Secrets in the backend: only ciphertext, under the passphrase provider.
    rows = _backend_rows(backend_url)
    assert any(k.endswith(f"/.pulumi/stacks/didww-iac/{STACK}.json") for k in rows)
    raw = _psql(backend_url, "SELECT coalesce(string_agg(data::text, ''), '') FROM pulumi_state")
    for plaintext in (E2E_API_KEY, SIP_PASSWORD):
        assert plaintext not in raw
        assert all(plaintext.encode() not in content for content in rows.values())
    latest = _checkpoint(backend_url)
    assert latest["secrets_providers"]["type"] == "passphrase"
    trunk = _resource(latest, "VoiceInTrunk")
    assert _is_secret(trunk["inputs"]["configuration"]) and _is_secret(trunk["outputs"]["configuration"])
    # The key travels with the stack's default provider, encrypted.
    provider = _resource(latest, "providers:pulumi-python")
    assert _is_secret(provider["inputs"]["didww:apiKey"])


def test_an_up_on_a_second_runner_while_the_first_holds_the_lock_fails_or_waits_cleanly(
    runners: tuple[Runner, Runner], backend_url: str, emulator: RunningEmulator
) -> None:
    a, b = runners
    body = (
        "voice_in_trunk_groups:\n  office:\n    name: Office\n"
        f"orders:\n  nums:\n    on_delete: forget\n    items:\n      - sku_id: {_a_sku(emulator)}\n        qty: 1\n"
    )
    for runner in runners:
        runner.write_stack(body, emulator)
    _set_key_and_share_config(a, b)

    first = a.start("up", "--stack", STACK)
    waiting: Started | None = None
    try:
        # A has placed its order and waits for it to complete: it holds the stack's lock.
        _wait_until(
            lambda: first.process.poll() is not None or bool(_requests(emulator, "POST", "orders")),
            "runner A to place its order",
        )
        assert first.process.poll() is None, first.output()
        [held] = _locks(backend_url)
        before = _backend_rows(backend_url)

        refused = b.cli("up", "--stack", STACK)
        out = refused.stdout + refused.stderr
        assert refused.returncode == 1, out[-4000:]
        assert "locked" in out, out[-4000:]
        # Nothing of B's attempt reached the backend: same blobs, byte for byte, A's lock alone.
        assert _backend_rows(backend_url) == before
        assert _locks(backend_url) == [held]

        waiting = b.start("up", "--stack", STACK, "--lock-timeout", "300")
        _wait_until(lambda: "locked" in waiting.stderr_path.read_text(), "runner B to wait for the lock")
        assert waiting.process.poll() is None, waiting.output()

        httpx.post(emulator.admin_url + "clock/tick", json={}).raise_for_status()  # the order completes
        assert first.finish() == 0, first.output()
        assert waiting.finish() == 0, waiting.output()
        assert "No changes" in waiting.stdout_path.read_text(), waiting.output()
    finally:
        for run in (first, waiting):
            if run is not None:
                run.stop()

    assert _locks(backend_url) == []
    _ok(b.cli("preview", "--stack", STACK, "--expect-no-changes"))
    _ok(a.cli("preview", "--stack", STACK, "--expect-no-changes"))
    assert len(_requests(emulator, "POST", "orders")) == 1  # placed once: an order costs money
    assert len(_requests(emulator, "POST", "voice_in_trunk_groups")) == 1
    latest = _checkpoint(backend_url)
    assert sorted(r["type"].rsplit(":", 1)[-1] for r in latest["resources"] if "dynamic" in r["type"]) == [
        "Order",
        "VoiceInTrunkGroup",
    ]
