"""capacity_pools: DIDWW's API only reads and updates them, so an entry adopts an existing pool,
by name or id, and applies the declared `total_channels_count`."""

from didww_iac.resources.spec import ADOPT_ID, FieldSpec, Renamed, ResourceSpec
from didww_iac.stack.schema import CapacityPool

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
    entry_model=CapacityPool,
    settings=(Renamed("name", "lookup_name"),),
    importable=True,
)
