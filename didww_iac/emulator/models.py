"""The emulated account: records per type and the generic create/update/delete rules.

Everything a type does differently is read from its ``ResourceType`` declaration and its
``Behaviour`` hooks; this module knows no type by name. All reads and writes happen under one
re-entrant lock, so concurrent requests (writes run on the event loop, or on worker threads when
the account persists to SQLite) never lose an update, and
checks and the writes that follow them are atomic (two orders for the last available number:
exactly one gets it).

Time-based changes (an order completing, a reservation expiring) are timers on the account's
clock, fired lazily at the start of every request and by the admin clock tick, so no background
thread touches the state.
"""

from __future__ import annotations

import bisect
import copy
import random
import threading
import uuid
from collections.abc import Hashable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from didww_iac.emulator import errors
from didww_iac.emulator.behaviour import AccountSettings, Behaviour
from didww_iac.emulator.clock import Clock, iso
from didww_iac.emulator.coerce import BLANK, Invalid, coerce
from didww_iac.emulator.errors import FieldError
from didww_iac.emulator.index import FieldIndex
from didww_iac.emulator.schema import (
    Attr,
    DefaultContext,
    Record,
    Registry,
    Relationship,
    ResourceType,
    SeedOptions,
)
from didww_iac.emulator.store import Store
from didww_iac.emulator.timers import Timers

# Store counters: the id sequence, whether the catalogue is stored, the clock offset (ms).
_RECORDS = "records"
_CATALOGUE = "catalogue"
_CLOCK = "clock_offset_ms"


