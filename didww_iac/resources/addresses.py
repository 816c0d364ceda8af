"""addresses: the generic provider, as declared in resource_types/addresses.py."""

from didww_iac.resource_types.addresses import ADDRESSES
from didww_iac.resources.provider import DidwwProvider
from didww_iac.resources.serialization import SharedProviderResource

__all__ = ["ADDRESSES", "Address", "AddressProvider"]


class AddressProvider(DidwwProvider):
    spec = ADDRESSES


class Address(SharedProviderResource, module="didww", name="Address"):
    pass
