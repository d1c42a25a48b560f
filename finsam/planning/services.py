"""Every write of the association's year: validated, written and audited in one transaction.

On a rule violation a service raises :class:`DomainValidationError` (Swedish messages naming the
field and the rule) and nothing is written.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from finsam.audit.services import audit_change, diff
from finsam.domain import annual_report as doc
from finsam.domain.finance import calendar as cal
from finsam.domain.finance import plan as core
from finsam.domain.finance.budget import ADMIN_COST_TYPES
from finsam.domain.problems import DomainValidationError, Problem, raise_if_errors
from finsam.finance import services as finance_services
from finsam.finance.models import AssociationYear, BudgetLine
from finsam.planning import selectors
from finsam.planning.models import (
    ActivityPlan,
    ActivityPlanLine,
    ActivityPlanYear,
    AnnualReportDraft,
    CalendarStep,
)
from finsam.registry.models import Association, Intervention


def _money(value) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(round(float(value), 2))).quantize(Decimal("0.01"))


def _label(actor) -> str:
    return getattr(actor, "username", "") or "system"


# --- the annual report ---------------------------------------------------------------------------


def annual_report_text_save(
    *, actor, association: Association, year: int, texts: dict, board_meetings=None
):
    """Store the director's texts of the annual report (only the known sections) and the number
    of board meetings held in the year."""
    problems = finance_services.check_year(year)
    if board_meetings is not None and not (
        isinstance(board_meetings, int) and 0 <= board_meetings <= 366
    ):
        problems.append(
            Problem(
                "board_meetings",
                "annual_report.board_meetings",
                f"Antal styrelsesammanträden: ett heltal 0–366 (nu {board_meetings!r}).",
                board_meetings,
            )
        )
    clean: dict[str, str] = {}
    for key, value in (texts or {}).items():
        if key not in doc.EDITABLE_KEYS:
            problems.append(
                Problem(
                    key,
                    "annual_report.section",
                    f"Okänt avsnitt {key!r} i årsredovisningen.",
                    key,
                )
            )
            continue
        text = (value or "").replace("\r\n", "\n").strip()
        if len(text) > doc.MAX_TEXT:
            problems.append(
                Problem(
                    key,
                    "annual_report.text_too_long",
                    f"Texten får vara högst {doc.MAX_TEXT} tecken (nu {len(text)}).",
                    len(text),
                )
            )
        if any(ord(c) < 32 and c not in "\n\t" for c in text):
            problems.append(
                Problem(key, "annual_report.control_chars", "Texten innehåller otillåtna tecken.")
            )
        clean[key] = text
    raise_if_errors(problems)
    with transaction.atomic():
        draft, _ = AnnualReportDraft.objects.select_for_update().get_or_create(
            association=association, year=year
        )
        before = dict(draft.texts)
        meetings_before = draft.board_meetings
        draft.texts = {**draft.texts, **clean}
        draft.board_meetings = board_meetings
        draft.updated_by = _label(actor)
        draft.save()
        changed = sorted(k for k in clean if before.get(k, "") != clean[k])
        audit_change(
            actor=actor,
            action="annual_report_text_save",
            obj=draft,
            association_id=association.pk,
            changes={
                "sections": changed,
                **diff({"board_meetings": meetings_before}, {"board_meetings": board_meetings}),
            },
            summary=f"Årsredovisningens texter {year} för {association.code}",
        )
    return draft


def annual_report_adopt(
    *, actor, association: Association, year: int, adopted: date, today: date
) -> AssociationYear:
    """Record the board's adoption of the annual report of ``year`` on the association-year."""
    problems = finance_services.check_year(year)
    if not problems and adopted is None:
        problems.append(
            Problem(
                "adopted",
                "annual_report.adopted_required",
                "Fastställd: ange datumet då styrelsen fastställde årsredovisningen.",
            )
        )
    elif not problems and adopted.year <= year:
        problems.append(
            Problem(
                "adopted",
                "budget.report_before_year_end",
                f"Fastställd: årsredovisningen för {year} fastställs efter årets slut "
                f"(nu {adopted.isoformat()}).",
                adopted,
            )
        )
    elif not problems and adopted > today:
        problems.append(
            Problem(
                "adopted",
                "annual_report.adopted_future",
                f"Fastställd: datumet får inte vara i framtiden (nu {adopted.isoformat()}).",
                adopted,
            )
        )
    raise_if_errors(problems)
    with transaction.atomic():
        obj, _ = AssociationYear.objects.select_for_update().get_or_create(
            association=association, year=year
        )
        before = obj.annual_report_adopted
        obj.annual_report_adopted = adopted
        obj.save(update_fields=["annual_report_adopted"])
        audit_change(
            actor=actor,
            action="annual_report_adopt",
            obj=obj,
            association_id=association.pk,
            changes=diff({"annual_report_adopted": before}, {"annual_report_adopted": adopted}),
            summary=f"Årsredovisningen {year} fastställd {adopted.isoformat()} för "
            f"{association.code}",
        )
    return obj


