"""The client's exception hierarchy and the mapping from DIDWW error documents to it.

Every HTTP-derived error carries method, path (with query), status and DIDWW's title/detail/code.
None of them ever holds the API key: they are built from plain strings only (never from
``httpx.Request`` objects, whose headers carry the key) and transport errors are raised
``from None`` with the underlying cause summarised as text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any


@dataclass(frozen=True)
class ErrorDetail:
    """One entry of a JSON:API ``errors`` array."""

    title: str | None = None
    detail: str | None = None
    code: str | None = None
    status: str | None = None
    pointer: str | None = None
    meta: Mapping[str, Any] | None = None

    @property
    def attribute(self) -> str | None:
        """The attribute or relationship name a pointer like ``/data/attributes/name`` names."""
        if not self.pointer:
            return None
        return self.pointer.rstrip("/").rsplit("/", 1)[-1] or None


class DidwwError(Exception):
    """Base of every error raised by :mod:`didww_iac.api`."""

    def __init__(
        self,
        message: str,
        *,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        title: str | None = None,
        detail: str | None = None,
        code: str | None = None,
        errors: Sequence[ErrorDetail] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.path = path
        self.status = status
        self.title = title
        self.detail = detail
        self.code = code
        self.errors: tuple[ErrorDetail, ...] = tuple(errors)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class ConfigurationError(DidwwError):
    """Invalid settings (endpoint, version, limiter...), found before any request."""


class UnsupportedInVersionError(ConfigurationError):
    """The request uses something the pinned API version does not have (e.g. a filter)."""


class AuthenticationError(DidwwError):
    """401: the API key is missing, wrong or revoked."""


class NotFoundError(DidwwError):
    """404: the resource does not exist (or is not visible to this key)."""


class ValidationError(DidwwError):
    """422: DIDWW refused the document; ``errors`` keeps each ``source.pointer``."""

    @property
    def pointers(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for e in self.errors:
            if e.pointer:
                out.setdefault(e.pointer, []).append(e.detail or e.title or "invalid")
        return out


class InsufficientBalanceError(DidwwError):
    """400 on an order: the account balance does not cover it."""

    def __init__(self, message: str, *, available_balance: str | None, total_cost: str | None, **kw: Any):
        super().__init__(message, **kw)
        self.available_balance = available_balance
        self.total_cost = total_cost


class RequestError(DidwwError):
    """Any other 4xx answer (400, 403, 405, 409, 415...)."""


class RateLimitedError(DidwwError):
    """429 after the retry budget was spent."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any):
        super().__init__(message, **kw)
        self.retry_after = retry_after


class ServerError(DidwwError):
    """5xx (after retries, for idempotent requests)."""


class TransportError(DidwwError):
    """Timeout, refused or reset connection, protocol error: no usable HTTP answer."""

    def __init__(self, message: str, *, cause: str, may_have_been_sent: bool, **kw: Any):
        super().__init__(message, **kw)
        self.cause = cause
        self.may_have_been_sent = may_have_been_sent


class VersionMismatchError(DidwwError):
    """The answering API version differs from the pin (the header was ignored by DIDWW)."""

    def __init__(self, message: str, *, pinned: str, answered: str, **kw: Any):
        super().__init__(message, **kw)
        self.pinned = pinned
        self.answered = answered


def version_mismatch(pinned: str, answered: str, method: str, path: str, status: int) -> VersionMismatchError:
    if answered > pinned:
        why = (
            f"The account's default API version ({answered}) is newer than the pin, and DIDWW silently "
            "ignores an X-DIDWW-API-Version header older than the account default."
        )
        fix = (
            f"Set the stack's api_version to {answered!r} (after checking the Changelog for breaking "
            f"changes), or ask DIDWW support to lower the account's default API version to {pinned}."
        )
    else:
        why = "DIDWW did not honour the X-DIDWW-API-Version header (an invalid value is ignored too)."
        fix = f"Check that {pinned!r} is a version DIDWW offers, or set the stack's api_version to {answered!r}."
    message = (
        f"API version mismatch: pinned {pinned}, but DIDWW answered with {answered} "
        f"({method} {path}). {why} {fix} Nothing was changed by this check."
    )
    return VersionMismatchError(message, pinned=pinned, answered=answered, method=method, path=path, status=status)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
    import time

    return max(0.0, when - (time.time() if now is None else now))


