"""Rendering records as DIDWW JSON:API documents for one API version."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from didww_iac.emulator.behaviour import Behaviour
from didww_iac.emulator.models import Account
from didww_iac.emulator.query import IncludeTree, Page, last_page
from didww_iac.emulator.schema import Attr, Record, Relationship, ResourceType

Document = dict[str, Any]

# (owner, version) -> the attributes a version renders; declarations never change, so computed once.
_VISIBLE: dict[tuple[str, str], tuple[Attr, ...]] = {}


def _visible(owner: str, attributes: Sequence[Attr], version: str) -> tuple[Attr, ...]:
    key = (owner, version)
    found = _VISIBLE.get(key)
    if found is None:
        found = _VISIBLE[key] = tuple(a for a in attributes if not a.hidden and a.visible_in(version))
    return found


# (type, version) -> the relationships a version renders.
_VISIBLE_RELATIONSHIPS: dict[tuple[str, str], tuple[Relationship, ...]] = {}


def _visible_relationships(rt: ResourceType, version: str) -> tuple[Relationship, ...]:
    key = (rt.name, version)
    found = _VISIBLE_RELATIONSHIPS.get(key)
    if found is None:
        found = _VISIBLE_RELATIONSHIPS[key] = tuple(
            r for r in rt.relationships if r.visible_in(version) and not r.write_only
        )
    return found


def _overrides(behaviour: Behaviour, hook: str) -> bool:
    return getattr(type(behaviour), hook) is not getattr(Behaviour, hook)


# Documents are trees, so the cycle check is wasted work; compact output is smaller on the wire.
_ENCODER = json.JSONEncoder(check_circular=False, separators=(",", ":"))


def _dumps(document: Any) -> bytes:
    # ASCII output (ensure_ascii), so encoding it is a copy.
    return _ENCODER.encode(document).encode()


class Fragment(bytes):
    """A resource object already serialised to JSON."""


class FragmentCache:
    """Serialised resource objects, reusable until the account's next write.

    Encoding JSON is most of the cost of a list page; between writes the same record renders
    to the same text for a given version, base URL and set of relationships whose linkage is
    included (its meta may read other records, which is why any write, not just this record's,
    invalidates). Used under the account lock."""

    def __init__(self) -> None:
        self._generation = -1
        # (type, version, base URL, relationships with linkage) -> record id -> fragment
        self._buckets: dict[tuple[str, str, str, tuple[str, ...]], dict[str, Fragment]] = {}

    def bucket(
        self, generation: int, type_name: str, version: str, base_url: str, linked: tuple[str, ...] = ()
    ) -> dict[str, Fragment]:
        """The fragments of one type's records as ``version`` renders them at ``base_url``, with
        linkage data for the ``linked`` relationships (sorted names)."""
        if generation != self._generation:
            self._buckets.clear()
            self._generation = generation
        key = (type_name, version, base_url, linked)
        found = self._buckets.get(key)
        if found is None:
            found = self._buckets[key] = {}
        return found


_SPLICED = ("data", "included")


def encode(document: Document) -> bytes:
    """JSON text of a document whose primary data and included resources may be fragments
    (``data`` comes first, then ``included``)."""
    if not any(_has_fragments(document.get(k)) for k in _SPLICED):
        return _dumps(document)
    parts = [b'{"data":', _spliced(document.get("data"))]
    if "included" in document:
        parts += [b',"included":', _spliced(document["included"])]
    rest = _dumps({k: v for k, v in document.items() if k not in _SPLICED})
    parts.append(b"}" if rest == b"{}" else b"," + rest[1:])
    return b"".join(parts)  # one copy of a page of fragments, not one per concatenation


def _has_fragments(value: Any) -> bool:
    return isinstance(value, Fragment) or (isinstance(value, list) and any(isinstance(v, Fragment) for v in value))


def _spliced(value: Any) -> bytes:
    if isinstance(value, Fragment):
        return value
    if isinstance(value, list):
        return b"[" + b",".join(v if isinstance(v, Fragment) else _dumps(v) for v in value) + b"]"
    return _dumps(value)


@lru_cache(maxsize=1024)
def _page_link(base_url: str, path: str, kept: tuple[tuple[str, str], ...], number: int, size: int) -> str:
    # Clients page through the same few URLs; urlencode is a tenth of a cached page.
    query = [*kept, ("page[number]", str(number)), ("page[size]", str(size))]
    return f"{base_url}/{path}?{urlencode(query)}"


class Renderer:
    """Documents share stored values instead of copying them: every document is serialised under
    the account lock, before anything can change the state (copying cost most of a page)."""

    def __init__(self, account: Account, version: str, base_url: str, cache: FragmentCache | None = None) -> None:
        self.account = account
        self.version = version
        # e.g. "http://127.0.0.1:8765/v3": relationship links are absolute, as DIDWW sends them.
        self.base_url = base_url.rstrip("/")
        self.cache = cache

    def _bucket(self, type_name: str, include: IncludeTree) -> dict[str, Fragment] | None:
        """Cached fragments for records rendered with ``include`` (its top level decides which
        relationships carry linkage data, so it is part of the key)."""
        if self.cache is None:
            return None
        linked = tuple(sorted(include)) if include else ()
        return self.cache.bucket(self.account.generation, type_name, self.version, self.base_url, linked)

    def _primary(self, record: Record, include: IncludeTree) -> Document | Fragment:
        """A resource from the cache (rendered and stored on a miss)."""
        bucket = self._bucket(record.type, include)
        if bucket is None:
            return self.resource(record, include)
        return bucket.get(record.id) or self._fragment(bucket, record, include)

    def _primaries(self, records: Sequence[Record], include: IncludeTree) -> list[Document] | list[Fragment]:
        """The primary data of a collection (records of one type): one cache lookup per record."""
        bucket = self._bucket(records[0].type, include) if records else None
        if bucket is None:
            return [self.resource(r, include) for r in records]
        return [bucket.get(r.id) or self._fragment(bucket, r, include) for r in records]

    def _fragment(self, bucket: dict[str, Fragment], record: Record, include: IncludeTree) -> Fragment:
        found = bucket.get(record.id)
        if found is None:
            found = bucket[record.id] = Fragment(_dumps(self.resource(record, include)))
        return found

    def _type(self, record: Record) -> ResourceType:
        rt = self.account.registry.get(record.type)
        assert rt is not None
        return rt

    def resource(self, record: Record, include: IncludeTree | None = None) -> Document:
        rt = self._type(record)
        obj: Document = {"id": record.id, "type": record.type}
        if rt.attributes:
            obj["attributes"] = self._attributes(rt, record)
        # An action's answer (regenerate credentials) is just its type and id, as recorded.
        relationships = self._relationships(rt, record, include or {}) if rt.stored else {}
        if relationships:
            obj["relationships"] = relationships
        meta = rt.behaviour.meta(self.account, record)
        if meta is not None:
            obj["meta"] = meta
        return obj

    def _attributes(self, rt: ResourceType, record: Record) -> dict[str, Any]:
        out: dict[str, Any] = {}
        stored = record.attributes
        behaviour = rt.behaviour
        transform = _overrides(behaviour, "render_value")
        for attr in _visible(rt.name, rt.attributes, self.version):
            if attr.virtual:
                out[attr.name] = behaviour.render_virtual(self.account, self.version, record, attr)
            elif attr.kind == "variant":
                out[attr.name] = self._variant(attr, stored.get(attr.name))
            elif transform:
                out[attr.name] = behaviour.render_value(self.version, attr, stored.get(attr.name))
            else:
                out[attr.name] = stored.get(attr.name)
        for name in behaviour.api_paths:
            if isinstance(out.get(name), str):
                out[name] = f"{self.base_url}/{out[name]}"
        return out

    def _variant(self, attr: Attr, value: Any) -> Any:
        variant = attr.variant(value["type"]) if isinstance(value, dict) else None
        if variant is None or not isinstance(value, dict):
            return None
        stored = value.get("attributes", {})
        shown = _visible(f"{attr.name}:{variant.type}", variant.attributes, self.version)
        if len(shown) == len(stored) == len(variant.attributes):
            return value  # stored in declaration order with every field: already the document
        return {"type": variant.type, "attributes": {s.name: stored.get(s.name) for s in shown}}

    def _relationships(self, rt: ResourceType, record: Record, include: IncludeTree) -> dict[str, Any]:
        out: dict[str, Any] = {}
        own = f"{self.base_url}/{record.type}/{record.id}"
        for rel in _visible_relationships(rt, self.version):
            entry: dict[str, Any] = {
                "links": {"self": f"{own}/relationships/{rel.name}", "related": f"{own}/{rel.name}"}
            }
            # Linkage data is sent only for relationships the request included (as recorded).
            if rel.name in include:
                ids = self.account.related_ids(record, rel.name)
                linkage = [{"type": self.account.target_type(rel, i), "id": i} for i in ids]
                entry["data"] = linkage if rel.to_many else (linkage[0] if linkage else None)
            out[rel.name] = entry
        return out

    def included(self, primary: Sequence[Record], include: IncludeTree) -> list[Document | Fragment]:
        seen = {(r.type, r.id) for r in primary}
        # Fragments too: a page of DIDs includes the same trunks as the page before.
        out: list[Document | Fragment] = []

        def walk(record: Record, tree: IncludeTree) -> None:
            rt = self._type(record)
            for name, subtree in tree.items():
                rel = rt.relationship(name)
                if rel is None:
                    continue
                for related_id in self.account.related_ids(record, name):
                    related = self.account.find(self.account.target_type(rel, related_id), related_id)
                    if related is None:
                        continue
                    if (related.type, related.id) not in seen:
                        seen.add((related.type, related.id))
                        out.append(self._primary(related, subtree))
                    walk(related, subtree)

        for record in primary:
            walk(record, include)
        return out

    def _meta(self, rt: ResourceType, records: Sequence[Record] | None) -> dict[str, Any]:
        return {**rt.behaviour.document_meta(self.account, records), "api_version": self.version}

    def one(
        self, record: Record, include: IncludeTree, with_type_meta: bool = True, linkage: Sequence[str] = ()
    ) -> Document:
        """``linkage``: relationships rendered with their data though not included."""
        shown = {**{name: {} for name in linkage}, **include} if linkage else include
        doc: Document = {"data": self._primary(record, shown)}
        if include:
            doc["included"] = self.included([record], include)
        rt = self._type(record)
        doc["meta"] = self._meta(rt, None) if with_type_meta else {"api_version": self.version}
        return doc

    def related(self, rt: ResourceType, rel: Relationship, ids: Sequence[str]) -> Document:
        """GET /v3/<type>/<id>/<relationship>: the related resource(s) as primary data."""
        records = [r for r in (self.account.find(self.account.target_type(rel, i), i) for i in ids) if r is not None]
        data: Any = [self.resource(r) for r in records]
        if not rel.to_many:
            data = data[0] if data else None
        return {"data": data, "meta": {"api_version": self.version}}

    def linkage(self, record: Record, rel: Relationship, ids: Sequence[str]) -> Document:
        """GET /v3/<type>/<id>/relationships/<relationship>: links plus resource identifiers."""
        own = f"{self.base_url}/{record.type}/{record.id}"
        identifiers = [{"type": self.account.target_type(rel, i), "id": i} for i in ids]
        return {
            "links": {"self": f"{own}/relationships/{rel.name}", "related": f"{own}/{rel.name}"},
            "data": identifiers if rel.to_many else (identifiers[0] if identifiers else None),
            "meta": {"api_version": self.version},
        }

    def many(
        self,
        records: Sequence[Record],
        total: int,
        include: IncludeTree,
        page: Page | None,
        path: str,
        params: Sequence[tuple[str, str]],
        matched: Sequence[Record] = (),
    ) -> Document:
        doc: Document = {"data": self._primaries(records, include)}
        if include:
            doc["included"] = self.included(records, include)
        rt = self.account.registry.get(path)
        extra = rt.behaviour.document_meta(self.account, matched, total) if rt is not None else {}
        if page is None:
            doc["meta"] = {**extra, "api_version": self.version}
            return doc
        doc["meta"] = {"total_records": total, **extra, "api_version": self.version}
        doc["links"] = self._page_links(path, params, page, total)
        return doc

    def _page_links(self, path: str, params: Sequence[tuple[str, str]], page: Page, total: int) -> dict[str, str]:
        kept = tuple((k, v) for k, v in params if not k.startswith("page["))
        last = last_page(total, page.size)

        def link(number: int) -> str:
            return _page_link(self.base_url, path, kept, number, page.size)

        links = {"first": link(1)}
        if page.number > 1:
            links["prev"] = link(min(page.number - 1, last))
        if page.number < last:
            links["next"] = link(page.number + 1)
        links["last"] = link(last)
        return links
