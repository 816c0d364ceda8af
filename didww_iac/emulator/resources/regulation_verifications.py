"""address_verifications: DIDs submitted for registration at an address, reviewed (reviews.py).

Create (POST): the DIDs must be awaiting registration and not under another pending
verification. The requirement of their DID groups is checked at once against the address, its
identity and the submission, as recorded: a 422 at ``/data`` names what is missing ("1 Identity
Proof(s) (National ID, Passport) required", "Following Supporting Document(s) required (...)",
"one-time document is not needed", "service description is not needed", ...). A verification is
then ``pending``; its DIDs link it (``address_verification``) and, from 2026-04-16, the address's
identity (``identity``).

The review (after the account's ``review_delay``, on a clock tick, or by POST
/__emulator/reviews) approves unless a rule fails: the requirement checked again (a proof may
have been deleted since), the address's city or area against the DIDs' for requirements at those
levels, and every uploaded document being a PDF, PNG or JPEG. Approved: the DIDs are no longer
``awaiting_registration`` and the identity and address become ``verified``. Rejected: the
reasons are kept and the DIDs stay awaiting, so a new verification can be submitted.

PATCH (2026-04-16 only) takes ``external_reference_id`` alone. 2022-05-10 spells status and
callback_method capitalised (Pending, GET) and ``reject_reasons`` as one string (null unless
rejected); it has no ``external_reference_id`` or ``reject_comment``.
"""

from __future__ import annotations

import string
from typing import Any

from didww_iac.emulator.behaviour import AccountOps, AccountView
from didww_iac.emulator.errors import FieldError
from didww_iac.emulator.record import Record
from didww_iac.emulator.resources.common import V2022, V2026, created_at, external_reference_id
from didww_iac.emulator.resources.regulation import attach_files, refuse_relationships
from didww_iac.emulator.resources.regulation_rules import (
    address_problems,
    content_problems,
    data_errors,
    identity_problems,
    placement_problems,
    submission_problems,
    unique,
)
from didww_iac.emulator.reviews import APPROVED, PENDING, REJECTED, Decision, ReviewBehaviour
from didww_iac.emulator.schema import Attr, DefaultContext, Filter, Relationship, ResourceType

_DIDS = "/data/relationships/dids"


def _reference(ctx: DefaultContext) -> str:
    letters = "".join(ctx.rng.choice(string.ascii_uppercase) for _ in range(3))
    return f"{letters}-{ctx.rng.randrange(1_000_000):06d}"


def _groups(account: AccountView, dids: list[Record]) -> list[Record]:
    ids = dict.fromkeys(str(d.relationships.get("did_group") or "") for d in dids)
    return [g for g in (account.find("did_groups", i) for i in ids) if g is not None]


def _requirements(account: AccountView, groups: list[Record]) -> list[Record]:
    ids = dict.fromkeys(g.relationships.get("address_requirement") for g in groups)
    return [r for r in (account.find("address_requirements", str(i or "")) for i in ids) if r is not None]


def _dids(account: AccountView, record: Record) -> list[Record]:
    return [d for d in (account.find("dids", i) for i in record.relationships.get("dids") or []) if d is not None]


