"""The three-year financial plan (``domain/finance/plan.py``): hand-computed cases, properties."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from finsam.domain.finance import plan as p
from finsam.domain.finance.contributions import MemberBasis
from finsam.domain.problems import DomainValidationError

REGIONS = (MemberBasis("01", "Regionen"),)
MUNICIPALITIES = (MemberBasis("0183", "Sundbyberg"),)


def _plan(**kw) -> p.FinancialPlan:
    data = dict(
        association_code="SBG",
        plan_year=2026,
        equity_start=500_000,
        years=(
            p.PlanYearInput(2026, 2_000_000, 1_000_000),
            p.PlanYearInput(2027, 2_200_000, 1_000_000),
            p.PlanYearInput(2028, 1_000_000, None),
        ),
        lines=(
            p.PlanLine(2026, p.ADMIN, "DIRECTOR", 830_000),
            p.PlanLine(2026, p.ADMIN, "PREMISES", 100_000),
            p.PlanLine(2026, p.INTERVENTION, "A", 800_000, "Arbete", "individual", "Arbete", 40),
            p.PlanLine(2026, p.INTERVENTION, "B", 300_000, "Samverkan", "structural", "Nätverk"),
            p.PlanLine(2027, p.ADMIN, "DIRECTOR", 850_000),
            p.PlanLine(2027, p.INTERVENTION, "A", 1_000_000, "Arbete", "individual", "Arbete", 0),
            p.PlanLine(2027, p.INTERVENTION, "B", 500_000, "Samverkan", "structural", ""),
            p.PlanLine(2028, p.ADMIN, "DIRECTOR", 900_000),
            p.PlanLine(2028, p.INTERVENTION, "A", 600_000, "Arbete", "individual", "Arbete", 30),
        ),
        regions=REGIONS,
        municipalities=MUNICIPALITIES,
    )
    data.update(kw)
    return p.FinancialPlan(**data)


def test_hand_computed_three_years():
    r = p.evaluate_plan(_plan())
    y1, y2, y3 = r.years
    # 2026: 2 000 000 → FK 1 000 000, region 500 000, municipality 500 000
    assert {m.organisation_code: m.amount for m in y1.contributions.members} == {
        "FK": 1_000_000,
        "AF": 0,
        "01": 500_000,
        "0183": 500_000,
    }
    assert (y1.revenue, y1.admin_costs, y1.intervention_costs) == (2_000_000, 930_000, 1_100_000)
    assert y1.costs == 2_030_000 and y1.result == -30_000
    assert (y1.equity_start, y1.equity_end) == (500_000, 470_000)
    assert y1.recommended_max_equity == 400_000 and y1.equity_excess == 70_000  # 20 % of 2 MSEK
    assert y1.administration_share == pytest.approx(930_000 / 2_030_000)
    assert y1.planned_participants == 40 and y1.cost_per_participant == 20_000
    assert y1.state_cap == 1_000_000 and y1.take_up_share == 1.0
    # 2027: the state's half (1 100 000) is above its offer (1 000 000)
    assert y2.parties.state == 1_100_000 and y2.state_cap == 1_000_000
    assert (y2.equity_start, y2.result, y2.equity_end) == (470_000, -150_000, 320_000)
    assert y2.recommended_max_equity == 440_000 and not y2.over_recommendation
    # 2028: a deficit of 500 000 takes the equity below zero
    assert (y3.revenue, y3.costs, y3.equity_end) == (1_000_000, 1_500_000, -180_000)
    assert p.plan_totals(r) == {
        "revenue": 5_200_000,
        "costs": 5_880_000,
        "result": -680_000,
        "equity_end": -180_000,
    }
    rules = [(w.rule, w.message[:4]) for w in r.warnings]
    assert rules == [
        ("plan.equity_over_recommendation", "2026"),
        ("plan.state_over_offer", "2027"),
        ("plan.individual_without_participants", "2027"),
        ("plan.intervention_without_goal", "2027"),
        ("plan.negative_equity", "2028"),
    ]
    assert all(w.warning for w in r.warnings)
    assert "högst 2\xa0000\xa0000 kr" in r.warnings[1].message


def test_budget_lines_from_the_first_year():
    r = p.evaluate_plan(_plan())
    lines = {
        (ln.line, ln.category, ln.intervention_code): ln.budget
        for ln in p.budget_lines_for_year(r, 2026)
    }
    assert lines == {
        ("resource", "FK", ""): 1_000_000,
        ("resource", "01", ""): 500_000,
        ("resource", "0183", ""): 500_000,
        ("admin_cost", "DIRECTOR", ""): 830_000,
        ("admin_cost", "PREMISES", ""): 100_000,
        ("intervention_cost", "", "A"): 800_000,
        ("intervention_cost", "", "B"): 300_000,
    }
    with pytest.raises(DomainValidationError) as exc:
        p.budget_lines_for_year(r, 2030)
    assert exc.value.problems[0].rule == "plan.year_missing"


def test_mid_year_start_is_pro_rata():
    r = p.evaluate_plan(_plan(start=date(2026, 7, 1), lines=()))
    assert r.years[0].revenue == 1_000_000  # six months of 2 000 000
    assert r.years[0].contributions.amount_of("0183") == 250_000
    assert r.years[1].revenue == 2_200_000


def test_impossible_plans_are_refused_with_every_problem():
    bad = _plan(
        years=(p.PlanYearInput(2026, -1), p.PlanYearInput(2028, 0)),
        lines=(
            p.PlanLine(2026, p.ADMIN, "CATERING", 10),
            p.PlanLine(2029, p.INTERVENTION, "A", -5),
            p.PlanLine(2026, "gift", "X", 1),
            p.PlanLine(2026, p.ADMIN, "CATERING", 10),
        ),
    )
    with pytest.raises(DomainValidationError) as exc:
        p.evaluate_plan(bad)
    rules = {pr.rule for pr in exc.value.problems}
    assert rules == {
        "plan.years",
        "plan.amount_negative",
        "plan.cost_type",
        "plan.line_year",
        "plan.line_kind",
        "plan.duplicate_line",
    }
    assert "2026–2028" in exc.value.problems[0].message


def test_no_members_puts_the_parties_on_the_total():
    r = p.evaluate_plan(_plan(regions=(), municipalities=(), lines=()))
    assert r.years[0].contributions is None
    assert [w.rule for w in r.warnings if w.message.startswith("2026")] == [
        "plan.no_costs",
        "plan.equity_over_recommendation",
    ]
    assert (r.years[0].parties.state, r.years[0].parties.regions) == (1_000_000, 500_000)


amounts = st.integers(min_value=0, max_value=50_000_000).map(lambda o: o / 100)


@given(
    totals=st.lists(amounts, min_size=3, max_size=3),
    costs=st.lists(amounts, min_size=3, max_size=3),
    equity=st.integers(min_value=-1_000_000_00, max_value=1_000_000_00).map(lambda o: o / 100),
)
def test_equity_path_and_contributions(totals, costs, equity):
    plan = _plan(
        equity_start=equity,
        years=tuple(p.PlanYearInput(2026 + i, t, None) for i, t in enumerate(totals)),
        lines=tuple(p.PlanLine(2026 + i, p.ADMIN, "OTHER", c) for i, c in enumerate(costs)),
        municipalities=(MemberBasis("0183", "A"), MemberBasis("0184", "B")),
    )
    r = p.evaluate_plan(plan)
    assert r.years[0].equity_start == pytest.approx(equity)
    for a, b in zip(r.years, r.years[1:], strict=False):
        assert b.equity_start == a.equity_end
    assert r.years[-1].equity_end == pytest.approx(equity + sum(totals) - sum(costs), abs=0.05)
    for y, total in zip(r.years, totals, strict=True):
        assert y.revenue == pytest.approx(total, abs=0.005)
        members = sum(m.amount for m in (y.contributions.members if y.contributions else ()))
        if y.contributions:
            assert members == pytest.approx(y.revenue, abs=0.005)
        assert abs(y.parties.state - (y.parties.regions + y.parties.municipalities)) <= 0.011
        assert y.equity_excess >= 0
