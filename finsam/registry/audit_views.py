"""The audit for the controller: the association administrator's own association, the system
administrator's all; readable columns on the page and in the csv/xlsx export. (A registry page:
it filters by interventions and participants; the log itself is ``finsam.audit``.)"""

from __future__ import annotations

import io
from datetime import date

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from finsam.audit import readable
from finsam.audit.models import LogType
from finsam.audit.selectors import AuditFilter
from finsam.audit.services import audit_record
from finsam.domain import safe_cells
from finsam.domain.problems import DomainValidationError
from finsam.registry import audit as registry_audit

FILTER_KEYS = ("fran", "till", "anvandare", "handelse", "typ", "insats", "deltagare")


def _date(value: str, field: str, problems: dict) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems[field] = gettext("Ange datumet som ÅÅÅÅ-MM-DD.")
        return None


def _int(value: str) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None


def _filter_from(request, allowed_interventions) -> tuple[AuditFilter, dict]:
    g = request.GET
    problems: dict[str, str] = {}
    f = AuditFilter(
        date_from=_date(g.get("fran", ""), "fran", problems),
        date_to=_date(g.get("till", ""), "till", problems),
        user=g.get("anvandare", "").strip()[:150],
        action=g.get("handelse", "") if g.get("handelse", "") in readable.ACTION_LABELS else "",
        log_type=g.get("typ", "") if g.get("typ", "") in LogType.values else "",
        intervention_id=_int(g.get("insats", "")),
        participant_id=_int(g.get("deltagare", "")),
    )
    if f.date_from and f.date_to and f.date_to < f.date_from:
        problems["till"] = gettext("Slutdatum får inte vara före startdatum.")
    if f.intervention_id and f.intervention_id not in allowed_interventions:
        f.intervention_id = None
    return f, problems


@require_http_methods(["GET", "POST"])
def audit_list(request):
    qs = registry_audit.visible_audit(request.user)
    interventions = list(registry_audit.interventions_for_filter(request.user))
    search_problem = ""
    if request.method == "POST":
        try:
            pid = registry_audit.participant_search(
                actor=request.user, personal_number=request.POST.get("personnummer", "")
            )
        except DomainValidationError as exc:
            search_problem = exc.problems[0].message
        else:
            params = {k: request.GET[k] for k in FILTER_KEYS if request.GET.get(k)}
            params["deltagare"] = pid if pid else 0
            return redirect(f"{reverse('audit_list')}?{urlencode(params)}")
    f, problems = _filter_from(request, {i.pk for i in interventions})
    participant_requested = request.GET.get("deltagare", "") != ""
    # searched by identity number and nobody found: no rows
    rows_qs = registry_audit.audit_rows(
        qs, f, nobody=participant_requested and not f.participant_id
    )
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx") and not problems:
        return _export(request, rows_qs, fmt)
    page = Paginator(rows_qs, 50).get_page(request.GET.get("sida"))
    params = {k: request.GET[k] for k in FILTER_KEYS if request.GET.get(k)}
    return render(
        request,
        "audit/list.html",
        {
            "page": page,
            "rows": readable.readable_rows(page.object_list),
            "log_types": LogType.choices,
            "actions": readable.action_choices(),
            "interventions": interventions,
            "values": request.GET,
            "problems": problems,
            "search_problem": search_problem,
            "participant_requested": participant_requested,
            "participant_found": bool(f.participant_id),
            "query": urlencode(params),
        },
    )


def _export(request, qs, fmt: str) -> HttpResponse:
    rows = []
    for start in range(0, qs.count(), 2000):
        rows += readable.readable_rows(qs[start : start + 2000])
    filters = {k: request.GET[k] for k in FILTER_KEYS if request.GET.get(k)}
    audit_record(
        actor=request.user,
        log_type=LogType.EXPORT,
        action="audit_export",
        summary=f"{len(rows)} rader",
        changes={"format": fmt, "rows": len(rows), "filters": filters},
    )
    headers = [label for _key, label in readable.COLUMNS]
    keys = [key for key, _label in readable.COLUMNS]
    if fmt == "xlsx":
        buffer = io.BytesIO()
        wb = safe_cells.workbook(buffer, {"in_memory": True})
        ws = wb.add_worksheet(gettext("Granskningslogg"))
        bold = wb.add_format({"bold": True})
        ws.write_row(0, 0, headers, bold)
        for n, row in enumerate(rows, start=1):
            for c, key in enumerate(keys):
                value = row[key]
                if isinstance(value, int):
                    ws.write_number(n, c, value)
                else:
                    ws.write_string(n, c, str(value or ""))  # text, never a formula
        ws.freeze_panes(1, 0)
        ws.set_column(1, 1, 26)
        ws.set_column(4, 7, 40)
        wb.close()
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="granskningslogg.xlsx"'
        return response
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="granskningslogg.csv"'
    response.write("\ufeff")
    writer = safe_cells.writer(response, delimiter=";")  # a cell can never evaluate (OWASP)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if row[key] is None else row[key] for key in keys])
    return response
