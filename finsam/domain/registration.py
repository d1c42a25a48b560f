"""The rules a registration must satisfy (``domain.md`` §3), in one place.

Every entry point – web forms, the admin, the importer and commands – calls these functions through
the registry services. Each returns a list of :class:`Problem` (errors and warnings); nothing here
touches a database, so the facts a rule needs (the intervention, the person's other episodes, the
association's area) are passed in as plain values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from finsam.domain import codelists as cl
from finsam.domain.identity import PersonalNumber, parse_personal_number
from finsam.domain.problems import DomainValidationError, Problem

MAX_HOURS_PER_WEEK = 168
IDENTIFIED = "identified"
ANONYMOUS = "anonymous"

FIELD_LABELS = {
    "personal_number": "Personnummer",
    "consent_date": "Samtycke",
    "protected_identity": "Skyddad identitet",
    "sex": "Kön",
    "birth_year": "Födelseår",
    "home_municipality": "Hemkommun",
    "district": "Stadsdel",
    "start_date": "Startdatum",
    "end_date": "Slutdatum",
    "support_before": "Försörjning före",
    "support_after": "Försörjning efter",
    "occupation_before": "Sysselsättning före",
    "occupation_after": "Sysselsättning efter",
    "time_on_support": "Tid i offentlig försörjning",
    "education": "Utbildning",
    "exit_reason": "Avslutningsanledning",
    "work_hours": "Arbete, timmar per vecka",
    "study_hours": "Studier, timmar per vecka",
    "work_hours_before": "Arbete före, timmar per vecka",
    "study_hours_before": "Studier före, timmar per vecka",
    "months_after": "Månader efter avslut",
    "support": "Försörjning",
    "occupation": "Sysselsättning",
    "intervention": "Insats",
    "month": "Månad",
    "women": "Kvinnor",
    "men": "Män",
    "other": "Annat/okänt kön",
    "code": "Kod",
    "name": "Namn",
    "orientation": "Inriktning",
    "registration": "Registreringssätt",
    "planned_participants": "Planerat antal deltagare",
    "org_number": "Organisationsnummer",
    "valid_from": "Giltig från",
    "valid_to": "Giltig till",
}


def label(field_name: str) -> str:
    return FIELD_LABELS.get(field_name, field_name)


def _p(field_name: str, rule: str, message: str, value: object = None, **kw) -> Problem:
    return Problem(field=field_name, rule=rule, message=message, value=value, **kw)


# --- small reusable checks ---------------------------------------------------------------------


def check_date_not_before_law(field_name: str, value: date | None) -> list[Problem]:
    if value is not None and value < cl.LAW_START:
        return [
            _p(
                field_name,
                "date.before_law",
                f"{label(field_name)}: datum får inte vara före 2004-01-01, då lagen om "
                "finansiell samordning trädde i kraft.",
                value.isoformat(),
            )
        ]
    return []


def check_code(field_name: str, value: str | None, code_list: cl.CodeList) -> list[Problem]:
    if value in (None, ""):
        return []
    if value not in code_list:
        allowed = ", ".join(code_list.code_values)
        return [
            _p(
                field_name,
                "code.unknown",
                f"{label(field_name)}: koden ”{value}” finns inte i kodlistan "
                f"{code_list.label.lower()} (tillåtna: {allowed}).",
                value,
            )
        ]
    return []


def check_support_codes(
    field_name: str, codes: Sequence[str], *, after: bool, required: bool = True
) -> list[Problem]:
    problems: list[Problem] = []
    if required and not codes:
        hint = " Välj ”Uppgift saknas” om den inte är känd." if after else ""
        problems.append(
            _p(
                field_name,
                "support.required",
                f"{label(field_name)} måste anges (minst en försörjningskod).{hint}",
            )
        )
        return problems
    for code in codes:
        problems += check_code(field_name, code, cl.SUPPORT)
        if not after and code in cl.SUPPORT_ONLY_AFTER:
            problems.append(
                _p(
                    field_name,
                    "support.missing_before",
                    f"{label(field_name)}: ”Uppgift saknas” får bara användas för försörjning "
                    "efter insatsen.",
                    code,
                )
            )
    if len(set(codes)) != len(codes):
        problems.append(
            _p(field_name, "support.duplicate", f"{label(field_name)}: samma kod står två gånger.")
        )
    if cl.SUPPORT_MISSING in codes and len(codes) > 1:
        problems.append(
            _p(
                field_name,
                "support.missing_combined",
                f"{label(field_name)}: ”Uppgift saknas” kan inte kombineras med andra koder.",
            )
        )
    if "ING" in codes and any(c in cl.PUBLIC_SUPPORT for c in codes):
        problems.append(
            _p(
                field_name,
                "support.none_combined",
                f"{label(field_name)}: ”Ingen offentlig försörjning” kan inte kombineras med "
                "en offentlig försörjningskod.",
            )
        )
    return problems


def check_hours(field_name: str, value: float | None) -> list[Problem]:
    if value is None:
        return []
    if value < 0 or value > MAX_HOURS_PER_WEEK:
        return [
            _p(
                field_name,
                "hours.range",
                f"{label(field_name)} ska vara mellan 0 och {MAX_HOURS_PER_WEEK} timmar per vecka.",
                value,
            )
        ]
    return []


def overlaps(a_start: date, a_end: date | None, b_start: date, b_end: date | None) -> bool:
    """True when two closed periods overlap (an open end means still running)."""
    return a_start <= (b_end or date.max) and b_start <= (a_end or date.max)


# --- interventions -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InterventionFacts:
    """What the enrolment rules need to know about an intervention."""

    code: str
    name: str
    orientation: str
    registration: str
    start_date: date
    end_date: date | None
    area_municipalities: frozenset[str] = frozenset()
    """Municipality codes in the association's area on the enrolment date."""


