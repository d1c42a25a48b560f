"""Finding a participant's audit rows by identity number (through the pseudonym); the search
itself is audited (without the number)."""

from __future__ import annotations

from django.db import transaction

from finsam.access.permissions import principal_for, require
from finsam.audit.models import LogType
from finsam.audit.services import audit_record
from finsam.domain.access import Action, Role
from finsam.domain.identity import parse_personal_number


@transaction.atomic
def participant_search(*, actor, personal_number: str) -> int | None:
    """The id of the participant with this identity number, or ``None``. Raises
    ``DomainValidationError`` for an invalid number (field ``personnummer``)."""
    from finsam.registry.models import Participant
    from finsam.registry.services import pseudonym_for

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
