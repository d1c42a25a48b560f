import math
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finsam.domain.codelists import SUPPORT
from finsam.domain.problems import DomainValidationError
from finsam.domain.socioeconomics.parameters import (
    PRODUCTION_FULLTIME,
    WORK_FULLTIME,
    ParameterRow,
    build_parameters,
    default_parameters,
)
from finsam.domain.socioeconomics.payback import (
    PAYBACK_COLUMNS,
    REFERENCE_PAYBACK_MONTHS,
    EpisodeFlow,
    FollowUp,
    PaybackSettings,
    StateSplit,
    compute_payback,
    episodes_from_rows,
    explain_payback,
    gain_over_years,
    law_shares,
    monthly_gains,
    payback_csv_rows,
    payback_per_group,
    reference_rows,
    select_period,
    split_intervention_cost,
)

# A small hand-computed registry: known parameters, three participants.
PARAMS = build_parameters(
    [
        ParameterRow("FSS", "municipality", 10_000),
        ParameterRow("FSS", "society", 1_000),
        ParameterRow("SJP", "fk", 20_000),
        ParameterRow("SJP", "region", 2_000),
        ParameterRow("SJP", "society", 3_000),
        ParameterRow("AKS", "af", 8_000),
        ParameterRow(WORK_FULLTIME, "municipality", 5_000),
        ParameterRow(WORK_FULLTIME, "region", 3_000),
        ParameterRow(WORK_FULLTIME, "state", 6_000),
        ParameterRow(PRODUCTION_FULLTIME, "society", 40_000),
    ],
    valid_year=2024,
)
P1 = EpisodeFlow(  # social assistance -> no public support, full-time work
    "p1", frozenset({"FSS"}), frozenset({"ING"}), work_hours_before=0, work_hours_after=40
)
P2 = EpisodeFlow(  # sickness benefit -> activity support (moves into an AF programme)
    "p2", frozenset({"SJP"}), frozenset({"AKS"})
)
P3 = EpisodeFlow(  # still on social assistance, but half-time work
    "p3", frozenset({"FSS"}), frozenset({"FSS"}), work_hours_after=20
)
REGISTRY = [P1, P2, P3]
COST = 480_000

# Hand computation (monthly gain per actor):
#   municipality: P1 10 000 + 5 000; P3 0 + 5 000 × 20/40           = 17 500
#   region:       P1 3 000; P2 2 000; P3 3 000 × 0.5                 =  6 500
#   fk:           P2 20 000                                           = 20 000
#   af:           P2 0 − 8 000                                        = −8 000
#   state:        P1 6 000; P3 3 000                                  =  9 000
#   society:      P1 1 000 + 40 000; P2 3 000; P3 20 000              = 64 000
HAND_GAIN = {
    "municipality": 17_500,
    "region": 6_500,
    "fk": 20_000,
    "af": -8_000,
    "state": 9_000,
    "society": 64_000,
}
# Cost split 25/25/25/25 of 480 000 -> 120 000 each member, society the whole, state nothing.
HAND_MONTHS = {
    "municipality": 120_000 / 17_500,  # 6.86
    "region": 120_000 / 6_500,  # 18.46
    "fk": 6.0,
    "af": None,  # never: AF's costs rise
    "state": 0.0,
    "society": 7.5,
}


def test_hand_computed_registry_gives_hand_computed_months_for_every_actor():
    result = compute_payback(REGISTRY, PARAMS, COST)
    by_actor = result.by_actor()
    assert set(by_actor) == set(HAND_GAIN)
    for actor, gain in HAND_GAIN.items():
        assert by_actor[actor].monthly_gain == pytest.approx(gain)
        expected = HAND_MONTHS[actor]
        if expected is None:
            assert by_actor[actor].payback_months is None
        else:
            assert by_actor[actor].payback_months == pytest.approx(expected)
    assert by_actor["municipality"].intervention_cost == 120_000
    assert by_actor["society"].intervention_cost == 480_000
    assert by_actor["state"].intervention_cost == 0
    assert by_actor["municipality"].profit_1y == pytest.approx(12 * 17_500 - 120_000)
    assert by_actor["af"].profit_1y == pytest.approx(-96_000 - 120_000)
    assert by_actor["municipality"].profit_5y == pytest.approx(60 * 17_500 - 120_000)
    assert by_actor["society"].profit_5y == pytest.approx(60 * 64_000 - 480_000)
    assert result.participants == 3 and result.participants_without_outcome == 0


def test_state_half_paid_by_fk_alone_is_a_setting():
    result = compute_payback(
        REGISTRY, PARAMS, COST, PaybackSettings(state_split=StateSplit.FK_ONLY)
    )
    by_actor = result.by_actor()
    assert by_actor["fk"].intervention_cost == 240_000
    assert by_actor["fk"].payback_months == pytest.approx(12.0)
    assert by_actor["af"].intervention_cost == 0
    assert by_actor["af"].payback_months is None


