"""Evaluations with bootstrap as background jobs: the estimate, the result page and every
download are made in the worker and kept in the job's directory."""

from __future__ import annotations

import re
from pathlib import Path

from django.template.loader import render_to_string

from finsam.jobs.runner import job_dir

DID_OPTIONS = (
    "unit",
    "time",
    "group",
    "outcome",
    "covariates",
    "control",
    "method",
    "base_period",
    "anticipation",
    "bootstrap",
    "seed",
)
"""The cleaned fields of :class:`~finsam.evaluation.web.forms.DidForm` that a run takes."""

DID_FORMATS = {"csv": "CSV", "json": "JSON", "xlsx": "Excel (xlsx)", "pdf": "PDF"}
ISF_FORMATS = {"xlsx": "Excel (xlsx)", "pdf": "PDF", "json": "JSON"}


def queue_evaluation(*, actor, kind: str, title: str, handler: str, params: dict, data, join=None):
    """Queue an evaluation as a background job: the panel (``data``: a path or bytes, with
    ``params["file_name"]``) and the optional join-year file (``join``, with
    ``params["join_name"]``) are copied into the job's directory first. The one path for the
    evaluation pages and the API."""
    import shutil

    from finsam.jobs.models import Job
    from finsam.jobs.services import job_enqueue

    job = Job(kind=kind)  # only for its id: the files go into the job's directory first
    directory = job_dir(job.pk)
    params = dict(params)
    for key, name_key, stem, source in (
        ("path", "file_name", "data", data),
        ("join_path", "join_name", "join", join),
    ):
        if source is None:
            continue
        suffix = Path(params.get(name_key) or "x.csv").suffix.lower()
        target = directory / f"{stem}{suffix if suffix in ('.csv', '.txt', '.xlsx') else '.csv'}"
        if isinstance(source, bytes):
            target.write_bytes(source)
        else:
            shutil.copyfile(source, target)
        params[key] = str(target)
    return job_enqueue(
        actor=actor, kind=kind, title=title, handler=handler, params=params, job_id=job.pk
    )


def queue_did(*, actor, file_name: str, data, cleaned: dict):
    """Queue a DiD run with the options of a valid ``DidForm`` (``cleaned``)."""
    options = {k: cleaned[k] for k in DID_OPTIONS}
    return queue_evaluation(
        actor=actor,
        kind="evaluation_did",
        title=f"Utvärdering av {file_name[:120]} ({options['bootstrap']} bootstrap-dragningar)",
        handler="finsam.evaluation.web.jobs.run_did_job",
        params={"file_name": file_name, "options": options},
        data=data,
    )


def queue_isf(*, actor, file_name: str, data, join_name: str = "", join=None, cleaned: dict, seed):
    """Queue the ISF study with the options of a valid ``IsfForm`` (``cleaned``) and ``seed``."""
    return queue_evaluation(
        actor=actor,
        kind="evaluation_isf",
        title=f"ISF-studien på {file_name[:120]} ({cleaned['bootstrap']} bootstrap-dragningar)",
        handler="finsam.evaluation.web.jobs.run_isf_job",
        params={
            "file_name": file_name,
            "join_name": join_name,
            "options": {
                "control_group": cleaned["control"],
                "est_method": cleaned["method"],
                "base_period": cleaned["base_period"],
                "anticipation": cleaned["anticipation"],
                "biters": cleaned["bootstrap"],
                "seed": seed,
            },
        },
        data=data,
        join=join,
    )


def _filename(response, fallback: str) -> str:
    match = re.search(r'filename="?([^";]+)"?', response.get("Content-Disposition", ""))
    return match.group(1) if match else fallback


def _save_downloads(job, make, formats: dict, progress, start: int) -> list[dict]:
    files = []
    directory = job_dir(job.pk)
    for i, (fmt, label) in enumerate(formats.items()):
        progress(start + i * (95 - start) // len(formats), f"Skriver {label}")
        response = make(fmt)
        name = f"result.{fmt}"
        (directory / name).write_bytes(response.content)
        files.append(
            {
                "label": label,
                "file": name,
                "file_name": _filename(response, name),
                "content_type": response["Content-Type"],
            }
        )
    return files


def run_did_job(job, progress) -> dict:
    from finsam.evaluation.run import read_table, run_did
    from finsam.evaluation.web import views

    params = job.params
    progress(5, "Läser filen")
    frame = read_table(Path(params["path"]), params["file_name"])
    progress(10, f"Skattar effekterna ({params['options']['bootstrap']} bootstrap-dragningar)")
    run = run_did(frame, **params["options"])
    progress(60, "Ritar resultatet")
    context = views._did_context(run, params["file_name"])
    html = render_to_string("evaluation/_did_results.html", context)
    (job_dir(job.pk) / "result.html").write_text(html, encoding="utf-8")
    files = _save_downloads(
        job,
        lambda fmt: views._did_download(None, run, fmt, params["file_name"], {}),
        DID_FORMATS,
        progress,
        65,
    )
    return {
        "summary": f"Utvärdering av {params['file_name']} (frö {run.seed}).",
        "html": "result.html",
        "files": files,
        "seed": run.seed,
    }


def run_isf_job(job, progress) -> dict:
    from finsam.evaluation.isf import UNIT, StudyOptions, run_isf_study
    from finsam.evaluation.run import read_table
    from finsam.evaluation.web import views

    params = job.params
    progress(5, "Läser filerna")
    counts = read_table(Path(params["path"]), params["file_name"], text_columns=(UNIT,))
    joins = (
        read_table(Path(params["join_path"]), params["join_name"], text_columns=(UNIT,))
        if params.get("join_path")
        else None
    )
    progress(10, f"Kör studien ({params['options']['biters']} bootstrap-dragningar)")
    report = run_isf_study(counts, joins, options=StudyOptions(**params["options"]))
    progress(60, "Ritar resultatet")
    html = render_to_string("evaluation/_isf_results.html", views._isf_context(report))
    (job_dir(job.pk) / "result.html").write_text(html, encoding="utf-8")
    files = _save_downloads(
        job, lambda fmt: views._isf_download(None, report, fmt), ISF_FORMATS, progress, 65
    )
    return {
        "summary": f"ISF-studien {report.years[0]}–{report.years[1]} (frö {report.options.seed}).",
        "html": "result.html",
        "files": files,
        "seed": report.options.seed,
    }
