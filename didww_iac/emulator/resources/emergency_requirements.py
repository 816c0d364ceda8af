"""Emergency requirements (new in 2026-04-16): what DIDWW asks of an identity and an address
before it enables emergency calling for numbers of a country and DID group type, and the dry run
that checks a pair against one.

How a client gets there (the "Emergency Resources" folder): read the ``emergency_requirements``
for a number's country and DID group type (``filter[country.id]`` and
``filter[did_group_type.id]``: a DID group names both), validate an identity and an address
against it (``emergency_requirement_validations``, a dry run that stores nothing), then submit an
``emergency_verifications`` (emergency_verifications.py). A requirement's meta carries the
account's emergency prices for those numbers; null where the account has no emergency rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from didww_iac.emulator.behaviour import AccountOps, AccountView, Behaviour
from didww_iac.emulator.resources.catalogue import record_id
from didww_iac.emulator.resources.common import V2026
from didww_iac.emulator.resources.emergency_common import REQUIREMENTS, VALIDATIONS, read_attr, unprocessable
from didww_iac.emulator.schema import Filter, Record, Relationship, ResourceType, SeedOptions

# Mandatory field labels as the recorded requirements spell them -> identity attribute.
IDENTITY_FIELDS = {
    "Birth Date": "birth_date",
    "Contact email": "contact_email",
    "Company ID": "company_reg_number",
    "Personal Tax ID": "personal_tax_id",
    "ID Number": "id_number",
    "VAT ID": "vat_id",
}
# The one address mandatory field the docs list ("area - State / Province / Region"): the
# address's ``area`` relationship.
AREA_LABEL = "State/Province/Region"
# Where the numbers' requirement has no prices: verifications are refused.
NO_RATE = "Emergency Rate not found"


@dataclass(frozen=True)
class RequirementSpec:
    iso: str
    group_type: str
    identity_type: str
    address_area_level: str
    personal_area_level: str | None
    business_area_level: str | None
    address_mandatory_fields: tuple[str, ...]
    personal_mandatory_fields: tuple[str, ...]
    business_mandatory_fields: tuple[str, ...]
    estimate_setup_time: str
    requirement_restriction_message: str | None
    # None: the account has no emergency rate here (meta prices null, verifications refused).
    setup_price: str | None
    monthly_price: str | None


_US_LOCAL_MESSAGE = (
    "USA Local DID emergency registration requirements:\r\n\r\n1. Name, last name and contact phone number.\r\n"
    "2. Current address must be from the same city as the DID ordered (street, building number, postal code, "
    "city).\r\n\r\nEmergency calling will not be activated until full registration details are provided and "
    "approved."
)
_US_TOLL_FREE_MESSAGE = (
    "USA Toll-free DID emergency registration requirements:\r\n\r\n1. Business name and contact phone number.\r\n"
    "2. Current address in the US (street, building number, postal code, city).\r\n\r\nEmergency calling will "
    "not be activated until full registration details are provided and approved."
)

# The recorded US Local, US National (here: Toll-free, the seeded non-local US group) and
# Canada requirements, plus two for the UK: local numbers by area, national ones without a rate.
REQUIREMENT_SPECS = (
    RequirementSpec(
        "US",
        "Local",
        "personal",
        "city",
        "country",
        None,
        (AREA_LABEL,),
        ("Birth Date", "Contact email"),
        (),
        "1-2 business days",
        _US_LOCAL_MESSAGE,
        "0.00",
        "2.50",
    ),
    RequirementSpec(
        "US",
        "Toll-free",
        "business",
        "country",
        None,
        "world_wide",
        (),
        (),
        ("Company ID", "Contact email"),
        "3-5 business days",
        _US_TOLL_FREE_MESSAGE,
        "0.00",
        "2.50",
    ),
    RequirementSpec(
        "CA", "Local", "any", "country", "world_wide", "world_wide", (), (), (), "1-2 business days", None,
        "0.00", "0.20",
    ),
    RequirementSpec(
        "GB", "Local", "any", "area", "world_wide", "world_wide", (AREA_LABEL,), (), (), "3-5 business days", None,
        "0.00", "1.20",
    ),
    RequirementSpec(
        "GB", "National", "any", "country", "world_wide", "world_wide", (), (), (), "3-5 business days", None, None,
        None,
    ),
)  # fmt: skip


def requirement_key(iso_code: str, group_type: str) -> str:
    return f"{iso_code}:{group_type}"


def _seed_requirements(options: SeedOptions) -> list[Record]:
    records = []
    for spec in REQUIREMENT_SPECS:
        attributes = {
            "identity_type": spec.identity_type,
            "address_area_level": spec.address_area_level,
            "personal_area_level": spec.personal_area_level,
            "business_area_level": spec.business_area_level,
            "address_mandatory_fields": list(spec.address_mandatory_fields),
            "personal_mandatory_fields": list(spec.personal_mandatory_fields),
            "business_mandatory_fields": list(spec.business_mandatory_fields),
            "estimate_setup_time": spec.estimate_setup_time,
            "requirement_restriction_message": spec.requirement_restriction_message,
        }
        relationships = {
            "country": record_id(options.seed, "countries", spec.iso),
            "did_group_type": record_id(options.seed, "did_group_types", spec.group_type),
        }
        key = requirement_key(spec.iso, spec.group_type)
        internal = {"setup_price": spec.setup_price, "monthly_price": spec.monthly_price}
        records.append(
            Record(REQUIREMENTS, record_id(options.seed, REQUIREMENTS, key), 0, attributes, relationships, internal)
        )
    return records


def requirement_prices(requirement: Record | None) -> dict[str, Any]:
    internal = requirement.internal if requirement is not None else {}
    return {"setup_price": internal.get("setup_price"), "monthly_price": internal.get("monthly_price")}


def priced(requirement: Record | None) -> bool:
    return requirement is not None and requirement.internal.get("monthly_price") is not None


# -- where numbers are, and what a requirement asks of an identity and an address -------------


@dataclass(frozen=True)
class Place:
    """Where a set of numbers is: the country, DID group type, city and region of their groups."""

    country_id: str | None
    group_type_id: str | None
    city_id: str | None
    region_id: str | None

    @classmethod
    def of(cls, group: Record) -> Place:
        rels = group.relationships
        return cls(rels.get("country"), rels.get("did_group_type"), rels.get("city"), rels.get("region"))

    def to_json(self) -> dict[str, Any]:
        return {"country": self.country_id, "type": self.group_type_id, "city": self.city_id, "region": self.region_id}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Place:
        return cls(data.get("country"), data.get("type"), data.get("city"), data.get("region"))


def group_of(account: AccountView, did: Record) -> Record | None:
    return account.find("did_groups", did.relationships.get("did_group") or "")


def supports_emergency(group: Record | None) -> bool:
    return group is not None and "emergency" in (group.attributes.get("features") or [])


def requirement_for(account: AccountView, place: Place) -> Record | None:
    """The requirement for numbers of this country and DID group type, if DIDWW has one."""
    for requirement in account.matching(REQUIREMENTS, "country.id", [place.country_id or ""]):
        if requirement.relationships.get("did_group_type") == place.group_type_id:
            return requirement
    return None


def _name(account: AccountView, type_name: str, record_id_: str | None, fallback: str) -> str:
    found = account.find(type_name, record_id_ or "")
    return str(found.attributes.get("name")) if found is not None else fallback


def _same_text(a: Any, b: Any) -> bool:
    return isinstance(a, str) and isinstance(b, str) and a.strip().casefold() == b.strip().casefold()


def _address_city(account: AccountView, address: Record) -> Record | None:
    """The catalogue city of an address: its ``city`` link, else its ``city_name`` in its country
    (a client sets neither ``city`` nor ``area``: DIDWW derives them)."""
    city = account.find("cities", address.relationships.get("city") or "")
    if city is not None:
        return city
    name = address.attributes.get("city_name")
    candidates = account.matching("cities", "country.id", [address.relationships.get("country") or ""])
    return next((c for c in candidates if _same_text(c.attributes.get("name"), name)), None)


def _address_in_region(account: AccountView, address: Record, region_id: str) -> bool:
    city = _address_city(account, address)
    if city is not None and city.relationships.get("region") == region_id:
        return True
    # Areas are their own catalogue (regulation); they match a region by name.
    area = account.find("areas", address.relationships.get("area") or "")
    return area is not None and _same_text(area.attributes.get("name"), _name(account, "regions", region_id, ""))


def _has_area(account: AccountView, address: Record) -> bool:
    """Whether the address's State/Province/Region is known: its ``area``, or its city's region."""
    city = _address_city(account, address)
    return bool(address.relationships.get("area")) or (city is not None and bool(city.relationships.get("region")))


def requirement_problems(
    account: AccountView,
    requirement: Record,
    address: Record | None,
    identity: Record | None,
    place: Place | None = None,
) -> list[str]:
    """What ``identity`` and ``address`` lack for ``requirement``, as DIDWW words it ("Address in
    United States required", "Birth Date is required for Personal Identity"). ``place``: where
    the numbers are, for city and area levels (a validation names no numbers: country only)."""
    rules = requirement.attributes
    country_id = requirement.relationships.get("country")
    country = _name(account, "countries", country_id, "the country")
    problems: list[str] = []
    if identity is not None:
        kind = str(identity.attributes.get("identity_type") or "")
        label = kind.capitalize() or "Personal"
        wanted = rules.get("identity_type")
        if wanted in ("personal", "business") and kind != wanted:
            problems.append(f"{str(wanted).capitalize()} Identity required")
        else:
            if rules.get(f"{kind}_area_level") == "country" and identity.relationships.get("country") != country_id:
                problems.append(f"{label} Identity in {country} required")
            for field in rules.get(f"{kind}_mandatory_fields") or []:
                attribute = IDENTITY_FIELDS.get(field)
                if attribute is not None and identity.attributes.get(attribute) in (None, ""):
                    problems.append(f"{field} is required for {label} Identity")
    if address is not None:
        level = rules.get("address_area_level")
        if level != "world_wide" and address.relationships.get("country") != country_id:
            problems.append(f"Address in {country} required")
        elif level == "city" and place is not None and place.city_id is not None:
            city = _address_city(account, address)
            if city is None or city.id != place.city_id:
                problems.append(f"Address in {_name(account, 'cities', place.city_id, 'the city')} required")
        elif level == "area" and place is not None and place.region_id is not None:  # noqa: SIM102 (as "city")
            if not _address_in_region(account, address, place.region_id):
                problems.append(f"Address in {_name(account, 'regions', place.region_id, 'the area')} required")
        for field in rules.get("address_mandatory_fields") or []:
            if field == AREA_LABEL and not _has_area(account, address):
                problems.append(f"{field} is required for Address")
    return problems


# -- emergency_requirements and emergency_requirement_validations -----------------------------


class RequirementBehaviour(Behaviour):
    def meta(self, account: AccountView, record: Record) -> dict[str, Any] | None:
        return requirement_prices(record)


EMERGENCY_REQUIREMENTS = ResourceType(
    name=REQUIREMENTS,
    attributes=(
        read_attr("identity_type"),
        read_attr("address_area_level"),
        read_attr("personal_area_level"),
        read_attr("business_area_level"),
        read_attr("address_mandatory_fields", "string_list"),
        read_attr("personal_mandatory_fields", "string_list"),
        read_attr("business_mandatory_fields", "string_list"),
        read_attr("estimate_setup_time"),
        read_attr("requirement_restriction_message"),
    ),
    relationships=(
        Relationship("country", "countries", writable=False),
        Relationship("did_group_type", "did_group_types", writable=False),
    ),
    filters=(Filter("country.id", "country.id"), Filter("did_group_type.id", "did_group_type.id")),
    read_only=True,
    since=V2026,
    behaviour=RequirementBehaviour(),
    seed=_seed_requirements,
)


class RequirementValidationBehaviour(Behaviour):
    """POST emergency_requirement_validations: 201 naming the requirement when the identity and
    address meet it, else a 422 with what is missing. Nothing is stored."""

    def action(self, ops: AccountOps, record: Record) -> Record:
        rels = record.relationships
        requirement = ops.find(REQUIREMENTS, rels.get("emergency_requirement") or "")
        assert requirement is not None  # checked by the linkage validation
        address = ops.find("addresses", rels.get("address") or "")
        identity = ops.find("identities", rels.get("identity") or "")
        if address is None and identity is None:
            raise unprocessable(["Identity or Address required"])
        problems = []
        if address is not None and identity is not None and address.relationships.get("identity") != identity.id:
            problems.append("Address should belong to the Identity")
        if identity is None and address is not None:
            identity = ops.find("identities", address.relationships.get("identity") or "")
        problems += requirement_problems(ops, requirement, address, identity)
        if problems:
            raise unprocessable(problems)
        # The recorded 201 answers with the requirement's id and this type, nothing else.
        return Record(record.type, requirement.id, 0, {}, {})


EMERGENCY_REQUIREMENT_VALIDATIONS = ResourceType(
    name=VALIDATIONS,
    attributes=(),
    relationships=(
        Relationship("emergency_requirement", REQUIREMENTS, required=True),
        Relationship("address", "addresses"),
        Relationship("identity", "identities"),
    ),
    operations=frozenset({"create"}),
    stored=False,
    since=V2026,
    behaviour=RequirementValidationBehaviour(),
)
