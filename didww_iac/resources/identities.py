"""identities: the generic provider, as declared in resource_types/identities.py."""

from didww_iac.resource_types.identities import IDENTITIES
from didww_iac.resources.provider import DidwwProvider
from didww_iac.resources.serialization import SharedProviderResource

__all__ = ["IDENTITIES", "Identity", "IdentityProvider"]


class IdentityProvider(DidwwProvider):
    spec = IDENTITIES


class Identity(SharedProviderResource, module="didww", name="Identity"):
    pass
