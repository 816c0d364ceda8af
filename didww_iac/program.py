"""Turns a validated stack into Pulumi resources. Used by the project's `__main__.py`.

How an entry maps to properties is declared per type (didww_iac/resource_types) and read by
resources/mapping.py; what is left here is the order of declaration and the two keys the mapping
leaves to code (an order item's kind, the number an order delivered).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
from pydantic import BaseModel

from didww_iac import speedups
from didww_iac.resource_types import SPECS
from didww_iac.resources.connection import Connection
from didww_iac.resources.documents import DocumentError, document_props
from didww_iac.resources.errors import SOURCE_LOCATION
from didww_iac.resources.mapping import entry_props, references
from didww_iac.resources.registry import RESOURCE_TYPES
from didww_iac.resources.serialization import SharedProviderResource as Resource
from didww_iac.resources.spec import ADOPT_ID, ResourceSpec
from didww_iac.settings import LATEST_API_VERSION
from didww_iac.stack import LoadedStack, StackFileError, load, stack_path
from didww_iac.stack.schema import Did, Order, OrderItem, Stack

MAX_EXTERNAL_REFERENCE_ID = 100
Entry = tuple[str, str]  # (section, logical name)
Declared = dict[Entry, Resource]


def external_reference_id(project: str, stack: str, api_type: str, logical_name: str, variant: str = "") -> str:
    """A stable id derived from the resource's URN parts, so a create can be found again after a
    timeout or crash instead of being repeated (DESIGN §5). `variant` tells apart the successive
    resources of one entry that DIDWW cannot show the difference of (see `_unseen_variant`)."""
    ref = f"didww-iac:{project}:{stack}:{api_type}:{logical_name}" + (f":{variant}" if variant else "")
    if len(ref) <= MAX_EXTERNAL_REFERENCE_ID:
        return ref
    digest = hashlib.sha256(ref.encode()).hexdigest()[:24]
    return f"didww-iac:{digest}:{logical_name}"[:MAX_EXTERNAL_REFERENCE_ID]


def _order_items(order: Order, _declared: Declared) -> dict[str, Any]:
    return {"items": [_order_item(item) for item in order.items]}


def _order_item(item: OrderItem) -> dict[str, Any]:
    # DIDWW takes every kind of number line as did_order_items; the keys say which kind.
    kind = "capacity_order_items" if item.capacity_pool_id is not None else "did_order_items"
    return {"type": kind, "attributes": item.model_dump(exclude_none=True)}


def _number_from_order(did: Did, declared: Declared) -> dict[str, Any]:
    if did.order is None:
        return {}
    # Only the number this entry picks: the order's whole list on every entry made the state,
    # and every preview, grow with (numbers x order size).
    did_ids: pulumi.Output[list[str]] = declared[("orders", did.order)].did_ids  # type: ignore[attr-defined]
    return {"order_did_id": did_ids.apply(lambda ids: _nth(ids, did.index)), "order_index": did.index}


def _nth(ids: list[str], index: int) -> str | None:
    return ids[index] if index < len(ids) else None


def _unseen_variant(spec: ResourceSpec, props: dict[str, Any]) -> str:
    """A digest of what makes another resource but DIDWW never shows back (a proof's files, the
    identity it proves): without it, the proof a replacement makes would carry its predecessor's
    reference, and the create would take the predecessor for its own leftover and adopt it."""
    unseen = {f.name: props.get(f.name) for f in spec.fields if f.local and f.replace_on_change}
    if not any(v is not None for v in unseen.values()):
        return ""
    return hashlib.sha256(json.dumps(unseen, sort_keys=True, default=str).encode()).hexdigest()[:12]


# The keys the declared mapping leaves to code (`Custom` in the types' settings).
CUSTOM_PROPS: dict[str, Callable[[Any, Declared], dict[str, Any]]] = {
    "orders": _order_items,
    "dids": _number_from_order,
}


def dependency_order(stack: Stack) -> list[tuple[Entry, BaseModel]]:
    """Every entry after the entries it refers to (a group after its trunks; a shared capacity
    group before the numbers naming it, or after the numbers it lists)."""
    entries: dict[Entry, BaseModel] = {
        (section, name): entry for section in SPECS for name, entry in getattr(stack, section).items()
    }
    placed: dict[Entry, None] = {}
    visiting: set[Entry] = set()

    def place(key: Entry) -> None:
        if key in placed:
            return
        if key in visiting:
            raise pulumi.RunError(f"{key[0]}.{key[1]} refers to itself through other entries")
        visiting.add(key)
        for ref in references(SPECS[key[0]], entries[key]):
            if (ref.section, ref.name) in entries:
                place((ref.section, ref.name))
        visiting.discard(key)
        placed[key] = None

    for key in entries:
        place(key)
    return [(key, entries[key]) for key in placed]


def declare(loaded: LoadedStack, project: str, stack_name: str, display_path: str) -> dict[str, dict[str, Resource]]:
    """Every entry as a Pulumi resource (`display_path`: the stack file, as the user runs it)."""
    stack = loaded.stack
    connection = Connection(stack.endpoint, stack.api_version, stack.rate_limit, stack.limiter)
    declared: Declared = {}

    def resolve(section: str, name: str) -> Any:
        return declared[(section, name)].id

    for (api_type, logical_name), entry in dependency_order(stack):
        spec = SPECS[api_type]
        props = entry_props(spec, entry, resolve)
        custom = CUSTOM_PROPS.get(api_type)
        if custom is not None:
            props.update(custom(entry, declared))
        try:
            props.update(document_props(spec, entry, Path(display_path)))
        except DocumentError as exc:
            lines = loaded.entry_lines(api_type, logical_name)
            line = lines.get(exc.key, lines.get("", "?"))
            where = f"{display_path}:{line}: {api_type}.{logical_name}.{exc.key}"
            raise pulumi.RunError(f"{where}: {exc}") from None
        # Lets the provider point DIDWW's validation errors at the file, line and setting.
        props[SOURCE_LOCATION] = {
            "file": display_path,
            "entry": f"{api_type}.{logical_name}",
            "lines": loaded.entry_lines(api_type, logical_name),
        }
        # What makes a create idempotent (DESIGN §5). An adopted resource is never created, so
        # its reference is left as it is unless the entry declares one.
        creates = not props.get(ADOPT_ID)
        if spec.has_external_reference_id and stack.api_version == LATEST_API_VERSION and creates:
            props.setdefault(
                "external_reference_id",
                external_reference_id(project, stack_name, api_type, logical_name, _unseen_variant(spec, props)),
            )
        declared[(api_type, logical_name)] = RESOURCE_TYPES[api_type].declare(logical_name, connection, props)
    by_type: dict[str, dict[str, Resource]] = {}
    for (api_type, logical_name), resource in declared.items():
        by_type.setdefault(api_type, {})[logical_name] = resource
    return by_type


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
