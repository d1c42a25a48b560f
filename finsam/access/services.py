"""Granting roles and assignments (audited)."""

from __future__ import annotations

from django.db import transaction

from finsam.access.models import InterventionAssignment, RoleAssignment
from finsam.access.permissions import forget_principal
from finsam.audit.context import audited_by_caller
from finsam.audit.services import audit_change
from finsam.domain.access import ROLE_LABELS, ROLES_WITH_ASSOCIATION, Role, incompatible_with
from finsam.domain.problems import DomainValidationError, Problem


@transaction.atomic
def role_grant(*, user, role: Role | str, association=None, actor) -> RoleAssignment:
    role = Role(role)
    if role in ROLES_WITH_ASSOCIATION and association is None:
        raise DomainValidationError(
            [
                Problem(
                    "association",
                    "role.association_required",
                    f"Rollen {ROLE_LABELS[role]} måste kopplas till ett förbund.",
                )
            ]
        )
    existing = set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
    clash = incompatible_with(existing, role)
    if clash is not None:
        raise DomainValidationError(
            [
                Problem(
                    "role",
                    "role.incompatible",
                    f"En användare kan inte vara både {ROLE_LABELS[clash].lower()} och "
                    f"{ROLE_LABELS[role].lower()} (förbundsadministratören får inte se "
                    "identitetsuppgifter).",
                )
            ]
        )
    with audited_by_caller():
        assignment, _ = RoleAssignment.objects.get_or_create(
            user=user, role=role, association=association
        )
    audit_change(
        actor=actor,
        action="role_grant",
        obj=assignment,
        association_id=getattr(association, "pk", None),
        summary=f"{user.username}: {ROLE_LABELS[role]}",
    )
    forget_principal(user)
    return assignment


@transaction.atomic
def intervention_assign(*, user, intervention, kind: str, actor) -> InterventionAssignment:
    role = Role.PARTICIPANT_HANDLER if kind == "handler" else Role.INTERVENTION_MANAGER
    if not RoleAssignment.objects.filter(
        user=user, role=role, association=intervention.association
    ).exists():
        raise DomainValidationError(
            [
                Problem(
                    "user",
                    "assignment.role_missing",
                    f"Användaren har inte rollen {ROLE_LABELS[role].lower()} i förbundet "
                    f"{intervention.association}.",
                )
            ]
        )
    with audited_by_caller():
        assignment, _ = InterventionAssignment.objects.get_or_create(
            user=user, intervention=intervention, kind=kind
        )
    audit_change(
        actor=actor,
        action="intervention_assign",
        obj=assignment,
        association_id=intervention.association_id,
        summary=f"{user.username} → {intervention.code} ({kind})",
    )
    forget_principal(user)
    return assignment


@transaction.atomic
def intervention_unassign(*, assignment: InterventionAssignment, actor) -> None:
    audit_change(
        actor=actor,
        action="intervention_unassign",
        obj=assignment,
        association_id=assignment.intervention.association_id,
        summary=f"{assignment.user.username} ← {assignment.intervention.code}",
    )
    forget_principal(assignment.user)
    with audited_by_caller():
        assignment.delete()


@transaction.atomic
def role_withdraw(*, assignment: RoleAssignment, actor) -> None:
    """Withdraw a role; the user's intervention assignments that rested on it go with it."""
    user = assignment.user
    kind = {Role.PARTICIPANT_HANDLER: "handler", Role.INTERVENTION_MANAGER: "manager"}.get(
        Role(assignment.role)
    )
    if kind and assignment.association_id:
        for dependent in InterventionAssignment.objects.filter(
            user=user, kind=kind, intervention__association_id=assignment.association_id
        ).select_related("intervention"):
            intervention_unassign(assignment=dependent, actor=actor)
    audit_change(
        actor=actor,
        action="role_withdraw",
        obj=assignment,
        association_id=assignment.association_id,
        summary=f"{user.username}: {ROLE_LABELS[Role(assignment.role)]} borttagen",
    )
    with audited_by_caller():
        assignment.delete()
    forget_principal(user)
