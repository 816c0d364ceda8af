"""Regulation and emergency calling end to end, with the real engine against the emulator:
- a number ordered in a group that needs registration stays `awaiting_registration` until the
  identity, address, proofs and verification the stack declares are approved;
- an emergency calling service for a US number, its outbound trunk's emergency numbers, a new
  address for the service, and cancelling it;
- rotating an outbound trunk's credentials, and a voice in trunk's POP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import E2E_API_KEY, Project

pytestmark = pytest.mark.e2e

HEADERS = {"Api-Key": E2E_API_KEY, "Accept": "application/vnd.api+json"}
PASSPORT = b"%PDF-1.4\n% passport of Jane Doe, not for the state\n"
FORM = b"%PDF-1.4\n% Germany Registration Form, filled in\n"
BILL = b"\x89PNG\r\n\x1a\n utility bill of the Berlin office"


def group_sku(project: Project, city: str) -> str:
    """The SKU of the emulator's DID group for `city`, found as a user would: through the API."""
    response = httpx.get(
        project.emulator.base_url + "did_groups",
        params={"include": "stock_keeping_units", "page[size]": "100"},
        headers=HEADERS,
    )
    response.raise_for_status()
    for group in response.json()["data"]:
        if group["attributes"].get("area_name") == city:
            sku: str = group["relationships"]["stock_keeping_units"]["data"][0]["id"]
            return sku
    raise AssertionError(f"no DID group for {city} in the emulator's catalogue")


