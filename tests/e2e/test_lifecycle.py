"""The walking skeleton end to end: YAML -> real Pulumi engine -> dynamic providers -> client ->
emulator over HTTP, checked against what the emulator holds, not only against Pulumi's output."""

from __future__ import annotations

import base64
import json
import subprocess
from typing import Any

import pytest

from tests.e2e.conftest import E2E_API_KEY, Project

pytestmark = pytest.mark.e2e

STACK = """\
voice_in_trunks:
  pbx:
    name: PBX
    capacity_limit: 10
    sip:
      username: "{DID}"
      host: pbx.example.com
      port: 5060
      auth_enabled: true
      auth_user: pbx
      auth_password: Sip-Passw0rd-e2e-71c4
  mobile:
    name: Mobile
    capacity_limit: 2
    pstn:
      dst: "442080000000"
voice_in_trunk_groups:
  office:
    name: Office
    capacity_limit: 12
    trunks: [pbx, mobile]
"""


def ok(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 0, f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return str(proc.stdout)


def by_name(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {str(i["attributes"]["name"]): i for i in items}


def test_create_noop_update_delete_destroy(project: Project) -> None:
    project.write_stack("e2e", STACK)

    # 1. up creates both trunks and the group with both members.
    out = ok(project.cli("up", "--stack", "e2e"))
    assert "4 created" in out  # 3 DIDWW resources + the stack itself
    trunks = by_name(project.live("voice_in_trunks"))
    assert set(trunks) == {"PBX", "Mobile"}
    pbx = trunks["PBX"]["attributes"]
    assert pbx["capacity_limit"] == 10
    assert pbx["configuration"]["attributes"]["host"] == "pbx.example.com"
    assert trunks["Mobile"]["attributes"]["configuration"]["type"] == "pstn_configurations"
    (group,) = project.live("voice_in_trunk_groups", include="voice_in_trunks")
    members = {r["id"] for r in group["relationships"]["voice_in_trunks"]["data"]}
    assert members == {trunks["PBX"]["id"], trunks["Mobile"]["id"]}
    # Every create sends an external reference derived from the resource's URN parts.
    assert pbx["external_reference_id"] == "didww-iac:didww-iac:e2e:voice_in_trunks:pbx"
    # The command ends by listing what exists, with DIDWW ids, and what it cost in API requests.
    assert str(trunks["PBX"]["id"]) in out
    assert "DIDWW API: " in out and " 0 x 429" in out

    # 2. The state holds no API key; the provider is pickled by reference to its class.
    state_text = project.state_file("e2e").read_text()
    assert E2E_API_KEY not in state_text
    assert "Sip-Passw0rd-e2e-71c4" not in state_text  # inputs and outputs both stored as secrets
    assert "Sip-Passw0rd-e2e-71c4" not in out
    resources = json.loads(state_text)["checkpoint"]["latest"]["resources"]
    pickles = [base64.b64decode(r["outputs"]["__provider"]) for r in resources if "__provider" in r.get("outputs", {})]
    assert len(pickles) == 3
    assert all(E2E_API_KEY.encode() not in p for p in pickles)
    assert any(b"didww_iac.resources.voice_in_trunks" in p and b"VoiceInTrunkProvider" in p for p in pickles)
    assert any(b"didww_iac.resources.voice_in_trunk_groups" in p for p in pickles)

    # 3. An immediate preview reports no changes.
    ok(project.cli("preview", "--stack", "e2e", "--expect-no-changes"))

    # 4. Rename the group and change the trunk's capacity: updated in place (same ids).
    project.write_stack(
        "e2e",
        STACK.replace("name: Office", "name: Head office").replace("capacity_limit: 10", "capacity_limit: 20"),
    )
    out = ok(project.cli("up", "--stack", "e2e"))
    assert "2 updated" in out and "replaced" not in out
    trunks_after = by_name(project.live("voice_in_trunks"))
    assert trunks_after["PBX"]["id"] == trunks["PBX"]["id"]
    assert trunks_after["PBX"]["attributes"]["capacity_limit"] == 20
    (group_after,) = project.live("voice_in_trunk_groups")
    assert group_after["id"] == group["id"]
    assert group_after["attributes"]["name"] == "Head office"

    # 5. Remove the PSTN trunk from the file: it is deleted, the group keeps the SIP trunk.
    without_mobile = (
        STACK.replace("name: Office", "name: Head office")
        .replace("capacity_limit: 10", "capacity_limit: 20")
        .replace('  mobile:\n    name: Mobile\n    capacity_limit: 2\n    pstn:\n      dst: "442080000000"\n', "")
        .replace("[pbx, mobile]", "[pbx]")
    )
    project.write_stack("e2e", without_mobile)
    out = ok(project.cli("up", "--stack", "e2e"))
    assert "1 deleted" in out
    assert set(by_name(project.live("voice_in_trunks"))) == {"PBX"}
    (group_final,) = project.live("voice_in_trunk_groups", include="voice_in_trunks")
    assert [r["id"] for r in group_final["relationships"]["voice_in_trunks"]["data"]] == [trunks["PBX"]["id"]]

    # 6. Switch the PBX trunk from SIP to PSTN: DIDWW cannot change that in place, so the trunk
    # is replaced; the new one is made first (the old one renamed out of its unique name), the
    # group moves to it, then the old one is deleted.
    sip_block = without_mobile[without_mobile.index("    sip:\n") : without_mobile.index("voice_in_trunk_groups:")]
    project.write_stack("e2e", without_mobile.replace(sip_block, '    pstn:\n      dst: "442080000001"\n'))
    out = ok(project.cli("up", "--stack", "e2e"))
    assert "1 replaced" in out
    (replaced,) = project.live("voice_in_trunks")
    assert replaced["id"] != trunks["PBX"]["id"] and replaced["attributes"]["name"] == "PBX"
    assert replaced["attributes"]["configuration"]["type"] == "pstn_configurations"
    (group_moved,) = project.live("voice_in_trunk_groups", include="voice_in_trunks")
    assert [r["id"] for r in group_moved["relationships"]["voice_in_trunks"]["data"]] == [replaced["id"]]

    # 7. destroy leaves the emulator empty.
    ok(project.cli("destroy", "--stack", "e2e"))
    assert project.live("voice_in_trunks") == []
    assert project.live("voice_in_trunk_groups") == []
