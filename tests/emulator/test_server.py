"""The entry points: ``python -m didww_iac.emulator`` and ``serve()``."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from didww_iac.emulator.__main__ import parse_args
from didww_iac.emulator.config import DEFAULT_API_KEY


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_parse_args_defaults_and_flags() -> None:
    defaults = parse_args([])
    assert (defaults.host, defaults.port, defaults.api_version) == ("127.0.0.1", 8765, "2026-04-16")
    assert (defaults.rate_limit, defaults.seed, defaults.admin, defaults.state) == (20.0, 0, False, None)
    flags = "--port 9000 --api-version 2022-05-10 --rate-limit 0 --api-key a --api-key b --admin"
    flags += " --state x.db --seed 7"
    args = parse_args(flags.split())
    assert (args.port, args.api_version, args.rate_limit, args.api_keys) == (
        9000,
        "2022-05-10",
        0.0,
        ["a", "b"],
    )
    assert (args.admin, args.state, args.seed) == (True, "x.db", 7)
    assert (defaults.order_delay, defaults.balance) == (2.0, "100.00")
    orders = parse_args(["--order-delay", "0.5", "--balance", "20"])
    assert (orders.order_delay, orders.balance) == (0.5, "20")
    with pytest.raises(SystemExit):
        parse_args(["--order-delay", "-1"])


def test_module_entry_point_serves_and_prints_base_url(tmp_path: Path) -> None:
    port = _free_port()
    flags = ["--port", str(port), "--api-version", "2022-05-10", "--state", str(tmp_path / "s.db")]
    flags += ["--order-delay", "0"]
    command = [sys.executable, "-m", "didww_iac.emulator", *flags]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        second = process.stdout.readline().strip()
        assert first.endswith(f"http://127.0.0.1:{port}/v3/")
        assert second == f"API key: {DEFAULT_API_KEY}"
        deadline = time.monotonic() + 10
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/v3/pops", headers={"Api-Key": DEFAULT_API_KEY})
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.05)
        assert response.status_code == 200
        assert response.json()["meta"]["api_version"] == "2022-05-10"
        assert process.stdout.readline().strip() == "API version: 2022-05-10"
        assert process.stdout.readline().strip() == "Orders complete after: 0 s"
        headers = {"Api-Key": DEFAULT_API_KEY, "Content-Type": "application/vnd.api+json"}
        sku = httpx.get(f"http://127.0.0.1:{port}/v3/did_groups?include=stock_keeping_units", headers=headers).json()[
            "included"
        ][0]["id"]
        item = {"type": "did_order_items", "attributes": {"sku_id": sku, "qty": 1}}
        body = {"data": {"type": "orders", "attributes": {"items": [item]}}}
        placed = httpx.post(f"http://127.0.0.1:{port}/v3/orders", json=body, headers=headers)
        assert placed.json()["data"]["attributes"]["status"] == "Completed"  # --order-delay 0
        assert httpx.get(f"http://127.0.0.1:{port}/__emulator/state").status_code == 404
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert (tmp_path / "s.db").exists()
