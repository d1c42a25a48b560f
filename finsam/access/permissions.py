"""Server-side permission checks: the role table of ``finsam.domain.access`` applied to scope.

Every view, form, export and command asks :func:`can` / :func:`require` (or filters with
:func:`association_filter` / :func:`intervention_filter`); nothing else decides who may do what.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from finsam.domain.access import Action, Role, Scope, scope_of

_ASSIGNMENT_KIND = {Role.PARTICIPANT_HANDLER: "handler", Role.INTERVENTION_MANAGER: "manager"}


@dataclass
class Principal:
    """A user's roles and assignments, loaded once per request."""

    user_id: int | None
    roles: dict[Role, set[int | None]] = field(default_factory=lambda: defaultdict(set))
    assigned: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(dict))
    """kind → {intervention id: association id}."""

    @property
    def role_set(self) -> set[Role]:
        return set(self.roles)


def principal_for(user) -> Principal:
    cached = getattr(user, "_finsam_principal", None)
    if cached is not None:
        return cached
    principal = Principal(user_id=getattr(user, "pk", None))
    if user is not None and user.is_authenticated and user.is_active:
        from finsam.access.models import InterventionAssignment, RoleAssignment

        for role, assoc_id in RoleAssignment.objects.filter(user=user).values_list(
            "role", "association_id"
        ):
            principal.roles[Role(role)].add(assoc_id)
        if user.is_superuser:
            principal.roles[Role.SYSTEM_ADMIN].add(None)
        for kind, intv_id, assoc_id in InterventionAssignment.objects.filter(user=user).values_list(
            "kind", "intervention_id", "intervention__association_id"
        ):
            principal.assigned[kind][intv_id] = assoc_id
    if user is not None:
        user._finsam_principal = principal
    return principal


def forget_principal(user) -> None:
    if hasattr(user, "_finsam_principal"):
        del user._finsam_principal


def can(user, action: Action | str, *, association=None, intervention=None) -> bool:
    """May ``user`` perform ``action`` on this association/intervention (or at all, when neither
    is given)?"""
    principal = principal_for(user)
    action = Action(action)
    assoc_id = getattr(association, "pk", association)
    intv_id = getattr(intervention, "pk", intervention)
    if intervention is not None and assoc_id is None:
        assoc_id = getattr(intervention, "association_id", None)
    for role, held_for in principal.roles.items():
        scope = scope_of(role, action)
        if scope is None:
            continue
        if scope is Scope.ALL:
            return True
        if scope is Scope.ASSOCIATION:
            if assoc_id is None or assoc_id in held_for:
                return True
        elif scope is Scope.ASSIGNED:
            assigned = principal.assigned.get(_ASSIGNMENT_KIND.get(role, ""), {})
            if intv_id is not None:
                if intv_id in assigned and assigned[intv_id] in held_for:
                    return True
            elif assoc_id is not None:
                if any(a == assoc_id and a in held_for for a in assigned.values()):
                    return True
            elif assigned:
                return True
    return False


def require(user, action: Action | str, **target) -> None:
    if not can(user, action, **target):
        raise PermissionDenied("Du har inte behörighet till detta.")


def covers_all(user, action: Action | str) -> bool:
    """Does ``user``'s grant for ``action`` cover every association (a role with scope "all")?
    National figures, every area of a page, unprotected national counts ask this."""
    principal = principal_for(user)
    action = Action(action)
    return any(scope_of(role, action) is Scope.ALL for role in principal.roles)


def association_filter(user, action: Action | str, *, prefix: str = "") -> Q:
    """A ``Q`` selecting the associations (``prefix`` = path to the association id) where ``user``
    may perform ``action``. ``Q(pk__in=[])`` when nowhere."""
    principal = principal_for(user)
    action = Action(action)
    path = f"{prefix}id" if prefix else "id"
    ids: set[int] = set()
    for role, held_for in principal.roles.items():
        scope = scope_of(role, action)
        if scope is Scope.ALL:
            return Q()
        if scope is Scope.ASSOCIATION:
            ids |= {a for a in held_for if a is not None}
        elif scope is Scope.ASSIGNED:
            assigned = principal.assigned.get(_ASSIGNMENT_KIND.get(role, ""), {})
            ids |= {a for a in assigned.values() if a in held_for}
    return Q(**{f"{path}__in": sorted(ids)})


def intervention_filter(user, action: Action | str, *, prefix: str = "") -> Q:
    """A ``Q`` over interventions (``prefix`` = path to the intervention) for ``action``."""
    principal = principal_for(user)
    action = Action(action)
    q = Q(pk__in=[]) if not prefix else Q(**{f"{prefix}id__in": []})
    for role, held_for in principal.roles.items():
        scope = scope_of(role, action)
        if scope is Scope.ALL:
            return Q()
        if scope is Scope.ASSOCIATION:
            q |= Q(**{f"{prefix}association_id__in": sorted(a for a in held_for if a)})
        elif scope is Scope.ASSIGNED:
            assigned = principal.assigned.get(_ASSIGNMENT_KIND.get(role, ""), {})
            ok = sorted(i for i, a in assigned.items() if a in held_for)
            q |= Q(**{f"{prefix}id__in" if prefix else "pk__in": ok})
    return q
