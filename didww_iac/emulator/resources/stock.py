"""Questions about the numbers in stock, shared by the coverage types, reservations and orders."""

from __future__ import annotations

from didww_iac.emulator.behaviour import AccountView
from didww_iac.emulator.record import Record


def is_reserved(available_did: Record) -> bool:
    return bool(available_did.internal.get("reserved_by"))


def in_stock(account: AccountView, group_id: str | None = None) -> list[Record]:
    """Available numbers nobody has reserved, optionally of one DID group."""
    return [
        r
        for r in account.records("available_dids")
        if not is_reserved(r) and (group_id is None or r.relationships.get("did_group") == group_id)
    ]


def stock_by_group(account: AccountView) -> dict[str, int]:
    counts: dict[str, int] = {}
    for record in in_stock(account):
        group = record.relationships.get("did_group")
        if group:
            counts[group] = counts.get(group, 0) + 1
    return counts


def groups_with_stock(account: AccountView) -> list[Record]:
    counts = stock_by_group(account)
    return [g for g in account.records("did_groups") if counts.get(g.id, 0) > 0]


def nanpa_start(prefix: Record) -> str:
    """The first digits of numbers under a NANPA prefix: ``1`` + NPA + NXX."""
    return f"1{prefix.attributes['npa']}{prefix.attributes['nxx']}"
