from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from didww_iac.emulator.testing import RunningEmulator, running_emulator

from .fixtures import JSONAPI


def api_client(emu: RunningEmulator, **headers: str) -> httpx.Client:
    base = {"Api-Key": emu.api_key, "Accept": JSONAPI, "Content-Type": JSONAPI}
    return httpx.Client(base_url=emu.base_url, headers={**base, **headers}, timeout=10)


@pytest.fixture(scope="session")
def shared_emulator() -> Iterator[RunningEmulator]:
    with running_emulator(rate_limit=None) as emu:
        yield emu


@pytest.fixture(scope="session")
def shared_client(shared_emulator: RunningEmulator) -> Iterator[httpx.Client]:
    # One client for the session: building an httpx.Client (its SSL context) costs ~40 ms.
    with api_client(shared_emulator) as c:
        yield c


@pytest.fixture
def emu(shared_emulator: RunningEmulator, shared_client: httpx.Client) -> RunningEmulator:
    """The shared emulator, reset to an empty account before each test."""
    shared_client.post(shared_emulator.admin_url + "reset").raise_for_status()
    return shared_emulator


@pytest.fixture
def client(emu: RunningEmulator, shared_client: httpx.Client) -> httpx.Client:
    return shared_client
