"""Three small settings: a voice in trunk's POP, order items' billing_cycles_count and
prorate_days_qty, and NANPA order items without qty (the collection's Voice IN Trunks and
"Create DID order" examples)."""

from __future__ import annotations

from typing import Any

import httpx

from didww_iac.emulator.testing import RunningEmulator, running_emulator

from .conftest import api_client
from .fixtures import DID_ITEM_ATTRIBUTES, V2022, did_item, identifier, order, patch, sip_trunk
from .helpers import assert_validation_error, created, group, set_account, single_error

# -- voice_in_trunks.pop -------------------------------------------------------------------------


def _pop(client: httpx.Client, name: str) -> str:
    """A POP by name, as a client finds one: GET /pops is one unpaginated list."""
    body = client.get("pops").json()
    assert "links" not in body and "total_records" not in body["meta"]
    return next(str(p["id"]) for p in body["data"] if p["attributes"]["name"] == name)


def test_pops_are_seeded_with_the_recorded_names(client: httpx.Client) -> None:
    names = [p["attributes"]["name"] for p in client.get("pops").json()["data"]]
    assert {"USA, NY", "DE, FRA"} <= set(names) and len(names) == len(set(names))
    frankfurt = _pop(client, "DE, FRA")
    assert [p["id"] for p in client.get("pops", params={"filter[id]": frankfurt}).json()["data"]] == [frankfurt]
    assert client.get(f"pops/{frankfurt}").json()["data"]["attributes"]["name"] == "DE, FRA"


def test_pop_on_create_update_and_show(client: httpx.Client) -> None:
    new_york, frankfurt = _pop(client, "USA, NY"), _pop(client, "DE, FRA")
    body = sip_trunk()
    body["data"]["relationships"] = {"pop": {"data": identifier("pops", new_york)}}
    trunk = created(client, "voice_in_trunks", body)["id"]

    def shown() -> dict[str, Any]:
        doc: dict[str, Any] = client.get(f"voice_in_trunks/{trunk}", params={"include": "pop"}).json()
        return doc

    doc = shown()
    assert doc["data"]["relationships"]["pop"]["data"] == identifier("pops", new_york)
    assert [(i["type"], i["attributes"]["name"]) for i in doc["included"]] == [("pops", "USA, NY")]
    moved = client.patch(
        f"voice_in_trunks/{trunk}", json=patch("voice_in_trunks", trunk, pop=identifier("pops", frankfurt))
    )
    assert moved.status_code == 200
    assert shown()["data"]["relationships"]["pop"]["data"] == identifier("pops", frankfurt)
    # A PATCH of other settings keeps the POP.
    renamed = client.patch(f"voice_in_trunks/{trunk}", json=patch("voice_in_trunks", trunk, {"name": "Renamed"}))
    assert renamed.status_code == 200
    assert shown()["data"]["relationships"]["pop"]["data"] == identifier("pops", frankfurt)
    related = client.get(f"voice_in_trunks/{trunk}/pop").json()["data"]
    assert (related["id"], related["attributes"]["name"]) == (frankfurt, "DE, FRA")
    unknown = client.patch(
        f"voice_in_trunks/{trunk}", json=patch("voice_in_trunks", trunk, pop=identifier("pops", "x"))
    )
    assert_validation_error(unknown, "/data/relationships/pop", "pop - is invalid")
    assert shown()["data"]["relationships"]["pop"]["data"] == identifier("pops", frankfurt)


def test_pop_exists_in_2022() -> None:
    with running_emulator(api_version=V2022, rate_limit=None) as emu, api_client(emu) as old:
        body = sip_trunk()
        body["data"]["relationships"] = {"pop": {"data": identifier("pops", _pop(old, "USA, NY"))}}
        trunk = created(old, "voice_in_trunks", body)
        assert set(trunk["relationships"]) == {"voice_in_trunk_group", "pop"}


# -- order items: billing_cycles_count, prorate_days_qty, NANPA without qty ---------------------


