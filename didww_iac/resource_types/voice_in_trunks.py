"""voice_in_trunks: SIP or PSTN trunks. Every attribute updates in place; switching the
configuration between SIP and PSTN is refused by the API, so it replaces the trunk."""

from didww_iac.resources.spec import ByKind, FieldSpec, Kind, Lookup, ResourceSpec
from didww_iac.stack.schema import VoiceInTrunk

VOICE_IN_TRUNKS = ResourceSpec(
    api_type="voice_in_trunks",
    pulumi_name="VoiceInTrunk",
    fields=(
        FieldSpec("name", unique=True, filterable=True),
        FieldSpec("priority"),
        FieldSpec("weight"),
        FieldSpec("capacity_limit"),
        FieldSpec("ringing_timeout"),
        FieldSpec("cli_format"),
        FieldSpec("cli_prefix"),
        FieldSpec("description"),
        FieldSpec("external_reference_id"),
        FieldSpec(
            "configuration",
            replace_on_nested_key="type",
            secret_keys=frozenset({"auth_password"}),
        ),
        # The point of presence calls reach the trunk from, by DIDWW's name ("DE, FRA").
        FieldSpec("pop", Kind.TO_ONE, related_type="pops", lookup=Lookup("pops", "name")),
        FieldSpec("created_at", writable=False),
    ),
    include=("pop",),
    entry_model=VoiceInTrunk,
    settings=(ByKind("configuration", {"sip": "sip_configurations", "pstn": "pstn_configurations"}),),
    importable=True,
)
