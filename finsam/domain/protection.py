"""Small-cell protection: the one module every report output uses (``spec/reports.md``).

A :class:`Table` is a set of cells, each keyed by any hashable key (a report uses
``(table, row, area, column)``; :func:`grid_table` builds the plain rows × columns case), plus the
additive :class:`Line` relations that hold between them (``total = Σ parts``: a total row, a
total column, a county and its associations, ``after = before + change``). :func:`protect`
returns a :class:`ProtectedTable` with one :class:`Flag` per cell, so every format (page, xlsx,
csv, pdf, json) renders exactly the same thing.

Rules (``threshold`` *t*, default 5):

* **primary** – a count of 1 … t−1 is hidden; 0 stays 0. A total is a count like any other, so a
  total below the threshold is hidden too. A derived cell (percentage, mean, sum of hours, change)
  computed from ``n`` episodes with 1 ≤ n < t is hidden; with n = 0 it has no value.
* **derived** – a derived cell is hidden when any cell it is computed from (its ``refs``:
  numerator, denominator, the count it is based on) is hidden, otherwise it would give the hidden
  value back.
* **secondary** – in every line, if exactly one cell is hidden it could be recovered by
  subtraction (or addition, when it is the total), so the smallest other non-zero shown cell of
  that line is hidden as well (parts before the total; the total when it is the only candidate).
  This is repeated, together with the derived rule, until nothing changes.

Zero cells are never hidden (a hidden zero would not protect anybody, and "zero stays 0"). Cells
that only exist to be protected (e.g. the numerator count behind a percentage row) are ordinary
cells; the caller just does not render them.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from finsam.domain.problems import DomainValidationError, Problem

CellKey = Hashable

DEFAULT_THRESHOLD = 5
DEFAULT_SYMBOL = "<5"


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
    """Hidden so that another hidden cell cannot be recovered by subtraction."""
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
        """A rule whose default symbol follows the threshold (``<3`` for threshold 3)."""
        return cls(threshold, symbol if symbol is not None else f"<{threshold}")

    def note(self) -> str:
        """The Swedish sentence exported files carry."""
        return (
            f"Skydd av små tal tillämpat: antal 1–{self.threshold - 1} visas som "
            f"\u201d{self.symbol}\u201d, andelar och medelvärden som bygger på färre än "
            f"{self.threshold} deltagare döljs, och ytterligare celler döljs så att dolda värden "
            "inte kan räknas fram ur summor."
            if self.threshold > 1
            else "Skydd av små tal: tröskelvärde 1 (inga celler döljs)."
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


def _primary(cell: Cell, threshold: int) -> bool:
    if cell.kind is Kind.COUNT:
        return cell.value is not None and not _is_zero(cell.value) and 1 <= cell.value < threshold
    return cell.n is not None and 1 <= cell.n < threshold


def protect(
    table: Table,
    rule: ProtectionRule | None = None,
    *,
    protected: bool = True,
    presuppressed: Iterable[CellKey] = (),
) -> ProtectedTable:
    """Apply primary, derived and secondary suppression to ``table``.

    ``protected=False`` returns every cell shown (flag ``UNPROTECTED``) – for users who may see the
    persons behind the numbers. ``presuppressed`` are cells already hidden for another reason (the
    result of an earlier run is a fixed point: protecting again with it changes nothing).
    """
    rule = rule or ProtectionRule()
    t = rule.threshold
    cells = table.cells

    def empty(cell: Cell) -> bool:
        return cell.value is None or (isinstance(cell.value, float) and math.isnan(cell.value))

    if not protected:
        return ProtectedTable(
            {
                k: ProtectedCell(c.value, c.kind, Flag.EMPTY if empty(c) else Flag.UNPROTECTED)
                for k, c in cells.items()
            },
            rule,
            False,
            table.lines,
        )

    flags: dict[CellKey, Flag] = {}
    for key, cell in cells.items():
        if _primary(cell, t):
            flags[key] = Flag.PRIMARY
    for key in presuppressed:
        if key in cells and key not in flags and not _is_zero(cells[key].value):
            flags[key] = Flag.SECONDARY

    derived = [(k, c) for k, c in cells.items() if c.refs]
    order = {k: i for i, k in enumerate(cells)}
    changed = True
    while changed:
        changed = False
        for key, cell in derived:
            if key not in flags and any(r in flags for r in cell.refs):
                flags[key] = Flag.DERIVED
                changed = True
        for line in table.lines:
            members = line.cells
            hidden_in_line = sum(1 for k in members if k in flags)
            if hidden_in_line != 1:
                continue
            candidates = [k for k in line.parts if k not in flags and not _is_zero(cells[k].value)]
            if candidates:
                pick = min(candidates, key=lambda k: (abs(cells[k].value or 0), order[k]))
            elif line.total not in flags and not _is_zero(cells[line.total].value):
                pick = line.total
            else:
                continue  # the hidden cell is 0 or empty: nothing to recover
            flags[pick] = Flag.SECONDARY
            changed = True

    out = {}
    for key, cell in cells.items():
        if key in flags:
            flag = flags[key]
        elif empty(cell):
            flag = Flag.EMPTY
        else:
            flag = Flag.SHOWN
        out[key] = ProtectedCell(cell.value, cell.kind, flag)
    return ProtectedTable(out, rule, True, table.lines)


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
