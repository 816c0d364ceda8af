"""The resource types this emulator serves. Add a type by declaring it and listing it here."""

from __future__ import annotations

from didww_iac.emulator.resources.capacity import (
    BALANCES,
    CAPACITY_POOLS,
    QTY_BASED_PRICINGS,
    SHARED_CAPACITY_GROUPS,
)
from didww_iac.emulator.resources.coverage import (
    AVAILABLE_DIDS,
    CITIES,
    COUNTRIES,
    DID_GROUP_TYPES,
    DID_GROUPS,
    NANPA_PREFIXES,
    REGIONS,
    STOCK_KEEPING_UNITS,
)
from didww_iac.emulator.resources.dids import DIDS
from didww_iac.emulator.resources.emergency_requirements import (
    EMERGENCY_REQUIREMENT_VALIDATIONS,
    EMERGENCY_REQUIREMENTS,
)
from didww_iac.emulator.resources.emergency_services import EMERGENCY_CALLING_SERVICES
from didww_iac.emulator.resources.emergency_verifications import EMERGENCY_VERIFICATIONS
from didww_iac.emulator.resources.exports import EXPORTS
from didww_iac.emulator.resources.files import ENCRYPTED_FILES, PUBLIC_KEYS
from didww_iac.emulator.resources.history import DID_HISTORY
from didww_iac.emulator.resources.orders import ORDERS
from didww_iac.emulator.resources.pops import POPS
from didww_iac.emulator.resources.regulation import (
    ADDRESS_REQUIREMENT_VALIDATIONS,
    ADDRESSES,
    IDENTITIES,
    PERMANENT_SUPPORTING_DOCUMENTS,
    PROOFS,
    REQUIREMENT_VALIDATIONS,
)
from didww_iac.emulator.resources.regulation_catalogue import (
    ADDRESS_REQUIREMENTS,
    AREAS,
    PROOF_TYPES,
    REQUIREMENTS,
    SUPPORTING_DOCUMENT_TEMPLATES,
)
from didww_iac.emulator.resources.regulation_verifications import ADDRESS_VERIFICATIONS
from didww_iac.emulator.resources.reservations import DID_RESERVATIONS
from didww_iac.emulator.resources.voice_in import VOICE_IN_TRUNK_GROUPS, VOICE_IN_TRUNKS
from didww_iac.emulator.resources.voice_out import VOICE_OUT_TRUNK_REGENERATE_CREDENTIALS, VOICE_OUT_TRUNKS
from didww_iac.emulator.schema import Registry, ResourceType

RESOURCE_TYPES: tuple[ResourceType, ...] = (
    # Coverage (seeded, read-only)
    COUNTRIES,
    REGIONS,
    CITIES,
    DID_GROUP_TYPES,
    DID_GROUPS,
    STOCK_KEEPING_UNITS,
    AVAILABLE_DIDS,
    NANPA_PREFIXES,
    DID_RESERVATIONS,
    # Inventory
    BALANCES,
    ORDERS,
    DIDS,
    POPS,
    VOICE_IN_TRUNKS,
    VOICE_IN_TRUNK_GROUPS,
    VOICE_OUT_TRUNKS,
    VOICE_OUT_TRUNK_REGENERATE_CREDENTIALS,
    CAPACITY_POOLS,
    QTY_BASED_PRICINGS,
    SHARED_CAPACITY_GROUPS,
    # Account: number history and CDR exports (history.py, exports.py)
    DID_HISTORY,
    EXPORTS,
    # Regulation documents: encrypted uploads
    PUBLIC_KEYS,
    ENCRYPTED_FILES,
    # Regulation (regulation*.py): catalogue, then what the account holds
    PROOF_TYPES,
    SUPPORTING_DOCUMENT_TEMPLATES,
    AREAS,
    ADDRESS_REQUIREMENTS,
    REQUIREMENTS,
    ADDRESS_REQUIREMENT_VALIDATIONS,
    REQUIREMENT_VALIDATIONS,
    IDENTITIES,
    ADDRESSES,
    PROOFS,
    PERMANENT_SUPPORTING_DOCUMENTS,
    ADDRESS_VERIFICATIONS,
    # Emergency calling (2026-04-16, emergency_*.py)
    EMERGENCY_REQUIREMENTS,
    EMERGENCY_REQUIREMENT_VALIDATIONS,
    EMERGENCY_CALLING_SERVICES,
    EMERGENCY_VERIFICATIONS,
)


def build_registry() -> Registry:
    return Registry(RESOURCE_TYPES)
