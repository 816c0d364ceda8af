"""One HTTP exchange with DIDWW over httpx: headers, timeouts, connection reuse, error capture.

Knows nothing of retries or rate limits; turns every outcome into either a :class:`RawResponse`
or a :class:`TransportError` that says whether the request may have reached the server.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from didww_iac.api.errors import TransportError
from didww_iac.api.settings import ClientSettings, _is_loopback

MEDIA_TYPE = "application/vnd.api+json"

# Failures that happen before any byte of the request left: safe to retry even a POST.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True)
class Form:
    """A multipart/form-data body: text fields, and files as name -> (filename, bytes, type)."""

    fields: Mapping[str, str]
    files: Mapping[str, tuple[str, bytes, str]]


@dataclass(frozen=True)
class RawResponse:
    status: int
    body: Any  # parsed JSON, or None for an empty / non-JSON body
    retry_after: str | None
    latency: float


class Transport:
    def __init__(self, settings: ClientSettings, *, transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = settings.base_url
        self.base_path = urlsplit(settings.base_url).path
        host = urlsplit(settings.base_url).hostname or ""
        headers = {
            "Api-Key": settings.key.get_secret_value(),
            "Accept": MEDIA_TYPE,
            "Content-Type": MEDIA_TYPE,
            "X-DIDWW-API-Version": settings.api_version,
            "User-Agent": f"{settings.user_agent} httpx/{httpx.__version__}",
        }
        self._http = httpx.Client(
            base_url=settings.base_url,
            headers=headers,
            timeout=httpx.Timeout(
                connect=settings.connect_timeout,
                read=settings.read_timeout,
                write=settings.read_timeout,
                pool=settings.connect_timeout,
            ),
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
            verify=True,
            follow_redirects=False,  # a redirect could carry the key elsewhere
            trust_env=not _is_loopback(host),  # proxies from the environment, never for the emulator
            transport=transport,
        )

    def send(
        self,
        method: str,
        path: str,
        params: Mapping[str, str] | None,
        body: Any,
        *,
        form: Form | None = None,
        with_key: bool = True,
    ) -> RawResponse:
        """``body`` is sent as JSON, or ``form`` as multipart/form-data (encrypted file uploads);
        ``with_key=False`` leaves the Api-Key header out (public_keys needs none)."""
        content = None if body is None else json.dumps(body, separators=(",", ":")).encode()
        start = time.monotonic()
        try:
            if form is None:
                request = self._http.build_request(method, path, params=dict(params or {}), content=content)
            else:
                # The client's default Content-Type would win over httpx's multipart one, so set it
                # here; httpx reads the boundary back from it.
                headers = {
                    "Content-Type": f"multipart/form-data; boundary={secrets.token_hex(16)}",
                    "Accept": f"{MEDIA_TYPE}, application/json",  # the upload answers application/json
                }
                request = self._http.build_request(
                    method,
                    path,
                    params=dict(params or {}),
                    data=dict(form.fields),
                    files=dict(form.files),
                    headers=headers,
                )
            if not with_key:
                del request.headers["Api-Key"]
            resp = self._http.send(request)
        except httpx.HTTPError as exc:
            sent = not isinstance(exc, _NOT_SENT)
            # Only the class name and message: never the httpx.Request (its headers carry the key).
            cause = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            raise TransportError(
                f"{method} {self.base_path}{path} failed: {cause}",
                method=method,
                path=self.base_path + path,
                cause=cause,
                may_have_been_sent=sent,
            ) from None
        latency = time.monotonic() - start
        text = resp.text
        parsed: Any = None
        if text.strip():
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = None
        return RawResponse(resp.status_code, parsed, resp.headers.get("Retry-After"), latency)

    def close(self) -> None:
        self._http.close()
