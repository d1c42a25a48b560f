"""``budget_lines.csv`` in and out (``spec/interchange.md``).

``association_code, year, line (resource|admin_cost|intervention_cost), category, intervention_code,
budget, actual`` – UTF-8 (BOM accepted), ``,`` (or ``;`` when the header uses it), decimal point;
xlsx with the same columns on the first sheet is accepted too.

* :func:`import_budget_lines` is all-or-nothing (the core's ``validate_budget_lines`` plus the
  registry: known association and intervention), idempotent by the row key (association, year,
  line, category, intervention) and returns a summary with every problem (row, column, value, rule,
  Swedish message).
* :func:`export_budget_lines` gives the rows in the same format.

The general ``finsam import KIND FILE`` framework calls these two functions for ``budget-lines``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from typing import IO

from finsam.domain import safe_cells, tabular
from finsam.domain.finance import budget as core
from finsam.domain.problems import Problem
from finsam.finance.models import BudgetLine
from finsam.finance.services import UpsertSummary, budget_lines_upsert, validate_lines

COLUMNS: tuple[str, ...] = (
    "association_code",
    "year",
    "line",
    "category",
    "intervention_code",
    "budget",
    "actual",
)
REQUIRED_COLUMNS = frozenset({"association_code", "year", "line", "budget"})
ERROR_REPORT_COLUMNS = ("row", "column", "value", "rule", "message")


def parse_budget_lines(source) -> tuple[list[core.BudgetLine], list[Problem]]:
    """The file's rows as :class:`~finsam.domain.finance.budget.BudgetLine` (the one budget-line
    type) and every problem of the file's form (columns, numbers, years). Row numbers count data
    rows by the line a spreadsheet shows (header = line 1, blank lines count)."""
    header, records, problems = tabular.read_table(source)
    if problems:
        return [], problems
    names = [h.strip().lower() for h in header]
    problems = tabular.check_header(header, COLUMNS, REQUIRED_COLUMNS)
    if problems:
        return [], problems
    lines: list[core.BudgetLine] = []
    for row, record in enumerate(records, start=2):
        if all(not (v or "").strip() for v in record):
            continue
        if len(record) > len(names):
            problems.append(
                Problem(
                    "",
                    "file.extra_values",
                    f"Rad {row} har fler värden ({len(record)}) än rubrikraden ({len(names)}).",
                    None,
                    row=row,
                )
            )
            record = record[: len(names)]
        values = dict(zip(names, ((v or "").strip() for v in record), strict=False))
        year_text = values.get("year", "")
        year: int = 0
        if not year_text:
            problems.append(
                Problem("year", "file.value_missing", f"Rad {row}: year saknas.", None, row=row)
            )
        else:
            try:
                year = int(year_text)
            except ValueError:
                problems.append(
                    Problem(
                        "year",
                        "file.not_a_year",
                        f"Rad {row}: year = {year_text!r} är inget årtal (ÅÅÅÅ).",
                        year_text,
                        row=row,
                    )
                )
        amounts: dict[str, float | None] = {}
        for col in ("budget", "actual"):
            text = values.get(col, "")
            if not text:
                if col == "budget":
                    problems.append(
                        Problem(
                            col, "file.value_missing", f"Rad {row}: budget saknas.", None, row=row
                        )
                    )
                amounts[col] = None
                continue
            try:
                number = float(text)
                if not math.isfinite(number):
                    raise ValueError
            except ValueError:
                problems.append(
                    Problem(
                        col,
                        "file.not_a_number",
                        f"Rad {row}: {col} = {text!r} är inget tal (använd decimalpunkt och "
                        "inga tusentalsavgränsare).",
                        text,
                        row=row,
                    )
                )
                number = None
            amounts[col] = number
        lines.append(
            core.BudgetLine(
                association_code=values.get("association_code", ""),
                year=year,
                line=values.get("line", ""),
                category=values.get("category", ""),
                intervention_code=values.get("intervention_code", ""),
                budget=amounts["budget"] or 0.0,
                actual=amounts["actual"],
                row=row,
            )
        )
    if not lines and not problems:
        problems.append(Problem("", "file.no_rows", "Filen innehåller inga budgetrader."))
    return lines, problems


def import_budget_lines(
    path_or_file: str | os.PathLike | bytes | IO, *, actor, dry_run: bool = False, allowed=None
) -> UpsertSummary:
    """Import ``budget_lines.csv``: all-or-nothing, idempotent by the row key.

    Returns a summary: ``created``, ``updated``, ``unchanged`` and ``problems`` (empty when the
    file was imported). With ``dry_run`` nothing is written; the counts say what would happen.
    ``allowed``: an optional predicate on the association (the caller's permission).
    """
    lines, problems = parse_budget_lines(path_or_file)
    if problems:
        # report the rules of the rows that could be read as well, so one run lists every problem
        if lines:
            seen = {(p.row, p.field) for p in problems}
            more, _a, _i = validate_lines(lines)
            problems += [p for p in more if (p.row, p.field) not in seen]
        return UpsertSummary(problems=_sorted(problems), dry_run=dry_run)
    summary = budget_lines_upsert(actor=actor, lines=lines, dry_run=dry_run, allowed=allowed)
    summary.problems = _sorted(summary.problems)
    return summary


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.row or 0, p.field, p.rule))


def error_report_rows(problems: Iterable[Problem]) -> list[list[object]]:
    """The error report: one row per problem (row, column, value, rule, Swedish message)."""
    return [
        [
            "" if p.row is None else p.row,
            p.field,
            "" if p.value is None else p.value,
            p.rule,
            p.message,
        ]
        for p in problems
    ]


def _amount(value) -> str:
    if value is None:
        return ""
    text = f"{float(value):.2f}"
    return text[:-3] if text.endswith(".00") else text


def export_budget_lines(*, association=None, year: int | None = None) -> list[dict[str, str]]:
    """Every budget line (of one association, optionally one year) as ``budget_lines.csv`` rows,
    ordered by association, year, line, category and intervention."""
    qs = BudgetLine.objects.select_related("association", "intervention")
    if association is not None:
        qs = qs.filter(association=association)
    if year is not None:
        qs = qs.filter(year=year)
    rows = [
        {
            "association_code": ln.association.code,
            "year": str(ln.year),
            "line": ln.line,
            "category": ln.category,
            "intervention_code": ln.intervention.code if ln.intervention else "",
            "budget": _amount(ln.budget),
            "actual": _amount(ln.actual),
        }
        for ln in qs
    ]
    return sorted(
        rows,
        key=lambda r: (
            r["association_code"],
            int(r["year"]),
            r["line"],
            r["category"],
            r["intervention_code"],
        ),
    )


def write_budget_lines_csv(rows: Iterable[dict[str, str]], out: IO[str]) -> None:
    writer = safe_cells.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
