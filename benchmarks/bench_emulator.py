"""Benchmark of the DIDWW emulator itself over loopback HTTP.

    python benchmarks/bench_emulator.py [--seconds 3] [--processes 2] [--clients 4] [--records 100]

Starts an emulator in its own process (``python -m didww_iac.emulator``, so clients do not share
its interpreter lock) with the rate limiter off and no admin API (so no request log), stores
``--records`` SIP trunks, then for each scenario runs ``--processes`` client processes of
``--clients`` threads each, every thread reusing one httpx client, for ``--seconds``: reads
(GET one trunk, GET a page of 100 trunks) and writes (POST a trunk, PATCH a trunk).

Prints requests per second with latency percentiles, the ratio of reads to the 1,000 req/s
target, and the emulator's own CPU time per request (from /proc): on a small machine the
clients compete with the server for cores, so ``1 / cpu per request`` is what one core of
server could serve if the clients ran elsewhere.
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.pool import Pool
from typing import Any

import httpx

from didww_iac.emulator.config import DEFAULT_API_KEY

READ_TARGET = 1000.0
JSONAPI = "application/vnd.api+json"
SCENARIOS = (
    ("GET one trunk", "get_one", True),
    ("GET list page of 100", "list_page", True),
    ("POST trunk", "post", False),
    ("PATCH trunk", "patch", False),
)


def sip_trunk(name: str) -> dict[str, Any]:
    configuration = {
        "type": "sip_configurations",
        "attributes": {"username": "bench", "host": "example.com", "port": 5060, "codec_ids": [9, 7]},
    }
    attributes = {"name": name, "capacity_limit": 10, "configuration": configuration}
    return {"data": {"type": "voice_in_trunks", "attributes": attributes}}


def client_for(base_url: str) -> httpx.Client:
    headers = {"Api-Key": DEFAULT_API_KEY, "Accept": JSONAPI, "Content-Type": JSONAPI}
    return httpx.Client(base_url=base_url, headers=headers, timeout=30)


@dataclass(frozen=True)
class Job:
    scenario: str
    base_url: str
    trunks: list[str]
    process: int
    clients: int
    seconds: float
    start_at: float  # wall clock, so every process starts together


def one_request(client: httpx.Client, job: Job, worker: int, iteration: int) -> httpx.Response:
    trunk = job.trunks[(worker * 7 + iteration) % len(job.trunks)]
    if job.scenario == "get_one":
        return client.get(f"voice_in_trunks/{trunk}")
    if job.scenario == "list_page":
        return client.get("voice_in_trunks", params={"page[size]": "100"})
    if job.scenario == "post":
        return client.post("voice_in_trunks", json=sip_trunk(f"bench-{job.process}-{worker}-{iteration}"))
    body = {"data": {"type": "voice_in_trunks", "id": trunk, "attributes": {"description": f"d{iteration}"}}}
    return client.patch(f"voice_in_trunks/{trunk}", json=body)


def run_process(job: Job) -> tuple[list[float], int]:
    """One client process: ``job.clients`` threads, each with its own httpx client."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()

    def worker(number: int) -> None:
        samples, failed = [], 0
        with client_for(job.base_url) as client:
            one_request(client, job, number, -1)  # open the connection before the clock starts
            time.sleep(max(0.0, job.start_at - time.time()))
            deadline = time.perf_counter() + job.seconds
            for iteration in itertools.count():
                if time.perf_counter() >= deadline:
                    break
                started = time.perf_counter()
                response = one_request(client, job, number, iteration)
                samples.append(time.perf_counter() - started)
                failed += response.status_code >= 400
        with lock:
            latencies.extend(samples)
            failures[0] += failed

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(job.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, failures[0]


def cpu_seconds(pid: int) -> float | None:
    """utime + stime of a process (Linux), None elsewhere."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def emulator_process() -> Iterator[tuple[str, int]]:
    """A served emulator in a child process; yields its /v3/ base URL and pid."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    command = [sys.executable, "-m", "didww_iac.emulator", "--port", str(port), "--rate-limit", "0"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}/v3/"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                httpx.get(base_url + "pops", headers={"Api-Key": DEFAULT_API_KEY})
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the emulator did not start") from None
                time.sleep(0.05)
        yield base_url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass(frozen=True)
class Figures:
    rate: float
    p50_ms: float
    p95_ms: float
    failures: int
    server_cpu_ms: float | None  # emulator CPU time per request


def measure(pool: Pool, jobs: list[Job], pid: int, seconds: float) -> Figures:
    pending = pool.map_async(run_process, jobs)
    time.sleep(max(0.0, jobs[0].start_at - time.time()))
    cpu_before = cpu_seconds(pid)
    results = pending.get()
    cpu_after = cpu_seconds(pid)
    latencies = sorted(s for samples, _ in results for s in samples)
    cpu = None
    if cpu_before is not None and cpu_after is not None:
        cpu = (cpu_after - cpu_before) / len(latencies) * 1000
    return Figures(
        rate=len(latencies) / seconds,
        p50_ms=statistics.median(latencies) * 1000,
        p95_ms=latencies[int(len(latencies) * 0.95) - 1] * 1000,
        failures=sum(f for _, f in results),
        server_cpu_ms=cpu,
    )


def report(title: str, figures: Figures, is_read: bool) -> None:
    print(
        f"  {title:<22} {figures.rate:7.0f} req/s  p50 {figures.p50_ms:6.1f} ms"
        f"  p95 {figures.p95_ms:6.1f} ms  errors {figures.failures}"
    )
    if figures.server_cpu_ms:
        per_core = 1000 / figures.server_cpu_ms
        print(f"  {'':<22} server {figures.server_cpu_ms:.2f} ms CPU/request (~{per_core:.0f} req/s per core)")
    if is_read:
        print(f"  {'':<22} {figures.rate / READ_TARGET:.2f} x the {READ_TARGET:.0f} req/s read target")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="duration of each scenario")
    parser.add_argument("--processes", type=int, default=2, help="client processes")
    parser.add_argument("--clients", type=int, default=4, help="client threads per process")
    parser.add_argument("--records", type=int, default=100, help="trunks stored before the reads")
    args = parser.parse_args()

    with emulator_process() as (base_url, pid), client_for(base_url) as setup:
        trunks = [
            setup.post("voice_in_trunks", json=sip_trunk(f"seed-{i}")).json()["data"]["id"] for i in range(args.records)
        ]
        print(
            f"emulator over loopback on {os.cpu_count()} CPUs: {args.processes} processes x {args.clients} "
            f"clients, {args.seconds:g} s per scenario, {args.records} stored trunks, limiter off"
        )
        with multiprocessing.get_context("spawn").Pool(args.processes) as pool:
            for title, scenario, is_read in SCENARIOS:
                start_at = time.time() + 1.0  # time for the processes to connect
                jobs = [
                    Job(scenario, base_url, trunks, n, args.clients, args.seconds, start_at)
                    for n in range(args.processes)
                ]
                report(title, measure(pool, jobs, pid, args.seconds), is_read)


if __name__ == "__main__":
    main()
