"""Providers of the types that carry documents (proofs, permanent documents, verifications).

At create, each declared file is read (checked against the digest the plan showed), encrypted
with DIDWW's public keys and uploaded as an encrypted file; the resource's POST then names the
uploads. A retried POST reuses them: uploads expire unused after 24 hours and nothing refers to
them, so an upload whose resource never came to be costs nothing.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any, ClassVar

from pulumi.dynamic import ReadResult

from didww_iac.api import Ref, Resource
from didww_iac.resources.documents import DocumentError, document_content
from didww_iac.resources.errors import SOURCE_LOCATION, DidwwResourceError
from didww_iac.resources.provider import DidwwProvider

# Inside a create's properties only: relationship -> the ids of this create's uploads.
UPLOADED = "__uploaded"


class DocumentProvider(DidwwProvider):
    # (property holding declared files, the relationship DIDWW takes their uploads in)
    document_relationships: ClassVar[tuple[tuple[str, str], ...]]

    def _post(self, props: dict[str, Any]) -> Resource:
        uploaded = {
            relationship: [self._upload(props, key, declared) for declared in props[key]]
            for key, relationship in self.document_relationships
            if props.get(key)
        }
        return super()._post({**props, UPLOADED: uploaded})

    def _upload(self, props: dict[str, Any], key: str, declared: dict[str, Any]) -> str:
        stack_file = str((props.get(SOURCE_LOCATION) or {}).get("file") or "")
        try:
            content = document_content(stack_file, declared, key)
        except DocumentError as exc:
            raise DidwwResourceError(f"{key}: {exc}") from None
        return self.client.upload_encrypted_file(content, PurePosixPath(str(declared["path"])).name).id

    def _relationships(self, props: dict[str, Any]) -> dict[str, Any]:
        rels = super()._relationships(props)
        for relationship, ids in (props.get(UPLOADED) or {}).items():
            rels[relationship] = [Ref("encrypted_files", i) for i in ids]
        return rels

    def _read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        if not self.client.supports_operation(self.spec.api_type, "GET"):
            # API 2022-05-10 cannot read proofs back: what was made is what the state says.
            return ReadResult(id_, props)
        return super()._read(id_, props)
