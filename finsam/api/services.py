"""Creating, revoking and using API tokens – every write audited."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from finsam.access.permissions import can
from finsam.audit.services import audit_change
from finsam.domain.access import Action
from finsam.domain.problems import DomainValidationError, Problem

from .models import ApiToken, RateWindow

TOKEN_PREFIX = "fsm_"  # noqa: S105 – the public prefix of every token, not a secret
ALLOWED_ACTIONS = tuple(a.value for a in Action)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _validate(*, actor, user, name, association, actions) -> list[Problem]:
    problems = []
    if not (name or "").strip():
        problems.append(Problem("name", "required", "Ange ett namn på API-nyckeln."))
    elif len(name) > 100:
        problems.append(Problem("name", "max_length", "Namnet får vara högst 100 tecken."))
    unknown = [a for a in actions or [] if a not in ALLOWED_ACTIONS]
    if unknown:
        problems.append(
            Problem("actions", "choice", f"Okänd åtgärd: {', '.join(unknown)}.", unknown)
        )
    if actor is not None and not can(actor, Action.MANAGE_USERS, association=association):
        problems.append(
            Problem(
                "association",
                "permission",
                "Du får bara skapa API-nycklar för förbund du administrerar.",
            )
        )
    if actor is not None and association is None and not can(actor, Action.ADMIN_SITE):
        problems.append(Problem("association", "required", "Välj det förbund API-nyckeln gäller."))
    if user is None or not user.is_active:
        problems.append(Problem("user", "required", "Välj en aktiv användare."))
    return problems


@transaction.atomic
def token_create(
    *, actor, user, name: str, association=None, actions: list[str] | None = None
) -> tuple[ApiToken, str]:
    """Create a token; returns the row and the full secret (shown once, never stored)."""
    problems = _validate(
        actor=actor, user=user, name=name, association=association, actions=actions
    )
    if problems:
        raise DomainValidationError(problems)
    for _ in range(5):
        prefix = secrets.token_hex(4)
        secret = secrets.token_urlsafe(32)
        try:
            with transaction.atomic():
                token = ApiToken.objects.create(
                    name=name.strip(),
                    user=user,
                    association=association,
                    actions=sorted(set(actions or [])),
                    prefix=prefix,
                    secret_hash=_hash(secret),
                    created_by=actor if getattr(actor, "pk", None) else None,
                )
            break
        except IntegrityError:  # a prefix collision: draw again
            continue
    else:  # pragma: no cover
        raise RuntimeError("could not draw a unique token prefix")
    audit_change(
        actor=actor,
        action="api_token_create",
        obj=token,
        association_id=getattr(association, "pk", None),
        summary=f"API-nyckel {token.name} ({prefix}) för {user.username}",
    )
    return token, f"{TOKEN_PREFIX}{prefix}_{secret}"


@transaction.atomic
def token_revoke(*, actor, token: ApiToken) -> ApiToken:
    if not can(actor, Action.MANAGE_USERS, association=token.association_id) or (
        token.association_id is None and not can(actor, Action.ADMIN_SITE)
    ):
        raise DomainValidationError(
            [Problem("token", "permission", "Du får inte återkalla denna API-nyckel.")]
        )
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_change(
            actor=actor,
            action="api_token_revoke",
            obj=token,
            association_id=token.association_id,
            summary=f"API-nyckel {token.name} ({token.prefix}) återkallad",
        )
    return token


def token_authenticate(raw: str) -> ApiToken | None:
    """The active token with this secret, or ``None`` (constant-time comparison)."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    try:
        prefix, secret = raw[len(TOKEN_PREFIX) :].split("_", 1)
    except ValueError:
        return None
    token = (
        ApiToken.objects.select_related("user", "association")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    if token is None or not secrets.compare_digest(token.secret_hash, _hash(secret)):
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def rate_limit_hit(token: ApiToken) -> int | None:
    """Count one request in the token's fixed window; the seconds to wait when over the limit."""
    limit = int(getattr(settings, "FINSAM_API_RATE_LIMIT", 600))
    window = int(getattr(settings, "FINSAM_API_RATE_WINDOW", 60))
    now = timezone.now()
    epoch = int(now.timestamp())
    start_ts = epoch - epoch % window
    start = now.fromtimestamp(start_ts, tz=now.tzinfo)
    with transaction.atomic():
        row, _ = RateWindow.objects.get_or_create(token=token, window_start=start)
        RateWindow.objects.filter(pk=row.pk).update(count=F("count") + 1)
        count = RateWindow.objects.values_list("count", flat=True).get(pk=row.pk)
    if count > limit:
        return max(1, start_ts + window - epoch)
    RateWindow.objects.filter(token=token, window_start__lt=start).delete()
    return None
