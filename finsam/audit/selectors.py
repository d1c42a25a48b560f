"""Reading the audit log itself: the controller's filters over rows already narrowed to what a
user may see. Who may see which rows, and which rows concern an intervention or a participant,
needs the roles and the registry: that is ``finsam.registry.audit`` (above this app)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone


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


def about_objects(objects: dict[str, object]) -> Q:
    """Rows about any of these objects: ``{"registry.Episode": [ids] or a values queryset}``
    (an id list or a single id, compared as text as the log stores it)."""
    q = Q(pk__in=[])
    for object_type, ids in objects.items():
        if isinstance(ids, int | str):
            q |= Q(object_type=object_type, object_id=str(ids))
        else:
            q |= Q(object_type=object_type, object_id__in=[str(i) for i in ids])
    return q


def filtered(qs: QuerySet, f: AuditFilter, *, about: Q | None = None) -> QuerySet:
    """``qs`` narrowed by the filter's dates, user, action and log type, and by ``about`` (the
    rows of the filter's intervention or participant, see ``registry.audit``), newest first."""
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
    if about is not None:
        qs = qs.filter(about)
    return qs.order_by("-seq", "-id")
