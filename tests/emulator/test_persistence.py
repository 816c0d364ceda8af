"""A state file keeps the account across restarts."""

from __future__ import annotations

from pathlib import Path

import httpx

from didww_iac.emulator.testing import running_emulator

from .conftest import api_client
from .fixtures import pstn_trunk, trunk_group
from .helpers import created


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
        again = client.get(
            f"voice_in_trunk_groups/{group['id']}", params={"include": "voice_in_trunks"}
        ).json()
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