class VerificationBehaviour(ReviewBehaviour):
    def translate_input(
        self, version: str, attributes: dict[str, Any], existing: Record | None, ctx: DefaultContext
    ) -> dict[str, Any]:
        method = attributes.get("callback_method")
        if version <= V2022 and isinstance(method, str):
            return {**attributes, "callback_method": method.lower()}  # "GET" in 2022-05-10
        return attributes

    def render_value(self, version: str, attr: Attr, value: Any) -> Any:
        if version > V2022:
            return value
        if attr.name == "status" and isinstance(value, str):
            return value.capitalize()
        if attr.name == "callback_method" and isinstance(value, str):
            return value.upper()
        if attr.name == "reject_reasons":
            return "; ".join(value) if value else None  # one string, null unless rejected
        return value

    def reconcile(
        self, account: AccountView, record: Record, existing: Record | None, given: set[str]
    ) -> list[FieldError]:
        refuse_relationships(existing, given)
        return []

    def validate(self, account: AccountView, record: Record, existing: Record | None) -> list[FieldError]:
        if existing is not None:
            return []
        problems = []
        for did in _dids(account, record):
            number = did.attributes.get("number")
            current = account.find("address_verifications", did.relationships.get("address_verification") or "")
            if not did.attributes.get("awaiting_registration"):
                problems.append(FieldError(_DIDS, "dids", f"{number} is not awaiting registration"))
            elif current is not None and current.attributes.get("status") == PENDING:
                problems.append(FieldError(_DIDS, "dids", f"{number} has a pending address verification"))
        return problems

    def before_create(self, ops: AccountOps, record: Record, version: str) -> None:
        address = ops.find("addresses", record.relationships["address"])
        identity = ops.find("identities", address.relationships.get("identity") or "") if address else None
        assert address is not None and identity is not None  # linkage checked; an address has an identity
        problems: list[str] = []
        onetime = record.relationships.get("onetime_files") or []
        for requirement in _requirements(ops, _groups(ops, _dids(ops, record))):
            problems += identity_problems(ops, requirement, identity)
            problems += address_problems(ops, requirement, address)
            problems += submission_problems(
                ops, requirement, identity, onetime, record.attributes.get("service_description")
            )
        if problems:
            raise data_errors(unique(problems))
        attach_files(ops, record, "onetime_files")

    def after_create(self, ops: AccountOps, record: Record) -> None:
        address = ops.find("addresses", record.relationships["address"])
        identity = address.relationships.get("identity") if address else None
        for did in _dids(ops, record):
            did.relationships["address_verification"] = record.id
            did.relationships["identity"] = identity
            ops.save(did)
        self.start_review(ops, record)

    def automatic_decision(self, ops: AccountOps, record: Record) -> Decision:
        address = ops.find("addresses", record.relationships.get("address") or "")
        identity = ops.find("identities", address.relationships.get("identity") or "") if address else None
        if address is None or identity is None:
            return Decision.reject(["The address of the verification no longer exists"])
        groups = _groups(ops, _dids(ops, record))
        reasons: list[str] = []
        for requirement in _requirements(ops, groups):
            reasons += identity_problems(ops, requirement, identity)
            reasons += address_problems(ops, requirement, address)
            reasons += placement_problems(ops, requirement, address, groups)
        proofs = ops.matching("proofs", "entity.id", [identity.id, address.id])
        documents = ops.matching("permanent_supporting_documents", "identity.id", [identity.id])
        files = [r.internal.get("files") or [] for r in (*proofs, *documents)]
        reasons += content_problems([*files, record.internal.get("onetime_files") or []])
        return Decision.reject(unique(reasons)) if reasons else Decision.approve()

    def on_decided(self, ops: AccountOps, record: Record, decision: Decision) -> None:
        if decision.status != APPROVED:
            return  # the DIDs stay awaiting registration
        for did in _dids(ops, record):
            did.attributes["awaiting_registration"] = False
            ops.save(did)
        address = ops.find("addresses", record.relationships.get("address") or "")
        identity = ops.find("identities", address.relationships.get("identity") or "") if address else None
        for verified in (address, identity):
            if verified is not None:
                verified.attributes["verified"] = True
                ops.save(verified)


ADDRESS_VERIFICATIONS = ResourceType(
    name="address_verifications",
    attributes=(
        external_reference_id(nullable=False),  # not nullable (OpenAPI)
        Attr("service_description", create_only=True),
        Attr("callback_url", pattern=r"https?://\S+", create_only=True),
        Attr("callback_method", choices=("get", "post"), create_only=True),
        Attr("status", writable=False, default=PENDING, choices=(PENDING, APPROVED, REJECTED)),
        Attr("reject_reasons", kind="string_list", writable=False, default=[]),
        Attr("reject_comment", writable=False, since=V2026),
        Attr("reference", writable=False, default_factory=_reference),
        created_at(),
    ),
    relationships=(
        Relationship("dids", "dids", to_many=True, required=True),
        Relationship("address", "addresses", required=True),
        Relationship("onetime_files", "encrypted_files", to_many=True, write_only=True),
    ),
    filters=(
        Filter("address.id", "address.id"),
        Filter("address.identity.id", "address.identity.id"),
        # The recorded filter[status]=Rejected finds "rejected" ones.
        Filter("status", "status", case_insensitive=True),
        Filter("reference", "reference"),
        # Any of several references (filter values are comma-separated anyway).
        Filter("reference_in", "reference", since=V2026),
        Filter("external_reference_id", "external_reference_id", since=V2026),
    ),
    sorts=("created_at", "external_reference_id"),
    operations=frozenset({"list", "show", "create", "update"}),
    operations_since={"update": V2026},
    behaviour=VerificationBehaviour(),
)