def _dids_of(client: httpx.Client, order_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = client.get("dids", params={"filter[order.id]": order_id}).json()["data"]
    return found


def test_billing_cycles_count_is_set_on_the_dids_not_echoed(client: httpx.Client, emu: RunningEmulator) -> None:
    set_account(emu, order_delay=0)
    dallas = group(client, "dallas")
    placed = created(client, "orders", order(did_item(dallas.sku_ids[0], qty=2, billing_cycles_count="0")))
    # The recorded item shapes carry neither setting.
    assert set(placed["attributes"]["items"][0]["attributes"]) == DID_ITEM_ATTRIBUTES
    assert [d["attributes"]["billing_cycles_count"] for d in _dids_of(client, placed["id"])] == [0, 0]
    unlimited = created(client, "orders", order(did_item(dallas.sku_ids[0], qty=1, billing_cycles_count=None)))
    assert [d["attributes"]["billing_cycles_count"] for d in _dids_of(client, unlimited["id"])] == [None]


def test_billing_cycles_count_is_validated(client: httpx.Client) -> None:
    sku = group(client, "dallas").sku_ids[0]
    pointer = "/data/attributes/items/0/attributes/billing_cycles_count"
    too_many = client.post("orders", json=order(did_item(sku, qty=1, billing_cycles_count=1000)))
    assert_validation_error(too_many, pointer, "billing_cycles_count - must be less than or equal to 999")
    not_number = client.post("orders", json=order(did_item(sku, qty=1, billing_cycles_count="often")))
    assert_validation_error(not_number, pointer, "billing_cycles_count - is not a number")


def test_prorate_days_qty_is_accepted_checked_and_ignored(client: httpx.Client, emu: RunningEmulator) -> None:
    set_account(emu, order_delay=0)
    dallas = group(client, "dallas")
    plain = created(client, "orders", order(did_item(dallas.sku_ids[0], qty=1)))
    prorated = created(client, "orders", order(did_item(dallas.sku_ids[0], qty=1, prorate_days_qty=10)))
    # "Ignored if Prorate billing is not enabled per your DIDWW account": same price, same shape.
    assert prorated["attributes"]["amount"] == plain["attributes"]["amount"]
    assert prorated["attributes"]["items"][0]["attributes"]["prorated_mrc"] is False
    assert set(prorated["attributes"]["items"][0]["attributes"]) == DID_ITEM_ATTRIBUTES
    assert len(_dids_of(client, prorated["id"])) == 1
    wrong = client.post("orders", json=order(did_item(dallas.sku_ids[0], qty=1, prorate_days_qty="ten")))
    assert_validation_error(
        wrong, "/data/attributes/items/0/attributes/prorate_days_qty", "prorate_days_qty - is not a number"
    )


def test_nanpa_item_without_qty_orders_one_number(client: httpx.Client, emu: RunningEmulator) -> None:
    set_account(emu, order_delay=0)
    chicago = group(client, "chicago")
    prefix = client.get("nanpa_prefixes", params={"filter[npa]": "312"}).json()["data"][0]
    start = "1" + prefix["attributes"]["npa"] + prefix["attributes"]["nxx"]
    # The recorded NPA/NXX request: sku_id and nanpa_prefix_id only.
    placed = created(client, "orders", order(did_item(chicago.sku_ids[0], nanpa_prefix_id=prefix["id"])))
    item = placed["attributes"]["items"][0]["attributes"]
    assert (item["qty"], item["did_group_id"]) == (1, chicago.id)
    assert placed["attributes"]["amount"] == item["mrc"]  # one number, no setup price in Chicago
    (did,) = _dids_of(client, placed["id"])
    assert str(did["attributes"]["number"]).startswith(start)
    # qty still counts when given, and must be at least 1.
    two = created(client, "orders", order(did_item(chicago.sku_ids[0], nanpa_prefix_id=prefix["id"], qty=2)))
    assert two["attributes"]["items"][0]["attributes"]["qty"] == 2
    zero = client.post("orders", json=order(did_item(chicago.sku_ids[0], nanpa_prefix_id=prefix["id"], qty=0)))
    assert_validation_error(zero, "/data/attributes/items/0/attributes/qty", "qty - must be greater than or equal to 1")


def test_plain_item_without_qty_is_still_refused(client: httpx.Client) -> None:
    response = client.post("orders", json=order(did_item(group(client, "chicago").sku_ids[0])))
    assert single_error(response, 422)["detail"] == "qty - can't be blank"
