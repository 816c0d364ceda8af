"""Starting the embedded emulator on demand for stacks whose endpoint is `emulator`.

`make up` and `didww-iac up` reuse an emulator already listening on the local port; otherwise
they start one in the background that keeps the account in .emulator/local.sqlite, so
consecutive runs see the same resources.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from didww_iac.settings import LOCAL_EMULATOR_API_KEY, LOCAL_EMULATOR_PORT

HOST = "127.0.0.1"


def base_url(port: int = LOCAL_EMULATOR_PORT) -> str:
    return f"http://{HOST}:{port}/v3/"


def is_running(port: int = LOCAL_EMULATOR_PORT) -> bool:
    try:
        # Any DIDWW-shaped answer (even 401) means an emulator is serving there.
        response = httpx.get(base_url(port) + "voice_in_trunks", timeout=1.0)
    except httpx.HTTPError:
        return False
    return "application/vnd.api+json" in response.headers.get("content-type", "")


def ensure_running(project_dir: Path, port: int = LOCAL_EMULATOR_PORT, timeout: float = 20.0) -> bool:
    """Returns True when it started a new emulator, False when one was already running."""
    if is_running(port):
        return False
    data = project_dir / ".emulator"
    data.mkdir(exist_ok=True)
    log = (data / "emulator.log").open("ab")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "didww_iac.emulator",
            "--host",
            HOST,
            "--port",
            str(port),
            "--state",
            str(data / "local.sqlite"),
            "--api-key",
            LOCAL_EMULATOR_API_KEY,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # outlives `make up`, like a local database server
    )
    (data / "emulator.pid").write_text(str(process.pid))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the emulator exited at start (exit {process.returncode}); see {data / 'emulator.log'}")
        if is_running(port):
            return True
        time.sleep(0.1)
    raise RuntimeError(f"the emulator did not answer on port {port} within {timeout:.0f}s; see {data / 'emulator.log'}")


def stop(project_dir: Path) -> bool:
    pid_file = project_dir / ".emulator" / "emulator.pid"
    if not pid_file.exists():
        return False
    with contextlib.suppress(ProcessLookupError, ValueError):
        os.kill(int(pid_file.read_text()), signal.SIGTERM)
    pid_file.unlink()
    return True
