"""Every managed resource type, and the one generic way the program declares an instance."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from didww_iac.resource_types import (
    ADDRESS_VERIFICATIONS,
    ADDRESSES,
    CAPACITY_POOLS,
    DID_RESERVATIONS,
    DIDS,
    EMERGENCY_CALLING_SERVICES,
    IDENTITIES,
    ORDERS,
    PERMANENT_SUPPORTING_DOCUMENTS,
    PROOFS,
    SHARED_CAPACITY_GROUPS,
    VOICE_IN_TRUNK_GROUPS,
    VOICE_IN_TRUNKS,
    VOICE_OUT_TRUNKS,
)
from didww_iac.resources.address_verifications import AddressVerification, AddressVerificationProvider
from didww_iac.resources.addresses import Address, AddressProvider
from didww_iac.resources.capacity_pools import CapacityPool, CapacityPoolProvider
from didww_iac.resources.connection import Connection
from didww_iac.resources.did_reservations import DidReservation, DidReservationProvider
from didww_iac.resources.dids import Did, DidProvider
from didww_iac.resources.emergency_calling_services import EmergencyCallingService, EmergencyCallingServiceProvider
from didww_iac.resources.errors import SOURCE_LOCATION
from didww_iac.resources.identities import Identity, IdentityProvider
from didww_iac.resources.orders import Order, OrderProvider
from didww_iac.resources.permanent_supporting_documents import (
    PermanentSupportingDocument,
    PermanentSupportingDocumentProvider,
)
from didww_iac.resources.proofs import Proof, ProofProvider
from didww_iac.resources.provider import DidwwProvider
from didww_iac.resources.serialization import SharedProviderResource
from didww_iac.resources.shared_capacity_groups import SharedCapacityGroup, SharedCapacityGroupProvider
from didww_iac.resources.spec import ADOPT_ID, ResourceSpec
from didww_iac.resources.voice_in_trunk_groups import VoiceInTrunkGroup, VoiceInTrunkGroupProvider
from didww_iac.resources.voice_in_trunks import VoiceInTrunk, VoiceInTrunkProvider
from didww_iac.resources.voice_out_trunks import VoiceOutTrunk, VoiceOutTrunkProvider


@dataclass(frozen=True)
class ResourceType:
    spec: ResourceSpec
    provider_class: type[DidwwProvider]
    resource_class: type[SharedProviderResource]

    def declare(
        self,
        logical_name: str,
        connection: Connection,
        props: dict[str, Any],
        opts: pulumi.ResourceOptions | None = None,
    ) -> SharedProviderResource:
        # Every output must exist as an input key (None = unknown until the provider answers).
        inputs: dict[str, Any] = {name: None for name in self.spec.output_names}
        inputs[ADOPT_ID] = None
        inputs[SOURCE_LOCATION] = None
        inputs.update(props)
        secret = [f.name for f in self.spec.fields if f.holds_secret(props.get(f.name))]
        for name in secret:
            # Secret inputs, not only outputs: the state keeps both.
            inputs[name] = pulumi.Output.secret(inputs[name])
        merged = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=secret))
        # Every resource of a type and connection shares one provider and its serialization.
        identity = (self.provider_class, connection)
        return self.resource_class(self.provider_class(connection), identity, logical_name, inputs, merged)


RESOURCE_TYPES: dict[str, ResourceType] = {
    t.spec.api_type: t
    for t in (
        ResourceType(VOICE_IN_TRUNK_GROUPS, VoiceInTrunkGroupProvider, VoiceInTrunkGroup),
        ResourceType(VOICE_IN_TRUNKS, VoiceInTrunkProvider, VoiceInTrunk),
        ResourceType(ORDERS, OrderProvider, Order),
        ResourceType(DIDS, DidProvider, Did),
        ResourceType(VOICE_OUT_TRUNKS, VoiceOutTrunkProvider, VoiceOutTrunk),
        ResourceType(CAPACITY_POOLS, CapacityPoolProvider, CapacityPool),
        ResourceType(SHARED_CAPACITY_GROUPS, SharedCapacityGroupProvider, SharedCapacityGroup),
        ResourceType(DID_RESERVATIONS, DidReservationProvider, DidReservation),
        ResourceType(IDENTITIES, IdentityProvider, Identity),
        ResourceType(ADDRESSES, AddressProvider, Address),
        ResourceType(PROOFS, ProofProvider, Proof),
        ResourceType(PERMANENT_SUPPORTING_DOCUMENTS, PermanentSupportingDocumentProvider, PermanentSupportingDocument),
        ResourceType(ADDRESS_VERIFICATIONS, AddressVerificationProvider, AddressVerification),
        ResourceType(EMERGENCY_CALLING_SERVICES, EmergencyCallingServiceProvider, EmergencyCallingService),
    )
}
