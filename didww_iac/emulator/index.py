"""Which records hold a value at a path, so filters and relationship look-ups are not scans.

A DID page filtered by number, the DIDs of one order, a trunk group's trunks, the numbers in
stock of one DID group: each scanned every record of the type, which made every such request
cost O(records held) (10,000 DIDs: tens of milliseconds each). A table per (type, path) is built
on first use and then kept up to date by the account wherever a stored record is added, changed
or removed, like the unique index.

A path is an attribute (dotted into nested values: ``configuration.type``) or ``<relationship>.id``
of a relationship the record stores. Keys are the text a filter compares with (``as_text``), one
per item of a list value, so a look-up answers exactly what a plain ``filter[...]`` would over the
stored values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from didww_iac.emulator.record import Record
from didww_iac.emulator.schema import Registry, ResourceType


def value_at(record: Record, path: str) -> Any:
    if path == "id":
        return record.id
    value: Any = record.attributes
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def as_text(value: Any) -> str:
    """A stored value as filter parameters spell it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def texts(value: Any) -> list[str]:
    return [as_text(v) for v in (value if isinstance(value, list) else [value])]


def stored_relationship(rt: ResourceType, path: str) -> str | None:
    """The relationship a ``<relationship>.id`` path reads from the record itself, if it is one."""
    head, _, rest = path.partition(".")
    rel = rt.relationship(head)
    if rel is None or rel.name != head:
        return None
    if rest != "id" or rel.inverse is not None:
        raise ValueError(f"{rt.name}: {path!r} is not an indexable path")
    return rel.name


class FieldIndex:
    def __init__(self, registry: Registry) -> None:
        self._registry = registry
        # (type, path) -> key -> ids; and (type, path) -> id -> the keys it is under
        self._holders: dict[tuple[str, str], dict[str, set[str]]] = {}
        self._keys: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {}
        # type -> its indexed paths, with the relationship each reads (None: an attribute)
        self._paths: dict[str, dict[str, str | None]] = {}

    def ids(self, type_name: str, path: str, values: Iterable[str], records: Mapping[str, Record]) -> set[str]:
        """Ids of the records holding any of ``values`` at ``path``; ``records`` (the type's
        records by id) builds the table on first use."""
        key = (type_name, path)
        holders = self._holders.get(key)
        if holders is None:
            holders = self._build(type_name, path, records.values())
        found: set[str] = set()
        for value in values:
            found.update(holders.get(value, ()))
        return found

    def count(self, type_name: str, path: str, values: Iterable[str], records: Mapping[str, Record]) -> int:
        holders = self._holders.get((type_name, path))
        if holders is None:
            holders = self._build(type_name, path, records.values())
        unique = set(values)
        if len(unique) == 1:
            return len(holders.get(next(iter(unique)), ()))
        return len(self.ids(type_name, path, unique, records))

    def put(self, record: Record) -> None:
        for path, rel in self._paths.get(record.type, {}).items():
            self._set((record.type, path), record.id, _keys(record, path, rel))

    def drop(self, type_name: str, record_id: str) -> None:
        for path in self._paths.get(type_name, {}):
            self._set((type_name, path), record_id, ())

    def clear(self) -> None:
        self._holders.clear()
        self._keys.clear()
        self._paths.clear()

    def _build(self, type_name: str, path: str, records: Iterable[Record]) -> dict[str, set[str]]:
        rt = self._registry.get(type_name)
        if rt is None:
            return {}  # a type this emulator does not serve holds nothing
        rel = stored_relationship(rt, path)
        self._paths.setdefault(type_name, {})[path] = rel
        holders = self._holders[(type_name, path)] = {}
        self._keys[(type_name, path)] = {}
        for record in records:
            self._set((type_name, path), record.id, _keys(record, path, rel))
        return holders

    def _set(self, key: tuple[str, str], record_id: str, new: tuple[str, ...]) -> None:
        known = self._keys[key]
        old = known.get(record_id, ())
        if old == new:
            return
        holders = self._holders[key]
        for value in old:
            ids = holders.get(value)
            if ids is not None:
                ids.discard(record_id)
                if not ids:
                    del holders[value]
        for value in new:
            holders.setdefault(value, set()).add(record_id)
        if new:
            known[record_id] = new
        else:
            known.pop(record_id, None)


def _keys(record: Record, path: str, rel: str | None) -> tuple[str, ...]:
    if rel is None:
        return tuple(dict.fromkeys(texts(value_at(record, path))))
    value = record.relationships.get(rel)
    if value is None:
        return ()  # no linkage: a filter finds nothing to compare
    return tuple(dict.fromkeys(value if isinstance(value, list) else [value]))
