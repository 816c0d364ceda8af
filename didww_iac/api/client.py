"""DidwwClient: typed, thread-safe access to DIDWW API v3 resources in the canonical shape.

One request = limiter slot -> HTTP exchange -> version check -> error mapping, inside the retry
loop; documents are translated to/from the pinned version around it.
"""

from __future__ import annotations

import builtins
import dataclasses
import logging
import re
import threading
from collections.abc import Hashable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx

from didww_iac.api.documents import Document, Ref, Resource, parse_document, resource_document
from didww_iac.api.errors import (
    ConfigurationError,
    DidwwError,
    ErrorDetail,
    LimiterError,
    TransportError,
    ValidationError,
    error_from_response,
    version_mismatch,
)
from didww_iac.api.limiter import Limiter, make_limiter
from didww_iac.api.redaction import redact, register_secret
from didww_iac.api.retry import run_with_retries
from didww_iac.api.settings import ClientSettings
from didww_iac.api.stats import RequestStats, StatsRecorder
from didww_iac.api.transport import Form, Transport
from didww_iac.api.versions import Translator

log = logging.getLogger("didww_iac.api")

_TYPE_RE = re.compile(r"^[a-z][a-z0-9_]*$")

Filters = Mapping[str, Any]
Relationships = Mapping[str, Ref | Sequence[Ref] | None]

# 2026-04-16 takes one file per upload (encrypted_files[file]) and answers with the resource;
# 2022-05-10 took a batch (encrypted_files[items][][file]) and answered {"ids": [...]} (Changelog).
_SINGLE_FILE_UPLOAD_SINCE = "2026-04-16"
# "Size of the file MUST NOT be greater than 20MB" (Create Encrypted File).
MAX_ENCRYPTED_FILE_BYTES = 20 * 1024 * 1024


def _check_type(type_: str) -> str:
    if not _TYPE_RE.match(type_):
        raise ConfigurationError(f"invalid resource type {type_!r}")
    return type_


def _item_path(type_: str, id_: str) -> str:
    if not id_:
        raise ConfigurationError(f"empty id for {type_}")
    return f"{_check_type(type_)}/{quote(str(id_), safe='')}"


def _filter_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple | set | frozenset):
        return ",".join(_filter_value(v) for v in value)
    return str(value)


