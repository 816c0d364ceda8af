"""What an address requirement asks of an identity, an address and a verification, worded as
DIDWW's recorded 422s word it ("2 Identity Proof(s) (Drivers License, ...) required", "Address
in Germany required", "one-time document is not needed", ...). All of these come with the
pointer ``/data`` and the message alone as title and detail.

Three callers: requirement validations (422 or 201, nothing stored), the creation of an address
verification (the same checks plus the one-time documents and the service description), and the
automatic review (the same again, as things may have changed since, plus what only a reviewer
sees: the address's city or area against the DIDs', and what the uploaded files really are).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from didww_iac.emulator import errors
from didww_iac.emulator.behaviour import AccountView
from didww_iac.emulator.record import Record

# personal_mandatory_fields / business_mandatory_fields values, as DIDWW's table names them.
MANDATORY_LABELS = {
    "birth_date": "Birth Date of a Person",
    "personal_tax_id": "Personal / Representative Tax Number",
    "id_number": "Proof of ID",
    "vat_id": "VAT / TAX Number",
    "company_reg_number": "Company Registration Number",
    "country": "Place of Birth / Country of Incorporation",
}
# "File format for the uploaded documents should be one of the following: JPG, PNG, PDF. Other
# formats will be rejected during the verification process."
ACCEPTED_CONTENT = frozenset({"pdf", "png", "jpeg"})
BAD_FILE = "The uploaded document is not a PDF, PNG or JPEG file"


def data_errors(messages: Sequence[str]) -> errors.ApiError:
    """DIDWW's 422 for rules about the whole request: pointer /data, the message as title and detail."""
    found = [
        {"title": m, "detail": m, "code": "100", "source": {"pointer": "/data"}, "status": "422"} for m in messages
    ]
    return errors.ApiError(422, found)


def unique(messages: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(messages))


def _name(account: AccountView, type_name: str, record_id: Any) -> str:
    found = account.find(type_name, str(record_id or ""))
    return str(found.attributes.get("name")) if found is not None else ""


def identity_kind(identity: Record) -> str:
    return str(identity.attributes.get("identity_type") or "personal")


def _proofs_of(account: AccountView, entity: Record) -> list[Record]:
    return account.matching("proofs", "entity.id", [entity.id])


def _proof_gap(account: AccountView, requirement: Record, entity: Record, kind: str, label: str) -> list[str]:
    wanted = int(requirement.attributes.get(f"{kind}_proof_qty") or 0)
    types = account.related_ids(requirement, f"{kind}_proof_types")
    held = sum(1 for p in _proofs_of(account, entity) if p.relationships.get("proof_type") in types)
    if held >= wanted:
        return []
    names = ", ".join(_name(account, "proof_types", t) for t in types)
    return [f"{wanted} {label} Proof(s) ({names}) required"]


def identity_problems(account: AccountView, requirement: Record, identity: Record) -> list[str]:
    attributes = requirement.attributes
    kind = identity_kind(identity)
    wanted = str(attributes.get("identity_type") or "any")
    if wanted not in ("any", kind):
        return [f"{wanted.capitalize()} Identity required"]
    country_id = requirement.relationships.get("country")
    problems = []
    # The identity's country is its "Place of Birth / Country of Incorporation".
    if attributes.get(f"{kind}_area_level") == "country" and identity.relationships.get("country") != country_id:
        problems.append(f"Identity Place of Birth must be {_name(account, 'countries', country_id)}")
    for field in attributes.get(f"{kind}_mandatory_fields") or []:
        value = identity.relationships.get(field) if field == "country" else identity.attributes.get(field)
        if value in (None, ""):
            problems.append(f"Identity {MANDATORY_LABELS.get(field, field)} required")
    problems += _proof_gap(account, requirement, identity, kind, "Identity")
    template = requirement.relationships.get(f"{kind}_permanent_document")
    documents = account.matching("permanent_supporting_documents", "identity.id", [identity.id])
    if template and not any(d.relationships.get("template") == template for d in documents):
        name = _name(account, "supporting_document_templates", template)
        problems.append(f"Following Supporting Document(s) required ({name})")
    return problems


def address_problems(account: AccountView, requirement: Record, address: Record) -> list[str]:
    problems = []
    country_id = requirement.relationships.get("country")
    level = requirement.attributes.get("address_area_level")
    if level not in (None, "world_wide") and address.relationships.get("country") != country_id:
        problems.append(f"Address in {_name(account, 'countries', country_id)} required")
    problems += _proof_gap(account, requirement, address, "address", "Address")
    return problems


def submission_problems(
    account: AccountView, requirement: Record, identity: Record, onetime_files: Sequence[str], service: Any
) -> list[str]:
    """What only a verification carries: one-time documents and the service description."""
    problems = []
    template = requirement.relationships.get(f"{identity_kind(identity)}_onetime_document")
    if template and not onetime_files:
        problems.append(
            f"Following Onetime Document(s) required ({_name(account, 'supporting_document_templates', template)})"
        )
    if not template and onetime_files:
        problems.append("one-time document is not needed")
    required = bool(requirement.attributes.get("service_description_required"))
    if required and not service:
        problems.append("service description is required")
    if not required and service:
        problems.append("service description is not needed")
    return problems


def placement_problems(
    account: AccountView, requirement: Record, address: Record, groups: Iterable[Record]
) -> list[str]:
    """Area and city levels: "within the locality or region covered by the phone number's prefix"."""
    level = requirement.attributes.get("address_area_level")
    problems = []
    for group in groups:
        if level == "city" and group.relationships.get("city"):
            if address.relationships.get("city") != group.relationships["city"]:
                city = _name(account, "cities", group.relationships["city"])
                problems.append(f"The address must be in {city}, the city of the DIDs")
        elif level == "area" and group.relationships.get("region"):
            region = _name(account, "regions", group.relationships["region"])
            if _name(account, "areas", address.relationships.get("area")) != region:
                problems.append(f"The address must be in {region}, the area of the DIDs")
    return problems


def content_problems(file_sets: Iterable[Sequence[dict[str, Any]]]) -> list[str]:
    """Files as copied onto proofs, documents and verifications: ``{"id", "content_kind"}``."""
    kinds = {f.get("content_kind") for files in file_sets for f in files}
    return [BAD_FILE] if kinds - ACCEPTED_CONTENT else []
