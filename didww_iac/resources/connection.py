"""How a provider reaches DIDWW: non-secret settings travel with the pickled provider; the API
key never does. It is resolved in the provider process from stack config or the environment."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from didww_iac.api import ClientSettings, DidwwClient, RequestStats
from didww_iac.settings import API_KEY_CONFIG, API_KEY_ENV, LOCAL_EMULATOR_API_KEY


@dataclass(frozen=True)
class Connection:
    endpoint: str
    api_version: str
    rate_limit: float
    limiter: str = "sqlite"

    @property
    def is_local(self) -> bool:
        if self.endpoint == "emulator":
            return True
        host = urlsplit(self.endpoint).hostname or ""
        return host in {"localhost", "::1"} or host.startswith("127.")


class MissingApiKeyError(RuntimeError):
    def __init__(self) -> None:
        super().__init__(
            f"No DIDWW API key: set it with `pulumi config set --secret {API_KEY_CONFIG} <key>` "
            f"or export {API_KEY_ENV}."
        )


REDIS_URL_ENV = "DIDWW_IAC_REDIS_URL"


def resolve_limiter(limiter: str) -> str:
    """`redis` alone names a shared limiter whose URL (it may hold a password) stays in the
    environment, out of the stack file and the pickled provider."""
    if limiter != "redis":
        return limiter
    url = os.environ.get(REDIS_URL_ENV)
    if not url:
        raise RuntimeError(f"limiter: redis needs the Redis URL in {REDIS_URL_ENV}")
    return url


def resolve_api_key(configured: str | None, connection: Connection) -> str:
    key = configured or os.environ.get(API_KEY_ENV)
    if key:
        return key
    if connection.is_local:
        return LOCAL_EMULATOR_API_KEY
    raise MissingApiKeyError()


_clients: dict[tuple[Connection, str], DidwwClient] = {}
_clients_lock = threading.Lock()


def all_client_stats() -> list[RequestStats]:
    with _clients_lock:
        return [client.stats for client in _clients.values()]


def shared_client(connection: Connection, api_key: str) -> DidwwClient:
    """One client per connection and key in a process, so every provider of every resource type
    draws from the same connection pool and rate limiter."""
    with _clients_lock:
        client = _clients.get((connection, api_key))
        if client is None:
            client = DidwwClient(
                ClientSettings(
                    endpoint=connection.endpoint,
                    api_key=api_key,
                    api_version=connection.api_version,
                    rate_limit=connection.rate_limit,
                    limiter=resolve_limiter(connection.limiter),
                )
            )
            _clients[(connection, api_key)] = client
        return client
