"""identities: the person or company that uses numbers in regulated countries. Everything but
the kind (personal or business) updates in place."""

from didww_iac.resources.spec import FieldSpec, Kind, Lookup, ResourceSpec
from didww_iac.stack.schema import Identity

COUNTRY_BY_ISO = Lookup("countries", "iso")

IDENTITIES = ResourceSpec(
    api_type="identities",
    pulumi_name="Identity",
    display="last_name",
    fields=(
        # DIDWW's PATCH does not take the kind: a person never becomes a company in place.
        FieldSpec("identity_type", replace_on_change=True),
        FieldSpec("first_name"),
        FieldSpec("last_name"),
        FieldSpec("phone_number"),
        FieldSpec("contact_email"),
        FieldSpec("company_name"),
        FieldSpec("company_reg_number"),
        FieldSpec("vat_id"),
        FieldSpec("id_number"),
        FieldSpec("personal_tax_id"),
        FieldSpec("birth_date"),
        FieldSpec("description"),
        FieldSpec("external_reference_id"),
        FieldSpec("country", Kind.TO_ONE, related_type="countries", lookup=COUNTRY_BY_ISO),
        FieldSpec("birth_country", Kind.TO_ONE, related_type="countries", lookup=COUNTRY_BY_ISO),
        FieldSpec("verified", writable=False),
        FieldSpec("created_at", writable=False),
    ),
    # Relationships come with their ids only when included.
    include=("country", "birth_country"),
    entry_model=Identity,
    importable=True,
)
