"""Declared-vs-live comparison: only declared properties count; nested type switches replace."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from didww_iac.resources.diffing import compare
from didww_iac.resources.voice_in_trunk_groups import VOICE_IN_TRUNK_GROUPS
from didww_iac.resources.voice_in_trunks import VOICE_IN_TRUNKS

LIVE_TRUNK: dict[str, Any] = {
    "name": "PBX",
    "priority": 1,
    "weight": 100,
    "capacity_limit": 10,
    "ringing_timeout": 30,
    "cli_format": "raw",
    "cli_prefix": None,
    "description": None,
    "external_reference_id": "ref",
    "created_at": "2026-11-27T10:00:00.000Z",
    "configuration": {
        "type": "sip_configurations",
        "attributes": {"host": "pbx.example.com", "port": 5060, "codec_ids": [9, 7], "rtp_timeout": 30},
    },
}


def declared(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": "PBX",
        "capacity_limit": 10,
        "configuration": {
            "type": "sip_configurations",
            "attributes": {"host": "pbx.example.com", "port": 5060},
        },
    }
    base.update(changes)
    return base


def test_server_defaults_and_server_set_fields_are_not_changes() -> None:
    assert compare(VOICE_IN_TRUNKS, LIVE_TRUNK, declared(created_at="other")) == []


def test_changed_attribute_updates_in_place() -> None:
    (change,) = compare(VOICE_IN_TRUNKS, LIVE_TRUNK, declared(capacity_limit=20))
    assert (change.field, change.paths, change.replace) == ("capacity_limit", ("capacity_limit",), False)


def test_nested_change_names_the_nested_path() -> None:
    config = {"type": "sip_configurations", "attributes": {"host": "pbx2.example.com", "codec_ids": [7, 9]}}
    (change,) = compare(VOICE_IN_TRUNKS, LIVE_TRUNK, declared(configuration=config))
    assert change.paths == ("configuration.attributes.codec_ids", "configuration.attributes.host")
    assert change.replace is False


def test_numbers_from_the_engine_equal_the_integers_didww_answers() -> None:
    # The engine carries every number as a float; an adopted trunk's live port is an int.
    config = {
        "type": "sip_configurations",
        "attributes": {"host": "pbx.example.com", "port": 5060.0, "codec_ids": [9.0, 7.0]},
    }
    assert compare(VOICE_IN_TRUNKS, LIVE_TRUNK, declared(configuration=config, capacity_limit=10.0)) == []
    config["attributes"]["port"] = 5061.0  # type: ignore[index]
    (change,) = compare(VOICE_IN_TRUNKS, LIVE_TRUNK, declared(configuration=config))
    assert change.paths == ("configuration.attributes.port",)


def test_switching_sip_to_pstn_replaces() -> None:
    config = {"type": "pstn_configurations", "attributes": {"dst": "4420"}}
    (change,) = compare(VOICE_IN_TRUNKS, LIVE_TRUNK, declared(configuration=config))
    assert change.field == "configuration" and change.replace is True


def test_membership_is_compared_as_a_set() -> None:
    live = {"name": "G", "voice_in_trunks": ["a", "b"]}
    assert compare(VOICE_IN_TRUNK_GROUPS, live, {"name": "G", "voice_in_trunks": ["b", "a"]}) == []
    (change,) = compare(VOICE_IN_TRUNK_GROUPS, live, {"name": "G", "voice_in_trunks": []})
    assert change.field == "voice_in_trunks"


@given(
    st.dictionaries(
        st.sampled_from(["name", "priority", "weight", "capacity_limit", "description"]),
        st.one_of(st.none(), st.integers(0, 5), st.text(max_size=3)),
    )
)
def test_a_declared_value_equal_to_live_is_never_a_change(values: dict[str, Any]) -> None:
    live = {**LIVE_TRUNK, **values}
    assert compare(VOICE_IN_TRUNKS, live, values) == []
    changed = {k: v for k, v in values.items() if v is not None}
    different = {k: f"{v}-x" for k, v in changed.items()}
    assert {c.field for c in compare(VOICE_IN_TRUNKS, live, different)} == set(changed)


def test_pointing_a_did_entry_at_another_number_replaces_it() -> None:
    from didww_iac.resources.dids import DIDS

    live = {"lookup_number": "12125550100", "description": "Main"}
    (change,) = compare(DIDS, live, {"lookup_number": "12125550199", "description": "Main"})
    assert change.field == "lookup_number" and change.replace is True
    (local_only,) = compare(DIDS, {**live, "on_delete": "detach"}, {**live, "on_delete": "terminate"})
    assert local_only.replace is False
