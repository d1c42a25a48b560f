"""Shared option handling of the interchange commands."""

from __future__ import annotations

from django.core.management.base import CommandError

from finsam.registry.models import Association


def resolve_user(username: str | None):
    if not username:
        return None
    from finsam.accounts.models import User

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"Användaren ”{username}” finns inte eller är inte aktiv.")
    return user


def resolve_association(code: str | None) -> Association | None:
    if not code:
        return None
    association = Association.objects.filter(code=code).first()
    if association is None:
        raise CommandError(f"Det finns inget förbund med koden ”{code}”.")
    return association
