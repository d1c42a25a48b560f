"""Aggregations of ATT(g, t): simple, dynamic (event study), group and calendar.

Each aggregation is a weighted average of group-time ATTs with weights given by cohort sizes; its
influence function adds the term for having estimated those weights (``wif``), exactly as R
``did``'s ``aggte``. Standard errors come from the same multiplier bootstrap draws as the group-time
estimates (same seed and clusters) or are analytic; the per-event-time / per-group / per-period
estimates get a simultaneous confidence band, the overall value a pointwise interval.

Unlike R (which stops unless ``na.rm = TRUE``), cells that could not be estimated are left out with
a note, so an aggregation never fails because one cell is missing.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy.stats import norm

from finsam.domain.problems import DomainValidationError, Problem
from finsam.evaluation._blas import small_blas
from finsam.evaluation.attgt import AttGtResult, EvaluationWarning, _num, _val, analytic_se
from finsam.evaluation.bootstrap import summarise

AGGREGATIONS = ("simple", "dynamic", "group", "calendar")
TOO_LARGE_CRIT = 7.0


@dataclass(slots=True)
class AggteResult:
    """An aggregation: one overall value and (except ``simple``) one value per label."""

    type: str
    overall_att: float
    overall_se: float
    overall_n_units: int
    labels: np.ndarray
    """Event times (dynamic), cohorts (group) or periods (calendar); empty for simple."""
    att: np.ndarray
    se: np.ndarray
    n_units: np.ndarray
    crit_val: float
    influence: np.ndarray
    overall_influence: np.ndarray
    alpha: float
    simultaneous: bool = False
    notes: list[str] = field(default_factory=list)
    balance_e: int | None = None
    min_e: float = -np.inf
    max_e: float = np.inf

    @property
    def ci_lower(self) -> np.ndarray:
        return self.att - self.crit_val * self.se

    @property
    def ci_upper(self) -> np.ndarray:
        return self.att + self.crit_val * self.se

    @property
    def overall_ci(self) -> tuple[float, float]:
        z = float(norm.ppf(1 - self.alpha / 2))
        return self.overall_att - z * self.overall_se, self.overall_att + z * self.overall_se

    def to_frame(self) -> pd.DataFrame:
        label = {"dynamic": "event_time", "group": "group", "calendar": "time"}.get(
            self.type, "label"
        )
        return pd.DataFrame(
            {
                label: self.labels,
                "att": self.att,
                "se": self.se,
                "ci_lower": self.ci_lower,
                "ci_upper": self.ci_upper,
                "n_units": self.n_units,
            }
        )

    def to_rows(self, outcome: str, population: str = "all") -> list[dict]:
        """Rows in the Evaluation CSV layout of ``spec/interchange.md``."""
        lo, hi = self.overall_ci
        rows = [
            {
                "outcome": outcome,
                "population": population,
                "aggregation": self.type,
                "group": None,
                "time": None,
                "event_time": None,
                "estimate": _val(self.overall_att),
                "std_error": _val(self.overall_se),
                "ci_lower": _val(lo),
                "ci_upper": _val(hi),
                "n_units": int(self.overall_n_units),
            }
        ]
        lower, upper = self.ci_lower, self.ci_upper
        for i, label in enumerate(self.labels):
            rows.append(
                {
                    "outcome": outcome,
                    "population": population,
                    "aggregation": self.type,
                    "group": _num(label) if self.type == "group" else None,
                    "time": _num(label) if self.type == "calendar" else None,
                    "event_time": _num(label) if self.type == "dynamic" else None,
                    "estimate": _val(self.att[i]),
                    "std_error": _val(self.se[i]),
                    "ci_lower": _val(lower[i]),
                    "ci_upper": _val(upper[i]),
                    "n_units": int(self.n_units[i]),
                }
            )
        return rows


def _wif_coefficients(keep, pg, att, group, cohort_index) -> np.ndarray:
    """Weight-estimation term of an aggregation as coefficients on the cohort indicators.

    R ``did``'s ``wif`` (influence of estimating P(G = g)) applied to ``att[keep]`` equals
    ``Σ_j 1{G = g_j} · (att_j − avg) / Σ pg`` with ``avg`` the pg-weighted mean, because the
    terms in the constant cancel. Returns one coefficient per entry of ``result.cohorts``.
    """
    sel = pg[keep]
    total = np.sum(sel)
    avg = np.sum(sel * att[keep]) / total
    coef = np.zeros(len(cohort_index))
    np.add.at(coef, [cohort_index[g] for g in group[keep]], (att[keep] - avg) / total)
    return coef


def _error(message: str) -> DomainValidationError:
    return DomainValidationError([Problem("", "evaluation.aggregation", message)])


def aggte(
    result: AttGtResult,
    type: str = "group",
    *,
    balance_e: int | None = None,
    min_e: float = -np.inf,
    max_e: float = np.inf,
    bootstrap: bool | None = None,
    biters: int | None = None,
    cband: bool | None = None,
    alpha: float | None = None,
) -> AggteResult:
    """Aggregate group-time ATTs.

    ``type``: ``"simple"`` (all post-treatment cells weighted by cohort size), ``"dynamic"``
    (by event time e = t − g; ``balance_e`` keeps only cohorts observed for e = 0..balance_e;
    ``min_e``/``max_e`` limit the event window), ``"group"`` (per cohort) or ``"calendar"`` (per
    period). ``bootstrap``, ``biters``, ``cband`` and ``alpha`` default to those of ``result``.
    """
    with small_blas(result.n * len(result.periods)):
        return _aggte(result, type, balance_e, min_e, max_e, bootstrap, biters, cband, alpha)


def _aggte(result, type, balance_e, min_e, max_e, bootstrap, biters, cband, alpha):
    if type not in AGGREGATIONS:
        raise DomainValidationError(
            [
                Problem(
                    "type",
                    "evaluation.option",
                    f"Ogiltig aggregering '{type}'. Tillåtna: {', '.join(AGGREGATIONS)}.",
                )
            ]
        )
    opts = result.options
    use_boot = opts.bootstrap if bootstrap is None else bool(bootstrap)
    use_cband = opts.cband if cband is None else bool(cband)
    alp = opts.alpha if alpha is None else float(alpha)
    boot = result.bootstrap
    if biters is not None:
        boot = replace(boot, biters=int(biters))
    if balance_e is not None and (int(balance_e) != balance_e or balance_e < 0):
        raise _error("balance_e måste vara ett heltal som är 0 eller större.")
    notes: list[str] = []

    def note(message: str) -> None:
        notes.append(message)
        warnings.warn(message, EvaluationWarning, stacklevel=3)

    finite = np.isfinite(result.att)
    if not finite.all():
        note(
            f"{int((~finite).sum())} gruppvisa ATT(g,t) saknas och lämnas utanför "
            f"aggregeringen '{type}'."
        )
    group = result.groups[finite]
    t = result.times[finite]
    att = result.att[finite]
    inf = result.influence[:, finite]
    if len(att) == 0:
        raise _error("Alla ATT(g,t) saknas; ingen aggregering kan beräknas.")
    if not np.any(group <= t):
        raise _error("Det finns inga skattade perioder efter behandling att aggregera.")
    unit_groups = result.unit_groups
    n = result.n
    k = len(att)
    cohort_index = {g: i for i, g in enumerate(result.cohorts)}
    n_cohorts = len(result.cohorts)
    cohorts = np.unique(group)
    pgg = np.array([np.mean(unit_groups == g) for g in cohorts])
    sizes = {g: result.group_size(g) for g in cohorts}
    pg = pgg[np.searchsorted(cohorts, group)]
    event = t - group
    in_window = (group <= t) & (event >= min_e) & (event <= max_e)

    # Every estimate is influence @ a + indicators @ b (a over cells, b over cohorts).
    a_cols: list[np.ndarray] = []
    b_cols: list[np.ndarray] = []
    labels = np.array([], dtype=float)
    atts: list[float] = []
    n_units: list[int] = []

    def weights_on(which: np.ndarray, w: np.ndarray) -> np.ndarray:
        vec = np.zeros(k)
        vec[which] = w
        return vec

    if type == "simple":
        keep = np.flatnonzero(in_window)
        if len(keep) == 0:
            raise _error("Inga skattningar efter behandling ligger i det valda fönstret.")
        overall = float(np.sum(att[keep] * pg[keep]) / np.sum(pg[keep]))
        overall_a = weights_on(keep, pg[keep] / np.sum(pg[keep]))
        overall_b = _wif_coefficients(keep, pg, att, group, cohort_index)
        overall_n = sum(sizes[g] for g in np.unique(group[keep]))
    elif type == "group":
        used = []
        for g in cohorts:
            which = np.flatnonzero((group == g) & in_window)
            if len(which) == 0:
                note(f"Gruppen {_num(g)} har inga skattningar i fönstret och lämnas utanför.")
                continue
            used.append(g)
            atts.append(float(np.mean(att[which])))
            a_cols.append(weights_on(which, pg[which] / np.sum(pg[which])))
            b_cols.append(np.zeros(n_cohorts))
            n_units.append(sizes[g])
        if not used:
            raise _error("Ingen grupp har skattningar efter behandling i fönstret.")
        labels = np.array(used, dtype=float)
        p = pgg[np.searchsorted(cohorts, labels)]
        att_g = np.array(atts)
        overall = float(np.sum(att_g * p) / np.sum(p))
        overall_a = np.column_stack(a_cols) @ (p / p.sum())
        overall_b = _wif_coefficients(np.arange(len(labels)), p, att_g, labels, cohort_index)
        overall_n = sum(n_units)
    elif type == "dynamic":
        include = np.ones(k, dtype=bool)
        eseq = np.unique(event)
        if balance_e is not None:
            max_t = np.max(t)
            include = (max_t - group) >= balance_e
            if not include.any():
                raise _error(
                    f"Ingen grupp följs i {balance_e} perioder efter behandling; minska balance_e."
                )
            eseq = np.unique(event[include])
            first_time = min(np.min(result.periods), np.min(cohorts))
            eseq = eseq[(eseq <= balance_e) & (eseq >= balance_e - max_t + first_time)]
        eseq = eseq[(eseq >= min_e) & (eseq <= max_e)]
        if len(eseq) == 0:
            raise _error("Inga händelsetider ligger i det valda fönstret (min_e, max_e).")
        for e in eseq:
            which = np.flatnonzero((event == e) & include)
            w = pg[which] / np.sum(pg[which])
            atts.append(float(np.sum(att[which] * w)))
            a_cols.append(weights_on(which, w))
            b_cols.append(_wif_coefficients(which, pg, att, group, cohort_index))
            n_units.append(sum(sizes[g] for g in np.unique(group[which])))
        labels = eseq.astype(float)
        epos = labels >= 0
        if not epos.any():
            raise _error("Det valda fönstret innehåller inga händelsetider efter behandling.")
        overall = float(np.mean(np.array(atts)[epos]))
        overall_a = np.column_stack(a_cols)[:, epos].mean(axis=1)
        overall_b = np.column_stack(b_cols)[:, epos].mean(axis=1)
        pos_groups = {g for e in labels[epos] for g in group[(event == e) & include]}
        overall_n = sum(sizes[g] for g in pos_groups)
    else:  # calendar
        if np.isfinite(min_e) or np.isfinite(max_e) or balance_e is not None:
            note("min_e, max_e och balance_e används inte för kalenderaggregering.")
        used = []
        for tt in np.unique(t[t >= np.min(group)]):
            which = np.flatnonzero((t == tt) & (group <= t))
            if len(which) == 0:
                continue
            used.append(tt)
            w = pg[which] / np.sum(pg[which])
            atts.append(float(np.sum(att[which] * w)))
            a_cols.append(weights_on(which, w))
            b_cols.append(_wif_coefficients(which, pg, att, group, cohort_index))
            n_units.append(sum(sizes[g] for g in np.unique(group[which])))
        labels = np.array(used, dtype=float)
        overall = float(np.mean(atts))
        overall_a = np.column_stack(a_cols).mean(axis=1)
        overall_b = np.column_stack(b_cols).mean(axis=1)
        overall_n = sum(sizes[g] for g in np.unique(group[group <= t]))

    a_mat = np.column_stack([*a_cols, overall_a])
    b_mat = np.column_stack([*b_cols, overall_b])
    indicators = result.cohort_indicators()
    influence = inf @ a_mat + indicators @ b_mat
    matrix, overall_if = influence[:, :-1], influence[:, -1]
    m = matrix.shape[1]

    z = float(norm.ppf(1 - alp / 2))
    crit, simultaneous = z, False
    codes = result.cluster_codes() if opts.clustervars else None
    n_clusters = result.bootstrap_clusters()
    draws = None
    if use_boot or (use_cband and m > 0):
        if biters is not None and biters != opts.biters:
            draws = boot.draws(influence)
        else:
            result.ensure_draws()
            draws = result.cell_draws[:, finite] @ a_mat + result.cohort_draws @ b_mat
    summary = summarise(draws[:, :-1], n, n_clusters, alp) if draws is not None and m else None
    if use_boot:
        se = summary.se if summary is not None else np.array([])
        overall_se = float(summarise(draws[:, -1:], n, n_clusters, alp).se[0])
    else:
        se = analytic_se(matrix, codes, n_clusters) if m else np.array([])
        overall_se = float(analytic_se(overall_if, codes, n_clusters)[0])
    if use_cband and summary is not None:
        c = summary.crit_val
        if not np.isfinite(c):
            note(
                "Det simultana kritiska värdet kunde inte beräknas (standardfelen saknas); "
                "punktvisa konfidensintervall redovisas."
            )
        elif c < z:
            note(
                "Det simultana konfidensbandet blev smalare än det punktvisa; punktvisa "
                "konfidensintervall redovisas."
            )
        else:
            crit, simultaneous = float(c), True
            if c >= TOO_LARGE_CRIT:
                note(
                    "Det simultana kritiska värdet är mycket stort (≥ 7), vilket brukar bero på "
                    "få enheter per grupp eller liten variation i utfallet."
                )
    se = np.asarray(se, dtype=float)
    se[~np.isfinite(se) | (se <= 0)] = np.nan
    if not np.isfinite(overall_se) or overall_se <= 0:
        overall_se = float("nan")
    return AggteResult(
        type=type,
        overall_att=overall,
        overall_se=overall_se,
        overall_n_units=int(overall_n),
        labels=labels,
        att=np.array(atts, dtype=float),
        se=se,
        n_units=np.array(n_units, dtype=int),
        crit_val=crit,
        influence=matrix,
        overall_influence=overall_if,
        alpha=alp,
        simultaneous=simultaneous,
        notes=notes,
        balance_e=balance_e,
        min_e=min_e,
        max_e=max_e,
    )
