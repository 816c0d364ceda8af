"""voice_out_trunks: authentication_method in 2026-04-16, flat credentials in 2022-05-10."""

from __future__ import annotations

import httpx

from didww_iac.emulator.testing import RunningEmulator, running_emulator

from .conftest import api_client
from .fixtures import (
    V2022,
    VOICE_OUT_ATTRIBUTES_2022,
    VOICE_OUT_ATTRIBUTES_2026,
    did_item,
    identifier,
    patch,
    voice_out_trunk,
)
from .helpers import assert_validation_error, created, single_error

OLD = {"X-DIDWW-API-Version": V2022}


def test_create_credentials_and_ip(client: httpx.Client) -> None:
    response = client.post("voice_out_trunks", json=voice_out_trunk())
    assert response.status_code == 201
    data = response.json()["data"]
    attributes = data["attributes"]
    assert set(attributes) == VOICE_OUT_ATTRIBUTES_2026
    method = attributes["authentication_method"]
    assert method["type"] == "credentials_and_ip"
    assert method["attributes"]["allowed_sip_ips"] == ["192.168.1.1/32"]
    assert method["attributes"]["tech_prefix"] is None
    assert len(method["attributes"]["username"]) == 16 and len(method["attributes"]["password"]) == 16
    assert attributes["threshold_amount"] == "3000.0" and attributes["status"] == "active"
    assert attributes["dst_prefixes"] == [] and attributes["rtp_timeout"] == 30
    assert data["meta"] == {"spent_amount": "0.0"}
    assert set(data["relationships"]) == {"dids", "emergency_dids"}


def test_authentication_method_errors(client: httpx.Client) -> None:
    ip_only = voice_out_trunk(
        authentication_method={"type": "ip_only", "attributes": {"allowed_sip_ips": ["192.168.1.1"]}}
    )
    assert_validation_error(
        client.post("voice_out_trunks", json=ip_only),
        "/data/attributes/authentication_method/type",
        "type - is not allowed for creation",
    )
    twilio = voice_out_trunk(authentication_method={"type": "twilio", "attributes": {}})
    assert_validation_error(
        client.post("voice_out_trunks", json=twilio),
        "/data/attributes/authentication_method/attributes/twilio_account_sid",
        "twilio_account_sid - can't be blank",
    )
    no_ips = voice_out_trunk(authentication_method={"type": "credentials_and_ip", "attributes": {}})
    assert_validation_error(
        client.post("voice_out_trunks", json=no_ips),
        "/data/attributes/authentication_method",
        "authentication_method - is invalid",
    )


def test_switch_authentication_method(client: httpx.Client) -> None:
    trunk = created(client, "voice_out_trunks", voice_out_trunk())
    twilio = {"type": "twilio", "attributes": {"twilio_account_sid": "AC39347AF064AF97E1682C3B7772DAAEE6"}}
    response = client.patch(
        f"voice_out_trunks/{trunk['id']}",
        json=patch("voice_out_trunks", trunk["id"], {"authentication_method": twilio}),
    )
    assert response.status_code == 200
    assert response.json()["data"]["attributes"]["authentication_method"] == twilio
    to_ip_only = {"type": "ip_only", "attributes": {"allowed_sip_ips": ["192.168.1.1"]}}
    refused = client.patch(
        f"voice_out_trunks/{trunk['id']}",
        json=patch("voice_out_trunks", trunk["id"], {"authentication_method": to_ip_only}),
    )
    assert_validation_error(refused, "/data/attributes/authentication_method/type", "type - is not allowed for update")


def test_filters(client: httpx.Client) -> None:
    a = created(client, "voice_out_trunks", voice_out_trunk(name="Alpha trunk"))["id"]
    twilio = {"type": "twilio", "attributes": {"twilio_account_sid": "AC1"}}
    b = created(client, "voice_out_trunks", voice_out_trunk(name="Beta", authentication_method=twilio))["id"]
    assert [
        d["id"] for d in client.get("voice_out_trunks", params={"filter[name_contains]": "alpha"}).json()["data"]
    ] == [a]
    by_type = client.get("voice_out_trunks", params={"filter[authentication_method.type]": "twilio"}).json()["data"]
    assert [d["id"] for d in by_type] == [b]


def test_flat_2022_fields_are_refused_by_a_2026_account(client: httpx.Client) -> None:
    body = {
        "data": {
            "type": "voice_out_trunks",
            "attributes": {
                "name": "Outbound trunk 11",
                "allowed_sip_ips": ["192.168.1.1"],
                "dst_prefixes": ["23"],
            },
        }
    }
    response = client.post("voice_out_trunks", json=body, headers=OLD)
    # The account's default (2026) is newer, so the 2022 header is ignored and the flat field refused.
    assert single_error(response, 400)["detail"] == "allowed_sip_ips is not allowed."


