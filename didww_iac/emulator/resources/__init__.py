"""The resource types this emulator serves. Add a type by declaring it and listing it here."""

from __future__ import annotations

from didww_iac.emulator.resources.pops import POPS
from didww_iac.emulator.resources.voice_in import VOICE_IN_TRUNK_GROUPS, VOICE_IN_TRUNKS
from didww_iac.emulator.resources.voice_out import VOICE_OUT_TRUNKS
from didww_iac.emulator.schema import Registry, ResourceType

RESOURCE_TYPES: tuple[ResourceType, ...] = (POPS, VOICE_IN_TRUNKS, VOICE_IN_TRUNK_GROUPS, VOICE_OUT_TRUNKS)


def build_registry() -> Registry:
    return Registry(RESOURCE_TYPES)
