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


def index(emulator: RunningEmulator, page_size: int, budget: int | None, managed: int | None = None) -> LiveIndex:
    client = DidwwClient(ClientSettings(api_key=KEY, endpoint=emulator.base_url, rate_limit=0, page_size=page_size))
    return LiveIndex(client, "voice_in_trunk_groups", ("voice_in_trunks",), budget, managed)


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


@pytest.mark.parametrize(
    ("managed", "lists"),
    [
        (2, True),  # the two pages after the first cost no more than two single reads
        (1, False),  # one read is cheaper than two more pages
    ],
)
def test_with_the_managed_count_known_the_cheaper_way_is_taken(
    emulator: RunningEmulator, managed: int, lists: bool
) -> None:
    listed = first_page_ids(emulator)
    elsewhere = [i for i in group_ids(emulator) if i not in listed][:managed]
    clear_requests(emulator)
    # The budget would refuse any listing: a known count overrides it.
    live = index(emulator, page_size=10, budget=1, managed=managed)

    found = [live.get(i) for i in elsewhere]

    assert all(r is not None for r in found)
    assert live.complete is lists
    # 30 records in pages of ten: list = 3 requests; one by one = page 1 + one GET each.
    assert len(api_requests(emulator)) == (3 if lists else 1 + managed)


def test_a_resource_handed_in_before_the_listing_is_served_from_it(emulator: RunningEmulator) -> None:
    live = index(emulator, page_size=10, budget=1)
    outside = next(i for i in group_ids(emulator) if i not in first_page_ids(emulator))
    handed = live._client.get("voice_in_trunk_groups", outside, include=["voice_in_trunks"])
    live.put(handed)
    clear_requests(emulator)

    assert live.get(outside) == handed
    assert len(api_requests(emulator)) == 1  # the first page only: no GET for the handed-in one


def test_by_an_unfilterable_attribute_past_the_first_page_the_listing_is_completed_once(
    emulator: RunningEmulator,
) -> None:
    listed = first_page_ids(emulator)
    everyone = call(emulator, KEY, "GET", "voice_in_trunk_groups?page[size]=100")["data"]
    names = {g["id"]: g["attributes"]["name"] for g in everyone}
    outside = [names[i] for i in names if i not in listed][:2]
    live = index(emulator, page_size=10, budget=1)
    clear_requests(emulator)

    found = [live.find_by_attribute("name", name, filterable=False) for name in outside]

    assert [[f.attributes["name"] for f in hits] for hits in found] == [[name] for name in outside]
    assert live.complete
    queries = [r["query"] for r in api_requests(emulator)]
    # DIDWW has no filter[name] for trunk groups: page 1, then the whole listing once.
    assert len(queries) == 1 + 3 and not any("filter" in q for q in queries)


def test_by_a_filterable_attribute_past_the_first_page_one_filtered_request(emulator: RunningEmulator) -> None:
    for name in ("Trunk A", "Trunk B"):
        attributes = {
            "name": name,
            "configuration": {"type": "pstn_configurations", "attributes": {"dst": "442080000000"}},
        }
        call(emulator, KEY, "POST", "voice_in_trunks", {"data": {"type": "voice_in_trunks", "attributes": attributes}})
    client = DidwwClient(ClientSettings(api_key=KEY, endpoint=emulator.base_url, rate_limit=0, page_size=1))
    live = LiveIndex(client, "voice_in_trunks", (), page_budget=1)
    first = live._loaded()
    wanted = "Trunk B" if "Trunk A" in {t.attributes["name"] for t in first.values()} else "Trunk A"
    clear_requests(emulator)

    found = live.find_by_attribute("name", wanted, filterable=True)

    assert [f.attributes["name"] for f in found] == [wanted]
    queries = [r["query"] for r in api_requests(emulator)]
    assert len(queries) == 1 and "filter" in queries[0] and not live.complete
