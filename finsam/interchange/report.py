"""The error report of an import: terminal lines and a CSV file (row, column, value, rule,
message)."""

from __future__ import annotations

import io
from pathlib import Path

from finsam.domain import safe_cells
from finsam.interchange.context import ImportResult

REPORT_COLUMNS = ["row", "column", "value", "rule", "message", "level"]


def report_rows(result: ImportResult) -> list[list[str]]:
    out = []
    for level, problems in (("fel", result.problems), ("varning", result.warnings)):
        for p in problems:
            value = "" if p.value is None else str(p.value)
            if p.field == "personal_number":
                value = ""  # never echo an identity number into a report
            out.append(
                [
                    str(p.row if p.row is not None else ""),
                    p.field,
                    value[:80],
                    p.rule,
                    p.message,
                    level,
                ]
            )
    return out


def report_csv(result: ImportResult) -> str:
    buffer = io.StringIO()
    writer = safe_cells.writer(buffer, lineterminator="\n")
    writer.writerow(REPORT_COLUMNS)
    writer.writerows(report_rows(result))
    return buffer.getvalue()


def write_report(result: ImportResult, path: Path | str) -> None:
    Path(path).write_text(report_csv(result), encoding="utf-8")


def report_lines(result: ImportResult, limit: int = 200, warning_limit: int = 5) -> list[str]:
    """Terminal lines: every error (up to ``limit``), then the first few warnings."""
    rows = report_rows(result)
    errors = [r for r in rows if r[5] == "fel"]
    warnings = [r for r in rows if r[5] == "varning"]
    lines = [f"rad {r[0] or '-'}, {r[1] or '(filen)'}: {r[4]} [{r[3]}]" for r in errors[:limit]]
    if len(errors) > limit:
        lines.append(f"… och {len(errors) - limit} fel till (se felrapporten, --errors FILE).")
    if warnings:
        lines.append(f"{len(warnings)} varningar (sparas ändå):")
        lines += [f"rad {r[0] or '-'}, {r[1]}: {r[4]} [{r[3]}]" for r in warnings[:warning_limit]]
        if len(warnings) > warning_limit:
            lines.append(
                f"… och {len(warnings) - warning_limit} varningar till "
                "(se felrapporten, --errors FILE)."
            )
    return lines
