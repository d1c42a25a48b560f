"""Episodes (enrolment, exit, correction, registration errors), follow-ups and volume counts."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from finsam.audit.services import audit_change, diff
from finsam.domain import codelists as cl
from finsam.domain import registration as rules
from finsam.domain.identity import (
    PersonalNumber,
    parse_personal_number,
)
from finsam.domain.problems import DomainValidationError, Problem, raise_if_errors
from finsam.domain.signoff import followup_date
from finsam.geo.models import District
from finsam.registry.models import (
    Consent,
    Episode,
    FollowUp,
    Intervention,
    Participant,
    VolumeCount,
)
from finsam.registry.selectors import (
    district_municipalities,
    episode_periods,
    intervention_facts,
    latest_withdrawals,
    municipality_codes,
)
from finsam.registry.services._shared import _snapshot
from finsam.registry.services.keys import identity_cipher, pseudonym_for
from finsam.registry.services.questions import extra_answers_save
from finsam.registry.services.signoff import locked_problems, require_unlocked


def _new_episode_key() -> str:
    return f"E-{uuid.uuid4().hex[:16]}"


def _other_periods(
    participant: Participant | None,
    intervention: Intervention,
    exclude_episode_id: int | None = None,
) -> list[tuple[date, date | None]]:
    if participant is None:
        return []
    exclude_key = None
    if exclude_episode_id:
        exclude_key = (
            Episode.objects.filter(pk=exclude_episode_id).values_list("key", flat=True).first()
        )
    periods = episode_periods([participant.pk]).get((participant.pk, intervention.pk), [])
    return [(start, end) for key, start, end in periods if key != exclude_key]


def apply_consent_withdrawal(data: rules.EnrolmentInput, withdrawn: date | None) -> None:
    """A consent given on or before a recorded withdrawal is no longer valid."""
    if withdrawn is not None and data.consent_date is not None and data.consent_date <= withdrawn:
        data.consent_withdrawn_date = withdrawn


ALREADY_REGISTERED = Problem(
    "personal_number",
    "enrolment.already_registered",
    "Personen är redan registrerad: någon annan skrev in samma person i samma stund. Ladda om "
    "sidan och kontrollera deltagarens inskrivningar innan du försöker igen.",
)


def lock_person(pseudonym: str) -> None:
    """Serialise registrations of one person until the transaction ends (PostgreSQL advisory
    lock; SQLite serialises every write transaction anyway)."""
    if connection.vendor == "postgresql":
        key = int.from_bytes(hashlib.sha256(pseudonym.encode()).digest()[:8], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


@transaction.atomic
def episode_enrol(
    *,
    actor,
    intervention: Intervention,
    data: rules.EnrolmentInput,
    name: str = "",
    consent_form_version: str = "",
    key: str | None = None,
    today: date | None = None,
    answers: dict[int, object] | None = None,
) -> tuple[Episode, list[Problem]]:
    """Enrol a participant in an intervention. Returns the episode and any warnings.

    ``answers``: the association's own enrolment questions (question id → value)."""
    today = today or timezone.localdate()
    participant: Participant | None = None
    # Resolve the person first so overlap can be checked; the number is validated inside.
    person: PersonalNumber | None = None
    if data.identity_level == rules.IDENTIFIED and not data.protected_identity:
        try:
            person = parse_personal_number(data.personal_number, today=today)
        except DomainValidationError:
            person = None  # reported by validate_enrolment below
        if person is not None:
            # one registration of a person at a time: a concurrent one waits, then sees this
            # one's participant and episode (overlap message) instead of a duplicate key
            lock_person(pseudonym_for(person))
            participant = Participant.objects.filter(pseudonym=pseudonym_for(person)).first()
    if participant is not None:
        apply_consent_withdrawal(data, latest_withdrawals([participant.pk]).get(participant.pk))
    check = rules.validate_enrolment(
        data,
        intervention=intervention_facts(intervention, data.start_date),
        known_municipalities=municipality_codes(),
        other_periods_in_intervention=_other_periods(participant, intervention),
        today=today,
        known_districts=district_municipalities() if data.district else None,
    )
    raise_if_errors(
        check.problems
        + locked_problems(intervention.association_id, ("start_date", data.start_date))
    )
    warnings = [p for p in check.problems if p.warning]
    cipher = identity_cipher()
    if check.person is not None:
        if participant is None:
            try:
                with transaction.atomic():
                    participant = Participant.objects.create(
                        identity_level=Participant.Level.IDENTIFIED,
                        pseudonym=pseudonym_for(check.person),
                        identity_encrypted=cipher.encrypt(check.person.canonical),
                        name_encrypted=cipher.encrypt(name) if name else "",
                        sex=check.sex,
                        birth_year=check.birth_year,
                    )
            except IntegrityError:  # registered at the same moment elsewhere
                raise DomainValidationError([ALREADY_REGISTERED]) from None
        elif name and not participant.name_encrypted:
            participant.name_encrypted = cipher.encrypt(name)
            participant.save(update_fields=["name_encrypted"])
        if not participant.consents.filter(
            given_date=data.consent_date, withdrawn_date__isnull=True
        ).exists():
            Consent.objects.create(
                participant=participant,
                given_date=data.consent_date,
                form_version=consent_form_version,
                recorded_by=actor,
            )
    else:
        participant = Participant.objects.create(
            identity_level=Participant.Level.ANONYMOUS,
            sex=check.sex,
            birth_year=check.birth_year,
            protected_identity=data.protected_identity,
        )
    episode = Episode.objects.create(
        key=key or _new_episode_key(),
        intervention=intervention,
        participant=participant,
        start_date=data.start_date,
        home_municipality_id=data.home_municipality,
        district_id=District.objects.get(code=data.district).pk if data.district else None,
        sex=check.sex,
        age_at_start=check.age_at_start,
        support_before=cl.support_mask(data.support_before),
        occupation_before=data.occupation_before or "",
        time_on_support=data.time_on_support or "",
        education=data.education or "",
        work_hours_before=data.work_hours_before,
        study_hours_before=data.study_hours_before,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    if answers:
        extra_answers_save(episode=episode, answers=answers)
    audit_change(
        actor=actor,
        action="episode_enrol",
        obj=episode,
        association_id=intervention.association_id,
        summary=f"{participant.get_identity_level_display()} inskrivning i {intervention.code}",
    )
    return episode, warnings


EXIT_FIELDS = [
    "end_date",
    "exit_reason",
    "support_after",
    "occupation_after",
    "work_hours",
    "study_hours",
    "work_study_increased",
]


@transaction.atomic
def episode_exit(
    *,
    actor,
    episode: Episode,
    data: rules.ExitInput,
    today: date | None = None,
    answers: dict[int, object] | None = None,
) -> Episode:
    problems = rules.validate_exit(data, start_date=episode.start_date, today=today)
    problems += locked_problems(
        episode.intervention.association_id,
        ("end_date", data.end_date),
        ("end_date", episode.end_date),
    )
    raise_if_errors(problems)
    before = _snapshot(episode, EXIT_FIELDS)
    episode.end_date = data.end_date
    episode.exit_reason = data.exit_reason
    episode.support_after = cl.support_mask(data.support_after)
    episode.occupation_after = data.occupation_after or ""
    episode.work_hours = data.work_hours
    episode.study_hours = data.study_hours
    episode.work_study_increased = rules.derive_work_study_increased(
        work_before=episode.work_hours_before,
        study_before=episode.study_hours_before,
        work_after=data.work_hours,
        study_after=data.study_hours,
        recorded=data.work_study_increased,
    )
    episode.save()
    if answers:
        extra_answers_save(episode=episode, answers=answers)
    audit_change(
        actor=actor,
        action="episode_exit",
        obj=episode,
        association_id=episode.intervention.association_id,
        changes=diff(before, _snapshot(episode, EXIT_FIELDS)),
    )
    return episode


ENROLMENT_FIELDS = [
    "start_date",
    "home_municipality_id",
    "support_before",
    "occupation_before",
    "time_on_support",
    "education",
    "work_hours_before",
    "study_hours_before",
]


@transaction.atomic
def episode_correct(
    *,
    actor,
    episode: Episode,
    start_date: date,
    home_municipality: str,
    support_before: list[str],
    occupation_before: str = "",
    time_on_support: str = "",
    education: str = "",
    work_hours_before: float | None = None,
    study_hours_before: float | None = None,
    reason: str = "",
    district: str = "",
    today: date | None = None,
) -> Episode:
    """Correct the enrolment data of an episode; the old values stay in the history."""
    participant = episode.participant
    data = rules.EnrolmentInput(
        identity_level=rules.ANONYMOUS,
        sex=episode.sex,
        birth_year=participant.birth_year or (start_date.year - (episode.age_at_start or 0)),
        home_municipality=home_municipality,
        start_date=start_date,
        support_before=support_before,
        occupation_before=occupation_before,
        time_on_support=time_on_support,
        education=education,
        work_hours_before=work_hours_before,
        study_hours_before=study_hours_before,
        district=district,
    )
    check = rules.validate_enrolment(
        data,
        intervention=intervention_facts(episode.intervention, start_date),
        known_municipalities=municipality_codes(),
        other_periods_in_intervention=_other_periods(
            participant if participant.is_identified else None,
            episode.intervention,
            exclude_episode_id=episode.pk,
        ),
        today=today,
        known_districts=district_municipalities() if district else None,
    )
    problems = [p for p in check.problems if p.field not in ("birth_year", "sex")]
    if episode.end_date and start_date > episode.end_date:
        problems.append(
            Problem(
                "start_date",
                "date.end_before_start",
                "Startdatum får inte vara efter inskrivningens slutdatum.",
            )
        )
    problems += locked_problems(
        episode.intervention.association_id,
        ("start_date", start_date),
        ("start_date", episode.start_date),
        ("end_date", episode.end_date),
    )
    raise_if_errors(problems)
    before = _snapshot(episode, ENROLMENT_FIELDS)
    if episode.age_at_start is not None and start_date != episode.start_date:
        episode.age_at_start = max(
            0, episode.age_at_start + (start_date.year - episode.start_date.year)
        )
    episode.start_date = start_date
    episode.home_municipality_id = home_municipality
    episode.district_id = District.objects.get(code=district).pk if district else None
    episode.support_before = cl.support_mask(support_before)
    episode.occupation_before = occupation_before or ""
    episode.time_on_support = time_on_support or ""
    episode.education = education or ""
    episode.work_hours_before = work_hours_before
    episode.study_hours_before = study_hours_before
    episode.save()
    audit_change(
        actor=actor,
        action="episode_correct",
        obj=episode,
        association_id=episode.intervention.association_id,
        changes=diff(before, _snapshot(episode, ENROLMENT_FIELDS)),
        summary=reason,
    )
    return episode


@transaction.atomic
def episode_mark_error(*, actor, episode: Episode, reason: str) -> Episode:
    """Mark a registration as erroneous (exit reason FEL): excluded from every report, kept in the
    history, never deleted."""
    if not (reason or "").strip():
        raise DomainValidationError(
            [Problem("reason", "required", "Ange varför registreringen är felaktig.")]
        )
    require_unlocked(
        episode.intervention.association_id,
        ("start_date", episode.start_date),
        ("end_date", episode.end_date),
    )
    before = _snapshot(episode, EXIT_FIELDS)
    episode.exit_reason = cl.EXIT_REGISTRATION_ERROR
    episode.save(update_fields=["exit_reason", "updated_at"])
    audit_change(
        actor=actor,
        action="episode_mark_error",
        obj=episode,
        association_id=episode.intervention.association_id,
        changes=diff(before, _snapshot(episode, EXIT_FIELDS)),
        summary=reason,
    )
    return episode


@transaction.atomic
def followup_record(
    *,
    actor,
    episode: Episode,
    months_after: int,
    support: list[str],
    occupation: str = "",
    work_hours: float | None = None,
    study_hours: float | None = None,
    source: str = "handler",
) -> FollowUp:
    problems = rules.validate_followup(
        months_after=months_after,
        support=support,
        occupation=occupation,
        work_hours=work_hours,
        study_hours=study_hours,
        episode_end_date=episode.end_date,
    )
    if episode.end_date is not None and not problems:
        problems += locked_problems(
            episode.intervention.association_id,
            ("months_after", followup_date(episode.end_date, months_after)),
        )
    raise_if_errors(problems)
    existing = FollowUp.objects.filter(episode=episode, months_after=months_after).first()
    before = (
        _snapshot(existing, ["support", "occupation", "work_hours", "study_hours"])
        if existing
        else {}
    )
    followup, _ = FollowUp.objects.update_or_create(
        episode=episode,
        months_after=months_after,
        defaults={
            "support": cl.support_mask(support),
            "occupation": occupation or "",
            "work_hours": work_hours,
            "study_hours": study_hours,
            "source": source,
            "recorded_by": actor if getattr(actor, "pk", None) else None,
        },
    )
    audit_change(
        actor=actor,
        action="followup_record",
        obj=followup,
        association_id=episode.intervention.association_id,
        changes=diff(
            before, _snapshot(followup, ["support", "occupation", "work_hours", "study_hours"])
        ),
    )
    return followup


@transaction.atomic
def volume_record(
    *, actor, intervention: Intervention, month: date | None, women, men, other
) -> VolumeCount:
    problems = rules.validate_volume(
        registration=intervention.registration, month=month, women=women, men=men, other=other
    )
    if month is not None:
        problems += locked_problems(intervention.association_id, ("month", month.replace(day=1)))
    raise_if_errors(problems)
    month = month.replace(day=1)
    existing = VolumeCount.objects.filter(intervention=intervention, month=month).first()
    before = _snapshot(existing, ["women", "men", "other"]) if existing else {}
    row, _ = VolumeCount.objects.update_or_create(
        intervention=intervention,
        month=month,
        defaults={"women": women or 0, "men": men or 0, "other": other or 0},
    )
    audit_change(
        actor=actor,
        action="volume_record",
        obj=row,
        association_id=intervention.association_id,
        changes=diff(before, _snapshot(row, ["women", "men", "other"])),
    )
    return row


def enrolment_input_from(values: dict) -> rules.EnrolmentInput:
    """Build an :class:`EnrolmentInput` from cleaned form/file values (unknown keys ignored)."""
    fields = set(rules.EnrolmentInput.__dataclass_fields__)
    return rules.EnrolmentInput(**{k: v for k, v in values.items() if k in fields})


def exit_input_from(values: dict) -> rules.ExitInput:
    fields = set(rules.ExitInput.__dataclass_fields__)
    return rules.ExitInput(**{k: v for k, v in values.items() if k in fields})
