"""Format-neutral outputs of a :class:`ReportResult`: the stable Report CSV rows and plain dicts.

The Report CSV layout (``spec/interchange.md``): ``level, area_code, area_name, row, [row_label,]
total, women, men`` – one line per area × row; protected cells hold the protection symbol; numbers
use a decimal point and no thousands separator. ``row_label`` is present for R2–R4 (rows keyed by
code). Percent rows carry the display value (rounded half up) unless ``precise=True``, which writes
the unrounded value instead.

For a report with several tables the first table's rows keep their row key; rows of the other
tables are written as ``<table>.<row>`` (e.g. ``fore.FSS`` in R3), so the layout stays one flat
file. Tables whose columns are not total/women/men (the R3 flow matrix, R7) are not part of the CSV
layout; :func:`report_to_dict` carries them.
"""

from __future__ import annotations

import io

from finsam.domain import safe_cells
from finsam.domain.reports.core import SEX_COLUMNS, ReportResult, ReportTable
from finsam.domain.reports.specs import SPECS

CSV_COLUMNS = ("level", "area_code", "area_name", "row", "total", "women", "men")
CSV_COLUMNS_WITH_LABEL = (
    "level",
    "area_code",
    "area_name",
    "row",
    "row_label",
    "total",
    "women",
    "men",
)
REPORTS_WITH_ROW_LABEL = frozenset(s.code for s in SPECS if s.row_label)
"""Reports whose csv rows carry a label column (from :data:`specs.SPECS`)."""


def report_csv_rows(
    result: ReportResult,
    *,
    tables: tuple[str, ...] | None = None,
    precise: bool = False,
    include_anonymity: bool = False,
) -> list[dict[str, str]]:
    """The Report CSV lines as dicts (keys = the header), areas in report order."""
    with_label = result.code in REPORTS_WITH_ROW_LABEL
    chosen = [
        t
        for t in result.tables
        if set(SEX_COLUMNS) <= set(t.columns)
        and (tables is None or t.key in tables)
        and (include_anonymity or t.key != "anonymitet" or (tables and "anonymitet" in tables))
    ]
    out = []
    first = result.tables[0].key
    for area in result.tables[0].areas:
        for table in chosen:
            for row in table.rows:
                line = {
                    "level": area.level,
                    "area_code": area.code,
                    "area_name": area.name,
                    "row": row.key if table.key == first else f"{table.key}.{row.key}",
                }
                if with_label:
                    line["row_label"] = row.label
                for col in SEX_COLUMNS:
                    line[col] = table.display(row.key, area, col, precise=precise)
                out.append(line)
    return out


def report_csv(result: ReportResult, **kwargs) -> str:
    """The Report CSV as text (UTF-8, comma, one header row)."""
    rows = report_csv_rows(result, **kwargs)
    header = CSV_COLUMNS_WITH_LABEL if result.code in REPORTS_WITH_ROW_LABEL else CSV_COLUMNS
    buf = io.StringIO()
    writer = safe_cells.DictWriter(buf, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def table_to_dict(table: ReportTable, *, precise: bool = False) -> dict:
    return {
        "key": table.key,
        "title": table.title,
        "note": table.note,
        "columns": [{"key": c, "label": table.column_labels.get(c, c)} for c in table.columns],
        "rows": [
            {
                "key": row.key,
                "label": row.label,
                "format": row.format,
                "areas": [
                    {
                        "level": area.level,
                        "code": area.code,
                        "name": area.name,
                        "cells": {
                            col: {
                                "display": table.display(row.key, area, col, precise=precise),
                                "value": table.value(row.key, area, col),
                                "flag": table.cell(row.key, area, col).flag.value,
                            }
                            for col in table.columns
                        },
                    }
                    for area in table.areas
                ],
            }
            for row in table.rows
        ],
    }


def report_to_dict(result: ReportResult) -> dict:
    """Everything a renderer (page, xlsx, pdf, json) needs; hidden values are ``None``."""
    opts = result.options
    return {
        "report": result.key,
        "code": result.code,
        "title": result.title,
        "period": {"from": opts.period.start.isoformat(), "to": opts.period.end.isoformat()},
        "levels": list(opts.levels),
        "split": opts.split,
        "protected": opts.protected,
        "threshold": opts.rule.threshold,
        "symbol": opts.rule.symbol,
        "protection_note": result.protection_note,
        "notes": list(result.notes),
        "episodes": _scalar(result.episodes, result, "episodes"),
        "anonymous_episodes": _scalar(result.anonymous_episodes, result, "anonymous_episodes"),
        "tables": [table_to_dict(t) for t in result.tables],
    }


def _scalar(value: int, result: ReportResult, name: str) -> int | str:
    """A whole-report count, protected like a cell (the symbol when 1 … threshold−1, or when
    hidden so that another period's count cannot be computed)."""
    opts = result.options
    if opts.protected and (1 <= value < opts.rule.threshold or name in result.hidden_counts):
        return opts.rule.symbol
    return value
