"""address_verifications: numbers submitted for registration at an address, with any one-time
documents the requirement asks for. The review's outcome (status, reject_reasons) is refreshed
like any other server-set value, so `drift` and `refresh` show it."""

from didww_iac.resource_types.address_verifications import ADDRESS_VERIFICATIONS
from didww_iac.resources.serialization import SharedProviderResource
from didww_iac.resources.uploads import DocumentProvider

__all__ = ["ADDRESS_VERIFICATIONS", "AddressVerification", "AddressVerificationProvider"]


class AddressVerificationProvider(DocumentProvider):
    spec = ADDRESS_VERIFICATIONS
    document_relationships = (("onetime_files", "onetime_files"),)


class AddressVerification(SharedProviderResource, module="didww", name="AddressVerification"):
    pass
