"""Small-cell protection: the one module every aggregate output uses (``spec/reports.md``).

A :class:`Table` is a set of cells, each keyed by any hashable key (a report uses
``(table, row, area, column)``; :func:`grid_table` builds the plain rows × columns case), plus the
additive :class:`Line` relations that hold between them (``total = Σ parts``: a total row, a
total column, total = women + men + unknown sex, a county and its associations,
``after = before + change``). :func:`protect` returns a :class:`ProtectedTable` with one
:class:`Flag` per cell, so every format (page, xlsx, csv, pdf, json, chart) renders exactly the
same thing, and every hidden cell as the one symbol ``..``.

Rules (``threshold`` *t*, default 5):

* **primary** – a count of 1 … t−1 is hidden; 0 stays 0. A total is a count like any other. A
  derived cell (percentage, mean, sum of hours) computed from ``n`` episodes with 1 ≤ n < t is
  hidden; with n = 0 it has no value.
* **derived** – a derived cell is hidden when any cell it is computed from (its ``refs``) is hidden.
* **complementary** – more cells are hidden until the **guarantee** holds for a reader who knows
  every shown cell, every exact line, that hidden counts are integers ≥ 1 (zeros are shown) and
  hidden derived values ≥ 0 are ≥ 0: (a) no hidden cell has a single feasible value; (b) every
  primary count's feasible range (smallest to largest value consistent with all of that) is at
  least t − 1 wide. The check is the attacker's own: a linear programme per hidden cell (min and
  max, HiGHS), block by block (hidden cells linked by lines). A cell that fails gets the cheapest
  set of complementary cells from the network-flow LP of Kelly, Golden and Assad (see
  :meth:`_System.fix`); then the block is audited again, until nothing fails. A cheap pass first
  hides one more cell in every line with exactly one hidden cell (the audit would demand it).

Zero cells are never hidden (the audit accounts for the reader knowing that). Cells that only
exist to be protected (the numerator count behind a percentage, the unknown-sex remainder) are
ordinary cells; the caller just does not render them.
"""

from __future__ import annotations

import math
import random as _random
import time
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from finsam.domain.problems import DomainValidationError, Problem

CellKey = Hashable

DEFAULT_THRESHOLD = 5
DEFAULT_SYMBOL = ".."


class Kind(StrEnum):
    COUNT = "count"
    """A number of episodes or persons (an integer ≥ 0)."""
    DERIVED = "derived"
    """Anything computed from episodes that is not itself a count: percentage, mean, sum, change."""


class Flag(StrEnum):
    SHOWN = "shown"
    PRIMARY = "primary"
    """Hidden because the count (or the number of episodes behind the value) is below threshold."""
    SECONDARY = "secondary"
    """Hidden so that another hidden cell cannot be computed (complementary suppression)."""
    DERIVED = "derived"
    """Hidden because a cell it is computed from is hidden."""
    EMPTY = "empty"
    """No value (e.g. a percentage of zero episodes)."""
    UNPROTECTED = "unprotected"
    """Shown because protection was switched off (a user allowed to see the persons)."""

    @property
    def hidden(self) -> bool:
        return self in (Flag.PRIMARY, Flag.SECONDARY, Flag.DERIVED)


@dataclass(frozen=True, slots=True)
class Cell:
    value: float | int | None
    kind: Kind = Kind.COUNT
    n: int | None = None
    """For derived cells: the number of episodes the value is computed from (when known)."""
    refs: tuple[CellKey, ...] = ()
    """Cells this value is computed from; if any is hidden, this one is hidden too."""


@dataclass(frozen=True, slots=True)
class Line:
    """An additive relation shown to the reader: ``total = sum(parts)``."""

    total: CellKey
    parts: tuple[CellKey, ...]

    @property
    def cells(self) -> tuple[CellKey, ...]:
        return (*self.parts, self.total)


