"""Providers as the engine's provider process gets them, and a plain HTTP view of the emulator."""

from __future__ import annotations

from typing import Any

import dill
import httpx
from pulumi.dynamic import Config, ConfigureRequest

from didww_iac.emulator.testing import RunningEmulator
from didww_iac.resources.connection import Connection
from didww_iac.resources.provider import DidwwProvider


def configured(
    emulator: RunningEmulator, cls: type[DidwwProvider], key: str, version: str = "2026-04-16"
) -> DidwwProvider:
    """Pickled and unpickled (as Pulumi stores it), then configured with the key as stack config."""
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
