"""Client settings: endpoint resolution, the API-key wrapper and validation of every knob.

Validation happens when the settings are built, so a bad endpoint or version is reported before
any request is attempted.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

from didww_iac.api.errors import ConfigurationError
from didww_iac.api.versions import SUPPORTED_VERSIONS
from didww_iac.settings import user_cache_folder

NAMED_ENDPOINTS: dict[str, str] = {
    "production": "https://api.didww.com/v3/",
    "sandbox": "https://sandbox-api.didww.com/v3/",
    "emulator": "http://127.0.0.1:8765/v3/",
}


MIN_API_KEY_LENGTH = 12


class ApiKey:
    """Holds the API key; every textual form shows ``***`` and it refuses to be pickled.

    Refusing pickling keeps the key out of Pulumi state (dynamic providers are pickled).
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if isinstance(value, ApiKey):
            value = value.get_secret_value()
        if not isinstance(value, str) or not value.strip():
            raise ConfigurationError("api_key is empty: set the DIDWW API key (it is never logged)")
        # Keys are scrubbed from every log line and error text by substring; a very short "key"
        # would mangle unrelated words (DIDWW's own keys are 32 characters).
        if len(value.strip()) < MIN_API_KEY_LENGTH:
            raise ConfigurationError(
                f"api_key is too short: DIDWW API keys have {MIN_API_KEY_LENGTH} characters or more"
            )
        self._value = value.strip()

    def get_secret_value(self) -> str:
        return self._value

    def fingerprint(self, salt: str = "") -> str:
        """A short, stable, non-reversible id for the key (limiter buckets, logs)."""
        return hashlib.sha256(f"didww-iac\0{salt}\0{self._value}".encode()).hexdigest()[:24]

    def __repr__(self) -> str:
        return "ApiKey('***')"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ApiKey) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self.fingerprint())

    def __reduce__(self) -> NoReturn:
        raise TypeError("an API key must not be pickled; pass it through configuration or the environment")


def _is_loopback(host: str) -> bool:
    if host.lower() in {"localhost", "localhost."}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def resolve_endpoint(endpoint: str) -> str:
    """Turn a named endpoint or URL into a base URL ending with '/'; refuse unsafe URLs."""
    url = NAMED_ENDPOINTS.get(endpoint.strip().lower(), endpoint.strip())
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigurationError(
            f"endpoint {endpoint!r} is neither one of {sorted(NAMED_ENDPOINTS)} nor an http(s) URL"
        )
    if parts.username is not None or parts.password is not None:
        raise ConfigurationError("endpoint URL must not contain credentials; use api_key")
    if parts.query or parts.fragment:
        raise ConfigurationError(f"endpoint URL must not have a query or fragment: {endpoint!r}")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ConfigurationError(
            f"endpoint {parts.scheme}://{parts.netloc} uses plain http to a non-loopback host; "
            "the API key would travel unencrypted. Use https (plain http is accepted only for "
            "127.0.0.0/8, ::1 and localhost, e.g. the local emulator)"
        )
    return url if url.endswith("/") else url + "/"


def _redact_url(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def default_limiter_path() -> Path:
    return user_cache_folder() / "ratelimit.sqlite3"


@dataclass(frozen=True, repr=False)
class ClientSettings:
    """Everything the client needs. ``api_key`` accepts a str and is wrapped in :class:`ApiKey`."""

    api_key: ApiKey | str
    endpoint: str = "production"
    api_version: str = "2026-04-16"
    rate_limit: float = 20.0
    limiter: str = "process"
    limiter_path: str | os.PathLike[str] | None = None
    # Seconds added to the limiter's window. The slot rule is already safe against any delay
    # between send and arrival (see `limiter.core.next_slot`); this only absorbs clock-rate
    # differences between us and the server.
    limiter_margin: float = 0.01
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_attempts: int = 5
    retry_budget_seconds: float = 60.0
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    page_size: int = 100
    user_agent: str = "didww-iac"
    base_url: str = field(init=False)

    def __post_init__(self) -> None:
        if not isinstance(self.api_key, ApiKey):
            object.__setattr__(self, "api_key", ApiKey(self.api_key))
        object.__setattr__(self, "base_url", resolve_endpoint(self.endpoint))
        if self.api_version not in SUPPORTED_VERSIONS:
            raise ConfigurationError(
                f"api_version {self.api_version!r} is not supported; use one of {', '.join(SUPPORTED_VERSIONS)}"
            )
        _check_number("rate_limit", self.rate_limit, minimum=0.0)
        _check_number("limiter_margin", self.limiter_margin, minimum=0.0)
        _check_number("connect_timeout", self.connect_timeout, minimum=0.0, strict=True)
        _check_number("read_timeout", self.read_timeout, minimum=0.0, strict=True)
        _check_number("retry_budget_seconds", self.retry_budget_seconds, minimum=0.0)
        _check_number("backoff_base", self.backoff_base, minimum=0.0)
        _check_number("backoff_max", self.backoff_max, minimum=0.0)
        if not isinstance(self.max_attempts, int) or self.max_attempts < 1:
            raise ConfigurationError(f"max_attempts must be an integer >= 1, got {self.max_attempts!r}")
        if not isinstance(self.page_size, int) or not 1 <= self.page_size <= 100:
            raise ConfigurationError(f"page_size must be between 1 and 100, got {self.page_size!r}")
        kind = self.limiter
        if kind not in {"process", "sqlite"} and not kind.startswith(("redis://", "rediss://", "unix://")):
            raise ConfigurationError(
                f"limiter must be 'process', 'sqlite' or a redis:// URL, got {_redact_url(kind)!r}"
            )

    @property
    def key(self) -> ApiKey:
        assert isinstance(self.api_key, ApiKey)
        return self.api_key

    @property
    def bucket_id(self) -> str:
        """Limiter bucket name: a hash of endpoint and key, never the key itself."""
        return self.key.fingerprint(salt=self.base_url)

    def resolved_limiter_path(self) -> Path:
        return Path(self.limiter_path) if self.limiter_path is not None else default_limiter_path()

    def __repr__(self) -> str:
        limiter = self.limiter if self.limiter in {"process", "sqlite"} else _redact_url(self.limiter)
        return (
            f"ClientSettings(endpoint={self.base_url!r}, api_key='***', api_version={self.api_version!r}, "
            f"rate_limit={self.rate_limit!r}, limiter={limiter!r}, max_attempts={self.max_attempts!r}, "
            f"retry_budget_seconds={self.retry_budget_seconds!r})"
        )

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("ClientSettings holds an API key and must not be pickled")


def _check_number(name: str, value: Any, *, minimum: float, strict: bool = False) -> None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if ok and (value > minimum if strict else value >= minimum):
        return
    op = ">" if strict else ">="
    raise ConfigurationError(f"{name} must be a finite number {op} {minimum}, got {value!r}")
