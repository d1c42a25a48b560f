from datetime import date

from finsam.finance.models import BudgetLine
from finsam.finance.selectors import intervention_costs


def test_intervention_costs_prefer_actuals_and_prorate_partial_years(world):
    assoc, intv = world["association"], world["persons"]
    BudgetLine.objects.create(
        association=assoc,
        year=2024,
        line="intervention_cost",
        intervention=intv,
        budget=120_000,
        actual=240_000,
    )
    BudgetLine.objects.create(
        association=assoc, year=2025, line="intervention_cost", intervention=intv, budget=120_000
    )
    BudgetLine.objects.create(
        association=assoc,
        year=2025,
        line="intervention_cost",
        category="ESF",
        intervention=intv,
        budget=60_000,
    )
    costs = intervention_costs(
        association_id=assoc.pk, date_from=date(2024, 7, 1), date_to=date(2025, 3, 31)
    )
    # 6/12 of the 2024 actual + 3/12 of the 2025 budget; the ESF line is part of the cost.
    assert costs == {intv.code: 120_000 + 30_000}