# --- the plan ------------------------------------------------------------------------------------


def _amount_problems(value, field_name, label) -> list[Problem]:
    if value is None or value == "":
        return []
    problems = finance_services.check_amount(value, field_name, label)
    if not problems and float(value) < 0:
        problems.append(
            Problem(
                field_name,
                "plan.amount_negative",
                f"{label}: beloppet får inte vara negativt (nu {float(value):g}).",
                value,
            )
        )
    return problems


def plan_save(
    *,
    actor,
    association: Association,
    plan_year: int,
    equity_start=None,
    description: str = "",
    years: list[tuple[int, object, object]] | None = None,
    plan: ActivityPlan | None = None,
) -> ActivityPlan:
    """Create or update a plan and its three years: ``years`` = ``(year, contribution_total,
    state_offer)`` for the plan year and the two following (missing years are 0 / no offer)."""
    problems = finance_services.check_year(plan_year, field_name="plan_year")
    if equity_start not in (None, ""):  # equity may be negative (a deficit)
        problems += finance_services.check_amount(
            equity_start, "equity_start", "Eget kapital vid planårets början"
        )
    given = {y: (c, s) for y, c, s in (years or [])}
    wanted = [plan_year + i for i in range(core.PLAN_YEARS)]
    for y in given:
        if y not in wanted:
            problems.append(
                Problem(
                    "years",
                    "plan.years",
                    f"År {y} hör inte till planen {wanted[0]}–{wanted[-1]}.",
                    y,
                )
            )
    for y, (c, s) in given.items():
        problems += _amount_problems(c, f"contribution_total_{y - plan_year}", f"Bidrag {y}")
        problems += _amount_problems(s, f"state_offer_{y - plan_year}", f"Statens erbjudande {y}")
    if (
        plan is None
        and ActivityPlan.objects.filter(association=association, plan_year=plan_year).exists()
    ):
        problems.append(
            Problem(
                "plan_year",
                "plan.exists",
                f"Planår: det finns redan en plan för {plan_year}; ändra den i stället.",
                plan_year,
            )
        )
    raise_if_errors(problems)
    with transaction.atomic():
        before = {}
        if plan is None:
            plan = ActivityPlan(association=association, plan_year=plan_year)
        else:
            before = {"equity_start": plan.equity_start, "description": plan.description}
            before.update(
                {
                    f"{y.year}": (str(y.contribution_total), str(y.state_offer))
                    for y in plan.years.all()
                }
            )
        plan.equity_start = _money(equity_start)
        plan.description = description or ""
        plan.save()
        for y in wanted:
            c, s = given.get(y, (None, None))
            row, _ = ActivityPlanYear.objects.get_or_create(plan=plan, year=y)
            if y in given or row.contribution_total is None:
                row.contribution_total = _money(c) or Decimal("0.00")
                row.state_offer = _money(s)
                row.save()
        after = {"equity_start": plan.equity_start, "description": plan.description}
        after.update(
            {f"{y.year}": (str(y.contribution_total), str(y.state_offer)) for y in plan.years.all()}
        )
        audit_change(
            actor=actor,
            action="activity_plan_save",
            obj=plan,
            association_id=association.pk,
            changes=diff(before, after),
            summary=f"Verksamhetsplan {plan_year}–{plan_year + 2} för {association.code}",
        )
    return plan


