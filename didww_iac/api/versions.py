"""API versions: what differs between the pinned version and the canonical shape, declared once.

Callers always see the canonical shape, API ``2026-04-16``. For an older pin the client rewrites
request bodies and query parameters on the way out and response documents on the way in, driven
only by the declarations in :data:`DIFFERENCES` (derived from the ``Changelog`` of DIDWW's public
API documentation and a comparison of both versions' object definitions).

Rules applied for each kind of difference (canonical -> legacy on send, legacy -> canonical on receive):

- ``EnumValues``: values are mapped both ways (attribute and filter of the same name); unknown values
  pass through unchanged.
- ``RenamedAttribute``: renamed both ways (attribute, filter, sort key).
- ``NewAttribute`` (absent in the legacy version): dropped on send, absent on receive; filtering or
  sorting on it raises ``UnsupportedInVersionError`` (dropping a filter would silently widen a lookup,
  e.g. the idempotency lookup by ``external_reference_id``).
- ``NewRelationship``: dropped on send when empty, refused when set; include/filter refused.
- ``NewFilter`` / ``NewFilterValues``: refused when used.
- ``NewVariant``: a polymorphic ``{"type","attributes"}`` value type the legacy version lacks;
  refused on send.
- ``LegacyOnlyVariant``: exists only in the legacy version; passed through unchanged on receive.
- ``NewOperation``: the endpoint/method does not exist in the legacy version; refused before sending.
- ``NewResourceType``: the whole type is new (emergency calling); every request to it is refused.
- ``ChangedDefault``: the canonical default differs; on create the canonical default is sent explicitly.
- ``Reshaped``: a structural change with a pair of functions (voice out trunk authentication).
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from didww_iac.api.errors import UnsupportedInVersionError

CANONICAL_VERSION = "2026-04-16"
SUPPORTED_VERSIONS: tuple[str, ...] = ("2022-05-10", "2026-04-16")

log = logging.getLogger("didww_iac.api")

Attrs: TypeAlias = dict[str, Any]


@dataclass(frozen=True)
class EnumValues:
    resource: str
    attribute: str
    canonical_to_legacy: Mapping[str, str]


@dataclass(frozen=True)
class RenamedAttribute:
    resource: str
    canonical: str
    legacy: str


@dataclass(frozen=True)
class NewAttribute:
    resource: str
    attribute: str
    # For attributes inside a polymorphic nested object: (outer attribute, variant type).
    within: tuple[str, str] | None = None


@dataclass(frozen=True)
class NewRelationship:
    resource: str
    name: str


@dataclass(frozen=True)
class NewFilter:
    resource: str
    filter: str


@dataclass(frozen=True)
class NewFilterValues:
    resource: str
    filter: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class LegacyOnlyFilterValues:
    """Documented for completeness: values only the legacy version accepts (no translation)."""

    resource: str
    filter: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class NewVariant:
    resource: str
    attribute: str
    variant: str


@dataclass(frozen=True)
class LegacyOnlyVariant:
    resource: str
    attribute: str
    variant: str


@dataclass(frozen=True)
class NewOperation:
    resource: str
    method: str
    note: str = ""


@dataclass(frozen=True)
class NewResourceType:
    resource: str
    note: str = ""


@dataclass(frozen=True)
class ChangedDefault:
    resource: str
    attribute: str
    canonical_default: Any


@dataclass(frozen=True)
class Reshaped:
    resource: str
    canonical: str
    legacy_attributes: tuple[str, ...]
    to_legacy: Callable[[Attrs, str], None] = field(repr=False)
    from_legacy: Callable[[Attrs], None] = field(repr=False)
    note: str = ""


Difference: TypeAlias = (
    EnumValues
    | RenamedAttribute
    | NewAttribute
    | NewRelationship
    | NewFilter
    | NewFilterValues
    | LegacyOnlyFilterValues
    | NewVariant
    | LegacyOnlyVariant
    | NewOperation
    | NewResourceType
    | ChangedDefault
    | Reshaped
)


# -- voice out trunk authentication (2022-05-10: flat allowed_sip_ips/username/password) ------------


def _auth_to_2022(attrs: Attrs, method: str) -> None:
    auth = attrs.pop("authentication_method", None)
    if auth is None:
        return
    kind = auth.get("type") if isinstance(auth, Mapping) else None
    inner = dict(auth.get("attributes") or {}) if isinstance(auth, Mapping) else {}
    if kind not in {"credentials_and_ip", "ip_only"}:
        raise UnsupportedInVersionError(
            f"voice_out_trunks authentication_method type {kind!r} does not exist in API 2022-05-10 "
            "(only IP + credentials trunks); pin api_version 2026-04-16 to use it"
        )
    if "allowed_sip_ips" in inner:
        attrs["allowed_sip_ips"] = inner["allowed_sip_ips"]
    if inner.get("tech_prefix") is not None:
        log.debug("dropping voice_out_trunks tech_prefix: not in API 2022-05-10")
    # username/password are generated by DIDWW in both versions: never sent.


def _auth_from_2022(attrs: Attrs) -> None:
    if not any(k in attrs for k in ("allowed_sip_ips", "username", "password")):
        return
    inner = {k: attrs.pop(k) for k in ("allowed_sip_ips", "username", "password") if k in attrs}
    # Every 2022-05-10 trunk authenticates by source IP plus generated credentials.
    attrs["authentication_method"] = {"type": "credentials_and_ip", "attributes": inner}


def _reasons_to_2022(attrs: Attrs, method: str) -> None:
    attrs.pop("reject_reasons", None)  # server-set: never sent


def _reasons_from_2022(attrs: Attrs) -> None:
    # 2022-05-10 gives one text (or null), 2026-04-16 a list of them.
    if "reject_reasons" in attrs and not isinstance(attrs["reject_reasons"], list):
        reason = attrs["reject_reasons"]
        attrs["reject_reasons"] = [reason] if reason else []


_ORDER_STATUS = {"pending": "Pending", "completed": "Completed", "canceled": "Canceled"}
_SIP_CONFIG = ("configuration", "sip_configurations")
_SIP_2026 = (
    "network_protocol_priority",
    "enabled_sip_registration",
    "use_did_in_ruri",
    "diversion_relay_policy",
    "diversion_inject_mode",
    "cnam_lookup",
)

DIFFERENCES: dict[str, tuple[Difference, ...]] = {
    "2026-04-16": (),
    "2022-05-10": (
        # orders
        EnumValues("orders", "status", _ORDER_STATUS),
        EnumValues("orders", "callback_method", {"get": "GET", "post": "POST"}),
        NewAttribute("orders", "external_reference_id"),
        NewOperation("orders", "PATCH", "orders cannot be updated in 2022-05-10"),
        ChangedDefault("orders", "allow_back_ordering", True),
        NewVariant("orders", "items", "emergency_order_items"),
        # voice_in_trunks
        NewAttribute("voice_in_trunks", "external_reference_id"),
        *(NewAttribute("voice_in_trunks", a, within=_SIP_CONFIG) for a in _SIP_2026),
        LegacyOnlyVariant("voice_in_trunks", "configuration", "h323_configurations"),
        LegacyOnlyVariant("voice_in_trunks", "configuration", "iax2_configurations"),
        # voice_in_trunk_groups, shared_capacity_groups
        NewAttribute("voice_in_trunk_groups", "external_reference_id"),
        NewAttribute("shared_capacity_groups", "external_reference_id"),
        # voice_out_trunks
        Reshaped(
            "voice_out_trunks",
            "authentication_method",
            ("allowed_sip_ips", "username", "password"),
            _auth_to_2022,
            _auth_from_2022,
            "flat allowed_sip_ips/username/password became authentication_method {type, attributes}",
        ),
        NewAttribute("voice_out_trunks", "rtp_timeout"),
        NewAttribute("voice_out_trunks", "emergency_enable_all"),
        NewAttribute("voice_out_trunks", "external_reference_id"),
        NewAttribute("voice_out_trunks", "tech_prefix", within=("authentication_method", "credentials_and_ip")),
        NewRelationship("voice_out_trunks", "emergency_dids"),
        NewFilter("voice_out_trunks", "authentication_method.type"),
        # dids
        NewAttribute("dids", "emergency_enabled"),
        NewRelationship("dids", "emergency_calling_service"),
        NewRelationship("dids", "emergency_verification"),
        NewRelationship("dids", "identity"),
        NewFilter("dids", "emergency_enabled"),
        NewFilter("dids", "emergency_calling_service.id"),
        NewFilterValues("dids", "did_group.features", ("emergency", "cnam_out", "a2p", "p2p")),
        LegacyOnlyFilterValues("dids", "did_group.features", ("sms_out",)),
        # did_reservations
        RenamedAttribute("did_reservations", "expires_at", "expire_at"),
        # encrypted_files (its POST body and answer differ too: DidwwClient.upload_encrypted_file)
        RenamedAttribute("encrypted_files", "expires_at", "expire_at"),
        # capacity_pools: no difference between the two versions.
        # regulation: the same types; 2026-04-16 added external references, reading a proof or a
        # permanent document, and changing a verification's reference.
        *(
            NewAttribute(t, "external_reference_id")
            for t in ("identities", "addresses", "proofs", "permanent_supporting_documents", "address_verifications")
        ),
        NewAttribute("identities", "contact_email"),
        EnumValues("identities", "identity_type", {"personal": "Personal", "business": "Business"}),
        EnumValues("address_verifications", "status", {s: s.capitalize() for s in ("pending", "approved", "rejected")}),
        EnumValues("address_verifications", "callback_method", {"get": "GET", "post": "POST"}),
        Reshaped(
            "address_verifications",
            "reject_reasons",
            ("reject_reasons",),
            _reasons_to_2022,
            _reasons_from_2022,
            "one reason text became a list of reasons",
        ),
        NewRelationship("identities", "birth_country"),
        NewOperation("proofs", "GET", "proofs cannot be read in 2022-05-10"),
        NewOperation("permanent_supporting_documents", "GET", "permanent documents cannot be read in 2022-05-10"),
        NewOperation("address_verifications", "PATCH", "verifications cannot be changed in 2022-05-10"),
        # emergency calling is new in 2026-04-16
        *(
            NewResourceType(t, "emergency calling is new in 2026-04-16")
            for t in (
                "emergency_requirements",
                "emergency_requirement_validations",
                "emergency_verifications",
                "emergency_calling_services",
            )
        ),
    ),
}


def attributes_missing_in(version: str) -> tuple[NewAttribute, ...]:
    """The canonical attributes a pinned version does not have (the stack loader refuses them
    rather than letting the client drop them on every request)."""
    return tuple(d for d in DIFFERENCES.get(version, ()) if isinstance(d, NewAttribute))


def relationships_missing_in(version: str) -> tuple[NewRelationship, ...]:
    return tuple(d for d in DIFFERENCES.get(version, ()) if isinstance(d, NewRelationship))


def types_missing_in(version: str) -> tuple[NewResourceType, ...]:
    return tuple(d for d in DIFFERENCES.get(version, ()) if isinstance(d, NewResourceType))


class Translator:
    """Applies the declared differences of one pinned version; identity for the canonical one."""

    def __init__(self, version: str) -> None:
        if version not in DIFFERENCES:
            raise UnsupportedInVersionError(f"unknown API version {version!r}")
        self.version = version
        self.differences = DIFFERENCES[version]

    @property
    def is_canonical(self) -> bool:
        return not self.differences

    def _of(self, kind: type[Any], resource: str) -> list[Any]:
        return [d for d in self.differences if isinstance(d, kind) and d.resource == resource]

    def _refuse(self, what: str) -> UnsupportedInVersionError:
        return UnsupportedInVersionError(
            f"{what} does not exist in API {self.version}; pin api_version {CANONICAL_VERSION} to use it"
        )

    # -- capability questions (for resource providers) ---------------------------------------------

    def supports_attribute(self, resource: str, attribute: str) -> bool:
        return not any(d.attribute == attribute and d.within is None for d in self._of(NewAttribute, resource))

    def supports_relationship(self, resource: str, name: str) -> bool:
        return not any(d.name == name for d in self._of(NewRelationship, resource))

    def supports_operation(self, resource: str, method: str) -> bool:
        if self._of(NewResourceType, resource):
            return False
        return not any(d.method == method.upper() for d in self._of(NewOperation, resource))

    def check_operation(self, method: str, resource: str) -> None:
        for t in self._of(NewResourceType, resource):
            raise self._refuse(f"/{resource}" + (f" ({t.note})" if t.note else ""))
        for d in self._of(NewOperation, resource):
            if d.method == method.upper():
                raise self._refuse(f"{method.upper()} /{resource}" + (f" ({d.note})" if d.note else ""))

    # -- requests --------------------------------------------------------------------------------------

    def request_document(self, method: str, doc: Mapping[str, Any]) -> dict[str, Any]:
        if self.is_canonical:
            return dict(doc)  # nothing is rewritten, so nothing needs copying
        out: dict[str, Any] = copy.deepcopy(dict(doc))  # never mutate the caller's dicts
        data = out.get("data")
        if isinstance(data, dict):
            self._request_resource(method.upper(), data)
        return out

    def _request_resource(self, method: str, data: dict[str, Any]) -> None:
        rtype = str(data.get("type"))
        self.check_operation(method, rtype)
        attrs: Attrs = data.setdefault("attributes", {})
        if method == "POST":
            for d in self._of(ChangedDefault, rtype):
                attrs.setdefault(d.attribute, d.canonical_default)
        for d in self._of(Reshaped, rtype):
            if d.canonical in attrs:
                d.to_legacy(attrs, method)
        for d in self._of(NewVariant, rtype):
            for item in _variants(attrs.get(d.attribute)):
                if item.get("type") == d.variant:
                    raise self._refuse(f"{rtype} {d.attribute} of type {d.variant!r}")
        for d in self._of(NewAttribute, rtype):
            if d.within is None:
                if attrs.pop(d.attribute, None) is not None:
                    log.debug("dropping %s.%s: not in API %s", rtype, d.attribute, self.version)
            else:
                outer, variant = d.within
                for item in _variants(attrs.get(outer)):
                    if item.get("type") == variant and isinstance(item.get("attributes"), dict):
                        item["attributes"].pop(d.attribute, None)
        for d in self._of(RenamedAttribute, rtype):
            if d.canonical in attrs:
                attrs[d.legacy] = attrs.pop(d.canonical)
        for d in self._of(EnumValues, rtype):
            if isinstance(attrs.get(d.attribute), str):
                attrs[d.attribute] = d.canonical_to_legacy.get(attrs[d.attribute], attrs[d.attribute])
        rels = data.get("relationships")
        if isinstance(rels, dict):
            for d in self._of(NewRelationship, rtype):
                if d.name in rels:
                    value = rels.pop(d.name)
                    if isinstance(value, Mapping) and value.get("data") not in (None, []):
                        raise self._refuse(f"relationship {rtype}.{d.name}")
            if not rels:
                data.pop("relationships")
        if not attrs:
            data.pop("attributes")

    def query(
        self,
        resource: str,
        filters: Mapping[str, Any] | None,
        include: Iterable[str] | None,
        sort: Iterable[str] | None,
    ) -> tuple[dict[str, Any], list[str], list[str]]:
        """Translate filter keys/values, include paths and sort keys of a collection request."""
        f = dict(filters or {})
        inc = list(include or [])
        srt = list(sort or [])
        if self.is_canonical:
            return f, inc, srt
        new_attrs = {d.attribute for d in self._of(NewAttribute, resource) if d.within is None}
        new_attrs |= {d.canonical for d in self._of(Reshaped, resource)}
        new_rels = {d.name for d in self._of(NewRelationship, resource)}
        new_filters = {d.filter for d in self._of(NewFilter, resource)}
        renames = {d.canonical: d.legacy for d in self._of(RenamedAttribute, resource)}
        enums = {d.attribute: d.canonical_to_legacy for d in self._of(EnumValues, resource)}
        out: dict[str, Any] = {}
        for key, value in f.items():
            head = key.split(".", 1)[0]
            if key in new_filters or head in new_attrs or head in new_rels:
                raise self._refuse(f"filter {resource} {key!r}")
            for d in self._of(NewFilterValues, resource):
                if d.filter == key and set(_as_list(value)) & set(d.values):
                    raise self._refuse(
                        f"filter {resource} {key} value(s) {sorted(set(_as_list(value)) & set(d.values))}"
                    )
            if key in enums:
                mapping = enums[key]
                value = (
                    [mapping.get(v, v) for v in value] if isinstance(value, list | tuple) else mapping.get(value, value)
                )
            out[renames.get(key, key)] = value
        for path in inc:
            if path.split(".", 1)[0] in new_rels:
                raise self._refuse(f"include {resource} {path!r}")
        sorted_keys: list[str] = []
        for s in srt:
            desc, name = (s.startswith("-"), s.lstrip("-"))
            if name.split(".", 1)[0] in new_attrs | new_rels:
                raise self._refuse(f"sort {resource} {name!r}")
            sorted_keys.append(("-" if desc else "") + renames.get(name, name))
        return out, inc, sorted_keys

    # -- responses -------------------------------------------------------------------------------------

    def response_document(self, doc: Mapping[str, Any]) -> dict[str, Any]:
        if self.is_canonical:
            return dict(doc)
        out: dict[str, Any] = copy.deepcopy(dict(doc))
        data = out.get("data")
        for r in [*(data if isinstance(data, list) else [data]), *(out.get("included") or [])]:
            if isinstance(r, dict):
                self._response_resource(r)
        return out

    def _response_resource(self, data: dict[str, Any]) -> None:
        rtype = str(data.get("type"))
        attrs = data.get("attributes")
        if not isinstance(attrs, dict):
            return
        for d in self._of(Reshaped, rtype):
            d.from_legacy(attrs)
        for d in self._of(RenamedAttribute, rtype):
            if d.legacy in attrs:
                attrs[d.canonical] = attrs.pop(d.legacy)
        for d in self._of(EnumValues, rtype):
            legacy_to_canonical = {v: k for k, v in d.canonical_to_legacy.items()}
            if isinstance(attrs.get(d.attribute), str):
                attrs[d.attribute] = legacy_to_canonical.get(attrs[d.attribute], attrs[d.attribute])


def _variants(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return []


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list | tuple | set):
        return [str(v) for v in value]
    return [s for s in str(value).split(",")]
