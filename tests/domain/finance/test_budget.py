from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from finsam.domain.finance.budget import (
    AdminCostLine,
    AssociationYearBudget,
    BudgetLine,
    InterventionCost,
    ResourceLine,
    budget_to_lines,
    budgets_from_lines,
    equity_share_percent,
    funder_kind,
    salary_cost,
    validate_budget_lines,
)
from finsam.domain.finance.contributions import capped_state
from finsam.domain.problems import DomainValidationError


def test_sundbyberg_director_salary_with_payroll_overhead():
    cost = salary_cost(50_000)
    assert cost == 829_980  # 50 000 × 12 × 1.3833
    assert abs(cost - 830_000) < 100  # "about 830 000"
    assert salary_cost(50_000, months=6) == 414_990


def sundbyberg_budget() -> AssociationYearBudget:
    """Seed 000: 2 000 000 a year; director, premises/overhead/IT, board and auditors; the rest
    (40 % of the budget) for structural and individual interventions."""
    return AssociationYearBudget(
        association_code="SUNDBYBERG",
        year=2019,
        resources=(
            ResourceLine("FK", 1_000_000),
            ResourceLine("01", 500_000),
            ResourceLine("0183", 500_000),
        ),
        admin_costs=(
            AdminCostLine("DIRECTOR", salary_cost(50_000)),
            AdminCostLine("PREMISES", 100_000, label="Lokal, OH och IT"),
            AdminCostLine("BOARD", 160_000, label="Styrelse, ersättare och revisorer"),
        ),
        interventions=(
            InterventionCost("STRUKT", "Strukturell samverkan", "structural", 400_000),
            InterventionCost(
                "UNGA", "Unga till arbete", "individual", 400_000, planned_participants=40
            ),
        ),
        population_16_64=30_000,
    )


def test_sundbyberg_budget_totals_and_ratios():
    budget = sundbyberg_budget()
    assert budget.revenue() == 2_000_000
    assert budget.admin_costs_total() == 1_089_980
    assert budget.intervention_costs_total() == 800_000
    assert budget.intervention_costs_total() / budget.revenue() == pytest.approx(0.40)
    assert budget.result() == pytest.approx(110_020)
    assert budget.equity_end() == pytest.approx(110_020)
    ratios = budget.key_ratios()
    assert ratios.administration_share == pytest.approx(1_089_980 / 1_889_980)
    assert ratios.structural_share == pytest.approx(0.5)
    assert ratios.individual_share == pytest.approx(0.5)
    assert ratios.participants == 40
    assert ratios.cost_per_participant == pytest.approx(10_000)
    assert ratios.budget_per_inhabitant_16_64 == pytest.approx(2_000_000 / 30_000)
    assert ratios.recommended_max_equity == pytest.approx(400_000)
    assert not ratios.over_equity_recommendation
    assert budget.revenue_by_kind() == {
        "STATE": 1_000_000,
        "REGION": 500_000,
        "MUNICIPALITY": 500_000,
    }


def test_jonkoping_2019_result_and_equity_share(jonkoping_2019):
    assert set(jonkoping_2019) == {"Höglandet", "Södra Vätterbygden", "Finnveden"}
    for name, row in jonkoping_2019.items():
        revenue = int(row["summa_intakter_tkr"]) * 1000
        costs = int(row["summa_kostnader_tkr"]) * 1000
        result = int(row["arets_resultat_tkr"]) * 1000
        equity = int(row["eget_kapital_tkr"]) * 1000
        year = AssociationYearBudget(
            association_code=name,
            year=2019,
            equity_start=equity - result,
            resources=(ResourceLine("FK", revenue, revenue),),
            admin_costs=(AdminCostLine("OTHER", costs, costs),),
        )
        ratios = year.key_ratios("actual")
        assert ratios.result == result, name
        assert ratios.equity_end == equity, name
        pct = int(row["eget_kapital_andel_av_intakter_pct"])
        assert round(ratios.equity_share_of_revenue * 100) == pct, name
        assert equity_share_percent(equity, revenue) == pct, name
    # the published shares 9 / 14 / 33 %
    assert [
        int(jonkoping_2019[n]["eget_kapital_andel_av_intakter_pct"])
        for n in ("Höglandet", "Södra Vätterbygden", "Finnveden")
    ] == [9, 14, 33]


