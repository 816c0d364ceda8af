"""What DIDWW's OpenAPI document asks beyond the recorded examples (found by `make conformance`):
regions' iso, cities' area, available DIDs' nanpa_prefix, did_history, exports, 405s."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta

import httpx

from didww_iac.emulator.testing import RunningEmulator

from .fixtures import did_item, order, patch
from .helpers import created, group, single_error, tick

EXPORT_TIME = "%Y-%m-%d %H:%M:%S"


def test_regions_cities_and_available_dids_carry_the_documented_fields(client: httpx.Client) -> None:
    regions = client.get("regions", params={"filter[iso]": "NY", "sort": "-iso"}).json()["data"]
    assert [(r["attributes"]["name"], r["attributes"]["iso"]) for r in regions] == [("New York", "NY")]
    city = client.get("cities", params={"include": "area"}).json()["data"][0]
    assert city["relationships"]["area"]["data"] is None
    new_york = group(client, "new york")
    number = client.get(f"available_dids/{new_york.stock[0]['id']}", params={"include": "nanpa_prefix"}).json()
    prefix = number["included"][0]
    assert prefix["type"] == "nanpa_prefixes"
    start = "1" + prefix["attributes"]["npa"] + prefix["attributes"]["nxx"]
    assert number["data"]["attributes"]["number"].startswith(start)
    london = client.get(f"available_dids/{group(client, 'london').stock[0]['id']}", params={"include": "nanpa_prefix"})
    assert london.json()["data"]["relationships"]["nanpa_prefix"]["data"] is None


def test_an_order_writes_did_history(client: httpx.Client, emu: RunningEmulator) -> None:
    placed = created(client, "orders", order(did_item(group(client, "london").sku_ids[0], qty=1)))
    tick(emu)
    number = client.get("dids", params={"filter[order.id]": placed["id"]}).json()["data"][0]["attributes"]["number"]
    entries = client.get("did_history", params={"filter[did_number]": number, "sort": "-created_at"}).json()
    assert [e["attributes"]["action"] for e in entries["data"]] == ["assigned"]
    assert entries["data"][0]["attributes"]["method"] == "api3"
    too_old = client.get("did_history", params={"filter[created_at_gteq]": "2020-01-01T00:00:00Z"})
    assert single_error(too_old, 400)["detail"] == "Date must be within the last 90 days."


def test_an_export_completes_with_a_file(client: httpx.Client, emu: RunningEmulator) -> None:
    now = datetime.now(UTC)
    span = {"from": (now - timedelta(days=1)).strftime(EXPORT_TIME), "to": now.strftime(EXPORT_TIME)}
    body = {"data": {"type": "exports", "attributes": {"export_type": "cdr_out", "filters": span}}}
    export = created(client, "exports", body)
    assert (export["attributes"]["status"], export["attributes"]["url"]) == ("pending", None)
    tick(emu)
    shown = client.get(f"exports/{export['id']}").json()["data"]["attributes"]
    assert shown["status"] == "completed" and shown["url"] == f"{emu.base_url}exports/{export['id']}.csv.gz"
    file = client.get(shown["url"])
    assert file.headers["content-type"].startswith("text/csv")
    assert gzip.decompress(file.content).decode().startswith("Date/Time Start (UTC),")
    renamed = client.patch(
        f"exports/{export['id']}", json=patch("exports", export["id"], {"external_reference_id": "x"})
    )
    assert renamed.json()["data"]["attributes"]["external_reference_id"] == "x"
    old = {**span, "from": "2019-01-01 00:00:00"}
    refused = client.post(
        "exports", json={"data": {**body["data"], "attributes": {"export_type": "cdr_in", "filters": old}}}
    )
    assert single_error(refused, 422)["detail"] == "filters - from must be within the current and 2 previous months"


def test_methods_a_path_does_not_take_are_405_with_allow(client: httpx.Client) -> None:
    refused = client.post("regions/68df7c7c-24f7-5114-8604-b4a7f37ab7f7", json={})
    assert single_error(refused, 405)["status"] == "405" and refused.headers["allow"] == "GET"
    options = client.options("voice_in_trunks/68df7c7c-24f7-5114-8604-b4a7f37ab7f7")
    assert options.status_code == 405 and options.headers["allow"] == "GET, PATCH, DELETE"


def test_an_update_names_its_record(client: httpx.Client) -> None:
    placed = created(client, "orders", order(did_item(group(client, "london").sku_ids[0], qty=1)))
    body = {"data": {"type": "orders", "attributes": {"external_reference_id": "x"}}}
    assert single_error(client.patch(f"orders/{placed['id']}", json=body), 400)["code"] == "106"
