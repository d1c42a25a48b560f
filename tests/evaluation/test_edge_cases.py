"""Cells that cannot be estimated, unbalanced panels, clusters, output layout."""

import warnings

import numpy as np
import pandas as pd
import pytest

from finsam.evaluation import EVALUATION_COLUMNS, EvaluationWarning, aggte, att_gt
from finsam.evaluation.simulate import simulate_panel

KW = {"yname": "y", "tname": "year", "idname": "unit", "gname": "g"}


@pytest.fixture
def panel():
    return simulate_panel(n_units=200, periods=range(2000, 2008), cohorts=(2003, 2005), seed=4)


def test_unbalanced_panel_drops_incomplete_units_with_warning(panel):
    holes = panel.drop(index=[0, 17, 33])
    with pytest.warns(EvaluationWarning, match="obalanserad"):
        result = att_gt(holes, **KW, bootstrap=False)
    assert result.n == 200 - len({panel.unit[i] for i in (0, 17, 33)})
    assert np.isfinite(result.att).all()


def test_cell_without_comparison_units_is_nan_not_a_crash(panel):
    # Not-yet-treated comparison without never-treated units: the last cohort is only a control.
    data = panel.assign(g=panel.g.replace(0.0, 2007.0))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = att_gt(data, **KW, control_group="notyet", bootstrap=False)
    assert any("används bara som jämförelsegrupp" in str(w.message) for w in caught)
    assert result.periods.max() < 2007


def test_aggregations_skip_missing_cells_with_a_note():
    data = simulate_panel(n_units=120, periods=range(2000, 2006), cohorts=(2002, 2004), seed=2)
    result = att_gt(data, **KW, xformla="~x", est_method="dr", seed=1)
    complete = aggte(result, "dynamic")
    result.att[3] = np.nan  # as if the cell could not be estimated
    with pytest.warns(EvaluationWarning, match="saknas"):
        dyn = aggte(result, "dynamic")
    assert np.isfinite(dyn.att).all()
    # (2002, 2004) was the only cell at event time 2, so that event time is left out.
    assert (result.groups[3], result.times[3]) == (2002, 2004)
    assert list(dyn.labels) == [e for e in complete.labels if e != 2]
    with pytest.warns(EvaluationWarning, match="saknas"):
        grp = aggte(result, "group")
    assert np.isfinite(grp.overall_att)


def test_collinear_covariate_gives_nan_cells_with_swedish_notes(panel):
    data = panel.assign(x2=2 * panel.x)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = att_gt(data, **KW, covariates=["x", "x2"], est_method="reg", bootstrap=False)
    assert np.isnan(result.att).all()
    assert any("kunde inte skattas" in str(w.message) for w in caught)
    assert any("kunde inte skattas" in n for n in result.notes)


def test_to_rows_layout(panel):
    result = att_gt(panel, **KW, seed=5)
    rows = result.to_rows(outcome="y", population="all")
    for typ in ("simple", "dynamic", "group", "calendar"):
        rows += aggte(result, typ).to_rows("y")
    frame = pd.DataFrame(rows)
    assert tuple(frame.columns) == EVALUATION_COLUMNS
    assert set(frame.aggregation) == {"attgt", "simple", "dynamic", "group", "calendar"}
    overall = frame[frame.group.isna() & frame.time.isna() & frame.event_time.isna()]
    assert set(overall.aggregation) == {"simple", "dynamic", "group", "calendar"}
    dyn = frame[frame.aggregation == "dynamic"].dropna(subset=["event_time"])
    assert dyn.group.isna().all() and len(dyn) > 0
    assert (frame.ci_lower <= frame.estimate).all()


def test_cluster_bootstrap_and_mammen_weights(panel):
    data = panel.assign(region=panel.unit % 20)
    with pytest.warns(EvaluationWarning, match="Förtestet"):
        r1 = att_gt(data, **KW, clustervars="region", seed=1)
    with pytest.warns(EvaluationWarning, match="Förtestet"):
        r2 = att_gt(data, **KW, clustervars="region", seed=1, multiplier="mammen")
    r3 = att_gt(data, **KW, bootstrap=False, clustervars="region")
    assert r1.bootstrap.n_clusters == 20
    assert np.all(np.abs(r1.se / r3.se - 1) < 0.35)
    assert np.all(np.abs(r2.se / r3.se - 1) < 0.35)
    assert r1.wald_pvalue is None  # suppressed with cluster bootstrap, as in R
    assert r3.wald_pvalue is not None


def test_universal_base_period_has_zero_reference_cells(panel):
    result = att_gt(panel, **KW, base_period="universal", seed=1)
    ref = result.times == result.groups - 1
    assert np.all(result.att[ref] == 0) and np.all(np.isnan(result.se[ref]))


def test_evaluate_did_gives_all_rows_for_the_command(panel):
    from finsam.evaluation import evaluate_did
    from finsam.evaluation.report import rows_to_csv

    result, rows = evaluate_did(panel, **KW, control_group="notyet", biters=99, seed=3)
    frame = pd.DataFrame(rows)
    assert (frame.aggregation == "attgt").sum() == len(result.att)
    assert list(frame.aggregation.unique()) == ["attgt", "simple", "dynamic", "group", "calendar"]
    text = rows_to_csv(rows)
    assert text.splitlines()[0] == ",".join(EVALUATION_COLUMNS)
    assert len(text.splitlines()) == len(rows) + 1
