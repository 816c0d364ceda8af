"""permanent_supporting_documents: a completed DIDWW form kept with an identity. Like a proof,
DIDWW keeps it as uploaded: any change makes a new one and deletes the old one."""

from didww_iac.resource_types.documents import document_field
from didww_iac.resources.spec import Documents, FieldSpec, Kind, Lookup, Reference, ResourceSpec
from didww_iac.stack.schema import PermanentSupportingDocument

PERMANENT_SUPPORTING_DOCUMENTS = ResourceSpec(
    api_type="permanent_supporting_documents",
    pulumi_name="PermanentSupportingDocument",
    display="template",
    fields=(
        FieldSpec(
            "template",
            Kind.TO_ONE,
            related_type="supporting_document_templates",
            lookup=Lookup("supporting_document_templates", "name"),
            replace_on_change=True,
        ),
        FieldSpec("identity", Kind.TO_ONE, related_type="identities", replace_on_change=True),
        document_field("files"),
        FieldSpec("external_reference_id", replace_on_change=True),  # no PATCH (see proofs.py)
        FieldSpec("created_at", writable=False),
    ),
    include=("template", "identity"),
    entry_model=PermanentSupportingDocument,
    settings=(Reference("identity", "identity", "identities"), Documents("files")),
    importable=False,
)
