"""Group-time average treatment effects ATT(g, t) (Callaway & Sant'Anna 2021), vectorised.

:func:`att_gt` takes a long panel (one row per unit and period) and returns an
:class:`AttGtResult`: one ATT(g, t) per treatment cohort g and period t with its influence
function, standard error (multiplier bootstrap or analytic), simultaneous confidence band and the
Wald pre-test of parallel trends. The cell selection, base periods, comparison groups and
estimators follow R ``did`` 2.x (and the Python port ``csdid``), so point estimates are the same.

Without covariates all cells are computed at once with array arithmetic (the outcome-regression,
IPW and doubly robust estimators coincide there); with covariates each cell runs the
``DRDID``-style kernels in :mod:`finsam.evaluation.kernels`.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import chi2, norm

from finsam.domain.problems import DomainValidationError, Problem
from finsam.evaluation._blas import small_blas
from finsam.evaluation.bootstrap import MULTIPLIERS, Bootstrap, summarise
from finsam.evaluation.kernels import (
    KERNELS,
    TRIM_LEVEL,
    CellNotEstimable,
    EvaluationWarning,
    LogitNotConverged,
    control_design_singular,
    overlap_violated,
)
from finsam.evaluation.validation import index_panel

CONTROL_GROUPS = {
    "never": "never",
    "nevertreated": "never",
    "notyet": "notyet",
    "notyettreated": "notyet",
}
BASE_PERIODS = ("varying", "universal")
EST_METHODS = tuple(KERNELS)
MIN_GROUP_SIZE_BASE = 5
"""A cohort needs at least ``number of covariates + 5`` units (as in R ``did``)."""


@dataclass(frozen=True, slots=True)
class Options:
    yname: str
    tname: str
    idname: str
    gname: str
    covariates: tuple[str, ...]
    control_group: str
    base_period: str
    anticipation: float
    est_method: str
    bootstrap: bool
    biters: int
    cband: bool
    clustervars: tuple[str, ...]
    alpha: float
    seed: int
    multiplier: str


@dataclass(slots=True)
class AttGtResult:
    """Group-time ATTs and everything needed to aggregate and test them."""

    groups: np.ndarray
    """Cohort g of each cell (first treated period)."""
    times: np.ndarray
    """Period t of each cell."""
    att: np.ndarray
    se: np.ndarray
    crit_val: float
    """Critical value of the bands (simultaneous when ``cband`` and the bootstrap allow it)."""
    influence: np.ndarray
    """n × cells influence functions (rows: units in ``unit_ids`` order)."""
    n: int
    unit_ids: np.ndarray
    unit_groups: np.ndarray
    periods: np.ndarray
    cohorts: np.ndarray
    options: Options
    bootstrap: Bootstrap
    """The multiplier bootstrap of the panel (always set; drawn only when asked for)."""
    wald_stat: float | None = None
    wald_pvalue: float | None = None
    wald_df: int | None = None
    notes: list[str] = field(default_factory=list)
    simultaneous: bool = False
    cell_draws: np.ndarray | None = None
    """Bootstrap draws of the cell influence functions (biters × cells)."""
    cohort_draws: np.ndarray | None = None
    """Bootstrap draws of the cohort indicators 1{G = g} (biters × cohorts), same multipliers."""

    def cohort_indicators(self) -> np.ndarray:
        """n × cohorts matrix of 1{unit's group = g} for g in ``cohorts``."""
        return (self.unit_groups[:, None] == self.cohorts[None, :]).astype(float)

    def ensure_draws(self) -> None:
        """Draw the multiplier bootstrap once for the cells and the cohort indicators.

        Every aggregation is linear in these two (its weight-estimation term only involves the
        cohort indicators), so aggregations re-use the same draws at no extra cost.
        """
        if self.cell_draws is None:
            both = self.bootstrap.draws(np.column_stack([self.influence, self.cohort_indicators()]))
            k = self.influence.shape[1]
            self.cell_draws, self.cohort_draws = both[:, :k], both[:, k:]

    @property
    def ci_lower(self) -> np.ndarray:
        return self.att - self.crit_val * self.se

    @property
    def ci_upper(self) -> np.ndarray:
        return self.att + self.crit_val * self.se

    @property
    def post(self) -> np.ndarray:
        return self.groups <= self.times

    def cluster_codes(self) -> np.ndarray:
        return self.bootstrap.cluster_codes

    def bootstrap_clusters(self) -> int:
        return self.bootstrap.n_clusters

    def group_size(self, g: float) -> int:
        return int(np.sum(self.unit_groups == g))

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "group": self.groups,
                "time": self.times,
                "att": self.att,
                "se": self.se,
                "ci_lower": self.ci_lower,
                "ci_upper": self.ci_upper,
                "post": self.post,
            }
        )

    def to_rows(self, outcome: str | None = None, population: str = "all") -> list[dict]:
        """Rows in the Evaluation CSV layout of ``spec/interchange.md`` (aggregation ``attgt``)."""
        outcome = outcome or self.options.yname
        lo, hi = self.ci_lower, self.ci_upper
        return [
            {
                "outcome": outcome,
                "population": population,
                "aggregation": "attgt",
                "group": _num(g),
                "time": _num(t),
                "event_time": None,
                "estimate": _val(self.att[i]),
                "std_error": _val(self.se[i]),
                "ci_lower": _val(lo[i]),
                "ci_upper": _val(hi[i]),
                "n_units": self.group_size(g),
            }
            for i, (g, t) in enumerate(zip(self.groups, self.times, strict=True))
        ]


