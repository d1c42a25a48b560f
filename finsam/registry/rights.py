"""The registered person's rights (GDPR art. 15–17): the right-of-access extract, rectification
of identity data and erasure. Every function checks the acting user's permission itself and is
audited in the same transaction.

Who: a participant handler assigned to an intervention in which the person has an episode
(``domain.md`` §5: only the handler sees identity). The extract covers the associations where the
actor is such a handler (each association is the controller of its own registrations); the
identity itself is shared by associations (linked by the pseudonym), so rectifying or erasing it
applies to every association, and erasure keeps the anonymous outcome strata everywhere.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from finsam.access.permissions import can
from finsam.audit import readable
from finsam.audit.models import AuditLog, LogType
from finsam.audit.purposes import PURPOSES, require_reason
from finsam.audit.services import audit_record
from finsam.domain.access import Action
from finsam.domain.identity import parse_personal_number
from finsam.domain.problems import DomainValidationError, Problem
from finsam.registry.models import Episode, ExtraAnswer, Participant
from finsam.ui.pdf import render_pdf

DENIED = "Du har inte behörighet att hantera den registrerades rättigheter för denna person."


def find_participant(personal_number: str, *, field: str = "personnummer") -> Participant | None:
    from finsam.registry.services import pseudonym_for

    number = parse_personal_number(personal_number, field=field)
    return Participant.objects.filter(pseudonym=pseudonym_for(number)).first()


def _episodes_in_reach(actor, participant: Participant) -> list[Episode]:
    episodes = list(
        participant.episodes.select_related(
            "intervention__association", "home_municipality", "district", "created_by"
        ).order_by("start_date", "pk")
    )
    associations = {
        e.intervention.association_id
        for e in episodes
        if can(actor, Action.VIEW_IDENTITY, intervention=e.intervention)
    }
    return [e for e in episodes if e.intervention.association_id in associations]


def may_handle_rights(actor, participant: Participant) -> bool:
    return actor is not None and any(
        can(actor, Action.VIEW_IDENTITY, intervention=e.intervention)
        for e in participant.episodes.select_related("intervention")
    )


def _authorise(actor, participant: Participant) -> list[Episode]:
    if participant.erased_at is not None and not participant.episodes.exists():
        raise PermissionDenied(DENIED)
    episodes = _episodes_in_reach(actor, participant) if actor is not None else []
    if not episodes:
        raise PermissionDenied(DENIED)
    return episodes


def _text(field, value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, datetime):
        return readable.iso_local(value)
    if isinstance(value, date):
        return value.isoformat()
    return readable._value(field, value, {})


def _fields(obj, skip=()) -> list[dict]:
    out = []
    for f in obj._meta.concrete_fields:
        if f.primary_key or f.name in skip:
            continue
        if f.is_relation:
            related = getattr(obj, f.name)
            raw = getattr(obj, f.attname)
            text = "–" if related is None else readable._describe(related)
            if f.name == "home_municipality" and related is not None:
                text = f"{related.name} ({related.code})"
        else:
            raw = getattr(obj, f.attname)
            text = _text(f.name, raw)
        value = raw.isoformat() if isinstance(raw, date | datetime) else raw
        out.append({"falt": f.name, "benamning": str(f.verbose_name), "varde": value, "text": text})
    return out


@transaction.atomic
def access_extract(*, actor, participant: Participant, reason: str = "") -> dict:
    """Everything held about the person (right of access, art. 15) as a JSON-safe dict: identity,
    every episode field, follow-ups, extra answers, consent history and every read of the
    identity (who, when, why). Audited (an identity read with the reason)."""
    from finsam.registry.services import identity_cipher

    episodes = _authorise(actor, participant)
    reason = require_reason(reason or str(PURPOSES["registrerad"]) + " – registerutdrag")
    identity = {}
    if participant.identity_encrypted:
        cipher = identity_cipher()
        number = cipher.decrypt(participant.identity_encrypted)
        identity = {
            "personnummer": f"{number[:8]}-{number[8:]}",
            "namn": cipher.decrypt(participant.name_encrypted)
            if participant.name_encrypted
            else "",
        }
    association_ids = sorted({e.intervention.association_id for e in episodes})
    audit_record(
        actor=actor,
        log_type=LogType.ACCESS,
        action="participant_extract",
        obj=participant,
        association_id=association_ids[0] if len(association_ids) == 1 else None,
        reason=reason,
        summary=f"Registerutdrag: {len(episodes)} inskrivningar",
    )
    answers: dict[int, list] = {}
    for a in ExtraAnswer.objects.filter(episode__in=episodes).select_related("question"):
        answers.setdefault(a.episode_id, []).append(
            {
                "fraga": a.question.text,
                "svar": a.value,
                "uppfoljning_manader": a.followup.months_after if a.followup_id else None,
            }
        )
    reads = AuditLog.objects.filter(
        object_type="registry.Participant", object_id=str(participant.pk), log_type=LogType.ACCESS
    ).order_by("seq")
    consents = [
        {
            "lamnat": c.given_date.isoformat(),
            "blankett": c.form_version,
            "registrerat_av": c.recorded_by.username if c.recorded_by_id else "",
            "aterkallat": c.withdrawn_date.isoformat() if c.withdrawn_date else None,
        }
        for c in participant.consents.select_related("recorded_by").order_by("given_date", "pk")
    ]
    return {
        "utdrag": {
            "skapat": readable.iso_local(timezone.now()),
            "skapat_av": getattr(actor, "username", ""),
            "forbund": sorted({e.intervention.association.name for e in episodes}),
            "omfattning": (
                "Uppgifter som förbunden ovan har registrerat om personen i Finsam. "
                "Personnumret lagras krypterat; i övrigt används en pseudonym."
            ),
        },
        "person": {
            **identity,
            "uppgifter": _fields(
                participant, skip=("pseudonym", "identity_encrypted", "name_encrypted")
            ),
        },
        "samtycken": consents,
        "inskrivningar": [
            {
                "forbund": e.intervention.association.name,
                "insats": f"{e.intervention.code} – {e.intervention.name}",
                "uppgifter": _fields(e, skip=("participant",)),
                "uppfoljningar": [
                    {"uppgifter": _fields(f, skip=("episode",))}
                    for f in e.followups.select_related("recorded_by").order_by("months_after")
                ],
                "kompletterande_svar": answers.get(e.pk, []),
            }
            for e in episodes
        ],
        "lasningar_av_identitet": [
            {
                "tid": readable.iso_local(r.at),
                "anvandare": r.actor_label,
                "handelse": readable.action_label(r.action),
                "skal": r.reason,
            }
            for r in reads
        ],
    }


def extract_json(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")


def extract_pdf(data: dict) -> bytes:
    return render_pdf("registry/rights_extract_pdf.html", {"data": data})


@transaction.atomic
def rectify_identity(
    *, actor, participant: Participant, reason: str, personal_number: str = "", name=None
) -> Participant:
    """Correct the identity number and/or the name (art. 16). Episode data are corrected on the
    episode's correction page (audited there). The values are never written to the audit."""
    from finsam.registry.services import identity_cipher, pseudonym_for

    _authorise(actor, participant)
    reason = require_reason(reason)
    if not participant.is_identified:
        raise DomainValidationError(
            [Problem("personal_number", "rectify.anonymous", "Personen är registrerad anonymt.")]
        )
    cipher = identity_cipher()
    changed = {}
    if personal_number.strip():
        number = parse_personal_number(personal_number, field="personal_number")
        new_pseudonym = pseudonym_for(number)
        if new_pseudonym != participant.pseudonym:
            if Participant.objects.filter(pseudonym=new_pseudonym).exists():
                raise DomainValidationError(
                    [
                        Problem(
                            "personal_number",
                            "rectify.duplicate",
                            "Personnumret är redan registrerat för en annan deltagare.",
                        )
                    ]
                )
            participant.pseudonym = new_pseudonym
            participant.identity_encrypted = cipher.encrypt(number.canonical)
            participant.sex = number.sex
            participant.birth_year = number.birth_date.year
            changed["personal_number"] = "ändrad"
    if name is not None:
        name = " ".join(name.split())[:200]
        old = cipher.decrypt(participant.name_encrypted) if participant.name_encrypted else ""
        if name != old:
            participant.name_encrypted = cipher.encrypt(name) if name else ""
            changed["name"] = "ändrad"
    if not changed:
        raise DomainValidationError(
            [Problem("personal_number", "rectify.nothing", "Inget att rätta: ange nya uppgifter.")]
        )
    participant.save()
    audit_record(
        actor=actor,
        log_type=LogType.CHANGE,
        action="participant_rectify",
        obj=participant,
        changes=changed,
        reason=reason,
        summary="Rättelse av identitetsuppgifter (art. 16)",
    )
    return participant


@transaction.atomic
def erase(*, actor, participant: Participant, reason: str) -> Participant:
    """Erase the person's identity (art. 17); episodes stay as anonymous outcome strata."""
    from finsam.registry.services import participant_erase

    _authorise(actor, participant)
    reason = require_reason(reason)
    return participant_erase(actor=actor, participant=participant, reason=reason)
