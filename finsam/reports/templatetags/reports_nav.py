"""``{% load reports_nav %}{% if user|may_view_reports %}`` – the "Rapporter" menu entry."""

from django import template

from finsam.access.permissions import can
from finsam.domain.access import Action

register = template.Library()


@register.filter
def may_view_reports(user) -> bool:
    return bool(user and user.is_authenticated and can(user, Action.VIEW_REPORTS))
