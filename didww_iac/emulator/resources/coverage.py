"""Coverage Resources: read-only catalogue types (countries, regions, cities, DID group types,
DID groups and their SKUs, available DIDs, NANPA prefixes), seeded by catalogue.py.

Filters, includes, sorts and pagination are the documented ones: countries and regions are not
paginated, cities page by 1000, available DIDs answer an unpaginated sample with
``meta.total_count``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from didww_iac.emulator.behaviour import AccountOps, AccountView, Behaviour
from didww_iac.emulator.resources.catalogue import seeded
from didww_iac.emulator.resources.common import V2022, V2026
from didww_iac.emulator.resources.stock import (
    expand_all,
    groups_with_stock,
    is_reserved,
    latent,
    nanpa_start,
    stock_count,
)
from didww_iac.emulator.schema import Attr, Filter, Record, Relationship, ResourceType

# Values each version does not know (Changelog 2026-04-16: sms_out gone; p2p, a2p, emergency,
# cnam_out new).
FEATURES_NOT_IN = {V2026: {"sms_out"}, V2022: {"p2p", "a2p", "emergency", "cnam_out"}}


def _read(name: str, kind: Any = "string", **kw: Any) -> Attr:
    return Attr(name, kind=kind, writable=False, **kw)


def _is_available_country(account: AccountView, record: Record, wanted: list[str]) -> bool:
    found = any(g.relationships.get("country") == record.id for g in groups_with_stock(account))
    return str(found).lower() in wanted


def _is_available_city(account: AccountView, record: Record, wanted: list[str]) -> bool:
    found = any(g.relationships.get("city") == record.id for g in groups_with_stock(account))
    return str(found).lower() in wanted


COUNTRIES = ResourceType(
    name="countries",
    attributes=(_read("name"), _read("prefix"), _read("iso")),
    relationships=(Relationship("regions", "regions", to_many=True, inverse="country", writable=False),),
    filters=(
        Filter("name", "name", case_insensitive=True),
        Filter("prefix", "prefix"),
        Filter("iso", "iso"),
        Filter("is_available", match=_is_available_country),
    ),
    sorts=("name", "prefix", "iso"),
    read_only=True,
    paginated=False,
    seed=seeded("countries"),
)

REGIONS = ResourceType(
    name="regions",
    # iso: the ISO 3166-2 subdivision code without the country part ("CA" for California), as
    # DIDWW's OpenAPI document says; the recorded examples predate it.
    attributes=(_read("name"), _read("iso")),
    relationships=(Relationship("country", "countries", writable=False),),
    filters=(
        Filter("name", "name", case_insensitive=True),
        Filter("country.id", "country.id"),
        Filter("iso", "iso"),
    ),
    sorts=("name", "iso"),
    read_only=True,
    paginated=False,
    seed=seeded("regions"),
)

CITIES = ResourceType(
    name="cities",
    attributes=(_read("name"),),
    relationships=(
        Relationship("country", "countries", writable=False),
        Relationship("region", "regions", writable=False),
        # Areas are a regulation type: the catalogue links none, so the linkage is null.
        Relationship("area", "areas", writable=False),
    ),
    filters=(
        Filter("name", "name", case_insensitive=True),
        Filter("country.id", "country.id"),
        Filter("region.id", "region.id"),
        Filter("area.id", "area.id"),
        Filter("is_available", match=_is_available_city),
    ),
    sorts=("name",),
    read_only=True,
    page_size=1000,
    max_page_size=1000,
    seed=seeded("cities"),
)

DID_GROUP_TYPES = ResourceType(
    name="did_group_types",
    attributes=(_read("name"),),
    filters=(Filter("name", "name"),),
    sorts=("name",),
    read_only=True,
    seed=seeded("did_group_types"),
)

STOCK_KEEPING_UNITS = ResourceType(
    name="stock_keeping_units",
    attributes=(
        _read("setup_price", "decimal"),
        _read("monthly_price", "decimal"),
        _read("channels_included_count", "integer"),
    ),
    read_only=True,
    # Reached only through did_groups' include; DIDWW has no /v3/stock_keeping_units.
    routable=False,
    seed=seeded("stock_keeping_units"),
)


class DidGroupBehaviour(Behaviour):
    def render_value(self, version: str, attr: Attr, value: Any) -> Any:
        if attr.name == "features" and isinstance(value, list):
            hidden = FEATURES_NOT_IN.get(version, set())
            return [f for f in value if f not in hidden]
        return value

    def meta(self, account: AccountView, record: Record) -> dict[str, Any] | None:
        total = stock_count(account, record)
        return {
            "needs_registration": bool(record.attributes.get("needs_registration")),
            "is_available": total > 0,
            "available_dids_enabled": bool(record.attributes.get("available_dids_enabled")),
            "total_count": total,
        }


def _group_meta(name: str) -> Any:
    def match(account: AccountView, record: Record, wanted: list[str]) -> bool:
        value = stock_count(account, record) > 0 if name == "is_available" else record.attributes.get(name)
        return str(value).lower() in wanted

    return match


def _group_nanpa_id(account: AccountView, record: Record, wanted: list[str]) -> bool:
    return any(i in wanted for i in record.internal.get("nanpa_prefixes", []))


def _group_npanxx(account: AccountView, record: Record, wanted: list[str]) -> bool:
    linked = (account.find("nanpa_prefixes", i) for i in record.internal.get("nanpa_prefixes", []))
    return any(nanpa_start(p)[1:] in wanted for p in linked if p is not None)


def _total_count_gteq(account: AccountView, record: Record, wanted: list[str]) -> bool:
    try:
        minimum = int(wanted[0])
    except ValueError:
        return False
    return stock_count(account, record) >= minimum


DID_GROUPS = ResourceType(
    name="did_groups",
    attributes=(
        _read("prefix"),
        _read("features", "string_list"),
        _read("is_metered", "boolean"),
        _read("area_name"),
        _read("allow_additional_channels", "boolean"),
        _read("service_restrictions", since=V2026),
        # Rendered in meta, filterable, so kept with the attributes.
        _read("needs_registration", "boolean", hidden=True),
        _read("available_dids_enabled", "boolean", hidden=True),
    ),
    relationships=(
        Relationship("country", "countries", writable=False),
        Relationship("city", "cities", writable=False),
        Relationship("did_group_type", "did_group_types", writable=False),
        Relationship("region", "regions", writable=False),
        Relationship("stock_keeping_units", "stock_keeping_units", to_many=True, writable=False),
        # Set for groups that need registration (regulation_catalogue.py seeds the requirement).
        Relationship("address_requirement", "address_requirements", writable=False, since=V2026),
        Relationship("requirement", "requirements", writable=False, until=V2022),
    ),
    filters=(
        Filter("prefix", "prefix"),
        Filter("area_name", "area_name", case_insensitive=True),
        Filter("is_metered", "is_metered"),
        Filter("allow_additional_channels", "allow_additional_channels"),
        Filter("available_dids_enabled", match=_group_meta("available_dids_enabled")),
        Filter("features", "features", all_of=True),
        Filter("needs_registration", match=_group_meta("needs_registration")),
        Filter("is_available", match=_group_meta("is_available")),
        Filter("country.id", "country.id"),
        Filter("region.id", "region.id"),
        Filter("city.id", "city.id"),
        Filter("nanpa_prefix.id", match=_group_nanpa_id),
        Filter("nanpa_prefix.npanxx", match=_group_npanxx),
        Filter("did_group_type.id", "did_group_type.id"),
        Filter("meta.total_count_gteq", match=_total_count_gteq),
    ),
    sorts=(
        "country.name",
        "did_group_type.name",
        "prefix",
        "is_metered",
        "area_name",
        "allow_additional_channels",
        "service_restrictions",
    ),
    read_only=True,
    behaviour=DidGroupBehaviour(),
    seed=seeded("did_groups"),
)


class AvailableDidBehaviour(Behaviour):
    def listed(self, account: AccountView, record: Record) -> bool:
        return not is_reserved(record)

    def prepare_list(self, ops: AccountOps, filters: Mapping[str, list[str]]) -> None:
        # Filters on the number itself must see every number: store the counted stock of the
        # groups they can match (a group-level filter is answered from the counts instead).
        if "number_contains" in filters:
            expand_all(ops)
        elif "nanpa_prefix.id" in filters:
            wanted = filters["nanpa_prefix.id"]
            expand_all(
                ops, [g for g in ops.records("did_groups") if set(g.internal.get("nanpa_prefixes", [])) & set(wanted)]
            )

    def latent_matches(self, account: AccountView, matches: Callable[[Record], bool]) -> int:
        # A stand-in number per group with counted stock: the filters left are about its group.
        total = 0
        for group in account.records("did_groups"):
            count = latent(group)
            if count and matches(Record("available_dids", "", 0, {"number": ""}, {"did_group": group.id})):
                total += count
        return total

    def document_meta(
        self, account: AccountView, records: Sequence[Record] | None, total: int | None = None
    ) -> dict[str, Any]:
        if records is None:
            return {}
        return {"total_count": len(records) if total is None else total}


def _number_contains(account: AccountView, record: Record, wanted: list[str]) -> bool:
    return any(w in str(record.attributes.get("number")) for w in wanted)


def _available_nanpa(account: AccountView, record: Record, wanted: list[str]) -> bool:
    prefixes = (account.find("nanpa_prefixes", w) for w in wanted)
    number = str(record.attributes.get("number"))
    return any(number.startswith(nanpa_start(p)) for p in prefixes if p is not None)


AVAILABLE_DIDS = ResourceType(
    name="available_dids",
    attributes=(_read("number"),),
    relationships=(
        Relationship("did_group", "did_groups", writable=False),
        # The NANPA prefix the number falls under (null outside NANPA groups), set as it is stored.
        Relationship("nanpa_prefix", "nanpa_prefixes", writable=False),
    ),
    filters=(
        Filter("number_contains", match=_number_contains),
        Filter("did_group.id", "did_group.id"),
        Filter("did_group_type.id", "did_group.did_group_type.id"),
        Filter("did_group.needs_registration", "did_group.needs_registration"),
        Filter("did_group.features", "did_group.features", all_of=True),
        Filter("country.id", "did_group.country.id"),
        Filter("region.id", "did_group.region.id"),
        Filter("city.id", "did_group.city.id"),
        Filter("nanpa_prefix.id", match=_available_nanpa),
    ),
    read_only=True,
    # "Pagination and Sorting are disabled": a sample of the matches, with their count in meta.
    paginated=False,
    list_limit=100,
    behaviour=AvailableDidBehaviour(),
    seed=seeded("available_dids"),
)


def _linked_groups(account: AccountView, record: Record) -> list[Record]:
    return [g for g in account.records("did_groups") if record.id in g.internal.get("nanpa_prefixes", [])]


def _nanpa_is_available(account: AccountView, record: Record, wanted: list[str]) -> bool:
    found = any(stock_count(account, g) > 0 for g in _linked_groups(account, record))
    return str(found).lower() in wanted


def _nanpa_features(account: AccountView, record: Record, wanted: list[str]) -> bool:
    return any(all(w in g.attributes.get("features", []) for w in wanted) for g in _linked_groups(account, record))


def _npanxx(account: AccountView, record: Record, wanted: list[str]) -> bool:
    return nanpa_start(record)[1:] in wanted


NANPA_PREFIXES = ResourceType(
    name="nanpa_prefixes",
    attributes=(_read("npa"), _read("nxx")),
    relationships=(
        Relationship("country", "countries", writable=False),
        Relationship("region", "regions", writable=False),
    ),
    filters=(
        Filter("npa", "npa"),
        Filter("nxx", "nxx"),
        Filter("npanxx", match=_npanxx),
        Filter("country.id", "country.id"),
        Filter("region.id", "region.id"),
        Filter("did_group.is_available", match=_nanpa_is_available),
        Filter("did_group.features", match=_nanpa_features),
    ),
    sorts=("npa", "nxx"),
    read_only=True,
    seed=seeded("nanpa_prefixes"),
)
