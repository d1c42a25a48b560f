"""Two-group, two-period (2×2) panel DiD estimators with influence functions.

These are the building blocks of the group-time ATT. Each takes the outcome change ``delta_y`` of
the units in one (g, t) cell, the treatment indicator ``treated`` (1 = group g, 0 = comparison
units) and a design matrix ``design`` whose first column is the intercept, and returns
``(att, influence)``. ``influence`` is the influence function of the cell's own sample (one value
per unit in the cell, scaled as in Sant'Anna & Zhao 2020 / the R package ``DRDID``); the caller
rescales it to the whole panel.

The equations follow ``DRDID``'s ``reg_did_panel``, ``std_ipw_did_panel`` and ``drdid_panel``
(normalised IPW, propensity scores trimmed at 0.995 for comparison units) so that the results agree
with R ``did`` and with ``csdid``. The fits are plain numpy (weighted least squares by the normal
equations, logit by Newton-Raphson), which is what makes them fast.

A cell that cannot be estimated raises :class:`CellNotEstimable` with a Swedish reason; the caller
turns it into a missing value and a warning.
"""

from __future__ import annotations

import warnings

import numpy as np

TRIM_LEVEL = 0.995
"""Comparison units with a propensity score at or above this are trimmed (as in ``DRDID``)."""

OVERLAP_LIMIT = 0.999
"""A cell whose largest fitted propensity score reaches this violates overlap (as in R ``did``)."""

_EPS = np.finfo(float).eps


class CellNotEstimable(Exception):
    """Raised by a kernel when the cell cannot be estimated; the message is Swedish."""


class EvaluationWarning(UserWarning):
    """A cell or group that could not be estimated, a dropped unit, a fallback (Swedish text)."""


class LogitNotConverged(EvaluationWarning):
    """:func:`fit_logit` stopped at ``max_iter`` Newton steps without converging."""


def _checked_inverse(matrix: np.ndarray, what: str) -> np.ndarray:
    try:
        cond = np.linalg.cond(matrix, 1)
    except np.linalg.LinAlgError:
        cond = np.inf
    if not np.isfinite(cond) or 1.0 / cond < _EPS:
        raise CellNotEstimable(
            f"designmatrisen för {what} är singulär (kovariaterna är kolinjära eller saknar "
            "variation)"
        )
    return np.linalg.inv(matrix)


