"""voice_in_trunks (SIP / PSTN) and voice_in_trunk_groups.

Defaults are the documented ones where the docs state one (sip_timer_b 8000, dns_srv_failover_timer
2000, sst timers 600/900) and otherwise what the recorded responses show for omitted attributes
(priority 1, weight 65535, cli_format e164, the SIP configuration example values).
"""

from __future__ import annotations

from typing import Any

from didww_iac.emulator.resources.common import V2026, created_at, external_reference_id
from didww_iac.emulator.schema import (
    AccountView,
    Attr,
    Behaviour,
    Filter,
    Record,
    Relationship,
    ResourceType,
    Variant,
)

CODEC_IDS = (6, 7, 8, 9, 10, 12, 13, 14, 15, 16, 17, 18, 19)
# The "Rerouting Disconnect Codes" table: 56-60, 64-84, 86-92, 96-108 and 1505 (ringing timeout).
REROUTING_DISCONNECT_CODE_IDS = (*range(56, 61), *range(64, 85), *range(86, 93), *range(96, 109), 1505)
MEDIA_ENCRYPTION_MODES = ("disabled", "srtp_sdes", "srtp_dtls", "zrtp")
STIR_SHAKEN_MODES = ("disabled", "original", "pai", "original_pai", "verstat")

SIP_ATTRIBUTES: tuple[Attr, ...] = (
    Attr("username", required=True),
    Attr("host"),
    Attr("port", kind="integer", minimum=1, maximum=65535),
    Attr("codec_ids", kind="integer_list", default=[9, 7], nullable=False, item_choices=CODEC_IDS),
    Attr("rx_dtmf_format_id", kind="integer", default=1, nullable=False, choices=(1, 2, 3)),
    Attr("tx_dtmf_format_id", kind="integer", default=1, nullable=False, choices=(1, 2, 3, 4)),
    Attr("resolve_ruri", kind="boolean", default=True, nullable=False),
    Attr("auth_enabled", kind="boolean", default=False, nullable=False),
    Attr("auth_user"),
    Attr("auth_password"),
    Attr("auth_from_user"),
    Attr("auth_from_domain"),
    Attr("sst_enabled", kind="boolean", default=False, nullable=False),
    Attr("sst_min_timer", kind="integer", default=600, nullable=False, minimum=0),
    Attr("sst_max_timer", kind="integer", default=900, nullable=False, minimum=0),
    Attr("sst_accept_501", kind="boolean", default=True, nullable=False),
    Attr("sip_timer_b", kind="integer", default=8000, nullable=False, minimum=0),
    Attr("dns_srv_failover_timer", kind="integer", default=2000, nullable=False, minimum=0),
    Attr("rtp_ping", kind="boolean", default=False, nullable=False),
    Attr("rtp_timeout", kind="integer", default=30, nullable=False, minimum=0),
    Attr("force_symmetric_rtp", kind="boolean", default=False, nullable=False),
    Attr("symmetric_rtp_ignore_rtcp", kind="boolean", default=False, nullable=False),
    Attr(
        "rerouting_disconnect_code_ids",
        kind="integer_list",
        default=[],
        nullable=False,
        item_choices=REROUTING_DISCONNECT_CODE_IDS,
    ),
    Attr("sst_session_expires", kind="integer", minimum=0),
    Attr("sst_refresh_method_id", kind="integer", default=1, nullable=False, choices=(1, 2, 3)),
    Attr("transport_protocol_id", kind="integer", default=1, nullable=False, choices=(1, 2, 3)),
    Attr("max_transfers", kind="integer", default=0, nullable=False, minimum=0),
    Attr("max_30x_redirects", kind="integer", default=0, nullable=False, minimum=0),
    Attr("media_encryption_mode", default="disabled", nullable=False, choices=MEDIA_ENCRYPTION_MODES),
    Attr("stir_shaken_mode", default="disabled", nullable=False, choices=STIR_SHAKEN_MODES),
    Attr("allowed_rtp_ips", kind="ip_list", max_items=10),
    # Added in 2026-04-16 (Changelog: SIP configuration attributes).
    Attr(
        "network_protocol_priority",
        default="force_ipv4",
        nullable=False,
        choices=("force_ipv4", "force_ipv6", "any", "prefer_ipv4", "prefer_ipv6"),
        since=V2026,
    ),
    Attr("enabled_sip_registration", kind="boolean", default=False, nullable=False, since=V2026),
    # Read-only registration credentials (DIDWW's OpenAPI document); no emulated trunk registers.
    Attr("incoming_auth_username", writable=False, since=V2026),
    Attr("incoming_auth_password", writable=False, since=V2026),
    Attr("use_did_in_ruri", kind="boolean", default=False, nullable=False, since=V2026),
    Attr(
        "diversion_relay_policy",
        default="none",
        nullable=False,
        choices=("none", "as_is", "sip", "tel"),
        since=V2026,
    ),
    Attr("diversion_inject_mode", default="none", nullable=False, choices=("none", "did_number"), since=V2026),
    Attr("cnam_lookup", kind="boolean", default=False, nullable=False, since=V2026),
)

