"""BLAS thread limiting never changes results, and large panels are not limited."""

import contextlib
import importlib

import numpy as np

from finsam.evaluation import _blas, att_gt
from finsam.evaluation.simulate import simulate_panel


def test_results_do_not_depend_on_the_blas_thread_limit(monkeypatch):
    data = simulate_panel(n_units=80, periods=range(2000, 2006), cohorts=(2002, 2004), seed=9)
    kw = {"yname": "y", "tname": "year", "idname": "unit", "gname": "g", "seed": 4}
    with_limit = att_gt(data, **kw)
    for module in ("finsam.evaluation.attgt", "finsam.evaluation.aggregate"):
        monkeypatch.setattr(
            importlib.import_module(module), "small_blas", lambda n_rows: contextlib.nullcontext()
        )
    without = att_gt(data, **kw)
    np.testing.assert_allclose(with_limit.att, without.att, atol=1e-13)
    np.testing.assert_allclose(with_limit.se, without.se, rtol=1e-10)


def test_large_panels_are_not_limited(monkeypatch):
    calls = []
    monkeypatch.setattr(_blas, "_get_controller", lambda: calls.append(1))
    with _blas.small_blas(_blas.SINGLE_THREAD_MAX_ROWS + 1):
        pass
    assert calls == []
