"""Emergency calling services (new in 2026-04-16): their status, cancellation, the DIDs in them,
and the "Emergency" order a first activation bills.

A verification (emergency_verifications.py) creates a service ``in_process`` or moves an active
one to ``pending_update``. Approved, the service becomes ``active`` (and its DIDs
``emergency_enabled``; the first activation bills an "Emergency" order); rejected, it goes
``changes_required``. DELETE on a service cancels it (the record stays, ``canceled``) and its
DIDs leave it. DIDs join or leave a service only through PATCH /dids (dids.py calls
``did_problems``). Statuses are snake_case as the recorded examples and filters spell them.
"""

from __future__ import annotations

from typing import Any

from didww_iac.emulator.behaviour import AccountOps, AccountView, Behaviour
from didww_iac.emulator.clock import add_months, day
from didww_iac.emulator.errors import FieldError
from didww_iac.emulator.money import amount, balance, parse
from didww_iac.emulator.resources.common import V2026, created_at
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
    Place,
    group_of,
    requirement_prices,
    supports_emergency,
)
from didww_iac.emulator.schema import Filter, Record, Relationship, ResourceType

# Emergency calling works while a service is active, also while an address update is reviewed.
ENABLED = ("active", "pending_update")
# "Cancellation is allowed when current status is new, changes_required, active, pending_update".
CANCELABLE = ("new", "changes_required", "active", "pending_update")
# Existing calling service mode: "Must be in new, changes required, or active status".
RESUBMITTABLE = ("new", "changes_required", "active")
WRONG_STATUS = "Emergency Calling Service should be in NEW, CHANGES_REQUIRED or ACTIVE status"
NOT_CANCELABLE = "Emergency Calling Service should be in NEW, CHANGES_REQUIRED, ACTIVE or PENDING_UPDATE status"

# -- emergency_calling_services ---------------------------------------------------------------


def service_dids(account: AccountView, service: Record) -> list[Record]:
    return account.matching("dids", f"{SERVICE_LINK}.id", [service.id])


def sync_dids(ops: AccountOps, service: Record) -> None:
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
        did.relationships[SERVICE_LINK] = None
        did.relationships["emergency_verification"] = None
        did.attributes["emergency_enabled"] = False
        ops.save(did)


class CallingServiceBehaviour(Behaviour):
    def meta(self, account: AccountView, record: Record) -> dict[str, Any] | None:
        return requirement_prices(account.find(REQUIREMENTS, record.relationships.get("emergency_requirement") or ""))

    def delete(self, ops: AccountOps, record: Record) -> bool:
        cancel_service(ops, record)
        return True


STATUSES = ("new", "in_process", "changes_required", "pending_update", "active", "canceled")

EMERGENCY_CALLING_SERVICES = ResourceType(
    name=SERVICES,
    attributes=(
        read_attr("name"),
        read_attr("reference"),
        read_attr("status", choices=STATUSES),
        read_attr("activated_at", "datetime"),
        read_attr("canceled_at", "datetime"),
        read_attr("renew_date"),
        created_at(),
    ),
    relationships=(
        Relationship("country", "countries", writable=False),
        Relationship("did_group_type", "did_group_types", writable=False),
        Relationship("order", "orders", writable=False),
        Relationship("emergency_requirement", REQUIREMENTS, writable=False),
        Relationship("emergency_verification", VERIFICATIONS, writable=False),
        # The DIDs whose emergency_calling_service is this one: joined and left through PATCH /dids.
        Relationship("dids", "dids", to_many=True, inverse=SERVICE_LINK, writable=False),
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


# -- the "Emergency" order of a first activation ----------------------------------------------


def emergency_order(ops: AccountOps, service: Record, qty: int) -> Record:
    """The completed "Emergency" order of a first activation (the Order Object's emergency
    example: one emergency_order_items entry, qty the service's DIDs), charged to the balance."""
    prices = requirement_prices(ops.find(REQUIREMENTS, service.relationships.get("emergency_requirement") or ""))
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
        "reference": new_reference(ops),
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


# -- DIDs joining and leaving a service (PATCH /dids) -----------------------------------------


def did_problems(account: AccountView, record: Record, existing: Record | None) -> list[FieldError]:
    """A DID's ``emergency_calling_service`` named in a PATCH: check the service can take it
    (same country, DID group type, and city or area as its numbers), then bring
    ``emergency_enabled`` and ``emergency_verification`` in line. Null leaves the service."""
    pointer = f"/data/relationships/{SERVICE_LINK}"
    wanted = record.relationships.get(SERVICE_LINK)
    before = existing.relationships.get(SERVICE_LINK) if existing is not None else None
    if wanted is None:
        record.attributes["emergency_enabled"] = False
        record.relationships["emergency_verification"] = None
        return []
    service = account.find(SERVICES, wanted)
    if service is None or wanted == before:
        return []  # an unknown id is already a linkage error; the same service changes nothing
    problems = []
    if before is not None:
        problems.append(FieldError(pointer, SERVICE_LINK, "can't be changed: remove the DID from its service first"))
    if service.attributes.get("status") == "canceled":
        problems.append(FieldError(pointer, SERVICE_LINK, "is canceled"))
    group = group_of(account, record)
    if not supports_emergency(group):
        problems.append(FieldError(pointer, SERVICE_LINK, "does not support Emergency feature"))
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
        return [FieldError(pointer, SERVICE_LINK, "should have the same Country")]
    if place.group_type_id != home.group_type_id:
        return [FieldError(pointer, SERVICE_LINK, "should have the same Did Group Type")]
    requirement = account.find(REQUIREMENTS, service.relationships.get("emergency_requirement") or "")
    level = requirement.attributes.get("address_area_level") if requirement is not None else None
    if level == "city" and place.city_id is None:
        return [FieldError(pointer, SERVICE_LINK, "should be linked with City ID")]
    same_area = place.city_id == home.city_id or (level != "city" and place.region_id == home.region_id)
    if not same_area:
        return [FieldError(pointer, SERVICE_LINK, "should be from the same City or Area")]
    return []
