"""shared_capacity_groups: channels of a capacity pool shared by a set of DIDs. Created with a
name, shared and metered channel counts and its pool; every one of those, the pool included,
changes in place (DIDWW's PATCH takes the same attributes and relationships as its POST), and so
does the DID membership. Never replaced."""

from didww_iac.resource_types.shared_capacity_groups import SHARED_CAPACITY_GROUPS
from didww_iac.resources.provider import DidwwProvider
from didww_iac.resources.serialization import SharedProviderResource

__all__ = ["SHARED_CAPACITY_GROUPS", "SharedCapacityGroup", "SharedCapacityGroupProvider"]


class SharedCapacityGroupProvider(DidwwProvider):
    spec = SHARED_CAPACITY_GROUPS


class SharedCapacityGroup(SharedProviderResource, module="didww", name="SharedCapacityGroup"):
    pass
