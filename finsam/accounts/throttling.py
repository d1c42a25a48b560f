"""Throttling of failed sign-ins (django-axes): the Swedish lockout page, audit of lockouts,
the list of current lockouts and the administrator's unlock.

Failures are counted per account (username) and per client address; either reaching
``AXES_FAILURE_LIMIT`` (``FINSAM_LOGIN_FAILURE_LIMIT``) locks for ``FINSAM_LOGIN_COOLOFF_MINUTES``,
after which the lock expires by itself. During a lockout even the right password is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max, Sum
from django.dispatch import receiver
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext

from finsam.audit.models import LogType
from finsam.audit.services import audit_record


def client_ip(request) -> str:
    """``AXES_CLIENT_IP_CALLABLE``: the proxy's client-address header when configured (take
    the last, proxy-added, entry of a list), else ``REMOTE_ADDR``."""
    header = settings.FINSAM_CLIENT_IP_HEADER
    value = request.META.get(header, "") if header else ""
    return value.split(",")[-1].strip() or request.META.get("REMOTE_ADDR", "")


def cooloff_minutes() -> int:
    cool_off = get_cool_off()
    return int(cool_off.total_seconds() // 60) if cool_off else 0


def lockout_message() -> str:
    return gettext(
        "För många misslyckade inloggningsförsök. Inloggningen är spärrad i %(minutes)s minuter "
        "för kontot eller för adressen du loggar in från – även med rätt lösenord. Försök igen "
        "senare eller be en administratör låsa upp kontot."
    ) % {"minutes": cooloff_minutes()}


def lockout_response(request, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: the login page with the Swedish lockout message (HTTP 429)."""
    return render(
        request,
        "web/login.html",
        {"lockout_message": lockout_message(), "next": request.POST.get("next", "/")},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


@receiver(user_locked_out, dispatch_uid="finsam_audit_lockout")
def _audit_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    """One audit row when the lock starts and one for every attempt refused during it."""
    user = get_user_model().objects.filter(username=username).first() if username else None
    audit_record(
        actor=user,
        log_type=LogType.AUTH,
        action="login_locked_out",
        object_type="accounts.User" if user else "",
        object_id=getattr(user, "pk", "") or "",
        summary=f"Inloggning spärrad efter för många misslyckade försök: "
        f"konto {username or '–'}, adress {ip_address or '–'}",
    )


@dataclass(frozen=True)
class Lockout:
    kind: str
    """``username`` or ``ip_address``."""
    value: str
    failures: int
    last_attempt: datetime
    expires: datetime | None


def current_lockouts(*, usernames=None) -> list[Lockout]:
    """Accounts and client addresses locked now; ``usernames`` limits to those accounts (and
    then leaves client addresses out, which only the system administrator unlocks)."""
    limit = get_failure_limit(None, None)
    cool_off = get_cool_off()
    now = timezone.now()
    attempts = AccessAttempt.objects.all()
    if cool_off:
        attempts = attempts.filter(attempt_time__gte=now - cool_off)
    kinds = ["username"] if usernames is not None else ["username", "ip_address"]
    out = []
    for kind in kinds:
        rows = attempts.exclude(**{f"{kind}__isnull": True})
        if kind == "username" and usernames is not None:
            rows = rows.filter(username__in=list(usernames))
        for row in (
            rows.values(kind)
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=limit)
            .order_by(kind)
        ):
            out.append(
                Lockout(
                    kind=kind,
                    value=row[kind],
                    failures=row["failures"],
                    last_attempt=row["last"],
                    expires=row["last"] + cool_off if cool_off else None,
                )
            )
    return out


@transaction.atomic
def lockout_release(*, actor, username: str = "", ip_address: str = "") -> int:
    """Unlock an account or a client address now (audited); returns the attempts removed."""
    from axes.utils import reset

    if bool(username) == bool(ip_address):
        raise ValueError("exactly one of username and ip_address")
    removed = reset(username=username) if username else reset(ip=ip_address)
    user = get_user_model().objects.filter(username=username).first() if username else None
    audit_record(
        actor=actor,
        log_type=LogType.AUTH,
        action="login_unlocked",
        object_type="accounts.User" if user else "",
        object_id=getattr(user, "pk", "") or "",
        summary="Inloggningsspärr hävd för "
        + (f"kontot {username}" if username else f"adressen {ip_address}"),
    )
    return removed
