"""The stack file's schema: what a team may declare in stacks/<env>.yaml.

Names follow DIDWW's API attribute names so the docs of both read the same. Every model forbids
unknown keys (a typo is an error, not a silently ignored setting) and is strict about types (a
quoted number is an error, not a guess).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from didww_iac.settings import DEFAULT_RATE_LIMIT, LATEST_API_VERSION

LogicalName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")]
Priority = Annotated[int, Field(ge=0, le=65535)]
ExternalReferenceId = Annotated[str, StringConstraints(max_length=100)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


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
    name: str
    priority: Priority = 1
    weight: Priority = 100
    capacity_limit: int | None = Field(None, ge=0)
    ringing_timeout: int = Field(30, ge=1)
    cli_format: Literal["raw", "e164", "local"] = "raw"
    cli_prefix: str | None = None
    description: str | None = None
    external_reference_id: ExternalReferenceId | None = None
    sip: SipConfiguration | None = None
    pstn: PstnConfiguration | None = None
    adopt_id: str | None = Field(
        None, description="Adopt this existing DIDWW trunk id instead of creating one."
    )

    @model_validator(mode="after")
    def _one_configuration(self) -> VoiceInTrunk:
        if (self.sip is None) == (self.pstn is None):
            raise ValueError("declare exactly one of `sip:` or `pstn:`")
        return self


class VoiceInTrunkGroup(Strict):
    name: str
    capacity_limit: int | None = Field(None, ge=0)
    external_reference_id: ExternalReferenceId | None = None
    trunks: list[LogicalName] = Field(default_factory=list, description="Logical names of member trunks.")
    adopt_id: str | None = None


class Stack(Strict):
    api_version: Literal["2022-05-10", "2026-04-16"] = LATEST_API_VERSION
    endpoint: str = Field("emulator", description="emulator, sandbox, production, or a URL")
    rate_limit: float = Field(DEFAULT_RATE_LIMIT, gt=0)
    limiter: str = Field("sqlite", description="process, sqlite, or redis://host:port/db")
    voice_in_trunk_groups: dict[LogicalName, VoiceInTrunkGroup] = Field(default_factory=dict)
    voice_in_trunks: dict[LogicalName, VoiceInTrunk] = Field(default_factory=dict)
