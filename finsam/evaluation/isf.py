"""The ISF study workflow: every outcome × population group in one run, one report.

The Social Insurance Inspectorate asked whether municipalities that joined a coordination
association developed differently from those that had not (yet) joined (``spec/evaluation.md``).
From a municipality × year file of counts this module builds the panel of shares (percent of the
population group), runs the staggered DiD for every outcome × population combination with a
six-year event window, and collects one :class:`IsfReport`: effects per year relative to joining
with simultaneous confidence bands, the overall effect, the pre-trend tests and notes on what
could not be estimated. Writers for xlsx, json, charts and pdf live in
:mod:`finsam.evaluation.report`.

Input layout (documented in ``docs/evaluation.md``): one row per municipality and year with
``municipality``, ``year``, ``join_year`` (empty or 0 = never joined; may instead be given as a
separate table), ``pop_<population>`` and ``<outcome>_<population>`` counts, where outcome and
population are the keys of :data:`OUTCOMES` and :data:`POPULATIONS`.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from finsam.domain.problems import DomainValidationError, Problem
from finsam.evaluation.aggregate import AggteResult, aggte
from finsam.evaluation.attgt import AttGtResult, EvaluationWarning, att_gt

OUTCOMES: dict[str, str] = {
    "sickness_benefit": "Sjukpenning",
    "sickness_compensation": "Sjuk- och aktivitetsersättning",
    "unemployment_to_work": "Från arbetslöshet till arbete",
    "social_assistance": "Ekonomiskt bistånd",
    "studying": "Studier (studiemedel/studiehjälp)",
    "neet": "Unga som varken arbetar eller studerar (UVAS)",
}
"""Outcome keys (column prefixes) and their Swedish labels."""

POPULATIONS: dict[str, str] = {
    "total": "Hela befolkningen",
    "women": "Kvinnor",
    "men": "Män",
    "age_19_24": "19–24 år",
    "age_55_64": "55–64 år",
}
"""Population keys (column suffixes) and their Swedish labels."""

NOT_APPLICABLE: dict[tuple[str, str], str] = {
    ("studying", "age_55_64"): "studier redovisas inte för 55–64 år",
    ("neet", "age_55_64"): "UVAS avser bara unga under 25 år",
}
"""Combinations the ISF study does not report (skipped with a note unless asked for)."""

UNIT, TIME, JOIN = "municipality", "year", "join_year"
EVENT_WINDOW = 6


def normalise_codes(codes: pd.Series) -> pd.Series:
    """Municipality codes as text; numbers of up to four digits get SCB's leading zero.

    A CSV read without ``dtype=str`` turns ``0114`` into 114 (or 114.0); both become ``"0114"``
    so counts and join years match however each file was read.
    """
    text = codes.astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
    numeric = text.str.fullmatch(r"\d{1,4}")
    return text.where(~numeric, text.str.zfill(4))


def read_isf_file(path) -> pd.DataFrame:
    """Read an ISF counts file (``.csv`` with ``,`` or ``;``, or ``.xlsx``), codes kept as text
    (:func:`finsam.evaluation.run.read_table`, the same reader as every panel)."""
    from finsam.evaluation.run import read_table

    return read_table(path, text_columns=(UNIT,))


def population_column(population: str) -> str:
    return f"pop_{population}"


def count_column(outcome: str, population: str) -> str:
    return f"{outcome}_{population}"


@dataclass(frozen=True, slots=True)
class StudyOptions:
    control_group: str = "notyet"
    est_method: str = "dr"
    base_period: str = "varying"
    anticipation: int = 0
    event_window: int = EVENT_WINDOW
    biters: int = 999
    alpha: float = 0.05
    seed: int = 20_240_601
    bootstrap: bool = True


@dataclass(slots=True)
class Combination:
    """One outcome × population run."""

    outcome: str
    population: str
    attgt: AttGtResult | None = None
    dynamic: AggteResult | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def pretest_pvalue(self) -> float | None:
        return None if self.attgt is None else self.attgt.wald_pvalue

    @property
    def estimated(self) -> bool:
        return self.dynamic is not None


@dataclass(slots=True)
class IsfReport:
    options: StudyOptions
    combinations: list[Combination]
    n_municipalities: int
    years: tuple[int, int]
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def outcomes(self) -> list[str]:
        return list(dict.fromkeys(c.outcome for c in self.combinations))

    def effects(self) -> pd.DataFrame:
        """Effects per year relative to joining: one row per outcome × population × event time."""
        rows = []
        for c in self.combinations:
            d = c.dynamic
            if d is None:  # not estimated
                continue
            for i, e in enumerate(d.labels):
                lo, hi = d.ci_lower[i], d.ci_upper[i]
                rows.append(
                    {
                        "outcome": c.outcome,
                        "outcome_label": OUTCOMES.get(c.outcome, c.outcome),
                        "population": c.population,
                        "population_label": POPULATIONS.get(c.population, c.population),
                        "event_time": int(e),
                        "estimate": d.att[i],
                        "std_error": d.se[i],
                        "ci_lower": lo,
                        "ci_upper": hi,
                        "band_excludes_zero": bool(lo > 0 or hi < 0),
                        "n_units": int(d.n_units[i]),
                    }
                )
        return pd.DataFrame(rows, columns=_EFFECT_COLUMNS)

    def summary(self) -> pd.DataFrame:
        """Overall effect (mean over event times 0..window) and pre-test per combination."""
        rows = []
        for c in self.combinations:
            row = {
                "outcome": c.outcome,
                "outcome_label": OUTCOMES.get(c.outcome, c.outcome),
                "population": c.population,
                "population_label": POPULATIONS.get(c.population, c.population),
                "overall_effect": np.nan,
                "std_error": np.nan,
                "ci_lower": np.nan,
                "ci_upper": np.nan,
                "pretest_chi2": np.nan,
                "pretest_df": None,
                "pretest_pvalue": np.nan,
                "n_units": None,
                "notes": " ".join(c.notes),
            }
            if c.dynamic is not None and c.attgt is not None:  # estimated
                lo, hi = c.dynamic.overall_ci
                row.update(
                    overall_effect=c.dynamic.overall_att,
                    std_error=c.dynamic.overall_se,
                    ci_lower=lo,
                    ci_upper=hi,
                    n_units=c.attgt.n,
                )
                if c.attgt.wald_pvalue is not None:
                    row.update(
                        pretest_chi2=c.attgt.wald_stat,
                        pretest_df=c.attgt.wald_df,
                        pretest_pvalue=c.attgt.wald_pvalue,
                    )
            rows.append(row)
        return pd.DataFrame(rows)

    def to_rows(self) -> list[dict]:
        """All dynamic-aggregation rows in the Evaluation CSV layout of ``interchange.md``."""
        rows: list[dict] = []
        for c in self.combinations:
            if c.dynamic is not None:  # estimated
                rows += c.dynamic.to_rows(c.outcome, c.population)
        return rows

    def all_notes(self) -> list[str]:
        out = list(self.notes)
        for c in self.combinations:
            label = f"{OUTCOMES.get(c.outcome, c.outcome)} – {POPULATIONS.get(c.population)}"
            out += [f"{label}: {n}" for n in c.notes]
        return out


_EFFECT_COLUMNS = [
    "outcome",
    "outcome_label",
    "population",
    "population_label",
    "event_time",
    "estimate",
    "std_error",
    "ci_lower",
    "ci_upper",
    "band_excludes_zero",
    "n_units",
]


def _join_years(counts: pd.DataFrame, join_years) -> pd.Series:
    """The join year per municipality (NaN = never) from the file or a separate table."""
    if join_years is None:
        if JOIN not in counts.columns:
            raise DomainValidationError(
                [
                    Problem(
                        JOIN,
                        "evaluation.column_missing",
                        f"Kolumnen '{JOIN}' (år då kommunen gick med i ett samordningsförbund) "
                        "saknas, och inga inträdesår angavs separat.",
                    )
                ]
            )
        join = pd.to_numeric(counts[JOIN], errors="coerce").replace(0, np.nan)
        grouped = join.groupby(normalise_codes(counts[UNIT]))
        distinct = grouped.nunique()
        varying = list(distinct[distinct > 1].index)
        if varying:
            raise DomainValidationError(
                [
                    Problem(
                        JOIN,
                        "evaluation.group_varies_within_unit",
                        f"Inträdesåret måste vara detsamma alla år för en kommun; kommun {u} har "
                        "flera olika värden.",
                        value=u,
                    )
                    for u in varying[:10]
                ]
            )
        return grouped.first().astype(float)
    if isinstance(join_years, pd.DataFrame):
        series = pd.to_numeric(join_years[JOIN], errors="coerce").to_numpy(dtype=float)
        return pd.Series(series, index=normalise_codes(join_years[UNIT]).to_numpy())
    mapping = dict(join_years)
    keys = normalise_codes(pd.Series([str(k) for k in mapping]))
    return pd.Series(list(mapping.values()), index=keys.to_numpy(), dtype=float)


def build_share_panel(
    counts: pd.DataFrame,
    join_years: pd.DataFrame | Mapping[str, float] | None = None,
    *,
    outcomes: Sequence[str] | None = None,
    populations: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Long panel ``municipality, year, join_year`` plus one share column per combination.

    A share is ``100 × count / population`` (percent, so effects are in percentage points). A year
    where the population group is 0 or missing gives a missing share (that municipality then drops
    out of that combination, with a note from :func:`att_gt`).
    """
    for column in (UNIT, TIME):
        if column not in counts.columns:
            raise DomainValidationError(
                [
                    Problem(
                        column,
                        "evaluation.column_missing",
                        f"Kolumnen '{column}' saknas i ISF-filen.",
                    )
                ]
            )
    joins = _join_years(counts, join_years)
    panel = pd.DataFrame(
        {UNIT: normalise_codes(counts[UNIT]).to_numpy(), TIME: counts[TIME].to_numpy()}
    )
    joins = joins.replace(0, np.nan)
    panel[JOIN] = panel[UNIT].map(joins).fillna(0.0).to_numpy()
    outcomes = list(outcomes or OUTCOMES)
    populations = list(populations or POPULATIONS)
    for pop in populations:
        pcol = population_column(pop)
        if pcol not in counts.columns:
            continue
        denominator = pd.to_numeric(counts[pcol], errors="coerce").to_numpy(dtype=float)
        denominator = np.where(denominator > 0, denominator, np.nan)
        for outcome in outcomes:
            ccol = count_column(outcome, pop)
            if ccol in counts.columns:
                numerator = pd.to_numeric(counts[ccol], errors="coerce").to_numpy(dtype=float)
                panel[ccol] = 100.0 * numerator / denominator
    return panel


