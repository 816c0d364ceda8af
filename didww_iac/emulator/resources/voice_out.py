"""voice_out_trunks.

2026-04-16 keeps SIP authentication in the polymorphic ``authentication_method``; 2022-05-10 had
flat ``allowed_sip_ips`` plus server-generated ``username``/``password`` (rendered masked). The
record is stored in the 2026 shape and the behaviour translates 2022 requests and responses.
"""

from __future__ import annotations

import string
from typing import Any

from didww_iac.emulator.behaviour import AccountOps
from didww_iac.emulator.errors import FieldError
from didww_iac.emulator.resources.common import V2022, V2026, created_at, external_reference_id
from didww_iac.emulator.resources.voice_in import MEDIA_ENCRYPTION_MODES
from didww_iac.emulator.schema import (
    AccountView,
    Attr,
    Behaviour,
    DefaultContext,
    Filter,
    Record,
    Relationship,
    ResourceType,
    Variant,
)

_ALPHABET = string.ascii_letters + string.digits


def _credential(ctx: DefaultContext) -> str:
    return "".join(ctx.rng.choice(_ALPHABET) for _ in range(16))


def _sip_ips() -> Attr:
    return Attr("allowed_sip_ips", kind="ip_list", max_items=15)


def _tech_prefix() -> Attr:
    return Attr("tech_prefix", pattern=r"[0-9#]{0,8}")


AUTHENTICATION_METHOD = Attr(
    "authentication_method",
    kind="variant",
    required=True,
    nullable=False,
    since=V2026,
    variants=(
        # ip_only exists on older trunks only: it can be neither created nor switched to.
        Variant("ip_only", (_sip_ips(), _tech_prefix()), creatable=False, updatable=False),
        Variant(
            "credentials_and_ip",
            (
                _sip_ips(),
                _tech_prefix(),
                Attr("username", writable=False, default_factory=_credential),
                Attr("password", writable=False, default_factory=_credential),
            ),
        ),
        Variant("twilio", (Attr("twilio_account_sid", required=True),)),
    ),
)


class VoiceOutTrunkBehaviour(Behaviour):
    def translate_input(
        self, version: str, attributes: dict[str, Any], existing: Record | None, ctx: DefaultContext
    ) -> dict[str, Any]:
        if version > V2022 or "allowed_sip_ips" not in attributes:
            return attributes
        translated = {k: v for k, v in attributes.items() if k != "allowed_sip_ips"}
        # A 2022 trunk always authenticates by IP and generated credentials.
        translated["authentication_method"] = {
            "type": "credentials_and_ip",
            "attributes": {"allowed_sip_ips": attributes["allowed_sip_ips"]},
        }
        return translated

    def render_virtual(self, account: AccountView, version: str, record: Record, attr: Attr) -> Any:
        method = record.attributes.get("authentication_method") or {}
        fields = method.get("attributes", {})
        if attr.name == "allowed_sip_ips":
            return fields.get("allowed_sip_ips")
        secret = fields.get(attr.name)
        # 2022-05-10 shows credentials masked, e.g. "91********".
        return f"{secret[:2]}********" if isinstance(secret, str) else None

    def reconcile(
        self, account: AccountView, record: Record, existing: Record | None, given: set[str]
    ) -> list[FieldError]:
        """``allow_any_did_as_cli`` excludes explicit ``dids``, ``emergency_enable_all`` explicit
        ``emergency_dids``: naming them is a 422, leaving them out unassigns them (docs)."""
        problems = []
        for flag, relationship in (
            ("allow_any_did_as_cli", "dids"),
            ("emergency_enable_all", "emergency_dids"),
        ):
            if not record.attributes.get(flag):
                continue
            if relationship in given and record.relationships.get(relationship):
                message = f"must be blank when {flag} is true"
                problems.append(FieldError(f"/data/relationships/{relationship}", relationship, message))
            record.relationships[relationship] = []
        return problems

    def validate(self, account: AccountView, record: Record, existing: Record | None) -> list[FieldError]:
        method = record.attributes.get("authentication_method") or {}
        if method.get("type") == "credentials_and_ip" and method["attributes"].get("allowed_sip_ips") is None:
            return [FieldError("/data/attributes/authentication_method", "authentication_method", "is invalid")]
        return []

    def meta(self, account: AccountView, record: Record) -> dict[str, Any] | None:
        return {"spent_amount": "0.0"}


