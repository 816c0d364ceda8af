"""voice_out_trunks: outbound SIP trunks; everything updates in place. DIDWW generates the SIP
credentials of a `credentials_and_ip` trunk inside `authentication_method`, so that field is
always stored as a secret. `credentials_rotation` is the user's own value: changing it has
DIDWW generate a new username and password (voice_out_trunk_regenerate_credentials)."""

from didww_iac.resources.spec import FieldSpec, Kind, Reference, ResourceSpec, Tagged
from didww_iac.stack.schema import VoiceOutTrunk

VOICE_OUT_TRUNKS = ResourceSpec(
    api_type="voice_out_trunks",
    pulumi_name="VoiceOutTrunk",
    fields=(
        FieldSpec("name", unique=True, filterable=True),
        FieldSpec("authentication_method", always_secret=True),
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
        # Numbers whose emergency calls this trunk may place (API 2026-04-16).
        FieldSpec("emergency_dids", Kind.TO_MANY, related_type="dids"),
        # A value of the user's: changing it has DIDWW generate new SIP credentials.
        FieldSpec("credentials_rotation", local=True),
        FieldSpec("threshold_reached", writable=False),
        FieldSpec("created_at", writable=False),
    ),
    include=("dids", "emergency_dids"),
    entry_model=VoiceOutTrunk,
    settings=(
        Tagged("authentication", "authentication_method"),
        Reference("dids", "dids", "dids"),
        Reference("emergency_dids", "emergency_dids", "dids"),
    ),
    importable=True,
)
