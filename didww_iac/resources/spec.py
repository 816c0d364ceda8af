"""Per-resource facts, declared as data.

Every DIDWW resource type the tool manages is described by one `ResourceSpec`: which properties
it has, how each maps to the API (attribute, to-one or to-many relationship), which the user may
write, which force a replacement and which the server sets; and how an entry of the stack file
maps to those properties (`mapping.py` reads that part, in both directions). The shared provider
in `provider.py` reads these declarations; no resource module branches on its own type.

The declarations themselves are in `didww_iac/resource_types/`, which imports no Pulumi, so the
stack loader reads them too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from pydantic import BaseModel

# Input that names an existing DIDWW id to adopt instead of creating (Pulumi cannot import into
# dynamic providers, pulumi/pulumi#16175). The stack file's key has the same name.
ADOPT_ID = "adopt_id"


class Kind(Enum):
    ATTRIBUTE = "attribute"
    TO_ONE = "to_one"
    TO_MANY = "to_many"


@dataclass(frozen=True)
class Lookup:
    """A to-one relationship to one of DIDWW's catalogue records (a country, a proof type, a POP),
    declared by what people call it (`DE`, `Passport`) rather than by its id: the property holds
    that value, and the provider finds the id in the listing of `api_type` by `attribute`."""

    api_type: str
    attribute: str
    # Where names repeat (DIDWW has an "Other" proof type for addresses, persons and companies),
    # the attribute that tells them apart: "Personal/Other" names one of them.
    qualifier: str | None = None


@dataclass(frozen=True)
class FieldSpec:
    """One property of a resource, named as the API names it (Pulumi property = API name)."""

    name: str
    kind: Kind = Kind.ATTRIBUTE
    # The JSON:API type a relationship points to.
    related_type: str | None = None
    # False: server-set. Never sent, never diffed, always refreshed into outputs.
    writable: bool = True
    # A change means another DIDWW resource (a DID entry pointed at a different number): the
    # entry is replaced, so the new one is adopted and the old one released as on delete.
    replace_on_change: bool = False
    # For nested objects such as a trunk's `configuration`: a change of this key inside the
    # object forces a replacement (the API does not switch a trunk from SIP to PSTN in place).
    replace_on_nested_key: str | None = None
    # Sent on create only; DIDWW cannot change it afterwards (an order's items). A later change
    # is refused before anything is sent, with `create_only_hint` telling the user what to do.
    create_only: bool = False
    create_only_hint: str = ""
    # A setting of the tool itself (what to do on delete, how long to wait): never sent,
    # changing it only updates the state.
    local: bool = False
    # DIDWW refuses a second resource with the same value in the account (a trunk's name), so a
    # replacement made before its predecessor is deleted needs the predecessor to give it up.
    unique: bool = False
    # DIDWW's listing of the type takes `filter[<name>]` for this setting (a trunk's name does,
    # a trunk group's does not), so one resource can be looked for without listing them all.
    filterable: bool = False
    # Outputs keep the declared value rather than DIDWW's (which comes back in another shape).
    kept_from_input: bool = False
    # Nested keys holding credentials (a SIP auth password). When the stack declares one, the
    # whole field is stored as a Pulumi secret; otherwise it stays readable for diffs and drift.
    secret_keys: frozenset[str] = frozenset()

    # DIDWW fills credentials into the field itself (a voice out trunk's generated SIP password):
    # always stored as a secret.
    always_secret: bool = False
    # A money amount: DIDWW answers "3000.0" for a declared "3000.00"; compared as decimals.
    decimal: bool = False
    # The value identifies one existing resource: the one whose API attribute or to-one
    # relationship of this name holds it (a capacity pool's `name`, the number a reservation
    # holds). An adopt-only type is found this way; other types use it to find what a create
    # that failed midway (or a hand-made twin) left in DIDWW, instead of making a duplicate.
    finds_by: str | None = None
    # A to-one relationship declared by a catalogue record's name (see `Lookup`).
    lookup: Lookup | None = None

    def holds_secret(self, declared: object) -> bool:
        if self.always_secret:
            return True
        attributes = declared.get("attributes") if isinstance(declared, dict) else None
        return isinstance(attributes, dict) and any(attributes.get(k) is not None for k in self.secret_keys)


# --- how a stack entry maps to properties -----------------------------------------------------
# A key of the stack entry that is declared nowhere below is its property's name, value for value
# (`name`, `capacity_limit`, `adopt_id`, `on_delete`). These say how the other keys map.


@dataclass(frozen=True)
class Renamed:
    """The key holds its property's value under another name (a number's `capacity_pool_id` is
    the `capacity_pool` relationship; a pool's `name` is what it is looked up by)."""

    key: str
    prop: str


