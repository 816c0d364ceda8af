"""did_reservations: hold an available DID for a while before ordering it.

"DID Reservation default values: 10 DID Numbers, 10 Minutes": at most ten at a time, each
expiring ten minutes after creation (on the account's clock). A reserved number leaves the
available_dids collection until the reservation is deleted, expires or is ordered.
``expires_at`` was ``expire_at`` until 2022-05-10 (Changelog).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from didww_iac.emulator.behaviour import AccountOps, AccountView, Behaviour
from didww_iac.emulator.clock import iso, parse_iso
from didww_iac.emulator.errors import FieldError
from didww_iac.emulator.resources.common import V2022, V2026, created_at
from didww_iac.emulator.resources.stock import is_reserved
from didww_iac.emulator.schema import Attr, Filter, Record, Relationship, ResourceType

MAX_RESERVATIONS = 10
LIFETIME = 600.0
_POINTER = "/data/relationships/available_did"


def release(ops: AccountOps, reservation: Record) -> None:
    """Give the reserved number back to stock (if an order has not taken it)."""
    number = ops.find("available_dids", reservation.relationships.get("available_did") or "")
    if number is not None and number.internal.get("reserved_by") == reservation.id:
        number.internal.pop("reserved_by", None)
        ops.save(number)


class ReservationBehaviour(Behaviour):
    def render_virtual(self, account: AccountView, version: str, record: Record, attr: Attr) -> Any:
        return record.attributes.get("expires_at")

    def validate(self, account: AccountView, record: Record, existing: Record | None) -> list[FieldError]:
        number = account.find("available_dids", record.relationships.get("available_did") or "")
        if number is not None and is_reserved(number):
            return [FieldError(_POINTER, "available_did", "is invalid")]
        if len(account.records("did_reservations")) >= MAX_RESERVATIONS:
            message = f"can't be reserved: at most {MAX_RESERVATIONS} reservations at a time"
            return [FieldError(_POINTER, "available_did", message)]
        return []

    def before_create(self, ops: AccountOps, record: Record, version: str) -> None:
        # From created_at itself, so the two always differ by exactly the lifetime.
        expires = parse_iso(str(record.attributes["created_at"])) + LIFETIME
        record.attributes["expires_at"] = iso(expires)
        record.internal["expires"] = expires

    def after_create(self, ops: AccountOps, record: Record) -> None:
        number = ops.find("available_dids", record.relationships["available_did"])
        assert number is not None  # checked by the linkage validation
        number.internal["reserved_by"] = record.id
        ops.save(number)
        ops.schedule(record, record.internal["expires"])

    def after_delete(self, ops: AccountOps, record: Record) -> None:
        release(ops, record)

    def due(self, record: Record) -> float | None:
        return float(record.internal["expires"]) if "expires" in record.internal else None

    def on_timer(self, ops: AccountOps, record: Record) -> None:
        if ops.now() >= float(record.internal.get("expires", 0)):
            ops.remove(record.type, record.id)
            release(ops, record)

    def document_meta(
        self, account: AccountView, records: Sequence[Record] | None, total: int | None = None
    ) -> dict[str, Any]:
        return {"available_count": MAX_RESERVATIONS - len(account.records("did_reservations"))}


DID_RESERVATIONS = ResourceType(
    name="did_reservations",
    attributes=(
        created_at(),
        Attr("description"),
        Attr("expires_at", kind="datetime", writable=False, since=V2026),
        Attr("expire_at", kind="datetime", writable=False, virtual=True, until=V2022),
    ),
    relationships=(Relationship("available_did", "available_dids", required=True),),
    filters=(Filter("description", "description"),),
    sorts=("created_at", "description", "expires_at", "expire_at"),
    operations=frozenset({"list", "show", "create", "delete"}),
    behaviour=ReservationBehaviour(),
)
