"""Drift made behind the tool's back (in the DIDWW panel) is detected, reported field by field,
changes nothing, and is undone by the next `up`."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.e2e.conftest import Project

pytestmark = pytest.mark.e2e

STACK = """\
voice_in_trunks:
  pbx:
    name: PBX
    capacity_limit: 10
    sip:
      username: "{DID}"
      host: pbx.example.com
  mobile:
    name: Mobile
    pstn:
      dst: "442080000000"
"""


def test_drift_is_detected_reported_and_undone(project: Project) -> None:
    project.write_stack("drift", STACK)
    assert project.cli("up", "--stack", "drift").returncode == 0
    clean = project.cli("drift", "--stack", "drift", "--json")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert json.loads(clean.stdout) == {"stack": "drift", "drifted": False, "resources": []}

    trunks = {t["attributes"]["name"]: t["id"] for t in project.live("voice_in_trunks")}
    admin = project.emulator.admin_url + "resources/voice_in_trunks/"
    httpx.patch(admin + trunks["PBX"], json={"capacity_limit": 99}).raise_for_status()
    httpx.delete(admin + trunks["Mobile"]).raise_for_status()

    drifted = project.cli("drift", "--stack", "drift", "--json")
    assert drifted.returncode == 3, drifted.stdout + drifted.stderr
    report = json.loads(drifted.stdout)
    by_name = {r["logical_name"]: r for r in report["resources"]}
    assert by_name["pbx"]["status"] == "changed in DIDWW"
    assert by_name["pbx"]["properties"] == [
        {"field": "capacity_limit", "paths": ["capacity_limit"], "live": 99, "declared": 10}
    ]
    assert by_name["mobile"]["status"] == "missing from DIDWW"
    # Detecting drift writes nothing.
    assert {t["attributes"]["name"]: t["attributes"]["capacity_limit"] for t in project.live("voice_in_trunks")} == {
        "PBX": 99
    }

    fixed = project.cli("up", "--stack", "drift")
    assert fixed.returncode == 0, fixed.stdout
    live = {t["attributes"]["name"]: t for t in project.live("voice_in_trunks")}
    assert live["PBX"]["attributes"]["capacity_limit"] == 10
    assert live["PBX"]["id"] == trunks["PBX"]
    assert "Mobile" in live
    assert project.cli("drift", "--stack", "drift").returncode == 0
