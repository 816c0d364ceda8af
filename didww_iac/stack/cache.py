"""Validated stacks kept by content, so a stack file is parsed once and not by every process.

One command reads the stack file two or three times (the command line validates it before any
API call, then the engine runs the Pulumi program, which reads it again), and ruamel's
round-trip parser costs about 0.55 s per 1,000 entries each time. What a successful load ends
with (the validated `Stack` and the line of every setting) is kept under the SHA-256 of the file's
bytes and of the code that validates it, so any change to either is a miss, never a stale answer.
Files that fail validation are never kept: their errors are always found afresh.

A speed trick (see speedups.py): `DIDWW_IAC_SPEEDUPS=off` turns it off. The files are in the
tool's cache folder (`$XDG_CACHE_HOME/didww-iac`, else `~/.cache/didww-iac`); a folder that cannot
be written only costs the parse.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pydantic

from didww_iac import speedups
from didww_iac.settings import user_cache_folder
from didww_iac.stack.schema import Stack

# Enough for every stack of a checkout; the least recently written go first.
KEPT = 32
# The code whose behaviour a kept answer depends on: the schema and the checks of the loader,
# and the settings they read (versions, endpoints).
_PACKAGE = Path(__file__).resolve().parents[1]
_VALIDATING_CODE = ("stack/schema.py", "stack/loader.py", "stack/cache.py", "settings.py", "api/settings.py")


@dataclass(frozen=True)
class Validated:
    stack: Stack
    lines: dict[tuple[str, str], dict[str, int]]


@cache
def _code_fingerprint() -> bytes:
    digest = hashlib.sha256(f"{sys.version}|{pydantic.VERSION}".encode())
    for name in _VALIDATING_CODE:
        digest.update((_PACKAGE / name).read_bytes())
    return digest.digest()


def _entry(content: bytes) -> Path:
    return user_cache_folder() / f"stack-{hashlib.sha256(_code_fingerprint() + content).hexdigest()}.pickle"


def validated(content: bytes) -> Validated | None:
    """What loading these bytes ended with last time, if they were valid."""
    if not speedups.switched_on():
        return None
    try:
        kept = pickle.loads(_entry(content).read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None
    return kept if isinstance(kept, Validated) else None


def remember(content: bytes, result: Validated) -> None:
    if not speedups.switched_on():
        return
    target = _entry(content)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed: a reader never sees half a file, whoever writes at once.
        with tempfile.NamedTemporaryFile(dir=target.parent, prefix=".stack-", delete=False) as out:
            out.write(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(out.name, target)
        _forget_oldest(target.parent)
    except OSError:
        return


def _forget_oldest(where: Path) -> None:
    entries = sorted(where.glob("stack-*.pickle"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in entries[KEPT:]:
        old.unlink(missing_ok=True)
