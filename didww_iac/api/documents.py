"""JSON:API documents: resource identifiers, resources, request bodies and side-loaded lookups.

Works on the canonical (2026-04-16) shape only; :mod:`didww_iac.api.versions` translates the
raw documents before they are parsed here and after request bodies are built here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeAlias

JsonDict: TypeAlias = dict[str, Any]

# Relationship names DIDWW models as to-many. Needed because a relationship sent with `links`
# only (no `data`) does not tell its cardinality, and callers want [] rather than None for them.
TO_MANY_RELATIONSHIPS: frozenset[str] = frozenset(
    {
        "voice_in_trunks",
        "dids",
        "emergency_dids",
        "shared_capacity_groups",
        "countries",
        "qty_based_pricings",
        "proofs",
        "permanent_documents",
        "regions",
        "cities",
        "stock_keeping_units",
        "supporting_document_templates",
        "address_verifications",
        "emergency_verifications",
    }
)


@dataclass(frozen=True, order=True)
class Ref:
    """A resource identifier: ``{"type": ..., "id": ...}``."""

    type: str
    id: str

    def to_json(self) -> JsonDict:
        return {"type": self.type, "id": self.id}


Relationship: TypeAlias = Ref | list[Ref] | None


@dataclass(frozen=True, eq=False)
class Resource:
    """One JSON:API resource object in the canonical shape.

    ``relationships`` holds identifiers from ``data``; a relationship DIDWW sent with links only
    is None (to-one) or [] (to-many) and is absent from ``loaded_relationships``.
    """

    type: str
    id: str
    attributes: dict[str, Any] = field(default_factory=dict)
    relationships: dict[str, Relationship] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    loaded_relationships: frozenset[str] = frozenset()
    _index: Mapping[tuple[str, str], Resource] = field(
        default_factory=lambda: MappingProxyType({}), repr=False, compare=False
    )

    @property
    def ref(self) -> Ref:
        return Ref(self.type, self.id)

    def related(self, name: str) -> Resource | list[Resource] | None:
        """Side-loaded related object(s) for ``name``, resolved from the document's ``included``.

        Identifiers the document did not include are skipped (lists) or give None (to-one).
        """
        value = self.relationships.get(name)
        if value is None:
            return [] if name in TO_MANY_RELATIONSHIPS else None
        if isinstance(value, Ref):
            return self._index.get((value.type, value.id))
        return [r for r in (self._index.get((v.type, v.id)) for v in value) if r is not None]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Resource):
            return NotImplemented
        return (self.type, self.id, self.attributes, self.relationships, self.meta) == (
            other.type,
            other.id,
            other.attributes,
            other.relationships,
            other.meta,
        )

    __hash__ = None  # type: ignore[assignment]


def _ref(raw: Any) -> Ref | None:
    if isinstance(raw, Mapping) and raw.get("type") is not None and raw.get("id") is not None:
        return Ref(str(raw["type"]), str(raw["id"]))
    return None


def parse_relationship(name: str, raw: Any) -> tuple[Relationship, bool]:
    """Return (value, loaded): loaded is False when DIDWW sent links only."""
    if not isinstance(raw, Mapping) or "data" not in raw:
        return ([] if name in TO_MANY_RELATIONSHIPS else None), False
    data = raw["data"]
    if data is None:
        return None, True
    if isinstance(data, list):
        return [r for r in (_ref(d) for d in data) if r is not None], True
    return _ref(data), True


def _resource(raw: Mapping[str, Any], index: Mapping[tuple[str, str], Resource]) -> Resource:
    rels: dict[str, Relationship] = {}
    loaded: set[str] = set()
    for name, value in (raw.get("relationships") or {}).items():
        rels[name], was_loaded = parse_relationship(name, value)
        if was_loaded:
            loaded.add(name)
    return Resource(
        type=str(raw.get("type")),
        id=str(raw.get("id")),
        attributes=dict(raw.get("attributes") or {}),
        relationships=rels,
        meta=dict(raw.get("meta") or {}),
        loaded_relationships=frozenset(loaded),
        _index=index,
    )


@dataclass(frozen=True)
class Document:
    """A parsed response document: primary data plus top-level meta and links."""

    data: Resource | list[Resource] | None
    meta: dict[str, Any]
    links: dict[str, Any]
    included: list[Resource]

    @property
    def resources(self) -> list[Resource]:
        if self.data is None:
            return []
        return self.data if isinstance(self.data, list) else [self.data]


def parse_document(doc: Mapping[str, Any]) -> Document:
    """Parse a (canonical) response document; every resource can resolve ``related()``."""
    index: dict[tuple[str, str], Resource] = {}
    frozen_index = MappingProxyType(index)  # filled below; resources share this live view
    raw_data = doc.get("data")
    raw_primary = raw_data if isinstance(raw_data, list) else ([raw_data] if isinstance(raw_data, Mapping) else [])
    included = [_resource(r, frozen_index) for r in doc.get("included") or [] if isinstance(r, Mapping)]
    primary = [_resource(r, frozen_index) for r in raw_primary]
    for r in [*included, *primary]:
        index[(r.type, r.id)] = r
    data: Resource | list[Resource] | None = primary if isinstance(raw_data, list) else None
    if not isinstance(raw_data, list) and primary:
        data = primary[0]
    return Document(data=data, meta=dict(doc.get("meta") or {}), links=dict(doc.get("links") or {}), included=included)


def relationship_to_json(value: Ref | Sequence[Ref] | Resource | None) -> JsonDict:
    """``{"data": ...}`` for a relationship: None clears a to-one, [] clears a to-many."""
    if value is None:
        return {"data": None}
    if isinstance(value, Resource):
        return {"data": value.ref.to_json()}
    if isinstance(value, Ref):
        return {"data": value.to_json()}
    items = [v.ref if isinstance(v, Resource) else v for v in value]
    if not all(isinstance(v, Ref) for v in items):
        raise TypeError("a to-many relationship must be a list of Ref")
    return {"data": [v.to_json() for v in items]}


def resource_document(
    type_: str,
    attributes: Mapping[str, Any] | None = None,
    relationships: Mapping[str, Ref | Sequence[Ref] | None] | None = None,
    id_: str | None = None,
) -> JsonDict:
    """A request document for POST (no id) or PATCH (with id)."""
    data: JsonDict = {"type": type_}
    if id_ is not None:
        data["id"] = id_
    if attributes:
        data["attributes"] = dict(attributes)
    if relationships:
        data["relationships"] = {k: relationship_to_json(v) for k, v in relationships.items()}
    return {"data": data}


# -- polymorphic nested attributes -------------------------------------------------------------


def nested(type_: str, attributes: Mapping[str, Any] | None = None, /, **kw: Any) -> JsonDict:
    """A ``{"type", "attributes"}`` object as used by trunk configuration, order items, auth methods."""
    return {"type": type_, "attributes": {**(attributes or {}), **kw}}


def sip_configuration(**attributes: Any) -> JsonDict:
    return nested("sip_configurations", attributes)


def pstn_configuration(dst: str, **attributes: Any) -> JsonDict:
    return nested("pstn_configurations", attributes, dst=dst)


def did_order_item(sku_id: str, qty: int = 1, **attributes: Any) -> JsonDict:
    """Order ``qty`` numbers of a SKU (optionally ``billing_cycles_count``, ``prorate_days_qty``)."""
    return nested("did_order_items", attributes, sku_id=sku_id, qty=qty)


def available_did_order_item(sku_id: str, available_did_id: str, **attributes: Any) -> JsonDict:
    return nested("did_order_items", attributes, sku_id=sku_id, available_did_id=available_did_id)


def reservation_order_item(sku_id: str, did_reservation_id: str, **attributes: Any) -> JsonDict:
    return nested("did_order_items", attributes, sku_id=sku_id, did_reservation_id=did_reservation_id)


def nanpa_order_item(sku_id: str, nanpa_prefix_id: str, qty: int = 1, **attributes: Any) -> JsonDict:
    return nested("did_order_items", attributes, sku_id=sku_id, nanpa_prefix_id=nanpa_prefix_id, qty=qty)


def capacity_order_item(capacity_pool_id: str, qty: int, **attributes: Any) -> JsonDict:
    return nested("capacity_order_items", attributes, capacity_pool_id=capacity_pool_id, qty=qty)


def authentication_method(type_: str, **attributes: Any) -> JsonDict:
    """Voice OUT trunk ``authentication_method`` (``credentials_and_ip``, ``twilio``, ``ip_only``)."""
    return nested(type_, attributes)


def refs(type_: str, ids: Iterable[str]) -> list[Ref]:
    return [Ref(type_, i) for i in ids]
