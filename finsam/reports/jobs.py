"""Reports as background jobs (``finsam.jobs``): a national report or download, and the rebuild of
the reports' columnar copy of the registry (what ``finsam report-extract`` does).

Which requests go to the background (``docs/operations.md`` §7):

- a report that reads **every** association (national and county level, or a national analyst's
  report over all associations) of a registry with at least ``FINSAM_BACKGROUND_REPORT_EPISODES``
  episodes (default 20 000), when
  - the columnar copy is stale – the request would otherwise rebuild it
    (:func:`finsam.reports.extract.build`) before it can answer, or
  - it is a **download** (PDF, Excel, CSV, JSON) – large files, and PDF is slow;
- the rebuild of the columnar copy that a national user orders on the report index.

Everything else (an association's own report, a national page when the copy is current, any
report of a small registry) stays in the request. The job plans the report again in the worker
as the user who ordered it, with the same filter (:func:`finsam.reports.views._plan_from_form`),
so the same roles and protection apply; reports change nothing, so a failed job has changed
nothing."""

from __future__ import annotations

from types import SimpleNamespace

from django.conf import settings
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse

from finsam.jobs.runner import job_dir

REPORT = "report"
EXTRACT = "report_extract"
PAGE_FILES = ("csv", "xlsx", "json")
"""The downloads a report job made for the page makes at once (PDF only when asked for)."""
LABELS = {"csv": "CSV", "xlsx": "Excel (xlsx)", "json": "JSON", "pdf": "PDF"}


def extract_stale() -> bool:
    """The columnar copy is in use and a national report would have to read it in full first
    (a few changed episodes are patched in the request: ``extract.needs_full_read``)."""
    from finsam.reports import extract

    return extract.needs_full_read()


def reads_everything(plan) -> bool:
    return plan.selection.association_ids is None


def large_registry() -> bool:
    from finsam.reports import selectors

    limit = getattr(settings, "FINSAM_BACKGROUND_REPORT_EPISODES", 20_000)
    return selectors.episode_total() >= limit


def goes_to_background(plan, fmt: str) -> bool:
    """The rule of the module doc for one report request."""
    return reads_everything(plan) and (bool(fmt) or extract_stale()) and large_registry()


def queue_report(*, actor, name: str, query: QueryDict, fmt: str, title: str):
    """Queue the report ``name`` with the filter ``query`` (a GET query) as a job."""
    from finsam.jobs.services import job_enqueue

    params = {
        "name": name,
        "query": {k: v for k, v in query.lists() if k != "format"},
        "format": fmt,
    }
    what = f" ({LABELS[fmt]})" if fmt else ""
    return job_enqueue(
        actor=actor,
        kind=REPORT,
        title=f"{title}{what}"[:200],
        handler="finsam.reports.jobs.run_report_job",
        params=params,
    )


def queue_planned_report(*, actor, name: str, plan: dict, title: str, association_id=None):
    """Queue the report ``name`` with ``plan``: the keyword arguments of
    :func:`finsam.reports.runner.plan_report` as plain values (the API: ``start``, ``end``,
    ``levels``, ``association_codes``, ``split``, ``unprotected``)."""
    from finsam.jobs.services import job_enqueue

    return job_enqueue(
        actor=actor,
        kind=REPORT,
        title=title[:200],
        handler="finsam.reports.jobs.run_report_job",
        params={"name": name, "plan": plan, "format": "", "association_id": association_id},
        association_id=association_id,
    )


def _plan_of(job):
    """The report plan of a job, planned again as the orderer (the page's filter or the API's
    arguments), and the page's form (``None`` for the API)."""
    from datetime import date

    from finsam.domain.problems import DomainValidationError, Problem
    from finsam.domain.reports.core import Period
    from finsam.reports import runner, views

    params = job.params
    if "plan" in params:
        p = params["plan"]
        plan = runner.plan_report(
            job.user,
            params["name"],
            period=Period(date.fromisoformat(p["start"]), date.fromisoformat(p["end"])),
            levels=tuple(p["levels"]),
            association_codes=tuple(p["association_codes"]),
            split=p["split"],
            unprotected=p["unprotected"],
        )
        return None, plan, QueryDict()
    query = QueryDict(mutable=True)
    for key, values in params["query"].items():
        query.setlist(key, values)
    form, plan = views._plan_from_form(SimpleNamespace(GET=query, user=job.user), params["name"])
    if plan is None:
        raise DomainValidationError(
            [
                Problem("" if k == "__all__" else k, "invalid", str(v[0]))
                for k, v in form.errors.items()
            ]
            or [Problem("", "invalid", "Urvalet för rapporten har fel.")]
        )
    return form, plan, query


