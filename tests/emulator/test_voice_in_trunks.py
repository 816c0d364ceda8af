"""voice_in_trunks conformance, from the collection's Voice IN Trunks examples."""

from __future__ import annotations

import re

import httpx

from didww_iac.emulator.resources.pops import pop_id
from didww_iac.emulator.testing import RunningEmulator

from .fixtures import SIP_ATTRIBUTES_2026, TRUNK_ATTRIBUTES_2026, identifier, patch, pstn_trunk, sip_trunk
from .helpers import assert_validation_error, created, relationship_links, single_error

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def test_create_sip_trunk_document(client: httpx.Client, emu: RunningEmulator) -> None:
    response = client.post("voice_in_trunks", json=sip_trunk())
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/vnd.api+json"
    body = response.json()
    assert set(body) == {"data", "meta"}
    assert body["meta"] == {"api_version": "2026-04-16"}
    data = body["data"]
    assert UUID4.match(data["id"]) and data["type"] == "voice_in_trunks"
    attributes = data["attributes"]
    assert set(attributes) == TRUNK_ATTRIBUTES_2026
    assert TIMESTAMP.match(attributes["created_at"])
    # Strings in the request ("1", "true") come back typed, as in the recorded 201.
    assert (attributes["priority"], attributes["weight"], attributes["capacity_limit"]) == (1, 2, 10)
    assert attributes["external_reference_id"] is None
    config = attributes["configuration"]
    assert config["type"] == "sip_configurations"
    assert set(config["attributes"]) == SIP_ATTRIBUTES_2026
    assert config["attributes"]["resolve_ruri"] is True and config["attributes"]["sst_enabled"] is False
    assert config["attributes"]["port"] == 5060 and config["attributes"]["sst_session_expires"] is None
    assert config["attributes"]["network_protocol_priority"] == "force_ipv4"
    assert data["relationships"] == {
        "voice_in_trunk_group": {
            "links": relationship_links(emu.base_url, "voice_in_trunks", data["id"], "voice_in_trunk_group")
        },
        "pop": {"links": relationship_links(emu.base_url, "voice_in_trunks", data["id"], "pop")},
    }


def test_create_pstn_trunk_applies_recorded_defaults(client: httpx.Client) -> None:
    data = created(client, "voice_in_trunks", pstn_trunk(external_reference_id="test"))
    attributes = data["attributes"]
    assert attributes["priority"] == 1
    assert attributes["weight"] == 65535
    assert attributes["cli_format"] == "e164"
    assert attributes["cli_prefix"] is None and attributes["description"] is None
    assert attributes["ringing_timeout"] is None
    assert attributes["external_reference_id"] == "test"
    assert attributes["configuration"] == {"type": "pstn_configurations", "attributes": {"dst": "1xxxxxxxxx"}}


def test_get_one_and_404(client: httpx.Client) -> None:
    trunk = created(client, "voice_in_trunks", pstn_trunk())
    response = client.get(f"voice_in_trunks/{trunk['id']}")
    assert response.status_code == 200
    assert response.json()["data"] == trunk
    missing = "df78e081-b7d1-4769-80ce-f349af4f612e"
    error = single_error(client.get(f"voice_in_trunks/{missing}"), 404)
    assert error == {
        "title": "Record not found",
        "detail": f"The record identified by {missing} could not be found.",
        "code": "404",
        "status": "404",
    }


def test_list_document_and_pagination_links(client: httpx.Client, emu: RunningEmulator) -> None:
    ids = [created(client, "voice_in_trunks", pstn_trunk(name=f"T{i}"))["id"] for i in range(5)]
    body = client.get("voice_in_trunks").json()
    assert [d["id"] for d in body["data"]] == ids  # creation order by default
    assert body["meta"] == {"total_records": 5, "api_version": "2026-04-16"}
    first = f"{emu.base_url}voice_in_trunks?page%5Bnumber%5D=1&page%5Bsize%5D=50"
    assert body["links"] == {"first": first, "last": first}

    page = client.get("voice_in_trunks", params={"page[number]": "2", "page[size]": "2"}).json()
    assert [d["id"] for d in page["data"]] == ids[2:4]
    assert page["meta"]["total_records"] == 5
    link = f"{emu.base_url}voice_in_trunks?page%5Bnumber%5D={{}}&page%5Bsize%5D=2"
    assert page["links"] == {
        "first": link.format(1),
        "prev": link.format(1),
        "next": link.format(3),
        "last": link.format(3),
    }


def test_page_size_above_100_is_rejected(client: httpx.Client) -> None:
    error = single_error(client.get("voice_in_trunks", params={"page[size]": "101"}), 400)
    assert error["status"] == "400"
    assert client.get("voice_in_trunks", params={"page[size]": "100"}).status_code == 200


