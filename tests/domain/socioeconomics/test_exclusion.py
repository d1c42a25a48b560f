import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from finsam.domain.problems import DomainValidationError
from finsam.domain.socioeconomics.exclusion import (
    EXCLUSION_ACTORS,
    ExclusionScenario,
    exclusion_json,
    exclusion_scenario,
    scale_people_to_rate,
    shares_from_amounts,
)

REQUIRED_JSON = {
    "savings_per_success",
    "return_multiple",
    "break_even_success_rate",
    "break_even_one_in",
    "first_year_net",
    "total_annual_cost",
    "per_actor",
}


def sundbyberg(**kwargs):
    return exclusion_scenario(
        ExclusionScenario(annual_cost=350_000, intervention_cost=500_000, horizon_years=5, **kwargs)
    )


def test_sundbyberg_sixteen_year_old_reproduces_the_seed():
    r = sundbyberg()
    assert r.first_year_net == -150_000
    assert r.savings_per_success == 1_750_000
    assert r.return_multiple == pytest.approx(3.5)  # "3–4 times the intervention"
    assert r.break_even_success_rate == pytest.approx(500_000 / 1_750_000)
    assert round(r.break_even_success_rate, 2) == 0.29
    assert r.break_even_one_in == pytest.approx(3.5)
    assert math.floor(r.break_even_one_in) == 3  # "it is enough that 1 in 3 succeeds"
    assert r.break_even_year == 2
    assert [p.cumulative_savings for p in r.series] == [
        0,
        350_000,
        700_000,
        1_050_000,
        1_400_000,
        1_750_000,
    ]
    assert "1 av 3,5" in r.explanations["break_even_one_in"]
    assert "1 av 3." in r.explanations["break_even_one_in"]
    assert "−150\u00a0000\u00a0kr" in r.explanations["first_year_net"]


def test_sundbyberg_lifetime_cost_gives_one_in_thirty():
    r = sundbyberg(lifetime_cost=15_000_000)
    assert r.savings_per_success == 15_000_000
    assert r.break_even_one_in == pytest.approx(30)
    assert r.return_multiple == pytest.approx(30)
    assert "livstidskostnaden" in r.explanations["savings_per_success"]


SORMLAND_AMOUNTS = {  # billion SEK per year, 2012 (seed 000, table 2)
    "region": 1.0e9,
    "municipality": 2.4e9,
    "af": 0.2e9,
    "fk": 1.0e9,
    "justice": 0.3e9,
    "other": 0.04e9,
}


def test_sormland_unemployment_costs_and_linear_scenarios():
    people, rate = 14_490, 0.087
    total = sum(SORMLAND_AMOUNTS.values())
    assert total == pytest.approx(4.94e9)
    per_person = total / people
    assert per_person == pytest.approx(341_000, abs=500)  # about 341 000 per person
    shares = shares_from_amounts(SORMLAND_AMOUNTS)
    now = exclusion_scenario(ExclusionScenario(per_person, 0, people=people, actor_shares=shares))
    assert now.total_annual_cost == pytest.approx(4.94e9)
    split = {a.actor: a.total_annual_cost for a in now.per_actor}
    for actor, amount in SORMLAND_AMOUNTS.items():
        assert split[actor] == pytest.approx(amount)
    high = exclusion_scenario(
        ExclusionScenario(per_person, 0, people=scale_people_to_rate(people, rate, 0.137))
    )
    low = exclusion_scenario(
        ExclusionScenario(per_person, 0, people=scale_people_to_rate(people, rate, 0.037))
    )
    assert high.total_annual_cost == pytest.approx(7.7e9, abs=0.1e9)
    assert low.total_annual_cost == pytest.approx(2.1e9, abs=0.05e9)


def test_sundbyberg_cohort_welfare_cake():
    shares = {"fk": 0.36, "municipality": 0.27, "region": 0.24, "other": 0.13}
    r = exclusion_scenario(ExclusionScenario(166e6 / 370, 500_000, people=370, actor_shares=shares))
    assert r.total_annual_cost == pytest.approx(166e6)
    by_actor = {a.actor: a for a in r.per_actor}
    assert by_actor["fk"].total_annual_cost == pytest.approx(0.36 * 166e6)
    assert sum(a.share for a in r.per_actor) == pytest.approx(1)
    # if FK paid the whole intervention alone its savings alone must cover it
    assert by_actor["fk"].return_multiple_if_alone == pytest.approx(
        0.36 * r.savings_per_success / 500_000
    )
    assert "Försäkringskassan 36\u00a0%" in r.explanations["per_actor"]


def test_intervention_cost_paid_by_other_shares():
    r = sundbyberg(
        actor_shares={"municipality": 0.5, "fk": 0.5},
        intervention_cost_shares={"municipality": 1.0},
    )
    by_actor = {a.actor: a for a in r.per_actor}
    assert by_actor["municipality"].intervention_cost == 500_000
    assert by_actor["municipality"].return_multiple == pytest.approx(1.75)
    assert by_actor["fk"].return_multiple is None  # pays nothing: infinite return
    assert by_actor["fk"].break_even_success_rate == 0