class Account:
    def __init__(
        self,
        registry: Registry,
        store: Store,
        api_version: str,
        seed: int | None = 0,
        settings: AccountSettings | None = None,
    ) -> None:
        self.registry = registry
        self.api_version = api_version
        self._store = store
        self._seed = seed
        self._settings = settings or AccountSettings()
        self._lock = threading.RLock()
        self._rng = self._new_rng()
        self.clock = Clock(store.load_counter(_CLOCK) / 1000)
        self._records: dict[str, dict[str, Record]] = {t.name: {} for t in registry}
        # type -> its records by sequence number, built on first read and kept in order by every
        # add, replace and remove (re-sorting 10,000 DIDs after each PATCH cost a list request).
        self._sorted: dict[str, list[Record]] = {}
        self._unique = UniqueIndex(registry)
        self._fields = FieldIndex(registry)
        self._timers = Timers()
        # Bumped by every write: a rendered document is reusable while it has not moved.
        self.generation = 0
        self._seq = store.load_counter(_RECORDS)
        for record in store.load():
            self._add(record)
        self._seed_catalogue()
        self._rebuild_timers()

    def _new_rng(self) -> random.Random:
        return random.Random(self._seed) if self._seed is not None else random.Random()

    # -- what behaviours may use (AccountOps) ------------------------------------------------

    @property
    def settings(self) -> AccountSettings:
        return self._settings

    @property
    def rng(self) -> random.Random:
        return self._rng

    def now(self) -> float:
        return self.clock.now()

    def now_iso(self) -> str:
        return iso(self.clock.now())

    def insert(self, record: Record) -> Record:
        with self._lock:
            for rel in self._type(record.type).relationships:
                if rel.inverse is None:
                    record.relationships.setdefault(rel.name, [] if rel.to_many else None)
            if not record.id:
                self._seq += 1
                record.seq = self._seq
                record.id = self._new_id(self._seq)
                self._store.save_counter(self._seq, _RECORDS)
            self._add(record)
            self._persist(record)
            return record

    def insert_many(self, records: Sequence[Record]) -> None:
        with self.transaction():
            for record in records:
                self.insert(record)

    def save(self, record: Record) -> None:
        with self._lock:
            table = self._records[record.type]
            old = table.get(record.id)
            table[record.id] = record
            self._keep_sorted(record, old)
            self._persist(record)

    def remove(self, type_name: str, record_id: str) -> None:
        with self.transaction():
            record = self._records.get(type_name, {}).pop(record_id, None)
            if record is not None:
                self._drop_sorted(record)
                self._unique.drop(type_name, record_id)
                self._fields.drop(type_name, record_id)
                self.generation += 1
                self._store.delete(type_name, record_id)
                self._forget_references(type_name, record_id)

    def counter(self, name: str) -> int:
        """A stored counter of the account (0 until set), e.g. how often it was seeded."""
        with self._lock:
            return self._store.load_counter(name)

    def set_counter(self, name: str, value: int) -> None:
        if name in (_RECORDS, _CATALOGUE, _CLOCK):
            raise ValueError(f"{name} is the account's own counter")
        with self._lock:
            self._store.save_counter(value, name)

    def schedule(self, record: Record, due: float) -> None:
        with self._lock:
            self._timers.add(due, record.type, record.id)

    # -- reading -----------------------------------------------------------------------------

    def locked(self) -> AbstractContextManager[Any]:
        """Hold the lock across a read-and-render so a response is one consistent snapshot."""
        return self._lock

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the lock and write everything done inside to the store in one commit."""
        with self._lock, self._store.transaction():
            yield

    def records(self, type_name: str) -> list[Record]:
        with self._lock:
            found = self._sorted.get(type_name)
            if found is None:
                found = sorted(self._records.get(type_name, {}).values(), key=_by_seq)
                self._sorted[type_name] = found
            return list(found)  # callers may change their list

    def listed(self, type_name: str, candidates: list[Record] | None = None) -> list[Record]:
        """The records a collection request sees (a type may hide some, e.g. reserved numbers);
        of ``candidates`` only (in creation order), when an index already narrowed them."""
        rt = self._type(type_name)
        with self._lock:
            found = self.records(type_name) if candidates is None else candidates
            if type(rt.behaviour).listed is Behaviour.listed:
                return found  # most types list every record
            return [r for r in found if rt.behaviour.listed(self, r)]

    def matching(self, type_name: str, path: str, values: Iterable[str]) -> list[Record]:
        with self._lock:
            table = self._records.get(type_name, {})
            found = [table[i] for i in self._fields.ids(type_name, path, values, table)]
            found.sort(key=_by_seq)
            return found

    def count_matching(self, type_name: str, path: str, values: Iterable[str]) -> int:
        with self._lock:
            return self._fields.count(type_name, path, values, self._records.get(type_name, {}))

    def singleton(self, type_name: str) -> Record:
        """The one record of a singleton type (the balance)."""
        with self._lock:
            records = self.records(type_name)
            if not records:
                raise errors.route_not_found(f"/v3/{type_name}")
            return records[0]

    def find(self, type_name: str, record_id: str) -> Record | None:
        with self._lock:
            return self._records.get(type_name, {}).get(record_id)

    def get(self, type_name: str, record_id: str) -> Record:
        record = self.find(type_name, record_id)
        if record is None:
            raise errors.not_found(record_id)
        return record

    def related_ids(self, record: Record, relationship: str) -> list[str]:
        rt = self._type(record.type)
        rel = rt.relationship(relationship)
        if rel is None:
            return []
        with self._lock:
            if rel.inverse is not None:
                return [r.id for r in self.matching(rel.target, f"{rel.inverse}.id", [record.id])]
            value = record.relationships.get(rel.name)
            if value is None:
                return []
            return list(value) if isinstance(value, list) else [value]

    def snapshot(self) -> dict[str, list[dict[str, Any]]]:
        with self._lock:
            return {name: [copy_json(r.to_json()) for r in self.records(name)] for name in self._records}

    # -- writing through the API rules ------------------------------------------------------

    def create(self, type_name: str, data: dict[str, Any], version: str) -> Record:
        rt = self._allowed(type_name, "create", version)
        attributes, relationships = _payload(data)
        self._check_known(rt, attributes, relationships, version, creating=True)
        with self.transaction():
            ctx = self._context()
            attributes = rt.behaviour.translate_input(version, attributes, None, ctx)
            problems: list[FieldError] = []
            record = Record(rt.name, "", 0, {}, {})
            record.attributes = self._build_attributes(rt, attributes, None, version, ctx, problems)
            record.relationships, inverse = self._build_relationships(rt, relationships, None, problems)
            problems += self._check_unique(rt, record)
            problems += rt.behaviour.reconcile(self, record, None, set(relationships))
            problems += rt.behaviour.validate(self, record, None)
            if problems:
                raise errors.validation_error(problems)
            if not rt.stored:
                return rt.behaviour.action(self, record)
            rt.behaviour.before_create(self, record, version)
            self.insert(record)
            self._apply_inverse(record, inverse)
            rt.behaviour.after_create(self, record)
            return record

    def update(self, type_name: str, record_id: str, data: dict[str, Any], version: str) -> Record:
        rt = self._allowed(type_name, "update", version)
        attributes, relationships = _payload(data)
        with self.transaction():
            existing = self.get(type_name, record_id)
            self._check_known(rt, attributes, relationships, version, creating=False)
            ctx = self._context()
            attributes = rt.behaviour.translate_input(version, attributes, existing, ctx)
            problems: list[FieldError] = []
            record = Record(rt.name, existing.id, existing.seq, {}, {}, copy_json(existing.internal))
            record.attributes = self._build_attributes(rt, attributes, existing, version, ctx, problems)
            record.relationships, inverse = self._build_relationships(rt, relationships, existing, problems)
            problems += self._check_unique(rt, record)
            problems += rt.behaviour.reconcile(self, record, existing, set(relationships))
            problems += rt.behaviour.validate(self, record, existing)
            if problems:
                raise errors.validation_error(problems)
            self.save(record)
            self._apply_inverse(record, inverse)
            return record

    def delete(self, type_name: str, record_id: str, version: str | None = None) -> None:
        rt = self._allowed(type_name, "delete", version or self.api_version)
        with self.transaction():
            record = self.get(type_name, record_id)
            if rt.behaviour.delete(self, record):
                return
            self.remove(type_name, record_id)
            rt.behaviour.after_delete(self, record)

    def check_allowed(self, type_name: str, operation: str, version: str) -> None:
        """405 for an operation the type does not offer (in this version)."""
        self._allowed(type_name, operation, version)

    # -- the clock --------------------------------------------------------------------------

    def advance(self) -> None:
        """Fire every timer that is due on the account's clock (called before each request)."""
        with self._lock:
            if not self._timers.is_due(self.clock.now()):
                return
            with self._store.transaction():  # an order of hundreds of numbers completes here
                for type_name, record_id in self._timers.due(self.clock.now()):
                    self._fire(type_name, record_id)

    def tick(self, seconds: float | None = None) -> None:
        """The admin clock tick: move the clock ``seconds`` ahead and fire what is due; without
        ``seconds``, fire now every timer of types that the tick forces (pending orders)."""
        with self.transaction():
            if seconds is not None:
                self.clock.advance(seconds)
                self._store.save_counter(round(self.clock.offset * 1000), _CLOCK)
            else:
                for type_name, record_id in self._timers.take(lambda t: self._type(t).behaviour.forced_by_tick):
                    self._fire(type_name, record_id)
            self.advance()

    def _fire(self, type_name: str, record_id: str) -> None:
        record = self.find(type_name, record_id)
        if record is not None:
            self._type(type_name).behaviour.on_timer(self, record)

    def _rebuild_timers(self) -> None:
        for rt in self.registry:
            for record in self.records(rt.name):
                due = rt.behaviour.due(record)
                if due is not None:
                    self.schedule(record, due)

    # -- direct access for tests (drift behind the tool's back) -----------------------------

    def patch_raw(self, type_name: str, record_id: str, attributes: dict[str, Any]) -> Record:
        """Overwrite stored attributes without validation, as a change in the DIDWW panel would."""
        with self.transaction():
            record = self.get(type_name, record_id)
            record.attributes.update(copy.deepcopy(attributes))
            self._persist(record)
            return record

    def delete_raw(self, type_name: str, record_id: str) -> None:
        """Remove a record whatever the API allows (a DID released in the panel), then let its
        type clean up (a deleted reservation frees its number)."""
        with self.transaction():
            record = self.get(type_name, record_id)
            self.remove(type_name, record_id)
            self._type(type_name).behaviour.after_delete(self, record)

    def reset(self) -> None:
        with self.transaction():
            self._store.clear()
            self._records = {t.name: {} for t in self.registry}
            self._sorted.clear()
            self._unique.clear()
            self._fields.clear()
            self._timers.clear()
            self.generation += 1
            self._seq = 0
            self._rng = self._new_rng()
            self.clock.reset()
            self._seed_catalogue()

    # -- internals ---------------------------------------------------------------------------

    def _type(self, type_name: str) -> ResourceType:
        rt = self.registry.get(type_name)
        if rt is None:
            raise errors.route_not_found(f"/v3/{type_name}")
        return rt

    def _allowed(self, type_name: str, operation: str, version: str) -> ResourceType:
        rt = self._type(type_name)
        if not rt.allows(operation, version):  # type: ignore[arg-type]
            raise errors.method_not_allowed(type_name, operation)
        return rt

    def _context(self) -> DefaultContext:
        return DefaultContext(rng=self._rng, now=self.now_iso())

    def _persist(self, record: Record) -> None:
        """Every change to the state goes through here (or remove), so ``generation`` counts them."""
        self.generation += 1
        self._unique.put(record)
        self._fields.put(record)
        self._store.put(record)

    def _add(self, record: Record) -> None:
        table = self._records.setdefault(record.type, {})
        old = table.get(record.id)
        table[record.id] = record
        self._keep_sorted(record, old)
        self._unique.put(record)
        self._fields.put(record)
        self._seq = max(self._seq, record.seq)

    def _keep_sorted(self, record: Record, old: Record | None) -> None:
        """Put ``record`` (replacing ``old``, the same id) in its type's sequence order."""
        found = self._sorted.get(record.type)
        if found is None:
            return  # not built yet: the next read sorts
        if old is not None:
            at = _position(found, old)
            if at is not None and old.seq == record.seq:
                found[at] = record  # an update: same place
                return
            if at is not None:
                del found[at]
        if not found or found[-1].seq < record.seq:
            found.append(record)  # the common case: the newest record
        else:
            bisect.insort_right(found, record, key=_by_seq)

    def _drop_sorted(self, record: Record) -> None:
        found = self._sorted.get(record.type)
        at = _position(found, record) if found is not None else None
        if found is not None and at is not None:
            del found[at]
        else:
            self._sorted.pop(record.type, None)  # not where expected: rebuild on the next read

    def _new_id(self, number: int) -> str:
        """UUID4-shaped; with a seed, the n-th record of an account always gets the same id."""
        rng = random.Random(f"{self._seed}:{number}") if self._seed is not None else random.Random()
        while True:
            candidate = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            if not any(candidate in records for records in self._records.values()):
                return candidate

    def _seed_catalogue(self) -> None:
        """Add the catalogue once; it is then stored like any record, because orders consume
        available numbers and change the balance and capacity pools."""
        if self._store.load_counter(_CATALOGUE):
            return
        options = SeedOptions(
            seed=self._seed or 0, balance=self._settings.balance, stock=self._settings.stock_per_group
        )
        # Copies: seeds may share their records between accounts (copy.deepcopy cost 20x more).
        seeded = [_copy_record(r) for rt in self.registry for r in (rt.seed(options) if rt.seed else ())]
        for position, record in enumerate(seeded):
            # Negative sequence numbers: a stable catalogue order that leaves the id counter alone.
            record.seq = position - len(seeded)
            if record.id not in self._records[record.type]:
                self._add(record)
        self._store.put_many(r for r in seeded if self._records[r.type].get(r.id) is r)
        self._store.save_counter(1, _CATALOGUE)

    def _check_known(
        self,
        rt: ResourceType,
        attributes: dict[str, Any],
        relationships: dict[str, Any],
        version: str,
        creating: bool,
    ) -> None:
        """Unknown names are a 400 (jsonapi-resources "Param not allowed"); read-only ones are ignored."""
        for name in attributes:
            attr = rt.attribute(name)
            if attr is None or not attr.visible_in(version) or (attr.create_only and not creating):
                raise errors.param_not_allowed(name)
        for name in relationships:
            rel = rt.relationship(name)
            if rel is None or not rel.visible_in(version) or rel.name != name or not rel.writable:
                raise errors.param_not_allowed(name)

    def _build_attributes(
        self,
        rt: ResourceType,
        given: dict[str, Any],
        existing: Record | None,
        version: str,
        ctx: DefaultContext,
        problems: list[FieldError],
    ) -> dict[str, Any]:
        result = copy_json(existing.attributes) if existing else {}
        for attr in rt.stored_attributes():
            if attr.name in given and attr.writable:
                value = given[attr.name]
                if attr.kind == "variant":
                    current = result.get(attr.name) if existing else None
                    result[attr.name] = self._build_variant(
                        attr, value, current, existing is None, version, ctx, problems
                    )
                else:
                    pointer = f"/data/attributes/{attr.name}"
                    result[attr.name] = _coerce_into(attr, value, pointer, attr.name, problems)
            elif existing is None:
                if attr.required:
                    problems.append(FieldError(f"/data/attributes/{attr.name}", attr.name, BLANK))
                result[attr.name] = attr.initial(ctx)
        return result

    def _build_variant(
        self,
        attr: Attr,
        value: Any,
        current: dict[str, Any] | None,
        creating: bool,
        version: str,
        ctx: DefaultContext,
        problems: list[FieldError],
    ) -> Any:
        pointer = f"/data/attributes/{attr.name}"
        variant = attr.variant(str(value.get("type"))) if isinstance(value, dict) else None
        # {"type", "attributes"}, both required (DIDWW's OpenAPI document).
        given = value.get("attributes") if isinstance(value, dict) else None
        if value is None:
            problems.append(FieldError(pointer, attr.name, BLANK))
            return current
        if variant is None or not isinstance(given, dict):
            problems.append(FieldError(pointer, attr.name, "is invalid"))
            return current
        if creating and not variant.creatable:
            problems.append(FieldError(f"{pointer}/type", "type", "is not allowed for creation"))
        if not creating and not variant.updatable:
            problems.append(FieldError(f"{pointer}/type", "type", "is not allowed for update"))
        same_type = current is not None and current.get("type") == variant.type
        # Same type: a partial update merges; another type starts from that type's defaults.
        base = copy_json(current["attributes"]) if same_type and current else {}
        for sub in variant.attributes:
            if sub.name in given and sub.writable and sub.visible_in(version):
                sub_pointer = f"{pointer}/attributes/{sub.name}"
                base[sub.name] = _coerce_into(sub, given[sub.name], sub_pointer, sub.name, problems)
            elif sub.name not in base:
                base[sub.name] = sub.initial(ctx)
                if sub.required and base[sub.name] in (None, ""):
                    problems.append(FieldError(f"{pointer}/attributes/{sub.name}", sub.name, BLANK))
        return {"type": variant.type, "attributes": base}

    def _build_relationships(
        self,
        rt: ResourceType,
        given: dict[str, Any],
        existing: Record | None,
        problems: list[FieldError],
    ) -> tuple[dict[str, Any], list[tuple[Relationship, list[str]]]]:
        if existing is not None:
            result = copy_json(existing.relationships)
        else:
            result = {r.name: ([] if r.to_many else None) for r in rt.relationships if r.inverse is None}
        inverse: list[tuple[Relationship, list[str]]] = []
        for rel in rt.relationships:
            payload = given.get(rel.name)
            # Required on create, and never cleared by an update that names it.
            named = existing is None or rel.name in given
            if rel.required and named and not (isinstance(payload, dict) and payload.get("data")):
                problems.append(FieldError(f"/data/relationships/{rel.name}", rel.name, BLANK))
                continue
            if rel.name not in given:
                continue
            data = payload.get("data", ...) if isinstance(payload, dict) else ...
            ids = self._linkage_ids(rel, data)
            if ids is None:
                pointer = rel.error_pointer or f"/data/relationships/{rel.name}"
                problems.append(FieldError(pointer, rel.error_name or rel.name, rel.error_message))
            elif rel.inverse is not None:
                inverse.append((rel, ids))
            elif rel.to_many:
                result[rel.name] = ids
            else:
                result[rel.name] = ids[0] if ids else None
        return result, inverse

    def _linkage_ids(self, rel: Relationship, data: Any) -> list[str] | None:
        """The ids a resource linkage names, or None when it is malformed or names unknown records."""
        items = data if rel.to_many else ([] if data is None else [data])
        if not isinstance(items, list) or (not rel.to_many and isinstance(data, list)):
            return None
        ids: list[str] = []
        for item in items:
            kind = item.get("type") if isinstance(item, dict) else None
            if not isinstance(item, dict) or kind not in rel.targets:
                return None
            record_id = item.get("id")
            if not isinstance(record_id, str) or self.find(str(kind), record_id) is None:
                return None
            ids.append(record_id)
        return ids

    def target_type(self, rel: Relationship, record_id: str) -> str:
        """The type of the record a relationship links by ``record_id`` (one of several for a
        polymorphic one such as a proof's entity)."""
        if not rel.also:
            return rel.target
        with self._lock:
            return next((t for t in rel.also if record_id in self._records.get(t, {})), rel.target)

    def _apply_inverse(self, record: Record, changes: list[tuple[Relationship, list[str]]]) -> None:
        for rel, ids in changes:
            assert rel.inverse is not None
            linked = self.matching(rel.target, f"{rel.inverse}.id", [record.id])
            joining = [m for m in (self.find(rel.target, i) for i in ids) if m is not None]
            for member in [*linked, *joining]:
                wanted = member.id in ids
                if wanted != (member.relationships.get(rel.inverse) == record.id):
                    member.relationships[rel.inverse] = record.id if wanted else None
                    self._persist(member)

    def _forget_references(self, type_name: str, record_id: str) -> None:
        for rt in self.registry:
            for rel in rt.relationships:
                if type_name not in rel.targets or rel.inverse is not None:
                    continue
                for record in self.matching(rt.name, f"{rel.name}.id", [record_id]):
                    value = record.relationships.get(rel.name)
                    if value == record_id:
                        record.relationships[rel.name] = None
                    elif isinstance(value, list) and record_id in value:
                        record.relationships[rel.name] = [v for v in value if v != record_id]
                    else:
                        continue
                    self._persist(record)

    def _check_unique(self, rt: ResourceType, record: Record) -> list[FieldError]:
        problems = []
        for attr in rt.stored_attributes():
            value = record.attributes.get(attr.name)
            if not attr.unique or value is None:
                continue
            name = attr.name
            taken = self._unique.taken(rt.name, name, value, record.id)
            if taken is None:  # a value the index cannot hold (a list): compare with every record
                taken = any(
                    r.attributes.get(name) == value for r in self._records[rt.name].values() if r.id != record.id
                )
            if taken:
                problems.append(FieldError(f"/data/attributes/{name}", name, "has already been taken"))
        return problems


