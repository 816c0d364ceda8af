"""Which failures are retried and how long to wait, on top of tenacity.

- 429: every method (DIDWW refused it before doing anything); wait ``Retry-After`` when given.
- 5xx and transport errors: GET, PATCH, DELETE only; a POST only when the connection failed before
  the request was sent (a POST that may have reached DIDWW is made safe by the caller's
  ``external_reference_id`` lookup, not by blind retry).
- Waits: exponential with full jitter, capped; bounded by attempts and by total seconds (a wait
  that would cross the budget ends the retries at once instead of sleeping first).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

import tenacity

from didww_iac.api.errors import DidwwError, RateLimitedError, ServerError, TransportError
from didww_iac.api.settings import ClientSettings

IDEMPOTENT = frozenset({"GET", "HEAD", "PATCH", "PUT", "DELETE", "OPTIONS"})

T = TypeVar("T")
log = logging.getLogger("didww_iac.api")


def is_retryable(method: str, exc: BaseException) -> bool:
    if isinstance(exc, RateLimitedError):
        return True
    if isinstance(exc, ServerError):
        return method in IDEMPOTENT
    if isinstance(exc, TransportError):
        return method in IDEMPOTENT or not exc.may_have_been_sent
    return False


class _Wait(tenacity.wait.wait_base):
    def __init__(self, base: float, cap: float) -> None:
        self._backoff = tenacity.wait_random_exponential(multiplier=base, max=cap)

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(exc, RateLimitedError) and exc.retry_after is not None:
            return exc.retry_after
        return float(self._backoff(retry_state))


def run_with_retries(
    method: str,
    describe: str,
    attempt: Callable[[int], T],
    settings: ClientSettings,
    *,
    on_retry: Callable[[float], None],
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call ``attempt(n)`` until it succeeds, fails for good, or the budget is spent."""

    def before_sleep(state: tenacity.RetryCallState) -> None:
        wait = state.upcoming_sleep
        exc = state.outcome.exception() if state.outcome else None
        on_retry(wait)
        log.debug(
            "retrying %s in %.2f s after %s (attempt %d/%d)",
            describe,
            wait,
            type(exc).__name__,
            state.attempt_number,
            settings.max_attempts,
        )

    retrying = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(settings.max_attempts)
        | tenacity.stop_before_delay(settings.retry_budget_seconds),
        wait=_Wait(settings.backoff_base, settings.backoff_max),
        retry=tenacity.retry_if_exception(lambda e: is_retryable(method, e)),
        before_sleep=before_sleep,
        sleep=sleep,
        reraise=True,
    )
    start = time.monotonic()
    number = 0
    try:
        for state in retrying:
            with state:
                number = state.retry_state.attempt_number
                return attempt(number)
    except DidwwError as exc:
        if is_retryable(method, exc) and number > 1:
            exc.message += f" (gave up after {number} attempts in {time.monotonic() - start:.1f} s)"
            exc.args = (exc.message,)
        raise
    raise AssertionError("unreachable")  # pragma: no cover
