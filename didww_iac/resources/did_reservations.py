"""did_reservations: an available number held for a while (DIDWW's default: ten minutes, ten at
a time) before it is ordered. DIDWW creates and deletes reservations but has no PATCH for them,
so a change of the number or of the description replaces the reservation, the old one deleted
first (it holds the number the new one may need).

A reservation that expired, or was used by an order, is gone from DIDWW's listing: a refresh
drops it from the state and the next `up` reserves the number again if it is still available.
There is no external_reference_id: a create that failed midway is recognised by its number
(DIDWW refuses to reserve a number twice; the existing reservation is adopted instead).
"""

from didww_iac.resource_types.did_reservations import DID_RESERVATIONS
from didww_iac.resources.provider import DidwwProvider
from didww_iac.resources.serialization import SharedProviderResource

__all__ = ["DID_RESERVATIONS", "DidReservation", "DidReservationProvider"]


class DidReservationProvider(DidwwProvider):
    spec = DID_RESERVATIONS


class DidReservation(SharedProviderResource, module="didww", name="DidReservation"):
    pass
