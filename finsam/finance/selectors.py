"""Reads of the finance data: the budget view of an association-year, and the intervention costs
other modules use (reports R8, payback)."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import replace
from datetime import date

from django.db.models import Count, Q
from django.utils.translation import gettext

from finsam.domain.codelists import EXIT_REGISTRATION_ERROR, ORIENTATION
from finsam.domain.finance import budget as core
from finsam.domain.finance import contributions as contrib
from finsam.domain.finance._money import format_sek
from finsam.domain.finance.equity import DEFAULT_EQUITY_RECOMMENDATION
from finsam.domain.problems import DomainValidationError, Problem
from finsam.domain.protection import (
    Cell,
    Kind,
    Line,
    ProtectionRule,
    Table,
    protect,
    protect_count,
)
from finsam.finance.models import AssociationYear, BudgetLine
from finsam.registry.models import Episode, Intervention


def intervention_costs(
    *, association_id: int | None = None, date_from: date, date_to: date
) -> dict[str, float]:
    """Cost per intervention code for the budget years the period touches.

    The actual cost where it has been entered, otherwise the budget; a year only partly inside
    the period counts pro rata by months. ESF lines (category ``ESF``) are the ESF-financed part of
    a cost already counted, so they are not added again.
    """
    qs = BudgetLine.objects.filter(
        line=BudgetLine.Line.INTERVENTION_COST,
        year__gte=date_from.year,
        year__lte=date_to.year,
        intervention__isnull=False,
    ).exclude(category="ESF")
    if association_id is not None:
        qs = qs.filter(association_id=association_id)
    costs: dict[str, float] = defaultdict(float)
    for code, year, budget, actual in qs.values_list(
        "intervention__code", "year", "budget", "actual"
    ):
        first = date_from.month if year == date_from.year else 1
        last = date_to.month if year == date_to.year else 12
        share = max(0, last - first + 1) / 12
        amount = float(actual if actual is not None else budget)
        costs[code] += amount * share
    return dict(costs)


# --- the budget view of one association-year --------------------------------------------------


def association_year(association, year: int) -> AssociationYear | None:
    """The association's facts of one budget year (``None`` before they are entered)."""
    return AssociationYear.objects.filter(association=association, year=year).first()


def budget_years(association) -> list[int]:
    """The years with a budget (lines or year facts), newest first."""
    years = set(
        BudgetLine.objects.filter(association=association).values_list("year", flat=True)
    ) | set(AssociationYear.objects.filter(association=association).values_list("year", flat=True))
    return sorted(years, reverse=True)


def budget_lines(association, year: int):
    return (
        BudgetLine.objects.filter(association=association, year=year)
        .select_related("intervention")
        .order_by("line", "category", "intervention__code")
    )