class UniqueIndex:
    """Which records hold each value of a ``unique`` attribute, so checking a create or update is
    a lookup instead of a scan of every record of the type (a scan made creates slower as the
    account grew). Kept by the account wherever a stored record is added, changed or removed."""

    def __init__(self, registry: Registry) -> None:
        self._names = {rt.name: tuple(a.name for a in rt.stored_attributes() if a.unique) for rt in registry}
        # (type, attribute) -> value -> ids; and (type, attribute) -> id -> the value it is under
        self._holders: dict[tuple[str, str], dict[Hashable, set[str]]] = {}
        self._values: dict[tuple[str, str], dict[str, Hashable]] = {}

    def put(self, record: Record) -> None:
        for name in self._names.get(record.type, ()):
            key = (record.type, name)
            self._forget(key, record.id)
            value = record.attributes.get(name)
            if value is not None and _hashable(value):
                self._holders.setdefault(key, {}).setdefault(value, set()).add(record.id)
                self._values.setdefault(key, {})[record.id] = value

    def drop(self, type_name: str, record_id: str) -> None:
        for name in self._names.get(type_name, ()):
            self._forget((type_name, name), record_id)

    def clear(self) -> None:
        self._holders.clear()
        self._values.clear()

    def taken(self, type_name: str, name: str, value: Any, record_id: str) -> bool | None:
        """Whether a record other than ``record_id`` holds ``value``; None when it cannot tell."""
        if not _hashable(value):
            return None
        holders = self._holders.get((type_name, name), {}).get(value, ())
        return any(held != record_id for held in holders)

    def _forget(self, key: tuple[str, str], record_id: str) -> None:
        values = self._values.get(key)
        if values is None or record_id not in values:
            return
        value = values.pop(record_id)
        holders = self._holders[key][value]
        holders.discard(record_id)
        if not holders:
            del self._holders[key][value]


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def copy_json(value: Any) -> Any:
    """A deep copy of stored, JSON-shaped data (dicts, lists, scalars): copy.deepcopy's memo and
    dispatch made it most of the cost of an update."""
    if isinstance(value, dict):
        return {k: copy_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_json(v) for v in value]
    return value


def _by_seq(record: Record) -> int:
    return record.seq


def _position(records: list[Record], record: Record) -> int | None:
    """Where a record (by id) is in a list sorted by sequence number."""
    at = bisect.bisect_left(records, record.seq, key=_by_seq)
    while at < len(records) and records[at].seq == record.seq:
        if records[at].id == record.id:
            return at
        at += 1
    return None


def _copy_record(record: Record) -> Record:
    return Record(
        record.type,
        record.id,
        record.seq,
        copy_json(record.attributes),
        copy_json(record.relationships),
        copy_json(record.internal),
    )


def _payload(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    # Left out is none; null is not an object (JSON:API), so it is refused like any other non-object.
    attributes = data.get("attributes", {})
    relationships = data.get("relationships", {})
    if not isinstance(attributes, dict) or not isinstance(relationships, dict):
        raise errors.bad_request("Invalid request", "attributes and relationships must be objects")
    return attributes, relationships


def _coerce_into(attr: Attr, value: Any, pointer: str, name: str, problems: list[FieldError]) -> Any:
    try:
        return coerce(attr, value)
    except Invalid as exc:
        problems.append(FieldError(pointer, name, str(exc.args[0])))
        return None