def _num(x):
    if x is None:
        return None
    x = float(x)
    return int(x) if x.is_integer() else x


def _val(x) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else None


def _note(notes: list[str], message: str) -> None:
    notes.append(message)
    warnings.warn(message, EvaluationWarning, stacklevel=3)


def parse_formula(xformla: str | None) -> list[str]:
    """Covariate names from an R-style right-hand side such as ``"~ lpop + x"`` (``~1``: none)."""
    if xformla is None:
        return []
    rhs = xformla.split("~", 1)[-1]
    terms = [t.strip() for t in rhs.split("+")]
    names = [t for t in terms if t and t not in ("1", "0")]
    for name in names:
        if not re.fullmatch(r"[^\s()*:^]+", name):
            raise DomainValidationError(
                [
                    Problem(
                        "xformla",
                        "evaluation.formula",
                        f"Kovariatformeln '{xformla}' kan bara innehålla kolumnnamn förenade med "
                        f"'+' (termen '{name}' stöds inte).",
                    )
                ]
            )
    return names


def _bad_option(field_name: str, value: object, allowed: Sequence[str]) -> DomainValidationError:
    return DomainValidationError(
        [
            Problem(
                field_name,
                "evaluation.option",
                f"Ogiltigt värde för {field_name}: '{value}'. Tillåtna värden: "
                f"{', '.join(allowed)}.",
                value=value,
            )
        ]
    )


def _number(value: object, field_name: str, allowed: str) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise _bad_option(field_name, value, (allowed,)) from None
    if not np.isfinite(number):
        raise _bad_option(field_name, value, (allowed,))
    return number


@dataclass(slots=True)
class _Panel:
    unit_ids: np.ndarray
    unit_groups: np.ndarray
    periods: np.ndarray
    y: np.ndarray
    x: np.ndarray | None
    cluster_codes: np.ndarray
    n_clusters: int


