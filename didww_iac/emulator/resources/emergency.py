"""Emergency calling (new in 2026-04-16): requirements, requirement validations, verifications
and the calling services they create.

How a client gets there (the "Emergency Resources" folder): read the ``emergency_requirements``
for a number's country and DID group type (``filter[country.id]`` and
``filter[did_group_type.id]``: a DID group names both), validate an identity and an address
against it (``emergency_requirement_validations``, a dry run that stores nothing), then submit an
``emergency_verifications`` with the address and either

- ``dids`` (new calling service mode): a calling service is created ``in_process`` and the DIDs
  join it; or
- ``emergency_calling_service`` (existing calling service mode): a new address for a service in
  ``new``, ``changes_required`` or ``active`` status; an active one goes ``pending_update``.

Verifications are reviewed (reviews.py): approved, the service becomes ``active`` (and its DIDs
``emergency_enabled``; the first activation bills an "Emergency" order); rejected, it goes
``changes_required``. DELETE on a service cancels it (the record stays, ``canceled``) and its
DIDs leave it. DIDs join or leave a service only through PATCH /dids (dids.py calls
``did_problems``). Statuses are snake_case as the recorded examples and filters spell them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from didww_iac.emulator import errors
from didww_iac.emulator.behaviour import AccountOps, AccountView, Behaviour
from didww_iac.emulator.clock import add_months, day, iso
from didww_iac.emulator.coerce import BLANK
from didww_iac.emulator.errors import FieldError
from didww_iac.emulator.money import amount, balance, parse
from didww_iac.emulator.resources.catalogue import record_id
from didww_iac.emulator.resources.common import V2026, created_at, external_reference_id
from didww_iac.emulator.reviews import APPROVED, PENDING, Decision, ReviewBehaviour
from didww_iac.emulator.schema import Attr, Filter, Record, Relationship, ResourceType, SeedOptions

REQUIREMENTS = "emergency_requirements"
SERVICES = "emergency_calling_services"
VERIFICATIONS = "emergency_verifications"
VALIDATIONS = "emergency_requirement_validations"

# Emergency calling works while a service is active, also while an address update is reviewed.
ENABLED = ("active", "pending_update")
# "Cancellation is allowed when current status is new, changes_required, active, pending_update".
CANCELABLE = ("new", "changes_required", "active", "pending_update")
# Existing calling service mode: "Must be in new, changes required, or active status".
RESUBMITTABLE = ("new", "changes_required", "active")
WRONG_STATUS = "Emergency Calling Service should be in NEW, CHANGES_REQUIRED or ACTIVE status"
NOT_CANCELABLE = "Emergency Calling Service should be in NEW, CHANGES_REQUIRED, ACTIVE or PENDING_UPDATE status"
NO_RATE = "Emergency Rate not found"

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
_DIDS = "/data/relationships/dids"
_SERVICE = "emergency_calling_service"


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


def _prices(requirement: Record | None) -> dict[str, Any]:
    internal = requirement.internal if requirement is not None else {}
    return {"setup_price": internal.get("setup_price"), "monthly_price": internal.get("monthly_price")}


def _priced(requirement: Record | None) -> bool:
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


def _group_of(account: AccountView, did: Record) -> Record | None:
    return account.find("did_groups", did.relationships.get("did_group") or "")


def _supports_emergency(group: Record | None) -> bool:
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


def unprocessable(base: Sequence[str], fields: Sequence[FieldError] = ()) -> errors.ApiError:
    """A 422 with errors about the whole request (pointer ``/data``, detail = title, as recorded)
    first, then field errors."""
    found: list[errors.ErrorObject] = [
        {"title": m, "detail": m, "code": "100", "source": {"pointer": "/data"}, "status": "422"} for m in base
    ]
    if fields:
        found += errors.validation_error(fields).errors
    return errors.ApiError(422, found)


# -- emergency_requirements and emergency_requirement_validations -----------------------------


class RequirementBehaviour(Behaviour):
    def meta(self, account: AccountView, record: Record) -> dict[str, Any] | None:
        return _prices(record)


def _read(name: str, kind: Any = "string", **kw: Any) -> Attr:
    return Attr(name, kind=kind, writable=False, **kw)


EMERGENCY_REQUIREMENTS = ResourceType(
    name=REQUIREMENTS,
    attributes=(
        _read("identity_type"),
        _read("address_area_level"),
        _read("personal_area_level"),
        _read("business_area_level"),
        _read("address_mandatory_fields", "string_list"),
        _read("personal_mandatory_fields", "string_list"),
        _read("business_mandatory_fields", "string_list"),
        _read("estimate_setup_time"),
        _read("requirement_restriction_message"),
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


# -- emergency_calling_services ---------------------------------------------------------------


def _reference(ops: AccountOps) -> str:
    letters = "".join(ops.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(3))
    return f"{letters}-{ops.rng.randrange(1_000_000):06d}"


def service_dids(account: AccountView, service: Record) -> list[Record]:
    return account.matching("dids", f"{_SERVICE}.id", [service.id])


def _sync_dids(ops: AccountOps, service: Record) -> None:
    """A service's DIDs have emergency calling exactly while it works, and point at its latest
    verification."""
    enabled = service.attributes.get("status") in ENABLED
    verification = service.relationships.get("emergency_verification")
    for did in service_dids(ops, service):
        if (did.attributes.get("emergency_enabled"), did.relationships.get("emergency_verification")) != (
            enabled,
            verification,
        ):
            did.attributes["emergency_enabled"] = enabled
            did.relationships["emergency_verification"] = verification
            ops.save(did)


def cancel_service(ops: AccountOps, service: Record) -> None:
    """Canceled "without restoration": the record stays, its DIDs leave it."""
    status = service.attributes.get("status")
    if status not in CANCELABLE:
        raise unprocessable([NOT_CANCELABLE])
    service.attributes |= {"status": "canceled", "canceled_at": ops.now_iso(), "renew_date": None}
    ops.save(service)
    for did in service_dids(ops, service):
        did.relationships[_SERVICE] = None
        did.relationships["emergency_verification"] = None
        did.attributes["emergency_enabled"] = False
        ops.save(did)


class CallingServiceBehaviour(Behaviour):
    def meta(self, account: AccountView, record: Record) -> dict[str, Any] | None:
        return _prices(account.find(REQUIREMENTS, record.relationships.get("emergency_requirement") or ""))

    def delete(self, ops: AccountOps, record: Record) -> bool:
        cancel_service(ops, record)
        return True


STATUSES = ("new", "in_process", "changes_required", "pending_update", "active", "canceled")

EMERGENCY_CALLING_SERVICES = ResourceType(
    name=SERVICES,
    attributes=(
        _read("name"),
        _read("reference"),
        _read("status", choices=STATUSES),
        _read("activated_at", "datetime"),
        _read("canceled_at", "datetime"),
        _read("renew_date"),
        created_at(),
    ),
    relationships=(
        Relationship("country", "countries", writable=False),
        Relationship("did_group_type", "did_group_types", writable=False),
        Relationship("order", "orders", writable=False),
        Relationship("emergency_requirement", REQUIREMENTS, writable=False),
        Relationship("emergency_verification", VERIFICATIONS, writable=False),
        # The DIDs whose emergency_calling_service is this one: joined and left through PATCH /dids.
        Relationship("dids", "dids", to_many=True, inverse=_SERVICE, writable=False),
    ),
    filters=(
        Filter("name", "name", contains=True),
        Filter("reference", "reference"),
        Filter("status", "status"),
        Filter("country.id", "country.id"),
        Filter("did_group_type.id", "did_group_type.id"),
        # "matches the address from the last verification" / "the identity linked to [it]".
        Filter("address.id", "emergency_verification.address.id"),
        Filter("identity.id", "emergency_verification.address.identity.id"),
    ),
    sorts=("name", "status", "renew_date", "created_at", "country.name"),
    operations=frozenset({"list", "show", "delete"}),
    since=V2026,
    behaviour=CallingServiceBehaviour(),
)


# -- emergency_verifications ------------------------------------------------------------------


@dataclass
class _Plan:
    """What a verification submits: the requirement it is checked against, where its numbers
    are, and the service it creates (new mode: ``service`` None) or re-verifies."""

    requirement: Record | None
    place: Place | None
    dids: list[Record]
    service: Record | None


def _place_problems(account: AccountView, dids: list[Record]) -> tuple[Place | None, list[str], list[FieldError]]:
    """Where the DIDs of a new calling service are, or why they cannot share one."""
    base: list[str] = []
    fields: list[FieldError] = []
    places: list[Place] = []
    for did in dids:
        group = _group_of(account, did)
        pointer, name = f"{_DIDS}/{did.id}", f"dids/{did.id}"
        if not _supports_emergency(group):
            fields.append(FieldError(pointer, name, "does not support Emergency feature"))
        elif did.relationships.get(_SERVICE):
            fields.append(FieldError(pointer, name, "is already linked with an Emergency Calling Service"))
        if group is not None:
            places.append(Place.of(group))
    if not places:
        return None, base, fields
    place = places[0]
    requirement = requirement_for(account, place)
    if not _priced(requirement):
        base.append(NO_RATE)
    if len({p.country_id for p in places}) > 1:
        fields.append(FieldError(_DIDS, "dids", "should have the same Country"))
    if len({p.group_type_id for p in places}) > 1:
        fields.append(FieldError(_DIDS, "dids", "should have the same Did Group Type"))
    level = requirement.attributes.get("address_area_level") if requirement is not None else None
    cities = {p.city_id for p in places}
    if level == "city" and None in cities:
        fields.append(FieldError(_DIDS, "dids", "should be linked with City ID"))
    elif len(cities) > 1 and (level == "city" or len({p.region_id for p in places}) > 1):
        # "All DIDs must be from the same city or area."
        fields.append(FieldError(_DIDS, "dids", "should be from the same City or Area"))
    return place, base, fields


class VerificationBehaviour(ReviewBehaviour):
    def reconcile(
        self, account: AccountView, record: Record, existing: Record | None, given: set[str]
    ) -> list[FieldError]:
        if existing is not None:
            if given:  # "Only external_reference_id attribute can be updated."
                raise errors.param_not_allowed(sorted(given)[0])
            return []
        # The mode is what the request names: a service (even one that does not exist) or DIDs.
        dids = record.relationships.get("dids")
        if _SERVICE in given and dids:
            return [FieldError(_DIDS, "dids", f"can't be set together with {_SERVICE}")]
        if _SERVICE not in given and not dids:
            return [FieldError(_DIDS, "dids", BLANK)]
        return []

    def validate(self, account: AccountView, record: Record, existing: Record | None) -> list[FieldError]:
        if existing is not None:
            return []
        attributes = record.attributes
        if attributes.get("callback_url") and not attributes.get("callback_method"):
            # "Required if callback_url is provided."
            return [FieldError("/data/attributes/callback_method", "callback_method", BLANK)]
        return []

    def _plan(self, ops: AccountOps, record: Record) -> _Plan:
        """The submission checked against the numbers and the requirement; raises the 422."""
        rels = record.relationships
        address = ops.find("addresses", rels.get("address") or "")
        identity = ops.find("identities", address.relationships.get("identity") or "") if address else None
        service = ops.find(SERVICES, rels.get(_SERVICE) or "")
        if service is not None:
            if service.attributes.get("status") not in RESUBMITTABLE:
                raise unprocessable([WRONG_STATUS])
            requirement = ops.find(REQUIREMENTS, service.relationships.get("emergency_requirement") or "")
            place: Place | None = Place.from_json(service.internal.get("place") or {})
            dids: list[Record] = []
            base: list[str] = [] if _priced(requirement) else [NO_RATE]
            fields: list[FieldError] = []
        else:
            dids = [d for d in (ops.find("dids", i) for i in rels.get("dids") or []) if d is not None]
            place, base, fields = _place_problems(ops, dids)
            requirement = requirement_for(ops, place) if place is not None else None
        if requirement is not None and _priced(requirement):
            base += requirement_problems(ops, requirement, address, identity, place)
        if base or fields:
            raise unprocessable(base, fields)
        return _Plan(requirement, place, dids, service)

    def before_create(self, ops: AccountOps, record: Record, version: str) -> None:
        plan = self._plan(ops, record)
        record.attributes |= {"reference": _reference(ops), "status": PENDING, "reject_reasons": []}
        record.attributes["reject_comment"] = None
        if plan.service is None:
            assert plan.place is not None and plan.requirement is not None  # checked by _plan
            record.relationships[_SERVICE] = _new_service(ops, plan).id
        else:
            record.relationships["dids"] = []  # recorded: existing mode answers "dids": []

    def after_create(self, ops: AccountOps, record: Record) -> None:
        service = ops.find(SERVICES, record.relationships[_SERVICE])
        assert service is not None  # made or checked by before_create
        status = service.attributes.get("status")
        service.attributes["status"] = "pending_update" if status == "active" else "in_process"
        service.relationships["emergency_verification"] = record.id
        ops.save(service)
        for did_id in record.relationships.get("dids") or []:
            did = ops.find("dids", did_id)
            if did is not None:
                did.relationships[_SERVICE] = service.id
                ops.save(did)
        _sync_dids(ops, service)
        # DIDWW's Emergency Team reviews out of band: approved after review_delay (reviews.py).
        self.start_review(ops, record)

    def on_decided(self, ops: AccountOps, record: Record, decision: Decision) -> None:
        """Approved: the service works (first activation: dated and billed). Rejected: it needs
        changes. A service canceled meanwhile stays canceled."""
        service = ops.find(SERVICES, record.relationships.get(_SERVICE) or "")
        if service is None or service.attributes.get("status") == "canceled":
            return
        if decision.status == APPROVED:
            now = ops.now()
            service.attributes["status"] = "active"
            if service.attributes.get("activated_at") is None:
                service.attributes["activated_at"] = iso(now)
                service.attributes["renew_date"] = add_months(day(now), 1).isoformat()
            if service.relationships.get("order") is None:
                service.relationships["order"] = _emergency_order(ops, service, len(service_dids(ops, service))).id
        else:
            service.attributes["status"] = "changes_required"
        ops.save(service)
        _sync_dids(ops, service)


def _new_service(ops: AccountOps, plan: _Plan) -> Record:
    assert plan.place is not None and plan.requirement is not None
    place = plan.place
    country = ops.find("countries", place.country_id or "")
    # E911 in North America, E112 elsewhere; named after the numbers' area as in the examples.
    scheme = "E911" if country is not None and country.attributes.get("prefix") == "1" else "E112"
    group = _group_of(ops, plan.dids[0]) if plan.dids else None
    area = str(group.attributes.get("area_name")) if group is not None else "DIDs"
    attributes = {
        "name": f"{scheme} Service - {area}",
        "reference": _reference(ops),
        "status": "new",
        "activated_at": None,
        "canceled_at": None,
        "renew_date": None,
        "created_at": ops.now_iso(),
    }
    relationships = {
        "country": place.country_id,
        "did_group_type": place.group_type_id,
        "order": None,
        "emergency_requirement": plan.requirement.id,
        "emergency_verification": None,
    }
    return ops.insert(Record(SERVICES, "", 0, attributes, relationships, {"place": place.to_json()}))


def _emergency_order(ops: AccountOps, service: Record, qty: int) -> Record:
    """The completed "Emergency" order of a first activation (the Order Object's emergency
    example: one emergency_order_items entry, qty the service's DIDs), charged to the balance."""
    prices = _prices(ops.find(REQUIREMENTS, service.relationships.get("emergency_requirement") or ""))
    nrc, mrc = parse(prices["setup_price"] or "0"), parse(prices["monthly_price"] or "0")
    total = qty * (nrc + mrc)
    today = day(ops.now())
    item = {
        "type": "emergency_order_items",
        "attributes": {
            "qty": qty,
            "nrc": amount(nrc),
            "mrc": amount(mrc),
            "prorated_mrc": False,
            "billed_from": today.isoformat(),
            "billed_to": add_months(today, 1).isoformat(),
            "emergency_calling_service_id": service.id,
        },
    }
    attributes = {
        "amount": amount(total),
        "status": "completed",
        "created_at": ops.now_iso(),
        "reference": _reference(ops),
        "description": "Emergency",
        "items": [item],
        "callback_url": None,
        "callback_method": None,
        "external_reference_id": None,
        "allow_back_ordering": False,
    }
    for account_balance in ops.records("balances")[:1]:
        account_balance.attributes["balance"] = balance(parse(account_balance.attributes["balance"]) - total)
        ops.save(account_balance)
    return ops.insert(Record("orders", "", 0, attributes, {}))


EMERGENCY_VERIFICATIONS = ResourceType(
    name=VERIFICATIONS,
    attributes=(
        _read("reference"),
        _read("status", choices=("pending", "approved", "rejected")),
        _read("reject_reasons", "string_list", default=[]),
        _read("reject_comment"),
        Attr("callback_url", pattern=r"https?://\S+", create_only=True),
        Attr("callback_method", choices=("get", "post"), create_only=True),
        created_at(),
        external_reference_id(nullable=False),  # not nullable (OpenAPI)
    ),
    relationships=(
        Relationship("address", "addresses", required=True),
        Relationship(_SERVICE, SERVICES),
        Relationship("dids", "dids", to_many=True),
    ),
    filters=(
        Filter("status", "status"),
        Filter("emergency_calling_service.id", "emergency_calling_service.id"),
        Filter("external_reference_id", "external_reference_id"),
    ),
    sorts=("created_at", "external_reference_id"),
    operations=frozenset({"list", "show", "create", "update"}),
    since=V2026,
    # The recorded 201s carry the linkage of all three (the service made in new mode included).
    create_linkage=("address", _SERVICE, "dids"),
    behaviour=VerificationBehaviour(),
)


# -- DIDs joining and leaving a service (PATCH /dids) -----------------------------------------


def did_problems(account: AccountView, record: Record, existing: Record | None) -> list[FieldError]:
    """A DID's ``emergency_calling_service`` named in a PATCH: check the service can take it
    (same country, DID group type, and city or area as its numbers), then bring
    ``emergency_enabled`` and ``emergency_verification`` in line. Null leaves the service."""
    pointer = f"/data/relationships/{_SERVICE}"
    wanted = record.relationships.get(_SERVICE)
    before = existing.relationships.get(_SERVICE) if existing is not None else None
    if wanted is None:
        record.attributes["emergency_enabled"] = False
        record.relationships["emergency_verification"] = None
        return []
    service = account.find(SERVICES, wanted)
    if service is None or wanted == before:
        return []  # an unknown id is already a linkage error; the same service changes nothing
    problems = []
    if before is not None:
        problems.append(FieldError(pointer, _SERVICE, "can't be changed: remove the DID from its service first"))
    if service.attributes.get("status") == "canceled":
        problems.append(FieldError(pointer, _SERVICE, "is canceled"))
    group = _group_of(account, record)
    if not _supports_emergency(group):
        problems.append(FieldError(pointer, _SERVICE, "does not support Emergency feature"))
    elif group is not None:
        problems += _fits(account, service, Place.of(group), pointer)
    if problems:
        return problems
    record.attributes["emergency_enabled"] = service.attributes.get("status") in ENABLED
    record.relationships["emergency_verification"] = service.relationships.get("emergency_verification")
    return []


def _fits(account: AccountView, service: Record, place: Place, pointer: str) -> list[FieldError]:
    home = Place.from_json(service.internal.get("place") or {})
    if place.country_id != home.country_id:
        return [FieldError(pointer, _SERVICE, "should have the same Country")]
    if place.group_type_id != home.group_type_id:
        return [FieldError(pointer, _SERVICE, "should have the same Did Group Type")]
    requirement = account.find(REQUIREMENTS, service.relationships.get("emergency_requirement") or "")
    level = requirement.attributes.get("address_area_level") if requirement is not None else None
    if level == "city" and place.city_id is None:
        return [FieldError(pointer, _SERVICE, "should be linked with City ID")]
    same_area = place.city_id == home.city_id or (level != "city" and place.region_id == home.region_id)
    if not same_area:
        return [FieldError(pointer, _SERVICE, "should be from the same City or Area")]
    return []
