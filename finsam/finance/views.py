"""Finance pages: the budget of an association-year (read for everyone who may see the
association, edit for its administrator), and the national allocation and merger models.

Views are thin: check permission, call a form, then a service or selector, render.
"""

from __future__ import annotations

import io
from dataclasses import asdict

from django.conf import settings
from django.contrib import messages
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from finsam.access.permissions import can, require
from finsam.domain import tabular
from finsam.domain.access import Action
from finsam.domain.finance import allocation as alloc
from finsam.domain.finance.contributions import MemberBasis
from finsam.domain.finance.merger import MergerMember, simulate_merger
from finsam.domain.problems import DomainValidationError, Problem
from finsam.domain.protection import ProtectionRule
from finsam.finance import charts, forms, selectors, services
from finsam.finance import jobs as finance_jobs
from finsam.finance.models import BudgetLine
from finsam.registry import selectors as registry_selectors
from finsam.registry.models import Association
from finsam.web import outputs

SESSION_KEY = "finance_allocation_input"


# --- budget -------------------------------------------------------------------------------------


def _association(request, pk, action=Action.VIEW_ASSOCIATION) -> Association:
    association = get_object_or_404(Association, pk=pk)
    require(request.user, action, association=association)
    return association


def _year(year: int) -> int:
    if services.check_year(year):
        raise Http404(gettext("Okänt år."))
    return year


@require_http_methods(["GET", "POST"])
def budget_list(request, pk):
    association = _association(request, pk)
    can_edit = can(request.user, Action.EDIT_ASSOCIATION, association=association)
    form = forms.NewYearForm(request.POST or None, initial={"year": timezone.localdate().year + 1})
    if request.method == "POST":
        require(request.user, Action.EDIT_ASSOCIATION, association=association)
        if form.is_valid():
            problems = services.check_year(form.cleaned_data["year"])
            if not problems:
                return redirect("budget_year", association.pk, form.cleaned_data["year"])
            form.apply_problems(problems)
    return render(
        request,
        "finance/budget_list.html",
        {
            "association": association,
            "years": selectors.budget_years(association),
            "can_edit": can_edit,
            "form": form,
        },
    )


def _months(request) -> int | None:
    text = request.GET.get("manader", "")
    if text.isdigit() and 0 <= int(text) <= 12:
        return int(text)
    return None


def _budget_context(request, association, year):
    unprotected = can(request.user, Action.VIEW_UNPROTECTED_REPORTS, association=association)
    overview = selectors.budget_overview(
        association,
        year,
        today=timezone.localdate(),
        months=_months(request),
        rule=None
        if unprotected
        else ProtectionRule.for_threshold(settings.FINSAM_PROTECTION_THRESHOLD),
    )
    return {
        "association": association,
        **overview,
        "lines": selectors.budget_lines(association, year),
        "can_edit": can(request.user, Action.EDIT_ASSOCIATION, association=association),
    }


def budget_year(request, pk, year):
    association = _association(request, pk)
    context = _budget_context(request, association, _year(year))
    fmt = request.GET.get("format", "")
    filename = f"budget-{association.code}-{year}"
    if fmt == "pdf":
        context.update(charts.chart_svgs(context))
        return outputs.pdf_response(
            "finance/budget_pdf.html", context, f"{filename}.pdf", request=request
        )
    if fmt == "xlsx":
        return outputs.xlsx_response(budget_workbook(context), f"{filename}.xlsx")
    context.update(charts.chart_svgs(context))
    return render(request, "finance/budget_year.html", context)


def _v(value):
    return "" if value is None else value


