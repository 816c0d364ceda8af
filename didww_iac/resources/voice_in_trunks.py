"""voice_in_trunks: SIP or PSTN trunks. Every attribute updates in place; switching the
configuration between SIP and PSTN is refused by the API, so it replaces the trunk: the new trunk
is made while the old one still routes calls (renamed out of the way, as names are unique), and
the old one is deleted once the DIDs and groups point at the new one."""

from didww_iac.resources.provider import DidwwProvider
from didww_iac.resources.serialization import SharedProviderResource
from didww_iac.resources.spec import FieldSpec, ResourceSpec

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
            nested_stack_names={"sip_configurations": "sip", "pstn_configurations": "pstn"},
            secret_keys=frozenset({"auth_password"}),
        ),
        FieldSpec("created_at", writable=False),
    ),
)


class VoiceInTrunkProvider(DidwwProvider):
    spec = VOICE_IN_TRUNKS


class VoiceInTrunk(SharedProviderResource, module="didww", name="VoiceInTrunk"):
    pass
