"""Settings of one emulated DIDWW account and its test hooks."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# Dated API versions the emulator can render, oldest first.
SUPPORTED_VERSIONS: tuple[str, ...] = ("2022-05-10", "2026-04-16")
LATEST_VERSION = SUPPORTED_VERSIONS[-1]

DEFAULT_API_KEY = "local-emulator-key"
DEFAULT_RATE_LIMIT = 20.0
# Seconds a DID order stays pending before it completes (0: completes in the POST itself).
DEFAULT_ORDER_DELAY = 2.0
DEFAULT_BALANCE = "100.00"


@dataclass
class FaultSettings:
    """Injected misbehaviour; everything is off by default.

    Rates are probabilities per /v3 request; the ``*_next`` counters affect exactly the next N
    requests, which makes tests deterministic.
    """

    latency: float = 0.0
    error_rate: float = 0.0
    error_status: int = 500
    drop_rate: float = 0.0
    fail_next: int = 0
    drop_next: int = 0
    throttle_next: int = 0
    retry_after: float | None = None

    def to_dict(self) -> dict[str, float | int | None]:
        return dict(vars(self))


@dataclass
class EmulatorConfig:
    api_version: str = LATEST_VERSION
    api_keys: tuple[str, ...] = (DEFAULT_API_KEY,)
    # Requests per second per API key; None or 0 disables the limiter.
    rate_limit: float | None = DEFAULT_RATE_LIMIT
    seed: int | None = 0
    state_file: Path | None = None
    admin: bool = False
    request_log: bool = False
    faults: FaultSettings = field(default_factory=FaultSettings)
    order_delay: float = DEFAULT_ORDER_DELAY
    # The opening prepaid balance of a new account (a stored account keeps its own).
    balance: str = DEFAULT_BALANCE

    def __post_init__(self) -> None:
        if self.order_delay < 0:
            raise ValueError("order_delay must be 0 or more seconds")
        if self.api_version not in SUPPORTED_VERSIONS:
            raise ValueError(f"api_version must be one of {', '.join(SUPPORTED_VERSIONS)}")
        if not self.api_keys:
            raise ValueError("at least one API key is required")
        if self.state_file is not None:
            self.state_file = Path(self.state_file)
