"""Stacks of real size through the real engine: a thousand resources applied and previewed clean,
and an `up` killed midway (what a cancelled CI job does) that the next `up` completes, on both API
pins, without a duplicate and with nothing missing from the state.

The emulator's limit is off and the stacks raise theirs: these tests are about what the tool
does at size, not about the API's rate (benchmarks/bench_scale.py measures that).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from didww_iac.emulator.testing import RunningEmulator, running_emulator
from tests.e2e.conftest import E2E_API_KEY, Project

pytestmark = pytest.mark.e2e

NUMBERS_PER_ORDER = 99
KILL_TIMEOUT = 120.0
ORPHAN_TIMEOUT = 15.0


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    with running_emulator(
        api_keys=[E2E_API_KEY],
        rate_limit=None,
        request_log=True,
        order_delay=0.0,
        stock_per_group=200,
        balance="100000.00",
    ) as emu:
        yield emu


def _skus(emu: RunningEmulator, count: int) -> list[str]:
    answer = httpx.get(
        emu.base_url + "did_groups",
        params={"include": "stock_keeping_units", "page[size]": "100"},
        headers={"Api-Key": E2E_API_KEY, "Accept": "application/vnd.api+json"},
    ).json()
    free = [g for g in answer["data"] if not g["attributes"].get("needs_registration")]
    assert len(free) >= count, "the emulator's catalogue has too few groups without registration"
    return [g["relationships"]["stock_keeping_units"]["data"][0]["id"] for g in free[:count]]


def _trunks_and_groups(trunks: int, groups: int) -> list[str]:
    lines = ["voice_in_trunks:"]
    for i in range(trunks):
        lines += [
            f"  t{i}:",
            f"    name: Trunk {i}",
            "    sip:",
            '      username: "+{DID}"',
            f"      host: h{i}.example",
        ]
    lines.append("voice_in_trunk_groups:")
    for i in range(groups):
        lines += [f"  g{i}:", f"    name: Group {i}", f"    trunks: [t{2 * i}, t{2 * i + 1}]"]
    return lines


def _numbers(skus: list[str], trunks: int) -> list[str]:
    lines = ["orders:"]
    for i, sku in enumerate(skus):
        lines += [f"  o{i}:", "    on_delete: release", "    items:", f"      - sku_id: {sku}", "        qty: 99"]
    lines.append("dids:")
    for i in range(len(skus) * NUMBERS_PER_ORDER):
        order, index = divmod(i, NUMBERS_PER_ORDER)
        lines += [f"  n{i}:", f"    order: o{order}", f"    index: {index}", f"    voice_in_trunk: t{i % trunks}"]
    return lines


def _total(project: Project, api_type: str) -> int:
    answer = httpx.get(
        project.emulator.base_url + api_type,
        params={"page[size]": "1"},
        headers={"Api-Key": E2E_API_KEY, "Accept": "application/vnd.api+json"},
    ).json()
    total: int = answer["meta"]["total_records"]
    return total


def _state_resources(project: Project, stack: str) -> list[dict[str, Any]]:
    deployment = json.loads(project.state_file(stack).read_text())["checkpoint"]["latest"]
    return [r for r in deployment.get("resources", []) if r["type"].startswith("pulumi-python:dynamic/didww:")]


def test_a_thousand_resources_apply_then_preview_clean(project: Project) -> None:
    skus = _skus(project.emulator, 5)
    body = [*_trunks_and_groups(400, 100), *_numbers(skus, 400)]  # 400 + 100 + 5 + 495
    project.write_stack("big", "rate_limit: 100000\n" + "\n".join(body) + "\n")

    up = project.cli("up", "--stack", "big")
    assert up.returncode == 0, up.stdout[-3000:] + up.stderr[-3000:]
    assert "Applied" in up.stdout and "1001 created" in up.stdout  # with the stack itself
    assert (_total(project, "voice_in_trunks"), _total(project, "voice_in_trunk_groups")) == (400, 100)
    routed = [d for d in project.live("dids", include="voice_in_trunk") if d["relationships"]["voice_in_trunk"]["data"]]
    assert len(routed) == 100  # the first page of the 495 ordered numbers, each routed to its trunk
    assert _total(project, "dids") == 495
    assert len(_state_resources(project, "big")) == 1000

    httpx.delete(project.emulator.admin_url + "requests").raise_for_status()
    preview = project.cli("preview", "--stack", "big", "--expect-no-changes")
    assert preview.returncode == 0, preview.stdout[-3000:] + preview.stderr[-3000:]
    reads = project.api_requests()
    # A listing per type (trunks 4 pages, groups 1, orders 1, numbers 5), no read per resource.
    assert {e["method"] for e in reads} == {"GET"}
    assert len(reads) <= 4 + 1 + 1 + 5 + 4, [e["path"] for e in reads]


# What an engine starts: the provider host, the language host and the program it runs.
HOST_COMMANDS = (b"didww_iac.provider_host", b"pulumi-language-python")


def _hosts_left(project: Project) -> list[int]:
    """Processes an engine started (provider host, language host, program) still running in the
    project's directory."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            command = (proc / "cmdline").read_bytes()
            where = (proc / "cwd").resolve()
        except OSError:
            continue
        if any(c in command for c in HOST_COMMANDS) and where == project.root.resolve():
            found.append(int(proc.name))
    return found


