"""Staff pages of the core indicators: questionnaire definitions (versioned data), collection
rounds with one-time links and paper entry, and the results with downloads. Views check
permission, parse a form, call a service or selector and render."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from finsam.access.permissions import can, require
from finsam.domain import formatting as fmt
from finsam.domain.access import Action
from finsam.domain.indicators import definitions as core
from finsam.domain.indicators import transfer
from finsam.domain.indicators.results import NATIONAL, OWN
from finsam.domain.problems import DomainValidationError, Problem
from finsam.indicators import charts, forms, selectors, services
from finsam.indicators.models import CollectionRound, Indicator, Item, QuestionnaireVersion
from finsam.registry import selectors as registry_selectors
from finsam.web import outputs

# --- start page ---------------------------------------------------------------------------------


def index(request):
    user = request.user
    if not (
        can(user, Action.VIEW_INDICATOR_DEFINITIONS)
        or can(user, Action.VIEW_INDICATOR_RESULTS)
        or can(user, Action.ENTER_INDICATOR_ANSWERS)
    ):
        raise PermissionDenied(gettext("Du har inte behörighet till detta."))
    return render(
        request,
        "indicators/index.html",
        {
            "can_definitions": can(user, Action.VIEW_INDICATOR_DEFINITIONS),
            "can_rounds": can(user, Action.MANAGE_INDICATOR_ROUNDS)
            or can(user, Action.ENTER_INDICATOR_ANSWERS),
            "can_results": can(user, Action.VIEW_INDICATOR_RESULTS),
            "starter_in_use": selectors.starter_in_use(),
        },
    )


# --- definitions --------------------------------------------------------------------------------


def definitions(request):
    require(request.user, Action.VIEW_INDICATOR_DEFINITIONS)
    wanted = request.GET.get("format")
    if wanted in ("json", "csv"):
        return _export(wanted, selectors.questionnaire_list(), "indikatorer")
    return render(
        request,
        "indicators/definitions.html",
        {
            "indicators": selectors.indicator_list(),
            "versions": selectors.questionnaire_list(),
            "can_edit": can(request.user, Action.EDIT_INDICATOR_DEFINITIONS),
            "starter_in_use": selectors.starter_in_use(),
            "groups": core.RESPONDENT_GROUPS,
        },
    )


def _export(wanted: str, versions, stem: str):
    definition_set = selectors.definition_set(versions)
    if wanted == "json":
        return outputs.json_response(transfer.to_json_data(definition_set), f"{stem}.json")
    return outputs.csv_response(
        transfer.CSV_COLUMNS, transfer.csv_rows(definition_set), f"{stem}.csv"
    )


def _problems_to_file(form, problems: list[Problem]) -> None:
    for problem in problems:
        form.add_error("file", problem.message)


def _error_messages(request, problems: list[Problem]) -> None:
    """A refused action on a page without a form: each problem as an error message."""
    for problem in problems:
        messages.error(request, problem.message)


@require_http_methods(["GET", "POST"])
def definitions_import(request):
    require(request.user, Action.EDIT_INDICATOR_DEFINITIONS)
    form = forms.DefinitionsImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            form.add_error("file", gettext("Fil med enkätdefinitioner: filen måste vara i UTF-8."))
        else:
            try:
                counts = services.definitions_import(
                    actor=request.user,
                    definitions=transfer.parse(text, filename=upload.name or ""),
                )
            except DomainValidationError as exc:
                _problems_to_file(form, exc.problems)
            else:
                messages.success(
                    request,
                    gettext("Importen är klar: ")
                    + ", ".join(f"{v} {k}" for k, v in counts.items())
                    + ".",
                )
                return redirect("indicators_definitions")
    return render(request, "indicators/import.html", {"form": form})


@require_POST
def starter_load(request):
    require(request.user, Action.EDIT_INDICATOR_DEFINITIONS)
    counts = services.starter_load(actor=request.user)
    messages.success(
        request,
        gettext("Startuppsättningen är inläst: ")
        + ", ".join(f"{v} {k}" for k, v in counts.items())
        + ".",
    )
    return redirect("indicators_definitions")


def questionnaire_detail(request, pk: int):
    require(request.user, Action.VIEW_INDICATOR_DEFINITIONS)
    version = get_object_or_404(QuestionnaireVersion, pk=pk)
    wanted = request.GET.get("format")
    stem = f"enkat_{version.respondent_group}_v{version.version}"
    if wanted in ("json", "csv"):
        return _export(wanted, [version], stem)
    context = {
        "version": version,
        "items": version.items.select_related("indicator").order_by("position"),
        "scale_points": [(p, version.scale.label_of(p)) for p in version.scale.points]
        if len(version.scale_labels) == version.scale_max - version.scale_min + 1
        else [],
        "can_edit": can(request.user, Action.EDIT_INDICATOR_DEFINITIONS),
        "n_rounds": version.rounds.count(),
    }
    if wanted == "pdf":
        return outputs.pdf_response(
            "indicators/questionnaire_pdf.html", context, f"{stem}.pdf", request=request
        )
    return render(request, "indicators/questionnaire.html", context)


@require_http_methods(["GET", "POST"])
def questionnaire_create(request):
    require(request.user, Action.EDIT_INDICATOR_DEFINITIONS)
    form = forms.QuestionnaireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.questionnaire_create(
                actor=request.user,
                respondent_group=form.cleaned_data["respondent_group"],
                title=form.cleaned_data["title"],
                scale=form.scale(),
                note=form.cleaned_data["note"],
            )
        except DomainValidationError as exc:
            form.apply_problems(exc.problems, forms.SCALE_FIELDS)
        else:
            messages.success(
                request, gettext("%(version)s är skapad som utkast.") % {"version": version}
            )
            return redirect("indicators_questionnaire", pk=version.pk)
    return render(request, "indicators/questionnaire_form.html", {"form": form, "version": None})


def _refuse_if_published(request, version: QuestionnaireVersion):
    """A published version has no edit pages: back to the version with the core's message."""
    problems = core.check_editable(version.status, label=str(version))
    if not problems:
        return None
    _error_messages(request, problems)
    return redirect("indicators_questionnaire", pk=version.pk)


