"""dids: numbers are never created by POST; an entry adopts a number (by number, by id, or as the
n-th number of an order in the same stack) and applies its declared settings."""

from didww_iac.resources.spec import Custom, FieldSpec, Kind, Reference, Renamed, ResourceSpec
from didww_iac.stack.schema import Did

# Which of a number's links the entry declared (delete only gets outputs, which show every live
# link, also those set by hand).
DECLARED_LINKS = "declared_links"

DIDS = ResourceSpec(
    api_type="dids",
    pulumi_name="Did",
    display="number",
    has_external_reference_id=False,
    listing_page_budget=5,  # an account may hold thousands of numbers
    fields=(
        FieldSpec("description"),
        FieldSpec("capacity_limit"),
        FieldSpec("billing_cycles_count"),
        FieldSpec("terminated"),
        FieldSpec("dedicated_channels_count"),
        FieldSpec("voice_in_trunk", Kind.TO_ONE, related_type="voice_in_trunks"),
        FieldSpec("voice_in_trunk_group", Kind.TO_ONE, related_type="voice_in_trunk_groups"),
        FieldSpec("capacity_pool", Kind.TO_ONE, related_type="capacity_pools"),
        FieldSpec("shared_capacity_group", Kind.TO_ONE, related_type="shared_capacity_groups"),
        # How the number is found. Pointing the entry at another number adopts that one and
        # releases this one (detach or terminate, as on delete): a replacement.
        FieldSpec("lookup_number", local=True, replace_on_change=True),
        # The order's number at `order_index` (older states carry the order's whole list of
        # numbers instead: see DidProvider._upgraded).
        FieldSpec("order_did_id", local=True, replace_on_change=True),
        FieldSpec("order_index", local=True, replace_on_change=True),
        FieldSpec("on_delete", local=True),
        FieldSpec("number", writable=False),
        # Registration and emergency calling, as DIDWW reports them (set by address verifications
        # and emergency calling services, not by the number's entry).
        FieldSpec("awaiting_registration", writable=False),
        FieldSpec("emergency_enabled", writable=False),
        FieldSpec("address_verification", Kind.TO_ONE, related_type="address_verifications", writable=False),
        FieldSpec("emergency_calling_service", Kind.TO_ONE, related_type="emergency_calling_services", writable=False),
        FieldSpec(DECLARED_LINKS, writable=False),
        FieldSpec("created_at", writable=False),
    ),
    include=("voice_in_trunk", "voice_in_trunk_group", "capacity_pool", "shared_capacity_group"),
    entry_model=Did,
    settings=(
        Renamed("number", "lookup_number"),
        # The number an order delivered is known once the order completes.
        Custom("order", ("order_did_id",), refers_to="orders"),
        Custom("index", ("order_index",)),
        Reference("voice_in_trunk", "voice_in_trunk", "voice_in_trunks"),
        Reference("voice_in_trunk_group", "voice_in_trunk_group", "voice_in_trunk_groups"),
        Reference("capacity_pool", "capacity_pool", "capacity_pools"),
        Renamed("capacity_pool_id", "capacity_pool"),
        Reference("shared_capacity_group", "shared_capacity_group", "shared_capacity_groups"),
        Renamed("shared_capacity_group_id", "shared_capacity_group"),
    ),
    importable=True,
)
