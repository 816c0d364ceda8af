"""Seeding an account "made in the DIDWW panel": by config, by CLI flag, by the admin hook;
unique and deterministic; persisted; and a 10,000-DID account answering lists, look-ups and
filters correctly."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from didww_iac.emulator.__main__ import parse_args
from didww_iac.emulator.config import AccountSeed
from didww_iac.emulator.testing import RunningEmulator, running_emulator

from .conftest import api_client
from .fixtures import identifier, patch
from .helpers import created

SMALL = "trunks=6,groups=2,dids=50"
DID_INCLUDE = "voice_in_trunk,voice_in_trunk_group,capacity_pool,shared_capacity_group"


def _all(client: httpx.Client, path: str, **params: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    number = 1
    while True:
        body = client.get(path, params={**params, "page[size]": "100", "page[number]": str(number)}).json()
        found += body["data"]
        if len(found) >= body["meta"]["total_records"]:
            return found
        number += 1


def _linked(resource: dict[str, Any], name: str) -> str | None:
    data = resource["relationships"][name]["data"]
    return None if data is None else str(data["id"])


def _account(client: httpx.Client) -> dict[str, list[dict[str, Any]]]:
    """The seeded types as the API shows them (DIDs with their routing linkage)."""
    return {
        "trunks": _all(client, "voice_in_trunks"),
        "groups": _all(client, "voice_in_trunk_groups", include="voice_in_trunks"),
        "orders": _all(client, "orders"),
        "dids": _all(client, "dids", include="voice_in_trunk,voice_in_trunk_group,order"),
    }


def _fingerprint(account: dict[str, list[dict[str, Any]]]) -> list[tuple[str, str | None, str | None]]:
    """Each DID's number with the names of its trunk and trunk group: what determinism means."""
    names = {t["id"]: t["attributes"]["name"] for t in account["trunks"] + account["groups"]}
    return [
        (
            d["attributes"]["number"],
            names.get(_linked(d, "voice_in_trunk") or ""),
            names.get(_linked(d, "voice_in_trunk_group") or ""),
        )
        for d in account["dids"]
    ]


# -- parsing and validation ------------------------------------------------------------------


def test_seed_account_text_is_parsed_and_validated() -> None:
    assert AccountSeed.parse("trunks=200,groups=20,dids=10000") == AccountSeed(200, 20, 10000)
    assert AccountSeed.parse(" dids=5 , trunks=1 ") == AccountSeed(trunks=1, dids=5)
    bad = {
        "trunks": "expected NAME=COUNT",
        "trunks=2,trunks=3": "given twice",
        "lines=3": "unknown seed counts: lines",
        "trunks=-1": "whole number",
        "trunks=two": "whole number",
        "trunks=1,groups=2": "groups must not outnumber trunks",
        "dids=100001": "at most 100000",
        "": "expected NAME=COUNT pairs",
    }
    for text, message in bad.items():
        with pytest.raises(ValueError, match=message):
            AccountSeed.parse(text)
    with pytest.raises(ValueError, match="whole number"):
        AccountSeed.from_mapping({"trunks": 1.5})


def test_cli_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert parse_args(["--seed-account", "trunks=200,groups=20,dids=10000"]).seed_account == AccountSeed(200, 20, 10000)
    assert parse_args([]).seed_account is None
    with pytest.raises(SystemExit):
        parse_args(["--seed-account", "trunks=1,groups=2"])
    assert "groups must not outnumber trunks" in capsys.readouterr().err


# -- what a seeded account holds -------------------------------------------------------------


def test_config_seeds_a_panel_made_account() -> None:
    with running_emulator(seed_account=SMALL, rate_limit=None) as emu, api_client(emu) as client:
        account = _account(client)
        stock = {n["attributes"]["number"] for n in client.get("available_dids").json()["data"]}
    trunks, groups, dids = account["trunks"], account["groups"], account["dids"]
    assert (len(trunks), len(groups), len(dids)) == (6, 2, 50)
    assert len({t["attributes"]["name"] for t in trunks}) == 6 and len({g["attributes"]["name"] for g in groups}) == 2
    assert all(t["attributes"]["configuration"]["type"] == "sip_configurations" for t in trunks)
    assert all(r["attributes"]["external_reference_id"] is None for r in trunks + groups + account["orders"])
    # Every group has seeded trunks as members; a trunk is in one group at most.
    members = [m["id"] for g in groups for m in g["relationships"]["voice_in_trunks"]["data"]]
    assert all(g["meta"]["trunks_count"] >= 1 for g in groups) and len(members) == len(set(members)) == 3
    assert set(members) <= {t["id"] for t in trunks}
    numbers = [d["attributes"]["number"] for d in dids]
    assert len(set(numbers)) == 50 and not set(numbers) & stock
    routes = Counter(
        "trunk" if _linked(d, "voice_in_trunk") else "group" if _linked(d, "voice_in_trunk_group") else "none"
        for d in dids
    )
    assert set(routes) == {"trunk", "group", "none"}
    assert not any(_linked(d, "voice_in_trunk") and _linked(d, "voice_in_trunk_group") for d in dids)
    orders = {o["id"]: o for o in account["orders"]}
    assert {_linked(d, "order") for d in dids} == set(orders)
    assert all(o["attributes"]["status"] == "completed" for o in orders.values())
    bought = Counter(_linked(d, "order") for d in dids)
    assert all(o["attributes"]["items"][0]["attributes"]["qty"] == bought[i] for i, o in orders.items())


