"""Socio-economic pages: the parameter table, payback per actor, cost-of-exclusion scenarios and
target group/coverage. Views check permission, parse a form, call a selector, service or the
core, and render (charts server-side as SVG with a table beside them)."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from finsam.access.permissions import can, covers_all, require
from finsam.domain.access import Action
from finsam.domain.problems import DomainValidationError, Problem
from finsam.domain.socioeconomics import exclusion as exclusion_core
from finsam.domain.socioeconomics import needs as needs_core
from finsam.domain.socioeconomics import payback as payback_core
from finsam.domain.socioeconomics.parameters import (
    ACTOR_LABELS,
    parameters_csv_rows,
)
from finsam.domain.socioeconomics.parameters import (
    COLUMNS as PARAMETER_COLUMNS,
)
from finsam.registry import selectors as registry_selectors
from finsam.socioeconomics import charts, forms, selectors, services
from finsam.socioeconomics import formatting as fmt
from finsam.socioeconomics.protection import is_suppressed, protect_count
from finsam.socioeconomics.protection import rule as protection_rule
from finsam.web import outputs

# --- helpers ------------------------------------------------------------------------------------


def _uploaded_source(upload, field_label: str):
    """An uploaded file as something the core's CSV/xlsx reader takes (text or a temp path)."""
    name = (upload.name or "").lower()
    content = upload.read()
    if name.endswith(".xlsx"):
        handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115
        handle.write(content)
        handle.close()
        return Path(handle.name)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainValidationError(
            [
                Problem(
                    "file",
                    "file.encoding",
                    gettext(
                        "%(field_label)s: filen måste vara en CSV-fil i UTF-8 eller en xlsx-fil."
                    )
                    % {"field_label": field_label},
                )
            ]
        ) from None
    if not text.strip():
        raise DomainValidationError(
            [
                Problem(
                    "file",
                    "file.empty",
                    gettext("%(field_label)s: filen är tom.") % {"field_label": field_label},
                )
            ]
        )
    return text


def _cleanup(source) -> None:
    if isinstance(source, Path):
        source.unlink(missing_ok=True)


def _all_to(field: str, problems: list[Problem], keep: set[str] = frozenset()) -> dict[str, str]:
    return {p.field: field for p in problems if p.field not in keep}


def _svg(chart) -> str:
    return outputs.chart_svg(chart)


# --- start page ---------------------------------------------------------------------------------


def index(request):
    user = request.user
    return render(
        request,
        "socioeconomics/index.html",
        {
            "can_reports": can(user, Action.VIEW_REPORTS),
            "can_parameters": can(user, Action.VIEW_PAYBACK_PARAMETERS),
        },
    )


# --- parameter table ----------------------------------------------------------------------------


def parameters(request):
    require(request.user, Action.VIEW_PAYBACK_PARAMETERS)
    sets = list(selectors.parameter_sets())
    chosen = None
    wanted = request.GET.get("tabell", "")
    if wanted.isdigit():
        chosen = next((s for s in sets if s.pk == int(wanted)), None)
    chosen = chosen or selectors.current_parameter_set()
    table = selectors.parameters_of(chosen) if chosen else None
    if table is not None and request.GET.get("format") == "csv":
        rows = parameters_csv_rows(table)
        return outputs.csv_response(
            PARAMETER_COLUMNS,
            ([r[c] for c in PARAMETER_COLUMNS] for r in rows),
            f"parametrar_{chosen.valid_year}_v{chosen.version}.csv",
        )
    rows = []
    if table is not None:
        for r in table.rows:
            rows.append(
                {
                    "item": r.item,
                    "item_label": _item_label(r.item),
                    "actor": ACTOR_LABELS.get(r.actor, r.actor),
                    "amount": fmt.kr(r.monthly_sek),
                    "source": r.source,
                    "year": r.year,
                    "assumption": r.assumption,
                    "note": r.note,
                }
            )
    return render(
        request,
        "socioeconomics/parameters.html",
        {
            "sets": sets,
            "chosen": chosen,
            "current": selectors.current_parameter_set(),
            "rows": rows,
            "n_assumptions": sum(1 for r in rows if r["assumption"]),
            "can_upload": can(request.user, Action.EDIT_PAYBACK_PARAMETERS),
        },
    )


def _item_label(item: str) -> str:
    from finsam.domain import codelists as cl

    special = {
        "WORK_FULLTIME": gettext("Skatter och avgifter från ett heltidsarbete"),
        "PRODUCTION_FULLTIME": gettext("Produktionsvärde av ett heltidsarbete"),
    }
    return special.get(item) or cl.SUPPORT.label_of(item)


