"""Coverage Resources conformance: countries, regions, cities, DID group types, DID groups with
SKUs, available DIDs, NANPA prefixes (documents, filters, includes, sorting, pagination)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from didww_iac.emulator.models import Account
from didww_iac.emulator.resources import build_registry
from didww_iac.emulator.store import MemoryStore
from didww_iac.emulator.testing import RunningEmulator, running_emulator

from .conftest import api_client
from .fixtures import (
    DID_GROUP_ATTRIBUTES_2022,
    DID_GROUP_ATTRIBUTES_2026,
    DID_GROUP_META,
    SKU_ATTRIBUTES,
    V2022,
    V2026,
)
from .helpers import ids, relationship_links, single_error

DECIMAL = re.compile(r"^\d+\.\d+$")


def _country(client: httpx.Client, iso: str) -> str:
    return str(client.get("countries", params={"filter[iso]": iso}).json()["data"][0]["id"])


@pytest.fixture(scope="module")
def old_client() -> Iterator[httpx.Client]:
    with running_emulator(api_version=V2022, rate_limit=None) as emu, api_client(emu) as client:
        yield client


def test_countries_are_unpaginated(client: httpx.Client, emu: RunningEmulator) -> None:
    body = client.get("countries").json()
    assert body["meta"] == {"api_version": V2026} and "links" not in body
    by_iso = {d["attributes"]["iso"]: d for d in body["data"]}
    assert {"US", "GB", "DE"} <= set(by_iso)
    gb = by_iso["GB"]
    assert gb["attributes"] == {"name": "United Kingdom", "prefix": "44", "iso": "GB"}
    assert gb["relationships"] == {
        "regions": {"links": relationship_links(emu.base_url, "countries", gb["id"], "regions")}
    }
    assert client.get(f"countries/{gb['id']}").json() == {"data": gb, "meta": {"api_version": V2026}}
    missing = "e352699c-3764-415b-8946-dd470c1e0ed7"
    assert single_error(client.get(f"countries/{missing}"), 404)["detail"] == (
        f"The record identified by {missing} could not be found."
    )


def test_country_filters_and_sort(client: httpx.Client) -> None:
    def isos(**params: str) -> list[str]:
        return [d["attributes"]["iso"] for d in client.get("countries", params=params).json()["data"]]

    assert isos(**{"filter[name]": "united kingdom"}) == ["GB"]  # case insensitive
    assert sorted(isos(**{"filter[prefix]": "1"})) == ["CA", "US"]
    assert isos(**{"filter[iso]": "DE,FR"}) == ["DE", "FR"]
    assert isos(**{"filter[is_available]": "false"}) == []
    assert isos(sort="-name")[:2] == ["US", "GB"]
    assert single_error(client.get("countries", params={"filter[continent]": "EU"}), 400)["code"] == "102"


def test_regions_by_country_with_include(client: httpx.Client) -> None:
    us = _country(client, "US")
    body = client.get("regions", params={"filter[country.id]": us, "include": "country", "sort": "-name"}).json()
    names = [d["attributes"]["name"] for d in body["data"]]
    assert names == sorted(names, reverse=True) and "California" in names
    assert all(d["relationships"]["country"]["data"] == {"type": "countries", "id": us} for d in body["data"])
    assert [(i["type"], i["id"]) for i in body["included"]] == [("countries", us)]
    assert "links" not in body  # "Pagination is disabled"


def test_cities_page_by_1000(client: httpx.Client, emu: RunningEmulator) -> None:
    body = client.get("cities", params={"filter[name]": "LONDON", "include": "country,region"}).json()
    assert [d["attributes"]["name"] for d in body["data"]] == ["London"]
    assert body["meta"] == {"total_records": 1, "api_version": V2026}
    assert body["links"]["first"].endswith("page%5Bnumber%5D=1&page%5Bsize%5D=1000")
    assert {i["type"] for i in body["included"]} == {"countries", "regions"}
    assert client.get("cities", params={"page[size]": "1000"}).status_code == 200
    assert client.get("cities", params={"page[size]": "1001"}).status_code == 400
    gb = _country(client, "GB")
    london = body["data"][0]
    assert london["relationships"]["country"]["data"]["id"] == gb
    by_region = client.get("cities", params={"filter[region.id]": london["relationships"]["region"]["data"]["id"]})
    assert {"London", "Manchester"} == {d["attributes"]["name"] for d in by_region.json()["data"]}


def test_did_group_types(client: httpx.Client) -> None:
    body = client.get("did_group_types", params={"sort": "name"}).json()
    names = [d["attributes"]["name"] for d in body["data"]]
    assert {"Local", "National", "Toll-free", "Mobile"} <= set(names) and names == sorted(names)
    assert "relationships" not in body["data"][0]
    assert body["meta"]["total_records"] == len(names)
    mobile = client.get("did_group_types", params={"filter[name]": "Mobile"}).json()["data"]
    assert [d["attributes"] for d in mobile] == [{"name": "Mobile"}]


def test_did_group_document_with_skus(client: httpx.Client, emu: RunningEmulator) -> None:
    body = client.get("did_groups", params={"filter[area_name]": "london", "include": "stock_keeping_units"}).json()
    group = body["data"][0]
    assert set(group["attributes"]) == DID_GROUP_ATTRIBUTES_2026
    assert group["attributes"]["prefix"] == "20" and "voice_in" in group["attributes"]["features"]
    assert set(group["meta"]) == DID_GROUP_META and group["meta"]["total_count"] > 0
    assert group["meta"]["is_available"] is True
    assert set(group["relationships"]) == {
        "country",
        "city",
        "did_group_type",
        "region",
        "stock_keeping_units",
        "address_requirement",
    }
    skus = group["relationships"]["stock_keeping_units"]["data"]
    assert len(skus) == 2 and all(s["type"] == "stock_keeping_units" for s in skus)
    assert [i["id"] for i in body["included"]] == [s["id"] for s in skus]
    for sku in body["included"]:
        assert set(sku["attributes"]) == SKU_ATTRIBUTES
        assert DECIMAL.match(sku["attributes"]["setup_price"]) and DECIMAL.match(sku["attributes"]["monthly_price"])
        assert isinstance(sku["attributes"]["channels_included_count"], int)
    # SKUs are reached through did_groups only.
    assert client.get("stock_keeping_units").status_code == 404


def test_did_group_filters(client: httpx.Client) -> None:
    us = _country(client, "US")
    types = {d["attributes"]["name"]: d["id"] for d in client.get("did_group_types").json()["data"]}
    toll_free = client.get(
        "did_groups", params={"filter[country.id]": us, "filter[did_group_type.id]": types["Toll-free"]}
    )
    assert [d["attributes"]["prefix"] for d in toll_free.json()["data"]] == ["800"]
    sms = client.get("did_groups", params={"filter[features]": "voice_in,sms_in", "filter[country.id]": us}).json()
    assert sms["data"] and all({"voice_in", "sms_in"} <= set(d["attributes"]["features"]) for d in sms["data"])
    assert client.get("did_groups", params={"filter[meta.total_count_gteq]": "1000"}).json()["data"] == []
    registration = client.get("did_groups", params={"filter[needs_registration]": "true"}).json()["data"]
    assert registration and all(d["meta"]["needs_registration"] for d in registration)
    nanpa = client.get("nanpa_prefixes", params={"filter[npa]": "212"}).json()["data"][0]
    by_prefix = client.get("did_groups", params={"filter[nanpa_prefix.id]": nanpa["id"]}).json()["data"]
    assert [d["attributes"]["area_name"] for d in by_prefix] == ["New York"]
    npanxx = nanpa["attributes"]["npa"] + nanpa["attributes"]["nxx"]
    assert ids(client.get("did_groups", params={"filter[nanpa_prefix.npanxx]": npanxx}).json()) == ids(
        {"data": by_prefix}
    )
    params = {"sort": "country.name,-prefix", "page[size]": "100", "include": "country"}
    ordered = client.get("did_groups", params=params).json()
    names = {c["id"]: c["attributes"]["name"] for c in ordered["included"]}
    keys = [(names[d["relationships"]["country"]["data"]["id"]], d["attributes"]["prefix"]) for d in ordered["data"]]
    assert keys[:2] == [("Canada", "416"), ("Canada", "403")]
    assert [k[0] for k in keys] == sorted(k[0] for k in keys)


def test_did_group_per_version(old_client: httpx.Client) -> None:
    group = old_client.get("did_groups", params={"filter[area_name]": "london"}).json()["data"][0]
    assert set(group["attributes"]) == DID_GROUP_ATTRIBUTES_2022
    assert "requirement" in group["relationships"] and "address_requirement" not in group["relationships"]
    mobile = old_client.get("did_groups", params={"filter[area_name]": "mobile"}).json()["data"][0]
    assert "sms_out" in mobile["attributes"]["features"]
    newer = old_client.get(f"did_groups/{mobile['id']}", headers={"X-DIDWW-API-Version": V2026}).json()
    assert "sms_out" not in newer["data"]["attributes"]["features"]  # removed in 2026-04-16
    new_york = old_client.get("did_groups", params={"filter[area_name]": "new york"}).json()["data"][0]
    assert "p2p" not in new_york["attributes"]["features"]  # added in 2026-04-16


def test_available_dids(client: httpx.Client) -> None:
    body = client.get("available_dids", params={"include": "did_group.stock_keeping_units"}).json()
    # Unpaginated: a sample of at most 100 numbers, the count of all matches in meta.
    assert "links" not in body and body["meta"]["total_count"] > len(body["data"]) == 100
    first = body["data"][0]
    assert set(first["attributes"]) == {"number"} and first["attributes"]["number"].isdigit()
    group_id = first["relationships"]["did_group"]["data"]["id"]
    included = {(i["type"], i["id"]) for i in body["included"]}
    assert ("did_groups", group_id) in included and any(t == "stock_keeping_units" for t, _ in included)
    gb = _country(client, "GB")
    british = client.get("available_dids", params={"filter[country.id]": gb}).json()
    assert british["data"] and all(d["attributes"]["number"].startswith("44") for d in british["data"])
    number = first["attributes"]["number"]
    found = client.get("available_dids", params={"filter[number_contains]": number[-6:]}).json()["data"]
    assert first["id"] in ids({"data": found})
    one = client.get(f"available_dids/{first['id']}", params={"include": "did_group"}).json()
    assert one["data"]["relationships"]["did_group"]["data"]["id"] == group_id
    assert single_error(client.get("available_dids/5265f3a0-0446-46f1-ae1a-f09946e80"), 404)["code"] == "404"


def test_nanpa_prefixes(client: httpx.Client) -> None:
    us = _country(client, "US")
    body = client.get(
        "nanpa_prefixes", params={"filter[country.id]": us, "include": "country", "sort": "npa,nxx"}
    ).json()
    prefixes = [(d["attributes"]["npa"], d["attributes"]["nxx"]) for d in body["data"]]
    assert prefixes == sorted(prefixes) and all(len(npa) == 3 and len(nxx) == 3 for npa, nxx in prefixes)
    assert body["meta"]["total_records"] == len(prefixes) and "first" in body["links"]
    assert [i["id"] for i in body["included"]] == [us]
    npa, nxx = prefixes[0]
    match = client.get("nanpa_prefixes", params={"filter[npanxx]": npa + nxx}).json()["data"]
    assert [(d["attributes"]["npa"], d["attributes"]["nxx"]) for d in match] == [(npa, nxx)]
    in_stock = client.get("available_dids", params={"filter[nanpa_prefix.id]": match[0]["id"]}).json()["data"]
    assert in_stock and all(d["attributes"]["number"].startswith("1" + npa + nxx) for d in in_stock)
    page = client.get("nanpa_prefixes", params={"page[size]": "2"}).json()
    assert len(page["data"]) == 2 and "next" in page["links"]


def test_catalogue_is_read_only(client: httpx.Client) -> None:
    assert client.post("countries", json={"data": {"type": "countries"}}).status_code == 405
    group = client.get("did_groups").json()["data"][0]["id"]
    body = {"data": {"type": "did_groups", "id": group, "attributes": {"prefix": "1"}}}
    assert single_error(client.patch(f"did_groups/{group}", json=body), 405)["status"] == "405"
    assert client.delete(f"did_groups/{group}").status_code == 405


def _catalogue(seed: int) -> dict[str, list[tuple[str, object]]]:
    account = Account(build_registry(), MemoryStore(), V2026, seed)
    return {
        t: [(r.id, r.attributes.get("number") or r.attributes.get("name")) for r in account.records(t)]
        for t in ("countries", "did_groups", "available_dids", "nanpa_prefixes")
    }


def test_catalogue_follows_the_seed() -> None:
    assert _catalogue(7) == _catalogue(7)
    other = _catalogue(8)
    assert _catalogue(7)["available_dids"] != other["available_dids"]
    assert len(other["did_groups"]) >= 15 and len(other["available_dids"]) >= 6 * 15
