"""proofs: documents proving an identity or an address. DIDWW's `entity` relationship names
either; the entry declares `identity:` or `address:` and the provider sends the one declared."""

from __future__ import annotations

from typing import Any

from didww_iac.api import Ref
from didww_iac.resource_types.proofs import PROOFS
from didww_iac.resources.serialization import SharedProviderResource
from didww_iac.resources.uploads import DocumentProvider

__all__ = ["PROOFS", "Proof", "ProofProvider"]

ENTITY_TYPES = {"identity": "identities", "address": "addresses"}


class ProofProvider(DocumentProvider):
    spec = PROOFS
    document_relationships = (("files", "files"),)

    def _relationships(self, props: dict[str, Any]) -> dict[str, Any]:
        rels = super()._relationships(props)
        for prop, api_type in ENTITY_TYPES.items():
            if props.get(prop):
                rels["entity"] = Ref(api_type, props[prop])
        return rels


class Proof(SharedProviderResource, module="didww", name="Proof"):
    pass
