"""Reads of the association's year: the plan as the core's ``FinancialPlan``, the budget
calendar of one association and of every association (the national analyst's table)."""

from __future__ import annotations

from datetime import date

from finsam.access.permissions import association_filter
from finsam.domain.access import Action
from finsam.domain.finance import calendar as cal
from finsam.domain.finance import contributions as contrib
from finsam.domain.finance import plan as core
from finsam.domain.problems import DomainValidationError, Problem
from finsam.finance.models import AssociationYear
from finsam.planning.models import ActivityPlan, CalendarStep
from finsam.registry.models import Association, Intervention

# --- the plan ------------------------------------------------------------------------------------


def member_bases(association):
    """The regions and municipalities with the charter's split methods, as the budget page uses
    them (``finance.selectors.contribution_plan``)."""
    members = list(association.members.all())

    def basis(kind):
        return tuple(
            contrib.MemberBasis(
                m.organisation_code,
                m.name,
                percent=None if m.contribution_percent is None else float(m.contribution_percent),
            )
            for m in members
            if m.kind == kind
        )

    regions, municipalities = basis("REGION"), basis("MUNICIPALITY")
    region_method = (
        contrib.SplitMethod.CUSTOM
        if regions and all(r.percent is not None for r in regions)
        else contrib.SplitMethod.EQUAL
    )
    return regions, municipalities, region_method, association.municipal_split


def plan_equity_start(plan: ActivityPlan) -> float:
    if plan.equity_start is not None:
        return float(plan.equity_start)
    facts = AssociationYear.objects.filter(
        association=plan.association, year=plan.plan_year
    ).first()
    if facts and facts.equity_start is not None:
        return float(facts.equity_start)
    return 0.0


def plan_input(plan: ActivityPlan) -> core.FinancialPlan:
    association = plan.association
    regions, municipalities, region_method, municipal_method = member_bases(association)
    lines = []
    for ln in plan.lines.select_related("intervention").order_by("year", "kind", "cost_type"):
        iv = ln.intervention
        lines.append(
            core.PlanLine(
                ln.year,
                ln.kind,
                iv.code if iv else ln.cost_type,
                float(ln.amount),
                name=iv.name if iv else "",
                orientation=iv.orientation if iv else "",
                goal=ln.goal,
                planned_participants=ln.planned_participants,
            )
        )
    return core.FinancialPlan(
        association.code,
        plan.plan_year,
        plan_equity_start(plan),
        tuple(
            core.PlanYearInput(
                y.year,
                float(y.contribution_total),
                None if y.state_offer is None else float(y.state_offer),
            )
            for y in plan.years.order_by("year")
        ),
        tuple(lines),
        regions,
        municipalities,
        region_method,
        municipal_method,
        association.start_date,
        association.end_date,
    )


def plan_overview(plan: ActivityPlan) -> dict:
    """The plan computed by the core, with the warnings (the core's and the two-parties rule of
    each planned intervention); ``problems`` when the plan cannot be computed."""
    data = plan_input(plan)
    try:
        result = core.evaluate_plan(data)
    except DomainValidationError as exc:
        return {"plan": plan, "input": data, "result": None, "problems": exc.problems}
    warnings = list(result.warnings)
    codes = {ln.code for ln in data.lines if ln.kind == core.INTERVENTION and ln.amount > 0}
    for iv in Intervention.objects.filter(code__in=codes).prefetch_related("providers"):
        kinds = [m.kind for m in iv.providers.all()]
        warnings += [
            Problem(p.field, p.rule, p.message, p.value, warning=True)
            for p in contrib.check_intervention_parties(iv.code, kinds, plan.plan_year)
        ]
    return {
        "plan": plan,
        "input": data,
        "result": result,
        "years": result.years,
        "totals": core.plan_totals(result),
        "warnings": warnings,
        "problems": [],
    }


def plans_of(association):
    return ActivityPlan.objects.filter(association=association).order_by("-plan_year")


# --- the calendar --------------------------------------------------------------------------------


def _recorded(association_ids, year):
    steps = CalendarStep.objects.filter(association_id__in=association_ids, year=year)
    done: dict[int, dict] = {}
    planned: dict[int, dict] = {}
    notes: dict[int, dict] = {}
    for s in steps:
        done.setdefault(s.association_id, {})[s.step] = s.done_date
        planned.setdefault(s.association_id, {})[s.step] = s.planned_date
        notes.setdefault(s.association_id, {})[s.step] = s.note
    for f in AssociationYear.objects.filter(association_id__in=association_ids, year=year):
        d = done.setdefault(f.association_id, {})
        d["budget_adopted"] = f.budget_adopted
        d["annual_report_adopted"] = f.annual_report_adopted
    return done, planned, notes


def association_calendar(association, year: int, *, today: date) -> dict:
    done, planned, notes = _recorded([association.pk], year)
    statuses = cal.calendar_status(
        year, done.get(association.pk, {}), today, planned.get(association.pk, {})
    )
    return {
        "year": year,
        "steps": [
            {"status": s, "note": notes.get(association.pk, {}).get(s.key, "")} for s in statuses
        ],
        "warnings": cal.calendar_warnings(year, statuses),
    }


def calendar_associations(user):
    """The associations whose calendar ``user`` may see (the national analyst: all)."""
    qs = Association.objects.order_by("name")
    if user is None:
        return qs
    return qs.filter(association_filter(user, Action.VIEW_ASSOCIATION))


def calendar_table(user, year: int, *, today: date) -> dict:
    """One row per association the user may see, one status per step (the national table)."""
    associations = list(calendar_associations(user))
    done, planned, _notes = _recorded([a.pk for a in associations], year)
    rows = []
    for a in associations:
        statuses = cal.calendar_status(year, done.get(a.pk, {}), today, planned.get(a.pk, {}))
        rows.append(
            {
                "association": a,
                "steps": statuses,
                "warnings": len(cal.calendar_warnings(year, statuses)),
            }
        )
    return {"year": year, "steps": cal.STEPS, "rows": rows}
