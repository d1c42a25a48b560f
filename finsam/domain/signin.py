"""Sign-in rules: who needs strong authentication, when a session ends, when to ask again.

Pure functions of plain values (times in seconds since the epoch) so the Django layer
(``finsam/accounts/sessions.py``, ``strong_auth.py``) only reads the clock and the session.
"""

from __future__ import annotations

from collections.abc import Iterable

from finsam.domain.access import GRANTS, Action, Role, gettext_noop

IDENTITY_ROLES: frozenset[Role] = frozenset(
    g.role for g in GRANTS if g.action is Action.VIEW_IDENTITY
)
"""Roles that may see identity numbers and names (``domain.md`` §5): they need strong sign-in
when ``FINSAM_REQUIRE_STRONG_AUTH`` is on."""

IDLE = "idle"
ABSOLUTE = "absolute"

EXPIRY_MESSAGES = {
    IDLE: gettext_noop(
        "Du har loggats ut eftersom du inte har använt Finsam på %(minutes)s minuter. "
        "Logga in igen."
    ),
    ABSOLUTE: gettext_noop(
        "Du har loggats ut eftersom inloggningen är äldre än %(hours)s timmar. Logga in igen."
    ),
}


def needs_strong_auth(roles: Iterable[Role | str], *, required: bool) -> bool:
    """Must a user holding ``roles`` sign in with e-ID or a second factor?"""
    return required and any(Role(r) in IDENTITY_ROLES for r in roles)


def session_expiry(
    *,
    now: float,
    login_at: float | None,
    seen_at: float | None,
    idle_seconds: float,
    max_seconds: float,
) -> str | None:
    """``IDLE`` or ``ABSOLUTE`` when the session has ended, else ``None``.

    A missing time (a session from before these rules) counts as *now*: it is not ended, and
    the caller starts the clocks."""
    if login_at is not None and max_seconds > 0 and now - login_at > max_seconds:
        return ABSOLUTE
    if seen_at is not None and idle_seconds > 0 and now - seen_at > idle_seconds:
        return IDLE
    return None


def step_up_needed(*, now: float, authenticated_at: float | None, limit_seconds: float) -> bool:
    """Must the user authenticate again before a sensitive action (revealing identity)?

    ``authenticated_at`` is the last sign-in that counts (e-ID or MFA code when strong sign-in
    is required). A limit of 0 or less asks every time."""
    if authenticated_at is None:
        return True
    return limit_seconds <= 0 or now - authenticated_at > limit_seconds
