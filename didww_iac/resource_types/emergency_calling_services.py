"""emergency_calling_services: emergency calling for numbers at one address (API 2026-04-16).

DIDWW makes a service when an emergency verification is submitted for an address and numbers;
the entry is the service. A new address submits a verification for the same service (DIDWW
reviews it again); numbers join and leave the service through each number's
`emergency_calling_service`; removing the entry cancels the service. The provider does these
steps (resources/emergency_calling_services.py); this declares the properties.
"""

from didww_iac.resources.spec import FieldSpec, Kind, Reference, ResourceSpec
from didww_iac.stack.schema import EmergencyCallingService

EMERGENCY_CALLING_SERVICES = ResourceSpec(
    api_type="emergency_calling_services",
    pulumi_name="EmergencyCallingService",
    display="reference",
    # The reference goes on the verification that makes the service (services have none).
    has_external_reference_id=False,
    delete_effect="cancel the service: emergency calling ends for its numbers",
    fields=(
        # Where the latest verification registered the numbers (DIDWW shows it on the verification).
        # local: sent on the verifications the provider submits, never PATCHed onto the service.
        FieldSpec("address", Kind.TO_ONE, related_type="addresses", local=True),
        FieldSpec("dids", Kind.TO_MANY, related_type="dids"),
        FieldSpec("callback_url", local=True),
        FieldSpec("callback_method", local=True),
        FieldSpec("name", writable=False),
        FieldSpec("reference", writable=False),
        FieldSpec("status", writable=False),
        FieldSpec("activated_at", writable=False),
        FieldSpec("renew_date", writable=False),
        FieldSpec("emergency_verification", Kind.TO_ONE, related_type="emergency_verifications", writable=False),
        # The latest verification's review, read from it.
        FieldSpec("verification_status", writable=False),
        FieldSpec("reject_reasons", writable=False),
        FieldSpec("created_at", writable=False),
    ),
    include=("dids", "emergency_verification"),
    entry_model=EmergencyCallingService,
    settings=(Reference("address", "address", "addresses"), Reference("dids", "dids", "dids")),
    importable=False,
)
