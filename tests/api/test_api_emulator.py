"""The client against the real emulator over HTTP: rate limit, retries, faults, version pin, redaction."""

from __future__ import annotations

import logging
import multiprocessing
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from didww_api_helpers import clear_log, faults, free_port, logged, max_in_window, settings_for

from didww_iac.api import (
    AuthenticationError,
    ClientSettings,
    DidwwClient,
    DidwwError,
    NotFoundError,
    RateLimitedError,
    Ref,
    ServerError,
    TransportError,
    ValidationError,
    VersionMismatchError,
    authentication_method,
    pstn_configuration,
    sip_configuration,
)
from didww_iac.api.limiter import MemoryLimiter
from didww_iac.api.limiter.memory import SlotLog
from didww_iac.emulator.testing import running_emulator

OLD, NEW = "2022-05-10", "2026-04-16"


def _hammer(client: DidwwClient, threads: int, per_thread: int) -> list[BaseException]:
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(per_thread):
                client.list("voice_in_trunk_groups")
        except BaseException as exc:
            errors.append(exc)

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return errors


def _arrivals(emu: Any) -> list[float]:
    return [e["started_at"] for e in logged(emu) if e["path"].startswith("/v3/")]


def test_eight_threads_200_requests_see_no_429() -> None:
    with running_emulator(rate_limit=20.0, request_log=True) as emu:
        with DidwwClient(settings_for(emu, rate_limit=20.0)) as client:
            start = time.monotonic()
            errors = _hammer(client, threads=8, per_thread=25)
            elapsed = time.monotonic() - start
            stats = client.stats
        log = logged(emu)
    assert errors == []
    assert stats.requests == 200 and stats.responses_429 == 0 and stats.retries == 0
    assert [e for e in log if e["status"] == 429] == []
    assert max_in_window([e["started_at"] for e in log]) <= 20
    assert elapsed >= (200 - 20) / 20  # the limiter really held the rate
    assert 200 / elapsed >= 0.85 * 20  # ...without wasting much of it
    assert stats.throttled_seconds > 0


