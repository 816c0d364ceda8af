"""The ASGI application: /v3 routes, the optional admin API, and the fault middleware around both."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from didww_iac.emulator import errors
from didww_iac.emulator.admin import admin_routes
from didww_iac.emulator.config import EmulatorConfig
from didww_iac.emulator.faults import FaultMiddleware
from didww_iac.emulator.routes import V3FastPath, V3Handler, error_response, v3_routes
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

    app = Starlette(routes=routes, exception_handlers={404: not_found})
    app.state.emulator = emulator
    return FaultMiddleware(V3FastPath(handler, app), emulator)
