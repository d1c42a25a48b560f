"""The propensity-score logit warns when it stops at ``max_iter`` without converging, and the
evaluation run reports it (a note naming the cell, shown with the results)."""

import warnings

import numpy as np
import pytest

from finsam.evaluation import kernels
from finsam.evaluation.kernels import EvaluationWarning, LogitNotConverged, fit_logit
from finsam.evaluation.run import run_did
from finsam.evaluation.simulate import simulate_panel


def _design(seed=3, n=200):
    rng = np.random.default_rng(seed)
    x = np.column_stack([np.ones(n), rng.normal(size=n)])
    treated = (rng.random(n) < 1 / (1 + np.exp(-0.8 * x[:, 1]))).astype(float)
    return treated, x


def test_a_converged_fit_is_silent():
    treated, x = _design()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = fit_logit(treated, x, np.ones(len(treated)))
    assert np.all((p > 0) & (p < 1))


def test_stopping_at_max_iter_warns_with_a_clear_message():
    treated, x = _design()
    with pytest.warns(LogitNotConverged, match="konvergerade inte inom 2 iterationer"):
        fit_logit(treated, x, np.ones(len(treated)), max_iter=2)
    assert issubclass(LogitNotConverged, EvaluationWarning)


def test_the_run_reports_a_cell_whose_logit_did_not_converge(monkeypatch):
    real = kernels.fit_logit
    monkeypatch.setattr(kernels, "fit_logit", lambda t, x, w: real(t, x, w, max_iter=1))
    data = simulate_panel(n_units=120, periods=range(2000, 2005), cohorts=(2002,), seed=4)
    data["x"] = data["x"] + np.random.default_rng(1).normal(size=len(data))
    run = run_did(
        data,
        outcome="y",
        time="year",
        unit="unit",
        group="g",
        covariates=["x"],
        method="dr",
        bootstrap=0,
        seed=1,
    )
    notes = [n for n in run.notes if "konvergerade inte" in n]
    assert notes and all(n.startswith("ATT(g=2002, t=") for n in notes), run.notes
