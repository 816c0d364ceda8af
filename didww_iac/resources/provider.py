"""The one dynamic provider every DIDWW resource type shares, driven by its ResourceSpec.

Pulumi pickles the provider object (with dill) into the state. Subclasses live in this installed
package, so the pickle names them by module path and an upgrade of the package changes what a
later refresh or delete runs. The pickle holds only the non-secret `Connection`; the API key is
resolved in `configure()` inside the provider process.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any, ClassVar, TypeVar

from pulumi.dynamic import (
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from didww_iac import run_stats
from didww_iac.api import (
    DidwwClient,
    DidwwError,
    NotFoundError,
    Ref,
    Resource,
    ServerError,
    TransportError,
    ValidationError,
)
from didww_iac.resources.connection import Connection, all_client_stats, resolve_api_key, shared_client
from didww_iac.resources.diffing import compare
from didww_iac.resources.errors import SOURCE_LOCATION, DidwwResourceError, explain, located, refused_setting
from didww_iac.resources.live_index import EXTERNAL_REFERENCE_ID, LiveIndex, shared_index
from didww_iac.resources.lookups import looked_up_fields, shared_catalogue, with_ids, with_names
from didww_iac.resources.mapping import live_props
from didww_iac.resources.spec import ADOPT_ID, Kind, ResourceSpec
from didww_iac.settings import API_KEY_CONFIG

log = logging.getLogger(__name__)
T = TypeVar("T")

# A create whose POST failed in transit is tried once more, but only after a lookup by its
# external_reference_id showed that the first one did not reach DIDWW.
CREATE_ATTEMPTS = 2


class DidwwProvider(ResourceProvider):
    spec: ClassVar[ResourceSpec]
    # The pickle holds no secret, so it need not be encrypted; keeping it readable lets a
    # reviewer (and a test) see that it references the class by module path.
    serialize_as_secret_always = False

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._api_key: str | None = None
        self._lock = threading.Lock()
        self._index: LiveIndex | None = None

    # Only the connection is pickled: never a client, a lock or a key.
    def __getstate__(self) -> dict[str, Any]:
        return {"connection": self.connection}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.connection = state["connection"]
        self._api_key = None
        self._lock = threading.Lock()
        self._index = None

    def configure(self, req: ConfigureRequest) -> None:
        self._api_key = resolve_api_key(req.config.get(API_KEY_CONFIG), self.connection)

    @property
    def client(self) -> DidwwClient:
        with self._lock:
            if self._api_key is None:
                self._api_key = resolve_api_key(None, self.connection)
            return shared_client(self.connection, self._api_key)

    @property
    def include(self) -> tuple[str, ...]:
        """The declared side-loads the pinned version has (2022-05-10 has no emergency_dids)."""
        client = self.client
        return tuple(r for r in self.spec.include if client.supports_relationship(self.spec.api_type, r))

    @property
    def index(self) -> LiveIndex:
        client = self.client
        with self._lock:
            if self._index is None:
                include = tuple(r for r in self.spec.include if client.supports_relationship(self.spec.api_type, r))
                self._index = shared_index(client, self.spec.api_type, include, self.spec.listing_page_budget)
            return self._index

    @property
    def _has_external_reference(self) -> bool:
        return self.spec.has_external_reference_id and self.client.supports_attribute(
            self.spec.api_type, EXTERNAL_REFERENCE_ID
        )

    # --- Pulumi's CRUD contract -------------------------------------------------------------

    def _upgraded(self, olds: dict[str, Any]) -> dict[str, Any]:
        """Properties from a state written by an older release, in today's shape (a type whose
        properties changed shape overrides this)."""
        return olds

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        olds = self._upgraded(olds)
        for f in self.spec.fields:
            # olds are empty for a resource that does not exist yet. Raised rather than returned
            # as a check failure, which the engine prints with a dump of the whole value.
            if f.create_only and olds and olds.get(f.name) != news.get(f.name):
                raise refused_setting(
                    self.spec, news, f.name, f.create_only_hint or f"{f.name} cannot change after create"
                )
        self._check_names(news)
        return CheckResult(news, [])

    def _check_names(self, news: dict[str, Any]) -> None:
        """A catalogue record declared by a name DIDWW does not know (a misspelt proof type) is
        refused in the preview, at its line, rather than when `up` is halfway through."""
        for name, lookup in looked_up_fields(self.spec):
            value = news.get(name)
            if not isinstance(value, str) or not value:
                continue
            try:
                shared_catalogue(self.client).id_of(lookup, value)
            except DidwwResourceError as exc:
                raise refused_setting(self.spec, news, name, str(exc)) from None
            except DidwwError as exc:
                raise explain(self.spec, "check", exc, news) from None

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changes = compare(self.spec, self._upgraded(olds), news)
        replaces = [c.field for c in changes if c.replace]
        return DiffResult(
            changes=bool(changes),
            replaces=replaces,
            stables=[f.name for f in self.spec.fields if not f.writable],
            delete_before_replace=self.spec.delete_before_replace,
        )

    def _explained(self, action: str, props: dict[str, Any], call: Callable[[], T]) -> T:
        """DIDWW errors leave as messages that point at the stack file, without the client's
        internal traceback (the engine prints the exception it receives)."""
        try:
            return call()
        except DidwwError as exc:
            raise explain(self.spec, action, exc, props) from None
        except DidwwResourceError as exc:
            raise located(self.spec, exc, props) from None
        finally:
            run_stats.publish(all_client_stats())

    def create(self, props: dict[str, Any]) -> CreateResult:
        return self._explained("create", props, lambda: self._create(props))

    def _create(self, props: dict[str, Any]) -> CreateResult:
        resource = self._make(props)
        return CreateResult(resource.id, self._outputs(resource, props))

    def _make(self, props: dict[str, Any]) -> Resource:
        """The live resource a create ends with: adopted, left by an earlier run, or POSTed."""
        adopt_id = props.get(ADOPT_ID)
        if adopt_id:
            # From the listing when one pays (an imported account adopts thousands at once).
            adopted = self.index.get(adopt_id)
            if adopted is None:
                raise DidwwResourceError(
                    f"adopt_id: no {self.spec.api_type} {adopt_id} in this DIDWW account (deleted, or another "
                    "account's id): remove `adopt_id` to create one, or give the id of one that exists"
                )
            resource = self._converge(adopted, props)
        elif self.spec.adopt_only:
            resource = self._converge(self._existing(props), props)
        else:
            carrying_ref = self._carrying_our_reference(props)
            previous = self._adoptable(carrying_ref, props)
            if previous is None and not self._has_external_reference:
                previous = self._made_by_a_lost_create(props)
            if previous is not None:
                log.warning("%s %s was left by an earlier run: adopting it", self.spec.api_type, previous.id)
                resource = self._converge(previous, props)
            else:
                self._make_room(carrying_ref, props)
                resource = self._post(props)
        self.index.put(resource)
        return resource

    def _carrying_our_reference(self, props: dict[str, Any]) -> list[Resource]:
        """Resources with this create's external_reference_id: left by an earlier `up` that
        crashed or timed out after DIDWW made it (adopted instead of duplicated), or the resource
        this create replaces (same logical name, same reference)."""
        ref = props.get(EXTERNAL_REFERENCE_ID)
        if not ref or not self._has_external_reference:
            return []
        return self.index.find_by_external_reference(ref)

    def _made_by_a_lost_create(self, props: dict[str, Any], fresh: bool = False) -> Resource | None:
        """Without an external_reference_id (API 2022-05-10), what an earlier create left is
        recognised by the value DIDWW keeps unique (a trunk's name): the resource holding the
        declared name is adopted when it holds every declared setting, as a create that DIDWW
        carried out and whose answer (or the state recording it) was lost would have left it.
        One that differs is someone else's: DIDWW would refuse the name, so say what to do.
        `fresh`: ask DIDWW (right after a POST whose answer was lost) rather than the listing."""
        for f in self.spec.sent_fields:
            wanted = props.get(f.name)
            if not f.unique or wanted is None:
                continue
            if not fresh:
                holders = self.index.find_by_attribute(f.name, wanted, f.filterable)
            elif f.filterable:
                holders = self.client.list(self.spec.api_type, filters={f.name: wanted}, include=list(self.include))
            else:
                holders = [r for r in self.client.iter(self.spec.api_type, include=list(self.include))
                           if r.attributes.get(f.name) == wanted]  # fmt: skip
            for holder in holders:
                differing = [c.field for c in compare(self.spec, self._outputs(holder, props), props)]
                if not differing:
                    return holder
                raise DidwwResourceError(
                    f"{self.spec.api_type} {holder.id} in this DIDWW account already has {f.name} {wanted!r}, "
                    f"with other settings than declared ({', '.join(sorted(differing))}), and DIDWW keeps "
                    f"{f.name}s unique: declare `adopt_id: {holder.id}` on the entry to manage that one "
                    f"(its settings are then changed to the declared ones), or choose another {f.name}"
                )
        return None

    def _make_room(self, replaced: list[Resource], props: dict[str, Any]) -> None:
        """The resource being replaced still holds the unique values (a trunk's name) its
        successor declares; it gives them up now and is deleted once the successor is in place."""
        for old in replaced:
            taken = {
                f.name: f"{old.attributes[f.name]} (replaced)"
                for f in self.spec.sent_fields
                if f.unique and props.get(f.name) is not None and old.attributes.get(f.name) == props.get(f.name)
            }
            if taken:
                log.warning("%s %s is being replaced: renamed until it is deleted", self.spec.api_type, old.id)
                self.index.put(self.client.update(self.spec.api_type, old.id, attributes=taken))

    def _post(self, props: dict[str, Any]) -> Resource:
        ref = props.get(EXTERNAL_REFERENCE_ID) if self._has_external_reference else None
        for attempt in range(1, CREATE_ATTEMPTS + 1):
            try:
                created = self.client.create(
                    self.spec.api_type,
                    attributes=self._attributes(props),
                    relationships=self._relationships(props),
                )
                return self._as_written(created, props)
            except ValidationError as exc:
                pointers = exc.pointers
                unique_refused = not self._has_external_reference and any(
                    f.unique and props.get(f.name) is not None and f"/data/attributes/{f.name}" in pointers
                    for f in self.spec.sent_fields
                )
                if unique_refused:
                    # Without a reference, a name DIDWW calls taken may be held by what an
                    # earlier create left after the listing this run read (a lost answer, a
                    # concurrent run): ask DIDWW itself, adopt a match, else name the holder.
                    made = self._made_by_a_lost_create(props, fresh=True)
                    if made is None:
                        raise
                    log.warning("%s %s holds the declared name already: adopting it", self.spec.api_type, made.id)
                    return made
                # DIDWW refuses a second resource holding the same identifying value (a number
                # already reserved). If this account holds it, a create that failed midway (or a
                # person) made it: adopt it rather than fail until it goes away.
                finder = self.spec.finder
                if finder is None or not any(p.endswith(f"/{finder.finds_by}") for p in pointers):
                    raise
                twin = self._found_by_finder(props)
                if twin is None:
                    raise
                log.warning("%s %s exists already: adopting it", self.spec.api_type, twin.id)
                return self._converge(twin, props)
            except (TransportError, ServerError):
                # The POST may have reached DIDWW with its answer lost: look before trying again.
                if ref:
                    listed = self.client.list(self.spec.api_type, filters={EXTERNAL_REFERENCE_ID: ref})
                    found = self._adoptable(listed, props)
                    if found is not None:
                        return self._get(found.id)
                elif self.spec.finder is not None:
                    twin = self._found_by_finder(props)
                    if twin is not None:
                        return self._converge(twin, props)
                elif any(f.unique for f in self.spec.sent_fields):
                    made = self._made_by_a_lost_create(props, fresh=True)
                    if made is not None:
                        log.warning(
                            "%s %s was made by a create whose answer was lost: adopting it", self.spec.api_type, made.id
                        )
                        return made
                else:
                    raise
                if attempt == CREATE_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    def _adoptable(self, candidates: list[Resource], props: dict[str, Any]) -> Resource | None:
        """Of the resources carrying this create's reference, the one it may adopt. One that
        differs in a setting DIDWW cannot change in place is not a leftover of this create: it is
        the resource this create replaces (it keeps the reference until the engine deletes it)."""
        for candidate in candidates:
            if not any(c.replace for c in compare(self.spec, self._outputs(candidate, props), props)):
                return candidate
        return None

    def _found_by_finder(self, props: dict[str, Any]) -> Resource | None:
        """The one existing resource whose `finds_by` value is the declared one, from one listing
        (types with a finder are few per account: capacity pools, reservations)."""
        finder = self.spec.finder
        wanted = props.get(finder.name) if finder is not None else None
        if finder is None or finder.finds_by is None or not wanted:
            return None
        listed = self.client.iter(self.spec.api_type, include=list(self.include))
        matches = [r for r in listed if _api_value(r, finder.finds_by) == wanted]
        if len(matches) > 1:
            ids = ", ".join(r.id for r in matches)
            raise DidwwResourceError(
                f"{len(matches)} {self.spec.api_type} have {finder.finds_by} {wanted!r} ({ids}): "
                "name the one to manage with adopt_id"
            )
        return matches[0] if matches else None

    def _existing(self, props: dict[str, Any]) -> Resource:
        """What an adopt-only type's "create" manages: a resource that exists already."""
        found = self._found_by_finder(props)
        if found is not None:
            return found
        finder = self.spec.finder
        by = f"with {finder.finds_by} {props.get(finder.name)!r}" if finder is not None else "to adopt"
        raise DidwwResourceError(
            f"no {self.spec.api_type} {by} in this DIDWW account. DIDWW cannot create {self.spec.api_type} "
            "through its API, so an entry can only adopt one that exists: check the name, or give adopt_id"
        )

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return self._explained("read", props, lambda: self._read(id_, self._upgraded(props)))

    def _read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        resource = self.index.get(id_)
        if resource is None:
            # Gone behind our back: an empty id tells the engine the resource no longer exists.
            return ReadResult("", {})
        return ReadResult(resource.id, self._outputs(resource, props))

    def _get(self, id_: str) -> Resource:
        return self.client.get(self.spec.api_type, id_, include=list(self.include))

    def _get_or_none(self, id_: str) -> Resource | None:
        try:
            return self._get(id_)
        except NotFoundError:
            return None

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return self._explained("update", news, lambda: self._update(id_, self._upgraded(olds), news))

    def _update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        changed = {c.field for c in compare(self.spec, olds, news)}
        attributes = {k: v for k, v in self._attributes(news).items() if k in changed}
        relationships = {k: v for k, v in self._relationships(news).items() if k in changed}
        if not attributes and not relationships:
            # Only the tool's own settings changed: nothing to tell DIDWW.
            return UpdateResult({**olds, **{f.name: news.get(f.name) for f in self.spec.fields if f.local}})
        resource = self.client.update(self.spec.api_type, id_, attributes=attributes, relationships=relationships)
        resource = self._as_written(resource, _declared_over(olds, news))
        self.index.put(resource)
        return UpdateResult(self._outputs(resource, news))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        self._explained("delete", props, lambda: self._delete(id_, props))

    def _delete(self, id_: str, props: dict[str, Any]) -> None:
        if self.spec.adopt_only or not self.spec.deletable:
            # Said in the run's output: removing the entry changed nothing in DIDWW.
            log.warning(
                "%s %s (%s) is left in DIDWW as it is (DIDWW cannot delete %s); it is no longer managed",
                self.spec.api_type,
                props.get(self.spec.display) or "",
                id_,
                self.spec.api_type,
            )
            self.index.forget(id_)
            return
        try:
            self.client.delete(self.spec.api_type, id_)
        except NotFoundError:
            log.info("%s %s was already gone", self.spec.api_type, id_)
        self.index.forget(id_)

    # --- mapping between Pulumi properties and JSON:API documents ------------------------------

    def _converge(self, existing: Resource, props: dict[str, Any]) -> Resource:
        """Apply declared settings to an adopted resource (only what differs)."""
        live = self._outputs(existing, props)
        changes = compare(self.spec, live, props)
        fixed = [c.field for c in changes if c.replace]
        if fixed:
            # Those are the ones DIDWW does not change in place: adopting cannot make them match.
            raise DidwwResourceError(
                f"{self.spec.api_type} {existing.id} exists with another {', '.join(fixed)} than declared, "
                "which DIDWW cannot change in place: declare its current value, or remove it in DIDWW first"
            )
        changed = {c.field for c in changes}
        if not changed:
            return existing
        updated = self.client.update(
            self.spec.api_type,
            existing.id,
            attributes={k: v for k, v in self._attributes(props).items() if k in changed},
            relationships={k: v for k, v in self._relationships(props).items() if k in changed},
        )
        return self._as_written(updated, _declared_over(live, props))

    def _as_written(self, resource: Resource, props: dict[str, Any]) -> Resource:
        """DIDWW answers a write with links only for relationships; after a successful write they
        hold what was sent (or what they held before), so no extra GET is needed to know them."""
        rels = dict(resource.relationships)
        filled = set()
        props = self._with_ids(props)
        for f in self.spec.fields:
            value = props.get(f.name)
            if f.kind is Kind.ATTRIBUTE or f.name in resource.loaded_relationships or value is None:
                continue
            assert f.related_type is not None
            if f.kind is Kind.TO_MANY:
                rels[f.name] = [Ref(f.related_type, v) for v in value]
            else:
                rels[f.name] = Ref(f.related_type, value) if value else None
            filled.add(f.name)
        if not filled:
            return resource
        return replace(resource, relationships=rels, loaded_relationships=resource.loaded_relationships | filled)

    def _attributes(self, props: dict[str, Any]) -> dict[str, Any]:
        return {
            f.name: _wire_value(props[f.name])
            for f in self.spec.sent_fields
            if f.kind is Kind.ATTRIBUTE and props.get(f.name) is not None
        }

    def _with_ids(self, props: dict[str, Any]) -> dict[str, Any]:
        """Catalogue records declared by name (`Lookup`) as the ids DIDWW's relationships hold."""
        if not looked_up_fields(self.spec):
            return props
        return with_ids(self.spec, props, shared_catalogue(self.client))

    def _relationships(self, props: dict[str, Any]) -> dict[str, Any]:
        """Declared relationships only: an empty string clears a to-one, [] clears a to-many."""
        rels: dict[str, Any] = {}
        props = self._with_ids(props)
        for f in self.spec.sent_fields:
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
        outs: dict[str, Any] = {ADOPT_ID: props.get(ADOPT_ID), SOURCE_LOCATION: props.get(SOURCE_LOCATION)}
        for f in self.spec.fields:
            if f.local or f.kept_from_input:
                outs[f.name] = props.get(f.name)
        live = live_props(self.spec, resource)
        if looked_up_fields(self.spec):
            live = with_names(self.spec, live, shared_catalogue(self.client))
        outs.update(live)
        return outs


def _api_value(resource: Resource, name: str) -> Any:
    """An attribute, or the id a to-one relationship points to."""
    if name in resource.attributes:
        return resource.attributes[name]
    rel = resource.relationships.get(name)
    return rel.id if isinstance(rel, Ref) else None


def _declared_over(before: dict[str, Any], declared: dict[str, Any]) -> dict[str, Any]:
    """What a resource holds after a write that sent `declared` (None = left as it was)."""
    return {**before, **{k: v for k, v in declared.items() if v is not None}}


def _wire_value(value: Any) -> Any:
    """A declared value as DIDWW expects it: unset keys left out, and whole numbers as integers
    (the engine carries every number as a float; DIDWW refuses 2.0 where it wants 2)."""
    if isinstance(value, dict):
        return {k: _wire_value(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_wire_value(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
