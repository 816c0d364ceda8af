"""Request bodies and expected document shapes, written from DIDWW's Postman collections
(2022-05-10 and 2026-04-16). Tests never read the collections themselves."""

from __future__ import annotations

from typing import Any

JSONAPI = "application/vnd.api+json"
V2022 = "2022-05-10"
V2026 = "2026-04-16"

TRUNK_ATTRIBUTES_2022 = {
    "priority",
    "capacity_limit",
    "weight",
    "name",
    "cli_format",
    "cli_prefix",
    "description",
    "ringing_timeout",
    "configuration",
    "created_at",
}
TRUNK_ATTRIBUTES_2026 = TRUNK_ATTRIBUTES_2022 | {"external_reference_id"}

SIP_ATTRIBUTES_2022 = {
    "username",
    "host",
    "port",
    "codec_ids",
    "rx_dtmf_format_id",
    "tx_dtmf_format_id",
    "resolve_ruri",
    "auth_enabled",
    "auth_user",
    "auth_password",
    "auth_from_user",
    "auth_from_domain",
    "sst_enabled",
    "sst_min_timer",
    "sst_max_timer",
    "sst_accept_501",
    "sip_timer_b",
    "dns_srv_failover_timer",
    "rtp_ping",
    "rtp_timeout",
    "force_symmetric_rtp",
    "symmetric_rtp_ignore_rtcp",
    "rerouting_disconnect_code_ids",
    "sst_session_expires",
    "sst_refresh_method_id",
    "transport_protocol_id",
    "max_transfers",
    "max_30x_redirects",
    "media_encryption_mode",
    "stir_shaken_mode",
    "allowed_rtp_ips",
}
SIP_ATTRIBUTES_2026 = SIP_ATTRIBUTES_2022 | {
    "network_protocol_priority",
    "enabled_sip_registration",
    "use_did_in_ruri",
    "diversion_relay_policy",
    "diversion_inject_mode",
    "cnam_lookup",
    # Read-only, from DIDWW's OpenAPI document (the recordings predate them).
    "incoming_auth_username",
    "incoming_auth_password",
}

GROUP_ATTRIBUTES_2022 = {"created_at", "name", "capacity_limit"}
GROUP_ATTRIBUTES_2026 = GROUP_ATTRIBUTES_2022 | {"external_reference_id"}

VOICE_OUT_COMMON = {
    "allowed_rtp_ips",
    "allow_any_did_as_cli",
    "status",
    "on_cli_mismatch_action",
    "name",
    "capacity_limit",
    "created_at",
    "threshold_reached",
    "threshold_amount",
    "media_encryption_mode",
    "default_dst_action",
    "dst_prefixes",
    "force_symmetric_rtp",
    "rtp_ping",
    "callback_url",
}
VOICE_OUT_ATTRIBUTES_2022 = VOICE_OUT_COMMON | {"allowed_sip_ips", "username", "password"}
VOICE_OUT_ATTRIBUTES_2026 = VOICE_OUT_COMMON | {
    "external_reference_id",
    "authentication_method",
    "emergency_enable_all",
    "rtp_timeout",
}


def sip_trunk(name: str = "Office", **extra: Any) -> dict[str, Any]:
    """The collection's "Create SIP Trunk" example, loosely typed as DIDWW's own example is."""
    attributes: dict[str, Any] = {
        "priority": "1",
        "weight": "2",
        "capacity_limit": 10,
        "ringing_timeout": 30,
        "name": name,
        "cli_format": "e164",
        "cli_prefix": "+",
        "description": "custom description",
        "configuration": {
            "type": "sip_configurations",
            "attributes": {
                "username": "username",
                "host": "example.com",
                "codec_ids": [9, 7],
                "rx_dtmf_format_id": 1,
                "tx_dtmf_format_id": 1,
                "resolve_ruri": "true",
                "auth_enabled": True,
                "auth_user": "username",
                "auth_password": "password",
                "auth_from_user": "Office",
                "auth_from_domain": "example.com",
                "sst_enabled": "false",
                "sst_min_timer": 600,
                "sst_max_timer": 900,
                "sst_refresh_method_id": 1,
                "sst_accept_501": "true",
                "sip_timer_b": 8000,
                "dns_srv_failover_timer": 2000,
                "rtp_ping": "false",
                "rtp_timeout": 30,
                "force_symmetric_rtp": "false",
                "symmetric_rtp_ignore_rtcp": "false",
                "rerouting_disconnect_code_ids": [58, 59],
                "port": 5060,
                "transport_protocol_id": 2,
                "max_transfers": 0,
                "max_30x_redirects": 0,
            },
        },
    }
    attributes.update(extra)
    return {"data": {"type": "voice_in_trunks", "attributes": attributes}}


def pstn_trunk(name: str = "Office Mobile", dst: str = "1xxxxxxxxx", **extra: Any) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "name": name,
        "capacity_limit": 5,
        "configuration": {"type": "pstn_configurations", "attributes": {"dst": dst}},
    }
    attributes.update(extra)
    return {"data": {"type": "voice_in_trunks", "attributes": attributes}}


