"""The plan a reviewer reads: what `up` would do to each resource, with old and new values.

Read from the engine's preview JSON (`pulumi preview --refresh --json`): for each step the
refreshed live outputs (old) and the declared inputs (new). Dynamic providers give the engine no
per-setting detail, so the changed settings are found with the same comparison the providers use
(resources/diffing.py) and named as the stack file names them (resources/mapping.py), with the
file and line they stand on. Values of secret fields never appear: the engine masks them even in
its JSON, and the plan says "(secret)".

Its JSON form (`to_json`, version 1) is documented in the README ("The plan") and kept stable:
fields are added, never renamed or removed, within a version.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal
from typing import Any

from didww_iac.drift import SECRET_MASK, step_spec
from didww_iac.resources.diffing import compare
from didww_iac.resources.errors import SOURCE_LOCATION
from didww_iac.resources.mapping import entry_key
from didww_iac.resources.spec import ResourceSpec

PLAN_FORMAT = 1
# Engine steps, as a reviewer calls them.
ACTIONS = {
    "create": "create",
    "update": "update",
    "replace": "replace",
    "create-replacement": "replace",
    "delete": "delete",
}
SKIPPED_STEPS = {"same", "refresh", "read", "delete-replaced", "replace-dependents", "discard"}
SECRET = "(secret)"


@dataclass(frozen=True)
class SettingChange:
    setting: str  # as the stack file names it, relative to the entry: "sip.host"
    old: Any
    new: Any
    line: int | None = None


@dataclass(frozen=True)
class OrderLine:
    sku_id: str | None
    capacity_pool_id: str | None
    qty: int
    setup_price: str | None  # per unit, as DIDWW prices it
    monthly_price: str | None


@dataclass(frozen=True)
class OrderCost:
    lines: list[OrderLine]
    setup: str  # the order's one-off total
    monthly: str  # its recurring monthly total
    # False when a price could not be found (a SKU not in the catalogue any more).
    priced: bool = True


@dataclass(frozen=True)
class PlannedStep:
    action: str  # create | update | replace | delete
    api_type: str
    logical_name: str
    id: str | None
    display: str | None  # name, number or reference
    where: str | None  # "stacks/prod.yaml:12"
    changes: list[SettingChange] = field(default_factory=list)
    # replace: the settings that DIDWW cannot change in place; delete: what removing does.
    why: list[str] = field(default_factory=list)
    cost: OrderCost | None = None


@dataclass
class Plan:
    stack: str
    steps: list[PlannedStep]
    unchanged: int
    new_orders_setup: str = "0"
    new_orders_monthly: str = "0"
    max_new_order_cost: str | None = None

    @property
    def counts(self) -> dict[str, int]:
        counted: dict[str, int] = {}
        for step in self.steps:
            counted[step.action] = counted.get(step.action, 0) + 1
        return counted

    @property
    def new_orders_cost(self) -> Decimal:
        """What placing the new orders debits: their setup and their first month."""
        return Decimal(self.new_orders_setup) + Decimal(self.new_orders_monthly)

    @property
    def over_budget(self) -> bool:
        return self.max_new_order_cost is not None and self.new_orders_cost > Decimal(self.max_new_order_cost)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": PLAN_FORMAT,
            "stack": self.stack,
            "summary": {**self.counts, "unchanged": self.unchanged},
            "steps": [asdict(s) for s in self.steps],
            "costs": {
                "new_orders_setup": self.new_orders_setup,
                "new_orders_monthly": self.new_orders_monthly,
                "new_orders_total": str(self.new_orders_cost),
                "max_new_order_cost": self.max_new_order_cost,
                "over_budget": self.over_budget,
            },
        }


# An order's items (their attributes) -> what placing it costs.
Pricing = Callable[[list[Mapping[str, Any]]], OrderCost]


def plan_from_preview(
    stack: str, preview: dict[str, Any], pricing: Pricing | None = None, max_new_order_cost: str | None = None
) -> Plan:
    steps: list[PlannedStep] = []
    unchanged = 0
    setup = monthly = Decimal(0)
    for step in preview.get("steps", []):
        op = step.get("op", "")
        spec = step_spec(step)
        if spec is None:
            continue
        if op == "same":
            unchanged += 1
        if op in SKIPPED_STEPS or op not in ACTIONS:
            continue
        planned = _planned(spec, ACTIONS[op], step)
        if pricing is not None and planned.action == "create" and spec.api_type == "orders":
            items = ((step.get("newState") or {}).get("inputs") or {}).get("items")
            cost = pricing(_item_attributes(items))
            planned = replace(planned, cost=cost)
            setup += Decimal(cost.setup)
            monthly += Decimal(cost.monthly)
        steps.append(planned)
    # `up --json` leaves the unchanged resources out of its steps; its summary counts them, and
    # the stack itself (unchanged once anything is: it is only created by the first run).
    summarized = int((preview.get("changeSummary") or {}).get("same") or 0) - 1
    return Plan(stack, steps, max(unchanged, summarized), str(setup), str(monthly), max_new_order_cost)


def _item_attributes(items: Any) -> list[Mapping[str, Any]]:
    """An order's `items` property ([{"type": ..., "attributes": {...}}]) as item attributes."""
    if not isinstance(items, list):
        return []
    return [i["attributes"] for i in items if isinstance(i, dict) and isinstance(i.get("attributes"), dict)]


