"""The live index against a real emulator: one listing per type while it is cheap, a GET per
resource once the collection is larger than the type's page budget."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from didww_iac.api import ClientSettings, DidwwClient
from didww_iac.emulator.testing import RunningEmulator, running_emulator
from didww_iac.resources.live_index import LiveIndex
from tests.resources.helpers import api_requests, call, clear_requests

KEY = "live-index-test-key-41b7"
GONE = "00000000-0000-0000-0000-000000000000"


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    with running_emulator(api_keys=[KEY], rate_limit=None, request_log=True) as emu:
        for i in range(30):
            attributes = {"name": f"G{i:02}"}
            if i == 29:
                attributes["external_reference_id"] = "ref-last"
            call(
                emu,
                KEY,
                "POST",
                "voice_in_trunk_groups",
                {"data": {"type": "voice_in_trunk_groups", "attributes": attributes}},
            )
        yield emu


@pytest.fixture(autouse=True)
def clean_log(emulator: RunningEmulator) -> None:
    clear_requests(emulator)


def index(emulator: RunningEmulator, page_size: int, budget: int | None) -> LiveIndex:
    client = DidwwClient(ClientSettings(api_key=KEY, endpoint=emulator.base_url, rate_limit=0, page_size=page_size))
    return LiveIndex(client, "voice_in_trunk_groups", ("voice_in_trunks",), budget)


def group_ids(emulator: RunningEmulator) -> list[str]:
    listed = call(emulator, KEY, "GET", "voice_in_trunk_groups?page[size]=100&sort=name")["data"]
    return [g["id"] for g in listed]


def test_within_the_budget_every_read_comes_from_one_listing(emulator: RunningEmulator) -> None:
    ids = group_ids(emulator)
    clear_requests(emulator)
    live = index(emulator, page_size=10, budget=3)

    names = [live.get(i).attributes["name"] for i in ids]  # type: ignore[union-attr]

    assert names == [f"G{i:02}" for i in range(30)]
    assert live.complete and live.get("no-such-id") is None
    assert len(api_requests(emulator)) == 3  # three pages of ten, nothing per resource


def first_page_ids(emulator: RunningEmulator) -> set[str]:
    """The ids a listing with pages of ten sees first (the emulator's default order)."""
    page = call(emulator, KEY, "GET", "voice_in_trunk_groups?include=voice_in_trunks&page[number]=1&page[size]=10")
    return {g["id"] for g in page["data"]}


def test_past_the_budget_reads_fall_back_to_one_get_each(emulator: RunningEmulator) -> None:
    listed = first_page_ids(emulator)
    elsewhere = [i for i in group_ids(emulator) if i not in listed][:3]
    clear_requests(emulator)
    live = index(emulator, page_size=10, budget=2)

    on_first_page = [live.get(i) for i in listed]
    fetched = [live.get(i) for i in elsewhere]
    again = [live.get(i) for i in elsewhere]  # cached after their GETs
    gone = live.get(GONE)  # a 404 reads as gone

    assert not live.complete  # 30 records would cost 3 pages: over the budget of 2
    assert all(r is not None for r in on_first_page + fetched)
    assert [r.id for r in again if r is not None] == elsewhere
    assert gone is None
    paths = [r["path"] for r in api_requests(emulator)]
    assert paths[0].endswith("/voice_in_trunk_groups")  # page 1 only
    assert paths[1:] == [f"/v3/voice_in_trunk_groups/{i}" for i in [*elsewhere, GONE]]


def test_past_the_budget_a_reference_is_looked_up_by_filter(emulator: RunningEmulator) -> None:
    listed = first_page_ids(emulator)
    live = index(emulator, page_size=10, budget=1)
    assert live.get(next(iter(listed))) is not None and not live.complete
    last = call(emulator, KEY, "GET", "voice_in_trunk_groups?filter[external_reference_id]=ref-last")["data"][0]
    assert last["id"] not in listed, "the fixture needs ref-last past the first page"
    clear_requests(emulator)

    found = live.find_by_external_reference("ref-last")

    assert [f.attributes["name"] for f in found] == ["G29"]
    logged = api_requests(emulator)
    assert len(logged) == 1 and "external_reference_id" in logged[0]["query"]
    assert live.find_by_external_reference("ref-nobody") == []
