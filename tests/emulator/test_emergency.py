"""Emergency calling (2026-04-16), from the collection's "Emergency Resources" folder: seeded
requirements, requirement validations, verifications in both modes and their review, calling
services and their cancellation, DIDs joining and leaving a service, the 2022-05-10 pin."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import httpx
import pytest

from didww_iac.emulator.testing import RunningEmulator, running_emulator

from .conftest import api_client
from .fixtures import V2022, V2026, did_item, identifier, order, patch
from .helpers import assert_validation_error, balance, created, group, ids, set_account, single_error, tick

REFERENCE = re.compile(r"^[A-Z]{3}-\d{6}$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
REQUIREMENT_ATTRIBUTES = {
    "identity_type",
    "address_area_level",
    "personal_area_level",
    "business_area_level",
    "address_mandatory_fields",
    "personal_mandatory_fields",
    "business_mandatory_fields",
    "estimate_setup_time",
    "requirement_restriction_message",
}
SERVICE_ATTRIBUTES = {"name", "reference", "status", "activated_at", "canceled_at", "renew_date", "created_at"}
SERVICE_RELATIONSHIPS = {
    "country",
    "did_group_type",
    "order",
    "emergency_requirement",
    "emergency_verification",
    "dids",
}
VERIFICATION_ATTRIBUTES = {
    "reference",
    "status",
    "reject_reasons",
    "reject_comment",
    "callback_url",
    "callback_method",
    "created_at",
    "external_reference_id",
}
CALLBACK = {"callback_url": "https://example.com/callbacks/emergency", "callback_method": "post"}


# -- helpers -------------------------------------------------------------------------------------


def _country(client: httpx.Client, iso: str) -> str:
    return str(client.get("countries", params={"filter[iso]": iso}).json()["data"][0]["id"])


def _bought(client: httpx.Client, emu: RunningEmulator, area: str, qty: int = 1) -> list[str]:
    set_account(emu, order_delay=0)
    placed = created(client, "orders", order(did_item(group(client, area).sku_ids[0], qty=qty)))
    return ids(client.get("dids", params={"filter[order.id]": placed["id"]}).json())


def _identity(client: httpx.Client, iso: str = "US", kind: str = "personal", **attributes: Any) -> str:
    """The collection's "Create Personal Identity" body, with the fields US Local asks for."""
    body: dict[str, Any] = {
        "first_name": "John",
        "last_name": "Doe",
        "phone_number": "12125551234",
        "identity_type": kind,
        "birth_date": "1980-01-01",
        "contact_email": "user@example.com",
        "company_reg_number": "123456",
        **({"company_name": "Acme Inc."} if kind == "business" else {}),
        **attributes,
    }
    data = {
        "type": "identities",
        "attributes": body,
        "relationships": {"country": {"data": identifier("countries", _country(client, iso))}},
    }
    return str(created(client, "identities", {"data": data})["id"])


def _address(client: httpx.Client, identity: str, city: str = "New York", iso: str = "US") -> str:
    data = {
        "type": "addresses",
        "attributes": {"city_name": city, "postal_code": "10001", "address": "350 5th Ave"},
        "relationships": {
            "identity": {"data": identifier("identities", identity)},
            "country": {"data": identifier("countries", _country(client, iso))},
        },
    }
    return str(created(client, "addresses", {"data": data})["id"])


def _requirement(client: httpx.Client, did: str) -> dict[str, Any]:
    """The requirement for a number, as a client finds it: its DID group's country and type."""
    doc = client.get(f"dids/{did}", params={"include": "did_group.country,did_group.did_group_type"}).json()
    rels = next(i for i in doc["included"] if i["type"] == "did_groups")["relationships"]
    params = {"filter[country.id]": rels["country"]["data"]["id"]}
    params["filter[did_group_type.id]"] = rels["did_group_type"]["data"]["id"]
    found = client.get("emergency_requirements", params=params).json()["data"]
    assert len(found) == 1, found
    requirement: dict[str, Any] = found[0]
    return requirement


