"""voice_in_trunk_groups: name, capacity, external reference and trunk membership; never replaced."""

from didww_iac.resource_types.voice_in_trunk_groups import VOICE_IN_TRUNK_GROUPS
from didww_iac.resources.provider import DidwwProvider
from didww_iac.resources.serialization import SharedProviderResource

__all__ = ["VOICE_IN_TRUNK_GROUPS", "VoiceInTrunkGroup", "VoiceInTrunkGroupProvider"]


class VoiceInTrunkGroupProvider(DidwwProvider):
    spec = VOICE_IN_TRUNK_GROUPS


class VoiceInTrunkGroup(SharedProviderResource, module="didww", name="VoiceInTrunkGroup"):
    pass
