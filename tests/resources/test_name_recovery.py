"""On API 2022-05-10 (no external_reference_id), what a lost create left is found by the name
DIDWW keeps unique: adopted when it holds every declared setting, refused with the fix when not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from didww_iac.emulator.testing import RunningEmulator, running_emulator
from didww_iac.resources.errors import DidwwResourceError
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
