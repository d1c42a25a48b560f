"""Participants: identity reveal, consent withdrawal, erasure and the access report."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from finsam.audit.services import audit_change, audit_identity_read
from finsam.domain.problems import DomainValidationError, Problem
from finsam.registry.models import (
    Consent,
    Participant,
)
from finsam.registry.services.keys import identity_cipher


@transaction.atomic
def participant_identity_reveal(
    *, actor, participant: Participant, association_id: int | None, reason: str
) -> dict[str, str]:
    """Decrypt a participant's identity for an authorised handler; the read is audited with its
    reason (required: ``finsam.audit.purposes``)."""
    from finsam.audit.purposes import require_reason

    reason = require_reason(reason)
    if not participant.is_identified or not participant.identity_encrypted:
        return {}
    cipher = identity_cipher()
    number = cipher.decrypt(participant.identity_encrypted)
    name = cipher.decrypt(participant.name_encrypted) if participant.name_encrypted else ""
    audit_identity_read(
        actor=actor,
        obj=participant,
        association_id=association_id,
        reason=reason,
    )
    return {"personal_number": f"{number[:8]}-{number[8:]}", "name": name}


@transaction.atomic
def consent_withdraw(*, actor, participant: Participant, withdrawn_date: date) -> int:
    if withdrawn_date > timezone.localdate():
        raise DomainValidationError(
            [
                Problem(
                    "withdrawn_date", "date.future", "Återkallelsedatum får inte vara i framtiden."
                )
            ]
        )
    n = participant.consents.filter(withdrawn_date__isnull=True).update(
        withdrawn_date=withdrawn_date, withdrawn_recorded_by=actor
    )
    audit_change(
        actor=actor,
        action="consent_withdraw",
        obj=participant,
        summary=f"samtycke återkallat {withdrawn_date}",
    )
    return n


@transaction.atomic
def participant_erase(*, actor, participant: Participant, reason: str) -> Participant:
    """Erase a person's identity (right to erasure, end of retention). The episodes stay as
    anonymous outcome strata (sex, age, municipality, support, exit data)."""
    participant.pseudonym = None
    participant.identity_encrypted = ""
    participant.name_encrypted = ""
    participant.identity_level = Participant.Level.ANONYMOUS
    participant.erased_at = timezone.now()
    participant.save()
    Consent.objects.filter(participant=participant).delete()
    audit_change(actor=actor, action="participant_erase", obj=participant, summary=reason)
    return participant


def participant_access_report(
    *, actor, participant: Participant, association_id: int | None
) -> dict:
    """Everything registered about a person (right of access); the read is audited."""
    identity = participant_identity_reveal(
        actor=actor,
        participant=participant,
        association_id=association_id,
        reason="registerutdrag (rätt till tillgång)",
    )
    episodes = []
    for ep in participant.episodes.select_related("intervention__association", "home_municipality"):
        episodes.append(
            {
                "forbund": ep.intervention.association.name,
                "insats": ep.intervention.name,
                "startdatum": ep.start_date.isoformat(),
                "slutdatum": ep.end_date.isoformat() if ep.end_date else None,
                "hemkommun": ep.home_municipality.name,
                "forsorjning_fore": list(ep.support_before_codes),
                "forsorjning_efter": list(ep.support_after_codes),
                "avslutningsanledning": ep.exit_reason or None,
                "uppfoljningar": [
                    {"manader": f.months_after, "forsorjning": list(f.support_codes)}
                    for f in ep.followups.all()
                ],
            }
        )
    return {
        **identity,
        "kon": participant.sex,
        "fodelsear": participant.birth_year,
        "samtycken": [
            {
                "lamnat": c.given_date.isoformat(),
                "aterkallat": c.withdrawn_date.isoformat() if c.withdrawn_date else None,
            }
            for c in participant.consents.all()
        ],
        "inskrivningar": episodes,
    }
