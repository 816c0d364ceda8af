"""dids: numbers are never created by POST. A `dids` entry adopts a number (by number, by id, or
as the n-th number of an order in the same stack) and applies its declared settings: routing to a
trunk or a trunk group (DIDWW keeps one of the two), capacity, description, billing cycles.

Removing the entry detaches the number (routing cleared, the number kept and still billed) unless
`on_delete: terminate` asks DIDWW to terminate it.
"""

from __future__ import annotations

from typing import Any

from didww_iac.api import Resource as ApiResource
from didww_iac.resource_types.dids import DECLARED_LINKS, DIDS
from didww_iac.resources.errors import DidwwResourceError
from didww_iac.resources.provider import DidwwProvider
from didww_iac.resources.serialization import SharedProviderResource

__all__ = ["DECLARED_LINKS", "DIDS", "Did", "DidProvider"]

# What a removed entry lets go of (a dedicated capacity pool stays: its channels are paid for).
DETACHED_ON_DELETE = ("voice_in_trunk", "voice_in_trunk_group", "shared_capacity_group")
# Where states written before `order_did_id` kept the order's numbers (one list per entry made
# previews slow at thousands of numbers: every entry carried its order's whole list).
LEGACY_ORDER_DID_IDS = "order_did_ids"


class DidProvider(DidwwProvider):
    spec = DIDS

    def _post(self, props: dict[str, Any]) -> ApiResource:
        """ "Creating" a DID finds it; the shared create then applies the declared settings."""
        return self._converge(self._find(props), props)

    def _find(self, props: dict[str, Any]) -> ApiResource:
        number = props.get("lookup_number")
        if number:
            matches = self.client.list("dids", filters={"number": number}, include=list(self.include))
            if not matches:
                raise DidwwResourceError(f"no DID {number} in this DIDWW account: order it first (orders:)")
            return matches[0]
        did_id = props.get("order_did_id")
        if not did_id:
            index = int(props.get("order_index") or 0)
            raise DidwwResourceError(f"the order delivered no number at index {index}")
        # Usually in the index already: the order put the numbers it delivered there.
        return self.index.get(did_id) or self._get(did_id)

    def _upgraded(self, olds: dict[str, Any]) -> dict[str, Any]:
        """States written before `order_did_id` carry the order's whole list of numbers on every
        entry; the number it picks is the same, so the entry is not replaced."""
        ids = olds.get(LEGACY_ORDER_DID_IDS)
        if olds.get("order_did_id") or not isinstance(ids, list):
            return olds
        index = int(olds.get("order_index") or 0)
        upgraded = {k: v for k, v in olds.items() if k != LEGACY_ORDER_DID_IDS}
        upgraded["order_did_id"] = ids[index] if index < len(ids) else None
        return upgraded

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
