"""What `preview` and `up` show a reviewer, and the guard on what new orders may cost.

- `preview`: the engine's refreshed preview (JSON) read into a `Plan` with old and new values
  and the prices of new orders (plan.py, costs.py).
- `up`: before anything runs, the orders the stack declares that its state does not hold yet
  are priced, and a run over `max_new_order_cost` stops there; then `pulumi up --json` is read
  as it goes (engine_stream.py): its preview becomes the plan printed first, its events a line
  per resource applied, and DIDWW's refusals one line each.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from didww_iac.costs import PriceBook, order_cost
from didww_iac.engine_stream import documents, progress_line
from didww_iac.plan import Plan, plan_from_preview, render_text
from didww_iac.stack.schema import Stack


class OverBudget(Exception):
    """New orders would cost more than the stack's `max_new_order_cost`: nothing was ordered."""


def pricing(book: PriceBook) -> Callable[[list[Mapping[str, Any]]], Any]:
    return lambda items: order_cost(items, book)


def planned(stack_name: str, declared: Stack, preview: dict[str, Any], book: PriceBook) -> Plan:
    return plan_from_preview(stack_name, preview, pricing(book), declared.max_new_order_cost)


@dataclass(frozen=True)
class NewOrders:
    names: list[str]
    setup: Decimal
    monthly: Decimal

    @property
    def total(self) -> Decimal:
        return self.setup + self.monthly


def new_orders(declared: Stack, managed_orders: Iterable[str], book: PriceBook) -> NewOrders:
    """The orders `up` would place: declared, not adopted, not in the stack's state."""
    held = set(managed_orders)
    names = [n for n, o in declared.orders.items() if n not in held and not o.adopt_id]
    setup = monthly = Decimal(0)
    for name in names:
        cost = order_cost([i.model_dump(exclude_none=True) for i in declared.orders[name].items], book)
        setup += Decimal(cost.setup)
        monthly += Decimal(cost.monthly)
    return NewOrders(names, setup, monthly)


def guard(declared: Stack, orders: NewOrders) -> None:
    limit = declared.max_new_order_cost
    if limit is not None and orders.total > Decimal(limit):
        raise OverBudget(
            f"new orders ({', '.join(orders.names)}) would cost {orders.setup} setup + {orders.monthly} for the "
            f"first month = {orders.total}, more than max_new_order_cost {limit}: nothing was ordered. "
            "Raise max_new_order_cost in the stack file, or order less."
        )


def stream_up(
    process: subprocess.Popen[str],
    stack_name: str,
    declared: Stack,
    book: PriceBook,
    show: Callable[[str], None],
    render: bool = True,
) -> tuple[Plan | None, str]:
    """Reads a running `pulumi up --json`: shows the plan, then a line per resource applied and
    each refusal; returns the plan and the engine's standard error (for its lock message)."""
    assert process.stdout is not None and process.stderr is not None
    # Read beside standard output: a full pipe would stall the engine.
    errors: list[str] = []
    reader = threading.Thread(target=lambda: errors.append(process.stderr.read()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    plan: Plan | None = None
    for document in documents(_lines(process.stdout)):
        if plan is None and "steps" in document:
            plan = planned(stack_name, declared, document, book)
            refusals = preview_errors(document)
            if refusals:
                # The preview stopped: what stopped it, not a plan of nothing.
                for refusal in refusals:
                    show(f"error: {refusal}")
            elif render:
                show(render_text(plan).rstrip("\n"))
            continue
        line = progress_line(document)
        if line is not None:
            show(line)
    process.wait()
    reader.join()
    return plan, "".join(errors)


def preview_errors(preview: dict[str, Any]) -> list[str]:
    """The errors a preview stopped on, one line each (ours name the file, line and setting)."""
    found = []
    for diagnostic in preview.get("diagnostics") or []:
        if diagnostic.get("severity") == "error":
            message = str(diagnostic.get("message") or "").strip()
            if message and not message.startswith("preview failed"):
                found.append(message)
    return found


def _lines(stream: IO[str]) -> Iterable[str]:
    yield from iter(stream.readline, "")
