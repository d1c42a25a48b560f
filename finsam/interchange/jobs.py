"""The web import as background jobs: the dry run (preview) and the import itself.

Both run :func:`~finsam.interchange.importers.import_file` on the file stored in the job's
directory; the import is all-or-nothing, so a failed job has changed nothing."""

from __future__ import annotations

from pathlib import Path

from finsam.interchange.importers import import_file
from finsam.interchange.report import report_csv, report_rows
from finsam.registry import selectors as registry_selectors

MAX_ROWS_SHOWN = 500


def _progress_of(progress, start: int, span: int):
    def report(rows: int, fraction: float | None) -> None:
        if fraction is None:
            progress(start, f"{rows} rader lästa")
        else:
            progress(start + int(span * fraction), f"{rows} rader lästa")

    return report


def _run(job, progress, *, dry_run: bool):
    params = job.params
    association = registry_selectors.association_by_pk(params["association_id"])
    path = Path(params["path"])
    progress(1, "Kontrollerar filen" if dry_run else "Importerar")
    result = import_file(
        params["kind"],
        path,
        actor=job.user,
        association=association,
        dry_run=dry_run,
        file_name=params["file_name"],
        progress=_progress_of(progress, 1, 98),
    )
    path.with_suffix(".report.csv").write_text(report_csv(result), encoding="utf-8")
    return result, {
        "ok": result.ok,
        "summary": result.summary(),
        "file_name": result.file_name,
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "problems": len(result.problems),
        "warnings": len(result.warnings),
        "report": report_rows(result)[:MAX_ROWS_SHOWN],
    }


def run_preview(job, progress) -> dict:
    """The dry run: every rule, nothing kept; the result is the preview page."""
    _, out = _run(job, progress, dry_run=True)
    return out


def run_import(job, progress) -> dict:
    """The import itself (after the preview was confirmed). A file with errors – the data may
    have changed since the preview – fails the job and nothing is kept."""
    result, out = _run(job, progress, dry_run=False)
    if result.ok:
        Path(job.params["path"]).unlink(missing_ok=True)
        out["failed"] = ""
    else:
        out["failed"] = result.summary()
    return out
