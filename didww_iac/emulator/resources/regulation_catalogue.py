"""The seeded regulation catalogue and its read-only types: proof types, supporting document
templates, areas and the address requirements of the DID groups that need registration
(``address_requirements``; ``requirements`` until 2022-05-10, with capitalised values: Any,
Personal, WorldWide, Country, ...).

Names follow DIDWW's documentation (the proof types listed under "Regulation Resources", the
templates of the recorded lists). A requirement exists per country and DID group type that has a
group with ``needs_registration`` (catalogue.py links those groups to it); the German one follows
the recorded "German Local DID" requirement, the French one differs on purpose (area level
``area``, mandatory fields, a one-time LOI for companies, a service description). Ids are UUID5s
of (seed, type, natural key), like the rest of the catalogue; the requirement's id is the same
under its 2022-05-10 name ``requirements``.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from typing import Any

from didww_iac.emulator.behaviour import Behaviour
from didww_iac.emulator.resources.catalogue import COUNTRIES, GROUPS, REGIONS, record_id
from didww_iac.emulator.resources.common import V2022, V2026
from didww_iac.emulator.schema import Attr, Filter, Record, Relationship, ResourceType, SeedOptions

ADDRESS, PERSONAL, BUSINESS = "Address", "Personal", "Business"
# entity_type -> proof type names, in DIDWW's order.
PROOF_TYPE_NAMES: dict[str, tuple[str, ...]] = {
    ADDRESS: ("Copy of Phone Bill", "Utility Bill", "Rental Receipt", "Other"),
    PERSONAL: ("Drivers License", "National ID", "Passport", "Residence Permit", "Visa", "Other"),
    BUSINESS: (
        "Business Registration Certificate / Incorporation Certificate",
        "Trade License",
        "Excerpt from the commercial register",
        "Residence Permit",
        "Other",
    ),
}
# name -> permanent
TEMPLATES: dict[str, bool] = {
    "Generic LOI": False,
    "LOI Example": False,
    "Brazilian DIDWW LOA": False,
    "Germany Registration Form": True,
    "Germany Special Registration Form": True,
    "Belgium Registration Form": True,
}
_INCORPORATION = PROOF_TYPE_NAMES[BUSINESS][0]


@dataclass(frozen=True)
class RequirementSpec:
    iso: str
    group_type: str
    identity_type: str  # any, personal or business
    personal_area_level: str | None  # world_wide or country (None: personal identities not accepted)
    business_area_level: str | None
    address_area_level: str  # world_wide, country, area or city
    personal_proofs: tuple[str, ...]
    business_proofs: tuple[str, ...]
    address_proofs: tuple[str, ...]
    restriction_message: str
    personal_proof_qty: int = 1
    business_proof_qty: int = 1
    address_proof_qty: int = 1
    personal_mandatory_fields: tuple[str, ...] | None = None
    business_mandatory_fields: tuple[str, ...] | None = None
    service_description_required: bool = False
    # Template names.
    personal_permanent_document: str | None = None
    business_permanent_document: str | None = None
    personal_onetime_document: str | None = None
    business_onetime_document: str | None = None


REQUIREMENT_SPECS = (
    RequirementSpec(
        "DE",
        "Local",
        identity_type="any",
        personal_area_level="world_wide",
        business_area_level="country",
        address_area_level="city",
        personal_proofs=("National ID", "Passport"),
        business_proofs=(_INCORPORATION, "Excerpt from the commercial register"),
        address_proofs=PROOF_TYPE_NAMES[ADDRESS],
        business_mandatory_fields=("country",),
        personal_permanent_document="Germany Registration Form",
        business_permanent_document="Germany Registration Form",
        restriction_message=(
            "German Local DID End User address requirements:\r\n"
            "* Personal identity: name, contact phone number, passport or ID copy, Germany registration form\r\n"
            "* Business identity: name, company name, German company incorporation certificate copy, "
            "Germany registration form\r\n"
            "* Address matching the DID area code and a utility bill less than 6 months old\r\n"
        ),
    ),
    RequirementSpec(
        "FR",
        "Local",
        identity_type="any",
        personal_area_level="world_wide",
        business_area_level="world_wide",
        address_area_level="area",
        personal_proofs=("Drivers License", "National ID", "Passport"),
        business_proofs=(_INCORPORATION, "Trade License"),
        address_proofs=("Utility Bill", "Rental Receipt"),
        personal_mandatory_fields=("birth_date",),
        business_mandatory_fields=("company_reg_number",),
        service_description_required=True,
        business_onetime_document="Generic LOI",
        restriction_message=(
            "French Local DID End User address requirements:\r\n"
            "* Personal identity: name, birth date, contact phone number, ID copy\r\n"
            "* Business identity: company name and registration number, incorporation certificate, signed LOI\r\n"
            "* Address in the region of the DID's area code and a utility bill or rental receipt\r\n"
            "* A description of the service the numbers are used for\r\n"
        ),
    ),
)


def requirement_key(iso: str, group_type: str) -> str:
    """The natural key of a requirement; catalogue.py links DID groups with the same key."""
    return f"{iso}:{group_type}"


def _check_coverage() -> None:
    """Every DID group that needs registration has its requirement (else its link would dangle)."""
    declared = {(r.iso, r.group_type) for r in REQUIREMENT_SPECS}
    missing = {(g.iso, g.group_type) for g in GROUPS if g.needs_registration} - declared
    assert not missing, f"DID groups need a requirement: {sorted(missing)}"


_check_coverage()


class _Builder:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.out: dict[str, list[Record]] = {}

    def id(self, type_name: str, key: str) -> str:
        return record_id(self.seed, type_name, key)

    def add(self, type_name: str, key: str, attributes: dict[str, object], **rels: object) -> Record:
        record = Record(type_name, self.id(type_name, key), 0, attributes, dict(rels))
        self.out.setdefault(type_name, []).append(record)
        return record

    def build(self) -> dict[str, list[Record]]:
        for entity_type, names in PROOF_TYPE_NAMES.items():
            for name in names:
                self.add("proof_types", f"{entity_type}:{name}", {"name": name, "entity_type": entity_type})
        for name, permanent in TEMPLATES.items():
            token = hashlib.sha256(f"{self.seed}:{name}".encode()).hexdigest()[:28]
            url = f"https://api.didww.com/storage/public/{token}"
            self.add("supporting_document_templates", name, {"name": name, "permanent": permanent, "url": url})
        for iso, region, *_ in REGIONS:
            self.add("areas", f"{iso}:{region}", {"name": region}, country=self.id("countries", iso))
        for spec in REQUIREMENT_SPECS:
            # The same id under both names (requirements until 2022-05-10), as DIDWW renamed the type.
            for type_name in ("address_requirements", "requirements"):
                self._requirement(type_name, spec)
        return self.out

    def _requirement(self, type_name: str, spec: RequirementSpec) -> None:
        attributes: dict[str, object] = {
            "identity_type": spec.identity_type,
            "personal_area_level": spec.personal_area_level,
            "business_area_level": spec.business_area_level,
            "address_area_level": spec.address_area_level,
            "personal_proof_qty": spec.personal_proof_qty if spec.personal_area_level else 0,
            "business_proof_qty": spec.business_proof_qty if spec.business_area_level else 0,
            "address_proof_qty": spec.address_proof_qty,
            "personal_mandatory_fields": _listed(spec.personal_mandatory_fields),
            "business_mandatory_fields": _listed(spec.business_mandatory_fields),
            "service_description_required": spec.service_description_required,
            "restriction_message": spec.restriction_message,
        }
        templates = {
            name: self.id("supporting_document_templates", template) if template else None
            for name, template in (
                ("personal_permanent_document", spec.personal_permanent_document),
                ("business_permanent_document", spec.business_permanent_document),
                ("personal_onetime_document", spec.personal_onetime_document),
                ("business_onetime_document", spec.business_onetime_document),
            )
        }
        record = Record(
            type_name,
            self.id("address_requirements", requirement_key(spec.iso, spec.group_type)),
            0,
            attributes,
            {
                "country": self.id("countries", spec.iso),
                "did_group_type": self.id("did_group_types", spec.group_type),
                **templates,
                "personal_proof_types": self._proof_types(PERSONAL, spec.personal_proofs),
                "business_proof_types": self._proof_types(BUSINESS, spec.business_proofs),
                "address_proof_types": self._proof_types(ADDRESS, spec.address_proofs),
            },
        )
        self.out.setdefault(type_name, []).append(record)

    def _proof_types(self, entity_type: str, names: tuple[str, ...]) -> list[str]:
        for name in names:
            assert name in PROOF_TYPE_NAMES[entity_type], (entity_type, name)
        return [self.id("proof_types", f"{entity_type}:{name}") for name in names]


def _listed(fields: tuple[str, ...] | None) -> list[str] | None:
    return list(fields) if fields is not None else None


@functools.lru_cache(maxsize=8)
def _catalogue(seed: int) -> dict[str, list[Record]]:
    assert {iso for iso, *_ in COUNTRIES} >= {r.iso for r in REQUIREMENT_SPECS}
    return _Builder(seed).build()


def seeded(type_name: str) -> functools.partial[list[Record]]:
    """The ``seed`` callable of one regulation catalogue type."""
    return functools.partial(_records_of, type_name)


def _records_of(type_name: str, options: SeedOptions) -> list[Record]:
    # The account copies seeded records before storing them, so the cache is never mutated.
    return list(_catalogue(options.seed).get(type_name, []))


def _read(name: str, kind: Any = "string") -> Attr:
    return Attr(name, kind=kind, writable=False)


# -- the types -------------------------------------------------------------------------

PROOF_TYPES = ResourceType(
    name="proof_types",
    attributes=(_read("name"), _read("entity_type")),
    filters=(Filter("entity_type", "entity_type", case_insensitive=True),),
    sorts=("entity_type", "name"),
    read_only=True,
    seed=seeded("proof_types"),
)

SUPPORTING_DOCUMENT_TEMPLATES = ResourceType(
    name="supporting_document_templates",
    attributes=(_read("name"), _read("permanent", "boolean"), _read("url")),
    filters=(
        Filter("permanent", "permanent"),
        Filter("name", "name"),
        Filter("name_contains", "name", contains=True),
    ),
    sorts=("name", "permanent"),
    read_only=True,
    seed=seeded("supporting_document_templates"),
)

AREAS = ResourceType(
    name="areas",
    attributes=(_read("name"),),
    relationships=(Relationship("country", "countries", writable=False),),
    # Changelog 2022-05-10: "/v3/areas filtering by name is case insensitive".
    filters=(Filter("name", "name", case_insensitive=True), Filter("country.id", "country.id")),
    sorts=("name",),
    read_only=True,
    page_size=1000,
    max_page_size=1000,
    seed=seeded("areas"),
)

# 2022-05-10 spellings of the requirement values (Changelog 2026-04-16).
_LEVELS_2022 = {"world_wide": "WorldWide", "country": "Country", "area": "Area", "city": "City"}
_LEVELS = ("personal_area_level", "business_area_level", "address_area_level")


class RequirementBehaviour(Behaviour):
    def render_value(self, version: str, attr: Attr, value: Any) -> Any:
        if version > V2022 or not isinstance(value, str):
            return value
        if attr.name == "identity_type":
            return value.capitalize()
        return _LEVELS_2022.get(value, value) if attr.name in _LEVELS else value


def _requirement_type(name: str, since: str | None = None, until: str | None = None) -> ResourceType:
    templates = "supporting_document_templates"
    return ResourceType(
        name=name,
        attributes=(
            _read("identity_type"),
            *(_read(level) for level in _LEVELS),
            _read("personal_proof_qty", "integer"),
            _read("business_proof_qty", "integer"),
            _read("address_proof_qty", "integer"),
            _read("personal_mandatory_fields", "string_list"),
            _read("business_mandatory_fields", "string_list"),
            _read("service_description_required", "boolean"),
            _read("restriction_message"),
        ),
        relationships=(
            Relationship("country", "countries", writable=False),
            Relationship("did_group_type", "did_group_types", writable=False),
            Relationship("personal_permanent_document", templates, writable=False),
            Relationship("business_permanent_document", templates, writable=False),
            Relationship("personal_onetime_document", templates, writable=False),
            Relationship("business_onetime_document", templates, writable=False),
            Relationship("personal_proof_types", "proof_types", to_many=True, writable=False),
            Relationship("business_proof_types", "proof_types", to_many=True, writable=False),
            Relationship("address_proof_types", "proof_types", to_many=True, writable=False),
        ),
        filters=(Filter("country.id", "country.id"), Filter("did_group_type.id", "did_group_type.id")),
        sorts=(
            "address_proof_qty",
            "business_proof_qty",
            "personal_proof_qty",
            "restriction_message",
            "service_description_required",
        ),
        read_only=True,
        behaviour=RequirementBehaviour(),
        seed=seeded(name),
        since=since,
        until=until,
    )


ADDRESS_REQUIREMENTS = _requirement_type("address_requirements", since=V2026)
REQUIREMENTS = _requirement_type("requirements", until=V2022)
