"""DIDWW error documents (Specification > Errors, and the recorded responses)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

ErrorObject = dict[str, Any]


@dataclass(eq=False)
class ApiError(Exception):
    """An error the HTTP layer turns into ``{"errors": [...]}`` with ``status``."""

    status: int
    errors: list[ErrorObject]
    headers: Mapping[str, str] = field(default_factory=dict)

    def document(self) -> dict[str, Any]:
        return {"errors": self.errors}


def _error(title: str, detail: str, code: str, status: int) -> ErrorObject:
    return {"title": title, "detail": detail, "code": code, "status": str(status)}


@dataclass(frozen=True)
class FieldError:
    """One validation failure; ``name`` is what the detail starts with (DIDWW: "name - msg")."""

    pointer: str
    name: str
    message: str


def validation_error(problems: Sequence[FieldError]) -> ApiError:
    errors = [
        {
            "title": p.message,
            "detail": f"{p.name} - {p.message}",
            "code": "100",
            "source": {"pointer": p.pointer},
            "status": "422",
        }
        for p in problems
    ]
    return ApiError(422, errors)


def not_found(record_id: str) -> ApiError:
    detail = f"The record identified by {record_id} could not be found."
    return ApiError(404, [_error("Record not found", detail, "404", 404)])


def route_not_found(path: str) -> ApiError:
    return ApiError(404, [_error("Route not found", f"No route matches {path}", "404", 404)])


def method_not_allowed(type_name: str, operation: str) -> ApiError:
    detail = f"{operation} is not supported for {type_name}"
    return ApiError(405, [_error("Method not allowed", detail, "405", 405)])


def insufficient_funds(available: str, total: str, with_meta: bool) -> ApiError:
    """400 for an order the balance cannot pay (Orders > Create, recorded in both versions).

    2026-04-16 says "Insufficient balance" with ``meta``; 2022-05-10 said "Insufficient funds"."""
    if not with_meta:
        return ApiError(400, [_error("Insufficient funds", "Insufficient funds", "400", 400)])
    error = _error("Insufficient balance", "Insufficient balance", "400", 400)
    error["meta"] = {"available_balance": available, "total_cost": total}
    return ApiError(400, [error])


def unauthorized() -> ApiError:
    return ApiError(401, [_error("Unauthorized", "Authorization failed", "401", 401)])


def too_many_requests(retry_after: float | None = None) -> ApiError:
    # DIDWW's 429 document has only status and detail (API overview, "Rate Limits").
    headers = {"Retry-After": _retry_after_value(retry_after)} if retry_after is not None else {}
    return ApiError(429, [{"status": "429", "detail": "Too Many Requests"}], headers)


def _retry_after_value(seconds: float) -> str:
    return str(max(0, round(seconds))) if float(seconds).is_integer() else f"{seconds:g}"


def server_error(status: int) -> ApiError:
    return ApiError(status, [_error("Internal Server Error", "Injected server error", str(status), status)])


def unsupported_media_type(given: str) -> ApiError:
    detail = (
        "All requests that create or update must use the 'application/vnd.api+json' Content-Type. "
        f"This request specified '{given}'."
    )
    return ApiError(415, [_error("Unsupported media type", detail, "415", 415)])


def not_acceptable(given: str) -> ApiError:
    detail = (
        "All requests must use the 'application/vnd.api+json' Accept without media type parameters. "
        f"This request specified '{given}'."
    )
    return ApiError(406, [_error("Not acceptable", detail, "406", 406)])


# The 400s below follow the jsonapi-resources conventions (codes 101-118) DIDWW's API is built on;
# the collections record none of them, so titles are best effort.
def bad_request(title: str, detail: str, code: str = "400") -> ApiError:
    return ApiError(400, [_error(title, detail, code, 400)])


def invalid_params() -> ApiError:
    """A form upload without the params DIDWW looks for (Create Encrypted File, recorded)."""
    return bad_request("invalid params", "invalid params", "400")


def param_not_allowed(name: str) -> ApiError:
    return bad_request("Param not allowed", f"{name} is not allowed.", "105")


def filter_not_allowed(name: str) -> ApiError:
    return bad_request("Filter not allowed", f"{name} is not allowed.", "102")


def invalid_include(name: str, type_name: str) -> ApiError:
    return bad_request("Invalid field", f"{name} is not a valid relationship of {type_name}", "112")


def invalid_sort(name: str, type_name: str) -> ApiError:
    return bad_request("Invalid sort criteria", f"{name} is not a valid sort criteria for {type_name}", "114")


def invalid_page(name: str, value: str) -> ApiError:
    return bad_request("Invalid page value", f"{value} is not a valid value for {name} page parameter.", "118")
