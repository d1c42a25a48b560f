"""Period sign-off and reopening, and the lock they put on registrations.

Every registry write dated in a signed period is refused through :func:`require_unlocked`
(episodes, follow-ups, volume counts – by form, import and command alike)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from finsam.audit.services import audit_change
from finsam.domain import signoff as rules
from finsam.domain.problems import DomainValidationError, Problem, raise_if_errors
from finsam.registry.models import Association, PeriodSignoff
from finsam.registry.selectors import signed_periods


def locked_problems(association_id: int, *dated: tuple[str, date | None]) -> list[Problem]:
    """The lock problems for the dates of one registration (``(field, date)`` pairs; a date
    already reported is not reported twice)."""
    return locked_problems_in(signed_periods([association_id]).get(association_id, []), *dated)


def locked_problems_in(signed: list, *dated: tuple[str, date | None]) -> list[Problem]:
    """:func:`locked_problems` against the association's signed periods already looked up
    (``selectors.signed_periods``; the bulk imports look them up once per association)."""
    if not signed:
        return []
    problems: list[Problem] = []
    seen: set[date] = set()
    for field, day in dated:
        if day is None or day in seen:
            continue
        seen.add(day)
        problems += rules.check_unlocked(field, day, signed)
    return problems


def require_unlocked(association_id: int, *dated: tuple[str, date | None]) -> None:
    """Raise :class:`DomainValidationError` when any date falls in a signed period."""
    raise_if_errors(locked_problems(association_id, *dated))


@transaction.atomic
def period_sign_off(
    *,
    actor,
    association: Association,
    period: rules.SignoffPeriod,
    comment: str = "",
    today: date | None = None,
) -> PeriodSignoff:
    """Sign off ``period`` for ``association``: its registrations are locked from now on."""
    today = today or timezone.localdate()
    # Lock the association row so two simultaneous sign-offs cannot both pass the check.
    Association.objects.select_for_update().filter(pk=association.pk).first()
    signed = signed_periods([association.pk]).get(association.pk, [])
    raise_if_errors(rules.check_sign_off(period, signed=signed, today=today))
    row = PeriodSignoff.objects.create(
        association=association,
        year=period.year,
        half=period.half,
        signed_by=actor if getattr(actor, "pk", None) else None,
        comment=(comment or "").strip(),
    )
    audit_change(
        actor=actor,
        action="period_sign_off",
        obj=row,
        association_id=association.pk,
        summary=f"Period {period.label} undertecknad",
    )
    return row


@transaction.atomic
def period_reopen(*, actor, signoff: PeriodSignoff, reason: str) -> PeriodSignoff:
    """Reopen a signed period (with a reason, audited) so its registrations can be corrected."""
    raise_if_errors(rules.check_reopen(reason))
    row = PeriodSignoff.objects.select_for_update().get(pk=signoff.pk)
    if row.reopened_at is not None:
        raise DomainValidationError(
            [
                Problem(
                    "period",
                    "signoff.not_signed",
                    f"Period: {row.period.label} är redan öppnad igen.",
                    row.period.code,
                )
            ]
        )
    row.reopened_at = timezone.now()
    row.reopened_by = actor if getattr(actor, "pk", None) else None
    row.reopen_reason = reason.strip()
    row.save(update_fields=["reopened_at", "reopened_by", "reopen_reason"])
    audit_change(
        actor=actor,
        action="period_reopen",
        obj=row,
        association_id=row.association_id,
        changes={"reopened": [False, True]},
        summary=f"Period {row.period.label} öppnad igen: {row.reopen_reason}",
    )
    return row
