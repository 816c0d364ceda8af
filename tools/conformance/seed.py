"""Objects created through the API before the run, so show/update/delete operations have real ids.

Every one-record operation gets an id here: reads and updates share one object per type, and each
DELETE gets an object of its own, so deleting it early cannot turn later reads into 404s.

The regulation objects follow a client's path: an identity with its proofs and permanent document,
addresses in Berlin and New York, an address verification for a DE Local Berlin number (a group
that needs registration) and emergency verifications for US New York numbers; a clock tick then
decides the reviews, so the calling services are active (cancelable) during the run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from didww_iac.api.encryption import encrypt, fingerprint

JSONAPI = "application/vnd.api+json"
EXPORT_TIME = "%Y-%m-%d %H:%M:%S"


class Seeder:
    def __init__(self, client: httpx.Client, admin_url: str) -> None:
        self.client = client
        self.admin_url = admin_url

    def first(self, path: str, **params: str) -> dict[str, Any]:
        response = self.client.get(path, params=params)
        response.raise_for_status()
        data: list[dict[str, Any]] = response.json()["data"]
        if not data:
            raise RuntimeError(f"seeding: GET {path} {params} found nothing")
        return data[0]

    def create(self, path: str, attributes: dict[str, Any], **relationships: Any) -> str:
        return str(self.create_data(path, attributes, **relationships)["id"])

    def create_data(self, path: str, attributes: dict[str, Any], **relationships: Any) -> dict[str, Any]:
        data: dict[str, Any] = {"type": path, "attributes": attributes}
        if relationships:
            data["relationships"] = {name: {"data": value} for name, value in relationships.items()}
        response = self.client.post(path, json={"data": data})
        if response.status_code != 201:
            raise RuntimeError(f"seeding: POST {path} answered {response.status_code}: {response.text}")
        created: dict[str, Any] = response.json()["data"]
        return created

    def upload(self, description: str) -> str:
        """An encrypted file as a client uploads one: a PDF under the emulator's public keys."""
        keys = [k["attributes"]["key"] for k in self.client.get("public_keys").json()["data"]]
        fields = {
            "encrypted_files[encryption_fingerprint]": fingerprint(keys),
            "encrypted_files[description]": description,
        }
        container = encrypt(b"%PDF-1.4 conformance", keys)
        # Built apart from the client, whose JSON:API Content-Type would replace the multipart one.
        request = httpx.Request(
            "POST",
            f"{self.client.base_url}encrypted_files",
            data=fields,
            files={"encrypted_files[file]": ("file.enc", container, "application/octet-stream")},
            headers={"Api-Key": self.client.headers["Api-Key"]},
        )
        response = self.client.send(request)
        if response.status_code != 201:
            raise RuntimeError(f"seeding: POST encrypted_files answered {response.status_code}: {response.text}")
        return str(response.json()["data"]["id"])

    def complete_orders(self) -> None:
        httpx.post(self.admin_url + "clock/tick", json={}).raise_for_status()


def _sip(name: str) -> dict[str, Any]:
    sip = {"username": "conformance", "host": "sip.example.com", "port": 5060}
    configuration = {"type": "sip_configurations", "attributes": sip}
    return {"name": name, "configuration": configuration}


def _ref(type_name: str, record_id: str) -> dict[str, str]:
    return {"type": type_name, "id": record_id}


def _did_item(sku: str, **selector: Any) -> dict[str, Any]:
    return {"type": "did_order_items", "attributes": {"sku_id": sku, **selector}}


def _by_name(records: list[dict[str, Any]], name: str) -> str:
    return str(next(r["id"] for r in records if r["attributes"]["name"] == name))


@dataclass(frozen=True)
class Fixtures:
    # operationId -> the id its path parameter is fixed to
    path_ids: dict[str, str]
    # type -> ids request bodies may name (schemathesis dictionaries), so writes can succeed
    records: dict[str, list[str]]


