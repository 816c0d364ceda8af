"""Turning DIDWW's answers into errors that point at the stack file.

The program gives every resource a `source_location` input: the stack file, the entry's dotted
name and the line of each of its settings. When DIDWW refuses a write with 422 and a
`source.pointer` such as /data/attributes/configuration/attributes/codec_ids, the provider names
`stacks/local.yaml:17: voice_in_trunks.pbx.sip.codec_ids: is invalid` instead.
"""

from __future__ import annotations

from typing import Any

from didww_iac.api import DidwwError, ValidationError
from didww_iac.resources.mapping import entry_key
from didww_iac.resources.spec import ResourceSpec

SOURCE_LOCATION = "source_location"


class DidwwResourceError(Exception):
    """What the engine shows when a DIDWW call for a resource failed; never holds the API key
    (DidwwError messages are scrubbed by the client)."""


def stack_setting(spec: ResourceSpec, pointer: str, props: dict[str, Any]) -> str | None:
    """The stack file's dotted setting a JSON:API pointer names, relative to the entry: the key
    the user wrote (`trunks`, `sip.codec_ids`, `capacity_pool` or `capacity_pool_id`, whichever
    the entry declares), read from the type's declared mapping."""
    parts = pointer.strip("/").split("/")
    if len(parts) < 3 or parts[0] != "data" or parts[1] not in ("attributes", "relationships"):
        return None
    name = parts[2]
    declared = set((props.get(SOURCE_LOCATION) or {}).get("lines") or {})
    nested = props.get(name)
    nested_type = nested.get("type") if isinstance(nested, dict) else None
    key = entry_key(spec, name, declared, nested_type)
    if len(parts) >= 5 and parts[3] == "attributes":
        return f"{key}.{parts[4]}"
    return key


def _where(spec: ResourceSpec, props: dict[str, Any], setting: str | None) -> str:
    """`file:line: entry.setting` (or the entry's own line when the setting has none)."""
    source = props.get(SOURCE_LOCATION) or {}
    file = source.get("file", "the stack file")
    entry = source.get("entry", spec.api_type)
    lines: dict[str, int] = source.get("lines") or {}
    line = lines.get(setting or "") or lines.get((setting or "").split(".")[0]) or lines.get("")
    # Numbers come back from the engine as floats.
    at = f"{file}:{int(line)}" if line else file
    return f"{at}: {entry}.{setting}" if setting else f"{at}: {entry}"


def refused_setting(spec: ResourceSpec, props: dict[str, Any], prop: str, message: str) -> DidwwResourceError:
    """A declared setting the provider refuses before calling DIDWW, at its file, line and key."""
    declared = set((props.get(SOURCE_LOCATION) or {}).get("lines") or {})
    return DidwwResourceError(f"{_where(spec, props, entry_key(spec, prop, declared))}: {message}")


def located(spec: ResourceSpec, exc: DidwwResourceError, props: dict[str, Any]) -> DidwwResourceError:
    """A provider's own refusal (no number to adopt, a pool that does not exist), prefixed with the
    entry it is about, unless it names its place already."""
    where = _where(spec, props, None)
    message = str(exc)
    return DidwwResourceError(message if message.startswith(where) else f"{where}: {message}")


def explain(spec: ResourceSpec, action: str, exc: DidwwError, props: dict[str, Any]) -> DidwwResourceError:
    def where(setting: str | None) -> str:
        return _where(spec, props, setting)

    if isinstance(exc, ValidationError) and exc.errors:
        problems = []
        for e in exc.errors:
            setting = stack_setting(spec, e.pointer, props) if e.pointer else None
            problems.append(f"{where(setting)}: {e.detail or e.title or 'invalid'}")
        return DidwwResourceError(
            "\n".join(problems)
            + f"\n(DIDWW refused to {action} {spec.api_type}: {exc.status} on {exc.method} {exc.path})"
        )
    return DidwwResourceError(f"{where(None)}: could not {action} {spec.api_type}: {exc}")