def test_persistence_discounting_and_sensitivity_ranges():
    s = PaybackSettings(persistence=1.0, discount_rate=0.1)
    muni = compute_payback(REGISTRY, PARAMS, COST, s).by_actor()["municipality"]
    factors = sum(1 / 1.1**k for k in range(5))
    assert muni.profit_5y == pytest.approx(12 * 17_500 * factors - 120_000)
    plain = compute_payback(REGISTRY, PARAMS, COST).by_actor()["municipality"]
    # written off over 3 years: a third of the cost in year 1
    assert plain.payback_months_range == pytest.approx((40_000 / 17_500, 120_000 / 17_500))
    assert plain.profit_1y_range == pytest.approx((90_000, 210_000 - 40_000))
    low = 12 * 17_500 * (1 + 0.5 + 0.25 + 0.125 + 0.0625) - 120_000
    assert plain.profit_5y_range == pytest.approx((low, 60 * 17_500 - 120_000))
    af = compute_payback(REGISTRY, PARAMS, COST).by_actor()["af"]
    assert af.payback_months_range == (None, None)


def test_cumulative_series_for_the_chart():
    muni = compute_payback(REGISTRY, PARAMS, COST).by_actor()["municipality"]
    assert len(muni.series) == 61
    assert muni.series[0].cumulative_gain == 0 and muni.series[0].cumulative_cost == 120_000
    assert muni.series[12].cumulative_gain == pytest.approx(12 * 17_500)
    crossing = next(p.month for p in muni.series if p.cumulative_gain >= p.cumulative_cost)
    assert crossing == math.ceil(120_000 / 17_500)


def test_latest_followup_replaces_the_state_at_exit():
    episode = EpisodeFlow(
        "f",
        frozenset({"FSS"}),
        frozenset({"FSS"}),
        followups=(
            FollowUp(6, frozenset({"FSS"}), work_hours=10),
            FollowUp(12, frozenset({"ING"}), work_hours=40),
        ),
    )
    gains = monthly_gains([episode], PARAMS)
    assert gains["municipality"] == pytest.approx(10_000 + 5_000)
    assert monthly_gains([episode], PARAMS, use_followups=False)["municipality"] == 0


def test_open_or_missing_outcomes_contribute_nothing_and_are_counted():
    open_episode = EpisodeFlow("o", frozenset({"FSS"}))
    missing = EpisodeFlow("m", frozenset({"FSS"}), frozenset({"SAK"}))
    result = compute_payback([*REGISTRY, open_episode, missing], PARAMS, COST)
    assert result.by_actor()["municipality"].monthly_gain == pytest.approx(17_500)
    assert result.participants == 3 and result.participants_without_outcome == 2


def test_csv_rows_in_the_interchange_layout():
    rows = payback_csv_rows(compute_payback(REGISTRY, PARAMS, COST))
    assert all(tuple(r) == PAYBACK_COLUMNS for r in rows)
    af = next(r for r in rows if r["actor"] == "af")
    assert af["payback_months"] == ""
    fk = next(r for r in rows if r["actor"] == "fk")
    assert fk == {
        "actor": "fk",
        "intervention_cost": "120000.00",
        "monthly_gain": "20000.00",
        "payback_months": "6.0",
        "profit_1y": "120000.00",
        "profit_5y": "1080000.00",
    }


def test_national_reference_figures_are_data():
    assert REFERENCE_PAYBACK_MONTHS == {
        "society": 12,
        "region": 9,
        "municipality": 10,
        "fk": 20,
        "af": None,
    }
    rows = {r["actor"]: r for r in reference_rows()}
    assert rows["af"]["text"] == "betalar inte tillbaka i genomsnitt"
    result = compute_payback(REGISTRY, PARAMS, COST).by_actor()
    assert result["fk"].reference_months == 20 and result["af"].has_reference
    assert not result["state"].has_reference


def test_payback_per_intervention():
    a = EpisodeFlow("a", frozenset({"FSS"}), frozenset({"ING"}), intervention_code="I1")
    b = EpisodeFlow("b", frozenset({"SJP"}), frozenset({"SJP"}), intervention_code="I2")
    results = payback_per_group([a, b], PARAMS, {"I1": 40_000, "I2": 40_000, "I3": 1})
    assert results["I1"].by_actor()["municipality"].payback_months == pytest.approx(1.0)
    assert results["I2"].by_actor()["fk"].payback_months is None
    assert results["I3"].by_actor()["municipality"].payback_months is None
    with pytest.raises(DomainValidationError, match="Insatskostnad saknas"):
        payback_per_group([a, b], PARAMS, {"I1": 1})