@require_http_methods(["GET", "POST"])
def parameter_upload(request):
    require(request.user, Action.EDIT_PAYBACK_PARAMETERS)
    form = forms.ParameterUploadForm(
        request.POST or None,
        request.FILES or None,
        initial={"valid_year": timezone.localdate().year},
    )
    if request.method == "POST" and form.is_valid():
        source = None
        try:
            source = _uploaded_source(form.cleaned_data["file"], "Parameterfil")
            parameter_set = services.parameter_set_upload(
                actor=request.user,
                valid_year=form.cleaned_data["valid_year"],
                source=source,
                source_notes=form.cleaned_data["source_notes"],
            )
        except DomainValidationError as exc:
            form.apply_problems(exc.problems, _all_to("file", exc.problems, {"valid_year"}))
        else:
            messages.success(
                request,
                gettext("%(parameter_set)s är sparad med %(count)s rader.")
                % {"parameter_set": parameter_set, "count": parameter_set.rows.count()},
            )
            return redirect(f"{reverse('socio_parameters')}?tabell={parameter_set.pk}")
        finally:
            _cleanup(source)
    return render(request, "socioeconomics/parameter_upload.html", {"form": form})


# --- payback ------------------------------------------------------------------------------------

SPLITS = {"25/25": payback_core.StateSplit.EQUAL, "50/0": payback_core.StateSplit.FK_ONLY}
SERIES_MONTHS = (0, 12, 24, 36, 48, 60)


def payback(request):
    user = request.user
    require(user, Action.VIEW_REPORTS)
    associations = registry_selectors.associations_for(user, Action.VIEW_REPORTS)
    interventions = registry_selectors.interventions_of(associations)
    submitted = bool(request.GET.get("association"))
    if submitted and request.GET["association"].isdigit():
        wanted = registry_selectors.association_by_pk(int(request.GET["association"]))
        if wanted is not None and not can(user, Action.VIEW_REPORTS, association=wanted):
            raise PermissionDenied(gettext("Du har inte behörighet till detta förbunds rapporter."))
    last_year = timezone.localdate().year - 1
    form = forms.PaybackForm(
        request.GET if submitted else None,
        associations=associations,
        interventions=interventions,
        initial={
            "date_from": date(last_year, 1, 1),
            "date_to": date(last_year, 12, 31),
            "persistence": 100,
            "discount_rate": 0,
            "state_split": "25/25",
        },
    )
    context: dict = {"form": form, "result": None}
    if submitted and form.is_valid():
        context.update(_payback_result(request, form, associations, interventions))
    result = context.get("result")
    wanted_format = request.GET.get("format")
    if result is not None and wanted_format == "xlsx":
        return _payback_xlsx(context)
    if result is not None and wanted_format == "pdf":
        return outputs.pdf_response(
            "socioeconomics/payback_pdf.html",
            context,
            f"aterbetalning_{context['slug']}.pdf",
            request=request,
        )
    if result is not None:
        query = request.GET.copy()
        query.pop("format", None)
        context["xlsx_url"] = f"?{_with(query, format='xlsx')}"
        context["pdf_url"] = f"?{_with(query, format='pdf')}"
    return render(request, "socioeconomics/payback.html", context)


def _with(query: QueryDict, **extra) -> str:
    q = query.copy()
    for key, value in extra.items():
        q[key] = value
    return q.urlencode()


