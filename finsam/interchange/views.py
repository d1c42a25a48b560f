"""Web import for association administrators: upload → dry-run preview with the error report →
confirm → import. The same importer as ``finsam import`` (IMPORT_DATA on the association).

The upload is stored in the data directory and both the dry run and the import run as background
jobs (``finsam.jobs``); the request only queues them and sends the user to the job's page."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from finsam.access.permissions import can, require
from finsam.domain.access import Action
from finsam.interchange.formats import FORMATS
from finsam.interchange.forms import ExportForm, ImportForm
from finsam.interchange.jobs import (
    IMPORT,
    PREVIEW,
    PREVIEW_USED,
    queue_export,
    queue_import,
    queue_preview,
)
from finsam.jobs import selectors as job_selectors
from finsam.jobs.models import Job
from finsam.registry import selectors as registry_selectors


def _preview_job(request, job_id) -> tuple[Job, object]:
    """The user's own finished preview job whose file is still there, and its association."""
    job = job_selectors.job_for(request.user, job_id)
    if job is None or job.kind != PREVIEW or job.status != Job.Status.DONE:
        raise Http404(gettext("Importen finns inte längre; ladda upp filen igen."))
    if not Path(job.params.get("path", "")).is_file():
        raise Http404(gettext("Importen finns inte längre; ladda upp filen igen."))
    association = registry_selectors.association_by_pk(job.params["association_id"])
    if association is None:
        raise Http404
    require(request.user, Action.IMPORT_DATA, association=association)
    return job, association


@require_http_methods(["GET", "POST"])
def import_upload(request):
    require(request.user, Action.IMPORT_DATA)
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        association = form.cleaned_data["association"]
        require(request.user, Action.IMPORT_DATA, association=association)
        job = queue_preview(
            actor=request.user,
            association=association,
            kind=form.cleaned_data["kind"],
            upload=form.cleaned_data["file"],
        )
        return redirect("job_detail", pk=job.pk)
    return render(request, "interchange/upload.html", {"form": form, "formats": FORMATS})


def import_report(request, job_id):
    job = job_selectors.job_for(request.user, job_id)
    if job is None or job.kind not in (PREVIEW, PREVIEW_USED, IMPORT) or not job.finished:
        raise Http404
    report = Path(job.params.get("path", "")).with_suffix(".report.csv")
    if not report.is_file():
        raise Http404
    response = HttpResponse(
        report.read_text(encoding="utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="felrapport.csv"'
    return response


@require_POST
def import_confirm(request, job_id):
    preview, _ = _preview_job(request, job_id)
    if not preview.result.get("ok"):
        raise Http404(gettext("Filen har fel och kan inte importeras."))
    job = queue_import(actor=request.user, preview=preview)
    if job is None:
        raise Http404
    return redirect("job_detail", pk=job.pk)


def _may_export(user) -> bool:
    return can(user, Action.VIEW_ASSOCIATION) or can(user, Action.EXPORT_MICRODATA)


@require_http_methods(["GET", "POST"])
def export_start(request):
    """``finsam export`` from the web: a registry file (pseudonymised) written by a background
    job; the job's page offers the file."""
    if not _may_export(request.user):
        raise PermissionDenied("Du har inte behörighet att exportera uppgifter.")
    form = ExportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if d["association"] is not None:
            require(request.user, Action.VIEW_ASSOCIATION, association=d["association"])
        job = queue_export(
            actor=request.user,
            kind=d["kind"],
            association=d["association"],
            file_format=d["file_format"],
        )
        return redirect("job_detail", pk=job.pk)
    return render(request, "interchange/export.html", {"form": form, "formats": FORMATS})
