"""Concurrent writers over real HTTP: no lost or duplicated updates."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from didww_iac.emulator.testing import RunningEmulator

from .fixtures import identifier, patch, pstn_trunk, trunk_group
from .helpers import created


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
        body = patch(
            "voice_in_trunks", trunk_id, voice_in_trunk_group=identifier("voice_in_trunk_groups", group)
        )
        return client.patch(f"voice_in_trunks/{trunk_id}", json=body).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(join, trunks)) == {200}
    assert client.get(f"voice_in_trunk_groups/{group}").json()["data"]["meta"] == {"trunks_count": 24}


def test_concurrent_creates_with_one_name_yield_one_record(
    emu: RunningEmulator, client: httpx.Client
) -> None:
    def create(_: int) -> int:
        return client.post("voice_in_trunks", json=pstn_trunk(name="same")).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(create, range(16)))
    assert statuses.count(201) == 1 and statuses.count(422) == 15
    assert len(emu.state.records("voice_in_trunks")) == 1
