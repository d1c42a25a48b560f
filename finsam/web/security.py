"""Security headers Django itself does not set (CSP comes from django-csp)."""

from __future__ import annotations

from django.conf import settings


class PermissionsPolicyMiddleware:
    """``Permissions-Policy``: Finsam uses no camera, microphone, location, payment or sensor
    API, so every powerful browser feature is switched off for the site and anything it embeds
    (``settings.FINSAM_PERMISSIONS_POLICY``)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.FINSAM_PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.policy)
        return response
