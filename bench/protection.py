"""Hidden cells and time of ``protect()`` against an optimal cell-suppression MILP.

Usage (from the repository root): ``PYTHONPATH=. python bench/protection.py [--tables N]``.

For random small tables (r × c grids with row and column totals, and women/men/unknown → total
× 2 categories for 1 county with 2–3 associations) it compares the number of hidden cells of
:func:`finsam.domain.protection.protect` with the optimum of the classic cell-suppression model
(Fischetti & Salazar-González): binary ``y_j`` = cell j hidden; for every primary cell p and
each direction one copy of deviation variables ``d`` with ``Σ over each line = 0``,
``d_p = +(t − v_p)`` (up to the threshold) resp. ``−(v_p − 1)`` (down to 1), every count staying
≥ 1, and ``d_j ≠ 0`` only where ``y_j = 1``; minimise Σ y. That model protects every primary
cell's range to [1, t] exactly as our audit demands of a primary, so its optimum is a lower
bound for ``protect()`` (which in addition requires no secondary cell to be determined). Solved
with scipy's ``milp`` (HiGHS). Prints machine, sizes, totals and times.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from finsam.domain.protection import Cell, Line, ProtectionRule, Table, grid_table, protect


def grid(rng, r, c):
    body = rng.choice([0, 1, 2, 3, 4, 6, 9, 15, 30], size=(r, c))
    rows = [f"r{i}" for i in range(r)] + ["T"]
    cols = [f"c{j}" for j in range(c)] + ["T"]
    values = {}
    for i in range(r):
        for j in range(c):
            values[(rows[i], cols[j])] = int(body[i, j])
        values[(rows[i], "T")] = int(body[i].sum())
    for j in range(c):
        values[("T", cols[j])] = int(body[:, j].sum())
    values[("T", "T")] = int(body.sum())
    return grid_table(values, rows, cols, total_row="T", total_column="T")


def hierarchy(rng, n_assoc):
    assocs = [f"A{i}" for i in range(n_assoc)]
    sexes = ("w", "m", "u")
    cats = ("k0", "k1")
    leaf = {
        (a, k, s): int(rng.choice([0, 1, 2, 5, 8, 20] if s != "u" else [0, 0, 1, 3]))
        for a in assocs
        for k in cats
        for s in sexes
    }
    cells, lines = {}, []
    for area in [*assocs, "L"]:
        members = assocs if area == "L" else [area]
        for k in (*cats, "all"):
            ks = cats if k == "all" else (k,)
            for s in sexes:
                cells[(area, k, s)] = Cell(sum(leaf[(a, kk, s)] for a in members for kk in ks))
            cells[(area, k, "t")] = Cell(sum(cells[(area, k, s)].value for s in sexes))
            lines.append(Line((area, k, "t"), tuple((area, k, s) for s in sexes)))
        for s in (*sexes, "t"):
            lines.append(Line((area, "all", s), tuple((area, k, s) for k in cats)))
    for k in (*cats, "all"):
        for s in (*sexes, "t"):
            lines.append(Line(("L", k, s), tuple((a, k, s) for a in assocs)))
    return Table(cells, tuple(lines))


def optimal(table: Table, t: int) -> tuple[int | None, float]:
    """Minimum number of hidden cells (the MILP above) and its solve time."""
    keys = list(table.cells)
    idx = {k: i for i, k in enumerate(keys)}
    n = len(keys)
    v = np.array([table.cells[k].value for k in keys], dtype=float)
    primaries = [i for i in range(n) if 1 <= v[i] < t]
    if not primaries:
        return 0, 0.0
    a = np.zeros((len(table.lines), n))
    for r, line in enumerate(table.lines):
        for k in line.parts:
            a[r, idx[k]] += 1
        a[r, idx[line.total]] -= 1
    big = float(v.sum() + t)
    copies = [(p, t - v[p]) for p in primaries] + [(p, -(v[p] - 1)) for p in primaries if v[p] > 1]
    m = len(copies)
    nvar = n + m * n  # y, then d per copy
    cost = np.zeros(nvar)
    cost[:n] = 1
    lower = np.zeros(nvar)
    upper = np.ones(nvar)
    integrality = np.zeros(nvar)
    integrality[:n] = 1
    rows, lo, hi = [], [], []
    for c, (p, delta) in enumerate(copies):
        off = n + c * n
        lower[off : off + n] = np.where(v > 0, 1 - v, 0)
        upper[off : off + n] = np.where(v > 0, big, 0)
        lower[off + p] = upper[off + p] = delta
        for r in range(len(table.lines)):
            row = np.zeros(nvar)
            row[off : off + n] = a[r]
            rows.append(row)
            lo.append(0)
            hi.append(0)
        for j in range(n):
            if v[j] == 0:
                continue
            # d_j ≤ big · y_j and d_j ≥ (1 − v_j) · y_j
            row = np.zeros(nvar)
            row[off + j] = 1
            row[j] = -big
            rows.append(row)
            lo.append(-np.inf)
            hi.append(0)
            row = np.zeros(nvar)
            row[off + j] = 1
            row[j] = -(1 - v[j])
            rows.append(row)
            lo.append(0)
            hi.append(np.inf)
    for p in primaries:
        lower[p] = 1
    started = time.perf_counter()
    res = milp(
        cost,
        constraints=LinearConstraint(np.array(rows), lo, hi),
        bounds=Bounds(lower, upper),
        integrality=integrality,
        options={"time_limit": 60},
    )
    elapsed = time.perf_counter() - started
    if res.x is None:  # no pattern protects every primary to [1, t] (our audit asks less)
        return None, elapsed
    return round(res.x[:n].sum()), elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tables", type=int, default=20, help="tables per kind")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    print(
        f"machine: nproc={os.cpu_count()}, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}"
    )
    rule = ProtectionRule()
    kinds = [
        ("grid 3×3 + totals", lambda: grid(rng, 3, 3)),
        ("grid 4×5 + totals", lambda: grid(rng, 4, 5)),
        ("1 county, 3 assoc × sex × 2 cat", lambda: hierarchy(rng, 3)),
    ]
    for name, make in kinds:
        ours = best = 0
        t_ours = t_best = 0.0
        worst = 0
        cells = 0
        skipped = 0
        for _ in range(args.tables):
            table = make()
            cells += len(table.cells)
            started = time.perf_counter()
            result = protect(table, rule)
            t_ours += time.perf_counter() - started
            opt, t = optimal(table, rule.threshold)
            t_best += t
            if opt is None:
                skipped += 1
                continue
            ours += len(result.hidden)
            best += opt
            worst = max(worst, len(result.hidden) - opt)
        print(
            f"{name:34s} {args.tables} tables, {cells // args.tables} cells each: "
            f"hidden protect() {ours}, optimal MILP {best} "
            f"(+{100 * (ours - best) / max(best, 1):.0f} %, worst table +{worst}); "
            f"time protect() {1000 * t_ours / args.tables:.1f} ms/table, "
            f"MILP {1000 * t_best / args.tables:.0f} ms/table"
            + (f"; {skipped} tables without a MILP solution left out" if skipped else "")
        )


if __name__ == "__main__":
    main()
