"""R6 Participants and R7 Interventions of ``spec/reports.md``."""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import pandas as pd

from finsam.domain import codelists as cl
from finsam.domain.access import gettext_noop
from finsam.domain.problems import DomainValidationError, Problem
from finsam.domain.protection import (
    Cell,
    Flag,
    Kind,
    Line,
    ProtectedCell,
    ProtectedTable,
    Table,
    protect,
)
from finsam.domain.reports.core import (
    ANONYMITY_SPEC,
    COUNTRY_CODE,
    COUNTRY_NAME,
    Area,
    Grouping,
    ReportOptions,
    ReportResult,
    ReportTable,
    Row,
    TableBuilder,
    active_in,
    add_anonymity_rows,
    base_mask,
    exited_in,
    make_tables,
    person_keys,
    started_in,
    unique_ints,
)
from finsam.domain.reports.standard import _notes

R6_ROWS = (
    Row("personer_aktiva", gettext_noop("Personer aktiva under perioden")),
    Row("episoder_aktiva", gettext_noop("Deltagarepisoder aktiva under perioden")),
    Row("personer_paborjade", gettext_noop("Personer som påbörjat under perioden")),
    Row("episoder_paborjade", gettext_noop("Deltagarepisoder påbörjade under perioden")),
    Row("personer_avslutade", gettext_noop("Personer som avslutat under perioden")),
    Row("episoder_avslutade", gettext_noop("Deltagarepisoder avslutade under perioden")),
    Row("nya_personer", gettext_noop("Nya personer (ingen tidigare deltagarepisod)")),
    Row(
        "aterkommande_personer",
        gettext_noop("Återkommande personer (tidigare deltagarepisod finns)"),
    ),
    Row("anonyma_episoder_aktiva", gettext_noop("Anonyma deltagarepisoder aktiva under perioden")),
)
VOLUME_ROWS = (
    Row("volym", gettext_noop("Antal deltagare i volyminsatser (summa av månadernas antal)")),
)


def participants(
    episodes: pd.DataFrame, options: ReportOptions, volume: pd.DataFrame | None = None
) -> ReportResult:
    """R6 Participants: persons and episodes active, started and exited, new vs returning.

    Persons = distinct pseudonyms + anonymous episodes (an anonymous episode cannot be linked, so it
    counts as one person). A person who started in the period is *returning* when the same
    pseudonym has an episode (any intervention or association, FEL excluded) that started before
    the period; otherwise *new*. Anonymous episodes are never returning.
    """
    period = options.period
    keep = base_mask(episodes)
    # first start of every pseudonym over the whole base population (for new vs returning)
    pk_all = np.where(keep, person_keys(episodes), -1)
    start_all = episodes["start_date"].to_numpy()
    ident = pk_all >= 0
    first = pd.Series(start_all[ident]).groupby(pk_all[ident]).min()
    active_all = keep & active_in(episodes, period)
    g = Grouping(episodes, options, keep).restrict(active_all)
    df = g.df
    b = TableBuilder(g)
    pk = pk_all[active_all]
    anon = pk < 0
    t = "deltagare"
    active = np.ones(len(df), dtype=bool)
    started = started_in(df, period)
    exited = exited_in(df, period)

    def persons(mask):
        d = g.distinct(pk, mask)
        a = g.sums(mask & anon)
        return {k: {c: d[k][c] + a[k][c] for c in d[k]} for k in d}

    first_start = np.full(len(df), np.datetime64("NaT"), dtype="datetime64[ns]")
    if ident.any():
        first_start[~anon] = first.reindex(pk[~anon]).to_numpy()
    returning = ~anon & (first_start < period.start64)
    b.count_row(t, "personer_aktiva", persons(active), additive_areas=False)
    b.count_row(t, "episoder_aktiva", g.sums(active))
    b.count_row(t, "personer_paborjade", persons(started), additive_areas=False)
    b.count_row(t, "episoder_paborjade", g.sums(started))
    b.count_row(t, "personer_avslutade", persons(exited), additive_areas=False)
    b.count_row(t, "episoder_avslutade", g.sums(exited))
    b.count_row(t, "nya_personer", persons(started & ~returning), additive_areas=False)
    b.count_row(t, "aterkommande_personer", persons(started & returning), additive_areas=False)
    b.count_row(t, "anonyma_episoder_aktiva", g.sums(active & anon))
    add_anonymity_rows(b, active, anon)
    specs: list[tuple] = [
        (
            t,
            gettext_noop("Deltagare"),
            R6_ROWS,
            gettext_noop(
                "Personer = unika pseudonymer + anonyma deltagarepisoder. Summan över förbund "
                "kan vara större än antalet personer i länet/riket (en person kan delta i flera "
                "förbund)."
            ),
        ),
        ANONYMITY_SPEC,
    ]
    if volume is not None:
        _volume_rows(b, volume, options, g)
        specs.append(
            (
                "volym",
                gettext_noop("Volyminsatser"),
                VOLUME_ROWS,
                gettext_noop("Antal per månad och kön; annat/okänt kön ingår i totalen."),
                ("total", "women", "men"),
            )
        )
    tables = make_tables(b, specs)
    return ReportResult(
        "deltagare",
        "R6",
        f"Deltagare {period.label}",
        options,
        tables,
        _notes(options),
        int(active.sum()),
        int((active & anon).sum()),
    )


