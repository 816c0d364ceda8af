"""Serving the emulator over HTTP with uvicorn (blocking), for the CLI and for humans."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import uvicorn

from didww_iac.emulator.app import create_app
from didww_iac.emulator.config import (
    DEFAULT_API_KEY,
    DEFAULT_BALANCE,
    DEFAULT_ORDER_DELAY,
    DEFAULT_RATE_LIMIT,
    LATEST_VERSION,
    EmulatorConfig,
    FaultSettings,
)
from didww_iac.emulator.runtime import Emulator


def uvicorn_config(app: object, host: str, port: int) -> uvicorn.Config:
    # h11 explicitly: the dropped-connection hook relies on its transport handling.
    return uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=host,
        port=port,
        http="h11",
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
    )
    emulator = Emulator(config)
    display_host = f"[{host}]" if ":" in host else host
    print(f"DIDWW API v3 emulator: http://{display_host}:{port}/v3/", flush=True)
    print(f"API key: {config.api_keys[0]}", flush=True)
    print(f"API version: {config.api_version}", flush=True)
    print(f"Orders complete after: {config.order_delay:g} s", flush=True)
    if admin:
        print(f"Admin API: http://{display_host}:{port}/__emulator/", flush=True)
    try:
        uvicorn.Server(uvicorn_config(create_app(emulator), host, port)).run()
    finally:
        emulator.close()
