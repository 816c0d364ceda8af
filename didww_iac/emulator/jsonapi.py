"""Rendering records as DIDWW JSON:API documents for one API version."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from didww_iac.emulator.models import Account
from didww_iac.emulator.query import IncludeTree, Page, last_page
from didww_iac.emulator.schema import Attr, Record, ResourceType

Document = dict[str, Any]


class Renderer:
    def __init__(self, account: Account, version: str, base_url: str) -> None:
        self.account = account
        self.version = version
        # e.g. "http://127.0.0.1:8765/v3": relationship links are absolute, as DIDWW sends them.
        self.base_url = base_url.rstrip("/")

    def _type(self, record: Record) -> ResourceType:
        rt = self.account.registry.get(record.type)
        assert rt is not None
        return rt

    def resource(self, record: Record, include: IncludeTree | None = None) -> Document:
        rt = self._type(record)
        obj: Document = {"id": record.id, "type": record.type, "attributes": self._attributes(rt, record)}
        relationships = self._relationships(rt, record, include or {})
        if relationships:
            obj["relationships"] = relationships
        meta = rt.behaviour.meta(self.account, record)
        if meta is not None:
            obj["meta"] = meta
        return obj

    def _attributes(self, rt: ResourceType, record: Record) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for attr in rt.attributes:
            if not attr.visible_in(self.version):
                continue
            if attr.virtual:
                out[attr.name] = rt.behaviour.render_virtual(self.version, record, attr)
            elif attr.kind == "variant":
                out[attr.name] = self._variant(attr, record.attributes.get(attr.name))
            else:
                out[attr.name] = copy.deepcopy(record.attributes.get(attr.name))
        return out

    def _variant(self, attr: Attr, value: Any) -> Any:
        variant = attr.variant(value["type"]) if isinstance(value, dict) else None
        if variant is None or not isinstance(value, dict):
            return None
        stored = value.get("attributes", {})
        fields = {
            s.name: copy.deepcopy(stored.get(s.name))
            for s in variant.attributes
            if s.visible_in(self.version)
        }
        return {"type": variant.type, "attributes": fields}

    def _relationships(self, rt: ResourceType, record: Record, include: IncludeTree) -> dict[str, Any]:
        out: dict[str, Any] = {}
        own = f"{self.base_url}/{record.type}/{record.id}"
        for rel in rt.relationships:
            if not rel.visible_in(self.version):
                continue
            entry: dict[str, Any] = {
                "links": {"self": f"{own}/relationships/{rel.name}", "related": f"{own}/{rel.name}"}
            }
            # Linkage data is sent only for relationships the request included (as recorded).
            if rel.name in include:
                ids = self.account.related_ids(record, rel.name)
                linkage = [{"type": rel.target, "id": i} for i in ids]
                entry["data"] = linkage if rel.to_many else (linkage[0] if linkage else None)
            out[rel.name] = entry
        return out

    def included(self, primary: Sequence[Record], include: IncludeTree) -> list[Document]:
        seen = {(r.type, r.id) for r in primary}
        out: list[Document] = []

        def walk(record: Record, tree: IncludeTree) -> None:
            rt = self._type(record)
            for name, subtree in tree.items():
                rel = rt.relationship(name)
                if rel is None:
                    continue
                for related_id in self.account.related_ids(record, name):
                    related = self.account.find(rel.target, related_id)
                    if related is None:
                        continue
                    if (related.type, related.id) not in seen:
                        seen.add((related.type, related.id))
                        out.append(self.resource(related, subtree))
                    walk(related, subtree)

        for record in primary:
            walk(record, include)
        return out

    def one(self, record: Record, include: IncludeTree) -> Document:
        doc: Document = {"data": self.resource(record, include)}
        if include:
            doc["included"] = self.included([record], include)
        doc["meta"] = {"api_version": self.version}
        return doc

    def many(
        self,
        records: Sequence[Record],
        total: int,
        include: IncludeTree,
        page: Page | None,
        path: str,
        params: Sequence[tuple[str, str]],
    ) -> Document:
        doc: Document = {"data": [self.resource(r, include) for r in records]}
        if include:
            doc["included"] = self.included(records, include)
        if page is None:
            doc["meta"] = {"api_version": self.version}
            return doc
        doc["meta"] = {"total_records": total, "api_version": self.version}
        doc["links"] = self._page_links(path, params, page, total)
        return doc

    def _page_links(
        self, path: str, params: Sequence[tuple[str, str]], page: Page, total: int
    ) -> dict[str, str]:
        kept = [(k, v) for k, v in params if not k.startswith("page[")]
        last = last_page(total, page.size)

        def link(number: int) -> str:
            query = [*kept, ("page[number]", str(number)), ("page[size]", str(page.size))]
            return f"{self.base_url}/{path}?{urlencode(query)}"

        links = {"first": link(1)}
        if page.number > 1:
            links["prev"] = link(min(page.number - 1, last))
        if page.number < last:
            links["next"] = link(page.number + 1)
        links["last"] = link(last)
        return links
