"""addresses: where an identity lives or works. The street, city and postal code update in place;
DIDWW's PATCH takes no relationships, so another identity or country is a new address."""

from didww_iac.resource_types.identities import COUNTRY_BY_ISO
from didww_iac.resources.spec import FieldSpec, Kind, Reference, ResourceSpec
from didww_iac.stack.schema import Address

ADDRESSES = ResourceSpec(
    api_type="addresses",
    pulumi_name="Address",
    display="address",
    fields=(
        FieldSpec("address"),
        FieldSpec("city_name"),
        FieldSpec("postal_code"),
        FieldSpec("description"),
        FieldSpec("external_reference_id"),
        FieldSpec("identity", Kind.TO_ONE, related_type="identities", replace_on_change=True),
        FieldSpec("country", Kind.TO_ONE, related_type="countries", lookup=COUNTRY_BY_ISO, replace_on_change=True),
        FieldSpec("verified", writable=False),
        FieldSpec("created_at", writable=False),
    ),
    include=("identity", "country"),
    entry_model=Address,
    settings=(Reference("identity", "identity", "identities"),),
    importable=True,
)