def _volume_rows(b: TableBuilder, volume: pd.DataFrame, options: ReportOptions, g) -> None:
    """Volume counts summed over the months of the period, per area of the report's levels."""
    period = options.period
    month = volume["month"].to_numpy()
    first = np.datetime64(period.start.replace(day=1), "ns")
    sel = (month >= first) & (month <= period.end64)
    v = volume.loc[sel]
    links = g.df[["association_code", "county_code"]].drop_duplicates("association_code")
    v = v.merge(links, on="association_code", how="left")
    for area in g.areas:
        if area.level == "country":
            part = v
        elif area.level == "association":
            part = v[v["association_code"] == area.code]
        elif area.level == "county":
            part = v[v["county_code"] == area.code]
        else:
            part = v[v["intervention_code"] == area.code]
        women, men, other = (int(part[c].sum()) for c in ("women", "men", "other"))
        values = {"total": women + men + other, "women": women, "men": men}
        for col in b.columns:
            b.cells[("volym", "volym", area.key, col)] = Cell(values.get(col, 0), Kind.COUNT)
    b.split_lines("volym", "volym")
    b.area_lines("volym", "volym")


# --- R7 interventions --------------------------------------------------------------------------

R7_COLUMNS = ("individual", "structural", "total")
R7_COLUMN_LABELS = {
    "individual": gettext_noop("Individinriktade"),
    "structural": gettext_noop("Strukturövergripande"),
    "total": gettext_noop("Totalt"),
}


