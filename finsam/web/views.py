from django.shortcuts import render
from django.utils.translation import gettext

from finsam.access.permissions import can, intervention_filter, principal_for
from finsam.domain.access import ROLE_LABELS, Action, Role
from finsam.registry import selectors

SHOWN = 50
"""Interventions shown on the start page (with their episode counts)."""


def home(request):
    """The start page: what this user's roles let them do, first things first."""
    user = request.user
    if not user.is_authenticated:
        from django.contrib.auth import views as auth_views

        return auth_views.LoginView.as_view(template_name="web/login.html")(request)
    principal = principal_for(user)
    roles = principal.role_set
    context = {
        "role_labels": [gettext(ROLE_LABELS[r]) for r in sorted(roles)],
        "is_system_admin": Role.SYSTEM_ADMIN in roles,
        "no_roles": not roles,
        "associations": selectors.association_list(user=user)
        if can(user, Action.VIEW_ASSOCIATION)
        else [],
        "interventions": selectors.with_episode_counts(
            selectors.intervention_list(user=user)[:SHOWN]
        )
        if can(user, Action.VIEW_INTERVENTION)
        else [],
        "handler_interventions": [],
    }
    if Role.PARTICIPANT_HANDLER in roles:
        mine = selectors.intervention_list(user=user).filter(
            intervention_filter(user, Action.EDIT_EPISODES)
        )
        # Counts only for the cards shown; the rest are one link away (the intervention list).
        shown = selectors.with_episode_counts(mine[: SHOWN + 1])
        context["handler_interventions"] = shown[:SHOWN]
        context["handler_more"] = len(shown) > SHOWN
    if Role.PARTICIPANT_HANDLER in roles:
        from finsam.registry.worklist import worklist

        context["worklist"] = worklist(user)
    context["can_dashboard"] = can(user, Action.VIEW_REPORTS)
    return render(request, "web/home.html", context)


def healthz(request):
    from django.http import JsonResponse

    return JsonResponse({"status": "ok"})