def test_filters_any_of_and_configuration_type(client: httpx.Client) -> None:
    a = created(client, "voice_in_trunks", pstn_trunk(name="A"))["id"]
    b = created(client, "voice_in_trunks", sip_trunk(name="B"))["id"]
    created(client, "voice_in_trunks", pstn_trunk(name="C"))
    by_name = client.get("voice_in_trunks", params={"filter[name]": "A,B"}).json()
    assert {d["id"] for d in by_name["data"]} == {a, b}
    assert by_name["meta"]["total_records"] == 2
    sip = client.get("voice_in_trunks", params={"filter[configuration.type]": "sip_configurations"}).json()
    assert [d["id"] for d in sip["data"]] == [b]
    assert client.get("voice_in_trunks", params={"filter[id]": a}).json()["data"][0]["id"] == a
    error = single_error(client.get("voice_in_trunks", params={"filter[bogus]": "x"}), 400)
    assert "bogus" in error["detail"]


def test_filter_by_external_reference_id(client: httpx.Client) -> None:
    created(client, "voice_in_trunks", pstn_trunk(name="A", external_reference_id="urn:a"))
    b = created(client, "voice_in_trunks", pstn_trunk(name="B", external_reference_id="urn:b"))["id"]
    found = client.get("voice_in_trunks", params={"filter[external_reference_id]": "urn:b"}).json()["data"]
    assert [d["id"] for d in found] == [b]


def test_sort_by_name_and_descending_created_at(client: httpx.Client) -> None:
    for name in ("b", "c", "a"):
        created(client, "voice_in_trunks", pstn_trunk(name=name))
    names = [d["attributes"]["name"] for d in client.get("voice_in_trunks", params={"sort": "name"}).json()["data"]]
    assert names == ["a", "b", "c"]
    desc = client.get("voice_in_trunks", params={"sort": "-name"}).json()["data"]
    assert [d["attributes"]["name"] for d in desc] == ["c", "b", "a"]
    newest_first = client.get("voice_in_trunks", params={"sort": "-created_at"}).json()["data"]
    stamps = [d["attributes"]["created_at"] for d in newest_first]
    assert stamps == sorted(stamps, reverse=True)
    assert single_error(client.get("voice_in_trunks", params={"sort": "nope"}), 400)["code"] == "114"


def test_update_sip_configuration_merges_partial_attributes(client: httpx.Client) -> None:
    trunk = created(client, "voice_in_trunks", sip_trunk())
    body = patch(
        "voice_in_trunks",
        trunk["id"],
        {
            "configuration": {
                "type": "sip_configurations",
                "attributes": {"username": "new_username", "cnam_lookup": True},
            }
        },
    )
    response = client.patch(f"voice_in_trunks/{trunk['id']}", json=body)
    assert response.status_code == 200
    config = response.json()["data"]["attributes"]["configuration"]["attributes"]
    assert config["username"] == "new_username" and config["cnam_lookup"] is True
    assert config["host"] == "example.com" and config["port"] == 5060  # untouched
    assert response.json()["data"]["attributes"]["name"] == "Office"


def test_update_switches_configuration_type(client: httpx.Client) -> None:
    trunk = created(client, "voice_in_trunks", sip_trunk())
    body = patch(
        "voice_in_trunks",
        trunk["id"],
        {"configuration": {"type": "pstn_configurations", "attributes": {"dst": "7xxxxxxxx"}}},
    )
    data = client.patch(f"voice_in_trunks/{trunk['id']}", json=body).json()["data"]
    assert data["attributes"]["configuration"] == {
        "type": "pstn_configurations",
        "attributes": {"dst": "7xxxxxxxx"},
    }


def test_duplicate_name_is_422(client: httpx.Client) -> None:
    created(client, "voice_in_trunks", sip_trunk())
    response = client.post("voice_in_trunks", json=sip_trunk())
    assert_validation_error(response, "/data/attributes/name", "name - has already been taken")
    other = created(client, "voice_in_trunks", pstn_trunk(name="Other"))
    renamed = client.patch(
        f"voice_in_trunks/{other['id']}", json=patch("voice_in_trunks", other["id"], {"name": "Office"})
    )
    assert_validation_error(renamed, "/data/attributes/name", "name - has already been taken")


def test_priority_and_weight_range(client: httpx.Client) -> None:
    response = client.post("voice_in_trunks", json=pstn_trunk(priority=65536, weight=-1))
    assert_validation_error(response, "/data/attributes/priority", "priority - must be less than or equal to 65535")
    assert_validation_error(response, "/data/attributes/weight", "weight - must be greater than or equal to 0")
    edge = created(client, "voice_in_trunks", pstn_trunk(priority=0, weight=65535))
    assert (edge["attributes"]["priority"], edge["attributes"]["weight"]) == (0, 65535)
    not_number = client.post("voice_in_trunks", json=pstn_trunk(name="x", priority="high"))
    assert_validation_error(not_number, "/data/attributes/priority", "priority - is not a number")


