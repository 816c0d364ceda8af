"""The whole tool under the real Pulumi engine, against an emulator enforcing DIDWW's limit.

    python -m benchmarks.bench_engine [--resources 40] [--rate 20]

For N trunk groups it measures `didww-iac up` (create) and a no-op `up` (which refreshes first),
counting the API requests the emulator saw and any 429s, and compares with the same engine
running a trivial dynamic provider (no API at all) over N resources: the difference, less the
API's own floor (requests / rate), is what the tool adds per resource.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.projects import TRIVIAL_PROGRAM, project
from didww_iac.emulator.testing import RunningEmulator, running_emulator
from didww_iac.engine import Engine

KEY = "bench-engine-key"


def timed(cmd: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.monotonic()
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd[:4])} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-2000:]}")
    return elapsed


def api_requests(emu: RunningEmulator) -> tuple[int, int]:
    entries = httpx.get(emu.admin_url + "requests").json()["requests"]
    httpx.delete(emu.admin_url + "requests")
    api = [e for e in entries if str(e.get("path", "")).startswith("/v3/")]
    return len(api), sum(1 for e in api if e.get("status") == 429)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--resources", type=int, default=40)
    parser.add_argument("--rate", type=float, default=20.0)
    args = parser.parse_args()
    n, rate = args.resources, args.rate

    with (
        tempfile.TemporaryDirectory() as tmp,
        running_emulator(api_keys=[KEY], rate_limit=rate, request_log=True) as emu,
    ):
        env = {**os.environ, "DIDWW_API_KEY": KEY, "PULUMI_CONFIG_PASSPHRASE": "bench"}
        didww = project(Path(tmp) / "didww", None)
        groups = "".join(f"  g{i}:\n    name: Group {i}\n    capacity_limit: {i % 50}\n" for i in range(n))
        (didww / "stacks" / "bench.yaml").write_text(
            f'api_version: "2026-04-16"\nendpoint: "{emu.base_url}"\nrate_limit: {rate}\n'
            f"limiter: process\nvoice_in_trunk_groups:\n{groups}"
        )
        cli = [sys.executable, "-m", "didww_iac.cli"]
        where = ["--stack", "bench", "--project-dir", str(didww)]
        Engine(didww, "bench", extra_env={"PULUMI_CONFIG_PASSPHRASE": "bench"}).ensure_stack()
        api_requests(emu)

        create_s = timed([*cli, "up", *where], env, didww)
        create_req, create_429 = api_requests(emu)
        noop_s = timed([*cli, "up", *where], env, didww)
        noop_req, noop_429 = api_requests(emu)

        # The same through the bare engine (no didww-iac command around it): what the providers
        # cost, apart from the command's validation and summary.
        didww_engine = Engine(didww, "bench", extra_env={"PULUMI_CONFIG_PASSPHRASE": "bench", "DIDWW_API_KEY": KEY})
        bare = [str(didww_engine.pulumi), "--stack", "bench", "--non-interactive", "--yes"]
        timed([bare[0], "destroy", *bare[1:]], didww_engine.env(), didww)
        api_requests(emu)
        bare_create_s = timed([bare[0], "up", *bare[1:]], didww_engine.env(), didww)
        bare_noop_s = timed([bare[0], "up", *bare[1:], "--refresh"], didww_engine.env(), didww)
        api_requests(emu)

        trivial = project(Path(tmp) / "trivial", TRIVIAL_PROGRAM)
        engine = Engine(trivial, "bench", extra_env={"PULUMI_CONFIG_PASSPHRASE": "bench"})
        engine.ensure_stack()
        engine.run(["config", "set", "count", str(n), "--stack", "bench"], capture=True)
        pulumi = [str(engine.pulumi), "up", "--yes", "--stack", "bench", "--non-interactive"]
        base_create_s = timed(pulumi, engine.env(), trivial)
        base_noop_s = timed([*pulumi, "--refresh"], engine.env(), trivial)

    floor = create_req / rate
    print(f"engine benchmark: {n} trunk groups, limit {rate:g} req/s")
    print(
        f"  create    didww-iac up {create_s:6.2f} s   bare pulumi up {bare_create_s:6.2f} s   "
        f"trivial provider {base_create_s:6.2f} s"
    )
    print(
        f"            {create_req} requests ({create_req / n:.2f} per resource, target ~1), "
        f"{create_429} x 429, API floor {floor:.2f} s"
    )
    # The engine's own work and the API's rate-limited requests largely follow each other (the
    # program registers resources while the provider waits for slots), so both are subtracted.
    added = (bare_create_s - base_create_s - floor) / n
    print(
        f"            providers add {added * 1000:.0f} ms per resource beyond the engine's own cost and the "
        f"API floor (fixed start-up included: Python imports of the program and the provider)"
    )
    print(
        f"  no-op up  didww-iac up {noop_s:6.2f} s   bare pulumi up --refresh {bare_noop_s:6.2f} s   "
        f"trivial provider {base_noop_s:6.2f} s"
    )
    print(
        f"            {noop_req} requests to refresh {n} resources (target ceil({n}/100) = {-(-n // 100)} "
        f"per type), {noop_429} x 429"
    )
    print(f"            bare engine with our providers / trivial provider: {bare_noop_s / base_noop_s:.2f}x")


if __name__ == "__main__":
    main()