def test_jonkoping_2019_state_funds_used(jonkoping_2019):
    """The members matched what they used: used = cap(offer, 2 × half, 2 × half)."""
    expected = {"Finnveden": 2_570_000, "Höglandet": 3_205_000, "Södra Vätterbygden": 3_036_000}
    for name, row in jonkoping_2019.items():
        used = int(row["statliga_medel_utnyttjade_kr"])
        assert used == expected[name]
        share = int(row["statlig_tilldelning_utnyttjad_pct"]) / 100
        offer = used / share
        amounts = capped_state(offer, used / 2, used / 2)
        assert amounts.state == used
        assert amounts.total == 2 * used  # "the members add the same amount again"
        # and the accounts: revenue is about twice the state money (plus other income)
        assert int(row["summa_intakter_tkr"]) * 1000 >= 2 * used
    finnveden = jonkoping_2019["Finnveden"]
    assert int(finnveden["statlig_tilldelning_utnyttjad_pct"]) == 100


def test_equity_carried_over_is_financing_not_revenue():
    year = AssociationYearBudget(
        "X",
        2020,
        equity_start=500_000,
        resources=(ResourceLine("FK", 1_000_000), ResourceLine("EK", 200_000)),
        admin_costs=(AdminCostLine("OTHER", 1_200_000),),
    )
    assert year.revenue() == 1_000_000
    assert year.result() == -200_000
    assert year.equity_end() == 300_000


def test_forecast_methods():
    year = AssociationYearBudget(
        "X",
        2020,
        resources=(ResourceLine("FK", 1_200, 600),),
        admin_costs=(AdminCostLine("OTHER", 1_200, 500), AdminCostLine("IT", 100, 150)),
        interventions=(InterventionCost("A", budget=1_000, actual=200, planned_participants=10),),
    )
    remaining = year.forecast(6)
    assert [c.actual for c in remaining.admin_costs] == [1_200, 150]  # overrun stays
    assert remaining.interventions[0].actual == 1_000
    assert remaining.interventions[0].actual_participants == 10
    linear = year.forecast(6, "linear")
    assert [c.actual for c in linear.admin_costs] == [1_100, 200]
    assert linear.revenue("actual") == 1_200
    assert year.forecast(12).costs("actual") == 850  # at year end the forecast is the actual
    with pytest.raises(DomainValidationError):
        year.forecast(13)


def test_esf_share():
    year = AssociationYearBudget(
        "X", 2020, interventions=(InterventionCost("A", budget=1_000_000, esf_share=0.4),)
    )
    assert year.esf_financing() == pytest.approx(400_000)


def test_funder_codes():
    assert funder_kind("FK") == funder_kind("af") == "STATE"
    assert funder_kind("06") == "REGION"
    assert funder_kind("0680") == "MUNICIPALITY"
    assert funder_kind("ESF") == "ESF"
    assert funder_kind("SPONSOR") is None


def test_invalid_budget_lists_every_problem():
    year = AssociationYearBudget(
        "X",
        2020,
        resources=(ResourceLine("FK", -5), ResourceLine("SPONSOR", 10)),
        admin_costs=(AdminCostLine("COFFEE", 10),),
        interventions=(
            InterventionCost("A", orientation="other", esf_share=1.5),
            InterventionCost("A", planned_participants=-1),
        ),
    )
    rules = [p.rule for p in year.validate()]
    assert rules == [
        "amount.negative",
        "budget.unknown_funder",
        "budget.unknown_cost_type",
        "budget.unknown_orientation",
        "budget.esf_share_range",
        "budget.duplicate_intervention",
        "budget.negative_participants",
    ]
    with pytest.raises(DomainValidationError) as exc:
        year.key_ratios()
    assert "COFFEE" in str(exc.value)


# --- budget_lines.csv --------------------------------------------------------------------------


def test_budget_lines_round_trip():
    budget = sundbyberg_budget()
    budget = AssociationYearBudget(
        budget.association_code,
        budget.year,
        resources=budget.resources,
        admin_costs=budget.admin_costs,
        interventions=(
            InterventionCost("STRUKT", orientation="structural", budget=400_000, actual=100_000),
            InterventionCost("UNGA", budget=400_000, esf_share=0.25, planned_participants=40),
        ),
    )
    lines = budget_to_lines(budget)
    assert [ln.line for ln in lines].count("intervention_cost") == 3  # UNGA has an ESF line
    registry = {
        "STRUKT": InterventionCost("STRUKT", "Strukturell samverkan", "structural"),
        "UNGA": InterventionCost("UNGA", "Unga till arbete", planned_participants=40),
    }
    (rebuilt,) = budgets_from_lines(lines, registry, population_16_64={"SUNDBYBERG": 30_000})
    assert rebuilt.revenue() == budget.revenue()
    assert rebuilt.costs() == budget.costs()
    assert rebuilt.esf_financing() == pytest.approx(100_000)
    assert rebuilt.key_ratios().structural_share == pytest.approx(0.5)
    assert rebuilt.key_ratios().cost_per_participant == pytest.approx(10_000)
    assert rebuilt.interventions[0].name == "Strukturell samverkan"
    assert rebuilt.population_16_64 == 30_000


