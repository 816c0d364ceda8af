"""orders: placed pending, completed after the account's order delay (or an admin clock tick).

DID orders start ``pending`` and complete ``order_delay`` seconds later, creating their DIDs and
charging the balance; capacity-only orders complete at once, as recorded. DELETE cancels a
pending order only. 2026-04-16 added PATCH (``external_reference_id`` only), the
``external_reference_id`` attribute and filter, and lower-cased ``status`` and
``callback_method`` (2022-05-10: ``Pending``, ``GET``). An order has no relationships; its DIDs
point at it (``filter[order.id]`` on dids).
"""

from __future__ import annotations

import string
from datetime import datetime
from decimal import Decimal
from typing import Any

from didww_iac.emulator import errors
from didww_iac.emulator.behaviour import AccountOps, AccountView, Behaviour
from didww_iac.emulator.errors import FieldError
from didww_iac.emulator.money import amount
from didww_iac.emulator.resources import ordering
from didww_iac.emulator.resources.common import V2022, V2026, created_at, external_reference_id
from didww_iac.emulator.schema import Attr, DefaultContext, Filter, Record, ResourceType

STATUSES = ("pending", "completed", "canceled")


def _lines(order: Record) -> list[ordering.Line]:
    return [ordering.Line.from_json(line) for line in order.internal.get("lines", [])]


def _reference(ops: AccountOps) -> str:
    letters = "".join(ops.rng.choice(string.ascii_uppercase) for _ in range(3))
    return f"{letters}-{ops.rng.randrange(1_000_000):06d}"


class OrderBehaviour(Behaviour):
    forced_by_tick = True

    def translate_input(
        self, version: str, attributes: dict[str, Any], existing: Record | None, ctx: DefaultContext
    ) -> dict[str, Any]:
        translated = dict(attributes)
        method = translated.get("callback_method")
        if version <= V2022 and isinstance(method, str):
            translated["callback_method"] = method.lower()
        if existing is None and "allow_back_ordering" not in translated:
            # 2026-04-16: "allow_back_ordering defaults to true when not provided" (Changelog).
            translated["allow_back_ordering"] = version >= V2026
        return translated

    def render_value(self, version: str, attr: Attr, value: Any) -> Any:
        if version <= V2022 and isinstance(value, str):
            if attr.name == "status":
                return value.capitalize()
            if attr.name == "callback_method":
                return value.upper()
        return value

    def before_create(self, ops: AccountOps, record: Record, version: str) -> None:
        lines = ordering.plan(ops, record.attributes.get("items"), bool(record.attributes["allow_back_ordering"]))
        total = sum((line.cost for line in lines), Decimal(0))
        account_balance = ops.records("balances")[0]
        available = ordering.available_balance(ops, account_balance)
        if total > available:
            raise errors.insufficient_funds(amount(max(available, Decimal(0))), amount(total), version >= V2026)
        ordering.hold(ops, lines)
        record.attributes |= {
            "amount": amount(total),
            "status": "pending",
            "reference": _reference(ops),
            "description": "DID" if any(line.kind == ordering.DID_ITEM for line in lines) else "Capacity",
            "items": [line.item(None) for line in lines],
        }
        record.internal = {
            "lines": [line.to_json() for line in lines],
            "balance_id": account_balance.id,
            "due": ops.now() + ops.settings.order_delay,
        }

    def after_create(self, ops: AccountOps, record: Record) -> None:
        capacity_only = all(line.kind == ordering.CAPACITY_ITEM for line in _lines(record))
        if capacity_only or ops.settings.order_delay <= 0:
            ordering.complete(ops, record, _lines(record))
        else:
            ops.schedule(record, float(record.internal["due"]))

    def due(self, record: Record) -> float | None:
        pending = record.attributes.get("status") == "pending"
        return float(record.internal["due"]) if pending and "due" in record.internal else None

    def on_timer(self, ops: AccountOps, record: Record) -> None:
        if record.attributes.get("status") == "pending":
            ordering.complete(ops, record, _lines(record))

    def delete(self, ops: AccountOps, record: Record) -> bool:
        status = record.attributes.get("status")
        if status != "pending":
            message = f"only pending orders can be canceled; this order is {status}"
            raise errors.validation_error([FieldError("/data/attributes/status", "status", message)])
        ordering.cancel(ops, record, _lines(record))
        return True


def _created_at(op: str) -> Any:
    def match(account: AccountView, record: Record, wanted: list[str]) -> bool:
        try:
            bound = datetime.fromisoformat(wanted[0].replace("Z", "+00:00"))
            created = datetime.fromisoformat(str(record.attributes["created_at"]).replace("Z", "+00:00"))
        except (ValueError, TypeError):
            return False
        if bound.tzinfo is None:
            bound = bound.replace(tzinfo=created.tzinfo)
        return created >= bound if op == "gteq" else created <= bound

    return match


ORDERS = ResourceType(
    name="orders",
    attributes=(
        Attr("amount", kind="decimal", writable=False),
        Attr("status", writable=False),
        created_at(),
        Attr("reference", writable=False),
        Attr("description", writable=False),
        Attr("items", kind="json", required=True, create_only=True),
        Attr("callback_url", pattern=r"https?://\S+", create_only=True),
        Attr("callback_method", choices=("get", "post"), create_only=True),
        external_reference_id(nullable=False),
        Attr("allow_back_ordering", kind="boolean", nullable=False, hidden=True, create_only=True),
    ),
    filters=(
        Filter("status", "status", case_insensitive=True),
        Filter("created_at_gteq", match=_created_at("gteq")),
        Filter("created_at_lteq", match=_created_at("lteq")),
        Filter("reference", "reference"),
        Filter("external_reference_id", "external_reference_id", since=V2026),
    ),
    sorts=("status", "amount", "created_at", "description", "reference", "external_reference_id"),
    operations_since={"update": V2026},
    behaviour=OrderBehaviour(),
)
