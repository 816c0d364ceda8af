"""An existing account brought under management with the real engine: resources made by hand
over the emulator's API (as a panel would), `import` writes their entries into a stack file that
keeps its comments, and the next `up` adopts them without a single write; preview and drift are
clean, and a later change made in the panel is named by `drift`."""

from __future__ import annotations

import subprocess

import httpx
import pytest
from ruamel.yaml import YAML

from didww_iac.importer import IMPORT_ORDER
from tests.e2e.conftest import E2E_API_KEY, Project
from tests.e2e.panel import PANEL_PASSWORD, build_panel_account, call, writes

pytestmark = pytest.mark.e2e


STACK = """\
# The team's stack: reviewed in git.
voice_in_trunks:
  declared:   # made by this stack
    name: 'Declared trunk'
    sip:
      username: "{DID}"
"""


def ok(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 0, f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return str(proc.stdout)


def test_import_then_up_adopts_the_account_without_a_write(project: Project) -> None:
    stack = project.write_stack("team", STACK)
    ok(project.cli("up", "--stack", "team"))
    ids = build_panel_account(project)
    before = stack.read_text()

    httpx.delete(project.emulator.admin_url + "requests").raise_for_status()
    dry = ok(project.cli("import", "--stack", "team", "--dry-run"))
    assert stack.read_text() == before
    assert "panel-pbx:" in dry and f"adopt_id: {ids['sip']}" in dry and "would add" in dry

    httpx.delete(project.emulator.admin_url + "requests").raise_for_status()
    ok(project.cli("import", "--stack", "team"))
    reads = [e for e in project.api_requests() if e["method"] == "GET"]
    assert not writes(project)
    # One listing per importable type, plus a version probe and the countries the addresses and
    # identities name (by ISO code in the file).
    assert len(reads) <= len(IMPORT_ORDER) + 2, [e["path"] for e in reads]

    text = stack.read_text()
    # Comments, key order and quoting of what was there are kept; new entries follow.
    assert text.startswith(before.split("voice_in_trunks:")[0])
    assert "  declared:   # made by this stack\n    name: 'Declared trunk'\n" in text
    assert PANEL_PASSWORD not in text and E2E_API_KEY not in text
    document = YAML(typ="safe").load(text)
    trunks = document["voice_in_trunks"]
    assert set(trunks) == {"declared", "panel-pbx", "panel-mobile", "panel-spare"}
    pbx = trunks["panel-pbx"]
    assert pbx["adopt_id"] == ids["sip"]
    assert (pbx["priority"], pbx["weight"], pbx["ringing_timeout"], pbx["cli_format"]) == (5, 65535, 90, "e164")
    assert pbx["sip"]["host"] == "pbx.panel.example.com" and pbx["sip"]["codec_ids"] == [9, 7]
    assert "auth_password" not in pbx["sip"]
    assert trunks["panel-mobile"]["pstn"] == {"dst": "442080000000"}
    assert document["voice_in_trunk_groups"]["panel-group"]["trunks"] == ["panel-mobile", "panel-spare"]
    numbers = document["dids"]
    by_id = {entry["adopt_id"]: name for name, entry in numbers.items()}
    front = numbers[by_id[ids["number0"]]]
    assert front["voice_in_trunk"] == "panel-pbx" and front["description"] == "front desk"
    assert numbers[by_id[ids["number1"]]]["voice_in_trunk_group"] == "panel-group"
    assert numbers[by_id[ids["number2"]]]["shared_capacity_group"] == "panel-channels"
    assert all(name.startswith("did-") for name in numbers)
    assert document["shared_capacity_groups"]["panel-channels"]["capacity_pool"] == "standard"
    assert document["capacity_pools"]["standard"]["adopt_id"] == ids["pool"]
    sbc = document["voice_out_trunks"]["panel-sbc"]
    assert sbc["dids"] == [by_id[ids["number0"]]] and sbc["authentication"]["type"] == "credentials_and_ip"
    assert "orders" not in document  # a completed order is history; its numbers are the entries
    erika = document["identities"]["panel"]
    assert (erika["adopt_id"], erika["country"], erika["first_name"]) == (ids["person"], "DE", "Erika")
    office = document["addresses"]["invalidenstrasse-116"]
    assert (office["identity"], office["country"], office["city_name"]) == ("panel", "DE", "Berlin")

    httpx.delete(project.emulator.admin_url + "requests").raise_for_status()
    ok(project.cli("up", "--stack", "team"))
    assert writes(project) == []
    ok(project.cli("preview", "--stack", "team", "--expect-no-changes"))
    ok(project.cli("drift", "--stack", "team"))

    # Nothing left to import: the same account gives no new entry.
    again = ok(project.cli("import", "--stack", "team"))
    assert "Nothing to import" in again and stack.read_text() == text

    # A change made in the panel afterwards is named by drift.
    patch = {"data": {"type": "voice_in_trunks", "id": ids["sip"], "attributes": {"priority": 6}}}
    call(project, "PATCH", f"voice_in_trunks/{ids['sip']}", patch)
    drifted = project.cli("drift", "--stack", "team")
    assert drifted.returncode == 3, drifted.stdout + drifted.stderr
    assert "panel-pbx" in drifted.stdout and "priority" in drifted.stdout


def test_import_refuses_an_unknown_type(project: Project) -> None:
    project.write_stack("team", STACK)
    proc = project.cli("import", "--stack", "team", "--type", "orders")
    assert proc.returncode == 2
    assert "cannot import orders" in proc.stderr and "importable types are" in proc.stderr


def test_a_large_account_costs_one_listing_per_type_and_is_adopted_without_a_write(project: Project) -> None:
    seeded = {"trunks": 150, "groups": 15, "dids": 1200}
    httpx.post(project.emulator.admin_url + "seed", json=seeded).raise_for_status()
    stack = project.write_stack("big", "")

    httpx.delete(project.emulator.admin_url + "requests").raise_for_status()
    ok(project.cli("import", "--stack", "big"))
    listed = [e for e in project.api_requests() if e["method"] == "GET"]
    # ceil(M/100) per type: 12 pages of numbers, 2 of trunks, 1 of each other type (+ a probe).
    pages = {t: sum(1 for e in listed if e["path"] == f"/v3/{t}") for t in ("dids", "voice_in_trunks")}
    assert pages == {"dids": 12, "voice_in_trunks": 2}, pages
    others = len(IMPORT_ORDER) - 2  # one page of each other importable type
    assert len(listed) <= 12 + 2 + others + 1, [e["path"] for e in listed]
    document = YAML(typ="safe").load(stack.read_text())
    assert len(document["dids"]) == 1200 and len(document["voice_in_trunks"]) == 150
    assert len(document["voice_in_trunk_groups"]) == 15

    httpx.delete(project.emulator.admin_url + "requests").raise_for_status()
    ok(project.cli("up", "--stack", "big"))
    assert writes(project) == []
    reads = [e for e in project.api_requests() if e["method"] == "GET"]
    assert len(reads) <= 12 + 2 + 5, len(reads)  # adopting reads the listings, not one GET per number
