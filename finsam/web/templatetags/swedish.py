"""Template filters for Swedish numbers: ``{% load swedish %}`` then ``{{ x|num:1 }}``,
``{{ x|kr }}``, ``{{ x|pct }}``. All of them call :mod:`finsam.domain.formatting`, the one
formatter pages, PDF, xlsx and charts share."""

from __future__ import annotations

from django import template

from finsam.domain import formatting as fmt

register = template.Library()


@register.filter
def num(value, decimals=0) -> str:
    """``1234.5|num:1`` → ``1 234,5`` (no-break space, decimal comma, real minus)."""
    return fmt.number(value, int(decimals))


@register.filter
def kr(value) -> str:
    """Whole kronor with the unit: ``5218084.64|kr`` → ``5 218 085 kr``."""
    return fmt.kronor(value)


@register.filter
def amount(value) -> str:
    """Whole kronor without the unit (table cells whose header says "kr")."""
    return fmt.amount(value)


@register.filter
def ore(value) -> str:
    """An amount with öre when there are any (budget and accounts lines)."""
    return fmt.amount_exact(value)


@register.filter
def pct(value, decimals=1) -> str:
    """A fraction as a percentage: ``0.403|pct`` → ``40,3 %``."""
    return fmt.percent(value, int(decimals))


@register.filter
def pctv(value, decimals=1) -> str:
    """A value already in per cent: ``40.3|pctv`` → ``40,3 %``."""
    return fmt.percent_value(value, int(decimals))
