"""Properties that must hold for any panel (hypothesis)."""

import warnings

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finsam.evaluation import aggte, att_gt
from finsam.evaluation.simulate import simulate_panel

KW = {"yname": "y", "tname": "year", "idname": "unit", "gname": "g"}
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _fit(data, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return att_gt(data, **KW, **kwargs)


panels = st.builds(
    simulate_panel,
    n_units=st.integers(40, 120),
    periods=st.sampled_from([range(2000, 2006), range(2001, 2009)]),
    cohorts=st.sampled_from([(2003,), (2003, 2005), (2002, 2004, 2005)]),
    effect=st.floats(-2, 2),
    seed=st.integers(0, 10_000),
)


@SETTINGS
@given(panels, st.integers(0, 2**31 - 1), st.sampled_from(["never", "notyet"]))
def test_row_order_does_not_matter(data, shuffle_seed, control):
    shuffled = data.sample(frac=1.0, random_state=shuffle_seed % (2**31))
    a = _fit(data, control_group=control, seed=1)
    b = _fit(shuffled, control_group=control, seed=1)
    np.testing.assert_allclose(a.att, b.att, atol=1e-12)
    np.testing.assert_allclose(a.se, b.se, atol=1e-12)


@SETTINGS
@given(panels, st.floats(-1e3, 1e3), st.sampled_from(["reg", "ipw", "dr"]))
def test_adding_a_constant_to_the_outcome_does_not_change_atts(data, shift, method):
    a = _fit(data, est_method=method, bootstrap=False)
    b = _fit(data.assign(y=data.y + shift), est_method=method, bootstrap=False)
    np.testing.assert_allclose(a.att, b.att, atol=1e-9)
    np.testing.assert_allclose(a.se, b.se, rtol=1e-6)


@SETTINGS
@given(panels, st.floats(0.1, 10))
def test_scaling_the_outcome_scales_atts_and_standard_errors(data, factor):
    a = _fit(data, bootstrap=False)
    b = _fit(data.assign(y=data.y * factor), bootstrap=False)
    np.testing.assert_allclose(b.att, factor * a.att, atol=1e-9)
    np.testing.assert_allclose(b.se, factor * a.se, rtol=1e-9)


@SETTINGS
@given(panels)
def test_aggregates_are_weighted_averages_of_cells(data):
    result = _fit(data, bootstrap=False)
    post = result.post & np.isfinite(result.att)
    simple = aggte(result, "simple")
    assert result.att[post].min() - 1e-12 <= simple.overall_att <= result.att[post].max() + 1e-12
    dyn = aggte(result, "dynamic")
    for e, value in zip(dyn.labels, dyn.att, strict=True):
        cells = result.att[(result.times - result.groups) == e]
        assert cells.min() - 1e-12 <= value <= cells.max() + 1e-12


@SETTINGS
@given(panels)
def test_relabelling_units_does_not_change_estimates(data):
    relabelled = data.assign(unit=data.unit.map(lambda u: f"K{u:05d}"))
    a = _fit(data, bootstrap=False)
    b = _fit(relabelled, bootstrap=False)
    np.testing.assert_allclose(a.att, b.att, atol=1e-12)