def test_seeding_is_deterministic_for_a_seed() -> None:
    def seeded(seed: int) -> dict[str, list[dict[str, Any]]]:
        with running_emulator(seed_account=SMALL, seed=seed, rate_limit=None) as emu, api_client(emu) as client:
            return _account(client)

    def trunks(account: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
        return [{k: v for k, v in t["attributes"].items() if k != "created_at"} for t in account["trunks"]]

    first, again, other = seeded(3), seeded(3), seeded(4)
    assert _fingerprint(first) == _fingerprint(again)
    assert [d["id"] for d in first["dids"]] == [d["id"] for d in again["dids"]]
    assert trunks(first) == trunks(again) and len(trunks(first)) == 6
    assert {n for n, _, _ in _fingerprint(first)} != {n for n, _, _ in _fingerprint(other)}


def test_admin_hook_adds_to_the_account() -> None:
    with running_emulator(rate_limit=None) as emu, httpx.Client(base_url=emu.admin_url, timeout=30) as admin:
        answer = admin.post("seed", json={"trunks": 3, "groups": 1, "dids": 20})
        assert answer.status_code == 201, answer.text
        created_now = {"voice_in_trunks": 3, "voice_in_trunk_groups": 1, "orders": 18, "dids": 20}
        assert answer.json() == {"created": created_now, "held": created_now}
        second = admin.post("seed", json={"trunks": 2, "dids": 5}).json()
        assert second["held"] == {"voice_in_trunks": 5, "voice_in_trunk_groups": 1, "orders": 23, "dids": 25}
        for bad in ({"lines": 1}, {"trunks": -1}, {"trunks": 1, "groups": 2}, {"dids": "many"}, [1]):
            response = admin.post("seed", json=bad)
            assert response.status_code == 400 and response.json()["error"]
        with api_client(emu) as client:
            trunks = _all(client, "voice_in_trunks")
            numbers = [d["attributes"]["number"] for d in _all(client, "dids")]
    assert [t["attributes"]["name"] for t in trunks] == [f"Panel trunk {i:04d}" for i in range(1, 6)]
    assert len(numbers) == len(set(numbers)) == 25


def test_names_skip_ones_the_account_already_holds() -> None:
    with running_emulator(rate_limit=None) as emu, api_client(emu) as client:
        sip = {"type": "sip_configurations", "attributes": {"username": "u", "host": "pbx.example.com"}}
        attributes = {"name": "Panel trunk 0002", "configuration": sip}
        created(client, "voice_in_trunks", {"data": {"type": "voice_in_trunks", "attributes": attributes}})
        assert httpx.post(emu.admin_url + "seed", json={"trunks": 2}).status_code == 201
        names = [t["attributes"]["name"] for t in _all(client, "voice_in_trunks")]
    assert names == ["Panel trunk 0002", "Panel trunk 0001", "Panel trunk 0003"]


def test_a_seeded_account_persists_and_is_seeded_once(tmp_path: Path) -> None:
    state = tmp_path / "account.sqlite"
    options: dict[str, Any] = {"state_file": state, "rate_limit": None}
    with running_emulator(seed_account=SMALL, **options) as emu, api_client(emu) as client:
        before = _account(client)
    with running_emulator(seed_account=SMALL, **options) as emu, api_client(emu) as client:
        assert _fingerprint(_account(client)) == _fingerprint(before)  # not seeded a second time
        assert httpx.post(emu.admin_url + "reset").status_code == 204
        reset = _account(client)  # back to the configured account, not an empty one
        assert [len(reset[k]) for k in reset] == [len(before[k]) for k in before]
    with running_emulator(**options) as emu, api_client(emu) as client:
        kept = _account(client)
    assert _fingerprint(kept) == _fingerprint(reset)
    assert [d["id"] for d in kept["dids"]] == [d["id"] for d in reset["dids"]]


# -- an account with 10,000 DIDs ------------------------------------------------------------


@pytest.fixture(scope="module")
def large() -> Iterator[tuple[RunningEmulator, httpx.Client]]:
    seed = "trunks=200,groups=20,dids=10000"
    with running_emulator(seed_account=seed, rate_limit=None) as emu, api_client(emu) as client:
        yield emu, client


@pytest.fixture(scope="module")
def large_dids(large: tuple[RunningEmulator, httpx.Client]) -> list[dict[str, Any]]:
    """Every DID, read once through pages of 100 with the routing includes."""
    _, client = large
    return _all(client, "dids", include=DID_INCLUDE)


def test_large_account_pages(large: tuple[RunningEmulator, httpx.Client], large_dids: list[dict[str, Any]]) -> None:
    _, client = large
    assert len(large_dids) == 10_000
    assert len({d["id"] for d in large_dids}) == len({d["attributes"]["number"] for d in large_dids}) == 10_000
    page = client.get("dids", params={"page[size]": "100", "page[number]": "37", "include": DID_INCLUDE}).json()
    assert page["meta"]["total_records"] == 10_000 and page["data"] == large_dids[3600:3700]
    wanted = {("voice_in_trunks", i) for d in page["data"] if (i := _linked(d, "voice_in_trunk"))}
    wanted |= {("voice_in_trunk_groups", i) for d in page["data"] if (i := _linked(d, "voice_in_trunk_group"))}
    assert wanted and {(i["type"], i["id"]) for i in page["included"]} == wanted
    assert page["links"]["last"].endswith("page%5Bnumber%5D=100&page%5Bsize%5D=100")
    assert client.get("dids", params={"page[size]": "100", "page[number]": "101"}).json()["data"] == []


def test_large_account_lookups(large: tuple[RunningEmulator, httpx.Client], large_dids: list[dict[str, Any]]) -> None:
    _, client = large
    for did in large_dids[::997]:
        one = client.get(f"dids/{did['id']}").json()["data"]
        assert one["attributes"] == did["attributes"]
        by_number = client.get("dids", params={"filter[number]": did["attributes"]["number"]}).json()
        assert [d["id"] for d in by_number["data"]] == [did["id"]]
    assert client.get("dids", params={"filter[number]": "0000"}).json()["data"] == []
    assert all("data" not in d["relationships"]["order"] for d in large_dids)  # linkage only when included
    order_id = _linked(client.get("dids", params={"include": "order"}).json()["data"][0], "order")
    assert order_id is not None
    found = _all(client, "dids", **{"filter[order.id]": order_id, "include": "order"})
    assert found and all(_linked(d, "order") == order_id for d in found)
    total = sum(
        client.get("dids", params={"filter[order.id]": o["id"]}).json()["meta"]["total_records"]
        for o in _all(client, "orders")
    )
    assert total == 10_000
    trunk = next(i for d in large_dids if (i := _linked(d, "voice_in_trunk")))
    routed = client.get("dids", params={"filter[voice_in_trunk.id]": trunk, "page[size]": "100"}).json()
    assert routed["meta"]["total_records"] == sum(_linked(d, "voice_in_trunk") == trunk for d in large_dids)


def test_large_account_patch(large: tuple[RunningEmulator, httpx.Client], large_dids: list[dict[str, Any]]) -> None:
    _, client = large
    # A DID not routed to a trunk, so the trunk counts another test takes from large_dids hold.
    at, did = next((n, d) for n, d in enumerate(large_dids) if n > 4000 and _linked(d, "voice_in_trunk") is None)
    group = next(i for d in large_dids if (i := _linked(d, "voice_in_trunk_group")))
    body = patch(
        "dids",
        did["id"],
        {"description": "moved in a test"},
        voice_in_trunk_group=identifier("voice_in_trunk_groups", group),
    )
    assert client.patch(f"dids/{did['id']}", json=body).status_code == 200
    described = client.get("dids", params={"filter[description]": "moved in a test"}).json()["data"]
    assert [d["id"] for d in described] == [did["id"]]
    in_group = _all(client, "dids", **{"filter[voice_in_trunk_group.id]": group})
    assert did["id"] in {d["id"] for d in in_group}
    page = client.get("dids", params={"page[size]": "100", "page[number]": str(at // 100 + 1)}).json()
    assert page["meta"]["total_records"] == 10_000 and page["data"][at % 100]["id"] == did["id"]
    assert page["data"][at % 100]["attributes"]["description"] == "moved in a test"


def test_deleting_a_trunk_unroutes_its_dids() -> None:
    with running_emulator(seed_account=SMALL, rate_limit=None) as emu, api_client(emu) as client:
        dids = _all(client, "dids", include="voice_in_trunk")
        trunk = next(i for d in dids if (i := _linked(d, "voice_in_trunk")))
        routed = {d["id"] for d in dids if _linked(d, "voice_in_trunk") == trunk}
        assert client.delete(f"voice_in_trunks/{trunk}").status_code == 204
        after = {d["id"]: _linked(d, "voice_in_trunk") for d in _all(client, "dids", include="voice_in_trunk")}
        assert routed and all(after[i] is None for i in routed)
        assert [v for v in after.values() if v == trunk] == []


def test_lookups_follow_changes_made_behind_the_api() -> None:
    with running_emulator(seed_account=SMALL, rate_limit=None) as emu, api_client(emu) as client:
        did = _all(client, "dids")[7]
        old = did["attributes"]["number"]
        assert [d["id"] for d in client.get("dids", params={"filter[number]": old}).json()["data"]] == [did["id"]]
        drifted = httpx.patch(f"{emu.admin_url}resources/dids/{did['id']}", json={"number": "15550000000"})
        assert drifted.status_code == 200
        assert client.get("dids", params={"filter[number]": old}).json()["data"] == []
        found = client.get("dids", params={"filter[number]": "15550000000"}).json()["data"]
        assert [d["id"] for d in found] == [did["id"]]
