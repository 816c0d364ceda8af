"""Regulation Resources: identities, addresses, their proofs and permanent supporting documents,
and requirement validations. The seeded catalogue they are checked against (proof types,
templates, areas, address requirements) is in regulation_catalogue.py; address verifications,
the part DIDWW reviews, in regulation_verifications.py; the rules in regulation_rules.py.

As recorded, per version:
- identities: POST/PATCH/DELETE; ``identity_type`` personal/business (2022-05-10: Personal/
  Business) is set on create only; a business identity needs ``company_name`` and ``country``.
  2026-04-16 adds ``contact_email`` and ``birth_country``. Deleting an identity that still has
  addresses is refused with 409 Conflict (DIDWW's documented "Other Responses" of Delete
  Identity); otherwise its proofs and documents go with it.
- addresses: POST/PATCH/DELETE; ``identity`` and ``country`` are set on create only. ``city``
  and ``area`` are server-set: the seeded city of that name in that country and the area of its
  region (how the emulator places an address for the area/city levels of a requirement).
- proofs and permanent_supporting_documents: POST and DELETE; GET only from 2026-04-16
  (Changelog: "read endpoints added"); no PATCH (the collections record none). A proof's
  ``entity`` is an identity or an address, and its proof type must be for that kind of entity; a
  document's template must be permanent. ``files`` (encrypted_files, each existing and not
  expired) are write-only: what each file holds is copied onto the record for the review, and
  the file is marked attached so it outlives its 24 hours.
- address_requirement_validations (2026-04-16) are requirement_validations until 2022-05-10
  (relationship ``address_requirement`` / ``requirement``). A validation is not stored: 201 with
  a fresh id when the identity and/or address meet the requirement, else 422 with what is missing.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from didww_iac.emulator import errors
from didww_iac.emulator.behaviour import AccountOps, AccountView, Behaviour
from didww_iac.emulator.clock import parse_iso
from didww_iac.emulator.coerce import BLANK
from didww_iac.emulator.errors import FieldError
from didww_iac.emulator.resources.common import V2022, V2026, created_at, external_reference_id
from didww_iac.emulator.resources.regulation_rules import (
    address_problems,
    data_errors,
    identity_kind,
    identity_problems,
)
from didww_iac.emulator.schema import (
    Attr,
    DefaultContext,
    Filter,
    Operation,
    Record,
    Relationship,
    ResourceType,
)

# The operations of proofs and documents: reads only from 2026-04-16.
_WRITE_THEN_READ: frozenset[Operation] = frozenset({"list", "show", "create", "delete"})
_READS_SINCE_2026: dict[Operation, str] = {"list": V2026, "show": V2026}


def _read(name: str, kind: Any = "string", **kw: Any) -> Attr:
    return Attr(name, kind=kind, writable=False, **kw)


def _exact_and_contains(*names: str) -> tuple[Filter, ...]:
    return tuple(f for n in names for f in (Filter(n, n), Filter(f"{n}_contains", n, contains=True)))


def refuse_relationships(existing: Record | None, given: set[str]) -> None:
    """Relationships set on create only: naming one in a PATCH is a 400, like create-only attributes."""
    if existing is not None and given:
        raise errors.param_not_allowed(sorted(given)[0])


def _conflict(detail: str) -> errors.ApiError:
    return errors.ApiError(409, [{"title": "Conflict", "detail": detail, "code": "409", "status": "409"}])


# -- encrypted files attached to a record ---------------------------------------------------------


def _expired(file: Record, now: float) -> bool:
    due = file.internal.get("expires")
    if due is None:
        stamp = file.attributes.get("expires_at") or file.attributes.get("expire_at")
        due = parse_iso(stamp) if isinstance(stamp, str) else None
    return due is not None and now >= float(due)


def attach_files(ops: AccountOps, record: Record, name: str) -> None:
    """Copy what the linked encrypted files hold onto ``record.internal[name]`` (write-only: the
    relationship itself is left empty) and mark the files attached; 422 for an expired file."""
    ids = [str(i) for i in record.relationships.get(name) or []]
    files = [ops.find("encrypted_files", i) for i in ids]
    now = ops.now()
    if any(f is None or _expired(f, now) for f in files):
        raise errors.validation_error([FieldError(f"/data/relationships/{name}", name, "is expired")])
    copies = []
    for file in files:
        assert file is not None
        file.internal["attached"] = True
        ops.save(file)
        copies.append({"id": file.id, "content_kind": file.internal.get("content_kind", "other")})
    record.internal[name] = copies
    record.relationships[name] = []


def _files(name: str) -> Relationship:
    return Relationship(name, "encrypted_files", to_many=True, required=name == "files", write_only=True)


# -- identities -----------------------------------------------------------------------------------


class IdentityBehaviour(Behaviour):
    def translate_input(
        self, version: str, attributes: dict[str, Any], existing: Record | None, ctx: DefaultContext
    ) -> dict[str, Any]:
        translated = dict(attributes)
        kind = translated.get("identity_type")
        if version <= V2022 and isinstance(kind, str):
            translated["identity_type"] = kind.lower()  # "Personal" in 2022-05-10
        birth = translated.get("birth_date")
        if isinstance(birth, str):
            # A date column: text that is not a date is stored as null (the recorded create sends
            # "birth_date": "string" and answers null).
            try:
                translated["birth_date"] = date.fromisoformat(birth[:10]).isoformat()
            except ValueError:
                translated["birth_date"] = None
        return translated

    def render_value(self, version: str, attr: Attr, value: Any) -> Any:
        if version <= V2022 and attr.name == "identity_type" and isinstance(value, str):
            return value.capitalize()
        return value

    def validate(self, account: AccountView, record: Record, existing: Record | None) -> list[FieldError]:
        if record.attributes.get("identity_type") != "business":
            return []
        problems = []
        if record.attributes.get("company_name") in (None, ""):
            problems.append(FieldError("/data/attributes/company_name", "company_name", BLANK))
        if record.relationships.get("country") is None:
            problems.append(FieldError("/data/relationships/country", "country", BLANK))
        return problems

    def delete(self, ops: AccountOps, record: Record) -> bool:
        addresses = ops.count_matching("addresses", "identity.id", [record.id])
        if addresses:
            raise _conflict(f"Identity has {addresses} address(es) and can't be deleted; delete them first")
        for proof in ops.matching("proofs", "entity.id", [record.id]):
            ops.remove(proof.type, proof.id)
        for document in ops.matching("permanent_supporting_documents", "identity.id", [record.id]):
            ops.remove(document.type, document.id)
        return False  # the identity itself is removed as usual


_IDENTITY_TEXT = (
    "first_name",
    "last_name",
    "phone_number",
    "id_number",
    "company_name",
    "company_reg_number",
    "vat_id",
    "description",
    "personal_tax_id",
)

IDENTITIES = ResourceType(
    name="identities",
    attributes=(
        Attr("first_name", required=True),
        Attr("last_name", required=True),
        Attr("phone_number", required=True),
        Attr("id_number"),
        Attr("birth_date"),
        Attr("company_name"),
        Attr("company_reg_number"),
        Attr("vat_id"),
        Attr("description"),
        Attr("personal_tax_id"),
        Attr("identity_type", required=True, create_only=True, choices=("personal", "business")),
        created_at(),
        Attr("external_reference_id", max_length=100),
        _read("verified", "boolean", default=False),
        Attr("contact_email", since=V2026),
    ),
    relationships=(
        Relationship("country", "countries"),
        Relationship("birth_country", "countries", since=V2026),
        Relationship("proofs", "proofs", to_many=True, inverse="entity", writable=False),
        Relationship("addresses", "addresses", to_many=True, inverse="identity", writable=False),
        Relationship(
            "permanent_documents", "permanent_supporting_documents", to_many=True, inverse="identity", writable=False
        ),
    ),
    filters=(
        *_exact_and_contains(*_IDENTITY_TEXT),
        Filter("birth_date", "birth_date"),
        Filter("identity_type", "identity_type", case_insensitive=True),
        Filter("country.id", "country.id"),
        Filter("external_reference_id", "external_reference_id", since=V2026),
    ),
    sorts=(
        *_IDENTITY_TEXT[:4],
        "birth_date",
        *_IDENTITY_TEXT[4:],
        # Further sort keys the 2026-04-16 OpenAPI lists.
        "contact_email",
        "created_at",
        "external_reference_id",
        "verified",
    ),
    behaviour=IdentityBehaviour(),
)


# -- addresses ------------------------------------------------------------------------------------


def place(account: AccountView, address: Record) -> None:
    """Set ``city`` and ``area`` from the city name and country (None where none is seeded)."""
    country = address.relationships.get("country")
    name = str(address.attributes.get("city_name") or "").casefold()
    city = next(
        (
            c
            for c in account.records("cities")
            if c.relationships.get("country") == country and str(c.attributes.get("name")).casefold() == name
        ),
        None,
    )
    region = account.find("regions", city.relationships.get("region") or "") if city else None
    area = next(
        (
            a
            for a in account.records("areas")
            if region is not None
            and a.relationships.get("country") == country
            and a.attributes.get("name") == region.attributes.get("name")
        ),
        None,
    )
    address.relationships["city"] = city.id if city else None
    address.relationships["area"] = area.id if area else None


class AddressBehaviour(Behaviour):
    def reconcile(
        self, account: AccountView, record: Record, existing: Record | None, given: set[str]
    ) -> list[FieldError]:
        refuse_relationships(existing, given)
        place(account, record)
        return []

    def delete(self, ops: AccountOps, record: Record) -> bool:
        for proof in ops.matching("proofs", "entity.id", [record.id]):
            ops.remove(proof.type, proof.id)
        return False


ADDRESSES = ResourceType(
    name="addresses",
    attributes=(
        Attr("city_name", required=True),
        Attr("postal_code", required=True),
        Attr("address", required=True),
        Attr("description"),
        created_at(),
        _read("verified", "boolean", default=False),
        external_reference_id(),
    ),
    relationships=(
        Relationship("identity", "identities", required=True),
        Relationship("country", "countries", required=True),
        Relationship("proofs", "proofs", to_many=True, inverse="entity", writable=False),
        Relationship("area", "areas", writable=False),
        Relationship("city", "cities", writable=False),
    ),
    filters=(
        *_exact_and_contains("city_name", "postal_code", "address", "description"),
        Filter("identity.id", "identity.id"),
        Filter("country.id", "country.id"),
        Filter("area.id", "area.id"),
        Filter("city.id", "city.id"),
        Filter("external_reference_id", "external_reference_id", since=V2026),
        Filter("identity.external_reference_id", "identity.external_reference_id", since=V2026),
    ),
    sorts=("city_name", "postal_code", "address", "description", "external_reference_id", "created_at", "verified"),
    behaviour=AddressBehaviour(),
)


# -- proofs and permanent supporting documents ----------------------------------------------------


class ProofBehaviour(Behaviour):
    def validate(self, account: AccountView, record: Record, existing: Record | None) -> list[FieldError]:
        entity_id = record.relationships.get("entity")
        proof_type = account.find("proof_types", record.relationships.get("proof_type") or "")
        if entity_id is None or proof_type is None:
            return []  # already reported as blank
        identity = account.find("identities", entity_id)
        # Identity proofs are for the identity's kind; anything else proves an address.
        expected = identity_kind(identity).capitalize() if identity is not None else "Address"
        if proof_type.attributes.get("entity_type") != expected:
            return [FieldError("/data/relationships/proof_type", "proof_type", "is invalid")]
        return []

    def before_create(self, ops: AccountOps, record: Record, version: str) -> None:
        attach_files(ops, record, "files")


PROOFS = ResourceType(
    name="proofs",
    attributes=(
        created_at(),
        _read("expires_at", "datetime"),
        # Not nullable (OpenAPI), as for orders: only addresses and identities take a null.
        external_reference_id(nullable=False),
    ),
    relationships=(
        Relationship("proof_type", "proof_types", required=True),
        Relationship("entity", "identities", also=("addresses",), required=True),
        _files("files"),
    ),
    filters=(Filter("external_reference_id", "external_reference_id", since=V2026),),
    sorts=("created_at", "expires_at", "external_reference_id"),
    operations=_WRITE_THEN_READ,
    operations_since=_READS_SINCE_2026,
    behaviour=ProofBehaviour(),
)


class DocumentBehaviour(Behaviour):
    def validate(self, account: AccountView, record: Record, existing: Record | None) -> list[FieldError]:
        template = account.find("supporting_document_templates", record.relationships.get("template") or "")
        if template is not None and not template.attributes.get("permanent"):
            # A onetime template goes with a verification (onetime_files), not with the identity.
            return [FieldError("/data/relationships/template", "template", "is invalid")]
        return []

    def before_create(self, ops: AccountOps, record: Record, version: str) -> None:
        attach_files(ops, record, "files")


PERMANENT_SUPPORTING_DOCUMENTS = ResourceType(
    name="permanent_supporting_documents",
    attributes=(created_at(), external_reference_id(nullable=False)),
    relationships=(
        Relationship("template", "supporting_document_templates", required=True),
        Relationship("identity", "identities", required=True),
        _files("files"),
    ),
    filters=(Filter("external_reference_id", "external_reference_id", since=V2026),),
    sorts=("created_at", "external_reference_id"),
    operations=_WRITE_THEN_READ,
    operations_since=_READS_SINCE_2026,
    behaviour=DocumentBehaviour(),
)


# -- requirement validations ----------------------------------------------------------------------


class ValidationBehaviour(Behaviour):
    """Check an identity and/or an address against a requirement; nothing is stored."""

    def __init__(self, requirement: str) -> None:
        self.requirement = requirement  # the relationship naming it in this version

    def validate(self, account: AccountView, record: Record, existing: Record | None) -> list[FieldError]:
        if record.relationships.get("identity") is None and record.relationships.get("address") is None:
            return [FieldError("/data/relationships/identity", "identity", BLANK)]
        return []

    def action(self, ops: AccountOps, record: Record) -> Record:
        requirement = ops.find("address_requirements", record.relationships[self.requirement])
        identity = ops.find("identities", record.relationships.get("identity") or "")
        address = ops.find("addresses", record.relationships.get("address") or "")
        assert requirement is not None  # the linkage was checked
        problems = []
        if identity is not None and address is not None and address.relationships.get("identity") != identity.id:
            problems.append("Address must belong to the Identity")
        if identity is not None:
            problems += identity_problems(ops, requirement, identity)
        if address is not None:
            problems += address_problems(ops, requirement, address)
        if problems:
            raise data_errors(problems)
        return Record(record.type, str(uuid.UUID(int=ops.rng.getrandbits(128), version=4)), 0, {}, {})


def _validation_type(
    name: str, requirement: str, target: str, since: str | None = None, until: str | None = None
) -> ResourceType:
    return ResourceType(
        name=name,
        attributes=(),
        relationships=(
            Relationship(requirement, target, required=True),
            Relationship("address", "addresses"),
            Relationship("identity", "identities"),
        ),
        operations=frozenset({"create"}),
        stored=False,
        behaviour=ValidationBehaviour(requirement),
        since=since,
        until=until,
    )


ADDRESS_REQUIREMENT_VALIDATIONS = _validation_type(
    "address_requirement_validations", "address_requirement", "address_requirements", since=V2026
)
REQUIREMENT_VALIDATIONS = _validation_type("requirement_validations", "requirement", "requirements", until=V2022)
