"""The web import as background jobs: the dry run (preview) and the import itself.

Both run :func:`~finsam.interchange.importers.import_file` on the file stored in the job's
directory; the import is all-or-nothing, so a failed job has changed nothing."""

from __future__ import annotations

from pathlib import Path

from finsam.interchange.importers import import_file
from finsam.interchange.report import report_csv, report_rows
from finsam.registry import selectors as registry_selectors

MAX_ROWS_SHOWN = 500

PREVIEW = "import_preview"
PREVIEW_USED = "import_preview_used"
"""A preview whose import has been queued (a preview is confirmed once)."""
IMPORT = "import"


def queue_preview(*, actor, association, kind: str, upload, dry_run: bool = True):
    """Store the upload in a new job's directory and queue its dry run (the web import's and the
    API's first step), or with ``dry_run=False`` the import itself (the API without a preview;
    all or nothing like every import). The caller has checked IMPORT_DATA on ``association``."""
    from finsam.interchange.formats import FORMATS
    from finsam.jobs.services import job_enqueue

    suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
    return job_enqueue(
        actor=actor,
        kind=PREVIEW if dry_run else IMPORT,
        title=f"{'Kontroll' if dry_run else 'Import'} av {upload.name[:120]} "
        f"({FORMATS[kind].label})",
        handler="finsam.interchange.jobs." + ("run_preview" if dry_run else "run_import"),
        params={"kind": kind, "association_id": association.pk, "file_name": upload.name},
        association_id=association.pk,
        upload=upload,
        upload_name=f"upload{suffix}",
    )


def queue_import(*, actor, preview):
    """Queue the import of a finished, error-free preview; the preview is spent first (one
    import per preview: a second call finds nothing and returns ``None``)."""
    from finsam.jobs.services import job_enqueue, job_rekind

    if not job_rekind(preview, kind=PREVIEW, to=PREVIEW_USED):
        return None
    return job_enqueue(
        actor=actor,
        kind=IMPORT,
        title=f"Import av {preview.params['file_name'][:120]}",
        handler="finsam.interchange.jobs.run_import",
        params={**preview.params, "preview": str(preview.pk)},
        association_id=preview.params["association_id"],
    )


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


EXPORT = "export"
EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def queue_export(*, actor, kind: str, association, file_format: str):
    """Queue a pseudonymised registry export (``finsam export`` from the web)."""
    from finsam.interchange.formats import FORMATS
    from finsam.jobs.services import job_enqueue

    where = f" för {association.name}" if association is not None else ""
    return job_enqueue(
        actor=actor,
        kind=EXPORT,
        title=f"Export av {FORMATS[kind].label.lower()}{where}"[:200],
        handler="finsam.interchange.jobs.run_export",
        params={
            "kind": kind,
            "association_id": association.pk if association is not None else None,
            "format": file_format,
        },
        association_id=association.pk if association is not None else None,
    )


def run_export(job, progress) -> dict:
    """Write the export to the job's directory (the exporter checks the orderer's rights and
    audits the export in one transaction with the file, so a refused export wrote nothing)."""
    from finsam.domain.problems import DomainValidationError, Problem
    from finsam.interchange.exporters import ExportDenied, export_file
    from finsam.jobs.runner import job_dir

    params = job.params
    association = None
    if params.get("association_id") is not None:
        association = registry_selectors.association_by_pk(params["association_id"])
        if association is None:
            raise DomainValidationError(
                [Problem("association", "missing", "Förbundet finns inte.")]
            )
    fmt = params["format"]
    name = f"export.{fmt}"
    path = job_dir(job.pk) / name
    progress(10, "Skriver exportfilen")
    try:
        result = export_file(params["kind"], path, user=job.user, association=association)
    except ExportDenied as exc:
        path.unlink(missing_ok=True)
        raise DomainValidationError([Problem("kind", "export.denied", str(exc))]) from None
    except BaseException:
        path.unlink(missing_ok=True)  # no half-written file stays behind
        raise
    stem = params["kind"] + (f"-{association.code}" if association is not None else "")
    return {
        "summary": f"{result.rows} rader exporterade.",
        "rows": result.rows,
        "files": [
            {
                "label": "CSV" if fmt == "csv" else "Excel (xlsx)",
                "file": name,
                "file_name": f"{stem}.{fmt}",
                "content_type": EXPORT_TYPES[fmt],
            }
        ],
    }