def _verification(
    address: str, dids: list[str] | None = None, service: str | None = None, **attributes: Any
) -> dict[str, Any]:
    relationships: dict[str, Any] = {"address": {"data": identifier("addresses", address)}}
    if dids is not None:
        relationships["dids"] = {"data": [identifier("dids", d) for d in dids]}
    if service is not None:
        relationships["emergency_calling_service"] = {"data": identifier("emergency_calling_services", service)}
    return {"data": {"type": "emergency_verifications", "attributes": attributes, "relationships": relationships}}


def _review(emu: RunningEmulator, verification: str, decision: str, **extra: Any) -> httpx.Response:
    body = {"type": "emergency_verifications", "id": verification, "decision": decision, **extra}
    return httpx.post(emu.admin_url + "reviews", json=body)


def _get(client: httpx.Client, path: str, **params: str) -> dict[str, Any]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def _linked(resource: dict[str, Any], name: str) -> Any:
    return resource["relationships"][name]["data"]


@pytest.fixture
def new_york(client: httpx.Client, emu: RunningEmulator) -> dict[str, str]:
    """Two New York numbers and an identity and address that meet the US Local requirement."""
    first, second = _bought(client, emu, "new york", qty=2)
    identity = _identity(client)
    return {"first": first, "second": second, "identity": identity, "address": _address(client, identity)}


def _active_service(client: httpx.Client, emu: RunningEmulator, numbers: dict[str, str]) -> dict[str, Any]:
    verification = created(
        client, "emergency_verifications", _verification(numbers["address"], [numbers["first"], numbers["second"]])
    )
    assert _review(emu, verification["id"], "approved").status_code == 200
    return _get(client, f"emergency_calling_services/{_linked(verification, 'emergency_calling_service')['id']}")


# -- emergency_requirements ----------------------------------------------------------------------


def test_requirement_for_a_us_number_matches_the_recorded_document(
    client: httpx.Client, emu: RunningEmulator, new_york: dict[str, str]
) -> None:
    requirement = _requirement(client, new_york["first"])
    assert set(requirement["attributes"]) == REQUIREMENT_ATTRIBUTES
    attributes = requirement["attributes"]
    assert attributes | {"requirement_restriction_message": None} == {
        "identity_type": "personal",
        "address_area_level": "city",
        "personal_area_level": "country",
        "business_area_level": None,
        "address_mandatory_fields": ["State/Province/Region"],
        "personal_mandatory_fields": ["Birth Date", "Contact email"],
        "business_mandatory_fields": [],
        "estimate_setup_time": "1-2 business days",
        "requirement_restriction_message": None,
    }
    assert str(attributes["requirement_restriction_message"]).startswith("USA Local DID emergency registration")
    assert requirement["meta"] == {"setup_price": "0.00", "monthly_price": "2.50"}
    own = f"{emu.base_url}emergency_requirements/{requirement['id']}"
    assert requirement["relationships"] == {
        name: {"links": {"self": f"{own}/relationships/{name}", "related": f"{own}/{name}"}}
        for name in ("country", "did_group_type")
    }
    doc = client.get(f"emergency_requirements/{requirement['id']}", params={"include": "country,did_group_type"}).json()
    assert {(i["type"], i["attributes"]["name"]) for i in doc["included"]} == {
        ("countries", "United States"),
        ("did_group_types", "Local"),
    }
    assert doc["meta"] == {"api_version": V2026}


def test_requirements_list_filters_and_404(client: httpx.Client) -> None:
    body = client.get("emergency_requirements").json()
    assert body["meta"] == {"total_records": 5, "api_version": V2026}
    assert set(body["links"]) == {"first", "last"}
    us = client.get("emergency_requirements", params={"filter[country.id]": _country(client, "US")}).json()
    assert sorted(r["attributes"]["identity_type"] for r in us["data"]) == ["business", "personal"]
    local = client.get("did_group_types", params={"filter[name]": "Local"}).json()["data"][0]["id"]
    by_type = client.get("emergency_requirements", params={"filter[did_group_type.id]": local, "include": "country"})
    assert sorted(i["attributes"]["iso"] for i in by_type.json()["included"]) == ["CA", "GB", "US"]
    # A country and type without an emergency rate: prices null, as recorded.
    unpriced = [r for r in body["data"] if r["meta"]["monthly_price"] is None]
    assert [r["meta"] for r in unpriced] == [{"setup_price": None, "monthly_price": None}]
    missing = single_error(client.get("emergency_requirements/d210e6e4-1716-4342-b04c-7a6ef6feb171"), 404)
    assert missing == {
        "title": "Record not found",
        "detail": "The record identified by d210e6e4-1716-4342-b04c-7a6ef6feb171 could not be found.",
        "code": "404",
        "status": "404",
    }
    refused = client.post("emergency_requirements", json={"data": {"type": "emergency_requirements"}})
    assert refused.status_code == 405