def _payback_result(request, form, associations, interventions) -> dict:
    data = form.cleaned_data
    association = associations.get(pk=int(data["association"]))
    intervention = None
    if data["intervention"]:
        intervention = interventions.filter(pk=int(data["intervention"])).first()
        if intervention is None or intervention.association_id != association.pk:
            form.add_error(
                "intervention", gettext("Insats: insatsen hör inte till det valda förbundet.")
            )
            return {}
    parameters, parameter_set = selectors.current_parameters(data["date_to"].year)
    settings = payback_core.PaybackSettings(
        state_split=SPLITS[data["state_split"]],
        persistence=(100 if data["persistence"] is None else data["persistence"]) / 100,
        discount_rate=(data["discount_rate"] or 0) / 100,
    )
    try:
        result = selectors.payback(
            association=association,
            intervention=intervention,
            date_from=data["date_from"],
            date_to=data["date_to"],
            parameters=parameters,
            settings=settings,
        )
    except DomainValidationError as exc:
        form.apply_problems(exc.problems, {"intervention_cost": "", "persistence_range": ""})
        return {}
    protected = not can(request.user, Action.VIEW_UNPROTECTED_REPORTS, association=association)
    rows = []
    for a in result.actors:
        rows.append(
            {
                "actor": a.actor,
                "label": a.label,
                "cost": fmt.kr(a.intervention_cost),
                "gain": fmt.kr(a.monthly_gain),
                "payback": fmt.months(a.payback_months),
                "never": a.payback_months is None,
                "payback_range": _range(a.payback_months_range, fmt.months),
                "profit_1y": fmt.kr(a.profit_1y),
                "profit_1y_range": _range(a.profit_1y_range, fmt.kr),
                "profit_1y_written_off": fmt.kr(a.profit_1y_range[1]),
                "profit_5y": fmt.kr(a.profit_5y),
                "profit_5y_range": _range(a.profit_5y_range, fmt.kr),
                "reference": (
                    (
                        "aldrig"
                        if a.reference_months is None
                        else gettext("%(reference_months)s mån")
                        % {"reference_months": a.reference_months}
                    )
                    if a.has_reference
                    else "–"
                ),
                "explanation": payback_core.explain_payback(a),
                "series": [
                    (fmt.kr(a.series[m].cumulative_cost), fmt.kr(a.series[m].cumulative_gain))
                    for m in SERIES_MONTHS
                    if m < len(a.series)
                ],
                "raw": a,
            }
        )
    scope = f"{intervention.name} ({intervention.code})" if intervention else association.name
    period = f"{data['date_from'].isoformat()}–{data['date_to'].isoformat()}"
    chart = charts.payback_chart(result)
    return {
        "result": result,
        "rows": rows,
        "association": association,
        "intervention": intervention,
        "scope": scope,
        "period": period,
        "slug": (intervention.code if intervention else association.code).lower(),
        "participants": protect_count(result.participants, protected=protected),
        "without_outcome": protect_count(result.participants_without_outcome, protected=protected),
        "small_base": 0 < result.participants < _threshold(),
        "threshold": _threshold(),
        "protected": protected,
        "total_cost": fmt.kr(result.intervention_cost),
        "parameter_set": parameter_set,
        "parameters": parameters,
        "n_assumptions": len(parameters.assumptions),
        "assumptions": _payback_assumptions(result, parameters, parameter_set, intervention),
        "references": payback_core.reference_rows(),
        "reference_source": payback_core.REFERENCE_SOURCE,
        "chart_svg": _svg(chart),
        "chart": chart,
        "series_months": [m for m in SERIES_MONTHS if m <= result.settings.series_months],
        "can_parameters": can(request.user, Action.VIEW_PAYBACK_PARAMETERS),
    }


def _threshold() -> int:
    from django.conf import settings

    return settings.FINSAM_PROTECTION_THRESHOLD


def _range(pair, formatter) -> str:
    low, high = pair
    if formatter is fmt.months:
        # (written off, full cost): shortest first; "aldrig" stays "aldrig".
        return "aldrig" if low is None and high is None else f"{formatter(low)} – {formatter(high)}"
    return f"{formatter(low)} – {formatter(high)}"


