"""The numbers in stock, shared by the coverage types, reservations, orders and account seeding.

Each DID group draws its numbers from its own ``Numbering``: a fixed permutation of every number
its prefixes allow, so the n-th number of a group is computed, never searched for, and two
positions never give the same number (groups' prefixes do not overlap, so groups never clash).

A group's stock is partly stored and partly a count. The catalogue stores the first ``WINDOW``
numbers of each group as available_dids records (all of them at the default stock of six); the
rest stays a count in the group (``stock_latent``), because with ``--stock 2000`` storing 36,000
records made start-up and every stock count slow. When something needs those numbers one by
one (an order for more than is stored, a listing filtered by number or NANPA prefix) the group
is *expanded*: its counted numbers are stored, which changes no answer, only where it comes
from. Seeded account DIDs take positions from the far end of the same permutation.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from didww_iac.emulator.behaviour import AccountOps, AccountView
from didww_iac.emulator.record import Record

# Numbers of a group stored up front: what one listing of a group can show (its list_limit).
WINDOW = 100


class StockExhausted(ValueError):
    """A group has no unused number left."""


@dataclass(frozen=True)
class Numbering:
    """Position -> number: ``starts[p % len]`` followed by ``(step * (p // len) + offset) mod
    10**digits``, which is one-to-one because ``step`` shares no factor with 10."""

    starts: tuple[str, ...]
    digits: int
    step: int
    offset: int

    @classmethod
    def make(cls, rng: random.Random, starts: tuple[str, ...], digits: int) -> Numbering:
        size = 10**digits
        step = rng.randrange(size // 10 or 1, size) | 1  # odd ...
        if step % 5 == 0:
            step += 2  # ... and not a multiple of 5
        return cls(starts, digits, step, rng.randrange(size))

    @property
    def capacity(self) -> int:
        size: int = 10**self.digits
        return len(self.starts) * size

    def number(self, position: int) -> str:
        start = self.starts[position % len(self.starts)]
        rest = (self.step * (position // len(self.starts)) + self.offset) % 10**self.digits
        return f"{start}{rest:0{self.digits}d}"

    def to_json(self) -> dict[str, Any]:
        return {"starts": list(self.starts), "digits": self.digits, "step": self.step, "offset": self.offset}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Numbering:
        return cls(tuple(data["starts"]), int(data["digits"]), int(data["step"]), int(data["offset"]))


def numbering(group: Record) -> Numbering | None:
    """The group's numbering (None in an account stored before numberings existed)."""
    data = group.internal.get("numbering")
    return Numbering.from_json(data) if isinstance(data, dict) else None


def latent(group: Record) -> int:
    """Numbers in the group's stock that are a count, not yet stored records."""
    return int(group.internal.get("stock_latent") or 0)


def is_reserved(available_did: Record) -> bool:
    return bool(available_did.internal.get("reserved_by"))


def is_held(account: AccountView, number: str) -> bool:
    """Whether the account owns the number or has it in stored stock."""
    return any(account.count_matching(t, "number", [number]) for t in ("dids", "available_dids"))


def in_stock(account: AccountView, group_id: str) -> list[Record]:
    """Stored available numbers of a DID group that nobody has reserved, in stock order."""
    return [r for r in account.matching("available_dids", "did_group.id", [group_id]) if not is_reserved(r)]


def _reserved_by_group(account: AccountView) -> dict[str, int]:
    # At most ten reservations exist, so this beats looking at every number of a group.
    counts: dict[str, int] = {}
    for reservation in account.records("did_reservations"):
        number = account.find("available_dids", reservation.relationships.get("available_did") or "")
        group = number.relationships.get("did_group") if number is not None and is_reserved(number) else None
        if group:
            counts[group] = counts.get(group, 0) + 1
    return counts


def stock_count(account: AccountView, group: Record, reserved: dict[str, int] | None = None) -> int:
    """Numbers of a group anyone may order: stored and unreserved, plus those still a count."""
    reserved = _reserved_by_group(account) if reserved is None else reserved
    stored = account.count_matching("available_dids", "did_group.id", [group.id])
    return stored - reserved.get(group.id, 0) + latent(group)


def stock_by_group(account: AccountView) -> dict[str, int]:
    reserved = _reserved_by_group(account)
    return {g.id: stock_count(account, g, reserved) for g in account.records("did_groups")}


def groups_with_stock(account: AccountView) -> list[Record]:
    counts = stock_by_group(account)
    return [g for g in account.records("did_groups") if counts.get(g.id, 0) > 0]


def nanpa_start(prefix: Record) -> str:
    """The first digits of numbers under a NANPA prefix: ``1`` + NPA + NXX."""
    return f"1{prefix.attributes['npa']}{prefix.attributes['nxx']}"


def nanpa_prefix_of(number: str, prefixes: Iterable[Record]) -> str | None:
    """The id of the NANPA prefix among ``prefixes`` that ``number`` falls under, if any."""
    return next((p.id for p in prefixes if number.startswith(nanpa_start(p))), None)


def draw(account: AccountView, group: Record, count: int, owned: bool = False) -> list[str]:
    """The group's next ``count`` unused numbers, moving its cursor (the caller saves the group).

    Stock comes from the low positions upwards; ``owned`` numbers (seeded DIDs) from the top
    downwards, never into the positions the counted stock still needs."""
    scheme = numbering(group)
    if scheme is None:
        raise StockExhausted(f"DID group {group.id} has no numbering")
    internal = group.internal
    bottom, top = int(internal.get("stock_next") or 0), int(internal.get("owned_next") or 0)
    numbers: list[str] = []
    while len(numbers) < count:
        position = scheme.capacity - 1 - top if owned else bottom
        if scheme.capacity - top <= bottom + (latent(group) if owned else 0):
            raise StockExhausted(f"DID group {group.id} has no unused number left")
        if owned:
            top += 1
        else:
            bottom += 1
        number = scheme.number(position)
        if not is_held(account, number):
            numbers.append(number)
    internal["stock_next"], internal["owned_next"] = bottom, top
    return numbers


def expand(ops: AccountOps, group: Record) -> None:
    """Store the group's counted stock as available_dids records (see the module docstring)."""
    count = latent(group)
    if count <= 0:
        return
    numbers = draw(ops, group, count)
    group.internal["stock_latent"] = 0
    ops.save(group)
    found = (ops.find("nanpa_prefixes", i) for i in group.internal.get("nanpa_prefixes", []))
    prefixes = [p for p in found if p is not None]
    ops.insert_many(
        [
            Record(
                "available_dids",
                "",
                0,
                {"number": n},
                {"did_group": group.id, "nanpa_prefix": nanpa_prefix_of(n, prefixes)},
            )
            for n in numbers
        ]
    )


def expand_all(ops: AccountOps, groups: list[Record] | None = None) -> None:
    for group in ops.records("did_groups") if groups is None else groups:
        expand(ops, group)