# -- emergency_requirement_validations ----------------------------------------------------------


def _validation(requirement: str, address: str | None = None, identity: str | None = None) -> dict[str, Any]:
    relationships: dict[str, Any] = {
        "emergency_requirement": {"data": identifier("emergency_requirements", requirement)}
    }
    if address is not None:
        relationships["address"] = {"data": identifier("addresses", address)}
    if identity is not None:
        relationships["identity"] = {"data": identifier("identities", identity)}
    return {"data": {"type": "emergency_requirement_validations", "relationships": relationships}}


def test_validation_success_answers_the_requirement_id(client: httpx.Client, new_york: dict[str, str]) -> None:
    requirement = _requirement(client, new_york["first"])["id"]
    before = {name: len(v) for name, v in client.get("../__emulator/state").json()["resources"].items()}
    response = client.post(
        "emergency_requirement_validations", json=_validation(requirement, new_york["address"], new_york["identity"])
    )
    assert response.status_code == 201, response.text
    assert response.json() == {
        "data": {"id": requirement, "type": "emergency_requirement_validations"},
        "meta": {"api_version": V2026},
    }
    for one in (
        _validation(requirement, address=new_york["address"]),
        _validation(requirement, identity=new_york["identity"]),
    ):
        assert client.post("emergency_requirement_validations", json=one).status_code == 201
    after = {name: len(v) for name, v in client.get("../__emulator/state").json()["resources"].items()}
    assert after == before  # a dry run stores nothing


def test_validation_errors_name_what_is_missing(client: httpx.Client, new_york: dict[str, str]) -> None:
    requirement = _requirement(client, new_york["first"])["id"]
    # The recorded 422: an address outside the US and a personal identity without a birth date.
    identity = _identity(client, birth_date=None)
    address = _address(client, identity, city="Berlin", iso="DE")
    response = client.post("emergency_requirement_validations", json=_validation(requirement, address, identity))
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "title": message,
            "detail": message,
            "code": "100",
            "source": {"pointer": "/data"},
            "status": "422",
        }
        for message in ("Birth Date is required for Personal Identity", "Address in United States required")
    ]
    business = _identity(client, kind="business")
    details = [
        e["detail"]
        for e in client.post(
            "emergency_requirement_validations", json=_validation(requirement, identity=business)
        ).json()["errors"]
    ]
    assert details == ["Personal Identity required"]
    # A city no seeded city matches: its State/Province/Region is unknown.
    nowhere = _address(client, new_york["identity"], city="Smallville")
    refused = client.post("emergency_requirement_validations", json=_validation(requirement, address=nowhere))
    assert [e["detail"] for e in refused.json()["errors"]] == ["State/Province/Region is required for Address"]
    other = client.post(
        "emergency_requirement_validations", json=_validation(requirement, new_york["address"], business)
    )
    assert "Address should belong to the Identity" in [e["detail"] for e in other.json()["errors"]]
    unknown = client.post("emergency_requirement_validations", json=_validation("nope", new_york["address"]))
    assert_validation_error(unknown, "/data/relationships/emergency_requirement", "emergency_requirement - is invalid")
    bare = {"data": {"type": "emergency_requirement_validations", "relationships": {}}}
    assert_validation_error(
        client.post("emergency_requirement_validations", json=bare),
        "/data/relationships/emergency_requirement",
        "emergency_requirement - can't be blank",
    )


# -- emergency_verifications: new calling service mode, review ------------------------------------