def _planned(spec: ResourceSpec, action: str, step: dict[str, Any]) -> PlannedStep:
    old_state = step.get("oldState") or {}
    new_state = step.get("newState") or {}
    old: dict[str, Any] = old_state.get("outputs") or {}
    new: dict[str, Any] = new_state.get("inputs") or {}
    shown = new if action != "delete" else (old_state.get("inputs") or old)
    source = shown.get(SOURCE_LOCATION) or {}
    lines: dict[str, int] = source.get("lines") or {}
    entry_line = lines.get("")
    changes = _changes(spec, old, new, lines) if action in {"update", "replace"} else []
    why: list[str] = []
    if action == "replace":
        declared = set(lines)
        why = [entry_key(spec, p, declared, _nested_type(new.get(p))) for p in step.get("replaceReasons") or []]
    elif action == "delete":
        why = [_delete_mode(spec, old_state.get("inputs") or old)]
    display = shown.get(spec.display) or old.get(spec.display)
    return PlannedStep(
        action=action,
        api_type=spec.api_type,
        logical_name=step["urn"].split("::")[-1],
        id=old_state.get("id") or None,
        display=None if display in (None, SECRET_MASK) else str(display),
        where=f"{source['file']}:{int(entry_line)}" if source.get("file") and entry_line else source.get("file"),
        changes=changes,
        why=why,
    )


def _changes(
    spec: ResourceSpec, live: dict[str, Any], declared: dict[str, Any], lines: dict[str, int]
) -> list[SettingChange]:
    masked = {k for props in (live, declared) for k, v in props.items() if v == SECRET_MASK}
    found: list[SettingChange] = []
    for change in compare(spec, {k: v for k, v in live.items() if k not in masked}, declared):
        if change.field in masked:
            continue
        kinds = _kind_change(spec, change.field, live.get(change.field), declared.get(change.field), lines)
        if kinds is not None:
            found.append(kinds)
            continue
        for path in change.paths:
            setting = _stack_setting(spec, path, declared, set(lines))
            found.append(
                SettingChange(
                    setting,
                    _at(live, path),
                    _at(declared, path),
                    _line(lines, setting),
                )
            )
    for name in sorted(masked):
        if declared.get(name) is not None:
            setting = entry_key(spec, name, set(lines), None)
            found.append(SettingChange(setting, SECRET, SECRET, _line(lines, setting)))
    return found


def _kind_change(
    spec: ResourceSpec, prop: str, live: Any, declared: Any, lines: dict[str, int]
) -> SettingChange | None:
    """A nested object of another kind (a PSTN trunk declared as SIP) is one change: the new
    kind's settings, where the old kind stood."""
    old_type, new_type = _nested_type(live), _nested_type(declared)
    if old_type is None or new_type is None or old_type == new_type:
        return None
    old_key = entry_key(spec, prop, set(), old_type)
    new_key = entry_key(spec, prop, set(lines), new_type)
    if old_key == new_key:
        return None  # the kind is a value inside the key (authentication: type:), shown by path
    attributes = declared.get("attributes") if isinstance(declared, dict) else None
    return SettingChange(new_key, f"({old_key})", _plain(attributes), _line(lines, new_key))