@dataclass(frozen=True, slots=True)
class ProtectionRule:
    threshold: int = DEFAULT_THRESHOLD
    symbol: str = DEFAULT_SYMBOL

    def __post_init__(self) -> None:
        problems = []
        if not isinstance(self.threshold, int) or self.threshold < 1:
            problems.append(
                Problem(
                    "threshold",
                    "protection.threshold",
                    f"Tröskelvärdet för skydd av små tal måste vara ett heltal ≥ 1 "
                    f"(nu {self.threshold!r}).",
                    self.threshold,
                )
            )
        if not self.symbol:
            problems.append(
                Problem(
                    "symbol",
                    "protection.symbol",
                    "Symbolen för skyddade celler får inte vara tom.",
                    self.symbol,
                )
            )
        if problems:
            raise DomainValidationError(problems)

    @classmethod
    def for_threshold(cls, threshold: int, symbol: str | None = None) -> ProtectionRule:
        """A rule with the given threshold (the symbol is ``..`` whatever the threshold)."""
        return cls(threshold, symbol if symbol is not None else DEFAULT_SYMBOL)

    def note(self) -> str:
        """The Swedish sentence every protected output carries (page, exported files)."""
        if self.threshold <= 1:
            return "Skydd av små tal: tröskelvärde 1 (inga celler döljs)."
        return (
            f"Skydd av små tal: \u201d{self.symbol}\u201d = uppgiften visas inte: antalet är "
            f"mindre än {self.threshold} (andelar och medelvärden: bygger på färre än "
            f"{self.threshold} deltagare), eller uppgiften döljs så att ett annat dolt värde "
            "inte kan räknas fram. "
            "0 visas alltid."
        )


@dataclass(frozen=True, slots=True)
class Table:
    cells: Mapping[CellKey, Cell]
    lines: tuple[Line, ...] = ()

    def __post_init__(self) -> None:
        problems = []
        for i, line in enumerate(self.lines):
            for key in line.cells:
                if key not in self.cells:
                    problems.append(
                        Problem(
                            "lines",
                            "protection.line_cell",
                            f"Summaraden nr {i + 1} hänvisar till en cell som saknas i tabellen "
                            f"({key!r}).",
                            key,
                        )
                    )
        for key, cell in self.cells.items():
            for ref in cell.refs:
                if ref not in self.cells:
                    problems.append(
                        Problem(
                            "refs",
                            "protection.ref_cell",
                            f"Cellen {key!r} bygger på en cell som saknas i tabellen ({ref!r}).",
                            ref,
                        )
                    )
        if problems:
            raise DomainValidationError(problems)


@dataclass(frozen=True, slots=True)
class ProtectedCell:
    value: float | int | None
    """The true value (never render it when ``hidden``)."""
    kind: Kind
    flag: Flag

    @property
    def hidden(self) -> bool:
        return self.flag.hidden


@dataclass(frozen=True, slots=True)
class ProtectedTable:
    cells: Mapping[CellKey, ProtectedCell]
    rule: ProtectionRule
    protected: bool
    lines: tuple[Line, ...] = field(default=())
    source: Table | None = field(default=None, compare=False, repr=False)
    """The table that was protected (values, kinds, ``n``, ``refs``, lines), so a caller can
    protect it again together with other tables (e.g. every calendar period of a year, see
    ``finsam.domain.reports.periods``); ``None`` for a table put together by hand."""

    @property
    def hidden(self) -> frozenset[CellKey]:
        return frozenset(k for k, c in self.cells.items() if c.hidden)

    def __getitem__(self, key: CellKey) -> ProtectedCell:
        return self.cells[key]

    def shown_value(self, key: CellKey) -> float | int | None:
        """The value, or ``None`` when hidden or empty."""
        cell = self.cells[key]
        return None if cell.hidden else cell.value

    def render(self, key: CellKey, fmt=str) -> str:
        """The text every format shows: the symbol when hidden, "" when empty, else ``fmt(v)``."""
        cell = self.cells[key]
        if cell.hidden:
            return self.rule.symbol
        if cell.value is None:
            return ""
        return fmt(cell.value)


