"""Reads that span relations. Every selector that lists things takes the user and filters by
what the user may see (``finsam.access.permissions``)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from finsam.access.models import RoleAssignment
from finsam.access.permissions import association_filter, intervention_filter
from finsam.accounts.models import User
from finsam.audit.models import AuditLog
from finsam.domain import codelists as cl
from finsam.domain import registration as rules
from finsam.domain.access import Action, Role
from finsam.domain.registration import member_completeness_problems
from finsam.geo.models import District, Municipality
from finsam.registry.models import (
    Association,
    AssociationMunicipality,
    BoardMember,
    Consent,
    Episode,
    ExtraQuestion,
    Intervention,
    Participant,
    PeriodSignoff,
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
    """The interventions ``user`` may see, in list order. Without episode counts: a list page
    counts only the interventions it shows (:func:`with_episode_counts`) – counting every
    intervention's episodes costs what the whole registry holds (5 s at 1 M episodes)."""
    qs = Intervention.objects.filter(intervention_filter(user, Action.VIEW_INTERVENTION))
    if association is not None:
        qs = qs.filter(association=association)
    return qs.select_related("association").order_by("association__name", "name")


def episode_counts(intervention_ids) -> dict[int, tuple[int, int]]:
    """intervention id → (episodes, open episodes), registration errors left out; one grouped
    query over these interventions' episodes only (index ``episode_intv_end_exit``)."""
    ids = set(intervention_ids)
    if not ids:
        return {}
    rows = (
        Episode.objects.filter(intervention_id__any=ids)
        .exclude(exit_reason=cl.EXIT_REGISTRATION_ERROR)
        .values("intervention_id")
        .annotate(n=Count("*"), n_open=Count("intervention", filter=Q(end_date__isnull=True)))
        .order_by()
        .values_list("intervention_id", "n", "n_open")
    )
    return {iid: (n, n_open) for iid, n, n_open in rows}


def with_episode_counts(interventions) -> list[Intervention]:
    """The given (shown) interventions as a list, each with ``n_episodes`` and ``n_open`` set
    from :func:`episode_counts`."""
    items = list(interventions)
    counts = episode_counts(i.pk for i in items)
    for i in items:
        i.n_episodes, i.n_open = counts.get(i.pk, (0, 0))
    return items


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


def episodes_visible(*, user) -> QuerySet[Episode]:
    return Episode.objects.filter(
        intervention_filter(user, Action.VIEW_EPISODES, prefix="intervention__")
    )


# --- look-ups used by the registry services and the importer (moved from services.py) ----------


@lru_cache(maxsize=1)
def _municipality_codes_cached() -> frozenset[str]:
    return frozenset(Municipality.objects.values_list("code", flat=True))


def municipality_codes() -> frozenset[str]:
    codes = _municipality_codes_cached()
    if not codes:  # e.g. a fresh test database: do not cache emptiness
        _municipality_codes_cached.cache_clear()
    return codes


def district_municipalities() -> dict[str, str]:
    """District code → municipality code (a few dozen rows)."""
    return dict(District.objects.values_list("code", "municipality_id"))


