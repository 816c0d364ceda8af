"""What the emergency calling modules (new in 2026-04-16) share: the names of their four resource
types and of a DID's link to its calling service, the read-only attribute they declare, the
reference DIDWW gives services, verifications and orders, and the 422 they answer with.

The modules: emergency_requirements.py (what DIDWW asks of an identity and an address, and the
dry run that checks them), emergency_verifications.py (submitting an address, which creates or
re-verifies a calling service, and its review), emergency_services.py (calling services: status,
cancellation, the DIDs in them, the "Emergency" order of a first activation).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from didww_iac.emulator import errors
from didww_iac.emulator.behaviour import AccountOps
from didww_iac.emulator.errors import FieldError
from didww_iac.emulator.schema import Attr

REQUIREMENTS = "emergency_requirements"
SERVICES = "emergency_calling_services"
VERIFICATIONS = "emergency_verifications"
VALIDATIONS = "emergency_requirement_validations"

# The relationship naming a calling service, on DIDs and on verifications.
SERVICE_LINK = "emergency_calling_service"


def unprocessable(base: Sequence[str], fields: Sequence[FieldError] = ()) -> errors.ApiError:
    """A 422 with errors about the whole request (pointer ``/data``, detail = title, as recorded)
    first, then field errors."""
    found: list[errors.ErrorObject] = [
        {"title": m, "detail": m, "code": "100", "source": {"pointer": "/data"}, "status": "422"} for m in base
    ]
    if fields:
        found += errors.validation_error(fields).errors
    return errors.ApiError(422, found)


def read_attr(name: str, kind: Any = "string", **kw: Any) -> Attr:
    return Attr(name, kind=kind, writable=False, **kw)


def new_reference(ops: AccountOps) -> str:
    letters = "".join(ops.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(3))
    return f"{letters}-{ops.rng.randrange(1_000_000):06d}"
