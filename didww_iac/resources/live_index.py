"""One listing per resource type per provider process, instead of one GET per resource.

A refresh (and the refresh before every `up`/`preview`) reads every managed resource. The engine
asks the provider for them one by one, concurrently; the first read of a type lists the whole
collection (100 per page) and later reads are answered from that listing, so N trunks cost
ceil(N/100) requests instead of N. The same listing tells a create whether a resource with its
`external_reference_id` already exists (left by a crashed or timed-out earlier run), so a
resumed `up` adopts it instead of creating a duplicate, at no extra request.

Some collections grow without bound (every order ever placed, every number). For those the spec
sets a page budget: when the first page's `meta.total_records` says the listing would cost more,
the index keeps that first page and answers the rest with one GET per resource, so a stack
managing a few numbers of a large account never pays for listing all of them.

The provider process lives for one engine operation; writes made through the provider update
the index, so it never serves a value older than that operation.
"""

from __future__ import annotations

import math
import threading

from didww_iac.api import DidwwClient, NotFoundError, Resource

EXTERNAL_REFERENCE_ID = "external_reference_id"


class LiveIndex:
    def __init__(
        self,
        client: DidwwClient,
        api_type: str,
        include: tuple[str, ...],
        page_budget: int | None = None,
    ) -> None:
        self._client = client
        self._api_type = api_type
        self._include = list(include)
        self._page_budget = page_budget
        self._lock = threading.Lock()
        self._by_id: dict[str, Resource] | None = None
        self._complete = False  # the listing holds the whole collection

    def _loaded(self) -> dict[str, Resource]:
        with self._lock:
            if self._by_id is None:
                self._by_id, self._complete = self._list()
            return self._by_id

    def _list(self) -> tuple[dict[str, Resource], bool]:
        pages = self._client.iter_pages(self._api_type, include=self._include)
        by_id: dict[str, Resource] = {}
        for number, page in enumerate(pages, start=1):
            by_id.update((r.id, r) for r in page.resources)
            total = page.meta.get("total_records")
            if number == 1 and self._over_budget(total, len(page.resources)):
                return by_id, False
        return by_id, True

    def _over_budget(self, total: object, first_page_size: int) -> bool:
        if self._page_budget is None or not isinstance(total, int) or total <= first_page_size:
            return False
        page_size = self._client.settings.page_size
        return math.ceil(total / page_size) > self._page_budget

    def get(self, id_: str) -> Resource | None:
        """The live resource, or None if it no longer exists."""
        found = self._loaded().get(id_)
        if found is not None or self._complete:
            return found
        try:
            found = self._client.get(self._api_type, id_, include=self._include)
        except NotFoundError:
            return None
        self.put(found)
        return found

    def find_by_external_reference(self, ref: str) -> list[Resource]:
        """Every resource carrying ``ref``: a replaced resource and its successor share one, and
        so do a canceled order and the one placed after it."""
        listed = self._loaded()
        with self._lock:  # concurrent creates `put` while we look
            found = [r for r in listed.values() if r.attributes.get(EXTERNAL_REFERENCE_ID) == ref]
        if found or self._complete:
            return found
        # Past the listed page: DIDWW filters by reference, one request.
        return self._client.list(self._api_type, filters={EXTERNAL_REFERENCE_ID: ref})

    @property
    def complete(self) -> bool:
        self._loaded()
        return self._complete

    def put(self, resource: Resource) -> None:
        with self._lock:
            if self._by_id is not None:
                self._by_id[resource.id] = resource

    def forget(self, id_: str) -> None:
        with self._lock:
            if self._by_id is not None:
                self._by_id.pop(id_, None)
