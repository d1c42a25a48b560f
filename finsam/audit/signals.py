"""Sign-in events from Django's auth signals, written to the audit."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from finsam.audit.services import audit_auth_event


def _logged_in(sender, request, user, **kwargs):
    audit_auth_event(event="login", request=request, user=user)


def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_auth_event(event="logout", request=request, user=user)


def _login_failed(sender, credentials, request=None, **kwargs):
    # ``credentials`` has the password masked by Django; only the user name is kept.
    from django.contrib.auth import get_user_model

    field = get_user_model().USERNAME_FIELD
    audit_auth_event(
        event="login_failed", request=request, username=str(credentials.get(field, ""))
    )


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="finsam-audit-login")
    user_logged_out.connect(_logged_out, dispatch_uid="finsam-audit-logout")
    user_login_failed.connect(_login_failed, dispatch_uid="finsam-audit-login-failed")
