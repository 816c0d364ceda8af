"""Hand-written documents in both API versions (shaped after DIDWW's public docs, not copied).

Each pair is (canonical 2026-04-16 form, 2022-05-10 form) of the same resource as DIDWW would
send it; attributes that exist only in 2026-04-16 are absent from the canonical side of pairs
whose 2022 side cannot carry them, because "absent on receive" is the contract.
"""

from __future__ import annotations

from typing import Any

TRUNK_ID = "0a1b2c3d-0000-4000-8000-000000000001"
GROUP_ID = "0a1b2c3d-0000-4000-8000-000000000002"
OUT_ID = "0a1b2c3d-0000-4000-8000-000000000003"
DID_ID = "0a1b2c3d-0000-4000-8000-000000000004"
ORDER_ID = "0a1b2c3d-0000-4000-8000-000000000005"
SCG_ID = "0a1b2c3d-0000-4000-8000-000000000006"
POOL_ID = "0a1b2c3d-0000-4000-8000-000000000007"
RES_ID = "0a1b2c3d-0000-4000-8000-000000000008"
POP_ID = "0a1b2c3d-0000-4000-8000-000000000009"


def links(type_: str, id_: str, rel: str) -> dict[str, Any]:
    base = f"https://api.example.test/v3/{type_}/{id_}"
    return {"links": {"self": f"{base}/relationships/{rel}", "related": f"{base}/{rel}"}}


def sip_trunk(version: str) -> dict[str, Any]:
    config: dict[str, Any] = {
        "username": "alice",
        "host": "pbx.example.test",
        "port": 5060,
        "codec_ids": [9, 7],
        "rx_dtmf_format_id": 1,
        "tx_dtmf_format_id": 1,
        "resolve_ruri": True,
        "auth_enabled": False,
        "auth_user": "",
        "auth_password": "",
        "auth_from_user": "",
        "auth_from_domain": "",
        "sst_enabled": False,
        "sst_min_timer": 600,
        "sst_max_timer": 900,
        "sst_accept_501": True,
        "sip_timer_b": 8000,
        "dns_srv_failover_timer": 2000,
        "rtp_ping": False,
        "rtp_timeout": 30,
        "force_symmetric_rtp": False,
        "symmetric_rtp_ignore_rtcp": False,
        "rerouting_disconnect_code_ids": [58],
        "sst_session_expires": None,
        "sst_refresh_method_id": 1,
        "transport_protocol_id": 1,
        "max_transfers": 0,
        "max_30x_redirects": 0,
        "media_encryption_mode": "disabled",
        "stir_shaken_mode": "disabled",
        "allowed_rtp_ips": None,
    }
    attrs: dict[str, Any] = {
        "priority": 1,
        "capacity_limit": 10,
        "weight": 100,
        "name": "office sip",
        "cli_format": "e164",
        "cli_prefix": None,
        "description": None,
        "ringing_timeout": None,
        "configuration": {"type": "sip_configurations", "attributes": config},
        "created_at": "2026-01-02T03:04:05.678Z",
    }
    if version == "2026-04-16":
        attrs["external_reference_id"] = None
        config.update(
            network_protocol_priority="force_ipv4",
            enabled_sip_registration=False,
            use_did_in_ruri=False,
            diversion_relay_policy="none",
            diversion_inject_mode="none",
            cnam_lookup=False,
        )
    return {
        "id": TRUNK_ID,
        "type": "voice_in_trunks",
        "attributes": attrs,
        "relationships": {
            "voice_in_trunk_group": {"data": {"type": "voice_in_trunk_groups", "id": GROUP_ID}},
            "pop": links("voice_in_trunks", TRUNK_ID, "pop"),
        },
    }


def trunk_group(version: str) -> dict[str, Any]:
    attrs: dict[str, Any] = {"created_at": "2026-01-02T03:04:05.678Z", "name": "office", "capacity_limit": 5}
    if version == "2026-04-16":
        attrs["external_reference_id"] = "urn:pulumi:dev::x::group"
    return {
        "id": GROUP_ID,
        "type": "voice_in_trunk_groups",
        "attributes": attrs,
        "relationships": {"voice_in_trunks": {"data": [{"type": "voice_in_trunks", "id": TRUNK_ID}]}},
        "meta": {"trunks_count": 1},
    }


def voice_out_trunk(version: str) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "allowed_rtp_ips": ["0.0.0.0/0"],
        "allow_any_did_as_cli": True,
        "status": "active",
        "on_cli_mismatch_action": "send_original_cli",
        "name": "outbound",
        "capacity_limit": 100,
        "created_at": "2026-01-02T03:04:05.678Z",
        "threshold_reached": False,
        "threshold_amount": "100.0",
        "media_encryption_mode": "disabled",
        "default_dst_action": "allow_all",
        "dst_prefixes": [],
        "force_symmetric_rtp": False,
        "rtp_ping": False,
        "callback_url": None,
    }
    if version == "2026-04-16":
        attrs["authentication_method"] = {
            "type": "credentials_and_ip",
            "attributes": {"allowed_sip_ips": ["203.0.113.7/32"], "username": "u5Gk", "password": "p9Xz"},
        }
    else:
        attrs.update(allowed_sip_ips=["203.0.113.7/32"], username="u5Gk", password="p9Xz")
    return {
        "id": OUT_ID,
        "type": "voice_out_trunks",
        "attributes": attrs,
        "relationships": {"dids": {"data": [{"type": "dids", "id": DID_ID}]}},
        "meta": {"spent_amount": "0.0"},
    }