def plan_line_save(
    *,
    actor,
    plan: ActivityPlan,
    year: int,
    kind: str,
    cost_type: str = "",
    intervention_code: str = "",
    amount=0,
    goal: str = "",
    planned_participants: int | None = None,
    line: ActivityPlanLine | None = None,
) -> ActivityPlanLine:
    cost_type = (cost_type or "").strip().upper()
    intervention_code = (intervention_code or "").strip()
    problems: list[Problem] = []
    wanted = [plan.plan_year + i for i in range(core.PLAN_YEARS)]
    if year not in wanted:
        problems.append(
            Problem(
                "year",
                "plan.line_year",
                f"År: välj ett av planens år ({wanted[0]}–{wanted[-1]}).",
                year,
            )
        )
    intervention = None
    if kind == core.ADMIN:
        if cost_type not in ADMIN_COST_TYPES:
            problems.append(
                Problem(
                    "cost_type",
                    "plan.cost_type",
                    "Kostnadstyp: välj en av "
                    + ", ".join(ADMIN_COST_TYPES.code_values)
                    + f" (nu {cost_type or 'tom'}).",
                    cost_type,
                )
            )
        intervention_code = ""
    elif kind == core.INTERVENTION:
        cost_type = ""
        intervention = Intervention.objects.filter(
            code=intervention_code, association=plan.association
        ).first()
        if intervention is None:
            problems.append(
                Problem(
                    "intervention_code",
                    "plan.intervention",
                    f"Insats: förbundet har ingen insats med koden {intervention_code or '(tom)'}.",
                    intervention_code,
                )
            )
    else:
        problems.append(Problem("kind", "plan.line_kind", f"Radtyp: okänd radtyp {kind!r}.", kind))
    problems += _amount_problems(amount, "amount", "Belopp")
    if planned_participants is not None and planned_participants < 0:
        problems.append(
            Problem(
                "planned_participants",
                "plan.participants_negative",
                "Planerat antal deltagare får inte vara negativt.",
                planned_participants,
            )
        )
    if len(goal or "") > 2000:
        problems.append(
            Problem("goal", "plan.goal_too_long", "Mål: högst 2 000 tecken.", len(goal))
        )
    duplicate = ActivityPlanLine.objects.filter(
        plan=plan, year=year, kind=kind, cost_type=cost_type, intervention=intervention
    )
    if line is not None:
        duplicate = duplicate.exclude(pk=line.pk)
    if not problems and duplicate.exists():
        problems.append(
            Problem(
                "cost_type" if kind == core.ADMIN else "intervention_code",
                "plan.duplicate_line",
                "Det finns redan en planrad för samma år och kostnad; ändra den i stället.",
            )
        )
    raise_if_errors(problems)
    with transaction.atomic():
        before = {}
        if line is None:
            line = ActivityPlanLine(plan=plan)
        else:
            before = {"year": line.year, "amount": line.amount, "goal": line.goal}
        line.year, line.kind, line.cost_type, line.intervention = (
            year,
            kind,
            cost_type,
            intervention,
        )
        line.amount = _money(amount) or Decimal("0.00")
        line.goal = (goal or "").strip()
        line.planned_participants = planned_participants
        line.save()
        audit_change(
            actor=actor,
            action="activity_plan_line_save",
            obj=line,
            association_id=plan.association_id,
            changes=diff(before, {"year": line.year, "amount": line.amount, "goal": line.goal}),
            summary=f"Planrad {year} {cost_type or intervention_code} för {plan.association.code}",
        )
    return line


def plan_line_delete(*, actor, line: ActivityPlanLine) -> None:
    with transaction.atomic():
        audit_change(
            actor=actor,
            action="activity_plan_line_delete",
            obj=line,
            association_id=line.plan.association_id,
            changes={"year": line.year, "amount": str(line.amount)},
            summary=f"Planrad borttagen {line.year} för {line.plan.association.code}",
        )
        line.delete()


