"""Scale: stacks of 100 to 5,000 resources through the real engine, and the rate at real round trips.

    python -m benchmarks.bench_scale [--sizes 100,1000,5000] [--rate-resources 300]

Part 1, size (the API's limit raised out of the way, so what is left is the tool's own cost):
for N resources (trunks, trunk groups, orders and the numbers they deliver, routed to the
trunks) it times `didww-iac up` (create), a no-op `didww-iac preview --expect-no-changes`
(refresh included) and `didww-iac destroy`, counts the API requests the emulator saw, samples
the peak resident memory of the whole process tree, and runs the same engine over N resources
of a trivial dynamic provider (no API at all) beside it. "ms/res" is wall time per resource;
"marginal" is the cost of the resources added from the previous size, so a flat cost shows as
marginal ~ ms/res.

Part 2, rate: trunk groups created and then deleted through an emulator that enforces DIDWW's
20 requests/s with 0, 100 and 200 ms added to every round trip (`--latency`); the figure is the
write requests per second between the first and the last write, against the limit.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from benchmarks.process_tree import Run, run
from benchmarks.projects import TRIVIAL_PROGRAM, project
from didww_iac.emulator.testing import RunningEmulator, running_emulator
from didww_iac.engine import Engine
from didww_iac.speedups import SWITCH_ENV

KEY = "bench-scale-key"
PASSPHRASE = "bench"
RAISED_RATE = 100_000.0  # requests/s: far above what the run can send, so the limiter never waits
DIDWW_RATE = 20.0
NUMBERS_PER_ORDER = 100
STOCK = 3_000  # numbers per DID group in the emulator, enough for the largest size


@dataclass(frozen=True)
class Mix:
    """How N resources split into types: half numbers (from orders of 100), the rest trunks and
    groups of four trunks each."""

    trunks: int
    groups: int
    orders: int
    numbers: int

    @classmethod
    def of(cls, n: int) -> Mix:
        numbers_and_orders = n // 2
        orders = math.ceil(numbers_and_orders / (NUMBERS_PER_ORDER + 1))
        groups = (n - numbers_and_orders) // 5
        return cls(
            trunks=n - numbers_and_orders - groups, groups=groups, orders=orders, numbers=numbers_and_orders - orders
        )

    @property
    def total(self) -> int:
        return self.trunks + self.groups + self.orders + self.numbers


def sku_ids(emu: RunningEmulator, count: int) -> list[str]:
    """SKUs of DID groups that need no registration, one per order."""
    answer = httpx.get(
        emu.base_url + "did_groups",
        params={"include": "stock_keeping_units", "page[size]": "100"},
        headers={"Api-Key": KEY, "Accept": "application/vnd.api+json"},
    ).json()
    free = [g for g in answer["data"] if not g["attributes"].get("needs_registration")]
    skus = [g["relationships"]["stock_keeping_units"]["data"][0]["id"] for g in free]
    return [skus[i % len(skus)] for i in range(count)]


def stack_yaml(mix: Mix, endpoint: str, rate: float, skus: list[str]) -> str:
    lines = ['api_version: "2026-04-16"', f'endpoint: "{endpoint}"', f"rate_limit: {rate}", "limiter: process"]
    lines.append("voice_in_trunks:")
    for i in range(mix.trunks):
        lines += [
            f"  t{i}:",
            f"    name: Trunk {i}",
            "    sip:",
            '      username: "+{DID}"',
            f"      host: pbx{i}.example.com",
        ]
    if mix.groups:
        lines.append("voice_in_trunk_groups:")
        for i in range(mix.groups):
            members = ", ".join(f"t{j}" for j in range(4 * i, 4 * i + 4))
            lines += [f"  g{i}:", f"    name: Group {i}", f"    capacity_limit: {i % 50}", f"    trunks: [{members}]"]
    if mix.orders:
        lines.append("orders:")
        left = mix.numbers
        for i in range(mix.orders):
            qty = min(NUMBERS_PER_ORDER, left)
            left -= qty
            lines += [
                f"  o{i}:",
                "    on_delete: release",
                "    items:",
                f"      - sku_id: {skus[i]}",
                f"        qty: {qty}",
            ]
        lines.append("dids:")
        for i in range(mix.numbers):
            order, index = divmod(i, NUMBERS_PER_ORDER)
            lines += [
                f"  n{i}:",
                f"    order: o{order}",
                f"    index: {index}",
                f"    voice_in_trunk: t{i % mix.trunks}",
            ]
    return "\n".join(lines) + "\n"


def api_requests(emu: RunningEmulator) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = httpx.get(emu.admin_url + "requests", timeout=60).json()["requests"]
    httpx.delete(emu.admin_url + "requests")
    return [e for e in entries if str(e.get("path", "")).startswith("/v3/")]


def checked(result: Run, what: str) -> Run:
    if result.returncode != 0:
        sys.exit(f"{what} failed (exit {result.returncode}):\n{result.output[-4000:]}")
    return result


@dataclass(frozen=True)
class SizeFigures:
    n: int
    up: Run
    up_requests: int
    preview: Run
    preview_requests: int
    refresh: Run
    drift: Run
    destroy: Run
    destroy_requests: int
    trivial_up: Run
    trivial_preview: Run
    throttled: int


def measure_size(n: int, tmp: Path, speedups: bool = True, trivial_too: bool = True) -> SizeFigures:
    mix = Mix.of(n)
    switch = {} if speedups else {SWITCH_ENV: "off"}
    with running_emulator(
        api_keys=[KEY], rate_limit=None, request_log=True, order_delay=0.0, stock_per_group=STOCK, balance="1000000.00"
    ) as emu:
        env = {**os.environ, "DIDWW_API_KEY": KEY, "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE, **switch}
        didww = project(tmp / f"didww-{n}{'' if speedups else '-plain'}", None)
        (didww / "stacks" / "bench.yaml").write_text(
            stack_yaml(mix, emu.base_url, RAISED_RATE, sku_ids(emu, mix.orders))
        )
        cli = [sys.executable, "-m", "didww_iac.cli"]
        where = ["--stack", "bench", "--project-dir", str(didww)]
        Engine(didww, "bench", extra_env={"PULUMI_CONFIG_PASSPHRASE": PASSPHRASE}).ensure_stack()
        api_requests(emu)
        up = checked(run([*cli, "up", *where], env, didww), f"up of {n}")
        up_log = api_requests(emu)
        preview = checked(run([*cli, "preview", "--expect-no-changes", *where], env, didww), f"preview of {n}")
        preview_log = api_requests(emu)
        refresh = checked(run([*cli, "refresh", *where], env, didww), f"refresh of {n}")
        drift = checked(run([*cli, "drift", "--json", *where], env, didww), f"drift of {n}")
        api_requests(emu)
        destroy = checked(run([*cli, "destroy", *where], env, didww), f"destroy of {n}")
        destroy_log = api_requests(emu)

    if not trivial_too:
        none = Run(0.0, 0, 0, "")
        return SizeFigures(
            n, up, len(up_log), preview, len(preview_log), refresh, drift, destroy, len(destroy_log), none, none, 0
        )
    trivial = project(tmp / f"trivial-{n}", TRIVIAL_PROGRAM)
    engine = Engine(trivial, "bench", extra_env={"PULUMI_CONFIG_PASSPHRASE": PASSPHRASE})
    engine.ensure_stack()
    engine.run(["config", "set", "count", str(n), "--stack", "bench"], capture=True)
    base = [str(engine.pulumi), "--stack", "bench", "--non-interactive", "--parallel", str(engine.parallel)]
    trivial_up = checked(run([base[0], "up", "--yes", *base[1:]], engine.env(), trivial), "trivial up")
    trivial_preview = checked(
        run([base[0], "preview", "--refresh", "--expect-no-changes", *base[1:]], engine.env(), trivial),
        "trivial preview",
    )
    throttled = sum(1 for e in up_log + preview_log + destroy_log if e.get("status") == 429)
    return SizeFigures(
        n,
        up,
        len(up_log),
        preview,
        len(preview_log),
        refresh,
        drift,
        destroy,
        len(destroy_log),
        trivial_up,
        trivial_preview,
        throttled,
    )


def write_rate(log: list[dict[str, Any]], method: str) -> tuple[float, int]:
    writes = sorted(float(e["started_at"]) for e in log if e.get("method") == method)
    if len(writes) < 2:
        return 0.0, len(writes)
    return (len(writes) - 1) / (writes[-1] - writes[0]), len(writes)


def measure_rate(groups: int, latency: float, tmp: Path) -> tuple[float, float, int]:
    """Creates per second and deletes per second against DIDWW's limit, and the 429s seen."""
    with running_emulator(api_keys=[KEY], rate_limit=DIDWW_RATE, request_log=True) as emu:
        env = {**os.environ, "DIDWW_API_KEY": KEY, "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE}
        didww = project(tmp / f"rate-{latency:g}", None)
        entries = "".join(f"  g{i}:\n    name: Group {i}\n" for i in range(groups))
        (didww / "stacks" / "bench.yaml").write_text(
            f'api_version: "2026-04-16"\nendpoint: "{emu.base_url}"\nrate_limit: {DIDWW_RATE}\n'
            f"limiter: process\nvoice_in_trunk_groups:\n{entries}"
        )
        cli = [sys.executable, "-m", "didww_iac.cli"]
        where = ["--stack", "bench", "--project-dir", str(didww)]
        Engine(didww, "bench", extra_env={"PULUMI_CONFIG_PASSPHRASE": PASSPHRASE}).ensure_stack()
        httpx.post(emu.admin_url + "faults", json={"latency": latency})
        api_requests(emu)
        checked(run([*cli, "up", "--no-refresh", *where], env, didww), "rate up")
        up_log = api_requests(emu)
        checked(run([*cli, "destroy", *where], env, didww), "rate destroy")
        destroy_log = api_requests(emu)
    creates, _ = write_rate(up_log, "POST")
    deletes, _ = write_rate(destroy_log, "DELETE")
    throttled = sum(1 for e in up_log + destroy_log if e.get("status") == 429)
    return creates / DIDWW_RATE, deletes / DIDWW_RATE, throttled


def per_resource_ms(run_: Run, n: int) -> float:
    return run_.seconds * 1000 / n


def print_sizes(figures: list[SizeFigures]) -> None:
    print("size: API limit raised, emulator on loopback; ms/res = wall time / resources")
    header = (
        f"{'N':>6} {'up s':>8} {'req':>6} {'req/res':>7} {'ms/res':>7} {'marginal':>8} "
        f"{'preview s':>9} {'req':>5} {'ms/res':>7} {'refresh s':>9} {'drift s':>7} {'destroy s':>9} {'peak MiB':>8} "
        f"{'trivial up ms/res':>17} {'trivial preview ms/res':>22} {'429':>4}"
    )
    print(header)
    previous: SizeFigures | None = None
    for f in figures:
        marginal = (
            (f.up.seconds - previous.up.seconds) * 1000 / (f.n - previous.n) if previous is not None else float("nan")
        )
        print(
            f"{f.n:>6} {f.up.seconds:>8.1f} {f.up_requests:>6} {f.up_requests / f.n:>7.2f} "
            f"{per_resource_ms(f.up, f.n):>7.1f} {marginal:>8.1f} {f.preview.seconds:>9.1f} {f.preview_requests:>5} "
            f"{per_resource_ms(f.preview, f.n):>7.1f} {f.refresh.seconds:>9.1f} {f.drift.seconds:>7.1f} "
            f"{f.destroy.seconds:>9.1f} "
            f"{max(r.peak_rss_bytes for r in (f.up, f.preview, f.refresh, f.drift, f.destroy)) / 2**20:>8.0f} "
            f"{per_resource_ms(f.trivial_up, f.n):>17.1f} {per_resource_ms(f.trivial_preview, f.n):>22.1f} "
            f"{f.throttled:>4}"
        )
        previous = f
    if len(figures) >= 3:
        a, b, c = figures[-3:]
        early = (b.up.seconds - a.up.seconds) / (b.n - a.n)
        late = (c.up.seconds - b.up.seconds) / (c.n - b.n)
        print(f"marginal cost growth of up, {b.n}..{c.n} against {a.n}..{b.n}: {late / early:.2f}x (target <= 1.3)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,1000,5000", help="comma-separated resource counts")
    parser.add_argument("--rate-resources", type=int, default=300, help="trunk groups for the rate runs (0: skip)")
    parser.add_argument("--latencies", default="0,0.1,0.2", help="seconds added to each round trip")
    parser.add_argument(
        "--speedups-at", type=int, default=1000, help="a size run again with DIDWW_IAC_SPEEDUPS=off (0: skip)"
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        figures = [measure_size(n, Path(tmp)) for n in sizes]
        if figures:
            print_sizes(figures)
        if args.speedups_at:
            n = args.speedups_at
            on = next((f for f in figures if f.n == n), None) or measure_size(n, Path(tmp), trivial_too=False)
            off = measure_size(n, Path(tmp), speedups=False, trivial_too=False)
            print(
                f"speedups (didww_iac/speedups.py) at N = {n}: up {on.up.seconds:.1f} s vs {off.up.seconds:.1f} s off "
                f"({off.up.seconds / on.up.seconds:.2f}x), preview {on.preview.seconds:.1f} s vs "
                f"{off.preview.seconds:.1f} s off ({off.preview.seconds / on.preview.seconds:.2f}x)"
            )
        if args.rate_resources:
            print(f"rate: {args.rate_resources} trunk groups created, then deleted, at DIDWW's {DIDWW_RATE:g} req/s")
            for latency in (float(s) for s in args.latencies.split(",")):
                creates, deletes, throttled = measure_rate(args.rate_resources, latency, Path(tmp))
                print(
                    f"  {latency * 1000:>4.0f} ms round trip: creates {creates:.2f} x the limit, "
                    f"deletes {deletes:.2f} x, {throttled} x 429"
                )


if __name__ == "__main__":
    main()