def test_missing_and_invalid_values(client: httpx.Client) -> None:
    response = client.post(
        "voice_in_trunks", json={"data": {"type": "voice_in_trunks", "attributes": {"cli_format": "weird"}}}
    )
    assert_validation_error(response, "/data/attributes/name", "name - can't be blank")
    assert_validation_error(response, "/data/attributes/configuration", "configuration - can't be blank")
    assert_validation_error(response, "/data/attributes/cli_format", "cli_format - is not included in the list")
    bad_config = sip_trunk()
    bad_config["data"]["attributes"]["configuration"]["attributes"]["transport_protocol_id"] = 9
    assert_validation_error(
        client.post("voice_in_trunks", json=bad_config),
        "/data/attributes/configuration/attributes/transport_protocol_id",
        "transport_protocol_id - is not included in the list",
    )
    too_long = client.post("voice_in_trunks", json=pstn_trunk(external_reference_id="x" * 101))
    assert_validation_error(
        too_long,
        "/data/attributes/external_reference_id",
        "external_reference_id - is too long (maximum is 100 characters)",
    )


def test_cli_format_is_case_insensitive(client: httpx.Client) -> None:
    assert created(client, "voice_in_trunks", pstn_trunk(cli_format="RAW"))["attributes"]["cli_format"] == "raw"


def test_unknown_attribute_is_400(client: httpx.Client) -> None:
    error = single_error(client.post("voice_in_trunks", json=pstn_trunk(colour="red")), 400)
    assert error["detail"] == "colour is not allowed."


def test_delete_then_404(client: httpx.Client) -> None:
    trunk = created(client, "voice_in_trunks", pstn_trunk())
    response = client.delete(f"voice_in_trunks/{trunk['id']}")
    assert response.status_code == 204 and response.content == b""
    single_error(client.delete(f"voice_in_trunks/{trunk['id']}"), 404)
    single_error(client.get(f"voice_in_trunks/{trunk['id']}"), 404)


def test_pop_relationship_and_include(client: httpx.Client) -> None:
    pop = pop_id("USA, NY")
    body = sip_trunk()
    body["data"]["relationships"] = {"pop": {"data": identifier("pops", pop)}}
    response = client.post("voice_in_trunks?include=pop", json=body)
    assert response.status_code == 201
    doc = response.json()
    assert doc["data"]["relationships"]["pop"]["data"] == {"type": "pops", "id": pop}
    assert doc["included"] == [
        {
            "id": pop,
            "type": "pops",
            "attributes": {"name": "USA, NY", "created_at": doc["included"][0]["attributes"]["created_at"]},
        }
    ]
    # Without include= the linkage is not sent, as recorded.
    plain = client.get(f"voice_in_trunks/{doc['data']['id']}").json()
    assert "data" not in plain["data"]["relationships"]["pop"] and "included" not in plain
    cleared = client.patch(
        f"voice_in_trunks/{doc['data']['id']}?include=pop",
        json=patch("voice_in_trunks", doc["data"]["id"], pop=None),
    )
    assert cleared.json()["data"]["relationships"]["pop"]["data"] is None


def test_unknown_relationship_target_is_422(client: httpx.Client) -> None:
    body = pstn_trunk()
    body["data"]["relationships"] = {"voice_in_trunk_group": {"data": identifier("voice_in_trunk_groups", "nope")}}
    assert_validation_error(
        client.post("voice_in_trunks", json=body),
        "/data/relationships/voice_in_trunk_group",
        "voice_in_trunk_group - is invalid",
    )
    assert single_error(client.get("voice_in_trunks", params={"include": "owner"}), 400)["code"] == "112"


def test_pops_are_listed_and_read_only(client: httpx.Client) -> None:
    body = client.get("pops").json()
    assert {"USA, NY", "DE, FRA"} <= {p["attributes"]["name"] for p in body["data"]}
    assert body["meta"] == {"api_version": "2026-04-16"}
    assert client.post("pops", json={"data": {"type": "pops", "attributes": {"name": "x"}}}).status_code == 405


def test_multi_key_sort_with_nulls_last(client: httpx.Client) -> None:
    created(client, "voice_in_trunks", pstn_trunk(name="b", description="x"))
    created(client, "voice_in_trunks", pstn_trunk(name="a"))
    created(client, "voice_in_trunks", pstn_trunk(name="c", description="x"))
    ordered = client.get("voice_in_trunks", params={"sort": "description,-name"}).json()["data"]
    assert [d["attributes"]["name"] for d in ordered] == ["c", "b", "a"]
