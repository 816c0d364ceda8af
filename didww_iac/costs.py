"""What new orders cost, from DIDWW's own prices, for the plan and the `max_new_order_cost` guard.

An order item buys numbers of a SKU (its DID group's setup and monthly price, per number) or
channels of a capacity pool (the pool's setup and monthly price, per channel). DIDWW has no
request for one SKU, so the catalogue (DID groups with their SKUs) is listed once per run, and
only when the plan holds a new order; capacity pools are listed once too.

The cost of placing an order is what it debits: the setup of every item and its first month.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from didww_iac.api import DidwwClient
from didww_iac.plan import OrderCost, OrderLine

Prices = tuple[Decimal, Decimal]  # (setup, monthly) per unit


class PriceBook:
    """Prices read from the account's endpoint, each listing at most once."""

    def __init__(self, client: DidwwClient) -> None:
        self._client = client
        self._skus: dict[str, Prices] | None = None
        self._channels: dict[str, Prices] | None = None

    def sku(self, sku_id: str) -> Prices | None:
        if self._skus is None:
            self._skus = {}
            for group in self._client.iter("did_groups", include=["stock_keeping_units"]):
                skus = group.related("stock_keeping_units")
                for sku in skus if isinstance(skus, list) else []:
                    prices = _prices(sku.attributes)
                    if prices is not None:
                        self._skus[sku.id] = prices
        return self._skus.get(sku_id)

    def channel(self, pool_id: str) -> Prices | None:
        if self._channels is None:
            self._channels = {}
            for pool in self._client.iter("capacity_pools"):
                prices = _prices(pool.attributes)
                if prices is not None:
                    self._channels[pool.id] = prices
        return self._channels.get(pool_id)


def _prices(attributes: Mapping[str, Any]) -> Prices | None:
    try:
        return Decimal(str(attributes["setup_price"])), Decimal(str(attributes["monthly_price"]))
    except (KeyError, InvalidOperation):
        return None


def order_cost(items: Iterable[Mapping[str, Any]], book: PriceBook) -> OrderCost:
    """`items`: each item's attributes as the stack declares them (sku_id or capacity_pool_id,
    qty; an item naming one number buys one)."""
    lines: list[OrderLine] = []
    setup = monthly = Decimal(0)
    priced = True
    for item in items:
        qty = int(item.get("qty") or 1)
        pool = item.get("capacity_pool_id")
        sku = item.get("sku_id")
        prices = book.channel(str(pool)) if pool else book.sku(str(sku)) if sku else None
        if prices is None:
            priced = False
        else:
            setup += prices[0] * qty
            monthly += prices[1] * qty
        lines.append(
            OrderLine(
                sku_id=None if pool else (str(sku) if sku else None),
                capacity_pool_id=str(pool) if pool else None,
                qty=qty,
                setup_price=None if prices is None else str(prices[0]),
                monthly_price=None if prices is None else str(prices[1]),
            )
        )
    return OrderCost(lines, str(setup), str(monthly), priced)
