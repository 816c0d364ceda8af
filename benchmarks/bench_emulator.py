"""Benchmark of the DIDWW emulator itself over loopback HTTP.

    python benchmarks/bench_emulator.py [--seconds 3] [--processes 1] [--clients 8] [--records 100]
                                        [--seeded trunks=200,groups=20,dids=10000]

Starts an emulator in its own process (``python -m didww_iac.emulator``, so clients do not share
its interpreter lock) with the rate limiter off and no admin API (so no request log), stores
``--records`` SIP trunks, then for each scenario runs ``--processes`` load-generator processes
of ``--clients`` keep-alive connections each, for ``--seconds``: reads (GET one trunk, GET a
page of 100 trunks) and writes (POST a trunk, PATCH a trunk).

Then the same against a second emulator whose account is seeded (``--seed-account``) with
``--seeded`` (10,000 DIDs by default), for what a large account costs per request: a page of
100 DIDs with their trunk, trunk group, capacity pool and shared capacity group included, GET
one DID, ``filter[number]``, ``filter[order.id]`` and PATCH a DID. Before that it prints how
long start-up takes (process start to first answer) by default, with ``--stock 2000`` and with
that seed.

The load generator is raw HTTP/1.1 over sockets: requests are pre-built bytes carrying the
headers a real client sends (Api-Key, Accept, Content-Type, X-DIDWW-API-Version), each
connection has one request in flight (no pipelining), responses are read by Content-Length and
their status checked. A general-purpose client (httpx) costs about as much CPU per request as
the server, and on a 2-core machine that CPU is taken from the server; this one costs a few
percent of it, and prints what it cost.

Prints requests per second with latency percentiles, the ratio of reads to the 1,000 req/s
target, and the emulator's own CPU time per request (from /proc): ``1 / cpu per request`` is
what one core of server can serve.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import multiprocessing
import os
import selectors
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.pool import Pool
from typing import Any

import httpx

from didww_iac.emulator.config import DEFAULT_API_KEY, LATEST_VERSION

READ_TARGET = 1000.0
JSONAPI = "application/vnd.api+json"
SCENARIOS = (
    ("GET one trunk", "get_one", True),
    ("GET list page of 100", "list_page", True),
    ("POST trunk", "post", False),
    ("PATCH trunk", "patch", False),
)
DEFAULT_SEEDED = "trunks=200,groups=20,dids=10000"
SEEDED_SCENARIOS = (
    ("DIDs page 100+include", "dids_page", True),
    ("GET one DID", "did_one", True),
    ("filter[number]", "did_number", True),
    ("filter[order.id]", "did_order", True),
    ("PATCH DID", "did_patch", False),
    # Every page rendered afresh: a write between pages invalidates the rendered-fragment cache.
    ("PATCH, page, PATCH, ...", "did_write_then_page", False),
)
DID_INCLUDE = "voice_in_trunk,voice_in_trunk_group,capacity_pool,shared_capacity_group"
# DIDs whose ids and numbers the seeded scenarios rotate through (ten pages of 100).
SAMPLED_DIDS = 1000


def sip_trunk(name: str) -> dict[str, Any]:
    configuration = {
        "type": "sip_configurations",
        "attributes": {"username": "bench", "host": "example.com", "port": 5060, "codec_ids": [9, 7]},
    }
    attributes = {"name": name, "capacity_limit": 10, "configuration": configuration}
    return {"data": {"type": "voice_in_trunks", "attributes": attributes}}


def client_for(base_url: str) -> httpx.Client:
    """For setting up (seeding trunks), not for load."""
    headers = {"Api-Key": DEFAULT_API_KEY, "Accept": JSONAPI, "Content-Type": JSONAPI}
    return httpx.Client(base_url=base_url, headers=headers, timeout=30)


@dataclass(frozen=True)
class Dids:
    """What the seeded scenarios address: DID ids with their numbers, order ids, page count."""

    ids: list[str]
    numbers: list[str]
    orders: list[str]
    pages: int


NO_DIDS = Dids([], [], [], 0)


@dataclass(frozen=True)
class Job:
    scenario: str
    port: int
    trunks: list[str]
    process: int
    clients: int
    seconds: float
    start_at: float  # wall clock, so every process starts together
    dids: Dids = NO_DIDS


def request_bytes(port: int, method: str, path: str, body: bytes | None = None) -> bytes:
    lines = [
        f"{method} /v3/{path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        f"Api-Key: {DEFAULT_API_KEY}",
        f"Accept: {JSONAPI}",
        f"X-DIDWW-API-Version: {LATEST_VERSION}",
    ]
    if body is not None:
        lines += [f"Content-Type: {JSONAPI}", f"Content-Length: {len(body)}"]
    head = "\r\n".join(lines) + "\r\n\r\n"
    return head.encode() + (body or b"")


def request_maker(job: Job, connection: int) -> Callable[[int], bytes]:
    """``iteration -> request``: reads are built once per trunk, writes carry a fresh body."""
    trunks, port = job.trunks, job.port

    def trunk(iteration: int) -> str:
        return trunks[(connection * 7 + iteration) % len(trunks)]

    if job.scenario == "get_one":
        built = [request_bytes(port, "GET", f"voice_in_trunks/{t}") for t in trunks]
        return lambda i: built[(connection * 7 + i) % len(built)]
    if job.scenario == "list_page":
        page = request_bytes(port, "GET", "voice_in_trunks?page%5Bsize%5D=100")
        return lambda i: page
    if job.scenario.startswith("did"):
        return did_request_maker(job, connection)
    if job.scenario == "post":

        def post(i: int) -> bytes:
            body = json.dumps(sip_trunk(f"bench-{job.process}-{connection}-{i}")).encode()
            return request_bytes(port, "POST", "voice_in_trunks", body)

        return post

    def patch(i: int) -> bytes:
        data = {"type": "voice_in_trunks", "id": trunk(i), "attributes": {"description": f"d{i}"}}
        return request_bytes(port, "PATCH", f"voice_in_trunks/{trunk(i)}", json.dumps({"data": data}).encode())

    return patch


def did_request_maker(job: Job, connection: int) -> Callable[[int], bytes]:
    """The seeded scenarios: reads are pre-built and rotated, so each hits a different DID."""
    port, dids = job.port, job.dids

    def rotate(built: list[bytes]) -> Callable[[int], bytes]:
        return lambda i: built[(connection * 7 + i) % len(built)]

    if job.scenario == "dids_page":
        query = f"page%5Bsize%5D=100&include={DID_INCLUDE}"
        return rotate(
            [request_bytes(port, "GET", f"dids?page%5Bnumber%5D={n}&{query}") for n in range(1, dids.pages + 1)]
        )
    if job.scenario == "did_one":
        return rotate([request_bytes(port, "GET", f"dids/{i}") for i in dids.ids])
    if job.scenario == "did_number":
        return rotate([request_bytes(port, "GET", f"dids?filter%5Bnumber%5D={n}") for n in dids.numbers])
    if job.scenario == "did_order":
        return rotate(
            [request_bytes(port, "GET", f"dids?filter%5Border.id%5D={o}&page%5Bsize%5D=100") for o in dids.orders]
        )

    def patch(i: int) -> bytes:
        did = dids.ids[(connection * 7 + i) % len(dids.ids)]
        data = {"type": "dids", "id": did, "attributes": {"description": f"d{i}"}}
        return request_bytes(port, "PATCH", f"dids/{did}", json.dumps({"data": data}).encode())

    if job.scenario == "did_write_then_page":
        pages = did_request_maker(dataclasses.replace(job, scenario="dids_page"), connection)
        return lambda i: patch(i) if i % 2 == 0 else pages(i // 2)
    return patch


class Connection:
    """One keep-alive connection with at most one request in flight."""

    def __init__(self, port: int, make: Callable[[int], bytes]) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.make = make
        self.iteration = -1
        self.started = 0.0
        self.buffer = bytearray()
        self.end: int | None = None  # offset just past the body, once the head is read
        self.body_at = 0
        self.status = 0

    def send(self) -> None:
        self.iteration += 1
        self.buffer.clear()
        self.end = None
        self.started = time.perf_counter()
        self.sock.sendall(self.make(self.iteration))

    def receive(self) -> bool:
        """Read what arrived; True once the whole response is in."""
        chunk = self.sock.recv(262144)
        if not chunk:
            raise ConnectionError("the emulator closed the connection")
        self.buffer += chunk
        if self.end is None:
            head_end = self.buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return False
            head = bytes(self.buffer[:head_end]).lower()
            self.status = int(head[9:12])
            at = head.find(b"\r\ncontent-length:")
            if at >= 0:
                stop = head.find(b"\r\n", at + 2)
                length = int(head[at + 17 : stop if stop >= 0 else len(head)])
            elif self.status in (204, 304):
                length = 0
            else:
                raise ConnectionError("a response without Content-Length")  # never chunked here
            self.body_at = head_end + 4
            self.end = self.body_at + length
        if len(self.buffer) < self.end:
            return False
        if len(self.buffer) > self.end:
            raise ConnectionError("more bytes than the response announced")
        return True

    def document(self) -> Any:
        """The last response's body as JSON (checked once per connection, not per request)."""
        return json.loads(bytes(self.buffer[self.body_at :]))

    def close(self) -> None:
        self.sock.close()


