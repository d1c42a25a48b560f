"""Deviation report pages: the list, the file-a-report form, the detail page with the action
log (and the preparatory group's forms), and the report page with downloads.

Views are thin: check permission, call a form, then a service or selector, render.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from finsam.access.permissions import can, require
from finsam.deviations import charts, forms, selectors, services
from finsam.domain import deviations as core
from finsam.domain.access import Action
from finsam.domain.problems import DomainValidationError
from finsam.domain.protection import ProtectionRule
from finsam.registry.models import Association
from finsam.web import outputs

FORMATS = ("csv", "xlsx", "pdf")


def _labels(report):
    return _labels_from(report, selectors.category_labels())


# --- list ---------------------------------------------------------------------------------------


def deviation_list(request):
    require(request.user, Action.VIEW_DEVIATIONS)
    associations = list(selectors.viewable_associations(request.user))
    labels = selectors.category_labels()
    form = forms.ListFilterForm(
        request.GET or None,
        associations=associations,
        categories=list(labels.items()),
    )
    filters = {}
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        association = None
        if d["association"]:
            association = next((a for a in associations if str(a.pk) == d["association"]), None)
        filters = {
            "association": association,
            "status": d["status"],
            "category": d["category"],
            "organisation_kind": d["organisation_kind"],
            "start": d["start"],
            "end": d["end"],
        }
    reports = list(selectors.deviation_list(request.user, **filters)[:500])
    rows = [{"report": r, **_labels_from(r, labels)} for r in reports]
    return render(
        request,
        "deviations/list.html",
        {
            "form": form,
            "rows": rows,
            "can_file": can(request.user, Action.FILE_DEVIATION),
            "can_statistics": can(request.user, Action.VIEW_DEVIATION_STATISTICS),
        },
    )


def _labels_from(report, labels):
    return {
        "category": labels.get(report.category, report.category),
        "status": gettext(core.STATUS_LABELS[report.state]),
    }


# --- file a report ------------------------------------------------------------------------------


def deviation_start(request):
    """Which association? Straight to the form when the user files for exactly one."""
    require(request.user, Action.FILE_DEVIATION)
    associations = list(selectors.filing_associations(request.user))
    if len(associations) == 1:
        return redirect("deviation_new", associations[0].pk)
    return render(request, "deviations/start.html", {"associations": associations})


@require_http_methods(["GET", "POST"])
def deviation_new(request, pk):
    association = get_object_or_404(Association, pk=pk)
    require(request.user, Action.FILE_DEVIATION, association=association)
    today = timezone.localdate()
    form = forms.DeviationForm(
        request.POST or None,
        initial={"report_date": today},
        association=association,
        categories=selectors.category_choices(on=today),
    )
    if request.method == "POST" and form.is_valid():
        try:
            report = services.deviation_file(
                actor=request.user,
                association=association,
                data=form.report_input(),
                today=today,
            )
        except DomainValidationError as exc:
            form.apply_problems(exc.problems)
        else:
            messages.success(
                request, gettext("%(report)s är registrerad. Tack!") % {"report": report}
            )
            if can(request.user, Action.VIEW_DEVIATIONS, association=association):
                return redirect("deviation_detail", report.pk)
            return redirect("deviation_list")
    return render(
        request,
        "deviations/new.html",
        {"form": form, "association": association},
    )


# --- detail and the preparatory group's work ----------------------------------------------------


def _detail_context(request, report, **bound):
    handle = can(request.user, Action.HANDLE_DEVIATIONS, association=report.association)
    events = core.allowed_events(report.status)
    association = report.association
    today = timezone.localdate()
    context = {
        "report": report,
        **_labels(report),
        "organisations": list(report.organisations.all()),
        "actions": list(report.actions.select_related("organisation")),
        "can_handle": handle,
    }
    if handle:
        if core.Event.CLASSIFY in events:
            context["classify_form"] = bound.get("classify_form") or forms.ClassifyForm(
                initial={"category": report.category, "owner": report.owner_id},
                association=association,
                categories=selectors.category_choices(on=report.report_date),
            )
        if core.Event.RECORD_ACTION in events:
            context["action_form"] = bound.get("action_form") or forms.ActionForm(
                initial={"action_date": today}, association=association
            )
        if core.Event.CLOSE in events:
            context["close_form"] = bound.get("close_form") or forms.CloseForm(
                initial={"closed_date": today}
            )
    return context


def deviation_detail(request, pk):
    report = selectors.deviation_get(request.user, pk)
    return render(request, "deviations/detail.html", _detail_context(request, report))


def _handled(request, pk):
    report = selectors.deviation_get(request.user, pk)
    require(request.user, Action.HANDLE_DEVIATIONS, association=report.association)
    return report


def _after(request, report, form_name, form, call):
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except DomainValidationError as exc:
            form.apply_problems(exc.problems)
        else:
            return redirect("deviation_detail", report.pk)
    report.refresh_from_db()
    return render(
        request,
        "deviations/detail.html",
        _detail_context(request, report, **{form_name: form}),
        status=400,
    )


@require_POST
def deviation_classify(request, pk):
    report = _handled(request, pk)
    form = forms.ClassifyForm(
        request.POST,
        association=report.association,
        categories=selectors.category_choices(on=report.report_date),
    )
    return _after(
        request,
        report,
        "classify_form",
        form,
        lambda d: services.deviation_classify(
            actor=request.user, report=report, category=d["category"], owner_id=d["owner"]
        ),
    )


@require_POST
def deviation_action(request, pk):
    report = _handled(request, pk)
    form = forms.ActionForm(request.POST, association=report.association)
    return _after(
        request,
        report,
        "action_form",
        form,
        lambda d: services.deviation_action_add(
            actor=request.user,
            report=report,
            action_date=d["action_date"],
            text=d["text"],
            organisation_id=d["organisation"] or None,
        ),
    )


@require_POST
def deviation_close(request, pk):
    report = _handled(request, pk)
    form = forms.CloseForm(request.POST)
    return _after(
        request,
        report,
        "close_form",
        form,
        lambda d: services.deviation_close(
            actor=request.user,
            report=report,
            closed_date=d["closed_date"],
            closing_note=d["closing_note"],
        ),
    )


# --- statistics ---------------------------------------------------------------------------------


def _rule() -> ProtectionRule:
    return ProtectionRule.for_threshold(settings.FINSAM_PROTECTION_THRESHOLD)


def deviation_statistics(request):
    require(request.user, Action.VIEW_DEVIATION_STATISTICS)
    fmt = request.GET.get("format", "")
    if fmt and fmt not in FORMATS:
        raise Http404(gettext("Okänt format"))
    associations = list(selectors.statistics_associations(request.user))
    national = selectors.may_see_national(request.user)
    if not associations and not national:
        raise PermissionDenied(
            gettext("Du har inte behörighet att se avvikelser för något förbund.")
        )
    today = timezone.localdate()
    asked = request.GET.get("scope", "")
    allowed = {str(a.pk) for a in associations} | ({forms.NATIONAL} if national else set())
    if asked and asked not in allowed:
        raise PermissionDenied(
            gettext("Du har inte behörighet att se avvikelser för det förbundet.")
        )
    if "scope" in request.GET:
        data = request.GET
    else:
        data = {
            "scope": forms.NATIONAL if national else str(associations[0].pk),
            "period_type": core.PeriodType.QUARTER.value,
            "start": date(today.year - 1, 1, 1).isoformat(),
            "end": today.isoformat(),
        }
    form = forms.StatisticsForm(data, associations=associations, national=national)
    context = {"form": form, "today": today}
    if not form.is_valid():
        return render(request, "deviations/statistics.html", context)
    d = form.cleaned_data
    association = None
    if d["scope"] != forms.NATIONAL:
        association = next(a for a in associations if str(a.pk) == d["scope"])
    protected = not selectors.unprotected_for(request.user, association)
    labels = selectors.category_labels()
    summary = core.summarise(
        selectors.facts(association),
        categories=selectors.all_category_codes(),
        period_type=d["period_type"],
        start=d["start"],
        end=d["end"],
        protected=protected,
        rule=_rule(),
    )
    context.update(
        {
            "association": association,
            "scope_label": association.name if association else gettext("Hela landet"),
            "protected": protected,
            "summary": summary,
            "protection_note": " ".join(summary.notes),
            "category_rows": [(labels.get(c, c), v) for c, v in summary.category_rows()],
            "period_rows": summary.period_rows(),
            "pair_rows": [(f"{a} – {b}", v) for (a, b), v in summary.pair_rows()],
            "total": summary.render(("total",)),
            "open_count": summary.render(("open",)),
            "closed_count": summary.render(("closed",)),
            "median": summary.render(("closure", "median")),
            "mean": summary.render(("closure", "mean")),
            "open_items": (
                selectors.open_items(association, today=today, start=d["start"], end=d["end"])
                if association is not None and not protected
                else None
            ),
            "start": d["start"],
            "end": d["end"],
            "period_label": core.PERIOD_LABELS[core.PeriodType(d["period_type"])],
        }
    )
    filename = f"avvikelser-{association.code if association else 'riket'}-{d['start']}-{d['end']}"
    if fmt == "csv":
        return outputs.csv_response(*_csv_table(context), f"{filename}.csv")
    if fmt == "xlsx":
        return outputs.xlsx_response(_workbook(context, summary, labels), f"{filename}.xlsx")
    chart = charts.category_chart(summary, labels)
    context["chart_svg"] = outputs.chart_svg(chart) if chart is not None else ""
    if fmt == "pdf":
        context["base_template"] = "includes/pdf_base.html"
        return outputs.pdf_response(
            "deviations/statistics.html", context, f"{filename}.pdf", request=request
        )
    query = QueryDict(mutable=True)
    query.update(data)
    query.pop("format", None)
    context["downloads"] = [{"format": f, "url": f"?{_with(query, format=f)}"} for f in FORMATS]
    return render(request, "deviations/statistics.html", context)


def _with(query, **kw):
    q = query.copy()
    for k, v in kw.items():
        q[k] = v
    return q.urlencode()


def _rows(ctx) -> list[list[str]]:
    rows = [[gettext("Kategori"), label, value] for label, value in ctx["category_rows"]]
    rows += [[ctx["period_label"], key, value] for key, value in ctx["period_rows"]]
    rows += [[gettext("Organisationspar"), label, value] for label, value in ctx["pair_rows"]]
    rows += [
        [gettext("Totalt"), gettext("Avvikelser"), ctx["total"]],
        [gettext("Status"), gettext("Öppna"), ctx["open_count"]],
        [gettext("Status"), gettext("Avslutade"), ctx["closed_count"]],
        [gettext("Tid till avslut (dagar)"), gettext("Median"), ctx["median"]],
        [gettext("Tid till avslut (dagar)"), gettext("Medelvärde"), ctx["mean"]],
    ]
    return rows


def _csv_table(ctx):
    return ["tabell", "rad", "antal"], _rows(ctx)


def _number(text: str):
    """A shown cell as a number for xlsx (the protection symbol and blanks stay text)."""
    try:
        return float(text.replace(",", ".")) if "," in text else int(text)
    except ValueError:
        return text


def _workbook(ctx, summary, labels) -> bytes:
    sheets = {
        "Kategorier": (
            ["kategori", "antal"],
            [[label, _number(v)] for label, v in ctx["category_rows"]],
        ),
        "Perioder": (
            [ctx["period_label"].lower(), "antal"],
            [[key, _number(v)] for key, v in ctx["period_rows"]],
        ),
        "Organisationspar": (
            ["par", "antal"],
            [[label, _number(v)] for label, v in ctx["pair_rows"]],
        ),
        "Sammanfattning": (["mått", "värde"], [[r[1], _number(r[2])] for r in _rows(ctx)[-5:]]),
    }
    if ctx["open_items"] is not None:
        sheets["Öppna ärenden"] = (
            [
                "nr",
                "datum",
                "kategori",
                "status",
                "ansvarig",
                gettext("dagar öppen"),
                gettext("senaste åtgärd"),
            ],
            [
                [
                    i["report"].pk,
                    i["report"].report_date.isoformat(),
                    i["category"],
                    i["status"],
                    str(i["report"].owner or ""),
                    i["age_days"],
                    i["last_action"].isoformat() if i["last_action"] else "",
                ]
                for i in ctx["open_items"]
            ],
        )
    notes = [
        gettext("Avvikelser (Lex Heller) för %(ctx)s, %(ctx2)s – %(ctx3)s.")
        % {"ctx": ctx["scope_label"], "ctx2": ctx["start"], "ctx3": ctx["end"]},
        gettext(
            "Organisationspar: varje oordnat par av inblandade organisationer; "
            "en avvikelse med tre "
            "organisationer räknas i tre par. Par räknas inte ihop till totalen."
        ),
        gettext(
            "Tid till avslut: dagar från avvikelsens datum till avslutsdatum "
            "(avslutade avvikelser)."
        ),
    ]
    if ctx["protection_note"]:
        notes.append(ctx["protection_note"])
    return outputs.xlsx_workbook(sheets, notes=notes)