def _prepare(data: pd.DataFrame, opts: Options, notes: list[str]) -> tuple[_Panel, np.ndarray]:
    """Validate, drop what R ``did`` drops (with notes) and reshape to unit × period matrices."""
    clean, index = index_panel(
        data,
        yname=opts.yname,
        tname=opts.tname,
        idname=opts.idname,
        gname=opts.gname,
        covariates=opts.covariates,
        clustervars=opts.clustervars,
    )
    ant = opts.anticipation
    unit_code, unit_ids, time_code = index.unit_code, index.unit_ids, index.time_code
    all_periods = index.periods
    time = clean[opts.tname].to_numpy(dtype=float)

    def periods_of(mask: np.ndarray) -> np.ndarray:
        return all_periods[np.bincount(time_code[mask], minlength=len(all_periods)) > 0]

    y = clean[opts.yname].to_numpy(dtype=float)
    x = clean[list(opts.covariates)].to_numpy(dtype=float) if opts.covariates else None
    unit_group = np.zeros(len(unit_ids))
    unit_group[unit_code] = clean[opts.gname].to_numpy(dtype=float)
    cluster_label = None
    if opts.clustervars:
        cluster_label = np.empty(len(unit_ids), dtype=object)
        cluster_label[unit_code] = clean[opts.clustervars[0]].to_numpy()

    keep = np.isfinite(y)
    if x is not None:
        keep &= np.isfinite(x).all(axis=1)
    if not keep.all():
        _note(
            notes,
            f"{int((~keep).sum())} rader saknar värde för utfall eller kovariat och togs bort.",
        )
    periods = periods_of(keep)
    unit_group[unit_group > periods[-1] + ant] = 0.0
    already = (unit_group > 0) & (unit_group <= periods[0] + ant)
    if already.any():
        present = np.zeros(len(unit_ids), dtype=bool)
        present[unit_code[keep]] = True
        _note(
            notes,
            f"{int((already & present).sum())} enheter behandlades redan under panelens första "
            f"period (med förväntanseffekt {_num(ant)}) och togs bort; de saknar en period före "
            "behandling.",
        )
        keep &= ~already[unit_code]
    periods = periods_of(keep)
    counts = np.bincount(unit_code[keep], minlength=len(unit_ids))
    complete = counts == len(periods)
    incomplete_units = (counts > 0) & ~complete
    if incomplete_units.any():
        _note(
            notes,
            f"Panelen är obalanserad: {int(incomplete_units.sum())} enheter saknar minst en period "
            "och togs bort (skattningen kräver en balanserad panel).",
        )
        keep &= complete[unit_code]
    if not keep.any():
        raise DomainValidationError(
            [Problem("", "evaluation.empty", "Inga enheter återstår efter kontrollerna.")]
        )

    present = np.zeros(len(unit_ids), dtype=bool)
    present[unit_code[keep]] = True
    groups_present = unit_group[present]
    cohorts = np.unique(groups_present[groups_present > 0])
    if not (groups_present == 0).any():
        if opts.control_group == "never":
            raise _never_too_small(opts, 0)
        if len(cohorts) == 0:
            raise _no_groups(opts)
        latest = cohorts.max()
        _note(
            notes,
            "Det finns inga enheter som aldrig behandlas; den sista kohorten "
            f"({_num(latest)}) används bara som jämförelsegrupp och perioderna från "
            f"{_num(latest - ant)} och framåt tas bort.",
        )
        keep &= time < latest - ant
        cohorts = cohorts[cohorts < latest]
    periods = periods_of(keep)
    if len(periods) < 2:
        raise DomainValidationError(
            [
                Problem(
                    opts.tname,
                    "evaluation.too_few_periods",
                    f"Panelen behöver minst två perioder i '{opts.tname}' (har {len(periods)}).",
                )
            ]
        )
    cohorts = cohorts[cohorts > periods[0] + ant]
    if len(cohorts) == 0:
        raise _no_groups(opts)

    kept_units = np.flatnonzero(present)
    position = np.full(len(unit_ids), -1)
    position[kept_units] = np.arange(len(kept_units))
    rows = position[unit_code[keep]]
    cols = np.searchsorted(periods, time[keep])
    n, n_t = len(kept_units), len(periods)
    y_mat = np.empty((n, n_t))
    y_mat[rows, cols] = y[keep]
    x_mat = None
    if x is not None:
        x_mat = np.empty((n, n_t, x.shape[1]))
        x_mat[rows, cols, :] = x[keep]
    unit_groups = unit_group[kept_units]

    required = len(opts.covariates) + MIN_GROUP_SIZE_BASE
    values, sizes = np.unique(unit_groups, return_counts=True)
    small = [g for g, c in zip(values, sizes, strict=True) if c < required]
    if small:
        if 0 in small and opts.control_group == "never":
            raise _never_too_small(opts, int(sizes[values == 0][0]))
        _note(
            notes,
            "Några grupper är små (färre än "
            f"{required} enheter): {', '.join(_label(g) for g in small)}. "
            "Skattningarna för dem blir osäkra.",
        )

    if cluster_label is not None:
        _, codes = np.unique(cluster_label[kept_units].astype(str), return_inverse=True)
        n_clusters = int(codes.max()) + 1
    else:
        codes, n_clusters = np.arange(n), n
    panel = _Panel(unit_ids[kept_units], unit_groups, periods, y_mat, x_mat, codes, n_clusters)
    return panel, cohorts


