"""`drift --unmanaged` sees what a refresh cannot (resources of the account no entry declares) at
one listing per type, and `drift --markdown` writes the report for a CI summary or an issue; the
real engine and CLI against the emulator over HTTP."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import E2E_API_KEY, Project

pytestmark = pytest.mark.e2e

SIP_PASSWORD = "Drift-Sip-Passw0rd-3e9a"
PANEL_PASSWORD = "Panel-Passw0rd-77b1"
# What an account holds lastingly; orders (history) and reservations (minutes) are not reported.
LASTING = [
    "voice_in_trunk_groups",
    "voice_in_trunks",
    "dids",
    "voice_out_trunks",
    "capacity_pools",
    "shared_capacity_groups",
    "identities",
    "addresses",
]

# The emulator's account holds two capacity pools from the start: declared here, so a clean
# account is one where everything is declared.
STACK = f"""\
voice_in_trunks:
  pbx:
    name: PBX
    capacity_limit: 10
    sip:
      username: "{{DID}}"
      host: pbx.example.com
      auth_enabled: true
      auth_user: pbx
      auth_password: {SIP_PASSWORD}
  mobile:
    name: Mobile
    pstn:
      dst: "442080000000"
capacity_pools:
  standard:
    name: Standard
  extended:
    name: Extended
"""


def made_by_hand(project: Project, api_type: str, attributes: dict[str, Any]) -> str:
    """A resource created over the emulator's public API, as someone in the panel would: the
    stack knows nothing of it."""
    response = httpx.post(
        project.emulator.base_url + api_type,
        json={"data": {"type": api_type, "attributes": attributes}},
        headers={
            "Api-Key": E2E_API_KEY,
            "Accept": "application/vnd.api+json",
            "Content-Type": "application/vnd.api+json",
        },
    )
    response.raise_for_status()
    return str(response.json()["data"]["id"])


def hand_made_trunk(project: Project) -> str:
    return made_by_hand(
        project,
        "voice_in_trunks",
        {"name": "Hand-made", "configuration": {"type": "pstn_configurations", "attributes": {"dst": "442080000001"}}},
    )


def drift(project: Project, stack: str, *flags: str, key_in_env: bool = True) -> subprocess.CompletedProcess[str]:
    proc = project.cli("drift", "--stack", stack, *flags, key_in_env=key_in_env)
    assert proc.returncode in {0, 3}, proc.stdout + proc.stderr
    assert E2E_API_KEY not in proc.stdout + proc.stderr
    return proc


def listings(project: Project, api_type: str) -> int:
    return sum(1 for r in project.api_requests() if r["method"] == "GET" and r["path"] == f"/v3/{api_type}")


def test_unmanaged_resources_are_listed_and_managed_ones_are_not(project: Project) -> None:
    project.write_stack("acct", STACK)
    assert project.cli("up", "--stack", "acct").returncode == 0
    managed = {t["attributes"]["name"]: t["id"] for t in project.live("voice_in_trunks")}

    clean = drift(project, "acct", "--unmanaged", "--json")
    assert clean.returncode == 0
    assert json.loads(clean.stdout) == {
        "stack": "acct",
        "drifted": False,
        "resources": [],
        "unmanaged_types": LASTING,
        "unmanaged": [],
    }

    trunk = hand_made_trunk(project)
    group = made_by_hand(project, "voice_in_trunk_groups", {"name": "Panel group"})
    httpx.delete(project.emulator.admin_url + "requests").raise_for_status()

    found = drift(project, "acct", "--unmanaged", "--json")
    assert found.returncode == 3
    report = json.loads(found.stdout)
    assert report["drifted"] is False  # the managed resources still match
    assert sorted(report["unmanaged"], key=lambda u: u["api_type"]) == [
        {"api_type": "voice_in_trunk_groups", "id": group, "display": "Panel group"},
        {"api_type": "voice_in_trunks", "id": trunk, "display": "Hand-made"},
    ]
    assert not {u["id"] for u in report["unmanaged"]} & set(managed.values())
    # One listing per type the refresh did not read already (the account holds < 100 of each).
    assert [listings(project, t) for t in ("dids", "voice_out_trunks", "shared_capacity_groups")] == [1, 1, 1]
    assert listings(project, "orders") == 0 and listings(project, "did_reservations") == 0

    # Without --unmanaged nothing is listed and the exit code means drift only, as before.
    httpx.delete(project.emulator.admin_url + "requests").raise_for_status()
    plain = drift(project, "acct", "--json")
    assert plain.returncode == 0
    assert json.loads(plain.stdout) == {"stack": "acct", "drifted": False, "resources": []}
    assert listings(project, "dids") == 0

    text = drift(project, "acct", "--unmanaged")
    assert text.returncode == 3
    assert "Hand-made" in text.stdout and trunk in text.stdout and "Panel group" in text.stdout
    assert managed["PBX"] not in text.stdout


def test_an_entry_adopting_a_resource_declares_it_before_any_up(project: Project) -> None:
    project.write_stack("adopt", STACK)
    assert project.cli("up", "--stack", "adopt").returncode == 0
    trunk = hand_made_trunk(project)
    adopting = f"""\
  hand:
    name: Hand-made
    adopt_id: {trunk}
    pstn:
      dst: "442080000001"
