"""The plan a reviewer reads, with the real engine against the emulator: old and new values by
the stack file's names and lines, why a replacement, what a delete does, what new orders cost
(and the guard on it), the JSON form, a preflight that catches a wrong key before planning, and
refusals as one readable line each."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal

import httpx
import pytest

from tests.e2e.conftest import E2E_API_KEY, Project

pytestmark = pytest.mark.e2e

TRUNKS = """\
voice_in_trunks:
  pbx:
    name: PBX
    capacity_limit: 2
    sip:
      username: "{DID}"
      host: a.example.com
  mobile:
    name: Mobile
    pstn:
      dst: "442080000000"
  spare:
    name: Spare
    pstn:
      dst: "442080000001"
"""


def ok(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 0, f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return str(proc.stdout)


def no_dumps(text: str) -> None:
    """What a person should never have to read: tracebacks, Go maps, the engine's value dumps."""
    for noise in ("Traceback", "map[", "has a problem", "KeyboardInterrupt", E2E_API_KEY):
        assert noise not in text, f"{noise!r} in:\n{text}"


def sku_with_prices(project: Project) -> tuple[str, str, str]:
    answer = httpx.get(
        project.emulator.base_url + "did_groups",
        params={"include": "stock_keeping_units", "page[size]": "100"},
        headers={"Api-Key": E2E_API_KEY, "Accept": "application/vnd.api+json"},
    ).json()
    free = next(g for g in answer["data"] if not g["attributes"].get("needs_registration"))
    sku_id = free["relationships"]["stock_keeping_units"]["data"][0]["id"]
    sku = next(i for i in answer["included"] if i["type"] == "stock_keeping_units" and i["id"] == sku_id)
    return sku_id, sku["attributes"]["setup_price"], sku["attributes"]["monthly_price"]


def test_the_plan_shows_old_and_new_values_why_and_what_a_delete_does(project: Project) -> None:
    stack = project.write_stack("plan", TRUNKS)
    ok(project.cli("up", "--stack", "plan"))
    changed = (
        TRUNKS.replace("capacity_limit: 2", "capacity_limit: 5")
        .replace("a.example.com", "b.example.com")
        .replace('    pstn:\n      dst: "442080000000"', '    sip:\n      username: "+{DID}"')
    )
    stack.write_text(stack.read_text().replace(TRUNKS, changed[: changed.index("  spare:")]))

    proc = project.cli("preview", "--stack", "plan")
    text = ok(proc) + proc.stderr
    no_dumps(text)
    assert "~ update voice_in_trunks.pbx (PBX)" in text
    assert "capacity_limit: 2 -> 5" in text and "sip.host: 'a.example.com' -> 'b.example.com'" in text
    assert "+- replace voice_in_trunks.mobile (Mobile)" in text
    assert "replaced because DIDWW cannot change in place: sip" in text
    assert "- delete voice_in_trunks.spare (Spare)" in text and "delete the voice in trunk in DIDWW" in text
    assert "Plan: 1 to update, 1 to replace, 1 to delete; 0 unchanged." in text
    assert "[stacks/plan.yaml:" in text  # each step names its entry's line

    as_json = json.loads(ok(project.cli("preview", "--stack", "plan", "--json")))
    assert as_json["format"] == 1 and as_json["summary"] == {"update": 1, "replace": 1, "delete": 1, "unchanged": 0}
    pbx = next(s for s in as_json["steps"] if s["logical_name"] == "pbx")
    assert {"setting": "capacity_limit", "old": 2, "new": 5, "line": 7} in pbx["changes"]
    expecting = project.cli("preview", "--stack", "plan", "--expect-no-changes")
    assert expecting.returncode != 0

    applied = json.loads(ok(project.cli("up", "--stack", "plan", "--json")))
    assert applied["succeeded"] is True and applied["errors"] == []
    assert applied["plan"]["summary"]["update"] == 1 and applied["plan"]["summary"]["delete"] == 1
    assert applied["applied"].get("update") == 1 and applied["applied"].get("delete") == 1
    ok(project.cli("preview", "--stack", "plan", "--expect-no-changes"))


