"""Rendered resources are reused between writes; any write, even to another record, must show."""

from __future__ import annotations

import httpx

from didww_iac.emulator.testing import RunningEmulator

from .fixtures import did_item, identifier, order, pstn_trunk, trunk_group
from .helpers import created, group, tick


def test_meta_follows_writes_to_other_records(client: httpx.Client) -> None:
    group_id = created(client, "voice_in_trunk_groups", trunk_group())["id"]
    assert client.get(f"voice_in_trunk_groups/{group_id}").json()["data"]["meta"] == {"trunks_count": 0}
    body = pstn_trunk()
    body["data"]["relationships"] = {"voice_in_trunk_group": {"data": identifier("voice_in_trunk_groups", group_id)}}
    created(client, "voice_in_trunks", body)
    assert client.get(f"voice_in_trunk_groups/{group_id}").json()["data"]["meta"] == {"trunks_count": 1}
    listed = client.get("voice_in_trunk_groups").json()["data"]
    assert listed[0]["meta"] == {"trunks_count": 1}


def test_stock_counts_follow_orders_and_the_clock(client: httpx.Client, emu: RunningEmulator) -> None:
    london = group(client, "london")
    before = client.get(f"did_groups/{london.id}").json()["data"]["meta"]["total_count"]
    created(client, "orders", order(did_item(london.sku_ids[0], qty=2)))
    assert client.get(f"did_groups/{london.id}").json()["data"]["meta"]["total_count"] == before - 2
    balance = client.get("balance").json()["data"]["attributes"]["balance"]
    tick(emu)  # completion is a write made by the clock, not by a request
    assert client.get("balance").json()["data"]["attributes"]["balance"] != balance
