"""Agreement with ``csdid`` (the Python port of R ``did``), the test reference implementation."""

import warnings

import numpy as np
import pytest

from finsam.evaluation import EvaluationWarning, aggte, att_gt
from finsam.evaluation.simulate import simulate_panel

csdid_att_gt = pytest.importorskip("csdid.att_gt")

CONTROL = {"never": "nevertreated", "notyet": "notyettreated"}


def _csdid(data, *, y, t, i, g, xformla=None, control="never", base="varying", method="dr", ant=0):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return csdid_att_gt.ATTgt(
            yname=y,
            tname=t,
            idname=i,
            gname=g,
            data=data,
            xformla=xformla,
            control_group=CONTROL[control],
            anticipation=ant,
        ).fit(est_method=method, base_period=base, bstrap=False)


def _aggregate(model, typ):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.aggte(typec=typ)
    return model.atte


@pytest.fixture(scope="module")
def panel():
    return simulate_panel(n_units=300, periods=range(2000, 2008), cohorts=(2003, 2005), seed=7)


@pytest.mark.parametrize("method", ["reg", "ipw", "dr"])
@pytest.mark.parametrize("control", ["never", "notyet"])
@pytest.mark.parametrize("base", ["varying", "universal"])
def test_simulated_panel_point_estimates_and_analytic_se(panel, method, control, base):
    ref = _csdid(panel, y="y", t="year", i="unit", g="g", control=control, base=base, method=method)
    ours = att_gt(
        panel,
        yname="y",
        tname="year",
        idname="unit",
        gname="g",
        control_group=control,
        base_period=base,
        est_method=method,
        bootstrap=False,
    )
    np.testing.assert_allclose(ours.att, np.asarray(ref.results["att"], float), atol=1e-8, rtol=0)
    np.testing.assert_allclose(ours.se, np.asarray(ref.results["se"], float), atol=1e-10)
    np.testing.assert_array_equal(ours.groups, np.asarray(ref.results["group"], float))
    np.testing.assert_array_equal(ours.times, np.asarray(ref.results["year"], float))
    assert ours.wald_pvalue == pytest.approx(ref.MP["Wpval"], abs=1e-5)


@pytest.mark.parametrize("typ", ["simple", "dynamic", "group", "calendar"])
def test_aggregations_match_analytically(panel, typ):
    ref = _aggregate(_csdid(panel, y="y", t="year", i="unit", g="g", method="reg"), typ)
    ours = aggte(
        att_gt(panel, yname="y", tname="year", idname="unit", gname="g", bootstrap=False), typ
    )
    assert ours.overall_att == pytest.approx(ref["overall_att"], abs=1e-10)
    assert ours.overall_se == pytest.approx(ref["overall_se"], abs=1e-10)
    if typ != "simple":
        np.testing.assert_allclose(ours.att, np.asarray(ref["att_egt"], float), atol=1e-10)
        np.testing.assert_allclose(ours.se, np.ravel(ref["se_egt"]).astype(float), atol=1e-10)


@pytest.mark.parametrize("control", ["never", "notyet"])
@pytest.mark.parametrize("method", ["reg", "ipw", "dr"])
def test_mpdta_with_covariate_lpop(mpdta, control, method):
    kwargs = {"y": "lemp", "t": "year", "i": "countyreal", "g": "first.treat"}
    ref = _csdid(mpdta, xformla="~lpop", control=control, method=method, **kwargs)
    ours = att_gt(
        mpdta,
        yname="lemp",
        tname="year",
        idname="countyreal",
        gname="first.treat",
        xformla="~ lpop",
        control_group=control,
        est_method=method,
        bootstrap=False,
    )
    np.testing.assert_allclose(ours.att, np.asarray(ref.results["att"], float), atol=1e-6, rtol=0)
    np.testing.assert_allclose(ours.se, np.asarray(ref.results["se"], float), atol=1e-6)


@pytest.mark.parametrize("control", ["never", "notyet"])
def test_anticipation_matches(mpdta, control):
    kwargs = {"y": "lemp", "t": "year", "i": "countyreal", "g": "first.treat"}
    ref = _csdid(mpdta, method="dr", ant=1, control=control, **kwargs)
    with pytest.warns(EvaluationWarning, match="första period"):
        ours = att_gt(
            mpdta,
            yname="lemp",
            tname="year",
            idname="countyreal",
            gname="first.treat",
            anticipation=1,
            control_group=control,
            bootstrap=False,
        )
    np.testing.assert_allclose(ours.att, np.asarray(ref.results["att"], float), atol=1e-10)
    dyn_ref = _aggregate(ref, "dynamic")
    dyn = aggte(ours, "dynamic")
    np.testing.assert_allclose(dyn.att, np.asarray(dyn_ref["att_egt"], float), atol=1e-10)