def run_isf_study(
    counts: pd.DataFrame,
    join_years: pd.DataFrame | Mapping[str, float] | None = None,
    *,
    outcomes: Sequence[str] | None = None,
    populations: Sequence[str] | None = None,
    options: StudyOptions | None = None,
    include_not_applicable: bool = False,
) -> IsfReport:
    """Run every outcome × population combination and collect the report.

    A combination whose count or population column is missing, or that cannot be estimated, is
    kept in the report with a note instead of stopping the study.
    """
    started = time.perf_counter()
    options = options or StudyOptions()
    outcomes = list(outcomes or OUTCOMES)
    populations = list(populations or POPULATIONS)
    panel = build_share_panel(counts, join_years, outcomes=outcomes, populations=populations)
    report = IsfReport(
        options=options,
        combinations=[],
        n_municipalities=int(panel[UNIT].nunique()),
        years=(int(panel[TIME].min()), int(panel[TIME].max())),
    )
    for outcome in outcomes:
        for pop in populations:
            combo = Combination(outcome, pop)
            report.combinations.append(combo)
            reason = NOT_APPLICABLE.get((outcome, pop))
            if reason and not include_not_applicable:
                combo.notes.append(f"Skattas inte: {reason}.")
                continue
            column = count_column(outcome, pop)
            if column not in panel.columns:
                missing = (
                    population_column(pop)
                    if population_column(pop) not in counts.columns
                    else column
                )
                combo.notes.append(f"Skattas inte: kolumnen '{missing}' saknas i filen.")
                continue
            _run_combination(panel, combo, column, options)
    report.seconds = time.perf_counter() - started
    return report


def _run_combination(panel: pd.DataFrame, combo: Combination, column: str, opts: StudyOptions):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", EvaluationWarning)
        try:
            combo.attgt = att_gt(
                panel,
                yname=column,
                tname=TIME,
                idname=UNIT,
                gname=JOIN,
                control_group=opts.control_group,
                base_period=opts.base_period,
                anticipation=opts.anticipation,
                est_method=opts.est_method,
                bootstrap=opts.bootstrap,
                biters=opts.biters,
                alpha=opts.alpha,
                seed=opts.seed,
            )
            combo.dynamic = aggte(
                combo.attgt,
                "dynamic",
                min_e=-opts.event_window,
                max_e=opts.event_window,
            )
        except DomainValidationError as error:
            combo.notes.append(f"Skattas inte: {error}")
    for w in caught:
        if issubclass(w.category, EvaluationWarning):
            message = str(w.message)
            if message not in combo.notes:
                combo.notes.append(message)
