"""Collection query parameters: filter[...], sort, page[number]/page[size], include."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from didww_iac.emulator import errors
from didww_iac.emulator.behaviour import AccountView
from didww_iac.emulator.index import as_text, value_at
from didww_iac.emulator.schema import Filter, Record, Registry, ResourceType

IncludeTree = dict[str, "IncludeTree"]


@dataclass
class Page:
    number: int = 1
    size: int = 50


@dataclass
class CollectionQuery:
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: list[tuple[str, bool]] = field(default_factory=list)
    page: Page = field(default_factory=Page)


def parse_include(raw: str | None, rt: ResourceType, registry: Registry, version: str) -> IncludeTree:
    """``include=a,b.c`` as a tree of relationship names, each checked against its type.

    A relationship to a type this emulator does not serve (a DID's identity) may be included as
    a leaf: its linkage renders as null and nothing is side-loaded."""
    tree: IncludeTree = {}
    # An empty include names nothing; an empty item in a list ("a,,b", ",") is no relationship.
    for path in raw.split(",") if raw else []:
        node: IncludeTree = tree
        current: ResourceType | None = rt
        for name in path.strip().split("."):
            rel = current.relationship(name) if current else None
            if current is None or rel is None or not rel.visible_in(version) or rel.write_only:
                raise errors.invalid_include(name, current.name if current else rt.name)
            node = node.setdefault(rel.name, {})
            current = registry.get(rel.target)
    return tree


def parse_collection_query(params: Mapping[str, str], rt: ResourceType, version: str) -> CollectionQuery:
    query = CollectionQuery()
    for key, value in params.items():
        if key.startswith("filter[") and key.endswith("]"):
            name = key[len("filter[") : -1]
            if rt.filter(name, version) is None:
                raise errors.filter_not_allowed(name)
            query.filters[name] = value.split(",")
    query.sort = _parse_sort(params.get("sort"), rt, version)
    query.page = Page(
        number=_page_value(params, "number", 1, None),
        size=_page_value(params, "size", rt.page_size, rt.max_page_size),
    )
    return query


def _parse_sort(raw: str | None, rt: ResourceType, version: str) -> list[tuple[str, bool]]:
    keys = []
    for item in filter(None, (raw or "").split(",")):
        descending = item.startswith("-")
        name = item.lstrip("-")
        attr = rt.attribute(name)
        # A virtual attribute is computed, so it sorts in every version (a reservation's
        # expire_at, the 2022 name of expires_at, is still a sort key in 2026-04-16).
        if name not in rt.sorts or (attr is not None and not attr.virtual and not attr.visible_in(version)):
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


class Resolver:
    """Values at a dotted path that may start with relationships: ``did_group.country.id``."""

    def __init__(self, account: AccountView, registry: Registry) -> None:
        self.account = account
        self.registry = registry

    def values(self, record: Record, path: str) -> list[Any]:
        current = [record]
        parts = path.split(".")
        for index, part in enumerate(parts):
            rt = self.registry.get(current[0].type) if current else None
            rel = rt.relationship(part) if rt else None
            if rel is None or rel.name != part:
                rest = ".".join(parts[index:])
                return [value_at(r, rest) for r in current]
            current = [
                target
                for r in current
                for i in self.account.related_ids(r, part)
                if (target := self.account.find(rel.target, i)) is not None
            ]
        return current

    def first(self, record: Record, path: str) -> Any:
        found = self.values(record, path)
        return found[0] if found else None


def _matches(spec: Filter, found: list[Any], wanted: list[str]) -> bool:
    if spec.all_of:
        have = {as_text(v) for value in found for v in (value if isinstance(value, list) else [value])}
        return all(w in have for w in wanted)
    texts = [as_text(v) for value in found for v in (value if isinstance(value, list) else [value])]
    if spec.contains:
        return any(w.lower() in t.lower() for t in texts for w in wanted)
    if spec.case_insensitive:
        lowered = {w.lower() for w in wanted}
        return any(t.lower() in lowered for t in texts)
    return any(t in wanted for t in texts)


@dataclass(frozen=True)
class Narrowed:
    """The records one filter selects, found through the account's index; exact, so that
    filter need not be applied again."""

    records: list[Record]
    answered: str


def narrow(
    account: AccountView, rt: ResourceType, query: CollectionQuery, resolver: Resolver, version: str
) -> Narrowed | None:
    """Answer the first filter an index can answer exactly, instead of testing every record."""
    for name, wanted in query.filters.items():
        spec = rt.filter(name, version)
        assert spec is not None  # checked when the query was parsed
        found = _by_index(account, rt, spec, wanted, resolver)
        if found is not None:
            return Narrowed(found, name)
    return None


def _plain(spec: Filter) -> bool:
    return spec.match is None and not (spec.contains or spec.case_insensitive or spec.all_of)


def _by_index(
    account: AccountView, rt: ResourceType, spec: Filter, wanted: list[str], resolver: Resolver
) -> list[Record] | None:
    if spec.match is not None:
        return None
    if spec.path == "id":
        found = {r.id: r for w in wanted if (r := account.find(rt.name, w)) is not None}
        return sorted(found.values(), key=lambda r: r.seq) if _plain(spec) else None
    head, _, rest = spec.path.partition(".")
    rel = rt.relationship(head)
    if rel is None or rel.name != head:  # an attribute, as Resolver reads it
        return account.matching(rt.name, spec.path, wanted) if _plain(spec) else None
    if rel.inverse is not None:
        return None
    if rest == "id":
        # Resolver follows only links to records that exist.
        existing = [w for w in wanted if account.find(rel.target, w) is not None]
        return account.matching(rt.name, f"{head}.id", existing) if _plain(spec) else None
    if rel.to_many or not rest:
        return None  # all_of across several linked records does not split per record
    # A filter through a to-one link (did_group.country.id): the linked records that match
    # (a small type, scanned), then the records linked to them.
    targets = [t.id for t in account.records(rel.target) if _matches(spec, resolver.values(t, rest), wanted)]
    return account.matching(rt.name, f"{head}.id", targets)


def apply_filters(
    records: list[Record],
    rt: ResourceType,
    query: CollectionQuery,
    resolver: Resolver,
    version: str,
    skip: str | None = None,
) -> list[Record]:
    for name, wanted in query.filters.items():
        if name == skip:
            continue  # already answered by narrow()
        spec = rt.filter(name, version)
        assert spec is not None  # checked when the query was parsed
        if spec.match is not None:
            matcher = spec.match
            records = [r for r in records if matcher(resolver.account, r, wanted)]
        else:
            records = [r for r in records if _matches(spec, resolver.values(r, spec.path), wanted)]
    return records


def apply_sort(records: list[Record], rt: ResourceType, query: CollectionQuery, resolver: Resolver) -> list[Record]:
    # Without sort, DIDWW orders by its own ids, i.e. creation order (records arrive by seq).
    # Stable sorts applied from the last key to the first give multi-key order; nulls go last
    # ascending and first descending, as in PostgreSQL.
    for name, descending in reversed(query.sort):
        attr = rt.attribute(name)
        # Money is stored as strings; "10.0" must sort after "9.0".
        numeric = attr is not None and attr.kind == "decimal"
        if attr is not None and attr.virtual:
            # Computed values: the ones that sort (assigned_channels_count, expire_at) do not
            # depend on the version.
            value = rt.behaviour.render_virtual
            keyed = [(_sort_key(value(resolver.account, "", r, attr), numeric), r) for r in records]
        else:
            keyed = [(_sort_key(resolver.first(r, name), numeric), r) for r in records]
        present = [(k, r) for k, r in keyed if k is not None]
        missing = [r for k, r in keyed if k is None]
        present.sort(key=lambda pair: pair[0], reverse=descending)
        ordered = [r for _, r in present]
        records = missing + ordered if descending else ordered + missing
    return records


def _sort_key(value: Any, numeric: bool) -> Any:
    if numeric and value is not None:
        try:
            return Decimal(str(value))
        except ArithmeticError:
            return value
    return value


def paginate(records: list[Record], page: Page) -> list[Record]:
    start = (page.number - 1) * page.size
    return records[start : start + page.size]


def last_page(total: int, size: int) -> int:
    return max(1, -(-total // size))
