"""The allocation model's scenario comparison as a background job (``finsam.jobs``): with many
associations (``FINSAM_BACKGROUND_ALLOCATION_ROWS``, default 150) the page queues the two
scenarios, their comparison and chart, and the downloads of both; the job's page shows them. One
scenario (one allocation) stays in the request. The model writes nothing, so a failed job has
changed nothing."""

from __future__ import annotations

from dataclasses import asdict

from django.conf import settings
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse

ALLOCATION = "allocation"
LABELS = {"csv": "CSV", "xlsx": "Excel (xlsx)", "json": "JSON"}


def goes_to_background(rows, compare: bool) -> bool:
    return compare and len(rows) >= getattr(settings, "FINSAM_BACKGROUND_ALLOCATION_ROWS", 150)


def queue_comparison(*, actor, rows, filename: str, query: QueryDict):
    from finsam.jobs.services import job_enqueue

    return job_enqueue(
        actor=actor,
        kind=ALLOCATION,
        title=f"Statlig fördelning: jämförelse av två scenarier ({len(rows)} förbund)",
        handler="finsam.finance.jobs.run_comparison_job",
        params={
            "rows": [asdict(r) for r in rows],
            "filename": filename,
            "query": {k: v for k, v in query.lists() if k not in ("ladda_ned", "scenario")},
        },
    )


def _problems(form):
    from finsam.domain.problems import Problem

    return [
        Problem(f"{form.prefix}-{k}" if k != "__all__" else "", "invalid", str(v[0]))
        for k, v in form.errors.items()
    ]


def run_comparison_job(job, progress) -> dict:
    from finsam.domain import formatting
    from finsam.domain.finance import allocation as alloc
    from finsam.domain.problems import DomainValidationError, Problem
    from finsam.finance import views
    from finsam.jobs.runner import job_dir

    params = job.params
    query = QueryDict(mutable=True)
    for key, values in params["query"].items():
        query.setlist(key, values)
    rows = [alloc.AllocationRow(**r) for r in params["rows"]]
    progress(5, "Kontrollerar parametrarna")
    results = {}
    for i, prefix in enumerate(("a", "b")):
        form, ok = views._parameter_form(query, prefix)
        result = views._run(form, rows) if ok else None
        if result is None:
            raise DomainValidationError(
                _problems(form)
                or [Problem("", "invalid", f"Scenario {prefix.upper()} kunde inte beräknas.")]
            )
        progress(10 + 30 * i, f"Scenario {prefix.upper()} är beräknat")
        results[prefix] = result
    comparison = alloc.compare_scenarios(rows, results["a"].parameters, results["b"].parameters)
    progress(75, "Ritar jämförelsen")
    html = render_to_string(
        "finance/_allocation_job.html",
        {
            "result_a": results["a"],
            "result_b": results["b"],
            "comparison": comparison,
            "chart": views.difference_chart(comparison),
            "filename": params["filename"],
            "n_rows": len(rows),
        },
    )
    directory = job_dir(job.pk)
    (directory / "result.html").write_text(html, encoding="utf-8")
    files = []
    for prefix, result in results.items():
        for fmt, label in LABELS.items():
            response = views._allocation_download(result, fmt, f"fordelning-{prefix}")
            content = (
                b"".join(response.streaming_content)
                if response.streaming
                else bytes(response.content)
            )
            name = f"fordelning-{prefix}.{fmt}"
            (directory / name).write_bytes(content)
            files.append(
                {
                    "label": f"Scenario {prefix.upper()}, {label}",
                    "file": name,
                    "file_name": name,
                    "content_type": response["Content-Type"],
                }
            )
    return {
        "summary": (
            f"Jämförelsen av scenario A och B för {len(rows)} förbund är klar; total skillnad "
            f"{formatting.amount(comparison.total_difference)} kr."
        ),
        "html": "result.html",
        "files": files,
        "url": reverse("allocation") + "?" + query.urlencode(),
        "url_label": "Till fördelningssidan",
    }
