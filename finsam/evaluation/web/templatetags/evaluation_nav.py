"""``{% load evaluation_nav %}`` – whether to show "Utvärdering" in the main menu."""

from django import template

from finsam.access.permissions import can
from finsam.domain.access import Action

register = template.Library()


@register.filter
def may_evaluate(user) -> bool:
    return bool(user and user.is_authenticated and can(user, Action.NATIONAL_MODELS))