def test_success_rate_persistence_and_discount():
    r = sundbyberg(success_rate=0.3, persistence=0.9, discount_rate=0.03)
    expected = sum(350_000 * 0.9**k / 1.03**k for k in range(5))
    assert r.savings_per_success == pytest.approx(expected)
    assert r.expected_net_per_participant == pytest.approx(0.3 * expected - 500_000)
    cumulative = [p.cumulative_savings for p in r.series]
    assert cumulative[-1] == pytest.approx(0.3 * expected)
    assert r.break_even_year is None  # 0.3 × ~1.5 million does not cover 500 000
    assert "inom 5 år" in r.explanations["break_even_year"]


def test_never_worth_it_and_free_interventions_are_explained():
    r = exclusion_scenario(ExclusionScenario(10_000, 500_000, horizon_years=1))
    assert r.break_even_success_rate == pytest.approx(50)
    assert "inte ens om alla" in r.explanations["break_even_one_in"]
    free = exclusion_scenario(ExclusionScenario(10_000, 0))
    assert free.return_multiple is None and free.break_even_success_rate == 0
    nothing = exclusion_scenario(ExclusionScenario(0, 1000))
    assert nothing.break_even_success_rate is None and nothing.break_even_one_in is None


def test_json_has_the_interchange_fields_and_is_serialisable():
    payload = exclusion_json(sundbyberg(people=10, actor_shares={"municipality": 1.0}))
    assert set(payload) >= REQUIRED_JSON
    assert payload["total_annual_cost"] == 3_500_000
    assert payload["per_actor"]["municipality"]["return_multiple"] == pytest.approx(3.5)
    assert set(payload["explanations"]) >= {"savings_per_success", "break_even_one_in"}
    json.dumps(payload)


@pytest.mark.parametrize(
    ("kwargs", "rule", "word"),
    [
        ({"actor_shares": {"fk": 0.5, "municipality": 0.4}}, "shares.sum", "summera till 100 %"),
        ({"actor_shares": {"fk": 0.5, "kyrkan": 0.5}}, "shares.unknown_actor", "Okänd aktör"),
        ({"actor_shares": {"fk": 1.5, "region": -0.5}}, "shares.negative", "negativ"),
        ({"success_rate": 1.2}, "success_rate.range", "mellan 0 och 100 %"),
        ({"lifetime_cost": -1}, "lifetime_cost.negative", "negativ"),
        ({"horizon_years": 0}, "horizon_years.range", "minst 1 år"),
    ],
)
def test_bad_input_gives_swedish_errors_and_no_output(kwargs, rule, word):
    args = {"annual_cost": 350_000, "intervention_cost": 500_000} | kwargs
    with pytest.raises(DomainValidationError) as info:
        exclusion_scenario(ExclusionScenario(**args))
    assert rule in [p.rule for p in info.value.problems]
    assert word in str(info.value)


amounts = st.floats(min_value=1, max_value=10_000_000)


@given(amounts, amounts, amounts, st.integers(1, 20))
def test_return_grows_with_savings_and_falls_with_cost(annual, cost, extra, years):
    base = exclusion_scenario(ExclusionScenario(annual, cost, years))
    dearer = exclusion_scenario(ExclusionScenario(annual, cost + extra, years))
    richer = exclusion_scenario(ExclusionScenario(annual + extra, cost, years))
    assert dearer.return_multiple <= base.return_multiple
    assert dearer.break_even_success_rate >= base.break_even_success_rate
    assert richer.return_multiple >= base.return_multiple
    assert base.break_even_success_rate * base.break_even_one_in == pytest.approx(1)


@given(st.lists(st.floats(min_value=0.01, max_value=100), min_size=1, max_size=9), amounts)
def test_shares_sum_to_one_and_actor_amounts_add_up(weights, annual):
    actors = EXCLUSION_ACTORS[: len(weights)]
    shares = shares_from_amounts(dict(zip(actors, weights, strict=False)))
    assert sum(shares.values()) == pytest.approx(1)
    r = exclusion_scenario(ExclusionScenario(annual, 1000, 3, people=2, actor_shares=shares))
    assert sum(a.savings_per_success for a in r.per_actor) == pytest.approx(r.savings_per_success)
    assert sum(a.total_annual_cost for a in r.per_actor) == pytest.approx(r.total_annual_cost)
    assert sum(a.first_year_net for a in r.per_actor) == pytest.approx(r.first_year_net)


@given(amounts, st.integers(1, 20))
def test_zero_success_never_breaks_even(cost, years):
    r = exclusion_scenario(ExclusionScenario(100_000, cost, years, success_rate=0.0))
    assert r.break_even_year is None
    assert r.expected_net_per_participant == pytest.approx(-cost)