def validate_intervention(
    *,
    code: str,
    name: str,
    orientation: str,
    registration: str,
    start_date: date | None,
    end_date: date | None,
    planned_participants: int | None,
    target_groups: Iterable[str] = (),
) -> list[Problem]:
    problems: list[Problem] = []
    if not (code or "").strip():
        problems.append(_p("code", "required", "Kod måste anges."))
    if not (name or "").strip():
        problems.append(_p("name", "required", "Namn måste anges."))
    if orientation not in cl.ORIENTATION:
        problems.append(
            _p(
                "orientation",
                "code.unknown",
                "Inriktning ska vara individinriktad eller strukturövergripande.",
                orientation,
            )
        )
    if registration not in cl.REGISTRATION_METHOD:
        problems.append(
            _p(
                "registration",
                "code.unknown",
                "Registreringssätt ska vara personer eller volym.",
                registration,
            )
        )
    if start_date is None:
        problems.append(_p("start_date", "required", "Startdatum måste anges."))
    problems += check_date_not_before_law("start_date", start_date)
    problems += check_date_not_before_law("end_date", end_date)
    if start_date and end_date and end_date < start_date:
        problems.append(
            _p(
                "end_date",
                "date.end_before_start",
                "Slutdatum får inte vara före startdatum.",
                end_date.isoformat(),
            )
        )
    if planned_participants is not None and planned_participants < 0:
        problems.append(
            _p(
                "planned_participants",
                "number.negative",
                "Planerat antal deltagare får inte vara negativt.",
                planned_participants,
            )
        )
    for tg in target_groups:
        problems += check_code("target_groups", tg, cl.TARGET_GROUP)
    return problems


# --- enrolment ---------------------------------------------------------------------------------


@dataclass(slots=True)
class EnrolmentInput:
    identity_level: str
    home_municipality: str
    start_date: date | None
    support_before: Sequence[str] = ()
    personal_number: str = ""
    consent_date: date | None = None
    consent_withdrawn_date: date | None = None
    protected_identity: bool = False
    sex: str = ""
    birth_year: int | None = None
    occupation_before: str = ""
    time_on_support: str = ""
    education: str = ""
    work_hours_before: float | None = None
    study_hours_before: float | None = None
    district: str = ""
    """City district code (Stockholm, Göteborg), optional."""


@dataclass(slots=True)
class EnrolmentCheck:
    problems: list[Problem] = field(default_factory=list)
    person: PersonalNumber | None = None
    sex: str = ""
    birth_date: date | None = None
    birth_year: int | None = None
    age_at_start: int | None = None

    @property
    def ok(self) -> bool:
        return not any(not p.warning for p in self.problems)


