"""The seeded coverage catalogue: countries, regions, cities, DID groups with SKUs and prices,
available numbers, NANPA prefixes, capacity pools and the balance.

Modest but shaped like DIDWW's (the recorded responses): a handful of countries with local
groups per city, toll-free, mobile and national groups, two SKUs per group (with and without
included channels), six numbers in stock per group unless the account asks for more (stock.py:
beyond the first ``WINDOW`` the stock is a count until it is needed). Everything follows from
the account's seed: ids are UUID5s of (seed, type, natural key) so they survive restarts, and
numbers come from each group's numbering, drawn from a random generator seeded with it.
"""

from __future__ import annotations

import functools
import random
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from didww_iac.emulator.clock import add_months
from didww_iac.emulator.money import amount, parse
from didww_iac.emulator.resources.stock import WINDOW, Numbering, nanpa_prefix_of
from didww_iac.emulator.schema import Record, SeedOptions

_NAMESPACE = uuid.UUID("4f5b7a52-0c1e-4d3e-8b61-2f0d3c9a7e14")
SEEDED_AT = "2021-05-13T09:21:37.626Z"
NXX_PER_AREA = 3

# iso, name, calling prefix, number length (digits, country prefix included)
COUNTRIES = (
    ("US", "United States", "1", 11),
    ("CA", "Canada", "1", 11),
    ("GB", "United Kingdom", "44", 12),
    ("DE", "Germany", "49", 12),
    ("FR", "France", "33", 11),
)
# iso, name, ISO 3166-2 subdivision code without the country part
REGIONS = (
    ("US", "New York", "NY"),
    ("US", "California", "CA"),
    ("US", "Illinois", "IL"),
    ("US", "Texas", "TX"),
    ("CA", "Ontario", "ON"),
    ("CA", "Alberta", "AB"),
    ("GB", "England", "ENG"),
    ("GB", "Scotland", "SCT"),
    ("DE", "Berlin", "BE"),
    ("DE", "Bavaria", "BY"),
    ("DE", "Hesse", "HE"),
    ("FR", "Ile-de-France", "IDF"),
)
# iso, region, city
CITIES = (
    ("US", "New York", "New York"),
    ("US", "California", "Los Angeles"),
    ("US", "California", "San Francisco"),
    ("US", "Illinois", "Chicago"),
    ("US", "Texas", "Dallas"),
    ("CA", "Ontario", "Toronto"),
    ("CA", "Alberta", "Calgary"),
    ("GB", "England", "London"),
    ("GB", "England", "Manchester"),
    ("GB", "Scotland", "Edinburgh"),
    ("DE", "Berlin", "Berlin"),
    ("DE", "Bavaria", "Munich"),
    ("DE", "Hesse", "Frankfurt"),
    ("FR", "Ile-de-France", "Paris"),
)
DID_GROUP_TYPES = ("Local", "National", "Toll-free", "Mobile", "Shared Cost", "Global")

# Stored features span both versions: 2026-04-16 no longer shows sms_out, 2022-05-10 does not
# know p2p/a2p/emergency/cnam_out (Changelog); did_groups renders per version.
_VOICE = ("voice_in", "voice_out", "t38")
_SMS = ("sms_in", "sms_out", "p2p", "a2p")
# Emergency calling (emergency_requirements.py): where a seeded emergency requirement applies,
# except San Francisco, kept without it so a client meets "does not support Emergency feature".
_E = "emergency"


@dataclass(frozen=True)
class GroupSpec:
    iso: str
    group_type: str
    area_name: str
    prefix: str
    city: str | None
    region: str | None
    features: tuple[str, ...]
    # (setup_price, monthly_price) of the SKU without channels; the one with 2 channels costs more.
    setup_price: str
    monthly_price: str
    needs_registration: bool = False
    is_metered: bool = False


