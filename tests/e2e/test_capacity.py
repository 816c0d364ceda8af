"""Capacity end to end with the real engine: a pool adopted (never created or deleted), two
shared capacity groups (one listing its numbers, one named by a number) and a reservation;
no change on a second run, updates in place, and what `destroy` leaves in DIDWW."""

from __future__ import annotations

import subprocess
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import E2E_API_KEY, Project

pytestmark = pytest.mark.e2e

STACK = """\
orders:
  nums:
    on_delete: release
    items:
      - sku_id: {sku}
        qty: 2
dids:
  main:
    order: nums
  lab-line:
    order: nums
    index: 1
    shared_capacity_group: lab
capacity_pools:
  us:
    name: Standard
    total_channels_count: {total}
shared_capacity_groups:
  office:
    name: Office
    shared_channels_count: {shared}
    metered_channels_count: 0
    capacity_pool: us
    dids: [main]
  lab:
    name: Lab
    shared_channels_count: 1
    metered_channels_count: 1
    capacity_pool: us
did_reservations:
  next-office:
    available_did_id: {available}
    description: next office
"""


def ok(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 0, f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return str(proc.stdout)


def api(project: Project, path: str) -> Any:
    response = httpx.get(
        project.emulator.base_url + path,
        headers={"Api-Key": E2E_API_KEY, "Accept": "application/vnd.api+json"},
    )
    response.raise_for_status()
    return response.json()["data"]


def sku_and_another_groups_number(project: Project) -> tuple[str, str]:
    """A SKU to order, and an available number of another DID group (so the order cannot take
    the number the stack reserves)."""
    group = api(project, "did_groups?include=stock_keeping_units")[0]
    sku = group["relationships"]["stock_keeping_units"]["data"][0]["id"]
    numbers = api(project, "available_dids?include=did_group&page[size]=100")
    other = next(n for n in numbers if n["relationships"]["did_group"]["data"]["id"] != group["id"])
    return sku, other["id"]


def test_pool_groups_and_reservation_lifecycle(project: Project) -> None:
    sku, available = sku_and_another_groups_number(project)

    def write(total: int, shared: int) -> None:
        project.write_stack("cap", STACK.format(sku=sku, available=available, total=total, shared=shared))

    write(total=8, shared=2)
    ok(project.cli("up", "--stack", "cap"))

    (pool,) = [p for p in project.live("capacity_pools") if p["attributes"]["name"] == "Standard"]
    assert pool["attributes"]["total_channels_count"] == 8
    assert pool["attributes"]["assigned_channels_count"] == 3  # office 2 + lab 1
    groups = {g["attributes"]["name"]: g for g in project.live("shared_capacity_groups", include="dids,capacity_pool")}
    assert set(groups) == {"Office", "Lab"}
    numbers = {d["id"]: d for d in project.live("dids")}
    for name in ("Office", "Lab"):
        assert groups[name]["relationships"]["capacity_pool"]["data"]["id"] == pool["id"]
        (member,) = groups[name]["relationships"]["dids"]["data"]
        assert member["id"] in numbers
    (reservation,) = project.live("did_reservations", include="available_did")
    assert reservation["relationships"]["available_did"]["data"]["id"] == available

    ok(project.cli("preview", "--stack", "cap", "--expect-no-changes"))

    write(total=7, shared=3)
    ok(project.cli("up", "--stack", "cap"))
    (pool,) = [p for p in project.live("capacity_pools") if p["id"] == pool["id"]]
    assert pool["attributes"]["total_channels_count"] == 7
    office = next(g for g in project.live("shared_capacity_groups") if g["attributes"]["name"] == "Office")
    assert office["id"] == groups["Office"]["id"]  # updated in place
    assert office["attributes"]["shared_channels_count"] == 3
    assert [r["id"] for r in project.live("did_reservations")] == [reservation["id"]]

    destroyed = ok(project.cli("destroy", "--stack", "cap"))
    assert "capacity_pools Standard" in destroyed and "is left in DIDWW as it is" in destroyed
    assert project.live("shared_capacity_groups") == []
    assert project.live("did_reservations") == []
    # DIDWW cannot delete a pool: it stays, as the stack left it.
    (pool,) = [p for p in project.live("capacity_pools") if p["id"] == pool["id"]]
    assert pool["attributes"]["total_channels_count"] == 7
