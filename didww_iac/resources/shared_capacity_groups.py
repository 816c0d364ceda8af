"""shared_capacity_groups: channels of a capacity pool shared by a set of DIDs. Created with a
name, shared and metered channel counts and its pool; every one of those, the pool included,
changes in place (DIDWW's PATCH takes the same attributes and relationships as its POST), and so
does the DID membership. Never replaced."""

from didww_iac.resources.provider import DidwwProvider
from didww_iac.resources.serialization import SharedProviderResource
from didww_iac.resources.spec import FieldSpec, Kind, ResourceSpec

SHARED_CAPACITY_GROUPS = ResourceSpec(
    api_type="shared_capacity_groups",
    pulumi_name="SharedCapacityGroup",
    fields=(
        FieldSpec("name", unique=True, filterable=True),
        FieldSpec("shared_channels_count"),
        FieldSpec("metered_channels_count"),
        FieldSpec("external_reference_id"),
        FieldSpec("capacity_pool", Kind.TO_ONE, related_type="capacity_pools"),
        FieldSpec("dids", Kind.TO_MANY, related_type="dids"),
        FieldSpec("created_at", writable=False),
    ),
    include=("capacity_pool", "dids"),
)


class SharedCapacityGroupProvider(DidwwProvider):
    spec = SHARED_CAPACITY_GROUPS


class SharedCapacityGroup(SharedProviderResource, module="didww", name="SharedCapacityGroup"):
    pass
