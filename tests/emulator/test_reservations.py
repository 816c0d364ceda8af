"""did_reservations: create for an available DID, read, list, delete, expiry on the clock,
``expires_at`` (2026-04-16) vs ``expire_at`` (2022-05-10)."""

from __future__ import annotations

import re
from datetime import datetime

import httpx

from didww_iac.emulator.testing import RunningEmulator, running_emulator

from .conftest import api_client
from .fixtures import V2022, reservation
from .helpers import assert_validation_error, created, group, ids, relationship_links, single_error, tick

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def _stamp(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_create_document_and_meta(client: httpx.Client, emu: RunningEmulator) -> None:
    london = group(client, "london")
    number = london.stock[0]
    response = client.post("did_reservations", json=reservation(number["id"]))
    assert response.status_code == 201
    body = response.json()
    assert body["meta"] == {"api_version": "2026-04-16"}
    data = body["data"]
    assert set(data["attributes"]) == {"created_at", "description", "expires_at"}
    assert data["attributes"]["description"] == "DIDWW"
    created_at, expires_at = data["attributes"]["created_at"], data["attributes"]["expires_at"]
    assert TIMESTAMP.match(created_at) and TIMESTAMP.match(expires_at)
    assert (_stamp(expires_at) - _stamp(created_at)).total_seconds() == 600  # 10 minutes
    assert data["relationships"] == {
        "available_did": {"links": relationship_links(emu.base_url, "did_reservations", data["id"], "available_did")}
    }
    one = client.get(f"did_reservations/{data['id']}", params={"include": "available_did.did_group"}).json()
    assert one["meta"] == {"available_count": 9, "api_version": "2026-04-16"}
    assert {(i["type"], i["id"]) for i in one["included"]} == {
        ("available_dids", number["id"]),
        ("did_groups", london.id),
    }
    listing = client.get("did_reservations").json()
    assert listing["meta"] == {"total_records": 1, "available_count": 9, "api_version": "2026-04-16"}
    # A reserved number leaves the available list but can still be read by id.
    assert number["id"] not in ids({"data": group(client, "london").stock})
    assert client.get(f"available_dids/{number['id']}").status_code == 200


def test_invalid_or_taken_number(client: httpx.Client) -> None:
    invalid = client.post("did_reservations", json=reservation("8bc37f63-acd7-4e43-a760-1a1caa6e9999"))
    assert_validation_error(invalid, "/data/relationships/available_did", "available_did - is invalid")
    number = group(client, "paris").stock[0]["id"]
    created(client, "did_reservations", reservation(number))
    taken = client.post("did_reservations", json=reservation(number))
    assert_validation_error(taken, "/data/relationships/available_did", "available_did - is invalid")
    missing = {"data": {"type": "did_reservations", "attributes": {"description": "x"}}}
    assert_validation_error(
        client.post("did_reservations", json=missing),
        "/data/relationships/available_did",
        "available_did - can't be blank",
    )


def test_at_most_ten(client: httpx.Client) -> None:
    numbers = group(client, "new york").stock + group(client, "chicago").stock
    for number in numbers[:10]:
        created(client, "did_reservations", reservation(number["id"]))
    refused = client.post("did_reservations", json=reservation(numbers[10]["id"]))
    assert refused.status_code == 422
    assert client.get("did_reservations").json()["meta"]["available_count"] == 0


def test_delete_releases_the_number(client: httpx.Client) -> None:
    number = group(client, "berlin").stock[1]["id"]
    held = created(client, "did_reservations", reservation(number))
    assert client.delete(f"did_reservations/{held['id']}").status_code == 204
    assert number in ids({"data": group(client, "berlin").stock})
    assert single_error(client.delete(f"did_reservations/{held['id']}"), 404)["code"] == "404"
    assert (
        client.patch(f"did_reservations/{held['id']}", json={"data": {"type": "did_reservations"}}).status_code == 405
    )


def test_expiry_on_the_clock(client: httpx.Client, emu: RunningEmulator) -> None:
    number = group(client, "munich").stock[0]["id"]
    held = created(client, "did_reservations", reservation(number))
    tick(emu, 599)
    assert client.get(f"did_reservations/{held['id']}").status_code == 200
    tick(emu, 2)
    assert client.get(f"did_reservations/{held['id']}").status_code == 404
    assert number in ids({"data": group(client, "munich").stock})
    # The clock drives timestamps too.
    later = created(client, "did_reservations", reservation(number))
    assert _stamp(later["attributes"]["created_at"]) > _stamp(held["attributes"]["expires_at"])


def test_expire_at_in_2022() -> None:
    with running_emulator(api_version=V2022, rate_limit=None) as emu, api_client(emu) as client:
        held = created(client, "did_reservations", reservation(group(client, "london").stock[0]["id"]))
        assert set(held["attributes"]) == {"created_at", "description", "expire_at"}
        newer = client.get(f"did_reservations/{held['id']}", headers={"X-DIDWW-API-Version": "2026-04-16"}).json()
        assert newer["data"]["attributes"]["expires_at"] == held["attributes"]["expire_at"]
