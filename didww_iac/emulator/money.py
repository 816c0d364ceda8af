"""Money as DIDWW renders it: decimal strings, never floats.

Prices and order amounts look like Rails' BigDecimal (``"17.0"``, ``"21.33"``, ``"0.5"``); the
balance endpoint shows two decimals (``"50.00"``).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


def parse(text: object) -> Decimal:
    """A decimal from a string or number; ValueError when it is not one."""
    if isinstance(text, bool) or not isinstance(text, str | int | float | Decimal):
        raise ValueError(f"not a decimal: {text!r}")
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        raise ValueError(f"not a decimal: {text!r}") from None
    if not value.is_finite():
        raise ValueError(f"not a decimal: {text!r}")
    return value


def amount(value: Decimal) -> str:
    """``Decimal("17")`` -> ``"17.0"``, ``Decimal("21.330")`` -> ``"21.33"``."""
    text = format(value.normalize(), "f")
    return text if "." in text else f"{text}.0"


def balance(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01")), "f")
