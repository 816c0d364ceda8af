"""Both API versions: every document shape translates to the canonical one and back."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from didww_api_fixtures import BUILDERS, collection, order, single, trunk_group, voice_out_trunk

from didww_iac.api import UnsupportedInVersionError
from didww_iac.api.documents import resource_document
from didww_iac.api.versions import DIFFERENCES, SUPPORTED_VERSIONS, Translator

OLD, NEW = "2022-05-10", "2026-04-16"

# Written independently of versions.py: what a 2022-05-10 answer cannot carry.
ONLY_IN_2026: dict[str, set[str]] = {
    "voice_in_trunks": {"external_reference_id"},
    "voice_in_trunk_groups": {"external_reference_id"},
    "shared_capacity_groups": {"external_reference_id"},
    "orders": {"external_reference_id"},
    "voice_out_trunks": {"rtp_timeout", "emergency_enable_all", "external_reference_id"},
    "dids": {"emergency_enabled"},
}
SIP_ONLY_IN_2026 = {
    "network_protocol_priority",
    "enabled_sip_registration",
    "use_did_in_ruri",
    "diversion_relay_policy",
    "diversion_inject_mode",
    "cnam_lookup",
}


def canonical_view_of_old(type_: str) -> dict[str, Any]:
    res: dict[str, Any] = BUILDERS[type_](NEW)
    for name in ONLY_IN_2026.get(type_, set()):
        res["attributes"].pop(name, None)
    conf = res["attributes"].get("configuration")
    if conf and conf["type"] == "sip_configurations":
        for name in SIP_ONLY_IN_2026:
            conf["attributes"].pop(name)
    return res


@pytest.mark.parametrize("type_", sorted(BUILDERS))
def test_old_answers_read_in_the_canonical_shape(type_: str) -> None:
    got = Translator(OLD).response_document(single(BUILDERS[type_](OLD), OLD))
    assert got["data"] == canonical_view_of_old(type_)


@pytest.mark.parametrize("type_", sorted(BUILDERS))
@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_canonical_version_answers_are_untouched(type_: str, version: str) -> None:
    doc = single(BUILDERS[type_](NEW), NEW)
    assert Translator(NEW).response_document(doc) == doc
    assert Translator(NEW).request_document("POST", doc) == doc


def test_included_resources_are_translated_too() -> None:
    doc = collection([trunk_group(OLD)], OLD, included=[order(OLD, "completed"), voice_out_trunk(OLD)])
    got = Translator(OLD).response_document(doc)
    assert got["included"][0]["attributes"]["status"] == "completed"
    assert got["included"][1]["attributes"]["authentication_method"]["type"] == "credentials_and_ip"
    assert doc["included"][0]["attributes"]["status"] == "Completed"  # input not mutated


def _create(type_: str, attributes: dict[str, Any], relationships: dict[str, Any] | None = None) -> dict[str, Any]:
    return resource_document(type_, attributes, relationships)


def test_order_request_to_2022() -> None:
    canonical = _create(
        "orders",
        {
            "external_reference_id": "urn:x",
            "callback_url": "https://h.example.test",
            "callback_method": "get",
            "items": [{"type": "did_order_items", "attributes": {"sku_id": "s", "qty": 2}}],
        },
    )
    wire = Translator(OLD).request_document("POST", canonical)["data"]["attributes"]
    assert wire == {
        "callback_url": "https://h.example.test",
        "callback_method": "GET",
        "allow_back_ordering": True,
        "items": [{"type": "did_order_items", "attributes": {"sku_id": "s", "qty": 2}}],
    }
    assert canonical["data"]["attributes"]["callback_method"] == "get"  # input not mutated


def test_explicit_back_ordering_is_kept() -> None:
    canonical = _create("orders", {"allow_back_ordering": False, "items": []})
    assert Translator(OLD).request_document("POST", canonical)["data"]["attributes"]["allow_back_ordering"] is False


def test_order_update_does_not_exist_in_2022() -> None:
    doc = resource_document("orders", {"external_reference_id": "x"}, id_="1")
    with pytest.raises(UnsupportedInVersionError, match="PATCH /orders"):
        Translator(OLD).request_document("PATCH", doc)
    assert not Translator(OLD).supports_operation("orders", "PATCH")
    assert Translator(NEW).supports_operation("orders", "PATCH")


def test_emergency_order_items_are_refused_in_2022() -> None:
    doc = _create("orders", {"items": [{"type": "emergency_order_items", "attributes": {"qty": 1}}]})
    with pytest.raises(UnsupportedInVersionError, match="emergency_order_items"):
        Translator(OLD).request_document("POST", doc)


def test_voice_out_trunk_authentication_flattens_for_2022() -> None:
    canonical = _create(
        "voice_out_trunks",
        {
            "name": "out",
            "on_cli_mismatch_action": "reject_call",
            "rtp_timeout": 60,
            "emergency_enable_all": False,
            "external_reference_id": "urn:y",
            "authentication_method": {
                "type": "credentials_and_ip",
                "attributes": {"allowed_sip_ips": ["192.0.2.1/32"], "tech_prefix": "12#"},
            },
        },
        {"dids": [], "emergency_dids": []},
    )
    data = Translator(OLD).request_document("POST", canonical)["data"]
    assert data["attributes"] == {
        "name": "out",
        "on_cli_mismatch_action": "reject_call",
        "allowed_sip_ips": ["192.0.2.1/32"],
    }
    assert data["relationships"] == {"dids": {"data": []}}


def test_voice_out_trunk_twilio_cannot_be_expressed_in_2022() -> None:
    doc = _create("voice_out_trunks", {"authentication_method": {"type": "twilio", "attributes": {}}})
    with pytest.raises(UnsupportedInVersionError, match="twilio"):
        Translator(OLD).request_document("POST", doc)


def test_emergency_dids_relationship_is_refused_when_set() -> None:
    from didww_iac.api import Ref

    doc = resource_document("voice_out_trunks", {}, {"emergency_dids": [Ref("dids", "1")]}, id_="9")
    with pytest.raises(UnsupportedInVersionError, match="emergency_dids"):
        Translator(OLD).request_document("PATCH", doc)


def test_sip_configuration_drops_2026_attributes() -> None:
    conf = {
        "type": "sip_configurations",
        "attributes": {"host": "h", "cnam_lookup": True, "use_did_in_ruri": False},
    }
    doc = resource_document("voice_in_trunks", {"name": "t", "configuration": conf, "external_reference_id": "u"})
    wire = Translator(OLD).request_document("POST", doc)["data"]["attributes"]
    assert wire == {"name": "t", "configuration": {"type": "sip_configurations", "attributes": {"host": "h"}}}
    pstn = {"type": "pstn_configurations", "attributes": {"dst": "123"}}
    doc = resource_document("voice_in_trunks", {"configuration": pstn}, id_="1")
    assert Translator(OLD).request_document("PATCH", doc)["data"]["attributes"]["configuration"] == pstn


def test_did_reservation_rename_both_ways() -> None:
    doc = _create("did_reservations", {"description": "d", "expires_at": "x"})
    assert Translator(OLD).request_document("POST", doc)["data"]["attributes"] == {
        "description": "d",
        "expire_at": "x",
    }
    f, _inc, srt = Translator(OLD).query("did_reservations", {"expires_at": "x"}, None, ["-expires_at", "created_at"])
    assert f == {"expire_at": "x"} and srt == ["-expire_at", "created_at"]


def test_enum_filters_translate() -> None:
    f, _, _ = Translator(OLD).query("orders", {"status": "pending"}, None, None)
    assert f == {"status": "Pending"}
    f, _, _ = Translator(OLD).query("orders", {"status": ["completed", "canceled"]}, None, None)
    assert f == {"status": ["Completed", "Canceled"]}


@pytest.mark.parametrize(
    ("type_", "filters", "include", "sort"),
    [
        ("orders", {"external_reference_id": "urn:x"}, None, None),
        ("voice_in_trunks", {"external_reference_id": "urn:x"}, None, None),
        ("voice_in_trunk_groups", {"external_reference_id": "urn:x"}, None, None),
        ("shared_capacity_groups", {"external_reference_id": "urn:x"}, None, None),
        ("voice_out_trunks", {"authentication_method.type": "twilio"}, None, None),
        ("dids", {"emergency_enabled": True}, None, None),
        ("dids", {"emergency_calling_service.id": "x"}, None, None),
        ("dids", {"did_group.features": "voice_in,a2p"}, None, None),
        ("dids", None, ["emergency_calling_service"], None),
        ("voice_out_trunks", None, None, ["rtp_timeout"]),
    ],
)
def test_filters_the_old_version_lacks_are_refused_not_dropped(
    type_: str, filters: dict[str, Any] | None, include: list[str] | None, sort: list[str] | None
) -> None:
    # Dropping them would silently widen a lookup (e.g. the idempotency lookup by external id).
    with pytest.raises(UnsupportedInVersionError, match="2026-04-16"):
        Translator(OLD).query(type_, filters, include, sort)
    Translator(NEW).query(type_, filters, include, sort)


def test_supports_attribute() -> None:
    assert not Translator(OLD).supports_attribute("orders", "external_reference_id")
    assert Translator(OLD).supports_attribute("orders", "callback_url")
    assert Translator(NEW).supports_attribute("orders", "external_reference_id")


def test_every_declared_type_is_one_we_manage() -> None:
    from didww_iac.resource_types import SPECS

    managed = {
        *SPECS,
        "encrypted_files",  # uploaded by DidwwClient.upload_encrypted_file
        # What the emergency calling services provider submits and reads, all new in 2026-04-16.
        "emergency_verifications",
        "emergency_requirements",
        "emergency_requirement_validations",
    }
    assert {d.resource for d in DIFFERENCES[OLD]} <= managed
    assert DIFFERENCES[NEW] == ()


def test_old_voice_out_answer_then_write_back_round_trips() -> None:
    legacy = voice_out_trunk(OLD)
    canonical = Translator(OLD).response_document(single(copy.deepcopy(legacy), OLD))["data"]
    wire = Translator(OLD).request_document("PATCH", {"data": canonical})["data"]
    expected = {k: v for k, v in legacy["attributes"].items() if k not in {"username", "password"}}
    assert wire["attributes"] == expected
