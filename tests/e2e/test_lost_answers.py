"""Creates whose answers are lost, through the real engine, on both API pins: DIDWW carries
every POST out and the connection then drops unanswered. The stack converges within two runs
with each resource made exactly once: found by its external_reference_id on 2026-04-16, and by
the name DIDWW keeps unique on 2022-05-10 (which has no reference)."""

from __future__ import annotations

import subprocess
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from didww_iac.emulator.testing import RunningEmulator, running_emulator
from tests.e2e.conftest import E2E_API_KEY, Project

pytestmark = pytest.mark.e2e

PINS = ["2026-04-16", "2022-05-10"]

STACK = """\
rate_limit: 1000
voice_in_trunks:
  pbx-a:
    name: PBX A
    capacity_limit: 10
    sip:
      username: "+{DID}"
      host: pbx-a.example.com
  pbx-b:
    name: PBX B
    sip:
      username: "+{DID}"
      host: pbx-b.example.com
      port: 5070
  mobile:
    name: Mobile fallback
    pstn:
      dst: "442080000000"
voice_in_trunk_groups:
  office:
    name: Office
    capacity_limit: 12
    trunks: [pbx-a, mobile]
  lab:
    name: Lab
    trunks: [pbx-b]
voice_out_trunks:
  sbc:
    name: Office SBC
    authentication:
      type: credentials_and_ip
      allowed_sip_ips: ["203.0.113.10/32"]
    threshold_amount: "200.00"
capacity_pools:
  us:
    name: Standard
shared_capacity_groups:
  office-channels:
    name: Office channels
    shared_channels_count: 2
    metered_channels_count: 0
    capacity_pool: us
"""

# What the stack declares, by the name DIDWW keeps unique.
DECLARED = {
    "voice_in_trunks": ["Mobile fallback", "PBX A", "PBX B"],
    "voice_in_trunk_groups": ["Lab", "Office"],
    "voice_out_trunks": ["Office SBC"],
    "shared_capacity_groups": ["Office channels"],
}


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    # No limit: the test counts requests, not their rate.
    with running_emulator(api_keys=[E2E_API_KEY], rate_limit=None, request_log=True) as emu:
        yield emu


def _output(*runs: subprocess.CompletedProcess[str]) -> str:
    return "\n".join(f"--- run {i}:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}" for i, r in enumerate(runs, 1))


@pytest.mark.parametrize("api_version", PINS)
def test_lost_answers_to_creates_converge_within_two_runs(project: Project, api_version: str) -> None:
    httpx.patch(project.emulator.admin_url + "account", json={"api_version": api_version}).raise_for_status()
    stack = project.write_stack("lost", STACK)
    stack.write_text(stack.read_text().replace('"2026-04-16"', f'"{api_version}"'))
    # Every POST is carried out and its answer lost, for both runs.
    fault = {"lose_answer_next": 1000, "lose_answer_method": "POST"}
    httpx.post(project.emulator.admin_url + "faults", json=fault).raise_for_status()

    first = project.cli("up", "--stack", "lost")  # may fail: the second run must finish the job
    second = project.cli("up", "--stack", "lost")
    assert second.returncode == 0, _output(first, second)
    assert all(E2E_API_KEY not in run.stdout + run.stderr for run in (first, second))

    posts = [e for e in project.api_requests() if e["method"] == "POST"]
    assert posts and all(e["outcome"] == "answer_lost" for e in posts)  # the fault hit every create
    committed = Counter(
        (e["path"].removeprefix("/v3/"), e["body"]["data"]["attributes"]["name"]) for e in posts if e["status"] == 201
    )
    # One POST carried out per declared resource, none refused, none repeated.
    assert committed == Counter((t, n) for t, names in DECLARED.items() for n in names), _output(first, second)
    assert [e for e in posts if e["status"] != 201] == []
    for api_type, names in DECLARED.items():
        assert sorted(r["attributes"]["name"] for r in project.live(api_type)) == names

    httpx.delete(project.emulator.admin_url + "requests").raise_for_status()
    preview = project.cli("preview", "--stack", "lost", "--expect-no-changes")
    assert preview.returncode == 0, _output(first, second, preview)
    assert {e["method"] for e in project.api_requests()} <= {"GET"}
