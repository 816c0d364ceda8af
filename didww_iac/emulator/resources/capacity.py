"""The balance, capacity pools (seeded; PATCH only) and shared capacity groups (CRUD).

A pool's channels are assigned to its shared capacity groups (``shared_channels_count``) and
to DIDs (``dedicated_channels_count``); neither may exceed the pool's ``total_channels_count``,
and a PATCH of the pool may only remove unassigned channels (capacity orders add them).
"""

from __future__ import annotations

from typing import Any

from didww_iac.emulator.behaviour import AccountView, Behaviour
from didww_iac.emulator.errors import FieldError
from didww_iac.emulator.money import balance, parse
from didww_iac.emulator.resources.catalogue import seeded
from didww_iac.emulator.resources.common import V2026, created_at, external_reference_id
from didww_iac.emulator.schema import Attr, Filter, Record, Relationship, ResourceType


class BalanceBehaviour(Behaviour):
    def render_virtual(self, account: AccountView, version: str, record: Record, attr: Attr) -> Any:
        # total_balance is "the net balance (balance+credit)".
        return balance(parse(record.attributes["balance"]) + parse(record.attributes["credit"]))


BALANCES = ResourceType(
    name="balances",
    attributes=(
        Attr("balance", kind="decimal", writable=False),
        Attr("credit", kind="decimal", writable=False),
        Attr("total_balance", kind="decimal", writable=False, virtual=True),
    ),
    read_only=True,
    operations=frozenset({"show"}),
    singleton_path="balance",
    behaviour=BalanceBehaviour(),
    seed=seeded("balances"),
)

QTY_BASED_PRICINGS = ResourceType(
    name="qty_based_pricings",
    attributes=(
        Attr("qty", kind="integer", writable=False),
        Attr("setup_price", kind="decimal", writable=False),
        Attr("monthly_price", kind="decimal", writable=False),
    ),
    read_only=True,
    routable=False,
    seed=seeded("qty_based_pricings"),
)


_CHANNELS = {"shared_capacity_groups": "shared_channels_count", "dids": "dedicated_channels_count"}


def assigned_channels(account: AccountView, pool_id: str, pending: Record | None = None) -> int:
    """Channels of a pool given to groups and DIDs; ``pending`` (being saved) replaces its stored self."""
    # The pool's members through the index: rendering a pool scanned every DID of the account.
    records = [r for type_name in _CHANNELS for r in account.matching(type_name, "capacity_pool.id", [pool_id])]
    if pending is not None:
        records = [r for r in records if (r.type, r.id) != (pending.type, pending.id)] + [pending]
    return sum(
        int(r.attributes.get(_CHANNELS[r.type]) or 0)
        for r in records
        if r.relationships.get("capacity_pool") == pool_id
    )


def check_pool_room(account: AccountView, record: Record, field: str) -> list[FieldError]:
    """The pool must hold the channels ``record`` takes (its ``field``) besides everyone else's."""
    pool_id = record.relationships.get("capacity_pool")
    pool = account.find("capacity_pools", pool_id) if pool_id else None
    if pool is None:
        return []
    total = int(pool.attributes["total_channels_count"])
    used = assigned_channels(account, pool.id, record)
    if used <= total:
        return []
    room = total - (used - int(record.attributes.get(field) or 0))
    return [FieldError(f"/data/attributes/{field}", field, f"must be less than or equal to {room}")]


class CapacityPoolBehaviour(Behaviour):
    def render_virtual(self, account: AccountView, version: str, record: Record, attr: Attr) -> Any:
        return assigned_channels(account, record.id)

    def validate(self, account: AccountView, record: Record, existing: Record | None) -> list[FieldError]:
        if not isinstance(record.attributes.get("total_channels_count"), int):
            return []  # not a number: coercion already reported it
        total = int(record.attributes["total_channels_count"])
        current = int(existing.attributes["total_channels_count"]) if existing else total
        # Only unassigned channels can be removed, never below minimum_limit; adding is an order.
        floor = max(assigned_channels(account, record.id), int(record.attributes.get("minimum_limit") or 0))
        pointer, name = "/data/attributes/total_channels_count", "total_channels_count"
        if total > current:
            return [FieldError(pointer, name, f"must be less than or equal to {current}")]
        if total < floor:
            return [FieldError(pointer, name, f"must be greater than or equal to {floor}")]
        return []


def _has_unassigned_channels(account: AccountView, record: Record, wanted: list[str]) -> bool:
    free = int(record.attributes["total_channels_count"]) > assigned_channels(account, record.id)
    return str(free).lower() in wanted


CAPACITY_POOLS = ResourceType(
    name="capacity_pools",
    attributes=(
        Attr("name", writable=False),
        Attr("renew_date", writable=False),
        Attr("total_channels_count", kind="integer", nullable=False, minimum=0),
        Attr("assigned_channels_count", kind="integer", writable=False, virtual=True),
        Attr("minimum_limit", kind="integer", writable=False),
        Attr("minimum_qty_per_order", kind="integer", writable=False),
        Attr("setup_price", kind="decimal", writable=False),
        Attr("monthly_price", kind="decimal", writable=False),
        Attr("metered_rate", kind="decimal", writable=False),
    ),
    relationships=(
        Relationship("countries", "countries", to_many=True, writable=False),
        Relationship(
            "shared_capacity_groups",
            "shared_capacity_groups",
            to_many=True,
            inverse="capacity_pool",
            writable=False,
        ),
        Relationship("qty_based_pricings", "qty_based_pricings", to_many=True, writable=False),
    ),
    filters=(
        Filter("name", "name"),
        Filter("country.id", "countries.id"),
        Filter("has_unassigned_channels", match=_has_unassigned_channels),
    ),
    sorts=(
        "name",
        "renew_date",
        "total_channels_count",
        "assigned_channels_count",
        "minimum_limit",
        "minimum_qty_per_order",
        "setup_price",
        "monthly_price",
        "metered_rate",
    ),
    operations=frozenset({"list", "show", "update"}),
    behaviour=CapacityPoolBehaviour(),
    seed=seeded("capacity_pools"),
)


class SharedCapacityGroupBehaviour(Behaviour):
    def validate(self, account: AccountView, record: Record, existing: Record | None) -> list[FieldError]:
        return check_pool_room(account, record, "shared_channels_count")


SHARED_CAPACITY_GROUPS = ResourceType(
    name="shared_capacity_groups",
    attributes=(
        Attr("name", required=True, unique=True),
        Attr("shared_channels_count", kind="integer", required=True, nullable=False, minimum=0),
        created_at(),
        Attr("metered_channels_count", kind="integer", required=True, nullable=False, minimum=0),
        external_reference_id(),
    ),
    relationships=(
        Relationship("capacity_pool", "capacity_pools", required=True),
        Relationship("dids", "dids", to_many=True, inverse="shared_capacity_group"),
    ),
    filters=(
        Filter("name", "name"),
        Filter("capacity_pool.id", "capacity_pool.id"),
        Filter("external_reference_id", "external_reference_id", since=V2026),
    ),
    sorts=("name", "shared_channels_count", "created_at", "metered_channels_count", "external_reference_id"),
    behaviour=SharedCapacityGroupBehaviour(),
)
