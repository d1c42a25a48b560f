"""R1–R5 of ``spec/reports.md``: outcome summary, support before/after, exit reasons, occupation."""

from __future__ import annotations

import numpy as np
import pandas as pd

from finsam.domain import codelists as cl
from finsam.domain.access import gettext_noop
from finsam.domain.protection import Cell, Kind, Line
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
    started_in,
)

FULL = float(cl.FULL_TIME_HOURS)


def _hours(df: pd.DataFrame, column: str) -> np.ndarray:
    return df[column].to_numpy(dtype=np.float64)


def work_study_increased(df: pd.DataFrame) -> np.ndarray:
    """Work and/or studies started or increased compared with the start (``domain.md`` §1).

    Derived where both ends are known: each extent is capped at 40 h; the episode counts when the
    work extent or the study extent after is larger than before, among the components known at
    both ends. When no component shows an increase and some component is unknown at one end, the
    recorded ``work_study_increased`` is used (``None`` counts as no).
    """
    wb, sb = _hours(df, "work_hours_before"), _hours(df, "study_hours_before")
    wa, sa = _hours(df, "work_hours"), _hours(df, "study_hours")
    w_known = ~np.isnan(wb) & ~np.isnan(wa)
    s_known = ~np.isnan(sb) & ~np.isnan(sa)
    with np.errstate(invalid="ignore"):
        w_up = w_known & (np.minimum(wa, FULL) > np.minimum(wb, FULL))
        s_up = s_known & (np.minimum(sa, FULL) > np.minimum(sb, FULL))
    derived_up = w_up | s_up
    all_known = w_known & s_known
    recorded = df["work_study_increased"].astype(object)
    recorded_true = (recorded.where(recorded.notna(), False) == True).to_numpy(dtype=bool)  # noqa: E712
    return derived_up | (~all_known & recorded_true)


R1_ROWS = (
    Row("antal_avslutade", gettext_noop("Antal avslutade deltagare")),
    Row("fordelning_pct", gettext_noop("Fördelning kvinnor/män (%)"), "percent"),
    Row("antal_unika", gettext_noop("Antal unika personer")),
    Row("andel_under_30_vid_start_pct", gettext_noop("Andel under 30 år vid start (%)"), "percent"),
    Row(
        "andel_offentlig_forsorjning_over_3_ar_pct",
        gettext_noop("Andel i offentlig försörjning mer än 3 år före start (%)"),
        "percent",
    ),
    Row("andel_hogst_grundskola_pct", gettext_noop("Andel med högst grundskola (%)"), "percent"),
    Row(
        "andel_eftergymnasial_pct",
        gettext_noop("Andel med eftergymnasial utbildning (%)"),
        "percent",
    ),
    Row(
        "medel_inskrivningstid_dagar", gettext_noop("Genomsnittlig inskrivningstid (dagar)"), "days"
    ),
    Row("antal_forvarvsarbete", gettext_noop("Antal i förvärvsarbete efter avslut")),
    Row(
        "heltidsekvivalenter_forvarvsarbete",
        gettext_noop("Heltidsekvivalenter i förvärvsarbete (40 tim/vecka = 1,0)"),
        "fte",
    ),
    Row(
        "andel_forvarvsarbete_pct",
        gettext_noop("Andel i förvärvsarbete efter avslut (%)"),
        "percent",
    ),
    Row(
        "antal_arbete_och_eller_studier",
        gettext_noop("Antal i arbete och/eller studier efter avslut"),
    ),
    Row(
        "heltidsekvivalenter_arbete_och_eller_studier",
        gettext_noop("Heltidsekvivalenter i arbete och/eller studier"),
        "fte",
    ),
    Row(
        "antal_fatt_eller_okat_arbete_studier",
        gettext_noop("Antal som fått eller ökat arbete/studier jämfört med start"),
    ),
)


def _prepare(episodes: pd.DataFrame, options: ReportOptions, population):
    """Group the base population, then keep only the report's population (``population(df)``)."""
    keep = base_mask(episodes)
    full = Grouping(episodes, options, keep)
    g = full.restrict(keep & population(episodes, options.period))
    return g.df, g, TableBuilder(g), person_keys(g.df)


