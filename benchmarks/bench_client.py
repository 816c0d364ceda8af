"""Benchmark of the DIDWW API client against the local emulator.

    python benchmarks/bench_client.py [--requests 300] [--threads 8] [--rate 20]

Prints (1) sustained throughput against an emulator enforcing the per-key limit, as a ratio of
the configured limit (target >= 0.90 with zero 429s), and (2) the client's own overhead per
request with the limiter off, measured against an in-process transport that answers instantly
(so neither the network nor the emulator is counted).
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time

import httpx

from didww_iac.api import ClientSettings, DidwwClient
from didww_iac.api.limiter import NoLimiter
from didww_iac.emulator.testing import running_emulator


def sustained(total: int, threads: int, rate: float) -> None:
    with running_emulator(rate_limit=rate, request_log=True) as emu:
        settings = ClientSettings(api_key=emu.api_key, endpoint=emu.base_url, rate_limit=rate)
        with DidwwClient(settings) as client:
            client.verify_version()
            time.sleep(1.1)  # start with an empty window on both sides
            client.reset_stats()
            per_thread = [total // threads + (1 if i < total % threads else 0) for i in range(threads)]

            def work(n: int) -> None:
                for _ in range(n):
                    client.list("voice_in_trunk_groups")

            start = time.monotonic()
            pool = [threading.Thread(target=work, args=(n,)) for n in per_thread]
            for t in pool:
                t.start()
            for t in pool:
                t.join()
            elapsed = time.monotonic() - start
            stats = client.stats
    # The first window may hold a full burst; the steady state is what a long apply sees.
    steady = (total - rate) / elapsed if total > rate else total / elapsed
    print(f"sustained: {total} requests from {threads} threads at limit {rate:g}/s in {elapsed:.2f} s")
    overall = total / elapsed
    print(f"  overall rate      {overall:6.2f} req/s  ({overall / rate:.3f} x limit, burst included)")
    print(f"  steady-state rate {steady:6.2f} req/s  ({steady / rate:.3f} x limit)  target >= 0.90")
    print(f"  429 responses     {stats.responses_429}  (target 0), retries {stats.retries}")
    print(f"  throttled         {stats.throttled_seconds:.2f} s summed over threads")


def overhead(total: int) -> None:
    body = json.dumps(
        {
            "data": [
                {
                    "type": "voice_in_trunk_groups",
                    "id": f"id-{i}",
                    "attributes": {"name": f"g{i}", "capacity_limit": 1},
                }
                for i in range(10)
            ],
            "meta": {"api_version": "2026-04-16", "total_records": 10},
        }
    ).encode()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"Content-Type": "application/vnd.api+json"})

    def bare_call() -> None:
        bare.get("http://127.0.0.1/v3/voice_in_trunk_groups").json()

    settings = ClientSettings(api_key="bench-key-0123456789", endpoint="emulator", rate_limit=0)
    with (
        DidwwClient(settings, http_transport=httpx.MockTransport(handler), limiter=NoLimiter()) as client,
        httpx.Client(transport=httpx.MockTransport(handler)) as bare,
    ):
        for _ in range(50):  # warm up
            client.list("voice_in_trunk_groups")
            bare_call()
        samples_client, samples_bare = [], []
        for _ in range(total):
            t0 = time.perf_counter()
            client.list("voice_in_trunk_groups")
            t1 = time.perf_counter()
            bare_call()
            t2 = time.perf_counter()
            samples_client.append(t1 - t0)
            samples_bare.append(t2 - t1)
    mc, mb = statistics.median(samples_client), statistics.median(samples_bare)
    print(f"overhead (limiter off, in-process transport, 10-resource page, {total} calls):")
    print(f"  DidwwClient.list   median {mc * 1e6:7.1f} us/request")
    print(f"  bare httpx + json  median {mb * 1e6:7.1f} us/request")
    print(f"  client's own cost  median {(mc - mb) * 1e6:7.1f} us/request (retry, version check, parsing)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--overhead-requests", type=int, default=2000)
    args = parser.parse_args()
    sustained(args.requests, args.threads, args.rate)
    overhead(args.overhead_requests)


if __name__ == "__main__":
    main()
