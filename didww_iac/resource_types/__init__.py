"""Every DIDWW resource type the tool manages, as data: the API's facts and the stack file's
mapping (didww_iac/resources/spec.py says what each declaration means). No Pulumi here: the
stack loader and the importer read these too; the providers in didww_iac/resources act on them.
"""

from didww_iac.resource_types.address_verifications import ADDRESS_VERIFICATIONS
from didww_iac.resource_types.addresses import ADDRESSES
from didww_iac.resource_types.capacity_pools import CAPACITY_POOLS
from didww_iac.resource_types.did_reservations import DID_RESERVATIONS
from didww_iac.resource_types.dids import DIDS
from didww_iac.resource_types.emergency_calling_services import EMERGENCY_CALLING_SERVICES
from didww_iac.resource_types.identities import IDENTITIES
from didww_iac.resource_types.orders import ORDERS
from didww_iac.resource_types.permanent_supporting_documents import PERMANENT_SUPPORTING_DOCUMENTS
from didww_iac.resource_types.proofs import PROOFS
from didww_iac.resource_types.shared_capacity_groups import SHARED_CAPACITY_GROUPS
from didww_iac.resource_types.voice_in_trunk_groups import VOICE_IN_TRUNK_GROUPS
from didww_iac.resource_types.voice_in_trunks import VOICE_IN_TRUNKS
from didww_iac.resource_types.voice_out_trunks import VOICE_OUT_TRUNKS
from didww_iac.resources.spec import ResourceSpec

__all__ = [
    "ADDRESSES",
    "ADDRESS_VERIFICATIONS",
    "CAPACITY_POOLS",
    "DIDS",
    "DID_RESERVATIONS",
    "EMERGENCY_CALLING_SERVICES",
    "IDENTITIES",
    "ORDERS",
    "PERMANENT_SUPPORTING_DOCUMENTS",
    "PROOFS",
    "SHARED_CAPACITY_GROUPS",
    "SPECS",
    "VOICE_IN_TRUNKS",
    "VOICE_IN_TRUNK_GROUPS",
    "VOICE_OUT_TRUNKS",
]

# Keyed by the JSON:API type, which is also the stack file's section.
SPECS: dict[str, ResourceSpec] = {
    s.api_type: s
    for s in (
        VOICE_IN_TRUNK_GROUPS,
        VOICE_IN_TRUNKS,
        ORDERS,
        DIDS,
        VOICE_OUT_TRUNKS,
        CAPACITY_POOLS,
        SHARED_CAPACITY_GROUPS,
        DID_RESERVATIONS,
        IDENTITIES,
        ADDRESSES,
        PROOFS,
        PERMANENT_SUPPORTING_DOCUMENTS,
        ADDRESS_VERIFICATIONS,
        EMERGENCY_CALLING_SERVICES,
    )
}