def did(version: str) -> dict[str, Any]:
    attrs = {
        "blocked": False,
        "capacity_limit": 2,
        "description": "main line",
        "terminated": False,
        "awaiting_registration": False,
        "number": "441234567890",
        "expires_at": "2026-12-01T00:00:00.000Z",
        "channels_included_count": 2,
        "created_at": "2026-01-02T03:04:05.678Z",
        "dedicated_channels_count": 0,
        "billing_cycles_count": None,
    }
    return {
        "id": DID_ID,
        "type": "dids",
        "attributes": attrs,
        "relationships": {
            "voice_in_trunk": {"data": {"type": "voice_in_trunks", "id": TRUNK_ID}},
            "voice_in_trunk_group": {"data": None},
            "capacity_pool": links("dids", DID_ID, "capacity_pool"),
            "shared_capacity_group": {"data": {"type": "shared_capacity_groups", "id": SCG_ID}},
        },
    }


def order(version: str, status: str = "pending") -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "reference": "ABC-123456",
        "amount": "5.0",
        "created_at": "2026-01-02T03:04:05.678Z",
        "description": "DID",
        "status": status if version == "2026-04-16" else status.capitalize(),
        "callback_url": "https://hooks.example.test/orders",
        "callback_method": "post" if version == "2026-04-16" else "POST",
        "items": [
            {
                "type": "did_order_items",
                "attributes": {
                    "qty": 1,
                    "nrc": "1.0",
                    "mrc": "4.0",
                    "prorated_mrc": False,
                    "billed_from": "2026-01-02",
                    "billed_to": "2026-02-01",
                    "did_group_id": "aaaaaaaa-0000-4000-8000-000000000000",
                },
            },
            {
                "type": "capacity_order_items",
                "attributes": {
                    "qty": 2,
                    "nrc": "0.0",
                    "mrc": "1.0",
                    "prorated_mrc": False,
                    "billed_from": None,
                    "billed_to": None,
                    "capacity_pool_id": POOL_ID,
                },
            },
        ],
    }
    return {"id": ORDER_ID, "type": "orders", "attributes": attrs}


def shared_capacity_group(version: str) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "name": "shared",
        "shared_channels_count": 4,
        "metered_channels_count": 1,
        "created_at": "2026-01-02T03:04:05.678Z",
    }
    if version == "2026-04-16":
        attrs["external_reference_id"] = None
    return {
        "id": SCG_ID,
        "type": "shared_capacity_groups",
        "attributes": attrs,
        "relationships": {
            "capacity_pool": {"data": {"type": "capacity_pools", "id": POOL_ID}},
            "dids": {"data": [{"type": "dids", "id": DID_ID}]},
        },
    }


def capacity_pool(version: str) -> dict[str, Any]:
    return {
        "id": POOL_ID,
        "type": "capacity_pools",
        "attributes": {
            "name": "Standard",
            "renew_date": "2026-02-01",
            "total_channels_count": 10,
            "assigned_channels_count": 4,
            "minimum_limit": 0,
            "minimum_qty_per_order": 1,
            "setup_price": "0.0",
            "monthly_price": "1.0",
            "metered_rate": "0.01",
        },
        "relationships": {
            "countries": links("capacity_pools", POOL_ID, "countries"),
            "shared_capacity_groups": links("capacity_pools", POOL_ID, "shared_capacity_groups"),
        },
    }


def did_reservation(version: str) -> dict[str, Any]:
    when = "2026-01-02T04:04:05.678Z"
    attrs: dict[str, Any] = {"description": "hold", "created_at": "2026-01-02T03:04:05.678Z"}
    attrs["expires_at" if version == "2026-04-16" else "expire_at"] = when
    return {
        "id": RES_ID,
        "type": "did_reservations",
        "attributes": attrs,
        "relationships": {"available_did": {"data": {"type": "available_dids", "id": "bbbb"}}},
    }


BUILDERS = {
    "voice_in_trunks": sip_trunk,
    "voice_in_trunk_groups": trunk_group,
    "voice_out_trunks": voice_out_trunk,
    "dids": did,
    "orders": order,
    "shared_capacity_groups": shared_capacity_group,
    "capacity_pools": capacity_pool,
    "did_reservations": did_reservation,
}


def single(resource: dict[str, Any], version: str) -> dict[str, Any]:
    return {"data": resource, "meta": {"api_version": version}}


def collection(
    resources: list[dict[str, Any]], version: str, included: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "data": resources,
        "meta": {"total_records": len(resources), "api_version": version},
    }
    if included:
        doc["included"] = included
    return doc