def check_intervention_kind(intervention: InterventionFacts) -> list[Problem]:
    """The intervention must take person registrations."""
    if intervention.orientation != "individual" or intervention.registration != "persons":
        return [
            _p(
                "intervention",
                "enrolment.intervention_kind",
                f"Insatsen ”{intervention.name}” är inte en individinriktad insats med "
                "personregistrering; deltagare kan inte skrivas in i den "
                "(använd volymregistrering).",
                intervention.code,
            )
        ]
    return []


def check_identified_protected(protected_identity: bool) -> list[Problem]:
    """An identified registration of a person with protected personal data."""
    if protected_identity:
        return [
            _p(
                "protected_identity",
                "identity.protected",
                "Personer med skyddade personuppgifter får bara registreras anonymt.",
            )
        ]
    return []


def check_consent(consent_date: date | None, today: date) -> list[Problem]:
    """The consent an identified registration requires."""
    if consent_date is None:
        return [
            _p(
                "consent_date",
                "consent.required",
                "Samtycke: identifierad registrering kräver ett registrerat samtycke "
                "(datum). Utan samtycke registreras deltagaren anonymt.",
            )
        ]
    if consent_date > today:
        return [
            _p(
                "consent_date",
                "date.future",
                "Samtycke: datumet får inte vara i framtiden.",
                consent_date.isoformat(),
            )
        ]
    return []


def check_consent_withdrawn(consent_withdrawn_date: date | None) -> list[Problem]:
    if consent_withdrawn_date is not None:
        return [
            _p(
                "consent_date",
                "consent.withdrawn",
                "Samtycke: samtycket är återkallat; deltagaren kan bara registreras anonymt.",
            )
        ]
    return []


def check_anonymous_number(personal_number: str | None) -> list[Problem]:
    if (personal_number or "").strip():
        return [
            _p(
                "personal_number",
                "identity.anonymous_with_number",
                "Personnummer får inte anges vid anonym registrering.",
            )
        ]
    return []


def check_anonymous_sex(sex: str) -> list[Problem]:
    if sex not in cl.SEX:
        return [
            _p(
                "sex",
                "required",
                "Kön måste anges vid anonym registrering (kvinna, man eller annat/okänt).",
                sex or None,
            )
        ]
    return []


def check_anonymous_birth_year(birth_year: int | None, today: date) -> list[Problem]:
    if birth_year is None:
        return [_p("birth_year", "required", "Födelseår måste anges vid anonym registrering.")]
    if not (1900 <= birth_year <= today.year):
        return [
            _p(
                "birth_year",
                "number.range",
                f"Födelseår ska vara mellan 1900 och {today.year}.",
                birth_year,
            )
        ]
    return []


def check_start_date(
    start_date: date | None, intervention: InterventionFacts, today: date
) -> list[Problem]:
    """The start date: given, not before the law, not in the future, within the intervention."""
    if start_date is None:
        return [_p("start_date", "required", "Startdatum måste anges.")]
    problems = check_date_not_before_law("start_date", start_date)
    if start_date > today:
        problems.append(
            _p(
                "start_date",
                "date.future",
                "Startdatum får inte vara i framtiden.",
                start_date.isoformat(),
            )
        )
    if start_date < intervention.start_date or (
        intervention.end_date is not None and start_date > intervention.end_date
    ):
        end = intervention.end_date.isoformat() if intervention.end_date else "tills vidare"
        problems.append(
            _p(
                "start_date",
                "enrolment.outside_intervention",
                f"Startdatum måste ligga inom insatsens period "
                f"({intervention.start_date.isoformat()} – {end}).",
                start_date.isoformat(),
            )
        )
    return problems


def check_overlap(
    start_date: date,
    end_date: date | None,
    other_periods_in_intervention: Sequence[tuple[date, date | None]],
) -> list[Problem]:
    for other_start, other_end in other_periods_in_intervention:
        if overlaps(start_date, end_date, other_start, other_end):
            return [
                _p(
                    "personal_number",
                    "enrolment.overlap",
                    "Personen är redan inskriven i samma insats under en överlappande period "
                    f"(från {other_start.isoformat()}).",
                )
            ]
    return []


def derive_age_at_start(
    birth_date: date | None, birth_year: int | None, start_date: date | None
) -> int | None:
    """Age at start: from the birth date, or – when only the year is known (anonymous
    participants) – the age reached during the start year."""
    if start_date is None:
        return None
    if birth_date is not None:
        return cl.age_on(birth_date, start_date)
    if birth_year is not None:
        return start_date.year - birth_year
    return None


