"""Seeding an account with records "made in the DIDWW panel": the account a user already has
when they first point the tool at it (so nothing carries an ``external_reference_id``).

SIP trunks with unique names, trunk groups with unique names and trunks as members, and DIDs
with unique numbers, bought by completed orders (one per DID group and hundred numbers), routed
to a trunk, to a trunk group or nowhere. With a seed the result is the same every time for the
same account: ids come from the account's id sequence, everything else from a generator seeded
with (seed, how many seedings came before).
"""

from __future__ import annotations

import random
import string
from collections.abc import Sequence
from typing import Any

from didww_iac.emulator.clock import day, iso
from didww_iac.emulator.config import LATEST_VERSION, AccountSeed
from didww_iac.emulator.models import Account
from didww_iac.emulator.money import amount, parse
from didww_iac.emulator.record import Record
from didww_iac.emulator.resources.ordering import DID_ITEM, Line, did_record
from didww_iac.emulator.resources.stock import draw, latent, numbering

# A counter of the account: how many seedings it has had (names the next one's generator).
SEEDINGS = "account_seedings"
# DIDs per seeded order: DIDWW's panel buys numbers in batches.
ORDER_SIZE = 100
# Shares of seeded DIDs routed to a trunk and to a trunk group (the rest are unrouted).
TO_TRUNK, TO_GROUP = 0.4, 0.3

SEEDED_TYPES = ("voice_in_trunks", "voice_in_trunk_groups", "orders", "dids")


def seed_account(account: Account, plan: AccountSeed, seed: int | None) -> dict[str, int]:
    """Add ``plan``'s records to the account in one store transaction; returns what was made."""
    with account.transaction():
        batch = account.counter(SEEDINGS)
        rng = random.Random(f"account:{seed}:{batch}") if seed is not None else random.Random()
        groups = _did_groups(account)
        _check_room(groups, plan.dids)
        trunks = _trunks(account, plan.trunks, rng)
        trunk_groups = _trunk_groups(account, plan.groups, trunks)
        orders, dids = _dids(account, plan.dids, groups, trunks, trunk_groups, rng)
        account.set_counter(SEEDINGS, batch + 1)
    return {"voice_in_trunks": len(trunks), "voice_in_trunk_groups": len(trunk_groups), "orders": orders, "dids": dids}


def held(account: Account) -> dict[str, int]:
    """How many records of each seeded type the account holds."""
    return {name: len(account.records(name)) for name in SEEDED_TYPES}


def _did_groups(account: Account) -> list[Record]:
    return [g for g in account.records("did_groups") if numbering(g) is not None]


def _shares(total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` round-robin shares (the first ones get the remainder)."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)] if parts else []


def _check_room(groups: Sequence[Record], dids: int) -> None:
    """Refuse before writing anything when a DID group could not hold its share of numbers."""
    if dids and not groups:
        raise ValueError("the account has no DID groups to seed DIDs in")
    for group, share in zip(groups, _shares(dids, len(groups)), strict=True):
        scheme = numbering(group)
        assert scheme is not None
        used = int(group.internal.get("stock_next") or 0) + latent(group) + int(group.internal.get("owned_next") or 0)
        if scheme.capacity - used < share:
            raise ValueError(f"DID group {group.attributes.get('area_name')} has no room for {share} more numbers")


def _free_names(account: Account, type_name: str, stem: str, count: int) -> list[str]:
    """``count`` names ``stem 0001``, ``stem 0002``, ... that no record of the type holds yet."""
    names: list[str] = []
    index = 0
    while len(names) < count:
        index += 1
        name = f"{stem} {index:04d}"
        if not account.count_matching(type_name, "name", [name]):
            names.append(name)
    return names


def _trunks(account: Account, count: int, rng: random.Random) -> list[Record]:
    made = []
    for name in _free_names(account, "voice_in_trunks", "Panel trunk", count):
        host = f"pbx{rng.randrange(1, 1000)}.example.net"
        sip = {"username": name.split()[-1], "host": host, "port": rng.choice([5060, 5060, 5080])}
        attributes = {
            "name": name,
            "capacity_limit": rng.choice([None, 10, 30]),
            "configuration": {"type": "sip_configurations", "attributes": sip},
        }
        made.append(account.create("voice_in_trunks", {"attributes": attributes}, LATEST_VERSION))
    return made


def _trunk_groups(account: Account, count: int, trunks: Sequence[Record]) -> list[Record]:
    """Groups take the first half of the new trunks (at least one each) round-robin."""
    members = trunks[: max(count, len(trunks) // 2)]
    made = []
    for index, name in enumerate(_free_names(account, "voice_in_trunk_groups", "Panel group", count)):
        linkage = [{"type": "voice_in_trunks", "id": t.id} for t in members[index::count]]
        data = {"attributes": {"name": name}, "relationships": {"voice_in_trunks": {"data": linkage}}}
        made.append(account.create("voice_in_trunk_groups", data, LATEST_VERSION))
    return made


def _dids(
    account: Account,
    count: int,
    groups: Sequence[Record],
    trunks: Sequence[Record],
    trunk_groups: Sequence[Record],
    rng: random.Random,
) -> tuple[int, int]:
    """DIDs spread over the DID groups; returns (orders, DIDs) made."""
    orders = dids = 0
    for group, share in zip(groups, _shares(count, len(groups)), strict=True):
        numbers = draw(account, group, share, owned=True)
        account.save(group)  # its numbering cursor moved
        for start in range(0, share, ORDER_SIZE):
            chunk = numbers[start : start + ORDER_SIZE]
            order, line = _order(account, group, len(chunk), rng)
            now = account.now()
            records = [did_record(account, order, line, n, now, registered=True) for n in chunk]
            for record in records:
                _route(record, trunks, trunk_groups, rng)
            account.insert_many(records)
            orders, dids = orders + 1, dids + len(records)
    return orders, dids


def _order(account: Account, group: Record, qty: int, rng: random.Random) -> tuple[Record, Line]:
    """A completed order for ``qty`` numbers of the group's cheapest SKU, as the panel places it."""
    sku = account.get("stock_keeping_units", str(group.relationships["stock_keeping_units"][0]))
    line = Line(
        0,
        DID_ITEM,
        qty,
        parse(sku.attributes["setup_price"]),
        parse(sku.attributes["monthly_price"]),
        did_group_id=group.id,
        sku_id=sku.id,
    )
    now = account.now()
    attributes: dict[str, Any] = {
        "amount": amount(line.cost),
        "status": "completed",
        "created_at": iso(now),
        "reference": _reference(rng),
        "description": "DID",
        "items": [line.item(day(now))],
        "callback_url": None,
        "callback_method": None,
        "external_reference_id": None,
        "allow_back_ordering": False,
    }
    return account.insert(Record("orders", "", 0, attributes, {})), line


def _reference(rng: random.Random) -> str:
    letters = "".join(rng.choice(string.ascii_uppercase) for _ in range(3))
    return f"{letters}-{rng.randrange(1_000_000):06d}"


def _route(did: Record, trunks: Sequence[Record], groups: Sequence[Record], rng: random.Random) -> None:
    draw_ = rng.random()
    if trunks and draw_ < TO_TRUNK:
        did.relationships["voice_in_trunk"] = rng.choice(trunks).id
    elif groups and draw_ < TO_TRUNK + TO_GROUP:
        did.relationships["voice_in_trunk_group"] = rng.choice(groups).id