@require_http_methods(["GET", "POST"])
def questionnaire_edit(request, pk: int):
    require(request.user, Action.EDIT_INDICATOR_DEFINITIONS)
    version = get_object_or_404(QuestionnaireVersion, pk=pk)
    initial = {
        "title": version.title,
        "scale_min": version.scale_min,
        "scale_max": version.scale_max,
        "scale_labels": "\n".join(version.scale_labels),
        "top_categories": version.top_categories,
        "cannot_judge_label": version.cannot_judge_label,
        "note": version.note,
    }
    frozen = _refuse_if_published(request, version)
    if frozen:
        return frozen
    form = forms.QuestionnaireForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.questionnaire_update(
                actor=request.user,
                questionnaire=version,
                title=form.cleaned_data["title"],
                scale=form.scale(),
                note=form.cleaned_data["note"],
            )
        except DomainValidationError as exc:
            form.apply_problems(exc.problems, forms.SCALE_FIELDS)
        else:
            messages.success(request, gettext("%(version)s är sparad.") % {"version": version})
            return redirect("indicators_questionnaire", pk=version.pk)
    return render(request, "indicators/questionnaire_form.html", {"form": form, "version": version})


def _post_service(request, pk: int, call, success: str, *, to_new: bool = False):
    require(request.user, Action.EDIT_INDICATOR_DEFINITIONS)
    version = get_object_or_404(QuestionnaireVersion, pk=pk)
    try:
        result = call(version)
    except DomainValidationError as exc:
        _error_messages(request, exc.problems)
        return redirect("indicators_questionnaire", pk=version.pk)
    messages.success(request, success.format(version=result or version))
    if result is None:
        return redirect("indicators_definitions")
    return redirect("indicators_questionnaire", pk=result.pk if to_new else version.pk)