VOICE_OUT_TRUNKS = ResourceType(
    name="voice_out_trunks",
    attributes=(
        Attr("allowed_sip_ips", kind="ip_list", max_items=15, virtual=True, until=V2022),
        Attr("allowed_rtp_ips", kind="ip_list", max_items=10),
        Attr("allow_any_did_as_cli", kind="boolean", default=False, nullable=False),
        Attr("status", default="active", nullable=False, choices=("active", "blocked")),
        Attr(
            "on_cli_mismatch_action",
            default="send_original_cli",
            nullable=False,
            choices=("send_original_cli", "reject_call"),
        ),
        Attr("name", required=True, unique=True),
        Attr("capacity_limit", kind="integer", minimum=0, maximum=32767),
        Attr("username", writable=False, virtual=True, until=V2022),
        Attr("password", writable=False, virtual=True, until=V2022),
        created_at(),
        Attr("threshold_reached", kind="boolean", default=False, writable=False),
        Attr("threshold_amount", kind="decimal", default="3000.0", nullable=False, minimum=0, maximum=100000),
        Attr("media_encryption_mode", default="disabled", nullable=False, choices=MEDIA_ENCRYPTION_MODES),
        Attr("default_dst_action", default="allow_all", nullable=False, choices=("allow_all", "reject_all")),
        Attr("dst_prefixes", kind="string_list", default=[]),
        Attr("force_symmetric_rtp", kind="boolean", default=False, nullable=False),
        Attr("rtp_ping", kind="boolean", default=False, nullable=False),
        Attr("callback_url", pattern=r"https?://\S+"),
        external_reference_id(),
        AUTHENTICATION_METHOD,
        Attr("emergency_enable_all", kind="boolean", default=False, nullable=False, since=V2026),
        Attr("rtp_timeout", kind="integer", default=30, minimum=0, since=V2026),
    ),
    relationships=(
        Relationship("dids", "dids", to_many=True),
        Relationship("emergency_dids", "dids", to_many=True, since=V2026),
    ),
    filters=(
        Filter("name", "name"),
        Filter("name_contains", "name", contains=True),
        Filter("on_cli_mismatch_action", "on_cli_mismatch_action"),
        Filter("allow_any_did_as_cli", "allow_any_did_as_cli"),
        Filter("status", "status"),
        Filter("threshold_reached", "threshold_reached"),
        Filter("default_dst_action", "default_dst_action"),
        Filter("media_encryption_mode", "media_encryption_mode"),
        Filter("authentication_method.type", "authentication_method.type", since=V2026),
        Filter("external_reference_id", "external_reference_id", since=V2026),
        # default_did needs the replace_cli account feature, which no emulated account has: the
        # filter exists (DIDWW's OpenAPI document) and matches a blank value only.
        Filter("default_did.id", "default_did.id"),
    ),
    sorts=("name", "created_at", "allow_any_did_as_cli", "threshold_reached", "external_reference_id"),
    behaviour=VoiceOutTrunkBehaviour(),
)


class RegenerateCredentialsBehaviour(Behaviour):
    """POST voice_out_trunk_regenerate_credentials: new username and password for the trunk."""

    def validate(self, account: AccountView, record: Record, existing: Record | None) -> list[FieldError]:
        trunk = account.find("voice_out_trunks", record.relationships.get("voice_out_trunk") or "")
        method = (trunk.attributes.get("authentication_method") or {}) if trunk else {}
        if trunk is not None and method.get("type") != "credentials_and_ip":
            # Only credentials_and_ip trunks have credentials to regenerate.
            return [FieldError("/data/relationships/voice_out_trunk", "voice_out_trunk", "is invalid")]
        return []

    def action(self, ops: AccountOps, record: Record) -> Record:
        trunk = ops.find("voice_out_trunks", record.relationships["voice_out_trunk"])
        assert trunk is not None  # checked by the linkage validation
        ctx = DefaultContext(rng=ops.rng, now=ops.now_iso())
        fields = trunk.attributes["authentication_method"]["attributes"]
        fields["username"], fields["password"] = _credential(ctx), _credential(ctx)
        ops.save(trunk)
        # The recorded 201 answers with the trunk's id and this type, nothing else.
        return Record(record.type, trunk.id, 0, {}, {})


VOICE_OUT_TRUNK_REGENERATE_CREDENTIALS = ResourceType(
    name="voice_out_trunk_regenerate_credentials",
    attributes=(),
    relationships=(Relationship("voice_out_trunk", "voice_out_trunks", required=True),),
    operations=frozenset({"create"}),
    stored=False,
    behaviour=RegenerateCredentialsBehaviour(),
)
