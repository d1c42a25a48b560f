from django.shortcuts import render
from django.utils.translation import gettext

from finsam.access.permissions import can, intervention_filter, principal_for
from finsam.domain.access import ROLE_LABELS, Action, Role
from finsam.registry import selectors


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
        "interventions": selectors.intervention_list(user=user)[:50]
        if can(user, Action.VIEW_INTERVENTION)
        else [],
        "handler_interventions": selectors.intervention_list(user=user).filter(
            intervention_filter(user, Action.EDIT_EPISODES)
        )
        if Role.PARTICIPANT_HANDLER in roles
        else [],
    }
    if Role.PARTICIPANT_HANDLER in roles:
        from finsam.registry.worklist import worklist

        context["worklist"] = worklist(user)
    context["can_dashboard"] = can(user, Action.VIEW_REPORTS)
    return render(request, "web/home.html", context)


def healthz(request):
    from django.http import JsonResponse

    return JsonResponse({"status": "ok"})
