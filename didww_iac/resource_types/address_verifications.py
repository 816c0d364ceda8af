"""address_verifications: numbers submitted to DIDWW's compliance team for registration at an
address. DIDWW reviews it (pending, then approved or rejected, with reasons) and keeps it: its
PATCH takes only the external reference and there is no DELETE. Any other change submits a new
verification; removing the entry stops managing it and leaves it in DIDWW."""

from didww_iac.resource_types.documents import document_field
from didww_iac.resources.spec import Documents, FieldSpec, Kind, Reference, ResourceSpec
from didww_iac.stack.schema import AddressVerification

ADDRESS_VERIFICATIONS = ResourceSpec(
    api_type="address_verifications",
    pulumi_name="AddressVerification",
    display="reference",
    deletable=False,
    fields=(
        FieldSpec("address", Kind.TO_ONE, related_type="addresses", replace_on_change=True),
        FieldSpec("dids", Kind.TO_MANY, related_type="dids", replace_on_change=True),
        FieldSpec("service_description", replace_on_change=True),
        FieldSpec("callback_url", replace_on_change=True),
        FieldSpec("callback_method", replace_on_change=True),
        document_field("onetime_files"),
        FieldSpec("external_reference_id"),
        FieldSpec("reference", writable=False),
        FieldSpec("status", writable=False),
        FieldSpec("reject_reasons", writable=False),
        FieldSpec("reject_comment", writable=False),
        FieldSpec("created_at", writable=False),
    ),
    include=("address", "dids"),
    entry_model=AddressVerification,
    settings=(
        Reference("address", "address", "addresses"),
        Reference("dids", "dids", "dids"),
        Documents("onetime_files"),
    ),
    importable=False,
)
