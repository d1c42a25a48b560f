"""Evaluation pages for the national analyst: a DiD run on any panel, and the ISF study.

Each page has two steps. A POST uploads the file (kept in a temporary file keyed in the session,
see :mod:`uploads`) and redirects; a GET form then chooses columns and options and runs. Running
is a GET because it changes nothing: the result can be reloaded, and every download link is the
same query plus ``format=``. A run without bootstrap takes well under a second and is
synchronous; a run with bootstrap draws is a background job (``finsam.jobs``,
:mod:`finsam.evaluation.web.jobs`) whose page shows the result and every download.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from finsam.access.permissions import require
from finsam.domain.access import Action
from finsam.domain.problems import DomainValidationError
from finsam.evaluation import EVALUATION_COLUMNS
from finsam.evaluation.isf import OUTCOMES, POPULATIONS, UNIT, StudyOptions, run_isf_study
from finsam.evaluation.run import (
    AGGREGATION_LABELS,
    DidRun,
    did_event_study_chart,
    did_workbook,
    read_table,
    run_did,
)
from finsam.evaluation.web import uploads
from finsam.evaluation.web.forms import (
    DidForm,
    IsfForm,
    IsfUploadForm,
    PanelUploadForm,
    guess_columns,
)
from finsam.evaluation.web.jobs import queue_did, queue_isf
from finsam.web import outputs

DID_KEY = "evaluation_did_upload"
ISF_KEY = "evaluation_isf_upload"
ISF_JOIN_KEY = "evaluation_isf_join_upload"
DID_FORMATS = ("csv", "json", "xlsx", "pdf")
ISF_FORMATS = ("xlsx", "pdf", "json")


def index(request):
    require(request.user, Action.NATIONAL_MODELS)
    return render(request, "evaluation/index.html", {})


def _download_links(request, run_query: dict, formats) -> list[tuple[str, str]]:
    labels = {"csv": "CSV", "json": "JSON", "xlsx": "Excel (xlsx)", "pdf": "PDF"}
    return [
        (labels[f], f"{request.path}?{urlencode({**run_query, 'format': f}, doseq=True)}")
        for f in formats
    ]


def _run_query(form) -> dict:
    """The form's submitted values (what the user typed) for links."""
    return {k: form.data.getlist(k) for k in form.fields if k in form.data}


# --- DiD ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def did(request):
    require(request.user, Action.NATIONAL_MODELS)
    if request.method == "POST":
        if "forget" in request.POST:
            uploads.forget(request.session, DID_KEY)
            return redirect("evaluation_did")
        upload_form = PanelUploadForm(request.POST, request.FILES)
        if upload_form.is_valid():
            upload = request.FILES["data"]
            uploads.store(request.session, DID_KEY, upload.name, upload_form.content)
            messages.success(
                request,
                gettext(
                    "Filen %(name)s är uppladdad (%(len)s rader). Välj kolumner och inställningar."
                )
                % {"name": upload.name, "len": len(upload_form.frame)},
            )
            return redirect("evaluation_did")
        return render(request, "evaluation/did.html", {"upload_form": upload_form})

    stored = uploads.load(request.session, DID_KEY)
    if stored is None:
        if request.GET:
            messages.warning(
                request, gettext("Ingen fil är uppladdad (eller så har den tagits bort).")
            )
        return render(request, "evaluation/did.html", {"upload_form": PanelUploadForm()})
    try:
        frame = read_table(stored.path, stored.name)
    except DomainValidationError as error:
        uploads.forget(request.session, DID_KEY)
        messages.error(request, str(error))
        return redirect("evaluation_did")
    bound = "outcome" in request.GET
    form = DidForm(
        request.GET if bound else None,
        columns=list(frame.columns),
        initial=guess_columns(frame.columns),
    )
    run = None
    if bound and form.is_valid() and form.cleaned_data["bootstrap"]:
        job = queue_did(
            actor=request.user, file_name=stored.name, data=stored.path, cleaned=form.cleaned_data
        )
        return redirect("job_detail", pk=job.pk)
    if bound and form.is_valid():
        data = form.cleaned_data
        try:
            run = run_did(
                frame,
                unit=data["unit"],
                time=data["time"],
                group=data["group"],
                outcome=data["outcome"],
                covariates=data["covariates"],
                control=data["control"],
                method=data["method"],
                base_period=data["base_period"],
                anticipation=data["anticipation"],
                bootstrap=data["bootstrap"],
                seed=data["seed"],
            )
        except DomainValidationError as error:
            form.apply_problems(error.problems, form.field_map())
    context = {
        "stored": stored,
        "n_rows": len(frame),
        "columns": list(frame.columns),
        "form": form,
        "column_fields": [form[n] for n in ("unit", "time", "group", "outcome", "covariates")],
        "option_fields": [
            form[n]
            for n in ("control", "method", "base_period", "anticipation", "bootstrap", "seed")
        ],
        "upload_form": PanelUploadForm(),
    }
    if run is None:
        return render(request, "evaluation/did.html", context)
    query = {**_run_query(form), "seed": [str(run.seed)]}
    fmt = request.GET.get("format")
    if fmt in DID_FORMATS:
        return _did_download(request, run, fmt, stored.name, query)
    context.update(
        _did_context(run, stored.name),
        downloads=_download_links(request, query, DID_FORMATS),
    )
    return render(request, "evaluation/did.html", context)


