"""Time the pure report core (R1–R4) on a synthetic national episode frame.

Usage: ``python bench/reports_core.py [N]`` (default 1 000 000 episodes). The frame is generated
with numpy directly in the episode-frame layout (no database): 80 associations in 21 counties,
~12 % anonymous, 1 % FEL. Prints seconds per report at the country level and with all
associations, counties and the country side by side. Run from the repository root:
``PYTHONPATH=. python bench/reports_core.py``.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from finsam.domain import protection
from finsam.domain.codelists import SUPPORT
from finsam.domain.reports.core import Period, ReportOptions
from finsam.domain.reports.frame import EPISODE_COLUMNS, validate_frame
from finsam.domain.reports.participants import participants
from finsam.domain.reports.quality import data_quality
from finsam.domain.reports.standard import (
    exit_reasons,
    occupation,
    outcome_summary,
    support_after,
    support_before,
)


def synthetic_frame(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_assoc = 80
    assoc = rng.integers(0, n_assoc, n)
    county = assoc % 21 + 1
    interv = assoc * 10 + rng.integers(0, 10, n)
    start = np.datetime64("2015-01-01") + rng.integers(0, 3650, n).astype("timedelta64[D]")
    length = rng.integers(10, 900, n).astype("timedelta64[D]")
    end = (start + length).astype("datetime64[ns]")
    end[rng.random(n) < 0.15] = np.datetime64("NaT")
    anon = rng.random(n) < 0.12
    persons = rng.integers(0, int(n * 0.8), n)
    bits = np.array([1 << c.bit for c in SUPPORT.codes if c.code != "SAK"])
    before = bits[rng.integers(0, len(bits), n)] | np.where(
        rng.random(n) < 0.2, bits[rng.integers(0, len(bits), n)], 0
    )
    after = np.where(rng.random(n) < 0.1, 0, bits[rng.integers(0, len(bits), n)])
    reasons = np.array(["ARB", "STU", "REH", "SJK", "FOR", "FLY", "AVB", "UTU", "OVR", "FEL"])
    reason = reasons[rng.choice(10, n, p=[0.2, 0.1, 0.2, 0.1, 0.05, 0.05, 0.1, 0.1, 0.09, 0.01])]
    work = np.where(rng.random(n) < 0.3, rng.integers(1, 50, n), np.nan)
    study = np.where(rng.random(n) < 0.2, rng.integers(1, 40, n), np.nan)
    codes = lambda values, k: np.array(values, dtype=object)[rng.integers(0, len(values), k)]  # noqa: E731
    df = pd.DataFrame(
        {
            "episode_id": np.arange(n),
            "intervention_code": interv.astype(str),
            "intervention_name": np.char.add("Insats ", interv.astype(str)),
            "orientation": "individual",
            "registration": "persons",
            "association_code": np.char.add("F", assoc.astype(str)),
            "association_name": np.char.add("Förbund ", assoc.astype(str)),
            "county_code": np.char.zfill(county.astype(str), 2),
            "county_name": np.char.add("Län ", county.astype(str)),
            "person_key": np.where(
                anon, None, np.char.add("p", persons.astype(str)).astype(object)
            ),
            "sex": codes(["K", "M", "K", "M", "X"], n),
            "age_at_start": rng.integers(16, 66, n),
            "home_municipality": "0180",
            "start_date": start.astype("datetime64[ns]"),
            "end_date": end,
            "exit_reason": np.where(np.isnat(end), None, reason.astype(object)),
            "support_before_mask": before,
            "support_after_mask": after,
            "occupation_before": codes(["ARB", "STU", "ARS", "OVR", None], n),
            "occupation_after": codes(["ARB", "STU", "ARS", "OVR", None], n),
            "time_on_support": codes(["NONE", "LT1", "1TO3", "3TO9", "GE9", None], n),
            "education": codes(["GRU_LT", "GRU", "GYM", "EFT", None], n),
            "work_hours_before": np.where(rng.random(n) < 0.5, 0.0, np.nan),
            "study_hours_before": np.where(rng.random(n) < 0.5, 0.0, np.nan),
            "work_hours": work,
            "study_hours": study,
            "work_study_increased": np.full(n, None, dtype=object),
        }
    )
    assert list(df.columns) == [c.name for c in EPISODE_COLUMNS]
    return df


def main(n: int) -> None:
    t0 = time.perf_counter()
    df = synthetic_frame(n)
    print(f"generated {n} episodes in {time.perf_counter() - t0:.2f} s")
    t0 = time.perf_counter()
    df = validate_frame(df)
    print(f"{'validate_frame':22s} {'':28s} {time.perf_counter() - t0:.2f} s")
    period = Period.year(2019)
    for levels in (("country",), ("association", "county", "country")):
        options = ReportOptions(period, levels=levels)
        for report in (
            outcome_summary,
            support_before,
            support_after,
            exit_reasons,
            occupation,
            participants,
        ):
            protection.STATS.update(seconds=0.0, lp_solves=0)
            protection._CACHE.clear()
            t0 = time.perf_counter()
            report(df, options)
            print(f"{report.__name__:22s} {'+'.join(levels):28s} {time.perf_counter() - t0:.2f} s")
            print(
                f"{'  of which protection':22s} {'':28s} {protection.STATS['seconds']:.2f} s "
                f"({protection.STATS['lp_solves']} LP solves)"
            )
    t0 = time.perf_counter()
    data_quality(df, period)
    print(f"{'data_quality':22s} {'association':28s} {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
