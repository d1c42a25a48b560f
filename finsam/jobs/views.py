"""The job pages: one page per job with its progress (the page reloads itself while the job
runs: ``<meta http-equiv="refresh">``, no script) and the result when done; the user's jobs."""

from __future__ import annotations

from pathlib import Path

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.template.loader import select_template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from finsam.jobs import selectors
from finsam.jobs.runner import current_progress, job_dir

REFRESH_SECONDS = 2


def job_detail(request, pk):
    job = selectors.job_for(request.user, pk)
    if job is None:
        raise Http404(gettext("Jobbet finns inte."))
    progress, message = current_progress(job)
    result_template = select_template([f"jobs/result_{job.kind}.html", "jobs/result.html"])
    return render(
        request,
        "jobs/detail.html",
        {
            "job": job,
            "progress": progress,
            "progress_message": message,
            "refresh": None if job.finished else REFRESH_SECONDS,
            "result_template": result_template.template.name,
            "result": job.result,
            "result_html": _result_html(job),
            "files": [{**f, "n": n} for n, f in enumerate(job.result.get("files", []))]
            if job.status == job.Status.DONE
            else [],
        },
    )


def _result_html(job):
    """The result page part the job rendered (with Finsam's own, autoescaping templates)."""
    name = job.result.get("html") if job.status == job.Status.DONE else None
    if not name:
        return ""
    path = job_dir(job.pk) / Path(name).name
    return mark_safe(path.read_text(encoding="utf-8")) if path.is_file() else ""


def job_file(request, pk, n):
    """File number ``n`` a finished job produced (``result["files"]``, in the job's directory)."""
    job = selectors.job_for(request.user, pk)
    files = job.result.get("files", []) if job is not None and job.status == job.Status.DONE else []
    if n >= len(files):
        raise Http404
    entry = files[n]
    path = job_dir(job.pk) / Path(entry["file"]).name
    if not path.is_file():
        raise Http404(gettext("Filen finns inte längre."))
    return FileResponse(
        open(path, "rb"),
        as_attachment=True,
        filename=entry.get("file_name") or path.name,
        content_type=entry.get("content_type") or "application/octet-stream",
    )


def job_list(request):
    return render(request, "jobs/list.html", {"jobs": selectors.jobs_of(request.user)})
