"""Pages of the association's year: the annual report (the director edits the texts and records
the board's adoption; the board and everyone who may see the association reads it), the activity
plan and three-year financial plan, and the budget calendar (one association; every association
the user may see in one table).

Views are thin: check permission, call a form, then a service or selector, render.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from finsam.access.permissions import can, require
from finsam.domain import annual_report as doc
from finsam.domain.access import Action
from finsam.domain.finance import calendar as cal
from finsam.domain.problems import DomainValidationError
from finsam.finance.services import check_year
from finsam.planning import annual, forms, selectors, services
from finsam.planning import jobs as planning_jobs
from finsam.planning.models import ActivityPlan, ActivityPlanLine
from finsam.registry.models import Association


def _association(request, pk, action=Action.VIEW_ASSOCIATION) -> Association:
    association = get_object_or_404(Association, pk=pk)
    require(request.user, action, association=association)
    return association


def _year(year: int) -> int:
    if check_year(year):
        raise Http404(gettext("Okänt år."))
    return year


def year_index(request, pk):
    association = _association(request, pk)
    today = timezone.localdate()
    years = sorted({today.year - 1, today.year, today.year + 1}, reverse=True)
    return render(
        request,
        "planning/index.html",
        {
            "association": association,
            "years": years,
            "plans": selectors.plans_of(association),
            "can_edit": can(request.user, Action.EDIT_ASSOCIATION, association=association),
        },
    )


# --- the annual report ---------------------------------------------------------------------------


def annual_report(request, pk, year):
    association = _association(request, pk)
    year = _year(year)
    today = timezone.localdate()
    fmt = request.GET.get("format", "")
    if fmt and fmt not in ("docx", "pdf"):
        raise Http404(gettext("Okänt format."))
    if fmt and can(request.user, Action.VIEW_REPORTS, association=association):
        # the documents are written in the background (finsam.planning.jobs)
        job = planning_jobs.queue_annual_report(
            actor=request.user, association=association, year=year, fmt=fmt
        )
        return redirect("job_detail", pk=job.pk)
    try:
        document = annual.build_document(request.user, association, year, today=today)
    except DomainValidationError as exc:
        return render(
            request,
            "planning/annual_report.html",
            {"association": association, "year": year, "problems": exc.problems},
            status=403,
        )
    if fmt:
        raise PermissionDenied("Du har inte behörighet att se förbundets rapporter.")
    can_edit = can(request.user, Action.EDIT_ASSOCIATION, association=association)
    draft = annual.draft_of(association, year)
    return render(
        request,
        "planning/annual_report.html",
        {
            "association": association,
            "year": year,
            "document": document,
            "draft": draft,
            "can_edit": can_edit,
            "adopt_form": forms.AdoptForm(initial={"adopted": today}) if can_edit else None,
        },
    )


@require_http_methods(["GET", "POST"])
def annual_report_edit(request, pk, year):
    association = _association(request, pk, Action.EDIT_ASSOCIATION)
    year = _year(year)
    draft = annual.draft_of(association, year)
    initial = {**(draft.texts if draft else {}), "board_meetings": draft and draft.board_meetings}
    form = forms.AnnualReportTextForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.annual_report_text_save(
                actor=request.user,
                association=association,
                year=year,
                texts={k: form.cleaned_data[k] for k in doc.EDITABLE_KEYS},
                board_meetings=form.cleaned_data["board_meetings"],
            )
        except DomainValidationError as exc:
            form.apply_problems(exc.problems)
        else:
            messages.success(request, gettext("Årsredovisningens texter har sparats."))
            return redirect("annual_report", association.pk, year)
    return render(
        request,
        "planning/annual_report_edit.html",
        {"association": association, "year": year, "form": form},
    )


@require_POST
def annual_report_adopt(request, pk, year):
    association = _association(request, pk, Action.EDIT_ASSOCIATION)
    year = _year(year)
    form = forms.AdoptForm(request.POST)
    if form.is_valid():
        try:
            services.annual_report_adopt(
                actor=request.user,
                association=association,
                year=year,
                adopted=form.cleaned_data["adopted"],
                today=timezone.localdate(),
            )
        except DomainValidationError as exc:
            form.apply_problems(exc.problems)
        else:
            messages.success(
                request, gettext("Styrelsens fastställelse av årsredovisningen är sparad.")
            )
            return redirect("annual_report", association.pk, year)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("annual_report", association.pk, year)


# --- the plan ------------------------------------------------------------------------------------


def _plan_initial(plan: ActivityPlan) -> dict:
    initial = {
        "plan_year": plan.plan_year,
        "equity_start": plan.equity_start,
        "description": plan.description,
    }
    for y in plan.years.all():
        i = y.year - plan.plan_year
        initial[f"contribution_total_{i}"] = y.contribution_total
        initial[f"state_offer_{i}"] = y.state_offer
    return initial


def _save_plan(request, association, form, plan=None):
    d = form.cleaned_data
    plan_year = plan.plan_year if plan else d["plan_year"]
    years = [
        (plan_year + i, d.get(f"contribution_total_{i}"), d.get(f"state_offer_{i}"))
        for i in range(3)
    ]
    return services.plan_save(
        actor=request.user,
        association=association,
        plan_year=plan_year,
        equity_start=d.get("equity_start"),
        description=d.get("description", ""),
        years=years,
        plan=plan,
    )


@require_http_methods(["GET", "POST"])
def plan_list(request, pk):
    association = _association(request, pk)
    can_edit = can(request.user, Action.EDIT_ASSOCIATION, association=association)
    form = forms.PlanForm(
        request.POST or None, initial={"plan_year": timezone.localdate().year + 1}
    )
    if request.method == "POST":
        require(request.user, Action.EDIT_ASSOCIATION, association=association)
        if form.is_valid():
            try:
                plan = _save_plan(request, association, form)
            except DomainValidationError as exc:
                form.apply_problems(exc.problems)
            else:
                messages.success(request, gettext("Planen har skapats."))
                return redirect("plan_detail", association.pk, plan.plan_year)
    return render(
        request,
        "planning/plan_list.html",
        {
            "association": association,
            "plans": selectors.plans_of(association),
            "form": form,
            "can_edit": can_edit,
        },
    )


def _plan(association, plan_year) -> ActivityPlan:
    return get_object_or_404(ActivityPlan, association=association, plan_year=plan_year)


def _plan_context(request, association, plan, **forms_):
    overview = selectors.plan_overview(plan)
    can_edit = can(request.user, Action.EDIT_ASSOCIATION, association=association)
    ctx = {
        "association": association,
        **overview,
        "lines": plan.lines.select_related("intervention").order_by("year", "kind", "cost_type"),
        "can_edit": can_edit,
    }
    if can_edit:
        ctx["plan_form"] = forms_.get("plan_form") or forms.PlanForm(
            initial=_plan_initial(plan), plan_year=plan.plan_year
        )
        ctx["line_form"] = forms_.get("line_form") or forms.PlanLineForm(
            plan_year=plan.plan_year,
            interventions=association.interventions.order_by("name"),
        )
        ctx["adopt_form"] = forms_.get("adopt_form") or forms.AdoptBudgetForm()
    return ctx


@require_http_methods(["GET", "POST"])
def plan_detail(request, pk, plan_year):
    association = _association(request, pk)
    plan = _plan(association, plan_year)
    if request.method == "POST":
        require(request.user, Action.EDIT_ASSOCIATION, association=association)
        form = forms.PlanForm(request.POST, initial=_plan_initial(plan), plan_year=plan_year)
        if form.is_valid():
            try:
                _save_plan(request, association, form, plan)
            except DomainValidationError as exc:
                form.apply_problems(exc.problems)
            else:
                messages.success(request, gettext("Planen har sparats."))
                return redirect("plan_detail", association.pk, plan.plan_year)
        return render(
            request,
            "planning/plan_detail.html",
            _plan_context(request, association, plan, plan_form=form),
        )
    return render(request, "planning/plan_detail.html", _plan_context(request, association, plan))


@require_POST
def plan_line_add(request, pk, plan_year):
    association = _association(request, pk, Action.EDIT_ASSOCIATION)
    plan = _plan(association, plan_year)
    form = forms.PlanLineForm(
        request.POST,
        plan_year=plan.plan_year,
        interventions=association.interventions.order_by("name"),
    )
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.plan_line_save(
                actor=request.user,
                plan=plan,
                year=d["year"],
                kind=d["kind"],
                cost_type=d["cost_type"],
                intervention_code=d["intervention_code"],
                amount=d["amount"],
                goal=d["goal"],
                planned_participants=d["planned_participants"],
            )
        except DomainValidationError as exc:
            form.apply_problems(exc.problems)
        else:
            messages.success(request, gettext("Planraden har sparats."))
            return redirect("plan_detail", association.pk, plan.plan_year)
    return render(
        request,
        "planning/plan_detail.html",
        _plan_context(request, association, plan, line_form=form),
    )


@require_POST
def plan_line_delete(request, pk, plan_year, line_pk):
    association = _association(request, pk, Action.EDIT_ASSOCIATION)
    plan = _plan(association, plan_year)
    line = get_object_or_404(ActivityPlanLine, pk=line_pk, plan=plan)
    services.plan_line_delete(actor=request.user, line=line)
    messages.success(request, gettext("Planraden har tagits bort."))
    return redirect("plan_detail", association.pk, plan.plan_year)


@require_POST
def plan_adopt_budget(request, pk, plan_year):
    association = _association(request, pk, Action.EDIT_ASSOCIATION)
    plan = _plan(association, plan_year)
    form = forms.AdoptBudgetForm(request.POST)
    if form.is_valid():
        try:
            counts = services.plan_adopt_budget(
                actor=request.user, plan=plan, adopted=form.cleaned_data["adopted"]
            )
        except DomainValidationError as exc:
            form.apply_problems(exc.problems)
        else:
            messages.success(
                request,
                gettext(
                    "Budgeten %(plan_year)s har skapats från planen: %(counts)s "
                    "nya rader, %(counts2)s ändrade, %(counts3)s satta till 0."
                )
                % {
                    "plan_year": plan.plan_year,
                    "counts": counts["created"],
                    "counts2": counts["updated"],
                    "counts3": counts["zeroed"],
                },
            )
            return redirect("budget_year", association.pk, plan.plan_year)
    return render(
        request,
        "planning/plan_detail.html",
        _plan_context(request, association, plan, adopt_form=form),
    )


# --- the calendar --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def calendar_detail(request, pk, year):
    association = _association(request, pk)
    year = _year(year)
    today = timezone.localdate()
    can_edit = can(request.user, Action.EDIT_ASSOCIATION, association=association)
    form = forms.CalendarStepForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        require(request.user, Action.EDIT_ASSOCIATION, association=association)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.calendar_step_save(
                    actor=request.user,
                    association=association,
                    year=year,
                    step=d["step"],
                    planned_date=d["planned_date"],
                    done_date=d["done_date"],
                    note=d["note"],
                    today=today,
                )
            except DomainValidationError as exc:
                form.apply_problems(exc.problems)
            else:
                messages.success(request, gettext("Steget har sparats."))
                return redirect("calendar_detail", association.pk, year)
    return render(
        request,
        "planning/calendar_detail.html",
        {
            "association": association,
            **selectors.association_calendar(association, year, today=today),
            "form": form,
            "can_edit": can_edit,
            "today": today,
        },
    )


def calendar_overview(request):
    """Every association the user may see (the national analyst: all); login is required by the
    middleware."""
    today = timezone.localdate()
    text = request.GET.get("ar", "")
    year = int(text) if text.isdigit() and not check_year(int(text)) else today.year + 1
    table = selectors.calendar_table(request.user, year, today=today)
    return render(
        request,
        "planning/calendar_overview.html",
        {**table, "today": today, "status_labels": cal.STATUS_LABELS},
    )
