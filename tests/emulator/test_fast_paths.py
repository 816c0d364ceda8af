"""The shortcuts taken for speed answer exactly as the long ways did: the /v3 fast path past
Starlette, coalesced response writes, the fault middleware with nothing armed, the index of unique
names, the cached record order, and inline writes."""

from __future__ import annotations

import asyncio
import re
import socket
import subprocess
import sys
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp, Message

from didww_iac.emulator.app import create_app
from didww_iac.emulator.config import EmulatorConfig
from didww_iac.emulator.faults import FaultMiddleware
from didww_iac.emulator.models import copy_json
from didww_iac.emulator.protocol import CoalescingTransport
from didww_iac.emulator.routes import V3FastPath
from didww_iac.emulator.runtime import Emulator
from didww_iac.emulator.testing import RunningEmulator, running_emulator

from .fixtures import JSONAPI, V2022, V2026, patch, pstn_trunk
from .helpers import assert_validation_error, created, single_error

TAKEN = "name - has already been taken"


# -- routing: what the fast path leaves to Starlette still answers as before ------------------


def test_methods_the_routes_do_not_offer_are_405(emu: RunningEmulator) -> None:
    response = httpx.put(emu.base_url + "voice_in_trunks", headers={"Api-Key": emu.api_key})
    assert response.status_code == 405
    # What the type offers at that path (a collection: list and create), as a JSON:API error.
    assert set(response.headers["allow"].split(", ")) == {"GET", "POST"}
    assert single_error(response, 405)["status"] == "405"


def test_paths_that_only_start_like_v3_are_json_404s(emu: RunningEmulator) -> None:
    response = httpx.get(emu.base_url.replace("/v3/", "/v3abc"), headers={"Api-Key": emu.api_key})
    assert single_error(response, 404)["title"] == "Route not found"


def test_head_is_answered_like_before(emu: RunningEmulator) -> None:
    # Starlette routes HEAD to a GET route; the handler has no HEAD operation: 404, no body.
    response = httpx.head(emu.base_url + "voice_in_trunks", headers={"Api-Key": emu.api_key})
    assert response.status_code == 404 and response.content == b""
    assert httpx.head(emu.base_url + "voice_in_trunks").status_code == 401