def _label(g: float) -> str:
    return "aldrig behandlade" if g == 0 else str(_num(g))


def _never_too_small(opts: Options, size: int) -> DomainValidationError:
    required = len(opts.covariates) + MIN_GROUP_SIZE_BASE
    what = (
        "Det finns inga enheter som aldrig behandlas"
        if size == 0
        else f"Gruppen som aldrig behandlas är för liten ({size} enheter, minst {required} behövs)"
    )
    return DomainValidationError(
        [
            Problem(
                opts.gname,
                "evaluation.never_treated_too_small",
                f"{what} för att användas som jämförelsegrupp. Välj i stället jämförelse med "
                "ännu inte behandlade enheter (kontrollgrupp 'notyet').",
                value=size,
            )
        ]
    )


def _no_groups(opts: Options) -> DomainValidationError:
    return DomainValidationError(
        [
            Problem(
                opts.gname,
                "evaluation.no_treated_groups",
                f"Det finns ingen behandlad grupp att skatta effekter för. Kolumnen '{opts.gname}' "
                "ska ange den period då enheten först behandlades (0 eller tomt = aldrig), och "
                "någon grupp måste behandlas efter panelens första period.",
            )
        ]
    )


def _plan(
    cohorts: np.ndarray, periods: np.ndarray, opts: Options, notes: list[str]
) -> list[tuple[float, int, int, bool]]:
    """The cells (g, index of t, index of the base period, estimated?) in R ``did`` order."""
    ant = opts.anticipation
    universal = opts.base_period == "universal"
    tfac = 0 if universal else 1
    cells: list[tuple[float, int, int, bool]] = []
    for g in cohorts:
        pre = np.flatnonzero(periods + ant < g)
        if len(pre) == 0:
            _note(notes, f"Gruppen {_num(g)} har ingen period före behandling och tas bort.")
            continue
        pretg = int(pre[-1])
        for t_i in range(len(periods) - tfac):
            tn = t_i + tfac
            base = pretg if universal else t_i
            if g - ant <= periods[tn]:
                base = pretg
            if universal and base == tn:
                cells.append((g, tn, base, False))
            else:
                cells.append((g, tn, base, True))
    return cells


def _estimate_vectorised(panel: _Panel, cells, opts: Options, notes: list[str]):
    """All cells at once; valid when there are no covariates (reg = ipw = dr).

    For cell j with treated set D and comparison set C the ATT is mean_D(Δy) − mean_C(Δy) and the
    influence function n·(1{D}(Δy − m_D)/n_D − 1{C}(Δy − m_C)/n_C). The means come from sums of
    the outcome per group value (so they cost O(groups × periods)); the n × cells influence
    matrix is one gather of per-group weights and one multiply.
    """
    n = len(panel.unit_ids)
    k = len(cells)
    att = np.full(k, np.nan)
    inf = np.zeros((n, k))
    est = np.array([c[3] for c in cells], dtype=bool)
    att[~est] = 0.0
    idx = np.flatnonzero(est)
    if len(idx) == 0:
        return att, inf
    g = np.array([cells[i][0] for i in idx])
    tn = np.array([cells[i][1] for i in idx])
    base = np.array([cells[i][2] for i in idx])
    values, group_index = np.unique(panel.unit_groups, return_inverse=True)
    sizes = np.bincount(group_index).astype(float)
    sums = np.zeros((len(values), panel.y.shape[1]))
    np.add.at(sums, group_index, panel.y)
    is_treated = values[:, None] == g[None, :]  # group values × cells
    if opts.control_group == "never":
        is_control = np.broadcast_to((values == 0)[:, None], is_treated.shape)
    else:
        thr = panel.periods[np.maximum(tn, base)] + opts.anticipation
        is_control = (values[:, None] == 0) | ((values[:, None] > thr[None, :]) & ~is_treated)
    delta_sums = sums[:, tn] - sums[:, base]  # group values × cells
    n_t = sizes @ is_treated
    n_c = sizes @ is_control
    ok = (n_t > 0) & (n_c > 0)
    if opts.est_method in ("ipw", "dr"):
        ok &= n_t / np.maximum(n_t + n_c, 1) < TRIM_LEVEL
    with np.errstate(invalid="ignore", divide="ignore"):
        m_t = np.sum(delta_sums * is_treated, axis=0) / n_t
        m_c = np.sum(delta_sums * is_control, axis=0) / n_c
        weight = is_treated / n_t - is_control / n_c  # per group value
        shift = is_treated * (m_t / n_t) - is_control * (m_c / n_c)
    weight[:, ~ok] = 0.0
    shift[:, ~ok] = 0.0
    dy = panel.y[:, tn] - panel.y[:, base]
    inf_est = dy * weight[group_index]
    inf_est -= shift[group_index]
    inf_est *= n
    att[idx] = np.where(ok, m_t - m_c, np.nan)
    inf_est[:, ~ok] = np.nan
    inf[:, idx] = inf_est
    for j in np.flatnonzero(~ok):
        _note(notes, _cell_note(g[j], panel.periods[tn[j]], _reason(n_t[j], n_c[j])))
    return att, inf


