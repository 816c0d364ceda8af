"""Drift: what differs between the stack file and the live DIDWW account.

`pulumi preview --refresh --json` refreshes every managed resource from DIDWW (without writing
state) and says which would change. Dynamic providers give the engine no per-property detail, so
this module compares the refreshed outputs with the declared inputs through the same ResourceSpec
the providers use, and names each differing property. Values of secret fields never appear.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from didww_iac.resources.diffing import compare
from didww_iac.resources.registry import RESOURCE_TYPES
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

SPECS_BY_PULUMI_NAME: dict[str, ResourceSpec] = {t.spec.pulumi_name: t.spec for t in RESOURCE_TYPES.values()}


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
class DriftReport:
    stack: str
    resources: list[ResourceDrift]

    @property
    def drifted(self) -> bool:
        return bool(self.resources)

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "drifted": self.drifted,
            "resources": [asdict(r) for r in self.resources],
        }


def report_from_preview(stack: str, preview: dict[str, Any]) -> DriftReport:
    drifts = []
    for step in preview.get("steps", []):
        op = step.get("op", "")
        if op in IGNORED_STEPS:
            continue
        urn: str = step["urn"]
        pulumi_name = urn.split("::")[-2].rsplit(":", 1)[-1]
        spec = SPECS_BY_PULUMI_NAME.get(pulumi_name)
        if spec is None:  # the stack resource itself, or a type we do not manage
            continue
        old = (step.get("oldState") or {}).get("outputs") or {}
        new = (step.get("newState") or {}).get("inputs") or {}
        drifts.append(
            ResourceDrift(
                logical_name=urn.split("::")[-1],
                api_type=spec.api_type,
                id=(step.get("oldState") or {}).get("id"),
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