def _payback_assumptions(result, parameters, parameter_set, intervention) -> list[str]:
    s = result.settings
    fk, af = ("25 %", "25 %") if s.state_split is payback_core.StateSplit.EQUAL else ("50 %", "0 %")
    table = (
        gettext("parametertabellen för %(valid_year)s (version %(version)s)")
        % {"valid_year": parameter_set.valid_year, "version": parameter_set.version}
        if parameter_set
        else gettext("Finsams standardtabell för %(valid_year)s")
        % {"valid_year": parameters.valid_year}
    )
    return [
        gettext(
            "Vinsten räknas på de deltagare som avslutades under perioden. För varje deltagare "
            "jämförs försörjningen före insatsen med den senaste kända försörjningen efter "
            "(uppföljning om en sådan finns, annars läget vid avslut). "
            "Felregistreringar räknas inte."
        ),
        gettext(
            "Beloppen per månad kommer från %(table)s; %(len)s av %(len2)s "
            "belopp är antaganden som bör granskas lokalt."
        )
        % {"table": table, "len": len(parameters.assumptions), "len2": len(parameters.rows)},
        gettext(
            "Arbete räknas som andel av heltid (timmar per vecka delat med 40). Studietimmar ger "
            "inget eget belopp; studier räknas bara via försörjningen studiemedel."
        ),
        gettext(
            "Insatskostnaden kommer från förbundets budget (utfall om det finns, "
            "annars budget) för de månader perioden omfattar%(scope)s."
        )
        % {"scope": "" if intervention else gettext(", för alla förbundets insatser")},
        gettext(
            "Kostnaden delas enligt lagens andelar: staten 50 %% "
            "(Försäkringskassan %(fk)s, Arbetsförmedlingen %(af)s), regionen 25 %% och "
            "kommunerna 25 %%. Samhället bär hela kostnaden, eftersom det är verkliga resurser "
            "som används."
        )
        % {"fk": fk, "af": af},
        gettext(
            "Samhällets vinst räknar bara verkliga effekter (produktion och resursåtgång), inte "
            "pengar som flyttas mellan myndigheter."
        ),
        gettext(
            "Effekten antas finnas kvar till %(percent)s varje nytt år och "
            "framtida belopp räknas ned med %(percent2)s per år. Känslighetsintervallen visar "
            "vinsten efter 5 år med varaktighet 50–100 %% och återbetalningen om kostnaden "
            "skrivs av på 3 år."
        )
        % {"percent": fmt.percent(s.persistence, 0), "percent2": fmt.percent(s.discount_rate, 1)},
        gettext("Deltagare som ännu saknar uppgift om försörjning efter räknas som oförändrade."),
    ]


def _payback_xlsx(context: dict):
    result = context["result"]
    header = [
        gettext("Aktör"),
        gettext("Insatskostnad (kr)"),
        gettext("Vinst per månad (kr)"),
        gettext("Återbetalningstid (månader)"),
        gettext("Vinst efter 1 år (kr)"),
        gettext("Vinst efter 5 år (kr)"),
        gettext("Återbetalning, kostnad avskriven på 3 år (månader)"),
        gettext("Vinst efter 5 år, lägsta varaktighet (kr)"),
        gettext("Vinst efter 5 år, högsta varaktighet (kr)"),
        gettext("Riksgenomsnitt NNS (månader)"),
    ]

    def months(value):
        return "aldrig" if value is None else round(value, 1)

    table = [
        [
            a.label,
            round(a.intervention_cost, 2),
            round(a.monthly_gain, 2),
            months(a.payback_months),
            round(a.profit_1y, 2),
            round(a.profit_5y, 2),
            months(a.payback_months_range[0]),
            round(a.profit_5y_range[0], 2),
            round(a.profit_5y_range[1], 2),
            ("aldrig" if a.reference_months is None else a.reference_months)
            if a.has_reference
            else "",
        ]
        for a in result.actors
    ]
    series = [
        [a.label, p.month, round(p.cumulative_cost, 2), round(p.cumulative_gain, 2)]
        for a in result.actors
        for p in a.series
    ]
    parameter_rows = [
        [
            r.item,
            r.actor,
            r.monthly_sek,
            r.source,
            r.year or "",
            "ja" if r.assumption else "nej",
            r.note,
        ]
        for r in context["parameters"].rows
    ]
    notes = [
        gettext("Återbetalning för %(context)s, avslutade %(context2)s.")
        % {"context": context["scope"], "context2": context["period"]},
        gettext("Deltagare med känt utfall: %(context)s; utan utfall: %(context2)s.")
        % {"context": context["participants"], "context2": context["without_outcome"]},
        *context["assumptions"],
        *[row["explanation"] for row in context["rows"]],
        gettext("Riksgenomsnitt: %(context)s.") % {"context": context["reference_source"]},
    ]
    if context["protected"]:
        notes.append(protection_rule().note())
    content = outputs.xlsx_workbook(
        {
            "Återbetalning": (header, table),
            "Kurvor": (
                [
                    gettext("Aktör"),
                    gettext("Månad"),
                    gettext("Ackumulerad kostnad (kr)"),
                    gettext("Ackumulerad vinst (kr)"),
                ],
                series,
            ),
            "Parametrar": (
                ["item", "actor", "monthly_sek", "source", "year", "antagande", "note"],
                parameter_rows,
            ),
        },
        notes=notes,
        images={"Återbetalning": outputs.chart_png(context["chart"])},
    )
    return outputs.xlsx_response(content, f"aterbetalning_{context['slug']}.xlsx")


# --- cost of exclusion ---------------------------------------------------------------------------

