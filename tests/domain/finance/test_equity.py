from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from finsam.domain.finance.equity import (
    DEFAULT_EQUITY_RECOMMENDATION,
    EquityRecommendation,
    EquityStep,
    assess_equity,
    recommended_max_equity,
)
from finsam.domain.problems import DomainValidationError

MARGINAL = DEFAULT_EQUITY_RECOMMENDATION.with_mode("marginal")


@pytest.mark.parametrize(
    ("revenue", "expected"),
    [
        (0, 0),
        (5_000_000, 1_000_000),
        (7_000_000, 1_400_000),  # "up to 7 MSEK" includes 7 MSEK
        (8_000_000, 1_200_000),
        (12_000_000, 1_800_000),
        (20_000_000, 2_000_000),
    ],
)
def test_step_mode_applies_the_band_share_to_the_whole_revenue(revenue, expected):
    assert recommended_max_equity(revenue) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("revenue", "expected"),
    [
        (5_000_000, 1_000_000),
        (10_000_000, 1_400_000 + 450_000),
        (20_000_000, 1_400_000 + 750_000 + 800_000),
    ],
)
def test_marginal_mode_applies_each_share_to_its_band(revenue, expected):
    assert recommended_max_equity(revenue, MARGINAL) == pytest.approx(expected)


def test_assessment_jonkoping_finnveden_is_over_the_recommendation():
    # Finnveden 2019: revenue 5 144 tkr, equity 1 690 tkr (33 %) > 20 %.
    a = assess_equity(1_690_000, 5_144_000)
    assert a.recommended_max == pytest.approx(1_028_800)
    assert a.excess == pytest.approx(661_200)
    assert a.over_recommendation
    assert round(a.share_of_revenue * 100) == 33
    assert not assess_equity(567_000, 6_423_000).over_recommendation


def test_step_table_is_validated():
    with pytest.raises(DomainValidationError) as exc:
        EquityRecommendation((EquityStep(7e6, 0.2), EquityStep(5e6, 0.1), EquityStep(None, 1.5)))
    rules = {p.rule for p in exc.value.problems}
    assert rules == {"equity.ascending", "equity.share_range"}
    with pytest.raises(DomainValidationError) as exc:
        EquityRecommendation((EquityStep(7e6, 0.2),))
    assert exc.value.problems[0].rule == "equity.last_open"
    with pytest.raises(DomainValidationError):
        EquityRecommendation((EquityStep(None, 0.2),), mode="stairs")


@given(st.floats(0, 1e9), st.floats(0, 1e9))
def test_marginal_is_monotone_and_never_below_step(a, b):
    low, high = sorted((a, b))
    assert recommended_max_equity(low, MARGINAL) <= recommended_max_equity(high, MARGINAL) + 1e-6
    assert recommended_max_equity(high, MARGINAL) >= recommended_max_equity(high) - 1e-6
