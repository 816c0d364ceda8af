"""Attribute declarations shared by several resource types."""

from __future__ import annotations

from didww_iac.emulator.schema import Attr

V2026 = "2026-04-16"
V2022 = "2022-05-10"


def created_at() -> Attr:
    return Attr("created_at", kind="datetime", writable=False, default_factory=lambda ctx: ctx.now)


def external_reference_id(nullable: bool = True) -> Attr:
    # Free text, at most 100 characters, new in 2026-04-16 (Changelog). Orders and exports take
    # no null (DIDWW's OpenAPI document).
    return Attr("external_reference_id", max_length=100, nullable=nullable, since=V2026)
