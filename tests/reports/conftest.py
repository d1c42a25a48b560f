"""A small registry made through the services, for the report selectors, pages and command."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import COORDINATION_NUMBER, PNR_MAN, PNR_WOMAN

PERIOD = (date(2025, 1, 1), date(2025, 12, 31))


@pytest.fixture
def registry(world, enrol):
    """Episodes in Sundbyberg (SBG) and the other association (OTH), period 2025:

    - e1 identified woman, 2024-03-01 → 2025-05-31 ARB, work 40 h; follow-up at 6 months
    - e2 identified man, 2024-06-01 → 2025-09-30 STU, studies 20 h
    - e3 anonymous woman, started 2025-02-01, still enrolled
    - e4 anonymous sex X, 2025-01-15 → 2025-10-31 AVB
    - e5 identified (coordination number), started 2025-03-01, marked FEL (excluded everywhere)
    - e6 anonymous man in OTH, 2025-04-01 → 2025-08-31 ARB, work 40 h
    - e7 the woman of e1 again, in OTH, started 2025-06-15 (a returning person)
    plus volume counts for SBG-VOL and budget lines for SBG 2025.
    """
    from finsam.finance.models import BudgetLine
    from finsam.registry import services

    handler = world["users"]["participant_handler"]
    today = date(2026, 11, 22)

    def exit_(episode, **kw):
        return services.episode_exit(
            actor=handler, episode=episode, data=services.exit_input_from(kw), today=today
        )

    e1 = enrol(
        start_date=date(2024, 3, 1),
        support_before=["FSS"],
        education="GRU",
        time_on_support="3TO9",
        occupation_before="ARS",
        work_hours_before=0.0,
        study_hours_before=0.0,
    )
    exit_(
        e1,
        end_date=date(2025, 5, 31),
        exit_reason="ARB",
        support_after=["ING"],
        occupation_after="ARB",
        work_hours=40.0,
        study_hours=0.0,
    )
    e2 = enrol(
        personal_number=PNR_MAN,
        start_date=date(2024, 6, 1),
        consent_date=date(2024, 6, 1),
        support_before=["FSS", "AKS"],
        education="EFT",
        time_on_support="1TO3",
    )
    exit_(
        e2,
        end_date=date(2025, 9, 30),
        exit_reason="STU",
        support_after=["STU"],
        occupation_after="STU",
        work_hours=0.0,
        study_hours=20.0,
    )
    e3 = enrol(anonymous=True, start_date=date(2025, 2, 1), support_before=["SJP"], sex="K")
    e4 = enrol(
        anonymous=True,
        sex="X",
        birth_year=1980,
        start_date=date(2025, 1, 15),
        support_before=["SJP"],
        education="GYM",
    )
    exit_(
        e4,
        end_date=date(2025, 10, 31),
        exit_reason="AVB",
        support_after=["SJP"],
        occupation_after="OVR",
    )
    e5 = enrol(
        personal_number=COORDINATION_NUMBER,
        start_date=date(2025, 3, 1),
        consent_date=date(2025, 3, 1),
    )
    services.episode_mark_error(actor=handler, episode=e5, reason="fel person")
    e6 = enrol(
        intervention=world["other_persons"],
        anonymous=True,
        sex="M",
        birth_year=1970,
        home_municipality="0180",
        start_date=date(2025, 4, 1),
    )
    exit_(
        e6,
        end_date=date(2025, 8, 31),
        exit_reason="ARB",
        support_after=["ING"],
        occupation_after="ARB",
        work_hours=40.0,
        study_hours=0.0,
    )
    e7 = enrol(
        intervention=world["other_persons"],
        personal_number=PNR_WOMAN,
        home_municipality="0180",
        start_date=date(2025, 6, 15),
        consent_date=date(2025, 6, 15),
    )
    services.followup_record(
        actor=handler,
        episode=e1,
        months_after=6,
        support=["ING"],
        occupation="ARB",
        work_hours=40.0,
    )
    services.volume_record(
        actor=handler,
        intervention=world["volume"],
        month=date(2025, 3, 1),
        women=3,
        men=2,
        other=1,
    )
    sbg = world["association"]
    for line, category, intervention, budget, actual in [
        ("resource", "FK", None, 100000, 100000),
        ("resource", "0183", None, 50000, 50000),
        ("resource", "EK", None, 10000, None),
        ("intervention_cost", "", world["persons"], 80000, 75000),
        ("admin_cost", "PREMISES", None, 20000, 21000),
    ]:
        BudgetLine.objects.create(
            association=sbg,
            year=2025,
            line=line,
            category=category,
            intervention=intervention,
            budget=budget,
            actual=actual,
        )
    return {"episodes": [e1, e2, e3, e4, e5, e6, e7], **world}