def _did_context(run: DidRun, file_name: str) -> dict:
    o = run.result.options
    chart = did_event_study_chart(run)
    aggregations = []
    for kind in ("dynamic", "group", "calendar", "simple"):
        overall, rows = run.aggregation_rows(kind)
        aggregations.append(
            {
                "kind": kind,
                "label": AGGREGATION_LABELS[kind],
                "overall": overall,
                "rows": rows,
                "key": {"dynamic": "event_time", "group": "group", "calendar": "time"}.get(kind),
                "key_label": {
                    "dynamic": gettext("Tid från behandling"),
                    "group": "Grupp",
                    "calendar": gettext("Period"),
                }.get(kind),
            }
        )
    return {
        "run": run,
        "file_name": file_name,
        "cells": run.cells(),
        "aggregations": aggregations,
        "dynamic": aggregations[0],
        "pretest": run.pretest,
        "notes": run.notes,
        "chart_svg": outputs.chart_svg(chart),
        "level": round(100 * (1 - o.alpha)),
        "settings": run.settings(),
    }


def _stem(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in Path(name).stem)[:60] or "panel"


def _did_download(request, run: DidRun, fmt: str, file_name: str, query: dict):
    filename = f"utvardering-{_stem(file_name)}-{run.result.options.yname}"
    filename = "".join(c if c.isalnum() or c in "-_." else "-" for c in filename)
    if fmt == "csv":
        return outputs.csv_response(
            EVALUATION_COLUMNS,
            ([row[k] for k in EVALUATION_COLUMNS] for row in run.rows),
            f"{filename}.csv",
        )
    if fmt == "json":
        return outputs.json_response(run.to_dict(), f"{filename}.json")
    chart = did_event_study_chart(run)
    if fmt == "xlsx":
        workbook = did_workbook(run, chart_png=outputs.chart_png(chart))
        return outputs.xlsx_response(workbook, f"{filename}.xlsx")
    context = _did_context(run, file_name)
    return outputs.pdf_response(
        "evaluation/did_pdf.html", context, f"{filename}.pdf", request=request
    )


