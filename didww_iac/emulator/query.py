"""Collection query parameters: filter[...], sort, page[number]/page[size], include."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from didww_iac.emulator import errors
from didww_iac.emulator.schema import Record, Registry, ResourceType

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100

IncludeTree = dict[str, "IncludeTree"]


@dataclass
class Page:
    number: int = 1
    size: int = DEFAULT_PAGE_SIZE


@dataclass
class CollectionQuery:
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: list[tuple[str, bool]] = field(default_factory=list)
    page: Page = field(default_factory=Page)


def parse_include(raw: str | None, rt: ResourceType, registry: Registry) -> IncludeTree:
    """``include=a,b.c`` as a tree of relationship names, each checked against its type."""
    tree: IncludeTree = {}
    for path in filter(None, (raw or "").split(",")):
        node, current = tree, rt
        for name in path.strip().split("."):
            rel = current.relationship(name)
            target = registry.get(rel.target) if rel else None
            if rel is None or target is None:
                raise errors.invalid_include(name, current.name)
            node = node.setdefault(rel.name, {})
            current = target
    return tree


def parse_collection_query(params: Mapping[str, str], rt: ResourceType, version: str) -> CollectionQuery:
    query = CollectionQuery()
    for key, value in params.items():
        if key.startswith("filter[") and key.endswith("]"):
            name = key[len("filter[") : -1]
            spec = next((f for f in rt.filters if f.name == name and f.visible_in(version)), None)
            if spec is None:
                raise errors.filter_not_allowed(name)
            query.filters[name] = value.split(",")
    query.sort = _parse_sort(params.get("sort"), rt, version)
    query.page = Page(
        number=_page_value(params, "number", 1, None),
        size=_page_value(params, "size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
    )
    return query


def _parse_sort(raw: str | None, rt: ResourceType, version: str) -> list[tuple[str, bool]]:
    keys = []
    for item in filter(None, (raw or "").split(",")):
        descending = item.startswith("-")
        name = item.lstrip("-")
        attr = rt.attribute(name)
        if name not in rt.sorts or (attr is not None and not attr.visible_in(version)):
            raise errors.invalid_sort(name, rt.name)
        keys.append((name, descending))
    return keys


def _page_value(params: Mapping[str, str], name: str, default: int, maximum: int | None) -> int:
    raw = params.get(f"page[{name}]")
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or int(raw) < 1 or (maximum is not None and int(raw) > maximum):
        raise errors.invalid_page(name, raw)
    return int(raw)


def value_at(record: Record, path: str) -> Any:
    if path == "id":
        return record.id
    value: Any = record.attributes
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def apply_filters(records: list[Record], rt: ResourceType, query: CollectionQuery) -> list[Record]:
    for name, wanted in query.filters.items():
        spec = next(f for f in rt.filters if f.name == name)
        if spec.contains:
            needles = [w.lower() for w in wanted]
            records = [
                r for r in records if any(n in _as_text(value_at(r, spec.path)).lower() for n in needles)
            ]
        else:
            records = [r for r in records if _as_text(value_at(r, spec.path)) in wanted]
    return records


def apply_sort(records: list[Record], query: CollectionQuery) -> list[Record]:
    # Without sort, DIDWW orders by its own ids, i.e. creation order (records arrive by seq).
    # Stable sorts applied from the last key to the first give multi-key order; nulls go last
    # ascending and first descending, as in PostgreSQL.
    for name, descending in reversed(query.sort):
        present = [r for r in records if value_at(r, name) is not None]
        missing = [r for r in records if value_at(r, name) is None]
        present.sort(key=lambda r: value_at(r, name), reverse=descending)
        records = missing + present if descending else present + missing
    return records


def paginate(records: list[Record], page: Page) -> list[Record]:
    start = (page.number - 1) * page.size
    return records[start : start + page.size]


def last_page(total: int, size: int) -> int:
    return max(1, -(-total // size))