def check_home_municipality(
    home_municipality: str,
    known_municipalities: frozenset[str] | set[str],
    area_municipalities: frozenset[str],
) -> list[Problem]:
    if not home_municipality:
        return [_p("home_municipality", "required", "Hemkommun måste anges.")]
    if home_municipality not in known_municipalities:
        return [
            _p(
                "home_municipality",
                "code.unknown",
                f"Hemkommun: ”{home_municipality}” är ingen giltig kommunkod (fyra siffror).",
                home_municipality,
            )
        ]
    if area_municipalities and home_municipality not in area_municipalities:
        return [
            _p(
                "home_municipality",
                "enrolment.outside_area",
                "Hemkommunen ligger utanför förbundets område. Registreringen sparas, men "
                "kontrollera att det är rätt.",
                home_municipality,
                warning=True,
            )
        ]
    return []


def check_district(
    district: str, home_municipality: str, known_districts: dict[str, str] | None
) -> list[Problem]:
    if not district:
        return []
    district_municipality = (known_districts or {}).get(district)
    if district_municipality is None:
        return [
            _p(
                "district",
                "code.unknown",
                f"Stadsdel: ”{district}” är ingen känd stadsdel.",
                district,
            )
        ]
    if district_municipality != home_municipality:
        return [
            _p(
                "district",
                "district.municipality",
                "Stadsdel: stadsdelen ligger inte i hemkommunen.",
                district,
            )
        ]
    return []


def validate_enrolment(
    data: EnrolmentInput,
    *,
    intervention: InterventionFacts,
    known_municipalities: frozenset[str] | set[str],
    other_periods_in_intervention: Sequence[tuple[date, date | None]] = (),
    today: date | None = None,
    known_districts: dict[str, str] | None = None,
    end_date: date | None = None,
    person: PersonalNumber | None = None,
) -> EnrolmentCheck:
    """Check an enrolment against every rule of ``domain.md`` §3 and derive sex, birth date, age.

    ``other_periods_in_intervention``: the (start, end) of the same person's other episodes in the
    same intervention (the caller finds them by pseudonym). ``known_districts``: district code →
    municipality code. ``end_date``: the episode's own end when it is already known (an import of
    a finished episode); otherwise it counts as still running. ``person``:
    ``data.personal_number`` already parsed by the caller with the same ``today`` (bulk callers
    parse it first to find the person); it is not parsed again.

    Each rule is one ``check_*`` function of the few values it depends on, called here in the
    order the problems are reported; the bulk importer calls the same functions once per distinct
    value (``finsam.interchange.episode_prep.ENROLMENT_RULES``).
    """
    today = today or date.today()
    check = EnrolmentCheck()
    problems = check.problems

    problems += check_intervention_kind(intervention)

    # Identity level, consent and protected identity.
    if data.identity_level not in (IDENTIFIED, ANONYMOUS):
        problems.append(
            _p("identity_level", "identity.level", "Välj identifierad eller anonym registrering.")
        )
    if data.identity_level == IDENTIFIED:
        problems += check_identified_protected(data.protected_identity)
        try:
            check.person = person or parse_personal_number(data.personal_number, today=today)
        except DomainValidationError as exc:
            problems.extend(exc.problems)
        problems += check_consent(data.consent_date, today)
        problems += check_consent_withdrawn(data.consent_withdrawn_date)
        if check.person is not None:
            check.sex = check.person.sex
            check.birth_date = check.person.birth_date
            check.birth_year = check.person.birth_date.year
    elif data.identity_level == ANONYMOUS:
        problems += check_anonymous_number(data.personal_number)
        problems += check_anonymous_sex(data.sex)
        check.sex = data.sex
        problems += check_anonymous_birth_year(data.birth_year, today)
        check.birth_year = data.birth_year

    # Dates.
    problems += check_start_date(data.start_date, intervention, today)
    if data.start_date is not None:
        problems += check_overlap(data.start_date, end_date, other_periods_in_intervention)
    check.age_at_start = derive_age_at_start(check.birth_date, check.birth_year, data.start_date)

    problems += check_home_municipality(
        data.home_municipality, known_municipalities, intervention.area_municipalities
    )
    problems += check_district(data.district, data.home_municipality, known_districts)

    # Enrolment data.
    problems += check_support_codes("support_before", list(data.support_before), after=False)
    problems += check_code("occupation_before", data.occupation_before, cl.OCCUPATION)
    problems += check_code("time_on_support", data.time_on_support, cl.TIME_ON_SUPPORT)
    problems += check_code("education", data.education, cl.EDUCATION)
    problems += check_hours("work_hours_before", data.work_hours_before)
    problems += check_hours("study_hours_before", data.study_hours_before)
    return check


