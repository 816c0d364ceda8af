"""did_reservations: an available number held for a while before it is ordered; no PATCH, so
a change replaces the reservation (the old one deleted first: it holds the number)."""

from didww_iac.resources.spec import FieldSpec, Kind, Renamed, ResourceSpec
from didww_iac.stack.schema import DidReservation

DID_RESERVATIONS = ResourceSpec(
    api_type="did_reservations",
    pulumi_name="DidReservation",
    display="description",
    has_external_reference_id=False,
    delete_before_replace=True,
    fields=(
        FieldSpec(
            "available_did",
            Kind.TO_ONE,
            related_type="available_dids",
            replace_on_change=True,
            finds_by="available_did",
        ),
        FieldSpec("description", replace_on_change=True),
        FieldSpec("created_at", writable=False),
        FieldSpec("expires_at", writable=False),
    ),
    include=("available_did",),
    entry_model=DidReservation,
    settings=(Renamed("available_did_id", "available_did"),),
    # A reservation lasts minutes: there is nothing lasting to bring under management.
    importable=False,
)
