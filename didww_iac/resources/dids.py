"""dids: numbers are never created by POST. A `dids` entry adopts a number (by number, by id, or
as the n-th number of an order in the same stack) and applies its declared settings: routing to a
trunk or a trunk group (DIDWW keeps one of the two), capacity, description, billing cycles.

Removing the entry detaches the number (routing cleared, the number kept and still billed) unless
`on_delete: terminate` asks DIDWW to terminate it.
"""

from __future__ import annotations

from typing import Any

from didww_iac.api import Resource as ApiResource
from didww_iac.resources.errors import DidwwResourceError
from didww_iac.resources.provider import DidwwProvider
from didww_iac.resources.serialization import SharedProviderResource
from didww_iac.resources.spec import FieldSpec, Kind, ResourceSpec

# What a removed entry lets go of (a dedicated capacity pool stays: its channels are paid for).
DETACHED_ON_DELETE = ("voice_in_trunk", "voice_in_trunk_group", "shared_capacity_group")
DECLARED_LINKS = "declared_links"

DIDS = ResourceSpec(
    api_type="dids",
    pulumi_name="Did",
    display="number",
    has_external_reference_id=False,
    listing_page_budget=5,  # an account may hold thousands of numbers
    fields=(
        FieldSpec("description"),
        FieldSpec("capacity_limit"),
        FieldSpec("billing_cycles_count"),
        FieldSpec("terminated"),
        FieldSpec("dedicated_channels_count"),
        FieldSpec("voice_in_trunk", Kind.TO_ONE, related_type="voice_in_trunks"),
        FieldSpec("voice_in_trunk_group", Kind.TO_ONE, related_type="voice_in_trunk_groups"),
        FieldSpec("capacity_pool", Kind.TO_ONE, related_type="capacity_pools", stack_name="capacity_pool_id"),
        FieldSpec(
            "shared_capacity_group",
            Kind.TO_ONE,
            related_type="shared_capacity_groups",
            stack_name="shared_capacity_group_id",
        ),
        # How the number is found. Pointing the entry at another number adopts that one and
        # releases this one (detach or terminate, as on delete): a replacement.
        FieldSpec("lookup_number", local=True, replace_on_change=True),
        FieldSpec("order_did_ids", local=True, replace_on_change=True),
        FieldSpec("order_index", local=True, replace_on_change=True),
        FieldSpec("on_delete", local=True),
        FieldSpec("number", writable=False),
        # Which of DETACHED_ON_DELETE the entry declared: delete only gets outputs, which show
        # every live link, also those set by hand.
        FieldSpec(DECLARED_LINKS, writable=False),
        FieldSpec("created_at", writable=False),
    ),
    include=("voice_in_trunk", "voice_in_trunk_group", "capacity_pool", "shared_capacity_group"),
)


class DidProvider(DidwwProvider):
    spec = DIDS

    def _post(self, props: dict[str, Any]) -> ApiResource:
        """ "Creating" a DID finds it; the shared create then applies the declared settings."""
        return self._converge(self._find(props), props)

    def _find(self, props: dict[str, Any]) -> ApiResource:
        number = props.get("lookup_number")
        if number:
            matches = self.client.list("dids", filters={"number": number}, include=list(self.spec.include))
            if not matches:
                raise DidwwResourceError(f"no DID {number} in this DIDWW account: order it first (orders:)")
            return matches[0]
        ids = props.get("order_did_ids") or []
        index = int(props.get("order_index") or 0)
        if index >= len(ids):
            raise DidwwResourceError(f"the order delivered {len(ids)} numbers; there is no number at index {index}")
        # Usually in the index already: the order put the numbers it delivered there.
        return self.index.get(ids[index]) or self._get(ids[index])

    def _outputs(self, resource: ApiResource, props: dict[str, Any]) -> dict[str, Any]:
        outs = super()._outputs(resource, props)
        # On create and update `props` are the declared inputs (where this key is unset); on a
        # read they are the previous outputs, which keep it.
        kept = props.get(DECLARED_LINKS)
        outs[DECLARED_LINKS] = kept if kept is not None else [n for n in DETACHED_ON_DELETE if props.get(n)]
        return outs

    def _delete(self, id_: str, props: dict[str, Any]) -> None:
        if props.get("on_delete") == "terminate":
            self.client.update("dids", id_, attributes={"terminated": True})
            return
        # Detach: clear whichever routing and channel sharing the entry declared; the number
        # stays in the account. (States written before DECLARED_LINKS: every live link.)
        declared = props.get(DECLARED_LINKS)
        links = declared if declared is not None else [n for n in DETACHED_ON_DELETE if props.get(n)]
        routing = {name: None for name in links if props.get(name)}
        if routing:
            self.client.update("dids", id_, relationships=routing)


class Did(SharedProviderResource, module="didww", name="Did"):
    pass