def budget_workbook(ctx) -> bytes:
    """The budget view as a workbook: one sheet per table, definitions last."""
    t = ctx["totals"]
    sheets = {
        "Intäkter": (
            ["finansiär", "benämning", "typ", "budget", "utfall", "prognos"],
            [
                [r["code"], r["label"], r["kind"], r["budget"], _v(r["actual"]), _v(r["forecast"])]
                for r in ctx["resources"]
            ],
        ),
        "Administration": (
            ["kostnadstyp", "benämning", "budget", "utfall", "prognos"],
            [
                [c["code"], c["label"], c["budget"], _v(c["actual"]), _v(c["forecast"])]
                for c in ctx["admin"]
            ],
        ),
        "Insatser": (
            [
                "insats",
                "namn",
                "inriktning",
                "budget",
                "utfall",
                "prognos",
                "ESF-andel",
                "ESF-belopp",
                gettext("planerade deltagare"),
                gettext("deltagare i registret"),
            ],
            [
                [
                    i["code"],
                    i["name"],
                    i["orientation"],
                    i["budget"],
                    _v(i["actual"]),
                    _v(i["forecast"]),
                    i["esf_share"],
                    i["esf_amount"],
                    _v(i["planned_participants"]),
                    _v(i["actual_participants"]),
                ]
                for i in ctx["interventions"]
            ],
        ),
        "Resultat": (
            ["post", "budget", "utfall", "prognos"],
            [
                [label, t["budget"][key], t["actual"][key], t["forecast"][key]]
                for key, label in (
                    ("revenue", gettext("Intäkter (utan eget kapital)")),
                    ("admin", gettext("Administrativa kostnader")),
                    ("interventions", gettext("Insatskostnader")),
                    ("costs", gettext("Kostnader totalt")),
                    ("result", gettext("Resultat")),
                    ("equity_start", gettext("Eget kapital vid årets början")),
                    ("equity_end", gettext("Eget kapital vid årets slut")),
                )
            ],
        ),
    }
    if ctx["ratios"]:
        r = ctx["ratios"]
        sheets["Nyckeltal"] = (
            ["nyckeltal", "budget", "utfall", "prognos"],
            [
                [
                    label,
                    _v(getattr(r["budget"], a)),
                    _v(getattr(r["actual"], a)),
                    _v(getattr(r["forecast"], a)),
                ]
                for a, label in RATIO_LABELS
            ],
        )
    if ctx["plan"]:
        sheets["Medlemsbidrag"] = (
            ["medlemstyp", "kod", "medlem", "belopp", "anmärkning"],
            [
                [m.member_kind, m.organisation_code, m.name, m.amount, m.note]
                for m in ctx["plan"].members
            ],
        )
    sheets["Varningar"] = (["regel", "meddelande"], [[w.rule, w.message] for w in ctx["warnings"]])
    return outputs.xlsx_workbook(
        sheets,
        notes=[
            gettext("Budget för %(name)s %(ctx)s.")
            % {"name": ctx["association"].name, "ctx": ctx["year"]},
            gettext(
                "Prognos efter %(ctx)s månader: utfall hittills + det som "
                "återstår av budgeten (en rad som redan överskridit budgeten behåller utfallet)."
            )
            % {"ctx": ctx["months_elapsed"]},
            gettext("Eget kapital från tidigare år (EK) är finansiering, inte intäkt."),
            "Administrationsandel = administrativa kostnader / alla kostnader.",
            "Kostnad per deltagare = individinriktade insatsers kostnad / deltagare "
            "(planerade för budget, registrets inskrivningar för utfall).",
            gettext("Rekommenderat maximalt eget kapital: ")
            + ctx["equity_recommendation"].source
            + ".",
        ],
    )


RATIO_LABELS = (
    ("administration_share", "Administrationsandel"),
    ("structural_share", "Strukturövergripande andel av insatskostnaderna"),
    ("individual_share", "Individinriktad andel av insatskostnaderna"),
    ("participants", "Deltagare i individinriktade insatser"),
    ("cost_per_participant", "Kostnad per deltagare (kr)"),
    ("budget_per_inhabitant_16_64", "Intäkter per invånare 16–64 år (kr)"),
    ("esf_financing", "ESF-finansiering (kr)"),
    ("equity_share_of_revenue", "Eget kapital som andel av intäkterna"),
    ("recommended_max_equity", "Rekommenderat högsta eget kapital (kr)"),
    ("equity_excess", "Eget kapital över rekommendationen (kr)"),
)


def _save(request, form, action, *, success_url, success_message, field_map=None):
    try:
        action(form.cleaned_data)
    except DomainValidationError as exc:
        form.apply_problems(exc.problems, field_map)
        return None
    messages.success(request, success_message)
    return redirect(success_url)


def _render_form(request, form, *, title, back_url, intro=""):
    return render(
        request,
        "registry/form.html",
        {"form": form, "title": title, "back_url": back_url, "submit": "Spara", "intro": intro},
    )


@require_http_methods(["GET", "POST"])
def budget_year_edit(request, pk, year):
    association = _association(request, pk, Action.EDIT_ASSOCIATION)
    year = _year(year)
    facts = selectors.association_year(association, year)
    initial = {f: getattr(facts, f) for f in services.YEAR_FIELDS} if facts else {}
    form = forms.AssociationYearForm(request.POST or None, initial=initial)
    back = reverse("budget_year", args=[association.pk, year])
    if request.method == "POST" and form.is_valid():
        response = _save(
            request,
            form,
            lambda d: services.association_year_save(
                actor=request.user, association=association, year=year, **d
            ),
            success_url=back,
            success_message=gettext("Uppgifterna för %(year)s är sparade.") % {"year": year},
        )
        if response:
            return response
    return _render_form(
        request,
        form,
        title=gettext("Budgetår %(year)s – %(name)s") % {"year": year, "name": association.name},
        back_url=back,
    )