def interventions_report(
    interventions: pd.DataFrame,
    episodes: pd.DataFrame,
    options: ReportOptions,
    *,
    association_names: dict[str, str] | None = None,
) -> ReportResult:
    """R7 Interventions per association (and the country when asked): active and started in the
    period by orientation, by registration method, planned vs actual participants, target groups.

    Intervention counts are not about persons and are never suppressed; the actual participants
    (persons active in the period, distinct pseudonyms + anonymous episodes) are protected.
    """
    unsupported = [lvl for lvl in options.levels if lvl not in ("association", "country")]
    if unsupported:
        raise DomainValidationError(
            [
                Problem(
                    "level",
                    "report.level_r7",
                    f"Rapporten Insatser finns för nivåerna förbund och riket, inte "
                    f"{', '.join(unsupported)}.",
                    tuple(unsupported),
                )
            ]
        )
    period = options.period
    iv = interventions
    start = iv["start_date"].to_numpy()
    end = iv["end_date"].to_numpy()
    iv_active = (start <= period.end64) & (np.isnat(end) | (end >= period.start64))
    iv_started = (start >= period.start64) & (start <= period.end64)
    names = dict(association_names or {})
    if len(episodes):
        names.update(
            episodes.drop_duplicates("association_code")
            .set_index("association_code")["association_name"]
            .to_dict()
        )
    areas: list[Area] = []
    for level in options.levels:
        if level == "association":
            codes = sorted(set(iv["association_code"]) | set(episodes["association_code"]))
            areas += [Area("association", c, names.get(c, c)) for c in codes]
        elif level == "country":
            areas.append(Area("country", COUNTRY_CODE, COUNTRY_NAME))
    if options.areas is not None:
        areas = [a for a in areas if a.code in options.areas]

    # actual participants per intervention: persons active in the period
    pop = episodes.loc[base_mask(episodes)].reset_index(drop=True)
    active = active_in(pop, period)
    rows_spec = [
        ("aktiva", gettext_noop("Insatser aktiva under perioden")),
        ("startade", gettext_noop("Insatser startade under perioden")),
        ("personregistrering", gettext_noop("Aktiva insatser med personregistrering")),
        ("volymregistrering", gettext_noop("Aktiva insatser med volymregistrering")),
        ("planerade_deltagare", gettext_noop("Planerade deltagare (aktiva insatser)")),
        ("faktiska_deltagare", gettext_noop("Faktiska deltagare (personer aktiva under perioden)")),
        *((f"malgrupp_{c.code}", f"Målgrupp: {c.label}") for c in cl.TARGET_GROUP.codes),
    ]
    cells: dict[tuple, Cell | ProtectedCell] = {}
    orient = iv["orientation"].to_numpy()
    reg = iv["registration"].to_numpy()
    assoc = iv["association_code"].to_numpy()
    planned = np.nan_to_num(iv["planned_participants"].to_numpy(dtype=np.float64))
    targets = iv["target_groups"].tolist()
    pk = person_keys(pop)
    for area in areas:
        in_area = np.ones(len(iv), dtype=bool) if area.level == "country" else assoc == area.code
        ep_area = (
            np.ones(len(pop), dtype=bool)
            if area.level == "country"
            else (pop["association_code"] == area.code).to_numpy()
        )
        for col in R7_COLUMNS:
            o = np.ones(len(iv), dtype=bool) if col == "total" else orient == col
            sel_a = in_area & o & iv_active
            values = {
                "aktiva": int((sel_a).sum()),
                "startade": int((in_area & o & iv_started).sum()),
                "personregistrering": int((sel_a & (reg == "persons")).sum()),
                "volymregistrering": int((sel_a & (reg == "volume")).sum()),
                "planerade_deltagare": float(planned[sel_a].sum()),
            }
            for c in cl.TARGET_GROUP.codes:
                values[f"malgrupp_{c.code}"] = int(
                    sum(1 for i in np.flatnonzero(sel_a) if c.code in (targets[i] or ()))
                )
            for key, value in values.items():
                cells[(key, area.key, col)] = ProtectedCell(value, Kind.COUNT, Flag.SHOWN)
            # participants only exist in individual interventions with person registration
            o_ep = (
                np.ones(len(pop), dtype=bool) if col != "structural" else np.zeros(len(pop), bool)
            )
            mask = active & ep_area & o_ep
            n = len(unique_ints(pk[mask & (pk >= 0)])) + int((mask & (pk < 0)).sum())
            cells[("faktiska_deltagare", area.key, col)] = Cell(n, Kind.COUNT)
    # protection of the participant row (individual == total, structural always 0)
    to_protect: dict[Hashable, Cell] = {k: v for k, v in cells.items() if isinstance(v, Cell)}
    lines = tuple(
        Line(
            ("faktiska_deltagare", a.key, "total"),
            (
                ("faktiska_deltagare", a.key, "individual"),
                ("faktiska_deltagare", a.key, "structural"),
            ),
        )
        for a in areas
    )
    protected = protect(Table(to_protect, lines), options.rule, protected=options.protected)
    all_cells: dict[Hashable, ProtectedCell] = {}
    for cell_key, cell in cells.items():
        full_key = ("insatser", cell_key[0], cell_key[1], cell_key[2])
        all_cells[full_key] = protected[cell_key] if isinstance(cell, Cell) else cell

    def full(key: Hashable) -> Hashable:
        return ("insatser", *key)  # type: ignore[misc]

    source = Table(
        {full(k): c for k, c in to_protect.items()},
        tuple(Line(full(li.total), tuple(full(p) for p in li.parts)) for li in lines),
    )
    ptable = ProtectedTable(all_cells, options.rule, options.protected, source.lines, source=source)
    rows = tuple(
        Row(k, label, "amount" if k == "planerade_deltagare" else "count") for k, label in rows_spec
    )
    table = ReportTable(
        "insatser",
        gettext_noop("Insatser"),
        rows,
        R7_COLUMNS,
        R7_COLUMN_LABELS,
        tuple(areas),
        ptable,
        gettext_noop(
            "Aktiv = startdatum ≤ periodens slut och inget slutdatum eller slutdatum ≥ "
            "periodens start."
        ),
    )
    return ReportResult(
        "insatser",
        "R7",
        f"Insatser {period.label}",
        options,
        (table,),
        (
            gettext_noop(
                "Antal insatser skyddas inte (inga personuppgifter); antal deltagare skyddas."
            ),
        ),
        int(active.sum()),
        int((active & (pk < 0)).sum()),
    )


__all__ = ["interventions_report", "participants"]
