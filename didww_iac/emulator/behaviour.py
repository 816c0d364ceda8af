"""Per-type hooks for rules that are not plain data, and what those hooks may ask of the account.

The generic machinery in models.py calls these at fixed points of a create, update, delete and
clock tick; a type overrides only the ones it needs.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from didww_iac.emulator.config import DEFAULT_BALANCE, DEFAULT_ORDER_DELAY, DEFAULT_REVIEW_DELAY, DEFAULT_STOCK
from didww_iac.emulator.errors import FieldError
from didww_iac.emulator.record import Record

if TYPE_CHECKING:
    from didww_iac.emulator.schema import Attr, DefaultContext


class AccountView(Protocol):
    """What behaviours may ask of the account (kept minimal to avoid an import cycle)."""

    def related_ids(self, record: Record, relationship: str) -> list[str]: ...

    def records(self, type_name: str) -> list[Record]: ...

    def find(self, type_name: str, record_id: str) -> Record | None: ...

    def matching(self, type_name: str, path: str, values: Iterable[str]) -> list[Record]:
        """Records whose value at ``path`` (an attribute, or ``<relationship>.id``), as filter
        text, is one of ``values``, in creation order: an index lookup, not a scan."""
        ...

    def count_matching(self, type_name: str, path: str, values: Iterable[str]) -> int:
        """How many records ``matching`` would return, without building the list."""
        ...


class AccountOps(AccountView, Protocol):
    """What behaviours with side effects may do; every call happens under the account lock."""

    @property
    def settings(self) -> AccountSettings: ...

    @property
    def rng(self) -> random.Random: ...

    def now(self) -> float: ...

    def now_iso(self) -> str: ...

    def insert(self, record: Record) -> Record:
        """Store a new record; an empty id gets the next generated one (and a sequence number)."""
        ...

    def insert_many(self, records: Sequence[Record]) -> None:
        """``insert`` each record, written to the store in one transaction."""
        ...

    def save(self, record: Record) -> None: ...

    def remove(self, type_name: str, record_id: str) -> None: ...

    def schedule(self, record: Record, due: float) -> None:
        """Call the type's ``on_timer`` for ``record`` once the emulated clock reaches ``due``."""
        ...


@dataclass
class AccountSettings:
    """Knobs of the emulated account that behaviours read (see EmulatorConfig)."""

    order_delay: float = DEFAULT_ORDER_DELAY
    review_delay: float = DEFAULT_REVIEW_DELAY
    balance: str = DEFAULT_BALANCE
    stock_per_group: int = DEFAULT_STOCK


class Behaviour:
    """Per-type rules that are not plain data. The defaults do nothing."""

    # Timers of this type fire on an admin clock tick even before they are due (pending orders).
    forced_by_tick: bool = False
    # Attributes stored as a path under /v3 and rendered as an absolute URL (an export's url).
    api_paths: tuple[str, ...] = ()

    def translate_input(
        self, version: str, attributes: dict[str, Any], existing: Record | None, ctx: DefaultContext
    ) -> dict[str, Any]:
        """Map a version's request attributes onto the stored shape."""
        return attributes

    def render_virtual(self, account: AccountView, version: str, record: Record, attr: Attr) -> Any:
        return None

    def render_value(self, version: str, attr: Attr, value: Any) -> Any:
        """A stored value as a version shows it (order status "pending" is "Pending" in 2022)."""
        return value

    def reconcile(
        self, account: AccountView, record: Record, existing: Record | None, given: set[str]
    ) -> list[FieldError]:
        """Adjust a record to what the request named (``given``: its relationship names)."""
        return []

    def validate(self, account: AccountView, record: Record, existing: Record | None) -> list[FieldError]:
        return []

    def before_create(self, ops: AccountOps, record: Record, version: str) -> None:
        """Last checks and side effects before a valid record is stored; may raise ApiError."""

    def after_create(self, ops: AccountOps, record: Record) -> None:
        pass

    def action(self, ops: AccountOps, record: Record) -> Record:
        """For types that are not stored (a POST that is an action): perform it, return what to render."""
        return record

    def delete(self, ops: AccountOps, record: Record) -> bool:
        """Handle a DELETE instead of removing the record (an order is canceled); True when handled."""
        return False

    def after_delete(self, ops: AccountOps, record: Record) -> None:
        pass

    def due(self, record: Record) -> float | None:
        """When this record's timer fires, if it has one (rebuilt from state after a restart)."""
        return None

    def on_timer(self, ops: AccountOps, record: Record) -> None:
        """The record's timer fired: at its due time, or earlier for ``forced_by_tick`` types."""

    def listed(self, account: AccountView, record: Record) -> bool:
        """Whether a record appears in collections (reserved available DIDs do not)."""
        return True

    def prepare_list(self, ops: AccountOps, filters: Mapping[str, list[str]]) -> None:
        """Before a collection is read with these filters (stock kept as a count is stored here
        when the filters need its numbers one by one)."""

    def latent_matches(self, account: AccountView, matches: Callable[[Record], bool]) -> int:
        """Records a collection matches that exist only as a count (numbers in stock not yet
        stored); ``matches`` says whether a stand-in record passes the request's filters."""
        return 0

    def meta(self, account: AccountView, record: Record) -> dict[str, Any] | None:
        return None

    def document_meta(
        self, account: AccountView, records: Sequence[Record] | None, total: int | None = None
    ) -> dict[str, Any]:
        """Top-level meta besides api_version; ``records`` is the full match of a collection and
        ``total`` its size (with any ``latent_matches``)."""
        return {}

    def download(self, account: AccountView, name: str) -> Download | None:
        """A file served at /v3/<type>/<name> instead of a record (an export's .csv.gz)."""
        return None

    def collection_meta(self, version: str) -> bool:
        """False when a version's collection answer has no ``meta`` and no ``links`` at all
        (public_keys in 2026-04-16)."""
        return True

    def form_input(self, version: str, form: Sequence[FormPart]) -> list[dict[str, Any]]:
        """For ``form_create`` types: the JSON:API ``data`` objects a multipart POST creates
        (checked here; may raise ApiError). Runs outside the account lock."""
        raise NotImplementedError

    def form_answer(self, version: str, records: Sequence[Record]) -> dict[str, Any] | None:
        """For ``form_create`` types: the 201 body, or None to render the one record as usual."""
        return None


@dataclass(frozen=True)
class FormPart:
    """One part of a multipart/form-data body; ``filename`` is None for a plain field."""

    name: str
    value: bytes
    filename: str | None = None
    content_type: str | None = None


@dataclass(frozen=True)
class Download:
    """A file a GET answers: its bytes, media type and file name."""

    body: bytes
    media_type: str
    filename: str