# --- ISF study ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def isf(request):
    require(request.user, Action.NATIONAL_MODELS)
    if request.method == "POST":
        if "forget" in request.POST:
            uploads.forget(request.session, ISF_KEY)
            uploads.forget(request.session, ISF_JOIN_KEY)
            return redirect("evaluation_isf")
        upload_form = IsfUploadForm(request.POST, request.FILES)
        if upload_form.is_valid():
            data_content, counts = upload_form.files_read["data"]
            uploads.store(request.session, ISF_KEY, request.FILES["data"].name, data_content)
            uploads.forget(request.session, ISF_JOIN_KEY)
            if "join_years" in upload_form.files_read:
                uploads.store(
                    request.session,
                    ISF_JOIN_KEY,
                    request.FILES["join_years"].name,
                    upload_form.files_read["join_years"][0],
                )
            messages.success(
                request,
                gettext(
                    "Filen %(name)s är uppladdad (%(len)s rader). Välj "
                    "inställningar och kör studien."
                )
                % {"name": request.FILES["data"].name, "len": len(counts)},
            )
            return redirect("evaluation_isf")
        return render(request, "evaluation/isf.html", _isf_help({"upload_form": upload_form}))

    stored = uploads.load(request.session, ISF_KEY)
    if stored is None:
        return render(request, "evaluation/isf.html", _isf_help({"upload_form": IsfUploadForm()}))
    stored_join = uploads.load(request.session, ISF_JOIN_KEY)
    bound = "control" in request.GET
    form = IsfForm(request.GET if bound else None)
    context = _isf_help(
        {
            "stored": stored,
            "stored_join": stored_join,
            "form": form,
            "upload_form": IsfUploadForm(),
        }
    )
    report = None
    if bound and form.is_valid():
        data = form.cleaned_data
        seed = data["seed"]
        if seed is None:
            import numpy as np

            seed = int(np.random.SeedSequence().generate_state(1)[0])
        if data["bootstrap"]:
            job = queue_isf(
                actor=request.user,
                file_name=stored.name,
                data=stored.path,
                join_name=stored_join.name if stored_join else "",
                join=stored_join.path if stored_join else None,
                cleaned=data,
                seed=seed,
            )
            return redirect("job_detail", pk=job.pk)
        try:
            counts = read_table(stored.path, stored.name, text_columns=(UNIT,))
            joins = (
                read_table(stored_join.path, stored_join.name, text_columns=(UNIT,))
                if stored_join
                else None
            )
            report = run_isf_study(
                counts,
                joins,
                options=StudyOptions(
                    control_group=data["control"],
                    est_method=data["method"],
                    base_period=data["base_period"],
                    anticipation=data["anticipation"],
                    biters=data["bootstrap"],
                    seed=seed,
                ),
            )
        except DomainValidationError as error:
            form.apply_problems(error.problems, form.field_map())
    if report is None:
        return render(request, "evaluation/isf.html", context)
    query = {**_run_query(form), "seed": [str(report.options.seed)]}
    fmt = request.GET.get("format")
    if fmt in ISF_FORMATS:
        return _isf_download(request, report, fmt)
    context.update(_isf_context(report), downloads=_download_links(request, query, ISF_FORMATS))
    return render(request, "evaluation/isf.html", context)


def _isf_help(context: dict) -> dict:
    return {
        **context,
        "outcomes": OUTCOMES,
        "populations": POPULATIONS,
    }


def _isf_context(report) -> dict:
    from finsam.evaluation import report as rp

    effects = report.effects()
    sections = []
    for outcome in report.outcomes():
        sub = effects[effects.outcome == outcome]
        if sub.empty:
            continue
        sections.append(
            {
                "outcome": outcome,
                "label": OUTCOMES.get(outcome, outcome),
                "chart_svg": outputs.chart_svg(rp.event_study_chart(report, outcome)),
                "rows": sub.to_dict(orient="records"),
            }
        )
    summary = report.summary()
    summary = summary.astype(object).where(summary.notna(), None)
    return {
        "report": report,
        "summary": summary.to_dict(orient="records"),
        "sections": sections,
        "notes": report.all_notes(),
        "settings": list(rp.method_lines(report).items()),
        "level": round(100 * (1 - report.options.alpha)),
    }


def _isf_download(request, report, fmt: str):
    from finsam.evaluation import report as rp

    filename = f"isf-studie-{report.years[0]}-{report.years[1]}"
    if fmt == "json":
        return outputs.json_response(rp.report_to_dict(report), f"{filename}.json")
    if fmt == "xlsx":
        with tempfile.TemporaryDirectory() as tmp:
            path = rp.write_xlsx(report, Path(tmp) / "isf.xlsx")
            return outputs.xlsx_response(path.read_bytes(), f"{filename}.xlsx")
    return outputs.pdf_response(
        "evaluation/isf_pdf.html", _isf_context(report), f"{filename}.pdf", request=request
    )