SUNDBYBERG_SHARES = {
    "share_fk": "36",
    "share_municipality": "27",
    "share_region": "24",
    "share_other": "13",
}
SORMLAND_AMOUNTS = {  # billion SEK per year (seed 000): county council, municipalities, …
    "region": 1.0,
    "municipality": 2.4,
    "af": 0.2,
    "fk": 1.0,
    "justice": 0.3,
    "other": 0.04,
}
SORMLAND_PEOPLE = 14_490


def _sormland_data() -> dict[str, str]:
    total = sum(SORMLAND_AMOUNTS.values())
    data = {
        "annual_cost": f"{total * 1e9 / SORMLAND_PEOPLE:.0f}",
        "intervention_cost": "0",
        "horizon_years": "5",
        "persistence": "100",
        "discount_rate": "0",
        "people": str(SORMLAND_PEOPLE),
    }
    for actor, amount in SORMLAND_AMOUNTS.items():
        data[f"share_{actor}"] = f"{amount / total * 100:.4f}"
    return data


PRESETS: dict[str, dict] = {
    "sundbyberg": {
        "label": "Sundbyberg: en 16-åring",
        "description": "En förebyggande insats för en 16-åring kostar 500 000 kr; ett år i "
        "utanförskap kostar 350 000 kr. Fördelningen per aktör är den från Sundbybergs "
        "kalkyl för sju årskullar (FK 36 %, kommunen 27 %, regionen 24 %, övrigt 13 %).",
        "data": {
            "annual_cost": "350000",
            "intervention_cost": "500000",
            "horizon_years": "5",
            "persistence": "100",
            "discount_rate": "0",
            **SUNDBYBERG_SHARES,
        },
    },
    "sundbyberg-livstid": {
        "label": "Sundbyberg: ett helt liv i utanförskap",
        "description": "Samma insats, men räknat på att ett livslångt utanförskap kostar mer "
        "än 15 miljoner kronor per person.",
        "data": {
            "annual_cost": "350000",
            "intervention_cost": "500000",
            "horizon_years": "5",
            "persistence": "100",
            "discount_rate": "0",
            "lifetime_cost": "15000000",
            **SUNDBYBERG_SHARES,
        },
    },
    "sundbyberg-kohort": {
        "label": "Sundbyberg: sju årskullar",
        "description": "370 av 2 900 barn beräknas hamna i utanförskap, vilket kostar "
        "166 miljoner kronor per år (cirka 449 000 kr per person).",
        "data": {
            "annual_cost": f"{166e6 / 370:.0f}",
            "intervention_cost": "500000",
            "horizon_years": "5",
            "persistence": "100",
            "discount_rate": "0",
            "people": "370",
            **SUNDBYBERG_SHARES,
        },
    },
    "sormland": {
        "label": "Sörmland: arbetslösa 2012",
        "description": "14 490 arbetslösa (8,7 %) kostade 4,94 miljarder kronor per år, cirka "
        "341 000 kr per person, fördelat på regionen, kommunerna, AF, FK, rättsväsendet och "
        "övrigt. Exemplet anger ingen insatskostnad – fyll i er egen.",
        "data": _sormland_data(),
    },
}


def exclusion(request):
    """Open to every logged-in role: it holds no personal data."""
    preset_key = request.GET.get("exempel", "")
    preset = PRESETS.get(preset_key)
    if preset is not None:
        data = preset["data"]
    elif "annual_cost" in request.GET:
        data = request.GET
    else:
        data = None
    form = forms.ExclusionForm(
        data,
        initial={"horizon_years": 5, "persistence": 100, "discount_rate": 0},
    )
    context: dict = {
        "form": form,
        "presets": [(key, p["label"]) for key, p in PRESETS.items()],
        "preset": preset,
        "result": None,
    }
    if data is not None and form.is_valid():
        d = form.cleaned_data
        scenario = exclusion_core.ExclusionScenario(
            annual_cost=d["annual_cost"],
            intervention_cost=d["intervention_cost"],
            horizon_years=d["horizon_years"] or 5,
            lifetime_cost=d["lifetime_cost"],
            success_rate=None if d["success_rate"] is None else d["success_rate"] / 100,
            persistence=(100 if d["persistence"] is None else d["persistence"]) / 100,
            discount_rate=(d["discount_rate"] or 0) / 100,
            people=d["people"],
            actor_shares=form.actor_shares(),
            inhabitants=d["inhabitants"],
        )
        try:
            result = exclusion_core.exclusion_scenario(scenario)
        except DomainValidationError as exc:
            form.apply_problems(exc.problems, {"actor_shares": ""})
        else:
            context.update(_exclusion_context(result))
    return render(request, "socioeconomics/exclusion.html", context)