def seed(client: httpx.Client, admin_url: str) -> Fixtures:
    """Create the objects the run works on."""
    s = Seeder(client, admin_url)
    # Catalogue records (seeded by the emulator): New York is a NANPA group with numbers in stock
    # and emergency calling; Berlin needs registration (an address verification).
    group = s.first("did_groups", **{"filter[area_name]": "New York", "include": "stock_keeping_units"})
    sku = group["relationships"]["stock_keeping_units"]["data"][0]["id"]
    berlin = s.first("did_groups", **{"filter[area_name]": "Berlin", "include": "stock_keeping_units"})
    berlin_sku = berlin["relationships"]["stock_keeping_units"]["data"][0]["id"]
    numbers = client.get("available_dids", params={"filter[did_group.id]": group["id"]}).json()["data"]
    pool = s.first("capacity_pools")["id"]

    trunk = s.create("voice_in_trunks", _sip("conformance"))
    doomed_trunk = s.create("voice_in_trunks", _sip("conformance delete"))
    trunk_group = s.create(
        "voice_in_trunk_groups", {"name": "conformance"}, voice_in_trunks=[_ref("voice_in_trunks", trunk)]
    )
    doomed_group = s.create("voice_in_trunk_groups", {"name": "conformance delete"})

    # One order and an export complete (the DID gets a history entry, the export a file), with
    # the numbers of the verifications: two New York ones named (the qty order takes the first in
    # stock; numbers[2] is read by getAvailableDid, the last two are reserved below) and one in
    # Berlin. The last order stays pending so it can be canceled.
    order = s.create("orders", {"items": [_did_item(sku, qty=1)]})
    emergency_order = s.create("orders", {"items": [_did_item(sku, available_did_id=numbers[i]["id"]) for i in (1, 3)]})
    registration_order = s.create("orders", {"items": [_did_item(berlin_sku, qty=1)]})
    now = datetime.now(UTC)
    since = (now.replace(day=1) - timedelta(days=1)).replace(day=1)
    span = {"from": since.strftime(EXPORT_TIME), "to": (now - timedelta(minutes=1)).strftime(EXPORT_TIME)}
    export = s.create("exports", {"export_type": "cdr_in", "filters": span})
    s.complete_orders()
    did = s.first("dids", **{"filter[order.id]": order})["id"]
    emergency_dids = [d["id"] for d in client.get("dids", params={"filter[order.id]": emergency_order}).json()["data"]]
    berlin_did = s.first("dids", **{"filter[order.id]": registration_order})["id"]

    reservation = s.create("did_reservations", {}, available_did=_ref("available_dids", numbers[-1]["id"]))
    doomed_reservation = s.create("did_reservations", {}, available_did=_ref("available_dids", numbers[-2]["id"]))
    pool_ref = _ref("capacity_pools", pool)
    shared = {"shared_channels_count": 1, "metered_channels_count": 0}
    capacity_group = s.create("shared_capacity_groups", {"name": "conformance", **shared}, capacity_pool=pool_ref)
    doomed_capacity_group = s.create(
        "shared_capacity_groups", {"name": "conformance delete", **shared}, capacity_pool=pool_ref
    )
    out_trunk_attributes = {
        "on_cli_mismatch_action": "send_original_cli",
        "authentication_method": {"type": "credentials_and_ip", "attributes": {"allowed_sip_ips": ["203.0.113.7"]}},
    }
    out_trunk = s.create("voice_out_trunks", {"name": "conformance", **out_trunk_attributes})
    doomed_out_trunk = s.create("voice_out_trunks", {"name": "conformance delete", **out_trunk_attributes})

    regulation = _regulation(s, berlin_did, emergency_dids)
    # Decides the verifications (their reviews were pending): the calling services become active.
    s.complete_orders()
    pending = s.create("orders", {"items": [_did_item(berlin_sku, qty=1)]})

    held = {numbers[i]["id"] for i in (-1, -2, 2)}  # reserved, or read by getAvailableDid
    in_stock = [d["id"] for d in client.get("available_dids").json()["data"] if d["id"] not in held]
    groups = client.get("did_groups", params={"include": "stock_keeping_units"}).json()["data"]
    records = {
        "available_dids": in_stock,
        "stock_keeping_units": [k["id"] for g in groups for k in g["relationships"]["stock_keeping_units"]["data"]],
        "pops": [p["id"] for p in client.get("pops").json()["data"]],
        "capacity_pools": [pool],
        "voice_in_trunks": [trunk],
        "voice_in_trunk_groups": [trunk_group],
        "shared_capacity_groups": [capacity_group],
        "voice_out_trunks": [out_trunk],
        "dids": [did],
        # An export's range must lie in the last months, which random dates never do.
        "export-from": [span["from"]],
        "export-to": [span["to"]],
        **regulation.records,
    }
    path_ids = {
        "getCountry": s.first("countries")["id"],
        "getRegion": s.first("regions")["id"],
        "getCity": s.first("cities")["id"],
        "getDidGroupType": s.first("did_group_types")["id"],
        "getDidGroup": group["id"],
        "getAvailableDid": numbers[2]["id"],
        "getNanpaPrefix": s.first("nanpa_prefixes")["id"],
        "getCapacityPool": pool,
        "updateCapacityPool": pool,
        "getVoiceInTrunk": trunk,
        "updateVoiceInTrunk": trunk,
        "deleteVoiceInTrunk": doomed_trunk,
        "getVoiceInTrunkGroup": trunk_group,
        "updateVoiceInTrunkGroup": trunk_group,
        "deleteVoiceInTrunkGroup": doomed_group,
        "getOrder": order,
        "updateOrder": order,
        "deleteOrder": pending,
        "getDid": did,
        "getDidHistoryEntry": s.first("did_history")["id"],
        "getExport": export,
        "updateExport": export,
        "updateDid": did,
        "getDidReservation": reservation,
        "deleteDidReservation": doomed_reservation,
        "getSharedCapacityGroup": capacity_group,
        "updateSharedCapacityGroup": capacity_group,
        "deleteSharedCapacityGroup": doomed_capacity_group,
        "getVoiceOutTrunk": out_trunk,
        "updateVoiceOutTrunk": out_trunk,
        "deleteVoiceOutTrunk": doomed_out_trunk,
        **regulation.path_ids,
    }
    return Fixtures(path_ids, records)


