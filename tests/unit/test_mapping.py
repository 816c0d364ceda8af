"""The one declared mapping between stack entries and properties, read in both directions: the
program's translation, import's reverse translation, the error pointers and the references."""

from __future__ import annotations

from typing import Any

import pytest

from didww_iac.resource_types import SPECS
from didww_iac.resources.errors import SOURCE_LOCATION, stack_setting
from didww_iac.resources.mapping import entry_props, live_entry, references
from didww_iac.stack.schema import Did, SharedCapacityGroup, VoiceInTrunk, VoiceInTrunkGroup, VoiceOutTrunk

# logical name <-> DIDWW id, per section, for the translation both ways
IDS = {
    ("voice_in_trunks", "pbx"): "trunk-1",
    ("voice_in_trunks", "mobile"): "trunk-2",
    ("voice_in_trunk_groups", "office"): "group-1",
    ("capacity_pools", "us"): "pool-1",
    ("shared_capacity_groups", "lab"): "sharing-1",
    ("dids", "main"): "did-1",
    ("dids", "fax"): "did-2",
}
LOGICAL = {(section, id_): name for (section, name), id_ in IDS.items()}

ENTRIES: list[tuple[str, dict[str, Any]]] = [
    (
        "voice_in_trunks",
        {
            "name": "PBX",
            "priority": 5,
            "cli_format": "e164",
            "sip": {"username": "+{DID}", "host": "pbx.example.com", "codec_ids": [9, 7]},
            "adopt_id": "trunk-1",
        },
    ),
    ("voice_in_trunks", {"name": "Mobile", "pstn": {"dst": "442080000000"}, "adopt_id": "trunk-2"}),
    ("voice_in_trunk_groups", {"name": "Office", "capacity_limit": 4, "trunks": ["mobile", "pbx"], "adopt_id": "g"}),
    (
        "dids",
        {
            "adopt_id": "did-1",
            "description": "front desk",
            "voice_in_trunk": "pbx",
            "capacity_pool": "us",
            "dedicated_channels_count": 2,
        },
    ),
    ("dids", {"adopt_id": "did-2", "voice_in_trunk_group": "office", "shared_capacity_group": "lab"}),
    (
        "shared_capacity_groups",
        {
            "name": "Lab",
            "shared_channels_count": 1,
            "metered_channels_count": 0,
            "capacity_pool": "us",
            "adopt_id": "s",
        },
    ),
    (
        "voice_out_trunks",
        {
            "name": "SBC",
            "authentication": {"type": "credentials_and_ip", "allowed_sip_ips": ["203.0.113.10/32"]},
            "threshold_amount": "200.00",
            "dids": ["fax", "main"],
            "adopt_id": "o",
        },
    ),
]


def model(section: str, entry: dict[str, Any]) -> Any:
    spec = SPECS[section]
    assert spec.entry_model is not None
    return spec.entry_model.model_validate(entry)


@pytest.mark.parametrize(("section", "entry"), ENTRIES, ids=[f"{s}-{i}" for i, (s, _) in enumerate(ENTRIES)])
def test_an_entry_read_back_from_its_properties_is_the_entry(section: str, entry: dict[str, Any]) -> None:
    spec = SPECS[section]
    props = entry_props(spec, model(section, entry), lambda s, n: IDS[(s, n)])
    back = live_entry(spec, props, lambda s, i: LOGICAL.get((s, i)))
    assert back == {k: v for k, v in entry.items() if k != "adopt_id"}


def test_properties_hold_ids_nested_kinds_and_only_what_is_declared() -> None:
    trunk = entry_props(SPECS["voice_in_trunks"], model(*ENTRIES[0]), lambda s, n: IDS[(s, n)])
    assert trunk["configuration"] == {
        "type": "sip_configurations",
        "attributes": {"username": "+{DID}", "host": "pbx.example.com", "codec_ids": [9, 7]},
    }
    assert "weight" not in trunk and "ringing_timeout" not in trunk  # left out: not managed
    group = entry_props(SPECS["voice_in_trunk_groups"], model(*ENTRIES[2]), lambda s, n: IDS[(s, n)])
    assert group["voice_in_trunks"] == ["trunk-2", "trunk-1"] and "trunks" not in group
    out = entry_props(SPECS["voice_out_trunks"], model(*ENTRIES[6]), lambda s, n: IDS[(s, n)])
    assert out["authentication_method"] == {
        "type": "credentials_and_ip",
        "attributes": {"allowed_sip_ips": ["203.0.113.10/32"]},
    }
    by_number = Did.model_validate({"number": "12125550100", "capacity_pool_id": "pool-9"})
    number = entry_props(SPECS["dids"], by_number, lambda s, n: None)
    assert number["lookup_number"] == "12125550100" and number["capacity_pool"] == "pool-9"


