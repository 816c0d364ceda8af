"""ASGI middleware in front of /v3: injected latency, 5xx, 429 bursts, dropped connections, lost
answers, and the request log. It wraps the whole app so a dropped connection never reaches a
handler, and a lost answer (the handler ran, its write is committed) never reaches the client."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from didww_iac.emulator import errors
from didww_iac.emulator.requestlog import LoggedRequest
from didww_iac.emulator.runtime import Emulator

JSONAPI = "application/vnd.api+json"


class FaultMiddleware:
    def __init__(self, app: ASGIApp, emulator: Emulator) -> None:
        self.app = app
        self.emulator = emulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v3"):
            await self.app(scope, receive, send)
            return
        if not self.emulator.faults_armed and not self.emulator.request_log.enabled:
            await self.app(scope, receive, send)  # nothing to inject or to log
            return
        started = time.time()
        body_chunks: list[bytes] = []
        status: list[int] = []

        async def tee_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                body_chunks.append(message.get("body", b""))
            return message

        async def tee_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        latency, fault = self.emulator.next_fault(scope["method"])
        if latency:
            await asyncio.sleep(latency)
        if fault == "drop":
            # Logged first: the client sees the close at once and its next request may be served
            # while this one still yields to let uvicorn notice the abort.
            self._log(scope, started, status, "dropped", b"")
            await _drop_connection(send)
            return
        if fault == "lose_answer":
            # Carried out (a write is committed), its answer kept from the client, then the
            # connection dropped: the client cannot tell whether it happened.
            async def swallow(message: Message) -> None:
                if message["type"] == "http.response.start":
                    status.append(message["status"])

            await self.app(scope, tee_receive, swallow)
            # Logged before the drop: once the socket closes, the client's next request (a lookup
            # of what this one did) may be served before this coroutine resumes.
            self._log(scope, started, status, "answer_lost", b"".join(body_chunks))
            await _drop_connection(send)
            return
        if fault == "throttle":
            await _send_error(tee_send, errors.too_many_requests(self.emulator.faults.retry_after))
            outcome = "throttled"
        elif fault == "error":
            await _send_error(tee_send, errors.server_error(self.emulator.faults.error_status))
            outcome = "error"
        else:
            await self.app(scope, tee_receive, tee_send)
            outcome = "response"
        self._log(scope, started, status, outcome, b"".join(body_chunks))

    def _log(self, scope: Scope, started: float, status: list[int], outcome: str, body: bytes) -> None:
        if not self.emulator.request_log.enabled:
            return  # parsing headers and body for nobody cost a tenth of a small request
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        self.emulator.request_log.add(
            LoggedRequest(
                method=scope["method"],
                path=scope["path"],
                query=scope.get("query_string", b"").decode("latin-1"),
                status=status[0] if status else None,
                outcome=outcome,
                api_version_header=headers.get("x-didww-api-version"),
                has_api_key="api-key" in headers,
                body=_parse(body),
                started_at=started,
                duration=time.time() - started,
            )
        )


def _parse(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace")


async def _send_error(send: Send, error: errors.ApiError) -> None:
    payload = json.dumps(error.document()).encode()
    headers = [(b"content-type", JSONAPI.encode()), (b"content-length", str(len(payload)).encode())]
    headers += [(k.lower().encode(), v.encode()) for k, v in error.headers.items()]
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


async def _drop_connection(send: Send) -> None:
    """Close the socket with no response at all.

    ASGI has no "abort" message, so reach uvicorn's transport through its bound ``send`` (this
    middleware is outermost, so ``send`` is uvicorn's own). Yield so uvicorn sees the disconnect
    before the app returns and does not answer 500 itself. Other servers get a response that
    starts and never finishes, which clients also see as a broken connection.
    """
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is not None:
        transport.abort()
        for _ in range(3):
            await asyncio.sleep(0)
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"100")]})
