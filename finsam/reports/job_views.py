"""Report work the user orders as a background job: the rebuild of the columnar copy
(``finsam report-extract`` from the web, :mod:`finsam.reports.jobs`)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from finsam.access.permissions import require
from finsam.domain.access import Action
from finsam.reports import jobs, runner


@require_POST
def extract_rebuild(request):
    """Queue the rebuild (only for a user who reports on every association: the copy is the
    whole registry's)."""
    require(request.user, Action.VIEW_REPORTS)
    if not runner.reports_everything(request.user):
        raise PermissionDenied("Bara den som ser rapporter för alla förbund kan bygga om kopian.")
    job = jobs.queue_extract(actor=request.user)
    return redirect("job_detail", pk=job.pk)
