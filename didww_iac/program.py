"""Turns a validated stack into Pulumi resources. Used by the project's `__main__.py`."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pulumi

from didww_iac import speedups
from didww_iac.resources.connection import Connection
from didww_iac.resources.errors import SOURCE_LOCATION
from didww_iac.resources.registry import RESOURCE_TYPES
from didww_iac.resources.serialization import SharedProviderResource as Resource
from didww_iac.settings import LATEST_API_VERSION
from didww_iac.stack import LoadedStack, StackFileError, load, stack_path
from didww_iac.stack.schema import (
    CapacityPool,
    Did,
    DidReservation,
    Order,
    OrderItem,
    SharedCapacityGroup,
    VoiceInTrunk,
    VoiceInTrunkGroup,
    VoiceOutTrunk,
)

MAX_EXTERNAL_REFERENCE_ID = 100
Declared = dict[str, Resource]


def external_reference_id(project: str, stack: str, api_type: str, logical_name: str) -> str:
    """A stable id derived from the resource's URN parts, so a create can be found again after a
    timeout or crash instead of being repeated (DESIGN §5)."""
    ref = f"didww-iac:{project}:{stack}:{api_type}:{logical_name}"
    if len(ref) <= MAX_EXTERNAL_REFERENCE_ID:
        return ref
    digest = hashlib.sha256(ref.encode()).hexdigest()[:24]
    return f"didww-iac:{digest}:{logical_name}"[:MAX_EXTERNAL_REFERENCE_ID]


def _trunk_props(trunk: VoiceInTrunk) -> dict[str, Any]:
    props = trunk.model_dump(exclude={"sip", "pstn"}, exclude_none=True)
    if trunk.sip is not None:
        props["configuration"] = {
            "type": "sip_configurations",
            "attributes": trunk.sip.model_dump(exclude_none=True),
        }
    elif trunk.pstn is not None:
        props["configuration"] = {"type": "pstn_configurations", "attributes": trunk.pstn.model_dump()}
    return props


def _group_props(group: VoiceInTrunkGroup, trunks: dict[str, Resource]) -> dict[str, Any]:
    props = group.model_dump(exclude={"trunks"}, exclude_none=True)
    props["voice_in_trunks"] = [trunks[name].id for name in group.trunks]
    return props


def _order_item(item: OrderItem) -> dict[str, Any]:
    # DIDWW takes every kind of number line as did_order_items; the keys say which kind.
    kind = "capacity_order_items" if item.capacity_pool_id is not None else "did_order_items"
    return {"type": kind, "attributes": item.model_dump(exclude_none=True)}


def _order_props(order: Order) -> dict[str, Any]:
    props = order.model_dump(exclude={"items"}, exclude_none=True)
    props["items"] = [_order_item(item) for item in order.items]
    return props


def _did_props(
    did: Did,
    trunks: dict[str, Resource],
    groups: dict[str, Resource],
    orders: dict[str, Resource],
    pools: Declared,
    shared_groups: Declared,
) -> dict[str, Any]:
    props = did.model_dump(
        exclude={"number", "order", "index", "voice_in_trunk", "voice_in_trunk_group", "capacity_pool",
                 "capacity_pool_id", "shared_capacity_group", "shared_capacity_group_id"},
        exclude_none=True,
    )  # fmt: skip
    if did.number is not None:
        props["lookup_number"] = did.number
    if did.order is not None:
        props["order_did_ids"] = orders[did.order].did_ids  # type: ignore[attr-defined]
        props["order_index"] = did.index
    if did.voice_in_trunk is not None:
        props["voice_in_trunk"] = trunks[did.voice_in_trunk].id
    if did.voice_in_trunk_group is not None:
        props["voice_in_trunk_group"] = groups[did.voice_in_trunk_group].id
    if did.capacity_pool_id is not None:
        props["capacity_pool"] = did.capacity_pool_id
    if did.capacity_pool is not None:
        props["capacity_pool"] = pools[did.capacity_pool].id
    if did.shared_capacity_group_id is not None:
        props["shared_capacity_group"] = did.shared_capacity_group_id
    if did.shared_capacity_group is not None:
        props["shared_capacity_group"] = shared_groups[did.shared_capacity_group].id
    return props


def _pool_props(pool: CapacityPool) -> dict[str, Any]:
    props = pool.model_dump(exclude={"name"}, exclude_none=True)
    if pool.name is not None:
        props["lookup_name"] = pool.name
    return props


def _shared_group_props(group: SharedCapacityGroup, pools: Declared, dids: Declared) -> dict[str, Any]:
    props = group.model_dump(exclude={"capacity_pool", "capacity_pool_id", "dids"}, exclude_none=True)
    props["capacity_pool"] = pools[group.capacity_pool].id if group.capacity_pool else group.capacity_pool_id
    if group.dids is not None:
        props["dids"] = [dids[name].id for name in group.dids]
    return props


def _reservation_props(reservation: DidReservation) -> dict[str, Any]:
    props = reservation.model_dump(exclude={"available_did_id"}, exclude_none=True)
    props["available_did"] = reservation.available_did_id
    return props


def _out_trunk_props(trunk: VoiceOutTrunk, dids: Declared) -> dict[str, Any]:
    props = trunk.model_dump(exclude={"authentication", "dids"}, exclude_none=True)
    auth = trunk.authentication.model_dump(exclude={"type"}, exclude_none=True)
    props["authentication_method"] = {"type": trunk.authentication.type, "attributes": auth}
    if trunk.dids is not None:
        props["dids"] = [dids[name].id for name in trunk.dids]
    return props


def declare(loaded: LoadedStack, project: str, stack_name: str, display_path: str) -> dict[str, dict[str, Resource]]:
    stack = loaded.stack
    connection = Connection(stack.endpoint, stack.api_version, stack.rate_limit, stack.limiter)
    declared: dict[str, dict[str, Resource]] = {}

    def add(api_type: str, logical_name: str, props: dict[str, Any]) -> Resource:
        # Lets the provider point DIDWW's validation errors at the file, line and setting.
        props[SOURCE_LOCATION] = {
            "file": display_path,
            "entry": f"{api_type}.{logical_name}",
            "lines": loaded.lines_under(api_type, logical_name),
        }
        if RESOURCE_TYPES[api_type].spec.has_external_reference_id and stack.api_version == LATEST_API_VERSION:
            props.setdefault(
                "external_reference_id", external_reference_id(project, stack_name, api_type, logical_name)
            )
        resource = RESOURCE_TYPES[api_type].declare(logical_name, connection, props)
        declared.setdefault(api_type, {})[logical_name] = resource
        return resource

    trunks = {name: add("voice_in_trunks", name, _trunk_props(t)) for name, t in stack.voice_in_trunks.items()}
    groups = {
        name: add("voice_in_trunk_groups", name, _group_props(g, trunks))
        for name, g in stack.voice_in_trunk_groups.items()
    }
    orders = {name: add("orders", name, _order_props(o)) for name, o in stack.orders.items()}
    for name, reservation in stack.did_reservations.items():
        add("did_reservations", name, _reservation_props(reservation))
    pools = {name: add("capacity_pools", name, _pool_props(p)) for name, p in stack.capacity_pools.items()}

    def add_shared(name: str, group: SharedCapacityGroup, dids: Declared) -> Resource:
        return add("shared_capacity_groups", name, _shared_group_props(group, pools, dids))

    # A group either lists its numbers (so it comes after them) or is named by them (so it comes
    # first); the loader refuses both at once.
    shared = {name: add_shared(name, g, {}) for name, g in stack.shared_capacity_groups.items() if g.dids is None}
    dids = {
        name: add("dids", name, _did_props(did, trunks, groups, orders, pools, shared))
        for name, did in stack.dids.items()
    }
    for name, group in stack.shared_capacity_groups.items():
        if group.dids is not None:
            add_shared(name, group, dids)
    for name, out in stack.voice_out_trunks.items():
        add("voice_out_trunks", name, _out_trunk_props(out, dids))
    return declared


def export(declared: dict[str, dict[str, Resource]]) -> None:
    """Per type: logical name -> DIDWW id and the property people know it by (name, number...)."""
    for api_type, resources in declared.items():
        display = RESOURCE_TYPES[api_type].spec.display
        pulumi.export(
            api_type,
            {name: {"id": r.id, "name": getattr(r, display)} for name, r in resources.items()},
        )


def main() -> None:
    """Entry point of the Pulumi program: reads stacks/<stack>.yaml for the selected stack."""
    speedups.before_declaring()
    stack_name = pulumi.get_stack()
    path = stack_path(Path("."), stack_name)
    try:
        loaded = load(path)
    except StackFileError as exc:
        # RunError prints the message without a Python traceback.
        raise pulumi.RunError(str(exc)) from None
    export(declare(loaded, pulumi.get_project(), stack_name, str(path)))
    speedups.after_declaring()
