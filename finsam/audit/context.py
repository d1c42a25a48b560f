"""Who is acting, for audit rows written by model signals (``finsam.audit.tracking``) and auth
signals: the request's user (set by :class:`AuditContextMiddleware`) or, in a command, nobody
("system")."""

from __future__ import annotations

import contextvars
from contextlib import contextmanager

_actor: contextvars.ContextVar = contextvars.ContextVar("finsam_audit_actor", default=None)
_client: contextvars.ContextVar = contextvars.ContextVar("finsam_audit_client", default="")
_explicit: contextvars.ContextVar = contextvars.ContextVar("finsam_audit_explicit", default=0)


def current_actor():
    user = _actor.get()
    if user is not None and getattr(user, "is_authenticated", False):
        return user
    return None


def current_client_address() -> str:
    return _client.get()


def client_address(request) -> str:
    if request is None:
        return ""
    return (request.META.get("REMOTE_ADDR") or "")[:45]


@contextmanager
def acting(user, client: str = ""):
    token_a, token_c = _actor.set(user), _client.set(client)
    try:
        yield
    finally:
        _actor.reset(token_a)
        _client.reset(token_c)


@contextmanager
def audited_by_caller():
    """Inside this block the caller (a service) writes its own audit row for the change, so the
    model signals write none (no duplicate rows)."""
    token = _explicit.set(_explicit.get() + 1)
    try:
        yield
    finally:
        _explicit.reset(token)


def audited_by_caller_active() -> bool:
    return _explicit.get() > 0


class AuditContextMiddleware:
    """Makes the signed-in user the actor of audit rows written by model signals."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting(getattr(request, "user", None), client_address(request)):
            return self.get_response(request)
