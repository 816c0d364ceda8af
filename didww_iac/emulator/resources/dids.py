"""dids: numbers the account owns. They come from orders (no POST) and are never deleted (no
DELETE); PATCH changes their settings and routing.

Routing goes to a voice_in_trunk or a voice_in_trunk_group, never both: setting one clears the
other, and naming both in one request is a 422. Dedicated channels need a capacity pool with
room for them. 2026-04-16 added ``emergency_enabled`` and the emergency/identity relationships.
"""

from __future__ import annotations

from typing import Any

from didww_iac.emulator.behaviour import AccountView, Behaviour
from didww_iac.emulator.coerce import BLANK
from didww_iac.emulator.errors import FieldError
from didww_iac.emulator.resources.capacity import check_pool_room
from didww_iac.emulator.resources.common import V2026
from didww_iac.emulator.resources.emergency_services import did_problems
from didww_iac.emulator.schema import Attr, Filter, Record, Relationship, ResourceType

_TRUNK, _GROUP = "voice_in_trunk", "voice_in_trunk_group"
# Writable in 2026-04-16: the only way to add a DID to, or remove it from, an existing service.
_EMERGENCY = "emergency_calling_service"


class DidBehaviour(Behaviour):
    def reconcile(
        self, account: AccountView, record: Record, existing: Record | None, given: set[str]
    ) -> list[FieldError]:
        if _EMERGENCY in given:
            problems = did_problems(account, record, existing)
            if problems:
                return problems
        trunk, group = record.relationships.get(_TRUNK), record.relationships.get(_GROUP)
        if _TRUNK in given and _GROUP in given and trunk and group:
            message = f"can't be set together with {_TRUNK}"
            return [FieldError(f"/data/relationships/{_GROUP}", _GROUP, message)]
        if _TRUNK in given and trunk:
            record.relationships[_GROUP] = None
        elif _GROUP in given and group:
            record.relationships[_TRUNK] = None
        return []

    def validate(self, account: AccountView, record: Record, existing: Record | None) -> list[FieldError]:
        if int(record.attributes.get("dedicated_channels_count") or 0) > 0:
            if record.relationships.get("capacity_pool") is None:
                return [FieldError("/data/relationships/capacity_pool", "capacity_pool", BLANK)]
            return check_pool_room(account, record, "dedicated_channels_count")
        return []


def _read(name: str, kind: Any = "string", **kw: Any) -> Attr:
    return Attr(name, kind=kind, writable=False, **kw)


def _to_one(name: str, target: str, **kw: Any) -> Relationship:
    return Relationship(name, target, **kw)


DIDS = ResourceType(
    name="dids",
    attributes=(
        _read("blocked", "boolean"),
        Attr("capacity_limit", kind="integer", minimum=0),
        Attr("description"),
        Attr("terminated", kind="boolean", nullable=False),
        _read("awaiting_registration", "boolean"),
        _read("number"),
        _read("expires_at", "datetime"),
        _read("channels_included_count", "integer"),
        _read("created_at", "datetime"),
        Attr("billing_cycles_count", kind="integer", minimum=0, maximum=999),
        # Deprecated in favour of billing_cycles_count, still sent and accepted (Update DID example).
        Attr("pending_removal", kind="boolean", nullable=False),
        Attr("dedicated_channels_count", kind="integer", nullable=False, minimum=0),
        _read("emergency_enabled", "boolean", since=V2026),
    ),
    relationships=(
        _to_one("did_group", "did_groups", writable=False),
        _to_one("order", "orders", writable=False),
        _to_one(_TRUNK, "voice_in_trunks"),
        _to_one(_GROUP, "voice_in_trunk_groups"),
        _to_one("capacity_pool", "capacity_pools"),
        _to_one("shared_capacity_group", "shared_capacity_groups"),
        # Set by an address verification (regulation_verifications.py): it and the address's identity.
        _to_one("address_verification", "address_verifications", writable=False),
        _to_one(_EMERGENCY, "emergency_calling_services", since=V2026),
        _to_one("emergency_verification", "emergency_verifications", writable=False, since=V2026),
        _to_one("identity", "identities", writable=False, since=V2026),
    ),
    filters=(
        Filter("number", "number"),
        Filter("description", "description"),
        Filter("terminated", "terminated"),
        Filter("awaiting_registration", "awaiting_registration"),
        Filter("pending_removal", "pending_removal"),
        Filter("did_group.features", "did_group.features", all_of=True),
        Filter("did_group.id", "did_group.id"),
        Filter("country.id", "did_group.country.id"),
        Filter("region.id", "did_group.region.id"),
        Filter("city.id", "did_group.city.id"),
        Filter("order.id", "order.id"),
        Filter("voice_in_trunk.id", "voice_in_trunk.id"),
        Filter("voice_in_trunk_group.id", "voice_in_trunk_group.id"),
        Filter("shared_capacity_group.id", "shared_capacity_group.id"),
        Filter("capacity_pool.id", "capacity_pool.id"),
        Filter("order.reference", "order.reference"),
        Filter("emergency_enabled", "emergency_enabled", since=V2026),
        Filter("emergency_calling_service.id", "emergency_calling_service.id", since=V2026),
        # Listed by DIDWW's OpenAPI document; trunk.id and trunk_group.id are older names.
        Filter("address_verification.id", "address_verification.id"),
        Filter("billing_cycles_count", "billing_cycles_count"),
        Filter("blocked", "blocked"),
        Filter("trunk.id", "voice_in_trunk.id"),
        Filter("trunk_group.id", "voice_in_trunk_group.id"),
    ),
    sorts=(
        "blocked",
        "awaiting_registration",
        "capacity_limit",
        "description",
        "terminated",
        "number",
        "expires_at",
        "channels_included_count",
        "dedicated_channels_count",
        "created_at",
        "billing_cycles_count",
    ),
    operations=frozenset({"list", "show", "update"}),
    behaviour=DidBehaviour(),
)
