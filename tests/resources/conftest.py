"""Fixtures of the provider tests: one emulator per module, keyed by the module's own `KEY`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from didww_iac.emulator.testing import RunningEmulator, running_emulator
from tests.resources.helpers import reset


@pytest.fixture(scope="module")
def emulator(request: pytest.FixtureRequest) -> Iterator[RunningEmulator]:
    """No rate limit (request counts are asserted, not timing) and a request log to assert on.
    A module that needs other settings defines its own `emulator` fixture."""
    key: str = request.module.KEY
    with running_emulator(api_keys=[key], rate_limit=None, request_log=True) as emu:
        yield emu


@pytest.fixture
def clean_emulator(emulator: RunningEmulator) -> None:
    """An empty account, no faults, an empty request log (opt in with `usefixtures`)."""
    reset(emulator)