def _is_zero(value: float | int | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == 0


def _empty(value: float | int | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _primary(cell: Cell, threshold: int) -> bool:
    if cell.kind is Kind.COUNT:
        return cell.value is not None and not _is_zero(cell.value) and 1 <= cell.value < threshold
    return cell.n is not None and 1 <= cell.n < threshold


STATS = {"calls": 0, "seconds": 0.0, "lp_solves": 0, "cache_hits": 0}
"""Cumulative cost of :func:`protect` in this process (read by ``bench/``; reset freely)."""

_CACHE: OrderedDict[tuple, dict[CellKey, Flag]] = OrderedDict()
_CACHE_SIZE = 32


def _fingerprint(
    table: Table, rule: ProtectionRule, presuppressed: frozenset, fixed: frozenset = frozenset()
) -> tuple:
    cells = tuple((k, c.value, c.kind, c.n, c.refs) for k, c in table.cells.items())
    lines = tuple((line.total, line.parts) for line in table.lines)
    return (
        rule.threshold,
        cells,
        lines,
        tuple(sorted(map(repr, presuppressed))),
        tuple(sorted(map(repr, fixed))),
    )


def protect(
    table: Table,
    rule: ProtectionRule | None = None,
    *,
    protected: bool = True,
    presuppressed: Iterable[CellKey] = (),
    fixed: Iterable[CellKey] = (),
) -> ProtectedTable:
    """Apply primary, derived and complementary suppression to ``table`` (see the module text).

    ``protected=False`` returns every cell shown (flag ``UNPROTECTED``) – for users who may see the
    persons behind the numbers. ``presuppressed`` are cells already hidden for another reason (the
    result of an earlier run is a fixed point: protecting again with it changes nothing).
    ``fixed`` are cells already published as shown (e.g. by a coarser calendar period): they are
    never chosen as complementary cells; a primary cell among them is an error.
    """
    rule = rule or ProtectionRule()
    cells = table.cells

    if not protected:
        return ProtectedTable(
            {
                k: ProtectedCell(
                    c.value, c.kind, Flag.EMPTY if _empty(c.value) else Flag.UNPROTECTED
                )
                for k, c in cells.items()
            },
            rule,
            False,
            table.lines,
            table,
        )

    pre = frozenset(k for k in presuppressed if k in cells)
    keep = frozenset(k for k in fixed if k in cells and k not in pre)
    try:
        key = _fingerprint(table, rule, pre, keep)
        hash(key)
    except TypeError:  # an unhashable value: no cache
        key = None
    started = time.perf_counter()
    STATS["calls"] += 1
    flags = _CACHE.get(key) if key is not None else None
    if flags is None:
        flags = _suppress(table, rule.threshold, pre, keep)
        if key is not None:
            _CACHE[key] = flags
            if len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
    elif key is not None:
        _CACHE.move_to_end(key)
        STATS["cache_hits"] += 1

    out = {}
    for k, cell in cells.items():
        if k in flags:
            flag = flags[k]
        elif _empty(cell.value):
            flag = Flag.EMPTY
        else:
            flag = Flag.SHOWN
        out[k] = ProtectedCell(cell.value, cell.kind, flag)
    STATS["seconds"] += time.perf_counter() - started
    return ProtectedTable(out, rule, True, table.lines, table)


def _suppress(
    table: Table, t: int, presuppressed: frozenset, fixed: frozenset = frozenset()
) -> dict[CellKey, Flag]:
    cells = table.cells
    flags: dict[CellKey, Flag] = {}
    for key, cell in cells.items():
        if _primary(cell, t):
            if key in fixed:
                raise ValueError(f"a small cell was published: {key!r}")
            flags[key] = Flag.PRIMARY
    for key in presuppressed:
        if key not in flags and not _is_zero(cells[key].value):
            flags[key] = Flag.SECONDARY
    if not flags:
        return flags

    derived = [(k, c) for k, c in cells.items() if c.refs]
    order = {k: i for i, k in enumerate(cells)}
    system = _System(table, t, fixed)

    def propagate() -> None:
        """Derived rule and the one-hidden-cell-per-line rule, to a fixed point (cheap, and every
        line it fixes would otherwise be a failure of the audit)."""
        changed = True
        while changed:
            changed = False
            for key, cell in derived:
                if key not in flags and any(r in flags for r in cell.refs):
                    flags[key] = Flag.DERIVED
                    changed = True
            for line in table.lines:
                members = line.cells
                if sum(1 for k in members if k in flags) != 1:
                    continue
                candidates = [
                    k
                    for k in line.parts
                    if k not in flags and k not in fixed and not _is_zero(cells[k].value)
                ]
                if candidates:
                    pick = min(candidates, key=lambda k: (abs(cells[k].value or 0), order[k]))
                elif (
                    line.total not in flags
                    and line.total not in fixed
                    and not _is_zero(cells[line.total].value)
                ):
                    pick = line.total
                else:
                    continue  # the hidden cell is 0 or empty: nothing to recover
                flags[pick] = Flag.SECONDARY
                changed = True

    propagate()
    # audit → cheapest complementary cells for the weakest cell → audit again. Hiding one more
    # cell only widens every feasible range (a constant becomes a variable), so a cell that
    # passed the audit keeps passing: each round audits only the cells that failed and the cells
    # just hidden.
    pending: set[CellKey] | None = None  # None = audit every hidden cell
    for _round in range(200):
        weak = system.weak_cells(flags, only=pending)
        if not weak:
            break
        before = set(flags)
        weak.sort(key=lambda w: _weakness_order(w, flags))
        for i, w in enumerate(weak):
            if i and len(flags) > len(before):
                # an earlier fix of this round may have protected it already
                again = system.recheck(w.key, flags)
                if again is None:
                    continue
                w = again
            for k in system.fix(w, flags):
                if k not in flags:
                    flags[k] = Flag.SECONDARY
        propagate()
        new = set(flags) - before
        if not new:
            break  # nothing more can be hidden (only zeros left): stop
        pending = {w.key for w in weak} | new
    return flags


def _weakness_order(w: Weakness, flags: Mapping[CellKey, Flag]) -> tuple:
    """Primaries first, then the narrowest range relative to what it must be."""
    return (flags[w.key] is not Flag.PRIMARY, (w.high - w.low) / w.needed, repr(w.key))


@dataclass(frozen=True, slots=True)
class Weakness:
    """A hidden cell that the audit finds too well determined."""

    key: CellKey
    low: float
    high: float
    """The feasible range: the smallest and largest value consistent with what is published."""
    needed: float
    """The width the range must have (threshold − 1 for a primary count, else > 0)."""
    block: int = 0
    """Which independent block of the table the cell is in (one audit)."""


class _System:
    """The additive relations of a table as the attacker sees them, for LP audits and fixes.

    Only lines that hold exactly for the true values are used (a line that is not an equation,
    e.g. a total that counts a category no part shows, tells the attacker nothing exact).
    """

    def __init__(self, table: Table, t: int, fixed: frozenset = frozenset()):
        self.t = t
        self.fixed = fixed
        self.cells = table.cells
        self.value = {}
        for k, c in table.cells.items():
            self.value[k] = 0.0 if c.value is None or _empty(c.value) else float(c.value)
        self.lines = []
        for line in table.lines:
            members = line.cells
            if any(_empty(table.cells[k].value) for k in members):
                continue
            total = self.value[line.total]
            if not math.isclose(
                total, sum(self.value[k] for k in line.parts), rel_tol=1e-9, abs_tol=1e-6
            ):
                continue
            self.lines.append(line)
        self.lines_of: dict[CellKey, list[int]] = {}
        for i, line in enumerate(self.lines):
            for k in line.cells:
                self.lines_of.setdefault(k, []).append(i)

    # -- bounds of a cell ------------------------------------------------------------------

    def is_count(self, key: CellKey) -> bool:
        return self.cells[key].kind is Kind.COUNT

    def lower_bound(self, key: CellKey) -> float:
        """What the reader knows of a hidden cell: a hidden count is ≥ 1 (zeros are shown), a
        hidden derived value that is ≥ 0 is taken as known to be ≥ 0."""
        if self.is_count(key):
            return 1.0
        return 0.0 if self.value[key] >= 0 else -INF

    # -- audit -------------------------------------------------------------------------------

    def components(
        self, flags: Mapping[CellKey, Flag], seeds: Iterable[CellKey] | None = None
    ) -> list[tuple[list[CellKey], list[int]]]:
        """Independent blocks: hidden cells linked by lines, with the lines that link them
        (every block holding a hidden cell of ``seeds``; default: all)."""
        seen: set[CellKey] = set()
        blocks = []
        for seed in flags if seeds is None else seeds:
            if seed in seen or seed not in flags:
                continue
            seen.add(seed)
            members, line_ids, stack = [seed], set(), [seed]
            while stack:
                k = stack.pop()
                for li in self.lines_of.get(k, ()):
                    if li in line_ids:
                        continue
                    line_ids.add(li)
                    for m in self.lines[li].cells:
                        if m in flags and m not in seen:
                            seen.add(m)
                            members.append(m)
                            stack.append(m)
            blocks.append((members, sorted(line_ids)))
        return blocks

    def required_width(self, key: CellKey, flag: Flag) -> float:
        if flag is Flag.PRIMARY and self.is_count(key):
            return float(self.t - 1)
        return 1.0 if self.is_count(key) else 1e-6 * max(1.0, abs(self.value[key]))

    def weak_cells(
        self, flags: Mapping[CellKey, Flag], only: set[CellKey] | None = None
    ) -> list[Weakness]:
        """The hidden cells (of ``only``, default all) whose feasible range is too narrow."""
        weak = []
        for b, (hidden, line_ids) in enumerate(self.components(flags, only)):
            wanted = hidden if only is None else [k for k in hidden if k in only]
            if not wanted:
                continue
            ranges = self.ranges(hidden, line_ids, flags, wanted)
            for key in wanted:
                lo, hi = ranges[key]
                need = self.required_width(key, flags[key])
                if hi - lo < need - 1e-9:
                    weak.append(Weakness(key, lo, hi, need, b))
        return weak

    def recheck(self, key: CellKey, flags: Mapping[CellKey, Flag]) -> Weakness | None:
        """``key``'s weakness under the current hidden cells, ``None`` if it has none now.

        First on the cells within two lines of ``key`` only, every other hidden cell held at its
        true value: that LP is small, and its feasible tables are feasible tables of the whole
        block, so a range wide enough there is wide enough. Only otherwise the whole block."""
        if key not in flags:
            return None
        local = [k for k in self._region(key, 2) if k in flags]
        line_ids = sorted({li for k in local for li in self.lines_of.get(k, ())})
        lo, hi = self.ranges(local, line_ids, flags, [key])[key]
        if hi - lo >= self.required_width(key, flags[key]) - 1e-9:
            return None
        found = self.weak_cells(flags, only={key})
        return found[0] if found else None

    def ranges(
        self,
        hidden: list[CellKey],
        line_ids: list[int],
        flags: Mapping[CellKey, Flag],
        wanted: list[CellKey] | None = None,
    ) -> dict[CellKey, tuple[float, float]]:
        """The attacker's feasible range of the ``wanted`` cells of one block (LP, rounded to
        integers for counts). Every solution found is a feasible table, so the values it gives
        the other cells widen what is known to be possible for them; a cell whose observed
        range is already wide enough needs no LP of its own."""
        index = {k: i for i, k in enumerate(hidden)}
        rows, cols, vals, rhs = [], [], [], []
        for r, li in enumerate(line_ids):
            line = self.lines[li]
            b = 0.0
            for k, sign in _signed(line):
                if k in index:
                    rows.append(r)
                    cols.append(index[k])
                    vals.append(sign)
                else:
                    b -= sign * self.value[k]
            rhs.append(b)
        lower = [self.lower_bound(k) for k in hidden]
        lp = _LP(len(hidden), rows, cols, vals, rhs, rhs, lower, [INF] * len(hidden))
        counts = [self.is_count(k) for k in hidden]
        seen_lo = [self.value[k] for k in hidden]
        seen_hi = list(seen_lo)

        def observe(x) -> None:
            for j, v in enumerate(x):
                if counts[j]:
                    r = round(v)
                    if abs(v - r) > 1e-6:
                        continue  # a fractional vertex proves nothing for an integer cell
                    v = r
                if v < seen_lo[j]:
                    seen_lo[j] = v
                elif v > seen_hi[j]:
                    seen_hi[j] = v

        todo = wanted if wanted is not None else hidden
        if len(todo) >= _PROBE_MIN:
            # Cheap witnesses first: a few LPs that move every cell of the block at once (up, down,
            # and in random opposite directions), each inside a box around the true table so it
            # is bounded. Every solution is a feasible table, so what it shows is possible; a
            # cell whose observed range is already wide enough needs no LP of its own. Only
            # speed depends on this: a cell not proven wide here gets its exact min and max.
            values = [self.value[k] for k in hidden]
            needs = [self.required_width(k, flags[k]) for k in hidden]
            box_lo = [max(lo, v - w - 1.0) for lo, v, w in zip(lower, values, needs, strict=True)]
            box_hi = [v + w + 1.0 for v, w in zip(values, needs, strict=True)]
            rng = _random.Random(len(hidden))
            for _probe in range(_PROBES):
                if _probe < 2:
                    cost = [1.0 if _probe == 0 else -1.0] * len(hidden)
                else:
                    cost = [rng.choice((-1.0, 1.0)) for _ in hidden]
                x = lp.probe(cost, box_lo, box_hi)
                if x is not None:
                    observe(x)
                if all(seen_hi[index[k]] - seen_lo[index[k]] >= needs[index[k]] for k in todo):
                    break
        out = {}
        for k in todo:
            i = index[k]
            need = self.required_width(k, flags[k])
            ends = []
            for sense in (+1, -1):
                if seen_hi[i] - seen_lo[i] >= need:
                    break
                value, x = lp.optimise(i, sense)
                ends.append(value)
                if x is not None:
                    observe(x)
            if seen_hi[i] - seen_lo[i] >= need:
                out[k] = (seen_lo[i], seen_hi[i])
                continue
            lo, hi = ends
            if self.is_count(k):
                lo = math.ceil(lo - 1e-6) if lo > -INF else lo
                hi = math.floor(hi + 1e-6) if hi < INF else hi
            out[k] = (lo, hi)
        return out

    # -- fix -----------------------------------------------------------------------------------

    def fix(self, weak: Weakness, flags: Mapping[CellKey, Flag]) -> list[CellKey]:
        """The cheapest set of shown cells whose suppression widens ``weak``'s range enough.

        The attacker's range of a cell widens by ``u`` exactly when the table has a deviation
        ``d`` (Σ over every line = 0) with ``d[cell] = u`` that moves only hidden cells and cells
        about to be hidden, keeping every count ≥ 1. So: minimise the total deviation of shown
        cells (a cost per cell, hidden cells free) subject to that – the LP of the network-flow
        method of Kelly, Golden and Assad (1992) – and hide the shown cells it moves. Up first
        (counts have no upper limit), else down.
        """
        key = weak.key
        missing = weak.needed - (weak.high - weak.low)
        v = self.value[key]
        targets = []
        if weak.high < INF:
            targets.append(weak.high + missing - v)
        if weak.low > -INF:
            down = (weak.low - missing) - v
            if down >= self.lower_bound(key) - v - 1e-9:
                targets.append(down)
        for hops in (2, 4, None):
            region = self._region(key, hops)
            for u in targets:
                moved = self._deviation(key, u, region, flags)
                if moved is not None:
                    return moved
        return []

    def _region(self, key: CellKey, hops: int | None) -> list[CellKey]:
        seen = {key}
        frontier = [key]
        depth = 0
        while frontier and (hops is None or depth < hops):
            nxt = []
            for k in frontier:
                for li in self.lines_of.get(k, ()):
                    for m in self.lines[li].cells:
                        if m not in seen:
                            seen.add(m)
                            nxt.append(m)
            frontier = nxt
            depth += 1
        return list(seen)

    def _deviation(
        self, key: CellKey, u: float, region: list[CellKey], flags: Mapping[CellKey, Flag]
    ) -> list[CellKey] | None:
        index = {k: i for i, k in enumerate(region)}
        n = len(region)
        line_ids = sorted({li for k in region for li in self.lines_of.get(k, ())})
        rows, cols, vals = [], [], []
        for r, li in enumerate(line_ids):
            for k, sign in _signed(self.lines[li]):
                i = index.get(k)
                if i is not None:
                    rows += [r, r]
                    cols += [i, n + i]
                    vals += [sign, -sign]
        # variables: d+ (0..n-1) and d- (n..2n-1); d = d+ - d-
        lower = [0.0] * (2 * n)
        upper = [INF] * (2 * n)
        cost = [0.0] * (2 * n)
        for k, i in index.items():
            v = self.value[k]
            if k not in flags and (_is_zero(self.cells[k].value) or k in self.fixed):
                upper[i] = upper[n + i] = 0.0  # zeros and published cells are shown and stay
                continue
            room = v - self.lower_bound(k)
            upper[n + i] = room if room < INF else INF
            if k not in flags:
                w = 1.0 + 1e-3 * math.log1p(abs(v))
                cost[i] = cost[n + i] = w
        i = index[key]
        if u >= 0:
            lower[i] = upper[i] = u
            upper[n + i] = 0.0
        else:
            lower[n + i] = upper[n + i] = -u
            upper[i] = 0.0
        zeros = [0.0] * len(line_ids)
        lp = _LP(2 * n, rows, cols, vals, zeros, zeros, lower, upper)
        x = lp.solve(cost)
        if x is None:
            return None
        return [k for k, j in index.items() if k not in flags and abs(x[j] - x[n + j]) > 1e-7]


def _signed(line: Line):
    for k in line.parts:
        yield k, 1.0
    yield line.total, -1.0


INF = math.inf
_PROBE_MIN = 4
"""Blocks with at least this many cells to audit start with probe LPs (:meth:`_System.ranges`)."""
_PROBES = 6


class _LP:
    """A small LP held in HiGHS, re-solved with different objectives (warm start)."""

    def __init__(self, n, rows, cols, vals, row_lower, row_upper, col_lower, col_upper):
        import highspy
        import numpy as np

        self._np = np
        self.n = n
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        self._inf = highspy.kHighsInf
        inf = self._inf
        lp = highspy.HighsLp()
        lp.num_col_ = n
        lp.num_row_ = len(row_lower)
        lp.col_cost_ = np.zeros(n)
        lp.col_lower_ = np.array([max(v, -inf) for v in col_lower], dtype=float)
        lp.col_upper_ = np.array([min(v, inf) for v in col_upper], dtype=float)
        lp.row_lower_ = np.asarray(row_lower, dtype=float)
        lp.row_upper_ = np.asarray(row_upper, dtype=float)
        # row-wise: the entries come row by row (one row per line)
        rows_a = np.asarray(rows, dtype=np.int64)
        counts = np.bincount(rows_a, minlength=len(row_lower)) if len(rows_a) else None
        start = np.zeros(len(row_lower) + 1, dtype=np.int32)
        if counts is not None:
            start[1:] = np.cumsum(counts)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = start
        lp.a_matrix_.index_ = np.asarray(cols, dtype=np.int32)
        lp.a_matrix_.value_ = np.asarray(vals, dtype=float)
        self._sparse = (vals, rows, cols, (len(row_lower), n))
        h.passModel(lp)
        self.h = h
        self._status = highspy.HighsModelStatus
        self._final = {
            self._status.kOptimal,
            self._status.kUnbounded,
            self._status.kInfeasible,
            self._status.kUnboundedOrInfeasible,
        }
        self._rhs = np.asarray(row_lower, dtype=float)
        self._bounds = [
            (None if lo == -INF else lo, None if hi == INF else hi)
            for lo, hi in zip(col_lower, col_upper, strict=True)
        ]
        self._last: int | None = None

    def _run(self):
        h = self.h
        STATS["lp_solves"] += 1
        h.run()
        status = h.getModelStatus()
        if status not in self._final:
            h.clearSolver()  # a rare warm-start failure: solve again from scratch
            h.run()
            status = h.getModelStatus()
        return status

    def optimise(self, j: int, sense: int) -> tuple[float, list[float] | None]:
        """min (sense=+1) or max (sense=−1) of variable ``j`` (±inf when unbounded), and the
        solution (``None`` when unbounded)."""
        h = self.h
        if self._last is not None and self._last != j:
            h.changeColCost(self._last, 0.0)
        h.changeColCost(j, float(sense))
        self._last = j
        status = self._run()
        if status == self._status.kOptimal:
            x = h.getSolution().col_value
            return x[j], x
        if status in (self._status.kUnbounded, self._status.kUnboundedOrInfeasible):
            return (-INF if sense > 0 else INF), None
        cost = [0.0] * self.n
        cost[j] = float(sense)
        x = self._scipy(cost)
        if x is None:
            return (-INF if sense > 0 else INF), None
        return x[j], list(x)

    def probe(self, cost, lower, upper) -> list[float] | None:
        """A solution of min ``cost·x`` within the box ``lower ≤ x ≤ upper`` (added to the
        variables' own bounds for this one solve), ``None`` when that fails."""
        np = self._np
        h = self.h
        idx = np.arange(self.n, dtype=np.int32)
        own_lo = np.array([-self._inf if b[0] is None else b[0] for b in self._bounds])
        own_hi = np.array([self._inf if b[1] is None else b[1] for b in self._bounds])
        h.changeColsBounds(
            self.n, idx, np.maximum(own_lo, lower), np.minimum(own_hi, np.asarray(upper))
        )
        h.changeColsCost(self.n, idx, np.asarray(cost, dtype=float))
        status = self._run()
        x = list(h.getSolution().col_value) if status == self._status.kOptimal else None
        h.changeColsBounds(self.n, idx, own_lo, own_hi)
        h.changeColsCost(self.n, idx, np.zeros(self.n))
        self._last = None
        return x

    def solve(self, cost) -> list[float] | None:
        h = self.h
        h.changeColsCost(self.n, self._np.arange(self.n, dtype=self._np.int32), cost)
        self._last = None
        status = self._run()
        if status == self._status.kOptimal:
            return list(h.getSolution().col_value)
        if status in (self._status.kInfeasible, self._status.kUnbounded):
            return None
        x = self._scipy(cost)
        return None if x is None else list(x)

    def _scipy(self, cost):
        """The same LP through scipy's HiGHS interface (a fallback that never warm-starts).
        ``None`` when unbounded or infeasible."""
        from scipy.optimize import linprog
        from scipy.sparse import coo_matrix

        vals, rows, cols, shape = self._sparse
        matrix = coo_matrix((vals, (rows, cols)), shape=shape).tocsr()
        res = linprog(
            cost,
            A_eq=matrix if shape[0] else None,
            b_eq=self._rhs if shape[0] else None,
            bounds=self._bounds,
            method="highs",
        )
        return res.x if res.status == 0 else None


def audit(result: ProtectedTable) -> list[Weakness]:
    """The guarantee checked as an attacker checks it: every hidden cell whose feasible range
    (given every shown cell and every exact line) is a single value, or, for a primary count,
    narrower than threshold − 1. Empty after :func:`protect`, except where only hidden zeros could
    have helped (never seen in a report)."""
    if not result.protected:
        return []
    table = Table({k: Cell(c.value, c.kind) for k, c in result.cells.items()}, result.lines)
    flags = {k: c.flag for k, c in result.cells.items() if c.hidden}
    return _System(table, result.rule.threshold).weak_cells(flags)


def grid_table(
    values: Mapping[tuple[CellKey, CellKey], float | int | None],
    rows: Iterable[CellKey],
    columns: Iterable[CellKey],
    *,
    total_row: CellKey | None = None,
    total_column: CellKey | None = None,
    derived: Mapping[tuple[CellKey, CellKey], Cell] | None = None,
) -> Table:
    """A rows × columns table of counts keyed ``(row, column)``.

    ``total_row``/``total_column`` designate the row/column holding the sums of the others (each
    column/row becomes a :class:`Line`); ``derived`` adds derived cells (percentages, means) with
    their ``n`` and ``refs``.
    """
    rows = list(rows)
    columns = list(columns)
    cells: dict[CellKey, Cell] = {}
    for r in rows:
        for c in columns:
            cells[(r, c)] = Cell(values.get((r, c), 0))
    for key, cell in (derived or {}).items():
        cells[key] = cell
    lines = []
    if total_row is not None:
        body = [r for r in rows if r != total_row]
        for c in columns:
            lines.append(Line((total_row, c), tuple((r, c) for r in body)))
    if total_column is not None:
        body = [c for c in columns if c != total_column]
        for r in rows:
            lines.append(Line((r, total_column), tuple((r, c) for c in body)))
    return Table(cells, tuple(lines))


def recoverable_cells(result: ProtectedTable) -> list[tuple[CellKey, float]]:
    """Hidden cells that one line gives back exactly by subtraction, with the recovered value.

    Used by tests and as a self-check: after :func:`protect` this is always empty. A line with a
    single hidden cell can remain only where no other cell could be hidden (the hidden cell is a
    total whose shown parts are all 0); that happens when the line is not an exact sum (e.g. sex
    "X" counts in the total only), and then subtraction does not give the hidden value back.
    """
    found = []
    for line in result.lines:
        hidden = [k for k in line.cells if result.cells[k].hidden]
        if len(hidden) != 1:
            continue
        (key,) = hidden
        shown_parts = sum((result.cells[k].value or 0) for k in line.parts if k != key)
        if key == line.total:
            recovered = shown_parts
        else:
            recovered = (result.cells[line.total].value or 0) - shown_parts
        if math.isclose(recovered, result.cells[key].value or 0, abs_tol=1e-9):
            found.append((key, recovered))
    return found


def protect_count(
    value: int | None, rule: ProtectionRule | None = None, *, protected: bool = True
) -> int | str | None:
    """A standalone count as shown: the rule's symbol for 1..threshold−1, else the value.

    For a count shown on its own (no row or column total beside it to subtract from). Counts
    in tables go through :func:`protect`, which adds secondary suppression.
    """
    rule = rule or ProtectionRule()
    if value is None or not protected:
        return value
    return rule.symbol if _primary(Cell(value), rule.threshold) else value


def is_protected_symbol(value: object, rule: ProtectionRule | None = None) -> bool:
    return isinstance(value, str) and value == (rule or ProtectionRule()).symbol
