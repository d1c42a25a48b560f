"""The controller's audit over registry rows: which audit rows a user may see, the interventions
to filter by, the rows that concern an intervention or a participant, and the search for a
participant by identity number (itself audited, without the number). Here and not in
``finsam.audit`` because it needs the roles (``access``) and the registry's tables; the audit app
below only stores and filters rows (``audit/selectors.py``)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q, QuerySet

from finsam.access.models import InterventionAssignment
from finsam.access.permissions import (
    association_filter,
    intervention_filter,
    principal_for,
    require,
)
from finsam.audit.models import AuditLog, LogType
from finsam.audit.selectors import AuditFilter, about_objects, filtered
from finsam.audit.services import audit_record
from finsam.domain.access import Action, Role
from finsam.domain.identity import parse_personal_number
from finsam.registry.models import Episode, FollowUp, Intervention, Participant, VolumeCount
from finsam.registry.services import pseudonym_for


def visible_audit(user) -> QuerySet:
    """The system administrator sees every row; the association administrator the rows of their
    own association(s)."""
    require(user, Action.VIEW_AUDIT)
    return AuditLog.objects.filter(
        association_filter(user, Action.VIEW_AUDIT, prefix="association_")
    )


def interventions_for_filter(user):
    return (
        Intervention.objects.filter(intervention_filter(user, Action.VIEW_INTERVENTION))
        .filter(association_filter(user, Action.VIEW_AUDIT, prefix="association__"))
        .select_related("association")
        .order_by("association__name", "code")
    )


def _ids(qs) -> list:
    return list(qs.values_list("pk", flat=True))


def objects_of_intervention(intervention_id: int) -> Q:
    episodes = Episode.objects.filter(intervention_id=intervention_id)
    return about_objects(
        {
            "registry.Intervention": intervention_id,
            "registry.Episode": _ids(episodes),
            "registry.FollowUp": _ids(FollowUp.objects.filter(episode__in=episodes)),
            "registry.VolumeCount": _ids(
                VolumeCount.objects.filter(intervention_id=intervention_id)
            ),
            "access.InterventionAssignment": _ids(
                InterventionAssignment.objects.filter(intervention_id=intervention_id)
            ),
        }
    )


def objects_of_participant(participant_id: int) -> Q:
    episodes = Episode.objects.filter(participant_id=participant_id)
    return about_objects(
        {
            "registry.Participant": participant_id,
            "registry.Episode": _ids(episodes),
            "registry.FollowUp": _ids(FollowUp.objects.filter(episode__in=episodes)),
        }
    )


def audit_rows(qs: QuerySet, f: AuditFilter, *, nobody: bool = False) -> QuerySet:
    """The rows of ``qs`` (see :func:`visible_audit`) that pass the filter, newest first; none
    when ``nobody`` (a participant was searched for and not found)."""
    if nobody:
        return qs.none()
    about = None
    if f.intervention_id:
        about = objects_of_intervention(f.intervention_id)
    if f.participant_id:
        person = objects_of_participant(f.participant_id)
        about = person if about is None else about & person
    return filtered(qs, f, about=about)


@transaction.atomic
def participant_search(*, actor, personal_number: str) -> int | None:
    """The id of the participant with this identity number, or ``None``. Raises
    ``DomainValidationError`` for an invalid number (field ``personnummer``)."""
    require(actor, Action.VIEW_AUDIT)
    number = parse_personal_number(personal_number, field="personnummer")
    participant = Participant.objects.filter(pseudonym=pseudonym_for(number)).first()
    own = [a for a in principal_for(actor).roles.get(Role.ASSOCIATION_ADMIN, set()) if a]
    audit_record(
        actor=actor,
        log_type=LogType.ACCESS,
        action="participant_search",
        object_type="registry.Participant" if participant else "",
        object_id=participant.pk if participant else "",
        association_id=own[0] if len(own) == 1 else None,
        summary="Sökning på personnummer i granskningsloggen"
        + (" (träff)" if participant else " (ingen träff)"),
    )
    return participant.pk if participant else None
