"""Which users an administrator may manage, and with which roles and associations.

The system administrator manages everyone. The association administrator manages the users
holding a role in an association they administer: grants and withdraws roles of that
association only, and deactivates or resets MFA only for users whose every role lies in
associations they administer (a person working for several associations is not switched off by
one of them). ``MANAGE_USERS`` in ``finsam/domain/access.py`` is the grant.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q

from finsam.access.models import InterventionAssignment, RoleAssignment
from finsam.access.permissions import association_filter, can, principal_for
from finsam.domain.access import ROLES_WITH_ASSOCIATION, Action, Role
from finsam.registry.models import Association, Intervention


def is_user_manager(actor) -> bool:
    return can(actor, Action.MANAGE_USERS)


def manages_all(actor) -> bool:
    return Role.SYSTEM_ADMIN in principal_for(actor).role_set


def managed_association_ids(actor) -> set[int]:
    return set(
        Association.objects.filter(association_filter(actor, Action.MANAGE_USERS)).values_list(
            "pk", flat=True
        )
    )


def managed_associations(actor):
    return Association.objects.filter(association_filter(actor, Action.MANAGE_USERS)).order_by(
        "name"
    )


def user_list(*, actor, query: str = ""):
    users = get_user_model().objects.all()
    if not manages_all(actor):
        users = users.filter(
            pk__in=RoleAssignment.objects.filter(
                association_id__in=managed_association_ids(actor)
            ).values("user_id")
        )
    if query:
        users = users.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
        )
    return users.prefetch_related("role_assignments__association").order_by("username")


def can_see_user(actor, user) -> bool:
    return user_list(actor=actor).filter(pk=user.pk).exists()


def can_manage_account(actor, user) -> bool:
    """Deactivate, edit e-ID keys, reset MFA: everyone for the system administrator; for an
    association administrator only users whose roles all lie in their associations."""
    if manages_all(actor):
        return True
    if user.is_superuser:
        return False
    own = managed_association_ids(actor)
    roles = list(RoleAssignment.objects.filter(user=user).values_list("role", "association_id"))
    return bool(roles) and all(Role(r) in ROLES_WITH_ASSOCIATION and a in own for r, a in roles)


def grantable_roles(actor) -> list[Role]:
    if manages_all(actor):
        return list(Role)
    return [r for r in Role if r in ROLES_WITH_ASSOCIATION]


def can_withdraw(actor, assignment: RoleAssignment) -> bool:
    if manages_all(actor):
        return True
    return Role(
        assignment.role
    ) in ROLES_WITH_ASSOCIATION and assignment.association_id in managed_association_ids(actor)


def assignable_interventions(actor):
    qs = Intervention.objects.select_related("association").order_by("association__name", "code")
    if not manages_all(actor):
        qs = qs.filter(association_id__in=managed_association_ids(actor))
    return qs


def intervention_assignment(user, pk) -> InterventionAssignment | None:
    """``user``'s assignment ``pk`` (with its intervention), or ``None``."""
    if not str(pk).isdigit() or len(str(pk)) > 18:
        return None
    return (
        InterventionAssignment.objects.select_related("intervention")
        .filter(pk=int(pk), user=user)
        .first()
    )