class DidwwClient:
    """Thread-safe DIDWW API v3 client; use as a context manager or call :meth:`close`."""

    def __init__(
        self,
        settings: ClientSettings,
        *,
        limiter: Limiter | None = None,
        http_transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.translator = Translator(settings.api_version)
        self._limiter = limiter if limiter is not None else make_limiter(settings)
        self._transport = Transport(settings, transport=http_transport)
        self._stats = StatsRecorder()
        self._secret = settings.key.get_secret_value()
        register_secret(self._secret)
        self._version_lock = threading.Lock()
        self._version_checked = False
        self._mismatch: DidwwError | None = None
        self._keys_lock = threading.Lock()
        self._public_keys: list[str] | None = None  # DIDWW's encryption keys, fetched on first upload

    # -- lifecycle -----------------------------------------------------------------------------------

    def close(self) -> None:
        self._transport.close()
        self._limiter.close()

    def __enter__(self) -> DidwwClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"DidwwClient({self.settings!r})"

    @property
    def stats(self) -> RequestStats:
        return self._stats.snapshot()

    def reset_stats(self) -> None:
        self._stats.reset()

    @property
    def limiter(self) -> Limiter:
        return self._limiter

    def supports_attribute(self, type_: str, attribute: str) -> bool:
        """False when the pinned version lacks the attribute (it would be dropped on send)."""
        return self.translator.supports_attribute(type_, attribute)

    def supports_relationship(self, type_: str, name: str) -> bool:
        return self.translator.supports_relationship(type_, name)

    def supports_operation(self, type_: str, method: str) -> bool:
        return self.translator.supports_operation(type_, method)

    # -- resources -----------------------------------------------------------------------------------

    def get(self, type_: str, id_: str, include: Sequence[str] | None = None) -> Resource:
        _, inc, _ = self.translator.query(type_, None, include, None)
        params = {"include": ",".join(inc)} if inc else None
        doc = self.request("GET", _item_path(type_, id_), params=params)
        if doc is None or not isinstance(doc.data, Resource):
            raise DidwwError(f"GET {type_}/{id_}: the answer held no resource", method="GET", path=type_)
        return doc.data

    def iter_pages(
        self,
        type_: str,
        filters: Filters | None = None,
        include: Sequence[str] | None = None,
        sort: Sequence[str] | None = None,
        page_size: int | None = None,
    ) -> Iterator[Document]:
        """Yield each page's document, fetching the next page only when asked."""
        size = page_size or self.settings.page_size
        f, inc, srt = self.translator.query(_check_type(type_), filters, include, sort)
        params = {f"filter[{k}]": _filter_value(v) for k, v in f.items() if v is not None}
        if inc:
            params["include"] = ",".join(inc)
        if srt:
            params["sort"] = ",".join(srt)
        seen = 0
        number = 1
        while True:
            doc = self.request("GET", type_, params={**params, "page[number]": str(number), "page[size]": str(size)})
            if doc is None:
                return
            yield doc
            count = len(doc.resources)
            seen += count
            total = doc.meta.get("total_records")
            if count < size or count == 0 or (isinstance(total, int) and seen >= total):
                return
            number += 1

    def iter(
        self,
        type_: str,
        filters: Filters | None = None,
        include: Sequence[str] | None = None,
        sort: Sequence[str] | None = None,
        page_size: int | None = None,
    ) -> Iterator[Resource]:
        """Lazy iteration over every resource of a collection, page by page."""
        for doc in self.iter_pages(type_, filters, include, sort, page_size):
            yield from doc.resources

    def list(
        self,
        type_: str,
        filters: Filters | None = None,
        include: Sequence[str] | None = None,
        sort: Sequence[str] | None = None,
        page_size: int | None = None,
    ) -> list[Resource]:
        """Every resource of a collection (follows every page, 100 per page by default)."""
        return list(self.iter(type_, filters, include, sort, page_size))

    def create(
        self,
        type_: str,
        attributes: Mapping[str, Any] | None = None,
        relationships: Relationships | None = None,
    ) -> Resource:
        body = resource_document(_check_type(type_), attributes, relationships)
        doc = self.request("POST", type_, body=body)
        if doc is None or not isinstance(doc.data, Resource):
            raise DidwwError(f"POST {type_}: the answer held no resource", method="POST", path=type_)
        return doc.data

    def update(
        self,
        type_: str,
        id_: str,
        attributes: Mapping[str, Any] | None = None,
        relationships: Relationships | None = None,
    ) -> Resource:
        """PATCH: only the given attributes/relationships change; None clears a to-one, [] a to-many."""
        path = _item_path(type_, id_)
        doc = self.request("PATCH", path, body=resource_document(type_, attributes, relationships, id_=id_))
        if doc is None or not isinstance(doc.data, Resource):
            # Some endpoints answer 204; read back so callers always get the live resource.
            return self.get(type_, id_)
        return doc.data

    def delete(self, type_: str, id_: str) -> None:
        self.request("DELETE", _item_path(type_, id_))

    def verify_version(self, type_: str = "voice_in_trunk_groups") -> None:
        """One cheap GET whose ``meta.api_version`` must equal the pin (raises VersionMismatchError)."""
        self.request("GET", _check_type(type_), params={"page[size]": "1"})

    # -- encrypted files (regulation documents) -------------------------------------------------------

    def public_keys(self) -> builtins.list[str]:
        """DIDWW's two RSA public keys (PEM), in DIDWW's order, which the encryption depends on.

        Sent without the API key, as DIDWW's SDKs do (the endpoint is public). Its 2026-04-16 answer
        is the one collection without ``meta``, so a missing ``api_version`` is accepted here.
        """
        answer = self._exchange("GET", "public_keys", authenticated=False, versioned=False)
        doc = (
            parse_document(self.translator.response_document(answer.body)) if isinstance(answer.body, Mapping) else None
        )
        keys = [r.attributes.get("key") for r in doc.resources] if doc is not None else []
        if len(keys) != 2 or not all(isinstance(k, str) and k for k in keys):
            raise DidwwError(
                f"GET public_keys: expected two PEM keys, got {len(keys)}", method="GET", path="public_keys"
            )
        pems = [str(k) for k in keys]
        with self._keys_lock:
            self._public_keys = pems
        return list(pems)

    def upload_encrypted_file(self, content: bytes, description: str | None = None) -> Resource:
        """Encrypt ``content`` (the plaintext document) with DIDWW's public keys, upload it, and
        return the created ``encrypted_files`` resource (it expires 24 hours later unless a proof,
        permanent document or verification refers to it)."""
        if not content:
            raise ValueError("an empty file is not a document")
        with self._keys_lock:
            keys = self._public_keys
        if keys is None:
            keys = self.public_keys()
        try:
            return self._upload(content, description, keys)
        except ValidationError as exc:
            if not any("outdated fingerprint" in f"{e.title} {e.detail}".lower() for e in exc.errors):
                raise
            # DIDWW rotated its keys since they were fetched: once with the new ones.
            log.info("DIDWW's public keys changed (outdated fingerprint); fetching them again")
        return self._upload(content, description, self.public_keys())

    def _upload(self, content: bytes, description: str | None, keys: Sequence[str]) -> Resource:
        # Imported here: only uploads need OpenSSL's bindings, and every provider process and
        # command imports this module (about 13 ms and a few MiB each).
        from didww_iac.api.encryption import encrypt, fingerprint

        container = encrypt(content, keys)
        if len(container) > MAX_ENCRYPTED_FILE_BYTES:
            raise ValueError(f"the encrypted file is {len(container)} bytes; DIDWW accepts at most 20 MB")
        single = self.settings.api_version >= _SINGLE_FILE_UPLOAD_SINCE
        item = "encrypted_files" if single else "encrypted_files[items][]"
        fields = {"encrypted_files[encryption_fingerprint]": fingerprint(keys)}
        if description is not None:
            fields[f"{item}[description]"] = description
        form = Form(fields, {f"{item}[file]": ("file.enc", container, "application/octet-stream")})
        # Retried like an idempotent request after a 5xx or a connection lost mid-request, unlike
        # other POSTs (DESIGN §5). A duplicate is harmless: nothing refers to the unused copy, it
        # costs nothing and DIDWW deletes it when it expires (24 h). And there is no other way to
        # settle the unknown outcome: encrypted files carry no external_reference_id to look up
        # and the ciphertext is random, so failing would only make the caller upload it again.
        answer = self._exchange("POST", "encrypted_files", form=form, versioned=single, idempotent=True)
        body = answer.body if isinstance(answer.body, Mapping) else {}
        if single:
            data = parse_document(self.translator.response_document(body)).data
            if isinstance(data, Resource):
                return data
        else:
            ids = body.get("ids")
            if isinstance(ids, list) and len(ids) == 1:
                return self.get("encrypted_files", str(ids[0]))
        raise DidwwError("POST encrypted_files: the answer held no file", method="POST", path="encrypted_files")

    # -- the request pipeline -------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> Document | None:
        """Send one logical request (retries included); ``path`` is relative to the base URL.

        ``body`` is a canonical document: it is translated to the pinned version here, and the
        answer is translated back before parsing.
        """
        answer = self._exchange(method, path, params, body)
        if not isinstance(answer.body, Mapping):
            return None
        return parse_document(self.translator.response_document(answer.body))

    def _exchange(
        self,
        method: str,
        path: str,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
        *,
        form: Form | None = None,
        authenticated: bool = True,
        versioned: bool = True,
        idempotent: bool = False,
    ) -> RawAnswer:
        """The pipeline of :meth:`request`, answering the raw body. ``form``: a multipart body
        instead of ``body``; ``authenticated=False``: no Api-Key header; ``versioned=False``: a
        2xx answer without ``meta.api_version`` is accepted (one with it is still checked);
        ``idempotent``: retried as GET/PATCH/DELETE are, whatever the method."""
        method = method.upper()
        if self._mismatch is not None:
            raise self._mismatch
        resource_type = path.split("/", 1)[0]
        self.translator.check_operation(method, resource_type)
        if method != "GET" and not self._version_checked:
            self._preflight(resource_type)
        wire_body = None if body is None else self.translator.request_document(method, body)
        shown = redact(self._transport.base_path + path + _query_text(params))

        def attempt(number: int) -> RawAnswer:
            permit = self._limiter.acquire()
            throttled = permit.waited
            self._stats.add(requests=1, throttled_seconds=throttled)
            try:
                raw = self._transport.send(method, path, params, wire_body, form=form, with_key=authenticated)
            except TransportError as exc:
                self._stats.add(transport_errors=1)
                log.debug("%s %s -> %s (attempt %d, throttled %.3f s)", method, shown, exc.cause, number, throttled)
                raise self._scrub(exc) from None
            finally:
                # Settled as soon as the answer (or failure) is in: the server counted it before that.
                self._settle(permit.ticket)
            self._stats.add(request_seconds=raw.latency)
            log.debug(
                "%s %s -> %d in %.1f ms (attempt %d, throttled %.3f s)",
                method,
                shown,
                raw.status,
                raw.latency * 1000,
                number,
                throttled,
            )
            if raw.status == 429:
                self._stats.add(responses_429=1)
            elif raw.status >= 500:
                self._stats.add(responses_5xx=1)
            self._check_version(raw.body, method, shown, raw.status, required=versioned)
            if raw.status >= 400:
                raise self._scrub(error_from_response(method, shown, raw.status, raw.body, raw.retry_after))
            return RawAnswer(raw.status, raw.body)

        return run_with_retries(
            "PUT" if idempotent else method,  # retry.py classifies retryable failures by method
            f"{method} {shown}",
            attempt,
            self.settings,
            on_retry=lambda wait: self._stats.add(retries=1, backoff_seconds=wait),
        )

    def _settle(self, ticket: Hashable) -> None:
        """A limiter backend failing here must not turn an answer DIDWW gave into an error (a
        create reported failed would be made again); the unsettled slot expires on its own."""
        try:
            self._limiter.settle(ticket)
        except LimiterError as exc:
            log.warning("rate limiter: %s (the slot expires by itself)", exc)

    def _preflight(self, resource_type: str) -> None:
        """Before the first write, prove the pin is honoured so a mismatch changes nothing."""
        with self._version_lock:
            if self._version_checked:
                return
            self.verify_version(resource_type)

    def _check_version(self, body: Any, method: str, path: str, status: int, required: bool = True) -> None:
        meta = body.get("meta") if isinstance(body, Mapping) else None
        answered = meta.get("api_version") if isinstance(meta, Mapping) else None
        if answered is None:
            if required and 200 <= status < 300 and isinstance(body, Mapping):
                # DIDWW stamps every answer; one without a version cannot be trusted to match the pin.
                self._mismatch = version_mismatch(self.settings.api_version, "none", method, path, status)
                raise self._mismatch
            return
        if str(answered) != self.settings.api_version:
            self._mismatch = version_mismatch(self.settings.api_version, str(answered), method, path, status)
            raise self._mismatch
        self._version_checked = True

    def _scrub(self, exc: DidwwError) -> DidwwError:
        """Belt and braces: no error text may contain the key, whatever the server echoed."""
        for name in ("message", "detail", "title", "path"):
            value = getattr(exc, name, None)
            if isinstance(value, str) and self._secret in value:
                setattr(exc, name, value.replace(self._secret, "***"))
        exc.errors = tuple(_scrub_detail(e, self._secret) for e in exc.errors)
        exc.args = (exc.message,)
        return exc


def _scrub_detail(e: ErrorDetail, secret: str) -> ErrorDetail:
    changes: dict[str, Any] = {
        k: v.replace(secret, "***")
        for k in ("title", "detail", "code", "pointer")
        if isinstance(v := getattr(e, k), str) and secret in v
    }
    if e.meta and secret in repr(e.meta):
        changes["meta"] = {"redacted": "***"}
    return dataclasses.replace(e, **changes) if changes else e


class RawAnswer:
    __slots__ = ("body", "status")

    def __init__(self, status: int, body: Any) -> None:
        self.status = status
        self.body = body


def _query_text(params: Mapping[str, str] | None) -> str:
    if not params:
        return ""
    return "?" + "&".join(f"{k}={v}" for k, v in params.items())
