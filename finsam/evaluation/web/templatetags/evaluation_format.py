"""``{% load evaluation_format %}`` – estimates with fixed decimals, "–" when missing."""

import math

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def est(value, decimals=4):
    """A number with ``decimals`` decimals in the page's locale; "–" for a missing value."""
    if value is None or value == "":
        return "–"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return value
    if not math.isfinite(number):
        return "–"
    return number_format(round(number, int(decimals)), int(decimals))


@register.filter
def intval(value):
    """Integers (event times, periods) without decimals; "–" when missing."""
    if value is None or value == "":
        return "–"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return value
    if not math.isfinite(number):
        return "–"
    return str(int(number)) if number.is_integer() else f"{number:g}"
