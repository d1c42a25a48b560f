"""Session clocks: when the user signed in, was last seen and last authenticated strongly.

``SessionTimeoutMiddleware`` ends a session after ``FINSAM_SESSION_IDLE_MINUTES`` without a
request and ``FINSAM_SESSION_MAX_HOURS`` after sign-in (the rules are
``finsam.domain.signin.session_expiry``). The sign-in methods record themselves through
:func:`mark_authenticated`; a password sign-in (and ``Client.force_login`` in tests) does so
through Django's ``user_logged_in`` signal.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect, resolve_url
from django.utils.translation import gettext

from finsam.domain.signin import EXPIRY_MESSAGES, session_expiry

LOGIN_AT = "finsam_login_at"
SEEN_AT = "finsam_seen_at"
AUTH_AT = "finsam_auth_at"
"""Last authentication of any kind (sign-in, MFA code, password confirmation)."""
STRONG_AT = "finsam_strong_at"
"""Last strong authentication: e-ID or an MFA code."""
METHOD = "finsam_auth_method"

EID = "eid"
PASSWORD = "password"  # noqa: S105 – a method name, not a secret
PASSWORD_MFA = "password+mfa"  # noqa: S105

_SEEN_RESOLUTION = 30
"""Seconds: the last-seen time is written at most this often (one session write per request
would be wasteful); the idle timeout is therefore exact to within this."""


def mark_authenticated(request, *, method: str, strong: bool, sign_in: bool) -> None:
    """Record an authentication in the session. ``sign_in`` starts the session's absolute
    lifetime; a second factor or a confirmation later in the same session does not."""
    now = time.time()
    session = request.session
    if sign_in or LOGIN_AT not in session:
        session[LOGIN_AT] = now
    session[SEEN_AT] = now
    session[AUTH_AT] = now
    session[METHOD] = method
    if strong:
        session[STRONG_AT] = now


def is_eid_session(request) -> bool:
    return request.session.get(METHOD) == EID


def last_step_up_time(request) -> float | None:
    """The sign-in that counts for step-up: strong only when strong sign-in is required."""
    if settings.FINSAM_REQUIRE_STRONG_AUTH:
        return request.session.get(STRONG_AT)
    return request.session.get(AUTH_AT)


@receiver(user_logged_in, dispatch_uid="finsam_session_clocks")
def _on_login(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    from finsam.accounts.strong_auth import MFA_ENROLLED, user_has_mfa

    # Known from the sign-in on, so the pages themselves never ask (one query per device kind).
    request.session[MFA_ENROLLED] = user_has_mfa(user)
    if getattr(user, "backend", "") == "finsam.accounts.oidc.FinsamOIDCBackend":
        mark_authenticated(request, method=EID, strong=True, sign_in=True)
    else:
        mark_authenticated(request, method=PASSWORD, strong=False, sign_in=True)


class SessionTimeoutMiddleware:
    """Logs the user out after the idle timeout or the absolute lifetime of the session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session = request.session
            now = time.time()
            ended = session_expiry(
                now=now,
                login_at=session.get(LOGIN_AT),
                seen_at=session.get(SEEN_AT),
                idle_seconds=settings.FINSAM_SESSION_IDLE_MINUTES * 60,
                max_seconds=settings.FINSAM_SESSION_MAX_HOURS * 3600,
            )
            if ended is not None:
                logout(request)
                messages.info(
                    request,
                    gettext(EXPIRY_MESSAGES[ended])
                    % {
                        "minutes": settings.FINSAM_SESSION_IDLE_MINUTES,
                        "hours": f"{settings.FINSAM_SESSION_MAX_HOURS:g}",
                    },
                )
                return redirect(f"{resolve_url(settings.LOGIN_URL)}?next={request.path}")
            session.setdefault(LOGIN_AT, now)
            if now - session.get(SEEN_AT, 0) >= _SEEN_RESOLUTION:
                session[SEEN_AT] = now
        return self.get_response(request)
