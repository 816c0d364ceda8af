"""voice_out_trunks: outbound SIP trunks. Everything updates in place, the authentication method
included. DIDWW generates the SIP username and password of a `credentials_and_ip` trunk and returns
them inside `authentication_method`, so that field is always stored as a secret. The client maps
`authentication_method` to the flat 2022-05-10 attributes when a stack pins that version."""

from didww_iac.resources.provider import DidwwProvider
from didww_iac.resources.serialization import SharedProviderResource
from didww_iac.resources.spec import FieldSpec, Kind, ResourceSpec

VOICE_OUT_TRUNKS = ResourceSpec(
    api_type="voice_out_trunks",
    pulumi_name="VoiceOutTrunk",
    fields=(
        FieldSpec("name", unique=True, filterable=True),
        FieldSpec("authentication_method", stack_name="authentication", always_secret=True),
        FieldSpec("allowed_rtp_ips"),
        FieldSpec("allow_any_did_as_cli"),
        FieldSpec("on_cli_mismatch_action"),
        FieldSpec("status"),
        FieldSpec("capacity_limit"),
        FieldSpec("threshold_amount", decimal=True),
        FieldSpec("media_encryption_mode"),
        FieldSpec("default_dst_action"),
        FieldSpec("dst_prefixes"),
        FieldSpec("force_symmetric_rtp"),
        FieldSpec("rtp_ping"),
        FieldSpec("rtp_timeout"),
        FieldSpec("callback_url"),
        FieldSpec("emergency_enable_all"),
        FieldSpec("external_reference_id"),
        FieldSpec("dids", Kind.TO_MANY, related_type="dids"),
        FieldSpec("threshold_reached", writable=False),
        FieldSpec("created_at", writable=False),
    ),
    include=("dids",),
)


class VoiceOutTrunkProvider(DidwwProvider):
    spec = VOICE_OUT_TRUNKS


class VoiceOutTrunk(SharedProviderResource, module="didww", name="VoiceOutTrunk"):
    pass
