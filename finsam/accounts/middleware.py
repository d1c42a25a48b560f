from django.conf import settings
from django.shortcuts import redirect, resolve_url

OPEN_PREFIXES = (
    "/login/",
    "/static/",
    "/i18n/",
    "/healthz",
    "/admin/",
    "/tillganglighet/",
    "/api/",
)
"""``/api/`` authenticates every operation itself (bearer token or session, ``finsam.api.api``)
and answers 401 as a problem document instead of redirecting to the login page."""
PUBLIC_SURVEY_PREFIX = "/enkat/"
"""The indicator questionnaires' one-time links (``finsam.indicators.public_urls``): answered
without an account, so these – and only these – pages are open."""


class LoginRequiredMiddleware:
    """Every page needs a login except the login page (also served at ``/``) and static files."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            not request.user.is_authenticated
            and request.path != "/"
            and not request.path.startswith(OPEN_PREFIXES)
            and not request.path.startswith(PUBLIC_SURVEY_PREFIX)
        ):
            return redirect(f"{resolve_url(settings.LOGIN_URL)}?next={request.path}")
        return self.get_response(request)
