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
from didww_iac.emulator.resources.orders import ORDERS
from didww_iac.emulator.resources.pops import POPS
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
)


def build_registry() -> Registry:
    return Registry(RESOURCE_TYPES)