GROUPS = (
    GroupSpec("US", "Local", "New York", "212", "New York", "New York", (*_VOICE, *_SMS, _E), "0.0", "0.5"),
    GroupSpec("US", "Local", "Los Angeles", "213", "Los Angeles", "California", (*_VOICE, "sms_in", _E), "0.0", "0.5"),
    GroupSpec("US", "Local", "San Francisco", "415", "San Francisco", "California", _VOICE, "0.0", "0.5"),
    GroupSpec("US", "Local", "Chicago", "312", "Chicago", "Illinois", (*_VOICE, "cnam_out", _E), "0.0", "0.45"),
    GroupSpec("US", "Local", "Dallas", "214", "Dallas", "Texas", (*_VOICE, _E), "0.0", "0.45"),
    GroupSpec("US", "Toll-free", "Toll-free", "800", None, None, ("voice_in", _E), "1.0", "3.0", is_metered=True),
    GroupSpec("CA", "Local", "Toronto", "416", "Toronto", "Ontario", (*_VOICE, "sms_in", _E), "0.0", "0.8"),
    GroupSpec("CA", "Local", "Calgary", "403", "Calgary", "Alberta", (*_VOICE, _E), "0.0", "0.8"),
    GroupSpec("GB", "Local", "London", "20", "London", "England", (*_VOICE, _E), "1.0", "1.5"),
    GroupSpec("GB", "Local", "Manchester", "161", "Manchester", "England", (*_VOICE, _E), "1.0", "1.5"),
    GroupSpec("GB", "Local", "Edinburgh", "131", "Edinburgh", "Scotland", (*_VOICE, _E), "1.0", "1.5"),
    GroupSpec("GB", "Mobile", "Mobile", "7", None, None, ("voice_in", "sms_in", "sms_out"), "2.0", "4.0"),
    GroupSpec("GB", "National", "National", "330", None, None, ("voice_in", _E), "1.0", "2.0"),
    GroupSpec("DE", "Local", "Berlin", "30", "Berlin", "Berlin", _VOICE, "2.0", "3.0", needs_registration=True),
    GroupSpec("DE", "Local", "Munich", "89", "Munich", "Bavaria", _VOICE, "2.0", "3.0", needs_registration=True),
    GroupSpec("DE", "Local", "Frankfurt", "69", "Frankfurt", "Hesse", _VOICE, "2.0", "3.0", needs_registration=True),
    GroupSpec("DE", "National", "National", "32", None, None, ("voice_in",), "2.0", "2.5"),
    GroupSpec("FR", "Local", "Paris", "1", "Paris", "Ile-de-France", _VOICE, "1.5", "2.0", needs_registration=True),
)

# name, setup_price, monthly_price, metered_rate, total channels, minimum_limit, countries
CAPACITY_POOLS = (
    ("Standard", "15.0", "15.0", "0.01", 10, 0, ("US", "CA")),
    ("Extended", "25.0", "25.0", "0.02", 20, 5, ("GB", "DE", "FR")),
)
# per pool: (qty, setup_price, monthly_price) discounts
QTY_PRICINGS = ((10, "12.0", "12.0"), (50, "10.0", "10.0"))


