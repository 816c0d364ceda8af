"""Serving the emulator over HTTP with uvicorn (blocking), for the CLI and for humans."""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Sequence
from pathlib import Path

import uvicorn

from didww_iac.emulator.app import create_app
from didww_iac.emulator.config import (
    DEFAULT_API_KEY,
    DEFAULT_BALANCE,
    DEFAULT_ORDER_DELAY,
    DEFAULT_RATE_LIMIT,
    DEFAULT_STOCK,
    LATEST_VERSION,
    AccountSeed,
    EmulatorConfig,
    FaultSettings,
)
from didww_iac.emulator.protocol import HttpProtocol
from didww_iac.emulator.runtime import Emulator

# mallopt parameters (glibc's malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def keep_freed_memory() -> None:
    """Let glibc's malloc reuse freed memory instead of handing it back to the kernel.

    A page of 100 trunks is ~176 KB, above glibc's default mmap threshold (128 KB), and freeing
    such blocks trims the heap: every list response then maps fresh pages and faults them in,
    which measured as more than half of its server time. Holding up to a few tens of MB of
    freed memory is nothing for an emulator. A no-op where there is no glibc.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt(_M_MMAP_THRESHOLD, 8 * 1024 * 1024)
    mallopt(_M_TRIM_THRESHOLD, 64 * 1024 * 1024)


def uvicorn_config(app: object, host: str, port: int) -> uvicorn.Config:
    # httptools (C parser) and uvloop cost about half of h11 on asyncio per request. The protocol
    # keeps uvicorn's per-request transport, which the dropped-connection fault aborts.
    return uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=host,
        port=port,
        http=HttpProtocol,
        loop="auto",  # uvloop where it is installed (not on Windows), else asyncio
        lifespan="off",
        log_level="warning",
        access_log=False,
    )


def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    state_file: str | Path | None = None,
    api_version: str = LATEST_VERSION,
    rate_limit: float | None = DEFAULT_RATE_LIMIT,
    seed: int | None = 0,
    api_keys: Sequence[str] | None = None,
    admin: bool = False,
    *,
    faults: FaultSettings | None = None,
    order_delay: float = DEFAULT_ORDER_DELAY,
    balance: str = DEFAULT_BALANCE,
    stock_per_group: int = DEFAULT_STOCK,
    seed_account: AccountSeed | None = None,
) -> None:
    config = EmulatorConfig(
        api_version=api_version,
        api_keys=tuple(api_keys) if api_keys else (DEFAULT_API_KEY,),
        rate_limit=rate_limit or None,
        seed=seed,
        state_file=Path(state_file) if state_file else None,
        admin=admin,
        faults=faults or FaultSettings(),
        order_delay=order_delay,
        balance=balance,
        stock_per_group=stock_per_group,
        seed_account=seed_account,
    )
    emulator = Emulator(config)
    display_host = f"[{host}]" if ":" in host else host
    print(f"DIDWW API v3 emulator: http://{display_host}:{port}/v3/", flush=True)
    print(f"API key: {config.api_keys[0]}", flush=True)
    print(f"API version: {config.api_version}", flush=True)
    print(f"Orders complete after: {config.order_delay:g} s", flush=True)
    print(f"Stock per DID group: {config.stock_per_group}", flush=True)
    if seed_account is not None:
        counts = {t: len(emulator.account.records(t)) for t in ("voice_in_trunks", "voice_in_trunk_groups", "dids")}
        print("Account holds: " + ", ".join(f"{n} {t}" for t, n in counts.items()), flush=True)
    if admin:
        print(f"Admin API: http://{display_host}:{port}/__emulator/", flush=True)
    keep_freed_memory()
    try:
        uvicorn.Server(uvicorn_config(create_app(emulator), host, port)).run()
    finally:
        emulator.close()
