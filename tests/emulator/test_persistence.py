"""A state file keeps the account across restarts."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import httpx

from didww_iac.emulator.testing import running_emulator

from .conftest import api_client
from .fixtures import did_item, order, patch, pstn_trunk, reservation, trunk_group
from .helpers import balance, created, group, ids, tick


def test_restart_sees_the_same_resources(tmp_path: Path) -> None:
    state = tmp_path / "account.sqlite"
    with running_emulator(state_file=state, rate_limit=None) as emu, api_client(emu) as client:
        trunk = created(client, "voice_in_trunks", pstn_trunk())
        gone = created(client, "voice_in_trunks", pstn_trunk(name="gone"))
        group = created(client, "voice_in_trunk_groups", trunk_group(trunk_ids=[trunk["id"]]))
        assert client.delete(f"voice_in_trunks/{gone['id']}").status_code == 204
    assert state.exists()

    with running_emulator(state_file=state, rate_limit=None) as emu, api_client(emu) as client:
        trunks = client.get("voice_in_trunks").json()
        assert [d["id"] for d in trunks["data"]] == [trunk["id"]]
        assert trunks["data"][0]["attributes"] == trunk["attributes"]
        again = client.get(f"voice_in_trunk_groups/{group['id']}", params={"include": "voice_in_trunks"}).json()
        assert again["data"]["meta"] == {"trunks_count": 1}
        assert again["included"][0]["id"] == trunk["id"]
        # The same seed replays ids; new records must still get fresh ones, after the old ones.
        newer = created(client, "voice_in_trunks", pstn_trunk(name="newer"))
        assert newer["id"] not in {trunk["id"], gone["id"], group["id"]}
        assert [d["id"] for d in client.get("voice_in_trunks").json()["data"]] == [trunk["id"], newer["id"]]


def test_without_state_file_nothing_survives() -> None:
    with running_emulator(rate_limit=None) as emu, api_client(emu) as client:
        created(client, "voice_in_trunks", pstn_trunk())
    with running_emulator(rate_limit=None) as emu:
        response = httpx.get(emu.base_url + "voice_in_trunks", headers={"Api-Key": emu.api_key})
        assert response.json()["meta"]["total_records"] == 0


def test_admin_reset_clears_the_state_file(tmp_path: Path) -> None:
    state = tmp_path / "account.sqlite"
    with running_emulator(state_file=state, rate_limit=None) as emu, api_client(emu) as client:
        created(client, "voice_in_trunks", pstn_trunk())
        assert httpx.post(emu.admin_url + "reset").status_code == 204
    with running_emulator(state_file=state, rate_limit=None) as emu:
        assert emu.state.records("voice_in_trunks") == []
        assert len(emu.state.records("pops")) >= 2  # the catalogue is re-seeded


def test_orders_dids_and_stock_survive_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "account.sqlite"
    with (
        running_emulator(state_file=state, rate_limit=None, order_delay=0.3) as emu,
        api_client(emu) as client,
    ):
        london = group(client, "london")
        done = created(client, "orders", order(did_item(london.sku_ids[0], qty=2)))
        tick(emu)
        did = client.get("dids", params={"filter[order.id]": done["id"]}).json()["data"][0]
        client.patch(f"dids/{did['id']}", json=patch("dids", did["id"], {"description": "kept"})).raise_for_status()
        held = created(client, "did_reservations", reservation(london.stock[5]["id"]))
        # Still pending when the emulator stops: it must complete after the restart.
        pending = created(client, "orders", order(did_item(london.sku_ids[0], qty=1)))
        assert pending["attributes"]["status"] == "pending"
        catalogue = ids(client.get("countries").json())
    time.sleep(0.35)

    with running_emulator(state_file=state, rate_limit=None) as emu, api_client(emu) as client:
        assert ids(client.get("countries").json()) == catalogue
        orders = {o["id"]: o["attributes"]["status"] for o in client.get("orders").json()["data"]}
        assert orders == {done["id"]: "completed", pending["id"]: "completed"}
        kept = client.get(f"dids/{did['id']}", params={"include": "order"}).json()
        assert kept["data"]["attributes"]["description"] == "kept"
        assert kept["data"]["relationships"]["order"]["data"]["id"] == done["id"]
        assert len(client.get("dids").json()["data"]) == 3
        # Sold and reserved numbers stay out of stock; the reservation is still there.
        assert len(group(client, "london").stock) == len(london.stock) - 4
        assert client.get(f"did_reservations/{held['id']}").status_code == 200
        spent = sum(Decimal(o["attributes"]["amount"]) for o in client.get("orders").json()["data"])
        assert balance(client) == f"{Decimal(100) - spent:.2f}"
        newer = created(client, "voice_in_trunks", pstn_trunk())
        assert newer["id"] not in {done["id"], pending["id"], did["id"], held["id"]}


def test_clock_offset_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "account.sqlite"
    with running_emulator(state_file=state, rate_limit=None) as emu, api_client(emu) as client:
        held = created(client, "did_reservations", reservation(group(client, "paris").stock[0]["id"]))
        tick(emu, 300)
    with running_emulator(state_file=state, rate_limit=None) as emu, api_client(emu) as client:
        assert client.get(f"did_reservations/{held['id']}").status_code == 200
        tick(emu, 301)
        assert client.get(f"did_reservations/{held['id']}").status_code == 404
