"""HTTP handling of /v3: auth, rate limit, content negotiation, version choice, then the account.

Parsing and rendering happen here; every rule about resources lives in models.py and the type
declarations.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from didww_iac.emulator import errors, formdata
from didww_iac.emulator.jsonapi import Document, FragmentCache, Renderer, encode
from didww_iac.emulator.query import (
    Resolver,
    apply_filters,
    apply_sort,
    narrow,
    paginate,
    parse_collection_query,
    parse_include,
)
from didww_iac.emulator.runtime import Emulator
from didww_iac.emulator.schema import Operation, Registry, ResourceType

JSONAPI = "application/vnd.api+json"
JSON = "application/json"
METHODS = ["GET", "POST", "PATCH", "DELETE"]
# What a handler runs on: a JSON:API ``data`` object, the objects a form upload creates, or none.
Payload = dict[str, Any] | list[dict[str, Any]] | None


def jsonapi_response(document: Document | None, status: int, headers: dict[str, str] | None = None) -> Response:
    if document is None:
        return Response(status_code=status, headers=headers)
    return Response(encode(document), status_code=status, media_type=JSONAPI, headers=headers)


def error_response(error: errors.ApiError) -> Response:
    return jsonapi_response(error.document(), error.status, dict(error.headers))


def _media_type(value: str) -> tuple[str, list[str]]:
    kind, *params = (part.strip() for part in value.split(";"))
    return kind.lower(), [p for p in params if p]


# Accept values already found acceptable: clients send the same one on every request.
_ACCEPTED: set[str] = set()


def check_accept(header: str | None) -> None:
    """406 when Accept names the JSON:API type only with parameters, or names nothing we serve."""
    if not header or header in _ACCEPTED:
        return
    _check_accept(header)
    if len(_ACCEPTED) < 64:
        _ACCEPTED.add(header)


def _check_accept(header: str) -> None:
    ranges = [_media_type(item) for item in header.split(",") if item.strip()]
    if any(kind == JSONAPI and not params for kind, params in ranges):
        return
    if any(kind == JSONAPI for kind, _ in ranges):
        raise errors.not_acceptable(header)
    if not any(kind in ("*/*", "application/*") for kind, _ in ranges):
        raise errors.not_acceptable(header)


def check_content_type(header: str | None) -> None:
    kind, params = _media_type(header or "")
    if kind != JSONAPI or params:
        raise errors.unsupported_media_type(header or "")


def _accepts_json(header: str | None) -> bool:
    """An upload answers application/json (DIDWW's OpenAPI), which DIDWW's Python SDK asks for."""
    return any(_media_type(item)[0] == JSON for item in (header or "").split(","))


async def _form_data(
    request: Request, rt: ResourceType, version: str, content_type: str | None
) -> list[dict[str, Any]]:
    """The documents a multipart POST creates. A body that is not a well-formed form (JSON
    included) holds none of the params DIDWW looks for: 400 "invalid params"."""
    try:
        boundary = formdata.boundary_of(content_type)
        if boundary is None:
            raise errors.invalid_params()
        parts = formdata.parse(await request.body(), boundary)
    except formdata.MalformedForm:
        raise errors.invalid_params() from None
    return rt.behaviour.form_input(version, parts)


async def _document_data(request: Request, rt: ResourceType, record_id: str | None) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"null")
    except ValueError:
        raise errors.bad_request("Bad request", "The request body is not valid JSON.") from None
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict):
        raise errors.bad_request("Missing Parameter", "The required parameter, data, is missing.", "106")
    if data.get("type") != rt.name:
        raise errors.bad_request("Invalid resource", f"{data.get('type')} is not a valid resource.", "101")
    if record_id is not None and "id" not in data:
        # An update names its record in the body too (JSON:API; Postman: "id (string, required)").
        raise errors.bad_request("Missing Parameter", "The required parameter, id, is missing.", "106")
    if record_id is not None and data["id"] != record_id:
        raise errors.bad_request("Key not included in URL", f"The URL does not support the key {data['id']}", "110")
    return data


# The request headers the handler reads (ASGI servers lower-case header names).
_HEADERS = (b"api-key", b"accept", b"content-type", b"x-didww-api-version", b"host")
_NO_PARAMS = QueryParams("")


def _headers(scope: Scope) -> dict[bytes, str]:
    """The first value of each header the handler reads, as Starlette's ``Headers.get`` gives it."""
    found: dict[bytes, str] = {}
    for name, value in scope["headers"]:
        if name in _HEADERS and name not in found:
            found[name] = value.decode("latin-1")
    return found


class V3Handler:
    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.account = emulator.account
        self.cache = FragmentCache()
        # Without a state file no write touches the disk either, and the account lock serialises
        # writes anyway: the hop to a worker thread (a third of a write) would buy nothing.
        self._inline_writes = emulator.config.state_file is None
        # (scheme, server, Host, root path) -> "http://host:port/v3": Starlette builds it from
        # URL objects, which cost a tenth of a small read.
        self._base_urls: dict[tuple[Any, ...], str] = {}

    async def endpoint(self, request: Request) -> Response:
        try:
            return await self._handle(request)
        except errors.ApiError as error:
            return error_response(error)

    async def asgi(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The endpoint as an ASGI app, for ``V3FastPath``."""
        path: str = scope["path"]
        scope["path_params"] = {"path": path[4:]}  # what Route("/v3/{path:path}") would match
        response = await self.endpoint(Request(scope, receive, send))
        await response(scope, receive, send)

    def _base_url(self, request: Request, host: str | None) -> str:
        scope = request.scope
        server = scope.get("server")
        root = scope.get("app_root_path", scope.get("root_path"))
        key = (scope.get("scheme"), tuple(server) if server else None, host, root)
        found = self._base_urls.get(key)
        if found is None:
            if len(self._base_urls) >= 64:
                self._base_urls.clear()
            found = self._base_urls[key] = str(request.base_url).rstrip("/") + "/v3"
        return found

    async def _handle(self, request: Request) -> Response:
        headers = _headers(request.scope)
        key = headers.get(b"api-key")
        if key is None or key not in self.emulator.api_keys:
            segment = self._segment_type(request)
            if segment is None or not segment.public:
                raise errors.unauthorized()
        elif not self.emulator.limiter.allow(key):
            raise errors.too_many_requests()
        segment = self._segment_type(request) if request.method == "POST" else None
        form = segment is not None and segment.form_create
        if not (form and _accepts_json(headers.get(b"accept"))):
            check_accept(headers.get(b"accept"))
        version = self.emulator.resolve_version(headers.get(b"x-didww-api-version"))
        # Routing first: a method the path does not take is a 405 whatever the body's type.
        route = self._route(request, version)
        if request.method in ("POST", "PATCH") and not form:
            check_content_type(headers.get(b"content-type"))
        renderer = Renderer(self.account, version, self._base_url(request, headers.get(b"host")), self.cache)
        params = request.query_params if request.scope["query_string"] else _NO_PARAMS
        include = parse_include(params.get("include"), route.rt, self.account.registry, version)
        action = self._action(request, route, version, renderer, include)
        data: Payload = None
        if form and route.operation == "create":
            data = await _form_data(request, route.rt, version, headers.get(b"content-type"))
        elif request.method in ("POST", "PATCH"):
            data = await _document_data(request, route.rt, route.record_id)
        if request.method == "GET" or self._inline_writes:
            # Reads are short and rarely touch the disk (only when a due timer fires): a hop to a
            # worker thread would cost about a quarter of a GET, and the lock serialises them anyway.
            # Writes too when there is no disk to wait for (see _inline_writes).
            return action(data)
        return await run_in_threadpool(action, data)

    def _segment_type(self, request: Request) -> ResourceType | None:
        """The type the first path segment names, before the full route is checked."""
        path: str = request.path_params.get("path", "")
        return self.account.registry.by_segment(path.split("/", 1)[0]) if path else None

    def _route(self, request: Request, version: str) -> Target:
        """Which type, record and relationship a path names, and the operation the method asks."""
        parts = [p for p in request.path_params.get("path", "").split("/") if p]
        rt = self.account.registry.by_segment(parts[0]) if parts else None
        method = request.method
        if rt is None or not rt.visible_in(version):  # unknown, or newer than the version asked
            raise errors.route_not_found(request.url.path)
        if len(parts) > 4 or (len(parts) == 4 and parts[2] != "relationships"):
            raise errors.route_not_found(request.url.path)
        if rt.singleton_path is not None:
            if len(parts) > 1:
                raise errors.route_not_found(request.url.path)
            operation = "show" if method == "GET" else str(_OPERATIONS.get((method, False), method))
            if method != "GET" or not rt.allows("show", version):
                raise _not_allowed(rt, {"GET": "show"}, method, version)
            return Target(rt, None, None, None, operation)
        record_id = parts[1] if len(parts) > 1 else None
        relationship = parts[-1] if len(parts) > 2 else None
        if relationship is not None:
            rel = rt.relationship(relationship)
            hidden = rel is None or rel.name != relationship or not rel.visible_in(version) or rel.write_only
            if method != "GET" or hidden:
                raise errors.route_not_found(request.url.path)
            return Target(rt, record_id, relationship, len(parts) == 4, "show")
        found = _OPERATIONS.get((method, record_id is not None))
        if found is None and method == "HEAD":
            raise errors.route_not_found(request.url.path)  # as before: the handler has no HEAD
        if found is None or not rt.allows(found, version):
            raise _not_allowed(rt, _RECORD if record_id is not None else _COLLECTION, method, version)
        return Target(rt, record_id, None, None, found)

    def _action(
        self, request: Request, route: Target, version: str, renderer: Renderer, include: dict[str, Any]
    ) -> Callable[[Payload], Response]:
        """The work to run under the account lock (inline; writes on a worker thread when the
        account persists to SQLite), so it sees one snapshot; due timers fire first, so no
        request sees an overdue order."""
        account = self.account
        rt, record_id = route.rt, route.record_id

        def run(data: Payload) -> Response:
            with account.locked():
                account.advance()
                if route.operation == "create" and isinstance(data, list):
                    return self._form_create(rt, data, version, renderer, include)
                if rt.singleton_path is not None:
                    return jsonapi_response(renderer.one(account.singleton(rt.name), include), 200)
                if route.relationship is not None and record_id is not None:
                    return self._relationship(route, record_id, renderer)
                if route.operation == "list":
                    return self._list(request, rt, version, renderer, include)
                if route.operation == "show" and record_id is not None:
                    file = rt.behaviour.download(account, record_id)
                    if file is not None:
                        disposition = {"Content-Disposition": f'attachment; filename="{file.filename}"'}
                        return Response(file.body, 200, headers=disposition, media_type=file.media_type)
                    return jsonapi_response(renderer.one(account.get(rt.name, record_id), include), 200)
                if route.operation == "create" and isinstance(data, dict):
                    record = account.create(rt.name, data, version)
                    answer = renderer.one(record, include, with_type_meta=False, linkage=rt.create_linkage)
                    return jsonapi_response(answer, 201)
                if route.operation == "update" and record_id is not None and isinstance(data, dict):
                    record = account.update(rt.name, record_id, data, version)
                    return jsonapi_response(renderer.one(record, include, with_type_meta=False), 200)
                if route.operation == "delete" and record_id is not None:
                    account.delete(rt.name, record_id, version)
                    return jsonapi_response(None, 204)
            raise errors.route_not_found(request.url.path)

        return run

    def _form_create(
        self, rt: ResourceType, items: list[dict[str, Any]], version: str, renderer: Renderer, include: dict[str, Any]
    ) -> Response:
        """A form upload: every item is created, or (the behaviour checked them first) none."""
        with self.account.transaction():
            records = [self.account.create(rt.name, item, version) for item in items]
        body = rt.behaviour.form_answer(version, records)
        if body is None:
            body = renderer.one(records[0], include, with_type_meta=False)
        return Response(encode(body), status_code=201, media_type=JSON)

    def _relationship(self, route: Target, record_id: str, renderer: Renderer) -> Response:
        record = self.account.get(route.rt.name, record_id)
        rel = route.rt.relationship(route.relationship or "")
        assert rel is not None  # checked by _route
        ids = self.account.related_ids(record, rel.name)
        if route.linkage:
            return jsonapi_response(renderer.linkage(record, rel, ids), 200)
        return jsonapi_response(renderer.related(route.rt, rel, ids), 200)

    def _list(
        self, request: Request, rt: ResourceType, version: str, renderer: Renderer, include: dict[str, Any]
    ) -> Response:
        query = parse_collection_query(request.query_params, rt, version)
        rt.behaviour.prepare_list(self.account, query.filters)
        resolver = Resolver(self.account, self.account.registry)
        # An index answers one filter when it can (filter[number], filter[order.id]): scanning
        # 10,000 DIDs per request made such look-ups cost tens of milliseconds.
        narrowed = narrow(self.account, rt, query, resolver, version)
        candidates = self.account.listed(rt.name, narrowed.records if narrowed else None)
        skip = narrowed.answered if narrowed else None
        records = apply_filters(candidates, rt, query, resolver, version, skip)
        records = apply_sort(records, rt, query, resolver)
        total = len(records) + rt.behaviour.latent_matches(
            self.account, lambda probe: bool(apply_filters([probe], rt, query, resolver, version))
        )
        if not rt.paginated:
            shown = records[: rt.list_limit] if rt.list_limit is not None else records
            doc = renderer.many(shown, total, include, None, rt.name, [], records)
            if not rt.behaviour.collection_meta(version):
                doc.pop("meta", None)
            return jsonapi_response(doc, 200)
        page = paginate(records, query.page)
        params = list(request.query_params.multi_items())
        doc = renderer.many(page, total, include, query.page, rt.name, params, records)
        return jsonapi_response(doc, 200)


# (method, names a record) -> operation
_OPERATIONS: dict[tuple[str, bool], Operation] = {
    ("GET", False): "list",
    ("POST", False): "create",
    ("GET", True): "show",
    ("PATCH", True): "update",
    ("DELETE", True): "delete",
}


# method -> operation, at a collection's path and at a record's.
_COLLECTION: dict[str, Operation] = {"GET": "list", "POST": "create"}
_RECORD: dict[str, Operation] = {"GET": "show", "PATCH": "update", "DELETE": "delete"}


def _not_allowed(rt: ResourceType, methods: dict[str, Operation], method: str, version: str) -> errors.ApiError:
    """405 for a method the path does not take, with the Allow header RFC 9110 asks for."""
    error = errors.method_not_allowed(rt.name, methods.get(method, method))
    error.headers = {"Allow": ", ".join(m for m, operation in methods.items() if rt.allows(operation, version))}
    return error


def allowed_methods(registry: Registry, path: str, version: str) -> str | None:
    """The Allow header of a /v3 path (None when it names no type), for 405s the router answers
    (methods no /v3 route takes, such as OPTIONS)."""
    parts = [p for p in path.split("/") if p][1:]
    rt = registry.by_segment(parts[0]) if parts else None
    if rt is None:
        return None
    if rt.singleton_path is not None or len(parts) > 2:
        return "GET"  # a singleton, or a relationship
    methods = _RECORD if len(parts) == 2 else _COLLECTION
    return ", ".join(m for m, operation in methods.items() if rt.allows(operation, version))


@dataclass(frozen=True)
class Target:
    """What a /v3 path and method name: the type, a record id, a relationship (and whether it is
    the linkage URL), the operation."""

    rt: ResourceType
    record_id: str | None
    relationship: str | None
    linkage: bool | None
    operation: str


def v3_routes(handler: V3Handler) -> list[Route]:
    return [
        Route("/v3", handler.endpoint, methods=METHODS),
        Route("/v3/{path:path}", handler.endpoint, methods=METHODS),
    ]


# What the /v3 routes answer through the handler (Starlette adds HEAD to a GET route).
_FAST_METHODS = frozenset([*METHODS, "HEAD"])


class V3FastPath:
    """Hands the requests the /v3 routes would give the handler straight to it.

    Starlette's middleware, router and per-request wrappers cost about a quarter of a small read.
    Everything else (admin API, 404s, 405s) still goes through the Starlette app, whose /v3
    routes stay as they were. Errors the handler does not turn into JSON:API documents reach
    the server, which answers 500 as Starlette's error middleware did."""

    def __init__(self, handler: V3Handler, app: ASGIApp) -> None:
        self.handler = handler
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in _FAST_METHODS and not scope.get("root_path"):
            path: str = scope["path"]
            # A newline is the one character Route's "{path:path}" does not match.
            if (path == "/v3" or path.startswith("/v3/")) and "\n" not in path:
                await self.handler.asgi(scope, receive, send)
                return
        await self.app(scope, receive, send)
