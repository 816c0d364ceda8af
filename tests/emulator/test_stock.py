"""Stock per DID group raised with ``stock_per_group`` / ``--stock``: orders of hundreds of
numbers, and listings, counts and NANPA prefixes that agree whether the stock is stored or
still only counted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from didww_iac.emulator.__main__ import parse_args
from didww_iac.emulator.config import DEFAULT_STOCK, MAX_STOCK, EmulatorConfig
from didww_iac.emulator.testing import RunningEmulator, running_emulator

from .conftest import api_client
from .fixtures import did_item, order
from .helpers import assert_validation_error, created, group

STOCK = 2000  # as with --stock 2000
GROUPS = 18  # DID groups in the catalogue
RICH = "100000.00"  # a balance no order here exhausts


@pytest.fixture
def stocked() -> Iterator[tuple[RunningEmulator, httpx.Client]]:
    options: dict[str, Any] = {"stock_per_group": STOCK, "order_delay": 0, "rate_limit": None, "balance": RICH}
    with running_emulator(**options) as emu, api_client(emu) as client:
        yield emu, client


def _all(client: httpx.Client, path: str, **params: str) -> list[dict[str, Any]]:
    """Every record of a paginated collection, page by page."""
    found: list[dict[str, Any]] = []
    number = 1
    while True:
        body = client.get(path, params={**params, "page[size]": "100", "page[number]": str(number)}).json()
        found += body["data"]
        if len(found) >= body["meta"]["total_records"]:
            return found
        number += 1


def _stock_of(client: httpx.Client, group_id: str) -> int:
    return int(client.get(f"did_groups/{group_id}").json()["data"]["meta"]["total_count"])


def _available_total(client: httpx.Client, **filters: str) -> int:
    body = client.get("available_dids", params={f"filter[{k}]": v for k, v in filters.items()}).json()
    return int(body["meta"]["total_count"])


def test_default_stock_is_unchanged(client: httpx.Client) -> None:
    assert EmulatorConfig().stock_per_group == DEFAULT_STOCK == 6
    groups = client.get("did_groups", params={"page[size]": "100"}).json()["data"]
    assert len(groups) == GROUPS and {g["meta"]["total_count"] for g in groups} == {6}
    assert _available_total(client) == 6 * GROUPS


def test_stock_is_validated() -> None:
    for bad in (-1, MAX_STOCK + 1):
        with pytest.raises(ValueError, match="stock_per_group"):
            EmulatorConfig(stock_per_group=bad)
    assert parse_args(["--stock", "2000"]).stock == 2000
    assert parse_args([]).stock == DEFAULT_STOCK
    for bad_flag in ("x", "-5", str(MAX_STOCK + 1)):
        with pytest.raises(SystemExit):
            parse_args(["--stock", bad_flag])


def test_an_order_of_hundreds_completes_from_raised_stock(stocked: tuple[RunningEmulator, httpx.Client]) -> None:
    _, client = stocked
    london = group(client, "london")
    assert _stock_of(client, london.id) == STOCK
    # One listing shows a sample; its total counts the whole stock.
    assert len(london.stock) == 100 and _available_total(client, **{"did_group.id": london.id}) == STOCK

    done = created(client, "orders", order(did_item(london.sku_ids[0], qty=500), allow_back_ordering=False))
    assert done["attributes"]["status"] == "completed"
    dids = _all(client, "dids", **{"filter[order.id]": done["id"]})
    numbers = [d["attributes"]["number"] for d in dids]
    assert len(numbers) == 500 == len(set(numbers))
    assert all(n.startswith("4420") and len(n) == 12 for n in numbers)
    # The listed sample came first, then the counted stock.
    assert set(numbers) >= {n["attributes"]["number"] for n in london.stock}

    assert _stock_of(client, london.id) == STOCK - 500
    left = group(client, "london").stock
    assert len(left) == 100 and not {n["attributes"]["number"] for n in left} & set(numbers)
    assert _available_total(client, **{"did_group.id": london.id}) == STOCK - 500
    refused = client.post("orders", json=order(did_item(london.sku_ids[0], qty=1501), allow_back_ordering=False))
    message = "qty - must be less than or equal to 1500 (numbers in stock)"
    assert_validation_error(refused, "/data/attributes/items/0/attributes/qty", message)


def test_counted_and_stored_stock_agree(stocked: tuple[RunningEmulator, httpx.Client]) -> None:
    _, client = stocked
    assert _available_total(client) == STOCK * GROUPS
    groups = client.get("did_groups", params={"page[size]": "100"}).json()["data"]
    assert sum(g["meta"]["total_count"] for g in groups) == STOCK * GROUPS
    gb = client.get("countries", params={"filter[iso]": "GB"}).json()["data"][0]["id"]
    counted = _available_total(client, **{"country.id": gb})
    assert counted == 5 * STOCK  # five British groups, answered from the counts
    # A filter on the number itself stores the stock first; the answer must not change.
    stored = client.get("available_dids", params={"filter[country.id]": gb, "filter[number_contains]": "44"}).json()
    assert stored["meta"]["total_count"] == counted and len(stored["data"]) == 100
    assert _available_total(client) == STOCK * GROUPS
    assert client.get("did_groups", params={"filter[meta.total_count_gteq]": str(STOCK)}).json()["meta"][
        "total_records"
    ] == len(groups)


def test_nanpa_prefixes_with_raised_stock(stocked: tuple[RunningEmulator, httpx.Client]) -> None:
    _, client = stocked
    new_york = group(client, "new york")
    prefixes = client.get("nanpa_prefixes", params={"filter[npa]": "212"}).json()["data"]
    assert len(prefixes) == 3
    totals = {p["id"]: _available_total(client, **{"nanpa_prefix.id": p["id"]}) for p in prefixes}
    assert sum(totals.values()) == STOCK and min(totals.values()) >= STOCK // 3
    chosen = prefixes[0]
    start = "1" + chosen["attributes"]["npa"] + chosen["attributes"]["nxx"]
    listed = client.get("available_dids", params={"filter[nanpa_prefix.id]": chosen["id"]}).json()["data"]
    assert len(listed) == 100 and all(d["attributes"]["number"].startswith(start) for d in listed)

    wanted = totals[chosen["id"]] - 10
    item = did_item(new_york.sku_ids[0], qty=wanted, nanpa_prefix_id=chosen["id"])
    done = created(client, "orders", order(item, allow_back_ordering=False))
    numbers = {d["attributes"]["number"] for d in _all(client, "dids", **{"filter[order.id]": done["id"]})}
    assert len(numbers) == wanted and all(n.startswith(start) for n in numbers)
    assert _available_total(client, **{"nanpa_prefix.id": chosen["id"]}) == 10
    assert _stock_of(client, new_york.id) == STOCK - wanted
    available = client.get("nanpa_prefixes", params={"filter[npa]": "212", "filter[did_group.is_available]": "true"})
    assert len(available.json()["data"]) == 3


def test_back_ordering_beyond_raised_stock_never_repeats_a_number(
    stocked: tuple[RunningEmulator, httpx.Client],
) -> None:
    _, client = stocked
    paris = group(client, "paris")
    done = created(client, "orders", order(did_item(paris.sku_ids[0], qty=STOCK + 50), allow_back_ordering=True))
    numbers = [d["attributes"]["number"] for d in _all(client, "dids", **{"filter[order.id]": done["id"]})]
    assert len(numbers) == STOCK + 50 == len(set(numbers))
    assert _stock_of(client, paris.id) == 0 and group(client, "paris").stock == []


def test_raised_stock_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "account.sqlite"
    options: dict[str, Any] = {"state_file": state, "order_delay": 0, "rate_limit": None, "balance": RICH}
    with running_emulator(stock_per_group=STOCK, **options) as emu, api_client(emu) as client:
        london = group(client, "london")
        first = created(client, "orders", order(did_item(london.sku_ids[0], qty=150)))
        listed = {n["id"] for n in group(client, "london").stock}
    # Restarted without --stock: a stored account keeps its own stock.
    with running_emulator(**options) as emu, api_client(emu) as client:
        assert _stock_of(client, london.id) == STOCK - 150
        assert {n["id"] for n in group(client, "london").stock} == listed
        second = created(client, "orders", order(did_item(london.sku_ids[0], qty=STOCK - 150)))
        owned = _all(client, "dids")
        assert len(owned) == STOCK == len({d["attributes"]["number"] for d in owned})
        assert {d["relationships"]["order"]["data"]["id"] for d in _all(client, "dids", include="order")} == {
            first["id"],
            second["id"],
        }
        assert _stock_of(client, london.id) == 0
