"""A stack's lock: who holds it, waiting for it (`--lock-timeout`), and what to say about it.

The engine locks a stack for `up`, `refresh` and `destroy` (not for a preview). Its DIY backends
(`file://`, `postgres://`, `s3://`...) keep a lock as a small JSON document (pid, username,
hostname, timestamp) and, when an operation finds one held, fail with an error that names each
holder. That error is what every backend shares, so it is what the waiting reads; the lock files
of a `file://` backend are read directly too (no engine start per poll, and the state of the
holder's process is visible there). Nothing here runs the engine: `engine.Engine` does.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

# The engine's own words (pkg/backend/diy/lock.go of the pinned release), also behind
# `stack init`'s "could not create stack: ..." when the stack is locked.
LOCKED_MARKER = "the stack is currently locked by"
_HOLDER_LINE = re.compile(r"created by (?P<user>.*)@(?P<host>[^@\s]*) \(pid (?P<pid>-?\d+)\) at (?P<at>\S+)\s*$")

# A waiting run says who holds the lock when that changes, and again this often while it waits.
REPORT_EVERY = 30.0

T = TypeVar("T")


@dataclass(frozen=True)
class LockHolder:
    """The run holding a lock, as the engine recorded it when it took the lock."""

    user: str
    host: str
    pid: int | None
    since: datetime | None

    @classmethod
    def from_lock_document(cls, document: Mapping[str, Any]) -> LockHolder:
        pid = document.get("pid")
        return cls(
            user=str(document.get("username", "?")),
            host=str(document.get("hostname", "?")),
            pid=pid if isinstance(pid, int) else None,
            since=_parse_time(document.get("timestamp")),
        )

    def describe(self, now: datetime) -> str:
        """`ci@runner-7 (pid 4242), held for 3m12s`."""
        who = f"{self.user}@{self.host} (pid {self.pid if self.pid is not None else '?'})"
        if self.since is None:
            return who
        return f"{who}, held for {format_duration((now - self.since).total_seconds())}"


@dataclass(frozen=True)
class Locked:
    """An attempt found the stack locked by these holders (empty: the holder is not known)."""

    holders: tuple[LockHolder, ...]


class StillLocked(Exception):
    """The lock was still held when the wait ran out (at once, with no timeout: `waited` 0)."""

    def __init__(self, holders: tuple[LockHolder, ...], waited: float) -> None:
        super().__init__(f"still locked after waiting {waited:g}s")
        self.holders = holders
        self.waited = waited


def read_lock_file(path: Path) -> LockHolder | None:
    """The holder recorded in a `file://` backend's lock file; None when the file is gone (the
    engine deletes it at any moment). The engine writes it whole (a rename), so one that does not
    parse is damaged, not half written: it still holds the lock, for a holder not known."""
    try:
        text = path.read_text()
    except OSError:
        return None
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        document = None
    return LockHolder.from_lock_document(document if isinstance(document, dict) else {})


def parse_locked_error(text: str) -> tuple[LockHolder, ...] | None:
    """The holders named by the engine's "the stack is currently locked" error in `text`, or None
    when `text` holds no such error."""
    if LOCKED_MARKER not in text:
        return None
    holders = []
    for line in text[text.index(LOCKED_MARKER) :].splitlines()[1:]:
        match = _HOLDER_LINE.search(line)
        if match:
            holders.append(
                LockHolder(match["user"], match["host"], int(match["pid"]), _parse_time(match["at"])),
            )
    return tuple(holders)


def wait_for_lock(
    attempt: Callable[[], T | Locked],
    timeout: float,
    *,
    poll: float,
    report: Callable[[tuple[LockHolder, ...], float], None],
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Calls `attempt` until it returns something other than `Locked`, and returns that.

    Between attempts it sleeps `poll` seconds (less when the deadline is nearer) and calls
    `report(holders, seconds left)` when the holders change and every REPORT_EVERY seconds.
    Raises StillLocked once `timeout` seconds have passed since the lock was first found held
    (the wait starts then: an attempt that is slow to find it, an engine start on a loaded
    machine, does not eat the wait); with 0, at the first locked attempt."""
    start: float | None = None
    said: tuple[tuple[LockHolder, ...], float] | None = None
    while True:
        outcome = attempt()
        if not isinstance(outcome, Locked):
            return outcome
        now = clock()
        if start is None:
            start = now
        left = start + timeout - now
        if left <= 0:
            raise StillLocked(outcome.holders, timeout)
        if said is None or said[0] != outcome.holders or now - said[1] >= REPORT_EVERY:
            report(outcome.holders, left)
            said = (outcome.holders, now)
        sleep(min(poll, left))


def unlock_command(stack: str) -> str:
    return f"didww-iac unlock -s {stack}"


def holders_text(holders: Sequence[LockHolder], now: datetime) -> str:
    if not holders:
        return "a run the engine did not name"
    return "; ".join(h.describe(now) for h in holders)


def waiting_message(stack: str, holders: Sequence[LockHolder], left: float, now: datetime) -> str:
    return (
        f"stack {stack} is locked by {holders_text(holders, now)}: waiting for it to end "
        f"(up to {format_duration(left)} more)"
    )


def locked_message(stack: str, holders: Sequence[LockHolder], waited: float, now: datetime) -> str:
    """Why the operation did not run, and the two ways on: wait (longer), or break a lock left by a
    run that is gone, which this process could not tell (another host, or a backend whose locks
    it cannot read). Short lines: a terminal or CI log wraps nothing, so each part can be found."""
    if waited > 0:
        head = f"stack {stack} is still locked after waiting {format_duration(waited)} (--lock-timeout), by:"
        hint = "A higher --lock-timeout waits longer."
    else:
        head = f"stack {stack} is locked by another run, which is applying it:"
        hint = "`--lock-timeout SECONDS` waits for it to end."
    who = [f"  {h.describe(now)}" for h in holders] or ["  a run the engine did not name"]
    return "\n".join(
        [
            head,
            *who,
            f"{hint} If that run is gone (a cancelled job, a machine that went away),",
            f"break its lock with `{unlock_command(stack)}`.",
        ]
    )


def format_duration(seconds: float) -> str:
    """`45s`, `3m12s`, `2h05m`, `3d04h`; a negative span (clocks of two machines apart) reads `0s`."""
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours:02d}h"


def utc_now() -> datetime:
    return datetime.now(UTC)


def _parse_time(raw: object) -> datetime | None:
    if not isinstance(raw, str):
        return None
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
