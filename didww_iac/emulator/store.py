"""Where account records live between restarts: nowhere (memory) or a SQLite file.

The account keeps every record in memory and writes each change through to the store while
holding its lock, so the store needs no locking of its own beyond SQLite's.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Protocol

from didww_iac.emulator.record import Record


class Store(Protocol):
    def load(self) -> list[Record]: ...

    def put(self, record: Record) -> None: ...

    def put_many(self, records: Iterable[Record]) -> None: ...

    def delete(self, type_name: str, record_id: str) -> None: ...

    def clear(self) -> None: ...

    def load_counter(self, name: str = "records") -> int: ...

    def save_counter(self, value: int, name: str = "records") -> None: ...

    def close(self) -> None: ...

    def transaction(self) -> AbstractContextManager[None]:
        """Group the writes made inside into one commit (re-entrant: the outermost commits)."""
        ...


class MemoryStore:
    def __init__(self) -> None:
        # Records live in the account; counters here, so counting (seedings) works without a file.
        self._counters: dict[str, int] = {}

    def load(self) -> list[Record]:
        return []

    def put(self, record: Record) -> None:
        pass

    def put_many(self, records: Iterable[Record]) -> None:
        pass

    def delete(self, type_name: str, record_id: str) -> None:
        pass

    def clear(self) -> None:
        self._counters.clear()

    def load_counter(self, name: str = "records") -> int:
        return self._counters.get(name, 0)

    def save_counter(self, value: int, name: str = "records") -> None:
        self._counters[name] = value

    def close(self) -> None:
        pass

    def transaction(self) -> AbstractContextManager[None]:
        return nullcontext()


class SqliteStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Used from the server's worker threads; the account lock serialises every call.
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS records ("
            " type TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL,"
            " PRIMARY KEY (type, id))"
        )
        # The id counter outlives deleted records, so an id is never handed out twice.
        self._db.execute("CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)")
        self._depth = 0  # nesting of transaction(); the account lock serialises callers

    def load(self) -> list[Record]:
        rows = self._db.execute("SELECT body FROM records ORDER BY seq").fetchall()
        return [Record.from_json(json.loads(body)) for (body,) in rows]

    def put(self, record: Record) -> None:
        self._db.execute(_UPSERT, _row(record))

    def put_many(self, records: Iterable[Record]) -> None:
        # One transaction: seeding the catalogue is hundreds of rows, each commit costs an fsync.
        with self.transaction():
            self._db.executemany(_UPSERT, [_row(r) for r in records])

    @contextmanager
    def transaction(self) -> Iterator[None]:
        # Each statement outside a transaction is its own commit (an fsync): an order of 500
        # numbers is a thousand writes, seeding an account ten thousand.
        self._depth += 1
        if self._depth == 1:
            self._db.execute("BEGIN")
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0:
                # Committed even after an error: the account in memory already holds those
                # writes, and the file must match it.
                self._db.execute("COMMIT")

    def delete(self, type_name: str, record_id: str) -> None:
        self._db.execute("DELETE FROM records WHERE type = ? AND id = ?", (type_name, record_id))

    def clear(self) -> None:
        self._db.execute("DELETE FROM records")
        self._db.execute("DELETE FROM counters")

    def load_counter(self, name: str = "records") -> int:
        row = self._db.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()
        return int(row[0]) if row else 0

    def save_counter(self, value: int, name: str = "records") -> None:
        self._db.execute("INSERT OR REPLACE INTO counters (name, value) VALUES (?, ?)", (name, value))

    def close(self) -> None:
        self._db.close()


_UPSERT = "INSERT OR REPLACE INTO records (type, id, seq, body) VALUES (?, ?, ?, ?)"


def _row(record: Record) -> tuple[str, str, int, str]:
    return (record.type, record.id, record.seq, json.dumps(record.to_json()))


def open_store(path: Path | None) -> Store:
    return SqliteStore(path) if path is not None else MemoryStore()
