"""Finding participants: episodes by episode key or identity number, filtered by intervention,
status and period. Reads only, filtered by what the user may see. A search by identity number is
an access to identity data: it needs the identity permission and writes one audit row (the number
itself is never stored; the result shows episode keys, and identity only through the reveal)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from finsam.access.permissions import can, intervention_filter
from finsam.audit.models import LogType
from finsam.audit.services import audit_record
from finsam.domain.access import Action
from finsam.domain.identity import parse_personal_number
from finsam.domain.problems import DomainValidationError, Problem
from finsam.registry import services, worklist
from finsam.registry.models import Episode, Intervention

STATUSES: tuple[tuple[str, str], ...] = (
    ("open", "Inskrivna"),
    ("closed", "Avslutade"),
    ("error", "Felregistreringar"),
    ("all", "Alla"),
    *worklist.rules.KINDS,
)
STATUS_VALUES = {s for s, _ in STATUSES}
_NUMBER_LIKE = re.compile(r"^\s*\d{6}(\d{2})?\s*[-+]?\s*\d{4}\s*$")


def looks_like_identity_number(text: str) -> bool:
    return bool(_NUMBER_LIKE.match(text or ""))


@dataclass(frozen=True, slots=True)
class Criteria:
    q: str = ""
    intervention: Intervention | None = None
    status: str = "open"
    period_from: date | None = None
    period_to: date | None = None


def visible_interventions(user) -> QuerySet[Intervention]:
    return (
        Intervention.objects.filter(intervention_filter(user, Action.VIEW_EPISODES))
        .filter(registration="persons")
        .select_related("association")
        .order_by("association__name", "name")
    )


def _status(qs: QuerySet[Episode], status: str, user) -> QuerySet[Episode]:
    if status == "open":
        return qs.filter(end_date__isnull=True).exclude(exit_reason="FEL")
    if status == "closed":
        return qs.filter(end_date__isnull=False).exclude(exit_reason="FEL")
    if status == "error":
        return qs.filter(exit_reason="FEL")
    if status in worklist.rules.KIND_LABELS:
        return qs.filter(pk__in=worklist.kind_queryset(user, status).values("pk"))
    return qs


def episode_search(*, user, criteria: Criteria, pseudonym: str | None = None) -> QuerySet[Episode]:
    """Episodes the user may see matching ``criteria``; ``pseudonym`` (from
    :func:`participant_find_by_identity`) narrows to one person."""
    qs = Episode.objects.filter(
        intervention_filter(user, Action.VIEW_EPISODES, prefix="intervention__")
    ).select_related("participant", "home_municipality", "intervention")
    if criteria.intervention is not None:
        qs = qs.filter(intervention=criteria.intervention)
    if pseudonym is not None:
        # Only where the user may see identity: a hit elsewhere would tell who is enrolled there.
        qs = qs.filter(participant__pseudonym=pseudonym).filter(
            intervention_filter(user, Action.VIEW_IDENTITY, prefix="intervention__")
        )
    elif criteria.q:
        qs = qs.filter(key__icontains=criteria.q.strip())
    qs = _status(qs, criteria.status, user)
    if criteria.period_to is not None:
        qs = qs.filter(start_date__lte=criteria.period_to)
    if criteria.period_from is not None:
        qs = qs.filter(Q(end_date__isnull=True) | Q(end_date__gte=criteria.period_from))
    return qs.order_by("-start_date", "-id")


def participant_find_by_identity(
    *, actor, number: str, intervention: Intervention | None = None
) -> str:
    """The pseudonym for an identity number typed into the search, after checking that the user
    may search by identity; the search is audited (one access row, without the number).

    Raises :class:`DomainValidationError` (field ``q``) for a malformed number or a user without
    the identity permission."""
    allowed = (
        can(actor, Action.VIEW_IDENTITY, intervention=intervention)
        if intervention is not None
        else can(actor, Action.VIEW_IDENTITY)
    )
    if not allowed:
        raise DomainValidationError(
            [
                Problem(
                    "q",
                    "search.identity_forbidden",
                    "Sökning på personnummer: bara deltagaransvariga får söka på identitet. "
                    "Sök på inskrivningsnyckel i stället.",
                )
            ]
        )
    person = parse_personal_number(number, today=timezone.localdate(), field="q")
    value = services.pseudonym_for(person)
    audit_record(
        actor=actor,
        log_type=LogType.ACCESS,
        action="identity_search",
        object_type="registry.Participant",
        association_id=intervention.association_id if intervention is not None else None,
        summary="sökning på personnummer"
        + (f" i {intervention.code}" if intervention is not None else ""),
        reason="hitta deltagare",
    )
    return value
