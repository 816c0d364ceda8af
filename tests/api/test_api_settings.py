from __future__ import annotations

import pickle

import pytest

from didww_iac.api import ApiKey, ClientSettings, ConfigurationError

KEY = "s3cr3t-key-value-123"


@pytest.mark.parametrize(
    ("endpoint", "expected"),
    [
        ("production", "https://api.didww.com/v3/"),
        ("sandbox", "https://sandbox-api.didww.com/v3/"),
        ("emulator", "http://127.0.0.1:8765/v3/"),
        ("http://localhost:9000/v3", "http://localhost:9000/v3/"),
        ("http://127.3.4.5:1/v3/", "http://127.3.4.5:1/v3/"),
        ("http://[::1]:8080/v3/", "http://[::1]:8080/v3/"),
        ("https://proxy.example.com/didww/v3", "https://proxy.example.com/didww/v3/"),
    ],
)
def test_endpoints_resolve(endpoint: str, expected: str) -> None:
    assert ClientSettings(api_key=KEY, endpoint=endpoint).base_url == expected


@pytest.mark.parametrize(
    ("endpoint", "needle"),
    [
        ("http://api.didww.com/v3/", "plain http"),
        ("http://10.0.0.1/v3/", "plain http"),
        ("http://128.0.0.1/v3/", "plain http"),
        ("ftp://127.0.0.1/v3/", "neither"),
        ("staging", "neither"),
        ("https://user:pw@api.didww.com/v3/", "credentials"),
        ("https://api.didww.com/v3/?x=1", "query"),
    ],
)
def test_unsafe_or_unknown_endpoints_are_refused(endpoint: str, needle: str) -> None:
    with pytest.raises(ConfigurationError, match=needle):
        ClientSettings(api_key=KEY, endpoint=endpoint)


def test_unsupported_version_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="2022-05-10, 2026-04-16"):
        ClientSettings(api_key=KEY, api_version="2024-01-01")


@pytest.mark.parametrize(
    "kw",
    [
        {"rate_limit": -1},
        {"rate_limit": float("nan")},
        {"connect_timeout": 0},
        {"max_attempts": 0},
        {"page_size": 101},
        {"limiter": "memcached://x"},
        {"retry_budget_seconds": -1.0},
    ],
)
def test_bad_numbers_and_limiters_are_refused(kw: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError):
        ClientSettings(api_key=KEY, **kw)  # type: ignore[arg-type]


def test_empty_key_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="api_key"):
        ClientSettings(api_key="  ")


def test_key_never_shows_in_text_and_cannot_be_pickled() -> None:
    s = ClientSettings(api_key=KEY, endpoint="emulator", limiter="redis://:hunter2@127.0.0.1:6379/0")
    for text in (repr(s), str(s), f"{s}", repr(s.api_key), str(s.api_key), f"{s.api_key}"):
        assert KEY not in text
        assert "hunter2" not in text
    assert "***" in repr(s)
    assert s.key.get_secret_value() == KEY
    with pytest.raises(TypeError):
        pickle.dumps(s)
    with pytest.raises(TypeError):
        pickle.dumps(ApiKey(KEY))


def test_bucket_id_is_a_hash_shared_by_equal_settings() -> None:
    a = ClientSettings(api_key=KEY, endpoint="emulator")
    b = ClientSettings(api_key=KEY, endpoint="emulator", rate_limit=5)
    c = ClientSettings(api_key=KEY + "x", endpoint="emulator")
    assert a.bucket_id == b.bucket_id != c.bucket_id
    assert KEY not in a.bucket_id


def test_a_key_too_short_to_redact_safely_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="too short"):
        ClientSettings(api_key="abc")