def admin(project: Project, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    response = httpx.request(method, project.emulator.admin_url + path, json=body)
    response.raise_for_status()
    return response.json() if response.content else None


def review(project: Project, api_type: str, id_: str, decision: str, reasons: list[str] | None = None) -> None:
    admin(project, "POST", "reviews", {"type": api_type, "id": id_, "decision": decision, "reasons": reasons or []})


def outputs(project: Project, stack: str, type_token: str) -> list[dict[str, Any]]:
    """The outputs the state holds for every resource of one type."""
    state = json.loads(project.state_file(stack).read_text())
    resources = state["checkpoint"]["latest"]["resources"]
    return [r.get("outputs", {}) for r in resources if r["type"].endswith(f":{type_token}")]


def ok(run: Any) -> None:
    assert run.returncode == 0, run.stdout + run.stderr


def registration_stack(sku: str) -> str:
    return f"""\
orders:
  berlin:
    on_delete: release
    items:
      - sku_id: {sku}
        qty: 1
dids:
  berlin:
    order: berlin
identities:
  jane:
    identity_type: personal
    first_name: Jane
    last_name: Doe
    phone_number: "4930901820"
    country: DE
addresses:
  office:
    identity: jane
    country: DE
    city_name: Berlin
    postal_code: "10115"
    address: Invalidenstrasse 116
proofs:
  jane-passport:
    proof_type: Passport
    identity: jane
    files: [docs/passport.pdf]
  office-bill:
    proof_type: Utility Bill
    address: office
    files: [docs/bill.png]
permanent_supporting_documents:
  jane-form:
    identity: jane
    template: Germany Registration Form
    files: [docs/form.pdf]
address_verifications:
  berlin:
    address: office
    dids: [berlin]
"""


def registration_documents(project: Project) -> Path:
    """The scans the registration stack names, beside it; DIDWW's review is held back (an hour of
    the emulator's clock) so that the test decides it."""
    admin(project, "PATCH", "account", {"review_delay": 3600})
    docs = project.root / "stacks" / "docs"
    docs.mkdir()
    for name, content in (("passport.pdf", PASSPORT), ("bill.png", BILL), ("form.pdf", FORM)):
        (docs / name).write_bytes(content)
    return docs


def test_a_number_that_needs_registration_becomes_active_once_verified(project: Project) -> None:
    docs = registration_documents(project)
    project.write_stack("reg", registration_stack(group_sku(project, "Berlin")))

    ok(project.cli("up", "--stack", "reg"))
    (did,) = project.live("dids")
    assert did["attributes"]["awaiting_registration"] is True
    (verification,) = project.live("address_verifications")
    assert verification["attributes"]["status"] == "pending"
    assert len(project.live("proofs")) == 2
    assert len(project.live("permanent_supporting_documents")) == 1
    uploads = [r for r in project.api_requests() if r["method"] == "POST" and r["path"] == "/v3/encrypted_files"]
    assert len(uploads) == 3
    state = project.state_file("reg").read_text()
    assert "passport of Jane Doe" not in state and E2E_API_KEY not in state

    # DIDWW's compliance team approves; the number is active and the state learns it on refresh.
    review(project, "address_verifications", verification["id"], "approved")
    (did,) = project.live("dids")
    assert did["attributes"]["awaiting_registration"] is False
    ok(project.cli("refresh", "--stack", "reg"))
    [recorded] = outputs(project, "reg", "AddressVerification")
    assert recorded["status"] == "approved"
    [number] = outputs(project, "reg", "Did")
    assert number["awaiting_registration"] is False
    ok(project.cli("preview", "--stack", "reg", "--expect-no-changes"))

    # A new scan of the same path is a new proof: DIDWW keeps a proof as uploaded.
    (docs / "passport.pdf").write_bytes(PASSPORT + b"% rescanned\n")
    preview = project.cli("preview", "--stack", "reg")
    ok(preview)
    assert "proofs.jane-passport" in preview.stdout and "replace" in preview.stdout, preview.stdout
    ok(project.cli("up", "--stack", "reg"))
    assert len(project.live("proofs")) == 2

    # Removing the verification forgets it (DIDWW keeps it); the identity cannot go while used.
    ok(project.cli("destroy", "--stack", "reg"))
    assert project.live("identities") == [] and project.live("addresses") == []
    assert len(project.live("address_verifications")) == 1


def test_a_rejected_verification_shows_its_reasons(project: Project) -> None:
    registration_documents(project)
    project.write_stack("rej", registration_stack(group_sku(project, "Berlin")))
    ok(project.cli("up", "--stack", "rej"))
    (verification,) = project.live("address_verifications")
    review(project, "address_verifications", verification["id"], "rejected", ["The bill is older than 3 months"])
    ok(project.cli("refresh", "--stack", "rej"))
    [recorded] = outputs(project, "rej", "AddressVerification")
    assert recorded["status"] == "rejected"
    assert recorded["reject_reasons"] == ["The bill is older than 3 months"]
    (did,) = project.live("dids")
    assert did["attributes"]["awaiting_registration"] is True


def emergency_stack(sku: str, street: str, trunk_numbers: str = "") -> str:
    return f"""\
orders:
  ny:
    on_delete: release
    items:
      - sku_id: {sku}
        qty: 2
dids:
  ny-main:
    order: ny
  ny-fax:
    order: ny
    index: 1
identities:
  john:
    identity_type: personal
    first_name: John
    last_name: Smith
    birth_date: "1980-04-01"
    contact_email: john@example.com
    phone_number: "12125550100"
    country: US
addresses:
  hq:
    identity: john
    country: US
    city_name: New York
    postal_code: "10001"
    address: {street}
emergency_calling_services:
  e911:
    address: hq
    dids: [ny-main]
voice_out_trunks:
  sbc:
    name: NY SBC
    authentication:
      type: credentials_and_ip
      allowed_sip_ips: ["192.0.2.10/32"]
{trunk_numbers}"""


NEW_OFFICE = """\
  new-office:
    identity: john
    country: US
    city_name: New York
    postal_code: "10005"
    address: 1 Wall St
"""


def test_emergency_calling_for_a_us_number_and_its_outbound_trunk(project: Project) -> None:
    admin(project, "PATCH", "account", {"review_delay": 3600})
    sku = group_sku(project, "New York")
    project.write_stack("e911", emergency_stack(sku, "350 5th Ave"))
    ok(project.cli("up", "--stack", "e911"))
    (service,) = project.live("emergency_calling_services")
    assert service["attributes"]["status"] == "in_process"
    (verification,) = project.live("emergency_verifications")
    assert verification["attributes"]["status"] == "pending"

    review(project, "emergency_verifications", verification["id"], "approved")
    numbers = {d["attributes"]["number"]: d for d in project.live("dids")}
    enabled = [n for n, d in numbers.items() if d["attributes"]["emergency_enabled"]]
    assert len(enabled) == 1

    # The trunk may now place the number's emergency calls; the second number joins the service.
    with_trunk = emergency_stack(sku, "350 5th Ave", "    emergency_dids: [ny-main]\n")
    project.write_stack("e911", with_trunk.replace("dids: [ny-main]\nvoice", "dids: [ny-main, ny-fax]\nvoice"))
    ok(project.cli("up", "--stack", "e911"))
    (trunk,) = project.live("voice_out_trunks", include="emergency_dids")
    main_id = next(d["id"] for d in numbers.values() if d["attributes"]["emergency_enabled"])
    assert [d["id"] for d in trunk["relationships"]["emergency_dids"]["data"]] == [main_id]
    (service,) = project.live("emergency_calling_services")
    members = project.live("dids", filters={"emergency_calling_service.id": service["id"]})
    assert len(members) == 2
    ok(project.cli("preview", "--stack", "e911", "--expect-no-changes"))

    # The office moved: a verification of the new address for the same service.
    moved = (
        with_trunk.replace("dids: [ny-main]\nvoice", "dids: [ny-main, ny-fax]\nvoice")
        .replace("emergency_calling_services:", NEW_OFFICE + "emergency_calling_services:")
        .replace("    address: hq\n    dids", "    address: new-office\n    dids")
    )
    project.write_stack("e911", moved)
    ok(project.cli("up", "--stack", "e911"))
    (service,) = project.live("emergency_calling_services")
    assert service["attributes"]["status"] == "pending_update"
    assert len(project.live("emergency_verifications")) == 2
    [recorded] = outputs(project, "e911", "EmergencyCallingService")
    assert recorded["verification_status"] == "pending"

    # Removing the entry cancels the service.
    project.write_stack(
        "e911",
        moved.split("emergency_calling_services:")[0]
        + "voice_out_trunks:"
        + moved.split("voice_out_trunks:")[1].replace("    emergency_dids: [ny-main]\n", ""),
    )
    ok(project.cli("up", "--stack", "e911"))
    (service,) = project.live("emergency_calling_services")
    assert service["attributes"]["status"] == "canceled"
    ok(project.cli("destroy", "--stack", "e911"))


def test_rotating_outbound_credentials_and_a_trunk_pop(project: Project) -> None:
    body = """\
voice_in_trunks:
  pbx:
    name: PBX
    pop: "DE, FRA"
    sip:
      username: "{DID}"
      host: pbx.example.com
voice_out_trunks:
  sbc:
    name: SBC
    authentication:
      type: credentials_and_ip
      allowed_sip_ips: ["192.0.2.10/32"]
    credentials_rotation: "2026-11"
"""
    project.write_stack("rot", body)
    ok(project.cli("up", "--stack", "rot"))
    (pbx,) = project.live("voice_in_trunks", include="pop")
    assert pbx["relationships"]["pop"]["data"] is not None
    pops = {p["id"]: p["attributes"]["name"] for p in project.live("pops")}
    assert pops[pbx["relationships"]["pop"]["data"]["id"]] == "DE, FRA"
    (trunk,) = project.live("voice_out_trunks")
    before = trunk["attributes"]["authentication_method"]["attributes"]["password"]
    ok(project.cli("preview", "--stack", "rot", "--expect-no-changes"))

    project.write_stack("rot", body.replace('"2026-11"', '"2026-12"').replace('"DE, FRA"', '"UK, LON"'))
    applied = project.cli("up", "--stack", "rot")
    ok(applied)
    (trunk,) = project.live("voice_out_trunks")
    after = trunk["attributes"]["authentication_method"]["attributes"]["password"]
    assert after != before
    regenerated = [r for r in project.api_requests() if r["path"] == "/v3/voice_out_trunk_regenerate_credentials"]
    assert len(regenerated) == 1
    state = project.state_file("rot").read_text()
    assert after not in state and after not in applied.stdout
    (pbx,) = project.live("voice_in_trunks", include="pop")
    assert pops[pbx["relationships"]["pop"]["data"]["id"]] == "UK, LON"
    ok(project.cli("preview", "--stack", "rot", "--expect-no-changes"))
    ok(project.cli("destroy", "--stack", "rot"))
