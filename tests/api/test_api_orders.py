"""Every order item shape round-trips through the client against the emulator, in both pinned
versions: the order is placed, completes, charges the balance and yields its DIDs."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from didww_api_helpers import settings_for

from didww_iac.api import (
    DidwwClient,
    InsufficientBalanceError,
    Ref,
    available_did_order_item,
    capacity_order_item,
    did_order_item,
    nanpa_order_item,
    reservation_order_item,
)
from didww_iac.emulator.testing import running_emulator


def _tick(admin_url: str) -> None:
    httpx.post(admin_url + "clock/tick").raise_for_status()


@pytest.mark.parametrize("version", ["2022-05-10", "2026-04-16"])
def test_every_order_item_shape(version: str) -> None:
    with (
        running_emulator(api_version=version, rate_limit=None, order_delay=60, balance="1000.00") as emu,
        DidwwClient(settings_for(emu, api_version=version)) as c,
    ):
        groups = c.list("did_groups", include=["stock_keeping_units"])
        sku_of: dict[str, str] = {}
        for group in groups:
            skus = group.related("stock_keeping_units")
            assert isinstance(skus, list) and skus
            sku_of[group.id] = skus[0].id
        group_id, sku = next(iter(sku_of.items()))
        available = c.list("available_dids", filters={"did_group.id": group_id})
        reservation = c.create(
            "did_reservations", {"description": "held"}, {"available_did": Ref("available_dids", available[1].id)}
        )
        nanpa = c.list("nanpa_prefixes")[0]
        (nanpa_group,) = c.list("did_groups", filters={"nanpa_prefix.id": nanpa.id})
        pool = c.list("capacity_pools")[0]
        balance_before = float(c.request("GET", "balance").data.attributes["balance"])  # type: ignore[union-attr]

        # Specific numbers first: a quantity line takes whatever stock is left.
        items: list[dict[str, Any]] = [
            available_did_order_item(sku, available[0].id),
            reservation_order_item(sku, reservation.id),
            did_order_item(sku, qty=2),
            nanpa_order_item(sku_of[nanpa_group.id], nanpa.id, qty=1),
        ]
        order = c.create("orders", {"items": items})
        assert order.attributes["status"] == "pending"  # canonical (lowercase) in both versions
        assert [i["type"] for i in order.attributes["items"]] == ["did_order_items"] * 4

        _tick(emu.admin_url)
        done = c.get("orders", order.id)
        assert done.attributes["status"] == "completed"
        dids = c.list("dids", filters={"order.id": order.id})
        assert len(dids) == 5
        numbers = {d.attributes["number"] for d in dids}
        assert available[0].attributes["number"] in numbers
        balance_after = float(c.request("GET", "balance").data.attributes["balance"])  # type: ignore[union-attr]
        assert balance_after < balance_before

        capacity = c.create("orders", {"items": [capacity_order_item(pool.id, qty=1)]})
        assert capacity.attributes["items"][0]["type"] == "capacity_order_items"


def test_an_order_beyond_the_balance_is_refused_with_both_amounts() -> None:
    with (
        running_emulator(rate_limit=None, balance="0.10") as emu,
        DidwwClient(settings_for(emu)) as c,
    ):
        group = c.list("did_groups", include=["stock_keeping_units"])[0]
        skus = group.related("stock_keeping_units")
        assert isinstance(skus, list)
        with pytest.raises(InsufficientBalanceError) as info:
            c.create("orders", {"items": [did_order_item(skus[-1].id, qty=50)]})
        assert info.value.available_balance is not None and info.value.total_cost is not None
        assert c.list("orders") == []
