"""Differencing between calendar periods: an attacker who collects protected reports of several
overlapping grid periods of one year (the year, a half, a quarter, a month) and subtracts them
recovers nothing and narrows no primary cell.

The attacker (``tests/domain/attacker.py``, scipy ``milp``, written apart from the protection
module) sees the published cells of every output it asked for, each output's own lines, and the
time relations it can form itself: a count of exits or starts in a period is the sum over its
sub-periods. It takes every such relation that holds for the true values (a stronger attacker
than a reader, who cannot know which of them hold).
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from finsam.domain.protection import Line, ProtectedTable
from finsam.domain.reports import REPORTS
from finsam.domain.reports.core import Period, ReportOptions
from finsam.domain.reports.periods import (
    grid_cell,
    grid_key,
    grid_period,
    protect_over_year,
    protected_period_problems,
    year_grid,
)
from tests.domain.attacker import breaches
from tests.domain.reports.test_report_protection import to_frame


def episodes(n: int, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)

    def pick(values):
        return values[int(rng.integers(len(values)))]

    rows = []
    for _ in range(n):
        start = date(2019, int(rng.integers(1, 13)), int(rng.integers(1, 28)))
        end = None
        if rng.random() < 0.8:
            end = date(2019, int(rng.integers(start.month, 13)), int(rng.integers(1, 28)))
            end = max(end, start)
        rows.append(
            {
                "sex": pick("KKMMX"),
                "age_at_start": int(rng.integers(16, 70)),
                "association_code": pick(["F1", "F2", "F3"]),
                "person_key": pick([None] + [f"p{i}" for i in range(60)]),
                "start_date": start.isoformat(),
                "end_date": None if end is None else end.isoformat(),
                "exit_reason": pick(["ARB", "STU", "REH", "OVR"]),
                "support_before": [pick(["FSS", "AKS", "SJP", "ING"])],
                "support_after": [pick(["FSS", "ING", "STU"])],
                "education": pick([None, "GRU", "GYM"]),
                "work_hours": pick([None, 0.0, 20.0, 45.0]),
                "study_hours": pick([None, 0.0, 10.0]),
            }
        )
    return rows


def attack(outputs: dict[str, ProtectedTable], threshold: int = 5):
    """Everything the attacker gets from ``outputs`` (grid key → the output's protected table),
    as one table with the outputs' lines and the time lines it forms itself."""
    cells, lines = {}, []
    for pkey, pt in outputs.items():
        for k, c in pt.cells.items():
            cells[(pkey, k)] = c
        for line in pt.lines:
            lines.append(Line((pkey, line.total), tuple((pkey, p) for p in line.parts)))
    year = next(iter(outputs))[:4]
    _periods, hierarchy = year_grid(int(year))
    # a parent = Σ children relation for every cell all of them have – wherever a reader could
    # form it from the outputs asked for (every child asked for), and where it holds exactly
    for parent, kids in hierarchy:
        if parent not in outputs or not all(k in outputs for k in kids):
            continue
        for k, c in outputs[parent].cells.items():
            if c.kind.value != "count" or c.value is None:
                continue
            parts = [outputs[kid].cells.get(k) for kid in kids]
            if any(p is None or p.value is None for p in parts):
                continue
            if math.isclose(c.value, sum(p.value for p in parts)):
                lines.append(Line((parent, k), tuple((kid, k) for kid in kids)))
    union = ProtectedTable(cells, next(iter(outputs.values())).rule, True, tuple(lines))
    return breaches(union, lines, threshold)


def outputs_for(name, df, keys, levels=("association", "county", "country"), finest="quarter"):
    out = {}
    periods, _ = year_grid(2019)
    for key in keys:
        options = ReportOptions(periods[key], levels=levels)
        result = protect_over_year(lambda o: REPORTS[name](df, o), options, finest)
        out[key] = result.tables[0].protected
    return out


def test_grid_cells_and_refusals():
    assert grid_cell(Period.year(2019)) == (2019, "year", 1)
    assert grid_cell(grid_period(2019, "half", 2)) == (2019, "half", 2)
    assert grid_cell(grid_period(2019, "quarter", 3)) == (2019, "quarter", 3)
    assert grid_cell(grid_period(2019, "month", 2)) == (2019, "month", 2)
    assert grid_key(grid_period(2019, "month", 11)) == "2019-11"
    # a month range that is no grid cell, a day range, two years
    for period in (
        Period(date(2019, 2, 1), date(2019, 4, 30)),
        Period(date(2019, 1, 1), date(2019, 5, 31)),
        Period(date(2019, 1, 2), date(2019, 12, 31)),
        Period(date(2018, 1, 1), date(2019, 12, 31)),
    ):
        assert grid_cell(period) is None
        (problem,) = protected_period_problems(period)
        assert problem.rule == "report.protected_period"
        assert "skyddade rapporter" in problem.message and "en månad" in problem.message
    assert protected_period_problems(grid_period(2019, "month", 5), "quarter")
    assert not protected_period_problems(grid_period(2019, "quarter", 2), "quarter")
    # the core refuses a protected run of a period outside the grid
    options = ReportOptions(Period(date(2019, 1, 1), date(2019, 5, 31)))
    with pytest.raises(ValueError):
        protect_over_year(lambda o: REPORTS["utfall"](to_frame([]), o), options)


def test_unprotected_runs_any_period_unchanged():
    df = to_frame(episodes(40, 3))
    options = ReportOptions(Period(date(2019, 1, 1), date(2019, 5, 31)), protected=False)
    result = protect_over_year(lambda o: REPORTS["utfall"](df, o), options)
    assert result.tables[0].protected.hidden == frozenset()


def test_year_and_first_half_cannot_be_subtracted():
    """Without the time hierarchy, year − H1 gave H2's hidden cells back; now the attacker who
    holds the year, both halves and a quarter finds nothing."""
    df = to_frame(episodes(100, 11))
    outputs = outputs_for(
        "utfall", df, ["2019", "2019H1", "2019H2", "2019Q1"], levels=("association", "country")
    )
    assert any(pt.hidden for pt in outputs.values())
    assert attack(outputs) == []


def test_each_output_is_a_slice_of_one_protection():
    """Whatever period is asked for, the year's grid is protected as one table: the year's
    output is the same whether asked alone or next to a quarter, and it hides at least what the
    year protected on its own hides."""
    df = to_frame(episodes(80, 5))
    year_alone = outputs_for("utfall", df, ["2019"])["2019"]
    options = ReportOptions(Period.year(2019), levels=("association", "county", "country"))
    direct = REPORTS["utfall"](df, options).tables[0].protected
    primary = {k for k, c in direct.cells.items() if c.flag.value == "primary"}
    assert primary <= year_alone.hidden
    both = outputs_for("utfall", df, ["2019Q2", "2019"])
    assert both["2019"].hidden == year_alone.hidden


@pytest.mark.parametrize(("name", "seed"), [("utfall", 1), ("forsorjning-fore", 2)])
def test_attacker_with_nested_and_overlapping_periods_recovers_nothing(name, seed):
    df = to_frame(episodes(50, seed))
    keys = ["2019", "2019H1", "2019Q1", "2019Q2", "2019-01", "2019-02", "2019-03"]
    outputs = outputs_for(name, df, keys, levels=("association",), finest="month")
    assert attack(outputs) == []


def test_whole_report_counts_follow_the_grid():
    """The page's "Deltagarepisoder i populationen" of a period is hidden when the other half
    could otherwise be computed from it."""
    df = to_frame(episodes(60, 8))
    options = ReportOptions(grid_period(2019, "half", 1), levels=("country",))
    result = protect_over_year(lambda o: REPORTS["utfall"](df, o), options, "quarter")
    year = protect_over_year(
        lambda o: REPORTS["utfall"](df, o),
        ReportOptions(Period.year(2019), levels=("country",)),
        "quarter",
    )
    h2 = protect_over_year(
        lambda o: REPORTS["utfall"](df, o),
        ReportOptions(grid_period(2019, "half", 2), levels=("country",)),
        "quarter",
    )
    shown = [
        r
        for r in (year, result, h2)
        if "episodes" not in r.hidden_counts and not (1 <= r.episodes < 5)
    ]
    # never exactly one of the three hidden (it would be the difference of the other two)
    assert len(shown) != 2
