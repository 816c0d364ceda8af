from __future__ import annotations

import time
from email.utils import formatdate
from typing import Any

import pytest

from didww_iac.api import (
    AuthenticationError,
    DidwwError,
    InsufficientBalanceError,
    NotFoundError,
    RateLimitedError,
    RequestError,
    ServerError,
    ValidationError,
)
from didww_iac.api.errors import error_from_response, parse_retry_after, version_mismatch


def _err(**kw: Any) -> dict[str, Any]:
    return {"errors": [kw]}


def test_validation_error_keeps_every_pointer() -> None:
    body = {
        "errors": [
            {
                "title": "has already been taken",
                "detail": "name - has already been taken",
                "code": "100",
                "source": {"pointer": "/data/attributes/name"},
                "status": "422",
            },
            {
                "title": "is invalid",
                "detail": "capacity_limit - must be greater than 0",
                "code": "100",
                "source": {"pointer": "/data/attributes/capacity_limit"},
                "status": "422",
            },
        ]
    }
    exc = error_from_response("POST", "/v3/voice_in_trunk_groups", 422, body)
    assert isinstance(exc, ValidationError)
    assert [e.pointer for e in exc.errors] == ["/data/attributes/name", "/data/attributes/capacity_limit"]
    assert exc.errors[1].attribute == "capacity_limit"
    assert exc.pointers["/data/attributes/name"] == ["name - has already been taken"]
    assert (exc.method, exc.path, exc.status, exc.code) == ("POST", "/v3/voice_in_trunk_groups", 422, "100")
    assert exc.title == "has already been taken"
    assert "capacity_limit - must be greater than 0" in str(exc)


def test_insufficient_balance_carries_amounts() -> None:
    body = _err(
        title="Insufficient balance",
        detail="Insufficient balance",
        code="400",
        status="400",
        meta={"available_balance": "1.9", "total_cost": "2.0"},
    )
    exc = error_from_response("POST", "/v3/orders", 400, body)
    assert isinstance(exc, InsufficientBalanceError)
    assert (exc.available_balance, exc.total_cost) == ("1.9", "2.0")
    assert "available balance 1.9, total cost 2.0" in str(exc)


def test_insufficient_funds_without_meta_2022_style() -> None:
    body = _err(title="Insufficient funds", detail="Insufficient funds", code="400", status="400")
    exc = error_from_response("POST", "/v3/orders", 400, body)
    assert isinstance(exc, InsufficientBalanceError)
    assert exc.available_balance is None


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (401, AuthenticationError),
        (404, NotFoundError),
        (400, RequestError),
        (403, RequestError),
        (500, ServerError),
        (503, ServerError),
        (429, RateLimitedError),
    ],
)
def test_status_mapping(status: int, cls: type[DidwwError]) -> None:
    body = _err(title="Record not found", detail="The record identified by x could not be found.", code=str(status))
    exc = error_from_response("GET", "/v3/dids/x", status, body)
    assert type(exc) is cls
    assert exc.status == status and exc.method == "GET" and exc.path == "/v3/dids/x"


def test_error_without_body() -> None:
    exc = error_from_response("DELETE", "/v3/dids/1", 502, None)
    assert isinstance(exc, ServerError)
    assert str(exc) == "DELETE /v3/dids/1 -> 502"


def test_rate_limited_parses_retry_after() -> None:
    exc = error_from_response("GET", "/v3/dids", 429, _err(status="429", detail="Too Many Requests"), "2")
    assert isinstance(exc, RateLimitedError)
    assert exc.retry_after == 2.0


def test_retry_after_formats() -> None:
    assert parse_retry_after("1.5") == 1.5
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    now = time.time()
    assert parse_retry_after(formatdate(now + 30, usegmt=True), now=now) == pytest.approx(30, abs=1.0)
    assert parse_retry_after(formatdate(now - 30, usegmt=True), now=now) == 0.0


def test_version_mismatch_says_what_to_do() -> None:
    exc = version_mismatch("2022-05-10", "2026-04-16", "GET", "/v3/dids", 200)
    text = str(exc)
    assert "pinned 2022-05-10" in text and "answered with 2026-04-16" in text
    assert "api_version to '2026-04-16'" in text and "lower the account's default" in text
    assert (exc.pinned, exc.answered) == ("2022-05-10", "2026-04-16")