@pytest.mark.parametrize(
    ("kwargs", "rule"),
    [
        ({"cost_shares": {"fk": 0.5, "region": 0.25, "municipality": 0.2}}, "shares.sum"),
        ({"cost_shares": {"fk": 1.2, "municipality": -0.2}}, "shares.negative"),
        ({"cost_shares": {"fk": 0.5, "kyrkan": 0.5}}, "shares.unknown_actor"),
        ({"persistence": 1.5}, "settings.persistence"),
    ],
)
def test_bad_settings_give_swedish_errors_and_no_output(kwargs, rule):
    with pytest.raises(DomainValidationError) as info:
        compute_payback(REGISTRY, PARAMS, COST, PaybackSettings(**kwargs))
    assert rule in [p.rule for p in info.value.problems]
    assert any(word in str(info.value) for word in ("Andel", "andel", "Okänd", "Varaktig"))


def test_bad_episodes_and_negative_cost_are_rejected():
    with pytest.raises(DomainValidationError, match="Okänd försörjningskod 'XYZ'"):
        compute_payback([EpisodeFlow("x", frozenset({"XYZ"}))], PARAMS, COST)
    with pytest.raises(DomainValidationError, match="0–168"):
        compute_payback(
            [EpisodeFlow("x", frozenset({"FSS"}), frozenset({"ING"}), work_hours_after=200)],
            PARAMS,
            COST,
        )
    with pytest.raises(DomainValidationError, match="negativ"):
        compute_payback(REGISTRY, PARAMS, -1)


# --- properties ---------------------------------------------------------------------------------

