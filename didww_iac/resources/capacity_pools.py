"""capacity_pools: channels bought for a set of countries, shared by shared capacity groups and
given to DIDs. DIDWW's API only reads and updates them (capacity orders add channels; the PATCH
can only remove unassigned ones), so an entry adopts an existing pool, by name or id, and applies
the declared `total_channels_count`. Removing the entry stops managing the pool and leaves it in
DIDWW as it is (with whatever channel count it then has)."""

from didww_iac.resources.provider import ADOPT_ID, DidwwProvider
from didww_iac.resources.serialization import SharedProviderResource
from didww_iac.resources.spec import FieldSpec, ResourceSpec

CAPACITY_POOLS = ResourceSpec(
    api_type="capacity_pools",
    pulumi_name="CapacityPool",
    has_external_reference_id=False,
    adopt_only=True,
    fields=(
        FieldSpec("total_channels_count"),
        # Which pool the entry manages. Pointing it at another pool adopts that one and forgets
        # this one: a replacement.
        FieldSpec("lookup_name", local=True, replace_on_change=True, finds_by="name"),
        FieldSpec(ADOPT_ID, local=True, replace_on_change=True),
        FieldSpec("name", writable=False),
        FieldSpec("assigned_channels_count", writable=False),
        FieldSpec("minimum_limit", writable=False),
        FieldSpec("renew_date", writable=False),
    ),
)


class CapacityPoolProvider(DidwwProvider):
    spec = CAPACITY_POOLS


class CapacityPool(SharedProviderResource, module="didww", name="CapacityPool"):
    pass
