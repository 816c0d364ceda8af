"""Ordering numbers and routing them, end to end: an order is placed once and waited for, its
DIDs are routed, its items cannot change, and a completed order is not deleted by accident."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.conftest import E2E_API_KEY, Project

pytestmark = pytest.mark.e2e

TRUNKS = """\
voice_in_trunks:
  pbx:
    name: PBX
    pstn:
      dst: "442080000000"
voice_in_trunk_groups:
  office:
    name: Office
"""


def a_sku(project: Project) -> str:
    """A SKU of the emulator's catalogue, found as a user would: through the API."""
    response = httpx.get(
        project.emulator.base_url + "did_groups",
        params={"include": "stock_keeping_units"},
        headers={"Api-Key": E2E_API_KEY, "Accept": "application/vnd.api+json"},
    )
    sku: str = response.json()["data"][0]["relationships"]["stock_keeping_units"]["data"][0]["id"]
    return sku


def stack(sku: str, qty: int = 2, dids: str = "", on_delete: str = "refuse") -> str:
    order = f"orders:\n  nums:\n    on_delete: {on_delete}\n    items:\n      - sku_id: {sku}\n        qty: {qty}\n"
    return TRUNKS + order + dids


DIDS = """\
dids:
  main:
    order: nums
    index: 0
    description: Main line
    voice_in_trunk: pbx
  support:
    order: nums
    index: 1
    voice_in_trunk_group: office
"""


def routing(did: dict[str, Any]) -> tuple[str | None, str | None]:
    rels = did["relationships"]
    trunk = (rels["voice_in_trunk"].get("data") or {}).get("id")
    group = (rels["voice_in_trunk_group"].get("data") or {}).get("id")
    return trunk, group


def test_order_route_protect_and_release(project: Project) -> None:
    sku = a_sku(project)
    project.write_stack("nums", stack(sku, dids=DIDS))

    applied = project.cli("up", "--stack", "nums")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    (order,) = project.live("orders")
    assert order["attributes"]["status"] == "completed"
    assert order["attributes"]["external_reference_id"] == "didww-iac:didww-iac:nums:orders:nums"
    dids = {d["attributes"]["number"]: d for d in project.live("dids", include="voice_in_trunk,voice_in_trunk_group")}
    assert len(dids) == 2
    main, support = (dids[n] for n in sorted(dids))
    pbx = project.live("voice_in_trunks")[0]["id"]
    office = project.live("voice_in_trunk_groups")[0]["id"]
    assert routing(main) == (pbx, None) and main["attributes"]["description"] == "Main line"
    assert routing(support) == (None, office)

    # A second up orders nothing more.
    assert project.cli("preview", "--stack", "nums", "--expect-no-changes").returncode == 0
    assert len(project.live("orders")) == 1

    # Changing what was ordered is refused before anything is sent.
    project.write_stack("nums", stack(sku, qty=3, dids=DIDS))
    refused = project.cli("up", "--stack", "nums")
    assert refused.returncode != 0
    assert "items cannot change once it is placed" in refused.stdout
    assert len(project.live("orders")) == 1

    # Removing a DID entry detaches the number and keeps it.
    project.write_stack("nums", stack(sku, dids=DIDS.split("  support:")[0]))
    assert project.cli("up", "--stack", "nums").returncode == 0
    after = {d["attributes"]["number"]: d for d in project.live("dids", include="voice_in_trunk,voice_in_trunk_group")}
    assert len(after) == 2 and routing(after[support["attributes"]["number"]]) == (None, None)

    # Removing a completed order is refused by default...
    project.write_stack("nums", TRUNKS)
    kept = project.cli("up", "--stack", "nums")
    assert kept.returncode != 0
    assert "is completed: its numbers are in use and billed" in kept.stdout
    # ...and releases its numbers once the stack opts in.
    project.write_stack("nums", stack(sku, dids="", on_delete="release"))
    assert project.cli("up", "--stack", "nums").returncode == 0
    project.write_stack("nums", TRUNKS)
    released = project.cli("up", "--stack", "nums")
    assert released.returncode == 0, released.stdout
    assert all(d["attributes"]["terminated"] for d in project.live("dids"))
