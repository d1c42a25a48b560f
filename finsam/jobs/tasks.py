"""The one task the queue knows: run a :class:`~finsam.jobs.models.Job` by its id.

The work itself is the job's ``handler`` (a dotted path, e.g.
``finsam.interchange.jobs.run_import``); it gets the job and a ``progress(percent, message)``
callback and returns the result (a JSON-safe dict)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_job(job_id: str) -> None:
    from finsam.jobs.runner import execute

    execute(job_id)
