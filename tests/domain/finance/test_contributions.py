from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from finsam.domain.finance.contributions import (
    FinancingRule,
    MemberBasis,
    RevenueLine,
    SplitMethod,
    active_months,
    annual_report_deadline,
    budget_deadline,
    capped_state,
    check_intervention_parties,
    deadline_warnings,
    financing_rule,
    non_member_revenue,
    plan_contributions,
    pro_rata,
    shares_of_total,
    split_between_members,
)
from finsam.domain.problems import DomainValidationError

SUNDBYBERG_REGION = [MemberBasis("01", "Stockholms läns landsting")]
SUNDBYBERG_MUNICIPALITY = [MemberBasis("0183", "Sundbyberg")]


# --- seed 000: Sundbyberg ---------------------------------------------------------------------


def test_sundbyberg_annual_budget_is_split_50_25_25():
    amounts = shares_of_total(2_000_000, 2019)
    assert (amounts.state, amounts.regions, amounts.municipalities) == (
        1_000_000,
        500_000,
        500_000,
    )
    assert amounts.total == 2_000_000


def test_sundbyberg_full_year_plan_per_member():
    plan = plan_contributions(2019, 2_000_000, SUNDBYBERG_REGION, SUNDBYBERG_MUNICIPALITY)
    assert plan.months == 12
    assert plan.amount_of("FK") == 1_000_000
    assert plan.amount_of("AF") == 0  # AF's part is paid by FK
    assert plan.amount_of("01") == 500_000
    assert plan.amount_of("0183") == 500_000
    assert sum(m.amount for m in plan.members) == 2_000_000


def test_sundbyberg_starting_1_july_2018_gets_half_a_year():
    assert pro_rata(2_000_000, 2018, start=date(2018, 7, 1)) == 1_000_000
    plan = plan_contributions(
        2018, 2_000_000, SUNDBYBERG_REGION, SUNDBYBERG_MUNICIPALITY, start=date(2018, 7, 1)
    )
    assert plan.months == 6
    assert plan.year_amounts.total == 1_000_000
    assert plan.amount_of("0183") == 250_000
    assert plan.amount_of("FK") == 500_000
    # the following year is a full year again
    plan_2019 = plan_contributions(
        2019, 2_000_000, SUNDBYBERG_REGION, SUNDBYBERG_MUNICIPALITY, start=date(2018, 7, 1)
    )
    assert plan_2019.amount_of("0183") == 500_000


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (None, None, 12),
        (date(2018, 7, 1), None, 6),
        (date(2018, 7, 2), None, 5),  # only whole months count
        (date(2019, 1, 1), None, 0),  # starts next year
        (date(2017, 3, 15), None, 12),  # started earlier
        (None, date(2018, 6, 30), 6),
        (None, date(2018, 6, 29), 5),
        (date(2018, 3, 1), date(2018, 8, 31), 6),
        (None, date(2017, 12, 31), 0),
    ],
)
def test_active_months(start, end, months):
    assert active_months(2018, start, end) == months


def test_end_before_start_is_an_error():
    with pytest.raises(DomainValidationError) as exc:
        pro_rata(1_000, 2018, start=date(2018, 7, 1), end=date(2018, 3, 31))
    assert exc.value.problems[0].rule == "contributions.end_before_start"


# --- the cap -----------------------------------------------------------------------------------


def test_cap_hoglandet_2019_members_matching_80_percent():
    # Höglandet used 80 % (3 205 000) of its offer; the members matched the same amount again.
    offer = 3_205_000 / 0.80
    amounts = capped_state(offer, 1_602_500, 1_602_500)
    assert amounts.state == 3_205_000
    assert amounts.regions == amounts.municipalities == 1_602_500


def test_cap_uses_the_smaller_local_part():
    amounts = capped_state(5_000_000, region_total=1_000_000, municipal_total=3_000_000)
    assert amounts.state == 2_000_000
    assert amounts.regions == amounts.municipalities == 1_000_000


