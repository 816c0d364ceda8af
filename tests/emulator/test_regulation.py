"""Regulation Resources over HTTP: identities, addresses, proofs, permanent supporting documents,
the seeded catalogue (proof types, templates, areas, address requirements), requirement
validations and address verifications with their review (reviews.py), in both versions.

Encrypted files are inserted into the account as an upload leaves them (content kind, expiry),
so these tests do not encrypt; one test goes through the real multipart upload (files.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from didww_iac.emulator.clock import iso
from didww_iac.emulator.record import Record
from didww_iac.emulator.testing import RunningEmulator, running_emulator

from .conftest import api_client
from .fixtures import V2022, V2026, did_item, order
from .helpers import assert_validation_error, created, group, relationship_links, set_account, single_error, tick

# The real upload (files.py), with that module's own encryption of a file.
from .test_encrypted_files import PDF, _upload

# What DIDWW's collections record for each type (the 2026-04-16 Definitions and examples).
IDENTITY_ATTRIBUTES_2026 = {
    "first_name",
    "last_name",
    "phone_number",
    "id_number",
    "birth_date",
    "company_name",
    "company_reg_number",
    "vat_id",
    "description",
    "personal_tax_id",
    "identity_type",
    "created_at",
    "external_reference_id",
    "verified",
    "contact_email",
}
IDENTITY_ATTRIBUTES_2022 = IDENTITY_ATTRIBUTES_2026 - {"contact_email"}
IDENTITY_RELATIONSHIPS_2026 = {"country", "birth_country", "proofs", "addresses", "permanent_documents"}
ADDRESS_ATTRIBUTES_2026 = {"city_name", "postal_code", "address", "description", "created_at", "verified"} | {
    "external_reference_id"
}
ADDRESS_RELATIONSHIPS = {"identity", "country", "proofs", "area", "city"}
REQUIREMENT_ATTRIBUTES = {
    "identity_type",
    "personal_area_level",
    "business_area_level",
    "address_area_level",
    "personal_proof_qty",
    "business_proof_qty",
    "address_proof_qty",
    "personal_mandatory_fields",
    "business_mandatory_fields",
    "service_description_required",
    "restriction_message",
}
REQUIREMENT_RELATIONSHIPS = {
    "country",
    "did_group_type",
    *(f"{k}_{d}_document" for k in ("personal", "business") for d in ("permanent", "onetime")),
    *(f"{k}_proof_types" for k in ("personal", "business", "address")),
}
VERIFICATION_ATTRIBUTES_2026 = {
    "external_reference_id",
    "service_description",
    "callback_url",
    "callback_method",
    "status",
    "reject_reasons",
    "reject_comment",
    "reference",
    "created_at",
}
VERIFICATION_ATTRIBUTES_2022 = VERIFICATION_ATTRIBUTES_2026 - {"external_reference_id", "reject_comment"}
DAY = 24 * 3600.0


def _ref(type_name: str, record_id: str) -> dict[str, str]:
    return {"type": type_name, "id": record_id}


def _body(type_name: str, attributes: dict[str, Any] | None = None, **rels: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"type": type_name, "attributes": attributes or {}}
    if rels:
        data["relationships"] = {name: {"data": value} for name, value in rels.items()}
    return {"data": data}


def _data_errors(response: httpx.Response) -> list[str]:
    """The messages of a 422 about the whole request (pointer /data, title == detail)."""
    assert response.status_code == 422, response.text
    found = response.json()["errors"]
    for error in found:
        assert error["source"] == {"pointer": "/data"} and error["title"] == error["detail"], error
        assert (error["code"], error["status"]) == ("100", "422")
    return [str(e["detail"]) for e in found]


def _country(client: httpx.Client, iso_code: str) -> str:
    return str(client.get("countries", params={"filter[iso]": iso_code}).json()["data"][0]["id"])


def _proof_type(client: httpx.Client, entity_type: str, name: str) -> str:
    data = client.get("proof_types", params={"filter[entity_type]": entity_type}).json()["data"]
    return str(next(p["id"] for p in data if p["attributes"]["name"] == name))


def _template(client: httpx.Client, name: str) -> str:
    data = client.get("supporting_document_templates", params={"filter[name]": name}).json()["data"]
    return str(data[0]["id"])


def _file(emu: RunningEmulator, kind: str = "pdf", lifetime: float = DAY) -> str:
    """An encrypted file as files.py leaves an upload: its content kind and expiry."""
    account = emu.state
    with account.transaction():
        now = account.now()
        attributes = {"description": "scan", "expires_at": iso(now + lifetime)}
        internal = {"content_kind": kind, "uploaded": now, "expires": now + lifetime}
        return account.insert(Record("encrypted_files", "", 0, attributes, {}, internal)).id


def _identity(client: httpx.Client, kind: str = "personal", **attributes: Any) -> dict[str, Any]:
    values = {"first_name": "Jane", "last_name": "Smith", "phone_number": "4930123456", "identity_type": kind}
    rels = {"country": _ref("countries", _country(client, "DE"))} if kind == "business" else {}
    return created(client, "identities", _body("identities", {**values, **attributes}, **rels))


def _address(client: httpx.Client, identity_id: str, city: str = "Berlin", iso_code: str = "DE") -> dict[str, Any]:
    attributes = {"city_name": city, "postal_code": "10117", "address": "Unter den Linden 1"}
    rels = {"identity": _ref("identities", identity_id), "country": _ref("countries", _country(client, iso_code))}
    return created(client, "addresses", _body("addresses", attributes, **rels))


def _proof(
    client: httpx.Client, emu: RunningEmulator, entity: tuple[str, str], proof_type: str, kind: str = "pdf"
) -> str:
    body = _body(
        "proofs",
        proof_type=_ref("proof_types", proof_type),
        entity=_ref(*entity),
        files=[_ref("encrypted_files", _file(emu, kind))],
    )
    return str(created(client, "proofs", body)["id"])


def _document(client: httpx.Client, emu: RunningEmulator, identity_id: str, template: str) -> str:
    body = _body(
        "permanent_supporting_documents",
        template=_ref("supporting_document_templates", _template(client, template)),
        identity=_ref("identities", identity_id),
        files=[_ref("encrypted_files", _file(emu))],
    )
    return str(created(client, "permanent_supporting_documents", body)["id"])


def _dids(client: httpx.Client, emu: RunningEmulator, area_name: str, qty: int = 1) -> list[str]:
    bought = created(client, "orders", order(did_item(group(client, area_name).sku_ids[0], qty=qty)))
    tick(emu)  # completes the order
    return [str(d["id"]) for d in client.get("dids", params={"filter[order.id]": bought["id"]}).json()["data"]]


@dataclass(frozen=True)
class Bundle:
    identity: str
    address: str
    dids: list[str]


def _german_bundle(client: httpx.Client, emu: RunningEmulator, city: str = "Berlin", proof_kind: str = "pdf") -> Bundle:
    """What the German Local requirement asks: an identity proof, the Germany Registration Form,
    an address in Germany with an address proof; and a Berlin DID awaiting registration."""
    identity = str(_identity(client)["id"])
    _proof(client, emu, ("identities", identity), _proof_type(client, "Personal", "Passport"), proof_kind)
    _document(client, emu, identity, "Germany Registration Form")
    address = str(_address(client, identity, city)["id"])
    _proof(client, emu, ("addresses", address), _proof_type(client, "Address", "Utility Bill"))
    return Bundle(identity, address, _dids(client, emu, "Berlin"))


def _verification(client: httpx.Client, bundle: Bundle, **attributes: Any) -> httpx.Response:
    body = _body(
        "address_verifications",
        attributes,
        address=_ref("addresses", bundle.address),
        dids=[_ref("dids", d) for d in bundle.dids],
    )
    return client.post("address_verifications", json=body)


def _review(emu: RunningEmulator, **payload: Any) -> httpx.Response:
    return httpx.post(emu.admin_url + "reviews", json=payload)


def _status(client: httpx.Client, verification_id: str) -> str:
    return str(client.get(f"address_verifications/{verification_id}").json()["data"]["attributes"]["status"])


def _awaiting(client: httpx.Client, did_id: str) -> bool:
    return bool(client.get(f"dids/{did_id}").json()["data"]["attributes"]["awaiting_registration"])


# -- the seeded catalogue -------------------------------------------------------------------------


def test_proof_types_by_entity_type(client: httpx.Client) -> None:
    personal = client.get("proof_types", params={"filter[entity_type]": "Personal"}).json()
    names = [p["attributes"]["name"] for p in personal["data"]]
    assert names == ["Drivers License", "National ID", "Passport", "Residence Permit", "Visa", "Other"]
    passport = next(p for p in personal["data"] if p["attributes"]["name"] == "Passport")
    assert set(passport) == {"id", "type", "attributes"} and passport["attributes"]["entity_type"] == "Personal"
    shown = client.get(f"proof_types/{passport['id']}").json()["data"]
    assert shown["attributes"] == {"name": "Passport", "entity_type": "Personal"}
    address = client.get("proof_types", params={"filter[entity_type]": "Address"}).json()
    assert address["meta"]["total_records"] == 4
    single_error(client.get("proof_types/c8e004b0-87ec-4987-b4fb-ee89db099f0e"), 404)
    assert client.post("proof_types", json=_body("proof_types", {"name": "x"})).status_code == 405


def test_templates_and_areas(client: httpx.Client) -> None:
    germany = client.get("supporting_document_templates", params={"filter[name_contains]": "Germany"}).json()["data"]
    form = next(t for t in germany if t["attributes"]["name"] == "Germany Registration Form")
    assert set(form["attributes"]) == {"name", "permanent", "url"} and form["attributes"]["permanent"] is True
    onetime = client.get("supporting_document_templates", params={"filter[permanent]": "false"}).json()["data"]
    assert "Generic LOI" in {t["attributes"]["name"] for t in onetime}
    areas = client.get("areas", params={"filter[name]": "bavaria", "include": "country"}).json()
    (bavaria,) = areas["data"]
    assert bavaria["attributes"] == {"name": "Bavaria"}
    assert bavaria["relationships"]["country"]["data"] == _ref("countries", _country(client, "DE"))
    assert areas["included"][0]["attributes"]["iso"] == "DE"
    assert areas["links"]["first"].endswith("page%5Bsize%5D=1000")  # "Default page size is 1000"


def test_did_groups_link_their_address_requirement(client: httpx.Client) -> None:
    body = client.get("did_groups", params={"filter[needs_registration]": "true", "include": "address_requirement"})
    groups = body.json()["data"]
    assert {g["attributes"]["area_name"] for g in groups} == {"Berlin", "Munich", "Frankfurt", "Paris"}
    linked = {g["attributes"]["area_name"]: g["relationships"]["address_requirement"]["data"]["id"] for g in groups}
    assert linked["Berlin"] == linked["Munich"] == linked["Frankfurt"] != linked["Paris"]
    requirement = next(r for r in body.json()["included"] if r["id"] == linked["Berlin"])
    assert requirement["type"] == "address_requirements"
    assert set(requirement["attributes"]) == REQUIREMENT_ATTRIBUTES
    assert set(requirement["relationships"]) == REQUIREMENT_RELATIONSHIPS
    # The recorded German Local requirement.
    assert requirement["attributes"] | {"restriction_message": ""} == {
        "identity_type": "any",
        "personal_area_level": "world_wide",
        "business_area_level": "country",
        "address_area_level": "city",
        "personal_proof_qty": 1,
        "business_proof_qty": 1,
        "address_proof_qty": 1,
        "personal_mandatory_fields": None,
        "business_mandatory_fields": ["country"],
        "service_description_required": False,
        "restriction_message": "",
    }
    london = client.get("did_groups", params={"filter[area_name]": "London", "include": "address_requirement"})
    assert london.json()["data"][0]["relationships"]["address_requirement"]["data"] is None


def test_address_requirement_filters_and_includes(client: httpx.Client, emu: RunningEmulator) -> None:
    germany = _country(client, "DE")
    found = client.get(
        "address_requirements", params={"filter[country.id]": germany, "include": "personal_proof_types"}
    )
    (requirement,) = found.json()["data"]
    types = requirement["relationships"]["personal_proof_types"]["data"]
    names = {i["attributes"]["name"] for i in found.json()["included"]}
    assert len(types) == 2 and names == {"National ID", "Passport"}
    links = requirement["relationships"]["country"]["links"]
    assert links == relationship_links(emu.base_url, "address_requirements", requirement["id"], "country")
    paris = client.get("address_requirements", params={"filter[country.id]": _country(client, "FR")}).json()["data"]
    assert paris[0]["attributes"]["address_area_level"] == "area"
    single_error(client.get("address_requirements/d210e6e4-1716-4342-b04c-7a6ef6feb171"), 404)


def test_2022_names_requirements(client: httpx.Client, emu: RunningEmulator) -> None:
    single_error(client.get("requirements"), 404)  # moved in 2026-04-16
    set_account(emu, api_version=V2022)
    single_error(client.get("address_requirements"), 404)
    berlin = client.get("did_groups", params={"filter[area_name]": "Berlin", "include": "requirement"}).json()
    linkage = berlin["data"][0]["relationships"]["requirement"]["data"]
    assert linkage["type"] == "requirements" and "address_requirement" not in berlin["data"][0]["relationships"]
    shown = client.get(f"requirements/{linkage['id']}").json()
    assert shown["data"]["type"] == "requirements"
    attributes = shown["data"]["attributes"]
    assert (attributes["identity_type"], attributes["personal_area_level"], attributes["address_area_level"]) == (
        "Any",
        "WorldWide",
        "City",
    )
    single_error(client.post("address_requirement_validations", json=_body("address_requirement_validations")), 404)
    identity = _identity(client)
    assert identity["attributes"]["identity_type"] == "Personal"
    assert set(identity["attributes"]) == IDENTITY_ATTRIBUTES_2022
    assert "birth_country" not in identity["relationships"]
    body = _body("requirement_validations", requirement=_ref("requirements", linkage["id"]))
    body["data"]["relationships"]["identity"] = {"data": _ref("identities", identity["id"])}
    messages = _data_errors(client.post("requirement_validations", json=body))
    assert "1 Identity Proof(s) (National ID, Passport) required" in messages


# -- identities and addresses ---------------------------------------------------------------------


def test_identity_documents(client: httpx.Client, emu: RunningEmulator) -> None:
    response = client.post(
        "identities",
        json=_body(
            "identities",
            {
                "first_name": "Jane",
                "last_name": "Smith",
                "phone_number": "1276813663",
                "birth_date": "string",  # recorded: text that is no date is stored as null
                "identity_type": "personal",
                "contact_email": "jane@example.com",
            },
        ),
    )
    assert response.status_code == 201, response.text
    assert response.json()["meta"] == {"api_version": V2026}
    data = response.json()["data"]
    assert set(data["attributes"]) == IDENTITY_ATTRIBUTES_2026
    assert set(data["relationships"]) == IDENTITY_RELATIONSHIPS_2026
    assert data["attributes"]["birth_date"] is None and data["attributes"]["verified"] is False
    assert data["relationships"]["proofs"]["links"] == relationship_links(
        emu.base_url, "identities", data["id"], "proofs"
    )
    patched = client.patch(
        f"identities/{data['id']}",
        json={"data": {"id": data["id"], "type": "identities", "attributes": {"birth_date": "2000-01-01"}}},
    )
    assert patched.json()["data"]["attributes"]["birth_date"] == "2000-01-01"
    retyped = client.patch(
        f"identities/{data['id']}",
        json={"data": {"id": data["id"], "type": "identities", "attributes": {"identity_type": "business"}}},
    )
    assert single_error(retyped, 400)["detail"] == "identity_type is not allowed."
    found = client.get("identities", params={"filter[first_name_contains]": "jan"}).json()
    assert [i["id"] for i in found["data"]] == [data["id"]]
    missing = "46e129f1-deaa-44db-8915-2646de4d4c70"
    for response in (
        client.get(f"identities/{missing}"),
        client.patch(f"identities/{missing}", json={"data": {"id": missing, "type": "identities"}}),
        client.delete(f"identities/{missing}"),
    ):
        assert single_error(response, 404)["detail"] == f"The record identified by {missing} could not be found."


def test_business_identity_needs_company_and_country(client: httpx.Client) -> None:
    attributes = {"first_name": "A", "last_name": "B", "phone_number": "1", "identity_type": "business"}
    response = client.post("identities", json=_body("identities", attributes))
    assert_validation_error(response, "/data/attributes/company_name", "company_name - can't be blank")
    assert_validation_error(response, "/data/relationships/country", "country - can't be blank")
    assert_validation_error(
        client.post("identities", json=_body("identities", {"identity_type": "robot"})),
        "/data/attributes/identity_type",
        "identity_type - is not included in the list",
    )
    company = _identity(client, "business", company_name="ACME GmbH")
    assert company["attributes"]["identity_type"] == "business"


def test_address_documents_and_placement(client: httpx.Client, emu: RunningEmulator) -> None:
    identity = _identity(client)["id"]
    address = _address(client, identity, "munich")
    assert set(address["attributes"]) == ADDRESS_ATTRIBUTES_2026
    assert set(address["relationships"]) == ADDRESS_RELATIONSHIPS
    shown = client.get(f"addresses/{address['id']}", params={"include": "city,area,identity"}).json()
    relationships = shown["data"]["relationships"]
    included = {(i["type"], i["attributes"]["name"]) for i in shown["included"] if i["type"] != "identities"}
    assert included == {("cities", "Munich"), ("areas", "Bavaria")}
    assert relationships["identity"]["data"] == _ref("identities", identity)
    invalid = _body(
        "addresses",
        {"city_name": "Siauliai", "postal_code": "LT80001", "address": "Biciunu 14"},
        identity=_ref("identities", identity),
        country=_ref("countries", "country_id_string"),
    )
    assert_validation_error(
        client.post("addresses", json=invalid), "/data/relationships/country", "country - is invalid"
    )
    moved = {"data": {"id": address["id"], "type": "addresses", "relationships": {"identity": {"data": None}}}}
    assert (
        single_error(client.patch(f"addresses/{address['id']}", json=moved), 400)["detail"]
        == "identity is not allowed."
    )
    renamed = {"data": {"id": address["id"], "type": "addresses", "attributes": {"city_name": "Nowhere"}}}
    assert client.patch(f"addresses/{address['id']}", json=renamed).status_code == 200
    placed = client.get(f"addresses/{address['id']}", params={"include": "city"}).json()["data"]
    assert placed["relationships"]["city"]["data"] is None
    by_identity = client.get("addresses", params={"filter[identity.id]": identity}).json()
    assert [a["id"] for a in by_identity["data"]] == [address["id"]]


def test_identity_with_addresses_cannot_be_deleted(client: httpx.Client, emu: RunningEmulator) -> None:
    identity = _identity(client)["id"]
    proof = _proof(client, emu, ("identities", identity), _proof_type(client, "Personal", "Passport"))
    address = _address(client, identity)["id"]
    refused = single_error(client.delete(f"identities/{identity}"), 409)
    assert (refused["status"], refused["title"]) == ("409", "Conflict")
    assert client.get(f"identities/{identity}").status_code == 200
    assert client.delete(f"addresses/{address}").status_code == 204
    assert client.delete(f"identities/{identity}").status_code == 204
    single_error(client.get(f"proofs/{proof}"), 404)  # its proofs went with it


# -- proofs and permanent supporting documents ----------------------------------------------------


def test_proof_documents_and_polymorphic_entity(client: httpx.Client, emu: RunningEmulator) -> None:
    identity = _identity(client)["id"]
    address = _address(client, identity)["id"]
    utility_bill = _proof_type(client, "Address", "Utility Bill")
    body = _body(
        "proofs",
        {"external_reference_id": "test"},
        proof_type=_ref("proof_types", utility_bill),
        entity=_ref("addresses", address),
        files=[_ref("encrypted_files", _file(emu))],
    )
    data = created(client, "proofs", body)
    assert data["attributes"]["expires_at"] is None and data["attributes"]["external_reference_id"] == "test"
    assert set(data["attributes"]) == {"created_at", "expires_at", "external_reference_id"}
    assert set(data["relationships"]) == {"proof_type", "entity"}  # files are write-only
    shown = client.get(f"proofs/{data['id']}", params={"include": "entity,proof_type"}).json()
    assert shown["data"]["relationships"]["entity"]["data"] == _ref("addresses", address)
    assert {i["type"] for i in shown["included"]} == {"addresses", "proof_types"}
    assert client.get(f"proofs/{data['id']}/entity").json()["data"]["type"] == "addresses"
    single_error(client.get(f"proofs/{data['id']}", params={"include": "files"}), 400)
    single_error(client.get(f"proofs/{data['id']}/relationships/files"), 404)
    listed = client.get(f"addresses/{address}", params={"include": "proofs"}).json()
    assert listed["data"]["relationships"]["proofs"]["data"] == [_ref("proofs", data["id"])]
    assert client.patch(f"proofs/{data['id']}", json={"data": {"id": data["id"], "type": "proofs"}}).status_code == 405
    assert client.delete(f"proofs/{data['id']}").status_code == 204
    single_error(client.delete(f"proofs/{data['id']}"), 404)


def test_proof_validation_errors(client: httpx.Client, emu: RunningEmulator) -> None:
    identity = _identity(client)["id"]
    passport = _proof_type(client, "Personal", "Passport")

    def post(files: list[dict[str, str]], proof_type: str = passport, **attributes: Any) -> httpx.Response:
        body = _body(
            "proofs", attributes, proof_type=_ref("proof_types", proof_type), entity=_ref("identities", identity)
        )
        body["data"]["relationships"]["files"] = {"data": files}
        return client.post("proofs", json=body)

    good = [_ref("encrypted_files", _file(emu))]
    too_long = "x" * 101
    assert_validation_error(
        post(good, external_reference_id=too_long),
        "/data/attributes/external_reference_id",
        "external_reference_id - is too long (maximum is 100 characters)",
    )
    assert_validation_error(post([]), "/data/relationships/files", "files - can't be blank")
    unknown = [_ref("encrypted_files", "f4a3aa73-5f6a-4374-b8f1-54c1d4b463fd")]
    assert_validation_error(post(unknown), "/data/relationships/files", "files - is invalid")
    expired = [_ref("encrypted_files", _file(emu, lifetime=-1))]
    assert_validation_error(post(expired), "/data/relationships/files", "files - is expired")
    utility_bill = _proof_type(client, "Address", "Utility Bill")
    assert_validation_error(post(good, utility_bill), "/data/relationships/proof_type", "proof_type - is invalid")
    assert post(good).status_code == 201


def test_permanent_supporting_documents(client: httpx.Client, emu: RunningEmulator) -> None:
    identity = _identity(client)["id"]
    document = _document(client, emu, identity, "Germany Registration Form")
    shown = client.get(f"permanent_supporting_documents/{document}", params={"include": "template"}).json()
    assert set(shown["data"]["attributes"]) == {"created_at", "external_reference_id"}
    assert set(shown["data"]["relationships"]) == {"template", "identity"}
    assert shown["included"][0]["attributes"]["name"] == "Germany Registration Form"
    onetime = _body(
        "permanent_supporting_documents",
        template=_ref("supporting_document_templates", _template(client, "Generic LOI")),
        identity=_ref("identities", identity),
        files=[_ref("encrypted_files", _file(emu))],
    )
    assert_validation_error(
        client.post("permanent_supporting_documents", json=onetime),
        "/data/relationships/template",
        "template - is invalid",
    )
    included = client.get(f"identities/{identity}", params={"include": "permanent_documents.template"}).json()
    assert {i["type"] for i in included["included"]} == {
        "permanent_supporting_documents",
        "supporting_document_templates",
    }
    assert client.delete(f"permanent_supporting_documents/{document}").status_code == 204


def test_2022_proofs_and_documents_are_write_only(client: httpx.Client, emu: RunningEmulator) -> None:
    set_account(emu, api_version=V2022)
    identity = _identity(client)["id"]
    proof = created(
        client,
        "proofs",
        _body(
            "proofs",
            proof_type=_ref("proof_types", _proof_type(client, "Personal", "Passport")),
            entity=_ref("identities", identity),
            files=[_ref("encrypted_files", _file(emu))],
        ),
    )
    assert set(proof["attributes"]) == {"created_at", "expires_at"}  # recorded 2022-05-10 201
    assert client.get("proofs").status_code == 405  # "read endpoints added" in 2026-04-16
    assert client.get(f"proofs/{proof['id']}").status_code == 405
    assert client.get("permanent_supporting_documents").status_code == 405
    assert client.delete(f"proofs/{proof['id']}").status_code == 204


# -- requirement validations ----------------------------------------------------------------------


def _berlin_requirement(client: httpx.Client) -> str:
    body = client.get("did_groups", params={"filter[area_name]": "Berlin", "include": "address_requirement"}).json()
    return str(body["data"][0]["relationships"]["address_requirement"]["data"]["id"])


def _validate(client: httpx.Client, requirement: str, identity: str | None, address: str | None) -> httpx.Response:
    body = _body("address_requirement_validations", address_requirement=_ref("address_requirements", requirement))
    for name, type_name, value in (("identity", "identities", identity), ("address", "addresses", address)):
        if value is not None:
            body["data"]["relationships"][name] = {"data": _ref(type_name, value)}
    return client.post("address_requirement_validations", json=body)


def test_requirement_validation(client: httpx.Client, emu: RunningEmulator) -> None:
    requirement = _berlin_requirement(client)
    company = _identity(client, "business", company_name="ACME")["id"]
    address = _address(client, company, "Paris", "FR")["id"]
    messages = _data_errors(_validate(client, requirement, company, address))
    assert messages == [
        "1 Identity Proof(s) (Business Registration Certificate / Incorporation Certificate, Excerpt from the "
        "commercial register) required",
        "Following Supporting Document(s) required (Germany Registration Form)",
        "Address in Germany required",
        "1 Address Proof(s) (Copy of Phone Bill, Utility Bill, Rental Receipt, Other) required",
    ]
    missing = _validate(client, requirement, None, None)
    assert_validation_error(missing, "/data/relationships/identity", "identity - can't be blank")
    bundle = _german_bundle(client, emu)
    response = _validate(client, requirement, bundle.identity, bundle.address)
    assert response.status_code == 201, response.text
    assert set(response.json()["data"]) == {"id", "type"}  # recorded: nothing but id and type
    assert response.json()["data"]["type"] == "address_requirement_validations"
    assert _data_errors(_validate(client, requirement, company, bundle.address)) == [
        "Address must belong to the Identity",
        "1 Identity Proof(s) (Business Registration Certificate / Incorporation Certificate, Excerpt from the "
        "commercial register) required",
        "Following Supporting Document(s) required (Germany Registration Form)",
    ]
    assert client.get("address_requirement_validations").status_code == 405


# -- address verifications and their review -------------------------------------------------------


def test_verification_refused_with_what_is_missing(client: httpx.Client, emu: RunningEmulator) -> None:
    identity = _identity(client)["id"]
    address = _address(client, identity)["id"]
    bundle = Bundle(identity, address, _dids(client, emu, "Berlin"))
    assert _data_errors(_verification(client, bundle, service_description="PBX")) == [
        "1 Identity Proof(s) (National ID, Passport) required",
        "Following Supporting Document(s) required (Germany Registration Form)",
        "1 Address Proof(s) (Copy of Phone Bill, Utility Bill, Rental Receipt, Other) required",
        "service description is not needed",
    ]
    assert _awaiting(client, bundle.dids[0]) is True
    london = Bundle(identity, address, _dids(client, emu, "London"))
    response = _verification(client, london)
    assert_validation_error(
        response, "/data/relationships/dids", f"dids - {_number(client, london.dids[0])} is not awaiting registration"
    )


def _number(client: httpx.Client, did_id: str) -> str:
    return str(client.get(f"dids/{did_id}").json()["data"]["attributes"]["number"])


def test_verification_approved_after_the_review_delay(client: httpx.Client, emu: RunningEmulator) -> None:
    bundle = _german_bundle(client, emu)
    response = _verification(client, bundle, callback_url="http://10.201.10.1/test.php", callback_method="get")
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert set(data["attributes"]) == VERIFICATION_ATTRIBUTES_2026
    assert set(data["relationships"]) == {"dids", "address"}  # onetime_files are write-only
    assert (data["attributes"]["status"], data["attributes"]["reject_reasons"]) == ("pending", [])
    did = client.get(f"dids/{bundle.dids[0]}", params={"include": "address_verification,identity"}).json()["data"]
    assert did["relationships"]["address_verification"]["data"] == _ref("address_verifications", data["id"])
    assert did["relationships"]["identity"]["data"] == _ref("identities", bundle.identity)
    again = _verification(client, bundle)
    number = _number(client, bundle.dids[0])
    assert_validation_error(again, "/data/relationships/dids", f"dids - {number} has a pending address verification")
    tick(emu, 29)
    assert _status(client, data["id"]) == "pending" and _awaiting(client, bundle.dids[0])
    tick(emu, 1)  # review_delay: 30 s of the emulator's clock
    assert _status(client, data["id"]) == "approved"
    assert _awaiting(client, bundle.dids[0]) is False
    assert client.get(f"identities/{bundle.identity}").json()["data"]["attributes"]["verified"] is True
    found = client.get("address_verifications", params={"filter[address.identity.id]": bundle.identity}).json()
    assert [v["id"] for v in found["data"]] == [data["id"]]


def test_clock_tick_decides_pending_reviews(client: httpx.Client, emu: RunningEmulator) -> None:
    bundle = _german_bundle(client, emu)
    verification = _verification(client, bundle).json()["data"]["id"]
    tick(emu)  # without seconds: every pending review now, as for orders
    assert _status(client, verification) == "approved"


def test_automatic_rejection_reasons(client: httpx.Client, emu: RunningEmulator) -> None:
    # German Local wants an address in the DID's city, and every document a PDF, PNG or JPEG.
    bundle = _german_bundle(client, emu, city="Munich", proof_kind="other")
    verification = _verification(client, bundle).json()["data"]["id"]
    tick(emu, 30)
    data = client.get(f"address_verifications/{verification}").json()["data"]["attributes"]
    assert data["status"] == "rejected"
    assert data["reject_reasons"] == [
        "The address must be in Berlin, the city of the DIDs",
        "The uploaded document is not a PDF, PNG or JPEG file",
    ]
    assert _awaiting(client, bundle.dids[0]) is True  # still awaiting: a new verification may follow
    assert _verification(client, bundle).status_code == 201
    rejected = client.get("address_verifications", params={"filter[status]": "Rejected"}).json()
    assert [v["id"] for v in rejected["data"]] == [verification]


def test_admin_review_route(client: httpx.Client, emu: RunningEmulator) -> None:
    bundle = _german_bundle(client, emu)
    verification = _verification(client, bundle).json()["data"]["id"]
    reasons = ["The proof of personal address is required"]
    answer = _review(
        emu, type="address_verifications", id=verification, decision="rejected", reasons=reasons, comment="Call us"
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["attributes"]["status"] == "rejected" and answer.json()["id"] == verification
    shown = client.get(f"address_verifications/{verification}").json()["data"]["attributes"]
    assert (shown["reject_reasons"], shown["reject_comment"]) == (reasons, "Call us")
    assert _review(emu, type="address_verifications", id=verification, decision="approved").status_code == 409
    tick(emu, 60)  # the automatic review that was due keeps the admin's decision
    assert _status(client, verification) == "rejected" and _awaiting(client, bundle.dids[0])
    second = _verification(client, bundle).json()["data"]["id"]
    assert _review(emu, type="address_verifications", id=second, decision="approved").status_code == 200
    assert _awaiting(client, bundle.dids[0]) is False
    assert _review(emu, type="address_verifications", id=second, decision="maybe").status_code == 400
    assert _review(emu, type="orders", id=second, decision="approved").status_code == 400
    assert _review(emu, type="address_verifications", id=second, decision="approved", reasons=["x"]).status_code == 400
    missing = _review(emu, type="address_verifications", id="c8e004b0-87ec-4987-b4fb-ee89db099f0e", decision="approved")
    assert missing.status_code == 404 and missing.json()["errors"][0]["title"] == "Record not found"


def test_review_delay_setting(client: httpx.Client, emu: RunningEmulator) -> None:
    assert httpx.get(emu.admin_url + "account").json()["review_delay"] == 30.0
    set_account(emu, review_delay=0)
    bundle = _german_bundle(client, emu)
    response = _verification(client, bundle)
    assert response.json()["data"]["attributes"]["status"] == "approved"  # decided in the POST
    assert httpx.patch(emu.admin_url + "account", json={"review_delay": -1}).status_code == 400


def test_verification_patch_and_2022_shape(client: httpx.Client, emu: RunningEmulator) -> None:
    bundle = _german_bundle(client, emu)
    verification = _verification(client, bundle).json()["data"]["id"]
    body = {
        "data": {"id": verification, "type": "address_verifications", "attributes": {"external_reference_id": "test"}}
    }
    assert (
        client.patch(f"address_verifications/{verification}", json=body).json()["data"]["attributes"][
            "external_reference_id"
        ]
        == "test"
    )
    body["data"]["attributes"] = {"service_description": "x"}
    assert single_error(client.patch(f"address_verifications/{verification}", json=body), 400)["detail"] == (
        "service_description is not allowed."
    )
    _review(emu, type="address_verifications", id=verification, decision="rejected", reasons=["a", "b"])
    set_account(emu, api_version=V2022)
    shown = client.get(f"address_verifications/{verification}").json()["data"]["attributes"]
    assert set(shown) == VERIFICATION_ATTRIBUTES_2022
    assert (shown["status"], shown["reject_reasons"]) == ("Rejected", "a; b")
    assert client.patch(f"address_verifications/{verification}", json=body).status_code == 405
    second = _verification(client, bundle, callback_url="http://10.201.10.1/test.php", callback_method="GET")
    assert second.status_code == 201, second.text
    attributes = second.json()["data"]["attributes"]
    assert (attributes["status"], attributes["callback_method"], attributes["reject_reasons"]) == (
        "Pending",
        "GET",
        None,
    )


def test_french_requirement_needs_onetime_document_and_service(client: httpx.Client, emu: RunningEmulator) -> None:
    company = _identity(client, "business", company_name="ACME", company_reg_number="RCS 123")["id"]
    _proof(client, emu, ("identities", company), _proof_type(client, "Business", "Trade License"))
    address = _address(client, company, "Paris", "FR")["id"]
    _proof(client, emu, ("addresses", address), _proof_type(client, "Address", "Rental Receipt"))
    bundle = Bundle(company, address, _dids(client, emu, "Paris"))
    assert _data_errors(_verification(client, bundle)) == [
        "Following Onetime Document(s) required (Generic LOI)",
        "service description is required",
    ]
    body = _body(
        "address_verifications",
        {"service_description": "Call centre"},
        address=_ref("addresses", address),
        dids=[_ref("dids", d) for d in bundle.dids],
        onetime_files=[_ref("encrypted_files", _file(emu, "png"))],
    )
    verification = created(client, "address_verifications", body)["id"]
    tick(emu, 30)
    assert _status(client, verification) == "approved"  # Paris is in Ile-de-France, the DIDs' area


def test_real_upload_attaches_the_file(client: httpx.Client, emu: RunningEmulator) -> None:
    uploaded = _upload(client, PDF)
    assert uploaded.status_code == 201, uploaded.text
    file_id = uploaded.json()["data"]["id"]
    identity = _identity(client)["id"]
    body = _body(
        "proofs",
        proof_type=_ref("proof_types", _proof_type(client, "Personal", "Passport")),
        entity=_ref("identities", identity),
        files=[_ref("encrypted_files", file_id)],
    )
    proof = created(client, "proofs", body)["id"]
    stored = emu.state.get("proofs", proof)
    assert stored.internal["files"] == [{"id": file_id, "content_kind": "pdf"}]
    tick(emu, DAY + 1)  # an attached file outlives its 24 hours
    assert client.get(f"encrypted_files/{file_id}").status_code == 200


@pytest.mark.parametrize("version", [V2022, V2026])
def test_catalogue_in_both_versions(client: httpx.Client, emu: RunningEmulator, version: str) -> None:
    set_account(emu, api_version=version)
    for path in ("proof_types", "supporting_document_templates", "areas"):
        response = client.get(path)
        assert response.status_code == 200 and response.json()["meta"]["api_version"] == version
        assert response.json()["data"]


def test_pending_review_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "account.sqlite"
    with running_emulator(state_file=state, rate_limit=None) as emu, api_client(emu) as client:
        bundle = _german_bundle(client, emu)
        verification = _verification(client, bundle).json()["data"]["id"]
    with running_emulator(state_file=state, rate_limit=None) as emu, api_client(emu) as client:
        assert _status(client, verification) == "pending"
        tick(emu, 30)  # the review's timer was rebuilt from the stored record
        assert _status(client, verification) == "approved" and not _awaiting(client, bundle.dids[0])
