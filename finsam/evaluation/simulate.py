"""Synthetic staggered-adoption panels with a known effect (tests, benchmark, demos)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def simulate_panel(
    n_units: int = 500,
    periods: Sequence[int] = tuple(range(2000, 2011)),
    cohorts: Sequence[int] = (2004, 2006, 2008),
    never_share: float = 0.2,
    effect: float = 1.0,
    dynamic_slope: float = 0.0,
    noise: float = 1.0,
    seed: int = 0,
) -> pd.DataFrame:
    """Long panel ``unit, year, y, g, x`` with parallel trends and a known effect.

    Exactly ``round(never_share * n_units)`` units are never treated. A treated unit's outcome
    rises by ``effect + dynamic_slope * e`` in event time e ≥ 0. Cohort
    membership depends on ``x``, and ``x`` shifts the trend, so only estimators that condition on
    ``x`` are unbiased when ``x`` matters; with the defaults the trend does not depend on ``x``.
    """
    rng = np.random.default_rng(seed)
    periods = np.asarray(periods)
    x = rng.normal(size=n_units)
    never = rng.permutation(n_units) < round(never_share * n_units)
    g = rng.choice(np.asarray(cohorts), size=n_units).astype(float)
    g[never] = 0.0
    unit_fe = rng.normal(size=n_units) + 0.5 * x
    time_fe = np.cumsum(rng.normal(0.3, 0.2, size=len(periods)))
    e = periods[None, :] - g[:, None]
    treated = (g[:, None] > 0) & (e >= 0)
    tau = np.where(treated, effect + dynamic_slope * np.maximum(e, 0), 0.0)
    y = unit_fe[:, None] + time_fe[None, :] + tau + noise * rng.normal(size=(n_units, len(periods)))
    return pd.DataFrame(
        {
            "unit": np.repeat(np.arange(1, n_units + 1), len(periods)),
            "year": np.tile(periods, n_units),
            "y": y.ravel(),
            "g": np.repeat(g, len(periods)),
            "x": np.repeat(x, len(periods)),
        }
    )
