"""What the 2026-04-16 OpenAPI document lists for the regulation and emergency types beyond the
recorded examples (tools/conformance checks it end to end): the sort keys and filters it names,
and external_reference_id not nullable where its request schemas say so."""

from __future__ import annotations

import httpx
import pytest

from didww_iac.emulator.testing import RunningEmulator

from .helpers import single_error
from .test_regulation import _address, _body, _file, _german_bundle, _identity, _proof_type, _ref, _verification


@pytest.mark.parametrize(
    ("path", "sort"),
    [
        ("address_requirements", "address_proof_qty,-business_proof_qty,personal_proof_qty"),
        ("address_requirements", "-restriction_message,service_description_required"),
        ("proof_types", "entity_type,-name"),
        ("supporting_document_templates", "-permanent,name"),
        ("encrypted_files", "-expire_at,description,expires_at"),
        ("identities", "contact_email,-created_at,external_reference_id,verified"),
        ("addresses", "-created_at,verified"),
    ],
)
def test_documented_sorts(client: httpx.Client, path: str, sort: str) -> None:
    response = client.get(path, params={"sort": sort})
    assert response.status_code == 200, response.text


def test_sorts_order_records(client: httpx.Client) -> None:
    names = [t["attributes"]["name"] for t in client.get("proof_types", params={"sort": "-name"}).json()["data"]]
    assert names == sorted(names, reverse=True)
    kinds = [
        t["attributes"]["entity_type"] for t in client.get("proof_types", params={"sort": "entity_type"}).json()["data"]
    ]
    assert kinds == sorted(kinds)
    templates = client.get("supporting_document_templates", params={"sort": "-permanent,name"}).json()["data"]
    permanent = [t["attributes"]["permanent"] for t in templates]
    assert permanent == sorted(permanent, reverse=True)


def test_documented_filters(client: httpx.Client, emu: RunningEmulator) -> None:
    identity = _identity(client, external_reference_id="crm-1")
    other = _identity(client, external_reference_id="crm-2")
    address = _address(client, str(identity["id"]))
    _address(client, str(other["id"]))
    found = client.get("identities", params={"filter[external_reference_id]": "crm-1"}).json()["data"]
    assert [i["id"] for i in found] == [identity["id"]]
    by_owner = client.get("addresses", params={"filter[identity.external_reference_id]": "crm-1"}).json()["data"]
    assert [a["id"] for a in by_owner] == [address["id"]]

    verification = _verification(client, _german_bundle(client, emu)).json()["data"]
    reference = verification["attributes"]["reference"]
    listed = client.get("address_verifications", params={"filter[reference_in]": f"NOPE-000000,{reference}"})
    assert [v["id"] for v in listed.json()["data"]] == [verification["id"]]


def test_external_reference_id_not_nullable(client: httpx.Client, emu: RunningEmulator) -> None:
    verification = _verification(client, _german_bundle(client, emu)).json()["data"]["id"]
    body = {
        "data": {"id": verification, "type": "address_verifications", "attributes": {"external_reference_id": None}}
    }
    error = single_error(client.patch(f"address_verifications/{verification}", json=body), 422)
    assert error["source"] == {"pointer": "/data/attributes/external_reference_id"}

    identity = str(_identity(client)["id"])
    proof = _body(
        "proofs",
        {"external_reference_id": None},
        proof_type=_ref("proof_types", _proof_type(client, "Personal", "Passport")),
        entity=_ref("identities", identity),
        files=[_ref("encrypted_files", _file(emu))],
    )
    assert single_error(client.post("proofs", json=proof), 422)["source"] == {
        "pointer": "/data/attributes/external_reference_id"
    }
    # Identities and addresses do take a null (their schemas say nullable).
    cleared = {"data": {"id": identity, "type": "identities", "attributes": {"external_reference_id": None}}}
    assert client.patch(f"identities/{identity}", json=cleared).status_code == 200
