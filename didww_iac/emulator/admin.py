"""The test-only admin API under /__emulator/, mounted only when the emulator runs with admin=True.

It needs no API key: it is for tests and local debugging on loopback, never for clients.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from didww_iac.emulator import errors, reviews
from didww_iac.emulator.config import AccountSeed
from didww_iac.emulator.models import copy_json
from didww_iac.emulator.runtime import Emulator

PREFIX = "/__emulator"


def admin_routes(emulator: Emulator) -> list[Route]:
    async def body(request: Request) -> dict[str, Any]:
        raw = await request.body()
        if not raw:
            return {}
        payload = await request.json()
        if not isinstance(payload, dict):
            raise ValueError("expected a JSON object")
        return payload

    async def state(request: Request) -> Response:
        return JSONResponse(
            {
                "api_version": emulator.account.api_version,
                "rate_limit": emulator.limiter.rate,
                "resources": emulator.account.snapshot(),
            }
        )

    async def requests(request: Request) -> Response:
        if request.method == "DELETE":
            emulator.request_log.clear()
            return Response(status_code=204)
        return JSONResponse({"requests": [e.to_dict() for e in emulator.request_log.entries()]})

    async def faults(request: Request) -> Response:
        if request.method == "DELETE":
            emulator.clear_faults()
        elif request.method == "POST":
            try:
                emulator.update_faults(await body(request))
            except (ValueError, TypeError) as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(emulator.faults.to_dict())

    async def seed(request: Request) -> Response:
        """Add records made "in the panel": {"trunks": N, "groups": N, "dids": N} (each optional)."""
        try:
            answer = emulator.seed(AccountSeed.from_mapping(await body(request)))
        except (ValueError, TypeError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(answer, status_code=201)

    async def reset(request: Request) -> Response:
        emulator.reset()
        return Response(status_code=204)

    def account_view() -> dict[str, Any]:
        balance = emulator.account.singleton("balances").attributes["balance"]
        return {
            "api_version": emulator.account.api_version,
            "rate_limit": emulator.limiter.rate,
            "order_delay": emulator.account.settings.order_delay,
            "review_delay": emulator.account.settings.review_delay,
            "balance": balance,
        }

    async def account(request: Request) -> Response:
        try:
            changes = await body(request)
            unknown = set(changes) - {"api_version", "rate_limit", "order_delay", "review_delay", "balance"}
            if unknown:
                raise ValueError(f"unknown account settings: {', '.join(sorted(unknown))}")
            if "api_version" in changes:
                emulator.set_api_version(str(changes["api_version"]))
            if "rate_limit" in changes:
                rate = changes["rate_limit"]
                emulator.limiter.rate = float(rate) if rate else None
            if "order_delay" in changes:
                emulator.set_order_delay(changes["order_delay"])
            if "review_delay" in changes:
                emulator.set_review_delay(changes["review_delay"])
            if "balance" in changes:
                emulator.set_balance(changes["balance"])
        except (ValueError, TypeError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(account_view())

    async def clock(request: Request) -> Response:
        return JSONResponse({"now": emulator.account.now_iso(), "offset": emulator.account.clock.offset})

    async def tick(request: Request) -> Response:
        """Without "seconds": complete every pending order now. With it: move the clock ahead
        that far and let whatever falls due happen (orders complete, reservations expire)."""
        try:
            seconds = (await body(request)).get("seconds")
            if seconds is not None and (isinstance(seconds, bool) or float(seconds) < 0):
                raise ValueError("seconds must be a number of seconds, 0 or more")
            emulator.account.tick(float(seconds) if seconds is not None else None)
        except (ValueError, TypeError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return await clock(request)

    async def review(request: Request) -> Response:
        """Decide a pending review now (reviews.py): {"type", "id", "decision", "reasons", "comment"}."""
        try:
            record = reviews.decide(emulator.account, await body(request))
            with emulator.account.locked():
                answer = copy_json(record.to_json())
        except (ValueError, TypeError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        except reviews.NotPending as exc:
            return JSONResponse({"error": str(exc)}, status_code=409)
        except errors.ApiError as error:
            return JSONResponse(error.document(), status_code=error.status)
        return JSONResponse(answer)

    async def resource(request: Request) -> Response:
        """PATCH stored attributes or DELETE a record directly, bypassing the API's rules: drift
        made "in the panel"."""
        type_name, record_id = request.path_params["type"], request.path_params["id"]
        try:
            if request.method == "DELETE":
                emulator.account.delete_raw(type_name, record_id)
                return Response(status_code=204)
            changes = await body(request)
            with emulator.account.locked():
                # Serialised under the lock: with --state, writes run on worker threads.
                patched = copy_json(emulator.account.patch_raw(type_name, record_id, changes).to_json())
        except errors.ApiError as error:
            return JSONResponse(error.document(), status_code=error.status)
        return JSONResponse(patched)

    return [
        Route(f"{PREFIX}/state", state, methods=["GET"]),
        Route(f"{PREFIX}/requests", requests, methods=["GET", "DELETE"]),
        Route(f"{PREFIX}/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route(f"{PREFIX}/reset", reset, methods=["POST"]),
        Route(f"{PREFIX}/seed", seed, methods=["POST"]),
        Route(f"{PREFIX}/account", account, methods=["GET", "PATCH"]),
        Route(f"{PREFIX}/clock", clock, methods=["GET"]),
        Route(f"{PREFIX}/clock/tick", tick, methods=["POST"]),
        Route(f"{PREFIX}/reviews", review, methods=["POST"]),
        Route(f"{PREFIX}/resources/{{type}}/{{id}}", resource, methods=["PATCH", "DELETE"]),
    ]
