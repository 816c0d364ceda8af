"""capacity_pools: channels bought for a set of countries, shared by shared capacity groups and
given to DIDs. DIDWW's API only reads and updates them (capacity orders add channels; the PATCH
can only remove unassigned ones), so an entry adopts an existing pool, by name or id, and applies
the declared `total_channels_count`. Removing the entry stops managing the pool and leaves it in
DIDWW as it is (with whatever channel count it then has)."""

from didww_iac.resource_types.capacity_pools import CAPACITY_POOLS
from didww_iac.resources.provider import DidwwProvider
from didww_iac.resources.serialization import SharedProviderResource

__all__ = ["CAPACITY_POOLS", "CapacityPool", "CapacityPoolProvider"]


class CapacityPoolProvider(DidwwProvider):
    spec = CAPACITY_POOLS


class CapacityPool(SharedProviderResource, module="didww", name="CapacityPool"):
    pass
