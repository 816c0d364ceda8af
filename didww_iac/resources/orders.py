"""orders: buying numbers (and capacity). An order costs money, so it is never replaced and never
repeated: its items cannot change once placed, a create first looks for an order with the same
external_reference_id, and deleting a completed order is refused unless the stack opts in.

Create waits (bounded) until DIDWW completes the order and exposes the ordered DIDs, so `dids`
entries can route them in the same `up`.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from pulumi.dynamic import CreateResult

from didww_iac.api import Resource as ApiResource
from didww_iac.resource_types.orders import ORDERS
from didww_iac.resources.dids import DIDS
from didww_iac.resources.errors import DidwwResourceError
from didww_iac.resources.live_index import shared_index
from didww_iac.resources.provider import DidwwProvider
from didww_iac.resources.serialization import SharedProviderResource

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0
PROGRESS_SECONDS = 10.0
CANCELED = "canceled"  # DIDWW's spelling


class OrderProvider(DidwwProvider):
    spec = ORDERS

    def _create(self, props: dict[str, Any]) -> CreateResult:
        placed = self._make(props)
        order = self._await_completion(placed.id, float(props.get("wait_timeout_seconds") or 600))
        self.index.put(order)
        return CreateResult(order.id, self._outputs(order, props))

    def _adoptable(self, candidates: list[ApiResource], props: dict[str, Any]) -> ApiResource | None:
        """A canceled order with our reference is history, not something to adopt; an order placed
        after it with the same reference is."""
        live = [c for c in candidates if c.attributes.get("status") != CANCELED]
        return super()._adoptable(live, props)

    def _await_completion(self, id_: str, timeout: float) -> ApiResource:
        started = time.monotonic()
        deadline = started + timeout
        next_report = started + PROGRESS_SECONDS
        while True:
            order = self._get(id_)
            status = str(order.attributes.get("status"))
            if status == "completed":
                return order
            if time.monotonic() >= next_report:
                # A line per order while it waits: a long `up` is not mistaken for a hung one.
                waited = time.monotonic() - started
                log.warning(
                    "order %s: %s for %.0f s (waiting up to %.0f s)",
                    order.attributes.get("reference") or id_,
                    status,
                    waited,
                    timeout,
                )
                next_report += PROGRESS_SECONDS
            if status == CANCELED:
                raise DidwwResourceError(f"order {order.attributes.get('reference')} ({id_}) was cancelled by DIDWW")
            if time.monotonic() >= deadline:
                raise DidwwResourceError(
                    f"order {order.attributes.get('reference')} ({id_}) is still {status} after {timeout:.0f} s; "
                    "it stays in DIDWW and the next `up` picks it up again (by its external_reference_id). "
                    "Raise wait_timeout_seconds to wait longer."
                )
            time.sleep(POLL_SECONDS)

    def _outputs(self, resource: ApiResource, props: dict[str, Any]) -> dict[str, Any]:
        outs = super()._outputs(resource, props)
        if outs.get("status") == "completed" and not props.get("did_ids"):
            listed = self.client.iter("dids", filters={"order.id": resource.id}, include=list(DIDS.include))
            dids = sorted(listed, key=_number)
            # The `dids` entries that route these numbers read them from here, not one by one.
            numbers = shared_index(self.client, DIDS.api_type, DIDS.include, DIDS.listing_page_budget)
            for did in dids:
                numbers.put(did)
            outs["did_ids"] = [d.id for d in dids]
            outs["did_numbers"] = [_number(d) for d in dids]
        else:
            outs["did_ids"] = props.get("did_ids") or []
            outs["did_numbers"] = props.get("did_numbers") or []
        return outs

    def _delete(self, id_: str, props: dict[str, Any]) -> None:
        order = self._get_or_none(id_)
        if order is None:
            return
        status = str(order.attributes.get("status"))
        policy = props.get("on_delete") or "refuse"
        reference = order.attributes.get("reference")
        if status == "pending":
            self.client.delete(self.spec.api_type, id_)  # cancels it; nothing was charged yet
        elif status == "completed" and policy == "release":
            for did_id in props.get("did_ids") or []:
                self.client.update("dids", did_id, attributes={"terminated": True})
            log.warning("order %s: released %d numbers", reference, len(props.get("did_ids") or []))
        elif status == "completed" and policy == "refuse":
            raise DidwwResourceError(
                f"order {reference} is completed: its numbers are in use and billed, so it is not deleted. "
                "To release them, set `on_delete: release` on the order (terminates its DIDs) and run `up`, "
                "then remove it; or set `on_delete: forget` to stop managing it and keep the numbers."
            )


def _number(did: ApiResource) -> str:
    return str(did.attributes.get("number"))


class Order(SharedProviderResource, module="didww", name="Order"):
    pass
