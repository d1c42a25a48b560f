"""An attacker on protected tables, written apart from ``finsam.domain.protection``.

It knows what a reader of the output knows: every shown value, every additive line of the table
(``total = Σ parts``), that hidden counts are integers and that zeros are always shown (so a
hidden count is ≥ 1). For each hidden count it solves two integer programmes (scipy's HiGHS
``milp``): the smallest and the largest value consistent with all of that. It uses nothing of
the protection module but the published table.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp


def feasible_ranges(result, lines, *, integral=True):
    """``{hidden count key: (low, high)}`` for ``result`` (a ``ProtectedTable``)."""
    unknown = [k for k, c in result.cells.items() if c.hidden]
    out = {}
    for block, block_lines in _blocks(result, unknown, lines):
        out.update(_ranges(result, block, block_lines, integral))
    return out


def _blocks(result, unknown, lines):
    """Hidden cells linked through lines (each block is solved on its own)."""
    unknown_set = set(unknown)
    owner = {k: k for k in unknown}

    def root(k):
        while owner[k] != k:
            k = owner[k]
        return k

    used = []
    for line in lines:
        members = [*line.parts, line.total]
        if any(result.cells[k].value is None for k in members):
            continue
        hid = [k for k in members if k in unknown_set]
        if not hid:
            continue
        used.append(line)
        for k in hid[1:]:
            a, b = root(hid[0]), root(k)
            if a != b:
                owner[b] = a
    groups = {}
    for k in unknown:
        groups.setdefault(root(k), ([], []))[0].append(k)
    for line in used:
        k = next(k for k in [*line.parts, line.total] if k in unknown_set)
        groups[root(k)][1].append(line)
    return list(groups.values())


def _ranges(result, unknown, lines, integral):
    counts = [k for k in unknown if result.cells[k].kind == "count"]
    index = {k: i for i, k in enumerate(unknown)}
    rows, rhs = [], []
    for line in lines:
        members = [(k, 1.0) for k in line.parts] + [(line.total, -1.0)]
        row = np.zeros(len(unknown))
        b = 0.0
        for k, sign in members:
            if k in index:
                row[index[k]] += sign
            else:
                b -= sign * result.cells[k].value
        rows.append(row)
        rhs.append(b)
    is_count = np.array([result.cells[k].kind == "count" for k in unknown])
    lower = np.where(is_count, 1.0, -np.inf)
    bounds = Bounds(lower, np.full(len(unknown), np.inf))
    integrality = (is_count & integral).astype(int)
    constraints = [LinearConstraint(np.array(rows), rhs, rhs)] if rows else []
    out = {}
    for k in counts:
        ends = []
        for sense in (1.0, -1.0):
            if not rows:
                ends.append(1.0 if sense > 0 else math.inf)
                continue
            c = np.zeros(len(unknown))
            c[index[k]] = sense
            res = milp(c, constraints=constraints, bounds=bounds, integrality=integrality)
            if res.status == 0:
                ends.append(res.x[index[k]])
            else:
                # unbounded (or "infeasible or unbounded"): a large box tells which
                boxed = Bounds(np.maximum(lower, -1e7), np.full(len(unknown), 1e7))
                res = milp(c, constraints=constraints, bounds=boxed, integrality=integrality)
                assert res.status == 0, res.message
                v = res.x[index[k]]
                ends.append(
                    (-math.inf if v < -1e6 else v) if sense > 0 else (math.inf if v > 1e6 else v)
                )
        low, high = ends
        out[k] = (
            low if math.isinf(low) else round(low),
            high if math.isinf(high) else round(high),
        )
    return out


def breaches(result, lines, threshold):
    """Hidden counts the attacker determines exactly, and primary counts (true value 1 …
    threshold − 1) whose feasible range is narrower than threshold − 1."""
    found = []
    for key, (low, high) in feasible_ranges(result, lines).items():
        value = result.cells[key].value
        if high - low < 1:
            found.append((key, "exact", low, high))
        elif 1 <= value < threshold and high - low < threshold - 1:
            found.append((key, "narrow", low, high))
    return found
