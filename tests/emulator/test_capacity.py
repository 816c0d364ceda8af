"""balance, capacity_pools (read + PATCH) and shared_capacity_groups (CRUD)."""

from __future__ import annotations

import re
from typing import Any

import httpx

from didww_iac.emulator.testing import RunningEmulator, running_emulator

from .conftest import api_client
from .fixtures import (
    CAPACITY_POOL_ATTRIBUTES,
    SHARED_GROUP_ATTRIBUTES_2022,
    SHARED_GROUP_ATTRIBUTES_2026,
    V2022,
    patch,
    shared_capacity_group,
)
from .helpers import assert_validation_error, created, ids, set_account, single_error

DECIMAL = re.compile(r"^\d+\.\d+$")


def _pools(client: httpx.Client) -> dict[str, dict[str, Any]]:
    return {p["attributes"]["name"]: p for p in client.get("capacity_pools").json()["data"]}


def test_balance_singleton(client: httpx.Client, emu: RunningEmulator) -> None:
    body = client.get("balance").json()
    assert set(body) == {"data", "meta"} and body["data"]["type"] == "balances"
    assert body["data"]["attributes"] == {"balance": "100.00", "credit": "0.00", "total_balance": "100.00"}
    assert "relationships" not in body["data"]
    set_account(emu, balance="50")
    assert client.get("balance").json()["data"]["attributes"]["balance"] == "50.00"
    assert httpx.patch(emu.admin_url + "account", json={"balance": "lots"}).status_code == 400
    assert client.get("balances").status_code == 404
    assert client.post("balance", json={"data": {"type": "balances"}}).status_code == 405


def test_capacity_pool_document(client: httpx.Client, emu: RunningEmulator) -> None:
    pools = _pools(client)
    assert {"Standard", "Extended"} <= set(pools)
    extended = pools["Extended"]
    assert set(extended["attributes"]) == CAPACITY_POOL_ATTRIBUTES
    for name in ("setup_price", "monthly_price", "metered_rate"):
        assert DECIMAL.match(extended["attributes"][name])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", extended["attributes"]["renew_date"])
    assert set(extended["relationships"]) == {"countries", "shared_capacity_groups", "qty_based_pricings"}
    one = client.get(f"capacity_pools/{extended['id']}", params={"include": "countries,qty_based_pricings"}).json()
    isos = {i["attributes"]["iso"] for i in one["included"] if i["type"] == "countries"}
    assert isos == {"GB", "DE", "FR"}
    tiers = [i["attributes"] for i in one["included"] if i["type"] == "qty_based_pricings"]
    assert tiers and all(set(t) == {"qty", "setup_price", "monthly_price"} for t in tiers)
    names = [p["attributes"]["name"] for p in client.get("capacity_pools", params={"sort": "-name"}).json()["data"]]
    assert names == sorted(names, reverse=True)
    assert client.post("capacity_pools", json={"data": {"type": "capacity_pools"}}).status_code == 405
    assert client.delete(f"capacity_pools/{extended['id']}").status_code == 405


def test_capacity_pool_patch_removes_unassigned_channels_only(client: httpx.Client) -> None:
    extended = _pools(client)["Extended"]
    pool_id, total = extended["id"], extended["attributes"]["total_channels_count"]
    created(client, "shared_capacity_groups", shared_capacity_group(pool_id, shared=8))

    def set_total(value: int) -> httpx.Response:
        return client.patch(
            f"capacity_pools/{pool_id}",
            json=patch("capacity_pools", pool_id, {"total_channels_count": value}),
        )

    response = set_total(total - 2)
    assert response.status_code == 200
    attributes = response.json()["data"]["attributes"]
    assert (attributes["total_channels_count"], attributes["assigned_channels_count"]) == (total - 2, 8)
    pointer = "/data/attributes/total_channels_count"
    assert_validation_error(set_total(7), pointer, "total_channels_count - must be greater than or equal to 8")
    assert_validation_error(
        set_total(total), pointer, f"total_channels_count - must be less than or equal to {total - 2}"
    )
    # A read-only attribute is ignored, as jsonapi-resources does.
    ignored = client.patch(f"capacity_pools/{pool_id}", json=patch("capacity_pools", pool_id, {"name": "Mine"}))
    assert ignored.status_code == 200 and ignored.json()["data"]["attributes"]["name"] == "Extended"