def outcome_summary(episodes: pd.DataFrame, options: ReportOptions) -> ReportResult:
    """R1 Utfall – episodes exited in the period."""
    df, g, b, pk = _prepare(episodes, options, exited_in)
    t = "utfall"
    exited = exited_in(df, options.period)
    anonymous = pk < 0
    e = exited.astype(np.float64)

    age = df["age_at_start"].to_numpy()
    tos = df["time_on_support"]
    edu = df["education"]
    work = np.nan_to_num(_hours(df, "work_hours"), nan=0.0)
    study = np.nan_to_num(_hours(df, "study_hours"), nan=0.0)
    in_work = exited & (work > 0)
    in_ws = exited & ((work > 0) | (study > 0))
    start = df["start_date"].to_numpy()
    end = df["end_date"].to_numpy()
    days = np.where(exited, (end - start) / np.timedelta64(1, "D"), 0.0)

    sums = {
        "antal_avslutade": g.sums(e),
        "_under_30": g.sums(exited & (age < 30)),
        "_over_3_ar": g.sums(exited & tos.isin(cl.TIME_ON_SUPPORT_OVER_3_YEARS).to_numpy()),
        "_hogst_grundskola": g.sums(exited & edu.isin(cl.EDUCATION_COMPULSORY_AT_MOST).to_numpy()),
        "_eftergymnasial": g.sums(exited & edu.isin(cl.EDUCATION_POST_SECONDARY).to_numpy()),
        "_dagar": g.sums(days),
        "antal_forvarvsarbete": g.sums(in_work),
        "heltidsekvivalenter_forvarvsarbete": g.sums(
            np.where(in_work, np.minimum(work, FULL), 0) / FULL
        ),
        "antal_arbete_och_eller_studier": g.sums(in_ws),
        "heltidsekvivalenter_arbete_och_eller_studier": g.sums(
            np.where(in_ws, np.minimum(work + study, FULL), 0) / FULL
        ),
        "antal_fatt_eller_okat_arbete_studier": g.sums(exited & work_study_increased(df)),
    }
    distinct = g.distinct(pk, exited)
    anon = g.sums(exited & anonymous)
    sums["antal_unika"] = {
        a: {c: distinct[a][c] + anon[a][c] for c in distinct[a]} for a in distinct
    }

    for row in (
        "antal_avslutade",
        "_under_30",
        "_over_3_ar",
        "_hogst_grundskola",
        "_eftergymnasial",
        "antal_forvarvsarbete",
        "antal_arbete_och_eller_studier",
        "antal_fatt_eller_okat_arbete_studier",
    ):
        b.count_row(t, row, sums[row])
    b.count_row(t, "antal_unika", sums["antal_unika"], additive_areas=False)

    def distribution(area, col):
        n = sums["antal_avslutade"][area]
        return (
            100.0 * n[col] / n["total"] if n["total"] else None,
            n["total"],
            ((t, "antal_avslutade", col), (t, "antal_avslutade", "total")),
        )

    b.derived_row(t, "fordelning_pct", distribution)
    for row, num in (
        ("andel_under_30_vid_start_pct", "_under_30"),
        ("andel_offentlig_forsorjning_over_3_ar_pct", "_over_3_ar"),
        ("andel_hogst_grundskola_pct", "_hogst_grundskola"),
        ("andel_eftergymnasial_pct", "_eftergymnasial"),
        ("andel_forvarvsarbete_pct", "antal_forvarvsarbete"),
    ):
        share_row(b, t, row, num, "antal_avslutade", sums)

    def mean_days(area, col):
        n = sums["antal_avslutade"][area][col]
        return (
            sums["_dagar"][area][col] / n if n else None,
            n,
            ((t, "antal_avslutade", col),),
        )

    b.derived_row(t, "medel_inskrivningstid_dagar", mean_days)
    for row, base in (
        ("heltidsekvivalenter_forvarvsarbete", "antal_forvarvsarbete"),
        ("heltidsekvivalenter_arbete_och_eller_studier", "antal_arbete_och_eller_studier"),
    ):
        b.derived_row(
            t,
            row,
            lambda area, col, row=row, base=base: (
                sums[row][area][col],
                sums[base][area][col],
                ((t, base, col),),
            ),
        )
        b.split_lines(t, row)
        b.area_lines(t, row)

    add_anonymity_rows(b, exited, anonymous)
    tables = make_tables(
        b,
        [
            (
                t,
                gettext_noop("Utfall – avslutade deltagare"),
                R1_ROWS,
                gettext_noop("Avslutade under perioden."),
            ),
            ANONYMITY_SPEC,
        ],
    )
    return ReportResult(
        "utfall",
        "R1",
        f"Utfall {options.period.label}",
        options,
        tables,
        _notes(options),
        int(exited.sum()),
        int((exited & anonymous).sum()),
    )


