"""The stack file's schema: what a team may declare in stacks/<env>.yaml.

Names follow DIDWW's API attribute names so the docs of both read the same. A setting left out
is not managed: no model gives a DIDWW setting a default of its own (the defaults here are the
tool's own settings, such as what to do on delete). Every model forbids
unknown keys (a typo is an error, not a silently ignored setting) and is strict about types (a
quoted number is an error, not a guess).
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator

from didww_iac.api import ConfigurationError
from didww_iac.api.settings import resolve_endpoint
from didww_iac.settings import DEFAULT_RATE_LIMIT, LATEST_API_VERSION
from didww_iac.stack.common import ExternalReferenceId, LogicalName, Priority, Strict
from didww_iac.stack.regulation import (
    Address,
    AddressVerification,
    EmergencyCallingService,
    Identity,
    PermanentSupportingDocument,
    Proof,
)

__all__ = [
    "Address",
    "AddressVerification",
    "EmergencyCallingService",
    "ExternalReferenceId",
    "Identity",
    "LogicalName",
    "PermanentSupportingDocument",
    "Priority",
    "Proof",
    "Strict",
]


class SipConfiguration(Strict):
    # DIDWW requires the R-URI user part ("{DID}" is replaced by the called number).
    username: str
    host: str | None = None
    port: int | None = Field(None, ge=1, le=65535)
    auth_enabled: bool | None = None
    auth_user: str | None = None
    auth_password: str | None = None
    auth_from_user: str | None = None
    auth_from_domain: str | None = None
    codec_ids: list[int] | None = None
    rx_dtmf_format_id: int | None = None
    tx_dtmf_format_id: int | None = None
    resolve_ruri: bool | None = None
    sst_enabled: bool | None = None
    sst_min_timer: int | None = None
    sst_max_timer: int | None = None
    sst_session_expires: int | None = None
    sst_refresh_method_id: Literal[1, 2, 3] | None = None
    sst_accept_501: bool | None = None
    sip_timer_b: int | None = None
    dns_srv_failover_timer: int | None = None
    rtp_ping: bool | None = None
    rtp_timeout: int | None = None
    force_symmetric_rtp: bool | None = None
    symmetric_rtp_ignore_rtcp: bool | None = None
    rerouting_disconnect_code_ids: list[int] | None = None
    transport_protocol_id: int | None = None
    max_transfers: int | None = None
    max_30x_redirects: int | None = None
    media_encryption_mode: str | None = None
    stir_shaken_mode: str | None = None
    allowed_rtp_ips: list[str] | None = None
    network_protocol_priority: str | None = None
    enabled_sip_registration: bool | None = None
    use_did_in_ruri: bool | None = None
    diversion_relay_policy: str | None = None
    diversion_inject_mode: str | None = None
    cnam_lookup: bool | None = None


class PstnConfiguration(Strict):
    dst: str


class VoiceInTrunk(Strict):
    # Left out, a setting is not managed: DIDWW's default on create, the live value afterwards.
    name: str
    priority: Priority | None = None
    weight: Priority | None = None
    capacity_limit: int | None = Field(None, ge=0)
    ringing_timeout: int | None = Field(None, ge=1)
    cli_format: Literal["raw", "e164", "local"] | None = None
    cli_prefix: str | None = None
    description: str | None = None
    external_reference_id: ExternalReferenceId | None = None
    sip: SipConfiguration | None = None
    pstn: PstnConfiguration | None = None
    pop: str | None = Field(None, description='DIDWW\'s point of presence by name, e.g. "DE, FRA" (`catalogue`).')
    adopt_id: str | None = Field(None, description="Adopt this existing DIDWW trunk id instead of creating one.")

    @model_validator(mode="after")
    def _one_configuration(self) -> VoiceInTrunk:
        if (self.sip is None) == (self.pstn is None):
            raise ValueError("declare exactly one of `sip:` or `pstn:`")
        return self


class VoiceInTrunkGroup(Strict):
    name: str
    capacity_limit: int | None = Field(None, ge=0)
    external_reference_id: ExternalReferenceId | None = None
    trunks: list[LogicalName] | None = Field(
        None, description="Logical names of member trunks; left out, membership is not managed here ([] empties it)."
    )
    adopt_id: str | None = None


class OrderItem(Strict):
    """One line of an order. The kind follows from the keys: `qty` alone buys that many numbers of
    the SKU; `available_did_id` or `did_reservation_id` buys that one number; `nanpa_prefix_id`
    buys US/Canada numbers of that prefix (`qty` of them, DIDWW's default 1); `capacity_pool_id`
    with `qty` buys channels."""

    sku_id: str | None = None
    qty: int | None = Field(None, ge=1)
    available_did_id: str | None = None
    did_reservation_id: str | None = None
    nanpa_prefix_id: str | None = None
    capacity_pool_id: str | None = None
    billing_cycles_count: int | None = Field(
        None, ge=0, le=999, description="Months the numbers are renewed for; left out, until released."
    )
    prorate_days_qty: int | None = Field(None, ge=0, description="Days of service the first charge covers.")

    @model_validator(mode="after")
    def _one_kind(self) -> OrderItem:
        if self.capacity_pool_id is not None:
            if self.qty is None or self.sku_id is not None:
                raise ValueError("a capacity item takes `capacity_pool_id` and `qty` (no `sku_id`)")
            return self
        if self.sku_id is None:
            raise ValueError("an item needs `sku_id` (or `capacity_pool_id` for channels)")
        singles = [k for k in ("available_did_id", "did_reservation_id") if getattr(self, k) is not None]
        if len(singles) > 1 or (singles and (self.qty is not None or self.nanpa_prefix_id is not None)):
            raise ValueError("`available_did_id` and `did_reservation_id` each buy one number: no `qty` with them")
        if not singles and self.qty is None and self.nanpa_prefix_id is None:
            raise ValueError("say how many numbers with `qty`")
        return self

    @property
    def numbers(self) -> int:
        """How many DIDs this item delivers."""
        if self.capacity_pool_id is not None:
            return 0
        return self.qty if self.qty is not None else 1


class Order(Strict):
    items: list[OrderItem] = Field(min_length=1)
    allow_back_ordering: bool | None = None
    external_reference_id: ExternalReferenceId | None = None
    callback_url: str | None = None
    callback_method: Literal["get", "post"] | None = None
    on_delete: Literal["refuse", "release", "forget"] = Field(
        "refuse",
        description="When the entry is removed after completion: refuse (default), release (terminate "
        "its numbers) or forget (stop managing, keep the numbers).",
    )
    wait_timeout_seconds: int = Field(600, ge=1, le=86400)
    adopt_id: str | None = None

    @property
    def numbers(self) -> int:
        return sum(item.numbers for item in self.items)


class Did(Strict):
    """A number in the account, found by `number`, `adopt_id`, or `order` + `index`."""

    number: str | None = None
    order: LogicalName | None = None
    index: int = Field(0, ge=0, description="Which number of the order (0-based, in number order).")
    adopt_id: str | None = None
    description: str | None = None
    capacity_limit: int | None = Field(None, ge=0)
    billing_cycles_count: int | None = Field(None, ge=0)
    terminated: bool | None = None
    dedicated_channels_count: int | None = Field(None, ge=0)
    voice_in_trunk: LogicalName | None = None
    voice_in_trunk_group: LogicalName | None = None
    capacity_pool: LogicalName | None = Field(None, description="A `capacity_pools` entry (or `capacity_pool_id`).")
    capacity_pool_id: str | None = None
    shared_capacity_group: LogicalName | None = Field(
        None, description="A `shared_capacity_groups` entry (or `shared_capacity_group_id`)."
    )
    shared_capacity_group_id: str | None = None
    on_delete: Literal["detach", "terminate"] = "detach"

    @model_validator(mode="after")
    def _one_source_one_route(self) -> Did:
        sources = [k for k in ("number", "order", "adopt_id") if getattr(self, k) is not None]
        if len(sources) != 1:
            raise ValueError("find the number with exactly one of `number`, `order` (+ `index`) or `adopt_id`")
        if self.voice_in_trunk is not None and self.voice_in_trunk_group is not None:
            raise ValueError("route to `voice_in_trunk` or `voice_in_trunk_group`, not both (DIDWW keeps one)")
        for by_name in ("capacity_pool", "shared_capacity_group"):
            if getattr(self, by_name) is not None and getattr(self, f"{by_name}_id") is not None:
                raise ValueError(f"give `{by_name}` (an entry of this file) or `{by_name}_id`, not both")
        return self


class OutboundAuthentication(Strict):
    """How DIDWW recognises calls from this trunk. DIDWW generates the SIP username and password
    of `credentials_and_ip` (stored as secrets); `twilio` takes the Twilio account SID."""

    type: Literal["credentials_and_ip", "twilio"]
    allowed_sip_ips: list[str] | None = Field(None, max_length=15)
    tech_prefix: str | None = Field(None, pattern=r"^[0-9#]{0,8}$")
    twilio_account_sid: str | None = None

    @model_validator(mode="after")
    def _fits_type(self) -> OutboundAuthentication:
        if self.type == "twilio" and not self.twilio_account_sid:
            raise ValueError("`twilio` needs `twilio_account_sid`")
        if self.type == "credentials_and_ip" and self.twilio_account_sid is not None:
            raise ValueError("`twilio_account_sid` belongs to `type: twilio`")
        return self


class VoiceOutTrunk(Strict):
    name: str
    authentication: OutboundAuthentication
    allowed_rtp_ips: list[str] | None = Field(None, max_length=10)
    allow_any_did_as_cli: bool | None = None
    on_cli_mismatch_action: Literal["send_original_cli", "reject_call"] | None = None
    status: Literal["active", "blocked"] | None = None
    capacity_limit: int | None = Field(None, ge=0, le=32767)
    threshold_amount: str | None = Field(None, pattern=r"^\d+(\.\d+)?$", description='Money, e.g. "500.00".')
    media_encryption_mode: Literal["disabled", "srtp_sdes", "srtp_dtls", "zrtp"] | None = None
    default_dst_action: Literal["allow_all", "reject_all"] | None = None
    dst_prefixes: list[str] | None = None
    force_symmetric_rtp: bool | None = None
    rtp_ping: bool | None = None
    rtp_timeout: int | None = Field(None, ge=0)
    callback_url: str | None = None
    emergency_enable_all: bool | None = None
    external_reference_id: ExternalReferenceId | None = None
    dids: list[LogicalName] | None = Field(None, description="Logical names of `dids` entries it may send as CLI.")
    emergency_dids: list[LogicalName] | None = Field(
        None, description="`dids` entries whose emergency calls it may place (API 2026-04-16)."
    )
    credentials_rotation: str | None = Field(
        None,
        max_length=100,
        description="Any value of yours (a date): changing it has DIDWW generate a new SIP username and password.",
    )
    adopt_id: str | None = None


class CapacityPool(Strict):
    """A capacity pool the account has: DIDWW's API cannot create or delete one (a capacity
    order adds channels), so the entry adopts it by `name` or `adopt_id`, and removing the entry
    leaves the pool as it is."""

    name: str | None = Field(None, description="The pool's name in DIDWW (unique in the account).")
    adopt_id: str | None = None
    total_channels_count: int | None = Field(
        None, ge=0, description="Lowering it removes unassigned channels; adding channels is a capacity order."
    )

    @model_validator(mode="after")
    def _found_one_way(self) -> CapacityPool:
        if (self.name is None) == (self.adopt_id is None):
            raise ValueError("find the pool with exactly one of `name` or `adopt_id` (pools cannot be created)")
        return self


class SharedCapacityGroup(Strict):
    name: str
    shared_channels_count: int = Field(ge=0, description="Channels of the pool given to the group.")
    metered_channels_count: int = Field(ge=0, description="Metered channels on top of the shared ones.")
    capacity_pool: LogicalName | None = Field(None, description="A `capacity_pools` entry (or `capacity_pool_id`).")
    capacity_pool_id: str | None = None
    external_reference_id: ExternalReferenceId | None = None
    dids: list[LogicalName] | None = Field(
        None, description="Logical names of `dids` entries in the group; left out, membership is not managed here."
    )
    adopt_id: str | None = None

    @model_validator(mode="after")
    def _one_pool(self) -> SharedCapacityGroup:
        if (self.capacity_pool is None) == (self.capacity_pool_id is None):
            raise ValueError("name the pool with exactly one of `capacity_pool` (an entry) or `capacity_pool_id`")
        return self


class DidReservation(Strict):
    """An available number held for a while (DIDWW's default: ten minutes) before it is ordered."""

    available_did_id: str
    description: str | None = None


class Stack(Strict):
    api_version: Literal["2022-05-10", "2026-04-16"] = LATEST_API_VERSION
    endpoint: str = Field("emulator", description="emulator, sandbox, production, or a URL")
    rate_limit: float = Field(DEFAULT_RATE_LIMIT, gt=0)
    max_new_order_cost: str | None = Field(
        None,
        pattern=r"^\d+(\.\d+)?$",
        description='Most that the new orders of one run may debit (setup + first month), e.g. "50.00"; '
        "preview and up stop before ordering anything beyond it.",
    )
    limiter: str = Field(
        "sqlite",
        description="process, sqlite, redis (URL from DIDWW_IAC_REDIS_URL), or redis://host:port/db",
    )
    voice_in_trunk_groups: dict[LogicalName, VoiceInTrunkGroup] = Field(default_factory=dict)
    voice_in_trunks: dict[LogicalName, VoiceInTrunk] = Field(default_factory=dict)
    orders: dict[LogicalName, Order] = Field(default_factory=dict)
    dids: dict[LogicalName, Did] = Field(default_factory=dict)
    voice_out_trunks: dict[LogicalName, VoiceOutTrunk] = Field(default_factory=dict)
    capacity_pools: dict[LogicalName, CapacityPool] = Field(default_factory=dict)
    shared_capacity_groups: dict[LogicalName, SharedCapacityGroup] = Field(default_factory=dict)
    did_reservations: dict[LogicalName, DidReservation] = Field(default_factory=dict)
    identities: dict[LogicalName, Identity] = Field(default_factory=dict)
    addresses: dict[LogicalName, Address] = Field(default_factory=dict)
    proofs: dict[LogicalName, Proof] = Field(default_factory=dict)
    permanent_supporting_documents: dict[LogicalName, PermanentSupportingDocument] = Field(default_factory=dict)
    address_verifications: dict[LogicalName, AddressVerification] = Field(default_factory=dict)
    emergency_calling_services: dict[LogicalName, EmergencyCallingService] = Field(default_factory=dict)

    @field_validator("endpoint")
    @classmethod
    def _known_endpoint(cls, value: str) -> str:
        try:
            resolve_endpoint(value)
        except ConfigurationError as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("limiter")
    @classmethod
    def _known_limiter(cls, value: str) -> str:
        if value in {"process", "sqlite", "redis"}:
            return value
        parts = urlsplit(value)
        if parts.scheme not in {"redis", "rediss"} or not parts.hostname:
            raise ValueError("use process, sqlite, redis, or a redis://host:port/db URL")
        if parts.password is not None or parts.username is not None:
            # The stack file is reviewed in git and its settings reach Pulumi state.
            raise ValueError("no credentials here: write `limiter: redis` and put the URL in DIDWW_IAC_REDIS_URL")
        return value
