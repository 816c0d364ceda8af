"""voice_in_trunk_groups conformance: attributes, membership, trunks_count, includes, errors."""

from __future__ import annotations

import httpx

from didww_iac.emulator.testing import RunningEmulator

from .fixtures import GROUP_ATTRIBUTES_2026, identifier, patch, pstn_trunk, trunk_group
from .helpers import assert_validation_error, created, relationship_links, single_error


def _group_of(client: httpx.Client, trunk_id: str) -> str | None:
    doc = client.get(f"voice_in_trunks/{trunk_id}", params={"include": "voice_in_trunk_group"}).json()
    linkage = doc["data"]["relationships"]["voice_in_trunk_group"]["data"]
    return None if linkage is None else str(linkage["id"])


def test_simple_create_document(client: httpx.Client, emu: RunningEmulator) -> None:
    response = client.post("voice_in_trunk_groups", json=trunk_group(external_reference_id="test"))
    assert response.status_code == 201
    doc = response.json()
    data = doc["data"]
    assert set(data["attributes"]) == GROUP_ATTRIBUTES_2026
    assert data["attributes"]["name"] == "Main group" and data["attributes"]["capacity_limit"] == 100
    assert data["attributes"]["external_reference_id"] == "test"
    assert data["relationships"] == {
        "voice_in_trunks": {
            "links": relationship_links(emu.base_url, "voice_in_trunk_groups", data["id"], "voice_in_trunks")
        }
    }
    assert data["meta"] == {"trunks_count": 0}
    assert doc["meta"] == {"api_version": "2026-04-16"}


def test_create_with_trunks_and_include(client: httpx.Client) -> None:
    trunks = [created(client, "voice_in_trunks", pstn_trunk(name=f"T{i}"))["id"] for i in range(3)]
    response = client.post("voice_in_trunk_groups?include=voice_in_trunks", json=trunk_group(trunk_ids=trunks))
    assert response.status_code == 201
    doc = response.json()
    assert doc["data"]["meta"] == {"trunks_count": 3}
    linkage = doc["data"]["relationships"]["voice_in_trunks"]["data"]
    assert linkage == [identifier("voice_in_trunks", t) for t in trunks]
    assert [r["id"] for r in doc["included"]] == trunks
    assert all(r["type"] == "voice_in_trunks" for r in doc["included"])
    assert _group_of(client, trunks[0]) == doc["data"]["id"]


def test_membership_moves_trunks_and_empty_list_clears(client: httpx.Client) -> None:
    t1 = created(client, "voice_in_trunks", pstn_trunk(name="T1"))["id"]
    t2 = created(client, "voice_in_trunks", pstn_trunk(name="T2"))["id"]
    a = created(client, "voice_in_trunk_groups", trunk_group(name="A", trunk_ids=[t1, t2]))["id"]
    b = created(client, "voice_in_trunk_groups", trunk_group(name="B", trunk_ids=[t2]))["id"]
    # A trunk belongs to one group: putting t2 into B took it out of A.
    assert client.get(f"voice_in_trunk_groups/{a}").json()["data"]["meta"] == {"trunks_count": 1}
    assert _group_of(client, t2) == b

    body = patch("voice_in_trunk_groups", a, voice_in_trunks=[])
    response = client.patch(f"voice_in_trunk_groups/{a}", json=body)
    assert response.status_code == 200
    assert response.json()["data"]["meta"] == {"trunks_count": 0}
    assert _group_of(client, t1) is None
    assert _group_of(client, t2) == b  # members of other groups are untouched


def test_trunk_side_relationship_sets_membership(client: httpx.Client) -> None:
    group = created(client, "voice_in_trunk_groups", trunk_group())["id"]
    body = pstn_trunk()
    body["data"]["relationships"] = {"voice_in_trunk_group": {"data": identifier("voice_in_trunk_groups", group)}}
    trunk = created(client, "voice_in_trunks", body)["id"]
    doc = client.get(f"voice_in_trunk_groups/{group}", params={"include": "voice_in_trunks"}).json()
    assert doc["data"]["relationships"]["voice_in_trunks"]["data"] == [identifier("voice_in_trunks", trunk)]
    assert doc["data"]["meta"]["trunks_count"] == 1


