"""The annual report's documents (docx, PDF) as background jobs (``finsam.jobs``): the page
queues the download and the job's page offers the file when it is written. The page itself (HTML)
stays in the request. The job checks the orderer's right to the association again in the worker
and writes nothing but the file, so a failed job has changed nothing."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

ANNUAL_REPORT = "annual_report"
FORMATS = {"docx": "Word (docx)", "pdf": "PDF"}


def queue_annual_report(*, actor, association, year: int, fmt: str):
    from finsam.jobs.services import job_enqueue

    return job_enqueue(
        actor=actor,
        kind=ANNUAL_REPORT,
        title=f"Årsredovisning {year} för {association.name} ({FORMATS[fmt]})"[:200],
        handler="finsam.planning.jobs.run_annual_report_job",
        params={"association_id": association.pk, "year": year, "format": fmt},
        association_id=association.pk,
    )


def run_annual_report_job(job, progress) -> dict:
    from finsam.access.permissions import can
    from finsam.domain.access import Action
    from finsam.domain.problems import DomainValidationError, Problem
    from finsam.jobs.runner import job_dir
    from finsam.planning import annual, documents
    from finsam.registry import selectors

    params = job.params
    association = selectors.association_by_pk(params["association_id"])
    if association is None or not can(job.user, Action.VIEW_ASSOCIATION, association=association):
        raise DomainValidationError(
            [Problem("association", "forbidden", "Du har inte längre behörighet till förbundet.")]
        )
    year, fmt = params["year"], params["format"]
    progress(10, "Sammanställer årsredovisningen")
    document = annual.build_document(job.user, association, year, today=timezone.localdate())
    progress(50, f"Skriver {FORMATS[fmt]}")
    content = documents.to_docx(document) if fmt == "docx" else documents.to_pdf(document)
    name = f"arsredovisning.{fmt}"
    (job_dir(job.pk) / name).write_bytes(content)
    return {
        "summary": f"Årsredovisningen {year} för {association.name} är klar att ladda ner.",
        "files": [
            {
                "label": FORMATS[fmt],
                "file": name,
                "file_name": f"arsredovisning-{association.code}-{year}.{fmt}",
                "content_type": documents.DOCX_TYPE if fmt == "docx" else "application/pdf",
            }
        ],
        "url": reverse("annual_report", args=[association.pk, year]),
        "url_label": "Till årsredovisningen",
    }
