"""Drift: what differs between the stack file and the live DIDWW account.

`pulumi preview --refresh --json` refreshes every managed resource from DIDWW (without writing
state) and says which would change. Dynamic providers give the engine no per-property detail, so
this module compares the refreshed outputs with the declared inputs through the same ResourceSpec
the providers use, and names each differing property. Values of secret fields never appear.

A refresh only sees what the state holds; `unmanaged` (filled by didww_iac/unmanaged.py when
asked) lists what the account holds that no entry of the stack declares.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from didww_iac.resource_types import SPECS
from didww_iac.resources.diffing import compare
from didww_iac.resources.spec import ResourceSpec

# What each engine step means for someone reading a drift report.
STEP_MEANING = {
    "update": "changed in DIDWW",
    "replace": "changed in DIDWW (needs replacement)",
    "create-replacement": "changed in DIDWW (needs replacement)",
    "create": "missing from DIDWW",
    "delete": "managed but no longer declared",
}
SECRET_MASK = "[secret]"
IGNORED_STEPS = {"same", "refresh", "read", "delete-replaced", "replace-dependents"}

SPECS_BY_PULUMI_NAME: dict[str, ResourceSpec] = {s.pulumi_name: s for s in SPECS.values()}


@dataclass(frozen=True)
class PropertyDrift:
    field: str
    paths: list[str]
    # None for secret fields: their values never appear in a report.
    live: Any = None
    declared: Any = None


@dataclass(frozen=True)
class ResourceDrift:
    logical_name: str
    api_type: str
    id: str | None
    status: str
    properties: list[PropertyDrift] = field(default_factory=list)


@dataclass(frozen=True)
class UnmanagedResource:
    """A resource of the account that no entry of the stack declares."""

    api_type: str
    id: str
    # Its name or number (the type's `display` property); None when DIDWW has none for it.
    display: str | None


@dataclass(frozen=True)
class DriftReport:
    stack: str
    resources: list[ResourceDrift]
    # None: not looked for (no --unmanaged); []: looked for, none found.
    unmanaged: list[UnmanagedResource] | None = None
    # The types looked at for unmanaged resources.
    unmanaged_types: tuple[str, ...] = ()

    @property
    def drifted(self) -> bool:
        """A managed resource differs from its entry (unmanaged resources do not count here)."""
        return bool(self.resources)

    @property
    def found_anything(self) -> bool:
        """Drift, or an unmanaged resource when they were looked for: what makes `drift` exit 3."""
        return self.drifted or bool(self.unmanaged)

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "stack": self.stack,
            "drifted": self.drifted,
            "resources": [asdict(r) for r in self.resources],
        }
        if self.unmanaged is not None:
            doc["unmanaged_types"] = list(self.unmanaged_types)
            doc["unmanaged"] = [asdict(u) for u in self.unmanaged]
        return doc


def step_spec(step: dict[str, Any]) -> ResourceSpec | None:
    """The spec of the step's resource; None for the stack resource itself or a foreign type."""
    urn: str = step["urn"]
    return SPECS_BY_PULUMI_NAME.get(urn.split("::")[-2].rsplit(":", 1)[-1])


def managed_ids(preview: dict[str, Any]) -> set[str]:
    """The DIDWW ids the stack's state holds. A refreshed preview has a step for every resource
    of the state (its refresh, then same/update/delete...), each carrying the id it had."""
    ids: set[str] = set()
    for step in preview.get("steps", []):
        if step_spec(step) is None:
            continue
        for state in (step.get("oldState"), step.get("newState")):
            if isinstance(state, dict) and state.get("id"):
                ids.add(str(state["id"]))
    return ids


def _refreshed_ids(preview: dict[str, Any]) -> dict[str, str]:
    """URN -> the id the state held before the refresh: the only trace of a resource deleted in
    the panel, whose later step (a create) carries none."""
    return {
        step["urn"]: str(step["oldState"]["id"])
        for step in preview.get("steps", [])
        if step.get("op") == "refresh" and (step.get("oldState") or {}).get("id")
    }


def report_from_preview(stack: str, preview: dict[str, Any]) -> DriftReport:
    drifts = []
    former_ids = _refreshed_ids(preview)
    for step in preview.get("steps", []):
        op = step.get("op", "")
        if op in IGNORED_STEPS:
            continue
        spec = step_spec(step)
        if spec is None:
            continue
        urn: str = step["urn"]
        old = (step.get("oldState") or {}).get("outputs") or {}
        new = (step.get("newState") or {}).get("inputs") or {}
        drifts.append(
            ResourceDrift(
                logical_name=urn.split("::")[-1],
                api_type=spec.api_type,
                id=(step.get("oldState") or {}).get("id") or former_ids.get(urn),
                status=STEP_MEANING.get(op, op),
                properties=_property_drifts(spec, old, new) if old and new else [],
            )
        )
    return DriftReport(stack, drifts)


def _property_drifts(spec: ResourceSpec, live: dict[str, Any], declared: dict[str, Any]) -> list[PropertyDrift]:
    # The engine masks secret outputs even with --show-secrets: those fields cannot be compared
    # here (the provider's own diff, which sees them, already decided the resource drifted).
    masked = {k for k, v in live.items() if v == SECRET_MASK}
    drifts = [
        PropertyDrift(c.field, list(c.paths), live.get(c.field), declared.get(c.field))
        for c in compare(spec, {k: v for k, v in live.items() if k not in masked}, declared)
        if c.field not in masked
    ]
    if not drifts:
        drifts = [PropertyDrift(k, [k]) for k in sorted(masked) if declared.get(k) is not None]
    return drifts
