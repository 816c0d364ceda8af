"""Reading `pulumi up --json` as it runs: first the plan, then the engine's events.

With `--json`, `up` prints its preview as one indented JSON document (the same shape as
`pulumi preview --json`: steps with old and new state), then one engine event per line while it
applies (a resource starting, its outputs, diagnostics, the summary). `documents` yields each of
them as soon as it is complete; `progress_line` says what an event means to a person watching.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from didww_iac.drift import SPECS_BY_PULUMI_NAME

# What an applied step did, in the words of the plan.
DONE = {
    "create": "created",
    "update": "updated",
    "delete": "deleted",
    "replace": "replaced",
    "create-replacement": "created the replacement of",
    "delete-replaced": "deleted the replaced",
}
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def documents(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """Each JSON document of the engine's output; an event is one line, the plan many lines
    ending with a line holding only `}` (checked only there, so a big plan is decoded once)."""
    pending: list[str] = []
    for line in lines:
        stripped = line.strip()
        if not pending and stripped.startswith("{") and stripped.endswith("}"):
            try:
                yield json.loads(stripped)
                continue
            except json.JSONDecodeError:
                pass  # the first line of an indented document that happens to end with "}"
        if not pending and not stripped:
            continue
        pending.append(line)
        if line.rstrip("\n") == "}":
            try:
                document = json.loads("".join(pending))
            except json.JSONDecodeError:
                continue  # a nested "}" at column 0 cannot occur in indented output; keep reading
            pending.clear()
            if isinstance(document, dict):
                yield document


def progress_line(event: dict[str, Any]) -> str | None:
    """A line for a step that finished or a diagnostic worth reading; None for the rest."""
    outputs = event.get("resOutputsEvent")
    if isinstance(outputs, dict):
        meta = outputs.get("metadata") or {}
        done = DONE.get(str(meta.get("op")))
        name = _entry_of(meta)
        return f"  {done} {name}" if done and name else None
    diagnostic = event.get("diagnosticEvent")
    if isinstance(diagnostic, dict):
        severity = str(diagnostic.get("severity"))
        if severity not in {"error", "warning", "info#err"} or diagnostic.get("ephemeral"):
            return None
        message = ANSI.sub("", str(diagnostic.get("message") or "")).strip()
        if not message:
            return None
        label = "error" if severity == "error" else "warning" if severity == "warning" else "note"
        where = _entry_of({"urn": diagnostic.get("urn"), "type": _type_of(diagnostic.get("urn"))})
        return f"{label}: {where + ': ' if where and not _names_an_entry(message) else ''}{message}"
    return None


def _type_of(urn: object) -> str:
    return str(urn).split("::")[-2] if isinstance(urn, str) and "::" in urn else ""


def _entry_of(meta: dict[str, Any]) -> str | None:
    """`voice_in_trunks.pbx` for a resource of ours (its Pulumi type names the DIDWW type)."""
    urn = meta.get("urn")
    if not isinstance(urn, str) or "::" not in urn:
        return None
    spec = SPECS_BY_PULUMI_NAME.get(urn.split("::")[-2].rsplit(":", 1)[-1])
    return f"{spec.api_type}.{urn.split('::')[-1]}" if spec is not None else None


def _names_an_entry(message: str) -> bool:
    """Our own errors start with `stacks/<file>:<line>: <entry>`: nothing to add in front."""
    return bool(re.match(r"^\S+\.ya?ml(:\d+)?: ", message))
