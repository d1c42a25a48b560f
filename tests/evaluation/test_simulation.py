"""On a simulated panel with a known effect the estimator recovers it."""

import numpy as np
import pytest

from finsam.evaluation import aggte, att_gt
from finsam.evaluation.simulate import simulate_panel


@pytest.fixture(scope="module")
def result():
    data = simulate_panel(
        n_units=2000,
        periods=range(2000, 2012),
        cohorts=(2004, 2006, 2008),
        effect=2.0,
        dynamic_slope=0.5,
        noise=0.5,
        seed=11,
    )
    return att_gt(data, yname="y", tname="year", idname="unit", gname="g", seed=3)


def test_post_treatment_cells_recover_effect(result):
    post = result.post
    truth = 2.0 + 0.5 * (result.times[post] - result.groups[post])
    assert np.all(np.abs(result.att[post] - truth) < 5 * result.se[post])
    assert np.max(np.abs(result.att[post] - truth)) < 0.25


def test_pre_treatment_cells_are_near_zero(result):
    pre = ~result.post
    assert np.max(np.abs(result.att[pre])) < 0.2
    assert result.wald_pvalue > 0.001


def test_event_study_recovers_dynamic_path(result):
    dyn = aggte(result, "dynamic")
    for e, est, lo, hi in zip(dyn.labels, dyn.att, dyn.ci_lower, dyn.ci_upper, strict=True):
        truth = 2.0 + 0.5 * e if e >= 0 else 0.0
        assert lo < truth < hi, (e, est)
    assert dyn.simultaneous


def test_group_and_simple_aggregations_cover_truth(result):
    grp = aggte(result, "group")
    last = result.times.max()
    for g, est, se in zip(grp.labels, grp.att, grp.se, strict=True):
        truth = 2.0 + 0.5 * np.mean(np.arange(0, last - g + 1))
        assert abs(est - truth) < 5 * se
    simple = aggte(result, "simple")
    lo, hi = simple.overall_ci
    assert lo < simple.overall_att < hi
    assert simple.overall_att > 2.0
