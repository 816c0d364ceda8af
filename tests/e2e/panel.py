"""An account made by hand over the emulator's API, as a team would have made it in DIDWW's panel
before adopting the tool: settings no default gives, groups with members, routed numbers."""

from __future__ import annotations

import time
from typing import Any

import httpx

from tests.e2e.conftest import E2E_API_KEY, Project

WRITES = {"POST", "PATCH", "DELETE"}
PANEL_PASSWORD = "panel-sip-secret-71b3"


def call(project: Project, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    response = httpx.request(
        method,
        project.emulator.base_url + path,
        json=body,
        headers={
            "Api-Key": E2E_API_KEY,
            "Accept": "application/vnd.api+json",
            "Content-Type": "application/vnd.api+json",
        },
    )
    response.raise_for_status()
    return response.json() if response.content else None


def made(
    project: Project, api_type: str, attributes: dict[str, Any], relationships: dict[str, Any] | None = None
) -> str:
    data: dict[str, Any] = {"type": api_type, "attributes": attributes}
    if relationships:
        data["relationships"] = relationships
    return str(call(project, "POST", api_type, {"data": data})["data"]["id"])


def one(api_type: str, id_: str) -> dict[str, Any]:
    return {"data": {"type": api_type, "id": id_}}


def many(api_type: str, ids: list[str]) -> dict[str, Any]:
    return {"data": [{"type": api_type, "id": i} for i in ids]}


def ordered_numbers(project: Project, qty: int) -> list[str]:
    groups = call(project, "GET", "did_groups?include=stock_keeping_units&page[size]=100")["data"]
    free = next(g for g in groups if not g["attributes"].get("needs_registration"))
    sku = free["relationships"]["stock_keeping_units"]["data"][0]["id"]
    order = made(project, "orders", {"items": [{"type": "did_order_items", "attributes": {"sku_id": sku, "qty": qty}}]})
    deadline = time.monotonic() + 30
    while call(project, "GET", f"orders/{order}")["data"]["attributes"]["status"] != "completed":
        assert time.monotonic() < deadline, "the emulator did not complete the order"
        time.sleep(0.2)  # the emulator completes orders after its configured delay
    dids = call(project, "GET", f"dids?filter[order.id]={order}&page[size]=100")["data"]
    return sorted(d["id"] for d in dids)


def build_panel_account(project: Project) -> dict[str, str]:
    """What a team made by hand before adopting the tool, with settings no default gives."""
    sip = made(
        project,
        "voice_in_trunks",
        {
            "name": "Panel PBX",
            "priority": 5,
            "weight": 65535,
            "ringing_timeout": 90,
            "cli_format": "e164",
            "description": "made in the panel",
            "configuration": {
                "type": "sip_configurations",
                "attributes": {
                    "username": "+{DID}",
                    "host": "pbx.panel.example.com",
                    "port": 5070,
                    "codec_ids": [9, 7],
                    "auth_enabled": True,
                    "auth_user": "panel",
                    "auth_password": PANEL_PASSWORD,
                },
            },
        },
    )
    pstn = made(
        project,
        "voice_in_trunks",
        {
            "name": "Panel mobile",
            "priority": 10,
            "configuration": {"type": "pstn_configurations", "attributes": {"dst": "442080000000"}},
        },
    )
    spare = made(
        project,
        "voice_in_trunks",
        {"name": "Panel spare", "configuration": {"type": "sip_configurations", "attributes": {"username": "{DID}"}}},
    )
    group = made(
        project,
        "voice_in_trunk_groups",
        {"name": "Panel group", "capacity_limit": 7},
        {"voice_in_trunks": many("voice_in_trunks", [pstn, spare])},
    )
    numbers = ordered_numbers(project, 3)
    patched(
        project,
        "dids",
        numbers[0],
        {"description": "front desk", "capacity_limit": 3},
        {"voice_in_trunk": one("voice_in_trunks", sip)},
    )
    patched(project, "dids", numbers[1], {}, {"voice_in_trunk_group": one("voice_in_trunk_groups", group)})
    pools = call(project, "GET", "capacity_pools")["data"]
    pool = next(p["id"] for p in pools if p["attributes"]["name"] == "Standard")
    sharing = made(
        project,
        "shared_capacity_groups",
        {"name": "Panel channels", "shared_channels_count": 1, "metered_channels_count": 0},
        {"capacity_pool": one("capacity_pools", pool), "dids": many("dids", [numbers[2]])},
    )
    authentication = {"type": "credentials_and_ip", "attributes": {"allowed_sip_ips": ["203.0.113.10/32"]}}
    out = made(
        project,
        "voice_out_trunks",
        {
            "name": "Panel SBC",
            "on_cli_mismatch_action": "reject_call",
            "threshold_amount": "200.00",
            "authentication_method": authentication,
        },
        {"dids": many("dids", [numbers[0]])},
    )
    germany = call(project, "GET", "countries?filter[iso]=DE")["data"][0]["id"]
    person = made(
        project,
        "identities",
        {"identity_type": "personal", "first_name": "Erika", "last_name": "Panel", "phone_number": "4930901820"},
        {"country": one("countries", germany)},
    )
    office = made(
        project,
        "addresses",
        {"address": "Invalidenstrasse 116", "city_name": "Berlin", "postal_code": "10115"},
        {"identity": one("identities", person), "country": one("countries", germany)},
    )
    named = {"sip": sip, "pstn": pstn, "spare": spare, "group": group, "sharing": sharing, "out": out, "pool": pool}
    named |= {"person": person, "office": office}
    return {**named, **{f"number{i}": n for i, n in enumerate(numbers)}}


def patched(
    project: Project, api_type: str, id_: str, attributes: dict[str, Any], relationships: dict[str, Any] | None = None
) -> None:
    data: dict[str, Any] = {"type": api_type, "id": id_, "attributes": attributes}
    if relationships:
        data["relationships"] = relationships
    call(project, "PATCH", f"{api_type}/{id_}", {"data": data})


def live_one(project: Project, api_type: str, id_: str, include: str = "") -> dict[str, Any]:
    found: dict[str, Any] = call(project, "GET", f"{api_type}/{id_}" + (f"?include={include}" if include else ""))[
        "data"
    ]
    return found


def writes(project: Project) -> list[str]:
    return [f"{e['method']} {e['path']} {e.get('body')}" for e in project.api_requests() if e["method"] in WRITES]