def test_cap_rejects_negative_amounts():
    with pytest.raises(DomainValidationError) as exc:
        capped_state(-1, 10, 10)
    assert exc.value.problems[0].rule == "amount.negative"
    assert "negativt" in exc.value.problems[0].message


@given(
    offer=st.integers(0, 10**9),
    region=st.integers(0, 10**9),
    municipal=st.integers(0, 10**9),
)
def test_cap_properties(offer, region, municipal):
    amounts = capped_state(offer, region, municipal)
    assert amounts.state <= offer
    assert amounts.state <= 2 * region
    assert amounts.state <= 2 * municipal
    assert amounts.state == min(offer, 2 * region, 2 * municipal)
    assert amounts.regions == amounts.municipalities == amounts.state / 2


# --- splitting between members ------------------------------------------------------------------

MUNICIPALITIES = [
    MemberBasis("0604", "Aneby", population=3_800, support_measure=40e6, percent=10),
    MemberBasis("0687", "Tranås", population=10_500, support_measure=120e6, percent=30),
    MemberBasis("0685", "Vetlanda", population=15_700, support_measure=140e6, percent=60),
]


def test_split_equal_sums_exactly():
    split = split_between_members(100, MUNICIPALITIES, "equal")
    assert sorted(split.values()) == [33.33, 33.33, 33.34]
    assert round(sum(split.values()), 2) == 100


def test_split_by_population():
    split = split_between_members(300_000, MUNICIPALITIES, SplitMethod.POPULATION)
    assert split == {"0604": 38_000, "0687": 105_000, "0685": 157_000}


def test_split_by_support_measure_and_custom():
    assert split_between_members(300_000, MUNICIPALITIES, "support_measure") == {
        "0604": 40_000,
        "0687": 120_000,
        "0685": 140_000,
    }
    assert split_between_members(1_000, MUNICIPALITIES, "custom") == {
        "0604": 100,
        "0687": 300,
        "0685": 600,
    }


def test_custom_percentages_must_sum_to_100():
    members = [MemberBasis("0604", percent=45), MemberBasis("0687", percent=50)]
    with pytest.raises(DomainValidationError) as exc:
        split_between_members(1_000, members, "custom")
    problem = exc.value.problems[0]
    assert problem.rule == "contributions.percent_sum"
    assert problem.message == "Andelarna för kommunerna måste summera till 100 % (nu 95 %)."


def test_split_errors_are_swedish_and_complete():
    with pytest.raises(DomainValidationError) as exc:
        split_between_members(1_000, [MemberBasis("0604"), MemberBasis("0604")], "population")
    assert [p.rule for p in exc.value.problems] == ["contributions.duplicate_member"]
    with pytest.raises(DomainValidationError) as exc:
        split_between_members(1_000, [MemberBasis("0604"), MemberBasis("0687")], "population")
    assert [p.rule for p in exc.value.problems] == ["contributions.missing_basis"] * 2
    assert "befolkning saknas" in exc.value.problems[0].message
    with pytest.raises(DomainValidationError) as exc:
        split_between_members(1_000, MUNICIPALITIES, "by_weather")
    assert exc.value.problems[0].rule == "contributions.split_method"
    with pytest.raises(DomainValidationError):
        split_between_members(1_000, [], "equal")


@given(
    total=st.integers(0, 10**9).map(lambda x: x / 100),
    weights=st.lists(st.integers(1, 10**7), min_size=1, max_size=12),
)
def test_split_property_sums_exactly_to_the_ore(total, weights):
    members = [MemberBasis(f"{i:04d}", population=w) for i, w in enumerate(weights)]
    split = split_between_members(total, members, "population")
    assert round(sum(round(v * 100) for v in split.values())) == round(total * 100)
    assert all(v >= 0 for v in split.values())


# --- deadlines ---------------------------------------------------------------------------------


def test_deadline_dates():
    assert budget_deadline(2019) == date(2018, 11, 30)
    assert annual_report_deadline(2019) == date(2020, 3, 31)