def _up_killed_midway(project: Project, stack: str, api_type: str, at_least: int) -> None:
    """Starts `up` in a process group of its own and kills the whole group (engine, program,
    provider) with SIGKILL once `at_least` resources of `api_type` exist."""
    env = {**os.environ, "DIDWW_API_KEY": E2E_API_KEY, "PULUMI_CONFIG_PASSPHRASE": "e2e-passphrase"}
    process = subprocess.Popen(
        [sys.executable, "-m", "didww_iac.cli", "up", "--project-dir", str(project.root), "--stack", stack],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + KILL_TIMEOUT
    try:
        while _total(project, api_type) < at_least:
            assert process.poll() is None, "up ended before it could be killed"
            assert time.monotonic() < deadline, "up made too few resources to be killed midway"
            time.sleep(0.05)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.mark.parametrize("api_version", ["2026-04-16", "2022-05-10"])
def test_an_up_killed_midway_is_completed_by_the_next(project: Project, api_version: str) -> None:
    httpx.patch(project.emulator.admin_url + "account", json={"api_version": api_version}).raise_for_status()
    trunks, groups = 300, 100
    body = "\n".join(_trunks_and_groups(trunks, groups))
    # A limit low enough that the kill lands among the creates.
    project.write_stack("killed", "rate_limit: 60\n" + body + "\n")
    stack_file = project.root / "stacks" / "killed.yaml"
    stack_file.write_text(stack_file.read_text().replace('"2026-04-16"', f'"{api_version}"'))

    _up_killed_midway(project, "killed", "voice_in_trunks", at_least=trunks // 3)
    made_before = _total(project, "voice_in_trunks")
    assert made_before < trunks, "the kill came after every trunk was made"
    # The provider and language hosts of the killed engine leave by themselves.
    deadline = time.monotonic() + ORPHAN_TIMEOUT
    while _hosts_left(project) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _hosts_left(project) == []

    again = project.cli("up", "--stack", "killed")
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert "broke the lock of stack killed" in again.stderr

    log = project.api_requests()
    made = [e for e in log if e["method"] == "POST" and e["status"] == 201]
    refused = [e for e in log if e["method"] == "POST" and e["status"] == 422]
    assert refused == []
    # Each trunk and group was made exactly once over both runs, and is in DIDWW and the state.
    assert len(made) == trunks + groups
    assert (_total(project, "voice_in_trunks"), _total(project, "voice_in_trunk_groups")) == (trunks, groups)
    assert len(_state_resources(project, "killed")) == trunks + groups
    members = {
        m["id"]
        for g in project.live("voice_in_trunk_groups", include="voice_in_trunks")
        for m in g["relationships"]["voice_in_trunks"]["data"]
    }
    assert len(members) == 2 * groups

    preview = project.cli("preview", "--stack", "killed", "--expect-no-changes")
    assert preview.returncode == 0, preview.stdout[-3000:] + preview.stderr[-3000:]