def _one_in(value: float | None) -> str:
    """ "1 av N"; below 1 the effort does not pay even if everyone succeeds."""
    if value is None:
        return "–"
    if value < 1:
        return gettext("lönar sig inte ens om alla lyckas")
    return gettext("1 av %(number)s") % {"number": fmt.number(value, 1)}


def _exclusion_context(r: exclusion_core.ExclusionResult) -> dict:
    e = r.explanations
    s = r.scenario
    figures = [
        (
            gettext("Besparing per person som lyckas"),
            fmt.kr(r.savings_per_success),
            e["savings_per_success"],
        ),
        (gettext("Återbetalningsmultipel"), fmt.times(r.return_multiple), e["return_multiple"]),
        (
            gettext("Andel som måste lyckas"),
            fmt.percent(r.break_even_success_rate),
            e["break_even_success_rate"],
        ),
        (
            gettext("Det räcker att 1 av N lyckas"),
            _one_in(r.break_even_one_in),
            e["break_even_one_in"],
        ),
        (gettext("Netto första året"), fmt.kr(r.first_year_net), e["first_year_net"]),
        (
            gettext("Brytår"),
            gettext("inom horisonten nås det inte")
            if r.break_even_year is None
            else gettext("år %(break_even_year)s") % {"break_even_year": r.break_even_year},
            e["break_even_year"],
        ),
    ]
    if r.expected_net_per_participant is not None:
        figures.append(
            (
                gettext("Förväntat netto per deltagare"),
                fmt.kr(r.expected_net_per_participant),
                e["expected_net_per_participant"],
            )
        )
    if r.total_annual_cost is not None:
        figures.append(
            (gettext("Total kostnad per år"), fmt.kr(r.total_annual_cost), e["total_annual_cost"])
        )
    if r.cost_per_inhabitant is not None:
        figures.append(
            (
                gettext("Kostnad per invånare och år"),
                fmt.kr(r.cost_per_inhabitant),
                e["cost_per_inhabitant"],
            )
        )
    actors = [
        {
            "label": a.label,
            "share": fmt.percent(a.share),
            "annual_cost": fmt.kr(a.annual_cost),
            "total_annual_cost": fmt.kr(a.total_annual_cost),
            "savings": fmt.kr(a.savings_per_success),
            "cost_share": fmt.percent(a.intervention_cost_share),
            "cost": fmt.kr(a.intervention_cost),
            "multiple": fmt.times(a.return_multiple),
            "one_in": _one_in(a.break_even_one_in),
            "multiple_alone": fmt.times(a.return_multiple_if_alone),
            "one_in_alone": _one_in(a.break_even_one_in_if_alone),
        }
        for a in r.per_actor
    ]
    return {
        "result": r,
        "headline": e["break_even_one_in"],
        "figures": figures,
        "actors": actors,
        "per_actor_text": e.get("per_actor", ""),
        "has_people": s.people is not None,
        "success_text": None if s.success_rate is None else fmt.percent(s.success_rate, 0),
        "series": [
            (p.year, fmt.kr(p.cumulative_cost), fmt.kr(p.cumulative_savings)) for p in r.series
        ],
        "chart_svg": _svg(charts.exclusion_chart(r)),
        "cake_svg": _svg(charts.welfare_cake_chart(r)) if r.per_actor else "",
    }


# --- target group and coverage --------------------------------------------------------------------

NEEDS_SESSION_KEY = "finsam_needs"
LEVEL_LABELS = {
    "municipality": "Kommun",
    "association": "Förbund",
    "county": "Län",
    "country": "Riket",
}
SORT_KEYS = ("name", "level", "count", "estimate", "participants", "coverage", *needs_core.GROUPS)


