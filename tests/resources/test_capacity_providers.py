"""Capacity pools (adopted, never created or deleted), shared capacity groups and DID
reservations: the providers against a real emulator over HTTP, called as the engine calls them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from didww_iac.emulator.testing import RunningEmulator, running_emulator
from didww_iac.resources.capacity_pools import CapacityPoolProvider
from didww_iac.resources.did_reservations import DidReservationProvider
from didww_iac.resources.errors import DidwwResourceError
from didww_iac.resources.provider import DidwwProvider
from didww_iac.resources.shared_capacity_groups import SharedCapacityGroupProvider
from tests.resources.helpers import api_requests, call, clear_requests, configured

KEY = "capacity-providers-key-3b9e"

pytestmark = pytest.mark.usefixtures("clean_emulator")


def provider(emulator: RunningEmulator, cls: type[DidwwProvider]) -> DidwwProvider:
    return configured(emulator, cls, KEY)


def api(emulator: RunningEmulator, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    return call(emulator, KEY, method, path, body)


def pools(emulator: RunningEmulator) -> dict[str, dict[str, Any]]:
    """The seeded pools by name: Standard (10 channels) and Extended (20, at least 5)."""
    return {p["attributes"]["name"]: p for p in api(emulator, "GET", "capacity_pools")["data"]}


def two_numbers(emulator: RunningEmulator) -> list[str]:
    group = api(emulator, "GET", "did_groups?include=stock_keeping_units")["data"][0]
    sku = group["relationships"]["stock_keeping_units"]["data"][0]["id"]
    items = [{"type": "did_order_items", "attributes": {"sku_id": sku, "qty": 2}}]
    api(emulator, "POST", "orders", {"data": {"type": "orders", "attributes": {"items": items}}})
    httpx.post(emulator.admin_url + "clock/tick").raise_for_status()  # completes the order now
    return sorted(d["id"] for d in api(emulator, "GET", "dids")["data"])


def located(entry: str, lines: dict[str, float]) -> dict[str, Any]:
    # What the program attaches to every resource (the engine turns numbers into floats).
    return {"file": "stacks/dev.yaml", "entry": entry, "lines": {"": 3.0, **lines}}


# --- capacity pools -----------------------------------------------------------------------------


def test_a_pool_is_adopted_by_name_its_channels_applied_and_left_alone_on_delete(emulator: RunningEmulator) -> None:
    standard = pools(emulator)["Standard"]
    p = provider(emulator, CapacityPoolProvider)
    declared = {"lookup_name": "Standard", "total_channels_count": 8}

    created = p.create(declared)

    assert created.id == standard["id"] and api_requests(emulator, "POST") == []
    assert created.outs is not None
    assert (created.outs["name"], created.outs["total_channels_count"]) == ("Standard", 8)
    assert pools(emulator)["Standard"]["attributes"]["total_channels_count"] == 8
    assert p.diff(created.id, created.outs, declared).changes is False

    fewer = {**declared, "total_channels_count": 6}
    diff = p.diff(created.id, created.outs, fewer)
    assert diff.changes is True and diff.replaces == []
    updated = p.update(created.id, created.outs, fewer)
    assert updated.outs is not None and updated.outs["total_channels_count"] == 6
    # Another pool is another resource: adopted anew, this one forgotten.
    assert p.diff(created.id, updated.outs, {**fewer, "lookup_name": "Extended"}).replaces == ["lookup_name"]

    p.delete(created.id, updated.outs)

    assert api_requests(emulator, "DELETE") == []
    assert pools(emulator)["Standard"]["attributes"]["total_channels_count"] == 6  # left as it is


def test_a_pool_is_adopted_by_id_and_a_missing_one_is_named(emulator: RunningEmulator) -> None:
    extended = pools(emulator)["Extended"]
    p = provider(emulator, CapacityPoolProvider)

    adopted = p.create({"adopt_id": extended["id"]})

    assert adopted.outs is not None and adopted.outs["name"] == "Extended"
    assert adopted.outs["total_channels_count"] == 20  # not declared: DIDWW's value, unchanged
    assert api_requests(emulator, "PATCH") == []
    missing = {"lookup_name": "Premium", "source_location": located("capacity_pools.premium", {})}
    with pytest.raises(DidwwResourceError) as info:
        p.create(missing)
    assert str(info.value).startswith(
        "stacks/dev.yaml:3: capacity_pools.premium: no capacity_pools with name 'Premium' in this DIDWW account"
    )


def test_adding_channels_by_patch_is_refused_at_the_stack_line(emulator: RunningEmulator) -> None:
    props = {
        "lookup_name": "Standard",
        "total_channels_count": 12,
        "source_location": located("capacity_pools.us", {"name": 4.0, "total_channels_count": 5.0}),
    }
    with pytest.raises(DidwwResourceError) as info:
        provider(emulator, CapacityPoolProvider).create(props)

    assert str(info.value).startswith(
        "stacks/dev.yaml:5: capacity_pools.us.total_channels_count: total_channels_count - must be less than"
    )


# --- shared capacity groups ---------------------------------------------------------------------


def group_props(pool: str, dids: list[str], **changes: Any) -> dict[str, Any]:
    props: dict[str, Any] = {
        "name": "Office",
        "shared_channels_count": 2,
        "metered_channels_count": 1,
        "capacity_pool": pool,
        "dids": dids,
        "external_reference_id": "ref-office",
    }
    return {**props, **changes}


def test_a_shared_group_is_created_updated_in_place_and_deleted(emulator: RunningEmulator) -> None:
    first, second = two_numbers(emulator)
    by_name = pools(emulator)
    p = provider(emulator, SharedCapacityGroupProvider)
    declared = group_props(by_name["Standard"]["id"], [first])

    created = p.create(declared)

    assert created.outs is not None
    assert created.outs["dids"] == [first] and created.outs["capacity_pool"] == by_name["Standard"]["id"]
    assert pools(emulator)["Standard"]["attributes"]["assigned_channels_count"] == 2
    assert p.diff(created.id, created.outs, declared).changes is False

    # Every setting, the pool included, changes in place.
    moved = group_props(by_name["Extended"]["id"], [first, second], name="Office 2", shared_channels_count=3)
    diff = p.diff(created.id, created.outs, moved)
    assert diff.changes is True and diff.replaces == []
    clear_requests(emulator)
    p.update(created.id, created.outs, moved)

    (patch,) = api_requests(emulator, "PATCH")
    assert set(patch["body"]["data"]["attributes"]) == {"name", "shared_channels_count"}
    assert set(patch["body"]["data"]["relationships"]) == {"capacity_pool", "dids"}
    refreshed = provider(emulator, SharedCapacityGroupProvider).read(created.id, moved).outs
    assert refreshed is not None
    assert (refreshed["name"], refreshed["dids"], refreshed["capacity_pool"]) == (
        "Office 2",
        [first, second],
        by_name["Extended"]["id"],
    )

    p.delete(created.id, refreshed)
    p.delete(created.id, refreshed)  # already gone: not an error
    assert api(emulator, "GET", "shared_capacity_groups")["data"] == []


def test_a_second_create_with_the_same_reference_adopts_the_first(emulator: RunningEmulator) -> None:
    declared = group_props(pools(emulator)["Standard"]["id"], [])
    first = provider(emulator, SharedCapacityGroupProvider).create(declared)

    again = provider(emulator, SharedCapacityGroupProvider).create(declared)

    assert again.id == first.id
    assert len(api_requests(emulator, "POST")) == 1


def test_more_channels_than_the_pool_holds_is_refused_at_the_stack_line(emulator: RunningEmulator) -> None:
    props = {
        **group_props(pools(emulator)["Standard"]["id"], [], shared_channels_count=50),
        "source_location": located("shared_capacity_groups.office", {"shared_channels_count": 6.0}),
    }
    with pytest.raises(DidwwResourceError) as info:
        provider(emulator, SharedCapacityGroupProvider).create(props)

    assert str(info.value).startswith(
        "stacks/dev.yaml:6: shared_capacity_groups.office.shared_channels_count: shared_channels_count - must be"
    )
    assert "422 on POST /v3/shared_capacity_groups" in str(info.value)


def test_the_older_version_works_without_references_and_with_expire_at() -> None:
    with running_emulator(api_keys=[KEY], rate_limit=None, api_version="2022-05-10") as emu:
        pool = pools(emu)["Standard"]["id"]
        p = configured(emu, SharedCapacityGroupProvider, KEY, "2022-05-10")

        created = p.create(group_props(pool, [], external_reference_id=None))

        assert created.outs is not None and created.outs["external_reference_id"] is None
        assert p.diff(created.id, created.outs, group_props(pool, [], external_reference_id=None)).changes is False
        # 2022-05-10 names it `expire_at`; the client gives it the current name.
        reserved = configured(emu, DidReservationProvider, KEY, "2022-05-10").create(
            {"available_did": available(emu)[0]}
        )
        assert reserved.outs is not None and reserved.outs["expires_at"]


# --- DID reservations ---------------------------------------------------------------------------


def available(emulator: RunningEmulator) -> list[str]:
    return [d["id"] for d in api(emulator, "GET", "available_dids?page[size]=100")["data"]]


def test_a_reservation_holds_a_number_is_replaced_on_any_change_and_released(emulator: RunningEmulator) -> None:
    number, other = available(emulator)[:2]
    p = provider(emulator, DidReservationProvider)
    declared = {"available_did": number, "description": "new office"}

    created = p.create(declared)

    assert created.outs is not None
    assert created.outs["available_did"] == number and created.outs["expires_at"]
    assert number not in available(emulator)
    assert p.diff(created.id, created.outs, declared).changes is False
    # DIDWW has no PATCH for reservations: any change is a new one, the old one deleted first
    # (it holds the number).
    renamed = p.diff(created.id, created.outs, {**declared, "description": "lab"})
    assert renamed.replaces == ["description"] and renamed.delete_before_replace is True
    assert p.diff(created.id, created.outs, {**declared, "available_did": other}).replaces == ["available_did"]

    p.delete(created.id, created.outs)

    assert api(emulator, "GET", "did_reservations")["data"] == []
    assert number in available(emulator)


def test_a_number_reserved_already_is_adopted_unless_it_differs(emulator: RunningEmulator) -> None:
    number = available(emulator)[0]
    body = {
        "data": {
            "type": "did_reservations",
            "attributes": {"description": "by hand"},
            "relationships": {"available_did": {"data": {"type": "available_dids", "id": number}}},
        }
    }
    by_hand = api(emulator, "POST", "did_reservations", body)["data"]["id"]
    p = provider(emulator, DidReservationProvider)

    adopted = p.create({"available_did": number, "description": "by hand"})

    assert adopted.id == by_hand
    with pytest.raises(DidwwResourceError, match="exists with another description than declared"):
        p.create({"available_did": number, "description": "something else"})
    assert [r["id"] for r in api(emulator, "GET", "did_reservations")["data"]] == [by_hand]


def test_an_unknown_number_is_refused_at_the_stack_line(emulator: RunningEmulator) -> None:
    props = {
        "available_did": "00000000-0000-0000-0000-000000000000",
        "source_location": located("did_reservations.hold", {"available_did_id": 4.0}),
    }
    with pytest.raises(DidwwResourceError) as info:
        provider(emulator, DidReservationProvider).create(props)

    assert str(info.value).startswith("stacks/dev.yaml:4: did_reservations.hold.available_did_id: ")


def test_an_expired_reservation_reads_as_gone(emulator: RunningEmulator) -> None:
    number = available(emulator)[0]
    created = provider(emulator, DidReservationProvider).create({"available_did": number})

    httpx.post(emulator.admin_url + "clock/tick", json={"seconds": 601}).raise_for_status()  # DIDWW's 10 minutes

    assert provider(emulator, DidReservationProvider).read(created.id, created.outs or {}).id == ""
    assert number in available(emulator)


def test_a_dropped_reservation_post_is_looked_up_by_number_then_retried(emulator: RunningEmulator) -> None:
    number = available(emulator)[0]
    p = provider(emulator, DidReservationProvider)
    assert p.index.get("warm-up") is None  # the version check happens first
    httpx.post(emulator.admin_url + "faults", json={"drop_next": 1}).raise_for_status()

    created = p.create({"available_did": number})

    assert [r["id"] for r in api(emulator, "GET", "did_reservations")["data"]] == [created.id]
    assert len(api_requests(emulator, "POST")) == 2  # the dropped one and the retry after an empty lookup
    listings = [r for r in api_requests(emulator, "GET") if "include=available_did" in r["query"]]
    assert len(listings) == 2  # the warm-up and the lookup by number