def trunk_group(name: str = "Main group", trunk_ids: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": "voice_in_trunk_groups",
        "attributes": {"name": name, "capacity_limit": 100, **extra},
    }
    if trunk_ids is not None:
        data["relationships"] = {"voice_in_trunks": {"data": [identifier("voice_in_trunks", i) for i in trunk_ids]}}
    return {"data": data}


def voice_out_trunk(name: str = "Trunk credentials_and_ip", **extra: Any) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "name": name,
        "on_cli_mismatch_action": "send_original_cli",
        "authentication_method": {
            "type": "credentials_and_ip",
            "attributes": {"allowed_sip_ips": ["192.168.1.1"]},
        },
    }
    attributes.update(extra)
    return {"data": {"type": "voice_out_trunks", "attributes": attributes}}


def identifier(type_name: str, record_id: str) -> dict[str, str]:
    return {"type": type_name, "id": record_id}


def patch(type_name: str, record_id: str, attributes: dict[str, Any] | None = None, **rels: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"id": record_id, "type": type_name}
    if attributes is not None:
        data["attributes"] = attributes
    if rels:
        data["relationships"] = {name: {"data": value} for name, value in rels.items()}
    return {"data": data}


# -- catalogue, orders, DIDs (Coverage and Inventory Resources) ---------------------------------

DID_GROUP_ATTRIBUTES_2022 = {"prefix", "features", "is_metered", "area_name", "allow_additional_channels"}
DID_GROUP_ATTRIBUTES_2026 = DID_GROUP_ATTRIBUTES_2022 | {"service_restrictions"}
DID_GROUP_META = {"needs_registration", "is_available", "available_dids_enabled", "total_count"}
SKU_ATTRIBUTES = {"setup_price", "monthly_price", "channels_included_count"}

ORDER_ATTRIBUTES_2022 = {
    "amount",
    "status",
    "created_at",
    "reference",
    "description",
    "items",
    "callback_url",
    "callback_method",
}
ORDER_ATTRIBUTES_2026 = ORDER_ATTRIBUTES_2022 | {"external_reference_id"}
DID_ITEM_ATTRIBUTES = {
    "qty",
    "nrc",
    "mrc",
    "prorated_mrc",
    "billed_from",
    "billed_to",
    "setup_price",
    "monthly_price",
    "did_group_id",
}
CAPACITY_ITEM_ATTRIBUTES = {
    "qty",
    "nrc",
    "mrc",
    "prorated_mrc",
    "billed_from",
    "billed_to",
    "capacity_pool_id",
}

DID_ATTRIBUTES_2022 = {
    "blocked",
    "capacity_limit",
    "description",
    "terminated",
    "awaiting_registration",
    "number",
    "expires_at",
    "channels_included_count",
    "created_at",
    "billing_cycles_count",
    "pending_removal",
    "dedicated_channels_count",
}
DID_ATTRIBUTES_2026 = DID_ATTRIBUTES_2022 | {"emergency_enabled"}
DID_RELATIONSHIPS_2022 = {
    "did_group",
    "order",
    "voice_in_trunk",
    "voice_in_trunk_group",
    "capacity_pool",
    "shared_capacity_group",
    "address_verification",
}
DID_RELATIONSHIPS_2026 = DID_RELATIONSHIPS_2022 | {
    "emergency_calling_service",
    "emergency_verification",
    "identity",
}

CAPACITY_POOL_ATTRIBUTES = {
    "name",
    "renew_date",
    "total_channels_count",
    "assigned_channels_count",
    "minimum_limit",
    "minimum_qty_per_order",
    "setup_price",
    "monthly_price",
    "metered_rate",
}
SHARED_GROUP_ATTRIBUTES_2022 = {"name", "shared_channels_count", "created_at", "metered_channels_count"}
SHARED_GROUP_ATTRIBUTES_2026 = SHARED_GROUP_ATTRIBUTES_2022 | {"external_reference_id"}


def did_item(sku_id: str, **attributes: Any) -> dict[str, Any]:
    """A ``did_order_items`` entry: ``qty``, ``available_did_id``, ``did_reservation_id`` or
    ``nanpa_prefix_id`` as in the recorded "Create DID order" requests."""
    return {"type": "did_order_items", "attributes": {"sku_id": sku_id, **attributes}}


def capacity_item(capacity_pool_id: str, qty: int) -> dict[str, Any]:
    return {"type": "capacity_order_items", "attributes": {"capacity_pool_id": capacity_pool_id, "qty": qty}}


def order(*items: dict[str, Any], **attributes: Any) -> dict[str, Any]:
    return {"data": {"type": "orders", "attributes": {**attributes, "items": list(items)}}}


def reservation(available_did_id: str, description: str = "DIDWW") -> dict[str, Any]:
    return {
        "data": {
            "type": "did_reservations",
            "attributes": {"description": description},
            "relationships": {"available_did": {"data": identifier("available_dids", available_did_id)}},
        }
    }


def shared_capacity_group(
    pool_id: str, name: str = "Sample Capacity Group", shared: int = 3, metered: int = 5, **extra: Any
) -> dict[str, Any]:
    return {
        "data": {
            "type": "shared_capacity_groups",
            "attributes": {
                "name": name,
                "shared_channels_count": shared,
                "metered_channels_count": metered,
                **extra,
            },
            "relationships": {"capacity_pool": {"data": identifier("capacity_pools", pool_id)}},
        }
    }