@require_http_methods(["GET", "POST"])
def needs(request):
    user = request.user
    require(user, Action.VIEW_REPORTS)
    state = request.session.get(NEEDS_SESSION_KEY, {})
    shares = state.get("shares") or dict(needs_core.DEFAULT_SHARES)
    upload_form = forms.NeedsUploadForm()
    shares_form = forms.NeedsSharesForm(current=shares)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "upload":
            upload_form = forms.NeedsUploadForm(request.POST, request.FILES)
            if upload_form.is_valid():
                source = None
                try:
                    source = _uploaded_source(upload_form.cleaned_data["file"], "Registerantal")
                    counts = needs_core.read_needs_input(
                        source, known_municipalities=selectors.known_municipalities()
                    )
                    if not counts:
                        raise DomainValidationError(
                            [
                                Problem(
                                    "file",
                                    "file.empty",
                                    gettext("Registerantal: filen har inga rader."),
                                )
                            ]
                        )
                except DomainValidationError as exc:
                    upload_form.apply_problems(exc.problems, _all_to("file", exc.problems))
                else:
                    state["counts"] = [[c.municipality_code, c.group, c.count] for c in counts]
                    state["filename"] = upload_form.cleaned_data["file"].name
                    request.session[NEEDS_SESSION_KEY] = state
                    messages.success(
                        request, gettext("%(len)s registerantal är inlästa.") % {"len": len(counts)}
                    )
                    return redirect(_needs_url(request))
                finally:
                    _cleanup(source)
        elif action == "shares":
            shares_form = forms.NeedsSharesForm(request.POST, current=shares)
            if shares_form.is_valid():
                new = {}
                for group in needs_core.GROUPS:
                    value = shares_form.cleaned_data[f"share_{group}"] / 100
                    if needs_core.validate_shares({group: value}):
                        shares_form.add_error(
                            f"share_{group}",
                            gettext(
                                "%(GROUP_LABELS)s: andelen i behov måste vara "
                                "mellan 0 och 100 %% (nu %(number)s %%)."
                            )
                            % {
                                "GROUP_LABELS": needs_core.GROUP_LABELS[group],
                                "number": fmt.number(value * 100, 1),
                            },
                        )
                    new[group] = value
                if not shares_form.errors:
                    state["shares"] = new
                    request.session[NEEDS_SESSION_KEY] = state
                    messages.success(request, gettext("Andelarna i behov är sparade."))
                    return redirect(_needs_url(request))
        elif action == "reset":
            request.session.pop(NEEDS_SESSION_KEY, None)
            messages.success(request, gettext("Registerantal och andelar är återställda."))
            return redirect(reverse("socio_needs"))
    context = _needs_context(request, state, shares)
    if context.get("table") is not None and request.GET.get("format") == "csv":
        return outputs.csv_response(
            context["csv_columns"], context["csv_rows"], f"behov_{context['year']}.csv"
        )
    context.update({"upload_form": upload_form, "shares_form": shares_form, "state": state})
    return render(request, "socioeconomics/needs.html", context)


def _needs_url(request) -> str:
    query = {k: v for k, v in request.GET.items() if k in ("ar", "niva", "sort", "ordning")}
    return reverse("socio_needs") + (f"?{urlencode(query)}" if query else "")


