"""A hand-made registry for the payback and coverage tests.

Parameter table (kr per month): FSS costs the municipality 10 000 and society 2 000, SJP costs FK
20 000, AKA costs AF 15 000; a full-time job brings the municipality 5 000 and the region 3 000 in
tax, and produces 30 000 for society.

Three participants of SBG-IND exit in 2025 (plus one registration error, one exit in 2024 and one
in the other association, which must all be left out):

- A: FSS, no work → no public support, 40 h work. municipality 10 000 + 5 000, region 3 000,
  society 2 000 + 30 000.
- B: SJP → AKA, no work. FK +20 000, AF −15 000.
- C: FSS → FSS at exit, but the 6-month follow-up says no public support and 20 h work.
  municipality 10 000 + 2 500, region 1 500, society 2 000 + 15 000.

Totals per month: municipality 27 500, region 4 500, FK 20 000, AF −15 000, society 49 000.
Cost 1 200 000 in 2025: FK/AF/region/municipality 300 000 each, society 1 200 000.
Payback: municipality 10.9, region 66.7, FK 15.0, AF never, society 24.5 months.
"""

from __future__ import annotations

from datetime import date

import pytest

PARAMETERS_CSV = """item,actor,monthly_sek,source,year,assumption,note
FSS,municipality,10000,Testkälla,2025,0,
FSS,society,2000,Testkälla,2025,1,antagande
SJP,fk,20000,Testkälla,2025,0,
AKA,af,15000,Testkälla,2025,0,
WORK_FULLTIME,municipality,5000,Testkälla,2025,0,
WORK_FULLTIME,region,3000,Testkälla,2025,0,
PRODUCTION_FULLTIME,society,30000,Testkälla,2025,1,
"""

EXPECTED_GAIN = {
    "municipality": 27_500,
    "region": 4_500,
    "fk": 20_000,
    "af": -15_000,
    "society": 49_000,
}
EXPECTED_MONTHS = {
    "municipality": 300_000 / 27_500,
    "region": 300_000 / 4_500,
    "fk": 15.0,
    "af": None,
    "society": 1_200_000 / 49_000,
}


@pytest.fixture
def flows_registry(world, enrol):
    from finsam.finance.models import BudgetLine
    from finsam.registry import services

    handler = world["users"]["participant_handler"]

    def leave(episode, end, reason, after, hours=None):
        services.episode_exit(
            actor=handler,
            episode=episode,
            data=services.exit_input_from(
                {
                    "end_date": end,
                    "exit_reason": reason,
                    "support_after": after,
                    "work_hours": hours,
                }
            ),
            today=date(2026, 11, 22),
        )
        return episode

    a = enrol(personal_number="19900101-0009", support_before=["FSS"], work_hours_before=0)
    leave(a, date(2025, 2, 1), "ARB", ["ING"], 40)
    b = enrol(personal_number="19850615-2399", support_before=["SJP"])
    leave(b, date(2025, 3, 1), "REH", ["AKA"], 0)
    c = enrol(anonymous=True, support_before=["FSS"])
    leave(c, date(2025, 4, 1), "REH", ["FSS"], 0)
    services.followup_record(
        actor=handler, episode=c, months_after=6, support=["ING"], work_hours=20
    )
    # Left out: a registration error, an exit before the period, the other association.
    error = enrol(anonymous=True, support_before=["FSS"], sex="M")
    leave(error, date(2025, 5, 1), "ARB", ["ING"], 40)
    services.episode_mark_error(actor=handler, episode=error, reason="fel person")
    early = enrol(anonymous=True, support_before=["FSS"])
    leave(early, date(2024, 12, 31), "ARB", ["ING"], 40)
    other = enrol(anonymous=True, support_before=["FSS"], intervention=world["other_persons"])
    leave(other, date(2025, 6, 1), "ARB", ["ING"], 40)
    BudgetLine.objects.create(
        association=world["association"],
        year=2025,
        line="intervention_cost",
        intervention=world["persons"],
        budget=1_000_000,
        actual=1_200_000,
    )
    return {"a": a, "b": b, "c": c, "error": error, "early": early, "other": other}


@pytest.fixture
def parameters():
    from finsam.domain.socioeconomics.parameters import read_parameters

    return read_parameters(PARAMETERS_CSV, valid_year=2025)
