"""Background jobs in the API: import jobs, evaluation runs, and reading any job of one's own
(status, progress, result, files).

The same queueing functions as the pages (:func:`finsam.interchange.jobs.queue_preview`,
:func:`finsam.interchange.jobs.queue_import`, :func:`finsam.evaluation.web.jobs.queue_did`), the
same forms for validation (their Swedish messages as problem details) and the same permission
checks. A user sees only the jobs they ordered (as on ``/jobb/``); a token scoped to one
association sees only that association's jobs, and a token limited to some actions only the jobs
of those actions."""

import uuid
from datetime import datetime
from pathlib import Path
from typing import Annotated

from django.http import FileResponse, Http404
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from finsam.api.api import (
    ERRORS,
    Id,
    Pages,
    ReportQuery,
    _token,
    audit_read,
    plan_api_report,
    require,
)
from finsam.domain.access import Action
from finsam.domain.problems import DomainValidationError, Problem
from finsam.jobs import selectors as job_selectors
from finsam.jobs.runner import current_progress, job_dir

router = Router()

FileNumber = Annotated[int, Field(ge=0, le=1000)]
JobKind = Annotated[str, Field(max_length=40)]

JOB_ACTIONS = {
    "import_preview": Action.IMPORT_DATA,
    "import_preview_used": Action.IMPORT_DATA,
    "import": Action.IMPORT_DATA,
    "evaluation_did": Action.NATIONAL_MODELS,
    "evaluation_isf": Action.NATIONAL_MODELS,
    "report": Action.VIEW_REPORTS,
    "report_extract": Action.VIEW_REPORTS,
    "allocation": Action.NATIONAL_MODELS,
    "annual_report": Action.VIEW_ASSOCIATION,
    "export": Action.VIEW_ASSOCIATION,
}
"""The action a token must be allowed (when it lists actions) to read a job of each kind."""

OUTSIDE_ANY = {"evaluation_did", "evaluation_isf"}
"""Job kinds that belong to no association (an association's token may read its own)."""

HIDDEN_RESULT_KEYS = {"html", "files"}
"""Result keys that are the page's business (the rendered result, the stored file names)."""


class JobFileOut(Schema):
    n: int
    label: str
    file_name: str
    content_type: str
    url: str


class JobOut(Schema):
    id: uuid.UUID
    kind: str
    title: str
    status: str
    progress: int
    progress_message: str
    error: str
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    result: dict
    files: list[JobFileOut]
    page: str
    """The job's page in the web interface."""


def job_out(job) -> dict:
    progress, message = current_progress(job)
    done = job.status == job.Status.DONE
    files = job.result.get("files", []) if done else []
    return {
        "id": job.pk,
        "kind": job.kind,
        "title": job.title,
        "status": job.status,
        "progress": progress,
        "progress_message": message,
        "error": job.error,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "result": {k: v for k, v in job.result.items() if k not in HIDDEN_RESULT_KEYS},
        "files": [
            {
                "n": n,
                "label": f.get("label", ""),
                "file_name": f.get("file_name") or f.get("file", ""),
                "content_type": f.get("content_type") or "application/octet-stream",
                "url": f"/api/v1/jobs/{job.pk}/files/{n}",
            }
            for n, f in enumerate(files)
        ],
        "page": f"/jobb/{job.pk}/",
    }


def _visible(request, job) -> bool:
    token = _token(request)
    if token is None:
        return True
    if token.association_id:
        own = job.params.get("association_id")
        # an association's token: that association's jobs, and evaluations (uploaded aggregate
        # panels, no association); never a national report, export or rebuild
        if own != token.association_id and not (own is None and job.kind in OUTSIDE_ANY):
            return False
    action = JOB_ACTIONS.get(job.kind)
    return not (token.actions and (action is None or action.value not in token.actions))


def _job(request, pk: uuid.UUID):
    job = job_selectors.job_for(request.user, pk)
    if job is None or not _visible(request, job):
        raise Http404("Jobbet finns inte.")
    return job


def _accepted(job):
    return Status(202, job_out(job))


# --- any job of one's own ------------------------------------------------------------------------


@router.get("/jobs", response={200: list[JobOut], **ERRORS}, tags=["Bakgrundsjobb"])
@paginate(Pages)
def job_list(request, kind: JobKind = ""):
    """The caller's own background jobs, newest first (as ``/jobb/``); ``kind`` narrows them
    (e.g. ``evaluation_did`` for the evaluation runs, ``import`` for the imports)."""
    audit_read(request, "jobs.Job")
    jobs = job_selectors.jobs_of(request.user, limit=1000)
    return [job_out(j) for j in jobs if _visible(request, j) and (not kind or j.kind == kind)]


