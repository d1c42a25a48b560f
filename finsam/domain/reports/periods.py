"""Protected reports over calendar periods, safe against differencing between periods.

A reader who may ask for a report for 2019 and for January–June 2019 can subtract the two; each
output protected on its own does not stop that (12 exits in the year shown, 9 in the first half
shown gives 3 for the second half, whatever the July–December output hides). Statistics offices
handle *disclosure by differencing* by fixing the publication grid and protecting the time
dimension as a hierarchy. So does this module:

* **The grid.** A protected output covers exactly one cell of the calendar grid of one year:
  the year, a half-year, a quarter or a month (down to ``finest``). Other periods – day ranges,
  month ranges that are no grid cell, several years – are refused for protected outputs
  (:func:`protected_period_problems`); unprotected outputs (users who may see the persons) keep
  every period.
* **One protection per year.** :func:`protect_over_year` computes the report for *every* grid
  period of the year (1 year, 2 halves, 4 quarters, 12 months = 19 periods, unprotected),
  joins their cells into one table with the relations of each period's own table plus the time
  relations ``year = H1 + H2``, ``H = Q + Q``, ``Q = M + M + M`` for every cell, and protects
  that table once with :func:`finsam.domain.protection.protect` (primary + LP-audited
  complementary suppression). The requested period's output shows its slice of that one result.

Every protected output of a grid period of year *Y* (for the same report, levels, areas, split,
threshold and registry content) is thus a slice of the *same* protected table, and whatever set of
them a reader collects is a subset of it: fewer shown cells only widen every feasible range, so
the guarantee of the whole table (no hidden cell determined, every primary count's range at least
threshold − 1 wide) holds for any combination of requests. Time relations enter only where they
hold exactly (counts of exits or starts in the period, sums of hours); counts of *active*
episodes or distinct persons are not additive over time and give the reader only inequalities
(see ``docs/reports.md``, "What it does not cover").
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import replace
from datetime import date

from finsam.domain.problems import Problem
from finsam.domain.protection import Cell, Line, ProtectedTable, Table, protect
from finsam.domain.reports.core import Period, ReportOptions, ReportResult, ReportTable

GRID_LEVELS = ("year", "half", "quarter", "month")
"""Calendar grid levels, coarse to fine."""
GRID_LABELS = {
    "year": "ett kalenderår",
    "half": "ett halvår",
    "quarter": "ett kvartal",
    "month": "en månad",
}


def _month_end(year: int, month: int) -> date:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


def grid_period(year: int, level: str, index: int = 1) -> Period:
    """The ``index``-th (from 1) period of ``level`` in ``year`` (``grid_period(2019, "half", 2)``
    = July–December 2019)."""
    months = {"year": 12, "half": 6, "quarter": 3, "month": 1}[level]
    first = (index - 1) * months + 1
    return Period(date(year, first, 1), _month_end(year, first + months - 1))


def grid_cell(period: Period) -> tuple[int, str, int] | None:
    """``(year, level, index)`` when ``period`` is exactly one cell of the calendar grid (a
    year, half-year, quarter or month), else ``None``."""
    start, end = period.start, period.end
    if start.year != end.year or start.day != 1 or end != _month_end(end.year, end.month):
        return None
    n = end.month - start.month + 1
    for level, months in (("year", 12), ("half", 6), ("quarter", 3), ("month", 1)):
        if n == months and (start.month - 1) % months == 0:
            return start.year, level, (start.month - 1) // months + 1
    return None


def protected_period_problems(period: Period, finest: str = "month") -> list[Problem]:
    """Problems (Swedish) when ``period`` is no cell of the grid a protected output offers."""
    if finest not in GRID_LEVELS:
        raise ValueError(finest)
    allowed = GRID_LEVELS[: GRID_LEVELS.index(finest) + 1]
    cell = grid_cell(period)
    if cell is not None and cell[1] in allowed:
        return []
    names = ", ".join(GRID_LABELS[lvl] for lvl in allowed[:-1])
    choice = f"{names} eller {GRID_LABELS[allowed[-1]]}" if names else GRID_LABELS[allowed[-1]]
    return [
        Problem(
            "period_type",
            "report.protected_period",
            f"Period: skyddade rapporter visas bara för {choice} i kalendern "
            f"(nu {period.start}–{period.end}). Annars kan små tal räknas fram som skillnaden "
            "mellan två rapporter med överlappande perioder.",
            (period.start, period.end),
        )
    ]


def year_grid(year: int, finest: str = "month") -> tuple[dict[str, Period], list[tuple]]:
    """The grid periods of ``year`` down to ``finest`` (key → period) and the time hierarchy as
    (parent key, child keys) pairs."""
    depth = GRID_LEVELS.index(finest)
    periods: dict[str, Period] = {str(year): grid_period(year, "year")}
    children: list[tuple[str, tuple[str, ...]]] = []
    if depth >= 1:
        halves = tuple(f"{year}H{h}" for h in (1, 2))
        periods.update({k: grid_period(year, "half", h) for h, k in enumerate(halves, 1)})
        children.append((str(year), halves))
    if depth >= 2:
        for h in (1, 2):
            quarters = tuple(f"{year}Q{q}" for q in (2 * h - 1, 2 * h))
            for q, k in zip((2 * h - 1, 2 * h), quarters, strict=True):
                periods[k] = grid_period(year, "quarter", q)
            children.append((f"{year}H{h}", quarters))
    if depth >= 3:
        for q in range(1, 5):
            months = tuple(f"{year}-{m:02d}" for m in range(3 * q - 2, 3 * q + 1))
            for m, k in zip(range(3 * q - 2, 3 * q + 1), months, strict=True):
                periods[k] = grid_period(year, "month", m)
            children.append((f"{year}Q{q}", months))
    return periods, children


def grid_key(period: Period) -> str:
    cell = grid_cell(period)
    if cell is None:
        raise ValueError(period)
    year, level, index = cell
    return {
        "year": str(year),
        "half": f"{year}H{index}",
        "quarter": f"{year}Q{index}",
        "month": f"{year}-{index:02d}",
    }[level]


SCALARS = ("episodes", "anonymous_episodes")
"""The whole-report counts every person report prints (protected with the tables)."""
SCALAR_TABLE = -1


def _protected_tables(result: ReportResult) -> list[ProtectedTable]:
    """The distinct protected tables of a result (the tables of one report share one)."""
    seen: dict[int, ProtectedTable] = {}
    for table in result.tables:
        seen.setdefault(id(table.protected), table.protected)
    return list(seen.values())


def joint_table(
    results: dict[str, ReportResult], hierarchy: list[tuple]
) -> tuple[Table, dict[str, list[ProtectedTable]]]:
    """One table over every period's cells (keys ``(period key, table no., cell key)``), with each
    period's own lines and the time lines ``parent = Σ children`` for every cell all of them
    have."""
    cells: dict[Hashable, Cell] = {}
    lines: list[Line] = []
    sources: dict[str, list[Table]] = {}
    tables: dict[str, list[ProtectedTable]] = {}
    for pkey, result in results.items():
        tables[pkey] = _protected_tables(result)
        sources[pkey] = []
        for ti, pt in enumerate(tables[pkey]):
            src = pt.source
            if src is None:
                raise ValueError(f"report table without its source ({result.key})")
            sources[pkey].append(src)
            for k, c in src.cells.items():
                cells[(pkey, ti, k)] = Cell(
                    c.value, c.kind, c.n, tuple((pkey, ti, r) for r in c.refs)
                )
            for line in src.lines:
                lines.append(Line((pkey, ti, line.total), tuple((pkey, ti, p) for p in line.parts)))
        for name in SCALARS:
            cells[(pkey, SCALAR_TABLE, name)] = Cell(int(getattr(result, name)))
    for parent, kids in hierarchy:
        for name in SCALARS:
            lines.append(
                Line((parent, SCALAR_TABLE, name), tuple((kid, SCALAR_TABLE, name) for kid in kids))
            )
        for ti, src in enumerate(sources[parent]):
            kid_cells = [sources[k][ti].cells if ti < len(sources[k]) else {} for k in kids]
            for k in src.cells:
                if all(k in kc for kc in kid_cells):
                    lines.append(Line((parent, ti, k), tuple((kid, ti, k) for kid in kids)))
    return Table(cells, tuple(lines)), tables


def protect_over_year(
    run: Callable[[ReportOptions], ReportResult], options: ReportOptions, finest: str = "month"
) -> ReportResult:
    """``run(options)`` protected together with the grid periods of its year (module text).

    ``run`` computes the report for the options it is given (the frames it reads must hold the
    episodes of the whole calendar year of ``options.period``). ``options.period`` must be a grid
    cell down to ``finest``; unprotected options just run.

    Every request of the year computes and protects the same grid (all periods down to
    ``finest``) as one table, so whatever set of outputs a reader collects is a subset of one
    protected table. (Protecting level by level, coarse to fine, with the coarser cells fixed,
    would be cheaper but is not sound: a year total of 5 shown as it is leaves halves of 4 and 1
    with no cell left to hide.)
    """
    if not options.protected:
        return run(options)
    if protected_period_problems(options.period, finest):
        raise ValueError(f"not a grid period: {options.period}")
    wanted = grid_key(options.period)
    periods, hierarchy = year_grid(options.period.start.year, finest)
    results = {
        key: run(replace(options, period=period, protected=False))
        for key, period in periods.items()
    }
    table, tables = joint_table(results, hierarchy)
    joint = protect(table, options.rule)
    assert joint is not None
    result = results[wanted]
    replaced: dict[int, ProtectedTable] = {}
    for ti, pt in enumerate(tables[wanted]):
        src = pt.source
        assert src is not None
        out = dict(pt.cells)
        for k in src.cells:
            out[k] = joint[(wanted, ti, k)]
        replaced[id(pt)] = ProtectedTable(out, options.rule, True, pt.lines, src)
    new_tables: tuple[ReportTable, ...] = tuple(
        replace(t, protected=replaced[id(t.protected)]) for t in result.tables
    )
    hidden = frozenset(name for name in SCALARS if joint[(wanted, SCALAR_TABLE, name)].hidden)
    return replace(result, options=options, tables=new_tables, hidden_counts=hidden)


__all__ = [
    "GRID_LEVELS",
    "grid_cell",
    "grid_key",
    "grid_period",
    "joint_table",
    "protect_over_year",
    "protected_period_problems",
    "year_grid",
]