# --- exit --------------------------------------------------------------------------------------


@dataclass(slots=True)
class ExitInput:
    end_date: date | None
    exit_reason: str
    support_after: Sequence[str] = ()
    occupation_after: str = ""
    work_hours: float | None = None
    study_hours: float | None = None
    work_study_increased: bool | None = None


def check_end_date(end_date: date | None, start_date: date, today: date) -> list[Problem]:
    if end_date is None:
        return [_p("end_date", "required", "Slutdatum måste anges.")]
    problems: list[Problem] = []
    if end_date < start_date:
        problems.append(
            _p(
                "end_date",
                "date.end_before_start",
                f"Slutdatum får inte vara före startdatum ({start_date.isoformat()}).",
                end_date.isoformat(),
            )
        )
    if end_date > today:
        problems.append(
            _p(
                "end_date",
                "date.future",
                "Slutdatum får inte vara i framtiden.",
                end_date.isoformat(),
            )
        )
    problems += check_date_not_before_law("end_date", end_date)
    return problems


def check_exit_reason(exit_reason: str) -> list[Problem]:
    if not exit_reason:
        return [_p("exit_reason", "required", "Avslutningsanledning måste anges.")]
    return check_code("exit_reason", exit_reason, cl.EXIT_REASON)


def validate_exit(data: ExitInput, *, start_date: date, today: date | None = None) -> list[Problem]:
    """Every exit rule, in the order the problems are reported (one ``check_*`` each)."""
    today = today or date.today()
    problems = check_end_date(data.end_date, start_date, today)
    problems += check_exit_reason(data.exit_reason)
    problems += check_support_codes("support_after", list(data.support_after), after=True)
    problems += check_code("occupation_after", data.occupation_after, cl.OCCUPATION)
    problems += check_hours("work_hours", data.work_hours)
    problems += check_hours("study_hours", data.study_hours)
    return problems


def is_open_registration_error(end_date: date | None, exit_reason: str) -> bool:
    """An episode marked as a registration error while still open (exit reason FEL, no end
    date): ``episode_mark_error`` keeps it so, excluded from every report and period."""
    return end_date is None and exit_reason == cl.EXIT_REGISTRATION_ERROR


def validate_registration_error_mark(data: ExitInput) -> list[Problem]:
    """The exit values of an open registration error (:func:`is_open_registration_error`): no
    end date or support after is required, what is given must still be valid."""
    problems = check_support_codes(
        "support_after", list(data.support_after), after=True, required=False
    )
    problems += check_code("occupation_after", data.occupation_after, cl.OCCUPATION)
    problems += check_hours("work_hours", data.work_hours)
    problems += check_hours("study_hours", data.study_hours)
    return problems


def derive_work_study_increased(
    *,
    work_before: float | None,
    study_before: float | None,
    work_after: float | None,
    study_after: float | None,
    recorded: bool | None = None,
) -> bool | None:
    """Whether work and/or studies started or increased in extent (``domain.md`` §1).

    Derived when the extents at both ends are known (either extent higher after than before, capped
    at 40 hours); otherwise the recorded value (which may be unknown).
    """
    before_known = work_before is not None or study_before is not None
    after_known = work_after is not None or study_after is not None
    if before_known and after_known:
        cap = cl.FULL_TIME_HOURS
        wb, sb = min(work_before or 0, cap), min(study_before or 0, cap)
        wa, sa = min(work_after or 0, cap), min(study_after or 0, cap)
        return wa > wb or sa > sb
    return recorded


# --- follow-up and volume ----------------------------------------------------------------------