def _regulation(s: Seeder, berlin_did: str, emergency_dids: list[str]) -> Fixtures:
    """Identities, addresses, files, proofs and documents, and the verifications: enough for the
    DE Local address requirement and the US Local emergency requirement, so both verifications
    are accepted (and approved by the next tick)."""
    countries = {iso: s.first("countries", **{"filter[iso]": iso})["id"] for iso in ("US", "DE")}
    us, de = _ref("countries", countries["US"]), _ref("countries", countries["DE"])
    # US Local emergency calling: a personal identity of the US with birth date and contact email.
    person = {
        "identity_type": "personal",
        "first_name": "Jane",
        "last_name": "Doe",
        "phone_number": "12125550100",
        "birth_date": "1980-01-01",
        "contact_email": "jane@example.com",
    }
    identity = s.create("identities", person, country=us, birth_country=us)
    doomed_identity = s.create("identities", {**person, "first_name": "Delete"}, country=us)
    owner = _ref("identities", identity)
    berlin_place = {"city_name": "Berlin", "postal_code": "10115", "address": "Invalidenstrasse 1"}
    new_york_place = {"city_name": "New York", "postal_code": "10001", "address": "350 Fifth Avenue"}
    berlin_address = s.create("addresses", berlin_place, identity=owner, country=de)
    new_york_address = s.create("addresses", new_york_place, identity=owner, country=us)
    doomed_address = s.create("addresses", new_york_place, identity=owner, country=us)

    file = s.upload("conformance")
    doomed_file = s.upload("conformance delete")
    files = [_ref("encrypted_files", file)]
    proof_types = s.client.get("proof_types").json()["data"]
    passport = _ref("proof_types", _by_name(proof_types, "Passport"))
    bill = _ref("proof_types", _by_name(proof_types, "Utility Bill"))
    proof = s.create("proofs", {}, proof_type=passport, entity=owner, files=files)
    doomed_proof = s.create("proofs", {}, proof_type=passport, entity=owner, files=files)
    s.create("proofs", {}, proof_type=bill, entity=_ref("addresses", berlin_address), files=files)
    templates = s.client.get("supporting_document_templates").json()["data"]
    form = _ref("supporting_document_templates", _by_name(templates, "Germany Registration Form"))
    document = s.create("permanent_supporting_documents", {}, template=form, identity=owner, files=files)
    doomed_document = s.create("permanent_supporting_documents", {}, template=form, identity=owner, files=files)

    verification = s.create(
        "address_verifications",
        {},
        address=_ref("addresses", berlin_address),
        dids=[_ref("dids", berlin_did)],
    )
    # One calling service per New York number: one to read, one to cancel.
    services: list[str] = []
    emergency_verifications: list[str] = []
    for number in emergency_dids:
        created = s.create_data(
            "emergency_verifications", {}, address=_ref("addresses", new_york_address), dids=[_ref("dids", number)]
        )
        emergency_verifications.append(str(created["id"]))
        services.append(str(created["relationships"]["emergency_calling_service"]["data"]["id"]))

    german = s.first("address_requirements", **{"filter[country.id]": countries["DE"]})["id"]
    local = s.first("did_group_types", **{"filter[name]": "Local"})["id"]
    us_local = s.first(
        "emergency_requirements", **{"filter[country.id]": countries["US"], "filter[did_group_type.id]": local}
    )["id"]
    records = {
        "identities": [identity],
        "countries": list(countries.values()),
        "addresses": [berlin_address, new_york_address],
        "encrypted_files": [file],
        "proof_types": [r["id"] for r in proof_types if r["attributes"]["entity_type"] == "Personal"],
        "supporting_document_templates": [form["id"]],
        "address_requirements": [german],
        "emergency_requirements": [us_local],
        "emergency_calling_services": [services[0]],
    }
    path_ids = {
        "getArea": s.first("areas")["id"],
        "getProofType": passport["id"],
        "getSupportingDocumentTemplate": form["id"],
        "getAddressRequirement": german,
        "getEmergencyRequirement": us_local,
        "getIdentity": identity,
        "updateIdentity": identity,
        "deleteIdentity": doomed_identity,
        "getAddress": new_york_address,
        "updateAddress": new_york_address,
        "deleteAddress": doomed_address,
        "getEncryptedFile": file,
        "deleteEncryptedFile": doomed_file,
        "getProof": proof,
        "deleteProof": doomed_proof,
        "getPermanentSupportingDocument": document,
        "deletePermanentSupportingDocument": doomed_document,
        "getAddressVerification": verification,
        "updateAddressVerification": verification,
        "getEmergencyVerification": emergency_verifications[0],
        "updateEmergencyVerification": emergency_verifications[0],
        "getEmergencyCallingService": services[0],
        "deleteEmergencyCallingService": services[1],
    }
    return Fixtures(path_ids, records)
