"""The data-quality report, run before any standard report (as the US HMIS standard reports do).

Per association and period: episodes active in the period (base population, FEL excluded) whose
data are incomplete, with their episode ids so the web layer can link to the records for users who
may see them. Counts here are meant for those users and are not small-cell protected.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from finsam.domain import codelists as cl
from finsam.domain.access import gettext_noop
from finsam.domain.problems import DomainValidationError, Problem
from finsam.domain.reports.core import Period, active_in, base_mask

DEFAULT_OVERDUE_MONTHS = 24
"""An episode still enrolled this many months after its start (at the end of the period) is
flagged as an overdue exit. Configurable per call; 24 months is our default (no national rule)."""

CHECKS: tuple[tuple[str, str], ...] = (
    (
        "saknar_avslutsdata",
        gettext_noop("Avslutade utan avslutningsanledning eller sysselsättning efter"),
    ),
    (
        "saknar_forsorjning_efter",
        gettext_noop("Avslutade utan försörjning efter (ingen kod eller endast SAK)"),
    ),
    (
        "saknar_omfattning",
        gettext_noop("Avslutade utan omfattning (timmar) för arbete eller studier"),
    ),
    ("saknar_utbildning", gettext_noop("Utbildningsnivå saknas")),
    ("saknar_tid_i_forsorjning", gettext_noop("Tid i offentlig försörjning före start saknas")),
    (
        "passerat_maxtid",
        gettext_noop("Fortfarande inskrivna längre än maxtiden (avslut har troligen missats)"),
    ),
)
CHECK_LABELS = dict(CHECKS)


@dataclass(frozen=True, slots=True)
class AssociationQuality:
    association_code: str
    association_name: str
    episodes: int
    """Episodes active in the period."""
    issues: dict[str, tuple[int, ...]]
    """Check key → episode ids (sorted)."""

    def count(self, check: str) -> int:
        return len(self.issues[check])

    def share(self, check: str) -> float | None:
        return None if not self.episodes else 100.0 * self.count(check) / self.episodes


@dataclass(frozen=True, slots=True)
class DataQualityResult:
    period: Period
    overdue_months: int
    associations: tuple[AssociationQuality, ...]
    checks: tuple[tuple[str, str], ...] = CHECKS

    def association(self, code: str) -> AssociationQuality:
        for a in self.associations:
            if a.association_code == code:
                return a
        raise KeyError(code)


def _months_before(day: np.datetime64, months: int) -> np.datetime64:
    ts = pd.Timestamp(day) - pd.DateOffset(months=months)
    return np.datetime64(ts.to_datetime64(), "ns")


def data_quality(
    episodes: pd.DataFrame,
    period: Period,
    *,
    overdue_months: int = DEFAULT_OVERDUE_MONTHS,
    associations: tuple[str, ...] | None = None,
) -> DataQualityResult:
    if not isinstance(overdue_months, int) or overdue_months < 1:
        raise DomainValidationError(
            [
                Problem(
                    "overdue_months",
                    "quality.overdue_months",
                    f"Maxtiden för inskrivning måste vara ett helt antal månader ≥ 1 "
                    f"(nu {overdue_months!r}).",
                    overdue_months,
                )
            ]
        )
    sel = base_mask(episodes) & active_in(episodes, period)
    if associations is not None:
        sel &= episodes["association_code"].isin(associations).to_numpy()
    df = episodes.loc[sel]
    end = df["end_date"].to_numpy()
    ended = ~np.isnat(end)
    after = df["support_after_mask"].to_numpy()
    sak = cl.support_bit(cl.SUPPORT_MISSING)
    edu = df["education"]
    tos = df["time_on_support"]
    limit = _months_before(period.end64, overdue_months)
    flags = {
        "saknar_avslutsdata": ended
        & (df["exit_reason"].isna().to_numpy() | df["occupation_after"].isna().to_numpy()),
        "saknar_forsorjning_efter": ended & ((after == 0) | (after == sak)),
        "saknar_omfattning": ended
        & (df["work_hours"].isna().to_numpy() | df["study_hours"].isna().to_numpy()),
        "saknar_utbildning": (edu.isna() | (edu == "SAK")).to_numpy(),
        "saknar_tid_i_forsorjning": (tos.isna() | (tos == "SAK")).to_numpy(),
        "passerat_maxtid": ~ended & (df["start_date"].to_numpy() < limit),
    }
    ids = df["episode_id"].to_numpy()
    codes = df["association_code"].to_numpy(dtype=object)
    uniq: np.ndarray
    inverse: np.ndarray
    if len(codes):
        uniq, inverse = np.unique(codes.astype(str), return_inverse=True)
    else:
        uniq, inverse = np.zeros(0, dtype=str), np.zeros(0, dtype=np.int64)
    names = dict(zip(codes, df["association_name"].to_numpy(dtype=object), strict=True))
    order = np.argsort(inverse, kind="stable") if len(codes) else np.zeros(0, dtype=np.int64)
    n_per = np.bincount(inverse, minlength=len(uniq))
    per_check: dict[str, list[tuple[int, ...]]] = {}
    for key, flag in flags.items():
        sel = order[flag[order]]  # flagged rows, grouped by association
        counts = (
            np.bincount(inverse[sel], minlength=len(uniq))
            if len(sel)
            else np.zeros(len(uniq), dtype=np.int64)
        )
        chunks = np.split(ids[sel], np.cumsum(counts)[:-1]) if len(uniq) else []
        per_check[key] = [tuple(int(i) for i in np.sort(c)) for c in chunks]
    out = [
        AssociationQuality(
            str(code),
            str(names[code]),
            int(n_per[i]),
            {key: per_check[key][i] for key in flags},
        )
        for i, code in enumerate(uniq)
    ]
    return DataQualityResult(period, overdue_months, tuple(out))
