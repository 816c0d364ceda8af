"""Orders and DIDs in the stack file: item kinds, number sources, routing and claims."""

from __future__ import annotations

from pathlib import Path

import pytest

from didww_iac.stack import StackFileError, load_stack

BASE = """\
voice_in_trunks:
  pbx:
    name: PBX
    pstn: {dst: "1"}
orders:
  ny:
    items:
      - sku_id: s1
        qty: 2
      - sku_id: s2
        available_did_id: a1
"""


def problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    with pytest.raises(StackFileError) as info:
        load_stack(path)
    return [line.split(": ", 1)[1] for line in str(info.value).splitlines()]


def test_order_numbers_and_did_claims_load(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(BASE + "dids:\n  a: {order: ny, index: 2, voice_in_trunk: pbx}\n  b: {number: '12125550100'}\n")
    stack = load_stack(path)
    assert stack.orders["ny"].numbers == 3
    assert stack.dids["a"].index == 2 and stack.dids["b"].on_delete == "detach"


@pytest.mark.parametrize(
    ("dids", "expected"),
    [
        ("  a: {order: ny, index: 3}\n", "dids.a.index: order 'ny' delivers 3 numbers: index must be below 3"),
        ("  a: {order: nope}\n", "dids.a.order: no entry named 'nope' under orders (known: ny)"),
        ("  a: {number: '1', voice_in_trunk: fax}\n", "dids.a.voice_in_trunk: no entry named 'fax'"),
        ("  a: {order: ny}\n  b: {order: ny, index: 0}\n", "dids.b: the same number is already declared by dids.a"),
        ("  a: {number: '1', order: ny}\n", "dids.a: find the number with exactly one of"),
        ("  a: {number: '1', voice_in_trunk: pbx, voice_in_trunk_group: g}\n", "dids.a: route to `voice_in_trunk` or"),
    ],
)
def test_bad_did_entries_are_named(tmp_path: Path, dids: str, expected: str) -> None:
    (problem,) = problems(tmp_path, BASE + "dids:\n" + dids)
    assert problem.startswith(expected)


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("{sku_id: s}", "say how many numbers with `qty`"),
        ("{qty: 1}", "an item needs `sku_id`"),
        ("{sku_id: s, available_did_id: a, qty: 2}", "`available_did_id` and `did_reservation_id` each buy one"),
        ("{capacity_pool_id: p}", "a capacity item takes `capacity_pool_id` and `qty`"),
    ],
)
def test_bad_order_items_are_named(tmp_path: Path, item: str, expected: str) -> None:
    (problem,) = problems(tmp_path, f"orders:\n  o:\n    items:\n      - {item}\n")
    assert problem.startswith("orders.o.items.0: " + expected)


def test_orders_need_the_version_that_makes_them_safe_to_retry(tmp_path: Path) -> None:
    (problem,) = problems(tmp_path, 'api_version: "2022-05-10"\n' + BASE)
    assert problem.startswith("orders.ny: placing orders needs api_version 2026-04-16")


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("endpoint: http://example.com/v3/", "endpoint: Value error, endpoint http://example.com uses plain http"),
        ("limiter: bogus", "limiter: use process, sqlite, redis, or a redis://host:port/db URL"),
        ("limiter: redis://:pw@cache:6379/0", "limiter: no credentials here"),
    ],
)
def test_connection_settings_are_checked_before_any_call(tmp_path: Path, setting: str, expected: str) -> None:
    (problem,) = problems(tmp_path, setting + "\n")
    assert problem.replace("Value error, ", "").startswith(expected.replace("Value error, ", ""))