def participants_in_year(intervention_ids, year: int) -> dict[int, int]:
    """Participants per intervention from the registry: episodes that overlap the calendar year,
    registration errors left out."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    rows = (
        Episode.objects.filter(intervention_id__in=list(intervention_ids), start_date__lte=last)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .exclude(exit_reason=EXIT_REGISTRATION_ERROR)
        .values("intervention_id")
        .annotate(n=Count("participant", distinct=True))
    )
    return {r["intervention_id"]: r["n"] for r in rows}


def year_budget(
    association, year: int
) -> tuple[core.AssociationYearBudget, AssociationYear | None]:
    """The core's budget of one association-year from the database, with the registry's
    interventions (name, orientation, planned participants, participants from episodes)."""
    facts = AssociationYear.objects.filter(association=association, year=year).first()
    lines = list(budget_lines(association, year))
    core_lines = [
        core.BudgetLine(
            association.code,
            year,
            ln.line,
            ln.category,
            ln.intervention.code if ln.intervention else "",
            float(ln.budget),
            None if ln.actual is None else float(ln.actual),
        )
        for ln in lines
    ]
    ivs = {ln.intervention.code: ln.intervention for ln in lines if ln.intervention}
    counts = participants_in_year([i.pk for i in ivs.values()], year)
    templates = {
        code: core.InterventionCost(
            code,
            name=iv.name,
            orientation=iv.orientation,
            planned_participants=iv.planned_participants,
            actual_participants=counts.get(iv.pk, 0),
        )
        for code, iv in ivs.items()
    }
    equity = float(facts.equity_start) if facts and facts.equity_start is not None else 0.0
    population = facts.population_16_64 if facts else None
    budgets = core.budgets_from_lines(
        core_lines,
        templates,
        {(association.code, year): equity},
        {association.code: population} if population else None,
    )
    if budgets:
        return budgets[0], facts
    return (
        core.AssociationYearBudget(
            association.code, year, equity_start=equity, population_16_64=population
        ),
        facts,
    )


def months_elapsed(year: int, today: date) -> int:
    """Whole months of ``year`` that have passed on ``today`` (0 before, 12 after the year)."""
    if year < today.year:
        return 12
    if year > today.year:
        return 0
    return today.month - 1


def _funder_label(code: str, members: dict[str, str]) -> str:
    if code in members:
        return members[code]
    kind = core.funder_kind(code)
    return core.FUNDER_KINDS.label_of(kind) if kind else code


def contribution_plan(association, facts, budget: core.AssociationYearBudget):
    """The members' contributions for the year (50/25/25, the charter's split, pro rata for a
    start or end within the year) and the state cap. Returns ``(plan, cap, problems)``."""
    members = list(association.members.all())
    member_resources = [r for r in budget.resources if r.kind in core.MEMBER_FUNDER_KINDS]
    total = (
        float(facts.contribution_total)
        if facts and facts.contribution_total is not None
        else math.fsum(r.budget for r in member_resources)
    )
    problems: list[Problem] = []
    plan = cap = None

    def basis(kind):
        return [
            contrib.MemberBasis(
                m.organisation_code,
                m.name,
                percent=None if m.contribution_percent is None else float(m.contribution_percent),
            )
            for m in members
            if m.kind == kind
        ]

    regions, municipalities = basis("REGION"), basis("MUNICIPALITY")
    region_method = (
        contrib.SplitMethod.CUSTOM
        if regions and all(r.percent is not None for r in regions)
        else contrib.SplitMethod.EQUAL
    )
    if total > 0:
        try:
            plan = contrib.plan_contributions(
                budget.year,
                total,
                regions,
                municipalities,
                region_method,
                association.municipal_split,
                start=association.start_date,
                end=association.end_date,
            )
        except DomainValidationError as exc:
            problems += exc.problems
    by_kind = defaultdict(float)
    for r in member_resources:
        by_kind[r.kind] += r.budget
    offer = (
        float(facts.state_offer)
        if facts and facts.state_offer is not None
        else by_kind[core.FUNDER_STATE]
    )
    if offer > 0 or by_kind[core.FUNDER_STATE] > 0:
        capped = contrib.capped_state(
            offer, by_kind[core.FUNDER_REGION], by_kind[core.FUNDER_MUNICIPALITY], budget.year
        )
        cap = {
            "offer": offer,
            "region_total": by_kind[core.FUNDER_REGION],
            "municipal_total": by_kind[core.FUNDER_MUNICIPALITY],
            "state": capped.state,
            "state_budget": by_kind[core.FUNDER_STATE],
            "over_cap": by_kind[core.FUNDER_STATE] > capped.state + 0.005,
        }
    return plan, cap, problems


def budget_warnings(association, facts, budget, *, today: date, cap=None) -> list[Problem]:
    """The warnings of the year: deadlines, non-member revenue, interventions with fewer than two
    parties, the state above the cap."""
    warnings = contrib.deadline_warnings(
        today,
        budget.year,
        facts.budget_adopted if facts else None,
        facts.annual_report_adopted if facts else None,
    )
    member_codes = set(association.members.values_list("organisation_code", flat=True))
    warnings += contrib.non_member_revenue(
        [
            contrib.RevenueLine(r.funder, r.budget, _funder_label(r.funder, {}))
            for r in budget.resources
        ],
        member_codes,
    )
    codes = [iv.code for iv in budget.interventions if iv.budget or iv.actual]
    for iv in Intervention.objects.filter(code__in=codes).prefetch_related("providers"):
        kinds = [m.kind for m in iv.providers.all()]
        for p in contrib.check_intervention_parties(iv.code, kinds, budget.year):
            warnings.append(replace(p, warning=True))
    if cap and cap["over_cap"]:
        warnings.append(
            Problem(
                "state",
                "contributions.state_over_cap",
                gettext(
                    "Statens bidrag i budgeten (%(budget)s kr) är större än taket, två gånger "
                    "den minsta av regionernas och kommunernas del (%(cap)s kr)."
                )
                % {"budget": format_sek(cap["state_budget"]), "cap": format_sek(cap["state"])},
                cap["state_budget"],
                warning=True,
            )
        )
    return warnings


def protect_participants(budget, interventions: list[dict], ratios: dict, rule: ProtectionRule):
    """The registry's participant counts per intervention (distinct persons in the year) with
    small counts hidden, and what would give them back hidden too.

    The individual interventions' counts add up to the key ratio "Deltagare i individinriktade
    insatser" (a line to protect with), and the cost per participant is that total's divisor,
    so it is hidden with it; the forecast's participants are the larger of actual and planned per
    intervention, so they (and their cost per participant) are hidden when any count is."""
    individual = [iv.code for iv in budget.interventions if iv.orientation == "individual"]
    counts = {iv.code: iv.actual_participants for iv in budget.interventions}
    cells = {("iv", code): Cell(counts.get(code) or 0, Kind.COUNT) for code in individual}
    lines: tuple[Line, ...] = ()
    if individual:
        cells[("total",)] = Cell(sum(counts.get(c) or 0 for c in individual), Kind.COUNT)
        lines = (Line(("total",), tuple(("iv", c) for c in individual)),)
    table = protect(Table(cells, lines), rule)
    shown = {}
    for code, value in counts.items():
        if ("iv", code) in table.cells:
            shown[code] = table.render(("iv", code), lambda v: int(v))
        else:  # structural or volume: a count on its own
            shown[code] = protect_count(value, rule)
    interventions = [{**i, "actual_participants": shown.get(i["code"])} for i in interventions]
    if ratios and table.hidden:
        hidden = {"participants": rule.symbol, "cost_per_participant": rule.symbol}
        ratios = {**ratios, "forecast": replace(ratios["forecast"], **hidden)}
        if ("total",) in table.hidden:
            ratios["actual"] = replace(ratios["actual"], **hidden)
    return interventions, ratios


def budget_overview(
    association,
    year: int,
    *,
    today: date,
    months: int | None = None,
    rule: ProtectionRule | None = None,
) -> dict:
    """Everything the budget page, its PDF and its xlsx show for one association-year.

    With a protection ``rule`` (a reader who may not see the association's participants
    unprotected) the registry's participant counts are protected like every aggregate output:
    :func:`protect_participants`."""
    budget, facts = year_budget(association, year)
    months = months_elapsed(year, today) if months is None else months
    forecast = budget.forecast(months)
    fc_by = {
        "resource": {r.funder: r.actual for r in forecast.resources},
        "admin_cost": {c.cost_type: c.actual for c in forecast.admin_costs},
        "intervention": {iv.code: iv.actual for iv in forecast.interventions},
    }
    member_names = {m.organisation_code: m.name for m in association.members.all()}
    resources = [
        {
            "code": r.funder,
            "label": _funder_label(r.funder, member_names),
            "kind": core.FUNDER_KINDS.label_of(r.kind) if r.kind else "",
            "budget": r.budget,
            "actual": r.actual,
            "forecast": fc_by["resource"].get(r.funder),
        }
        for r in budget.resources
    ]
    admin = [
        {
            "code": c.cost_type,
            "label": core.ADMIN_COST_TYPES.label_of(c.cost_type),
            "budget": c.budget,
            "actual": c.actual,
            "forecast": fc_by["admin_cost"].get(c.cost_type),
        }
        for c in budget.admin_costs
    ]
    interventions = [
        {
            "code": iv.code,
            "name": iv.name,
            "orientation": ORIENTATION.label_of(iv.orientation),
            "budget": iv.budget,
            "actual": iv.actual,
            "forecast": fc_by["intervention"].get(iv.code),
            "esf_share": iv.esf_share,
            "esf_amount": round(iv.budget * iv.esf_share, 2),
            "planned_participants": iv.planned_participants,
            "actual_participants": iv.actual_participants,
        }
        for iv in budget.interventions
    ]
    problems = budget.validate()
    ratios = {}
    if not [p for p in problems if not p.warning]:
        ratios = {
            "budget": budget.key_ratios("budget"),
            "actual": budget.key_ratios("actual"),
            "forecast": forecast.key_ratios("actual"),
        }
    if rule is not None:
        interventions, ratios = protect_participants(budget, interventions, ratios, rule)
    plan, cap, plan_problems = contribution_plan(association, facts, budget)
    return {
        "year": year,
        "facts": facts,
        "budget": budget,
        "months_elapsed": months,
        "resources": resources,
        "admin": admin,
        "interventions": interventions,
        "totals": {
            basis: {
                "revenue": b.revenue(kind),
                "admin": b.admin_costs_total(kind),
                "interventions": b.intervention_costs_total(kind),
                "costs": b.costs(kind),
                "result": b.result(kind),
                "equity_start": b.equity_start,
                "equity_end": b.equity_end(kind),
            }
            for basis, b, kind in (
                ("budget", budget, "budget"),
                ("actual", budget, "actual"),
                ("forecast", forecast, "actual"),
            )
        },
        "ratios": ratios,
        "data_problems": problems,
        "plan": plan,
        "cap": cap,
        "plan_problems": plan_problems,
        "warnings": budget_warnings(association, facts, budget, today=today, cap=cap),
        "equity_recommendation": DEFAULT_EQUITY_RECOMMENDATION,
    }
