"""Reads of the finance data that other modules use (reports R8, payback)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from finsam.finance.models import BudgetLine


def intervention_costs(
    *, association_id: int | None = None, date_from: date, date_to: date
) -> dict[str, float]:
    """Cost per intervention code for the budget years the period touches.

    The actual cost where it has been entered, otherwise the budget; a year only partly inside
    the period counts pro rata by months. ESF lines (category ``ESF``) are the ESF-financed part of
    a cost already counted, so they are not added again.
    """
    qs = BudgetLine.objects.filter(
        line=BudgetLine.Line.INTERVENTION_COST,
        year__gte=date_from.year,
        year__lte=date_to.year,
        intervention__isnull=False,
    ).exclude(category="ESF")
    if association_id is not None:
        qs = qs.filter(association_id=association_id)
    costs: dict[str, float] = defaultdict(float)
    for code, year, budget, actual in qs.values_list(
        "intervention__code", "year", "budget", "actual"
    ):
        first = date_from.month if year == date_from.year else 1
        last = date_to.month if year == date_to.year else 12
        share = max(0, last - first + 1) / 12
        amount = float(actual if actual is not None else budget)
        costs[code] += amount * share
    return dict(costs)
