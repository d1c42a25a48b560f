"""Every write to the registry. Each service validates with ``finsam.domain.registration``, writes,
and records the change (and any identity read) in the audit log – all in one transaction. On a
rule violation it raises :class:`DomainValidationError` and nothing is written.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from functools import lru_cache

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from finsam.audit.services import audit_change, audit_identity_read, diff
from finsam.domain import codelists as cl
from finsam.domain import registration as rules
from finsam.domain.identity import (
    IdentityCipher,
    PersonalNumber,
    parse_personal_number,
    pseudonym,
)
from finsam.domain.problems import DomainValidationError, Problem, raise_if_errors
from finsam.geo.models import District, Municipality
from finsam.registry.models import (
    Association,
    AssociationMunicipality,
    BoardMember,
    Consent,
    Episode,
    ExtraAnswer,
    ExtraQuestion,
    FollowUp,
    Intervention,
    Member,
    Participant,
    VolumeCount,
)

# --- keys --------------------------------------------------------------------------------------


def identity_cipher() -> IdentityCipher:
    return IdentityCipher(list(settings.FINSAM_ENCRYPTION_KEYS))


def pseudonym_for(person: PersonalNumber) -> str:
    return pseudonym(person, settings.FINSAM_PSEUDONYM_KEY)


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


def _snapshot(obj, fields: list[str]) -> dict:
    return {f: getattr(obj, f) for f in fields}


# --- associations ------------------------------------------------------------------------------

ASSOCIATION_FIELDS = [
    "code",
    "name",
    "org_number",
    "start_date",
    "end_date",
    "description",
    "address",
    "contact_person",
    "contact_email",
    "seat_municipality_id",
    "municipal_split",
    "majority_rules",
]


def validate_association(values: dict) -> list[Problem]:
    """The checks of :func:`association_save` except code uniqueness (shared with the importer)."""
    problems: list[Problem] = []
    if not (values.get("code") or "").strip():
        problems.append(Problem("code", "required", "Kod måste anges."))
    if not (values.get("name") or "").strip():
        problems.append(Problem("name", "required", "Namn måste anges."))
    if values.get("org_number"):
        problems += rules.validate_org_number(values["org_number"])
    if values.get("start_date") is None:
        problems.append(Problem("start_date", "required", "Startdatum måste anges."))
    else:
        problems += rules.check_date_not_before_law("start_date", values["start_date"])
        end = values.get("end_date")
        if end and end < values["start_date"]:
            problems.append(
                Problem(
                    "end_date", "date.end_before_start", "Slutdatum får inte vara före startdatum."
                )
            )
    return problems


@transaction.atomic
def association_save(*, actor, association: Association | None = None, **values) -> Association:
    """Create (``association=None``) or update an association."""
    current = _snapshot(association, ASSOCIATION_FIELDS) if association else {}
    merged = {**current, **values}
    problems = validate_association(merged)
    code_taken = Association.objects.filter(code=merged.get("code"))
    if association is not None:
        code_taken = code_taken.exclude(pk=association.pk)
    if code_taken.exists():
        problems.append(
            Problem(
                "code",
                "unique",
                f"Koden ”{merged.get('code')}” används redan av ett annat förbund.",
            )
        )
    raise_if_errors(problems)
    obj = association or Association()
    for key, value in values.items():
        setattr(obj, key, value)
    obj.save()
    audit_change(
        actor=actor,
        action="association_create" if association is None else "association_update",
        obj=obj,
        association_id=obj.pk,
        changes=diff(current, _snapshot(obj, ASSOCIATION_FIELDS)),
    )
    return obj


def validate_area(
    *, municipality_code: str, valid_from: date | None, valid_to: date | None
) -> list[Problem]:
    """The checks of one area row except the overlap with other associations."""
    problems: list[Problem] = []
    if valid_from is None:
        problems.append(Problem("valid_from", "required", "Giltig från måste anges."))
    else:
        problems += rules.check_date_not_before_law("valid_from", valid_from)
        if valid_to and valid_to < valid_from:
            problems.append(
                Problem(
                    "valid_to",
                    "date.end_before_start",
                    "Giltig till får inte vara före giltig från.",
                )
            )
    if municipality_code not in municipality_codes():
        problems.append(
            Problem(
                "municipality",
                "code.unknown",
                f"Kommun: ”{municipality_code}” är ingen giltig kommunkod.",
            )
        )
    return problems


def area_overlap(
    *,
    municipality_code: str,
    valid_from: date,
    valid_to: date | None,
    exclude_id: int | None = None,
) -> list[Problem]:
    """A municipality belongs to at most one association at a time."""
    clash = (
        AssociationMunicipality.objects.filter(municipality_id=municipality_code)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
        .select_related("association")
    )
    if valid_to:
        clash = clash.filter(valid_from__lte=valid_to)
    if exclude_id is not None:
        clash = clash.exclude(pk=exclude_id)
    clash = clash.first()
    if clash is None:
        return []
    return [
        Problem(
            "municipality",
            "area.overlap",
            f"Kommunen hör redan till {clash.association} under en överlappande period "
            f"(från {clash.valid_from}). En kommun kan bara tillhöra ett förbund åt gången.",
            municipality_code,
        )
    ]


@transaction.atomic
def area_add(
    *,
    actor,
    association: Association,
    municipality_code: str,
    valid_from: date,
    valid_to: date | None = None,
) -> AssociationMunicipality:
    raise_if_errors(
        validate_area(municipality_code=municipality_code, valid_from=valid_from, valid_to=valid_to)
    )
    raise_if_errors(
        area_overlap(municipality_code=municipality_code, valid_from=valid_from, valid_to=valid_to)
    )
    row = AssociationMunicipality.objects.create(
        association=association,
        municipality_id=municipality_code,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    audit_change(
        actor=actor,
        action="area_add",
        obj=row,
        association_id=association.pk,
        summary=f"{municipality_code} från {valid_from}",
    )
    return row


@transaction.atomic
def area_update(
    *,
    actor,
    row: AssociationMunicipality,
    valid_to: date | None,
) -> AssociationMunicipality:
    """Change the end of an area row (e.g. a municipality leaves the association)."""
    raise_if_errors(
        validate_area(
            municipality_code=row.municipality_id, valid_from=row.valid_from, valid_to=valid_to
        )
    )
    raise_if_errors(
        area_overlap(
            municipality_code=row.municipality_id,
            valid_from=row.valid_from,
            valid_to=valid_to,
            exclude_id=row.pk,
        )
    )
    before = {"valid_to": row.valid_to}
    row.valid_to = valid_to
    row.save(update_fields=["valid_to"])
    audit_change(
        actor=actor,
        action="area_update",
        obj=row,
        association_id=row.association_id,
        changes=diff(before, {"valid_to": valid_to}),
    )
    return row


def validate_member(*, kind: str, organisation_code: str, name: str) -> list[Problem]:
    """The checks of :func:`member_add` (shared with the importer)."""
    problems: list[Problem] = rules.check_code("kind", kind, cl.MEMBER_KIND)
    if kind == "MUNICIPALITY" and organisation_code not in municipality_codes():
        problems.append(
            Problem(
                "organisation_code",
                "code.unknown",
                "Organisationskod: en kommun anges med sin fyrsiffriga kommunkod.",
            )
        )
    if kind == "REGION" and not (len(organisation_code) == 2 and organisation_code.isdigit()):
        problems.append(
            Problem(
                "organisation_code",
                "code.unknown",
                "Organisationskod: en region anges med sin tvåsiffriga länskod.",
            )
        )
    if kind in ("FK", "AF") and organisation_code != kind:
        problems.append(
            Problem(
                "organisation_code",
                "code.unknown",
                f"Organisationskod: {kind} anges med koden {kind}.",
            )
        )
    if not (name or "").strip():
        problems.append(Problem("name", "required", "Namn måste anges."))
    return problems


@transaction.atomic
def member_add(
    *,
    actor,
    association: Association,
    kind: str,
    organisation_code: str,
    name: str,
    contribution_percent=None,
) -> Member:
    raise_if_errors(validate_member(kind=kind, organisation_code=organisation_code, name=name))
    member, _ = Member.objects.update_or_create(
        association=association,
        kind=kind,
        organisation_code=organisation_code,
        defaults={"name": name, "contribution_percent": contribution_percent},
    )
    audit_change(
        actor=actor, action="member_save", obj=member, association_id=association.pk, summary=name
    )
    return member


@transaction.atomic
def board_member_add(
    *,
    actor,
    member: Member,
    name: str,
    role: str,
    period_start: date,
    period_end: date | None = None,
    is_chair: bool = False,
) -> BoardMember:
    problems: list[Problem] = []
    if not (name or "").strip():
        problems.append(Problem("name", "required", "Namn måste anges."))
    if role not in BoardMember.Role.values:
        problems.append(
            Problem("role", "code.unknown", "Uppdrag ska vara ledamot eller ersättare.")
        )
    if period_end and period_end < period_start:
        problems.append(
            Problem(
                "period_end",
                "date.end_before_start",
                "Mandatperiodens slut får inte vara före dess start.",
            )
        )
    raise_if_errors(problems)
    row = BoardMember.objects.create(
        association=member.association,
        member=member,
        name=name,
        role=role,
        period_start=period_start,
        period_end=period_end,
        is_chair=is_chair,
    )
    audit_change(
        actor=actor,
        action="board_member_add",
        obj=row,
        association_id=member.association_id,
        summary=name,
    )
    return row


# --- interventions -----------------------------------------------------------------------------

INTERVENTION_FIELDS = [
    "code",
    "name",
    "description",
    "start_date",
    "end_date",
    "status",
    "orientation",
    "registration",
    "partner_organisations",
    "target_groups",
    "esf",
    "planned_participants",
]


@transaction.atomic
def intervention_save(
    *,
    actor,
    association: Association,
    intervention: Intervention | None = None,
    providers: list[Member] | None = None,
    **values,
) -> Intervention:
    current = _snapshot(intervention, INTERVENTION_FIELDS) if intervention else {}
    merged = {**current, **values}
    problems = rules.validate_intervention(
        code=merged.get("code", ""),
        name=merged.get("name", ""),
        orientation=merged.get("orientation", ""),
        registration=merged.get("registration", ""),
        start_date=merged.get("start_date"),
        end_date=merged.get("end_date"),
        planned_participants=merged.get("planned_participants"),
        target_groups=merged.get("target_groups") or [],
    )
    taken = Intervention.objects.filter(code=merged.get("code"))
    if intervention is not None:
        taken = taken.exclude(pk=intervention.pk)
    if taken.exists():
        problems.append(
            Problem(
                "code", "unique", f"Koden ”{merged.get('code')}” används redan av en annan insats."
            )
        )
    if providers and any(m.association_id != association.pk for m in providers):
        problems.append(
            Problem(
                "providers",
                "provider.other_association",
                "Anordnare måste vara medlemmar i förbundet.",
            )
        )
    if (
        intervention is not None
        and "registration" in values
        and (values["registration"] != intervention.registration and intervention.episodes.exists())
    ):
        problems.append(
            Problem(
                "registration",
                "intervention.has_episodes",
                "Registreringssättet kan inte ändras när insatsen har inskrivningar.",
            )
        )
    raise_if_errors(problems)
    obj = intervention or Intervention(association=association)
    for key, value in values.items():
        setattr(obj, key, value)
    obj.save()
    if providers is not None:
        obj.providers.set(providers)
    audit_change(
        actor=actor,
        action="intervention_create" if intervention is None else "intervention_update",
        obj=obj,
        association_id=association.pk,
        changes=diff(current, _snapshot(obj, INTERVENTION_FIELDS)),
    )
    return obj


# --- participants and episodes -----------------------------------------------------------------


def _new_episode_key() -> str:
    return f"E-{uuid.uuid4().hex[:16]}"


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
    raise_if_errors(check.problems)
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


# --- extra questions ---------------------------------------------------------------------------


def extra_questions_for(association_id: int, phase: str, on: date | None) -> list[ExtraQuestion]:
    """The association's own questions asked in ``phase``, valid on ``on``, in order."""
    qs = ExtraQuestion.objects.filter(association_id=association_id, phase=phase)
    if on is not None:
        qs = qs.filter(valid_from__lte=on).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
    return list(qs.order_by("order", "pk"))