def test_budget_deadline_warnings():
    approaching = deadline_warnings(date(2018, 11, 15), 2019)
    assert [p.rule for p in approaching] == ["deadline.budget_approaching"]
    assert approaching[0].warning
    assert "2018-11-30" in approaching[0].message and "om 15 dagar" in approaching[0].message
    missed = deadline_warnings(date(2018, 12, 5), 2019)
    assert [p.rule for p in missed] == ["deadline.budget_missed"]
    late = deadline_warnings(date(2018, 12, 15), 2019, budget_adopted=date(2018, 12, 10))
    assert [p.rule for p in late] == ["deadline.budget_late"]
    assert deadline_warnings(date(2018, 12, 15), 2019, budget_adopted=date(2018, 11, 20)) == []
    # well before the deadline: nothing
    assert deadline_warnings(date(2018, 6, 1), 2019) == []


def test_annual_report_deadline_warnings():
    done_budget = date(2018, 11, 1)
    assert [
        p.rule for p in deadline_warnings(date(2020, 3, 10), 2019, budget_adopted=done_budget)
    ] == ["deadline.annual_report_approaching"]
    missed = deadline_warnings(date(2020, 4, 15), 2019, budget_adopted=done_budget)
    assert [p.rule for p in missed] == ["deadline.annual_report_missed"]
    assert all(p.warning for p in missed)
    late = deadline_warnings(
        date(2020, 5, 1), 2019, budget_adopted=done_budget, annual_report_adopted=date(2020, 4, 20)
    )
    assert [p.rule for p in late] == ["deadline.annual_report_late"]


# --- revenue from members only, two parties per intervention ----------------------------------


def test_non_member_revenue_is_flagged():
    members = ["FK", "AF", "06", "0680"]
    lines = [
        RevenueLine("FK", 1_000_000),
        RevenueLine("06", 500_000),
        RevenueLine("0680", 500_000),
        RevenueLine("EK", 200_000, "Eget kapital från 2018"),
        RevenueLine("ESF", 300_000, "ESF-projekt"),
        RevenueLine("ICA", 10_000, "Sponsring"),
        RevenueLine("0684", 50_000, "Sävsjö kommun"),
    ]
    problems = non_member_revenue(lines, members)
    assert [p.row for p in problems] == [5, 6, 7]
    assert all(p.warning and p.rule == "contributions.non_member_revenue" for p in problems)
    assert "Sponsring (10\u00a0000 kr) kommer från ICA" in problems[1].message


@pytest.mark.parametrize(
    ("kinds", "ok"),
    [
        (["MUNICIPALITY", "MUNICIPALITY"], False),  # two municipalities are one party
        (["FK", "AF"], False),  # both are the state
        (["REGION"], False),
        ([], False),
        (["FK", "MUNICIPALITY"], True),
        (["REGION", "MUNICIPALITY", "MUNICIPALITY"], True),
        (["AF", "REGION"], True),
    ],
)
def test_intervention_needs_two_parties(kinds, ok):
    problems = check_intervention_parties("INS1", kinds)
    assert (problems == []) is ok
    if not ok:
        assert problems[-1].rule == "contributions.min_parties"
        assert "minst 2 parter" in problems[-1].message


def test_unknown_member_kind_is_an_error():
    problems = check_intervention_parties("INS1", ["FK", "SKOLVERKET", "MUNICIPALITY"])
    assert [p.rule for p in problems] == ["contributions.unknown_member_kind"]


def test_rules_are_dated():
    assert financing_rule(2019).state_share == 0.5
    with pytest.raises(DomainValidationError) as exc:
        financing_rule(date(2003, 12, 31))
    assert exc.value.problems[0].rule == "contributions.before_law"
    rules = (FinancingRule(date(2004, 1, 1)), FinancingRule(date(2030, 1, 1), state_share=0.6))
    assert financing_rule(2029, rules).state_share == 0.5
    assert financing_rule(2030, rules).state_share == 0.6
