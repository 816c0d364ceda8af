"""A local, stateful DIDWW API v3 emulator (independent of didww_iac.api and didww_iac.resources).

Layout, after moto: ``models`` holds the account state and the generic rules (``store`` keeps it,
``index`` answers look-ups by value, ``clock``/``timers`` move it forward, ``seeding`` fills it as
if made in the DIDWW panel), ``schema`` and ``resources`` declare each resource type as
data with small ``behaviour`` hooks for real behaviour (orders, reservations, routing rules),
``routes``/``jsonapi``/``query`` speak HTTP and JSON:API, ``faults``/``ratelimit``/``admin`` are the
test hooks, ``server``/``testing`` run it.
"""

from didww_iac.emulator.app import create_app
from didww_iac.emulator.config import (
    DEFAULT_API_KEY,
    LATEST_VERSION,
    SUPPORTED_VERSIONS,
    AccountSeed,
    EmulatorConfig,
    FaultSettings,
)
from didww_iac.emulator.runtime import Emulator

__all__ = [
    "DEFAULT_API_KEY",
    "LATEST_VERSION",
    "SUPPORTED_VERSIONS",
    "AccountSeed",
    "Emulator",
    "EmulatorConfig",
    "FaultSettings",
    "create_app",
]