PSTN_ATTRIBUTES: tuple[Attr, ...] = (Attr("dst"),)

VOICE_IN_TRUNKS = ResourceType(
    name="voice_in_trunks",
    attributes=(
        external_reference_id(),
        Attr("priority", kind="integer", default=1, nullable=False, minimum=0, maximum=65535),
        Attr("capacity_limit", kind="integer", minimum=0),
        Attr("weight", kind="integer", default=65535, nullable=False, minimum=0, maximum=65535),
        Attr("name", required=True, unique=True),
        # Documented as RAW/E164/Local; DIDWW answers in lower case ("e164"), the default when omitted.
        Attr("cli_format", default="e164", nullable=False, lowercase=True, choices=("raw", "e164", "local")),
        Attr("cli_prefix", pattern=r"\+?[0-9#]{0,6}"),
        Attr("description"),
        Attr("ringing_timeout", kind="integer", minimum=0),
        Attr(
            "configuration",
            kind="variant",
            required=True,
            nullable=False,
            variants=(
                Variant("sip_configurations", SIP_ATTRIBUTES),
                Variant("pstn_configurations", PSTN_ATTRIBUTES),
            ),
        ),
        created_at(),
    ),
    relationships=(
        Relationship("voice_in_trunk_group", "voice_in_trunk_groups"),
        Relationship("pop", "pops"),
    ),
    filters=(
        Filter("id", "id"),
        Filter("name", "name"),
        Filter("configuration.type", "configuration.type"),
        Filter("external_reference_id", "external_reference_id", since=V2026),
    ),
    sorts=(
        "name",
        "priority",
        "capacity_limit",
        "weight",
        "cli_format",
        "cli_prefix",
        "description",
        "ringing_timeout",
        "created_at",
        "external_reference_id",
    ),
    # The docs list "trunk_group" as the include name; the relationship is voice_in_trunk_group.
    include_aliases={"trunk_group": "voice_in_trunk_group"},
)


class TrunkGroupBehaviour(Behaviour):
    def meta(self, account: AccountView, record: Record) -> dict[str, Any] | None:
        return {"trunks_count": len(account.related_ids(record, "voice_in_trunks"))}


VOICE_IN_TRUNK_GROUPS = ResourceType(
    name="voice_in_trunk_groups",
    attributes=(
        created_at(),
        Attr("name", required=True, unique=True),
        Attr("capacity_limit", kind="integer", nullable=False, minimum=0),
        external_reference_id(),
    ),
    relationships=(
        Relationship(
            "voice_in_trunks",
            "voice_in_trunks",
            to_many=True,
            inverse="voice_in_trunk_group",
            error_name="trunk_ids",
            error_pointer="/data/attributes/trunk_ids",
            error_message="are invalid",
        ),
    ),
    filters=(Filter("external_reference_id", "external_reference_id", since=V2026),),
    sorts=("name", "created_at", "capacity_limit", "external_reference_id"),
    include_aliases={"trunks": "voice_in_trunks"},
    behaviour=TrunkGroupBehaviour(),
)
