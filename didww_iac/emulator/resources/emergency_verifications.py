"""Emergency verifications (new in 2026-04-16): an address submitted for emergency calling,
checked against the requirement of its numbers (emergency_requirements.py), with either

- ``dids`` (new calling service mode): a calling service is created ``in_process`` and the DIDs
  join it; or
- ``emergency_calling_service`` (existing calling service mode): a new address for a service in
  ``new``, ``changes_required`` or ``active`` status; an active one goes ``pending_update``.

Verifications are reviewed (reviews.py): approved, the service becomes ``active`` (and its DIDs
``emergency_enabled``; the first activation bills an "Emergency" order, emergency_services.py);
rejected, it goes ``changes_required``.
"""

from __future__ import annotations

from dataclasses import dataclass

from didww_iac.emulator import errors
from didww_iac.emulator.behaviour import AccountOps, AccountView
from didww_iac.emulator.clock import add_months, day, iso
from didww_iac.emulator.coerce import BLANK
from didww_iac.emulator.errors import FieldError
from didww_iac.emulator.resources.common import V2026, created_at, external_reference_id
from didww_iac.emulator.resources.emergency_common import (
    REQUIREMENTS,
    SERVICE_LINK,
    SERVICES,
    VERIFICATIONS,
    new_reference,
    read_attr,
    unprocessable,
)
from didww_iac.emulator.resources.emergency_requirements import (
    NO_RATE,
    Place,
    group_of,
    priced,
    requirement_for,
    requirement_problems,
    supports_emergency,
)
from didww_iac.emulator.resources.emergency_services import (
    RESUBMITTABLE,
    WRONG_STATUS,
    emergency_order,
    service_dids,
    sync_dids,
)
from didww_iac.emulator.reviews import APPROVED, PENDING, Decision, ReviewBehaviour
from didww_iac.emulator.schema import Attr, Filter, Record, Relationship, ResourceType

_DIDS = "/data/relationships/dids"


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
        group = group_of(account, did)
        pointer, name = f"{_DIDS}/{did.id}", f"dids/{did.id}"
        if not supports_emergency(group):
            fields.append(FieldError(pointer, name, "does not support Emergency feature"))
        elif did.relationships.get(SERVICE_LINK):
            fields.append(FieldError(pointer, name, "is already linked with an Emergency Calling Service"))
        if group is not None:
            places.append(Place.of(group))
    if not places:
        return None, base, fields
    place = places[0]
    requirement = requirement_for(account, place)
    if not priced(requirement):
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
        if SERVICE_LINK in given and dids:
            return [FieldError(_DIDS, "dids", f"can't be set together with {SERVICE_LINK}")]
        if SERVICE_LINK not in given and not dids:
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
        service = ops.find(SERVICES, rels.get(SERVICE_LINK) or "")
        if service is not None:
            if service.attributes.get("status") not in RESUBMITTABLE:
                raise unprocessable([WRONG_STATUS])
            requirement = ops.find(REQUIREMENTS, service.relationships.get("emergency_requirement") or "")
            place: Place | None = Place.from_json(service.internal.get("place") or {})
            dids: list[Record] = []
            base: list[str] = [] if priced(requirement) else [NO_RATE]
            fields: list[FieldError] = []
        else:
            dids = [d for d in (ops.find("dids", i) for i in rels.get("dids") or []) if d is not None]
            place, base, fields = _place_problems(ops, dids)
            requirement = requirement_for(ops, place) if place is not None else None
        if requirement is not None and priced(requirement):
            base += requirement_problems(ops, requirement, address, identity, place)
        if base or fields:
            raise unprocessable(base, fields)
        return _Plan(requirement, place, dids, service)

    def before_create(self, ops: AccountOps, record: Record, version: str) -> None:
        plan = self._plan(ops, record)
        record.attributes |= {"reference": new_reference(ops), "status": PENDING, "reject_reasons": []}
        record.attributes["reject_comment"] = None
        if plan.service is None:
            assert plan.place is not None and plan.requirement is not None  # checked by _plan
            record.relationships[SERVICE_LINK] = _new_service(ops, plan).id
        else:
            record.relationships["dids"] = []  # recorded: existing mode answers "dids": []

    def after_create(self, ops: AccountOps, record: Record) -> None:
        service = ops.find(SERVICES, record.relationships[SERVICE_LINK])
        assert service is not None  # made or checked by before_create
        status = service.attributes.get("status")
        service.attributes["status"] = "pending_update" if status == "active" else "in_process"
        service.relationships["emergency_verification"] = record.id
        ops.save(service)
        for did_id in record.relationships.get("dids") or []:
            did = ops.find("dids", did_id)
            if did is not None:
                did.relationships[SERVICE_LINK] = service.id
                ops.save(did)
        sync_dids(ops, service)
        # DIDWW's Emergency Team reviews out of band: approved after review_delay (reviews.py).
        self.start_review(ops, record)

    def on_decided(self, ops: AccountOps, record: Record, decision: Decision) -> None:
        """Approved: the service works (first activation: dated and billed). Rejected: it needs
        changes. A service canceled meanwhile stays canceled."""
        service = ops.find(SERVICES, record.relationships.get(SERVICE_LINK) or "")
        if service is None or service.attributes.get("status") == "canceled":
            return
        if decision.status == APPROVED:
            now = ops.now()
            service.attributes["status"] = "active"
            if service.attributes.get("activated_at") is None:
                service.attributes["activated_at"] = iso(now)
                service.attributes["renew_date"] = add_months(day(now), 1).isoformat()
            if service.relationships.get("order") is None:
                service.relationships["order"] = emergency_order(ops, service, len(service_dids(ops, service))).id
        else:
            service.attributes["status"] = "changes_required"
        ops.save(service)
        sync_dids(ops, service)


def _new_service(ops: AccountOps, plan: _Plan) -> Record:
    assert plan.place is not None and plan.requirement is not None
    place = plan.place
    country = ops.find("countries", place.country_id or "")
    # E911 in North America, E112 elsewhere; named after the numbers' area as in the examples.
    scheme = "E911" if country is not None and country.attributes.get("prefix") == "1" else "E112"
    group = group_of(ops, plan.dids[0]) if plan.dids else None
    area = str(group.attributes.get("area_name")) if group is not None else "DIDs"
    attributes = {
        "name": f"{scheme} Service - {area}",
        "reference": new_reference(ops),
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


EMERGENCY_VERIFICATIONS = ResourceType(
    name=VERIFICATIONS,
    attributes=(
        read_attr("reference"),
        read_attr("status", choices=("pending", "approved", "rejected")),
        read_attr("reject_reasons", "string_list", default=[]),
        read_attr("reject_comment"),
        Attr("callback_url", pattern=r"https?://\S+", create_only=True),
        Attr("callback_method", choices=("get", "post"), create_only=True),
        created_at(),
        external_reference_id(nullable=False),  # not nullable (OpenAPI)
    ),
    relationships=(
        Relationship("address", "addresses", required=True),
        Relationship(SERVICE_LINK, SERVICES),
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
    create_linkage=("address", SERVICE_LINK, "dids"),
    behaviour=VerificationBehaviour(),
)
