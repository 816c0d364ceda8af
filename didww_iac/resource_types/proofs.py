"""proofs: a scan proving an identity or an address. DIDWW keeps a proof as uploaded (there is no
PATCH): any change makes a new proof and deletes the old one."""

from didww_iac.resource_types.documents import document_field
from didww_iac.resources.spec import Documents, FieldSpec, Kind, Lookup, Reference, ResourceSpec
from didww_iac.stack.schema import Proof

PROOFS = ResourceSpec(
    api_type="proofs",
    pulumi_name="Proof",
    display="proof_type",
    fields=(
        FieldSpec(
            "proof_type",
            Kind.TO_ONE,
            related_type="proof_types",
            # "Passport"; a name DIDWW repeats by entity type with it: "Business/Other".
            lookup=Lookup("proof_types", "name", qualifier="entity_type"),
            replace_on_change=True,
        ),
        # DIDWW's `entity` is an identity or an address: the provider sends whichever is declared.
        FieldSpec("identity", local=True, replace_on_change=True),
        FieldSpec("address", local=True, replace_on_change=True),
        document_field("files"),
        # DIDWW's recorded API has no PATCH of a proof (the OpenAPI document lists one; the
        # collection, which records what DIDWW answers, does not): a new reference is a new proof.
        FieldSpec("external_reference_id", replace_on_change=True),
        FieldSpec("expires_at", writable=False),
        FieldSpec("created_at", writable=False),
    ),
    include=("proof_type",),
    entry_model=Proof,
    settings=(
        Reference("identity", "identity", "identities"),
        Reference("address", "address", "addresses"),
        Documents("files"),
    ),
    # Files are write-only in DIDWW: an existing proof cannot be written back as an entry.
    importable=False,
)
