"""Documents declared in the stack file: files beside it, known to the state by path and digest.

The program calls `declared_files` while it declares resources (so a new scan of the same path
shows as a change in the preview); the provider calls `document_content` when it uploads, which
refuses a file that changed after the preview that showed it. Content never enters the state.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from didww_iac.resources.spec import Documents, ResourceSpec

# Larger files are refused by DIDWW (Create Encrypted File: "MUST NOT be greater than 20MB").
MAX_BYTES = 20 * 1024 * 1024


class DocumentError(Exception):
    """A declared document that cannot be read; `key` is the entry's key that declares it."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def _read(stack_file: Path, path: str, key: str) -> bytes:
    located = stack_file.parent / path
    try:
        size = located.stat().st_size
        if size > MAX_BYTES:
            raise DocumentError(key, f"{path} is {size / 1e6:.1f} MB: DIDWW takes documents up to 20 MB")
        return located.read_bytes()
    except FileNotFoundError:
        raise DocumentError(key, f"{path}: no such file (paths are relative to the stack file)") from None
    except IsADirectoryError:
        raise DocumentError(key, f"{path} is a directory: name the document's file") from None
    except OSError as exc:
        raise DocumentError(key, f"{path}: cannot read it ({exc.strerror})") from None


def declared_files(stack_file: Path, paths: Sequence[str], key: str = "files") -> list[dict[str, str]]:
    """The `files` property of an entry: each path as declared and the SHA-256 of its content."""
    return [{"path": p, "sha256": hashlib.sha256(_read(stack_file, p, key)).hexdigest()} for p in paths]


def document_content(stack_file: str, declared: Mapping[str, Any], key: str = "files") -> bytes:
    """The content of one declared file, exactly as the preview saw it."""
    path = str(declared["path"])
    content = _read(Path(stack_file), path, key)
    if hashlib.sha256(content).hexdigest() != declared.get("sha256"):
        raise DocumentError(key, f"{path} changed after this run's plan was made: run preview or up again")
    return content


def document_props(spec: ResourceSpec, entry: BaseModel, stack_file: Path) -> dict[str, Any]:
    """The document properties of an entry (every `Documents` key it declares)."""
    props: dict[str, Any] = {}
    for setting in _documents(spec):
        paths = getattr(entry, setting.key, None)
        if paths is not None:
            props[setting.key] = declared_files(stack_file, paths, setting.key)
    return props


def missing_documents(spec: ResourceSpec, entry: BaseModel, stack_file: Path) -> list[DocumentError]:
    """What `validate` reports: every declared document that cannot be read."""
    problems: list[DocumentError] = []
    for setting in _documents(spec):
        for path in getattr(entry, setting.key, None) or ():
            try:
                _read(stack_file, path, setting.key)
            except DocumentError as exc:
                problems.append(exc)
    return problems


def _documents(spec: ResourceSpec) -> list[Documents]:
    return [s for s in spec.settings if isinstance(s, Documents)]
