"""Turning a report run into a page context, a chart and the download files.

Every format starts from the same :class:`ReportResult` (its protected table decides what is
shown), so page, pdf, xlsx, csv and json show and suppress exactly the same cells. Files are made
with ``finsam.web.outputs``.
"""

from __future__ import annotations

from django.utils.translation import gettext

from finsam.domain.reports.core import LEVEL_LABELS, ReportResult, ReportTable
from finsam.domain.reports.export import (
    CSV_COLUMNS,
    CSV_COLUMNS_WITH_LABEL,
    REPORTS_WITH_ROW_LABEL,
    report_csv_rows,
    report_to_dict,
)
from finsam.domain.reports.quality import DataQualityResult
from finsam.domain.reports.specs import SPECS
from finsam.reports import charts
from finsam.reports.charts import swedish_display
from finsam.web import outputs

FORMATS = ("csv", "xlsx", "pdf", "json")
MAX_CHART_AREAS = 12
MAX_LINKS = 30
"""Episode links per check and association on the data-quality page."""

PAIRS: dict[str, tuple[str, str, frozenset[str]]] = {
    "forsorjning-efter": ("fore", "efter", frozenset({"summa_koder", "antal_episoder"})),
    "sysselsattning": ("fore", "efter", frozenset({"antal_episoder"})),
}
"""Reports drawn as a before/after pair (same rows, same scale), never mixed with totals."""

# (table, rows to leave out) of the chart of each report; the value charted is the total column.
CHARTS: dict[str, tuple[str, frozenset[str]]] = {s.slug: s.chart for s in SPECS if s.chart}


# --- page / pdf context -----------------------------------------------------------------------


def table_context(table: ReportTable) -> dict:
    """Header and body of one table, cells already rendered (symbol, display rounding)."""
    areas = list(table.areas)
    return {
        "key": table.key,
        "title": table.title,
        "note": table.note,
        "columns": [table.column_labels.get(c, c) for c in table.columns],
        "areas": [
            {"name": a.name, "code": a.code, "level": LEVEL_LABELS.get(a.level, a.level)}
            for a in areas
        ],
        "span": len(table.columns),
        "rows": [
            {
                "label": row.label,
                "key": row.key,
                "cells": [
                    swedish_display(table.display(row.key, area, col))
                    for area in areas
                    for col in table.columns
                ],
            }
            for row in table.rows
        ],
    }


def chart_rows(result: ReportResult) -> list[dict]:
    """The values a chart shows: the total column of the chosen rows, shown cells only."""
    spec = CHARTS.get(result.key)
    if spec is None:
        return []
    try:
        table = result.table(spec[0])
    except KeyError:
        table = result.tables[0]
    if len(table.areas) > MAX_CHART_AREAS or "total" not in table.columns:
        return []
    percent = [r for r in table.rows if r.format == "percent"]
    rows = percent or [r for r in table.rows if r.format == "count"]
    out = []
    for row in rows:
        if row.key in spec[1] or row.key == "fordelning_pct":
            continue
        for area in table.areas:
            value = table.value(row.key, area, "total")
            if value is not None:
                out.append({"rad": row.label, "område": area.name, "värde": float(value)})
    return out


def pair_rows(result: ReportResult) -> list[dict]:
    """Before and after of the same rows for the one total area (shown cells only)."""
    before_key, after_key, leave_out = PAIRS[result.key]
    try:
        before, after = result.table(before_key), result.table(after_key)
    except KeyError:
        return []
    if len(after.areas) != 1 or "total" not in after.columns:
        return []
    out = []
    for side, table in ((gettext("Före"), before), (gettext("Efter"), after)):
        area = table.areas[0]
        for row in table.rows:
            if row.key in leave_out:
                continue
            value = table.value(row.key, area, "total")
            if value is not None:
                out.append({"rad": row.label, "tidpunkt": side, "värde": float(value)})
    return out


def chart(result: ReportResult):
    """One readable chart for the report's question (``None`` when nothing to draw): a
    before/after pair where the report compares the two, otherwise bars of the total column."""
    if result.key == "kostnader":
        return charts.costs_chart(result)  # budget against outcome (no total column)
    if result.key in PAIRS:
        data = pair_rows(result)
        if data:
            return charts.pair_chart(
                data, title=gettext("%(title)s – före och efter, totalt") % {"title": result.title}
            )
    data = chart_rows(result)
    if not data:
        return None
    try:
        table = result.table(CHARTS[result.key][0])
    except KeyError:
        table = result.tables[0]
    percent = any(r.format == "percent" for r in table.rows)
    several = len({d["område"] for d in data}) > 1
    rows = [{**d, "Område": d["område"]} for d in data]
    return charts.bar_chart(
        rows,
        title=gettext("%(title)s – totalt") % {"title": table.title},
        percent=percent,
        colour_field="Område" if several else "",
    )


def chart_svg(result: ReportResult) -> str:
    c = chart(result)
    return outputs.chart_svg(c) if c is not None else ""


def report_context(result: ReportResult, svg: str | None = None) -> dict:
    """The page context of a result; ``svg`` = its chart already drawn (the report cache)."""
    return {
        "result": result,
        "tables": [table_context(t) for t in result.tables],
        "summary": report_to_dict(result),
        "chart_svg": chart_svg(result) if svg is None else svg,
    }


# --- quality ----------------------------------------------------------------------------------


