"""Web import for association administrators: upload → dry-run preview with the error report →
confirm → import. The same importer as ``finsam import`` (IMPORT_DATA on the association)."""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from finsam.access.permissions import require
from finsam.domain.access import Action
from finsam.interchange.formats import FORMATS
from finsam.interchange.forms import ImportForm
from finsam.interchange.importers import import_file
from finsam.interchange.report import report_csv, report_rows
from finsam.registry import selectors as registry_selectors

SESSION_KEY = "finsam_imports"


def _upload_dir() -> Path:
    path = Path(settings.DATA_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _pending(request, token: str) -> dict:
    pending = request.session.get(SESSION_KEY, {}).get(token)
    if not pending or not Path(pending["path"]).is_file():
        raise Http404("Importen finns inte längre; ladda upp filen igen.")
    association = registry_selectors.association_by_pk(pending["association_id"])
    if association is None:
        raise Http404
    require(request.user, Action.IMPORT_DATA, association=association)
    return {**pending, "association": association}


@require_http_methods(["GET", "POST"])
def import_upload(request):
    require(request.user, Action.IMPORT_DATA)
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        association = form.cleaned_data["association"]
        require(request.user, Action.IMPORT_DATA, association=association)
        upload = form.cleaned_data["file"]
        token = secrets.token_urlsafe(16)
        suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
        path = _upload_dir() / f"{token}{suffix}"
        with open(path, "wb") as fh:
            for block in upload.chunks():
                fh.write(block)
        kind = form.cleaned_data["kind"]
        result = import_file(
            kind,
            path,
            actor=request.user,
            association=association,
            dry_run=True,
            file_name=upload.name,
        )
        path.with_suffix(".report.csv").write_text(report_csv(result), encoding="utf-8")
        pending = request.session.get(SESSION_KEY, {})
        pending[token] = {
            "path": str(path),
            "kind": kind,
            "association_id": association.pk,
            "file_name": upload.name,
        }
        request.session[SESSION_KEY] = pending
        return render(
            request,
            "interchange/preview.html",
            {
                "result": result,
                "rows": report_rows(result)[:500],
                "token": token,
                "association": association,
                "format": FORMATS[kind],
            },
        )
    return render(request, "interchange/upload.html", {"form": form, "formats": FORMATS})


def import_report(request, token):
    pending = _pending(request, token)
    report = Path(pending["path"]).with_suffix(".report.csv")
    response = HttpResponse(
        report.read_text(encoding="utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="felrapport.csv"'
    return response


@require_POST
def import_confirm(request, token):
    pending = _pending(request, token)
    path = Path(pending["path"])
    result = import_file(
        pending["kind"],
        path,
        actor=request.user,
        association=pending["association"],
        file_name=pending["file_name"],
    )
    if not result.ok:  # the data changed since the preview
        path.with_suffix(".report.csv").write_text(report_csv(result), encoding="utf-8")
        return render(
            request,
            "interchange/preview.html",
            {
                "result": result,
                "rows": report_rows(result)[:500],
                "token": token,
                "association": pending["association"],
                "format": FORMATS[pending["kind"]],
            },
        )
    path.unlink(missing_ok=True)
    path.with_suffix(".report.csv").unlink(missing_ok=True)
    sessions = request.session.get(SESSION_KEY, {})
    sessions.pop(token, None)
    request.session[SESSION_KEY] = sessions
    messages.success(request, result.summary())
    return redirect("association_detail", pk=pending["association"].pk)
