"""HTTP handling of /v3: auth, rate limit, content negotiation, version choice, then the account.

Parsing and rendering happen here; every rule about resources lives in models.py and the type
declarations.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from didww_iac.emulator import errors
from didww_iac.emulator.jsonapi import Document, Renderer
from didww_iac.emulator.query import (
    apply_filters,
    apply_sort,
    paginate,
    parse_collection_query,
    parse_include,
)
from didww_iac.emulator.runtime import Emulator
from didww_iac.emulator.schema import ResourceType

JSONAPI = "application/vnd.api+json"
METHODS = ["GET", "POST", "PATCH", "DELETE"]


def jsonapi_response(
    document: Document | None, status: int, headers: dict[str, str] | None = None
) -> Response:
    if document is None:
        return Response(status_code=status, headers=headers)
    return Response(json.dumps(document), status_code=status, media_type=JSONAPI, headers=headers)


def error_response(error: errors.ApiError) -> Response:
    return jsonapi_response(error.document(), error.status, dict(error.headers))


def _media_type(value: str) -> tuple[str, list[str]]:
    kind, *params = (part.strip() for part in value.split(";"))
    return kind.lower(), [p for p in params if p]


def check_accept(header: str | None) -> None:
    """406 when Accept names the JSON:API type only with parameters, or names nothing we serve."""
    if not header:
        return
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
    if record_id is not None and "id" in data and data["id"] != record_id:
        raise errors.bad_request(
            "Key not included in URL", f"The URL does not support the key {data['id']}", "110"
        )
    return data


class V3Handler:
    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.account = emulator.account

    async def endpoint(self, request: Request) -> Response:
        try:
            return await self._handle(request)
        except errors.ApiError as error:
            return error_response(error)

    async def _handle(self, request: Request) -> Response:
        key = request.headers.get("api-key")
        if key is None or key not in self.emulator.api_keys:
            raise errors.unauthorized()
        if not self.emulator.limiter.allow(key):
            raise errors.too_many_requests()
        check_accept(request.headers.get("accept"))
        if request.method in ("POST", "PATCH"):
            check_content_type(request.headers.get("content-type"))
        version = self.emulator.resolve_version(request.headers.get("x-didww-api-version"))
        parts = [p for p in request.path_params.get("path", "").split("/") if p]
        rt = self.account.registry.get(parts[0]) if parts else None
        if rt is None or len(parts) > 2:
            raise errors.route_not_found(request.url.path)
        renderer = Renderer(self.account, version, str(request.base_url).rstrip("/") + "/v3")
        record_id = parts[1] if len(parts) == 2 else None
        include = parse_include(request.query_params.get("include"), rt, self.account.registry)
        action = self._action(request, rt, record_id, version, renderer, include)
        if request.method in ("POST", "PATCH"):
            data = await _document_data(request, rt, record_id)
            return await run_in_threadpool(action, data)
        return await run_in_threadpool(action, None)

    def _action(
        self,
        request: Request,
        rt: ResourceType,
        record_id: str | None,
        version: str,
        renderer: Renderer,
        include: dict[str, Any],
    ) -> Callable[[dict[str, Any] | None], Response]:
        """The work to run on a worker thread, under the account lock so it sees one snapshot."""
        account = self.account
        method = request.method

        def run(data: dict[str, Any] | None) -> Response:
            with account.locked():
                if method == "GET" and record_id is None:
                    return self._list(request, rt, version, renderer, include)
                if method == "GET" and record_id is not None:
                    return jsonapi_response(renderer.one(account.get(rt.name, record_id), include), 200)
                if method == "POST" and record_id is None and data is not None:
                    return jsonapi_response(
                        renderer.one(account.create(rt.name, data, version), include), 201
                    )
                if method == "PATCH" and record_id is not None and data is not None:
                    record = account.update(rt.name, record_id, data, version)
                    return jsonapi_response(renderer.one(record, include), 200)
                if method == "DELETE" and record_id is not None:
                    account.delete(rt.name, record_id)
                    return jsonapi_response(None, 204)
            raise errors.route_not_found(request.url.path)

        return run

    def _list(
        self, request: Request, rt: ResourceType, version: str, renderer: Renderer, include: dict[str, Any]
    ) -> Response:
        query = parse_collection_query(request.query_params, rt, version)
        records = apply_sort(apply_filters(self.account.records(rt.name), rt, query), query)
        if not rt.paginated:
            return jsonapi_response(renderer.many(records, len(records), include, None, rt.name, []), 200)
        page = paginate(records, query.page)
        params = list(request.query_params.multi_items())
        return jsonapi_response(renderer.many(page, len(records), include, query.page, rt.name, params), 200)


def v3_routes(emulator: Emulator) -> list[Route]:
    handler = V3Handler(emulator)
    return [
        Route("/v3", handler.endpoint, methods=METHODS),
        Route("/v3/{path:path}", handler.endpoint, methods=METHODS),
    ]
