"""End-to-end fixtures: a temporary Pulumi project driven through the real `didww-iac` command
and the real Pulumi engine (tools/bin), against a real emulator over HTTP."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from didww_iac.emulator.testing import RunningEmulator, running_emulator

REPO = Path(__file__).resolve().parents[2]
# A distinctive key, so a test can search state files and logs for it.
E2E_API_KEY = "e2e-key-5f1c0b7a9d2e4c33"
RUN_TIMEOUT = 300
RATE_LIMITED_TRIES = 5


@dataclass
class Project:
    root: Path
    emulator: RunningEmulator

    def write_stack(self, name: str, body: str, endpoint: str | None = None) -> Path:
        path = self.root / "stacks" / f"{name}.yaml"
        endpoint = endpoint or self.emulator.base_url
        path.write_text(f'api_version: "2026-04-16"\nendpoint: "{endpoint}"\nlimiter: process\n{body}')
        return path

    def cli(self, *args: str, key_in_env: bool = True) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ)
        env.pop("DIDWW_API_KEY", None)
        if key_in_env:
            env["DIDWW_API_KEY"] = E2E_API_KEY
        env["PULUMI_CONFIG_PASSPHRASE"] = "e2e-passphrase"
        return subprocess.run(
            [sys.executable, "-m", "didww_iac.cli", args[0], "--project-dir", str(self.root), *args[1:]],
            env=env,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )

    def live(
        self, api_type: str, include: str | None = None, filters: dict[str, str] | None = None
    ) -> list[dict[str, Any]]:
        """What the emulator holds, read over HTTP as any DIDWW client would."""
        params = {"page[size]": "100", **({"include": include} if include else {})}
        params.update({f"filter[{k}]": v for k, v in (filters or {}).items()})
        for _ in range(RATE_LIMITED_TRIES):
            response = httpx.get(
                self.emulator.base_url + api_type,
                params=params,
                headers={"Api-Key": E2E_API_KEY, "Accept": "application/vnd.api+json"},
            )
            if response.status_code != 429:
                break
            # The run just before may have spent this second's budget of the key (20/s): wait
            # as any DIDWW client must.
            time.sleep(float(response.headers.get("Retry-After", "1")))
        response.raise_for_status()
        data: list[dict[str, Any]] = response.json()["data"]
        return data

    def api_requests(self) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = httpx.get(self.emulator.admin_url + "requests").json()["requests"]
        return [e for e in entries if "/__emulator/" not in str(e.get("path", ""))]

    def state_file(self, stack: str) -> Path:
        return self.root / ".state" / ".pulumi" / "stacks" / "didww-iac" / f"{stack}.json"


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    # Orders complete half a second after they are placed.
    with running_emulator(api_keys=[E2E_API_KEY], rate_limit=20.0, request_log=True, order_delay=0.5) as emu:
        yield emu


@pytest.fixture
def project(tmp_path: Path, emulator: RunningEmulator) -> Project:
    if not (REPO / "tools" / "bin" / "pulumi").exists():
        pytest.fail("the Pulumi engine is not built: run `make setup` (tools/pulumi.sh)")
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(REPO / name, tmp_path / name)
    (tmp_path / ".venv").symlink_to(REPO / ".venv")
    (tmp_path / "tools").symlink_to(REPO / "tools")
    (tmp_path / "stacks").mkdir()
    httpx.post(emulator.admin_url + "reset").raise_for_status()
    httpx.delete(emulator.admin_url + "requests").raise_for_status()
    return Project(tmp_path, emulator)