def test_invalid_trunk_ids_and_duplicate_name(client: httpx.Client) -> None:
    created(client, "voice_in_trunk_groups", trunk_group())
    response = client.post(
        "voice_in_trunk_groups", json=trunk_group(trunk_ids=["b7a9d1ce-6a89-4071-bc0d-486ee223787d"])
    )
    assert_validation_error(response, "/data/attributes/name", "name - has already been taken")
    assert_validation_error(response, "/data/attributes/trunk_ids", "trunk_ids - are invalid")
    assert len(response.json()["errors"]) == 2


def test_capacity_limit_validation(client: httpx.Client) -> None:
    response = client.post("voice_in_trunk_groups", json=trunk_group(capacity_limit=-1))
    assert_validation_error(
        response, "/data/attributes/capacity_limit", "capacity_limit - must be greater than or equal to 0"
    )
    group = created(client, "voice_in_trunk_groups", trunk_group())["id"]
    null = client.patch(
        f"voice_in_trunk_groups/{group}", json=patch("voice_in_trunk_groups", group, {"capacity_limit": None})
    )
    assert_validation_error(null, "/data/attributes/capacity_limit", "capacity_limit - can't be blank")


def test_update_rename_and_external_reference_filter(client: httpx.Client) -> None:
    group = created(client, "voice_in_trunk_groups", trunk_group())["id"]
    body = patch(
        "voice_in_trunk_groups",
        group,
        {"name": "Renamed group", "capacity_limit": 1, "external_reference_id": "urn:x"},
    )
    data = client.patch(f"voice_in_trunk_groups/{group}", json=body).json()["data"]
    assert (data["attributes"]["name"], data["attributes"]["capacity_limit"]) == ("Renamed group", 1)
    created(client, "voice_in_trunk_groups", trunk_group(name="Other"))
    found = client.get("voice_in_trunk_groups", params={"filter[external_reference_id]": "urn:x"}).json()
    assert [d["id"] for d in found["data"]] == [group]
    assert found["meta"]["total_records"] == 1
    # The collection documents only external_reference_id for trunk groups (both versions, and in
    # 2022-05-10 none at all); id is allowed on every type, as jsonapi-resources allows it.
    refused = single_error(client.get("voice_in_trunk_groups", params={"filter[name]": "Other"}), 400)
    assert (refused["code"], refused["detail"]) == ("102", "name is not allowed.")
    assert [d["id"] for d in client.get("voice_in_trunk_groups", params={"filter[id]": group}).json()["data"]] == [
        group
    ]


def test_delete_group_detaches_its_trunks(client: httpx.Client) -> None:
    trunk = created(client, "voice_in_trunks", pstn_trunk())["id"]
    group = created(client, "voice_in_trunk_groups", trunk_group(trunk_ids=[trunk]))["id"]
    assert client.delete(f"voice_in_trunk_groups/{group}").status_code == 204
    assert _group_of(client, trunk) is None
    single_error(
        client.patch(f"voice_in_trunk_groups/{group}", json=patch("voice_in_trunk_groups", group, {"name": "x"})),
        404,
    )


def test_nested_include(client: httpx.Client) -> None:
    trunk = created(client, "voice_in_trunks", pstn_trunk())["id"]
    created(client, "voice_in_trunk_groups", trunk_group(trunk_ids=[trunk]))
    doc = client.get("voice_in_trunk_groups", params={"include": "voice_in_trunks.voice_in_trunk_group"}).json()
    included = doc["included"]
    assert [r["id"] for r in included] == [trunk]
    assert included[0]["relationships"]["voice_in_trunk_group"]["data"]["id"] == doc["data"][0]["id"]
