from django.utils.translation import gettext

from finsam.access.permissions import can, principal_for
from finsam.domain.access import ROLE_LABELS, Action


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    principal = principal_for(user)
    return {
        "user_roles": sorted(gettext(ROLE_LABELS[r]) for r in principal.role_set),
        "nav": {
            "audit": can(user, Action.VIEW_AUDIT),
            "admin": can(user, Action.ADMIN_SITE),
            "api_tokens": can(user, Action.MANAGE_USERS),
            "interventions": can(user, Action.VIEW_INTERVENTION),
            "episodes": can(user, Action.VIEW_EPISODES),
            "models": can(user, Action.NATIONAL_MODELS),
            "import": can(user, Action.IMPORT_DATA),
            "reports": can(user, Action.VIEW_REPORTS),
            "dashboard": can(user, Action.VIEW_REPORTS),
            "deviations": can(user, Action.VIEW_DEVIATIONS)
            or can(user, Action.VIEW_DEVIATION_STATISTICS),
            "deviation_list": can(user, Action.VIEW_DEVIATIONS),
            "indicators": can(user, Action.VIEW_INDICATOR_RESULTS)
            or can(user, Action.VIEW_INDICATOR_DEFINITIONS),
            "users": can(user, Action.MANAGE_USERS),
        },
    }


def signin(request):
    """For the login page: is e-ID sign-in configured, and its button's label."""
    from django.conf import settings

    from finsam.accounts.oidc import oidc_enabled

    return {"oidc_enabled": oidc_enabled(), "oidc_label": settings.FINSAM_OIDC_LABEL}