def check_answer(job: Job, connection: Connection) -> None:
    """The warm-up answers are what the scenario asks for, so the timed ones are too."""
    expected = 201 if job.scenario == "post" else 200
    document = connection.document()
    data = document["data"]
    if job.scenario == "list_page":
        shape_ok = len(data) == min(100, len(job.trunks))
    elif job.scenario == "dids_page":
        shape_ok = len(data) == 100 and "included" in document
    elif job.scenario == "did_number":
        shape_ok = len(data) == 1 and data[0]["attributes"]["number"] in job.dids.numbers
    elif job.scenario == "did_order":
        shape_ok = bool(data) and all(d["type"] == "dids" for d in data)
    elif job.scenario in ("did_one", "did_patch", "did_write_then_page"):  # the last: its first is a PATCH
        shape_ok = data["type"] == "dids"
    else:
        shape_ok = data["type"] == "voice_in_trunks"
    if connection.status != expected or not shape_ok:
        raise RuntimeError(f"{job.scenario}: unexpected answer {connection.status}")


def drive(connections: list[Connection], until: float | None) -> tuple[list[float], int]:
    """Keep every connection busy: until ``until`` (perf_counter), or for one request each."""
    latencies: list[float] = []
    failures = 0
    with selectors.DefaultSelector() as selector:
        for connection in connections:
            selector.register(connection.sock, selectors.EVENT_READ, connection)
            connection.send()
        open_ = len(connections)
        while open_:
            for key, _ in selector.select():
                connection = key.data
                if not connection.receive():
                    continue
                now = time.perf_counter()
                latencies.append(now - connection.started)
                failures += connection.status >= 400
                if until is not None and now < until:
                    connection.send()
                else:
                    selector.unregister(connection.sock)
                    open_ -= 1
    return latencies, failures


