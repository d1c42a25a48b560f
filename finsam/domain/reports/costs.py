"""R8 Costs, from the budget lines that exist (the finance issue fills in more).

Per association and budget year (every year the period touches): resources by funder, intervention
costs (with the ESF-financed part), administrative costs, result = resources − costs, cost per
participant and per full-time equivalent in work and/or studies after exit. Amounts are not about
persons and are shown as they are; the two ratios are hidden when their denominator rests on fewer
participants than the threshold.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from finsam.domain.access import gettext_noop
from finsam.domain.protection import Cell, Kind, Line, Table, protect
from finsam.domain.reports.core import (
    Area,
    Period,
    ReportOptions,
    ReportResult,
    ReportTable,
    Row,
    active_in,
    base_mask,
    exited_in,
)

FUNDERS = (
    ("state", gettext_noop("Staten (Försäkringskassan)")),
    ("municipality", gettext_noop("Kommuner")),
    ("region", gettext_noop("Region(er)")),
    ("equity", gettext_noop("Eget kapital")),
    ("esf", "ESF"),
    ("other", gettext_noop("Övriga intäkter")),
)
COLUMNS = ("budget", "actual")
COLUMN_LABELS = {"budget": gettext_noop("Budget"), "actual": gettext_noop("Utfall")}


def _rows() -> tuple[Row, ...]:
    return (
        *(Row(f"resurs_{code}", f"Resurser: {label}", "amount") for code, label in FUNDERS),
        Row("resurser_totalt", gettext_noop("Resurser totalt"), "amount"),
        Row("insatskostnader", gettext_noop("Kostnader för insatser"), "amount"),
        Row("insatskostnader_esf", gettext_noop("varav ESF-finansierade insatser"), "amount"),
        Row("administrationskostnader", gettext_noop("Administrationskostnader"), "amount"),
        Row("kostnader_totalt", gettext_noop("Kostnader totalt"), "amount"),
        Row("resultat", gettext_noop("Resultat (resurser − kostnader)"), "amount"),
        Row("deltagare", gettext_noop("Deltagare (personer aktiva under året)")),
        Row("kostnad_per_deltagare", gettext_noop("Kostnad per deltagare"), "amount"),
        Row(
            "heltidsekvivalenter",
            gettext_noop("Heltidsekvivalenter i arbete och/eller studier efter avslut"),
            "fte",
        ),
        Row(
            "kostnad_per_heltidsekvivalent", gettext_noop("Kostnad per heltidsekvivalent"), "amount"
        ),
    )


def costs(
    budget_lines: pd.DataFrame,
    episodes: pd.DataFrame,
    options: ReportOptions,
) -> ReportResult:
    """R8. Areas are association × year (area code ``<association>:<year>``).

    Resource lines are matched to funders by ``category`` (state, municipality, region, equity,
    esf, other – unknown categories count as other). An intervention cost line with category
    ``esf`` is the ESF-financed part. Participants are persons active in the year (distinct
    pseudonyms + anonymous episodes); full-time equivalents are R1's "work and/or studies" of the
    episodes exited in the year.
    """
    period = options.period
    years = range(period.start.year, period.end.year + 1)
    bl = budget_lines[budget_lines["year"].isin(list(years))]
    if options.areas is not None:
        bl = bl[bl["association_code"].isin(options.areas)]
    keep = base_mask(episodes)
    names = (
        episodes.drop_duplicates("association_code")
        .set_index("association_code")["association_name"]
        .to_dict()
    )
    cells: dict = {}
    lines: list[Line] = []
    areas: list[Area] = []
    t = "kostnader"
    for (assoc, year), part in bl.groupby(["association_code", "year"], sort=True):
        area = Area("association", f"{assoc}:{year}", f"{names.get(assoc, assoc)} {year}")
        areas.append(area)
        k = area.key
        res = part[part["line"] == "resource"]
        cat = res["category"].where(res["category"].isin([c for c, _ in FUNDERS]), "other")
        ivc = part[part["line"] == "intervention_cost"]
        adm = part[part["line"] == "admin_cost"]
        year_period = Period(
            max(period.start, Period.year(year).start), min(period.end, Period.year(year).end)
        )
        in_assoc = keep & (episodes["association_code"] == assoc).to_numpy()
        act = in_assoc & active_in(episodes, year_period)
        pk = episodes.loc[act, "person_key"]
        n_participants = int(pk.dropna().nunique() + pk.isna().sum())
        ex = episodes.loc[in_assoc & exited_in(episodes, year_period)]
        work = ex["work_hours"].fillna(0).to_numpy()
        study = ex["study_hours"].fillna(0).to_numpy()
        fte = float(np.minimum(work + study, 40).sum() / 40)
        n_fte = int(((work > 0) | (study > 0)).sum())
        for col in COLUMNS:
            values = {}
            for code, _label in FUNDERS:
                values[f"resurs_{code}"] = float(res.loc[cat == code, col].sum())
            values["resurser_totalt"] = float(res[col].sum())
            values["insatskostnader"] = float(ivc[col].sum())
            values["insatskostnader_esf"] = float(ivc.loc[ivc["category"] == "esf", col].sum())
            values["administrationskostnader"] = float(adm[col].sum())
            values["kostnader_totalt"] = (
                values["insatskostnader"] + values["administrationskostnader"]
            )
            values["resultat"] = values["resurser_totalt"] - values["kostnader_totalt"]
            for key, value in values.items():
                cells[(t, key, k, col)] = Cell(value, Kind.DERIVED)
            cells[(t, "deltagare", k, col)] = Cell(
                n_participants if col == "actual" else None, Kind.COUNT
            )
            cells[(t, "heltidsekvivalenter", k, col)] = Cell(
                fte if col == "actual" else None, Kind.DERIVED, n=n_fte
            )
            per_p = (
                values["kostnader_totalt"] / n_participants
                if col == "actual" and n_participants
                else None
            )
            cells[(t, "kostnad_per_deltagare", k, col)] = Cell(
                per_p, Kind.DERIVED, n=n_participants, refs=((t, "deltagare", k, "actual"),)
            )
            per_fte = values["kostnader_totalt"] / fte if col == "actual" and fte else None
            cells[(t, "kostnad_per_heltidsekvivalent", k, col)] = Cell(
                per_fte, Kind.DERIVED, n=n_fte, refs=((t, "heltidsekvivalenter", k, "actual"),)
            )
    protected = protect(Table(cells, tuple(lines)), options.rule, protected=options.protected)
    table = ReportTable(
        t,
        gettext_noop("Kostnader"),
        _rows(),
        COLUMNS,
        COLUMN_LABELS,
        tuple(areas),
        protected,
        gettext_noop(
            "Belopp i kronor. Kostnad per deltagare och per heltidsekvivalent avser utfall."
        ),
    )
    return ReportResult(
        "kostnader",
        "R8",
        f"Kostnader {period.label}",
        options,
        (table,),
        (gettext_noop("Underlaget är de budgetrader som finns registrerade."),),
        0,
        0,
    )
