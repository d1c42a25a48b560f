"""One Swedish number format for every output: pages, PDF, xlsx and charts.

Decimal comma, a no-break space between thousands (so a number never wraps mid-value), a real
minus sign (U+2212) and "–" for a missing value. Amounts are whole kronor unless öre are asked
for. Pure Python: the template filters (``finsam/web/templatetags/swedish.py``), the domain's
plain-Swedish sentences, the xlsx writer (:data:`XLSX_INTEGER`, :data:`XLSX_DECIMAL`) and the
Vega-Lite charts (:data:`VEGA_LOCALE`) all use this module.

    >>> number(1234567.891, 2)
    '1\\xa0234\\xa0567,89'
    >>> kronor(-5218084.64)
    '−5\\xa0218\\xa0085\\xa0kr'
    >>> percent(0.403)
    '40,3\\xa0%'
"""

from __future__ import annotations

import math
from decimal import Decimal

NBSP = "\u00a0"
"""The thousands separator and the space before a unit (no-break, so "5 218 084" stays whole)."""
MINUS = "\u2212"
EMPTY = "–"

VEGA_LOCALE = {
    "number": {
        "decimal": ",",
        "thousands": NBSP,
        "grouping": [3],
        "currency": ["", f"{NBSP}kr"],
        "minus": MINUS,
        "percent": f"{NBSP}%",
    }
}
"""d3-format locale for Vega-Lite (``config.locale``): axes and tooltips in Swedish format."""

XLSX_INTEGER = "#,##0"
XLSX_DECIMAL = "#,##0.0"
XLSX_DECIMAL2 = "#,##0.00"
"""Excel number formats: Excel shows the reader's own separators (space and comma in Swedish),
and the cell stays a number that can be summed."""


def _as_float(value) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float | Decimal):
        f = float(value)
    else:
        try:
            f = float(str(value).replace(MINUS, "-").replace(NBSP, "").replace(" ", ""))
        except ValueError:
            return None
    return None if math.isnan(f) else f


def number(value, decimals: int = 0, *, empty: str = EMPTY, trim: bool = False) -> str:
    """``1234567.5`` → ``1 234 568`` (``decimals=0``), ``1 234 567,50`` (``decimals=2``).

    ``trim``: drop trailing zero decimals (``40,0`` → ``40``). Infinity is shown as ``∞``."""
    f = _as_float(value)
    if f is None:
        return empty
    if math.isinf(f):
        return "∞" if f > 0 else f"{MINUS}∞"
    decimals = max(int(decimals), 0)
    rounded = round(f, decimals)
    text = f"{abs(rounded):,.{decimals}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    text = text.replace(",", NBSP).replace(".", ",")
    return f"{MINUS}{text}" if rounded < 0 and text.strip("0,") else text


def integer(value, *, empty: str = EMPTY) -> str:
    return number(value, 0, empty=empty)


def amount(value, *, ore: bool = False, empty: str = EMPTY) -> str:
    """An amount without unit: whole kronor, or with öre (two decimals) when ``ore``."""
    return number(value, 2 if ore else 0, empty=empty)


def amount_exact(value, *, empty: str = EMPTY) -> str:
    """An amount showing öre only when there are any (``1 000`` but ``1 000,50``)."""
    f = _as_float(value)
    if f is None:
        return empty
    has_ore = round(f, 2) != round(f)
    return number(f, 2 if has_ore else 0)


def kronor(value, *, ore: bool = False, empty: str = EMPTY) -> str:
    """``5218084.64`` → ``5 218 085 kr`` (whole kronor where öre mean nothing)."""
    text = amount(value, ore=ore, empty=empty)
    return text if text == empty else f"{text}{NBSP}kr"


def percent(fraction, decimals: int = 1, *, empty: str = EMPTY, trim: bool = False) -> str:
    """A fraction as a percentage: ``0.403`` → ``40,3 %``."""
    f = _as_float(fraction)
    if f is None:
        return empty
    return f"{number(f * 100, decimals, trim=trim)}{NBSP}%"


def percent_value(value, decimals: int = 1, *, empty: str = EMPTY, trim: bool = False) -> str:
    """A value already in per cent: ``40.3`` → ``40,3 %``."""
    f = _as_float(value)
    if f is None:
        return empty
    return f"{number(f, decimals, trim=trim)}{NBSP}%"


def with_unit(value, unit: str, decimals: int = 0, *, empty: str = EMPTY) -> str:
    text = number(value, decimals)
    return empty if text == EMPTY else f"{text}{NBSP}{unit}"


def vega_format(decimals: int = 0, *, percent: bool = False) -> str:
    """A d3 format string for an axis or tooltip (used with :data:`VEGA_LOCALE`)."""
    return f",.{decimals}%" if percent else f",.{decimals}f"
