"""dids: the document, settings, routing (trunk xor trunk group), capacity, filters, versions."""

from __future__ import annotations

import re
from typing import Any

import httpx

from didww_iac.emulator.testing import RunningEmulator, running_emulator

from .conftest import api_client
from .fixtures import (
    DID_ATTRIBUTES_2022,
    DID_ATTRIBUTES_2026,
    DID_RELATIONSHIPS_2022,
    DID_RELATIONSHIPS_2026,
    V2022,
    did_item,
    identifier,
    order,
    patch,
    pstn_trunk,
    shared_capacity_group,
    trunk_group,
)
from .helpers import (
    assert_validation_error,
    created,
    group,
    ids,
    relationship_links,
    set_account,
    single_error,
)

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def bought(client: httpx.Client, emu: RunningEmulator, area: str = "london", qty: int = 1) -> list[dict[str, Any]]:
    set_account(emu, order_delay=0)
    placed = created(client, "orders", order(did_item(group(client, area).sku_ids[0], qty=qty)))
    data: list[dict[str, Any]] = client.get("dids", params={"filter[order.id]": placed["id"]}).json()["data"]
    return data


def _patch(client: httpx.Client, did_id: str, attributes: dict[str, Any] | None = None, **rels: Any) -> httpx.Response:
    return client.patch(f"dids/{did_id}", json=patch("dids", did_id, attributes, **rels))


def _pool(client: httpx.Client, name: str = "Standard") -> dict[str, Any]:
    pools: list[dict[str, Any]] = client.get("capacity_pools").json()["data"]
    return next(p for p in pools if p["attributes"]["name"] == name)


def test_did_document(client: httpx.Client, emu: RunningEmulator) -> None:
    (did,) = bought(client, emu)
    assert set(did["attributes"]) == DID_ATTRIBUTES_2026
    assert set(did["relationships"]) == DID_RELATIONSHIPS_2026
    for name, value in did["relationships"].items():
        assert value == {"links": relationship_links(emu.base_url, "dids", did["id"], name)}
    attributes = did["attributes"]
    assert TIMESTAMP.match(attributes["created_at"]) and TIMESTAMP.match(attributes["expires_at"])
    assert attributes["expires_at"] > attributes["created_at"]
    assert (attributes["blocked"], attributes["terminated"], attributes["emergency_enabled"]) == (
        False,
        False,
        False,
    )
    assert attributes["number"].startswith("4420") and attributes["dedicated_channels_count"] == 0
    assert "meta" not in did
    assert client.get(f"dids/{did['id']}").json() == {"data": did, "meta": {"api_version": "2026-04-16"}}
    assert single_error(client.get("dids/44957076-778a-4802-b60c-d22db0cda284"), 404)["code"] == "404"


def test_dids_are_neither_created_nor_deleted(client: httpx.Client, emu: RunningEmulator) -> None:
    (did,) = bought(client, emu)
    assert single_error(client.post("dids", json={"data": {"type": "dids"}}), 405)["status"] == "405"
    assert client.delete(f"dids/{did['id']}").status_code == 405
    assert client.get(f"dids/{did['id']}").status_code == 200
    # Behind the API's back (the panel), a DID can go away.
    assert httpx.delete(f"{emu.admin_url}resources/dids/{did['id']}").status_code == 204
    assert client.get(f"dids/{did['id']}").status_code == 404


def test_update_settings(client: httpx.Client, emu: RunningEmulator) -> None:
    (did,) = bought(client, emu)
    changes = {"description": "string", "capacity_limit": 1, "billing_cycles_count": 2, "terminated": True}
    response = _patch(client, did["id"], {**changes, "pending_removal": False, "number": "1"})
    assert response.status_code == 200
    attributes = response.json()["data"]["attributes"]
    assert {k: attributes[k] for k in changes} == changes
    assert attributes["number"] == did["attributes"]["number"]  # read-only: ignored
    assert_validation_error(
        _patch(client, did["id"], {"billing_cycles_count": 1000}),
        "/data/attributes/billing_cycles_count",
        "billing_cycles_count - must be less than or equal to 999",
    )
    assert single_error(_patch(client, did["id"], {"colour": "red"}), 400)["detail"] == "colour is not allowed."
    cleared = _patch(client, did["id"], {"billing_cycles_count": None, "terminated": False}).json()["data"]
    assert (cleared["attributes"]["billing_cycles_count"], cleared["attributes"]["terminated"]) == (
        None,
        False,
    )


