"""A small, realistic demo data set for trying Finsam locally (``finsam demo``).

Four associations with their real municipalities, interventions of every kind, about 2 000
episodes (identified and anonymous) and one user per role. Everything is written through the
registry services, so the demo obeys exactly the rules real data does. Deterministic for a seed.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from stdnum import luhn

from finsam.access.models import RoleAssignment
from finsam.access.services import intervention_assign, role_grant
from finsam.accounts.models import User
from finsam.demo.deviations import load_demo_deviations
from finsam.demo.indicators import load_indicator_demo
from finsam.deviations.models import DeviationReport
from finsam.domain import registration as rules
from finsam.domain.access import Role
from finsam.domain.problems import DomainValidationError
from finsam.finance import services as finance
from finsam.geo.models import Municipality
from finsam.registry import services
from finsam.registry.models import Association, Episode, Intervention


@dataclass(frozen=True)
class DemoAssociation:
    code: str
    name: str
    org_base: str
    county: str
    region_name: str
    municipalities: tuple[str, ...]
    start: date


ASSOCIATIONS = (
    DemoAssociation(
        "SUNDBYBERG",
        "Samordningsförbundet Sundbyberg",
        "222000178",
        "01",
        "Region Stockholm",
        ("0183",),
        date(2018, 7, 1),
    ),
    DemoAssociation(
        "FINNVEDEN",
        "Finnvedens samordningsförbund",
        "222000155",
        "06",
        "Region Jönköpings län",
        ("0617", "0662", "0665", "0683"),
        date(2009, 1, 1),
    ),
    DemoAssociation(
        "HOGLANDET",
        "Samordningsförbundet Höglandet",
        "222000163",
        "06",
        "Region Jönköpings län",
        ("0604", "0682", "0684", "0685", "0686", "0687"),
        date(2009, 1, 1),
    ),
    DemoAssociation(
        "SODRA_VATTERBYGDEN",
        "Samordningsförbundet Södra Vätterbygden",
        "222000171",
        "06",
        "Region Jönköpings län",
        ("0642", "0643", "0680"),
        date(2010, 1, 1),
    ),
)

INTERVENTIONS = (
    # (suffix, name, orientation, registration, target groups, share of episodes)
    ("UNG", "Unga till arbete", "individual", "persons", ["UNG", "PSY"], 0.35),
    ("REH", "Samordnad rehabilitering", "individual", "persons", ["LSJ", "AKE", "PSY"], 0.40),
    ("ARB", "Vägen till arbete", "individual", "persons", ["LFS", "LAL", "NYA"], 0.25),
    ("KOMP", "Kompetensutveckling för handläggare", "structural", "volume", [], 0.0),
    ("OPPEN", "Öppen träffpunkt", "individual", "volume", ["PSY", "MIS"], 0.0),
)

SUPPORT_BEFORE_WEIGHTS = {
    "FSS": 30,
    "AKS": 18,
    "SJP": 14,
    "AKE": 10,
    "ING": 15,
    "AKA": 4,
    "SJE": 3,
    "STU": 3,
    "AOF": 2,
    "ETA": 3,
}
EXIT_WEIGHTS = {
    "ARB": 24,
    "STU": 10,
    "REH": 18,
    "SJK": 10,
    "FOR": 2,
    "FLY": 5,
    "AVB": 8,
    "UTU": 10,
    "OVR": 6,
}


def _org_number(base: str) -> str:
    digits = base + luhn.calc_check_digit(base)
    return f"{digits[:6]}-{digits[6:]}"


def _personal_number(rng: random.Random, birth: date, sex: str) -> str:
    serial = rng.randint(0, 99)
    sex_digit = rng.choice([1, 3, 5, 7, 9] if sex == "M" else [0, 2, 4, 6, 8])
    body = f"{birth:%y%m%d}{serial:02d}{sex_digit}"
    return f"{birth:%Y%m%d}-{body[6:]}{luhn.calc_check_digit(body)}"


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _support_before(rng: random.Random) -> list[str]:
    first = _weighted(rng, SUPPORT_BEFORE_WEIGHTS)
    if first != "ING" and rng.random() < 0.15:
        second = _weighted(
            rng, {k: v for k, v in SUPPORT_BEFORE_WEIGHTS.items() if k not in (first, "ING")}
        )
        return [first, second]
    return [first]


def _support_after(rng: random.Random, before: list[str], exit_reason: str) -> list[str]:
    if rng.random() < 0.06:
        return ["SAK"]
    if exit_reason == "ARB":
        return ["ING"] if rng.random() < 0.7 else [before[0], "ING"][:1]
    if exit_reason == "STU":
        return ["STU"]
    if rng.random() < 0.6:
        return before
    return [_weighted(rng, SUPPORT_BEFORE_WEIGHTS)]


def _password() -> str:
    return secrets.token_urlsafe(9)


DEMO_USERS = (
    ("sysadmin", "Sigrid", "Systemsson", Role.SYSTEM_ADMIN),
    ("forbundsadmin", "Frida", "Förbundsson", Role.ASSOCIATION_ADMIN),
    ("insatsansvarig", "Ingrid", "Insatsdotter", Role.INTERVENTION_MANAGER),
    ("handlaggare", "Hassan", "Handläggare", Role.PARTICIPANT_HANDLER),
    ("styrelse", "Stina", "Styrelseledamot", Role.BOARD_READER),
    ("analytiker", "Anders", "Analytiker", Role.NATIONAL_ANALYST),
)


def load_demo(
    *, episodes: int = 2000, seed: int = 2026, today: date | None = None, progress=None
) -> dict[str, str]:
    """Load the demo set. Returns ``{username: password}``. Refuses to run twice."""
    if Association.objects.filter(code=ASSOCIATIONS[0].code).exists():
        raise RuntimeError("Demodata finns redan i databasen.")
    rng = random.Random(seed)
    today = today or date.today()
    system = None
    with transaction.atomic():
        passwords = _users()
        admin_user = User.objects.get(username="sysadmin")
        system = admin_user
        interventions: list[Intervention] = []
        for demo in ASSOCIATIONS:
            interventions += _association(demo, system, rng)
        _staff(interventions, system)
    persons = [p for p in interventions if p.takes_persons]
    handler = User.objects.get(username="handlaggare")
    _episodes(persons, handler, rng, n=episodes, today=today, progress=progress)
    _volume(interventions, system, rng, today)
    _budgets(interventions, system, today)
    load_demo_deviations(
        filer=handler, handler=User.objects.get(username="forbundsadmin"), rng=rng, today=today
    )
    load_indicator_demo(
        associations=sorted({i.association for i in interventions}, key=lambda a: a.pk),
        actor=system,
        rng=rng,
        today=today,
    )
    return passwords


def _users() -> dict[str, str]:
    passwords = {}
    for username, first, last, _role in DEMO_USERS:
        password = _password()
        user = User.objects.create_user(
            username=username,
            password=password,
            first_name=first,
            last_name=last,
            email=f"{username}@example.org",
        )
        if username == "sysadmin":
            user.is_staff = True
            user.is_superuser = True
            user.save()
        passwords[username] = password
    return passwords


def _association(demo: DemoAssociation, actor, rng: random.Random) -> list[Intervention]:
    association = services.association_save(
        actor=actor,
        code=demo.code,
        name=demo.name,
        org_number=_org_number(demo.org_base),
        start_date=demo.start,
        seat_municipality_id=demo.municipalities[0],
        description="Finansiell samordning av rehabilitering för invånare i behov av stöd från "
        "flera myndigheter.",
        contact_person="Förbundschef",
        municipal_split="equal",
    )
    for code in demo.municipalities:
        services.area_add(
            actor=actor, association=association, municipality_code=code, valid_from=demo.start
        )
    members = [
        services.member_add(
            actor=actor,
            association=association,
            kind="FK",
            organisation_code="FK",
            name="Försäkringskassan",
        ),
        services.member_add(
            actor=actor,
            association=association,
            kind="AF",
            organisation_code="AF",
            name="Arbetsförmedlingen",
        ),
        services.member_add(
            actor=actor,
            association=association,
            kind="REGION",
            organisation_code=demo.county,
            name=demo.region_name,
        ),
    ]
    for code in demo.municipalities:
        name = Municipality.objects.get(code=code).name
        members.append(
            services.member_add(
                actor=actor,
                association=association,
                kind="MUNICIPALITY",
                organisation_code=code,
                name=f"{name} kommun",
            )
        )
    for i, member in enumerate(members):
        for role in ("member", "deputy"):
            services.board_member_add(
                actor=actor,
                member=member,
                name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                role=role,
                period_start=date(2023, 1, 1),
                period_end=date(2026, 12, 31),
                is_chair=(i == 0 and role == "member"),
            )
    result = []
    for suffix, name, orientation, registration, groups, _share in INTERVENTIONS:
        start = max(demo.start, date(2019, 1, 1))
        result.append(
            services.intervention_save(
                actor=actor,
                association=association,
                providers=members[:2] + members[3:4],
                code=f"{demo.code}-{suffix}",
                name=name,
                start_date=start,
                orientation=orientation,
                registration=registration,
                target_groups=groups,
                status="ongoing",
                esf=(suffix == "UNG"),
                planned_participants=60 if registration == "persons" else None,
                description=f"{name} i {demo.name}.",
            )
        )
    return result


def _staff(interventions: list[Intervention], actor) -> None:
    first = interventions[0].association
    for username, _f, _l, role in DEMO_USERS:
        user = User.objects.get(username=username)
        if role in (Role.SYSTEM_ADMIN, Role.NATIONAL_ANALYST):
            role_grant(user=user, role=role, actor=actor)
        else:
            role_grant(user=user, role=role, association=first, actor=actor)
    handler = User.objects.get(username="handlaggare")
    manager = User.objects.get(username="insatsansvarig")
    # The demo handler works for all of Sundbyberg's person interventions; the manager for all
    # of its interventions. Other associations get their own handler.
    for intv in interventions:
        if intv.association_id == first.pk:
            intervention_assign(user=manager, intervention=intv, kind="manager", actor=actor)
            if intv.takes_persons:
                intervention_assign(user=handler, intervention=intv, kind="handler", actor=actor)
    for association in Association.objects.exclude(pk=first.pk):
        other = User.objects.create_user(
            username=f"handlaggare-{association.code.lower()}", password=_password()
        )
        RoleAssignment.objects.create(
            user=other, role=Role.PARTICIPANT_HANDLER, association=association
        )
        for intv in association.interventions.all():
            if intv.takes_persons:
                intervention_assign(user=other, intervention=intv, kind="handler", actor=actor)


def _episodes(
    interventions, handler, rng: random.Random, *, n: int, today: date, progress=None
) -> None:
    shares = {suffix: share for suffix, *_rest, share in INTERVENTIONS}
    weights = [
        shares[i.code.rsplit("-", 1)[1]] * (3 if i.association.code == "SUNDBYBERG" else 1)
        for i in interventions
    ]
    people: list[tuple[str, date, str]] = []
    for k in range(n):
        intv = rng.choices(interventions, weights=weights)[0]
        area = sorted(services.area_on(intv.association_id, today))
        span = (today - intv.start_date).days
        start = intv.start_date + timedelta(days=rng.randint(0, max(span - 30, 1)))
        age = min(64, max(16, int(rng.gauss(31 if intv.code.endswith("UNG") else 38, 10))))
        sex = "K" if rng.random() < 0.52 else "M"
        anonymous = rng.random() < 0.15
        repeat = people and rng.random() < 0.08 and not anonymous
        common = dict(
            home_municipality=rng.choice(area),
            start_date=start,
            support_before=_support_before(rng),
            occupation_before=rng.choice(["ARS", "OVR", "OVR", "STU", "ARB", "SAK"]),
            time_on_support=rng.choice(["NONE", "LT1", "1TO3", "1TO3", "3TO9", "GE9", "SAK"]),
            education=rng.choice(["GRU_LT", "GRU", "GRU", "GYM", "GYM", "EFT", "SAK"]),
            work_hours_before=0.0 if rng.random() < 0.85 else float(rng.choice([10, 20])),
            study_hours_before=0.0,
        )
        if anonymous:
            data = rules.EnrolmentInput(
                identity_level=rules.ANONYMOUS,
                sex=rng.choice(["K", "M", "K", "M", "X"]),
                birth_year=start.year - age,
                protected_identity=rng.random() < 0.05,
                **common,
            )
        else:
            if repeat:
                number, birth, sex = rng.choice(people)
            else:
                birth = date(start.year - age, rng.randint(1, 12), rng.randint(1, 28))
                number = _personal_number(rng, birth, sex)
                people.append((number, birth, sex))
            data = rules.EnrolmentInput(
                identity_level=rules.IDENTIFIED,
                personal_number=number,
                consent_date=start,
                **common,
            )
        try:
            episode, _ = services.episode_enrol(
                actor=handler,
                intervention=intv,
                data=data,
                consent_form_version="Samtycke v1",
                key=f"DEMO-{k + 1:06d}",
                today=today,
            )
        except DomainValidationError:
            continue  # e.g. a repeat person already enrolled in the same intervention
        duration = int(rng.expovariate(1 / 240)) + 14
        end = start + timedelta(days=duration)
        if end < today - timedelta(days=1) and rng.random() < 0.9:
            reason = _weighted(rng, EXIT_WEIGHTS)
            work = (
                float(rng.choice([10, 20, 30, 40, 40, 45]))
                if reason == "ARB"
                else (float(rng.choice([0, 0, 0, 10])) if reason != "STU" else 0.0)
            )
            study = float(rng.choice([20, 40])) if reason == "STU" else 0.0
            services.episode_exit(
                actor=handler,
                episode=episode,
                data=rules.ExitInput(
                    end_date=end,
                    exit_reason=reason,
                    support_after=_support_after(rng, list(data.support_before), reason),
                    occupation_after="ARB"
                    if work
                    else ("STU" if study else rng.choice(["ARS", "OVR"])),
                    work_hours=work,
                    study_hours=study,
                ),
                today=today,
            )
            if end + timedelta(days=183) < today and rng.random() < 0.3:
                services.followup_record(
                    actor=handler,
                    episode=episode,
                    months_after=6,
                    support=["ING"] if work else list(data.support_before),
                    occupation="ARB" if work else "OVR",
                    work_hours=work or 0.0,
                    study_hours=0.0,
                )
        if rng.random() < 0.005:
            services.episode_mark_error(
                actor=handler, episode=episode, reason="Dubbelregistrering (demo)"
            )
        if progress and (k + 1) % 100 == 0:
            progress(k + 1, n)


def _volume(interventions, actor, rng: random.Random, today: date) -> None:
    for intv in interventions:
        if intv.registration != "volume":
            continue
        month = date(max(intv.start_date.year, today.year - 2), 1, 1)
        while month <= today.replace(day=1):
            services.volume_record(
                actor=actor,
                intervention=intv,
                month=month,
                women=rng.randint(0, 25),
                men=rng.randint(0, 20),
                other=rng.randint(0, 2),
            )
            month = (month + timedelta(days=32)).replace(day=1)


# Yearly members' contribution per association (SEK): Sundbyberg's seed budget is 2 000 000.
ANNUAL_BUDGET = {
    "SUNDBYBERG": 2_000_000,
    "FINNVEDEN": 5_100_000,
    "HOGLANDET": 6_400_000,
    "SODRA_VATTERBYGDEN": 7_000_000,
}
ADMIN_SHARE = {
    "PREMISES": 0.05,
    "DIRECTOR": 0.2,
    "BOARD": 0.04,
    "AUDIT": 0.02,
    "IT": 0.02,
    "OTHER": 0.02,
}


def _budgets(interventions, actor, today: date) -> None:
    """Budgets for the last three years and this one: resources 50/25/25, administration, and
    intervention costs split over the person interventions (actuals for past years)."""
    by_association: dict[int, list[Intervention]] = {}
    for intv in interventions:
        by_association.setdefault(intv.association_id, []).append(intv)
    for association in Association.objects.filter(pk__in=by_association):
        total = ANNUAL_BUDGET[association.code]
        for year in range(today.year - 3, today.year + 1):
            finance.association_year_save(
                actor=actor,
                association=association,
                year=year,
                budget_adopted=date(year - 1, 11, 20),
                annual_report_adopted=date(year + 1, 3, 15) if year < today.year else None,
                equity_start=round(total * 0.12),
                contribution_total=total,
                state_offer=total / 2,
            )
            past = year < today.year
            members = list(association.members.all())
            regions = [m.organisation_code for m in members if m.kind == "REGION"]
            towns = [m.organisation_code for m in members if m.kind == "MUNICIPALITY"]
            lines = [("resource", "FK", "", total / 2)]
            lines += [("resource", code, "", total / 4 / len(regions)) for code in regions]
            lines += [("resource", code, "", total / 4 / len(towns)) for code in towns]
            lines += [
                ("admin_cost", kind, "", total * share) for kind, share in ADMIN_SHARE.items()
            ]
            persons = [i for i in by_association[association.pk] if i.takes_persons]
            others = [i for i in by_association[association.pk] if not i.takes_persons]
            left = total * (1 - sum(ADMIN_SHARE.values()))
            for intv in persons:
                lines.append(("intervention_cost", "", intv.code, left * 0.8 / len(persons)))
            for intv in others:
                lines.append(("intervention_cost", "", intv.code, left * 0.2 / len(others)))
            for line, category, code, amount in lines:
                finance.budget_line_save(
                    actor=actor,
                    association=association,
                    year=year,
                    line=line,
                    category=category,
                    intervention_code=code,
                    budget=round(amount),
                    actual=round(amount * (0.93 if line != "resource" else 1.0)) if past else None,
                )


def demo_summary() -> dict[str, int]:
    return {
        "förbund": Association.objects.count(),
        "insatser": Intervention.objects.count(),
        "inskrivningar": Episode.objects.count(),
        "avvikelser": DeviationReport.objects.count(),
    }


FIRST = [
    "Anna",
    "Erik",
    "Maria",
    "Lars",
    "Karin",
    "Johan",
    "Eva",
    "Per",
    "Sara",
    "Ali",
    "Fatima",
    "Mohammed",
    "Elin",
    "Oskar",
    "Lena",
    "Nils",
]
LAST = [
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Hussein",
    "Lindberg",
    "Berg",
    "Holm",
]