CODES = [c for c in SUPPORT.code_values if c != "SAK"]
code_sets = st.frozensets(st.sampled_from(CODES), min_size=1, max_size=3)
hours = st.one_of(st.none(), st.integers(min_value=0, max_value=60))
episodes = st.lists(
    st.builds(
        EpisodeFlow,
        key=st.just("e"),
        support_before=code_sets,
        support_after=code_sets,
        work_hours_before=hours,
        work_hours_after=hours,
    ),
    min_size=1,
    max_size=6,
)
DEFAULTS = default_parameters()
costs = st.floats(min_value=0, max_value=5_000_000, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(episodes, costs, costs)
def test_payback_is_monotonic_in_the_cost(eps, c1, c2):
    low, high = sorted((c1, c2))
    a = compute_payback(eps, DEFAULTS, low).by_actor()
    b = compute_payback(eps, DEFAULTS, high).by_actor()
    for actor, row in a.items():
        other = b[actor]
        assert other.profit_1y <= row.profit_1y + 1e-6
        assert other.profit_5y <= row.profit_5y + 1e-6
        if row.payback_months is not None:
            assert other.payback_months >= row.payback_months - 1e-9


@settings(max_examples=60, deadline=None)
@given(episodes, st.integers(min_value=1, max_value=40))
def test_more_work_after_never_lowers_any_gain(eps, extra):
    better = [
        EpisodeFlow(
            e.key,
            e.support_before,
            e.support_after,
            e.work_hours_before,
            min((e.work_hours_after or 0) + extra, 168),
        )
        for e in eps
    ]
    before, after = monthly_gains(eps, DEFAULTS), monthly_gains(better, DEFAULTS)
    for actor in before:
        assert after[actor] >= before[actor] - 1e-9


@settings(max_examples=60, deadline=None)
@given(episodes)
def test_leaving_a_support_never_lowers_any_gain(eps):
    fewer = [
        EpisodeFlow(
            e.key,
            e.support_before,
            frozenset(sorted(e.support_after)[1:]) or frozenset({"ING"}),
            e.work_hours_before,
            e.work_hours_after,
        )
        for e in eps
    ]
    before, after = monthly_gains(eps, DEFAULTS), monthly_gains(fewer, DEFAULTS)
    for actor in before:
        assert after[actor] >= before[actor] - 1e-9


@settings(max_examples=60, deadline=None)
@given(code_sets, hours, costs)
def test_zero_effect_never_pays_back(codes, h, cost):
    same = EpisodeFlow("z", codes, codes, work_hours_before=h, work_hours_after=h)
    result = compute_payback([same] * 3, DEFAULTS, cost)
    for row in result.actors:
        assert row.monthly_gain == 0
        assert row.payback_months is None
        assert row.profit_5y == pytest.approx(-row.intervention_cost)


@given(st.sampled_from(list(StateSplit)), costs)
def test_law_shares_sum_to_one_and_split_the_whole_cost(split, total):
    assert math.isclose(sum(law_shares(split).values()), 1.0)
    parts = split_intervention_cost(total, state_split=split)
    members = parts["fk"] + parts["af"] + parts["region"] + parts["municipality"]
    assert members == pytest.approx(total)
    assert parts["society"] == total


@given(st.lists(st.floats(min_value=0.01, max_value=10), min_size=4, max_size=4))
def test_custom_shares_are_accepted_only_when_they_sum_to_one(weights):
    names = ("fk", "af", "region", "municipality")
    total = sum(weights)
    shares = {n: w / total for n, w in zip(names, weights, strict=True)}
    shares["fk"] += 1.0 - sum(shares.values())
    parts = split_intervention_cost(1000, cost_shares=shares)
    assert sum(parts[n] for n in names) == pytest.approx(1000)
    skewed = dict(shares, fk=shares["fk"] + 0.05)
    with pytest.raises(DomainValidationError, match="summera till 100 %"):
        split_intervention_cost(1000, cost_shares=skewed)


@given(st.floats(min_value=-1e6, max_value=1e6), st.integers(1, 10))
def test_gain_over_years_without_decay_is_linear(gain, years):
    assert gain_over_years(gain, years) == pytest.approx(12 * gain * years)


EPISODES_CSV = [
    {
        "episode_key": "e1",
        "intervention_code": "I1",
        "support_before": "FSS",
        "end_date": "2024-03-31",
        "exit_reason": "ARB",
        "support_after": "ING",
        "work_hours": "40",
        "work_hours_before": "",
    },
    {
        "episode_key": "e2",
        "intervention_code": "I1",
        "support_before": "SJP",
        "end_date": "2024-06-30",
        "exit_reason": "REH",
        "support_after": "AKS",
    },
    {
        "episode_key": "e3",
        "intervention_code": "I1",
        "support_before": "FSS",
        "end_date": "2024-09-30",
        "exit_reason": "FEL",
        "support_after": "ING",
        "work_hours": "40",
    },
    {"episode_key": "e4", "intervention_code": "I1", "support_before": "FSS; SJP"},
]
FOLLOWUPS_CSV = [
    {"episode_key": "e2", "months_after": "12", "support": "ING", "work_hours": "20"},
    {"episode_key": "e2", "months_after": "6", "support": "AKS"},
]


def test_episodes_from_interchange_rows_and_period_selection():
    flows = episodes_from_rows(EPISODES_CSV, FOLLOWUPS_CSV, association_code="A1")
    by_key = {f.key: f for f in flows}
    assert by_key["e1"].support_after == frozenset({"ING"})
    assert by_key["e1"].work_hours_after == 40 and by_key["e1"].work_hours_before is None
    assert [f.months_after for f in by_key["e2"].followups] == [6, 12]
    assert by_key["e4"].support_before == frozenset({"FSS", "SJP"})
    assert by_key["e4"].support_after is None and by_key["e4"].end_date is None
    assert by_key["e1"].association_code == "A1"
    first_half = select_period(flows, date(2024, 1, 1), date(2024, 6, 30))
    assert [f.key for f in first_half] == ["e1", "e2"]
    result = compute_payback(flows, PARAMS, 40_000)
    # e3 is a registration error (left out); e4 is open (no outcome)
    assert result.participants == 2 and result.participants_without_outcome == 1
    # e2 at 12 months: off sickness benefit, into half-time work
    assert result.by_actor()["fk"].monthly_gain == pytest.approx(20_000)
    assert result.by_actor()["af"].monthly_gain == 0
    assert result.by_actor()["municipality"].monthly_gain == pytest.approx(15_000 + 2_500)


def test_bad_interchange_rows_are_rejected():
    with pytest.raises(DomainValidationError, match="work_hours måste vara ett tal"):
        episodes_from_rows([{"episode_key": "x", "support_before": "FSS", "work_hours": "many"}])
    with pytest.raises(DomainValidationError, match="ÅÅÅÅ-MM-DD"):
        episodes_from_rows([{"episode_key": "x", "support_before": "FSS", "end_date": "31/3"}])


def test_plain_swedish_explanation_beside_the_reference():
    rows = compute_payback(REGISTRY, PARAMS, COST).by_actor()
    assert explain_payback(rows["fk"]) == (
        "Försäkringskassan betalade 120\u00a0000\u00a0kr och sparar eller får in "
        "20\u00a0000\u00a0kr per månad: "
        "insatsen är återbetald efter 6,0 månader. Riksgenomsnittet i NNS sammanställning: "
        "20 månader."
    )
    assert "aldrig" in explain_payback(rows["af"])
    assert "8\u00a0000\u00a0kr per månad" in explain_payback(rows["af"])
    assert "inte tillbaka i genomsnitt" in explain_payback(rows["af"])
    assert "ingen del av insatskostnaden" in explain_payback(rows["state"])
