"""The one dynamic provider every DIDWW resource type shares, driven by its ResourceSpec.

Pulumi pickles the provider object (with dill) into the state. Subclasses live in this installed
package, so the pickle names them by module path and an upgrade of the package changes what a
later refresh or delete runs. The pickle holds only the non-secret `Connection`; the API key is
resolved in `configure()` inside the provider process.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, ClassVar

from pulumi.dynamic import (
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from didww_iac.api import DidwwClient, NotFoundError, Ref, Resource
from didww_iac.resources.connection import Connection, resolve_api_key, shared_client
from didww_iac.resources.diffing import compare
from didww_iac.resources.spec import Kind, ResourceSpec
from didww_iac.settings import API_KEY_CONFIG

log = logging.getLogger(__name__)

# Input that names an existing DIDWW id to adopt instead of creating (Pulumi cannot import into
# dynamic providers, pulumi/pulumi#16175).
ADOPT_ID = "adopt_id"


class DidwwProvider(ResourceProvider):
    spec: ClassVar[ResourceSpec]
    # The pickle holds no secret, so it need not be encrypted; keeping it readable lets a
    # reviewer (and a test) see that it references the class by module path.
    serialize_as_secret_always = False

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._api_key: str | None = None
        self._lock = threading.Lock()

    # Only the connection is pickled: never a client, a lock or a key.
    def __getstate__(self) -> dict[str, Any]:
        return {"connection": self.connection}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.connection = state["connection"]
        self._api_key = None
        self._lock = threading.Lock()

    def configure(self, req: ConfigureRequest) -> None:
        self._api_key = resolve_api_key(req.config.get(API_KEY_CONFIG), self.connection)

    @property
    def client(self) -> DidwwClient:
        with self._lock:
            if self._api_key is None:
                self._api_key = resolve_api_key(None, self.connection)
            return shared_client(self.connection, self._api_key)

    # --- Pulumi's CRUD contract -------------------------------------------------------------

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return CheckResult(news, [])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changes = compare(self.spec, olds, news)
        replaces = [c.field for c in changes if c.replace]
        return DiffResult(
            changes=bool(changes),
            replaces=replaces,
            stables=[f.name for f in self.spec.fields if not f.writable],
            delete_before_replace=False,
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        adopt_id = props.get(ADOPT_ID)
        if adopt_id:
            existing = self.client.get(self.spec.api_type, adopt_id, include=list(self.spec.include))
            resource = self._converge(existing, props)
        else:
            resource = self.client.create(
                self.spec.api_type,
                attributes=self._attributes(props),
                relationships=self._relationships(props),
            )
            if self.spec.include:
                resource = self.client.get(self.spec.api_type, resource.id, include=list(self.spec.include))
        return CreateResult(resource.id, self._outputs(resource, props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        try:
            resource = self.client.get(self.spec.api_type, id_, include=list(self.spec.include))
        except NotFoundError:
            # Gone behind our back: an empty id tells the engine the resource no longer exists.
            return ReadResult("", {})
        return ReadResult(resource.id, self._outputs(resource, props))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        changed = {c.field for c in compare(self.spec, olds, news)}
        resource = self.client.update(
            self.spec.api_type,
            id_,
            attributes={k: v for k, v in self._attributes(news).items() if k in changed},
            relationships={k: v for k, v in self._relationships(news).items() if k in changed},
        )
        if self.spec.include:
            resource = self.client.get(self.spec.api_type, id_, include=list(self.spec.include))
        return UpdateResult(self._outputs(resource, news))

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        try:
            self.client.delete(self.spec.api_type, id_)
        except NotFoundError:
            log.info("%s %s was already gone", self.spec.api_type, id_)

    # --- mapping between Pulumi properties and JSON:API documents ------------------------------

    def _converge(self, existing: Resource, props: dict[str, Any]) -> Resource:
        """Apply declared settings to an adopted resource (only what differs)."""
        live = self._outputs(existing, props)
        changed = {c.field for c in compare(self.spec, live, props)}
        if not changed:
            return existing
        self.client.update(
            self.spec.api_type,
            existing.id,
            attributes={k: v for k, v in self._attributes(props).items() if k in changed},
            relationships={k: v for k, v in self._relationships(props).items() if k in changed},
        )
        return self.client.get(self.spec.api_type, existing.id, include=list(self.spec.include))

    def _attributes(self, props: dict[str, Any]) -> dict[str, Any]:
        return {
            f.name: _without_nones(props[f.name])
            for f in self.spec.writable_fields
            if f.kind is Kind.ATTRIBUTE and props.get(f.name) is not None
        }

    def _relationships(self, props: dict[str, Any]) -> dict[str, Any]:
        """Declared relationships only: an empty string clears a to-one, [] clears a to-many."""
        rels: dict[str, Any] = {}
        for f in self.spec.writable_fields:
            value = props.get(f.name)
            if f.kind is Kind.ATTRIBUTE or value is None:
                continue
            assert f.related_type is not None
            if f.kind is Kind.TO_ONE:
                rels[f.name] = Ref(f.related_type, value) if value else None
            else:
                rels[f.name] = [Ref(f.related_type, v) for v in value]
        return rels

    def _outputs(self, resource: Resource, props: dict[str, Any]) -> dict[str, Any]:
        outs: dict[str, Any] = {ADOPT_ID: props.get(ADOPT_ID)}
        for f in self.spec.fields:
            if f.kind is Kind.ATTRIBUTE:
                outs[f.name] = resource.attributes.get(f.name)
                continue
            rel = resource.relationships.get(f.name)
            if f.kind is Kind.TO_ONE:
                outs[f.name] = rel.id if isinstance(rel, Ref) else None
            else:
                outs[f.name] = sorted(r.id for r in rel) if isinstance(rel, list) else []
        return outs


def _without_nones(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nones(v) for k, v in value.items() if v is not None}
    return value
