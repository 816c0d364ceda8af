"""Declarations of resource types: the data the generic machinery in models.py reads.

A resource type is a name, its attributes (with defaults, validation rules and the API versions
they exist in), its relationships, filters and sort keys, plus a ``Behaviour`` object for the few
rules that are not plain data (version translations, cross-field checks, computed meta).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from didww_iac.emulator.errors import FieldError

Kind = Literal[
    "string", "integer", "boolean", "decimal", "datetime", "string_list", "integer_list", "ip_list", "variant"
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

    def visible_in(self, version: str) -> bool:
        return in_version(self.since, self.until, version)


@dataclass(frozen=True)
class Filter:
    """``filter[name]=a,b``: records whose value at ``path`` (dotted, "id" for the id) is a or b."""

    name: str
    path: str
    contains: bool = False
    since: str | None = None
    until: str | None = None

    def visible_in(self, version: str) -> bool:
        return in_version(self.since, self.until, version)


@dataclass
class Record:
    type: str
    id: str
    seq: int
    attributes: dict[str, Any]
    relationships: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "id": self.id,
            "seq": self.seq,
            "attributes": self.attributes,
            "relationships": self.relationships,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Record:
        return cls(
            type=data["type"],
            id=data["id"],
            seq=int(data["seq"]),
            attributes=dict(data["attributes"]),
            relationships=dict(data["relationships"]),
        )


class AccountView(Protocol):
    """What behaviours may ask of the account (kept minimal to avoid an import cycle)."""

    def related_ids(self, record: Record, relationship: str) -> list[str]: ...

    def records(self, type_name: str) -> list[Record]: ...


class Behaviour:
    """Per-type rules that are not plain data. The defaults do nothing."""

    def translate_input(
        self, version: str, attributes: dict[str, Any], existing: Record | None, ctx: DefaultContext
    ) -> dict[str, Any]:
        """Map a version's request attributes onto the stored shape."""
        return attributes

    def render_virtual(self, version: str, record: Record, attr: Attr) -> Any:
        return None

    def validate(self, account: AccountView, record: Record, existing: Record | None) -> list[FieldError]:
        return []

    def meta(self, account: AccountView, record: Record) -> dict[str, Any] | None:
        return None


@dataclass(frozen=True)
class ResourceType:
    name: str
    attributes: tuple[Attr, ...]
    relationships: tuple[Relationship, ...] = ()
    filters: tuple[Filter, ...] = ()
    sorts: tuple[str, ...] = ()
    read_only: bool = False
    paginated: bool = True
    include_aliases: Mapping[str, str] = field(default_factory=dict)
    behaviour: Behaviour = field(default_factory=Behaviour)
    # Records present in every account (catalogue data such as POPs), as JSON records.
    seed: Callable[[], Sequence[Record]] | None = None

    def attribute(self, name: str) -> Attr | None:
        return next((a for a in self.attributes if a.name == name), None)

    def relationship(self, name: str) -> Relationship | None:
        name = self.include_aliases.get(name, name)
        return next((r for r in self.relationships if r.name == name), None)

    def stored_attributes(self) -> tuple[Attr, ...]:
        return tuple(a for a in self.attributes if not a.virtual)


class Registry:
    def __init__(self, types: Sequence[ResourceType]) -> None:
        self._types = {t.name: t for t in types}

    def get(self, name: str) -> ResourceType | None:
        return self._types.get(name)

    def __iter__(self) -> Iterator[ResourceType]:
        return iter(self._types.values())

    def names(self) -> list[str]:
        return list(self._types)