@dataclass(frozen=True)
class Reference:
    """The key holds the logical name of an entry of `section` (or a list of them); the property
    holds that entry's DIDWW id (or the list of ids)."""

    key: str
    prop: str
    section: str


@dataclass(frozen=True)
class ByKind:
    """One of several keys holds a nested object whose kind is the key (a trunk's `sip:` or
    `pstn:`); the property is {"type": <kind>, "attributes": <the object>}."""

    prop: str
    kinds: Mapping[str, str]  # stack key -> nested JSON:API type


@dataclass(frozen=True)
class Tagged:
    """The key holds a nested object naming its kind in `type:` (an outbound trunk's
    `authentication:`); the property is {"type": <type>, "attributes": <the rest>}."""

    key: str
    prop: str


@dataclass(frozen=True)
class Custom:
    """Translated by the type's own code (an order item's kind follows from its keys; a number
    taken from an order is found by the order's numbers and an index); `refers_to` is the
    section whose logical names it holds, if any."""

    key: str
    props: tuple[str, ...]
    refers_to: str | None = None


@dataclass(frozen=True)
class Documents:
    """The key lists files beside the stack file (scans to upload); the property holds each
    one's path and SHA-256, read when the program runs (resources/documents.py)."""

    key: str


StackSetting = Renamed | Reference | ByKind | Tagged | Custom | Documents


@dataclass(frozen=True)
class ResourceSpec:
    """What the shared provider needs to know about one DIDWW resource type."""

    api_type: str
    # Pulumi type token suffix: pulumi-python:dynamic/didww:<pulumi_name>.
    pulumi_name: str
    fields: tuple[FieldSpec, ...]
    # Relationships side-loaded on read so that to-many membership is visible in outputs.
    include: tuple[str, ...] = ()
    # Whether the type carries `external_reference_id` (API 2026-04-16), used to make creates
    # idempotent and to adopt resources that already exist.
    has_external_reference_id: bool = True
    # The property shown as the resource's name in summaries (name, number, reference).
    display: str = "name"
    # Reads are answered from one listing of the collection per run (see live_index.py). For
    # types whose accounts hold far more resources than a stack manages, the most pages that
    # listing may cost; past it, reads fall back to one GET per resource.
    listing_page_budget: int | None = None
    # DIDWW has no POST and no DELETE for the type (capacity pools): create adopts an existing
    # resource (by `adopt_id` or by its `finds_by` field) and applies the declared settings;
    # delete only stops managing it and leaves it in DIDWW as it is.
    adopt_only: bool = False
    # DIDWW has no DELETE for the type (an address verification is a request to DIDWW's
    # compliance team, kept as history): removing the entry stops managing it, with a warning.
    deletable: bool = True
    # What DIDWW's DELETE does, where it is not a plain deletion (the plan shows it).
    delete_effect: str | None = None
    # A replacement removes the old resource before making the new one: the old one holds what
    # the new one needs (a reservation holds its number until it is deleted).
    delete_before_replace: bool = False
    # The stack file's model of an entry (stack/schema.py) and how its keys map to properties.
    entry_model: type[BaseModel] | None = None
    settings: tuple[StackSetting, ...] = ()
    # The stack file can bring existing resources of this type under management (`import`).
    importable: bool = False
    field_index: dict[str, FieldSpec] = field(init=False, repr=False, compare=False)
    setting_index: dict[str, StackSetting] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "field_index", {f.name: f for f in self.fields})
        index: dict[str, StackSetting] = {}
        for setting in self.settings:
            for key in setting.kinds if isinstance(setting, ByKind) else (setting.key,):
                index[key] = setting
        object.__setattr__(self, "setting_index", index)

    @property
    def finder(self) -> FieldSpec | None:
        """The field that identifies an existing resource (see `FieldSpec.finds_by`)."""
        return next((f for f in self.fields if f.finds_by is not None), None)

    @property
    def writable_fields(self) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if f.writable)

    @property
    def sent_fields(self) -> tuple[FieldSpec, ...]:
        """What DIDWW receives on a write."""
        return tuple(f for f in self.fields if f.writable and not f.local)

    @property
    def output_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)
