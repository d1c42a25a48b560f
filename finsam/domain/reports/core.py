"""The report engine: options, population, areas, vectorised aggregation and the result structure.

Every report works the same way: the episode frame is reduced once to the base population
(individual interventions with person registration, FEL excluded), each row of the report becomes
a numeric array with one value per episode (0/1 for counts, hours for sums), and one
``np.bincount`` per row sums it per area × sex (× age band). The cells and their additive relations
go through :func:`finsam.domain.protection.protect` once per report, so every table of a report and
every format shows the same protected numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import cast

import numpy as np
import pandas as pd

from finsam.domain import codelists as cl
from finsam.domain.access import gettext_noop
from finsam.domain.problems import DomainValidationError, Problem
from finsam.domain.protection import (
    Cell,
    Kind,
    Line,
    ProtectedCell,
    ProtectedTable,
    ProtectionRule,
    Table,
    protect,
)

LEVELS = ("intervention", "association", "county", "country")
LEVEL_LABELS = {
    "intervention": gettext_noop("Insats"),
    "association": gettext_noop("Förbund"),
    "county": gettext_noop("Län"),
    "country": gettext_noop("Riket"),
}
COUNTRY_CODE = "SE"
COUNTRY_NAME = gettext_noop("Riket")
_LEVEL_COLUMNS = {
    "intervention": ("intervention_code", "intervention_name"),
    "association": ("association_code", "association_name"),
    "county": ("county_code", "county_name"),
}

SEX_COLUMNS = ("total", "women", "men")
COLUMN_LABELS = {
    "total": gettext_noop("Totalt"),
    "women": gettext_noop("Kvinnor"),
    "men": gettext_noop("Män"),
}
AGE_COLUMNS = tuple(name for name, _lo, _hi in cl.AGE_BANDS)
for _band in AGE_COLUMNS:
    COLUMN_LABELS[_band] = _band

SPLITS = ("sex", "sex_age")

UNKNOWN_SEX = "okant_kon"
"""Column key of the unknown-sex remainder (total − women − men): protected, never rendered."""
UNKNOWN_AGE = "okand_alder"
"""Column key of the remainder total − Σ age bands (under 16 or unknown age): likewise."""


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date
    """Inclusive."""

    def __post_init__(self) -> None:
        problems = []
        if self.end < self.start:
            problems.append(
                Problem(
                    "period",
                    "report.period_order",
                    f"Periodens slutdatum ({self.end}) får inte vara före startdatum "
                    f"({self.start}).",
                    (self.start, self.end),
                )
            )
        if self.start < cl.LAW_START:
            problems.append(
                Problem(
                    "period",
                    "report.period_before_law",
                    f"Perioden får inte börja före lagens ikraftträdande {cl.LAW_START} "
                    f"(nu {self.start}).",
                    self.start,
                )
            )
        if problems:
            raise DomainValidationError(problems)

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31))

    @property
    def label(self) -> str:
        if (self.start.month, self.start.day, self.end.month, self.end.day) == (1, 1, 12, 31):
            if self.start.year == self.end.year:
                return str(self.start.year)
            return f"{self.start.year}–{self.end.year}"
        return f"{self.start.isoformat()}–{self.end.isoformat()}"

    @property
    def start64(self) -> np.datetime64:
        return np.datetime64(self.start, "ns")

    @property
    def end64(self) -> np.datetime64:
        return np.datetime64(self.end, "ns")


@dataclass(frozen=True, slots=True)
class ReportOptions:
    period: Period
    levels: tuple[str, ...] = ("association",)
    """One or more of ``LEVELS``, shown in this order (e.g. associations, county, country)."""
    areas: tuple[str, ...] | None = None
    """Keep only areas with these codes (any level; ``SE`` for the country); ``None`` = all."""
    split: str = "sex"
    """``sex`` (total, women, men) or ``sex_age`` (also one column per age band)."""
    protected: bool = True
    rule: ProtectionRule = field(default_factory=ProtectionRule)

    def __post_init__(self) -> None:
        problems = []
        for level in self.levels:
            if level not in LEVELS:
                problems.append(
                    Problem(
                        "level",
                        "report.level",
                        f"Okänd nivå {level!r}: nivån måste vara en av {', '.join(LEVELS)}.",
                        level,
                    )
                )
        if not self.levels:
            problems.append(
                Problem("level", "report.level", "Minst en nivå måste väljas.", self.levels)
            )
        if self.split not in SPLITS:
            problems.append(
                Problem(
                    "split",
                    "report.split",
                    f"Okänd uppdelning {self.split!r}: uppdelningen måste vara "
                    f"{' eller '.join(SPLITS)}.",
                    self.split,
                )
            )
        if problems:
            raise DomainValidationError(problems)

    @property
    def columns(self) -> tuple[str, ...]:
        return SEX_COLUMNS + (AGE_COLUMNS if self.split == "sex_age" else ())


@dataclass(frozen=True, slots=True)
class Area:
    level: str
    code: str
    name: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.level, self.code)


@dataclass(frozen=True, slots=True)
class Row:
    key: str
    label: str
    """Swedish row label."""
    format: str = "count"
    """How the value is displayed: count, percent, fte, days, amount, change."""


def round_half_up(value: float, decimals: int = 0) -> Decimal:
    """Commercial rounding (0.5 → 1) of a float, robust to binary noise (28.4999999… → 28)."""
    d = Decimal(repr(round(float(value), 9)))
    return d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def format_value(value: float | int | None, fmt: str, *, precise: bool = False) -> str:
    """Display text of a value: decimal point, no thousands separator."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if precise and fmt in ("percent", "days", "fte", "amount"):
        return repr(float(value)) if not float(value).is_integer() else str(int(value))
    if fmt in ("count", "change"):
        return str(round_half_up(value, 0))
    if fmt in ("percent", "days"):
        return str(round_half_up(value, 0))
    if fmt == "fte":
        return str(round_half_up(value, 1))
    if fmt == "amount":
        return str(round_half_up(value, 0))
    return str(value)


