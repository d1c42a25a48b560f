"""Reading the audit: what a user may see, and the controller's filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from finsam.access.permissions import association_filter, intervention_filter, require
from finsam.audit.models import AuditLog
from finsam.domain.access import Action


def visible_audit(user) -> QuerySet:
    """The system administrator sees every row; the association administrator the rows of their
    own association(s)."""
    require(user, Action.VIEW_AUDIT)
    return AuditLog.objects.filter(
        association_filter(user, Action.VIEW_AUDIT, prefix="association_")
    )


def interventions_for_filter(user):
    from finsam.registry.models import Intervention

    return (
        Intervention.objects.filter(intervention_filter(user, Action.VIEW_INTERVENTION))
        .filter(association_filter(user, Action.VIEW_AUDIT, prefix="association__"))
        .select_related("association")
        .order_by("association__name", "code")
    )


@dataclass
class AuditFilter:
    date_from: date | None = None
    date_to: date | None = None
    user: str = ""
    action: str = ""
    log_type: str = ""
    intervention_id: int | None = None
    participant_id: int | None = None


def _local_start(d: date) -> datetime:
    return timezone.make_aware(datetime.combine(d, time.min))


def _objects_of_intervention(intervention_id: int) -> Q:
    from finsam.access.models import InterventionAssignment
    from finsam.registry.models import Episode, FollowUp, VolumeCount

    def ids(qs):
        return [str(i) for i in qs.values_list("pk", flat=True)]

    episodes = Episode.objects.filter(intervention_id=intervention_id)
    return (
        Q(object_type="registry.Intervention", object_id=str(intervention_id))
        | Q(object_type="registry.Episode", object_id__in=ids(episodes))
        | Q(
            object_type="registry.FollowUp",
            object_id__in=ids(FollowUp.objects.filter(episode__in=episodes)),
        )
        | Q(
            object_type="registry.VolumeCount",
            object_id__in=ids(VolumeCount.objects.filter(intervention_id=intervention_id)),
        )
        | Q(
            object_type="access.InterventionAssignment",
            object_id__in=ids(
                InterventionAssignment.objects.filter(intervention_id=intervention_id)
            ),
        )
    )


def _objects_of_participant(participant_id: int) -> Q:
    from finsam.registry.models import Episode, FollowUp

    episodes = Episode.objects.filter(participant_id=participant_id)
    return (
        Q(object_type="registry.Participant", object_id=str(participant_id))
        | Q(
            object_type="registry.Episode",
            object_id__in=[str(i) for i in episodes.values_list("pk", flat=True)],
        )
        | Q(
            object_type="registry.FollowUp",
            object_id__in=[
                str(i)
                for i in FollowUp.objects.filter(episode__in=episodes).values_list("pk", flat=True)
            ],
        )
    )


def filtered(qs: QuerySet, f: AuditFilter) -> QuerySet:
    if f.date_from:
        qs = qs.filter(at__gte=_local_start(f.date_from))
    if f.date_to:
        qs = qs.filter(at__lt=_local_start(f.date_to + timedelta(days=1)))
    if f.user:
        qs = qs.filter(actor_label__icontains=f.user)
    if f.action:
        qs = qs.filter(action=f.action)
    if f.log_type:
        qs = qs.filter(log_type=f.log_type)
    if f.intervention_id:
        qs = qs.filter(_objects_of_intervention(f.intervention_id))
    if f.participant_id:
        qs = qs.filter(_objects_of_participant(f.participant_id))
    return qs.order_by("-seq", "-id")
