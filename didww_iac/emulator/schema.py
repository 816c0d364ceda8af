"""Declarations of resource types: the data the generic machinery in models.py reads.

A resource type is a name, its attributes (with defaults, validation rules and the API versions
they exist in), its relationships, filters and sort keys, the operations it offers, plus a
``Behaviour`` object (behaviour.py) for the few rules that are not plain data (version
translations, cross-field checks, computed meta, side effects of orders and reservations).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from didww_iac.emulator.behaviour import AccountView, Behaviour
from didww_iac.emulator.record import Record

Kind = Literal[
    "string",
    "integer",
    "boolean",
    "decimal",
    "datetime",
    "string_list",
    "integer_list",
    "ip_list",
    "variant",
    # Any JSON value, checked by the type's behaviour (order items).
    "json",
]


def in_version(since: str | None, until: str | None, version: str) -> bool:
    """``since``/``until`` are inclusive bounds on dated versions (ISO dates compare as strings)."""
    return (since is None or version >= since) and (until is None or version <= until)


@dataclass(frozen=True)
class DefaultContext:
    rng: random.Random
    now: str


@dataclass(frozen=True)
class Attr:
    name: str
    kind: Kind = "string"
    default: Any = None
    default_factory: Callable[[DefaultContext], Any] | None = None
    nullable: bool = True
    required: bool = False
    writable: bool = True
    # Accepted and rendered in some versions but stored in another shape (see Behaviour).
    virtual: bool = False
    # Accepted and stored but never rendered (an order's allow_back_ordering).
    hidden: bool = False
    # Settable on create only; naming it in an update is a 400 (orders: only external_reference_id).
    create_only: bool = False
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    max_items: int | None = None
    choices: tuple[Any, ...] | None = None
    item_choices: tuple[Any, ...] | None = None
    pattern: str | None = None
    lowercase: bool = False
    unique: bool = False
    since: str | None = None
    until: str | None = None
    variants: tuple[Variant, ...] = ()

    def visible_in(self, version: str) -> bool:
        return in_version(self.since, self.until, version)

    def initial(self, ctx: DefaultContext) -> Any:
        if self.default_factory is not None:
            return self.default_factory(ctx)
        # Copy lists so records never share a mutable default.
        return list(self.default) if isinstance(self.default, list) else self.default

    def variant(self, type_name: str) -> Variant | None:
        return next((v for v in self.variants if v.type == type_name), None)


@dataclass(frozen=True)
class Variant:
    """One shape of a polymorphic attribute such as ``configuration``: ``{"type", "attributes"}``."""

    type: str
    attributes: tuple[Attr, ...]
    creatable: bool = True
    updatable: bool = True


@dataclass(frozen=True)
class Relationship:
    name: str
    target: str
    to_many: bool = False
    # A to-many kept as the inverse of the target's to-one (a group's trunks are the trunks whose
    # voice_in_trunk_group points at it), so membership has a single source of truth.
    inverse: str | None = None
    since: str | None = None
    until: str | None = None
    # How DIDWW names an invalid linkage in the 422 (trunk groups say "trunk_ids - are invalid").
    error_name: str | None = None
    error_pointer: str | None = None
    error_message: str = "is invalid"
    # Server-set relationships (a DID's order) are rendered but refused in requests.
    writable: bool = True
    required: bool = False
    # Further types a to-one may point at (a proof's entity: an identity or an address). Only the
    # id is stored: ids are unique across types, so the linked record's type is found by id.
    also: tuple[str, ...] = ()
    # Accepted in requests and stored, never rendered (a proof's files: "copied onto the proof
    # and not returned by reads").
    write_only: bool = False

    def visible_in(self, version: str) -> bool:
        return in_version(self.since, self.until, version)

    @property
    def targets(self) -> tuple[str, ...]:
        return (self.target, *self.also)


Matcher = Callable[[AccountView, Record, list[str]], bool]


@dataclass(frozen=True)
class Filter:
    """``filter[name]=a,b``: records whose value at ``path`` is a or b.

    ``path`` is dotted: "id" is the id, a leading relationship name follows that relationship
    ("did_group.country.id"), anything else reads attributes. ``match`` replaces the comparison
    for filters that are not a plain field (``number_contains``, ``meta.total_count_gteq``).
    """

    name: str
    path: str = ""
    contains: bool = False
    case_insensitive: bool = False
    # "all": a list value must hold every wanted item (did_group.features=voice_in,sms_in).
    all_of: bool = False
    match: Matcher | None = None
    since: str | None = None
    until: str | None = None

    def visible_in(self, version: str) -> bool:
        return in_version(self.since, self.until, version)


Operation = Literal["list", "show", "create", "update", "delete"]
ALL_OPERATIONS: frozenset[Operation] = frozenset({"list", "show", "create", "update", "delete"})
READ_OPERATIONS: frozenset[Operation] = frozenset({"list", "show"})


@dataclass(frozen=True)
class SeedOptions:
    """What a catalogue seed may depend on: the account's seed, its opening balance and the
    numbers in stock per DID group."""

    seed: int = 0
    balance: str = "100.00"
    stock: int = 6


@dataclass(frozen=True)
class ResourceType:
    name: str
    attributes: tuple[Attr, ...]
    relationships: tuple[Relationship, ...] = ()
    filters: tuple[Filter, ...] = ()
    sorts: tuple[str, ...] = ()
    read_only: bool = False
    # None: all operations (or list/show when read_only).
    operations: frozenset[Operation] | None = None
    # Operations that exist only from a version on (order PATCH since 2026-04-16).
    operations_since: Mapping[Operation, str] = field(default_factory=dict)
    paginated: bool = True
    page_size: int = 50
    max_page_size: int = 100
    # Unpaginated collections that still answer at most this many records (available DIDs).
    list_limit: int | None = None
    # A URL segment other than the type name for a one-record endpoint (GET /v3/balance).
    singleton_path: str | None = None
    # Types new in a version (emergency calling in 2026-04-16): older versions answer their
    # paths as unknown (404 "Route not found").
    since: str | None = None
    # Relationships whose linkage data a create answer carries without include (the recorded
    # emergency_verifications 201).
    create_linkage: tuple[str, ...] = ()
    # False for POSTs that are actions, not resources (voice_out_trunk_regenerate_credentials).
    stored: bool = True
    # False for types reached only through include (stock_keeping_units): no /v3/<type> route.
    routable: bool = True
    # Types gone after a version (requirements, renamed address_requirements in 2026-04-16):
    # newer versions answer their paths as unknown, as for ``since``.
    until: str | None = None
    # Served without an API key (public_keys); a key that is sent still counts against its limit.
    public: bool = False
    # POST takes multipart/form-data, not a JSON:API document (encrypted_files): the behaviour's
    # form_input turns the form into the documents to create, form_answer renders the result.
    form_create: bool = False
    include_aliases: Mapping[str, str] = field(default_factory=dict)
    behaviour: Behaviour = field(default_factory=Behaviour)
    # Records present in every account (catalogue data such as POPs), as JSON records.
    seed: Callable[[SeedOptions], Sequence[Record]] | None = None

    def attribute(self, name: str) -> Attr | None:
        return self._attributes_by_name.get(name)

    def relationship(self, name: str) -> Relationship | None:
        return self._relationships_by_name.get(self.include_aliases.get(name, name))

    # Name -> declaration: looked up per rendered relationship (a page of DIDs with includes
    # asked tens of thousands of times per request), so a dict rather than a scan.
    @cached_property
    def _attributes_by_name(self) -> dict[str, Attr]:
        found: dict[str, Attr] = {}
        for a in self.attributes:
            found.setdefault(a.name, a)  # the first declared wins, as the scan did
        return found

    @cached_property
    def _relationships_by_name(self) -> dict[str, Relationship]:
        found: dict[str, Relationship] = {}
        for r in self.relationships:
            found.setdefault(r.name, r)
        return found

    def stored_attributes(self) -> tuple[Attr, ...]:
        return tuple(a for a in self.attributes if not a.virtual)

    def allows(self, operation: Operation, version: str) -> bool:
        allowed = self.operations
        if allowed is None:
            allowed = READ_OPERATIONS if self.read_only else ALL_OPERATIONS
        since = self.operations_since.get(operation)
        return operation in allowed and (since is None or version >= since)

    def visible_in(self, version: str) -> bool:
        return in_version(self.since, self.until, version)

    def filter(self, name: str, version: str) -> Filter | None:
        """A declared filter; ``id`` is always allowed, as jsonapi-resources allows it by default."""
        spec = next((f for f in self.filters if f.name == name and f.visible_in(version)), None)
        if spec is None and name == "id":
            return Filter("id", "id")
        return spec


class Registry:
    def __init__(self, types: Sequence[ResourceType]) -> None:
        self._types = {t.name: t for t in types}
        # URL segment -> type, looked up on every request (the first declared wins, as a scan would).
        self._segments: dict[str, ResourceType] = {}
        for rt in self._types.values():
            if rt.routable:
                self._segments.setdefault(rt.singleton_path or rt.name, rt)

    def get(self, name: str) -> ResourceType | None:
        return self._types.get(name)

    def __iter__(self) -> Iterator[ResourceType]:
        return iter(self._types.values())

    def names(self) -> list[str]:
        return list(self._types)

    def by_segment(self, segment: str) -> ResourceType | None:
        """The type a URL segment names: its name, or its path when it is a singleton (balance)."""
        return self._segments.get(segment)


__all__ = [
    "AccountView",
    "Attr",
    "Behaviour",
    "DefaultContext",
    "Filter",
    "Record",
    "Registry",
    "Relationship",
    "ResourceType",
    "SeedOptions",
    "Variant",
]
