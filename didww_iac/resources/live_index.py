"""One listing per resource type per provider process, instead of one GET per resource.

A refresh (and the refresh before every `up`/`preview`) reads every managed resource. The engine
asks the provider for them one by one, concurrently; the first read of a type lists the whole
collection (100 per page) and later reads are answered from that listing, so N trunks cost
ceil(N/100) requests instead of N. The same listing tells a create whether a resource with its
`external_reference_id` already exists (left by a crashed or timed-out earlier run), so a
resumed `up` adopts it instead of creating a duplicate, at no extra request.

The provider process lives for one engine operation; writes made through the provider update
the index, so it never serves a value older than that operation.
"""

from __future__ import annotations

import threading

from didww_iac.api import DidwwClient, Resource


class LiveIndex:
    def __init__(self, client: DidwwClient, api_type: str, include: tuple[str, ...]) -> None:
        self._client = client
        self._api_type = api_type
        self._include = list(include)
        self._lock = threading.Lock()
        self._by_id: dict[str, Resource] | None = None

    def _loaded(self) -> dict[str, Resource]:
        with self._lock:
            if self._by_id is None:
                listed = self._client.iter(self._api_type, include=self._include)
                self._by_id = {r.id: r for r in listed}
            return self._by_id

    def get(self, id_: str) -> Resource | None:
        return self._loaded().get(id_)

    def find_by_external_reference(self, ref: str) -> Resource | None:
        for resource in self._loaded().values():
            if resource.attributes.get("external_reference_id") == ref:
                return resource
        return None

    def put(self, resource: Resource) -> None:
        with self._lock:
            if self._by_id is not None:
                self._by_id[resource.id] = resource

    def forget(self, id_: str) -> None:
        with self._lock:
            if self._by_id is not None:
                self._by_id.pop(id_, None)
