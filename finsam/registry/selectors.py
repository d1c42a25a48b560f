"""Reads that span relations. Every selector that lists things takes the user and filters by
what the user may see (``finsam.access.permissions``)."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from finsam.access.permissions import association_filter, intervention_filter
from finsam.domain.access import Action
from finsam.domain.registration import member_completeness_problems
from finsam.registry.models import (
    Association,
    AssociationMunicipality,
    BoardMember,
    Episode,
    Intervention,
)


def association_list(*, user) -> QuerySet[Association]:
    return (
        Association.objects.filter(association_filter(user, Action.VIEW_ASSOCIATION))
        .annotate(n_interventions=Count("interventions", distinct=True))
        .order_by("name")
    )


def association_area(association: Association, on: date | None = None):
    on = on or timezone.localdate()
    return (
        AssociationMunicipality.objects.filter(association=association, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .select_related("municipality__county", "district")
    )


def board_gaps(association: Association, on: date | None = None) -> list[str]:
    """Members without at least one board member and one deputy on ``on`` (the law's rule)."""
    on = on or timezone.localdate()
    held: dict[int, set[str]] = {}
    for member_id, role in (
        BoardMember.objects.filter(association=association, period_start__lte=on)
        .filter(Q(period_end__isnull=True) | Q(period_end__gte=on))
        .values_list("member_id", "role")
    ):
        held.setdefault(member_id, set()).add(role)
    gaps = []
    for member in association.members.all():
        roles = held.get(member.pk, set())
        missing = [label for value, label in BoardMember.Role.choices if value not in roles]
        if missing:
            gaps.append(f"{member.name} saknar {' och '.join(m.lower() for m in missing)}")
    return gaps


def association_overview(association: Association) -> dict:
    members = list(association.members.all())
    return {
        "members": members,
        "member_problems": member_completeness_problems(m.kind for m in members),
        "board": association.board.select_related("member").order_by("member__kind", "role"),
        "board_gaps": board_gaps(association),
        "area": association_area(association),
        "area_history": association.area.select_related("municipality").order_by("-valid_from"),
        "questions": association.extra_questions.all(),
    }


def intervention_list(*, user, association: Association | None = None) -> QuerySet[Intervention]:
    qs = Intervention.objects.filter(intervention_filter(user, Action.VIEW_INTERVENTION))
    if association is not None:
        qs = qs.filter(association=association)
    return (
        qs.select_related("association")
        .annotate(
            n_episodes=Count("episodes", filter=~Q(episodes__exit_reason="FEL"), distinct=True),
            n_open=Count(
                "episodes",
                filter=Q(episodes__end_date__isnull=True) & ~Q(episodes__exit_reason="FEL"),
                distinct=True,
            ),
        )
        .order_by("association__name", "name")
    )


def episode_list(*, intervention: Intervention, status: str = "") -> QuerySet[Episode]:
    qs = Episode.objects.filter(intervention=intervention).select_related(
        "participant", "home_municipality"
    )
    if status == "open":
        qs = qs.filter(end_date__isnull=True).exclude(exit_reason="FEL")
    elif status == "closed":
        qs = qs.filter(end_date__isnull=False).exclude(exit_reason="FEL")
    elif status == "error":
        qs = qs.filter(exit_reason="FEL")
    return qs.order_by("-start_date", "-id")
