"""voice_in_trunk_groups: name, capacity, external reference and trunk membership; never replaced."""

from didww_iac.resources.spec import FieldSpec, Kind, Reference, ResourceSpec
from didww_iac.stack.schema import VoiceInTrunkGroup

VOICE_IN_TRUNK_GROUPS = ResourceSpec(
    api_type="voice_in_trunk_groups",
    pulumi_name="VoiceInTrunkGroup",
    fields=(
        FieldSpec("name", unique=True),
        FieldSpec("capacity_limit"),
        FieldSpec("external_reference_id"),
        FieldSpec("voice_in_trunks", Kind.TO_MANY, related_type="voice_in_trunks"),
        FieldSpec("created_at", writable=False),
    ),
    include=("voice_in_trunks",),
    entry_model=VoiceInTrunkGroup,
    settings=(Reference("trunks", "voice_in_trunks", "voice_in_trunks"),),
    importable=True,
)
