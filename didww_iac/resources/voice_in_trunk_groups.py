"""voice_in_trunk_groups: name, capacity, external reference and trunk membership; never replaced."""

from didww_iac.resources.provider import DidwwProvider
from didww_iac.resources.serialization import SharedProviderResource
from didww_iac.resources.spec import FieldSpec, Kind, ResourceSpec

VOICE_IN_TRUNK_GROUPS = ResourceSpec(
    api_type="voice_in_trunk_groups",
    pulumi_name="VoiceInTrunkGroup",
    fields=(
        FieldSpec("name", unique=True),
        FieldSpec("capacity_limit"),
        FieldSpec("external_reference_id"),
        FieldSpec("voice_in_trunks", Kind.TO_MANY, related_type="voice_in_trunks", stack_name="trunks"),
        FieldSpec("created_at", writable=False),
    ),
    include=("voice_in_trunks",),
)


class VoiceInTrunkGroupProvider(DidwwProvider):
    spec = VOICE_IN_TRUNK_GROUPS


class VoiceInTrunkGroup(SharedProviderResource, module="didww", name="VoiceInTrunkGroup"):
    pass
