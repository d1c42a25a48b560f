"""Queueing a job (the only writer of ``jobs.Job`` besides the worker's runner)."""

from __future__ import annotations

from django.db import transaction

from finsam.audit.services import audit_change
from finsam.jobs.models import Job
from finsam.jobs.runner import job_dir
from finsam.jobs.tasks import run_job


def job_enqueue(
    *,
    actor,
    kind: str,
    title: str,
    handler: str,
    params: dict | None = None,
    association_id: int | None = None,
    upload=None,
    upload_name: str = "upload",
    job_id=None,
) -> Job:
    """Create a job and put it in the queue. ``upload`` (a Django uploaded file) is stored in the
    job's directory first; its path is ``params["path"]``. ``job_id``: the id, when the caller
    has already put files into the job's directory (:func:`~finsam.jobs.runner.job_dir`).
    The job row is committed before the task is queued, so a worker in another process always
    finds it."""
    job = Job(
        **({"pk": job_id} if job_id is not None else {}),
        kind=kind,
        title=title,
        handler=handler,
        params=dict(params or {}),
        user=actor if getattr(actor, "pk", None) else None,
    )
    if upload is not None:
        path = job_dir(job.pk) / upload_name
        with open(path, "wb") as fh:
            for block in upload.chunks():
                fh.write(block)
        job.params["path"] = str(path)
    with transaction.atomic():
        job.save()
        audit_change(
            actor=actor,
            action="job_enqueue",
            obj=job,
            association_id=association_id,
            summary=title,
        )
    result = run_job.enqueue(str(job.pk))
    Job.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


def job_rekind(job: Job, *, kind: str, to: str) -> bool:
    """Change ``job``'s kind from ``kind`` to ``to`` in one atomic update (e.g. spend an import
    preview); ``False`` when it no longer has kind ``kind`` (another request was first)."""
    return bool(Job.objects.filter(pk=job.pk, kind=kind).update(kind=to))