@require_http_methods(["GET", "POST"])
def budget_line_edit(request, pk, year, line_pk=None):
    association = _association(request, pk, Action.EDIT_ASSOCIATION)
    year = _year(year)
    line = (
        get_object_or_404(BudgetLine, pk=line_pk, association=association, year=year)
        if line_pk
        else None
    )
    initial = {}
    if line:
        initial = {
            "line": line.line,
            "category": line.category,
            "intervention_code": line.intervention.code if line.intervention else "",
            "budget": line.budget,
            "actual": line.actual,
        }
    form = forms.BudgetLineForm(request.POST or None, initial=initial, association=association)
    back = reverse("budget_year", args=[association.pk, year])
    if request.method == "POST" and form.is_valid():
        response = _save(
            request,
            form,
            lambda d: services.budget_line_save(
                actor=request.user, association=association, year=year, budget_line=line, **d
            ),
            success_url=back,
            success_message=gettext("Budgetraden är sparad."),
        )
        if response:
            return response
    return _render_form(
        request,
        form,
        title=(gettext("Ändra budgetrad") if line else gettext("Ny budgetrad"))
        + f" {year} – {association.name}",
        back_url=back,
    )


@require_POST
def budget_line_delete(request, pk, year, line_pk):
    association = _association(request, pk, Action.EDIT_ASSOCIATION)
    line = get_object_or_404(BudgetLine, pk=line_pk, association=association, year=year)
    services.budget_line_delete(actor=request.user, budget_line=line)
    messages.success(request, gettext("Budgetraden är borttagen."))
    return redirect("budget_year", association.pk, year)


# --- the allocation model -----------------------------------------------------------------------


def _stored_rows(request) -> tuple[list[alloc.AllocationRow], str]:
    stored = request.session.get(SESSION_KEY)
    if not stored:
        return [], ""
    return [alloc.AllocationRow(**r) for r in stored["rows"]], stored.get("filename", "")


def _store_rows(request, rows, filename: str) -> None:
    request.session[SESSION_KEY] = {"filename": filename, "rows": [asdict(r) for r in rows]}


def _upload(request):
    """Handle the upload form; returns (form, problems) – problems of a rejected file."""
    form = forms.UploadForm(request.POST, request.FILES)
    problems: list[Problem] = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = alloc.read_allocation_input(upload.read())
        except DomainValidationError as exc:
            problems = exc.problems
            form.add_error(
                "file",
                gettext(
                    "Indatafil: filen %(name)s har %(len)s fel och har inte "
                    "lästs in (se listan nedan)."
                )
                % {"name": upload.name, "len": len(problems)},
            )
        else:
            _store_rows(request, rows, upload.name)
            messages.success(
                request,
                gettext("%(name)s: %(len)s förbund har lästs in.")
                % {"name": upload.name, "len": len(rows)},
            )
            return form, None
    return form, problems


def _parameter_form(data: QueryDict, prefix: str, default_year=None):
    if f"{prefix}-frame" in data:
        form = forms.AllocationParametersForm(data, prefix=prefix)
        return form, form.is_valid()
    initial = forms.default_parameter_data(prefix, default_year)
    form = forms.AllocationParametersForm(initial, prefix=prefix)
    return form, form.is_valid()


def _run(form, rows):
    try:
        return alloc.allocate(rows, form.parameters())
    except DomainValidationError as exc:
        form.apply_problems(exc.problems, form.FIELD_MAP)
        return None


def _allocation_download(result: alloc.AllocationResult, fmt: str, name: str):
    if fmt == "xlsx":
        buffer = io.BytesIO()
        alloc.write_allocation_xlsx(result, buffer)
        return outputs.xlsx_response(buffer.getvalue(), f"{name}.xlsx")
    if fmt == "json":
        return outputs.json_response(alloc.allocation_json(result), f"{name}.json")
    text = io.StringIO()
    alloc.write_allocation_csv(result, text)
    # read back by the one table reader (formula-guard quotes undone) so csv_response writes
    # each cell once
    header, rows, _problems = tabular.read_content(text.getvalue())
    return outputs.csv_response(header, rows, f"{name}.csv")


def difference_chart(comparison) -> str:
    """Difference per association (scenario B − A) as a server-side SVG bar chart."""
    import altair as alt
    import pandas as pd

    frame = pd.DataFrame(
        {
            "förbund": [d.name for d in comparison.rows],
            "skillnad (kr)": [d.difference for d in comparison.rows],
        }
    )
    chart = (
        alt.Chart(frame, title=gettext("Skillnad i tilldelning per förbund (B − A)"))
        .mark_bar()
        .encode(
            y=alt.Y("förbund:N", sort=None, title=None),
            x=alt.X("skillnad (kr):Q", title=gettext("Skillnad (kr)")),
            color=alt.condition(
                alt.datum["skillnad (kr)"] < 0, alt.value("#b3261e"), alt.value("#1d4f91")
            ),
        )
        .properties(width=420, height=max(60, 18 * len(comparison.rows)))
    )
    return outputs.chart_svg(chart)


