"""orders: buying numbers (and capacity). Never replaced, never repeated; items cannot change
once placed."""

from didww_iac.resources.spec import Custom, FieldSpec, ResourceSpec
from didww_iac.stack.schema import Order

ITEMS_HINT = (
    "an order's items cannot change once it is placed (and paid): keep this order as it is and "
    "add a new order entry for more numbers"
)

CALLBACK_HINT = (
    "DIDWW sets an order's callback when the order is placed and cannot change it afterwards "
    "(its PATCH takes only external_reference_id): keep the callback this order was placed with"
)

ORDERS = ResourceSpec(
    api_type="orders",
    pulumi_name="Order",
    display="reference",
    listing_page_budget=5,  # accounts keep every order they ever placed
    fields=(
        FieldSpec("items", create_only=True, create_only_hint=ITEMS_HINT, kept_from_input=True),
        FieldSpec("allow_back_ordering", create_only=True, create_only_hint=ITEMS_HINT, kept_from_input=True),
        FieldSpec("external_reference_id"),
        # DIDWW's PATCH of an order takes only external_reference_id: a callback is set on create.
        FieldSpec("callback_url", create_only=True, create_only_hint=CALLBACK_HINT, kept_from_input=True),
        FieldSpec("callback_method", create_only=True, create_only_hint=CALLBACK_HINT, kept_from_input=True),
        FieldSpec("on_delete", local=True),
        FieldSpec("wait_timeout_seconds", local=True),
        FieldSpec("reference", writable=False),
        FieldSpec("status", writable=False),
        FieldSpec("amount", writable=False),
        FieldSpec("description", writable=False),
        FieldSpec("created_at", writable=False),
        # The ordered numbers, filled once the order completes (DIDs refer to their order).
        FieldSpec("did_ids", writable=False),
        FieldSpec("did_numbers", writable=False),
    ),
    entry_model=Order,
    # The kind of each item (numbers or channels) follows from its keys.
    settings=(Custom("items", ("items",)),),
    # A completed order is history: what it bought are numbers, imported as `dids` entries.
    importable=False,
)
