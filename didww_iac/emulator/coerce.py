"""Coercion and validation of one attribute value, with Rails-style messages as DIDWW sends them.

DIDWW accepts loosely typed JSON (its own examples send ``"priority": "1"`` and
``"resolve_ruri": "true"``), so numbers and booleans given as strings are accepted.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from didww_iac.emulator.schema import Attr

BLANK = "can't be blank"
NOT_A_NUMBER = "is not a number"
NOT_INCLUDED = "is not included in the list"
INVALID = "is invalid"

_INT_RE = re.compile(r"^[+-]?\d+$")
_DECIMAL_RE = re.compile(r"^[+-]?\d+(\.\d+)?$")


class Invalid(Exception):
    """The value is rejected; ``args[0]`` is the message."""


def coerce(attr: Attr, value: Any) -> Any:
    if value is None:
        if attr.nullable and not attr.required:
            return None
        raise Invalid(BLANK)
    converted = _convert(attr, value)
    _check(attr, converted)
    return converted


def _convert(attr: Attr, value: Any) -> Any:
    if attr.kind == "json":
        return value
    if attr.kind == "integer":
        return _integer(value)
    if attr.kind == "boolean":
        return _boolean(value)
    if attr.kind == "decimal":
        return _decimal(value)
    if attr.kind == "integer_list":
        return [_integer(v) for v in _list(value)]
    if attr.kind == "string_list":
        return [_string(v) for v in _list(value)]
    if attr.kind == "ip_list":
        return [_network(v) for v in _list(value)]
    text = _string(value)
    return text.lower() if attr.lowercase else text


def _check(attr: Attr, value: Any) -> None:
    if attr.required and value in ("", []):
        raise Invalid(BLANK)
    if attr.kind == "json":
        return
    if attr.choices is not None and value not in attr.choices:
        raise Invalid(NOT_INCLUDED)
    if attr.item_choices is not None and any(v not in attr.item_choices for v in value):
        raise Invalid(INVALID)
    if attr.max_items is not None and len(value) > attr.max_items:
        raise Invalid(f"is too long (maximum is {attr.max_items} items)")
    if attr.max_length is not None and len(value) > attr.max_length:
        raise Invalid(f"is too long (maximum is {attr.max_length} characters)")
    if attr.pattern is not None and not re.fullmatch(attr.pattern, value):
        raise Invalid(INVALID)
    number = float(value) if attr.kind == "decimal" else value
    if attr.minimum is not None and number < attr.minimum:
        raise Invalid(f"must be greater than or equal to {_fmt(attr.minimum)}")
    if attr.maximum is not None and number > attr.maximum:
        raise Invalid(f"must be less than or equal to {_fmt(attr.maximum)}")


def _fmt(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() else str(bound)


def _integer(value: Any) -> int:
    if isinstance(value, bool):
        raise Invalid(NOT_A_NUMBER)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INT_RE.match(value.strip()):
        return int(value.strip())
    if isinstance(value, float) or (isinstance(value, str) and _DECIMAL_RE.match(value.strip())):
        raise Invalid("must be an integer")
    raise Invalid(NOT_A_NUMBER)


def _boolean(value: Any) -> bool:
    # true/false, also as text as the recorded requests send them; not numbers (DIDWW's OpenAPI
    # document types these as booleans, and no recording sends 1 or 0).
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise Invalid(NOT_INCLUDED)


def _decimal(value: Any) -> str:
    # DIDWW renders money as decimal strings such as "3000.0".
    if isinstance(value, bool):
        raise Invalid(NOT_A_NUMBER)
    if isinstance(value, int | float) or (isinstance(value, str) and _DECIMAL_RE.match(value.strip())):
        return repr(float(value))
    raise Invalid(NOT_A_NUMBER)


def _string(value: Any) -> str:
    # Strings only: the recorded requests loosen numbers and booleans, never text, and DIDWW's
    # OpenAPI document types these as strings.
    if not isinstance(value, str):
        raise Invalid(INVALID)
    return value


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise Invalid(INVALID)
    return value


def _network(value: Any) -> str:
    # A single address is stored as a /32 (or /128) network, as DIDWW echoes "192.168.1.1/32".
    try:
        return str(ipaddress.ip_network(_string(value).strip(), strict=False))
    except ValueError:
        raise Invalid(INVALID) from None