def record_id(seed: int, type_name: str, key: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{seed}:{type_name}:{key}"))


def _record(seed: int, type_name: str, key: str, attributes: Mapping[str, object], **rels: object) -> Record:
    return Record(type_name, record_id(seed, type_name, key), 0, dict(attributes), dict(rels))


class _Builder:
    def __init__(self, options: SeedOptions) -> None:
        self.seed = options.seed
        self.options = options
        self.rng = random.Random(f"catalogue:{options.seed}")
        self.out: dict[str, list[Record]] = {}

    def add(self, record: Record) -> Record:
        self.out.setdefault(record.type, []).append(record)
        return record

    def id(self, type_name: str, key: str) -> str:
        return record_id(self.seed, type_name, key)

    def build(self) -> dict[str, list[Record]]:
        for iso, name, prefix, _ in COUNTRIES:
            self.add(_record(self.seed, "countries", iso, {"name": name, "prefix": prefix, "iso": iso}))
        for iso, name, code in REGIONS:
            country = self.id("countries", iso)
            self.add(_record(self.seed, "regions", f"{iso}:{name}", {"name": name, "iso": code}, country=country))
        for iso, region, name in CITIES:
            self.add(
                _record(
                    self.seed,
                    "cities",
                    f"{iso}:{name}",
                    {"name": name},
                    country=self.id("countries", iso),
                    region=self.id("regions", f"{iso}:{region}"),
                    area=None,
                )
            )
        for name in DID_GROUP_TYPES:
            self.add(_record(self.seed, "did_group_types", name, {"name": name}))
        for spec in GROUPS:
            self._group(spec)
        self._capacity()
        balance = {"balance": self.options.balance, "credit": "0.00"}
        self.add(_record(self.seed, "balances", "balance", balance))
        return self.out

    def _group(self, spec: GroupSpec) -> None:
        key = f"{spec.iso}:{spec.group_type}:{spec.prefix}"
        country_prefix, length = next((p, n) for i, _, p, n in COUNTRIES if i == spec.iso)
        nanpa = self._nanpa(spec) if country_prefix == "1" and spec.group_type == "Local" else []
        skus = []
        for index, (extra, channels) in enumerate((("0", 0), ("0.5", 2))):
            monthly = _add(spec.monthly_price, extra)
            attributes = {
                "setup_price": spec.setup_price,
                "monthly_price": monthly,
                "channels_included_count": channels,
            }
            sku = _record(self.seed, "stock_keeping_units", f"{key}:{index}", attributes)
            sku.internal["did_group_id"] = self.id("did_groups", key)
            skus.append(self.add(sku).id)
        needs = spec.needs_registration
        requirement = self.id("address_requirements", f"{spec.iso}:{spec.group_type}") if needs else None
        group = _record(
            self.seed,
            "did_groups",
            key,
            {
                "prefix": spec.prefix,
                "features": list(spec.features),
                "is_metered": spec.is_metered,
                "area_name": spec.area_name,
                "allow_additional_channels": True,
                "service_restrictions": "Local address required" if spec.needs_registration else None,
                "needs_registration": spec.needs_registration,
                "available_dids_enabled": True,
            },
            country=self.id("countries", spec.iso),
            city=self.id("cities", f"{spec.iso}:{spec.city}") if spec.city else None,
            region=self.id("regions", f"{spec.iso}:{spec.region}") if spec.region else None,
            did_group_type=self.id("did_group_types", spec.group_type),
            stock_keeping_units=skus,
            # The requirement of the group's country and type (regulation_catalogue.py seeds it
            # under this id, in both versions' names).
            address_requirement=requirement,
            requirement=requirement,
        )
        starts = tuple(f"1{n.attributes['npa']}{n.attributes['nxx']}" for n in nanpa) or (country_prefix + spec.prefix,)
        scheme = Numbering.make(random.Random(f"numbers:{self.seed}:{key}"), starts, length - len(starts[0]))
        stored = min(self.options.stock, WINDOW)
        group.internal = {
            "country_prefix": country_prefix,
            "length": length,
            "nanpa_prefixes": [n.id for n in nanpa],
            "numbering": scheme.to_json(),
            # The cursor of the numbering and the stock that is only a count (see stock.py).
            "stock_next": stored,
            "stock_latent": self.options.stock - stored,
        }
        self.add(group)
        for position in range(stored):
            number = scheme.number(position)
            rels = {"did_group": group.id, "nanpa_prefix": nanpa_prefix_of(number, nanpa)}
            self.add(_record(self.seed, "available_dids", number, {"number": number}, **rels))

    def _nanpa(self, spec: GroupSpec) -> list[Record]:
        codes = sorted(self.rng.sample(range(200, 1000), NXX_PER_AREA))
        country = self.id("countries", spec.iso)
        region = self.id("regions", f"{spec.iso}:{spec.region}")
        return [
            self.add(
                _record(
                    self.seed,
                    "nanpa_prefixes",
                    f"{spec.prefix}{nxx}",
                    {"npa": spec.prefix, "nxx": str(nxx)},
                    country=country,
                    region=region,
                )
            )
            for nxx in codes
        ]

    def _capacity(self) -> None:
        renew = add_months(datetime.now(UTC).date().replace(day=1), 1).isoformat()
        for name, setup, monthly, metered, total, minimum, countries in CAPACITY_POOLS:
            pricings = []
            for qty, qty_setup, qty_monthly in QTY_PRICINGS:
                attributes = {"qty": qty, "setup_price": qty_setup, "monthly_price": qty_monthly}
                pricings.append(self.add(_record(self.seed, "qty_based_pricings", f"{name}:{qty}", attributes)).id)
            attributes = {
                "name": name,
                "renew_date": renew,
                "total_channels_count": total,
                "minimum_limit": minimum,
                "minimum_qty_per_order": 1,
                "setup_price": setup,
                "monthly_price": monthly,
                "metered_rate": metered,
            }
            self.add(
                _record(
                    self.seed,
                    "capacity_pools",
                    name,
                    attributes,
                    countries=[self.id("countries", iso) for iso in countries],
                    qty_based_pricings=pricings,
                )
            )


def _add(a: str, b: str) -> str:
    return amount(parse(a) + parse(b))


@functools.lru_cache(maxsize=8)
def _catalogue(options: SeedOptions) -> dict[str, list[Record]]:
    return _Builder(options).build()


def seeded(type_name: str) -> functools.partial[list[Record]]:
    """The ``seed`` callable of one catalogue type."""
    return functools.partial(_records_of, type_name)


def _records_of(type_name: str, options: SeedOptions) -> list[Record]:
    return list(_catalogue(options).get(type_name, []))