@dataclass(frozen=True)
class Outcome:
    latencies: list[float]
    failures: int
    cpu_seconds: float  # this load generator's own CPU time


def run_process(job: Job) -> Outcome:
    """One load-generator process: ``job.clients`` connections driven by one selector loop."""
    connections = [Connection(job.port, request_maker(job, n)) for n in range(job.clients)]
    try:
        drive(connections, None)  # open the connections and warm up before the clock starts
        for connection in connections:
            check_answer(job, connection)
        time.sleep(max(0.0, job.start_at - time.time()))
        cpu_before = time.process_time()
        latencies, failures = drive(connections, time.perf_counter() + job.seconds)
        return Outcome(latencies, failures, time.process_time() - cpu_before)
    finally:
        for connection in connections:
            connection.close()


def cpu_seconds(pid: int) -> float | None:
    """utime + stime of a process (Linux), None elsewhere."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Served:
    base_url: str  # its /v3/ URL
    port: int
    pid: int
    startup: float  # seconds from process start to its first answer


@contextmanager
def emulator_process(*options: str) -> Iterator[Served]:
    """A served emulator in a child process, with extra CLI ``options``."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    command = [sys.executable, "-m", "didww_iac.emulator", "--port", str(port), "--rate-limit", "0", *options]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}/v3/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base_url + "pops", headers={"Api-Key": DEFAULT_API_KEY})
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the emulator did not start") from None
                time.sleep(0.01)
        yield Served(base_url, port, process.pid, time.perf_counter() - started)
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
    client_cpu_ms: float  # load generator CPU time per request


def measure(pool: Pool, jobs: list[Job], pid: int, seconds: float) -> Figures:
    pending = pool.map_async(run_process, jobs)
    time.sleep(max(0.0, jobs[0].start_at - time.time()))
    cpu_before = cpu_seconds(pid)
    outcomes = pending.get()
    cpu_after = cpu_seconds(pid)
    latencies = sorted(s for outcome in outcomes for s in outcome.latencies)
    cpu = None
    if cpu_before is not None and cpu_after is not None:
        cpu = (cpu_after - cpu_before) / len(latencies) * 1000
    return Figures(
        rate=len(latencies) / seconds,
        p50_ms=statistics.median(latencies) * 1000,
        p95_ms=latencies[int(len(latencies) * 0.95) - 1] * 1000,
        failures=sum(o.failures for o in outcomes),
        server_cpu_ms=cpu,
        client_cpu_ms=sum(o.cpu_seconds for o in outcomes) / len(latencies) * 1000,
    )


