"""shared_capacity_groups: channels of a capacity pool shared by a set of DIDs; everything,
the pool and the membership included, changes in place."""

from didww_iac.resources.spec import FieldSpec, Kind, Reference, Renamed, ResourceSpec
from didww_iac.stack.schema import SharedCapacityGroup

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
    entry_model=SharedCapacityGroup,
    settings=(
        Reference("capacity_pool", "capacity_pool", "capacity_pools"),
        Renamed("capacity_pool_id", "capacity_pool"),
        Reference("dids", "dids", "dids"),
    ),
    importable=True,
)