def quality_rows(
    quality: DataQualityResult,
    *,
    protected_for: set[str],
    rule,
    episode_link=None,
    max_links: int = MAX_LINKS,
) -> list[dict]:
    """One row per association: the count and share of each check.

    The counts are small-cell protected (primary rule: 1 … threshold − 1 shown as the symbol, the
    share hidden) for associations in ``protected_for`` – users who may not see the records.
    ``episode_link(episode_id) -> url | None`` gives the links to the flagged episodes."""
    out = []
    for a in quality.associations:
        protect = a.association_code in protected_for
        checks = []
        for key, label in quality.checks:
            n = a.count(key)
            hidden = protect and 1 <= n < rule.threshold
            share = a.share(key)
            links = []
            if episode_link is not None and not protect:
                for eid in a.issues[key][:max_links]:
                    url = episode_link(eid)
                    if url:
                        links.append({"id": eid, "url": url})
            checks.append(
                {
                    "key": key,
                    "label": gettext(label),
                    "count": rule.symbol if hidden else n,
                    "share": "" if hidden or share is None else f"{share:.0f}",
                    "links": links,
                    "more": max(0, n - max_links) if links else 0,
                }
            )
        hidden_total = protect and 1 <= a.episodes < rule.threshold
        out.append(
            {
                "code": a.association_code,
                "name": a.association_name,
                "episodes": rule.symbol if hidden_total else a.episodes,
                "protected": protect,
                "checks": checks,
            }
        )
    return out


# --- files --------------------------------------------------------------------------------------


def csv_header(result: ReportResult) -> tuple[str, ...]:
    return CSV_COLUMNS_WITH_LABEL if result.code in REPORTS_WITH_ROW_LABEL else CSV_COLUMNS


def csv_table(result: ReportResult) -> tuple[tuple[str, ...], list[list[str]]]:
    """Header and lines of the Report CSV layout of ``interchange.md``. R7 and R8, whose tables
    have other columns than total/women/men, keep the same line structure with their own columns
    (``level, area_code, area_name, row, <columns…>``) – otherwise their file would be empty."""
    header = csv_header(result)
    rows = report_csv_rows(result)
    if not rows and result.tables:
        return _wide_csv(result)
    return header, [[r[c] for c in header] for r in rows]


def csv_content(result: ReportResult) -> bytes:
    return outputs.csv_bytes(*csv_table(result))


def _wide_csv(result: ReportResult) -> tuple[tuple[str, ...], list[list[str]]]:
    first = result.tables[0]
    header = ("level", "area_code", "area_name", "row", *first.columns)
    lines = []
    for table in result.tables:
        if tuple(table.columns) != tuple(first.columns):
            continue
        for area in table.areas:
            for row in table.rows:
                key = row.key if table.key == first.key else f"{table.key}.{row.key}"
                lines.append(
                    [area.level, area.code, area.name, key]
                    + [table.display(row.key, area, c) for c in table.columns]
                )
    return header, lines


def _number(text: str):
    """A display value as a number for the spreadsheet; the protection symbol stays text."""
    if text == "":
        return ""
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() and "." not in text else value


def definitions(result: ReportResult) -> list[str]:
    opts = result.options
    lines = [
        f"{result.code} {result.title}",
        gettext("Period: %(start)s – %(end)s")
        % {"start": opts.period.start, "end": opts.period.end},
        gettext("Nivå: %(join)s") % {"join": ", ".join(LEVEL_LABELS[lvl] for lvl in opts.levels)},
        f"Skydd: {result.protection_note}",
        f"Deltagarepisoder i populationen: {report_to_dict(result)['episodes']}, varav anonyma: "
        f"{report_to_dict(result)['anonymous_episodes']}",
        *result.notes,
        "",
        "Rader:",
    ]
    for t in result.tables:
        lines.append(f"{t.title}{(' – ' + t.note) if t.note else ''}")
        lines += [f"  {r.key}: {r.label}" for r in t.rows]
    return lines


def sheet_name(title: str, used: set[str]) -> str:
    name = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "Tabell"
    base, i = name, 2
    while name in used:
        suffix = f" {i}"
        name = base[: 31 - len(suffix)] + suffix
        i += 1
    used.add(name)
    return name


def xlsx_content(result: ReportResult) -> bytes:
    sheets = {}
    used: set[str] = {"Definitioner"}
    for table in result.tables:
        header = [
            gettext("Nivå"),
            gettext("Områdeskod"),
            gettext("Område"),
            gettext("Rad"),
            gettext("Radetikett"),
        ]
        header += [table.column_labels.get(c, c) for c in table.columns]
        rows = []
        for area in table.areas:
            for row in table.rows:
                rows.append(
                    [LEVEL_LABELS.get(area.level, area.level), area.code, area.name]
                    + [row.key, row.label]
                    + [_number(table.display(row.key, area, c)) for c in table.columns]
                )
        sheets[sheet_name(table.title, used)] = (header, rows)
    return outputs.xlsx_workbook(sheets, notes=definitions(result))


def json_content(result: ReportResult, quality_summary: list[dict] | None = None) -> dict:
    data = report_to_dict(result)
    if quality_summary is not None:
        data["data_quality"] = quality_summary
    return data


def filename(result: ReportResult, ext: str) -> str:
    p = result.options.period
    return f"{result.key}_{p.start:%Y%m%d}-{p.end:%Y%m%d}.{ext}"
