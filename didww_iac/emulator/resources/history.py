"""did_history: what happened to the account's numbers (new in 2026-04-16, read only).

An entry is written when an order assigns a number (``assigned``, through ``api3``). Listing
accepts ``created_at_gteq`` only within the last 90 days, as recorded ("Date must be within the
last 90 days.", 400 code 107); entries carry ``meta.from``/``meta.to`` when they record a change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from didww_iac.emulator import errors
from didww_iac.emulator.behaviour import AccountOps, AccountView, Behaviour
from didww_iac.emulator.clock import parse_iso
from didww_iac.emulator.resources.common import V2026
from didww_iac.emulator.schema import Attr, Filter, Record, ResourceType

ACTIONS = ("assigned", "renewed", "canceled", "removed", "billing_cycles_count_changed", "restored")
METHODS = ("system", "api2", "api3", "staff", "user_panel", "mcp")
RETENTION = 90 * 86400.0


def record(ops: AccountOps, numbers: Iterable[str], action: str, method: str = "api3") -> None:
    """One entry per number, stamped now."""
    now = ops.now_iso()
    entries = [
        Record("did_history", "", 0, {"did_number": n, "action": action, "method": method, "created_at": now}, {})
        for n in numbers
    ]
    ops.insert_many(entries)


def _moment(text: str) -> float:
    try:
        return parse_iso(text if "T" in text or "Z" in text else text.replace(" ", "T") + "Z")
    except ValueError:
        raise errors.bad_request("Invalid filter value", f"{text} is not a valid date.", "107") from None


def _created(bound: str) -> Callable[[AccountView, Record, list[str]], bool]:
    def match(account: AccountView, entry: Record, wanted: list[str]) -> bool:
        created = parse_iso(str(entry.attributes["created_at"]))
        limit = _moment(wanted[0])
        return created >= limit if bound == "gteq" else created <= limit

    return match


class DidHistoryBehaviour(Behaviour):
    def prepare_list(self, ops: AccountOps, filters: Mapping[str, list[str]]) -> None:
        # Checked here, not in the matcher: an account without entries must refuse it too.
        for value in filters.get("created_at_gteq", [])[:1]:
            if _moment(value) < ops.now() - RETENTION:
                raise errors.bad_request("Invalid filter value", "Date must be within the last 90 days.", "107")
        for value in filters.get("created_at_lteq", [])[:1]:
            _moment(value)

    def meta(self, account: AccountView, entry: Record) -> dict[str, Any] | None:
        change = entry.internal.get("change")
        return dict(change) if isinstance(change, dict) else None


def _read(name: str) -> Attr:
    return Attr(name, writable=False)


DID_HISTORY = ResourceType(
    name="did_history",
    attributes=(
        _read("did_number"),
        Attr("action", writable=False, choices=ACTIONS),
        Attr("method", writable=False, choices=METHODS),
        Attr("created_at", kind="datetime", writable=False),
    ),
    filters=(
        Filter("did_number", "did_number"),
        Filter("action", "action"),
        Filter("method", "method"),
        Filter("created_at_gteq", match=_created("gteq")),
        Filter("created_at_lteq", match=_created("lteq")),
    ),
    sorts=("created_at",),
    read_only=True,
    since=V2026,
    behaviour=DidHistoryBehaviour(),
)
