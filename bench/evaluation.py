# ruff: noqa: E402 – BLAS threads are set before numpy is imported
"""Benchmark: the ISF study and one large att_gt, Finsam against csdid, in the same process.

Run from the repository root::

    /work/venv/bin/python bench/evaluation.py            # full: 6 × 5 combinations, 999 draws
    /work/venv/bin/python bench/evaluation.py --quick    # 2 combinations, for a smoke run

1. A synthetic municipality × year file: 290 municipalities × 17 years (2000–2016), cohorts joining
   2005–2010, 20 % never joining, six outcomes × five population groups of counts.
2. The full ISF study (every outcome × population, not-yet-joined comparison, doubly robust,
   999 multiplier-bootstrap draws, dynamic aggregation over event times −6..6): timed with
   Finsam (``run_isf_study``) and with ``csdid`` run the same way (``ATTgt(...).fit`` then
   ``aggte("dynamic")``) on the same share panel.
3. One ``att_gt`` on 10 000 units × 17 years (999 draws), both ways.

Each timing is repeated (``--repeat``, default 3) and the median reported. Prints wall times, the
speed-up and the largest difference between the point estimates. Not part
of the test suite.
"""

from __future__ import annotations

import os
import sys

# BLAS threads must be fixed before numpy is imported; the same setting applies to Finsam and
# csdid. One thread is the default because on a shared machine a busy core stalls multi-threaded
# BLAS; ``--blas-threads N`` changes it.
_threads = "1"
if "--blas-threads" in sys.argv:
    _threads = sys.argv[sys.argv.index("--blas-threads") + 1]
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = _threads

import argparse
import platform
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from finsam.evaluation import aggte, att_gt
from finsam.evaluation.isf import (
    JOIN,
    OUTCOMES,
    POPULATIONS,
    TIME,
    UNIT,
    StudyOptions,
    build_share_panel,
    count_column,
    run_isf_study,
)
from finsam.evaluation.simulate import simulate_isf_counts, simulate_panel

BITERS = 999
WINDOW = 6


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def csdid_run(panel, yname, tname, idname, gname, control, *, aggregate: bool):
    from csdid.att_gt import ATTgt

    np.random.seed(1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ATTgt(
            yname=yname,
            tname=tname,
            idname=idname,
            gname=gname,
            data=panel,
            control_group=control,
            biters=BITERS,
            cband=True,
        ).fit(est_method="dr", base_period="varying", bstrap=True)
        if aggregate:
            import contextlib
            import io

            with contextlib.redirect_stdout(io.StringIO()):
                model.aggte(typec="dynamic", min_e=-WINDOW, max_e=WINDOW)
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two combinations only")
    parser.add_argument("--skip-large", action="store_true", help="skip the 10 000-unit run")
    parser.add_argument("--blas-threads", default="1", help="BLAS threads (default 1)")
    parser.add_argument(
        "--repeat", type=int, default=3, help="timings per implementation; the median is reported"
    )
    args = parser.parse_args()

    print("Finsam evaluation benchmark")
    print(
        f"machine: nproc={os.cpu_count()}, CPU: {cpu_model()}, Python "
        f"{platform.python_version()}, numpy {np.__version__}, BLAS threads {_threads}"
    )
    import csdid

    print(f"reference: csdid {getattr(csdid, '__version__', '0.4.3')}")

    counts = simulate_isf_counts(n_municipalities=290, years=range(2000, 2017), seed=2024)
    never = counts.groupby(UNIT)[JOIN].first().isna().mean()
    outcomes = list(OUTCOMES)[:1] if args.quick else list(OUTCOMES)
    populations = list(POPULATIONS)[:2] if args.quick else list(POPULATIONS)
    n_combos = len(outcomes) * len(populations)
    print(
        f"ISF data: {counts[UNIT].nunique()} municipalities × {counts[TIME].nunique()} years "
        f"= {len(counts)} rows, {never:.0%} never join, cohorts 2005–2010; "
        f"{len(outcomes)} outcomes × {len(populations)} populations = {n_combos} runs, "
        f"{BITERS} bootstrap draws each"
    )

    options = StudyOptions(biters=BITERS, event_window=WINDOW, seed=7)
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        report = run_isf_study(
            counts,
            outcomes=outcomes,
            populations=populations,
            options=options,
            include_not_applicable=True,
        )
        times.append(time.perf_counter() - t0)
    t_finsam = float(np.median(times))

    panel = build_share_panel(counts, outcomes=outcomes, populations=populations)
    panel[UNIT] = panel[UNIT].astype(int)
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        max_diff_attgt = 0.0
        max_diff_dyn = 0.0
        for combo in report.combinations:
            column = count_column(combo.outcome, combo.population)
            model = csdid_run(panel, column, TIME, UNIT, JOIN, "notyettreated", aggregate=True)
            ref_att = np.asarray(model.results["att"], dtype=float)
            diff = float(np.nanmax(np.abs(ref_att - combo.attgt.att)))
            max_diff_attgt = max(max_diff_attgt, diff)
            ref_dyn = np.asarray(model.atte["att_egt"], dtype=float)
            diff = float(np.max(np.abs(ref_dyn - combo.dynamic.att)))
            max_diff_dyn = max(max_diff_dyn, diff)
        times.append(time.perf_counter() - t0)
    t_csdid = float(np.median(times))
    print()
    print(
        "Full ISF study (att_gt + dynamic aggregation with bootstrap, per combination; "
        f"median of {args.repeat} runs):"
    )
    print(f"  Finsam: {t_finsam:8.2f} s")
    print(f"  csdid : {t_csdid:8.2f} s")
    print(f"  speed-up: {t_csdid / t_finsam:6.1f}×")
    agree = max(max_diff_attgt, max_diff_dyn) < 1e-8
    print(
        f"  point estimates agree: {'yes' if agree else 'NO'} (max |diff| ATT(g,t) "
        f"{max_diff_attgt:.1e}, event-study {max_diff_dyn:.1e})"
    )

    if args.skip_large:
        return
    big = simulate_panel(
        n_units=10_000, periods=range(2000, 2017), cohorts=tuple(range(2005, 2011)), seed=5
    )
    print()
    print(
        f"Single att_gt: {big.unit.nunique()} units × {big.year.nunique()} years "
        f"= {len(big)} rows, never-treated comparison, dr, {BITERS} draws, dynamic "
        f"aggregation; median of {args.repeat} runs"
    )
    t0 = time.perf_counter()
    result = att_gt(big, yname="y", tname="year", idname="unit", gname="g", biters=BITERS, seed=1)
    aggte(result, "dynamic")
    t_f = time.perf_counter() - t0
    t0 = time.perf_counter()
    model = csdid_run(big, "y", "year", "unit", "g", "nevertreated", aggregate=True)
    t_c = time.perf_counter() - t0
    diff = float(np.nanmax(np.abs(np.asarray(model.results["att"], float) - result.att)))
    print(f"  Finsam: {t_f:8.2f} s")
    print(f"  csdid : {t_c:8.2f} s")
    print(f"  speed-up: {t_c / t_f:6.1f}×")
    print(f"  point estimates agree: {'yes' if diff < 1e-8 else 'NO'} (max |diff| {diff:.1e})")


if __name__ == "__main__":
    main()
