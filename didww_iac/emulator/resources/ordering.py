"""What an order's items ask for, what they cost, and what completing or canceling one does.

Items follow the recorded requests: ``did_order_items`` with ``sku_id`` and one of ``qty``,
``available_did_id``, ``did_reservation_id`` or ``nanpa_prefix_id`` (+ ``qty``, 1 when left
out), optionally ``billing_cycles_count`` (0-999, set on the DIDs) and ``prorate_days_qty``, and
``capacity_order_items`` with ``capacity_pool_id`` and ``qty``. ``nrc``/``mrc`` are per-unit
prices (the SKU's or the pool's); the amount is the sum of ``qty * (nrc + mrc)``.

Numbers are taken from stock when the order is placed, so two orders can never get the same
number; an order allowed to back-order gets fresh numbers for what stock lacked when it
completes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from didww_iac.emulator import errors
from didww_iac.emulator.behaviour import AccountOps, AccountView
from didww_iac.emulator.clock import add_months, day, iso
from didww_iac.emulator.coerce import BLANK, INVALID, NOT_A_NUMBER
from didww_iac.emulator.errors import FieldError
from didww_iac.emulator.money import amount, balance, parse
from didww_iac.emulator.record import Record
from didww_iac.emulator.resources import history
from didww_iac.emulator.resources.stock import expand, in_stock, is_held, latent, nanpa_start

DID_ITEM = "did_order_items"
CAPACITY_ITEM = "capacity_order_items"
_SELECTORS = ("available_did_id", "did_reservation_id")


@dataclass
class Line:
    """One item of an order, priced, with the stock it holds."""

    index: int
    kind: str
    qty: int
    nrc: Decimal
    mrc: Decimal
    did_group_id: str | None = None
    sku_id: str | None = None
    capacity_pool_id: str | None = None
    billing_cycles_count: int | None = None
    nanpa_prefix_id: str | None = None
    # Available DIDs taken from stock (restored if the order is canceled).
    taken: list[Record] = field(default_factory=list)
    reservation_id: str | None = None

    @property
    def cost(self) -> Decimal:
        return self.qty * (self.nrc + self.mrc)

    def item(self, billed_from: date | None) -> dict[str, Any]:
        """The item as an order renders it (the recorded 201/200 shapes)."""
        attributes: dict[str, Any] = {
            "qty": self.qty,
            "nrc": amount(self.nrc),
            "mrc": amount(self.mrc),
            "prorated_mrc": False,
            "billed_from": billed_from.isoformat() if billed_from else None,
            "billed_to": add_months(billed_from, 1).isoformat() if billed_from else None,
        }
        if self.kind == DID_ITEM:
            attributes |= {
                "setup_price": amount(self.nrc),
                "monthly_price": amount(self.mrc),
                "did_group_id": self.did_group_id,
            }
        else:
            attributes["capacity_pool_id"] = self.capacity_pool_id
        return {"type": self.kind, "attributes": attributes}

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "kind": self.kind,
            "qty": self.qty,
            "nrc": str(self.nrc),
            "mrc": str(self.mrc),
            "did_group_id": self.did_group_id,
            "sku_id": self.sku_id,
            "capacity_pool_id": self.capacity_pool_id,
            "billing_cycles_count": self.billing_cycles_count,
            "nanpa_prefix_id": self.nanpa_prefix_id,
            "taken": [r.to_json() for r in self.taken],
            "reservation_id": self.reservation_id,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Line:
        return cls(
            index=int(data["index"]),
            kind=str(data["kind"]),
            qty=int(data["qty"]),
            nrc=parse(data["nrc"]),
            mrc=parse(data["mrc"]),
            did_group_id=data.get("did_group_id"),
            sku_id=data.get("sku_id"),
            capacity_pool_id=data.get("capacity_pool_id"),
            billing_cycles_count=data.get("billing_cycles_count"),
            nanpa_prefix_id=data.get("nanpa_prefix_id"),
            taken=[Record.from_json(r) for r in data.get("taken", [])],
            reservation_id=data.get("reservation_id"),
        )


class _Planner:
    """Checks the items against the catalogue and picks numbers, changing nothing but where
    stock is kept (a group's counted stock is stored when an item needs more than is stored)."""

    def __init__(self, account: AccountOps, back_order: bool) -> None:
        self.account = account
        self.back_order = back_order
        self.problems: list[FieldError] = []
        self.held: set[str] = set()

    def problem(self, index: int, name: str, message: str) -> None:
        pointer = f"/data/attributes/items/{index}" + (f"/attributes/{name}" if name != "type" else "/type")
        self.problems.append(FieldError(pointer, name, message))

    def plan(self, items: Any) -> list[Line]:
        if not isinstance(items, list) or not items:
            self.problems.append(FieldError("/data/attributes/items", "items", BLANK))
            return []
        lines = []
        for index, item in enumerate(items):
            kind = item.get("type") if isinstance(item, dict) else None
            attributes = item.get("attributes") if isinstance(item, dict) else None
            if kind not in (DID_ITEM, CAPACITY_ITEM) or not isinstance(attributes, dict):
                self.problem(index, "type", INVALID)
                continue
            line = self._did(index, attributes) if kind == DID_ITEM else self._capacity(index, attributes)
            if line is not None:
                lines.append(line)
        return lines

    def _int(self, index: int, attributes: dict[str, Any], name: str, minimum: int) -> int | None:
        value = attributes.get(name)
        if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip().isdigit():
            self.problem(index, name, BLANK if value is None else NOT_A_NUMBER)
            return None
        if int(value) < minimum:
            self.problem(index, name, f"must be greater than or equal to {minimum}")
            return None
        return int(value)

    def _find(self, index: int, attributes: dict[str, Any], name: str, type_name: str) -> Record | None:
        value = attributes.get(name)
        found = self.account.find(type_name, value) if isinstance(value, str) else None
        if found is None:
            self.problem(index, name, BLANK if value in (None, "") else INVALID)
        return found

    def _did(self, index: int, attributes: dict[str, Any]) -> Line | None:
        sku = self._find(index, attributes, "sku_id", "stock_keeping_units")
        if sku is None:
            return None
        group_id = str(sku.internal["did_group_id"])
        line = Line(
            index,
            DID_ITEM,
            1,
            parse(sku.attributes["setup_price"]),
            parse(sku.attributes["monthly_price"]),
            did_group_id=group_id,
            sku_id=sku.id,
        )
        if attributes.get("billing_cycles_count") is not None:
            cycles = self._int(index, attributes, "billing_cycles_count", 0)
            if cycles is not None and cycles > 999:
                self.problem(index, "billing_cycles_count", "must be less than or equal to 999")
            line.billing_cycles_count = cycles
        if attributes.get("prorate_days_qty") is not None:
            # Checked, then ignored: "ignored if Prorate billing is not enabled per your DIDWW
            # account", and an emulated account does not have it (nothing is echoed either).
            self._int(index, attributes, "prorate_days_qty", 0)
        selectors = [s for s in _SELECTORS if attributes.get(s) is not None]
        if len(selectors) > 1 or (selectors and attributes.get("qty") is not None):
            self.problem(index, selectors[-1], "can't be used together with qty or another number selector")
            return None
        if selectors == ["available_did_id"]:
            return self._specific(index, line, self._find(index, attributes, "available_did_id", "available_dids"))
        if selectors == ["did_reservation_id"]:
            reservation = self._find(index, attributes, "did_reservation_id", "did_reservations")
            number = None
            if reservation is not None:
                number = self.account.find("available_dids", reservation.relationships.get("available_did") or "")
                line.reservation_id = reservation.id
            return self._specific(index, line, number, reservation=True)
        prefix = None
        if attributes.get("nanpa_prefix_id") is not None:
            prefix = self._find(index, attributes, "nanpa_prefix_id", "nanpa_prefixes")
            group = self.account.find("did_groups", group_id)
            if prefix is None or group is None or prefix.id not in group.internal.get("nanpa_prefixes", []):
                if prefix is not None:
                    self.problem(index, "nanpa_prefix_id", INVALID)
                return None
            line.nanpa_prefix_id = prefix.id
        qty = 1 if prefix is not None and attributes.get("qty") is None else self._int(index, attributes, "qty", 1)
        if qty is None:
            return None
        line.qty = qty
        return self._from_stock(index, line, prefix)

    def _specific(self, index: int, line: Line, number: Record | None, reservation: bool = False) -> Line | None:
        name = "did_reservation_id" if reservation else "available_did_id"
        if number is None:
            return None
        holder = number.internal.get("reserved_by")
        mine = holder == line.reservation_id if reservation else holder is None
        if not mine or number.relationships.get("did_group") != line.did_group_id or number.id in self.held:
            self.problem(index, name, INVALID)
            return None
        self.held.add(number.id)
        line.taken = [number]
        return line

    def _from_stock(self, index: int, line: Line, prefix: Record | None) -> Line | None:
        stock = self._stock(line, prefix)
        group = self.account.find("did_groups", line.did_group_id or "")
        if len(stock) < line.qty and group is not None and latent(group):
            expand(self.account, group)
            stock = self._stock(line, prefix)
        if len(stock) < line.qty and not self.back_order:
            self.problem(index, "qty", f"must be less than or equal to {len(stock)} (numbers in stock)")
            return None
        line.taken = stock[: line.qty]
        self.held.update(r.id for r in line.taken)
        return line

    def _stock(self, line: Line, prefix: Record | None) -> list[Record]:
        """The group's stored numbers this line may take (under its NANPA prefix, if any)."""
        start = nanpa_start(prefix) if prefix is not None else ""
        return [
            r
            for r in in_stock(self.account, line.did_group_id or "")
            if r.id not in self.held and str(r.attributes["number"]).startswith(start)
        ]

    def _capacity(self, index: int, attributes: dict[str, Any]) -> Line | None:
        pool = self._find(index, attributes, "capacity_pool_id", "capacity_pools")
        qty = self._int(index, attributes, "qty", 1)
        if pool is None or qty is None:
            return None
        minimum = int(pool.attributes.get("minimum_qty_per_order") or 1)
        if qty < minimum:
            self.problem(index, "qty", f"must be greater than or equal to {minimum}")
            return None
        setup, monthly = parse(pool.attributes["setup_price"]), parse(pool.attributes["monthly_price"])
        # Quantity based pricing: the largest tier the quantity reaches sets the unit prices.
        for tier_id in pool.relationships.get("qty_based_pricings") or []:
            tier = self.account.find("qty_based_pricings", tier_id)
            if tier is not None and qty >= int(tier.attributes["qty"]):
                setup, monthly = (
                    parse(tier.attributes["setup_price"]),
                    parse(tier.attributes["monthly_price"]),
                )
        return Line(index, CAPACITY_ITEM, qty, setup, monthly, capacity_pool_id=pool.id)


def plan(account: AccountOps, items: Any, back_order: bool) -> list[Line]:
    """The priced lines of an order, or a 422 naming every item problem."""
    planner = _Planner(account, back_order)
    lines = planner.plan(items)
    if planner.problems:
        raise errors.validation_error(planner.problems)
    return lines


def available_balance(ops: AccountView, balance_record: Record) -> Decimal:
    """Balance plus credit, less what pending orders will charge when they complete."""
    pending = sum(
        (parse(o.attributes["amount"]) for o in ops.records("orders") if o.attributes.get("status") == "pending"),
        Decimal(0),
    )
    return parse(balance_record.attributes["balance"]) + parse(balance_record.attributes["credit"]) - pending


def hold(ops: AccountOps, lines: list[Line]) -> None:
    """Take the planned numbers out of stock (and the reservations they came with)."""
    for line in lines:
        for number in line.taken:
            number.internal.pop("reserved_by", None)
            ops.remove("available_dids", number.id)
        if line.reservation_id:
            ops.remove("did_reservations", line.reservation_id)


def complete(ops: AccountOps, order: Record, lines: list[Line]) -> None:
    """Create the DIDs, add the channels, charge the balance, mark the order completed."""
    today = day(ops.now())
    for line in lines:
        if line.kind == CAPACITY_ITEM:
            pool = ops.find("capacity_pools", line.capacity_pool_id or "")
            if pool is not None:
                pool.attributes["total_channels_count"] = int(pool.attributes["total_channels_count"]) + line.qty
                ops.save(pool)
            continue
        numbers = [str(r.attributes["number"]) for r in line.taken]
        chosen = set(numbers)
        for _ in range(line.qty - len(numbers)):
            numbers.append(_fresh_number(ops, line, chosen))
            chosen.add(numbers[-1])
        ops.insert_many([did_record(ops, order, line, n, ops.now()) for n in numbers])
        history.record(ops, numbers, "assigned")
    account_balance = ops.find("balances", str(order.internal["balance_id"]))
    if account_balance is not None:
        charged = parse(account_balance.attributes["balance"]) - parse(order.attributes["amount"])
        account_balance.attributes["balance"] = balance(charged)
        ops.save(account_balance)
    order.attributes["items"] = [line.item(today) for line in lines]
    order.attributes["status"] = "completed"
    ops.save(order)


def cancel(ops: AccountOps, order: Record, lines: list[Line]) -> None:
    """Put the held numbers back in stock and mark the order canceled."""
    for line in lines:
        for number in line.taken:
            ops.insert(number)
    order.attributes["status"] = "canceled"
    ops.save(order)


def did_record(
    account: AccountView, order: Record, line: Line, number: str, now: float, registered: bool = False
) -> Record:
    """A DID as an order creates it (``registered``: its address is already verified)."""
    group = account.find("did_groups", line.did_group_id or "")
    sku = account.find("stock_keeping_units", line.sku_id or "")
    needs_registration = bool(group and group.attributes.get("needs_registration")) and not registered
    attributes = {
        "blocked": False,
        "capacity_limit": None,
        "description": None,
        "terminated": False,
        "awaiting_registration": needs_registration,
        "number": number,
        "expires_at": iso(now + (add_months(day(now), 1) - day(now)).days * 86400),
        "channels_included_count": int(sku.attributes["channels_included_count"]) if sku else 0,
        "created_at": iso(now),
        "billing_cycles_count": line.billing_cycles_count,
        "pending_removal": False,
        "dedicated_channels_count": 0,
        "emergency_enabled": False,
    }
    relationships: dict[str, Any] = {"did_group": line.did_group_id, "order": order.id}
    return Record("dids", "", 0, attributes, relationships)


def _fresh_number(ops: AccountOps, line: Line, chosen: set[str]) -> str:
    """A back-ordered number: the group's (or NANPA prefix's) digits plus unused random ones."""
    group = ops.find("did_groups", line.did_group_id or "")
    assert group is not None
    start = str(group.internal["country_prefix"]) + str(group.attributes["prefix"])
    prefix = ops.find("nanpa_prefixes", line.nanpa_prefix_id or "")
    if prefix is not None:
        start = nanpa_start(prefix)
    length = int(group.internal["length"])
    # Back-ordering happens only once the group's counted stock is stored (the planner expands
    # it first), so checking stored numbers is enough to never hand out a number twice.
    while True:
        candidate = start + "".join(str(ops.rng.randrange(10)) for _ in range(length - len(start)))
        if candidate not in chosen and not is_held(ops, candidate):
            return candidate