def test_2022_account_uses_flat_fields_stored_as_authentication_method() -> None:
    with running_emulator(api_version=V2022, rate_limit=None) as emu, api_client(emu) as old:
        body = {
            "data": {
                "type": "voice_out_trunks",
                "attributes": {"name": "Outbound", "allowed_sip_ips": ["192.168.1.1"]},
            }
        }
        trunk = created(old, "voice_out_trunks", body)
        attributes = trunk["attributes"]
        assert set(attributes) == VOICE_OUT_ATTRIBUTES_2022
        assert attributes["allowed_sip_ips"] == ["192.168.1.1/32"]
        assert attributes["username"].endswith("********") and len(attributes["username"]) == 10
        assert set(trunk["relationships"]) == {"dids"}
        newer = old.get(f"voice_out_trunks/{trunk['id']}", headers={"X-DIDWW-API-Version": "2026-04-16"}).json()
        method = newer["data"]["attributes"]["authentication_method"]
        assert method["type"] == "credentials_and_ip"
        assert method["attributes"]["allowed_sip_ips"] == ["192.168.1.1/32"]
        assert method["attributes"]["username"].startswith(attributes["username"][:2])


def _regenerate(client: httpx.Client, trunk_id: str) -> httpx.Response:
    body = {
        "data": {
            "type": "voice_out_trunk_regenerate_credentials",
            "relationships": {"voice_out_trunk": {"data": {"id": trunk_id, "type": "voice_out_trunks"}}},
        }
    }
    return client.post("voice_out_trunk_regenerate_credentials", json=body)


def test_regenerate_credentials(client: httpx.Client) -> None:
    trunk = created(client, "voice_out_trunks", voice_out_trunk())
    before = trunk["attributes"]["authentication_method"]["attributes"]
    response = _regenerate(client, trunk["id"])
    assert response.status_code == 201
    # As recorded: the trunk's id under this type, nothing else.
    assert response.json() == {
        "data": {"id": trunk["id"], "type": "voice_out_trunk_regenerate_credentials"},
        "meta": {"api_version": "2026-04-16"},
    }
    after = client.get(f"voice_out_trunks/{trunk['id']}").json()["data"]["attributes"]["authentication_method"]
    assert after["attributes"]["username"] != before["username"]
    assert after["attributes"]["password"] != before["password"]
    assert after["attributes"]["allowed_sip_ips"] == before["allowed_sip_ips"]
    assert_validation_error(
        _regenerate(client, "457bf47d-446d-41cd-91c3-dfbda7bf0753"),
        "/data/relationships/voice_out_trunk",
        "voice_out_trunk - is invalid",
    )
    twilio = {"type": "twilio", "attributes": {"twilio_account_sid": "AC1"}}
    other = created(client, "voice_out_trunks", voice_out_trunk(name="Twilio", authentication_method=twilio))
    assert _regenerate(client, other["id"]).status_code == 422
    assert client.get("voice_out_trunk_regenerate_credentials").status_code == 405


def test_dids_relationship(client: httpx.Client, emu: RunningEmulator) -> None:
    httpx.patch(emu.admin_url + "account", json={"order_delay": 0}).raise_for_status()
    sku = client.get("did_groups", params={"include": "stock_keeping_units"}).json()["included"][0]["id"]
    placed = created(client, "orders", {"data": {"type": "orders", "attributes": {"items": [did_item(sku, qty=2)]}}})
    dids = [d["id"] for d in client.get("dids", params={"filter[order.id]": placed["id"]}).json()["data"]]
    body = voice_out_trunk()
    body["data"]["relationships"] = {"dids": {"data": [identifier("dids", i) for i in dids]}}
    response = client.post("voice_out_trunks?include=dids", json=body)
    assert response.status_code == 201
    trunk = response.json()
    assert trunk["data"]["relationships"]["dids"]["data"] == [identifier("dids", i) for i in dids]
    assert {i["id"] for i in trunk["included"]} == set(dids)
    trunk_id = trunk["data"]["id"]
    both = patch("voice_out_trunks", trunk_id, {"allow_any_did_as_cli": True}, dids=[identifier("dids", dids[0])])
    assert_validation_error(
        client.patch(f"voice_out_trunks/{trunk_id}", json=both),
        "/data/relationships/dids",
        "dids - must be blank when allow_any_did_as_cli is true",
    )
    # Left out of the payload, the explicit DIDs are unassigned.
    any_cli = patch("voice_out_trunks", trunk_id, {"allow_any_did_as_cli": True})
    updated = client.patch(f"voice_out_trunks/{trunk_id}?include=dids", json=any_cli).json()
    assert updated["data"]["relationships"]["dids"]["data"] == []
    emergency = patch(
        "voice_out_trunks",
        trunk_id,
        {"emergency_enable_all": True},
        emergency_dids=[identifier("dids", dids[1])],
    )
    assert client.patch(f"voice_out_trunks/{trunk_id}", json=emergency).status_code == 422
    unknown = voice_out_trunk(name="Other")
    unknown["data"]["relationships"] = {"dids": {"data": [identifier("dids", "nope")]}}
    assert_validation_error(
        client.post("voice_out_trunks", json=unknown), "/data/relationships/dids", "dids - is invalid"
    )