@dataclass(frozen=True, slots=True)
class ReportTable:
    key: str
    title: str
    rows: tuple[Row, ...]
    columns: tuple[str, ...]
    column_labels: Mapping[str, str]
    areas: tuple[Area, ...]
    protected: ProtectedTable
    note: str = ""

    def cell(self, row: str, area: Area | tuple[str, str], column: str) -> ProtectedCell:
        akey = area.key if isinstance(area, Area) else area
        return self.protected[(self.key, row, akey, column)]

    def value(self, row: str, area: Area | tuple[str, str], column: str):
        """The unrounded value, ``None`` when hidden (protected) or empty."""
        akey = area.key if isinstance(area, Area) else area
        return self.protected.shown_value((self.key, row, akey, column))

    def display(
        self, row: str, area: Area | tuple[str, str], column: str, *, precise: bool = False
    ) -> str:
        fmt = next(r.format for r in self.rows if r.key == row)
        akey = area.key if isinstance(area, Area) else area
        return self.protected.render(
            (self.key, row, akey, column), lambda v: format_value(v, fmt, precise=precise)
        )

    def area(self, code: str, level: str | None = None) -> Area:
        for a in self.areas:
            if a.code == code and (level is None or a.level == level):
                return a
        raise KeyError(code)


@dataclass(frozen=True, slots=True)
class ReportResult:
    key: str
    """Command-line name of the report (utfall, forsorjning-fore, …)."""
    code: str
    """R1 … R9."""
    title: str
    options: ReportOptions
    tables: tuple[ReportTable, ...]
    notes: tuple[str, ...] = ()
    episodes: int = 0
    """Episodes in the report's population (all areas together)."""
    anonymous_episodes: int = 0
    hidden_counts: frozenset[str] = frozenset()
    """Whole-report counts (``episodes``, ``anonymous_episodes``) hidden although not small
    (complementary suppression across calendar periods, ``reports.periods``)."""

    def table(self, key: str) -> ReportTable:
        for t in self.tables:
            if t.key == key:
                return t
        raise KeyError(key)

    @property
    def protection_note(self) -> str:
        if not self.options.protected:
            return gettext_noop(
                "Oskyddade tal: visas endast för användare som får se förbundets deltagare."
            )
        return self.options.rule.note()


