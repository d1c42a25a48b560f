"""Writing to the audit log. Called by services inside their own transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone

from finsam.audit import chain
from finsam.audit.models import AuditLog, LogType


def _label(actor) -> str:
    if actor is None:
        return "system"
    return getattr(actor, "username", str(actor))


def association_of(obj) -> int | None:
    """The association a changed object belongs to (so its administrator sees the row)."""
    meta = getattr(obj, "_meta", None)
    if meta is None:
        return None
    if meta.label == "registry.Association":
        return obj.pk
    if obj.__dict__.get("association_id") is not None:
        return obj.__dict__["association_id"]
    for name in ("intervention", "episode"):
        try:
            meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if getattr(obj, f"{name}_id", None) is not None:
            return association_of(getattr(obj, name))
    return None


def audit_record(
    *,
    actor,
    log_type: str,
    action: str,
    obj: Any = None,
    object_type: str = "",
    object_id: str | int = "",
    association_id: int | None = None,
    summary: str = "",
    changes: dict | None = None,
    reason: str = "",
    actor_label: str = "",
) -> AuditLog:
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or obj.pk
        if association_id is None:
            association_id = association_of(obj)
    row = AuditLog(
        at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=(actor_label or _label(actor))[:150],
        log_type=log_type,
        action=action[:60],
        object_type=object_type[:60],
        object_id=str(object_id or "")[:64],
        association_id=association_id,
        summary=summary[:300],
        changes=chain.json_safe(changes),
        reason=reason[:300],
    )
    chain.append(row)
    return row


def audit_change(*, actor, action: str, obj, association_id=None, changes=None, summary=""):
    return audit_record(
        actor=actor,
        log_type=LogType.CHANGE,
        action=action,
        obj=obj,
        association_id=association_id,
        changes=changes,
        summary=summary,
    )


def audit_identity_read(
    *, actor, obj, association_id=None, reason="", summary="", object_type="", object_id=""
):
    return audit_record(
        actor=actor,
        log_type=LogType.ACCESS,
        action="identity_read",
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        association_id=association_id,
        reason=reason,
        summary=summary,
    )


def diff(before: dict, after: dict) -> dict:
    """``{field: [old, new]}`` for the fields that changed (values made JSON-safe)."""
    out = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            out[key] = [_safe(old), _safe(new)]
    return out


def _safe(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_safe(v) for v in value]
    return str(value)


AUTH_EVENTS = {
    "login": "Inloggning",
    "logout": "Utloggning",
    "login_failed": "Misslyckad inloggning",
    "lockout": "Kontot spärrat efter för många försök",
    "unlock": "Spärr hävd",
    "mfa_failed": "Misslyckad tvåstegsverifiering",
    "session_expired": "Sessionen löpte ut",
}
"""Sign-in events and their Swedish names (``action`` is ``auth_<event>``)."""


def audit_auth_event(
    *,
    event: str,
    request=None,
    user=None,
    username: str = "",
    client_address: str | None = None,
    detail: str = "",
) -> AuditLog:
    """One audit row for a sign-in event (``event`` is a key of :data:`AUTH_EVENTS`).

    ``username`` is the name that was tried (for failed logins and lockouts, when there is no
    user); the client address is taken from ``request`` unless given. A password is never passed
    here and never stored.
    """
    from finsam.audit.context import client_address as _client_address

    if event not in AUTH_EVENTS:
        raise ValueError(f"unknown auth event {event!r}")
    if user is not None and not getattr(user, "pk", None):
        user = None
    attempted = (username or getattr(user, "username", "") or "")[:150]
    address = client_address if client_address is not None else _client_address(request)
    changes = {"username": attempted, "client_address": address}
    if detail:
        changes["detail"] = detail[:200]
    return audit_record(
        actor=user,
        actor_label=attempted or "okänd",
        log_type=LogType.AUTH,
        action=f"auth_{event}",
        object_type="accounts.User" if user is not None else "",
        object_id=getattr(user, "pk", "") or "",
        summary=f"{AUTH_EVENTS[event]}: {attempted or 'okänt användarnamn'}"
        + (f" från {address}" if address else ""),
        changes=changes,
    )
