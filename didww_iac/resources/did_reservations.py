"""did_reservations: an available number held for a while (DIDWW's default: ten minutes, ten at
a time) before it is ordered. DIDWW creates and deletes reservations but has no PATCH for them,
so a change of the number or of the description replaces the reservation, the old one deleted
first (it holds the number the new one may need).

A reservation that expired, or was used by an order, is gone from DIDWW's listing: a refresh
drops it from the state and the next `up` reserves the number again if it is still available.
There is no external_reference_id: a create that failed midway is recognised by its number
(DIDWW refuses to reserve a number twice; the existing reservation is adopted instead).
"""

from didww_iac.resources.provider import DidwwProvider
from didww_iac.resources.serialization import SharedProviderResource
from didww_iac.resources.spec import FieldSpec, Kind, ResourceSpec

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
            stack_name="available_did_id",
        ),
        FieldSpec("description", replace_on_change=True),
        FieldSpec("created_at", writable=False),
        FieldSpec("expires_at", writable=False),
    ),
    include=("available_did",),
)


class DidReservationProvider(DidwwProvider):
    spec = DID_RESERVATIONS


class DidReservation(SharedProviderResource, module="didww", name="DidReservation"):
    pass
