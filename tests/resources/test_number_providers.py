"""The order and DID providers against a real emulator: wait, adopt, never pay twice, protect
completed orders, detach or terminate numbers."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from didww_iac.emulator.testing import RunningEmulator, running_emulator
from didww_iac.resources import orders as orders_module
from didww_iac.resources.dids import DidProvider
from didww_iac.resources.errors import DidwwResourceError
from didww_iac.resources.orders import OrderProvider
from didww_iac.resources.provider import DidwwProvider
from tests.resources.helpers import api_requests, call, clear_requests, configured

KEY = "number-providers-key-5e2a"


@pytest.fixture
def emulator() -> Iterator[RunningEmulator]:
    with running_emulator(api_keys=[KEY], rate_limit=None, order_delay=60, balance="500.00", request_log=True) as emu:
        yield emu


def provider(emulator: RunningEmulator, cls: type[DidwwProvider]) -> DidwwProvider:
    return configured(emulator, cls, KEY)


def api(emulator: RunningEmulator, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    return call(emulator, KEY, method, path, body)


def tick(emulator: RunningEmulator) -> None:
    httpx.post(emulator.admin_url + "clock/tick").raise_for_status()


def order_props(emulator: RunningEmulator, ref: str, **extra: Any) -> dict[str, Any]:
    group = api(emulator, "GET", "did_groups?include=stock_keeping_units")["data"][0]
    sku = group["relationships"]["stock_keeping_units"]["data"][0]["id"]
    items = [{"type": "did_order_items", "attributes": {"sku_id": sku, "qty": 2}}]
    return {"items": items, "external_reference_id": ref, "wait_timeout_seconds": 5, **extra}


def orders(emulator: RunningEmulator) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = api(emulator, "GET", "orders")["data"]
    return data


def test_create_waits_for_completion_and_exposes_the_numbers(emulator: RunningEmulator) -> None:
    httpx.patch(emulator.admin_url + "account", json={"order_delay": 0.3}).raise_for_status()

    result = provider(emulator, OrderProvider).create(order_props(emulator, "ref-a"))

    assert result.outs is not None
    assert result.outs["status"] == "completed"
    assert len(result.outs["did_ids"]) == 2 and len(result.outs["did_numbers"]) == 2
    assert result.outs["did_numbers"] == sorted(result.outs["did_numbers"])


def test_a_pending_order_reports_how_long_it_has_waited(
    emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    httpx.patch(emulator.admin_url + "account", json={"order_delay": 2.5}).raise_for_status()
    monkeypatch.setattr(orders_module, "PROGRESS_SECONDS", 1.0)
    with caplog.at_level(logging.WARNING, logger=orders_module.__name__):
        result = provider(emulator, OrderProvider).create(order_props(emulator, "ref-progress"))
    assert result.outs is not None and result.outs["status"] == "completed"
    waits = [r.getMessage() for r in caplog.records if ": pending for " in r.getMessage()]
    assert waits and all(w.startswith("order ") and w.endswith(" s (waiting up to 5 s)") for w in waits)
    # A line per progress interval, each saying how long the order has waited so far.
    seconds = [int(re.search(r"pending for (\d+) s", w).group(1)) for w in waits]  # type: ignore[union-attr]
    assert seconds[0] >= 1 and seconds == sorted(seconds)


def test_changing_a_placed_orders_callback_is_refused_with_the_reason(emulator: RunningEmulator) -> None:
    httpx.patch(emulator.admin_url + "account", json={"order_delay": 0}).raise_for_status()
    placed = order_props(emulator, "ref-callback", callback_url="https://hooks.example.com/a", callback_method="post")
    located = {
        **placed,
        "source_location": {"file": "stacks/s.yaml", "entry": "orders.o", "lines": {"callback_url": 9}},
    }
    orders_ = provider(emulator, OrderProvider)
    result = orders_.create(located)
    assert result.outs is not None
    changed = {**located, "callback_url": "https://hooks.example.com/b"}
    with pytest.raises(DidwwResourceError) as refused:
        orders_.check(result.outs, changed)
    assert str(refused.value).startswith("stacks/s.yaml:9: orders.o.callback_url: DIDWW sets an order's callback")
    assert not orders_.diff(result.id, result.outs, located).changes  # unchanged: nothing to do
    clear_requests(emulator)
    orders_.check(result.outs, located)  # the same callback passes, with no request
    assert api_requests(emulator) == []


def test_a_timed_out_order_is_picked_up_again_not_placed_twice(emulator: RunningEmulator) -> None:
    props = order_props(emulator, "ref-b", wait_timeout_seconds=1)
    with pytest.raises(DidwwResourceError, match="still pending after 1 s"):
        provider(emulator, OrderProvider).create(props)
    (placed,) = orders(emulator)

    tick(emulator)
    resumed = provider(emulator, OrderProvider).create(props)

    assert resumed.id == placed["id"]
    assert len(orders(emulator)) == 1


def test_a_canceled_order_with_our_reference_is_not_adopted(emulator: RunningEmulator) -> None:
    props = order_props(emulator, "ref-c")
    earlier = api(emulator, "POST", "orders", {"data": {"type": "orders", "attributes": {
        "items": props["items"], "external_reference_id": "ref-c"}}})["data"]["id"]  # fmt: skip
    api(emulator, "DELETE", f"orders/{earlier}")
    httpx.patch(emulator.admin_url + "account", json={"order_delay": 0}).raise_for_status()

    result = provider(emulator, OrderProvider).create(props)

    assert result.id != earlier
    assert {o["attributes"]["status"] for o in orders(emulator)} == {"canceled", "completed"}


def test_behind_a_canceled_order_the_live_one_with_our_reference_is_adopted(emulator: RunningEmulator) -> None:
    """A crashed run left a pending order; an older one with the same reference was canceled."""
    props = order_props(emulator, "ref-d")
    body = {"data": {"type": "orders", "attributes": {"items": props["items"], "external_reference_id": "ref-d"}}}
    canceled = api(emulator, "POST", "orders", body)["data"]["id"]
    api(emulator, "DELETE", f"orders/{canceled}")
    left = api(emulator, "POST", "orders", body)["data"]["id"]
    httpx.patch(emulator.admin_url + "account", json={"order_delay": 0}).raise_for_status()
    tick(emulator)

    result = provider(emulator, OrderProvider).create(props)

    assert result.id == left
    assert len(orders(emulator)) == 2  # nothing placed a third time


def test_delete_cancels_pending_refuses_completed_and_releases_on_request(emulator: RunningEmulator) -> None:
    p = provider(emulator, OrderProvider)
    pending = api(emulator, "POST", "orders", {"data": {"type": "orders", "attributes": {
        "items": order_props(emulator, "x")["items"]}}})["data"]["id"]  # fmt: skip
    p.delete(pending, {"on_delete": "refuse"})
    assert api(emulator, "GET", f"orders/{pending}")["data"]["attributes"]["status"] == "canceled"

    httpx.patch(emulator.admin_url + "account", json={"order_delay": 0}).raise_for_status()
    done = p.create(order_props(emulator, "ref-d"))
    assert done.outs is not None
    with pytest.raises(DidwwResourceError, match="is completed: its numbers are in use and billed"):
        p.delete(done.id, done.outs)
    p.delete(done.id, {**done.outs, "on_delete": "forget"})
    assert all(not d["attributes"]["terminated"] for d in api(emulator, "GET", "dids")["data"])

    p.delete(done.id, {**done.outs, "on_delete": "release"})
    assert all(d["attributes"]["terminated"] for d in api(emulator, "GET", "dids")["data"])


def test_a_did_is_adopted_by_number_routed_then_detached_or_terminated(emulator: RunningEmulator) -> None:
    httpx.patch(emulator.admin_url + "account", json={"order_delay": 0}).raise_for_status()
    order = provider(emulator, OrderProvider).create(order_props(emulator, "ref-e"))
    assert order.outs is not None
    first, second = order.outs["did_numbers"]
    group = api(emulator, "POST", "voice_in_trunk_groups", {
        "data": {"type": "voice_in_trunk_groups", "attributes": {"name": "G"}}})["data"]["id"]  # fmt: skip
    dids = provider(emulator, DidProvider)

    routed = dids.create({"lookup_number": first, "description": "main", "voice_in_trunk_group": group})
    assert routed.outs is not None and routed.outs["number"] == first
    live = api(emulator, "GET", f"dids/{routed.id}?include=voice_in_trunk_group")["data"]
    assert live["relationships"]["voice_in_trunk_group"]["data"]["id"] == group
    assert live["attributes"]["description"] == "main"

    pool = api(emulator, "GET", "capacity_pools")["data"][0]["id"]
    group_body = {
        "type": "shared_capacity_groups",
        "attributes": {"name": "S", "shared_channels_count": 1, "metered_channels_count": 0},
        "relationships": {"capacity_pool": {"data": {"type": "capacity_pools", "id": pool}}},
    }
    sharing = api(emulator, "POST", "shared_capacity_groups", {"data": group_body})["data"]["id"]
    declared = {"lookup_number": first, "description": "main", "voice_in_trunk_group": group}
    shared = dids.update(routed.id, routed.outs, {**declared, "shared_capacity_group": sharing})
    assert shared.outs is not None and shared.outs["shared_capacity_group"] == sharing

    dids.delete(routed.id, shared.outs)  # detach: routing and channel sharing cleared, number kept
    live = api(emulator, "GET", f"dids/{routed.id}?include=voice_in_trunk_group,shared_capacity_group")["data"]
    assert live["relationships"]["voice_in_trunk_group"]["data"] is None
    assert live["relationships"]["shared_capacity_group"]["data"] is None
    assert live["attributes"]["terminated"] is False

    other = dids.create({"order_did_id": order.outs["did_ids"][1], "order_index": 1, "on_delete": "terminate"})
    assert other.outs is not None and other.outs["number"] == second
    # A state written when every entry carried its order's whole list picks the same number:
    # no replacement, and a refresh writes today's shape.
    legacy = {k: v for k, v in other.outs.items() if k != "order_did_id"}
    legacy["order_did_ids"] = order.outs["did_ids"]
    declared_now = {"order_did_id": order.outs["did_ids"][1], "order_index": 1, "on_delete": "terminate"}
    assert not dids.diff(other.id, legacy, declared_now).changes
    refreshed = dids.read(other.id, legacy).outs
    assert refreshed is not None and refreshed["order_did_id"] == order.outs["did_ids"][1]
    assert "order_did_ids" not in refreshed
    moved = dids.diff(other.id, legacy, {**declared_now, "order_did_id": order.outs["did_ids"][0], "order_index": 0})
    assert moved.replaces and "order_did_id" in moved.replaces
    dids.delete(other.id, other.outs)
    assert api(emulator, "GET", f"dids/{other.id}")["data"]["attributes"]["terminated"] is True

    with pytest.raises(DidwwResourceError, match="no DID 19999999999 in this DIDWW account"):
        dids.create({"lookup_number": "19999999999"})
    with pytest.raises(DidwwResourceError, match="the order delivered no number at index 7"):
        dids.create({"order_did_id": None, "order_index": 7})


def test_refreshing_numbers_and_their_order_costs_one_listing_each(emulator: RunningEmulator) -> None:
    httpx.patch(emulator.admin_url + "account", json={"order_delay": 0}).raise_for_status()
    order = provider(emulator, OrderProvider).create(order_props(emulator, "ref-r"))
    assert order.outs is not None
    clear_requests(emulator)

    dids, orders_ = provider(emulator, DidProvider), provider(emulator, OrderProvider)
    numbers = [dids.read(i, {}).outs["number"] for i in order.outs["did_ids"]]  # type: ignore[index]
    status = orders_.read(order.id, order.outs).outs["status"]  # type: ignore[index]

    assert numbers == order.outs["did_numbers"] and status == "completed"
    assert [e["path"] for e in api_requests(emulator)] == ["/v3/dids", "/v3/orders"]  # a small account: listed whole


def test_detaching_leaves_links_the_entry_never_declared(emulator: RunningEmulator) -> None:
    httpx.patch(emulator.admin_url + "account", json={"order_delay": 0}).raise_for_status()
    order = provider(emulator, OrderProvider).create(order_props(emulator, "ref-h"))
    assert order.outs is not None
    dids = provider(emulator, DidProvider)
    adopted = dids.create({"lookup_number": order.outs["did_numbers"][0], "description": "kept"})
    group = api(emulator, "POST", "voice_in_trunk_groups", {
        "data": {"type": "voice_in_trunk_groups", "attributes": {"name": "By hand"}}})["data"]["id"]  # fmt: skip
    link = {"data": {"type": "voice_in_trunk_groups", "id": group}}
    body = {"data": {"type": "dids", "id": adopted.id, "relationships": {"voice_in_trunk_group": link}}}
    api(emulator, "PATCH", f"dids/{adopted.id}", body)

    refreshed = provider(emulator, DidProvider).read(adopted.id, adopted.outs or {})
    assert refreshed.outs is not None and refreshed.outs["voice_in_trunk_group"] == group
    provider(emulator, DidProvider).delete(adopted.id, refreshed.outs)

    live = api(emulator, "GET", f"dids/{adopted.id}?include=voice_in_trunk_group")["data"]
    assert live["relationships"]["voice_in_trunk_group"]["data"]["id"] == group  # routed by hand: kept
