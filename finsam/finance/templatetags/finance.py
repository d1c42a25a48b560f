"""Template filters of the finance pages: Swedish amounts and percentages, and the nav check."""

from __future__ import annotations

from django import template

from finsam.domain import formatting as fmt
from finsam.domain.finance._money import round_sek
from finsam.domain.protection import is_protected_symbol

register = template.Library()


@register.filter
def sek(value) -> str:
    """``1234567.5`` → ``1 234 567,50``, ``-5`` → ``−5`` (typographic minus); ``–`` for none;
    the protection symbol as it is."""
    if is_protected_symbol(value):
        return value
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
    """Whole kronor, no unit (allocations: öre mean nothing there); the protection symbol as
    it is."""
    if is_protected_symbol(value):
        return value
    return fmt.amount(value)


@register.filter
def cost_type_label(code) -> str:
    """An administrative cost type's label (``PREMISES`` → ``Lokaler``); ``–`` for none."""
    from finsam.domain.finance.budget import ADMIN_COST_TYPES

    return ADMIN_COST_TYPES.label_of(code) if code else fmt.EMPTY


@register.filter
def budget_line_category(line) -> str:
    """A budget line's category as words: the funder of a resource line (``Kommun (0183)``),
    the cost type of an administrative line, ``ESF-finansierad del`` of an intervention line."""
    from django.utils.translation import gettext

    from finsam.domain.finance.budget import ADMIN_COST_TYPES, FUNDER_KINDS, funder_kind

    code = (getattr(line, "category", "") or "").strip()
    if not code:
        return fmt.EMPTY
    kind = getattr(line, "line", "")
    if kind == "resource":
        funder = funder_kind(code)
        if funder is None:
            return code
        label = FUNDER_KINDS.label_of(funder)
        return f"{label} ({code})" if code.upper() != funder else label
    if kind == "admin_cost":
        return ADMIN_COST_TYPES.label_of(code)
    if code.lower() == "esf":
        return gettext("ESF-finansierad del")
    return code