def validate_followup(
    *,
    months_after: int | None,
    support: Sequence[str],
    occupation: str,
    work_hours: float | None,
    study_hours: float | None,
    episode_end_date: date | None,
) -> list[Problem]:
    problems: list[Problem] = []
    if episode_end_date is None:
        problems.append(
            _p(
                "months_after",
                "followup.not_exited",
                "Uppföljning kan bara registreras för en avslutad inskrivning.",
            )
        )
    if months_after not in cl.FOLLOWUP_MONTHS:
        problems.append(
            _p(
                "months_after",
                "followup.months",
                "Månader efter avslut ska vara 6, 12 eller 24.",
                months_after,
            )
        )
    problems += check_support_codes("support", list(support), after=True)
    problems += check_code("occupation", occupation, cl.OCCUPATION)
    problems += check_hours("work_hours", work_hours)
    problems += check_hours("study_hours", study_hours)
    return problems


def validate_volume(
    *,
    registration: str,
    month: date | None,
    women: object,
    men: object,
    other: object,
    today: date | None = None,
) -> list[Problem]:
    today = today or date.today()
    problems: list[Problem] = []
    if registration != "volume":
        problems.append(
            _p(
                "intervention",
                "volume.not_volume_intervention",
                "Volymuppgifter kan bara registreras för en insats med volymregistrering.",
            )
        )
    if month is None:
        problems.append(_p("month", "required", "Månad måste anges (ÅÅÅÅ-MM)."))
    else:
        problems += check_date_not_before_law("month", month)
        if month > today:
            problems.append(
                _p(
                    "month",
                    "date.future",
                    "Månad får inte vara i framtiden.",
                    month.isoformat()[:7],
                )
            )
    for name, value in (("women", women), ("men", men), ("other", other)):
        if value is None or value == "":
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            problems.append(
                _p(
                    name,
                    "volume.non_negative_integer",
                    f"{label(name)}: antalet ska vara ett heltal som är 0 eller större.",
                    value,
                )
            )
    return problems


# --- association -------------------------------------------------------------------------------


def validate_org_number(value: str, field_name: str = "org_number") -> list[Problem]:
    from stdnum.exceptions import ValidationError
    from stdnum.se import orgnr

    try:
        orgnr.validate(value)
    except ValidationError:
        return [
            _p(
                field_name,
                "org_number.invalid",
                "Organisationsnummer ska ha formen NNNNNN-NNNN med rätt kontrollsiffra.",
                value,
            )
        ]
    return []


def missing_member_kinds(kinds: Iterable[str]) -> list[str]:
    """The member kinds an association lacks to be valid under the law (§§ 1–2)."""
    present = set(kinds)
    return [c.code for c in cl.MEMBER_KIND.codes if c.code not in present]


def member_completeness_problems(kinds: Iterable[str]) -> list[Problem]:
    missing = missing_member_kinds(kinds)
    if not missing:
        return []
    names = ", ".join(cl.MEMBER_KIND.label_of(k) for k in missing)
    return [
        _p(
            "members",
            "association.members_incomplete",
            f"Förbundet saknar medlem av typen: {names}. Enligt lagen (1–2 §§) ska "
            "Försäkringskassan, Arbetsförmedlingen, minst en region och minst en kommun ingå.",
            warning=True,
        )
    ]


# --- extra questions ---------------------------------------------------------------------------

ANSWER_TYPES = ("yes_no", "single", "multiple", "number", "text")


def validate_extra_answer(
    *, field_name: str, question: str, answer_type: str, choices: Sequence[str], value: object
) -> list[Problem]:
    """Check one answer to an association's own question (``domain.md`` §4). Empty = unanswered."""
    if value in (None, "", []):
        return []
    bad = f"Frågan ”{question}”: "
    if answer_type == "yes_no" and value not in (True, False):
        return [_p(field_name, "extra.yes_no", bad + "svara ja eller nej.", value)]
    if answer_type == "single" and value not in choices:
        return [_p(field_name, "extra.choice", bad + "välj ett av svarsalternativen.", value)]
    if answer_type == "multiple" and (
        not isinstance(value, list | tuple) or any(v not in choices for v in value)
    ):
        return [_p(field_name, "extra.choice", bad + "välj bland svarsalternativen.", value)]
    if answer_type == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
        return [_p(field_name, "extra.number", bad + "svaret ska vara ett tal.", value)]
    if answer_type == "text" and len(str(value)) > 1000:
        return [_p(field_name, "extra.text_length", bad + "svaret får vara högst 1000 tecken.")]
    return []
