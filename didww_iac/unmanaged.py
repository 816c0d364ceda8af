"""What the account holds that the stack does not declare: the blind spot of any refresh.

A refresh reads only the resources the state holds, so a trunk made by hand in the DIDWW panel
never shows as drift. `drift --unmanaged` lists, for every type an account holds lastingly
(`ResourceSpec.importable`: trunks, trunk groups, numbers, outbound trunks, capacity pools,
shared capacity groups, identities and addresses), each resource whose id is neither in the stack's state nor an entry's
`adopt_id`. Orders are history and reservations last minutes: neither is reported. Each type
costs one listing, ceil(M/100) requests for M resources of that type.
"""

from __future__ import annotations

from collections.abc import Iterator, Set

from didww_iac.api import DidwwClient
from didww_iac.api.documents import Resource
from didww_iac.drift import UnmanagedResource
from didww_iac.resource_types import SPECS
from didww_iac.resources.spec import ADOPT_ID, ResourceSpec
from didww_iac.stack import Stack

LASTING_SPECS: tuple[ResourceSpec, ...] = tuple(spec for spec in SPECS.values() if spec.importable)


def lasting_types() -> tuple[str, ...]:
    return tuple(spec.api_type for spec in LASTING_SPECS)


def adopted_ids(stack: Stack) -> set[str]:
    """The ids entries name with `adopt_id`: declared, even before the `up` that adopts them."""
    ids: set[str] = set()
    for _section, entries in stack:
        if not isinstance(entries, dict):
            continue  # a setting of the stack (endpoint, rate_limit), not a section
        for entry in entries.values():
            adopt_id = getattr(entry, ADOPT_ID, None)
            if adopt_id:
                ids.add(str(adopt_id))
    return ids


def find_unmanaged(client: DidwwClient, declared_ids: Set[str]) -> list[UnmanagedResource]:
    """Every lasting resource of the account whose id is not in `declared_ids`, type by type."""
    return [found for spec in LASTING_SPECS for found in _unmanaged_of(client, spec, declared_ids)]


def _unmanaged_of(client: DidwwClient, spec: ResourceSpec, declared_ids: Set[str]) -> Iterator[UnmanagedResource]:
    # No `include`: only ids and the display attribute are needed, so pages stay small.
    for resource in client.iter(spec.api_type):
        if resource.id in declared_ids or given_back(resource):
            continue
        display = resource.attributes.get(spec.display)
        yield UnmanagedResource(spec.api_type, resource.id, None if display is None else str(display))


def given_back(resource: Resource) -> bool:
    # A terminated number stays listed until its billing cycle ends; it is on its way out of
    # the account, not something to bring under management.
    return resource.type == "dids" and resource.attributes.get("terminated") is True
