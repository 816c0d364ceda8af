"""Helpers of the API client tests: fake clock, free ports, emulator fault hooks and request log."""

from __future__ import annotations

import socket
from typing import Any

import httpx

from didww_iac.api import ClientSettings
from didww_iac.emulator.testing import RunningEmulator


def settings_for(emu: RunningEmulator, **kw: Any) -> ClientSettings:
    kw.setdefault("backoff_base", 0.05)
    kw.setdefault("backoff_max", 0.5)
    return ClientSettings(api_key=emu.api_key, endpoint=emu.base_url, **kw)


def faults(emu: RunningEmulator, **kw: Any) -> None:
    httpx.post(emu.admin_url + "faults", json=kw).raise_for_status()


def logged(emu: RunningEmulator) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = httpx.get(emu.admin_url + "requests").json()["requests"]
    return entries


def clear_log(emu: RunningEmulator) -> None:
    httpx.delete(emu.admin_url + "requests").raise_for_status()


def max_in_window(stamps: list[float], window: float = 1.0) -> int:
    """Most arrivals in any half-open window [t, t + window) starting at an arrival."""
    s = sorted(stamps)
    best, j = 0, 0
    for i, t in enumerate(s):
        while j < len(s) and s[j] < t + window:
            j += 1
        best = max(best, j - i)
    return best


class FakeClock:
    """A clock whose sleep advances time instantly (limiter tests without waiting)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += max(0.0, seconds)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
