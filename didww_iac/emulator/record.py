"""One stored resource: the unit every part of the emulator passes around."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Record:
    type: str
    id: str
    seq: int
    attributes: dict[str, Any]
    relationships: dict[str, Any]
    # Server bookkeeping that is never rendered (an order's due time and reserved numbers).
    internal: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "id": self.id,
            "seq": self.seq,
            "attributes": self.attributes,
            "relationships": self.relationships,
            "internal": self.internal,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Record:
        return cls(
            type=data["type"],
            id=data["id"],
            seq=int(data["seq"]),
            attributes=dict(data["attributes"]),
            relationships=dict(data["relationships"]),
            internal=dict(data.get("internal") or {}),
        )