def _reason(n_t: float, n_c: float) -> str:
    if n_t == 0:
        return "gruppen saknar enheter"
    if n_c == 0:
        return "det finns inga jämförelseenheter"
    return "nästan alla enheter i jämförelsen tillhör gruppen (överlappet brister)"


def _cell_note(g: float, t: float, reason: str) -> str:
    return f"ATT(g={_num(g)}, t={_num(t)}) kunde inte skattas: {reason}. Värdet saknas."


def _converged_cell(notes: list[str], g: float, t: float, caught) -> None:
    """Turn the cell's :class:`LogitNotConverged` warnings into one note naming the cell."""
    for w in caught:
        if issubclass(w.category, LogitNotConverged):
            _note(notes, f"ATT(g={_num(g)}, t={_num(t)}): {w.message}.")
            return


def _estimate_cells(panel: _Panel, cells, opts: Options, notes: list[str]):
    """Cell by cell with covariates (the ``DRDID`` kernels)."""
    n = len(panel.unit_ids)
    k = len(cells)
    att = np.full(k, np.nan)
    inf = np.zeros((n, k))
    kernel = KERNELS[opts.est_method]
    ug = panel.unit_groups
    covariates = panel.x
    assert covariates is not None  # this path is taken only with covariates
    for j, (g, tn, base, estimated) in enumerate(cells):
        if not estimated:
            att[j] = 0.0
            continue
        treated = ug == g
        if opts.control_group == "never":
            control = ug == 0
        else:
            thr = panel.periods[max(tn, base)] + opts.anticipation
            control = (ug == 0) | ((ug > thr) & ~treated)
        mask = treated | control
        d = treated[mask].astype(float)
        dy = panel.y[mask, tn] - panel.y[mask, base]
        x = np.column_stack([np.ones(int(mask.sum())), covariates[mask, min(tn, base), :]])
        t_val = panel.periods[tn]
        if not treated.any() or not control.any():
            _note(notes, _cell_note(g, t_val, _reason(treated.sum(), control.sum())))
            att[j], inf[:, j] = np.nan, np.nan
            continue
        with warnings.catch_warnings():
            # The guard's fit is the kernel's own (same weights): the kernel reports it.
            warnings.simplefilter("ignore", LogitNotConverged)
            violated = opts.est_method in ("ipw", "dr") and overlap_violated(d, x)
        if violated:
            _note(notes, _cell_note(g, t_val, "överlappsvillkoret är inte uppfyllt"))
            att[j], inf[:, j] = np.nan, np.nan
            continue
        if opts.est_method in ("reg", "dr") and control_design_singular(x, d):
            _note(
                notes,
                _cell_note(g, t_val, "kovariaterna för jämförelseenheterna är kolinjära"),
            )
            att[j], inf[:, j] = np.nan, np.nan
            continue
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", LogitNotConverged)
                a, f = kernel(dy, d, x, np.ones(len(d)))
            _converged_cell(notes, g, t_val, caught)
        except CellNotEstimable as error:
            _note(notes, _cell_note(g, t_val, str(error)))
            att[j], inf[:, j] = np.nan, np.nan
            continue
        if not np.isfinite(a):
            _note(notes, _cell_note(g, t_val, "skattningen blev inte ett tal"))
            att[j], inf[:, j] = np.nan, np.nan
            continue
        att[j] = a
        inf[mask, j] = (n / mask.sum()) * f
    return att, inf