def _notes(options: ReportOptions, *extra: str) -> tuple[str, ...]:
    return (
        gettext_noop(
            "Endast individinriktade insatser med personregistrering; identifierade och anonyma "
            "deltagare räknas. Felregistreringar ingår inte."
        ),
        gettext_noop("Kön annat/okänt ingår i totalen men inte i kolumnerna kvinnor och män."),
        *extra,
    )


# --- R2 / R3 support ---------------------------------------------------------------------------

SUPPORT_BEFORE_CODES = tuple(c for c in cl.SUPPORT.code_values if c != cl.SUPPORT_MISSING)
SUPPORT_ALL_CODES = cl.SUPPORT.code_values


def _support_rows(codes) -> tuple[Row, ...]:
    return (
        *(Row(c, cl.SUPPORT.label_of(c)) for c in codes),
        Row(
            "summa_koder",
            gettext_noop("Summa försörjningskoder (parallella koder räknas var för sig)"),
        ),
        Row("antal_episoder", gettext_noop("Antal deltagarepisoder")),
    )


def _support_code_rows(b: TableBuilder, t: str, masks: np.ndarray, pop: np.ndarray) -> None:
    """One count row per support code (mask 0 = missing → SAK), their sum and the episodes."""
    g = b.g
    parts = []
    for code in SUPPORT_ALL_CODES:
        has = (masks & cl.support_bit(code)) != 0
        if code == cl.SUPPORT_MISSING:
            has = has | (masks == 0)
        b.count_row(t, code, g.sums(pop & has))
        parts.append((t, code))
    n_codes = np.zeros(len(masks), dtype=np.float64)
    for code in SUPPORT_ALL_CODES:
        n_codes += (masks & cl.support_bit(code)) != 0
    n_codes += masks == 0  # missing (SAK) without any code
    b.count_row(t, "summa_koder", g.sums(np.where(pop, n_codes, 0)))
    b.row_line(t, "summa_koder", parts)
    b.count_row(t, "antal_episoder", g.sums(pop))


def support_before(episodes: pd.DataFrame, options: ReportOptions) -> ReportResult:
    """R2 Support before the intervention – episodes started in the period."""
    df, _g, b, pk = _prepare(episodes, options, started_in)
    started = started_in(df, options.period)
    masks = df["support_before_mask"].to_numpy(dtype=np.int64)
    _support_code_rows(b, "forsorjning_fore", masks, started)
    add_anonymity_rows(b, started, pk < 0)
    rows = _support_rows(SUPPORT_ALL_CODES)
    tables = make_tables(
        b,
        [
            (
                "forsorjning_fore",
                gettext_noop("Försörjning före insatsen – påbörjade deltagare"),
                rows,
                gettext_noop(
                    "En deltagare kan ha flera försörjningar samtidigt; summan av koderna kan "
                    "därför överstiga antalet deltagare. Uppgift saknas = ingen försörjning "
                    "registrerad."
                ),
            ),
            ANONYMITY_SPEC,
        ],
    )
    return ReportResult(
        "forsorjning-fore",
        "R2",
        f"Försörjning före insatsen {options.period.label}",
        options,
        tables,
        _notes(options),
        int(started.sum()),
        int((started & (pk < 0)).sum()),
    )


