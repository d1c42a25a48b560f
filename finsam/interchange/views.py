"""Web import for association administrators: upload → dry-run preview with the error report →
confirm → import. The same importer as ``finsam import`` (IMPORT_DATA on the association).

The upload is stored in the data directory and both the dry run and the import run as background
jobs (``finsam.jobs``); the request only queues them and sends the user to the job's page."""

from __future__ import annotations

from pathlib import Path

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from finsam.access.permissions import require
from finsam.domain.access import Action
from finsam.interchange.formats import FORMATS
from finsam.interchange.forms import ImportForm
from finsam.jobs import selectors as job_selectors
from finsam.jobs.models import Job
from finsam.jobs.services import job_enqueue
from finsam.registry import selectors as registry_selectors

PREVIEW = "import_preview"
PREVIEW_USED = "import_preview_used"
"""A preview whose import has been queued (a preview is confirmed once)."""
IMPORT = "import"


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
        upload = form.cleaned_data["file"]
        kind = form.cleaned_data["kind"]
        suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
        job = job_enqueue(
            actor=request.user,
            kind=PREVIEW,
            title=gettext("Kontroll av %(name)s (%(label)s)")
            % {"name": upload.name[:120], "label": FORMATS[kind].label},
            handler="finsam.interchange.jobs.run_preview",
            params={"kind": kind, "association_id": association.pk, "file_name": upload.name},
            association_id=association.pk,
            upload=upload,
            upload_name=f"upload{suffix}",
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
    preview, association = _preview_job(request, job_id)
    if not preview.result.get("ok"):
        raise Http404(gettext("Filen har fel och kan inte importeras."))
    # One import per preview: spend the preview before queueing (a second click finds nothing).
    if not Job.objects.filter(pk=preview.pk, kind=PREVIEW).update(kind=PREVIEW_USED):
        raise Http404
    job = job_enqueue(
        actor=request.user,
        kind=IMPORT,
        title=gettext("Import av %(params)s") % {"params": preview.params["file_name"][:120]},
        handler="finsam.interchange.jobs.run_import",
        params={**preview.params, "preview": str(preview.pk)},
        association_id=association.pk,
    )
    return redirect("job_detail", pk=job.pk)