def analytic_se(influence: np.ndarray, cluster_codes: np.ndarray | None, n_clusters: int):
    """Analytic standard errors from influence functions (cluster-robust beyond the unit)."""
    influence = np.asarray(influence, dtype=float)
    if influence.ndim == 1:
        influence = influence[:, None]
    n = influence.shape[0]
    if cluster_codes is None or n_clusters == n:
        se = np.sqrt(np.mean(influence**2, axis=0) / n)
    else:
        sums = np.zeros((n_clusters, influence.shape[1]))
        np.add.at(sums, cluster_codes, influence)
        se = np.sqrt(np.sum(sums**2, axis=0)) / n
    se[~np.isfinite(se) | (se <= 0)] = np.nan
    return se


def _wald(result: AttGtResult, notes: list[str]) -> None:
    opts = result.options
    if opts.clustervars and opts.bootstrap:
        _note(
            notes,
            "Förtestet av parallella trender redovisas inte vid klustring utöver enhet med "
            "bootstrap; använd de simultana konfidensbanden.",
        )
        return
    inf = result.influence
    n = result.n
    if opts.clustervars:
        sums = np.zeros((result.bootstrap_clusters(), inf.shape[1]))
        np.add.at(sums, result.cluster_codes(), inf)
        v = sums.T @ sums / n
    else:
        v = inf.T @ inf / n
    se = np.sqrt(np.clip(np.diag(v), 0.0, None) / n)
    bad = (se <= 0) | ~np.isfinite(se) | ~np.isfinite(result.att)
    pre = np.flatnonzero((result.groups - opts.anticipation > result.times) & ~bad)
    if len(pre) == 0:
        _note(notes, "Det finns inga perioder före behandling för förtestet av parallella trender.")
        return
    pre_v = v[np.ix_(pre, pre)]
    if np.isnan(pre_v).any():
        _note(notes, "Förtestet av parallella trender kan inte beräknas (saknade värden).")
        return
    cond = np.linalg.cond(pre_v, 1)
    if not np.isfinite(cond) or 1.0 / cond <= np.finfo(float).eps:
        _note(notes, "Förtestet av parallella trender kan inte beräknas (singulär kovarians).")
        return
    pre_att = result.att[pre]
    w = float(n * pre_att @ np.linalg.solve(pre_v, pre_att))
    result.wald_stat = w
    result.wald_df = len(pre)
    result.wald_pvalue = float(chi2.sf(w, len(pre)))