def _wls(y: np.ndarray, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    xtwx = (x * w[:, None]).T @ x
    inverse = _checked_inverse(xtwx / len(y), "utfallsregressionen")
    return inverse @ ((x * w[:, None]).T @ y) / len(y)


def fit_logit(
    treated: np.ndarray, x: np.ndarray, w: np.ndarray, *, max_iter: int = 100
) -> np.ndarray:
    """Weighted logistic regression by Newton-Raphson; returns the fitted probabilities.

    Warns (:class:`LogitNotConverged`) when ``max_iter`` steps did not converge: the probabilities
    of the last step are returned, and the estimate that uses them may be unreliable."""
    beta = np.zeros(x.shape[1])
    p_bar = np.average(treated, weights=w)
    if 0.0 < p_bar < 1.0:
        beta[0] = np.log(p_bar / (1.0 - p_bar))
    for _ in range(max_iter):
        eta = x @ beta
        p = 1.0 / (1.0 + np.exp(-eta))
        v = w * p * (1.0 - p)
        hessian = (x * v[:, None]).T @ x
        gradient = x.T @ (w * (treated - p))
        try:
            step = np.linalg.solve(hessian, gradient)
        except np.linalg.LinAlgError as error:
            raise CellNotEstimable("propensitetsmodellen kan inte skattas") from error
        beta = beta + step
        if not np.all(np.isfinite(beta)):
            raise CellNotEstimable("propensitetsmodellen konvergerar inte (fullständig separation)")
        if np.max(np.abs(step)) < 1e-12 * (1.0 + np.max(np.abs(beta))):
            break
    else:
        warnings.warn(
            f"propensitetsmodellen (logit) konvergerade inte inom {max_iter} iterationer; "
            "skattningen kan vara osäker",
            LogitNotConverged,
            stacklevel=2,
        )
    return 1.0 / (1.0 + np.exp(-(x @ beta)))


def overlap_violated(treated: np.ndarray, x: np.ndarray) -> bool:
    """R ``did``'s overlap guard: an unweighted logit whose largest fitted value is >= 0.999."""
    if x.shape[1] == 1:
        return float(np.mean(treated)) >= OVERLAP_LIMIT
    try:
        p = fit_logit(treated, x, np.ones(len(treated)))
    except CellNotEstimable:
        return True
    return float(np.max(p)) >= OVERLAP_LIMIT


def control_design_singular(x: np.ndarray, treated: np.ndarray) -> bool:
    xc = x[treated == 0]
    if len(xc) == 0:
        return True
    if x.shape[1] == 1:
        return False
    gram = xc.T @ xc / len(x)
    try:
        cond = np.linalg.cond(gram, 1)
    except np.linalg.LinAlgError:
        return True
    return not np.isfinite(cond) or 1.0 / cond < _EPS


def _pscore(treated: np.ndarray, x: np.ndarray, w: np.ndarray):
    ps = fit_logit(treated, x, w)
    ps = np.minimum(ps, 1 - 1e-6)
    trim = np.ones(len(ps), dtype=bool)
    controls = treated == 0
    trim[controls] = ps[controls] < TRIM_LEVEL
    information = x.T @ ((w * ps * (1 - ps))[:, None] * x)
    hessian = _checked_inverse(information, "propensitetsmodellen") * len(ps)
    score = (w * (treated - ps))[:, None] * x
    return ps, trim, score @ hessian


def reg_did_panel(delta_y, treated, x, w):
    """Outcome-regression DiD (Heckman, Ichimura & Todd 1997), panel data."""
    control = treated == 0
    beta = _wls(delta_y[control], x[control], w[control])
    out_delta = x @ beta
    w_treat = w * treated
    mean_treat = np.mean(w_treat)
    if mean_treat <= 0:
        raise CellNotEstimable("gruppen saknar behandlade enheter")
    eta_treat = np.mean(w_treat * delta_y) / mean_treat
    eta_cont = np.mean(w_treat * out_delta) / mean_treat
    att = eta_treat - eta_cont

    weights_ols = w * (1 - treated)
    xpx_inv = _checked_inverse((weights_ols[:, None] * x).T @ x / len(x), "utfallsregressionen")
    asy_lin_rep = (weights_ols * (delta_y - out_delta))[:, None] * x @ xpx_inv
    inf_treat = (w_treat * delta_y - w_treat * eta_treat) / mean_treat
    inf_cont_1 = w_treat * out_delta - w_treat * eta_cont
    moment = np.mean(w_treat[:, None] * x, axis=0)
    inf_control = (inf_cont_1 + asy_lin_rep @ moment) / mean_treat
    return att, inf_treat - inf_control


def ipw_did_panel(delta_y, treated, x, w):
    """Normalised inverse-probability-weighted DiD (Abadie 2005), panel data."""
    ps, trim, asy_lin_rep_ps = _pscore(treated, x, w)
    w_treat = trim * w * treated
    w_cont = trim * w * ps * (1 - treated) / (1 - ps)
    mean_treat, mean_cont = np.mean(w_treat), np.mean(w_cont)
    if mean_treat <= 0 or mean_cont <= 0:
        raise CellNotEstimable("efter trimning av propensitetsvärden saknas jämförelseenheter")
    eta_treat = np.mean(w_treat * delta_y) / mean_treat
    eta_cont = np.mean(w_cont * delta_y) / mean_cont
    att = eta_treat - eta_cont
    inf_treat = (w_treat * delta_y - w_treat * eta_treat) / mean_treat
    inf_cont_1 = w_cont * delta_y - w_cont * eta_cont
    m2 = np.mean((w_cont * (delta_y - eta_cont))[:, None] * x, axis=0)
    inf_control = (inf_cont_1 + asy_lin_rep_ps @ m2) / mean_cont
    return att, inf_treat - inf_control


def dr_did_panel(delta_y, treated, x, w):
    """Locally efficient doubly robust DiD (Sant'Anna & Zhao 2020), panel data."""
    ps, trim, asy_lin_rep_ps = _pscore(treated, x, w)
    control = treated == 0
    beta = _wls(delta_y[control], x[control], w[control])
    out_delta = x @ beta
    w_treat = trim * w * treated
    w_cont = trim * w * ps * (1 - treated) / (1 - ps)
    mean_treat, mean_cont = np.mean(w_treat), np.mean(w_cont)
    if mean_treat <= 0 or mean_cont <= 0:
        raise CellNotEstimable("efter trimning av propensitetsvärden saknas jämförelseenheter")
    resid = delta_y - out_delta
    dr_treat = w_treat * resid
    dr_cont = w_cont * resid
    eta_treat = np.mean(dr_treat) / mean_treat
    eta_cont = np.mean(dr_cont) / mean_cont
    att = eta_treat - eta_cont

    weights_ols = w * (1 - treated)
    xpx_inv = _checked_inverse((weights_ols[:, None] * x).T @ x / len(x), "utfallsregressionen")
    asy_lin_rep_wols = (weights_ols * resid)[:, None] * x @ xpx_inv

    m1 = np.mean(w_treat[:, None] * x, axis=0)
    inf_treat = (dr_treat - w_treat * eta_treat - asy_lin_rep_wols @ m1) / mean_treat
    m2 = np.mean((w_cont * (resid - eta_cont))[:, None] * x, axis=0)
    m3 = np.mean(w_cont[:, None] * x, axis=0)
    inf_control = (
        dr_cont - w_cont * eta_cont + asy_lin_rep_ps @ m2 - asy_lin_rep_wols @ m3
    ) / mean_cont
    return att, inf_treat - inf_control


KERNELS = {"reg": reg_did_panel, "ipw": ipw_did_panel, "dr": dr_did_panel}
