"""Reads of the API token page: whose tokens an administrator sees, and for which users and
associations they may create one."""

from __future__ import annotations

from django.db.models import QuerySet

from finsam.access.models import RoleAssignment
from finsam.access.permissions import association_filter, can
from finsam.accounts.models import User
from finsam.domain.access import Action
from finsam.registry.models import Association

from .models import ApiToken


def token_associations(actor) -> QuerySet[Association]:
    """The associations ``actor`` may create tokens for (those whose users they manage)."""
    return Association.objects.filter(association_filter(actor, Action.MANAGE_USERS)).order_by(
        "name"
    )


def token_users(actor, associations) -> QuerySet[User]:
    """The active users ``actor`` may create a token for: everyone for the site administrator,
    else the users holding a role in ``associations``."""
    users = User.objects.filter(is_active=True)
    if not can(actor, Action.ADMIN_SITE):
        users = users.filter(
            pk__in=RoleAssignment.objects.filter(association__in=associations).values("user_id")
        )
    return users.order_by("username")


def visible_tokens(user) -> QuerySet[ApiToken]:
    qs = ApiToken.objects.select_related("user", "association", "created_by")
    if can(user, Action.ADMIN_SITE):
        return qs
    return qs.filter(association__in=token_associations(user))