def report(title: str, figures: Figures, is_read: bool) -> None:
    print(
        f"  {title:<22} {figures.rate:7.0f} req/s  p50 {figures.p50_ms:6.1f} ms"
        f"  p95 {figures.p95_ms:6.1f} ms  errors {figures.failures}"
    )
    if figures.server_cpu_ms:
        per_core = 1000 / figures.server_cpu_ms
        print(
            f"  {'':<22} server {figures.server_cpu_ms:.2f} ms CPU/request (~{per_core:.0f} req/s per core),"
            f" load generator {figures.client_cpu_ms:.3f} ms"
        )
    if is_read:
        print(f"  {'':<22} {figures.rate / READ_TARGET:.2f} x the {READ_TARGET:.0f} req/s read target")


def run_scenarios(
    pool: Pool,
    served: Served,
    scenarios: tuple[tuple[str, str, bool], ...],
    args: argparse.Namespace,
    trunks: list[str],
    dids: Dids = NO_DIDS,
) -> None:
    for title, scenario, is_read in scenarios:
        start_at = time.time() + 1.0  # time for the processes to connect
        jobs = [
            Job(scenario, served.port, trunks, n, args.clients, args.seconds, start_at, dids)
            for n in range(args.processes)
        ]
        report(title, measure(pool, jobs, served.pid, args.seconds), is_read)


def sample_dids(setup: httpx.Client) -> Dids:
    """Ids and numbers of the first SAMPLED_DIDS DIDs, the order ids, and the page count."""
    ids: list[str] = []
    numbers: list[str] = []
    pages = 1
    for number in range(1, SAMPLED_DIDS // 100 + 1):
        body = setup.get("dids", params={"page[size]": "100", "page[number]": str(number)}).json()
        ids += [d["id"] for d in body["data"]]
        numbers += [d["attributes"]["number"] for d in body["data"]]
        pages = -(-int(body["meta"]["total_records"]) // 100)
    orders = [o["id"] for o in setup.get("orders", params={"page[size]": "100"}).json()["data"]]
    if not ids or not orders:
        raise RuntimeError("the seeded account holds no DIDs")
    return Dids(ids, numbers, orders, pages)


def report_startup(seeded: str) -> None:
    """Process start to first answer: the default account, raised stock, the seeded account."""
    for title, options in (
        ("default account", ()),
        ("--stock 2000", ("--stock", "2000")),
        (f"--seed-account {seeded}", ("--seed-account", seeded)),
    ):
        with emulator_process(*options) as served:
            print(f"  start-up, {title:<44} {served.startup * 1000:6.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="duration of each scenario")
    parser.add_argument("--processes", type=int, default=1, help="load-generator processes")
    parser.add_argument("--clients", type=int, default=8, help="connections per process")
    parser.add_argument("--records", type=int, default=100, help="trunks stored before the reads")
    parser.add_argument("--seeded", default=DEFAULT_SEEDED, help="--seed-account of the large-account scenarios")
    args = parser.parse_args()

    with multiprocessing.get_context("spawn").Pool(args.processes) as pool:
        with emulator_process() as served, client_for(served.base_url) as setup:
            trunks = [
                setup.post("voice_in_trunks", json=sip_trunk(f"seed-{i}")).json()["data"]["id"]
                for i in range(args.records)
            ]
            print(
                f"emulator over loopback on {os.cpu_count()} CPUs: {args.processes} load process(es) x "
                f"{args.clients} connections, {args.seconds:g} s per scenario, {args.records} stored trunks, "
                "limiter off"
            )
            run_scenarios(pool, served, SCENARIOS, args, trunks)

        print(f"\nlarge account (--seed-account {args.seeded}):")
        report_startup(args.seeded)
        with emulator_process("--seed-account", args.seeded) as served, client_for(served.base_url) as setup:
            run_scenarios(pool, served, SEEDED_SCENARIOS, args, [], sample_dids(setup))


if __name__ == "__main__":
    main()
