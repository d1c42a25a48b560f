"""Reads of background jobs: a user sees only the jobs they ordered."""

from __future__ import annotations

from django.db.models import QuerySet

from finsam.jobs.models import Job


def job_for(user, job_id) -> Job | None:
    """The job if ``user`` ordered it (else ``None``: other users' jobs do not exist for them)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Job.objects.filter(pk=job_id, user=user).first()


def jobs_of(user, limit: int = 50) -> QuerySet[Job]:
    return Job.objects.filter(user=user).order_by("-created_at")[:limit]
