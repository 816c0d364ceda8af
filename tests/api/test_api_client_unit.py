"""Client behaviour that needs exact control of the wire: headers, bodies, 204s, paths."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from didww_iac.api import (
    ClientSettings,
    ConfigurationError,
    DidwwClient,
    Ref,
    ServerError,
    UnsupportedInVersionError,
)
from didww_iac.api.limiter import NoLimiter

KEY = "unit-test-key-42"


def _client(handler: Any, **kw: Any) -> DidwwClient:
    s = ClientSettings(api_key=KEY, endpoint="emulator", rate_limit=0, **kw)
    return DidwwClient(s, http_transport=httpx.MockTransport(handler), limiter=NoLimiter())


def _doc(version: str, data: Any) -> httpx.Response:
    return httpx.Response(200, json={"data": data, "meta": {"api_version": version}})


def test_every_request_carries_the_headers_and_a_translated_body() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.method == "GET":
            return _doc("2022-05-10", [])
        body = json.loads(request.content)
        return httpx.Response(
            201, json={**body, "meta": {"api_version": "2022-05-10"}} | {"data": {**body["data"], "id": "o1"}}
        )

    with _client(handler, api_version="2022-05-10") as c:
        order = c.create("orders", {"callback_method": "post", "items": []})
    assert order.attributes["callback_method"] == "post"  # translated back
    for r in seen:
        assert r.headers["Api-Key"] == KEY
        assert r.headers["Accept"] == "application/vnd.api+json"
        assert r.headers["Content-Type"] == "application/vnd.api+json"
        assert r.headers["X-DIDWW-API-Version"] == "2022-05-10"
    assert [r.method for r in seen] == ["GET", "POST"]  # version preflight before the first write
    assert json.loads(seen[1].content)["data"]["attributes"] == {
        "callback_method": "POST",
        "items": [],
        "allow_back_ordering": True,
    }


def test_update_answering_204_reads_back_and_delete_returns_none() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(f"{request.method} {request.url.raw_path.decode().split('?')[0]}")
        if request.method in {"PATCH", "DELETE"}:
            return httpx.Response(204)
        if request.url.path.endswith("/dids"):
            return _doc("2026-04-16", [])
        return _doc("2026-04-16", {"type": "dids", "id": "a/b", "attributes": {"description": "x"}})

    with _client(handler) as c:
        r = c.update("dids", "a/b", {"description": "x"}, {"voice_in_trunk": Ref("voice_in_trunks", "t")})
        assert r.attributes == {"description": "x"}
        c.delete("dids", "a/b")
    assert calls == ["GET /v3/dids", "PATCH /v3/dids/a%2Fb", "GET /v3/dids/a%2Fb", "DELETE /v3/dids/a%2Fb"]


def test_filters_include_sort_and_pages_are_encoded() -> None:
    urls: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        urls.append(request.url)
        return _doc("2026-04-16", [])

    with _client(handler) as c:
        c.list(
            "voice_in_trunks",
            filters={"name": "x", "voice_in_trunk_group.id": ["a", "b"], "flag": True},
            include=["pop", "voice_in_trunk_group"],
            sort=["-name"],
        )
    q = urls[0].params
    assert q["filter[name]"] == "x" and q["filter[voice_in_trunk_group.id]"] == "a,b" and q["filter[flag]"] == "true"
    assert q["include"] == "pop,voice_in_trunk_group" and q["sort"] == "-name"
    assert (q["page[number]"], q["page[size]"]) == ("1", "100")


def test_unsupported_things_fail_before_any_request() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("nothing may be sent")

    with _client(handler, api_version="2022-05-10") as c:
        with pytest.raises(UnsupportedInVersionError):
            c.list("orders", filters={"external_reference_id": "urn:x"})
        with pytest.raises(UnsupportedInVersionError):
            c.update("orders", "1", {"external_reference_id": "x"})
        with pytest.raises(ConfigurationError):
            c.get("../balance", "1")
        assert not c.supports_attribute("orders", "external_reference_id")
        assert not c.supports_operation("orders", "PATCH")
    assert c.stats.requests == 0


def test_non_json_error_body_is_still_mapped() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text="<html>bad gateway</html>")

    with (
        _client(handler, max_attempts=2, backoff_base=0.0) as c,
        pytest.raises(ServerError, match="502") as info,
    ):
        c.get("dids", "1")
    assert "gave up after 2 attempts" in str(info.value)
