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
    period_values = np.asarray(periods)
    x = rng.normal(size=n_units)
    never = rng.permutation(n_units) < round(never_share * n_units)
    g = rng.choice(np.asarray(cohorts), size=n_units).astype(float)
    g[never] = 0.0
    unit_fe = rng.normal(size=n_units) + 0.5 * x
    time_fe = np.cumsum(rng.normal(0.3, 0.2, size=len(period_values)))
    e = period_values[None, :] - g[:, None]
    treated = (g[:, None] > 0) & (e >= 0)
    tau = np.where(treated, effect + dynamic_slope * np.maximum(e, 0), 0.0)
    y = (
        unit_fe[:, None]
        + time_fe[None, :]
        + tau
        + noise * rng.normal(size=(n_units, len(period_values)))
    )
    return pd.DataFrame(
        {
            "unit": np.repeat(np.arange(1, n_units + 1), len(period_values)),
            "year": np.tile(period_values, n_units),
            "y": y.ravel(),
            "g": np.repeat(g, len(period_values)),
            "x": np.repeat(x, len(period_values)),
        }
    )


ISF_BASE_SHARES = {
    "sickness_benefit": 2.5,
    "sickness_compensation": 5.0,
    "unemployment_to_work": 1.5,
    "social_assistance": 4.0,
    "studying": 8.0,
    "neet": 6.0,
}
"""Rough baseline shares (percent of the population group) for the synthetic ISF file."""

ISF_TRUE_EFFECTS = {
    "sickness_benefit": -0.3,
    "sickness_compensation": 0.2,
    "unemployment_to_work": 0.1,
    "social_assistance": 0.0,
    "studying": 0.0,
    "neet": 0.4,
}
"""Effect in percentage points from the join year on, built into the synthetic ISF file."""

ISF_POPULATION_SHARES = {
    "total": 1.0,
    "women": 0.5,
    "men": 0.5,
    "age_19_24": 0.08,
    "age_55_64": 0.13,
}


def simulate_isf_counts(
    n_municipalities: int = 290,
    years: Sequence[int] = tuple(range(2000, 2017)),
    join_years: Sequence[int] = tuple(range(2005, 2011)),
    never_share: float = 0.2,
    seed: int = 0,
) -> pd.DataFrame:
    """A municipality × year file of counts in the ISF input layout (see ``docs/evaluation.md``).

    Columns: ``municipality, year, join_year`` (empty = never joined), ``pop_<population>`` and
    ``<outcome>_<population>`` for the six outcomes and five population groups of the ISF study.
    """
    rng = np.random.default_rng(seed)
    year_values = np.asarray(years)
    n, n_t = n_municipalities, len(year_values)
    codes = np.array([f"{1000 + i:04d}" for i in range(n)])
    join = rng.choice(np.asarray(join_years), size=n).astype(float)
    join[rng.permutation(n) < round(never_share * n)] = np.nan
    size = np.exp(rng.normal(9.8, 1.0, size=n)).round()
    growth = 1 + 0.004 * (year_values - year_values[0])
    frame = {
        "municipality": np.repeat(codes, n_t),
        "year": np.tile(year_values, n),
        "join_year": np.repeat(join, n_t),
    }
    e = year_values[None, :] - np.nan_to_num(join, nan=1e9)[:, None]
    after = e >= 0
    for pop, share in ISF_POPULATION_SHARES.items():
        pop_count = np.round(size[:, None] * share * growth[None, :]).clip(min=1)
        frame[f"pop_{pop}"] = pop_count.ravel()
        for outcome, base in ISF_BASE_SHARES.items():
            level = base * np.exp(rng.normal(0, 0.25, size=n))[:, None]
            trend = rng.normal(0, 0.05) * (year_values - year_values[0])[None, :]
            pct = level + trend + ISF_TRUE_EFFECTS[outcome] * after
            pct = pct + rng.normal(0, 0.15, size=(n, n_t))
            counts = rng.binomial(pop_count.astype(np.int64), np.clip(pct, 0.01, 99) / 100)
            frame[f"{outcome}_{pop}"] = counts.ravel()
    return pd.DataFrame(frame)
