"""``running_emulator``: a real emulator on a free loopback port, in a background thread, for tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from didww_iac.emulator.app import create_app
from didww_iac.emulator.config import AccountSeed, EmulatorConfig
from didww_iac.emulator.models import Account
from didww_iac.emulator.runtime import Emulator
from didww_iac.emulator.server import uvicorn_config

STARTUP_TIMEOUT = 10.0


@dataclass(frozen=True)
class RunningEmulator:
    base_url: str  # "http://127.0.0.1:PORT/v3/"
    api_key: str
    admin_url: str  # "http://127.0.0.1:PORT/__emulator/" (mounted when admin=True, the default here)
    port: int
    emulator: Emulator

    @property
    def state(self) -> Account:
        """The live account, for assertions and for changes made behind the client's back."""
        return self.emulator.account


@contextmanager
def running_emulator(**options: Any) -> Iterator[RunningEmulator]:
    """Start an emulator; ``options`` are ``EmulatorConfig`` fields (``api_version``, ``api_keys``,
    ``rate_limit``, ``seed``, ``state_file``, ``admin``, ``request_log``, ``faults``,
    ``order_delay``, ``balance``, ``stock_per_group``, ``seed_account``).

    Unlike the CLI, the admin API is on unless ``admin=False`` is passed. ``seed_account`` may
    also be given as the CLI text (``"trunks=2,dids=10"``) or a mapping of counts.
    """
    options.setdefault("admin", True)
    plan = options.get("seed_account")
    if isinstance(plan, str):
        options["seed_account"] = AccountSeed.parse(plan)
    elif isinstance(plan, Mapping):
        options["seed_account"] = AccountSeed.from_mapping(plan)
    if options.get("state_file") is not None:
        options["state_file"] = Path(options["state_file"])
    if options.get("api_keys") is not None:
        options["api_keys"] = tuple(options["api_keys"])
    emulator = Emulator(EmulatorConfig(**options))
    server = uvicorn.Server(uvicorn_config(create_app(emulator), "127.0.0.1", 0))
    thread = threading.Thread(target=server.run, name="didww-emulator", daemon=True)
    thread.start()
    try:
        port = _wait_for_port(server, thread)
        root = f"http://127.0.0.1:{port}"
        yield RunningEmulator(
            base_url=f"{root}/v3/",
            api_key=emulator.config.api_keys[0],
            admin_url=f"{root}/__emulator/",
            port=port,
            emulator=emulator,
        )
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_TIMEOUT)
        emulator.close()


def _wait_for_port(server: uvicorn.Server, thread: threading.Thread) -> int:
    # server.started is set once the listening socket is bound, so the port is known and answering.
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the DIDWW emulator did not start")
        time.sleep(0.01)
    return int(server.servers[0].sockets[0].getsockname()[1])