def test_new_calling_service_mode(client: httpx.Client, emu: RunningEmulator, new_york: dict[str, str]) -> None:
    numbers = [new_york["first"], new_york["second"]]
    response = client.post(
        "emergency_verifications",
        json=_verification(new_york["address"], numbers, external_reference_id="test", **CALLBACK),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["meta"] == {"api_version": V2026} and "included" not in body
    verification = body["data"]
    assert set(verification["attributes"]) == VERIFICATION_ATTRIBUTES
    attributes = verification["attributes"]
    assert REFERENCE.match(attributes["reference"]) and TIMESTAMP.match(attributes["created_at"])
    assert {k: v for k, v in attributes.items() if k not in ("reference", "created_at")} == {
        "status": "pending",
        "reject_reasons": [],
        "reject_comment": None,
        "external_reference_id": "test",
        **CALLBACK,
    }
    # The recorded 201 carries the linkage of all three, the new calling service's included.
    assert _linked(verification, "address") == identifier("addresses", new_york["address"])
    assert _linked(verification, "dids") == [identifier("dids", d) for d in numbers]
    service_id = _linked(verification, "emergency_calling_service")["id"]
    # Reads show links only, as recorded.
    shown = _get(client, f"emergency_verifications/{verification['id']}")
    assert all(set(r) == {"links"} for r in shown["relationships"].values())

    doc = client.get(f"emergency_calling_services/{service_id}", params={"include": "dids,emergency_requirement"})
    service = doc.json()["data"]
    assert set(service["attributes"]) == SERVICE_ATTRIBUTES and set(service["relationships"]) == SERVICE_RELATIONSHIPS
    assert service["attributes"]["status"] == "in_process"
    assert service["attributes"]["name"] == "E911 Service - New York"
    assert (service["attributes"]["activated_at"], service["attributes"]["renew_date"]) == (None, None)
    assert service["meta"] == {"setup_price": "0.00", "monthly_price": "2.50"}
    assert _linked(service, "dids") == [identifier("dids", d) for d in numbers]
    assert _linked(service, "emergency_requirement")["id"] == _requirement(client, numbers[0])["id"]
    did = client.get(f"dids/{numbers[0]}", params={"include": "emergency_calling_service,emergency_verification"})
    did_data = did.json()["data"]
    assert did_data["attributes"]["emergency_enabled"] is False  # not before approval
    assert _linked(did_data, "emergency_calling_service") == identifier("emergency_calling_services", service_id)
    assert _linked(did_data, "emergency_verification") == identifier("emergency_verifications", verification["id"])

    def listed(path: str, **params: str) -> list[str]:
        return ids(client.get(path, params=params).json())

    assert listed("emergency_verifications", **{"filter[status]": "pending"}) == [verification["id"]]
    assert listed("emergency_verifications", **{"filter[emergency_calling_service.id]": service_id}) == [
        verification["id"]
    ]
    assert listed("emergency_verifications", **{"filter[external_reference_id]": "test"}) == [verification["id"]]
    assert listed("emergency_calling_services", **{"filter[status]": "in_process"}) == [service_id]
    assert listed("emergency_calling_services", **{"filter[address.id]": new_york["address"]}) == [service_id]
    assert listed("emergency_calling_services", **{"filter[identity.id]": new_york["identity"]}) == [service_id]
    assert listed("emergency_calling_services", **{"filter[country.id]": _country(client, "CA")}) == []
    assert listed("emergency_calling_services", **{"filter[name]": "New York"}) == [service_id]
    assert listed("dids", **{"filter[emergency_calling_service.id]": service_id}) == numbers
    assert listed(f"emergency_calling_services/{service_id}/dids") == numbers
    assert listed("emergency_calling_services", sort="-country.name,name") == [service_id]
    assert listed("emergency_verifications", sort="-created_at") == [verification["id"]]
    assert client.get("emergency_verifications", params={"sort": "status"}).status_code == 400


def test_approval_activates_service_dids_and_bills_once(
    client: httpx.Client, emu: RunningEmulator, new_york: dict[str, str]
) -> None:
    opening = balance(client)
    service = _active_service(client, emu, new_york)
    attributes = service["attributes"]
    assert attributes["status"] == "active" and TIMESTAMP.match(attributes["activated_at"])
    activated = date.fromisoformat(attributes["activated_at"][:10])
    renew = date.fromisoformat(attributes["renew_date"])
    assert (renew.year * 12 + renew.month) - (activated.year * 12 + activated.month) == 1
    linked = _get(client, f"emergency_calling_services/{service['id']}", include="emergency_verification")
    verification = _get(client, f"emergency_verifications/{_linked(linked, 'emergency_verification')['id']}")
    assert (verification["attributes"]["status"], verification["attributes"]["reject_reasons"]) == ("approved", [])
    enabled = client.get("dids", params={"filter[emergency_enabled]": "true"}).json()
    assert sorted(ids(enabled)) == sorted([new_york["first"], new_york["second"]])
    # The first activation is billed as an "Emergency" order (the Order Object's example).
    billed = client.get(f"emergency_calling_services/{service['id']}", params={"include": "order"}).json()
    (bill,) = billed["included"]
    assert (bill["attributes"]["description"], bill["attributes"]["status"], bill["attributes"]["amount"]) == (
        "Emergency",
        "completed",
        "5.0",
    )
    assert bill["attributes"]["items"][0]["type"] == "emergency_order_items"
    item = bill["attributes"]["items"][0]["attributes"]
    assert (item["qty"], item["nrc"], item["mrc"], item["emergency_calling_service_id"]) == (
        2,
        "0.0",
        "2.5",
        service["id"],
    )
    assert float(balance(client)) == pytest.approx(float(opening) - 5.0)
    again = _review(emu, verification["id"], "rejected")
    assert again.status_code == 409  # a decision is final


def test_automatic_review_after_review_delay(
    client: httpx.Client, emu: RunningEmulator, new_york: dict[str, str]
) -> None:
    set_account(emu, review_delay=60)
    verification = created(client, "emergency_verifications", _verification(new_york["address"], [new_york["first"]]))
    service_id = _linked(verification, "emergency_calling_service")["id"]
    tick(emu, 30)
    assert _get(client, f"emergency_verifications/{verification['id']}")["attributes"]["status"] == "pending"
    tick(emu, 31)
    assert _get(client, f"emergency_verifications/{verification['id']}")["attributes"]["status"] == "approved"
    assert _get(client, f"emergency_calling_services/{service_id}")["attributes"]["status"] == "active"
    assert _get(client, f"dids/{new_york['first']}")["attributes"]["emergency_enabled"] is True
    # A tick without seconds decides what is pending at once.
    other = created(client, "emergency_verifications", _verification(new_york["address"], [new_york["second"]]))
    tick(emu)
    assert _get(client, f"emergency_verifications/{other['id']}")["attributes"]["status"] == "approved"
    # review_delay 0: decided in the POST itself.
    set_account(emu, review_delay=0)
    (third,) = _bought(client, emu, "new york")
    at_once = created(client, "emergency_verifications", _verification(new_york["address"], [third]))
    assert at_once["attributes"]["status"] == "approved"
    assert _get(client, f"dids/{third}")["attributes"]["emergency_enabled"] is True


def test_rejection_then_existing_service_mode(
    client: httpx.Client, emu: RunningEmulator, new_york: dict[str, str]
) -> None:
    first = created(client, "emergency_verifications", _verification(new_york["address"], [new_york["first"]]))
    service_id = _linked(first, "emergency_calling_service")["id"]
    reasons = ["The provided address does not match the DID area", "Identity document has expired"]
    rejected = _review(emu, first["id"], "rejected", reasons=reasons, comment="Additional info from operator")
    assert rejected.status_code == 200, rejected.text
    shown = _get(client, f"emergency_verifications/{first['id']}")["attributes"]
    assert (shown["status"], shown["reject_reasons"], shown["reject_comment"]) == (
        "rejected",
        reasons,
        "Additional info from operator",
    )
    assert _get(client, f"emergency_calling_services/{service_id}")["attributes"]["status"] == "changes_required"
    assert _get(client, f"dids/{new_york['first']}")["attributes"]["emergency_enabled"] is False

    # Resubmitted for the same service: the recorded existing-mode 201 has "dids": [].
    second = created(client, "emergency_verifications", _verification(new_york["address"], service=service_id))
    assert _linked(second, "dids") == []
    assert _linked(second, "emergency_calling_service") == identifier("emergency_calling_services", service_id)
    assert _get(client, f"emergency_calling_services/{service_id}")["attributes"]["status"] == "in_process"
    assert _review(emu, second["id"], "approved").status_code == 200
    active = _get(client, f"emergency_calling_services/{service_id}")["attributes"]

    # A new address for an active service: pending_update, calling keeps working meanwhile.
    moved = _address(client, new_york["identity"])
    third = created(client, "emergency_verifications", _verification(moved, service=service_id))
    assert _get(client, f"emergency_calling_services/{service_id}")["attributes"]["status"] == "pending_update"
    assert _get(client, f"dids/{new_york['first']}")["attributes"]["emergency_enabled"] is True
    busy = client.post("emergency_verifications", json=_verification(moved, service=service_id))
    assert busy.status_code == 422
    assert busy.json()["errors"] == [
        {
            "title": "Emergency Calling Service should be in NEW, CHANGES_REQUIRED or ACTIVE status",
            "detail": "Emergency Calling Service should be in NEW, CHANGES_REQUIRED or ACTIVE status",
            "code": "100",
            "source": {"pointer": "/data"},
            "status": "422",
        }
    ]
    assert _review(emu, third["id"], "approved").status_code == 200
    updated = _get(client, f"emergency_calling_services/{service_id}")["attributes"]
    assert updated == active  # active again, same activation, renewal and (single) order
    assert ids(client.get("emergency_calling_services", params={"filter[address.id]": moved}).json()) == [service_id]
    emergency_orders = [o for o in client.get("orders").json()["data"] if o["attributes"]["description"] == "Emergency"]
    assert len(emergency_orders) == 1


def test_verification_patch_changes_external_reference_id_only(client: httpx.Client, new_york: dict[str, str]) -> None:
    verification = created(client, "emergency_verifications", _verification(new_york["address"], [new_york["first"]]))
    path = f"emergency_verifications/{verification['id']}"
    updated = client.patch(
        path, json=patch("emergency_verifications", verification["id"], {"external_reference_id": "test"})
    )
    assert updated.status_code == 200
    assert updated.json()["data"]["attributes"]["external_reference_id"] == "test"
    refused = client.patch(
        path, json=patch("emergency_verifications", verification["id"], {"callback_url": "https://x.io"})
    )
    assert single_error(refused, 400)["detail"] == "callback_url is not allowed."
    relinked = client.patch(
        path, json=patch("emergency_verifications", verification["id"], dids=[identifier("dids", new_york["second"])])
    )
    assert single_error(relinked, 400)["detail"] == "dids is not allowed."
    assert client.delete(path).status_code == 405


def test_verification_422s(client: httpx.Client, emu: RunningEmulator, new_york: dict[str, str]) -> None:
    address = new_york["address"]

    def errors_of(body: dict[str, Any]) -> list[tuple[str, str]]:
        response = client.post("emergency_verifications", json=body)
        assert response.status_code == 422, response.text
        return [(e["source"]["pointer"], e["detail"]) for e in response.json()["errors"]]

    # Recorded: "Verification Error" without dids.
    blank = client.post("emergency_verifications", json=_verification(address))
    assert_validation_error(blank, "/data/relationships/dids", "dids - can't be blank")
    service = _active_service(client, emu, new_york)["id"]
    (spare,) = _bought(client, emu, "new york")
    assert errors_of(_verification(address, [spare], service)) == [
        ("/data/relationships/dids", "dids - can't be set together with emergency_calling_service")
    ]
    (san_francisco,) = _bought(client, emu, "san francisco")
    (chicago,) = _bought(client, emu, "chicago")
    (toll_free,) = _bought(client, emu, "toll-free")
    assert errors_of(_verification(address, [spare, san_francisco, chicago])) == [
        (f"/data/relationships/dids/{san_francisco}", f"dids/{san_francisco} - does not support Emergency feature"),
        ("/data/relationships/dids", "dids - should be from the same City or Area"),
    ]
    assert errors_of(_verification(address, [spare, toll_free])) == [
        ("/data/relationships/dids", "dids - should have the same Did Group Type"),
        ("/data/relationships/dids", "dids - should be linked with City ID"),
    ]
    assert errors_of(_verification(address, [new_york["first"]])) == [
        (
            f"/data/relationships/dids/{new_york['first']}",
            f"dids/{new_york['first']} - is already linked with an Emergency Calling Service",
        )
    ]
    (national,) = _bought(client, emu, "national")  # GB National: no emergency rate
    assert errors_of(_verification(address, [national]))[0] == ("/data", "Emergency Rate not found")
    chicago_address = _address(client, new_york["identity"], city="Chicago")
    assert errors_of(_verification(chicago_address, [spare])) == [("/data", "Address in New York required")]
    assert errors_of(_verification(address, [spare], callback_url="https://example.com/cb")) == [
        ("/data/attributes/callback_method", "callback_method - can't be blank")
    ]
    assert errors_of(_verification("nope", [spare])) == [("/data/relationships/address", "address - is invalid")]
    no_address = {
        "data": {"type": "emergency_verifications", "relationships": {"dids": {"data": [identifier("dids", spare)]}}}
    }
    assert errors_of(no_address) == [("/data/relationships/address", "address - can't be blank")]
    assert errors_of(_verification(address, service="nope")) == [
        ("/data/relationships/emergency_calling_service", "emergency_calling_service - is invalid")
    ]
    # Nothing was made by the refused submissions.
    assert len(client.get("emergency_calling_services").json()["data"]) == 1
    assert _get(client, f"dids/{spare}")["attributes"]["emergency_enabled"] is False


# -- emergency_calling_services: cancel ------------------------------------------------------


def test_cancel_keeps_the_service_and_frees_its_dids(
    client: httpx.Client, emu: RunningEmulator, new_york: dict[str, str]
) -> None:
    service = _active_service(client, emu, new_york)["id"]
    response = client.delete(f"emergency_calling_services/{service}")
    assert (response.status_code, response.content) == (204, b"")
    canceled = _get(client, f"emergency_calling_services/{service}", include="dids")
    assert canceled["attributes"]["status"] == "canceled" and TIMESTAMP.match(canceled["attributes"]["canceled_at"])
    assert canceled["attributes"]["renew_date"] is None and canceled["attributes"]["activated_at"] is not None
    assert _linked(canceled, "dids") == []
    assert ids(client.get("emergency_calling_services", params={"filter[status]": "canceled"}).json()) == [service]
    for did in (new_york["first"], new_york["second"]):
        data = _get(client, f"dids/{did}", include="emergency_calling_service")
        assert (data["attributes"]["emergency_enabled"], _linked(data, "emergency_calling_service")) == (False, None)
    again = client.delete(f"emergency_calling_services/{service}")
    assert [e["detail"] for e in again.json()["errors"]] == [
        "Emergency Calling Service should be in NEW, CHANGES_REQUIRED, ACTIVE or PENDING_UPDATE status"
    ]
    assert again.status_code == 422
    # Recorded 404.
    assert (
        single_error(client.delete("emergency_calling_services/a1b2c3d4-e5f6-7890-abcd-ef1234567890"), 404)["title"]
        == "Record not found"
    )
    # The freed numbers can start a new service.
    fresh = created(client, "emergency_verifications", _verification(new_york["address"], [new_york["first"]]))
    assert _linked(fresh, "emergency_calling_service")["id"] != service


def test_cancel_while_in_process_is_refused_and_late_decision_keeps_canceled(
    client: httpx.Client, emu: RunningEmulator, new_york: dict[str, str]
) -> None:
    verification = created(client, "emergency_verifications", _verification(new_york["address"], [new_york["first"]]))
    service = _linked(verification, "emergency_calling_service")["id"]
    assert client.delete(f"emergency_calling_services/{service}").status_code == 422  # in_process
    assert _review(emu, verification["id"], "approved").status_code == 200
    moved = _address(client, new_york["identity"])
    update = created(client, "emergency_verifications", _verification(moved, service=service))
    assert client.delete(f"emergency_calling_services/{service}").status_code == 204  # pending_update
    assert _review(emu, update["id"], "approved").status_code == 200
    assert _get(client, f"emergency_calling_services/{service}")["attributes"]["status"] == "canceled"
    assert _get(client, f"dids/{new_york['first']}")["attributes"]["emergency_enabled"] is False


# -- DIDs joining and leaving a service -------------------------------------------------------


def _set_service(client: httpx.Client, did: str, service: str | None) -> httpx.Response:
    linkage = identifier("emergency_calling_services", service) if service is not None else None
    return client.patch(f"dids/{did}", json=patch("dids", did, emergency_calling_service=linkage))


def test_did_patch_adds_to_and_removes_from_a_service(
    client: httpx.Client, emu: RunningEmulator, new_york: dict[str, str]
) -> None:
    service = _active_service(client, emu, new_york)["id"]
    (extra,) = _bought(client, emu, "new york")
    joined = _set_service(client, extra, service)
    assert joined.status_code == 200, joined.text
    assert joined.json()["data"]["attributes"]["emergency_enabled"] is True  # the service is active
    members = _linked(_get(client, f"emergency_calling_services/{service}", include="dids"), "dids")
    assert identifier("dids", extra) in members and len(members) == 3
    # The recorded "Unassign Emergency Calling Service" PATCH.
    left = _set_service(client, new_york["first"], None)
    assert left.status_code == 200
    assert left.json()["data"]["attributes"]["emergency_enabled"] is False
    members = _linked(_get(client, f"emergency_calling_services/{service}", include="dids"), "dids")
    assert identifier("dids", new_york["first"]) not in members
    assert _get(client, f"emergency_calling_services/{service}")["attributes"]["status"] == "active"


def test_did_patch_checks_compatibility(client: httpx.Client, emu: RunningEmulator, new_york: dict[str, str]) -> None:
    service = _active_service(client, emu, new_york)["id"]
    pointer = "/data/relationships/emergency_calling_service"
    (chicago,) = _bought(client, emu, "chicago")
    (toll_free,) = _bought(client, emu, "toll-free")
    (san_francisco,) = _bought(client, emu, "san francisco")
    (toronto,) = _bought(client, emu, "toronto")
    for did, message in (
        (chicago, "should be from the same City or Area"),
        (toll_free, "should have the same Did Group Type"),
        (san_francisco, "does not support Emergency feature"),
        (toronto, "should have the same Country"),
    ):
        assert_validation_error(_set_service(client, did, service), pointer, f"emergency_calling_service - {message}")
        assert (
            _get(client, f"dids/{did}", include="emergency_calling_service")["relationships"][
                "emergency_calling_service"
            ]["data"]
            is None
        )
    # A DID in one service does not move to another without leaving the first.
    other = created(
        client, "emergency_verifications", _verification(new_york["address"], _bought(client, emu, "new york"))
    )
    other_service = _linked(other, "emergency_calling_service")["id"]
    moved = _set_service(client, new_york["first"], other_service)
    assert_validation_error(
        moved, pointer, "emergency_calling_service - can't be changed: remove the DID from its service first"
    )
    assert client.delete(f"emergency_calling_services/{service}").status_code == 204
    (late,) = _bought(client, emu, "new york")
    assert_validation_error(_set_service(client, late, service), pointer, "emergency_calling_service - is canceled")
    assert_validation_error(_set_service(client, late, "nope"), pointer, "emergency_calling_service - is invalid")


# -- the 2022-05-10 pin ---------------------------------------------------------------------------


def test_2022_pin_does_not_know_emergency_calling() -> None:
    with running_emulator(api_version=V2022, rate_limit=None) as emu, api_client(emu) as old:
        for path in (
            "emergency_requirements",
            "emergency_calling_services",
            "emergency_verifications",
            "emergency_calling_services/a1b2c3d4-e5f6-7890-abcd-ef1234567890",
        ):
            error = single_error(old.get(path), 404)
            assert (error["title"], error["detail"]) == ("Route not found", f"No route matches /v3/{path}")
        body = _verification("x", ["y"])
        assert single_error(old.post("emergency_verifications", json=body), 404)["title"] == "Route not found"
        validation = {"data": {"type": "emergency_requirement_validations", "relationships": {}}}
        assert single_error(old.post("emergency_requirement_validations", json=validation), 404)["code"] == "404"
        (did,) = _bought(old, emu, "new york")
        refused = old.patch(f"dids/{did}", json=patch("dids", did, emergency_calling_service=None))
        assert single_error(refused, 400)["detail"] == "emergency_calling_service is not allowed."
        # Asking for 2026-04-16 per request reaches them.
        newer = old.get("emergency_requirements", headers={"X-DIDWW-API-Version": V2026})
        assert newer.status_code == 200 and len(newer.json()["data"]) == 5
