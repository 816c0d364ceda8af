"""Auth, content negotiation and routing (Specification > Headers, and the recorded 401)."""

from __future__ import annotations

import httpx
import pytest

from didww_iac.emulator.config import DEFAULT_API_KEY
from didww_iac.emulator.testing import RunningEmulator, running_emulator

from .fixtures import JSONAPI, pstn_trunk
from .helpers import single_error

UNAUTHORIZED = {"title": "Unauthorized", "detail": "Authorization failed", "code": "401", "status": "401"}


@pytest.mark.parametrize("headers", [{}, {"Api-Key": "wrong"}, {"Api-Key": ""}])
def test_missing_or_unknown_key_is_401(emu: RunningEmulator, headers: dict[str, str]) -> None:
    response = httpx.get(emu.base_url + "voice_in_trunks", headers=headers)
    assert single_error(response, 401) == UNAUTHORIZED


def test_key_is_checked_before_anything_else(emu: RunningEmulator) -> None:
    assert httpx.get(emu.base_url + "no_such_type").status_code == 401
    assert httpx.get(emu.base_url).status_code == 401


def test_configured_keys_only() -> None:
    with running_emulator(api_keys=["k1", "k2"], rate_limit=None) as emu:
        assert emu.api_key == "k1"
        assert httpx.get(emu.base_url + "pops", headers={"Api-Key": "k2"}).status_code == 200
        assert httpx.get(emu.base_url + "pops", headers={"Api-Key": DEFAULT_API_KEY}).status_code == 401


@pytest.mark.parametrize("content_type", ["application/json", f"{JSONAPI}; charset=utf-8", "text/plain"])
def test_writes_need_the_jsonapi_content_type(client: httpx.Client, content_type: str) -> None:
    response = client.post(
        "voice_in_trunks",
        content=httpx.Request("POST", "/", json=pstn_trunk()).content,
        headers={"Content-Type": content_type},
    )
    error = single_error(response, 415)
    assert error["code"] == "415" and content_type in error["detail"]
    assert client.get("voice_in_trunks").json()["meta"]["total_records"] == 0


def test_reads_do_not_need_a_content_type(emu: RunningEmulator) -> None:
    response = httpx.get(emu.base_url + "voice_in_trunks", headers={"Api-Key": emu.api_key})
    assert response.status_code == 200
    assert response.headers["content-type"] == JSONAPI


@pytest.mark.parametrize("accept", [f"{JSONAPI}; version=1", "text/html", "application/json"])
def test_unacceptable_accept_is_406(client: httpx.Client, accept: str) -> None:
    assert single_error(client.get("voice_in_trunks", headers={"Accept": accept}), 406)["code"] == "406"


@pytest.mark.parametrize("accept", ["*/*", JSONAPI, f"{JSONAPI}; version=1, {JSONAPI}", "application/*"])
def test_acceptable_accept(client: httpx.Client, accept: str) -> None:
    assert client.get("voice_in_trunks", headers={"Accept": accept}).status_code == 200


def test_unknown_route_and_bad_documents(client: httpx.Client) -> None:
    assert single_error(client.get("no_such_type"), 404)["code"] == "404"
    assert single_error(client.get("voice_in_trunks/a/b"), 404)["code"] == "404"
    assert single_error(client.post("voice_in_trunks", json={"nodata": 1}), 400)["code"] == "106"
    wrong_type = {"data": {"type": "voice_in_trunk_groups", "attributes": {"name": "x"}}}
    assert single_error(client.post("voice_in_trunks", json=wrong_type), 400)["code"] == "101"
    assert single_error(client.post("voice_in_trunks", content=b"{not json"), 400)["status"] == "400"


def test_patch_id_must_match_url(client: httpx.Client) -> None:
    trunk = client.post("voice_in_trunks", json=pstn_trunk()).json()["data"]
    body = {"data": {"type": "voice_in_trunks", "id": "other", "attributes": {"name": "x"}}}
    assert single_error(client.patch(f"voice_in_trunks/{trunk['id']}", json=body), 400)["code"] == "110"