def extra_answers_save(
    *, episode: Episode, answers: dict[int, object], followup: FollowUp | None = None
) -> None:
    """Validate and store answers (question id → value) for an episode, in the caller's
    transaction. Unknown questions and invalid answers raise; empty answers delete."""
    questions = {
        q.pk: q
        for q in ExtraQuestion.objects.filter(
            pk__in=list(answers), association_id=episode.intervention.association_id
        )
    }
    problems: list[Problem] = []
    for qid, value in answers.items():
        question = questions.get(qid)
        if question is None:
            problems.append(
                Problem(f"q_{qid}", "extra.unknown", "Frågan hör inte till insatsens förbund.")
            )
            continue
        problems += rules.validate_extra_answer(
            field_name=f"q_{qid}",
            question=question.text,
            answer_type=question.answer_type,
            choices=question.choices,
            value=value,
        )
    raise_if_errors(problems)
    for qid, value in answers.items():
        if value in (None, "", []):
            ExtraAnswer.objects.filter(question_id=qid, episode=episode, followup=followup).delete()
        else:
            ExtraAnswer.objects.update_or_create(
                question_id=qid, episode=episode, followup=followup, defaults={"value": value}
            )


# --- identity: reveal, consent, access and erasure ---------------------------------------------


@transaction.atomic
def participant_identity_reveal(
    *, actor, participant: Participant, association_id: int | None, reason: str = ""
) -> dict[str, str]:
    """Decrypt a participant's identity for an authorised handler; the read is audited."""
    if not participant.is_identified or not participant.identity_encrypted:
        return {}
    cipher = identity_cipher()
    number = cipher.decrypt(participant.identity_encrypted)
    name = cipher.decrypt(participant.name_encrypted) if participant.name_encrypted else ""
    audit_identity_read(
        actor=actor,
        obj=participant,
        association_id=association_id,
        reason=reason or "visa deltagare",
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


def enrolment_input_from(values: dict) -> rules.EnrolmentInput:
    """Build an :class:`EnrolmentInput` from cleaned form/file values (unknown keys ignored)."""
    fields = set(rules.EnrolmentInput.__dataclass_fields__)
    return rules.EnrolmentInput(**{k: v for k, v in values.items() if k in fields})


def exit_input_from(values: dict) -> rules.ExitInput:
    fields = set(rules.ExitInput.__dataclass_fields__)
    return rules.ExitInput(**{k: v for k, v in values.items() if k in fields})
