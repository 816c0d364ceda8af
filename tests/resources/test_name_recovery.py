"""On API 2022-05-10 (no external_reference_id), what a lost create left is found by the name
DIDWW keeps unique: adopted when it holds every declared setting, refused with the fix when not.
Also when the listing the run read predates it and DIDWW refuses the name as taken, and right
after a POST whose answer was lost."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from didww_iac.emulator.testing import RunningEmulator, running_emulator
from didww_iac.resources.errors import DidwwResourceError
from didww_iac.resources.provider import DidwwProvider
from didww_iac.resources.voice_in_trunk_groups import VoiceInTrunkGroupProvider
from tests.resources.helpers import api_requests, call, clear_requests, configured, reset

KEY = "name-recovery-key-0c7e"
OLD = "2022-05-10"


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    with running_emulator(api_keys=[KEY], api_version=OLD, rate_limit=None, request_log=True) as emu:
        yield emu


@pytest.fixture(autouse=True)
def made_earlier(emulator: RunningEmulator) -> str:
    """A group as a create whose answer was lost left it (made before this provider ran)."""
    reset(emulator)
    body = {"data": {"type": "voice_in_trunk_groups", "attributes": {"name": "Office", "capacity_limit": 5}}}
    made: str = call(emulator, KEY, "POST", "voice_in_trunk_groups", body)["data"]["id"]
    clear_requests(emulator)
    return made


def test_the_group_holding_the_declared_name_and_settings_is_adopted(
    emulator: RunningEmulator, made_earlier: str
) -> None:
    provider = configured(emulator, VoiceInTrunkGroupProvider, KEY, version=OLD)

    created = provider.create({"name": "Office", "capacity_limit": 5, "voice_in_trunks": []})

    assert created.id == made_earlier
    assert [r["method"] for r in api_requests(emulator)] == ["GET"]  # the listing; no POST


def test_a_group_holding_the_name_with_other_settings_is_refused_with_the_fix(
    emulator: RunningEmulator, made_earlier: str
) -> None:
    provider = configured(emulator, VoiceInTrunkGroupProvider, KEY, version=OLD)

    with pytest.raises(DidwwResourceError) as refused:
        provider.create({"name": "Office", "capacity_limit": 9, "voice_in_trunks": []})

    message = str(refused.value)
    assert made_earlier in message and f"adopt_id: {made_earlier}" in message and "capacity_limit" in message
    assert "POST" not in {r["method"] for r in api_requests(emulator)}


def _made_after_the_listing(emulator: RunningEmulator, provider: DidwwProvider, capacity_limit: int) -> str:
    """A group DIDWW holds that this provider's listing does not show: made by a create whose
    answer was lost, or by a concurrent run, after the listing was read."""
    assert provider.index.get("warm-up") is None  # the listing (and the version check) happen now
    body = {"data": {"type": "voice_in_trunk_groups", "attributes": {"name": "Lab", "capacity_limit": capacity_limit}}}
    made: str = call(emulator, KEY, "POST", "voice_in_trunk_groups", body)["data"]["id"]
    clear_requests(emulator)
    return made


def _holding(emulator: RunningEmulator, name: str) -> list[str]:
    groups = call(emulator, KEY, "GET", "voice_in_trunk_groups?page[size]=100")["data"]
    return [g["id"] for g in groups if g["attributes"]["name"] == name]


def test_a_name_refused_as_taken_is_looked_up_and_its_holder_adopted(emulator: RunningEmulator) -> None:
    provider = configured(emulator, VoiceInTrunkGroupProvider, KEY, version=OLD)
    made = _made_after_the_listing(emulator, provider, capacity_limit=5)

    created = provider.create({"name": "Lab", "capacity_limit": 5, "voice_in_trunks": []})

    log = [(r["method"], r["status"]) for r in api_requests(emulator)]
    assert log == [("POST", 422), ("GET", 200)]  # refused, then DIDWW asked (not the stale listing)
    assert created.id == made and _holding(emulator, "Lab") == [made]


def test_a_name_refused_as_taken_by_a_group_with_other_settings_names_it_and_the_fix(
    emulator: RunningEmulator,
) -> None:
    provider = configured(emulator, VoiceInTrunkGroupProvider, KEY, version=OLD)
    made = _made_after_the_listing(emulator, provider, capacity_limit=5)

    with pytest.raises(DidwwResourceError) as refused:
        provider.create({"name": "Lab", "capacity_limit": 9, "voice_in_trunks": []})

    message = str(refused.value)
    assert made in message and f"adopt_id: {made}" in message and "capacity_limit" in message
    assert KEY not in message
    assert _holding(emulator, "Lab") == [made]  # left as it was
    assert [r["status"] for r in api_requests(emulator, "POST")] == [422]


def test_a_create_whose_answer_was_lost_is_found_by_its_name(emulator: RunningEmulator) -> None:
    provider = configured(emulator, VoiceInTrunkGroupProvider, KEY, version=OLD)
    assert provider.index.get("warm-up") is None
    fault = {"lose_answer_next": 1, "lose_answer_method": "POST"}
    httpx.post(emulator.admin_url + "faults", json=fault).raise_for_status()

    created = provider.create({"name": "Lab", "capacity_limit": 5, "voice_in_trunks": []})

    assert _holding(emulator, "Lab") == [created.id]
    posts = api_requests(emulator, "POST")
    assert [(r["status"], r["outcome"]) for r in posts] == [(201, "answer_lost")]  # made once, never again
