"""Concurrent writers over real HTTP: no lost or duplicated updates."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx

from didww_iac.emulator.testing import RunningEmulator

from .fixtures import did_item, identifier, order, patch, pstn_trunk, trunk_group
from .helpers import created, group, tick


def test_concurrent_creates_all_land(emu: RunningEmulator, client: httpx.Client) -> None:
    # httpx.Client is thread-safe; its pool opens one connection per concurrent request.
    def create(i: int) -> str:
        return str(created(client, "voice_in_trunks", pstn_trunk(name=f"T{i}"))["id"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(create, range(40)))
    assert len(set(ids)) == 40
    assert {r.id for r in emu.state.records("voice_in_trunks")} == set(ids)


def test_concurrent_joins_of_one_group_lose_nothing(emu: RunningEmulator, client: httpx.Client) -> None:
    group = created(client, "voice_in_trunk_groups", trunk_group())["id"]
    trunks = [created(client, "voice_in_trunks", pstn_trunk(name=f"T{i}"))["id"] for i in range(24)]

    def join(trunk_id: str) -> int:
        body = patch("voice_in_trunks", trunk_id, voice_in_trunk_group=identifier("voice_in_trunk_groups", group))
        return client.patch(f"voice_in_trunks/{trunk_id}", json=body).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(join, trunks)) == {200}
    assert client.get(f"voice_in_trunk_groups/{group}").json()["data"]["meta"] == {"trunks_count": 24}


def test_concurrent_creates_with_one_name_yield_one_record(emu: RunningEmulator, client: httpx.Client) -> None:
    def create(_: int) -> int:
        return client.post("voice_in_trunks", json=pstn_trunk(name="same")).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(create, range(16)))
    assert statuses.count(201) == 1 and statuses.count(422) == 15
    assert len(emu.state.records("voice_in_trunks")) == 1


def test_concurrent_orders_for_the_last_number(emu: RunningEmulator, client: httpx.Client) -> None:
    london = group(client, "london")
    last = london.stock[0]["id"]
    item = did_item(london.sku_ids[0], available_did_id=last)
    barrier = threading.Barrier(8)

    def buy(_: int) -> int:
        barrier.wait()
        return client.post("orders", json=order(item)).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(buy, range(8)))
    assert statuses.count(201) == 1 and statuses.count(422) == 7
    tick(emu)
    numbers = [d["attributes"]["number"] for d in client.get("dids").json()["data"]]
    assert numbers == [london.stock[0]["attributes"]["number"]]


def test_concurrent_orders_never_oversell_stock(emu: RunningEmulator, client: httpx.Client) -> None:
    paris = group(client, "paris")
    everything = order(did_item(paris.sku_ids[0], qty=len(paris.stock)), allow_back_ordering=False)
    barrier = threading.Barrier(2)

    def buy(_: int) -> int:
        barrier.wait()
        return client.post("orders", json=everything).status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        assert sorted(pool.map(buy, range(2))) == [201, 422]
    assert group(client, "paris").stock == []