def plan_adopt_budget(*, actor, plan: ActivityPlan, adopted: date | None = None) -> dict:
    """Create or update the budget of the plan's first year from the plan: each member's
    contribution as a resource line, each planned cost as a cost line; the year's members' total
    and the state's offer; the adoption date when given. Budget lines of the year that the plan
    does not have get budget 0 (their actuals are kept); ESF lines are left as they are.

    Refused when the plan cannot be computed. Returns ``{"created", "updated", "zeroed"}``."""
    overview = selectors.plan_overview(plan)
    if overview["result"] is None:
        raise DomainValidationError(overview["problems"])
    result = overview["result"]
    year = plan.plan_year
    association = plan.association
    lines = core.budget_lines_for_year(result, year)
    counts = {"created": 0, "updated": 0, "zeroed": 0}
    with transaction.atomic():
        keep = set()
        for ln in lines:
            found = BudgetLine.objects.filter(
                association=association, year=year, line=ln.line, category=ln.category
            )
            if ln.intervention_code:
                found = found.filter(intervention__code=ln.intervention_code)
            else:
                found = found.filter(intervention__isnull=True)
            existing = found.first()
            saved = finance_services.budget_line_save(
                actor=actor,
                association=association,
                year=year,
                line=ln.line,
                category=ln.category,
                intervention_code=ln.intervention_code,
                budget=ln.budget,
                actual=None if existing is None else existing.actual,
                budget_line=existing,
            )
            keep.add(saved.pk)
            counts["updated" if existing else "created"] += 1
        for other in (
            BudgetLine.objects.filter(association=association, year=year)
            .exclude(pk__in=keep)
            .exclude(category="ESF")
            .select_related("intervention")
        ):
            if other.budget != 0:
                finance_services.budget_line_save(
                    actor=actor,
                    association=association,
                    year=year,
                    line=other.line,
                    category=other.category,
                    intervention_code=other.intervention.code if other.intervention else "",
                    budget=0,
                    actual=other.actual,
                    budget_line=other,
                )
                counts["zeroed"] += 1
        facts = AssociationYear.objects.filter(association=association, year=year).first()
        first = next(y for y in plan.years.all() if y.year == year)
        finance_services.association_year_save(
            actor=actor,
            association=association,
            year=year,
            budget_adopted=adopted if adopted else (facts.budget_adopted if facts else None),
            annual_report_adopted=facts.annual_report_adopted if facts else None,
            equity_start=(
                facts.equity_start
                if facts and facts.equity_start is not None
                else result.plan.equity_start
            ),
            population_16_64=facts.population_16_64 if facts else None,
            contribution_total=first.contribution_total,
            state_offer=first.state_offer,
            notes=facts.notes if facts else "",
        )
        plan.budget_adopted_from = adopted or date.today()
        plan.save(update_fields=["budget_adopted_from"])
        audit_change(
            actor=actor,
            action="activity_plan_adopt_budget",
            obj=plan,
            association_id=association.pk,
            changes=counts,
            summary=f"Budget {year} antagen från verksamhetsplanen för {association.code}",
        )
    return counts


# --- the calendar --------------------------------------------------------------------------------


def calendar_step_save(
    *,
    actor,
    association: Association,
    year: int,
    step: str,
    planned_date: date | None = None,
    done_date: date | None = None,
    note: str = "",
    today: date,
) -> CalendarStep:
    """Record a step of the budget calendar (the budget's and the annual report's adoption are
    recorded on the association-year, not here)."""
    problems = finance_services.check_year(year)
    keys = [s.key for s in cal.STEPS if s.key not in cal.RECORDED_ON_YEAR]
    if step not in keys:
        problems.append(
            Problem(
                "step",
                "calendar.step",
                f"Steg: okänt steg {step!r}; budgetens och årsredovisningens datum anges på "
                "budgetåret och årsredovisningen.",
                step,
            )
        )
    if done_date is not None and done_date > today:
        problems.append(
            Problem(
                "done_date",
                "calendar.done_future",
                f"Klart: datumet får inte vara i framtiden (nu {done_date.isoformat()}).",
                done_date,
            )
        )
    for name, value, label in (
        ("planned_date", planned_date, "Planerat datum"),
        ("done_date", done_date, "Klart"),
    ):
        if value is not None and not (year - 2 <= value.year <= year + 2):
            problems.append(
                Problem(
                    name,
                    "calendar.date_range",
                    f"{label}: datumet ska ligga nära budgetåret {year} "
                    f"({year - 2}–{year + 2}, nu {value.isoformat()}).",
                    value,
                )
            )
    if len(note or "") > 300:
        problems.append(Problem("note", "calendar.note_too_long", "Anteckning: högst 300 tecken."))
    raise_if_errors(problems)
    with transaction.atomic():
        obj = (
            CalendarStep.objects.select_for_update()
            .filter(association=association, year=year, step=step)
            .first()
        )
        before = (
            {}
            if obj is None
            else {"planned_date": obj.planned_date, "done_date": obj.done_date, "note": obj.note}
        )
        if obj is None:
            obj = CalendarStep(association=association, year=year, step=step)
        obj.planned_date, obj.done_date, obj.note = planned_date, done_date, (note or "").strip()
        obj.save()
        audit_change(
            actor=actor,
            action="calendar_step_save",
            obj=obj,
            association_id=association.pk,
            changes=diff(
                before,
                {"planned_date": obj.planned_date, "done_date": obj.done_date, "note": obj.note},
            ),
            summary=f"Budgetkalender {year}: {cal.STEP_LABELS[step]} för {association.code}",
        )
    return obj