# --- population and areas -------------------------------------------------------------------


def base_mask(episodes: pd.DataFrame) -> np.ndarray:
    """Individual interventions with person registration, registration errors (FEL) excluded."""
    # Series comparisons: on a categorical column they compare the codes (see frame.py)
    return (
        (episodes["orientation"] == "individual").to_numpy()
        & (episodes["registration"] == "persons").to_numpy()
        & (episodes["exit_reason"] != cl.EXIT_REGISTRATION_ERROR).to_numpy()
    )


def exited_in(df: pd.DataFrame, period: Period) -> np.ndarray:
    end = df["end_date"].to_numpy()
    return (end >= period.start64) & (end <= period.end64)


def started_in(df: pd.DataFrame, period: Period) -> np.ndarray:
    start = df["start_date"].to_numpy()
    return (start >= period.start64) & (start <= period.end64)


def active_in(df: pd.DataFrame, period: Period) -> np.ndarray:
    start = df["start_date"].to_numpy()
    end = df["end_date"].to_numpy()
    return (start <= period.end64) & (np.isnat(end) | (end >= period.start64))


def unique_ints(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values of an integer array. Sort-based: numpy 2's ``np.unique`` hashes
    and takes ~50× longer on a million person keys than a sort and a comparison of neighbours."""
    s = np.sort(np.asarray(values))
    if len(s) < 2:
        return s
    keep = np.empty(len(s), dtype=bool)
    keep[0] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]


class Grouping:
    """Area, sex and age-band indices of every episode of a population, for every level asked.

    Areas are those of the base population (``keep``), so an area with no episode in the period
    still shows its zeros; :meth:`restrict` then narrows the episodes to a report's population
    without changing the areas.
    """

    def __init__(self, df: pd.DataFrame, options: ReportOptions, keep: np.ndarray | None = None):
        self.df = df
        self.options = options
        self.n = len(df)
        keep = np.ones(self.n, dtype=bool) if keep is None else keep
        sex = df["sex"]
        women, men = (sex == "K").to_numpy(), (sex == "M").to_numpy()
        self.sex = np.where(women, 0, np.where(men, 1, 2)).astype(np.int64)
        ages = df["age_at_start"].to_numpy()
        edges = [lo for _name, lo, _hi in cl.AGE_BANDS]
        band = np.searchsorted(edges, ages, side="right") - 1  # -1 below 16
        self.band = np.where(band < 0, len(edges), band).astype(np.int64)
        self.n_bands = len(edges) + 1
        self.levels: list[tuple[str, np.ndarray, list[Area]]] = []
        raw: dict[str, np.ndarray] = {}
        uniques: dict[str, list[str]] = {}
        for level in options.levels:
            idx, areas, raw[level], uniques[level] = self._factorize(level, keep)
            self.levels.append((level, idx, areas))
        self.areas: tuple[Area, ...] = tuple(a for _l, _i, areas in self.levels for a in areas)
        self._area_pairs = self._links(raw, uniques, keep)

    def restrict(self, mask: np.ndarray) -> Grouping:
        """The same areas, only the episodes in ``mask`` (``self.df`` becomes those rows)."""
        other = object.__new__(Grouping)
        other.options = self.options
        other.df = self.df.loc[mask].reset_index(drop=True)
        other.n = len(other.df)
        other.sex = self.sex[mask]
        other.band = self.band[mask]
        other.n_bands = self.n_bands
        other.levels = [(lvl, idx[mask], areas) for lvl, idx, areas in self.levels]
        other.areas = self.areas
        other._area_pairs = self._area_pairs
        return other

    def _factorize(self, level: str, keep: np.ndarray):
        if level == "country":
            idx = np.where(keep, 0, -1).astype(np.int64)
            return idx, [Area("country", COUNTRY_CODE, COUNTRY_NAME)], idx, [COUNTRY_CODE]
        code_col, name_col = _LEVEL_COLUMNS[level]
        raw, uniques = pd.factorize(self.df[code_col])
        # areas in code order, whatever order a categorical column keeps its categories in
        uniques = np.asarray(uniques, dtype=object)
        order = np.argsort(uniques.astype(str), kind="stable")
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        raw = np.where(raw >= 0, rank[np.maximum(raw, 0)] if len(rank) else raw, -1)
        uniques = uniques[order]
        raw = raw.astype(np.int64)
        present = np.zeros(len(uniques), dtype=bool)
        present[raw[keep & (raw >= 0)]] = True
        first = np.full(len(uniques), -1, dtype=np.int64)
        order = np.flatnonzero(keep & (raw >= 0))[::-1]
        first[raw[order]] = order  # first kept row of each code (reversed write: first wins)
        names = self.df[name_col].to_numpy(dtype=object)
        wanted = self.options.areas
        keep_area = present & np.array(
            [wanted is None or str(c) in wanted for c in uniques], dtype=bool
        )
        remap = np.where(keep_area, np.cumsum(keep_area) - 1, -1)
        idx = np.where(keep & (raw >= 0), remap[np.maximum(raw, 0)], -1)
        areas = [
            Area(level, str(c), str(names[first[i]])) for i, c in enumerate(uniques) if keep_area[i]
        ]
        return idx, areas, np.where(keep, raw, -1), [str(c) for c in uniques]

    def _links(self, raw, uniques, keep):
        """(parent area, child areas) pairs where the report shows a parent and all its children."""
        pairs = []
        rank = {lvl: i for i, lvl in enumerate(LEVELS)}
        shown = {a.key for a in self.areas}
        for child_level in raw:
            for parent_level in raw:
                if rank[parent_level] <= rank[child_level]:
                    continue
                c, p = raw[child_level], raw[parent_level]
                ok = (c >= 0) & (p >= 0)
                width = len(uniques[child_level]) + 1
                combo = unique_ints(p[ok] * width + c[ok])
                children: dict[str, list[str]] = {}
                for value in combo:
                    pc = uniques[parent_level][value // width]
                    children.setdefault(pc, []).append(uniques[child_level][value % width])
                for pc, kids in children.items():
                    if (parent_level, pc) not in shown:
                        continue
                    keys = tuple((child_level, k) for k in kids)
                    if all(k in shown for k in keys):
                        pairs.append(((parent_level, pc), keys))
        return pairs

    def area_lines(self):
        return self._area_pairs

    def _bins(self, i: int) -> tuple[np.ndarray | None, np.ndarray, np.ndarray | None]:
        """For level ``i``: the episodes in an area (``None`` = all of them) and their bin per
        area × sex and per area × age band – computed once, used by every row of the report."""
        cache = self.__dict__.setdefault("_bin_cache", {})
        if i not in cache:
            idx = self.levels[i][1]
            valid: np.ndarray | None
            in_area = idx >= 0
            if in_area.all():
                valid, g, sex, band = None, idx, self.sex, self.band
            else:
                valid, g, sex, band = in_area, idx[in_area], self.sex[in_area], self.band[in_area]
            by_band = g * self.n_bands + band if self.options.split == "sex_age" else None
            cache[i] = (valid, g * 3 + sex, by_band)
        return cache[i]

    def sums(self, weights: np.ndarray) -> dict[tuple[str, str], dict[str, float]]:
        """Σ weights per area and column (total, women, men, age bands)."""
        w = np.asarray(weights, dtype=np.float64)
        out: dict[tuple[str, str], dict[str, float]] = {}
        with_age = self.options.split == "sex_age"
        for i_level, (_level, _idx, areas) in enumerate(self.levels):
            na = len(areas)
            valid, sex_bins, band_bins = self._bins(i_level)
            ww = w if valid is None else w[valid]
            by_sex = np.bincount(sex_bins, ww, minlength=na * 3).reshape(na, 3)
            if with_age:
                assert band_bins is not None  # binned whenever the report has age bands
                by_band = np.bincount(band_bins, ww, minlength=na * self.n_bands).reshape(
                    na, self.n_bands
                )
            for i, area in enumerate(areas):
                row = {
                    "total": by_sex[i].sum(),
                    "women": by_sex[i, 0],
                    "men": by_sex[i, 1],
                }
                if with_age:
                    for j, name in enumerate(AGE_COLUMNS):
                        row[name] = by_band[i, j]
                out[area.key] = row
        return out

    def distinct(
        self, keys: np.ndarray, mask: np.ndarray
    ) -> dict[tuple[str, str], dict[str, float]]:
        """Distinct non-negative ``keys`` (factorized person keys) among episodes in ``mask``."""
        out: dict[tuple[str, str], dict[str, float]] = {}
        with_age = self.options.split == "sex_age"
        sel = mask & (keys >= 0)
        n_keys = int(keys.max()) + 1 if len(keys) and keys.max() >= 0 else 1
        for _level, idx, areas in self.levels:
            na = len(areas)
            s = sel & (idx >= 0)
            g = idx[s]
            k = keys[s]

            def count(sub: np.ndarray, n_sub: int, g=g, k=k, na=na) -> np.ndarray:
                combo = (g * n_sub + sub) * n_keys + k
                u = unique_ints(combo) // n_keys
                return np.bincount(u, minlength=na * n_sub).reshape(na, n_sub)

            total = count(np.zeros(len(g), dtype=np.int64), 1)
            by_sex = count(self.sex[s], 3)
            by_band = count(self.band[s], self.n_bands) if with_age else None
            for i, area in enumerate(areas):
                row = {"total": total[i, 0], "women": by_sex[i, 0], "men": by_sex[i, 1]}
                if by_band is not None:
                    for j, name in enumerate(AGE_COLUMNS):
                        row[name] = by_band[i, j]
                out[area.key] = row
        return out


# --- building the protection table of a report ----------------------------------------------


class TableBuilder:
    """Collects the cells and lines of all tables of one report, then protects them together."""

    def __init__(self, grouping: Grouping):
        self.g = grouping
        self.columns = grouping.options.columns
        self.cells: dict = {}
        self.lines: list[Line] = []
        self._area_lines = grouping.area_lines()

    def count_row(
        self,
        table: str,
        row: str,
        values: Mapping[tuple[str, str], Mapping[str, float]],
        *,
        additive_areas: bool = True,
    ) -> None:
        for area in self.g.areas:
            for col in self.columns:
                v = values[area.key][col]
                self.cells[(table, row, area.key, col)] = Cell(round(v), Kind.COUNT)
        self.split_lines(table, row)
        if additive_areas:
            self.area_lines(table, row)

    def derived_row(self, table: str, row: str, compute) -> None:
        """``compute(area_key, col) -> (value, n, refs)``; refs are (table, row) pairs."""
        for area in self.g.areas:
            for col in self.columns:
                value, n, refs = compute(area.key, col)
                self.cells[(table, row, area.key, col)] = Cell(
                    value,
                    Kind.DERIVED,
                    n=None if n is None else round(n),
                    refs=tuple((t, r, area.key, c) for t, r, c in refs),
                )

    def split_lines(self, table: str, row: str) -> None:
        """total = women + men + unknown sex (and = Σ age bands + unknown age band).

        The remainders (sex X or not recorded, age below 16 or unknown) are no column of the
        report, but a reader gets them by subtraction, so they are cells of the protected table
        (``UNKNOWN_SEX``, ``UNKNOWN_AGE``, never rendered) and are protected like any count.
        """
        for area in self.g.areas:
            k = area.key
            self._remainder_line(table, row, k, ("women", "men"), UNKNOWN_SEX)
            if self.g.options.split == "sex_age":
                self._remainder_line(table, row, k, AGE_COLUMNS, UNKNOWN_AGE)

    def _remainder_line(self, table, row, k, parts, remainder) -> None:
        total_key = (table, row, k, "total")
        part_keys = [(table, row, k, c) for c in parts]
        total = self.cells.get(total_key)
        values = [self.cells[p].value if p in self.cells else None for p in part_keys]
        if total is None or total.value is None or any(v is None for v in values):
            self.lines.append(Line(total_key, tuple(part_keys)))
            return
        rest = total.value - sum(v for v in values if v is not None)
        if rest < -1e-9:  # not additive (e.g. distinct persons with several sexes): no line
            return
        rest_key = (table, row, k, remainder)
        if total.kind is Kind.COUNT:
            self.cells[rest_key] = Cell(round(rest), Kind.COUNT)
        else:
            refs = tuple((t, r, a, remainder if c == "total" else c) for t, r, a, c in total.refs)
            n = None
            if total.n is not None and all(ref in self.cells for ref in refs) and refs:
                n = self.cells[refs[0]].value
            self.cells[rest_key] = Cell(
                rest, Kind.DERIVED, n=n, refs=tuple(r for r in refs if r in self.cells)
            )
        self.lines.append(Line(total_key, (*part_keys, rest_key)))

    def area_lines(self, table: str, row: str) -> None:
        for parent, children in self._area_lines:
            for col in self.columns:
                self.lines.append(
                    Line((table, row, parent, col), tuple((table, row, c, col) for c in children))
                )

    def row_line(self, table: str, total_row: str, parts: Sequence[tuple[str, str]]) -> None:
        """``total_row`` = Σ ``parts`` ((table, row) pairs) in every area and column."""
        for area in self.g.areas:
            for col in self.columns:
                self.lines.append(
                    Line(
                        (table, total_row, area.key, col),
                        tuple((t, r, area.key, col) for t, r in parts),
                    )
                )

    def remainder_lines(self) -> list[Line]:
        """Every line that holds within one column (areas within areas, code rows, before +
        change = after) holds for the remainder columns too; the reader can form those."""
        extra = []
        for line in self.lines:
            cols = {k[3] for k in line.cells if isinstance(k, tuple) and len(k) == 4}
            if len(cols) != 1 or next(iter(cols)) not in self.columns:
                continue
            if not all(isinstance(k, tuple) and len(k) == 4 for k in line.cells):
                continue
            line_total = cast(tuple, line.total)
            for rest in (UNKNOWN_SEX, UNKNOWN_AGE):
                total = (*line_total[:3], rest)
                parts = tuple((*cast(tuple, p)[:3], rest) for p in line.parts)
                if total in self.cells and all(p in self.cells for p in parts):
                    extra.append(Line(total, parts))
        return extra

    def protect(self) -> ProtectedTable:
        options = self.g.options
        lines = tuple(self.lines) + tuple(self.remainder_lines())
        return protect(Table(self.cells, lines), options.rule, protected=options.protected)


def pct(num: float, den: float) -> float | None:
    return None if not den else 100.0 * num / den


def share_row(
    builder: TableBuilder,
    table: str,
    row: str,
    num_row: str,
    den_row: str,
    sums: Mapping[str, Mapping],
    *,
    den_col: str | None = None,
) -> None:
    """Percentage ``num_row / den_row`` (same column, or ``den_col``), n = the denominator."""

    def compute(area_key, col):
        dc = den_col or col
        num = sums[num_row][area_key][col]
        den = sums[den_row][area_key][dc]
        return pct(num, den), den, ((table, num_row, col), (table, den_row, dc))

    builder.derived_row(table, row, compute)


def add_anonymity_rows(
    builder: TableBuilder, population: np.ndarray, anonymous: np.ndarray
) -> None:
    """Rows every person report carries: episodes and how many of them are anonymous."""
    g = builder.g
    builder.count_row("anonymitet", "antal_episoder", g.sums(population))
    builder.count_row("anonymitet", "antal_anonyma_episoder", g.sums(population & anonymous))


ANONYMITY_ROWS = (
    Row("antal_episoder", gettext_noop("Antal deltagarepisoder i populationen")),
    Row("antal_anonyma_episoder", gettext_noop("varav anonyma deltagare")),
)


ANONYMITY_SPEC = (
    "anonymitet",
    gettext_noop("Anonyma deltagare"),
    ANONYMITY_ROWS,
    gettext_noop("Anonyma deltagare räknas i alla tabeller där uppgiften finns."),
)


def make_tables(builder: TableBuilder, specs: Iterable[tuple]) -> tuple[ReportTable, ...]:
    """``specs``: (key, title, rows, note[, columns, column_labels]) per table."""
    protected = builder.protect()
    tables = []
    for spec in specs:
        key, title, rows, note = spec[:4]
        cols = spec[4] if len(spec) > 4 else builder.columns
        labels = spec[5] if len(spec) > 5 else COLUMN_LABELS
        tables.append(ReportTable(key, title, rows, cols, labels, builder.g.areas, protected, note))
    return tuple(tables)


def person_key_column(participant_ids: np.ndarray, identified: np.ndarray) -> pd.Series:
    """The frame's ``person_key`` column: the participant id (as text) of identified participants,
    missing for anonymous ones (and erased identities), as a categorical column, so
    :func:`person_keys` reads distinct persons from its integer codes. One participant per
    pseudonym, so this counts persons exactly as the pseudonym would – and the pseudonym never
    leaves the database."""
    found, uniques = pd.factorize(participant_ids[identified])
    codes = np.full(len(participant_ids), -1, dtype=np.int64)
    codes[identified] = found
    categories = pd.Index(np.asarray(uniques).astype(str).astype(object), dtype=object)
    return pd.Series(pd.Categorical.from_codes(codes, categories=categories))


def person_keys(df: pd.DataFrame) -> np.ndarray:
    """The frame's persons as integers (factorized ``person_key``); -1 for anonymous episodes."""
    keys = df["person_key"]
    if isinstance(keys.dtype, pd.CategoricalDtype):  # already integer codes, -1 when missing
        return keys.cat.codes.to_numpy().astype(np.int64)
    codes, _ = pd.factorize(keys, use_na_sentinel=True)
    return codes.astype(np.int64)


# --- who may see unprotected numbers ---------------------------------------------------------

UNPROTECTED_ROLES = frozenset({"association_admin", "participant_handler"})
"""Roles with access to the association's participants (``domain.md`` §5, ``reports.md``)."""


def unprotected_allowed(
    role: str, own_associations: Iterable[str], levels: Sequence[str], areas: Sequence[str] | None
) -> bool:
    """True only when every area of the report is one of the user's own associations.

    The report must be at association level with an explicit list of areas (``areas``), all of
    them the user's own; any other level (county, country, or intervention – whose codes cannot be
    checked here) or any other association means protected aggregates. The web layer calls this
    and passes ``protected=not unprotected_allowed(...)``.
    """
    own = set(own_associations)
    return (
        role in UNPROTECTED_ROLES
        and tuple(levels) == ("association",)
        and areas is not None
        and len(areas) > 0
        and set(areas) <= own
    )
