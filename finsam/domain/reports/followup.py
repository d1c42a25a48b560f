"""R9 Follow-up (new): outcome at exit and 6, 12, 24 months after exit for the same episodes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from finsam.domain import codelists as cl
from finsam.domain.access import gettext_noop
from finsam.domain.reports.core import (
    ANONYMITY_SPEC,
    Grouping,
    ReportOptions,
    ReportResult,
    Row,
    TableBuilder,
    add_anonymity_rows,
    base_mask,
    exited_in,
    make_tables,
    person_keys,
    share_row,
)
from finsam.domain.reports.standard import _notes

PUBLIC_MASK = cl.support_mask(cl.PUBLIC_SUPPORT)
MEASURES = (
    ("offentlig", gettext_noop("med offentlig försörjning")),
    ("arbete", gettext_noop("i arbete")),
    ("arbete_studier", gettext_noop("i arbete och/eller studier")),
)


def _outcomes(mask, occupation, work, study) -> dict[str, np.ndarray]:
    """Public support / work / work-or-studies at one point in time.

    Work = work extent > 0, or occupation ARB when the extent is not recorded (register imports);
    likewise studies with STU.
    """
    occ = np.asarray(occupation, dtype=object)
    w = np.where(np.isnan(work), occ == "ARB", np.nan_to_num(work) > 0)
    s = np.where(np.isnan(study), occ == "STU", np.nan_to_num(study) > 0)
    return {
        "offentlig": (np.asarray(mask) & PUBLIC_MASK) != 0,
        "arbete": w.astype(bool),
        "arbete_studier": (w | s).astype(bool),
    }


def followup(
    episodes: pd.DataFrame, followups: pd.DataFrame, options: ReportOptions
) -> ReportResult:
    """R9: for each of 6, 12 and 24 months, the episodes exited in the period that have a
    follow-up at that time; the share with public support, in work and in work and/or studies at
    exit and at the follow-up, by sex. Only episodes with a follow-up count (the table says how
    many)."""
    keep = base_mask(episodes)
    full = Grouping(episodes, options, keep)
    g = full.restrict(keep & exited_in(episodes, options.period))
    df = g.df
    b = TableBuilder(g)
    pk = person_keys(df)
    t = "uppfoljning"
    at_exit = _outcomes(
        df["support_after_mask"].to_numpy(),
        df["occupation_after"].to_numpy(dtype=object),
        df["work_hours"].to_numpy(dtype=np.float64),
        df["study_hours"].to_numpy(dtype=np.float64),
    )
    ids = df["episode_id"].to_numpy()
    rows: list[Row] = []
    sums: dict[str, dict] = {}
    with_followup_any = np.zeros(len(df), dtype=bool)
    for months in cl.FOLLOWUP_MONTHS:
        f = followups[followups["months_after"] == months].drop_duplicates("episode_id")
        pos = pd.Index(f["episode_id"]).get_indexer(ids)
        has = pos >= 0
        with_followup_any |= has
        take = np.maximum(pos, 0)
        later = _outcomes(
            f["support_mask"].to_numpy()[take] if len(f) else np.zeros(len(df), dtype=np.int64),
            f["occupation"].to_numpy(dtype=object)[take] if len(f) else np.full(len(df), None),
            f["work_hours"].to_numpy(dtype=np.float64)[take]
            if len(f)
            else np.full(len(df), np.nan),
            f["study_hours"].to_numpy(dtype=np.float64)[take]
            if len(f)
            else np.full(len(df), np.nan),
        )
        n_key = f"m{months}_antal"
        sums[n_key] = g.sums(has)
        b.count_row(t, n_key, sums[n_key])
        rows.append(Row(n_key, f"{months} månader: antal avslutade med uppföljning"))
        for measure, label in MEASURES:
            for when, values, when_label in (
                ("vid_avslut", at_exit[measure], gettext_noop("vid avslut")),
                ("uppfoljning", later[measure], f"efter {months} månader"),
            ):
                num = f"_m{months}_{measure}_{when}"
                sums[num] = g.sums(has & values)
                b.count_row(t, num, sums[num])
                key = f"m{months}_{measure}_{when}_pct"
                share_row(b, t, key, num, n_key, sums)
                rows.append(
                    Row(key, f"{months} månader: andel {label} {when_label} (%)", "percent")
                )
    add_anonymity_rows(b, np.ones(len(df), dtype=bool), pk < 0)
    tables = make_tables(
        b,
        [
            (
                t,
                gettext_noop("Uppföljning efter avslut"),
                tuple(rows),
                gettext_noop(
                    "Samma deltagare vid avslut och vid uppföljningen; endast avslutade med en "
                    "registrerad uppföljning vid respektive tidpunkt räknas."
                ),
            ),
            ANONYMITY_SPEC,
        ],
    )
    return ReportResult(
        "uppfoljning",
        "R9",
        f"Uppföljning {options.period.label}",
        options,
        tables,
        _notes(
            options,
            f"{int(with_followup_any.sum())} av {len(df)} avslutade deltagarepisoder har minst "
            "en registrerad uppföljning.",
        ),
        int(with_followup_any.sum()),
        int((with_followup_any & (pk < 0)).sum()),
    )
