"""permanent_supporting_documents: completed DIDWW forms kept with an identity."""

from didww_iac.resource_types.permanent_supporting_documents import PERMANENT_SUPPORTING_DOCUMENTS
from didww_iac.resources.serialization import SharedProviderResource
from didww_iac.resources.uploads import DocumentProvider

__all__ = ["PERMANENT_SUPPORTING_DOCUMENTS", "PermanentSupportingDocument", "PermanentSupportingDocumentProvider"]


class PermanentSupportingDocumentProvider(DocumentProvider):
    spec = PERMANENT_SUPPORTING_DOCUMENTS
    document_relationships = (("files", "files"),)


class PermanentSupportingDocument(SharedProviderResource, module="didww", name="PermanentSupportingDocument"):
    pass