def area_on(association_id: int, on: date) -> frozenset[str]:
    return frozenset(
        AssociationMunicipality.objects.filter(association_id=association_id, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .values_list("municipality_id", flat=True)
    )


def area_periods(association_id: int) -> list[tuple[str, date, date | None]]:
    """All dated area rows of an association: (municipality code, valid from, valid to).

    For bulk callers (the importer) that need the area on many dates: see :func:`area_from`."""
    return list(
        AssociationMunicipality.objects.filter(association_id=association_id).values_list(
            "municipality_id", "valid_from", "valid_to"
        )
    )


def area_from(periods: list[tuple[str, date, date | None]], on: date) -> frozenset[str]:
    """The municipalities of ``periods`` valid on ``on`` (same rule as :func:`area_on`)."""
    return frozenset(
        code for code, start, end in periods if start <= on and (end is None or end >= on)
    )


def intervention_facts(intervention: Intervention, on: date | None) -> rules.InterventionFacts:
    return rules.InterventionFacts(
        code=intervention.code,
        name=intervention.name,
        orientation=intervention.orientation,
        registration=intervention.registration,
        start_date=intervention.start_date,
        end_date=intervention.end_date,
        area_municipalities=area_on(intervention.association_id, on) if on else frozenset(),
    )


def episode_periods(participant_ids) -> dict[tuple[int, int], list[tuple[str, date, date | None]]]:
    """(participant, intervention) → the (key, start, end) of the stored episodes that count for
    the overlap rule (registration errors do not)."""
    out: dict[tuple[int, int], list[tuple[str, date, date | None]]] = {}
    rows = (
        Episode.objects.filter(participant_id__any=set(participant_ids))
        .exclude(exit_reason=cl.EXIT_REGISTRATION_ERROR)
        .order_by()
        .values_list("participant_id", "intervention_id", "key", "start_date", "end_date")
    )
    for pid, iid, key, start, end in rows:
        out.setdefault((pid, iid), []).append((key, start, end))
    return out


def latest_withdrawals(participant_ids) -> dict[int, date]:
    """The latest recorded consent withdrawal per participant (only those with one)."""
    out: dict[int, date] = {}
    for pid, withdrawn in (
        Consent.objects.filter(
            participant_id__any=set(participant_ids), withdrawn_date__isnull=False
        )
        .order_by()
        .values_list("participant_id", "withdrawn_date")
    ):
        if pid not in out or withdrawn > out[pid]:
            out[pid] = withdrawn
    return out


def extra_questions_for(association_id: int, phase: str, on: date | None) -> list[ExtraQuestion]:
    """The association's own questions asked in ``phase``, valid on ``on``, in order."""
    qs = ExtraQuestion.objects.filter(association_id=association_id, phase=phase)
    if on is not None:
        qs = qs.filter(valid_from__lte=on).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
    return list(qs.order_by("order", "pk"))


def interventions_by_code() -> dict[str, Intervention]:
    """Every intervention with its association, by code (one query; a national registry has
    about 1 000)."""
    return Intervention.objects.select_related("association").in_bulk(field_name="code")


def episodes_by_key(keys: set[str], fields) -> dict[str, dict]:
    """The stored episodes with these keys, by key: ``fields`` and the participant's identity
    columns (what the bulk import compares a row with)."""
    return {
        e["key"]: e
        for e in Episode.objects.filter(key__any=keys)
        .order_by()
        .values(
            "id",
            "key",
            "intervention_id",
            "participant_id",
            "participant__pseudonym",
            "participant__identity_level",
            "participant__sex",
            "participant__birth_year",
            "participant__protected_identity",
            *fields,
        )
    }


def participant_ids_by_pseudonym(pseudonyms: set[str]) -> dict[str, int]:
    return dict(
        Participant.objects.filter(pseudonym__any=pseudonyms)
        .order_by()
        .values_list("pseudonym", "id")
    )


# --- pages -------------------------------------------------------------------------------------


def intervention_by_pk(pk: int) -> Intervention | None:
    return Intervention.objects.select_related("association").filter(pk=pk).first()


def episode_by_pk(pk: int) -> Episode | None:
    return (
        Episode.objects.select_related(
            "intervention__association", "participant", "home_municipality"
        )
        .filter(pk=pk)
        .first()
    )


def assignable_users(intervention: Intervention) -> QuerySet[User]:
    """The association's participant handlers and intervention managers (who may be assigned
    to one of its interventions)."""
    return User.objects.filter(
        pk__in=RoleAssignment.objects.filter(
            association=intervention.association,
            role__in=[Role.PARTICIPANT_HANDLER, Role.INTERVENTION_MANAGER],
        ).values("user_id")
    ).order_by("username")


def episode_history(episode: Episode) -> QuerySet[AuditLog]:
    """The change history of an episode (its audit rows)."""
    return AuditLog.objects.filter(object_type="registry.Episode", object_id=str(episode.pk))


def association_by_pk(pk) -> Association | None:
    return Association.objects.filter(pk=pk).first()


def associations_with_members(codes) -> QuerySet[Association]:
    """The associations with these codes, their members read in one more query."""
    return Association.objects.filter(code__in=list(codes)).prefetch_related("members")


def any_association_with_code(codes) -> bool:
    return Association.objects.filter(code__in=list(codes)).exists()


def associations_for(user, action: Action) -> QuerySet[Association]:
    """The associations on which ``user`` may do ``action``, by name."""
    return Association.objects.filter(association_filter(user, action)).order_by("name")


def association_codes_for(user, action: Action) -> set[str]:
    """The codes of the associations on which ``user`` may do ``action``."""
    return set(
        Association.objects.filter(association_filter(user, action)).values_list("code", flat=True)
    )


def interventions_of(associations) -> QuerySet[Intervention]:
    """The interventions of these associations with their association, by association and name."""
    return (
        Intervention.objects.filter(association__in=associations)
        .select_related("association")
        .order_by("association__name", "name")
    )


def signed_periods(association_ids=None) -> dict[int, list]:
    """association id → its signed (not reopened) periods (``None`` = every association)."""
    from finsam.domain.signoff import SignoffPeriod

    qs = PeriodSignoff.objects.filter(reopened_at__isnull=True)
    if association_ids is not None:
        qs = qs.filter(association_id__in=list(association_ids))
    out: dict[int, list] = {}
    for assoc_id, year, half in qs.values_list("association_id", "year", "half"):
        out.setdefault(assoc_id, []).append(SignoffPeriod(year, half))
    return out


def signoff_history(association_id: int) -> QuerySet[PeriodSignoff]:
    return (
        PeriodSignoff.objects.filter(association_id=association_id)
        .select_related("signed_by", "reopened_by")
        .order_by("-year", "half", "-signed_at")
    )


def signoff_status(*, user, years: list[int]) -> list[dict]:
    """For each association the user may see: which of ``years`` (and halves) are signed."""
    from finsam.domain.signoff import SignoffPeriod, covers

    associations = list(association_list(user=user))
    signed = signed_periods([a.pk for a in associations])
    rows = []
    for association in associations:
        periods = signed.get(association.pk, [])
        cells = []
        for year in years:
            full = SignoffPeriod(year)
            cells.append(
                {
                    "year": year,
                    "year_signed": covers(periods, full.start, full.end),
                    "h1": covers(periods, SignoffPeriod(year, 1).start, SignoffPeriod(year, 1).end),
                    "h2": covers(periods, SignoffPeriod(year, 2).start, SignoffPeriod(year, 2).end),
                }
            )
        rows.append({"association": association, "cells": cells})
    return rows
