"""The relationship URLs every document advertises: ``/v3/<type>/<id>/relationships/<rel>``
(linkage) and ``/v3/<type>/<id>/<rel>`` (the related resources)."""

from __future__ import annotations

import httpx

from didww_iac.emulator.testing import RunningEmulator

from .fixtures import identifier, pstn_trunk, trunk_group
from .helpers import created, group, relationship_links, single_error


def test_links_resolve_for_a_to_one(client: httpx.Client, emu: RunningEmulator) -> None:
    number = group(client, "london").stock[0]
    links = number["relationships"]["did_group"]["links"]
    assert links == relationship_links(emu.base_url, "available_dids", number["id"], "did_group")
    linkage = httpx.get(links["self"], headers=client.headers).json()
    assert linkage["data"] == {"type": "did_groups", "id": group(client, "london").id}
    assert linkage["links"] == links
    related = httpx.get(links["related"], headers=client.headers).json()
    assert related["data"]["type"] == "did_groups" and related["data"]["attributes"]["area_name"] == "London"
    assert related["meta"] == {"api_version": "2026-04-16"}


def test_links_resolve_for_to_many_and_inverse(client: httpx.Client) -> None:
    trunks = [created(client, "voice_in_trunks", pstn_trunk(name=f"T{i}"))["id"] for i in range(2)]
    group_id = created(client, "voice_in_trunk_groups", trunk_group(trunk_ids=trunks))["id"]
    linkage = client.get(f"voice_in_trunk_groups/{group_id}/relationships/voice_in_trunks").json()
    assert linkage["data"] == [identifier("voice_in_trunks", t) for t in trunks]
    related = client.get(f"voice_in_trunk_groups/{group_id}/voice_in_trunks").json()
    assert [d["id"] for d in related["data"]] == trunks
    assert client.get(f"voice_in_trunks/{trunks[0]}/voice_in_trunk_group").json()["data"]["id"] == group_id
    us = client.get("countries", params={"filter[iso]": "US"}).json()["data"][0]["id"]
    regions = client.get(f"countries/{us}/regions").json()["data"]
    assert {r["attributes"]["name"] for r in regions} >= {"New York", "California"}


def test_empty_and_unknown_relationships(client: httpx.Client) -> None:
    trunk = created(client, "voice_in_trunks", pstn_trunk())["id"]
    assert client.get(f"voice_in_trunks/{trunk}/relationships/pop").json()["data"] is None
    assert client.get(f"voice_in_trunks/{trunk}/pop").json()["data"] is None
    assert single_error(client.get(f"voice_in_trunks/{trunk}/owner"), 404)["title"] == "Route not found"
    assert client.get(f"voice_in_trunks/{trunk}/relationships/owner").status_code == 404
    missing = "df78e081-b7d1-4769-80ce-f349af4f612e"
    assert single_error(client.get(f"voice_in_trunks/{missing}/pop"), 404)["title"] == "Record not found"
    assert client.patch(f"voice_in_trunks/{trunk}/relationships/pop", json={"data": None}).status_code == 404
