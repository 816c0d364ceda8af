"""API versions: the account default, X-DIDWW-API-Version, and per-version rendering."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from didww_iac.emulator.testing import RunningEmulator, running_emulator

from .conftest import api_client
from .fixtures import (
    GROUP_ATTRIBUTES_2022,
    GROUP_ATTRIBUTES_2026,
    SIP_ATTRIBUTES_2022,
    SIP_ATTRIBUTES_2026,
    TRUNK_ATTRIBUTES_2022,
    TRUNK_ATTRIBUTES_2026,
    V2022,
    V2026,
    pstn_trunk,
    sip_trunk,
    trunk_group,
)
from .helpers import created, single_error

HEADER = "X-DIDWW-API-Version"


@pytest.fixture(scope="module")
def old_account() -> Iterator[RunningEmulator]:
    with running_emulator(api_version=V2022, rate_limit=None) as emu:
        yield emu


@pytest.fixture
def old_client(old_account: RunningEmulator) -> Iterator[httpx.Client]:
    httpx.post(old_account.admin_url + "reset").raise_for_status()
    with api_client(old_account) as c:
        yield c


def _version(response: httpx.Response) -> str:
    return str(response.json()["meta"]["api_version"])


@pytest.mark.parametrize("header", [None, V2022, "2021-12-15", "garbage", "2099-01-01", ""])
def test_latest_account_ignores_older_and_invalid_headers(client: httpx.Client, header: str | None) -> None:
    headers = {HEADER: header} if header is not None else {}
    response = client.get("voice_in_trunks", headers=headers)
    assert response.status_code == 200
    assert _version(response) == V2026


@pytest.mark.parametrize("header", [None, "2021-12-15", "not-a-date"])
def test_old_account_serves_its_default(old_client: httpx.Client, header: str | None) -> None:
    headers = {HEADER: header} if header is not None else {}
    assert _version(old_client.get("voice_in_trunk_groups", headers=headers)) == V2022


def test_newer_header_switches_one_response_only(old_client: httpx.Client) -> None:
    assert _version(old_client.get("voice_in_trunks", headers={HEADER: V2026})) == V2026
    assert _version(old_client.get("voice_in_trunks")) == V2022


def test_trunk_rendering_per_version(old_client: httpx.Client) -> None:
    trunk = created(old_client, "voice_in_trunks", sip_trunk())
    assert set(trunk["attributes"]) == TRUNK_ATTRIBUTES_2022
    assert set(trunk["attributes"]["configuration"]["attributes"]) == SIP_ATTRIBUTES_2022
    newer = old_client.get(f"voice_in_trunks/{trunk['id']}", headers={HEADER: V2026}).json()["data"]
    assert set(newer["attributes"]) == TRUNK_ATTRIBUTES_2026
    assert set(newer["attributes"]["configuration"]["attributes"]) == SIP_ATTRIBUTES_2026
    # Attributes a 2022 client could not set still have their defaults.
    assert newer["attributes"]["configuration"]["attributes"]["diversion_relay_policy"] == "none"


def test_group_rendering_per_version(old_client: httpx.Client) -> None:
    group = created(old_client, "voice_in_trunk_groups", trunk_group())
    assert set(group["attributes"]) == GROUP_ATTRIBUTES_2022
    newer = old_client.get(f"voice_in_trunk_groups/{group['id']}", headers={HEADER: V2026}).json()["data"]
    assert set(newer["attributes"]) == GROUP_ATTRIBUTES_2026


def test_2026_only_attributes_and_filters_are_refused_in_2022(old_client: httpx.Client) -> None:
    error = single_error(old_client.post("voice_in_trunk_groups", json=trunk_group(external_reference_id="x")), 400)
    assert error["detail"] == "external_reference_id is not allowed."
    refused = old_client.get("voice_in_trunks", params={"filter[external_reference_id]": "x"})
    assert single_error(refused, 400)["code"] == "102"
    assert old_client.get("voice_in_trunks", params={"sort": "external_reference_id"}).status_code == 400
    allowed = old_client.post(
        "voice_in_trunk_groups", json=trunk_group(external_reference_id="x"), headers={HEADER: V2026}
    )
    assert allowed.status_code == 201


def test_2026_sip_attributes_sent_to_2022_are_not_applied(old_client: httpx.Client) -> None:
    body = sip_trunk()
    body["data"]["attributes"]["configuration"]["attributes"]["cnam_lookup"] = True
    trunk = created(old_client, "voice_in_trunks", body)
    newer = old_client.get(f"voice_in_trunks/{trunk['id']}", headers={HEADER: V2026}).json()["data"]
    assert newer["attributes"]["configuration"]["attributes"]["cnam_lookup"] is False


def test_account_version_can_be_upgraded_via_admin(old_account: RunningEmulator, old_client: httpx.Client) -> None:
    response = httpx.patch(old_account.admin_url + "account", json={"api_version": V2026})
    assert response.json()["api_version"] == V2026
    try:
        assert _version(old_client.get("voice_in_trunks", headers={HEADER: V2022})) == V2026
        created(old_client, "voice_in_trunks", pstn_trunk(external_reference_id="now-allowed"))
    finally:
        httpx.post(old_account.admin_url + "reset").raise_for_status()
    assert _version(old_client.get("voice_in_trunks")) == V2022