def test_without_a_shared_limiter_the_server_does_throttle() -> None:
    """Control: two private limiters at the full rate overrun the key's budget (the tests have teeth)."""
    with running_emulator(rate_limit=20.0, request_log=True) as emu:
        clients = [
            DidwwClient(settings_for(emu), limiter=MemoryLimiter("private", 20.0, log=SlotLog())) for _ in range(2)
        ]
        threads = [threading.Thread(target=_hammer, args=(c, 2, 15)) for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sum(c.stats.responses_429 for c in clients) > 0
        for c in clients:
            c.close()


def _sqlite_worker(base_url: str, key: str, path: str, n: int) -> int:
    s = ClientSettings(api_key=key, endpoint=base_url, limiter="sqlite", limiter_path=path)
    with DidwwClient(s) as client:
        for _ in range(n):
            client.list("voice_in_trunk_groups")
        return client.stats.responses_429


def test_two_processes_share_the_budget_through_sqlite(tmp_path: Path) -> None:
    with running_emulator(rate_limit=20.0, request_log=True) as emu:
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(2) as pool:
            args = [(emu.base_url, emu.api_key, str(tmp_path / "rl.sqlite3"), 40)] * 2
            throttled = pool.starmap(_sqlite_worker, args)
        arrivals = _arrivals(emu)
        log = logged(emu)
    assert throttled == [0, 0]
    assert len(arrivals) == 80 and [e for e in log if e["status"] == 429] == []
    assert max_in_window(arrivals) <= 20


@pytest.mark.redis
def test_two_clients_share_the_budget_through_redis(redis_url: str) -> None:
    with running_emulator(rate_limit=20.0, request_log=True) as emu:
        clients = [DidwwClient(settings_for(emu, limiter=redis_url)) for _ in range(2)]
        # Open each client's connection first: a TCP set-up inside the first burst delays one
        # request past its slot, which says nothing about sharing the budget.
        for c in clients:
            c.list("voice_in_trunk_groups")
            c.reset_stats()
        time.sleep(1.1)
        clear_log(emu)
        threads = [threading.Thread(target=_hammer, args=(c, 4, 10)) for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        arrivals = _arrivals(emu)
        assert [c.stats.responses_429 for c in clients] == [0, 0]
        assert len(arrivals) == 80 and max_in_window(arrivals) <= 20
        for c in clients:
            c.close()


# -- faults and retries -------------------------------------------------------------------------------


def test_429_burst_honours_retry_after_and_recovers() -> None:
    with running_emulator(rate_limit=None) as emu, DidwwClient(settings_for(emu)) as client:
        faults(emu, throttle_next=3, retry_after=0.2)
        start = time.monotonic()
        assert client.list("voice_in_trunk_groups") == []
        elapsed = time.monotonic() - start
        s = client.stats
    assert (s.responses_429, s.retries) == (3, 3)
    assert s.backoff_seconds == pytest.approx(0.6, abs=0.01)
    assert elapsed >= 0.6


def test_429_without_retry_after_backs_off_and_gives_up_when_attempts_are_spent() -> None:
    with running_emulator(rate_limit=None) as emu, DidwwClient(settings_for(emu, max_attempts=3)) as client:
        faults(emu, throttle_next=10)
        with pytest.raises(RateLimitedError, match="gave up after 3 attempts") as info:
            client.get("voice_in_trunks", "nope")
    assert info.value.status == 429 and client.stats.responses_429 == 3


def test_retry_after_beyond_the_budget_fails_at_once() -> None:
    with (
        running_emulator(rate_limit=None) as emu,
        DidwwClient(settings_for(emu, retry_budget_seconds=1.0)) as client,
    ):
        faults(emu, throttle_next=5, retry_after=30)
        start = time.monotonic()
        with pytest.raises(RateLimitedError):
            client.list("voice_in_trunk_groups")
        assert time.monotonic() - start < 1.0
        assert client.stats.requests == 1


def test_503_is_retried_for_reads_and_updates() -> None:
    with running_emulator(rate_limit=None, request_log=True) as emu, DidwwClient(settings_for(emu)) as client:
        group = client.create("voice_in_trunk_groups", {"name": "g", "capacity_limit": 1})
        faults(emu, fail_next=2, error_status=503)
        assert client.get("voice_in_trunk_groups", group.id).id == group.id
        faults(emu, fail_next=2, error_status=500)
        assert client.update("voice_in_trunk_groups", group.id, {"name": "g2"}).attributes["name"] == "g2"
        faults(emu, fail_next=1, error_status=502)
        client.delete("voice_in_trunk_groups", group.id)
        assert client.stats.responses_5xx == 5 and client.stats.retries == 5


def test_post_is_never_retried_after_a_5xx_or_a_drop() -> None:
    with running_emulator(rate_limit=None, request_log=True) as emu, DidwwClient(settings_for(emu)) as client:
        client.verify_version()
        clear_log(emu)
        faults(emu, fail_next=1, error_status=503)
        with pytest.raises(ServerError) as info:
            client.create("voice_in_trunk_groups", {"name": "g"})
        assert info.value.status == 503 and info.value.method == "POST"
        faults(emu, drop_next=1)
        with pytest.raises(TransportError) as dropped:
            client.create("voice_in_trunk_groups", {"name": "g"})
        assert dropped.value.may_have_been_sent
        posts = [e for e in logged(emu) if e["method"] == "POST"]
        assert [e["outcome"] for e in posts] == ["error", "dropped"]
        assert client.list("voice_in_trunk_groups") == []


def test_every_attempt_gives_its_slot_back_whatever_the_answer() -> None:
    """A slot left pending would shrink the key's budget for the life of the process."""
    log = SlotLog()
    with running_emulator(rate_limit=None) as emu:
        limiter = MemoryLimiter("settle", 20.0, log=log)
        with DidwwClient(settings_for(emu, max_attempts=2), limiter=limiter) as client:
            client.list("voice_in_trunk_groups")
            faults(emu, throttle_next=1, retry_after=0.05)
            client.list("voice_in_trunk_groups")  # a 429, then a retry
            with pytest.raises(NotFoundError):
                client.get("voice_in_trunk_groups", "00000000-0000-0000-0000-000000000000")
            faults(emu, drop_next=1)
            with pytest.raises(TransportError):
                client.create("voice_in_trunk_groups", {"name": "g"})
            faults(emu, fail_next=2, error_status=503)
            with pytest.raises(ServerError):
                client.list("voice_in_trunk_groups")
            attempts = client.stats.requests
    assert attempts == 7  # 1 + (429, retry) + 404 + dropped POST + (503, 503)
    assert log.pending == set() and log.answered


def test_dropped_connections_are_retried_for_reads() -> None:
    with running_emulator(rate_limit=None) as emu, DidwwClient(settings_for(emu)) as client:
        faults(emu, drop_next=2)
        assert client.list("voice_in_trunk_groups") == []
        assert client.stats.transport_errors == 2 and client.stats.retries == 2


def test_read_timeout_retries_get_until_spent_and_never_retries_post() -> None:
    with (
        running_emulator(rate_limit=None, request_log=True) as emu,
        DidwwClient(settings_for(emu, read_timeout=0.3, max_attempts=2)) as client,
    ):
        client.verify_version()
        faults(emu, latency=1.0)
        with pytest.raises(TransportError, match="ReadTimeout") as info:
            client.list("voice_in_trunk_groups")
        assert info.value.may_have_been_sent and client.stats.requests == 3
        with pytest.raises(TransportError):
            client.create("voice_in_trunk_groups", {"name": "slow"})
        assert client.stats.requests == 4


def test_connect_errors_are_retried_even_for_post() -> None:
    s = ClientSettings(
        api_key="k-0123456789ab",
        endpoint=f"http://127.0.0.1:{free_port()}/v3/",
        max_attempts=3,
        backoff_base=0.01,
        rate_limit=0,
    )
    with DidwwClient(s) as client:
        client._version_checked = True  # nothing answers: skip the preflight to reach the POST itself
        with pytest.raises(TransportError) as info:
            client.create("voice_in_trunk_groups", {"name": "g"})
    assert not info.value.may_have_been_sent
    assert "gave up after 3 attempts" in str(info.value)
    assert client.stats.retries == 2


# -- version pin ------------------------------------------------------------------------------------------


def test_pin_older_than_the_account_default_is_caught_on_the_first_response() -> None:
    with running_emulator(api_version=NEW, request_log=True) as emu:
        with DidwwClient(settings_for(emu, api_version=OLD)) as client:
            with pytest.raises(VersionMismatchError) as info:
                client.create("voice_in_trunk_groups", {"name": "never written"})
            assert (info.value.pinned, info.value.answered) == (OLD, NEW)
            with pytest.raises(VersionMismatchError):
                client.list("voice_in_trunk_groups")  # poisoned: nothing more is sent
        log = logged(emu)
    assert [(e["method"], e["api_version_header"]) for e in log] == [("GET", OLD)]
    assert emu.state.snapshot().get("voice_in_trunk_groups", []) in ([], {})


def test_pin_newer_than_the_account_default_is_honoured() -> None:
    with running_emulator(api_version=OLD, request_log=True) as emu:
        with DidwwClient(settings_for(emu, api_version=NEW)) as client:
            g = client.create("voice_in_trunk_groups", {"name": "g", "external_reference_id": "urn:a"})
            assert g.attributes["external_reference_id"] == "urn:a"
        assert {e["api_version_header"] for e in logged(emu)} == {NEW}
        assert all(e["has_api_key"] for e in logged(emu))


# -- documents in both versions -----------------------------------------------------------------------------


@pytest.mark.parametrize("version", [OLD, NEW])
def test_round_trip_of_every_emulated_shape(version: str) -> None:
    with (
        running_emulator(api_version=version, rate_limit=None) as emu,
        DidwwClient(settings_for(emu, api_version=version)) as c,
    ):
        group = c.create(
            "voice_in_trunk_groups",
            {"name": "office", "capacity_limit": 4, "external_reference_id": "urn:g"},
        )
        sip = c.create(
            "voice_in_trunks",
            {
                "name": "sip",
                "external_reference_id": "urn:t",
                "configuration": sip_configuration(
                    host="pbx.example.test", port=5060, username="alice", cnam_lookup=True
                ),
            },
            {"voice_in_trunk_group": Ref("voice_in_trunk_groups", group.id)},
        )
        pstn = c.create("voice_in_trunks", {"name": "pstn", "configuration": pstn_configuration("441234567890")})
        out = c.create(
            "voice_out_trunks",
            {
                "name": "out",
                "on_cli_mismatch_action": "reject_call",
                "authentication_method": authentication_method("credentials_and_ip", allowed_sip_ips=["192.0.2.1/32"]),
            },
        )

        conf = sip.attributes["configuration"]
        assert conf["type"] == "sip_configurations" and conf["attributes"]["host"] == "pbx.example.test"
        assert pstn.attributes["configuration"] == {
            "type": "pstn_configurations",
            "attributes": {"dst": "441234567890"},
        }
        auth = out.attributes["authentication_method"]
        assert auth["type"] == "credentials_and_ip" and auth["attributes"]["allowed_sip_ips"] == ["192.0.2.1/32"]
        assert {"username", "password"} <= set(auth["attributes"])
        if version == NEW:
            assert group.attributes["external_reference_id"] == "urn:g"
            assert conf["attributes"]["cnam_lookup"] is True
            found = c.list("voice_in_trunk_groups", filters={"external_reference_id": "urn:g"})
            assert [g.id for g in found] == [group.id]
        else:
            assert "external_reference_id" not in group.attributes
            assert "cnam_lookup" not in conf["attributes"]
            assert "allowed_sip_ips" not in out.attributes  # reshaped into authentication_method

        # include + related, then clear relationships: None for to-one, [] for to-many
        [g] = c.list("voice_in_trunk_groups", include=["voice_in_trunks"])
        members = g.related("voice_in_trunks")
        assert isinstance(members, list) and [m.id for m in members] == [sip.id]
        t = c.get("voice_in_trunks", sip.id, include=["voice_in_trunk_group"])
        assert t.relationships["voice_in_trunk_group"] == group.ref
        related = t.related("voice_in_trunk_group")
        assert related is not None and not isinstance(related, list) and related.id == group.id
        c.update("voice_in_trunk_groups", group.id, {"name": "office2"}, {"voice_in_trunks": []})
        t = c.get("voice_in_trunks", sip.id, include=["voice_in_trunk_group"])
        assert t.relationships["voice_in_trunk_group"] is None
        c.update("voice_in_trunks", sip.id, None, {"voice_in_trunk_group": group.ref})
        c.update("voice_in_trunks", sip.id, None, {"voice_in_trunk_group": None})
        assert (
            c.get("voice_in_trunks", sip.id, include=["voice_in_trunk_group"]).related("voice_in_trunk_group") is None
        )
        for r in (sip, pstn):
            c.delete("voice_in_trunks", r.id)
        c.delete("voice_out_trunks", out.id)
        c.delete("voice_in_trunk_groups", group.id)
        with pytest.raises(NotFoundError) as nf:
            c.get("voice_in_trunk_groups", group.id)
        assert nf.value.status == 404 and nf.value.path and group.id in nf.value.path


def test_validation_errors_keep_pointers() -> None:
    with running_emulator(rate_limit=None) as emu, DidwwClient(settings_for(emu)) as c:
        with pytest.raises(ValidationError) as info:
            c.create("voice_in_trunks", {"name": "x", "configuration": sip_configuration(host="h")})
        assert any(e.pointer and e.pointer.startswith("/data/attributes/configuration") for e in info.value.errors)


def test_pagination_follows_every_page_and_iter_is_lazy() -> None:
    with (
        running_emulator(rate_limit=None, request_log=True) as emu,
        DidwwClient(settings_for(emu, rate_limit=0)) as c,
    ):
        for i in range(150):
            c.create("voice_in_trunk_groups", {"name": f"g{i:03}", "external_reference_id": f"urn:{i}"})
        clear_log(emu)
        names = [r.attributes["name"] for r in c.list("voice_in_trunk_groups", sort=["name"])]
        assert names == [f"g{i:03}" for i in range(150)]
        assert [e["query"].count("page%5Bnumber%5D") for e in logged(emu)] == [1, 1]
        clear_log(emu)
        first = next(c.iter("voice_in_trunk_groups", page_size=10))
        assert first.attributes["name"] and len(logged(emu)) == 1
        by_ref = c.list("voice_in_trunk_groups", filters={"external_reference_id": "urn:7"})
        assert [r.attributes["name"] for r in by_ref] == ["g007"]


# -- the API key never leaks -----------------------------------------------------------------------------


def _texts(exc: BaseException) -> list[str]:
    out = [str(exc), repr(exc), repr(exc.args), "".join(traceback.format_exception(exc))]
    out += [repr(v) for v in vars(exc).values()]
    return out


def test_api_key_appears_in_no_log_line_and_no_exception(caplog: pytest.LogCaptureFixture) -> None:
    key = "KEY-d1dww-5ecret-0123456789"
    wrong = "KEY-wr0ng-5ecret-9876543210"
    caught: list[BaseException] = []
    caplog.set_level(logging.DEBUG)
    with running_emulator(api_keys=[key], rate_limit=None, api_version=NEW) as emu:
        s = ClientSettings(api_key=key, endpoint=emu.base_url, max_attempts=2, backoff_base=0.01)
        with DidwwClient(s) as c:
            c.create("voice_in_trunk_groups", {"name": key})  # even echoed back by the server
            calls: list[Callable[[], object]] = [
                lambda: c.get("voice_in_trunks", key),
                lambda: c.create("voice_in_trunks", {"name": key, "configuration": sip_configuration(host="h")}),
            ]
            for call in calls:
                with pytest.raises(DidwwError) as info:
                    call()
                caught.append(info.value)
            faults(emu, throttle_next=2)  # = max_attempts, so none is left over
            with pytest.raises(RateLimitedError) as rl:
                c.list("voice_in_trunk_groups")
            caught.append(rl.value)
            faults(emu, drop_next=2)
            with pytest.raises(TransportError) as te:
                c.list("voice_in_trunk_groups")
            caught.append(te.value)
        with DidwwClient(ClientSettings(api_key=wrong, endpoint=emu.base_url)) as bad:
            with pytest.raises(AuthenticationError) as auth:
                bad.list("voice_in_trunk_groups")
            caught.append(auth.value)
        with DidwwClient(settings_for(emu, api_version=OLD)) as old:
            with pytest.raises(VersionMismatchError) as vm:
                old.list("voice_in_trunk_groups")
            caught.append(vm.value)
    assert len(caught) == 6 and caplog.records
    assert any(r.name == "didww_iac.api" for r in caplog.records)
    for exc in caught:
        for text in _texts(exc):
            assert key not in text and wrong not in text
    for record in caplog.records:
        assert key not in record.getMessage() and wrong not in record.getMessage()
    assert key not in caplog.text and wrong not in caplog.text