@router.get("/jobs/{pk}", response={200: JobOut, **ERRORS}, tags=["Bakgrundsjobb"])
def job_detail(request, pk: uuid.UUID):
    """One of the caller's jobs: status, progress (percent and message), the result when done,
    the Swedish message when it failed (``error``; a failed job changed nothing)."""
    job = _job(request, pk)
    audit_read(request, "jobs.Job", association_id=job.params.get("association_id"), object_id=pk)
    return job_out(job)


@router.get(
    "/jobs/{pk}/files/{n}",
    response=ERRORS,
    tags=["Bakgrundsjobb"],
    openapi_extra={
        "responses": {
            200: {
                "description": "Filen som jobbet skapade (t.ex. resultatet som CSV, JSON, xlsx "
                "eller PDF).",
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def job_file(request, pk: uuid.UUID, n: FileNumber):
    """File number ``n`` of a finished job (``files`` in the job)."""
    job = _job(request, pk)
    files = job.result.get("files", []) if job.status == job.Status.DONE else []
    if n >= len(files):
        raise Http404("Filen finns inte.")
    entry = files[n]
    path = job_dir(job.pk) / Path(entry["file"]).name
    if not path.is_file():
        raise Http404("Filen finns inte längre.")
    audit_read(request, "jobs.Job", association_id=job.params.get("association_id"), object_id=pk)
    return FileResponse(
        open(path, "rb"),
        as_attachment=True,
        filename=entry.get("file_name") or path.name,
        content_type=entry.get("content_type") or "application/octet-stream",
    )


# --- import jobs --------------------------------------------------------------------------------


def _form_problems(form) -> DomainValidationError:
    return DomainValidationError(
        [Problem("" if k == "__all__" else k, "invalid", str(v[0])) for k, v in form.errors.items()]
    )


@router.post("/import-jobs", response={202: JobOut, **ERRORS}, tags=["Import"])
def import_job_start(
    request,
    file: File[UploadedFile],
    kind: Form[str],
    association: Form[Id],
    dry_run: Form[bool] = True,
):
    """Start an import as a background job, like the web import: the file is stored and the
    dry run (``dry_run``, default) or the import itself (all or nothing) is queued. Poll
    ``GET /jobs/{id}``; a finished dry run is imported with ``POST /import-jobs/{id}/confirm``.
    The same size limit as the web import."""
    from finsam.interchange.forms import ImportForm
    from finsam.interchange.jobs import queue_preview
    from finsam.registry import selectors

    require(request, Action.IMPORT_DATA)
    asked = selectors.association_by_pk(association)
    if asked is not None:  # another association's import is refused, not just not offered
        require(request, Action.IMPORT_DATA, association=asked)
    form = ImportForm({"kind": kind, "association": association}, {"file": file}, user=request.user)
    if not form.is_valid():
        raise _form_problems(form)
    target = form.cleaned_data["association"]
    require(request, Action.IMPORT_DATA, association=target)
    job = queue_preview(
        actor=request.user,
        association=target,
        kind=form.cleaned_data["kind"],
        upload=form.cleaned_data["file"],
        dry_run=dry_run,
    )
    return _accepted(job)


@router.post("/import-jobs/{pk}/confirm", response={202: JobOut, **ERRORS}, tags=["Import"])
def import_job_confirm(request, pk: uuid.UUID):
    """Import the file of a finished, error-free dry run (once; as the page's button)."""
    from finsam.interchange.jobs import PREVIEW, queue_import
    from finsam.registry import selectors

    preview = _job(request, pk)
    if preview.kind != PREVIEW or preview.status != preview.Status.DONE:
        raise Http404("Importen finns inte längre; ladda upp filen igen.")
    if not Path(preview.params.get("path", "")).is_file():
        raise Http404("Importen finns inte längre; ladda upp filen igen.")
    association = selectors.association_by_pk(preview.params["association_id"])
    if association is None:
        raise Http404("Förbundet finns inte.")
    require(request, Action.IMPORT_DATA, association=association)
    if not preview.result.get("ok"):
        raise DomainValidationError(
            [Problem("file", "import.errors", "Filen har fel och kan inte importeras.")]
        )
    job = queue_import(actor=request.user, preview=preview)
    if job is None:
        raise Http404("Importen finns inte längre; ladda upp filen igen.")
    return _accepted(job)


# --- evaluation runs ----------------------------------------------------------------------------


class DidIn(Schema):
    unit: str
    time: str
    group: str
    outcome: str
    covariates: list[str] = []
    control: str = "never"
    method: str = "dr"
    base_period: str = "varying"
    anticipation: int = 0
    bootstrap: int = 999
    seed: int | None = None


@router.post("/evaluations/did", response={202: JobOut, **ERRORS}, tags=["Utvärdering"])
def evaluation_did_start(request, file: File[UploadedFile], options: Form[DidIn]):
    """Start a difference-in-differences evaluation (the evaluation page's DiD run, with its
    checks and Swedish messages) as a background job on an uploaded panel (CSV or xlsx).
    Poll ``GET /jobs/{id}``; when done, ``files`` holds the results (CSV, JSON, xlsx, PDF)."""
    from finsam.evaluation.web.forms import DidForm, PanelUploadForm
    from finsam.evaluation.web.jobs import queue_did

    require(request, Action.NATIONAL_MODELS)
    upload_form = PanelUploadForm({}, {"data": file})
    if not upload_form.is_valid():
        problems = _form_problems(upload_form).problems
        raise DomainValidationError(
            [Problem("file" if p.field == "data" else p.field, p.rule, p.message) for p in problems]
        )
    form = DidForm(options.dict(), columns=list(upload_form.frame.columns))
    if not form.is_valid():
        raise _form_problems(form)
    job = queue_did(
        actor=request.user, file_name=file.name, data=upload_form.content, cleaned=form.cleaned_data
    )
    return _accepted(job)


class IsfIn(Schema):
    control: str = "notyet"
    method: str = "dr"
    base_period: str = "varying"
    anticipation: int = 0
    bootstrap: int = 999
    seed: int | None = None


@router.post("/evaluations/isf", response={202: JobOut, **ERRORS}, tags=["Utvärdering"])
def evaluation_isf_start(
    request,
    file: File[UploadedFile],
    options: Form[IsfIn],
    join_years: File[UploadedFile | None] = None,
):
    """Start the ISF study (the evaluation page's, with its checks and Swedish messages) as a
    background job: ``file`` has the counts per municipality and year, ``join_years`` the years
    of joining when ``file`` has no ``join_year``. When done, ``files`` holds xlsx, PDF and JSON."""
    import numpy as np

    from finsam.evaluation.web.forms import IsfForm, IsfUploadForm
    from finsam.evaluation.web.jobs import queue_isf

    require(request, Action.NATIONAL_MODELS)
    files = {"data": file, **({"join_years": join_years} if join_years is not None else {})}
    upload_form = IsfUploadForm({}, files)
    if not upload_form.is_valid():
        problems = _form_problems(upload_form).problems
        names = {"data": "file"}
        raise DomainValidationError(
            [Problem(names.get(p.field, p.field), p.rule, p.message) for p in problems]
        )
    form = IsfForm(options.dict())
    if not form.is_valid():
        raise _form_problems(form)
    data = form.cleaned_data
    seed = data["seed"]
    if seed is None:
        seed = int(np.random.SeedSequence().generate_state(1)[0])
    joined = upload_form.files_read.get("join_years")
    job = queue_isf(
        actor=request.user,
        file_name=file.name,
        data=upload_form.files_read["data"][0],
        join_name=join_years.name if joined else "",
        join=joined[0] if joined else None,
        cleaned=data,
        seed=seed,
    )
    return _accepted(job)


# --- report jobs --------------------------------------------------------------------------------


@router.post("/report-jobs/{name}", response={202: JobOut, **ERRORS}, tags=["Rapporter"])
def report_job_start(request, name: str, q: Query[ReportQuery]):
    """Run a standard report (the arguments of ``GET /reports/{name}``) as a background job – for
    national reports of a large registry. The report is planned (the roles, the token's scope,
    the protection) in the request, so a refused report is a problem at once, and again in the
    worker; when done, ``files`` holds CSV, xlsx and JSON."""
    from finsam.reports import jobs as report_jobs

    plan, codes, scope = plan_api_report(request, name, q)
    job = report_jobs.queue_planned_report(
        actor=request.user,
        name=plan.name,
        plan={
            "start": q.start.isoformat(),
            "end": q.end.isoformat(),
            "levels": [q.level],
            "association_codes": list(codes),
            "split": q.split,
            "unprotected": q.unprotected,
        },
        title=f"{plan.code} {plan.spec.title} {plan.options.period.label}",
        association_id=scope,
    )
    return _accepted(job)
