"""Template filters of the finance pages: Swedish amounts and percentages, and the nav check."""

from __future__ import annotations

from django import template

from finsam.domain import formatting as fmt
from finsam.domain.finance._money import round_sek

register = template.Library()


@register.filter
def sek(value) -> str:
    """``1234567.5`` → ``1 234 567,50``, ``-5`` → ``−5`` (typographic minus); ``–`` for none."""
    if value is None or value == "":
        return fmt.EMPTY
    return fmt.amount_exact(round_sek(float(value)))


@register.filter
def pct(value, decimals: int = 1) -> str:
    """A fraction as a Swedish percentage: ``0.4`` → ``40,0 %``."""
    return fmt.percent(value, int(decimals))


@register.filter
def num(value, decimals: int = 0) -> str:
    return fmt.number(value, int(decimals))


@register.filter
def kronor(value) -> str:
    """Whole kronor, no unit (allocations: öre mean nothing there)."""
    return fmt.amount(value)
