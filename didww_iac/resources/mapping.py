"""The stack file's entries and the providers' properties, translated both ways by one reading of
each type's declaration (`ResourceSpec.entry_model` and `settings`, see spec.py).

- `entry_props`: an entry of the stack file -> the properties the program declares (references by
  logical name become the referenced resources' ids).
- `live_props`: a live resource (as the API client reads it) -> its properties.
- `live_entry`: a live resource's properties -> the entry `import` writes (ids become logical
  names again; what the stack cannot or should not hold is left out).
- `entry_key`: a property (as an API error pointer names it) -> the key the user wrote.
- `references`: every logical name an entry refers to, for the loader's checks and the order
  in which the program declares entries.

A key no setting declares is its property's name, value for value. `Custom` keys are left to the
type's own code (program.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from didww_iac.api import Ref
from didww_iac.api import Resource as ApiResource
from didww_iac.resources.spec import ByKind, Custom, FieldSpec, Kind, Reference, Renamed, ResourceSpec, Tagged

# (section, logical name) -> what the property holds for it (the resource's id).
Resolve = Callable[[str, str], Any]
# (section, DIDWW id) -> the logical name of the entry that manages it, if any.
LogicalOf = Callable[[str, str], str | None]


@dataclass(frozen=True)
class EntryReference:
    # Where the name stands inside the entry: ("trunks", 2) or ("voice_in_trunk",).
    loc: tuple[str | int, ...]
    section: str
    name: str


def references(spec: ResourceSpec, entry: BaseModel) -> Iterator[EntryReference]:
    for setting in spec.settings:
        if isinstance(setting, Reference):
            section = setting.section
        elif isinstance(setting, Custom) and setting.refers_to is not None:
            section = setting.refers_to
        else:
            continue
        value = getattr(entry, setting.key)
        if isinstance(value, list):
            for i, name in enumerate(value):
                yield EntryReference((setting.key, i), section, name)
        elif value is not None:
            yield EntryReference((setting.key,), section, value)


def entry_props(spec: ResourceSpec, entry: BaseModel, resolve: Resolve) -> dict[str, Any]:
    """The properties of a declared entry; a key left out (None) is not sent, not diffed."""
    props: dict[str, Any] = {}
    for key, value in entry.model_dump(exclude_none=True).items():
        setting = spec.setting_index.get(key)
        if setting is None:
            props[key] = value
        elif isinstance(setting, Renamed):
            props[setting.prop] = value
        elif isinstance(setting, Reference):
            section = setting.section
            props[setting.prop] = (
                [resolve(section, n) for n in value] if isinstance(value, list) else resolve(section, value)
            )
        elif isinstance(setting, ByKind):
            props[setting.prop] = {"type": setting.kinds[key], "attributes": value}
        elif isinstance(setting, Tagged):
            nested = dict(value)
            props[setting.prop] = {"type": nested.pop("type"), "attributes": nested}
        # Custom: the type's own code.
    return props


def entry_key(spec: ResourceSpec, prop: str, declared_keys: set[str], nested_type: object = None) -> str:
    """The stack key of a property: of several keys for it (`capacity_pool` or
    `capacity_pool_id`), the one the entry declares."""
    candidates: list[str] = []
    for setting in spec.settings:
        if isinstance(setting, ByKind) and setting.prop == prop:
            by_type = {kind: key for key, kind in setting.kinds.items()}
            if isinstance(nested_type, str) and nested_type in by_type:
                return by_type[nested_type]
            candidates.extend(setting.kinds)
        elif (isinstance(setting, Custom) and prop in setting.props) or (
            isinstance(setting, (Renamed, Reference, Tagged)) and setting.prop == prop
        ):
            candidates.append(setting.key)
    if not candidates:
        return prop
    return next((k for k in candidates if k in declared_keys), candidates[0])


def live_entry(spec: ResourceSpec, live: Mapping[str, Any], logical_of: LogicalOf) -> dict[str, Any]:
    """The stack entry that declares a live resource as it is: every setting the stack file can
    hold, with its live value, and references by logical name where the referenced resource is
    managed (by DIDWW id where the stack has a key for that, left out otherwise). Credentials
    (`FieldSpec.secret_keys`, generated ones) are never written into the file."""
    model = spec.entry_model
    assert model is not None, f"{spec.api_type} has no stack entry model"
    entry: dict[str, Any] = {}
    for key, info in model.model_fields.items():
        setting = spec.setting_index.get(key)
        if setting is None:
            field = spec.field_index.get(key)
            if field is not None and _importable(field) and live.get(key) is not None:
                entry[key] = live[key]
        elif isinstance(setting, Reference):
            _put_reference(entry, key, setting, live.get(setting.prop), logical_of)
        elif isinstance(setting, Renamed):
            field = spec.field_index[setting.prop]
            if _importable(field) and setting.prop not in _referenced(spec, entry) and live.get(setting.prop):
                entry[key] = live[setting.prop]
        elif isinstance(setting, ByKind):
            nested = live.get(setting.prop) or {}
            if setting.kinds.get(key) == nested.get("type"):
                entry[key] = _known(info.annotation, nested.get("attributes") or {}, spec.field_index[setting.prop])
        elif isinstance(setting, Tagged):
            nested = live.get(setting.prop) or {}
            if nested.get("type"):
                attributes = {"type": nested["type"], **(nested.get("attributes") or {})}
                entry[key] = _known(info.annotation, attributes, spec.field_index[setting.prop])
    return entry


def live_props(spec: ResourceSpec, resource: ApiResource) -> dict[str, Any]:
    """What DIDWW holds for each of the type's API properties: attributes as they are, to-one
    relationships as an id (or None), to-many as sorted ids. The tool's own settings (`local`)
    and those kept from the input are not DIDWW's to say."""
    props: dict[str, Any] = {}
    for f in spec.fields:
        if f.local or f.kept_from_input:
            continue
        if f.kind is Kind.ATTRIBUTE:
            props[f.name] = resource.attributes.get(f.name)
            continue
        rel = resource.relationships.get(f.name)
        if f.kind is Kind.TO_ONE:
            props[f.name] = rel.id if isinstance(rel, Ref) else None
        else:
            props[f.name] = sorted(r.id for r in rel) if isinstance(rel, list) else []
    return props


def _importable(field: FieldSpec) -> bool:
    return field.writable and not field.local


def _referenced(spec: ResourceSpec, entry: dict[str, Any]) -> set[str]:
    """Properties the entry already declares through a reference by logical name."""
    return {s.prop for s in spec.settings if isinstance(s, Reference) and s.key in entry}


def _put_reference(entry: dict[str, Any], key: str, setting: Reference, value: Any, logical_of: LogicalOf) -> None:
    if isinstance(value, list):
        names = [logical_of(setting.section, v) for v in value]
        if all(n is not None for n in names):
            entry[key] = sorted(n for n in names if n is not None)
    elif isinstance(value, str) and value:
        name = logical_of(setting.section, value)
        if name is not None:
            entry[key] = name


def _known(annotation: Any, values: Mapping[str, Any], field: FieldSpec) -> dict[str, Any]:
    """The keys of a nested object the stack's model has, set, and not credentials."""
    model = _model_of(annotation)
    known = set(model.model_fields) if model is not None else set(values)
    return {k: v for k, v in values.items() if k in known and v is not None and k not in field.secret_keys}


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_of(arg)
        if found is not None:
            return found
    return None
