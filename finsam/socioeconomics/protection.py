"""Small-cell protection for the socio-economic and needs pages: the shared rule of
``finsam.domain.protection`` with the installation's threshold."""

from __future__ import annotations

from django.conf import settings

from finsam.domain import protection


def rule() -> protection.ProtectionRule:
    return protection.ProtectionRule.for_threshold(settings.FINSAM_PROTECTION_THRESHOLD)


def protect_count(count: int | None, *, protected: bool):
    """The count as shown to a user (``protected`` = may not see the persons)."""
    return protection.protect_count(count, rule(), protected=protected)


def is_suppressed(value) -> bool:
    return protection.is_protected_symbol(value, rule())
