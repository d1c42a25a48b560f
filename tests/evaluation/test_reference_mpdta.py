"""The reference output of R ``did`` in spec/evaluation.md, reproduced on mpdta."""

import warnings

import numpy as np
import pytest

from finsam.evaluation import aggte, att_gt

REF_ATTGT = [
    (2004, 2004, -0.0105, 0.0246),
    (2004, 2005, -0.0704, 0.0332),
    (2004, 2006, -0.1373, 0.0397),
    (2004, 2007, -0.1008, 0.0357),
    (2006, 2004, 0.0065, 0.0229),
    (2006, 2005, -0.0028, 0.0197),
    (2006, 2006, -0.0046, 0.0179),
    (2006, 2007, -0.0412, 0.0192),
    (2007, 2004, 0.0305, 0.0154),
    (2007, 2005, -0.0027, 0.0164),
    (2007, 2006, -0.0311, 0.0184),
    (2007, 2007, -0.0261, 0.0170),
]
REF_DYNAMIC = [
    (-3, 0.0305, 0.0154),
    (-2, -0.0006, 0.0132),
    (-1, -0.0245, 0.0153),
    (0, -0.0199, 0.0123),
    (1, -0.0510, 0.0167),
    (2, -0.1373, 0.0413),
    (3, -0.1008, 0.0351),
]
BOOT_TOLERANCE = 0.15


@pytest.fixture(scope="module")
def result(mpdta):
    return att_gt(
        mpdta,
        yname="lemp",
        tname="year",
        idname="countyreal",
        gname="first.treat",
        xformla="~1",
        est_method="reg",
        seed=20240,
    )


def test_group_time_att_match_r_to_four_decimals(result):
    assert list(zip(result.groups, result.times, strict=True)) == [
        (g, t) for g, t, _, _ in REF_ATTGT
    ]
    expected = np.array([a for _, _, a, _ in REF_ATTGT])
    assert np.all(np.round(result.att, 4) == expected)


def test_bootstrap_standard_errors_within_15_percent(result):
    ref = np.array([s for *_, s in REF_ATTGT])
    assert np.all(np.abs(result.se / ref - 1) < BOOT_TOLERANCE)
    assert result.simultaneous
    assert result.crit_val > 1.96


def test_pretest_p_value(result):
    assert result.wald_pvalue == pytest.approx(0.16812, abs=5e-6)
    assert result.wald_df == 5


def test_dynamic_aggregation(result):
    dyn = aggte(result, "dynamic")
    assert round(dyn.overall_att, 4) == -0.0772
    assert abs(dyn.overall_se / 0.0219 - 1) < BOOT_TOLERANCE
    assert list(dyn.labels) == [e for e, _, _ in REF_DYNAMIC]
    assert np.all(np.round(dyn.att, 4) == np.array([a for _, a, _ in REF_DYNAMIC]))
    assert np.all(np.abs(dyn.se / np.array([s for *_, s in REF_DYNAMIC]) - 1) < BOOT_TOLERANCE)


def test_group_aggregation(result):
    grp = aggte(result, "group")
    assert round(grp.overall_att, 4) == -0.0310
    assert abs(grp.overall_se / 0.0126 - 1) < BOOT_TOLERANCE
    assert list(grp.labels) == [2004, 2006, 2007]
    assert np.all(np.round(grp.att, 4) == np.array([-0.0797, -0.0229, -0.0261]))


def test_without_covariates_reg_ipw_dr_coincide(mpdta, result):
    for method in ("ipw", "dr"):
        other = att_gt(
            mpdta,
            yname="lemp",
            tname="year",
            idname="countyreal",
            gname="first.treat",
            est_method=method,
            bootstrap=False,
        )
        np.testing.assert_allclose(other.att, result.att, atol=1e-12)


def test_same_seed_same_standard_errors(mpdta, result):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again = att_gt(
            mpdta,
            yname="lemp",
            tname="year",
            idname="countyreal",
            gname="first.treat",
            est_method="reg",
            seed=20240,
        )
    np.testing.assert_array_equal(again.se, result.se)
    assert again.crit_val == result.crit_val
