"""The lost-answer fault: a request is carried out (its write committed), then the connection
drops with no answer, as when a timeout strikes after DIDWW acted. Unlike `drop_next`, the
account changes; the request log says what happened."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from didww_iac.emulator.testing import RunningEmulator, running_emulator

from .conftest import api_client
from .fixtures import pstn_trunk


@pytest.fixture
def admin(emu: RunningEmulator, client: httpx.Client) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emu.admin_url, timeout=10) as c:
        yield c
    client.post(emu.admin_url + "reset")


def test_a_lost_answer_commits_the_write_and_sends_nothing(client: httpx.Client, admin: httpx.Client) -> None:
    armed = admin.post("faults", json={"lose_answer_next": 1, "lose_answer_method": "post"}).json()
    assert (armed["lose_answer_next"], armed["lose_answer_method"]) == (1, "POST")
    # Limited to POST: a GET before it is answered and leaves the count alone.
    assert client.get("voice_in_trunks").json()["meta"]["total_records"] == 0

    with pytest.raises(httpx.TransportError):
        client.post("voice_in_trunks", json=pstn_trunk())

    (trunk,) = client.get("voice_in_trunks").json()["data"]  # it was made, and the next request is served
    assert trunk["attributes"]["name"] == pstn_trunk()["data"]["attributes"]["name"]
    lost = [e for e in admin.get("requests").json()["requests"] if e["outcome"] == "answer_lost"]
    assert [(e["method"], e["path"], e["status"]) for e in lost] == [("POST", "/v3/voice_in_trunks", 201)]
    assert lost[0]["body"]["data"]["attributes"]["name"] == trunk["attributes"]["name"]
    assert admin.get("faults").json()["lose_answer_next"] == 0
    assert client.post("voice_in_trunks", json=pstn_trunk("Second")).status_code == 201  # spent


def test_without_a_method_the_next_request_of_any_method_loses_its_answer(
    client: httpx.Client, admin: httpx.Client
) -> None:
    admin.post("faults", json={"lose_answer_next": 1})
    with pytest.raises(httpx.TransportError):
        client.get("voice_in_trunks")
    assert client.get("voice_in_trunks").status_code == 200
    outcomes = [(e["method"], e["status"], e["outcome"]) for e in admin.get("requests").json()["requests"]]
    assert outcomes[-2:] == [("GET", 200, "answer_lost"), ("GET", 200, "response")]


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"lose_answer_next": 1, "lose_answer_method": "PUT"}, "lose_answer_method"),
        ({"lose_answer_next": -1}, "lose_answer_next"),
        ({"lose_answer_next": "2"}, "lose_answer_next"),
    ],
)
def test_bad_lost_answer_settings_are_refused(admin: httpx.Client, settings: dict[str, object], named: str) -> None:
    response = admin.post("faults", json=settings)
    assert response.status_code == 400 and named in response.json()["error"]
    assert admin.get("faults").json()["lose_answer_next"] == 0  # nothing of it was applied


def test_a_lost_answer_is_committed_to_the_state_file(tmp_path: Path) -> None:
    # With a state file, writes run on a worker thread; the drop waits for the commit.
    state = tmp_path / "account.sqlite"
    with running_emulator(rate_limit=None, state_file=state) as emu, api_client(emu) as client:
        httpx.post(emu.admin_url + "faults", json={"lose_answer_next": 1, "lose_answer_method": "POST"})
        with pytest.raises(httpx.TransportError):
            client.post("voice_in_trunks", json=pstn_trunk())
    with running_emulator(rate_limit=None, state_file=state) as emu, api_client(emu) as client:
        assert client.get("voice_in_trunks").json()["meta"]["total_records"] == 1