def _needs_context(request, state: dict, shares: dict[str, float]) -> dict:
    user = request.user
    this_year = timezone.localdate().year
    year_text = request.GET.get("ar", "")
    year = int(year_text) if year_text.isdigit() and 2004 <= int(year_text) <= 2100 else this_year
    context: dict = {
        "year": year,
        "years": list(range(this_year, this_year - 8, -1)),
        "shares_table": [
            (
                needs_core.GROUP_LABELS[g],
                g,
                fmt.percent(shares[g], 1),
                fmt.percent(needs_core.DEFAULT_SHARES[g], 0),
            )
            for g in needs_core.GROUPS
        ],
        "shares_source": needs_core.DEFAULT_SHARES_SOURCE,
        "table": None,
        "levels": list(LEVEL_LABELS.items()),
    }
    if not state.get("counts"):
        return context
    counts = [needs_core.RegisterCount(m, g, float(c)) for m, g, c in state["counts"]]
    rows = selectors.needs_rows(counts, shares, year=year, with_participants=True)
    all_areas = covers_all(user, Action.VIEW_REPORTS)
    own = registry_selectors.association_codes_for(user, Action.VIEW_REPORTS)
    unprotected_all = covers_all(user, Action.VIEW_UNPROTECTED_REPORTS)
    unprotected = registry_selectors.association_codes_for(user, Action.VIEW_UNPROTECTED_REPORTS)
    mapping = selectors.municipality_association_map(year)

    def association_of(row) -> str | None:
        if row.level == "association":
            return row.area_code
        if row.level == "municipality":
            return mapping.get(row.area_code)
        return None

    areas: dict[tuple[str, str], dict] = {}
    for row in rows:
        assoc = association_of(row)
        if not all_areas and (assoc is None or assoc not in own):
            continue
        entry = areas.setdefault(
            (row.level, row.area_code),
            {
                "level": row.level,
                "level_label": LEVEL_LABELS[row.level],
                "code": row.area_code,
                "name": row.area_name or row.area_code,
                "chart_name": (
                    f"{row.area_name or row.area_code} ({LEVEL_LABELS[row.level].lower()})"
                ),
                "groups": {},
            },
        )
        if row.group == needs_core.TOTAL:
            protected = not (unprotected_all or (assoc is not None and assoc in unprotected))
            shown = protect_count(row.participants, protected=protected)
            entry.update(
                count=row.count,
                estimate=row.estimate,
                participants=shown,
                coverage=None if is_suppressed(shown) else row.coverage,
            )
        else:
            entry["groups"][row.group] = row.estimate
    level = request.GET.get("niva", "municipality")
    if level not in LEVEL_LABELS and level != "alla":
        level = "municipality"
    table = [a for a in areas.values() if level == "alla" or a["level"] == level]
    sort = request.GET.get("sort", "name")
    sort = sort if sort in SORT_KEYS else "name"
    descending = request.GET.get("ordning") == "fallande"

    def key(a):
        if sort in ("name", "level"):
            return (0, str(a[sort]).lower())
        value = a["groups"].get(sort) if sort in needs_core.GROUPS else a.get(sort)
        if value is None or is_suppressed(value):
            return (1, 0.0) if not descending else (-1, 0.0)
        return (0, float(value))

    table.sort(key=key, reverse=descending)
    for a in table:
        a["cells"] = [
            fmt.number(a["groups"].get(g), 0) if g in a["groups"] else "–"
            for g in needs_core.GROUPS
        ]
        a["count_text"] = fmt.number(a.get("count"), 0)
        a["estimate_text"] = fmt.number(a.get("estimate"), 0)
        p = a.get("participants")
        a["participants_text"] = p if isinstance(p, str) else fmt.number(p, 0)
        a["coverage_text"] = fmt.percent(a.get("coverage"))
    base = {"ar": year, "niva": level}
    headers = []
    for name, label in [
        ("name", gettext("Område")),
        ("level", gettext("Nivå")),
        *[(g, g) for g in needs_core.GROUPS],
        ("count", gettext("Registerantal")),
        ("estimate", gettext("Uppskattat behov")),
        ("participants", gettext("Deltagare")),
        ("coverage", gettext("Täckningsgrad")),
    ]:
        active = sort == name
        next_order = "stigande" if active and descending else ("fallande" if active else "stigande")
        headers.append(
            {
                "label": label,
                "title": needs_core.GROUP_LABELS.get(name, label),
                "url": "?" + urlencode({**base, "sort": name, "ordning": next_order}),
                "aria_sort": ("descending" if descending else "ascending") if active else None,
                "numeric": name not in ("name", "level"),
            }
        )
    csv_columns = (*needs_core.NEEDS_COLUMNS, *needs_core.COVERAGE_COLUMNS)
    csv_rows = []
    for a in table:
        for g in needs_core.GROUPS:
            if g in a["groups"]:
                csv_rows.append(
                    [
                        a["level"],
                        a["code"],
                        a["name"],
                        g,
                        "",
                        _num(shares[g]),
                        _num(a["groups"][g]),
                        "",
                        "",
                    ]
                )
        csv_rows.append(
            [
                a["level"],
                a["code"],
                a["name"],
                needs_core.TOTAL,
                _num(a.get("count")),
                "",
                _num(a.get("estimate")),
                a.get("participants") if a.get("participants") is not None else "",
                "" if a.get("coverage") is None else f"{a['coverage']:.4f}",
            ]
        )
    chart_rows = table[:25]
    context.update(
        {
            "table": table,
            "headers": headers,
            "level": level,
            "sort": sort,
            "descending": descending,
            "all_areas": all_areas,
            "protected_any": not unprotected_all,
            "threshold": _threshold(),
            "chart_svg": _svg(charts.needs_chart(chart_rows)) if chart_rows else "",
            "chart_count": len(chart_rows),
            "csv_columns": csv_columns,
            "csv_rows": csv_rows,
            "csv_url": "?"
            + urlencode(
                {
                    **base,
                    "sort": sort,
                    "ordning": "fallande" if descending else "stigande",
                    "format": "csv",
                }
            ),
            "n_counts": len(counts),
        }
    )
    return context


def _num(value) -> str:
    if value is None:
        return ""
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:.4f}".rstrip("0").rstrip(".")
