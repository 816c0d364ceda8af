"""emergency_calling_services: emergency calling for numbers at an address (API 2026-04-16).

DIDWW has no POST for a service: submitting an emergency verification for an address and
numbers makes one. So this provider's steps are DIDWW's:
- create: POST emergency_verifications (new calling service mode), then read the service made;
- a new address: POST emergency_verifications naming the service (existing service mode);
- numbers joining or leaving: PATCH each number's `emergency_calling_service`;
- delete: DELETE the service, which cancels it (a canceled service reads as gone).
A create whose answer was lost is found again through its numbers: each number shows the
service it is in, and DIDWW refuses a number that already is in one.
"""

from __future__ import annotations

import logging
from typing import Any

from pulumi.dynamic import ReadResult, UpdateResult

from didww_iac.api import NotFoundError, Ref, Resource, ServerError, TransportError, ValidationError
from didww_iac.resource_types.emergency_calling_services import EMERGENCY_CALLING_SERVICES
from didww_iac.resources.provider import DidwwProvider
from didww_iac.resources.serialization import SharedProviderResource
from didww_iac.resources.spec import ADOPT_ID

__all__ = ["EMERGENCY_CALLING_SERVICES", "EmergencyCallingService", "EmergencyCallingServiceProvider"]

log = logging.getLogger(__name__)

VERIFICATIONS = "emergency_verifications"
SERVICE = "emergency_calling_service"
CANCELED = "canceled"


class EmergencyCallingServiceProvider(DidwwProvider):
    spec = EMERGENCY_CALLING_SERVICES

    def _make(self, props: dict[str, Any]) -> Resource:
        if props.get(ADOPT_ID):
            return super()._make(props)
        existing = self._service_of_numbers(props)
        if existing is not None:
            log.warning("emergency_calling_services %s holds these numbers already: adopting it", existing.id)
            return self._converge(existing, props)
        try:
            verification = self._submit(props, {"dids": [Ref("dids", d) for d in props.get("dids") or []]})
        except (TransportError, ServerError, ValidationError):
            # The POST may have been carried out with its answer lost (a retry would be refused:
            # the numbers are in a service now): the numbers say which service it made.
            made = self._service_of_numbers(props)
            if made is None:
                raise
            log.warning("emergency_calling_services %s was made by a create whose answer was lost", made.id)
            return made
        service = self._service_of(verification)
        self.index.put(service)
        return service

    def _submit(self, props: dict[str, Any], relationships: dict[str, Any]) -> Resource:
        attributes = {k: props[k] for k in ("callback_url", "callback_method") if props.get(k) is not None}
        return self.client.create(
            VERIFICATIONS,
            attributes=attributes,
            relationships={"address": Ref("addresses", props["address"]), **relationships},
        )

    def _service_of(self, verification: Resource) -> Resource:
        linked = verification.relationships.get(SERVICE)
        if not isinstance(linked, Ref):
            # Answers to a write carry links only: read the verification with its service.
            linked = self.client.get(VERIFICATIONS, verification.id, include=[SERVICE]).relationships.get(SERVICE)
        if not isinstance(linked, Ref):
            raise ServerError(f"emergency verification {verification.id} names no calling service")
        return self._get(linked.id)

    def _service_of_numbers(self, props: dict[str, Any]) -> Resource | None:
        for did_id in props.get("dids") or []:
            try:
                did = self.client.get("dids", did_id, include=[SERVICE])
            except NotFoundError:
                continue
            linked = did.relationships.get(SERVICE)
            if isinstance(linked, Ref):
                service = self._get_or_none(linked.id)
                if service is not None and service.attributes.get("status") != CANCELED:
                    return service
        return None

    def _converge(self, service: Resource, props: dict[str, Any]) -> Resource:
        """An existing service with the declared numbers (and a verification of the declared
        address when its own is another)."""
        self._move_numbers(service, props.get("dids") or [])
        verification = self._latest_verification(service)
        address = verification.relationships.get("address") if verification is not None else None
        if not isinstance(address, Ref) or address.id != props.get("address"):
            self._submit(props, {SERVICE: Ref(self.spec.api_type, service.id)})
        return self._get(service.id)

    def _move_numbers(self, service: Resource, wanted: list[str]) -> None:
        have = service.relationships.get("dids")
        current = {r.id for r in have} if isinstance(have, list) else set()
        for did_id in sorted(set(wanted) - current):
            self.client.update("dids", did_id, relationships={SERVICE: Ref(self.spec.api_type, service.id)})
        for did_id in sorted(current - set(wanted)):
            self.client.update("dids", did_id, relationships={SERVICE: None})

    def _latest_verification(self, service: Resource) -> Resource | None:
        linked = service.relationships.get("emergency_verification")
        if not isinstance(linked, Ref):
            return None
        try:
            return self.client.get(VERIFICATIONS, linked.id, include=["address"])
        except NotFoundError:
            return None

    def _read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        found = self.index.get(id_)
        if found is None or found.attributes.get("status") == CANCELED:
            return ReadResult("", {})
        return ReadResult(found.id, self._outputs(found, props))

    def _update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        service = self._get(id_)
        self._move_numbers(service, news.get("dids") or [])
        if news.get("address") and news.get("address") != olds.get("address"):
            # DIDWW reviews the new address; the service shows `pending_update` meanwhile.
            self._submit(news, {SERVICE: Ref(self.spec.api_type, id_)})
        service = self._get(id_)
        self.index.put(service)
        return UpdateResult(self._outputs(service, news))

    def _outputs(self, resource: Resource, props: dict[str, Any]) -> dict[str, Any]:
        outs = super()._outputs(resource, props)
        verification = self._latest_verification(resource)
        outs["verification_status"] = verification.attributes.get("status") if verification else None
        outs["reject_reasons"] = verification.attributes.get("reject_reasons") if verification else None
        return outs


class EmergencyCallingService(SharedProviderResource, module="didww", name="EmergencyCallingService"):
    pass