def support_after(episodes: pd.DataFrame, options: ReportOptions) -> ReportResult:
    """R3 Support after, the same episodes' support before, the change and a flow matrix."""
    df, g, b, pk = _prepare(episodes, options, exited_in)
    exited = exited_in(df, options.period)
    after = df["support_after_mask"].to_numpy(dtype=np.int64)
    before = df["support_before_mask"].to_numpy(dtype=np.int64)
    _support_code_rows(b, "efter", after, exited)
    _support_code_rows(b, "fore", before, exited)
    rows = _support_rows(SUPPORT_ALL_CODES)
    for row in rows:
        b.derived_row(
            "forandring",
            row.key,
            lambda area, col, key=row.key: (
                b.cells[("efter", key, area, col)].value - b.cells[("fore", key, area, col)].value,
                None,
                (("efter", key, col), ("fore", key, col)),
            ),
        )
        for area in g.areas:
            for col in b.columns:
                b.lines.append(
                    _line(
                        ("efter", row.key, area.key, col),
                        ("fore", row.key, area.key, col),
                        ("forandring", row.key, area.key, col),
                    )
                )
    # flow matrix: rows = support before, columns = support after, total column only
    flow_cols = SUPPORT_ALL_CODES
    flows = _flow_counts(g, exited, before, after)
    for i, fc in enumerate(SUPPORT_ALL_CODES):
        for j, tc in enumerate(flow_cols):
            for area in g.areas:
                b.cells[("flodesmatris", fc, area.key, tc)] = Cell(
                    int(flows[area.key][i, j]), Kind.COUNT
                )
    for parent, children in b._area_lines:
        for fc in SUPPORT_ALL_CODES:
            for tc in flow_cols:
                b.lines.append(
                    _line_n(
                        ("flodesmatris", fc, parent, tc),
                        tuple(("flodesmatris", fc, c, tc) for c in children),
                    )
                )
    add_anonymity_rows(b, exited, pk < 0)
    change_rows = tuple(Row(r.key, r.label, "change") for r in rows)
    tables = make_tables(
        b,
        [
            (
                "efter",
                gettext_noop("Försörjning efter avslut"),
                rows,
                gettext_noop("Avslutade under perioden."),
            ),
            ("fore", gettext_noop("Försörjning före start – samma deltagare"), rows, ""),
            (
                "forandring",
                gettext_noop("Förändring (efter − före)"),
                change_rows,
                gettext_noop(
                    "Före och efter gäller alltid samma deltagare, så förändringen är ett verkligt "
                    "flöde."
                ),
            ),
            (
                "flodesmatris",
                gettext_noop("Flöde: försörjning före (rader) till försörjning efter (kolumner)"),
                tuple(Row(c, cl.SUPPORT.label_of(c)) for c in SUPPORT_ALL_CODES),
                gettext_noop(
                    "Totalt för båda könen. En deltagare med flera försörjningar räknas i varje "
                    "kombination av före och efter."
                ),
                flow_cols,
                {c: cl.SUPPORT.label_of(c) for c in flow_cols},
            ),
            ANONYMITY_SPEC,
        ],
    )
    return ReportResult(
        "forsorjning-efter",
        "R3",
        f"Försörjning efter avslut och förändring {options.period.label}",
        options,
        tables,
        _notes(options),
        int(exited.sum()),
        int((exited & (pk < 0)).sum()),
    )


def _flow_counts(
    g, population: np.ndarray, before: np.ndarray, after: np.ndarray
) -> dict[tuple[str, str], np.ndarray]:
    """Per area: episodes of ``population`` with support code *f* before and *t* after, as a
    matrix over ``SUPPORT_ALL_CODES`` × ``SUPPORT_ALL_CODES`` (an episode with several codes
    counts in every combination). The few distinct (before, after) mask pairs are counted per
    area once; each pair then adds its count to the cells its codes mark."""
    pairs, distinct = pd.factorize(before[population] * (1 << 32) + after[population])
    distinct = np.asarray(distinct, dtype=np.int64)
    has_before = np.stack([_has(distinct >> 32, c) for c in SUPPORT_ALL_CODES], axis=1)
    has_after = np.stack([_has(distinct & 0xFFFFFFFF, c) for c in SUPPORT_ALL_CODES], axis=1)
    n_pairs = len(distinct)
    out: dict[tuple[str, str], np.ndarray] = {}
    for _level, idx, areas in g.levels:
        area = idx[population]
        ok = area >= 0
        counts = np.bincount(
            area[ok] * n_pairs + pairs[ok], minlength=len(areas) * n_pairs
        ).reshape(len(areas), n_pairs)
        flows = np.einsum(
            "ap,pf,pt->aft", counts, has_before.astype(np.int64), has_after.astype(np.int64)
        )
        for i, a in enumerate(areas):
            out[a.key] = flows[i]
    return out


def _has(masks: np.ndarray, code: str) -> np.ndarray:
    has = (masks & cl.support_bit(code)) != 0
    if code == cl.SUPPORT_MISSING:
        has = has | (masks == 0)
    return has


def _line(total, *parts):
    return Line(total, tuple(parts))


def _line_n(total, parts):
    return Line(total, parts)


# --- R4 exit reasons ---------------------------------------------------------------------------

EXIT_CODES = tuple(c for c in cl.EXIT_REASON.code_values if c != cl.EXIT_REGISTRATION_ERROR)
R4_ROWS = (
    Row("UTSKRIVNING", gettext_noop("Utskrivning (egen försörjning genom arbete eller studier)")),
    *(Row(c, cl.EXIT_REASON.label_of(c)) for c in EXIT_CODES),
    Row("SAK", gettext_noop("Uppgift saknas")),
    Row("TOTALT", gettext_noop("Totalt")),
)


