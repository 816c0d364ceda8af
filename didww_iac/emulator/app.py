"""The ASGI application: /v3 routes, the optional admin API, and the fault middleware around both."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from didww_iac.emulator import errors
from didww_iac.emulator.admin import admin_routes
from didww_iac.emulator.config import EmulatorConfig
from didww_iac.emulator.faults import FaultMiddleware
from didww_iac.emulator.routes import V3FastPath, V3Handler, allowed_methods, error_response, v3_routes
from didww_iac.emulator.runtime import Emulator


def create_app(emulator: Emulator | EmulatorConfig | None = None) -> ASGIApp:
    if not isinstance(emulator, Emulator):
        emulator = Emulator(emulator)
    handler = V3Handler(emulator)
    routes = v3_routes(handler)
    if emulator.config.admin:
        routes += admin_routes(emulator)

    async def not_found(request: Request, exc: Exception) -> Response:
        return error_response(errors.route_not_found(request.url.path))

    async def method_not_allowed(request: Request, exc: Exception) -> Response:
        # A method no route takes (OPTIONS, TRACE, PUT): a JSON:API error like every other
        # answer, allowing what the path's type offers (Starlette's header lists every route method).
        response = error_response(errors.method_not_allowed(request.url.path, request.method))
        allowed = allowed_methods(emulator.account.registry, request.url.path, emulator.account.api_version)
        if allowed is not None:
            response.headers["Allow"] = allowed
        elif isinstance(exc, HTTPException) and exc.headers:
            response.headers.update(exc.headers)
        return response

    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: method_not_allowed})
    app.state.emulator = emulator
    return FaultMiddleware(V3FastPath(handler, app), emulator)
