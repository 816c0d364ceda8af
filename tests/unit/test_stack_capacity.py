"""Capacity pools, shared capacity groups and DID reservations in the stack file: what loads,
and each bad entry reported with its file, line and setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from didww_iac.stack import StackFileError, load_stack

BASE = """\
dids:
  main: {number: "12125550100"}
  support: {number: "12125550101"}
capacity_pools:
  us: {name: Standard, total_channels_count: 8}
"""


def problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    with pytest.raises(StackFileError) as info:
        load_stack(path)
    return [line.removeprefix(f"{path}:") for line in str(info.value).splitlines()]


def test_pools_groups_and_reservations_load(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        BASE
        + """\
  by-id: {adopt_id: b762a3ce-af8d-5d2c-badd-c6728f76f614}
shared_capacity_groups:
  office: {name: Office, shared_channels_count: 2, metered_channels_count: 0, capacity_pool: us, dids: [main]}
  lab: {name: Lab, shared_channels_count: 1, metered_channels_count: 1, capacity_pool_id: p-1}
did_reservations:
  hold: {available_did_id: a-1, description: for the new office}
"""
    )
    stack = load_stack(path)
    assert stack.capacity_pools["us"].total_channels_count == 8
    assert stack.capacity_pools["by-id"].name is None
    assert stack.shared_capacity_groups["office"].dids == ["main"]
    assert stack.shared_capacity_groups["lab"].dids is None  # membership not managed by the group
    assert stack.did_reservations["hold"].available_did_id == "a-1"


def test_a_number_may_name_its_group_and_pool_by_logical_name(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        """\
capacity_pools:
  us: {name: Standard}
shared_capacity_groups:
  office: {name: Office, shared_channels_count: 2, metered_channels_count: 0, capacity_pool: us}
dids:
  main: {number: "1", shared_capacity_group: office}
  fax: {number: "2", capacity_pool: us, dedicated_channels_count: 1}
"""
    )
    stack = load_stack(path)
    assert stack.dids["main"].shared_capacity_group == "office"
    assert stack.dids["fax"].capacity_pool == "us"


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            "  again: {name: Standard}\n",
            "6: capacity_pools.again: the same pool is already declared by capacity_pools.us",
        ),
        (
            "shared_capacity_groups:\n  g: {name: G, shared_channels_count: 1, metered_channels_count: 0,"
            " capacity_pool: eu}\n",
            "7: shared_capacity_groups.g.capacity_pool: no entry named 'eu' under capacity_pools (known: us)",
        ),
        (
            "shared_capacity_groups:\n  g:\n    name: G\n    shared_channels_count: 1\n    metered_channels_count: 0\n"
            "    capacity_pool: us\n    dids: [main, fax]\n",
            "12: shared_capacity_groups.g.dids.1: no entry named 'fax' under dids (known: main, support)",
        ),
        (
            "shared_capacity_groups:\n"
            "  a: {name: A, shared_channels_count: 1, metered_channels_count: 0, capacity_pool: us, dids: [main]}\n"
            "  b: {name: B, shared_channels_count: 1, metered_channels_count: 0, capacity_pool: us, dids: [main]}\n",
            "8: shared_capacity_groups.b.dids.0: 'main' is already in group 'a'; a number belongs to one",
        ),
        (
            "did_reservations:\n  a: {available_did_id: x}\n  b:\n    available_did_id: x\n",
            "9: did_reservations.b.available_did_id: the same number is already reserved by did_reservations.a",
        ),
    ],
)
def test_bad_references_are_named(tmp_path: Path, extra: str, expected: str) -> None:
    (problem,) = problems(tmp_path, BASE + extra)
    assert problem.startswith(expected)


def test_membership_is_declared_in_one_place(tmp_path: Path) -> None:
    text = """\
capacity_pools:
  us: {name: Standard}
shared_capacity_groups:
  office:
    name: Office
    shared_channels_count: 2
    metered_channels_count: 0
    capacity_pool: us
    dids: [main]
dids:
  main:
    number: "1"
    shared_capacity_group: office
"""
    assert problems(tmp_path, text) == [
        "9: shared_capacity_groups.office.dids.0: dids.main names its own shared capacity group: declare the "
        "membership in one place (here, or on the number)",
        "13: dids.main.shared_capacity_group: group 'office' lists its numbers under `dids:`; add 'main' there "
        "instead (the membership is declared in one place)",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("capacity_pools:\n  p: {total_channels_count: 3}\n", "2: capacity_pools.p: find the pool with exactly one of"),
        ("capacity_pools:\n  p: {name: S, adopt_id: x}\n", "2: capacity_pools.p: find the pool with exactly one of"),
        (
            "capacity_pools:\n  p:\n    name: S\n    total_channels_count: -1\n",
            "4: capacity_pools.p.total_channels_count: Input should be greater than or equal to 0",
        ),
        (
            "capacity_pools:\n  p:\n    name: S\n    colour: red\n",
            "4: capacity_pools.p.colour: unknown field",
        ),
        (
            "shared_capacity_groups:\n  g: {name: G, shared_channels_count: 1, metered_channels_count: 0}\n",
            "2: shared_capacity_groups.g: name the pool with exactly one of `capacity_pool`",
        ),
        (
            "shared_capacity_groups:\n  g:\n    name: G\n    shared_channels_count: '2'\n"
            "    metered_channels_count: 0\n    capacity_pool_id: p\n",
            "4: shared_capacity_groups.g.shared_channels_count: Input should be a valid integer",
        ),
        (
            "shared_capacity_groups:\n  g:\n    name: G\n    shared_channels_count: 1\n    capacity_pool_id: p\n",
            "2: shared_capacity_groups.g.metered_channels_count: Field required",
        ),
        ("did_reservations:\n  r:\n    description: x\n", "2: did_reservations.r.available_did_id: Field required"),
        (
            "dids:\n  d:\n    number: '1'\n    shared_capacity_group: g\n    shared_capacity_group_id: x\n",
            "2: dids.d: give `shared_capacity_group` (an entry of this file) or `shared_capacity_group_id`",
        ),
        (
            "dids:\n  d:\n    number: '1'\n    shared_capacity_group: g\n",
            "4: dids.d.shared_capacity_group: no entry named 'g' under shared_capacity_groups (known: none declared)",
        ),
        (
            "dids:\n  d:\n    number: '1'\n    capacity_pool: p\n",
            "4: dids.d.capacity_pool: no entry named 'p' under capacity_pools (known: none declared)",
        ),
    ],
)
def test_bad_entries_report_file_line_and_field(tmp_path: Path, text: str, expected: str) -> None:
    (problem,) = problems(tmp_path, text)
    assert problem.startswith(expected)
