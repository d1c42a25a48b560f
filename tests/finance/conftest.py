"""Finance fixtures: the Sundbyberg seed (000) as a budget year, and a small allocation input."""

from __future__ import annotations

from datetime import date

import pytest

ALLOCATION_CSV = (
    "association_code,name,support_measure_sek,population_16_64,previous_allocation,equity,"
    "revenue,requested\n"
    "SBG,Sundbyberg,300000000,30000,1000000,100000,2000000,\n"
    "OTH,Annat förbund,500000000,60000,2500000,2000000,5000000,\n"
    "HOG,Höglandet,700000000,52541,3000000,567000,6423000,3205000\n"
    "FIN,Finnveden,600000000,44310,2500000,1690000,5144000,\n"
).encode()


@pytest.fixture
def sundbyberg(world):
    """Sundbyberg 2019 from seed 000: 2 000 000 from the members (FK 1 000 000, the region
    500 000, the municipality 500 000); the director 829 980, premises and IT 100 000, board and
    auditors 160 000; 800 000 for interventions (600 000 individual with 150 000 ESF, 200 000
    structural)."""
    from finsam.finance import services

    assoc, system = world["association"], world["users"]["system_admin"]
    persons, volume = world["persons"], world["volume"]
    persons.planned_participants = 30
    persons.save()
    services.association_year_save(
        actor=system,
        association=assoc,
        year=2019,
        budget_adopted=date(2018, 11, 20),
        annual_report_adopted=date(2020, 3, 15),
        equity_start=300_000,
        population_16_64=30_000,
        contribution_total=2_000_000,
        state_offer=1_000_000,
    )
    lines = [
        ("resource", "FK", "", 1_000_000, 1_000_000),
        ("resource", "01", "", 500_000, 500_000),
        ("resource", "0183", "", 500_000, 500_000),
        ("admin_cost", "DIRECTOR", "", 829_980, 829_980),
        ("admin_cost", "PREMISES", "", 100_000, 110_000),
        ("admin_cost", "BOARD", "", 160_000, 150_000),
        ("intervention_cost", "", persons.code, 600_000, 540_000),
        ("intervention_cost", "ESF", persons.code, 150_000, None),
        ("intervention_cost", "", volume.code, 200_000, 200_000),
    ]
    for line, category, code, budget, actual in lines:
        services.budget_line_save(
            actor=system,
            association=assoc,
            year=2019,
            line=line,
            category=category,
            intervention_code=code,
            budget=budget,
            actual=actual,
        )
    return world