def att_gt(
    data: pd.DataFrame,
    *,
    yname: str,
    tname: str,
    idname: str,
    gname: str,
    covariates: Sequence[str] | None = None,
    xformla: str | None = None,
    control_group: str = "never",
    base_period: str = "varying",
    anticipation: float = 0,
    est_method: str = "dr",
    bootstrap: bool = True,
    biters: int = 999,
    cband: bool = True,
    clustervars: str | Sequence[str] | None = None,
    alpha: float = 0.05,
    seed: int | None = None,
    multiplier: str = "rademacher",
) -> AttGtResult:
    """Estimate every ATT(g, t) of a staggered-adoption panel.

    ``data`` is long: one row per unit (``idname``) and period (``tname``), the outcome ``yname``
    and the first treated period ``gname`` (0 or empty = never treated, constant within a unit).
    Covariates are given as column names (``covariates``) or an R-style ``xformla``
    (``"~ lpop"``). ``control_group`` is ``"never"`` or ``"notyet"``; ``base_period``
    ``"varying"`` or ``"universal"``; ``est_method`` ``"reg"``, ``"ipw"`` or ``"dr"``.
    Standard errors come from a multiplier bootstrap clustered by unit (``clustervars`` adds one
    coarser cluster column) with ``biters`` draws and ``multiplier`` weights
    (``"rademacher"``/``"mammen"``), or are analytic when ``bootstrap=False``. ``seed`` makes the
    bootstrap reproducible.

    Bad input raises :class:`DomainValidationError`; a cell that cannot be estimated becomes NaN
    with an :class:`EvaluationWarning` (also kept in ``result.notes``).
    """
    cg = CONTROL_GROUPS.get(str(control_group).lower())
    if cg is None:
        raise _bad_option("control_group", control_group, ("never", "notyet"))
    if base_period not in BASE_PERIODS:
        raise _bad_option("base_period", base_period, BASE_PERIODS)
    if est_method not in EST_METHODS:
        raise _bad_option("est_method", est_method, EST_METHODS)
    if multiplier not in MULTIPLIERS:
        raise _bad_option("multiplier", multiplier, MULTIPLIERS)
    if not 0 < _number(alpha, "alpha", "ett tal mellan 0 och 1") < 1:
        raise _bad_option("alpha", alpha, ("ett tal mellan 0 och 1",))
    if _number(biters, "biters", "ett positivt heltal") < 1 or int(biters) != biters:
        raise _bad_option("biters", biters, ("ett positivt heltal",))
    if _number(anticipation, "anticipation", "0 eller mer") < 0:
        raise _bad_option("anticipation", anticipation, ("0 eller mer",))
    covs = list(covariates or []) + [
        c for c in parse_formula(xformla) if c not in (covariates or [])
    ]
    if isinstance(clustervars, str):
        clustervars = [clustervars]
    clusters = tuple(c for c in (clustervars or []) if c != idname)
    if len(clusters) > 1:
        raise _bad_option("clustervars", clusters, ("högst en klusterkolumn utöver enheten",))
    if seed is None:
        seed = int(np.random.SeedSequence().generate_state(1)[0])
    opts = Options(
        yname=yname,
        tname=tname,
        idname=idname,
        gname=gname,
        covariates=tuple(covs),
        control_group=cg,
        base_period=base_period,
        anticipation=float(anticipation),
        est_method=est_method,
        bootstrap=bool(bootstrap),
        biters=int(biters),
        cband=bool(cband),
        clustervars=clusters,
        alpha=float(alpha),
        seed=int(seed),
        multiplier=multiplier,
    )
    with small_blas(len(data)):
        return _att_gt(data, opts)


def _att_gt(data: pd.DataFrame, opts: Options) -> AttGtResult:
    notes: list[str] = []
    panel, cohorts = _prepare(data, opts, notes)
    cells = _plan(cohorts, panel.periods, opts, notes)
    if not cells:
        raise _no_groups(opts)
    if opts.covariates:
        att, inf = _estimate_cells(panel, cells, opts, notes)
    else:
        att, inf = _estimate_vectorised(panel, cells, opts, notes)
    n = len(panel.unit_ids)
    groups = np.array([c[0] for c in cells], dtype=float)
    times = np.array([panel.periods[c[1]] for c in cells], dtype=float)
    base_cell = np.array([not c[3] for c in cells], dtype=bool)

    boot = Bootstrap(panel.cluster_codes, panel.n_clusters, opts.biters, opts.multiplier, opts.seed)
    result = AttGtResult(
        groups=groups,
        times=times,
        att=att,
        se=np.full(len(att), np.nan),
        crit_val=float(norm.ppf(1 - opts.alpha / 2)),
        influence=inf,
        n=n,
        unit_ids=panel.unit_ids,
        unit_groups=panel.unit_groups,
        periods=panel.periods,
        cohorts=np.unique(groups),
        options=opts,
        bootstrap=boot,
        notes=notes,
    )
    if opts.bootstrap:
        result.ensure_draws()
        assert result.cell_draws is not None  # drawn by ensure_draws
        summary = summarise(result.cell_draws, n, panel.n_clusters, opts.alpha)
        se = summary.se
        if opts.cband:
            if np.isfinite(summary.crit_val):
                result.crit_val, result.simultaneous = summary.crit_val, True
            else:
                _note(
                    notes,
                    "Det simultana kritiska värdet kunde inte beräknas; punktvisa "
                    "konfidensintervall redovisas.",
                )
    else:
        codes = panel.cluster_codes if opts.clustervars else None
        se = analytic_se(inf, codes, panel.n_clusters)
    se = np.asarray(se, dtype=float)
    se[base_cell | ~np.isfinite(att)] = np.nan
    result.se = se
    _wald(result, notes)
    return result