def test_routing_to_trunk_or_group_never_both(client: httpx.Client, emu: RunningEmulator) -> None:
    (did,) = bought(client, emu)
    trunk = created(client, "voice_in_trunks", pstn_trunk())["id"]
    group_id = created(client, "voice_in_trunk_groups", trunk_group())["id"]
    include = "?include=voice_in_trunk,voice_in_trunk_group"

    def routed(response: httpx.Response) -> tuple[Any, Any]:
        assert response.status_code == 200, response.text
        rels = response.json()["data"]["relationships"]
        return rels["voice_in_trunk"]["data"], rels["voice_in_trunk_group"]["data"]

    to_trunk = client.patch(
        f"dids/{did['id']}{include}",
        json=patch("dids", did["id"], voice_in_trunk=identifier("voice_in_trunks", trunk)),
    )
    assert routed(to_trunk) == (identifier("voice_in_trunks", trunk), None)
    to_group = client.patch(
        f"dids/{did['id']}{include}",
        json=patch("dids", did["id"], voice_in_trunk_group=identifier("voice_in_trunk_groups", group_id)),
    )
    # Setting the group cleared the trunk.
    assert routed(to_group) == (None, identifier("voice_in_trunk_groups", group_id))
    both = _patch(
        client,
        did["id"],
        voice_in_trunk=identifier("voice_in_trunks", trunk),
        voice_in_trunk_group=identifier("voice_in_trunk_groups", group_id),
    )
    assert_validation_error(
        both,
        "/data/relationships/voice_in_trunk_group",
        "voice_in_trunk_group - can't be set together with voice_in_trunk",
    )
    assert ids(client.get("dids", params={"filter[voice_in_trunk_group.id]": group_id}).json()) == [did["id"]]
    unassigned = client.patch(f"dids/{did['id']}{include}", json=patch("dids", did["id"], voice_in_trunk_group=None))
    assert routed(unassigned) == (None, None)


def test_deleting_a_trunk_unroutes_its_dids(client: httpx.Client, emu: RunningEmulator) -> None:
    (did,) = bought(client, emu)
    body = pstn_trunk()
    pop = client.get("pops").json()["data"][0]["id"]
    body["data"]["relationships"] = {"pop": {"data": identifier("pops", pop)}}
    trunk = created(client, "voice_in_trunks", body)["id"]
    _patch(client, did["id"], voice_in_trunk=identifier("voice_in_trunks", trunk)).raise_for_status()
    nested = client.get(f"dids/{did['id']}", params={"include": "voice_in_trunk.pop"}).json()
    assert {(i["type"], i["id"]) for i in nested["included"]} == {("voice_in_trunks", trunk), ("pops", pop)}
    assert ids(client.get("dids", params={"filter[voice_in_trunk.id]": trunk}).json()) == [did["id"]]
    client.delete(f"voice_in_trunks/{trunk}").raise_for_status()
    after = client.get(f"dids/{did['id']}", params={"include": "voice_in_trunk"}).json()
    assert after["data"]["relationships"]["voice_in_trunk"]["data"] is None


def test_server_set_relationships_are_refused(client: httpx.Client, emu: RunningEmulator) -> None:
    (did,) = bought(client, emu)
    refused = _patch(client, did["id"], order=identifier("orders", "x"))
    assert single_error(refused, 400)["detail"] == "order is not allowed."
    unknown = _patch(client, did["id"], emergency_calling_service=identifier("emergency_calling_services", "x"))
    assert unknown.status_code == 422
    assert _patch(client, did["id"], emergency_calling_service=None).status_code == 200


def test_filters(client: httpx.Client, emu: RunningEmulator) -> None:
    london = bought(client, emu, "london", qty=2)
    (paris,) = bought(client, emu, "paris")
    _patch(client, london[0]["id"], {"terminated": True, "description": "main line"}).raise_for_status()

    def found(**params: str) -> list[str]:
        return ids(client.get("dids", params=params).json())

    assert found(**{"filter[terminated]": "true"}) == [london[0]["id"]]
    assert found(**{"filter[description]": "main line"}) == [london[0]["id"]]
    assert found(**{"filter[number]": paris["attributes"]["number"]}) == [paris["id"]]
    france = client.get("countries", params={"filter[iso]": "FR"}).json()["data"][0]["id"]
    assert found(**{"filter[country.id]": france}) == [paris["id"]]
    assert found(**{"filter[did_group.id]": group(client, "london").id}) == [d["id"] for d in london]
    reference = client.get(f"dids/{paris['id']}", params={"include": "order"}).json()["included"][0]
    assert found(**{"filter[order.reference]": reference["attributes"]["reference"]}) == [paris["id"]]
    assert found(**{"filter[did_group.features]": "voice_in,t38"}) == [
        *[d["id"] for d in london],
        paris["id"],
    ]
    numbers = [d["attributes"]["number"] for d in client.get("dids", params={"sort": "-number"}).json()["data"]]
    assert numbers == sorted(numbers, reverse=True)


