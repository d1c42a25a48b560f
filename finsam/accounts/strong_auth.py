"""Strong sign-in: the second factor after a password, MFA for roles that see identity, step-up.

- A user with a confirmed MFA device who signed in with a password reaches no page before
  entering a code (``mfa_verify``).
- With ``FINSAM_REQUIRE_STRONG_AUTH`` a user whose roles may see identity
  (``finsam.domain.signin.IDENTITY_ROLES``) and who signed in with a password only is sent to set
  up MFA (``mfa_setup``); e-ID sign-in counts as strong.
- :func:`step_up_required` guards a sensitive action (revealing identity): when the last
  sign-in that counts is older than ``FINSAM_STEP_UP_MINUTES`` the user confirms again.
"""

from __future__ import annotations

import time
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext

from finsam.accounts.sessions import is_eid_session, last_step_up_time
from finsam.domain.signin import needs_strong_auth, step_up_needed

MFA_ENROLLED = "finsam_mfa_enrolled"
"""Session flag: the user has a confirmed MFA device (set at sign-in and by MFA setup)."""

EXEMPT_PREFIXES = (
    "/login/",
    "/logout/",
    "/konto/tvastegsverifiering/",
    "/static/",
    "/i18n/",
    "/healthz",
    "/enkat/",
)


def user_has_mfa(user) -> bool:
    from django_otp import user_has_device

    return user_has_device(user, confirmed=True)


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


class StrongAuthMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and not is_eid_session(request)
        ):
            session = request.session
            if MFA_ENROLLED not in session:
                session[MFA_ENROLLED] = user_has_mfa(user)
            if session[MFA_ENROLLED]:
                if not user.is_verified():
                    return redirect(_with_next("mfa_verify", request.get_full_path()))
            elif settings.FINSAM_REQUIRE_STRONG_AUTH:
                from finsam.access.permissions import principal_for

                if needs_strong_auth(principal_for(user).role_set, required=True):
                    messages.info(
                        request,
                        gettext(
                            "Din roll ger tillgång till personuppgifter. Logga in med "
                            "e-legitimation eller slå på tvåstegsverifiering för ditt konto "
                            "innan du fortsätter."
                        ),
                    )
                    return redirect(_with_next("mfa_setup", request.get_full_path()))
        return self.get_response(request)


def step_up_required(when=lambda request: True):
    """Decorate a view so that ``when(request)`` actions need a recent authentication."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if when(request) and step_up_needed(
                now=time.time(),
                authenticated_at=last_step_up_time(request),
                limit_seconds=settings.FINSAM_STEP_UP_MINUTES * 60,
            ):
                messages.info(
                    request,
                    gettext(
                        "Bekräfta att det är du innan personuppgifterna visas: din senaste "
                        "inloggning är äldre än %(minutes)s minuter."
                    )
                    % {"minutes": settings.FINSAM_STEP_UP_MINUTES},
                )
                return redirect(_with_next("reauthenticate", request.get_full_path()))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def is_identity_reveal(request) -> bool:
    """The episode page's "Visa personnummer och namn" button."""
    return request.method == "POST" and bool(request.POST.get("reveal"))