def test_balanced_event_window_matches(panel):
    ref = _csdid(panel, y="y", t="year", i="unit", g="g", method="reg")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref.aggte(typec="dynamic", balance_e=2, min_e=-2, max_e=2)
    dyn_ref = ref.atte
    ours = att_gt(panel, yname="y", tname="year", idname="unit", gname="g", bootstrap=False)
    dyn = aggte(ours, "dynamic", balance_e=2, min_e=-2, max_e=2)
    np.testing.assert_array_equal(dyn.labels, np.asarray(dyn_ref["egt"], float))
    np.testing.assert_allclose(dyn.att, np.asarray(dyn_ref["att_egt"], float), atol=1e-10)
    assert dyn.overall_att == pytest.approx(dyn_ref["overall_att"], abs=1e-10)


def test_cluster_robust_analytic_standard_errors_match(mpdta):
    data = mpdta.assign(state=(mpdta["countyreal"] // 1000).astype(int))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = csdid_att_gt.ATTgt(
            yname="lemp",
            tname="year",
            idname="countyreal",
            gname="first.treat",
            data=data,
            clustervar="state",
        ).fit(est_method="reg", bstrap=False)
        ref.aggte(typec="group")
    ours = att_gt(
        data,
        yname="lemp",
        tname="year",
        idname="countyreal",
        gname="first.treat",
        est_method="reg",
        bootstrap=False,
        clustervars="state",
    )
    assert ours.bootstrap.n_clusters == data["state"].nunique()
    np.testing.assert_allclose(ours.se, np.asarray(ref.results["se"], float), rtol=1e-10)
    assert ours.wald_pvalue == pytest.approx(ref.MP["Wpval"], abs=1e-5)
    grp = aggte(ours, "group")
    assert grp.overall_se == pytest.approx(ref.atte["overall_se"], rel=1e-10)


def test_unbalanced_panel_is_balanced_the_same_way(panel):
    holes = panel.drop(index=panel.sample(25, random_state=1).index)
    ref = _csdid(holes, y="y", t="year", i="unit", g="g", method="reg")
    with pytest.warns(EvaluationWarning, match="obalanserad"):
        ours = att_gt(holes, yname="y", tname="year", idname="unit", gname="g", bootstrap=False)
    assert ours.n == ref.dp["n"]
    np.testing.assert_allclose(ours.att, np.asarray(ref.results["att"], float), atol=1e-10)
    np.testing.assert_allclose(ours.se, np.asarray(ref.results["se"], float), atol=1e-10)


def test_universal_base_period_with_covariate(mpdta):
    kwargs = {"y": "lemp", "t": "year", "i": "countyreal", "g": "first.treat"}
    ref = _csdid(mpdta, xformla="~lpop", base="universal", method="dr", **kwargs)
    ours = att_gt(
        mpdta,
        yname="lemp",
        tname="year",
        idname="countyreal",
        gname="first.treat",
        covariates=["lpop"],
        base_period="universal",
        bootstrap=False,
    )
    np.testing.assert_allclose(ours.att, np.asarray(ref.results["att"], float), atol=1e-6)
    ref_se = np.asarray(ref.results["se"], float)
    np.testing.assert_array_equal(np.isnan(ours.se), np.isnan(ref_se))
    np.testing.assert_allclose(ours.se, ref_se, atol=1e-6)


def test_group_aggregation_in_an_event_window(panel):
    ref = _csdid(panel, y="y", t="year", i="unit", g="g", method="reg")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref.aggte(typec="group", min_e=0, max_e=1)
    ours = aggte(
        att_gt(panel, yname="y", tname="year", idname="unit", gname="g", bootstrap=False),
        "group",
        min_e=0,
        max_e=1,
    )
    np.testing.assert_allclose(ours.att, np.asarray(ref.atte["att_egt"], float), atol=1e-10)
    assert ours.overall_att == pytest.approx(ref.atte["overall_att"], abs=1e-10)
    assert ours.overall_se == pytest.approx(ref.atte["overall_se"], abs=1e-10)
