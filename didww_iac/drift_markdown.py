"""The drift report as Markdown: a CI job summary ($GITHUB_STEP_SUMMARY) or an issue body.

Values come from the live account, where anyone with panel access can type anything, so every
value is shown inside a code span (no Markdown, HTML or @mention in it is rendered) with its
table pipes escaped. Secret settings are named, never shown: the report holds no value for them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from didww_iac.drift import DriftReport, PropertyDrift, ResourceDrift, UnmanagedResource

SECRET_CELL = "*secret, not shown*"
DRIFT_COLUMNS = ("type", "logical name", "DIDWW id", "status", "setting", "declared", "live")
UNMANAGED_COLUMNS = ("type", "DIDWW id", "name or number")
NOT_REPORTED = "orders (history) and reservations (minutes) are not reported"


def render(report: DriftReport) -> str:
    parts = [f"## DIDWW drift: stack {_code(report.stack)}", _summary(report)]
    if report.drifted:
        parts += ["### Managed resources that differ from the stack file", _drift_table(report.resources)]
    if report.unmanaged:
        parts += [
            "### Resources of the account no entry declares",
            f"Looked at: {', '.join(report.unmanaged_types)}; {NOT_REPORTED}.",
            _unmanaged_table(report.unmanaged),
        ]
    return "\n\n".join(parts) + "\n"


def _summary(report: DriftReport) -> str:
    verdict = "Drift found" if report.found_anything else "No drift"
    return f"**{verdict}:** {_drift_clause(report)}{_unmanaged_clause(report)}."


def _drift_clause(report: DriftReport) -> str:
    if not report.drifted:
        return "every managed resource matches the stack file"
    return (
        _count(len(report.resources), "managed resource differs", "managed resources differ") + " from the stack file"
    )


def _unmanaged_clause(report: DriftReport) -> str:
    if report.unmanaged is None:
        return ""  # not looked for
    if not report.unmanaged:
        return "; every resource of the account is declared by an entry"
    return (
        "; "
        + _count(len(report.unmanaged), "resource of the account is", "resources of the account are")
        + " declared by no entry"
    )


def _count(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


def _drift_table(resources: list[ResourceDrift]) -> str:
    rows = [row for r in resources for row in _drift_rows(r)]
    return _table(DRIFT_COLUMNS, rows)


def _drift_rows(resource: ResourceDrift) -> list[tuple[str, ...]]:
    head = (resource.api_type, _code(resource.logical_name), _code(resource.id or ""), resource.status)
    if not resource.properties:
        return [(*head, "", "", "")]  # missing from DIDWW, or no longer declared: nothing to compare
    return [(*head, *_setting_cells(p, path)) for p in resource.properties for path in p.paths]


def _setting_cells(prop: PropertyDrift, path: str) -> tuple[str, str, str]:
    if prop.live is None and prop.declared is None:
        return _code(path), SECRET_CELL, SECRET_CELL
    # One row per differing path inside a nested setting, with the values at that path: the
    # rest of the object (possibly long, possibly holding undeclared keys) stays out.
    inner = path.removeprefix(prop.field).removeprefix(".")
    return _code(path), _value(prop.declared, inner), _value(prop.live, inner)


def _value(whole: Any, inner: str) -> str:
    return _code(json.dumps(_at(whole, inner), ensure_ascii=False, sort_keys=True))


def _at(value: Any, inner: str) -> Any:
    """The value at a dotted path inside `value`; the whole value when the path leads nowhere."""
    found = value
    for key in inner.split(".") if inner else ():
        if not isinstance(found, dict) or key not in found:
            return value
        found = found[key]
    return found


def _unmanaged_table(unmanaged: list[UnmanagedResource]) -> str:
    rows = [(u.api_type, _code(u.id), _code(u.display) if u.display is not None else "") for u in unmanaged]
    return _table(UNMANAGED_COLUMNS, rows)


def _table(columns: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    lines = [_row(columns), _row(tuple("---" for _ in columns)), *(_row(r) for r in rows)]
    return "\n".join(lines)


def _row(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(cells) + " |"


def _code(text: str) -> str:
    """`text` as an inline code span that survives any backticks, pipes or newlines in it."""
    flat = text.replace("\r", " ").replace("\n", " ").replace("|", "\\|")
    if not flat:
        return ""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", flat)), default=0) + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"
