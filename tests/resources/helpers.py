"""Providers as the engine's provider process gets them, and a plain HTTP view of the emulator."""

from __future__ import annotations

from typing import Any

import dill
import httpx
from pulumi.dynamic import Config, ConfigureRequest

from didww_iac.emulator.testing import RunningEmulator
from didww_iac.resources.connection import Connection
from didww_iac.resources.live_index import forget_shared_indexes
from didww_iac.resources.provider import DidwwProvider


def configured(
    emulator: RunningEmulator,
    cls: type[DidwwProvider],
    key: str,
    version: str = "2026-04-16",
    new_process: bool = True,
) -> DidwwProvider:
    """Pickled and unpickled (as Pulumi stores it), then configured with the key as stack config.
    `new_process`: as in a provider process of its own, which shares no live index with the
    providers configured before (False: as a provider of the same process, which does)."""
    if new_process:
        forget_shared_indexes()
    made = cls(Connection(emulator.base_url, version, rate_limit=0, limiter="process"))
    revived: DidwwProvider = dill.loads(dill.dumps(made, recurse=True))
    revived.configure(ConfigureRequest(Config({"didww:apiKey": key}, "didww-iac")))
    return revived


def call(emulator: RunningEmulator, key: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    response = httpx.request(
        method,
        emulator.base_url + path,
        json=body,
        headers={"Api-Key": key, "Content-Type": "application/vnd.api+json", "Accept": "application/vnd.api+json"},
    )
    response.raise_for_status()
    return response.json() if response.content else None


def reset(emulator: RunningEmulator) -> None:
    """An empty account, no faults, an empty request log."""
    httpx.post(emulator.admin_url + "reset").raise_for_status()
    httpx.delete(emulator.admin_url + "faults").raise_for_status()
    clear_requests(emulator)


def clear_requests(emulator: RunningEmulator) -> None:
    httpx.delete(emulator.admin_url + "requests").raise_for_status()


def api_requests(emulator: RunningEmulator, method: str | None = None) -> list[dict[str, Any]]:
    """The DIDWW API requests the emulator logged (admin calls left out), optionally of one method."""
    entries: list[dict[str, Any]] = httpx.get(emulator.admin_url + "requests").json()["requests"]
    return [e for e in entries if e["path"].startswith("/v3/") and method in (None, e["method"])]
