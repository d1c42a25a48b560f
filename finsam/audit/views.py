import csv

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from finsam.audit.models import AuditLog, LogType
from finsam.audit.services import audit_record

EXPORT_COLUMNS = [
    "id",
    "at",
    "actor_label",
    "log_type",
    "action",
    "object_type",
    "object_id",
    "association_id",
    "summary",
    "reason",
    "changes",
]


def audit_list(request):
    """The audit log for the system administrator, filterable and exportable as CSV.

    Permission (``VIEW_AUDIT``) is checked where the URL is wired (``web/urls.py``,
    ``access.permissions.requires``): the audit app sits below ``access`` in the layers."""
    qs = AuditLog.objects.all()
    log_type = request.GET.get("typ", "")
    actor = request.GET.get("anvandare", "").strip()
    if log_type in LogType.values:
        qs = qs.filter(log_type=log_type)
    if actor:
        qs = qs.filter(actor_label__icontains=actor)
    if request.GET.get("format") == "csv":
        audit_record(
            actor=request.user,
            log_type=LogType.EXPORT,
            action="audit_export",
            summary=f"{qs.count()} rader",
        )
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="granskningslogg.csv"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow(EXPORT_COLUMNS)
        for row in qs.values_list(*EXPORT_COLUMNS).iterator():
            writer.writerow(row)
        return response
    page = Paginator(qs, 50).get_page(request.GET.get("sida"))
    return render(
        request,
        "audit/list.html",
        {
            "page": page,
            "log_types": LogType.choices,
            "typ": log_type,
            "anvandare": actor,
        },
    )