def _stack_setting(spec: ResourceSpec, path: str, declared: dict[str, Any], keys: set[str]) -> str:
    """configuration.attributes.host -> sip.host; voice_in_trunks -> trunks."""
    prop, _, rest = path.partition(".")
    key = entry_key(spec, prop, keys, _nested_type(declared.get(prop)))
    inner = rest.removeprefix("attributes.") if rest.startswith("attributes.") else rest
    return f"{key}.{inner}" if inner else key


def _nested_type(value: Any) -> object:
    return value.get("type") if isinstance(value, dict) else None


def _at(props: dict[str, Any], path: str) -> Any:
    node: Any = props
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return _plain(node)


def _plain(value: Any) -> Any:
    """Whole numbers as integers (the engine carries every number as a float)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _line(lines: dict[str, int], setting: str) -> int | None:
    line = lines.get(setting) or lines.get(setting.split(".")[0])
    return int(line) if line else None


def _delete_mode(spec: ResourceSpec, props: dict[str, Any]) -> str:
    """What removing the entry does in DIDWW."""
    if spec.adopt_only or not spec.deletable:
        return "forget: left in DIDWW as it is"
    if spec.delete_effect:
        return spec.delete_effect
    if spec.api_type == "dids":
        if props.get("on_delete") == "terminate":
            return "terminate the number"
        return "detach: routing cleared, the number kept"
    if spec.api_type == "orders":
        mode = props.get("on_delete") or "refuse"
        status = props.get("status")
        if status and status != "completed":
            return f"cancel the {status} order"
        return {
            "refuse": "refused: a completed order is not deleted (on_delete: refuse)",
            "release": "release: terminate its numbers",
            "forget": "forget: numbers kept",
        }.get(str(mode), str(mode))
    return f"delete the {spec.api_type.rstrip('s').replace('_', ' ')} in DIDWW"


def render_text(plan: Plan) -> str:
    """The plan as lines for a terminal or a CI log."""
    out: list[str] = []
    for step in plan.steps:
        label = f"{step.api_type}.{step.logical_name}"
        shown = f" ({step.display})" if step.display else ""
        where = f"  [{step.where}]" if step.where else ""
        out.append(f"{SIGNS[step.action]} {step.action} {label}{shown}{where}")
        if step.action == "replace" and step.why:
            out.append(f"    replaced because DIDWW cannot change in place: {', '.join(step.why)}")
        if step.action == "delete" and step.why:
            out.append(f"    {step.why[0]}")
        for change in step.changes:
            if change.old == SECRET and change.new == SECRET:
                out.append(f"    {change.setting}: changed (it holds a secret: values not shown)")
            else:
                out.append(f"    {change.setting}: {_shown(change.old)} -> {_shown(change.new)}")
        if step.cost is not None:
            out.extend(_cost_lines(step.cost))
    counts = plan.counts
    parts = [f"{counts[a]} to {a}" for a in ("create", "update", "replace", "delete") if counts.get(a)]
    summary = ", ".join(parts) if parts else "no changes"
    out.append(f"Plan: {summary}; {plan.unchanged} unchanged.")
    if plan.new_orders_setup != "0" or plan.new_orders_monthly != "0":
        budget = f" (max_new_order_cost {plan.max_new_order_cost})" if plan.max_new_order_cost is not None else ""
        out.append(
            f"New orders: {plan.new_orders_setup} setup + {plan.new_orders_monthly} monthly"
            f" = {plan.new_orders_cost} on ordering{budget}."
        )
    return "\n".join(out) + "\n"


SIGNS = {"create": "+", "update": "~", "replace": "+-", "delete": "-"}


def _cost_lines(cost: OrderCost) -> list[str]:
    lines = []
    for line in cost.lines:
        what = f"sku {line.sku_id}" if line.sku_id else f"channels of pool {line.capacity_pool_id}"
        price = (
            f"{line.setup_price} setup + {line.monthly_price}/month each"
            if line.setup_price is not None
            else "price unknown"
        )
        lines.append(f"    {line.qty} x {what}: {price}")
    total = f"{cost.setup} setup + {cost.monthly} monthly" if cost.priced else "not all prices known"
    lines.append(f"    order total: {total}")
    return lines


def _shown(value: Any) -> str:
    if value is None:
        return "(not set)"
    if isinstance(value, str):
        return value if value == SECRET or value.startswith("(") else repr(value)
    return str(value).replace("'", '"') if isinstance(value, (list, dict)) else str(value)
