"""One listing per resource type per provider process, instead of one GET per resource.

A refresh (and the refresh before every `up`/`preview`) reads every managed resource. The engine
asks the provider for them one by one, concurrently; the first read of a type lists the whole
collection (100 per page) and later reads are answered from that listing, so N trunks cost
ceil(N/100) requests instead of N. The same listing tells a create whether a resource with its
`external_reference_id` already exists (left by a crashed or timed-out earlier run), so a
resumed `up` adopts it instead of creating a duplicate, at no extra request.

Whether to list a collection or read its resources one by one is a matter of cost. The first
page says how many the account holds (M, `meta.total_records`); listing the rest costs
ceil(M/100) - 1 more requests, reading one by one at most N (the resources of the type this run
manages). The index takes the cheaper, so a refresh costs at most min(ceil(M/100), N) + 1. The
command line tells the provider process N per type (MANAGED_COUNTS_ENV, from the stack file);
without it (a bare `pulumi up`) a type's `listing_page_budget` decides, as a cap on pages.

The provider process lives for one engine operation; writes made through the provider update
the index, so it never serves a value older than that operation. Indexes are shared by every
provider of the process (`shared_index`), so an order that lists the numbers it delivered hands
them to the DIDs' index and routing them costs no read.
"""

from __future__ import annotations

import json
import math
import os
import threading
from functools import cache

from didww_iac.api import DidwwClient, NotFoundError, Resource
from didww_iac.resources.lookups import forget_catalogues
from didww_iac.settings import MANAGED_COUNTS_ENV

EXTERNAL_REFERENCE_ID = "external_reference_id"


@cache
def managed_counts() -> dict[str, int]:
    """Resources per type the running operation manages, as the command line passed them."""
    raw = os.environ.get(MANAGED_COUNTS_ENV)
    if not raw:
        return {}
    try:
        parsed = json.loads(raw)
    except json.JSONDecodeError:
        return {}
    if not isinstance(parsed, dict):
        return {}
    return {str(k): v for k, v in parsed.items() if isinstance(v, int) and not isinstance(v, bool)}


class LiveIndex:
    def __init__(
        self,
        client: DidwwClient,
        api_type: str,
        include: tuple[str, ...],
        page_budget: int | None = None,
        managed: int | None = None,
    ) -> None:
        self._client = client
        self._api_type = api_type
        self._include = list(include)
        self._page_budget = page_budget
        self._managed = managed
        self._lock = threading.Lock()
        self._by_id: dict[str, Resource] | None = None
        # Handed in before the first read (an order's numbers): kept until the listing comes.
        self._early: dict[str, Resource] = {}
        self._complete = False  # the listing holds the whole collection

    def _loaded(self) -> dict[str, Resource]:
        with self._lock:
            if self._by_id is None:
                listed, self._complete = self._list()
                # What the listing holds is as fresh; what it does not, it had not reached.
                self._by_id = {**self._early, **listed}
                self._early.clear()
            return self._by_id

    def _list(self) -> tuple[dict[str, Resource], bool]:
        pages = self._client.iter_pages(self._api_type, include=self._include)
        by_id: dict[str, Resource] = {}
        for number, page in enumerate(pages, start=1):
            by_id.update((r.id, r) for r in page.resources)
            total = page.meta.get("total_records")
            if number == 1 and not self._listing_pays(total, len(page.resources)):
                return by_id, False
        return by_id, True

    def _listing_pays(self, total: object, first_page_size: int) -> bool:
        """Whether listing the pages after the first costs no more than reading one by one."""
        if not isinstance(total, int) or total <= first_page_size:
            return True
        pages = math.ceil(total / self._client.settings.page_size)
        if self._managed is not None:
            return pages - 1 <= self._managed
        return self._page_budget is None or pages <= self._page_budget

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

    def find_by_attribute(self, name: str, value: object, filterable: bool) -> list[Resource]:
        """Every resource whose attribute `name` holds `value` (a unique name: one at most).
        Past the listed first page, DIDWW is asked with a filter where it has one for `name`;
        where it has none (a trunk group's name), the listing is completed, once per run."""
        listed = self._loaded()
        with self._lock:
            found = [r for r in listed.values() if r.attributes.get(name) == value]
        if found or self._complete:
            return found
        if filterable:
            return self._client.list(self._api_type, filters={name: value}, include=self._include)
        with self._lock:
            if not self._complete:
                rest = self._client.iter(self._api_type, include=self._include)
                self._by_id = {**{r.id: r for r in rest}, **(self._by_id or {})}
                self._complete = True
            return [r for r in self._by_id.values() if r.attributes.get(name) == value]

    @property
    def complete(self) -> bool:
        self._loaded()
        return self._complete

    def put(self, resource: Resource) -> None:
        with self._lock:
            (self._early if self._by_id is None else self._by_id)[resource.id] = resource

    def forget(self, id_: str) -> None:
        with self._lock:
            (self._early if self._by_id is None else self._by_id).pop(id_, None)


_shared: dict[tuple[int, str], LiveIndex] = {}
_shared_lock = threading.Lock()


def shared_index(client: DidwwClient, api_type: str, include: tuple[str, ...], page_budget: int | None) -> LiveIndex:
    """The one index of `api_type` for this client in the process."""
    with _shared_lock:
        key = (id(client), api_type)
        index = _shared.get(key)
        if index is None:
            managed = managed_counts().get(api_type)
            index = _shared[key] = LiveIndex(client, api_type, include, page_budget, managed)
        return index


def forget_shared_indexes() -> None:
    """Start over as a new provider process would (the provider tests' way to run again)."""
    with _shared_lock:
        _shared.clear()
    managed_counts.cache_clear()
    forget_catalogues()
