"""Report pages: the index, one page per report R1–R9 (with downloads) and the data-quality page.

Views check ``VIEW_REPORTS``, parse the GET filter, let :mod:`finsam.reports.runner` decide what
the user may see and run the report, and render the page or a file from the same result.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext

from finsam.access.permissions import can, require
from finsam.domain.access import Action
from finsam.domain.problems import DomainValidationError
from finsam.domain.reports.core import Period
from finsam.domain.reports.specs import BY_CODE, SPECS, find_spec
from finsam.registry import selectors as registry_selectors
from finsam.reports import cache as report_cache
from finsam.reports import jobs as report_jobs
from finsam.reports import render as rr
from finsam.reports import runner, selectors
from finsam.reports.forms import ReportFilterForm
from finsam.web import outputs

FIELD_MAP = {
    "period": "date_from",
    "level": "levels",
    "association": "associations",
    "unprotected": "protected",
    "overdue_months": "overdue_months",
    "signed_only": "signed_only",
}


def report_index(request):
    require(request.user, Action.VIEW_REPORTS)
    reports = [
        {
            "name": spec.slug,
            "code": spec.code,
            "title": gettext(spec.title),
            "description": gettext(spec.description),
            "url": reverse("report_page", args=[spec.slug]),
        }
        for spec in SPECS
    ]
    return render(
        request,
        "reports/index.html",
        {
            "reports": reports,
            "associations": runner.reportable_associations(request.user),
            "quality_url": reverse("report_quality"),
            "extract_rebuild": runner.reports_everything(request.user),
        },
    )


def _episode_linker(user, quality, max_links: int):
    """``episode_id -> url`` for the episodes the user may open (VIEW_EPISODES on the episode's
    intervention), else ``None``. The interventions of the linked episodes are read in one query."""
    if not can(user, Action.VIEW_EPISODES):
        return None
    wanted = {
        eid for a in quality.associations for ids in a.issues.values() for eid in ids[:max_links]
    }
    intervention_of = selectors.episode_interventions(wanted)
    allowed: dict[int, bool] = {}

    def link(episode_id: int):
        intv = intervention_of.get(episode_id)
        if intv is None:
            return None
        if intv not in allowed:
            allowed[intv] = can(user, Action.VIEW_EPISODES, intervention=intv)
        return reverse("episode_detail", args=[episode_id]) if allowed[intv] else None

    return link


def _quality_context(request, run, *, links: bool):
    plan = run.plan
    unprotected_codes = {
        a.code
        for a in plan.associations
        if can(request.user, Action.VIEW_UNPROTECTED_REPORTS, association=a)
    }
    protected_for = {a.code for a in plan.associations} - unprotected_codes
    rows = rr.quality_rows(
        run.quality,
        protected_for=protected_for,
        rule=plan.options.rule,
        episode_link=_episode_linker(request.user, run.quality, rr.MAX_LINKS) if links else None,
        max_links=rr.MAX_LINKS,
    )
    return {
        "quality_rows": rows,
        "quality_checks": run.quality.checks,
        "quality": run.quality,
    }


def _plan_from_form(request, name):
    """The filter form and the report plan (``None`` when the filter has errors)."""
    filters = {k for k in request.GET if k != "format"}
    if not filters:  # first visit: last calendar year, association level, every own association
        form = ReportFilterForm(user=request.user, report=name)
        year = form.fields["year"].initial
        form.initial.update({"year": year, "period_type": "year", "levels": ["association"]})
        try:
            plan = runner.plan_report(request.user, name, period=Period.year(year))
        except DomainValidationError as exc:
            form = ReportFilterForm({"year": year}, user=request.user, report=name)
            form.is_valid()
            form.apply_problems(exc.problems, FIELD_MAP)
            return form, None
        return form, plan
    asked = set(request.GET.getlist("associations"))
    outside = asked - {a.code for a in runner.reportable_associations(request.user)}
    if outside and registry_selectors.any_association_with_code(outside):
        # another association's report: refused on the server, not just absent from the form
        raise PermissionDenied(
            gettext("Du har inte behörighet att se rapporter för det förbundet.")
        )
    form = ReportFilterForm(request.GET, user=request.user, report=name)
    if not form.is_valid():
        return form, None
    try:
        period = Period(form.cleaned_data["start"], form.cleaned_data["end"])
        plan = runner.plan_report(request.user, name, period=period, **form.plan_kwargs())
    except DomainValidationError as exc:
        form.apply_problems(exc.problems, FIELD_MAP)
        return form, None
    return form, plan


def report_page(request, name):
    spec = find_spec(name)
    if spec is None:
        raise Http404(gettext("Okänd rapport"))
    require(request.user, Action.VIEW_REPORTS)
    if name != spec.slug:  # /rapporter/R1/ → /rapporter/utfall/
        url = reverse("report_page", args=[spec.slug])
        return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)
    fmt = request.GET.get("format", "")
    if fmt and fmt not in rr.FORMATS:
        raise Http404(gettext("Okänt format"))
    form, plan = _plan_from_form(request, name)
    context = {
        "form": form,
        "name": name,
        "code": spec.code,
        "title": gettext(spec.title),
        "description": gettext(spec.description),
        "index_url": reverse("report_index"),
    }
    if plan is None:
        return render(request, "reports/report.html", context, status=200)
    if report_jobs.goes_to_background(plan, fmt):  # a national download, or a stale extract
        job = report_jobs.queue_report(
            actor=request.user,
            name=name,
            query=request.GET,
            fmt=fmt,
            title=f"{spec.code} {spec.title}",
        )
        return redirect("job_detail", pk=job.pk)
    try:
        run = report_cache.run_report(request.user, plan)
    except DomainValidationError as exc:
        form.apply_problems(exc.problems, FIELD_MAP)
        return render(request, "reports/report.html", context)
    result = run.result
    if fmt == "csv":
        return outputs.csv_response(*rr.csv_table(result), rr.filename(result, "csv"))
    if fmt == "xlsx":
        return outputs.xlsx_response(rr.xlsx_content(result), rr.filename(result, "xlsx"))
    context.update(_quality_context(request, run, links=fmt == ""))
    if fmt == "json":
        return outputs.json_response(
            rr.json_content(result, _json_quality(context["quality_rows"])),
            rr.filename(result, "json"),
        )
    query = request.GET.copy()
    query.pop("format", None)
    context.update(rr.report_context(result, report_cache.chart_svg(run)))
    context.update(
        {
            "plan": plan,
            "downloads": [{"format": f, "url": f"?{_with_format(query, f)}"} for f in rr.FORMATS],
            "quality_url": reverse("report_quality") + (f"?{query.urlencode()}" if query else ""),
            "base_template": "includes/pdf_base.html" if fmt == "pdf" else "base.html",
        }
    )
    if fmt == "pdf":
        return outputs.pdf_response(
            "reports/report.html", context, rr.filename(result, "pdf"), request=request
        )
    return render(request, "reports/report.html", context)


def _with_format(query, fmt):
    q = query.copy()
    q["format"] = fmt
    return q.urlencode()


def _json_quality(rows):
    return [
        {
            "association_code": r["code"],
            "association_name": r["name"],
            "episodes": r["episodes"],
            "checks": {c["key"]: c["count"] for c in r["checks"]},
        }
        for r in rows
    ]


def report_quality(request):
    """The data-quality report on its own page (R1's filter; links to the episodes)."""
    require(request.user, Action.VIEW_REPORTS)
    form, plan = _plan_from_form(request, BY_CODE["R1"].slug)
    context = {
        "form": form,
        "title": "Datakvalitet",
        "index_url": reverse("report_index"),
    }
    if plan is not None:
        run = report_cache.run_report(request.user, plan, with_report=False)
        context.update(_quality_context(request, run, links=True))
        context["period"] = plan.options.period
    return render(request, "reports/quality.html", context)