def _call(app: ASGIApp, method: str, path: str, query: bytes, headers: list[tuple[bytes, bytes]]) -> list[Message]:
    """One request straight to an ASGI app; the messages it sent."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1:8765"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8765),
    }
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    return sent


def test_the_fast_path_answers_byte_for_byte_as_starlette_did() -> None:
    emulator = Emulator(EmulatorConfig(rate_limit=None))
    trunk = emulator.account.create("voice_in_trunks", pstn_trunk()["data"], V2026)
    outer = create_app(emulator)
    assert isinstance(outer, FaultMiddleware) and isinstance(outer.app, V3FastPath)
    fast, starlette = outer.app, outer.app.app
    key = [(b"api-key", emulator.config.api_keys[0].encode())]
    cases: list[tuple[str, str, bytes, list[tuple[bytes, bytes]]]] = [
        ("GET", f"/v3/voice_in_trunks/{trunk.id}", b"", key),
        ("GET", "/v3/voice_in_trunks", b"page%5Bsize%5D=1&filter%5Bname%5D=Office%20Mobile", key),
        ("GET", f"/v3/voice_in_trunks/{trunk.id}", b"include=pop", key),
        ("GET", f"/v3/voice_in_trunks/{trunk.id}/relationships/pop", b"", key),
        ("GET", "/v3/balance", b"", [*key, (b"x-didww-api-version", V2022.encode())]),
        ("GET", "/v3/pops", b"", [*key, (b"accept", b"text/html")]),
        ("GET", "/v3/voice_in_trunks/missing", b"", key),
        ("GET", "/v3/no_such_type", b"", key),
        ("GET", "/v3", b"", key),
        ("GET", "/v3/", b"", []),
        ("POST", "/v3/voice_in_trunks", b"", [*key, (b"content-type", b"text/plain")]),
        ("DELETE", "/v3/pops/x", b"", key),
        ("HEAD", "/v3/pops", b"", key),
    ]
    for method, path, query, headers in cases:
        assert _call(fast, method, path, query, headers) == _call(starlette, method, path, query, headers), path


def test_links_follow_the_host_the_client_named(emu: RunningEmulator, client: httpx.Client) -> None:
    trunk = created(client, "voice_in_trunks", pstn_trunk())
    for host in ("127.0.0.1", "localhost", "example.test:8443"):
        body = client.get(f"voice_in_trunks/{trunk['id']}", headers={"Host": host}).json()
        link = body["data"]["relationships"]["pop"]["links"]["self"]
        assert link == f"http://{host}/v3/voice_in_trunks/{trunk['id']}/relationships/pop"


def test_a_page_and_its_links_are_one_document(client: httpx.Client) -> None:
    ids = [created(client, "voice_in_trunks", pstn_trunk(name=f"T{i}"))["id"] for i in range(5)]
    body = client.get("voice_in_trunks", params={"page[size]": "2", "page[number]": "2"}).json()
    assert [r["id"] for r in body["data"]] == ids[2:4]
    assert body["meta"]["total_records"] == 5
    assert body["links"]["next"].endswith("/v3/voice_in_trunks?page%5Bnumber%5D=3&page%5Bsize%5D=2")
    assert body["links"]["prev"].endswith("/v3/voice_in_trunks?page%5Bnumber%5D=1&page%5Bsize%5D=2")


# -- faults: skipped while none is armed, applied as soon as one is --------------------------


def test_faults_apply_without_the_request_log() -> None:
    with running_emulator(admin=False, rate_limit=None) as emu:
        headers = {"Api-Key": emu.api_key}
        assert not emu.emulator.faults_armed
        assert httpx.get(emu.base_url + "pops", headers=headers).status_code == 200
        emu.emulator.update_faults({"throttle_next": 2})
        assert emu.emulator.faults_armed
        statuses = [httpx.get(emu.base_url + "pops", headers=headers).status_code for _ in range(3)]
        assert statuses == [429, 429, 200]
        assert not emu.emulator.faults_armed  # the burst is spent
        emu.emulator.update_faults({"error_rate": 1.0})
        assert httpx.get(emu.base_url + "pops", headers=headers).status_code == 500
        emu.emulator.clear_faults()
        assert not emu.emulator.faults_armed
        assert httpx.get(emu.base_url + "pops", headers=headers).status_code == 200


# -- the index of unique names ---------------------------------------------------------------


def test_a_renamed_record_frees_its_old_name(client: httpx.Client) -> None:
    first = created(client, "voice_in_trunks", pstn_trunk(name="A"))
    client.patch(f"voice_in_trunks/{first['id']}", json=patch("voice_in_trunks", first["id"], {"name": "B"}))
    created(client, "voice_in_trunks", pstn_trunk(name="A"))
    assert_validation_error(client.post("voice_in_trunks", json=pstn_trunk(name="B")), "/data/attributes/name", TAKEN)
    # Keeping one's own name is no clash.
    same = client.patch(f"voice_in_trunks/{first['id']}", json=patch("voice_in_trunks", first["id"], {"name": "B"}))
    assert same.status_code == 200


def test_a_deleted_record_frees_its_name(client: httpx.Client) -> None:
    trunk = created(client, "voice_in_trunks", pstn_trunk(name="A"))
    assert client.delete(f"voice_in_trunks/{trunk['id']}").status_code == 204
    created(client, "voice_in_trunks", pstn_trunk(name="A"))


def test_names_are_unique_per_type(client: httpx.Client) -> None:
    created(client, "voice_in_trunks", pstn_trunk(name="A"))
    group = {"data": {"type": "voice_in_trunk_groups", "attributes": {"name": "A", "capacity_limit": 1}}}
    assert client.post("voice_in_trunk_groups", json=group).status_code == 201


def test_reset_and_drift_update_the_names(client: httpx.Client, emu: RunningEmulator) -> None:
    trunk = created(client, "voice_in_trunks", pstn_trunk(name="A"))
    emu.state.patch_raw("voice_in_trunks", trunk["id"], {"name": "C"})  # renamed in the panel
    created(client, "voice_in_trunks", pstn_trunk(name="A"))
    assert_validation_error(client.post("voice_in_trunks", json=pstn_trunk(name="C")), "/data/attributes/name", TAKEN)
    client.post(emu.admin_url + "reset").raise_for_status()
    created(client, "voice_in_trunks", pstn_trunk(name="C"))


def test_unique_names_survive_a_restart(tmp_path: Any) -> None:
    state = tmp_path / "state.db"
    headers = {"Api-Key": "", "Content-Type": JSONAPI}
    with running_emulator(state_file=state, rate_limit=None) as emu:
        headers["Api-Key"] = emu.api_key
        assert httpx.post(emu.base_url + "voice_in_trunks", json=pstn_trunk(name="A"), headers=headers).is_success
    with running_emulator(state_file=state, rate_limit=None) as emu:
        again = httpx.post(emu.base_url + "voice_in_trunks", json=pstn_trunk(name="A"), headers=headers)
        assert_validation_error(again, "/data/attributes/name", TAKEN)


# -- the account's cached record order -------------------------------------------------------


def test_records_are_a_fresh_list_in_creation_order(client: httpx.Client, emu: RunningEmulator) -> None:
    ids = [created(client, "voice_in_trunks", pstn_trunk(name=f"T{i}"))["id"] for i in range(3)]
    listed = emu.state.records("voice_in_trunks")
    assert [r.id for r in listed] == ids
    listed.clear()  # a caller's list is its own
    assert [r.id for r in emu.state.records("voice_in_trunks")] == ids
    client.delete(f"voice_in_trunks/{ids[1]}")
    renamed = patch("voice_in_trunks", ids[0], {"name": "renamed"})
    client.patch(f"voice_in_trunks/{ids[0]}", json=renamed)
    records = emu.state.records("voice_in_trunks")
    assert [r.id for r in records] == [ids[0], ids[2]]
    assert records[0].attributes["name"] == "renamed"  # the updated record, not the old object


def test_copy_json_shares_nothing_mutable() -> None:
    stored: dict[str, Any] = {"a": [1, {"b": [2]}], "c": "text", "d": None}
    copied = copy_json(stored)
    assert copied == stored
    copied["a"][1]["b"].append(3)
    assert stored["a"][1]["b"] == [2]


def test_a_refused_update_leaves_the_record_as_it_was(client: httpx.Client, emu: RunningEmulator) -> None:
    trunk = created(client, "voice_in_trunks", pstn_trunk(name="A"))
    before = emu.state.get("voice_in_trunks", trunk["id"]).to_json()
    bad = {"priority": 70000, "configuration": {"type": "pstn_configurations", "attributes": {"dst": "2"}}}
    response = client.patch(f"voice_in_trunks/{trunk['id']}", json=patch("voice_in_trunks", trunk["id"], bad))
    assert response.status_code == 422
    assert emu.state.get("voice_in_trunks", trunk["id"]).to_json() == before


# -- coalesced writes ------------------------------------------------------------------------


class RecordingTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False
        self.aborted = False

    def write(self, data: Any) -> None:
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = True

    def is_closing(self) -> bool:
        return self.closed or self.aborted


def test_a_head_and_its_body_leave_in_one_write() -> None:
    async def scenario() -> list[bytes]:
        inner = RecordingTransport()
        transport = CoalescingTransport(inner, asyncio.get_running_loop())
        transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
        transport.write(b"{}")
        await asyncio.sleep(0)
        return inner.writes

    assert asyncio.run(scenario()) == [b"HTTP/1.1 200 OK\r\n\r\n{}"]


def test_a_lone_short_write_leaves_at_the_end_of_the_turn() -> None:
    async def scenario() -> tuple[list[bytes], list[bytes]]:
        inner = RecordingTransport()
        transport = CoalescingTransport(inner, asyncio.get_running_loop())
        transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        held = list(inner.writes)
        await asyncio.sleep(0)
        return held, inner.writes

    held, sent = asyncio.run(scenario())
    assert held == [] and sent == [b"HTTP/1.1 100 Continue\r\n\r\n"]


def test_large_writes_close_and_abort() -> None:
    async def scenario() -> tuple[RecordingTransport, RecordingTransport]:
        loop = asyncio.get_running_loop()
        inner = RecordingTransport()
        transport = CoalescingTransport(inner, loop)
        transport.write(b"x" * 100_000)  # sent at once, nothing to join it with
        transport.write(b"head")
        transport.close()  # sends what it held first
        dropped = RecordingTransport()
        aborting = CoalescingTransport(dropped, loop)
        aborting.write(b"head")
        aborting.abort()  # a dropped connection sends nothing
        await asyncio.sleep(0)
        return inner, dropped

    inner, dropped = asyncio.run(scenario())
    assert [len(w) for w in inner.writes] == [100_000, 4] and inner.closed
    assert dropped.writes == [] and dropped.aborted


def test_a_close_started_elsewhere_still_sends_what_was_written() -> None:
    """Only our own abort discards a held write, as the plain transport would behave."""

    async def scenario() -> list[bytes]:
        inner = RecordingTransport()
        transport = CoalescingTransport(inner, asyncio.get_running_loop())
        transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
        inner.closed = True  # e.g. the peer half-closed and the loop began closing
        await asyncio.sleep(0)
        return inner.writes

    assert asyncio.run(scenario()) == [b"HTTP/1.1 200 OK\r\n\r\n"]


def test_pipelined_requests_are_answered_in_order(emu: RunningEmulator) -> None:
    host = f"127.0.0.1:{emu.port}"
    one = f"GET /v3/pops HTTP/1.1\r\nHost: {host}\r\nApi-Key: {emu.api_key}\r\n\r\n".encode()
    unknown = f"GET /v3/nothing HTTP/1.1\r\nHost: {host}\r\nApi-Key: {emu.api_key}\r\nConnection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", emu.port), timeout=10) as sock:
        sock.sendall(one + unknown.encode())
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    assert re.findall(rb"HTTP/1\.1 (\d{3}) ", received) == [b"200", b"404"]


# -- the server process ----------------------------------------------------------------------


def test_keep_freed_memory_is_harmless() -> None:
    """In a process of its own: the malloc settings would otherwise last for the whole test run."""
    script = (
        "from didww_iac.emulator.server import keep_freed_memory\n"
        "keep_freed_memory(); keep_freed_memory()\n"  # idempotent, and a no-op off glibc
        "pages = [bytes(176_000) for _ in range(50)]; del pages\n"
        "print('served')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "served", "")


@pytest.mark.parametrize("state", [False, True])
def test_writes_inline_or_on_a_worker_thread_lose_nothing(state: bool, tmp_path: Any) -> None:
    options: dict[str, Any] = {"rate_limit": None, "admin": False}
    if state:
        options["state_file"] = tmp_path / "state.db"
    with running_emulator(**options) as emu:
        headers = {"Api-Key": emu.api_key, "Content-Type": JSONAPI}
        with httpx.Client(base_url=emu.base_url, headers=headers) as c:
            ids = [created(c, "voice_in_trunks", pstn_trunk(name=f"T{i}"))["id"] for i in range(5)]
            assert c.get("voice_in_trunks").json()["meta"]["total_records"] == 5
            assert c.delete(f"voice_in_trunks/{ids[0]}").status_code == 204
            assert c.get("voice_in_trunks").json()["meta"]["total_records"] == 4
