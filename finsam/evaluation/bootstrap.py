"""Multiplier bootstrap on influence functions, clustered, with simultaneous bands.

Follows R ``did``'s ``mboot``: every cluster (by default every unit) gets one multiplier per draw;
the bootstrap standard error is the interquartile range of the draws divided by that of the standard
normal, and the simultaneous critical value is the (1 − alpha) quantile of the largest absolute
t-statistic across the columns (quantile type 1, as in R).

The draws are generated from a seed stored in the result, so an aggregation re-uses exactly the
same multipliers as the group-time estimates it is built from (reproducible, and coherent across
aggregations).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

MULTIPLIERS = ("rademacher", "mammen")

_SQRT5 = np.sqrt(5.0)
_MAMMEN_LOW = (1 - _SQRT5) / 2
_MAMMEN_HIGH = (1 + _SQRT5) / 2
_MAMMEN_P_LOW = (_SQRT5 + 1) / (2 * _SQRT5)
_IQR_NORMAL = norm.ppf(0.75) - norm.ppf(0.25)
_CHUNK_ELEMENTS = 1_500_000


@dataclass(frozen=True, slots=True)
class Bootstrap:
    """How to draw multipliers: clusters (codes 0..n_clusters-1 per unit), draws, weights, seed."""

    cluster_codes: np.ndarray
    n_clusters: int
    biters: int
    multiplier: str
    seed: int

    def draws(self, influence: np.ndarray) -> np.ndarray:
        """Bootstrap draws ``(U @ S) / sqrt(n_c)`` (biters × columns) for an n × k matrix.

        ``S`` are the cluster sums of the influence functions and ``U`` the multipliers (one per
        cluster and draw). Draws are linear in ``influence``, which the aggregations rely on.
        """
        influence = np.asarray(influence, dtype=float)
        if influence.ndim == 1:
            influence = influence[:, None]
        if self.n_clusters == influence.shape[0] and np.array_equal(
            self.cluster_codes, np.arange(self.n_clusters)
        ):
            sums = influence
        else:
            sums = np.zeros((self.n_clusters, influence.shape[1]))
            np.add.at(sums, self.cluster_codes, influence)
        rng = np.random.default_rng(self.seed)
        out = np.empty((self.biters, influence.shape[1]))
        nc = self.n_clusters
        chunk = max(1, min(self.biters, _CHUNK_ELEMENTS // max(nc, 1)))
        if self.multiplier == "rademacher":
            # U = 2·bits − 1, so U @ S = 2·(bits @ S) − colsum(S); bits come packed from bytes.
            colsum = sums.sum(axis=0)
            n_bytes = (nc + 7) // 8
            for start in range(0, self.biters, chunk):
                size = min(chunk, self.biters - start)
                raw = np.frombuffer(rng.bytes(size * n_bytes), dtype=np.uint8)
                bits = np.unpackbits(raw.reshape(size, n_bytes), axis=1, count=nc)
                out[start : start + size] = 2.0 * (bits.astype(np.float64) @ sums) - colsum
        else:
            for start in range(0, self.biters, chunk):
                size = min(chunk, self.biters - start)
                u = np.where(rng.random((size, nc)) < _MAMMEN_P_LOW, _MAMMEN_LOW, _MAMMEN_HIGH)
                out[start : start + size] = u @ sums
        return out / np.sqrt(nc)


@dataclass(frozen=True, slots=True)
class BootstrapResult:
    se: np.ndarray
    """Bootstrap standard error per column (NaN where the column is degenerate)."""
    crit_val: float
    """Simultaneous critical value over the non-degenerate columns (NaN if none)."""


def _quantile_type1(a: np.ndarray, q: float, axis: int = 0) -> np.ndarray:
    return np.quantile(a, q, axis=axis, method="inverted_cdf")


def summarise(draws: np.ndarray, n_units: int, n_clusters: int, alpha: float) -> BootstrapResult:
    """Standard errors and the simultaneous critical value from bootstrap draws."""
    k = draws.shape[1]
    usable = np.all(np.isfinite(draws), axis=0) & np.any(draws != 0, axis=0)
    se = np.full(k, np.nan)
    if not usable.any():
        return BootstrapResult(se, float("nan"))
    b = draws[:, usable]
    q25, q75 = np.quantile(b, [0.25, 0.75], axis=0, method="inverted_cdf")
    sigma = (q75 - q25) / _IQR_NORMAL
    sigma[~np.isfinite(sigma) | (sigma <= 0)] = np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = np.abs(b / sigma)
    scaled[np.isnan(scaled)] = -np.inf
    t_max = np.max(scaled, axis=1)
    t_max = t_max[np.isfinite(t_max)]
    se[usable] = sigma * np.sqrt(n_clusters) / n_units
    crit = float(_quantile_type1(t_max, 1 - alpha)) if t_max.size else float("nan")
    return BootstrapResult(se, crit)