def test_new_orders_are_priced_and_the_guard_stops_an_order_over_it(project: Project) -> None:
    sku, setup, monthly = sku_with_prices(project)
    order = f"orders:\n  ny:\n    on_delete: release\n    items:\n      - sku_id: {sku}\n        qty: 3\n"
    project.write_stack("buy", order)
    text = ok(project.cli("preview", "--stack", "buy"))
    assert f"3 x sku {sku}: {setup} setup + {monthly}/month each" in text
    total_setup, total_monthly = Decimal(setup) * 3, Decimal(monthly) * 3
    assert f"New orders: {total_setup} setup + {total_monthly} monthly = {total_setup + total_monthly}" in text

    httpx.delete(project.emulator.admin_url + "requests").raise_for_status()
    project.write_stack("buy", 'max_new_order_cost: "0.50"\n' + order)
    for verb in ("preview", "up"):
        refused = project.cli(verb, "--stack", "buy")
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert "more than max_new_order_cost 0.50" in refused.stdout + refused.stderr
    posted = [e for e in project.api_requests() if e["method"] == "POST"]
    assert posted == []  # nothing was ordered


def test_a_wrong_key_fails_the_preview_before_planning(project: Project) -> None:
    project.write_stack("keyed", TRUNKS)
    env_key = project.cli("preview", "--stack", "keyed")
    assert env_key.returncode == 0
    wrong = subprocess.run(
        [sys.executable, "-m", "didww_iac.cli", "preview", "--project-dir", str(project.root), "--stack", "keyed"],
        env={**os.environ, "DIDWW_API_KEY": "wrong-key-0123456789", "PULUMI_CONFIG_PASSPHRASE": "e2e-passphrase"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert wrong.returncode == 1
    message = wrong.stdout + wrong.stderr
    assert "API key" in message and "401" in message
    no_dumps(message)
    assert "to create" not in message  # no plan from a key DIDWW refuses


def test_refusals_are_one_readable_line_each(project: Project) -> None:
    sku, _, _ = sku_with_prices(project)
    order = f"orders:\n  ny:\n    items:\n      - sku_id: {sku}\n        qty: 1\n"
    stack = project.write_stack("refuse", order)
    ok(project.cli("up", "--stack", "refuse"))

    # DIDWW cannot change a placed order's items: refused before anything is sent.
    stack.write_text(stack.read_text().replace("qty: 1", "qty: 3"))
    items = project.cli("up", "--stack", "refuse")
    assert items.returncode == 1
    no_dumps(items.stdout + items.stderr)
    assert "stacks/refuse.yaml:6: orders.ny.items: an order's items cannot change once it is placed" in (
        items.stdout + items.stderr
    )

    # A completed order is not deleted unless the entry says so.
    stack.write_text(stack.read_text().replace(order.replace("qty: 1", "qty: 3"), ""))
    kept = project.cli("up", "--stack", "refuse")
    assert kept.returncode == 1
    no_dumps(kept.stdout + kept.stderr)
    assert "orders.ny: order " in kept.stdout + kept.stderr and "is completed" in kept.stdout + kept.stderr

    # DIDWW's own 422, at the file, line and setting the user wrote.
    stack.write_text(
        stack.read_text()
        + 'voice_in_trunks:\n  pbx:\n    name: PBX\n    sip:\n      username: "{DID}"\n      rx_dtmf_format_id: 9\n'
    )
    refused = project.cli("up", "--stack", "refuse")
    assert refused.returncode == 1
    no_dumps(refused.stdout + refused.stderr)
    assert "stacks/refuse.yaml:" in refused.stdout + refused.stderr
    assert "voice_in_trunks.pbx.sip.rx_dtmf_format_id" in refused.stdout + refused.stderr
