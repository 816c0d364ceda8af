"""orders: every item kind, pricing, the pending -> completed lifecycle (by delay and by clock
tick), DIDs created and linked, balance charged, insufficient balance, cancel, PATCH."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from didww_iac.emulator.testing import RunningEmulator, running_emulator

from .conftest import api_client
from .fixtures import (
    CAPACITY_ITEM_ATTRIBUTES,
    DID_ITEM_ATTRIBUTES,
    ORDER_ATTRIBUTES_2022,
    ORDER_ATTRIBUTES_2026,
    V2022,
    capacity_item,
    did_item,
    order,
    patch,
    reservation,
)
from .helpers import (
    assert_validation_error,
    balance,
    created,
    group,
    ids,
    set_account,
    single_error,
    tick,
)

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def _sku_price(client: httpx.Client, sku_id: str) -> Decimal:
    body = client.get("did_groups", params={"include": "stock_keeping_units", "page[size]": "100"}).json()
    sku = next(i for i in body["included"] if i["id"] == sku_id)
    return Decimal(sku["attributes"]["setup_price"]) + Decimal(sku["attributes"]["monthly_price"])


def _dids_of(client: httpx.Client, order_id: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = client.get("dids", params={"filter[order.id]": order_id}).json()["data"]
    return data


def _status(client: httpx.Client, order_id: str) -> str:
    return str(client.get(f"orders/{order_id}").json()["data"]["attributes"]["status"])


def test_did_order_document_while_pending(client: httpx.Client) -> None:
    london = group(client, "london")
    response = client.post("orders", json=order(did_item(london.sku_ids[1], qty=2)))
    assert response.status_code == 201
    body = response.json()
    assert body["meta"] == {"api_version": "2026-04-16"}
    data = body["data"]
    assert set(data) == {"id", "type", "attributes"}  # orders have no relationships
    attributes = data["attributes"]
    assert set(attributes) == ORDER_ATTRIBUTES_2026
    assert attributes["status"] == "pending" and attributes["description"] == "DID"
    assert re.fullmatch(r"[A-Z]{3}-\d{6}", attributes["reference"]) and TIMESTAMP.match(attributes["created_at"])
    assert attributes["amount"] == str(2 * _sku_price(client, london.sku_ids[1]))  # "5.0": qty * (nrc + mrc)
    (item,) = attributes["items"]
    assert item["type"] == "did_order_items" and set(item["attributes"]) == DID_ITEM_ATTRIBUTES
    assert item["attributes"]["qty"] == 2 and item["attributes"]["did_group_id"] == london.id
    assert (item["attributes"]["billed_from"], item["attributes"]["billed_to"]) == (None, None)
    assert item["attributes"]["nrc"] == "1.0" and item["attributes"]["mrc"] == "2.0"
    assert (attributes["callback_url"], attributes["callback_method"]) == (None, None)
    assert balance(client) == "100.00"  # charged on completion
    # The numbers are held: they left the stock at once.
    assert len(group(client, "london").stock) == len(london.stock) - 2
    assert _dids_of(client, data["id"]) == []


def test_order_completes_after_the_delay(client: httpx.Client, emu: RunningEmulator) -> None:
    set_account(emu, order_delay=0.3)
    london = group(client, "london")
    placed = created(client, "orders", order(did_item(london.sku_ids[0], qty=2)))
    assert placed["attributes"]["status"] == "pending"
    time.sleep(0.4)
    done = client.get(f"orders/{placed['id']}").json()["data"]["attributes"]
    assert done["status"] == "completed"
    today = datetime.now(UTC).date().isoformat()
    assert done["items"][0]["attributes"]["billed_from"] == today
    dids = _dids_of(client, placed["id"])
    numbers = {d["attributes"]["number"] for d in dids}
    assert numbers == {n["attributes"]["number"] for n in london.stock[:2]}
    assert balance(client) == f"{Decimal('100') - Decimal(placed['attributes']['amount']):.2f}"


def test_clock_tick_completes_pending_orders(client: httpx.Client, emu: RunningEmulator) -> None:
    paris = group(client, "paris")
    first = created(client, "orders", order(did_item(paris.sku_ids[0], qty=1)))
    second = created(client, "orders", order(did_item(paris.sku_ids[1], qty=1)))
    assert _status(client, first["id"]) == "pending"  # default delay: 2 s
    tick(emu)
    assert [_status(client, o["id"]) for o in (first, second)] == ["completed", "completed"]
    did = _dids_of(client, first["id"])[0]
    assert did["relationships"]["order"]["links"]["related"].endswith(f"/dids/{did['id']}/order")
    linked = client.get(f"dids/{did['id']}", params={"include": "order,did_group"}).json()
    assert linked["data"]["relationships"]["order"]["data"] == {"type": "orders", "id": first["id"]}
    assert {(i["type"], i["id"]) for i in linked["included"]} == {
        ("orders", first["id"]),
        ("did_groups", paris.id),
    }
    # Paris numbers need registration; the second SKU includes 2 channels.
    assert did["attributes"]["awaiting_registration"] is True
    assert _dids_of(client, second["id"])[0]["attributes"]["channels_included_count"] == 2


def test_zero_delay_completes_in_the_post(client: httpx.Client, emu: RunningEmulator) -> None:
    set_account(emu, order_delay=0)
    dallas = group(client, "dallas")
    placed = created(client, "orders", order(did_item(dallas.sku_ids[0], qty=1, billing_cycles_count=3)))
    assert placed["attributes"]["status"] == "completed"
    (did,) = _dids_of(client, placed["id"])
    assert did["attributes"]["billing_cycles_count"] == 3


def test_available_did_item(client: httpx.Client, emu: RunningEmulator) -> None:
    chicago = group(client, "chicago")
    wanted = chicago.stock[3]
    item = did_item(chicago.sku_ids[0], available_did_id=wanted["id"])
    placed = created(client, "orders", order(item, allow_back_ordering=False, external_reference_id="test"))
    assert placed["attributes"]["external_reference_id"] == "test"
    assert placed["attributes"]["items"][0]["attributes"]["qty"] == 1
    assert single_error(client.get(f"available_dids/{wanted['id']}"), 404)["status"] == "404"
    again = client.post("orders", json=order(item))
    assert_validation_error(
        again, "/data/attributes/items/0/attributes/available_did_id", "available_did_id - is invalid"
    )
    tick(emu)
    assert [d["attributes"]["number"] for d in _dids_of(client, placed["id"])] == [wanted["attributes"]["number"]]
    found = client.get("orders", params={"filter[external_reference_id]": "test"}).json()
    assert ids(found) == [placed["id"]]


def test_reservation_item(client: httpx.Client, emu: RunningEmulator) -> None:
    toronto = group(client, "toronto")
    held = created(client, "did_reservations", reservation(toronto.stock[0]["id"]))
    placed = created(client, "orders", order(did_item(toronto.sku_ids[0], did_reservation_id=held["id"])))
    assert single_error(client.get(f"did_reservations/{held['id']}"), 404)["status"] == "404"  # used up
    tick(emu)
    assert [d["attributes"]["number"] for d in _dids_of(client, placed["id"])] == [
        toronto.stock[0]["attributes"]["number"]
    ]


def test_nanpa_item(client: httpx.Client, emu: RunningEmulator) -> None:
    new_york = group(client, "new york")
    prefix = client.get("nanpa_prefixes", params={"filter[npa]": "212"}).json()["data"][1]
    start = "1" + prefix["attributes"]["npa"] + prefix["attributes"]["nxx"]
    # No qty: one number, as in the recorded NPA/NXX request.
    placed = created(client, "orders", order(did_item(new_york.sku_ids[0], nanpa_prefix_id=prefix["id"])))
    assert placed["attributes"]["items"][0]["attributes"]["qty"] == 1
    tick(emu)
    assert all(str(d["attributes"]["number"]).startswith(start) for d in _dids_of(client, placed["id"]))
    dallas_prefix = client.get("nanpa_prefixes", params={"filter[npa]": "214"}).json()["data"][0]
    wrong = client.post("orders", json=order(did_item(new_york.sku_ids[0], nanpa_prefix_id=dallas_prefix["id"], qty=1)))
    assert_validation_error(
        wrong, "/data/attributes/items/0/attributes/nanpa_prefix_id", "nanpa_prefix_id - is invalid"
    )


def test_capacity_order_completes_at_once(client: httpx.Client) -> None:
    pools = client.get("capacity_pools").json()["data"]
    standard = next(p for p in pools if p["attributes"]["name"] == "Standard")
    placed = created(client, "orders", order(capacity_item(standard["id"], 2)))
    attributes = placed["attributes"]
    # Recorded: a capacity order answers "completed" at once.
    assert (attributes["status"], attributes["description"], attributes["amount"]) == (
        "completed",
        "Capacity",
        "60.0",
    )
    item = attributes["items"][0]
    assert item["type"] == "capacity_order_items" and set(item["attributes"]) == CAPACITY_ITEM_ATTRIBUTES
    assert (item["attributes"]["nrc"], item["attributes"]["mrc"]) == ("15.0", "15.0")
    after = client.get(f"capacity_pools/{standard['id']}").json()["data"]["attributes"]
    assert after["total_channels_count"] == standard["attributes"]["total_channels_count"] + 2
    assert balance(client) == "40.00"
    too_few = client.post("orders", json=order(capacity_item(standard["id"], 0)))
    assert_validation_error(
        too_few, "/data/attributes/items/0/attributes/qty", "qty - must be greater than or equal to 1"
    )


def test_insufficient_balance_2026(client: httpx.Client, emu: RunningEmulator) -> None:
    set_account(emu, balance="1.9")
    london = group(client, "london")
    response = client.post("orders", json=order(did_item(london.sku_ids[0], qty=1)))
    error = single_error(response, 400)
    assert error == {
        "title": "Insufficient balance",
        "detail": "Insufficient balance",
        "code": "400",
        "status": "400",
        "meta": {"available_balance": "1.9", "total_cost": "2.5"},
    }
    assert len(group(client, "london").stock) == len(london.stock)  # nothing held
    cheap = created(client, "orders", order(did_item(group(client, "dallas").sku_ids[0], qty=1)))
    # A pending order's cost is no longer available.
    second = single_error(client.post("orders", json=order(did_item(group(client, "dallas").sku_ids[0], qty=4))), 400)
    assert second["meta"]["available_balance"] == str(Decimal("1.9") - Decimal(cheap["attributes"]["amount"]))


def test_cancel_pending_restores_stock(client: httpx.Client, emu: RunningEmulator) -> None:
    edinburgh = group(client, "edinburgh")
    placed = created(client, "orders", order(did_item(edinburgh.sku_ids[0], qty=3)))
    response = client.delete(f"orders/{placed['id']}")
    assert response.status_code == 204 and response.content == b""
    assert _status(client, placed["id"]) == "canceled"
    assert ids({"data": group(client, "edinburgh").stock}) == ids({"data": edinburgh.stock})
    tick(emu)
    assert _dids_of(client, placed["id"]) == [] and balance(client) == "100.00"
    again = client.delete(f"orders/{placed['id']}")
    assert_validation_error(
        again,
        "/data/attributes/status",
        "status - only pending orders can be canceled; this order is canceled",
    )


def test_cancel_completed_is_refused(client: httpx.Client, emu: RunningEmulator) -> None:
    placed = created(client, "orders", order(did_item(group(client, "munich").sku_ids[0], qty=1)))
    tick(emu)
    refused = client.delete(f"orders/{placed['id']}")
    assert_validation_error(
        refused,
        "/data/attributes/status",
        "status - only pending orders can be canceled; this order is completed",
    )
    assert _status(client, placed["id"]) == "completed" and len(_dids_of(client, placed["id"])) == 1
    assert single_error(client.delete("orders/1b3ac4b7-315c-4416-afb8-24d8e7c4ec0c"), 404)["code"] == "404"


def test_patch_changes_external_reference_id_only(client: httpx.Client) -> None:
    placed = created(client, "orders", order(did_item(group(client, "berlin").sku_ids[0], qty=1)))
    response = client.patch(
        f"orders/{placed['id']}", json=patch("orders", placed["id"], {"external_reference_id": "x"})
    )
    assert response.status_code == 200
    assert response.json()["data"]["attributes"]["external_reference_id"] == "x"
    for name, value in (("callback_url", "https://example.com/cb"), ("items", [])):
        refused = client.patch(f"orders/{placed['id']}", json=patch("orders", placed["id"], {name: value}))
        assert single_error(refused, 400)["detail"] == f"{name} is not allowed."


def test_item_validation(client: httpx.Client) -> None:
    london = group(client, "london")
    assert_validation_error(client.post("orders", json=order()), "/data/attributes/items", "items - can't be blank")
    unknown = client.post("orders", json=order(did_item("b6d9d793-578d-42d3-bc33-73dd8155e615", qty=1)))
    assert_validation_error(unknown, "/data/attributes/items/0/attributes/sku_id", "sku_id - is invalid")
    zero = client.post("orders", json=order(did_item(london.sku_ids[0], qty=0)))
    assert_validation_error(zero, "/data/attributes/items/0/attributes/qty", "qty - must be greater than or equal to 1")
    kind = client.post("orders", json=order({"type": "sms_order_items", "attributes": {}}))
    assert_validation_error(kind, "/data/attributes/items/0/type", "type - is invalid")
    both = client.post("orders", json=order(did_item(london.sku_ids[0], qty=1, available_did_id=london.stock[0]["id"])))
    assert both.status_code == 422
    upper = client.post("orders", json=order(did_item(london.sku_ids[0], qty=1), callback_method="GET"))
    assert_validation_error(upper, "/data/attributes/callback_method", "callback_method - is not included in the list")
    assert client.get("orders").json()["meta"]["total_records"] == 0


def test_back_ordering(client: httpx.Client, emu: RunningEmulator) -> None:
    frankfurt = group(client, "frankfurt")
    wanted = len(frankfurt.stock) + 2
    refused = client.post("orders", json=order(did_item(frankfurt.sku_ids[0], qty=wanted), allow_back_ordering=False))
    assert_validation_error(
        refused,
        "/data/attributes/items/0/attributes/qty",
        f"qty - must be less than or equal to {len(frankfurt.stock)} (numbers in stock)",
    )
    # 2026-04-16: allow_back_ordering defaults to true.
    placed = created(client, "orders", order(did_item(frankfurt.sku_ids[0], qty=wanted)))
    tick(emu)
    numbers = [str(d["attributes"]["number"]) for d in _dids_of(client, placed["id"])]
    assert len(set(numbers)) == wanted and all(n.startswith("4969") and len(n) == 12 for n in numbers)
    assert group(client, "frankfurt").stock == []


def test_orders_list_filters_and_sort(client: httpx.Client, emu: RunningEmulator) -> None:
    first = created(client, "orders", order(did_item(group(client, "london").sku_ids[0], qty=4)))
    time.sleep(0.01)
    second = created(client, "orders", order(did_item(group(client, "paris").sku_ids[0], qty=1)))
    tick(emu)
    third = created(client, "orders", order(did_item(group(client, "berlin").sku_ids[0], qty=1)))
    amounts = [o["attributes"]["amount"] for o in (first, second, third)]
    assert amounts == ["10.0", "3.5", "5.0"]
    assert ids(client.get("orders", params={"filter[status]": "pending"}).json()) == [third["id"]]
    reference = second["attributes"]["reference"]
    assert ids(client.get("orders", params={"filter[reference]": reference}).json()) == [second["id"]]
    since = {"filter[created_at_gteq]": second["attributes"]["created_at"]}
    assert ids(client.get("orders", params=since).json()) == [second["id"], third["id"]]
    newest = ids(client.get("orders", params={"sort": "-created_at"}).json())
    assert newest == [third["id"], second["id"], first["id"]]
    # Amounts are decimal strings but sort as numbers.
    cheapest = ids(client.get("orders", params={"sort": "amount"}).json())
    assert cheapest == [second["id"], third["id"], first["id"]]


@pytest.fixture(scope="module")
def old() -> Iterator[tuple[RunningEmulator, httpx.Client]]:
    with running_emulator(api_version=V2022, rate_limit=None) as emu, api_client(emu) as client:
        yield emu, client


def test_2022_casing_defaults_and_no_patch(old: tuple[RunningEmulator, httpx.Client]) -> None:
    emu, client = old
    london = group(client, "london")
    placed = created(
        client,
        "orders",
        order(
            did_item(london.sku_ids[0], qty=1),
            callback_url="http://10.201.10.1/test.php",
            callback_method="GET",
        ),
    )
    attributes = placed["attributes"]
    assert set(attributes) == ORDER_ATTRIBUTES_2022
    assert (attributes["status"], attributes["callback_method"]) == ("Pending", "GET")
    assert ids(client.get("orders", params={"filter[status]": "Pending"}).json()) == [placed["id"]]
    refused = client.patch(f"orders/{placed['id']}", json=patch("orders", placed["id"], {"callback_url": None}))
    assert single_error(refused, 405)["status"] == "405"  # no order PATCH before 2026-04-16
    tick(emu)
    assert client.get(f"orders/{placed['id']}").json()["data"]["attributes"]["status"] == "Completed"
    newer = client.get(f"orders/{placed['id']}", headers={"X-DIDWW-API-Version": "2026-04-16"}).json()
    assert (newer["data"]["attributes"]["status"], newer["data"]["attributes"]["callback_method"]) == (
        "completed",
        "get",
    )
    # 2022-05-10: no back-ordering unless asked for.
    too_many = client.post("orders", json=order(did_item(london.sku_ids[0], qty=20)))
    assert too_many.status_code == 422
    httpx.patch(emu.admin_url + "account", json={"balance": "0.5"}).raise_for_status()
    poor = single_error(client.post("orders", json=order(did_item(london.sku_ids[0], qty=1))), 400)
    assert poor == {
        "title": "Insufficient funds",
        "detail": "Insufficient funds",
        "code": "400",
        "status": "400",
    }
