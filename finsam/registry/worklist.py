"""The participant handler's worklist: reads only (selectors), filtered to the interventions the
user may register in. The rules (windows, limits) are pure, in ``finsam.domain.worklist``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from finsam.access.permissions import intervention_filter
from finsam.domain import worklist as rules
from finsam.domain.access import Action
from finsam.registry.models import Consent, Episode, FollowUp, Intervention

SHOWN_PER_KIND = 25
"""Entries shown per kind on the start page; the rest are behind the filtered episode list."""


@dataclass(frozen=True, slots=True)
class WorkItem:
    kind: str
    episode_id: int
    key: str
    intervention_id: int
    intervention: str
    detail: str
    due: date | None
    url: str
    action: str


@dataclass
class Worklist:
    items: dict[str, list[WorkItem]] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    per_intervention: list[dict] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.totals.values())

    def sections(self):
        for kind, label in rules.KINDS:
            yield {
                "kind": kind,
                "label": label,
                "items": self.items.get(kind, []),
                "total": self.totals.get(kind, 0),
            }


def handler_interventions(user) -> QuerySet[Intervention]:
    return Intervention.objects.filter(intervention_filter(user, Action.EDIT_EPISODES)).order_by(
        "association__name", "name"
    )


def _episodes(user) -> QuerySet[Episode]:
    return Episode.objects.filter(
        intervention_filter(user, Action.EDIT_EPISODES, prefix="intervention__")
    ).exclude(exit_reason="FEL")


def followups_due(user, *, today: date, months: int) -> QuerySet[Episode]:
    first, last = rules.followup_exit_range(months, today)
    recorded = FollowUp.objects.filter(episode=OuterRef("pk"), months_after=months)
    return (
        _episodes(user)
        .filter(end_date__gte=first, end_date__lte=last)
        .exclude(Exists(recorded))
        .order_by("end_date", "id")
    )


def overdue(user, *, today: date, overdue_months: int = rules.DEFAULT_OVERDUE_MONTHS):
    return (
        _episodes(user)
        .filter(end_date__isnull=True, start_date__lt=rules.overdue_before(today, overdue_months))
        .order_by("start_date", "id")
    )


def missing_exit_data(user) -> QuerySet[Episode]:
    """Exits without a required value: exit reason, support after (may be "missing", but must be
    given) or occupation after."""
    return (
        _episodes(user)
        .filter(end_date__isnull=False)
        .filter(Q(exit_reason="") | Q(support_after=0) | Q(occupation_after=""))
        .order_by("end_date", "id")
    )


def consent_withdrawn(user) -> QuerySet[Episode]:
    """Open identified episodes whose participant withdrew consent and gave no newer one."""
    withdrawn = Consent.objects.filter(
        participant=OuterRef("participant"), withdrawn_date__isnull=False
    )
    valid = Consent.objects.filter(participant=OuterRef("participant"), withdrawn_date__isnull=True)
    ever_withdrawn = Consent.objects.filter(withdrawn_date__isnull=False).values("participant_id")
    return (
        _episodes(user)
        # Implied by Exists(withdrawn); lets the database start from the few withdrawn consents
        # (index ``consent_withdrawn``) instead of every open episode.
        .filter(participant_id__in=ever_withdrawn)
        .filter(end_date__isnull=True, participant__identity_level="identified")
        .filter(Exists(withdrawn))
        .exclude(Exists(valid))
        .order_by("start_date", "id")
    )


def kind_queryset(user, kind: str, *, today: date | None = None) -> QuerySet[Episode]:
    """The episodes behind one worklist kind (for the filtered episode list)."""
    today = today or timezone.localdate()
    if kind == "followup":
        qs = Episode.objects.none()
        for m in rules.FOLLOWUP_MONTHS:
            qs = qs | followups_due(user, today=today, months=m)
        return qs.order_by("end_date", "id")
    if kind == "overdue":
        return overdue(user, today=today)
    if kind == "missing_exit":
        return missing_exit_data(user)
    if kind == "withdrawn":
        return consent_withdrawn(user)
    raise ValueError(kind)


def _item(kind: str, e: Episode, *, detail: str, due, url: str, action: str) -> WorkItem:
    return WorkItem(
        kind,
        e.pk,
        e.key,
        e.intervention_id,
        e.intervention.name,
        detail,
        due,
        url,
        action,
    )


def worklist(user, *, today: date | None = None, limit: int = SHOWN_PER_KIND) -> Worklist:
    today = today or timezone.localdate()
    out = Worklist()
    per: dict[int, Counter] = {}

    def count(qs, kind) -> int:
        """Count ``qs`` per intervention in the database (one grouped query; the episodes
        themselves are not fetched) and return the total."""
        grouped = qs.order_by().values("intervention_id").annotate(n=Count("*"))
        total = 0
        for intervention_id, n in grouped.values_list("intervention_id", "n"):
            per.setdefault(intervention_id, Counter())[kind] += n
            total += n
        return total

    followups: list[WorkItem] = []
    total = 0
    for m in rules.FOLLOWUP_MONTHS:
        qs = followups_due(user, today=today, months=m)
        total += count(qs, "followup")
        for e in qs.select_related("intervention")[:limit]:
            due = rules.followup_due(e.end_date, m)
            followups.append(
                _item(
                    "followup",
                    e,
                    detail=f"{m} månader efter avslut {e.end_date:%Y-%m-%d}",
                    due=due,
                    url=reverse("followup_record", args=[e.pk]) + f"?months_after={m}",
                    action="Registrera uppföljning",
                )
            )
    out.items["followup"] = sorted(followups, key=lambda i: (i.due, i.episode_id))[:limit]
    out.totals["followup"] = total

    qs = overdue(user, today=today)
    out.totals["overdue"] = count(qs, "overdue")
    out.items["overdue"] = [
        _item(
            "overdue",
            e,
            detail=f"inskriven sedan {e.start_date:%Y-%m-%d}, maxtiden "
            f"({rules.DEFAULT_OVERDUE_MONTHS} månader) passerad "
            f"{rules.add_months(e.start_date, rules.DEFAULT_OVERDUE_MONTHS):%Y-%m-%d}",
            due=None,
            url=reverse("episode_exit", args=[e.pk]),
            action="Registrera avslut",
        )
        for e in qs.select_related("intervention")[:limit]
    ]

    qs = missing_exit_data(user)
    out.totals["missing_exit"] = count(qs, "missing_exit")
    out.items["missing_exit"] = [
        _item(
            "missing_exit",
            e,
            detail=_missing_detail(e),
            due=None,
            url=reverse("episode_exit", args=[e.pk]),
            action="Komplettera avslutet",
        )
        for e in qs.select_related("intervention")[:limit]
    ]

    qs = consent_withdrawn(user)
    out.totals["withdrawn"] = count(qs, "withdrawn")
    out.items["withdrawn"] = [
        _item(
            "withdrawn",
            e,
            detail="identifierad inskrivning utan giltigt samtycke",
            due=None,
            url=reverse("episode_detail", args=[e.pk]),
            action="Avsluta eller rätta",
        )
        for e in qs.select_related("intervention")[:limit]
    ]

    names = dict(handler_interventions(user).filter(pk__in=list(per)).values_list("pk", "name"))
    out.per_intervention = [
        {
            "pk": pk,
            "name": names.get(pk, ""),
            "counts": [c.get(kind, 0) for kind, _ in rules.KINDS],
            "total": sum(c.values()),
        }
        for pk, c in sorted(per.items(), key=lambda kv: names.get(kv[0], ""))
    ]
    return out


def _missing_detail(e: Episode) -> str:
    missing = []
    if not e.exit_reason:
        missing.append("avslutningsanledning")
    if not e.support_after:
        missing.append(gettext("försörjning efter"))
    if not e.occupation_after:
        missing.append(gettext("sysselsättning efter"))
    return "saknar " + ", ".join(missing)