def test_credentials_and_unknown_nested_keys_are_never_imported() -> None:
    live = {
        "name": "PBX",
        "configuration": {
            "type": "sip_configurations",
            "attributes": {"username": "u", "auth_password": "s3cret", "auth_user": "a", "server_only": 1},
        },
        "created_at": "2026-01-01",
    }
    entry = live_entry(SPECS["voice_in_trunks"], live, lambda s, i: None)
    assert entry == {"name": "PBX", "sip": {"username": "u", "auth_user": "a"}}
    out_live = {
        "name": "SBC",
        "authentication_method": {
            "type": "credentials_and_ip",
            "attributes": {"username": "gen-user", "password": "gen-pass", "allowed_sip_ips": ["1.2.3.4/32"]},
        },
    }
    out = live_entry(SPECS["voice_out_trunks"], out_live, lambda s, i: None)
    assert out == {"name": "SBC", "authentication": {"type": "credentials_and_ip", "allowed_sip_ips": ["1.2.3.4/32"]}}


def test_a_reference_to_an_unmanaged_resource_falls_back_to_its_id_or_is_left_out() -> None:
    live = {"voice_in_trunk": "trunk-x", "capacity_pool": "pool-x", "shared_capacity_group": None}
    entry = live_entry(SPECS["dids"], live, lambda s, i: None)
    # A pool has a key for its id; a trunk does not: left out, so not managed.
    assert entry == {"capacity_pool_id": "pool-x"}
    group = live_entry(
        SPECS["voice_in_trunk_groups"], {"name": "G", "voice_in_trunks": ["t1", "t2"]}, lambda s, i: None
    )
    assert group == {"name": "G"}


@pytest.mark.parametrize(
    ("section", "pointer", "declared", "props", "expected"),
    [
        ("voice_in_trunk_groups", "/data/relationships/voice_in_trunks", ["trunks"], {}, "trunks"),
        (
            "voice_in_trunks",
            "/data/attributes/configuration/attributes/codec_ids",
            ["sip", "sip.codec_ids"],
            {"configuration": {"type": "sip_configurations"}},
            "sip.codec_ids",
        ),
        (
            "voice_in_trunks",
            "/data/attributes/configuration/attributes/dst",
            ["pstn"],
            {"configuration": {"type": "pstn_configurations"}},
            "pstn.dst",
        ),
        # The key the user wrote, not the API's attribute.
        ("voice_out_trunks", "/data/attributes/authentication_method", ["authentication"], {}, "authentication"),
        (
            "voice_out_trunks",
            "/data/attributes/authentication_method/attributes/allowed_sip_ips",
            ["authentication"],
            {"authentication_method": {"type": "credentials_and_ip"}},
            "authentication.allowed_sip_ips",
        ),
        ("dids", "/data/relationships/capacity_pool", ["capacity_pool"], {}, "capacity_pool"),
        ("dids", "/data/relationships/capacity_pool", ["capacity_pool_id"], {}, "capacity_pool_id"),
        ("did_reservations", "/data/relationships/available_did", ["available_did_id"], {}, "available_did_id"),
        ("voice_in_trunks", "/data/attributes/priority", ["priority"], {}, "priority"),
        ("voice_in_trunks", "/meta", [], {}, None),
    ],
)
def test_a_refusal_names_the_key_the_entry_declares(
    section: str, pointer: str, declared: list[str], props: dict[str, Any], expected: str | None
) -> None:
    located = {**props, SOURCE_LOCATION: {"lines": {key: 3 for key in declared}}}
    assert stack_setting(SPECS[section], pointer, located) == expected


def test_references_name_every_logical_name_with_its_place() -> None:
    group_entry = VoiceInTrunkGroup.model_validate({"name": "G", "trunks": ["a", "b"]})
    found = list(references(SPECS["voice_in_trunk_groups"], group_entry))
    assert [(r.loc, r.section, r.name) for r in found] == [
        (("trunks", 0), "voice_in_trunks", "a"),
        (("trunks", 1), "voice_in_trunks", "b"),
    ]
    did = Did.model_validate({"order": "ny", "index": 1, "voice_in_trunk": "pbx", "shared_capacity_group": "lab"})
    assert {(r.loc, r.section) for r in references(SPECS["dids"], did)} == {
        (("order",), "orders"),
        (("voice_in_trunk",), "voice_in_trunks"),
        (("shared_capacity_group",), "shared_capacity_groups"),
    }
    trunk = VoiceInTrunk.model_validate({"name": "T", "pstn": {"dst": "1"}})
    assert list(references(SPECS["voice_in_trunks"], trunk)) == []
    twilio = {"type": "twilio", "twilio_account_sid": "AC1"}
    out = VoiceOutTrunk.model_validate({"name": "O", "authentication": twilio, "dids": ["m"]})
    assert [r.name for r in references(SPECS["voice_out_trunks"], out)] == ["m"]
    group = SharedCapacityGroup.model_validate(
        {"name": "S", "shared_channels_count": 1, "metered_channels_count": 0, "capacity_pool_id": "p"}
    )
    assert list(references(SPECS["shared_capacity_groups"], group)) == []