def test_shared_capacity_group_crud(client: httpx.Client, emu: RunningEmulator) -> None:
    pool = _pools(client)["Standard"]
    response = client.post(
        "shared_capacity_groups", json=shared_capacity_group(pool["id"], external_reference_id="test")
    )
    assert response.status_code == 201
    group = response.json()["data"]
    assert set(group["attributes"]) == SHARED_GROUP_ATTRIBUTES_2026
    assert group["attributes"]["shared_channels_count"] == 3 and group["attributes"]["metered_channels_count"] == 5
    assert group["attributes"]["external_reference_id"] == "test"
    assert set(group["relationships"]) == {"capacity_pool", "dids"}
    doc = client.get(f"capacity_pools/{pool['id']}", params={"include": "shared_capacity_groups"}).json()
    assert doc["data"]["relationships"]["shared_capacity_groups"]["data"] == [
        {"type": "shared_capacity_groups", "id": group["id"]}
    ]
    assert doc["data"]["attributes"]["assigned_channels_count"] == 3
    renamed = client.patch(
        f"shared_capacity_groups/{group['id']}",
        json=patch("shared_capacity_groups", group["id"], {"name": "Renamed group"}),
    )
    assert renamed.json()["data"]["attributes"]["name"] == "Renamed group"
    by_name = client.get("shared_capacity_groups", params={"filter[name]": "Renamed group"}).json()
    assert ids(by_name) == [group["id"]]
    assert ids(client.get("shared_capacity_groups", params={"filter[capacity_pool.id]": pool["id"]}).json()) == [
        group["id"]
    ]
    assert client.delete(f"shared_capacity_groups/{group['id']}").status_code == 204
    assert single_error(client.delete(f"shared_capacity_groups/{group['id']}"), 404)["code"] == "404"


def test_shared_capacity_group_errors(client: httpx.Client) -> None:
    pool = _pools(client)["Standard"]
    bad_pool = client.post("shared_capacity_groups", json=shared_capacity_group("1e9e4362-bc5c-47f3-a2bb-c17afa66f3fa"))
    assert_validation_error(bad_pool, "/data/relationships/capacity_pool", "capacity_pool - is invalid")
    body = shared_capacity_group(pool["id"])
    del body["data"]["relationships"]
    assert_validation_error(
        client.post("shared_capacity_groups", json=body),
        "/data/relationships/capacity_pool",
        "capacity_pool - can't be blank",
    )
    total = pool["attributes"]["total_channels_count"]
    too_big = client.post("shared_capacity_groups", json=shared_capacity_group(pool["id"], shared=total + 1))
    assert_validation_error(
        too_big,
        "/data/attributes/shared_channels_count",
        f"shared_channels_count - must be less than or equal to {total}",
    )
    created(client, "shared_capacity_groups", shared_capacity_group(pool["id"]))
    duplicate = client.post("shared_capacity_groups", json=shared_capacity_group(pool["id"]))
    assert_validation_error(duplicate, "/data/attributes/name", "name - has already been taken")


def test_shared_capacity_group_2022() -> None:
    with running_emulator(api_version=V2022, rate_limit=None) as emu, api_client(emu) as client:
        pool = _pools(client)["Standard"]
        group = created(client, "shared_capacity_groups", shared_capacity_group(pool["id"]))
        assert set(group["attributes"]) == SHARED_GROUP_ATTRIBUTES_2022
        refused = client.post(
            "shared_capacity_groups",
            json=shared_capacity_group(pool["id"], name="x", external_reference_id="y"),
        )
        assert single_error(refused, 400)["detail"] == "external_reference_id is not allowed."