"""
    project.write_stack("adopt", STACK.replace("capacity_pools:\n", adopting + "capacity_pools:\n"))

    report = json.loads(drift(project, "adopt", "--unmanaged", "--json").stdout)
    assert report["unmanaged"] == []


def test_markdown_report_holds_the_drifted_setting_and_the_unmanaged_resource(project: Project) -> None:
    project.write_stack("md", STACK)
    assert project.cli("up", "--stack", "md").returncode == 0
    trunks = {t["attributes"]["name"]: t for t in project.live("voice_in_trunks")}
    pbx, mobile = trunks["PBX"], trunks["Mobile"]
    httpx.delete(project.emulator.admin_url + "resources/voice_in_trunks/" + mobile["id"]).raise_for_status()
    configuration = pbx["attributes"]["configuration"]
    configuration["attributes"]["auth_password"] = PANEL_PASSWORD
    httpx.patch(
        project.emulator.admin_url + "resources/voice_in_trunks/" + pbx["id"],
        json={"capacity_limit": 99, "configuration": configuration},
    ).raise_for_status()
    trunk = hand_made_trunk(project)
    summary = project.root / "summary.md"

    proc = drift(project, "md", "--unmanaged", "--json", "--markdown", str(summary))
    assert proc.returncode == 3
    assert json.loads(proc.stdout)["drifted"] is True  # --json still prints the report
    markdown = summary.read_text()
    assert markdown.startswith("## DIDWW drift: stack `md`\n\n**Drift found:** 2 managed resources differ")
    assert "1 resource of the account is declared by no entry" in markdown
    assert "| type | logical name | DIDWW id | status | setting | declared | live |" in markdown
    assert (
        f"| voice_in_trunks | `pbx` | `{pbx['id']}` | changed in DIDWW | `capacity_limit` | `10` | `99` |" in markdown
    )
    # A resource deleted in the panel keeps the id it had, so the report says which one it was.
    assert f"| voice_in_trunks | `mobile` | `{mobile['id']}` | missing from DIDWW |  |  |  |" in markdown
    assert f"| voice_in_trunks | `{trunk}` | `Hand-made` |" in markdown
    for secret in (E2E_API_KEY, SIP_PASSWORD, PANEL_PASSWORD):
        assert secret not in markdown
        assert secret not in proc.stdout + proc.stderr


def test_markdown_of_a_clean_account_and_the_key_from_stack_config(project: Project) -> None:
    project.write_stack("cfg", STACK)
    set_key = project.cli(
        "pulumi", "--stack", "cfg", "--", "config", "set", "--secret", "didww:apiKey", E2E_API_KEY, key_in_env=False
    )
    assert set_key.returncode == 0, set_key.stderr
    assert project.cli("up", "--stack", "cfg", key_in_env=False).returncode == 0
    summary = project.root / "clean.md"

    # The listing finds the key where the providers do: the stack's secret config.
    clean = drift(project, "cfg", "--unmanaged", "--markdown", str(summary), key_in_env=False)
    assert clean.returncode == 0
    assert "No drift" in clean.stdout and "Nothing unmanaged" in clean.stdout
    assert summary.read_text() == (
        "## DIDWW drift: stack `cfg`\n\n**No drift:** every managed resource matches the stack file; "
        "every resource of the account is declared by an entry.\n"
    )


def test_numbers_cost_one_listing_of_their_pages_and_terminated_ones_are_left_out(project: Project) -> None:
    project.write_stack("nums", STACK)
    assert project.cli("up", "--stack", "nums").returncode == 0
    httpx.post(project.emulator.admin_url + "seed", json={"dids": 101}).raise_for_status()
    numbers = project.live("dids")  # the first 100
    httpx.patch(
        project.emulator.admin_url + "resources/dids/" + numbers[0]["id"], json={"terminated": True}
    ).raise_for_status()
    httpx.delete(project.emulator.admin_url + "requests").raise_for_status()

    report = json.loads(drift(project, "nums", "--unmanaged", "--json").stdout)
    unmanaged = {u["id"]: u["display"] for u in report["unmanaged"] if u["api_type"] == "dids"}
    assert len(unmanaged) == 100  # 101 seeded, one terminated
    assert numbers[0]["id"] not in unmanaged
    assert unmanaged[numbers[1]["id"]] == numbers[1]["attributes"]["number"]
    assert listings(project, "dids") == 2  # ceil(101 / 100)
    assert {r["path"] for r in project.api_requests() if r["method"] != "GET"} == set()  # nothing written
