"""Reviews: submissions DIDWW's compliance team decides some time after they are made (address
verifications, emergency verifications).

A reviewed record is created ``pending`` and later becomes ``approved`` or ``rejected`` (with
``reject_reasons``, a list, and an optional ``reject_comment``), in one of two ways:

- automatically, ``review_delay`` seconds of the account's clock after it was created (an account
  setting like ``order_delay``, default 30 s, PATCH /__emulator/account ``{"review_delay": 5}``;
  0 decides in the POST itself). POST /__emulator/clock/tick without ``seconds`` decides every
  pending review at once, as it completes pending orders; with ``seconds`` the clock moves and
  whatever falls due is decided;
- by hand: POST /__emulator/reviews ``{"type": "address_verifications", "id": "...",
  "decision": "approved" | "rejected", "reasons": [...], "comment": "..."}`` (``decide`` below).

How a type plugs in: its behaviour subclasses ``ReviewBehaviour`` and

1. stores the attributes ``status``, ``reject_reasons`` and ``reject_comment`` (``status`` set to
   ``PENDING`` on create; render 2022-05-10 spellings in ``render_value`` if the type has them);
2. calls ``self.start_review(ops, record)`` from its ``after_create``;
3. overrides ``automatic_decision`` (approve unless a rule fails: return ``Decision.reject(...)``
   with the reasons) and ``on_decided`` (side effects of the outcome, e.g. DIDs no longer
   awaiting registration).

Nothing else is needed: the admin route finds the behaviour through the type's declaration, and
timers are rebuilt from ``due`` after a restart (see models.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

from didww_iac.emulator import errors
from didww_iac.emulator.behaviour import AccountOps, Behaviour
from didww_iac.emulator.record import Record

if TYPE_CHECKING:
    from didww_iac.emulator.models import Account

Outcome = Literal["approved", "rejected"]
PENDING: Final = "pending"
APPROVED: Final = "approved"
REJECTED: Final = "rejected"
# Where a pending record keeps the clock time its automatic review falls due.
_DUE = "review_due"


@dataclass(frozen=True)
class Decision:
    status: Outcome
    reasons: tuple[str, ...] = ()
    comment: str | None = None

    @classmethod
    def approve(cls) -> Decision:
        return cls(APPROVED)

    @classmethod
    def reject(cls, reasons: Sequence[str], comment: str | None = None) -> Decision:
        return cls(REJECTED, tuple(reasons), comment)

    @classmethod
    def from_mapping(cls, payload: Mapping[str, Any]) -> Decision:
        """The admin route's ``decision``, ``reasons`` and ``comment``; ValueError when malformed."""
        given = payload.get("decision")
        if given not in (APPROVED, REJECTED):
            raise ValueError(f'decision must be "{APPROVED}" or "{REJECTED}" (got {given!r})')
        status: Outcome = APPROVED if given == APPROVED else REJECTED
        reasons = payload.get("reasons") or []
        if not isinstance(reasons, list) or not all(isinstance(r, str) and r for r in reasons):
            raise ValueError("reasons must be a list of non-empty strings")
        if status == APPROVED and reasons:
            raise ValueError("reasons are for a rejection")
        comment = payload.get("comment")
        if comment is not None and not isinstance(comment, str):
            raise ValueError("comment must be a string")
        return cls(status, tuple(reasons), comment)


class NotPending(Exception):
    """The record was decided already; a decision is final."""


class ReviewBehaviour(Behaviour):
    """The review life cycle; see the module docstring for what a subclass provides."""

    # A tick without seconds decides pending reviews now, as it completes pending orders.
    forced_by_tick = True

    def start_review(self, ops: AccountOps, record: Record) -> None:
        """Schedule the automatic review (called from ``after_create``)."""
        delay = ops.settings.review_delay
        if delay <= 0:
            self.decide(ops, record, self.automatic_decision(ops, record))
            return
        record.internal[_DUE] = ops.now() + delay
        ops.save(record)
        ops.schedule(record, float(record.internal[_DUE]))

    def automatic_decision(self, ops: AccountOps, record: Record) -> Decision:
        return Decision.approve()

    def on_decided(self, ops: AccountOps, record: Record, decision: Decision) -> None:
        pass

    def decide(self, ops: AccountOps, record: Record, decision: Decision) -> None:
        status = record.attributes.get("status")
        if status != PENDING:
            raise NotPending(f"{record.type} {record.id} is {status}, not {PENDING}")
        rejected = decision.status == REJECTED
        record.attributes["status"] = decision.status
        record.attributes["reject_reasons"] = list(decision.reasons) if rejected else []
        # DIDWW's reject_comment is "provided upon rejection".
        record.attributes["reject_comment"] = decision.comment if rejected else None
        record.internal.pop(_DUE, None)
        ops.save(record)
        self.on_decided(ops, record, decision)

    def due(self, record: Record) -> float | None:
        pending = record.attributes.get("status") == PENDING
        return float(record.internal[_DUE]) if pending and _DUE in record.internal else None

    def on_timer(self, ops: AccountOps, record: Record) -> None:
        # A record decided by hand before its time keeps that decision.
        if record.attributes.get("status") == PENDING:
            self.decide(ops, record, self.automatic_decision(ops, record))


def decide(account: Account, payload: Mapping[str, Any]) -> Record:
    """The admin route: apply ``payload``'s decision to the pending record it names.

    ValueError for bad input (400), ``errors.ApiError`` 404 for an unknown record, NotPending
    (409) for a record already decided."""
    type_name, record_id = payload.get("type"), payload.get("id")
    if not isinstance(type_name, str) or not isinstance(record_id, str):
        raise ValueError('"type" and "id" must name the record to decide')
    rt = account.registry.get(type_name)
    if rt is None or not isinstance(rt.behaviour, ReviewBehaviour):
        reviewed = sorted(t.name for t in account.registry if isinstance(t.behaviour, ReviewBehaviour))
        raise ValueError(f"{type_name} is not reviewed (reviewed types: {', '.join(reviewed)})")
    decision = Decision.from_mapping(payload)
    with account.transaction():
        record = account.find(type_name, record_id)
        if record is None:
            raise errors.not_found(record_id)
        rt.behaviour.decide(account, record, decision)
        return record
