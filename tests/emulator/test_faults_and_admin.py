"""Test hooks: latency, 5xx, 429 bursts, dropped connections, request log, admin API."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from didww_iac.emulator.config import FaultSettings
from didww_iac.emulator.testing import RunningEmulator, running_emulator

from .fixtures import pstn_trunk
from .helpers import created, single_error


@pytest.fixture
def admin(emu: RunningEmulator, client: httpx.Client) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emu.admin_url, timeout=10) as c:
        yield c
    client.post(emu.admin_url + "reset")


def test_admin_api_is_not_mounted_by_default() -> None:
    with running_emulator(admin=False, rate_limit=None) as emu:
        for path in ("state", "requests", "faults"):
            assert httpx.get(emu.admin_url + path).status_code == 404
        assert httpx.post(emu.admin_url + "reset").status_code == 404


def test_fail_next_answers_5xx_then_recovers(client: httpx.Client, admin: httpx.Client) -> None:
    assert admin.post("faults", json={"fail_next": 2, "error_status": 503}).json()["fail_next"] == 2
    first, second, third = (client.get("voice_in_trunks") for _ in range(3))
    error = single_error(first, 503)
    assert error["status"] == "503"
    assert second.status_code == 503 and third.status_code == 200


def test_throttle_burst_with_retry_after(client: httpx.Client, admin: httpx.Client) -> None:
    admin.post("faults", json={"throttle_next": 2, "retry_after": 2})
    responses = [client.get("voice_in_trunks") for _ in range(3)]
    assert [r.status_code for r in responses] == [429, 429, 200]
    assert responses[0].json() == {"errors": [{"status": "429", "detail": "Too Many Requests"}]}
    assert responses[0].headers["retry-after"] == "2"


def test_throttle_without_retry_after_has_no_header(client: httpx.Client, admin: httpx.Client) -> None:
    admin.post("faults", json={"throttle_next": 1})
    response = client.get("voice_in_trunks")
    assert response.status_code == 429 and "retry-after" not in response.headers


def test_dropped_connection_sends_nothing(client: httpx.Client, admin: httpx.Client) -> None:
    admin.post("faults", json={"drop_next": 1})
    with pytest.raises(httpx.TransportError):
        client.post("voice_in_trunks", json=pstn_trunk())
    # The handler never ran: nothing was created, and the next request is served.
    assert client.get("voice_in_trunks").json()["meta"]["total_records"] == 0
    log = admin.get("requests").json()["requests"]
    assert log[-2]["outcome"] == "dropped" and log[-2]["status"] is None


def test_latency(client: httpx.Client, admin: httpx.Client) -> None:
    admin.post("faults", json={"latency": 0.3})
    started = time.perf_counter()
    assert client.get("voice_in_trunks").status_code == 200
    assert time.perf_counter() - started >= 0.3
    admin.delete("faults")
    started = time.perf_counter()
    client.get("voice_in_trunks")
    assert time.perf_counter() - started < 0.3


def test_unknown_fault_setting_is_refused(admin: httpx.Client) -> None:
    response = admin.post("faults", json={"explode": True})
    assert response.status_code == 400 and "explode" in response.json()["error"]


def test_constructor_error_rate() -> None:
    with running_emulator(faults=FaultSettings(error_rate=1.0), rate_limit=None) as emu:
        response = httpx.get(emu.base_url + "pops", headers={"Api-Key": emu.api_key})
        assert response.status_code == 500
        assert response.json()["errors"][0]["status"] == "500"


def test_request_log_records_requests_without_the_key(
    client: httpx.Client, admin: httpx.Client, emu: RunningEmulator
) -> None:
    admin.delete("requests")
    client.post("voice_in_trunks", json=pstn_trunk(), headers={"X-DIDWW-API-Version": "2026-04-16"})
    client.get("voice_in_trunks", params={"filter[name]": "x"})
    log = admin.get("requests").json()["requests"]
    assert [(e["method"], e["path"], e["status"]) for e in log] == [
        ("POST", "/v3/voice_in_trunks", 201),
        ("GET", "/v3/voice_in_trunks", 200),
    ]
    assert log[0]["body"]["data"]["attributes"]["name"] == "Office Mobile"
    assert log[0]["api_version_header"] == "2026-04-16"
    assert log[1]["query"] == "filter%5Bname%5D=x"
    assert all(e["has_api_key"] for e in log)
    assert emu.api_key not in str(log)


def test_state_and_reset(client: httpx.Client, admin: httpx.Client) -> None:
    trunk = created(client, "voice_in_trunks", pstn_trunk())
    state = admin.get("state").json()
    assert state["api_version"] == "2026-04-16"
    assert [r["id"] for r in state["resources"]["voice_in_trunks"]] == [trunk["id"]]
    assert admin.post("reset").status_code == 204
    assert admin.get("state").json()["resources"]["voice_in_trunks"] == []


def test_raw_patch_simulates_drift(client: httpx.Client, admin: httpx.Client, emu: RunningEmulator) -> None:
    trunk = created(client, "voice_in_trunks", pstn_trunk())
    # Out-of-range values are accepted: this is a change the API never validated.
    response = admin.patch(f"resources/voice_in_trunks/{trunk['id']}", json={"capacity_limit": 99, "weight": 70000})
    assert response.status_code == 200
    attributes = client.get(f"voice_in_trunks/{trunk['id']}").json()["data"]["attributes"]
    assert (attributes["capacity_limit"], attributes["weight"]) == (99, 70000)
    assert emu.state.get("voice_in_trunks", trunk["id"]).attributes["capacity_limit"] == 99
    assert admin.patch("resources/voice_in_trunks/missing", json={}).status_code == 404


def test_rate_limit_can_be_changed_via_admin(client: httpx.Client, admin: httpx.Client) -> None:
    assert admin.patch("account", json={"rate_limit": 2}).json()["rate_limit"] == 2
    statuses = [client.get("pops").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    admin.patch("account", json={"rate_limit": None})
    assert client.get("pops").status_code == 200
    assert admin.patch("account", json={"api_version": "1999-01-01"}).status_code == 400


def test_account_and_clock_admin(admin: httpx.Client) -> None:
    account = admin.get("account").json()
    assert (account["order_delay"], account["balance"]) == (2.0, "100.00")
    changed = admin.patch("account", json={"order_delay": 0.5, "balance": "12.5"}).json()
    assert (changed["order_delay"], changed["balance"]) == (0.5, "12.50")
    for bad in ({"order_delay": -1}, {"balance": "x"}, {"colour": "red"}):
        assert admin.patch("account", json=bad).status_code == 400
    before = admin.get("clock").json()
    assert before["offset"] == 0
    after = admin.post("clock/tick", json={"seconds": 3600}).json()
    assert after["offset"] == 3600 and after["now"] > before["now"]
    assert admin.post("clock/tick", json={"seconds": -5}).status_code == 400
    assert admin.post("clock/tick", json={"seconds": True}).status_code == 400
    admin.post("reset")
    assert admin.get("clock").json()["offset"] == 0
    assert admin.get("account").json()["order_delay"] == 2.0
