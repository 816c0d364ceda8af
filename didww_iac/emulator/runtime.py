"""One running emulator: the account plus the HTTP-level machinery around it."""

from __future__ import annotations

import dataclasses
import random
import threading
from typing import Any, Literal

from didww_iac.emulator import money
from didww_iac.emulator.behaviour import AccountSettings
from didww_iac.emulator.config import SUPPORTED_VERSIONS, AccountSeed, EmulatorConfig, FaultSettings
from didww_iac.emulator.models import Account
from didww_iac.emulator.ratelimit import SlidingWindowLimiter
from didww_iac.emulator.requestlog import RequestLog
from didww_iac.emulator.resources import build_registry
from didww_iac.emulator.seeding import held, seed_account
from didww_iac.emulator.store import open_store

# "lose_answer": the request is carried out, then the connection drops unanswered.
FaultKind = Literal["drop", "throttle", "error", "lose_answer"]
# A counter of the account: set once the configured seed_account is in it (a stored account is
# seeded once, not on every start).
_CONFIG_SEEDED = "config_seeded"


class Emulator:
    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self.config = config or EmulatorConfig()
        self._store = open_store(self.config.state_file)
        settings = AccountSettings(
            order_delay=self.config.order_delay,
            review_delay=self.config.review_delay,
            balance=self.config.balance,
            stock_per_group=self.config.stock_per_group,
        )
        self.account = Account(build_registry(), self._store, self.config.api_version, self.config.seed, settings)
        self._seed_configured()
        self.api_keys = frozenset(self.config.api_keys)
        self.limiter = SlidingWindowLimiter(self.config.rate_limit)
        self.request_log = RequestLog(self.config.request_log or self.config.admin)
        self._faults = dataclasses.replace(self.config.faults)
        self._fault_lock = threading.Lock()
        # Whether next_fault can return anything: read without the lock on every /v3 request, so
        # requests skip the fault machinery while no fault is set (a race with an admin change
        # is the same race as before: the change applies from some request on).
        self.faults_armed = _armed(self._faults)
        self._fault_rng = random.Random(self.config.seed)

    # -- account settings -------------------------------------------------------------------

    def set_api_version(self, version: str) -> None:
        if version not in SUPPORTED_VERSIONS:
            raise ValueError(f"unsupported api_version {version!r}")
        self.account.api_version = version

    def set_balance(self, value: object) -> str:
        """Set the prepaid balance (admin); returns it as the API renders it."""
        rendered = money.balance(money.parse(value))
        record = self.account.singleton("balances")
        self.account.patch_raw(record.type, record.id, {"balance": rendered})
        return rendered

    def set_order_delay(self, seconds: object) -> None:
        delay = float(seconds)  # type: ignore[arg-type]
        if delay < 0:
            raise ValueError("order_delay must be 0 or more seconds")
        self.account.settings.order_delay = delay

    def set_review_delay(self, seconds: object) -> None:
        delay = float(seconds)  # type: ignore[arg-type]
        if delay < 0:
            raise ValueError("review_delay must be 0 or more seconds")
        self.account.settings.review_delay = delay

    def seed(self, plan: AccountSeed) -> dict[str, dict[str, int]]:
        """Add records made "in the panel" (admin); returns what was made and what is held."""
        created = seed_account(self.account, plan, self.config.seed)
        return {"created": created, "held": held(self.account)}

    def _seed_configured(self) -> None:
        plan = self.config.seed_account
        if plan is None or plan.is_empty() or self.account.counter(_CONFIG_SEEDED):
            return
        with self.account.transaction():
            seed_account(self.account, plan, self.config.seed)
            self.account.set_counter(_CONFIG_SEEDED, 1)

    def resolve_version(self, requested: str | None) -> str:
        """A newer known version switches this response; older or invalid values are ignored."""
        default = self.account.api_version
        value = (requested or "").strip()
        return value if value in SUPPORTED_VERSIONS and value > default else default

    # -- faults -----------------------------------------------------------------------------

    @property
    def faults(self) -> FaultSettings:
        with self._fault_lock:
            return dataclasses.replace(self._faults)

    def update_faults(self, changes: dict[str, Any]) -> FaultSettings:
        names = {f.name for f in dataclasses.fields(FaultSettings)}
        unknown = set(changes) - names
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        with self._fault_lock:
            self._faults = dataclasses.replace(self._faults, **changes)
            self.faults_armed = _armed(self._faults)
            return dataclasses.replace(self._faults)

    def clear_faults(self) -> None:
        with self._fault_lock:
            self._faults = FaultSettings()
            self.faults_armed = False

    def next_fault(self, method: str = "GET") -> tuple[float, FaultKind | None]:
        """Latency to add and the fault (if any) for the next /v3 request, made with `method`."""
        with self._fault_lock:
            f = self._faults
            kind: FaultKind | None = None
            if f.throttle_next > 0:
                f.throttle_next -= 1
                kind = "throttle"
            elif f.drop_next > 0:
                f.drop_next -= 1
                kind = "drop"
            elif f.fail_next > 0:
                f.fail_next -= 1
                kind = "error"
            elif f.lose_answer_next > 0 and f.lose_answer_method in (None, method):
                f.lose_answer_next -= 1
                kind = "lose_answer"
            elif f.drop_rate and self._fault_rng.random() < f.drop_rate:
                kind = "drop"
            elif f.error_rate and self._fault_rng.random() < f.error_rate:
                kind = "error"
            self.faults_armed = _armed(f)
            return f.latency, kind

    # -- lifecycle --------------------------------------------------------------------------

    def reset(self) -> None:
        self.account.settings.order_delay = self.config.order_delay
        self.account.settings.review_delay = self.config.review_delay
        self.account.reset()
        self._seed_configured()  # back to the account the emulator started with
        self.account.api_version = self.config.api_version
        self.limiter.reset()
        self.request_log.clear()
        self.clear_faults()

    def close(self) -> None:
        self._store.close()


def _armed(faults: FaultSettings) -> bool:
    return bool(
        faults.latency
        or faults.error_rate
        or faults.drop_rate
        or faults.fail_next
        or faults.drop_next
        or faults.throttle_next
        or faults.lose_answer_next
    )
