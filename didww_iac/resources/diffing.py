"""Field-by-field comparison of declared inputs with live outputs, driven by a ResourceSpec.

A property the stack leaves out (None) is unmanaged: whatever DIDWW holds is kept and never shows
as a change. Inside nested objects (a trunk's configuration) only the declared keys are compared,
so server defaults never show as drift.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from deepdiff import DeepDiff

from didww_iac.resources.spec import FieldSpec, Kind, ResourceSpec


@dataclass(frozen=True)
class Change:
    field: str
    # Readable paths of what differs inside the field, e.g. "configuration.attributes.host".
    paths: tuple[str, ...]
    replace: bool


def _declared_subset(live: Any, declared: Any) -> Any:
    """The part of `live` that `declared` speaks about (dict keys it sets, recursively)."""
    if isinstance(declared, dict) and isinstance(live, dict):
        return {k: _declared_subset(live.get(k), v) for k, v in declared.items() if v is not None}
    return live


def _prune(declared: Any) -> Any:
    if isinstance(declared, dict):
        return {k: _prune(v) for k, v in declared.items() if v is not None}
    return declared


def _readable(path: str, prefix: str) -> str:
    # DeepDiff paths look like root['attributes']['codec_ids'][0]; show attributes.codec_ids
    # (a list is one setting: its order matters, its positions are not separate fields).
    inner = re.sub(r"\[\d+\]", "", path.removeprefix("root"))
    return prefix + inner.replace("']['", ".").replace("['", ".").replace("']", "")


def compare_field(spec: FieldSpec, live: Any, declared: Any) -> Change | None:
    if declared is None or not spec.writable:
        return None
    if spec.kind is Kind.TO_MANY:
        if sorted(live or []) == sorted(declared):
            return None
        return Change(spec.name, (spec.name,), replace=spec.replace_on_change)
    if isinstance(declared, dict):
        want = _prune(declared)
        have = _declared_subset(live if isinstance(live, dict) else {}, want)
        # The engine carries every number as a float; DIDWW answers integers (5060 is 5060.0).
        delta = DeepDiff(have, want, ignore_numeric_type_changes=True)
        if not delta:
            return None
        paths = tuple(sorted({_readable(p, spec.name) for p in delta.affected_paths}))
        replace = spec.replace_on_change or (
            spec.replace_on_nested_key is not None
            and (live or {}).get(spec.replace_on_nested_key) != want.get(spec.replace_on_nested_key)
        )
        return Change(spec.name, paths, replace)
    if live == declared or (spec.decimal and _same_amount(live, declared)):
        return None
    return Change(spec.name, (spec.name,), replace=spec.replace_on_change)


def _same_amount(live: Any, declared: Any) -> bool:
    try:
        return Decimal(str(live)) == Decimal(str(declared))
    except InvalidOperation:
        return False


def compare(spec: ResourceSpec, live: dict[str, Any], declared: dict[str, Any]) -> list[Change]:
    changes = []
    for field in spec.writable_fields:
        change = compare_field(field, live.get(field.name), declared.get(field.name))
        if change is not None:
            changes.append(change)
    return changes
