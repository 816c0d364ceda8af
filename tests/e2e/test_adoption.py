"""Undeclared means unmanaged, with the real engine: adopting resources made by hand, for every
type, with entries that name only what identifies them, sends nothing and leaves every live
setting as it was; a declared change sends that setting alone; a create sends no setting the entry
leaves out, so DIDWW's defaults apply."""

from __future__ import annotations

import subprocess
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Project
from tests.e2e.panel import build_panel_account, live_one, writes

pytestmark = pytest.mark.e2e

ADOPTING = """\
voice_in_trunks:
  pbx:
    adopt_id: {sip}
    name: Panel PBX
    sip:
      username: "+{{DID}}"
  mobile:
    adopt_id: {pstn}
    name: Panel mobile
    pstn:
      dst: "442080000000"
voice_in_trunk_groups:
  group:
    adopt_id: {group}
    name: Panel group
dids:
  front:
    adopt_id: {number0}
  grouped:
    adopt_id: {number1}
capacity_pools:
  standard:
    adopt_id: {pool}
shared_capacity_groups:
  sharing:
    adopt_id: {sharing}
    name: Panel channels
    shared_channels_count: 1
    metered_channels_count: 0
    capacity_pool: standard
voice_out_trunks:
  sbc:
    adopt_id: {out}
    name: Panel SBC
    authentication:
      type: credentials_and_ip
"""

# (type, key of the id in build_panel_account, what to include so relationships are compared)
LIVE = (
    ("voice_in_trunks", "sip", ""),
    ("voice_in_trunks", "pstn", ""),
    ("voice_in_trunk_groups", "group", "voice_in_trunks"),
    ("dids", "number0", "voice_in_trunk,voice_in_trunk_group,shared_capacity_group"),
    ("dids", "number1", "voice_in_trunk,voice_in_trunk_group,shared_capacity_group"),
    ("capacity_pools", "pool", ""),
    ("shared_capacity_groups", "sharing", "capacity_pool,dids"),
    ("voice_out_trunks", "out", "dids"),
)


def ok(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 0, f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return str(proc.stdout)


def snapshot(project: Project, ids: dict[str, str]) -> dict[str, Any]:
    return {f"{t} {key}": live_one(project, t, ids[key], include) for t, key, include in LIVE}


def test_adopting_leaves_every_undeclared_setting_as_it_is(project: Project) -> None:
    ids = build_panel_account(project)
    before = snapshot(project, ids)
    project.write_stack("adopt", ADOPTING.format(**ids))

    httpx.delete(project.emulator.admin_url + "requests").raise_for_status()
    ok(project.cli("up", "--stack", "adopt"))
    assert writes(project) == []
    # Priority 5, weight 65535, ringing 90 s, e164, the SIP host and port, the group's members,
    # the numbers' routing and description, the pool's channels, the outbound trunk's settings.
    assert snapshot(project, ids) == before
    ok(project.cli("preview", "--stack", "adopt", "--expect-no-changes"))

    # Declaring one more setting sends that setting alone.
    stack = project.root / "stacks" / "adopt.yaml"
    stack.write_text(
        stack.read_text().replace("    name: Panel PBX\n", "    name: Panel PBX\n    description: now managed\n")
    )
    httpx.delete(project.emulator.admin_url + "requests").raise_for_status()
    ok(project.cli("up", "--stack", "adopt"))
    sent = [e for e in project.api_requests() if e["method"] in {"POST", "PATCH", "DELETE"}]
    assert [(e["method"], e["path"]) for e in sent] == [("PATCH", f"/v3/voice_in_trunks/{ids['sip']}")]
    assert sent[0]["body"]["data"]["attributes"] == {"description": "now managed"}
    after = live_one(project, "voice_in_trunks", ids["sip"])["attributes"]
    assert (after["priority"], after["weight"], after["ringing_timeout"], after["cli_format"]) == (5, 65535, 90, "e164")


def test_a_create_sends_no_setting_the_entry_leaves_out(project: Project) -> None:
    project.write_stack("fresh", 'voice_in_trunks:\n  t:\n    name: Fresh\n    sip:\n      username: "{DID}"\n')
    httpx.delete(project.emulator.admin_url + "requests").raise_for_status()
    ok(project.cli("up", "--stack", "fresh"))
    (post,) = [e for e in project.api_requests() if e["method"] == "POST"]
    attributes = post["body"]["data"]["attributes"]
    assert set(attributes) == {"name", "configuration", "external_reference_id"}
    assert attributes["configuration"]["attributes"] == {"username": "{DID}"}
    (trunk,) = [t for t in project.live("voice_in_trunks") if t["attributes"]["name"] == "Fresh"]
    # DIDWW's own defaults (as the emulator records them from DIDWW's documentation).
    assert (trunk["attributes"]["priority"], trunk["attributes"]["weight"], trunk["attributes"]["cli_format"]) == (
        1,
        65535,
        "e164",
    )
