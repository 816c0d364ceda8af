"""The shared dynamic provider against a real emulator over HTTP, called as the engine calls it
(in-process here, to count requests and inject faults precisely)."""

from __future__ import annotations

from typing import Any

import dill
import httpx
import pytest

from didww_iac.emulator.testing import RunningEmulator
from didww_iac.resources.errors import DidwwResourceError
from didww_iac.resources.provider import DidwwProvider
from didww_iac.resources.voice_in_trunk_groups import VoiceInTrunkGroupProvider
from didww_iac.resources.voice_in_trunks import VoiceInTrunkProvider
from tests.resources.helpers import api_requests, call, clear_requests, configured

KEY = "provider-test-key-88c1d2"

pytestmark = pytest.mark.usefixtures("clean_emulator")


def provider(emulator: RunningEmulator, cls: type[DidwwProvider] = VoiceInTrunkGroupProvider) -> DidwwProvider:
    return configured(emulator, cls, KEY)


def api(emulator: RunningEmulator, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    return call(emulator, KEY, method, path, body)


TRUNK = {
    "name": "T",
    "priority": 1,
    "weight": 1,
    "capacity_limit": 1,
    "ringing_timeout": 30,
    "cli_format": "raw",
}


def group_props(name: str, ref: str) -> dict[str, Any]:
    return {"name": name, "capacity_limit": 5, "external_reference_id": ref, "voice_in_trunks": []}


def test_the_pickle_holds_the_class_by_reference_and_no_key(emulator: RunningEmulator) -> None:
    p = provider(emulator)
    p.create(group_props("G", "ref-g"))  # the provider has a live client now
    pickled = dill.dumps(p, recurse=True)
    assert KEY.encode() not in pickled
    assert b"didww_iac.resources.voice_in_trunk_groups" in pickled and b"VoiceInTrunkGroupProvider" in pickled


def test_create_adopts_what_an_earlier_crashed_run_left(emulator: RunningEmulator) -> None:
    earlier = api(
        emulator,
        "POST",
        "voice_in_trunk_groups",
        {
            "data": {
                "type": "voice_in_trunk_groups",
                "attributes": {"name": "Old name", "external_reference_id": "ref-1"},
            }
        },
    )["data"]["id"]

    result = provider(emulator).create(group_props("Office", "ref-1"))

    assert result.id == earlier
    assert result.outs is not None and result.outs["name"] == "Office"  # declared settings applied
    groups = api(emulator, "GET", "voice_in_trunk_groups")["data"]
    assert [g["id"] for g in groups] == [earlier]
    posts = api_requests(emulator, "POST")
    assert len(posts) == 1  # only the earlier run's


def test_a_replacement_is_created_beside_the_resource_it_replaces(emulator: RunningEmulator) -> None:
    """SIP -> PSTN replaces a trunk: the engine creates the new one (same logical name, so the same
    reference) before deleting the old. The old one must not be mistaken for a leftover."""
    p = provider(emulator, VoiceInTrunkProvider)
    sip = {"type": "sip_configurations", "attributes": {"host": "pbx.example.com", "port": 5060, "username": "u"}}
    old = p.create({**TRUNK, "external_reference_id": "ref-swap", "configuration": sip})

    pstn = {"type": "pstn_configurations", "attributes": {"dst": "442080000000"}}
    new = provider(emulator, VoiceInTrunkProvider).create(
        {**TRUNK, "external_reference_id": "ref-swap", "configuration": pstn}
    )
    p.delete(old.id, old.outs or {})

    trunks = api(emulator, "GET", "voice_in_trunks")["data"]
    assert new.id != old.id and [t["id"] for t in trunks] == [new.id]
    assert trunks[0]["attributes"]["configuration"]["type"] == "pstn_configurations"


def test_a_dropped_post_is_looked_up_then_retried_once(emulator: RunningEmulator) -> None:
    p = provider(emulator)
    assert p.index.get("warm-up") is None  # the listing (and the version check) happen first
    httpx.post(emulator.admin_url + "faults", json={"drop_next": 1}).raise_for_status()

    result = p.create(group_props("Office", "ref-2"))

    groups = api(emulator, "GET", "voice_in_trunk_groups")["data"]
    assert [g["id"] for g in groups] == [result.id]
    posts = api_requests(emulator, "POST")
    assert len(posts) == 2  # the dropped one and the retry after an empty lookup


def test_refresh_of_many_resources_costs_one_list_per_page(emulator: RunningEmulator) -> None:
    ids = [
        api(
            emulator,
            "POST",
            "voice_in_trunk_groups",
            {"data": {"type": "voice_in_trunk_groups", "attributes": {"name": f"G{i}"}}},
        )["data"]["id"]
        for i in range(30)
    ]
    clear_requests(emulator)
    p = provider(emulator)

    names = {p.read(i, {"name": None}).outs["name"] for i in ids}  # type: ignore[index]

    assert names == {f"G{i}" for i in range(30)}
    gets = api_requests(emulator, "GET")
    assert len(gets) == 1 and "page" in str(gets[0])


def test_a_resource_deleted_behind_our_back_reads_as_gone(emulator: RunningEmulator) -> None:
    p = provider(emulator, VoiceInTrunkProvider)
    created = p.create(
        {
            "name": "T",
            "priority": 1,
            "weight": 1,
            "capacity_limit": 1,
            "ringing_timeout": 30,
            "cli_format": "raw",
            "external_reference_id": "ref-t",
            "configuration": {"type": "pstn_configurations", "attributes": {"dst": "123"}},
        }
    )
    api(emulator, "DELETE", f"voice_in_trunks/{created.id}")

    assert provider(emulator, VoiceInTrunkProvider).read(created.id, {}).id == ""


def test_update_sends_only_what_changed(emulator: RunningEmulator) -> None:
    p = provider(emulator)
    created = p.create(group_props("Office", "ref-u"))
    assert created.outs is not None
    clear_requests(emulator)

    news = {**group_props("Office", "ref-u"), "capacity_limit": 9}
    p.update(created.id, created.outs, news)

    (patch,) = api_requests(emulator, "PATCH")
    assert patch["body"]["data"]["attributes"] == {"capacity_limit": 9}


def test_a_refused_write_points_at_the_stack_file_line_and_setting(emulator: RunningEmulator) -> None:
    props = {
        **TRUNK,
        "configuration": {"type": "sip_configurations", "attributes": {"username": "u", "codec_ids": [999]}},
        "source_location": {
            "file": "stacks/dev.yaml",
            "entry": "voice_in_trunks.pbx",
            "lines": {"": 3.0, "name": 4.0, "sip": 6.0, "sip.codec_ids": 8.0},
        },
    }  # fmt: skip
    with pytest.raises(DidwwResourceError) as info:
        provider(emulator, VoiceInTrunkProvider).create(props)

    first_line = str(info.value).splitlines()[0]
    assert first_line.startswith("stacks/dev.yaml:8: voice_in_trunks.pbx.sip.codec_ids: ")
    assert "422 on POST /v3/voice_in_trunks" in str(info.value)
    assert KEY not in str(info.value)