@require_POST
def questionnaire_publish(request, pk: int):
    return _post_service(
        request,
        pk,
        lambda v: services.questionnaire_publish(actor=request.user, questionnaire=v),
        "{version} är publicerad. Den kan inte längre ändras.",
    )


@require_POST
def questionnaire_new_version(request, pk: int):
    return _post_service(
        request,
        pk,
        lambda v: services.questionnaire_new_version(actor=request.user, source=v),
        "{version} är skapad som utkast – ändra formuleringarna och publicera den.",
        to_new=True,
    )


@require_POST
def questionnaire_delete(request, pk: int):
    return _post_service(
        request,
        pk,
        lambda v: services.questionnaire_delete_draft(actor=request.user, questionnaire=v),
        gettext("Utkastet är borttaget."),
    )


@require_http_methods(["GET", "POST"])
def item_edit(request, pk: int, item_pk: int | None = None):
    require(request.user, Action.EDIT_INDICATOR_DEFINITIONS)
    version = get_object_or_404(QuestionnaireVersion, pk=pk)
    item = get_object_or_404(Item, pk=item_pk, questionnaire=version) if item_pk else None
    if item is not None:
        initial = {
            "code": item.code,
            "position": item.position,
            "text": item.text,
            "indicator": item.indicator.number,
        }
    else:
        last = version.items.order_by("-position").first()
        initial = {"position": (last.position + 1) if last else 1}
    frozen = _refuse_if_published(request, version)
    if frozen:
        return frozen
    form = forms.ItemForm(
        request.POST or None, initial=initial, indicators=selectors.indicator_list()
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.item_save(
                actor=request.user,
                questionnaire=version,
                item=item,
                code=d["code"],
                position=d["position"],
                text=d["text"],
                indicator_number=d["indicator"],
            )
        except DomainValidationError as exc:
            form.apply_problems(exc.problems)
        else:
            messages.success(request, gettext("Påståendet är sparat."))
            return redirect("indicators_questionnaire", pk=version.pk)
    return render(
        request, "indicators/item_form.html", {"form": form, "version": version, "item": item}
    )


@require_POST
def item_delete(request, pk: int, item_pk: int):
    require(request.user, Action.EDIT_INDICATOR_DEFINITIONS)
    item = get_object_or_404(Item, pk=item_pk, questionnaire_id=pk)
    try:
        services.item_delete(actor=request.user, item=item)
    except DomainValidationError as exc:
        _error_messages(request, exc.problems)
    else:
        messages.success(request, gettext("Påståendet är borttaget."))
    return redirect("indicators_questionnaire", pk=pk)


@require_http_methods(["GET", "POST"])
def indicator_edit(request, pk: int | None = None):
    require(request.user, Action.EDIT_INDICATOR_DEFINITIONS)
    indicator = get_object_or_404(Indicator, pk=pk) if pk else None
    initial = (
        {
            "number": indicator.number,
            "name": indicator.name,
            "perspective": indicator.perspective,
            "description": indicator.description,
        }
        if indicator
        else {}
    )
    form = forms.IndicatorForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_save(actor=request.user, indicator=indicator, **form.cleaned_data)
        except DomainValidationError as exc:
            form.apply_problems(exc.problems)
        else:
            messages.success(request, gettext("Indikatorn är sparad."))
            return redirect("indicators_definitions")
    return render(request, "indicators/indicator_form.html", {"form": form, "indicator": indicator})


# --- collection rounds --------------------------------------------------------------------------


def round_list(request):
    user = request.user
    if not (can(user, Action.MANAGE_INDICATOR_ROUNDS) or can(user, Action.ENTER_INDICATOR_ANSWERS)):
        raise PermissionDenied(gettext("Du har inte behörighet till detta."))
    return render(
        request,
        "indicators/rounds.html",
        {
            "rounds": selectors.round_list_for(user),
            "can_create": can(user, Action.MANAGE_INDICATOR_ROUNDS),
        },
    )


def _managed_associations(user):
    return registry_selectors.associations_for(user, Action.MANAGE_INDICATOR_ROUNDS)


@require_http_methods(["GET", "POST"])
def round_create(request):
    user = request.user
    require(user, Action.MANAGE_INDICATOR_ROUNDS)
    associations = _managed_associations(user)
    interventions = registry_selectors.interventions_of(associations)
    versions = selectors.published_versions()
    year = timezone.localdate().year
    form = forms.RoundForm(
        request.POST or None,
        associations=associations,
        interventions=interventions,
        versions=versions,
        initial={"period_start": date(year, 1, 1), "period_end": date(year, 12, 31)},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        association = associations.filter(pk=d["association"]).first()
        if association is None:
            raise PermissionDenied(gettext("Du har inte behörighet till detta förbund."))
        intervention = (
            registry_selectors.intervention_by_pk(d["intervention"]) if d["intervention"] else None
        )
        try:
            collection_round = services.round_open(
                actor=user,
                association=association,
                intervention=intervention,
                questionnaire=get_object_or_404(QuestionnaireVersion, pk=d["questionnaire"]),
                period_start=d["period_start"],
                period_end=d["period_end"],
                name=d["name"],
            )
        except DomainValidationError as exc:
            form.apply_problems(exc.problems)
        else:
            messages.success(
                request,
                gettext("Insamlingen %(collection_round)s är öppnad.")
                % {"collection_round": collection_round},
            )
            return redirect("indicators_round", pk=collection_round.pk)
    return render(request, "indicators/round_form.html", {"form": form})


def _round_for(request, pk: int) -> tuple[CollectionRound, bool, bool]:
    collection_round = selectors.round_by_pk(pk)
    if collection_round is None:
        raise Http404(gettext("Insamlingen finns inte."))
    manage = can(
        request.user, Action.MANAGE_INDICATOR_ROUNDS, association=collection_round.association_id
    )
    enter = selectors.can_enter_answers(request.user, collection_round)
    if not (manage or enter):
        raise PermissionDenied(gettext("Du har inte behörighet till denna insamling."))
    return collection_round, manage, enter


def _round_context(request, collection_round, manage: bool, enter: bool, token_form) -> dict:
    return {
        "round": collection_round,
        "can_manage": manage,
        "can_enter": enter,
        **selectors.round_counts(collection_round),
        "token_form": token_form,
        "can_results": can(
            request.user, Action.VIEW_INDICATOR_RESULTS, association=collection_round.association_id
        ),
    }


def round_detail(request, pk: int):
    collection_round, manage, enter = _round_for(request, pk)
    return render(
        request,
        "indicators/round.html",
        _round_context(request, collection_round, manage, enter, forms.TokenForm()),
    )


@require_POST
def round_tokens(request, pk: int):
    collection_round, manage, enter = _round_for(request, pk)
    if not manage:
        raise PermissionDenied(gettext("Du har inte behörighet att skapa länkar."))
    form = forms.TokenForm(request.POST)
    tokens: list[str] = []
    if form.is_valid():
        try:
            tokens = services.tokens_generate(
                actor=request.user,
                collection_round=collection_round,
                count=form.cleaned_data["count"],
            )
        except DomainValidationError as exc:
            form.apply_problems(exc.problems)
    links = [request.build_absolute_uri(reverse("survey", args=[t])) for t in tokens]
    if links and request.POST.get("format") == "pdf":
        return outputs.pdf_response(
            "indicators/tokens_pdf.html",
            {"round": collection_round, "links": links},
            f"enkatlankar_{collection_round.pk}.pdf",
            request=request,
        )
    if links and request.POST.get("format") == "csv":
        return outputs.csv_response(
            ["nr", "lank"],
            ([n, link] for n, link in enumerate(links, start=1)),
            f"enkatlankar_{collection_round.pk}.csv",
        )
    if not links:
        return render(
            request,
            "indicators/round.html",
            _round_context(request, collection_round, manage, enter, form),
            status=400,
        )
    return render(request, "indicators/tokens.html", {"round": collection_round, "links": links})


@require_POST
def round_close(request, pk: int):
    collection_round, manage, _enter = _round_for(request, pk)
    if not manage:
        raise PermissionDenied(gettext("Du har inte behörighet att stänga insamlingen."))
    try:
        services.round_close(actor=request.user, collection_round=collection_round)
    except DomainValidationError as exc:
        _error_messages(request, exc.problems)
    else:
        messages.success(
            request, gettext("Insamlingen är stängd. Oanvända länkar fungerar inte längre.")
        )
    return redirect("indicators_round", pk=pk)


@require_http_methods(["GET", "POST"])
def paper_entry(request, pk: int):
    collection_round, _manage, enter = _round_for(request, pk)
    if not enter:
        raise PermissionDenied(gettext("Du har inte behörighet att registrera pappersenkäter."))
    questionnaire = selectors.definition_of(collection_round.questionnaire)
    form = forms.AnswersForm(
        request.POST if request.method == "POST" else None, questionnaire=questionnaire
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.response_enter_paper(
                actor=request.user,
                collection_round=collection_round,
                raw_answers=form.raw_answers(),
            )
        except DomainValidationError as exc:
            form.apply_problems(exc.problems)
        else:
            messages.success(
                request, gettext("Pappersenkäten är registrerad. Fyll i nästa, eller gå tillbaka.")
            )
            return redirect("indicators_paper", pk=pk)
    return render(
        request,
        "indicators/paper.html",
        {"round": collection_round, "form": form, "questionnaire": questionnaire},
    )


@require_http_methods(["GET", "POST"])
def answers_import(request, pk: int):
    collection_round, _manage, enter = _round_for(request, pk)
    if not enter:
        raise PermissionDenied(gettext("Du har inte behörighet att registrera svar."))
    codes = [i.code for i in collection_round.questionnaire.items.order_by("position")]
    if request.GET.get("format") == "csv":
        return outputs.csv_response(codes, [], f"svarsmall_{collection_round.pk}.csv")
    form = forms.AnswersImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        # CSV or xlsx, read by the one table reader (encoding and form problems included)
        content = form.cleaned_data["file"].read()
        try:
            count = services.responses_import(
                actor=request.user, collection_round=collection_round, text=content
            )
        except DomainValidationError as exc:
            _problems_to_file(form, exc.problems)
        else:
            messages.success(
                request, gettext("%(count)s enkätsvar är importerade.") % {"count": count}
            )
            return redirect("indicators_round", pk=pk)
    return render(
        request,
        "indicators/answers_import.html",
        {"round": collection_round, "form": form, "codes": codes},
    )


# --- results ------------------------------------------------------------------------------------

NATIONAL_CHOICE = "riket"


def _mean(value) -> str:
    return fmt.number(value, 2) if value is not None else ""


def _share(value) -> str:
    return fmt.percent(value, 0) if value is not None else ""


def _cell(table, scope, unit, period, measure, formatter) -> str:
    if table.is_hidden(scope, unit, period, measure):
        return table.protected.rule.symbol
    value = table.shown(scope, unit, period, measure)
    if value is None:
        return {"n": "0", "change": ""}.get(measure, "–")
    return formatter(value)


def _change(value) -> str:
    return ("+" if value > 0.005 else "") + fmt.number(value, 2)


MEASURE_FORMAT = {
    "n": str,
    "mean": _mean,
    "sd": _mean,
    "top": _share,
    "cj": _share,
    "change": _change,
}


def _rows(table) -> list[dict]:
    rows = []
    for unit in table.units:
        for period in table.periods:
            row = {
                "unit": unit,
                "period": period,
                "associations": table.contributing.get((unit.kind, unit.key, period), 0),
            }
            for scope in table.scopes:
                row[scope] = {
                    m: _cell(table, scope, unit, period, m, f) for m, f in MEASURE_FORMAT.items()
                }
            rows.append(row)
    return rows


def _chart_points(table, own_label: str) -> list[dict]:
    points = []
    for unit in table.units:
        if unit.kind != "indicator":
            continue
        for period in table.periods:
            for scope in table.scopes:
                value = table.shown(scope, unit, period, "mean")
                if value is not None:
                    points.append(
                        {
                            "indikator": f"{unit.key}. {unit.label}",
                            "period": str(period),
                            "serie": own_label if scope == OWN else gettext("Riket"),
                            "medel": round(value, 2),
                        }
                    )
    return points


def _overview_cell(cell) -> dict | None:
    if cell is None:
        return None
    return {
        "mean": _mean(cell.mean) if cell.mean is not None else "–",
        "n": cell.n,
        "period": cell.period,
        "hidden": cell.mean is None,
    }


def results(request):
    user = request.user
    require(user, Action.VIEW_INDICATOR_RESULTS)
    versions = list(selectors.versions_with_answers())
    associations = list(selectors.result_associations(user))
    national_allowed = can(user, Action.NATIONAL_MODELS)
    chosen_version = None
    wanted = request.GET.get("version", "")
    if wanted.isdigit():
        chosen_version = next((v for v in versions if v.pk == int(wanted)), None)
        if chosen_version is None:
            raise Http404(gettext("Enkätversionen finns inte eller har inga svar."))
    wanted_assoc = request.GET.get("association", "")
    association = None
    if wanted_assoc == NATIONAL_CHOICE:
        if not national_allowed:
            raise PermissionDenied(gettext("Du har inte behörighet till rikets resultat."))
    elif wanted_assoc.isdigit():
        association = next((a for a in associations if a.pk == int(wanted_assoc)), None)
        if association is None:
            raise PermissionDenied(gettext("Du har inte behörighet till detta förbunds resultat."))
    elif wanted_assoc:
        raise Http404(gettext("Okänt förbund."))
    elif associations and not national_allowed:
        association = associations[0]
    context = {
        "versions": versions,
        "associations": associations,
        "national_allowed": national_allowed,
        "chosen_version": chosen_version,
        "association": association,
        "national_choice": NATIONAL_CHOICE,
        "threshold": selectors.protection_rule().threshold,
    }
    if chosen_version is None:
        if versions and (association is not None or national_allowed):
            columns, overview_rows = selectors.overview(association)
            label = association.name if association else "Riket"
            overview = charts.overview_chart(
                charts.overview_points(columns, overview_rows),
                scale_min=min((v.scale_min for v in columns), default=1),
                scale_max=max((v.scale_max for v in columns), default=7),
                title=gettext("Senaste medelvärde per indikator – %(label)s") % {"label": label},
            )
            context.update(
                {
                    "overview_chart_svg": outputs.chart_svg(overview) if overview else "",
                    "overview_columns": columns,
                    "overview_rows": [
                        {**row, "cells": [_overview_cell(c) for c in row["cells"]]}
                        for row in overview_rows
                    ],
                    "overview_label": association.name if association else gettext("Riket"),
                }
            )
        return render(request, "indicators/results.html", context)
    table = selectors.results(chosen_version, association=association)
    own_label = association.name if association else gettext("Riket")
    chart = charts.means_chart(
        _chart_points(table, own_label),
        scale_min=chosen_version.scale_min,
        scale_max=chosen_version.scale_max,
        title=gettext("Medelvärde per indikator – %(chosen_version)s")
        % {"chosen_version": chosen_version},
        own_label=association.name if association else None,
    )
    rows = _rows(table)
    context.update(
        {
            "table": table,
            "rows_indicator": [r for r in rows if r["unit"].kind == "indicator"],
            "rows_item": [r for r in rows if r["unit"].kind == "item"],
            "own_label": own_label,
            "has_own": association is not None,
            "scale": chosen_version.scale,
            "protection_note": table.protected.rule.note(),
            "definitions_text": DEFINITIONS_TEXT,
        }
    )
    context["result_blocks"] = [
        {
            "id": "indicators",
            "title": gettext("Per indikator"),
            "unit_label": gettext("Indikator"),
            "rows": context["rows_indicator"],
        },
        {
            "id": "items",
            "title": gettext("Per påstående"),
            "unit_label": gettext("Påstående"),
            "rows": context["rows_item"],
        },
    ]
    stem = f"indikatorer_{chosen_version.respondent_group}_v{chosen_version.version}_" + (
        association.code.lower() if association else NATIONAL_CHOICE
    )
    wanted_format = request.GET.get("format")
    if wanted_format in ("csv", "xlsx"):
        header, body = _flat(table, association is not None)
        if wanted_format == "csv":
            return outputs.csv_response(header, body, f"{stem}.csv")
        return outputs.xlsx_response(
            outputs.xlsx_workbook(
                {"Resultat": (header, body)},
                notes=[
                    str(chosen_version),
                    *([STARTER_NOTE] if chosen_version.starter else []),
                    *DEFINITIONS_TEXT,
                    table.protected.rule.note(),
                ],
                images={"Resultat": outputs.chart_png(chart)}
                if context["rows_indicator"]
                else None,
            ),
            f"{stem}.xlsx",
        )
    context["chart_svg"] = outputs.chart_svg(chart) if context["rows_indicator"] else ""
    if wanted_format == "pdf":
        return outputs.pdf_response(
            "indicators/results_pdf.html", context, f"{stem}.pdf", request=request
        )
    query = request.GET.copy()
    query.pop("format", None)
    for f in ("csv", "xlsx", "pdf"):
        query["format"] = f
        context[f"{f}_url"] = f"?{query.urlencode()}"
    return render(request, "indicators/results.html", context)


STARTER_NOTE = (
    "Startuppsättning: påståendena är Finsams egna, byggda på NNS bekräftade teman, och ska "
    "ersättas av NNS officiella formuleringar."
)

DEFINITIONS_TEXT = [
    "n = antal svarande som besvarat påståendet/indikatorn (med ett värde eller "
    "”kan inte bedöma”).",
    "Medelvärde, standardavvikelse och andel i toppkategorierna räknas på dem som svarat med ett "
    "värde; ”kan inte bedöma” ingår inte. En indikators värde för en svarande är medelvärdet av "
    "hens svar på indikatorns påståenden.",
    "Andel ”kan inte bedöma” räknas på n.",
    "Förändring = medelvärdet minus medelvärdet föregående period med svar på samma version.",
    "Period = det år insamlingens period börjar. Jämförelser över tid gäller alltid samma "
    "enkätversion och därmed samma påståenden.",
    "Riket = alla förbund vars egna värde för cellen visas (minst så många svarande som "
    "tröskelvärdet).",
]


def _flat(table, has_own: bool):
    measures = [
        ("n", "n"),
        ("mean", "medelvärde"),
        ("sd", "standardavvikelse"),
        ("top", "andel topp"),
        ("cj", gettext("andel kan inte bedöma")),
        ("change", gettext("förändring av medelvärdet")),
    ]
    header = ["nivå", "kod", "indikator", "text", "period"]
    scopes = [OWN, NATIONAL] if has_own else [NATIONAL]
    for scope in scopes:
        prefix = "" if scope == OWN else "riket "
        header += [f"{prefix}{label}" for _m, label in measures]
    header.append(gettext("riket antal förbund"))
    body = []
    for unit in table.units:
        for period in table.periods:
            line = [
                "indikator" if unit.kind == "indicator" else "påstående",
                unit.key,
                unit.indicator,
                unit.label,
                period,
            ]
            for scope in scopes:
                for m, _label in measures:
                    if table.is_hidden(scope, unit, period, m):
                        line.append(table.protected.rule.symbol)
                    else:
                        value = table.shown(scope, unit, period, m)
                        line.append(
                            ""
                            if value is None
                            else (round(value, 4) if isinstance(value, float) else value)
                        )
            line.append(table.contributing.get((unit.kind, unit.key, period), 0))
            body.append(line)
    return header, body