def test_dedicated_and_shared_capacity(client: httpx.Client, emu: RunningEmulator) -> None:
    first, second = bought(client, emu, "dallas", qty=2)
    pool = _pool(client)
    total = pool["attributes"]["total_channels_count"]
    no_pool = _patch(client, first["id"], {"dedicated_channels_count": 2})
    assert_validation_error(no_pool, "/data/relationships/capacity_pool", "capacity_pool - can't be blank")
    ok = _patch(
        client,
        first["id"],
        {"dedicated_channels_count": 2},
        capacity_pool=identifier("capacity_pools", pool["id"]),
    )
    assert ok.json()["data"]["attributes"]["dedicated_channels_count"] == 2
    assert _pool(client)["attributes"]["assigned_channels_count"] == 2
    too_many = _patch(
        client,
        second["id"],
        {"dedicated_channels_count": total},
        capacity_pool=identifier("capacity_pools", pool["id"]),
    )
    assert_validation_error(
        too_many,
        "/data/attributes/dedicated_channels_count",
        f"dedicated_channels_count - must be less than or equal to {total - 2}",
    )
    shared = created(client, "shared_capacity_groups", shared_capacity_group(pool["id"]))["id"]
    assigned = _patch(client, second["id"], shared_capacity_group=identifier("shared_capacity_groups", shared))
    assert assigned.status_code == 200
    doc = client.get(f"shared_capacity_groups/{shared}", params={"include": "dids"}).json()
    assert doc["data"]["relationships"]["dids"]["data"] == [identifier("dids", second["id"])]
    assert ids(client.get("dids", params={"filter[shared_capacity_group.id]": shared}).json()) == [second["id"]]
    assert ids(client.get("dids", params={"filter[capacity_pool.id]": pool["id"]}).json()) == [first["id"]]


def test_2022_did_shape() -> None:
    with running_emulator(api_version=V2022, rate_limit=None) as emu, api_client(emu) as client:
        (did,) = bought(client, emu)
        assert set(did["attributes"]) == DID_ATTRIBUTES_2022
        assert set(did["relationships"]) == DID_RELATIONSHIPS_2022
        assert client.get("dids", params={"filter[emergency_enabled]": "false"}).status_code == 400
        assert client.get("dids", params={"include": "identity"}).status_code == 400
        newer = client.get("dids", params={"include": "identity"}, headers={"X-DIDWW-API-Version": "2026-04-16"})
        assert newer.json()["data"][0]["relationships"]["identity"]["data"] is None


def test_shared_capacity_group_assigns_dids_from_its_side(client: httpx.Client, emu: RunningEmulator) -> None:
    first, second = bought(client, emu, "toronto", qty=2)
    body = shared_capacity_group(_pool(client)["id"])
    body["data"]["relationships"]["dids"] = {
        "data": [identifier("dids", first["id"]), identifier("dids", second["id"])]
    }
    response = client.post("shared_capacity_groups?include=dids", json=body)
    assert response.status_code == 201
    group_id = response.json()["data"]["id"]
    assert {i["id"] for i in response.json()["included"]} == {first["id"], second["id"]}
    linked = client.get(f"dids/{first['id']}", params={"include": "shared_capacity_group"}).json()
    assert linked["data"]["relationships"]["shared_capacity_group"]["data"] == identifier(
        "shared_capacity_groups", group_id
    )
    emptied = client.patch(
        f"shared_capacity_groups/{group_id}?include=dids",
        json=patch("shared_capacity_groups", group_id, dids=[]),
    )
    assert emptied.json()["data"]["relationships"]["dids"]["data"] == []
    assert ids(client.get("dids", params={"filter[shared_capacity_group.id]": group_id}).json()) == []
    body["data"]["attributes"]["name"] = "Second"
    second_group = created(client, "shared_capacity_groups", body)["id"]
    assert client.delete(f"shared_capacity_groups/{group_id}").status_code == 204
    in_second = ids(client.get("dids", params={"filter[shared_capacity_group.id]": second_group}).json())
    assert in_second == [first["id"], second["id"]]
