"""POPs: read-only catalogue data a voice in trunk may point at."""

from __future__ import annotations

import uuid

from didww_iac.emulator.schema import Attr, Record, ResourceType, SeedOptions

_NAMESPACE = uuid.UUID("9a4c6f0e-53b5-4c4b-9a8e-2b7f4f1f6c11")
_SEEDED_AT = "2021-05-13T09:21:37.626Z"
POP_NAMES = ("USA, NY", "DE, FRA", "UK, LON", "USA, LA", "SG, SIN")


def pop_id(name: str) -> str:
    """Stable ids, so a persisted trunk still points at the same POP after a restart."""
    return str(uuid.uuid5(_NAMESPACE, name))


def _seed(options: SeedOptions) -> list[Record]:
    return [Record("pops", pop_id(name), 0, {"name": name, "created_at": _SEEDED_AT}, {}) for name in POP_NAMES]


POPS = ResourceType(
    name="pops",
    attributes=(Attr("name", writable=False), Attr("created_at", kind="datetime", writable=False)),
    read_only=True,
    paginated=False,
    seed=_seed,
)
