"""Settings of one emulated DIDWW account and its test hooks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

# Dated API versions the emulator can render, oldest first.
SUPPORTED_VERSIONS: tuple[str, ...] = ("2022-05-10", "2026-04-16")
LATEST_VERSION = SUPPORTED_VERSIONS[-1]

DEFAULT_API_KEY = "local-emulator-key"
DEFAULT_RATE_LIMIT = 20.0
# Seconds a DID order stays pending before it completes (0: completes in the POST itself).
DEFAULT_ORDER_DELAY = 2.0
# Seconds DIDWW's compliance team takes to decide a verification (see reviews.py; 0: decided in
# the POST itself).
DEFAULT_REVIEW_DELAY = 30.0
DEFAULT_BALANCE = "100.00"
# Numbers in stock per DID group of a new account. Up to MAX_STOCK: the smallest groups (NANPA
# local ones: three NXX codes of 10,000 numbers) must keep room for back-ordered and seeded numbers.
DEFAULT_STOCK = 6
MAX_STOCK = 10_000
# The methods of /v3 a fault can be limited to.
FAULT_METHODS: tuple[str, ...] = ("GET", "POST", "PATCH", "DELETE")
# Bounds of one account seeding (see AccountSeed), so a typo cannot ask for millions of records.
MAX_SEEDED_TRUNKS = 10_000
MAX_SEEDED_DIDS = 100_000


@dataclass
class FaultSettings:
    """Injected misbehaviour; everything is off by default.

    Rates are probabilities per /v3 request; the ``*_next`` counters affect exactly the next N
    requests, which makes tests deterministic. ``drop_next`` drops a request before it is
    handled (nothing happens); ``lose_answer_next`` lets it be carried out (a write is
    committed) and then drops the connection unanswered: what a timeout after DIDWW acted
    looks like. ``lose_answer_method`` limits that counter to one method (e.g. "POST").
    """

    latency: float = 0.0
    error_rate: float = 0.0
    error_status: int = 500
    drop_rate: float = 0.0
    fail_next: int = 0
    drop_next: int = 0
    throttle_next: int = 0
    retry_after: float | None = None
    lose_answer_next: int = 0
    lose_answer_method: str | None = None

    def __post_init__(self) -> None:
        counter = self.lose_answer_next
        if isinstance(counter, bool) or not isinstance(counter, int) or counter < 0:
            raise ValueError(f"lose_answer_next must be a whole number, 0 or more (got {counter!r})")
        method = self.lose_answer_method
        if method is not None:
            if not isinstance(method, str) or method.upper() not in FAULT_METHODS:
                raise ValueError(f"lose_answer_method must be one of {', '.join(FAULT_METHODS)} (got {method!r})")
            self.lose_answer_method = method.upper()

    def to_dict(self) -> dict[str, float | int | str | None]:
        return dict(vars(self))


@dataclass(frozen=True)
class AccountSeed:
    """Records made "in the DIDWW panel" before the tool runs (so without external_reference_id):
    SIP trunks, trunk groups with some of those trunks as members, and DIDs (with the completed
    orders that bought them), routed to a trunk, to a trunk group or nowhere."""

    trunks: int = 0
    groups: int = 0
    dids: int = 0

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{item.name} must be a whole number, 0 or more (got {value!r})")
        if self.trunks > MAX_SEEDED_TRUNKS:
            raise ValueError(f"trunks must be at most {MAX_SEEDED_TRUNKS}")
        if self.groups > self.trunks:
            raise ValueError("groups must not outnumber trunks: every trunk group gets at least one trunk")
        if self.dids > MAX_SEEDED_DIDS:
            raise ValueError(f"dids must be at most {MAX_SEEDED_DIDS}")

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> AccountSeed:
        """From a JSON object such as ``{"trunks": 200, "groups": 20, "dids": 10000}``."""
        known = {item.name for item in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown seed counts: {', '.join(unknown)} (known: {', '.join(sorted(known))})")
        return cls(**values)  # type: ignore[arg-type]  # checked by __post_init__

    @classmethod
    def parse(cls, text: str) -> AccountSeed:
        """From the CLI form ``trunks=200,groups=20,dids=10000`` (any subset, any order)."""
        values: dict[str, object] = {}
        for item in filter(None, (part.strip() for part in text.split(","))):
            name, sep, raw = item.partition("=")
            name = name.strip()
            if not sep or not name:
                raise ValueError(f"expected NAME=COUNT, got {item!r} (e.g. trunks=200,groups=20,dids=10000)")
            if name in values:
                raise ValueError(f"{name} is given twice")
            if not raw.strip().isdigit():
                raise ValueError(f"{name} must be a whole number, 0 or more (got {raw.strip()!r})")
            values[name] = int(raw)
        if not values:
            raise ValueError("expected NAME=COUNT pairs, e.g. trunks=200,groups=20,dids=10000")
        return cls.from_mapping(values)

    def is_empty(self) -> bool:
        return not (self.trunks or self.groups or self.dids)


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
    review_delay: float = DEFAULT_REVIEW_DELAY
    # The opening prepaid balance of a new account (a stored account keeps its own).
    balance: str = DEFAULT_BALANCE
    # Numbers in stock per DID group of a new account (a stored account keeps its own stock).
    stock_per_group: int = DEFAULT_STOCK
    # Records a new account starts with, as if made in the panel (a stored account is seeded once).
    seed_account: AccountSeed | None = None

    def __post_init__(self) -> None:
        if self.order_delay < 0:
            raise ValueError("order_delay must be 0 or more seconds")
        if self.review_delay < 0:
            raise ValueError("review_delay must be 0 or more seconds")
        if self.api_version not in SUPPORTED_VERSIONS:
            raise ValueError(f"api_version must be one of {', '.join(SUPPORTED_VERSIONS)}")
        if not self.api_keys:
            raise ValueError("at least one API key is required")
        if self.state_file is not None:
            self.state_file = Path(self.state_file)
        check_stock(self.stock_per_group)


def check_stock(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_STOCK:
        raise ValueError(f"stock_per_group must be a whole number from 0 to {MAX_STOCK} (got {value!r})")
    return value