def _details(body: Any) -> list[ErrorDetail]:
    raw = body.get("errors") if isinstance(body, Mapping) else None
    if isinstance(raw, Mapping):
        return _legacy_details(raw)
    out: list[ErrorDetail] = []
    for e in raw if isinstance(raw, list) else []:
        if not isinstance(e, Mapping):
            continue
        raw_source = e.get("source")
        source: Mapping[str, Any] = raw_source if isinstance(raw_source, Mapping) else {}
        meta = e.get("meta") if isinstance(e.get("meta"), Mapping) else None
        out.append(
            ErrorDetail(
                title=_str(e.get("title")),
                detail=_str(e.get("detail")),
                code=_str(e.get("code")),
                status=_str(e.get("status")),
                pointer=_str(source.get("pointer")),
                meta=meta,
            )
        )
    return out


def _legacy_details(raw: Mapping[str, Any]) -> list[ErrorDetail]:
    """Rails-style ``{"errors": {"base": ["outdated fingerprint"], "file": [...]}}``, which
    2022-05-10's encrypted file upload answers instead of a JSON:API error list."""
    out: list[ErrorDetail] = []
    for name, messages in raw.items():
        for message in messages if isinstance(messages, list) else [messages]:
            text = str(message)
            base = name == "base"
            out.append(
                ErrorDetail(
                    title=text,
                    detail=text if base else f"{name} - {text}",
                    pointer="/data" if base else f"/data/attributes/{name}",
                )
            )
    return out


def _str(v: Any) -> str | None:
    return None if v is None else str(v)


def error_from_response(method: str, path: str, status: int, body: Any, retry_after: str | None = None) -> DidwwError:
    """Map an HTTP error answer (status >= 400) to the matching exception."""
    details = _details(body)
    first = details[0] if details else ErrorDetail()
    summary = "; ".join(
        " - ".join(p for p in (d.pointer, d.detail or d.title) if p) for d in details if d.detail or d.title
    )
    message = f"{method} {path} -> {status}" + (f": {summary}" if summary else "")
    kw: dict[str, Any] = dict(
        method=method,
        path=path,
        status=status,
        title=first.title,
        detail=first.detail,
        code=first.code,
        errors=details,
    )
    if status == 401:
        return AuthenticationError(message + " (check the DIDWW API key for this endpoint)", **kw)
    if status == 404:
        return NotFoundError(message, **kw)
    if status == 422:
        return ValidationError(message, **kw)
    if status == 429:
        wait = parse_retry_after(retry_after)
        return RateLimitedError(message, retry_after=wait, **kw)
    if status >= 500:
        return ServerError(message, **kw)
    if status == 400:
        top = body.get("meta") if isinstance(body, Mapping) else None
        meta: Mapping[str, Any] = first.meta or (top if isinstance(top, Mapping) else {})
        text = f"{first.title or ''} {first.detail or ''}".lower()
        if "available_balance" in meta or "total_cost" in meta or "insufficient" in text:
            avail, cost = _str(meta.get("available_balance")), _str(meta.get("total_cost"))
            if avail is not None or cost is not None:
                message += f" (available balance {avail}, total cost {cost})"
            return InsufficientBalanceError(message, available_balance=avail, total_cost=cost, **kw)
    return RequestError(message, **kw)


class LimiterError(DidwwError):
    """The shared rate-limiter backend (SQLite file, Redis) could not be used."""
