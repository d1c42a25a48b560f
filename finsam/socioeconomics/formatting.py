"""Swedish number formatting for the socio-economic pages (spaces between thousands, decimal
comma, a real minus sign)."""

from __future__ import annotations

NBSP = "\u00a0"


def number(value: float | None, decimals: int = 0) -> str:
    if value is None:
        return "–"
    text = f"{abs(value):,.{decimals}f}".replace(",", NBSP).replace(".", ",")
    return f"−{text}" if round(value, decimals) < 0 else text


def kr(value: float | None) -> str:
    return "–" if value is None else f"{number(value)}{NBSP}kr"


def months(value: float | None) -> str:
    """Payback months, or "aldrig" when it never pays back."""
    return "aldrig" if value is None else f"{number(value, 1)}{NBSP}mån"


def percent(value: float | None, decimals: int = 1) -> str:
    return "–" if value is None else f"{number(value * 100, decimals)}{NBSP}%"


def times(value: float | None) -> str:
    return "–" if value is None else f"{number(value, 1)}{NBSP}gånger"