@require_http_methods(["GET", "POST"])
def allocation(request):
    require(request.user, Action.NATIONAL_MODELS)
    upload_form, upload_problems = forms.UploadForm(), []
    if request.method == "POST":
        if "clear" in request.POST:
            request.session.pop(SESSION_KEY, None)
            messages.success(request, gettext("Indatafilen är borttagen ur sessionen."))
            return redirect("allocation")
        upload_form, upload_problems = _upload(request)
        if upload_problems is None:
            return redirect("allocation")
    rows, filename = _stored_rows(request)
    context = {
        "upload_form": upload_form,
        "upload_problems": upload_problems,
        "filename": filename,
        "n_rows": len(rows),
    }
    if rows:
        form_a, ok_a = _parameter_form(request.GET, "a")
        compare = request.GET.get("jamfor") == "1"
        if finance_jobs.goes_to_background(rows, compare) and "ladda_ned" not in request.GET:
            job = finance_jobs.queue_comparison(
                actor=request.user, rows=rows, filename=filename, query=request.GET
            )
            return redirect("job_detail", pk=job.pk)
        form_b, ok_b = _parameter_form(request.GET if compare else QueryDict(), "b")
        result_a = _run(form_a, rows) if ok_a else None
        result_b = _run(form_b, rows) if compare and ok_b else None
        download = request.GET.get("ladda_ned", "")
        if download in alloc.OUTPUT_FORMATS:
            which = result_b if request.GET.get("scenario") == "b" else result_a
            if which is None:
                raise Http404(gettext("Scenariot kunde inte beräknas."))
            return _allocation_download(which, download, "fordelning")
        comparison = chart = None
        if result_a and result_b:
            comparison = alloc.compare_scenarios(rows, result_a.parameters, result_b.parameters)
            chart = difference_chart(comparison)
        query = request.GET.copy()
        query.pop("ladda_ned", None)
        query.pop("scenario", None)
        context.update(
            form_a=form_a,
            form_b=form_b,
            compare=compare,
            result_a=result_a,
            result_b=result_b,
            comparison=comparison,
            chart=chart,
            query=query.urlencode(),
        )
    return render(request, "finance/allocation.html", context)


def _registry_members(codes) -> dict[str, list[MergerMember]]:
    """The regions and municipalities of the registry's associations with these codes."""
    out: dict[str, list[MergerMember]] = {}
    for association in registry_selectors.associations_with_members(codes):
        listed = [
            MergerMember(m.kind, MemberBasis(m.organisation_code, m.name))
            for m in association.members.all()
            if m.kind in ("REGION", "MUNICIPALITY")
        ]
        if listed:
            out[association.code] = listed
    return out


def merger(request):
    require(request.user, Action.NATIONAL_MODELS)
    rows, filename = _stored_rows(request)
    if not rows:
        messages.info(
            request, gettext("Läs först in en indatafil på sidan för statlig fördelning.")
        )
        return render(request, "finance/merger.html", {"rows": []})
    bound = "codes" in request.GET
    choices = [(r.association_code, f"{r.name} ({r.association_code})") for r in rows]
    form = forms.MergerForm(request.GET if bound else None, codes=choices)
    params_form, ok = _parameter_form(request.GET, "a")
    result = None
    if bound and form.is_valid() and ok:
        d = form.cleaned_data
        try:
            members = _registry_members(d["codes"])
            result = simulate_merger(
                rows,
                params_form.parameters(),
                d["codes"],
                d["merged_code"].strip() or None,
                d["merged_name"].strip() or None,
                members=members,
                split_method=d["split_method"],
            )
        except DomainValidationError as exc:
            form.apply_problems(exc.problems)
            params_form.apply_problems(
                [p for p in exc.problems if p.field in forms.AllocationParametersForm.FIELD_MAP],
                forms.AllocationParametersForm.FIELD_MAP,
            )
    group = None
    if result is not None:
        before = [result.before.row(c) for c in result.merging_codes]
        after = result.after.row(result.merged_code)
        group = {
            "region_before": sum(r.region_match for r in before),
            "municipal_before": sum(r.municipal_match for r in before),
            "region_after": after.region_match,
            "municipal_after": after.municipal_match,
            "per_inhabitant_before": (
                result.group_allocation_before / result.group_population
                if result.group_population
                else None
            ),
            "per_inhabitant_after": after.per_inhabitant_16_64,
        }
    return render(
        request,
        "finance/merger.html",
        {
            "rows": rows,
            "filename": filename,
            "form": form,
            "params_form": params_form,
            "result": result,
            "group": group,
        },
    )