def queue_extract(*, actor):
    from finsam.jobs.services import job_enqueue

    return job_enqueue(
        actor=actor,
        kind=EXTRACT,
        title="Ombyggnad av rapporternas kolumnkopia",
        handler="finsam.reports.jobs.run_extract_job",
    )


def _extract_progress(progress, start: int):
    def report(message: str) -> None:
        progress(start, message)

    return report


def run_extract_job(job, progress) -> dict:
    """Build the columnar copy now (``finsam report-extract``)."""
    from finsam.reports import extract

    progress(5, "Kontrollerar om kolumnkopian är aktuell")
    if extract.current() is not None:
        return {"summary": "Kolumnkopian var redan aktuell; ingenting behövde byggas om."}
    built = extract.build(progress=_extract_progress(progress, 20))
    return {
        "summary": (
            f"Kolumnkopian är ombyggd: {len(built)} deltagarepisoder på "
            f"{built.built_seconds:.1f} s."
        ),
        "url": reverse("report_index"),
        "url_label": "Till rapporterna",
    }


def _write(job, fmt: str, run, context_of) -> dict:
    from finsam.reports import render as rr
    from finsam.web import outputs

    result = run.result
    if fmt == "csv":
        response = outputs.csv_response(*rr.csv_table(result), rr.filename(result, "csv"))
    elif fmt == "xlsx":
        response = outputs.xlsx_response(rr.xlsx_content(result), rr.filename(result, "xlsx"))
    elif fmt == "json":
        response = outputs.json_response(
            rr.json_content(result, context_of()["json_quality"]), rr.filename(result, "json")
        )
    else:
        response = outputs.pdf_response(
            "reports/report.html", context_of(pdf=True), rr.filename(result, "pdf")
        )
    name = f"rapport.{fmt}"
    content = (
        b"".join(response.streaming_content) if response.streaming else bytes(response.content)
    )
    (job_dir(job.pk) / name).write_bytes(content)
    return {
        "label": LABELS[fmt],
        "file": name,
        "file_name": rr.filename(result, fmt),
        "content_type": response["Content-Type"],
    }


def run_report_job(job, progress) -> dict:
    """Plan the report again as the orderer, rebuild the columnar copy when it is stale, run the
    report and keep the asked download (or the page's result and its quick downloads)."""
    from finsam.reports import extract, runner, views
    from finsam.reports import render as rr

    params = job.params
    progress(2, "Kontrollerar urvalet")
    form, plan, query = _plan_of(job)
    if reads_everything(plan) and extract_stale():
        progress(5, "Bygger om rapporternas kolumnkopia")
        extract.build(progress=_extract_progress(progress, 10))
    progress(50, f"Beräknar {plan.spec.code} {plan.spec.title}")
    run = runner.run_report(plan)
    fake = SimpleNamespace(GET=query, user=job.user)

    def context_of(pdf: bool = False) -> dict:
        context = {
            "form": form,
            "name": plan.name,
            "code": plan.code,
            "title": plan.spec.title,
            "description": plan.spec.description,
            "plan": plan,
            "pdf": pdf,
            "base_template": "includes/pdf_base.html" if pdf else "reports/_job_fragment.html",
        }
        context.update(views._quality_context(fake, run, links=False))
        context["json_quality"] = views._json_quality(context["quality_rows"])
        context.update(rr.report_context(run.result))
        return context

    fmt = params["format"]
    formats = (fmt,) if fmt else PAGE_FILES
    files = []
    for i, f in enumerate(formats):
        progress(70 + 25 * i // len(formats), f"Skriver {LABELS[f]}")
        files.append(_write(job, f, run, context_of))
    out = {
        "summary": f"{plan.code} {plan.spec.title} {run.result.options.period.label}: klar.",
        "files": files,
        "url": reverse("report_page", args=[plan.name])
        + (f"?{query.urlencode()}" if query else ""),
        "url_label": "Till rapportsidan",
    }
    if not fmt:
        html = render_to_string("reports/report.html", {**context_of(), "pdf": True})
        (job_dir(job.pk) / "result.html").write_text(html, encoding="utf-8")
        out["html"] = "result.html"
    return out