def exit_reasons(episodes: pd.DataFrame, options: ReportOptions) -> ReportResult:
    """R4 Exit reasons – episodes exited in the period (FEL excluded)."""
    df, g, b, pk = _prepare(episodes, options, exited_in)
    t = "avslutningsanledningar"
    exited = exited_in(df, options.period)
    reason = df["exit_reason"]
    for code in EXIT_CODES:
        b.count_row(t, code, g.sums(exited & (reason == code).to_numpy()))
    b.count_row(t, "SAK", g.sums(exited & reason.isna().to_numpy()))
    b.count_row(t, "UTSKRIVNING", g.sums(exited & reason.isin(cl.EXIT_SELF_SUPPORT).to_numpy()))
    b.row_line(t, "UTSKRIVNING", [(t, c) for c in sorted(cl.EXIT_SELF_SUPPORT)])
    b.count_row(t, "TOTALT", g.sums(exited))
    b.row_line(t, "TOTALT", [(t, c) for c in (*EXIT_CODES, "SAK")])
    add_anonymity_rows(b, exited, pk < 0)
    tables = make_tables(
        b,
        [
            (
                t,
                gettext_noop("Avslutningsanledningar"),
                R4_ROWS,
                gettext_noop(
                    "Utskrivning = arbete + studier (delsumma). Felregistreringar ingår inte."
                ),
            ),
            ANONYMITY_SPEC,
        ],
    )
    return ReportResult(
        "avslutningsanledningar",
        "R4",
        f"Avslutningsanledningar {options.period.label}",
        options,
        tables,
        _notes(options),
        int(exited.sum()),
        int((exited & (pk < 0)).sum()),
    )


# --- R5 occupation -----------------------------------------------------------------------------

OCCUPATION_GROUPS = cl.OCCUPATION.code_values  # ARB, STU, ARS, OVR, SAK


def occupation(episodes: pd.DataFrame, options: ReportOptions) -> ReportResult:
    """R5 Occupation before/after – episodes exited in the period.

    Four groups (work, studies, active job seeking, other) plus missing (SAK, also for no value);
    change in count and in percentage points of all episodes in the population.
    """
    df, g, b, pk = _prepare(episodes, options, exited_in)
    exited = exited_in(df, options.period)
    sums = {}
    for side, column in (("fore", "occupation_before"), ("efter", "occupation_after")):
        occ = df[column].fillna(cl.SUPPORT_MISSING)
        for code in OCCUPATION_GROUPS:
            sums[(side, code)] = g.sums(exited & (occ == code).to_numpy())
            b.count_row(side, code, sums[(side, code)])
        b.count_row(side, "antal_episoder", g.sums(exited))
        b.row_line(side, "antal_episoder", [(side, c) for c in OCCUPATION_GROUPS])
    episodes_sum = g.sums(exited)
    for code in OCCUPATION_GROUPS:
        b.derived_row(
            "forandring",
            code,
            lambda area, col, code=code: (
                sums[("efter", code)][area][col] - sums[("fore", code)][area][col],
                None,
                (("efter", code, col), ("fore", code, col)),
            ),
        )
        for area in g.areas:
            for col in b.columns:
                b.lines.append(
                    _line(
                        ("efter", code, area.key, col),
                        ("fore", code, area.key, col),
                        ("forandring", code, area.key, col),
                    )
                )

        def pp(area, col, code=code):
            n = episodes_sum[area][col]
            if not n:
                return None, 0, ()
            diff = sums[("efter", code)][area][col] - sums[("fore", code)][area][col]
            return (
                100.0 * diff / n,
                n,
                (("efter", code, col), ("fore", code, col), ("efter", "antal_episoder", col)),
            )

        b.derived_row("forandring_procentenheter", code, pp)
    add_anonymity_rows(b, exited, pk < 0)
    rows = tuple(Row(c, cl.OCCUPATION.label_of(c)) for c in OCCUPATION_GROUPS)
    counted = (*rows, Row("antal_episoder", gettext_noop("Antal deltagarepisoder")))
    tables = make_tables(
        b,
        [
            (
                "fore",
                gettext_noop("Sysselsättning före start"),
                counted,
                gettext_noop("Avslutade under perioden."),
            ),
            ("efter", gettext_noop("Sysselsättning efter avslut"), counted, ""),
            (
                "forandring",
                gettext_noop("Förändring i antal (efter − före)"),
                tuple(Row(r.key, r.label, "change") for r in rows),
                "",
            ),
            (
                "forandring_procentenheter",
                gettext_noop("Förändring i procentenheter av alla avslutade"),
                tuple(Row(r.key, r.label, "percent") for r in rows),
                "",
            ),
            ANONYMITY_SPEC,
        ],
    )
    return ReportResult(
        "sysselsattning",
        "R5",
        f"Sysselsättning före och efter {options.period.label}",
        options,
        tables,
        _notes(options),
        int(exited.sum()),
        int((exited & (pk < 0)).sum()),
    )
