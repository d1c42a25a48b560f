"""Template filters of the finance pages: Swedish amounts and percentages, and the nav check."""

from __future__ import annotations

from django import template

from finsam.domain.finance._money import format_sek

register = template.Library()


@register.filter
def sek(value) -> str:
    """``1234567.5`` → ``1 234 567,50``, ``-5`` → ``−5`` (typographic minus); ``–`` for none."""
    if value is None or value == "":
        return "–"
    return format_sek(float(value)).replace("-", "\u2212")


@register.filter
def pct(value, decimals: int = 1) -> str:
    """A fraction as a Swedish percentage: ``0.4`` → ``40,0 %``."""
    if value is None or value == "":
        return "–"
    return f"{float(value) * 100:.{int(decimals)}f} %".replace(".", ",")


@register.filter
def num(value, decimals: int = 0) -> str:
    if value is None or value == "":
        return "–"
    text = f"{float(value):,.{int(decimals)}f}"
    return text.replace(",", " ").replace(".", ",").replace("-", "\u2212")
