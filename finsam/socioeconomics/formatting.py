"""Swedish number formatting for the socio-economic pages: thin names over the one formatter,
:mod:`finsam.domain.formatting`."""

from __future__ import annotations

from finsam.domain import formatting as _fmt

NBSP = _fmt.NBSP


def number(value: float | None, decimals: int = 0) -> str:
    return _fmt.number(value, decimals)


def kr(value: float | None) -> str:
    return _fmt.kronor(value)


def months(value: float | None) -> str:
    """Payback months, or "aldrig" when it never pays back."""
    return "aldrig" if value is None else _fmt.with_unit(value, "mån", 1)


def percent(value: float | None, decimals: int = 1) -> str:
    return _fmt.percent(value, decimals)


def times(value: float | None) -> str:
    return _fmt.with_unit(value, "gånger", 1)
