"""Shared fixtures: a complete association with every role, interventions of every kind."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import settings

# No time limit per example: the suite runs on shared 2-core machines (CI included), where a
# slow moment must not fail a property test – speed is measured in bench/, never asserted.
settings.register_profile("finsam", deadline=None)
settings.load_profile("finsam")

# Public reference tables the tests compare against (sources: tests/fixtures/README.md).
FIXTURES = __import__("pathlib").Path(__file__).resolve().parent / "fixtures"
# Transactional tests empty the tables between tests; the audit triggers refuse that otherwise.
__import__("finsam.audit.testing", fromlist=["_"]).allow_flush_between_tests()

_REFERENCE: list[str] = []


@pytest.fixture(autouse=True)
def _reference_data_back(request):
    """Before a transactional test: the data the migrations load (municipalities, code lists …)
    is put back if an earlier transactional test's flush emptied it. pytest-django runs every
    transactional test after the others, so the first one (by fixture or by
    ``django_db(transaction=True)``) still sees the migrated database and the data are captured
    then."""
    marker = request.node.get_closest_marker("django_db")
    by_marker = marker is not None and bool(
        marker.kwargs.get("transaction") or (marker.args and marker.args[0])
    )
    if by_marker:
        request.getfixturevalue("_django_db_helper")  # the marker's database, set up first
    elif {"transactional_db", "live_server"} & set(request.fixturenames):
        request.getfixturevalue("transactional_db")
    else:
        return
    from django.apps import apps
    from django.core import serializers
    from django.db import transaction

    from finsam.geo.models import Municipality

    if not _REFERENCE:
        skip = {"contenttypes", "auth", "sessions", "admin", "audit"}
        models = [
            m
            for m in apps.get_models()
            if m._meta.app_label not in skip and not m._meta.proxy and m.objects.exists()
        ]
        _REFERENCE.append(
            serializers.serialize("json", [o for m in models for o in m.objects.all()])
        )
    elif not Municipality.objects.exists():
        with transaction.atomic():  # foreign keys are checked at the end
            for obj in serializers.deserialize("json", _REFERENCE[0]):
                obj.save()


# Valid test identity numbers (Luhn-correct; not real people).
PNR_WOMAN = "19900101-0009"  # second-to-last digit even → woman
PNR_MAN = "19850615-2399"
COORDINATION_NUMBER = "19900161-0006"  # day 01 + 60


@pytest.fixture
def today():
    return date(2026, 11, 22)


@pytest.fixture
def world(db):
    """One valid association (Sundbyberg) with members, area, board, interventions and one user
    per role; plus a second association the users have nothing to do with."""
    from finsam.access.models import InterventionAssignment, RoleAssignment
    from finsam.accounts.models import User
    from finsam.domain.access import Role
    from finsam.registry import services

    system = User.objects.create_user(
        "sys", password="pw-sys-123456", is_staff=True, is_superuser=True
    )
    RoleAssignment.objects.create(user=system, role=Role.SYSTEM_ADMIN)

    def association(code, name, municipality, county):
        a = services.association_save(
            actor=system,
            code=code,
            name=name,
            org_number="222000-1784" if code == "SBG" else "",
            start_date=date(2018, 7, 1),
        )
        services.area_add(
            actor=system, association=a, municipality_code=municipality, valid_from=date(2018, 7, 1)
        )
        members = [
            services.member_add(
                actor=system,
                association=a,
                kind="FK",
                organisation_code="FK",
                name="Försäkringskassan",
            ),
            services.member_add(
                actor=system,
                association=a,
                kind="AF",
                organisation_code="AF",
                name="Arbetsförmedlingen",
            ),
            services.member_add(
                actor=system,
                association=a,
                kind="REGION",
                organisation_code=county,
                name="Regionen",
            ),
            services.member_add(
                actor=system,
                association=a,
                kind="MUNICIPALITY",
                organisation_code=municipality,
                name="Kommunen",
            ),
        ]
        persons = services.intervention_save(
            actor=system,
            association=a,
            providers=members[:2],
            code=f"{code}-IND",
            name="Individinsats",
            orientation="individual",
            registration="persons",
            start_date=date(2019, 1, 1),
            status="ongoing",
        )
        volume = services.intervention_save(
            actor=system,
            association=a,
            code=f"{code}-VOL",
            name="Volyminsats",
            orientation="structural",
            registration="volume",
            start_date=date(2019, 1, 1),
            status="ongoing",
        )
        return a, persons, volume

    assoc, persons, volume = association("SBG", "Samordningsförbundet Sundbyberg", "0183", "01")
    other, other_persons, other_volume = association("OTH", "Annat förbund", "0180", "01")

    users = {"system_admin": system}
    for role in (
        Role.ASSOCIATION_ADMIN,
        Role.INTERVENTION_MANAGER,
        Role.PARTICIPANT_HANDLER,
        Role.BOARD_READER,
    ):
        u = User.objects.create_user(role.value, password=f"pw-{role.value}-123")
        RoleAssignment.objects.create(user=u, role=role, association=assoc)
        users[role.value] = u
    analyst = User.objects.create_user("national_analyst", password="pw-analyst-123")
    RoleAssignment.objects.create(user=analyst, role=Role.NATIONAL_ANALYST)
    users["national_analyst"] = analyst
    for intv in (persons, volume):
        InterventionAssignment.objects.create(
            user=users["intervention_manager"], intervention=intv, kind="manager"
        )
        InterventionAssignment.objects.create(
            user=users["participant_handler"], intervention=intv, kind="handler"
        )
    return {
        "association": assoc,
        "persons": persons,
        "volume": volume,
        "users": users,
        "other": other,
        "other_persons": other_persons,
        "other_volume": other_volume,
    }


@pytest.fixture
def enrol(world):
    """Enrol someone through the service (identified by default)."""
    from finsam.domain import registration as rules
    from finsam.registry import services

    def _enrol(*, intervention=None, personal_number=PNR_WOMAN, anonymous=False, **kw):
        data = dict(home_municipality="0183", start_date=date(2024, 3, 1), support_before=["FSS"])
        data.update(kw)
        if anonymous:
            data.update(
                identity_level=rules.ANONYMOUS,
                sex=kw.get("sex", "K"),
                birth_year=kw.get("birth_year", 1995),
            )
        else:
            data.update(
                identity_level=rules.IDENTIFIED,
                personal_number=personal_number,
                consent_date=kw.get("consent_date", date(2024, 3, 1)),
            )
        episode, _ = services.episode_enrol(
            actor=world["users"]["participant_handler"],
            intervention=intervention or world["persons"],
            data=services.enrolment_input_from(data),
            today=date(2026, 11, 22),
        )
        return episode

    return _enrol


def login(client, user):
    client.force_login(user)
    return client
