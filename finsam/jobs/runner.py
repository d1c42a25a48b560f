"""Running a job in the worker: status, progress, result and a Swedish message on failure."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from finsam.domain.problems import DomainValidationError
from finsam.jobs.models import Job

logger = logging.getLogger(__name__)

FAILED_MESSAGE = (
    "Jobbet misslyckades på grund av ett oväntat fel och ingenting har ändrats. Försök igen; "
    "om felet kvarstår, kontakta systemadministratören (felet finns i arbetarens logg)."
)


def job_dir(job_id) -> Path:
    """The job's own directory below ``FINSAM_JOB_DIR`` (uploads, results, progress)."""
    path = Path(settings.FINSAM_JOB_DIR) / str(job_id)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _progress_file(job_id) -> Path:
    return job_dir(job_id) / "progress.json"


def report_progress(job_id, percent: int, message: str = "") -> None:
    """Record how far a job has come. Inside a transaction (an import is one transaction, all or
    nothing) another process cannot see a row update, so the progress then goes to a small file
    in the job's directory that the job page reads; outside, to the job row as well."""
    percent = max(0, min(100, int(percent)))
    data = {"progress": percent, "message": message[:300]}
    path = _progress_file(job_id)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)
    if not connection.in_atomic_block:
        Job.objects.filter(pk=job_id).update(progress=percent, progress_message=message[:300])


def current_progress(job: Job) -> tuple[int, str]:
    """The latest progress of a job (the row or, while it runs, the progress file)."""
    if job.status == Job.Status.RUNNING:
        try:
            data = json.loads(_progress_file(job.pk).read_text(encoding="utf-8"))
            if data["progress"] >= job.progress:
                return int(data["progress"]), str(data["message"])
        except (OSError, ValueError, KeyError):
            pass
    return job.progress, job.progress_message


def execute(job_id: str) -> None:
    """Run the job once: queued → running → done or failed (never raises)."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != Job.Status.QUEUED:
            return
        job.status = Job.Status.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
    try:
        handler = import_string(job.handler)
        result = handler(job, lambda p, m="": report_progress(job.pk, p, m))
    except DomainValidationError as exc:
        _finish(job, Job.Status.FAILED, error="; ".join(p.message for p in exc.problems))
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(job, Job.Status.FAILED, error=FAILED_MESSAGE)
    else:
        result = result or {}
        if result.get("failed"):  # the work refused its input and kept nothing
            _finish(job, Job.Status.FAILED, result=result, error=result["failed"])
        else:
            _finish(job, Job.Status.DONE, result=result)


def _finish(job: Job, status: str, *, result=None, error: str = "") -> None:
    job.status = status
    job.finished_at = timezone.now()
    job.error = error
    if result is not None:
        job.result = result
    if status == Job.Status.DONE:
        job.progress, job.progress_message = 100, "Klart"
    job.save(
        update_fields=["status", "finished_at", "error", "result", "progress", "progress_message"]
    )