def test_budget_lines_group_per_association_and_year():
    lines = [
        BudgetLine("A", 2020, "resource", "FK", budget=100),
        BudgetLine("A", 2021, "resource", "FK", budget=200),
        BudgetLine("B", 2020, "admin_cost", "IT", budget=50, actual=40),
    ]
    budgets = budgets_from_lines(lines, equity_start={("A", 2021): 30})
    assert [(b.association_code, b.year) for b in budgets] == [
        ("A", 2020),
        ("A", 2021),
        ("B", 2020),
    ]
    assert budgets[1].equity_end() == 230
    assert budgets[2].costs("actual") == 40


def test_bad_budget_lines_give_every_problem_and_no_budget():
    lines = [
        BudgetLine("A", 2020, "resource", "SPONSOR", budget=100),
        BudgetLine("A", 2020, "admin_cost", "COFFEE", budget=10),
        BudgetLine("A", 2020, "intervention_cost", "", "", budget=10),
        BudgetLine("A", 2020, "intervention_cost", "X", "NOPE", budget=10),
        BudgetLine("A", 2020, "salary", "", budget=10),
        BudgetLine("A", 2020, "resource", "FK", budget=-1),
        BudgetLine("A", 2020, "resource", "FK", budget=1),
    ]
    problems = validate_budget_lines(lines, intervention_codes=["UNGA"])
    assert [(p.row, p.rule) for p in problems] == [
        (1, "budget.unknown_funder"),
        (2, "budget.unknown_cost_type"),
        (3, "budget.intervention_missing"),
        (4, "budget.unknown_intervention"),
        (4, "budget.intervention_category"),
        (5, "budget.unknown_line"),
        (6, "amount.negative"),
        (7, "budget.duplicate_line"),
    ]
    with pytest.raises(DomainValidationError):
        budgets_from_lines(lines)


amounts = st.integers(0, 10**8)


@st.composite
def years(draw):
    resources = tuple(
        ResourceLine(draw(st.sampled_from(["FK", "06", "0680", "ESF", "EK"])), b, a)
        for b, a in draw(st.lists(st.tuples(amounts, amounts | st.none()), max_size=5))
    )
    admin = tuple(
        AdminCostLine(draw(st.sampled_from(["PREMISES", "DIRECTOR", "IT"])), b, a)
        for b, a in draw(st.lists(st.tuples(amounts, amounts | st.none()), max_size=5))
    )
    interventions = tuple(
        InterventionCost(f"I{i}", orientation=o, budget=b, actual=a, planned_participants=p)
        for i, (o, b, a, p) in enumerate(
            draw(
                st.lists(
                    st.tuples(
                        st.sampled_from(["individual", "structural"]),
                        amounts,
                        amounts | st.none(),
                        st.none() | st.integers(0, 500),
                    ),
                    max_size=5,
                )
            )
        )
    )
    return AssociationYearBudget(
        "X", 2020, draw(st.integers(-(10**7), 10**7)), resources, admin, interventions
    )


@given(years(), st.integers(0, 12), st.sampled_from(["remaining", "linear"]))
def test_property_budget_identities_and_forecast(year, months, method):
    for basis in ("budget", "actual"):
        ratios = year.key_ratios(basis)
        assert ratios.result == pytest.approx(ratios.revenue - ratios.costs)
        assert ratios.equity_end == pytest.approx(year.equity_start + ratios.result)
        if ratios.structural_share is not None:
            assert ratios.structural_share + ratios.individual_share == pytest.approx(1)
        if ratios.administration_share is not None:
            assert 0 <= ratios.administration_share <= 1
    forecast = year.forecast(months, method)
    # a forecast is never below what has already happened
    assert forecast.costs("actual") >= year.costs("actual") - 1e-6
    assert forecast.revenue("actual") >= year.revenue("actual") - 1e-6
