"""The activity plan and three-year financial plan of an association (``spec/finance.md`` §§ 1–2).

The board adopts, before the end of November, a budget for the next year together with a financial
plan for three years whose first year is the budget year. A plan here is the plan year and the two
following years, each with

* the members' full-year total (split 50/25/25 by :func:`contributions.plan_contributions`, pro
  rata for a start or end within the year, the regions' and municipalities' parts between the
  members by the charter's method) and the state's offer (the cap);
* cost lines: administrative costs by type and intervention costs, an intervention line with its
  goal and planned participants.

:func:`evaluate_plan` computes each year's contributions, revenue, costs, result, the equity path
(the end of one year is the start of the next) against the recommended maximum (§ 4), and warns
where the plan breaks a rule. :func:`budget_lines_for_year` turns one plan year into the budget's
lines (``budget_lines.csv`` rows) so the budget can be adopted from the plan's first year.

Pure Python; amounts in SEK as ``float``, rounded to öre.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from finsam.domain.finance import contributions as contrib
from finsam.domain.finance._money import format_sek, round_sek
from finsam.domain.finance.budget import ADMIN_COST_TYPES, BudgetLine
from finsam.domain.finance.equity import (
    DEFAULT_EQUITY_RECOMMENDATION,
    EquityRecommendation,
    assess_equity,
)
from finsam.domain.problems import DomainValidationError, Problem

PLAN_YEARS = 3
ADMIN = "admin_cost"
INTERVENTION = "intervention_cost"
LINE_KINDS = (ADMIN, INTERVENTION)
INDIVIDUAL = "individual"


@dataclass(frozen=True, slots=True)
class PlanLine:
    """One planned cost of one year: an administrative cost type or an intervention."""

    year: int
    kind: str
    """``admin_cost`` (``code`` = cost type) or ``intervention_cost`` (``code`` = intervention)."""
    code: str
    amount: float
    name: str = ""
    orientation: str = ""
    """``individual`` or ``structural`` for an intervention."""
    goal: str = ""
    planned_participants: int | None = None


@dataclass(frozen=True, slots=True)
class PlanYearInput:
    year: int
    contribution_total: float
    """The members' money for a full year (state + regions + municipalities)."""
    state_offer: float | None = None
    """The state's (preliminary) offer; ``None`` = not known yet (no cap check)."""


@dataclass(frozen=True, slots=True)
class FinancialPlan:
    association_code: str
    plan_year: int
    equity_start: float
    """Equity at the start of the plan year."""
    years: tuple[PlanYearInput, ...]
    lines: tuple[PlanLine, ...] = ()
    regions: tuple[contrib.MemberBasis, ...] = ()
    municipalities: tuple[contrib.MemberBasis, ...] = ()
    region_method: str = contrib.SplitMethod.EQUAL
    municipal_method: str = contrib.SplitMethod.EQUAL
    start: date | None = None
    end: date | None = None
    recommendation: EquityRecommendation = DEFAULT_EQUITY_RECOMMENDATION


@dataclass(frozen=True, slots=True)
class PlanYearResult:
    year: int
    contributions: contrib.ContributionPlan | None
    parties: contrib.PartyAmounts
    """The year's money by party (after pro rata)."""
    state_offer: float | None
    state_cap: float | None
    """``min(offer, 2 × regions, 2 × municipalities)`` when the offer is known."""
    revenue: float
    admin_costs: float
    intervention_costs: float
    equity_start: float
    equity_end: float
    recommended_max_equity: float
    equity_excess: float
    planned_participants: int
    """Planned participants of the individual interventions with a cost."""
    lines: tuple[PlanLine, ...] = field(default_factory=tuple)

    @property
    def costs(self) -> float:
        return round_sek(self.admin_costs + self.intervention_costs)

    @property
    def result(self) -> float:
        return round_sek(self.revenue - self.costs)

    @property
    def administration_share(self) -> float | None:
        return self.admin_costs / self.costs if self.costs > 0 else None

    @property
    def cost_per_participant(self) -> float | None:
        individual = math.fsum(
            ln.amount
            for ln in self.lines
            if ln.kind == INTERVENTION and ln.orientation == INDIVIDUAL
        )
        if self.planned_participants > 0:
            return individual / self.planned_participants
        return None

    @property
    def take_up_share(self) -> float | None:
        """The state's part as a share of its offer."""
        if self.state_offer:
            return self.parties.state / self.state_offer
        return None

    @property
    def over_recommendation(self) -> bool:
        return self.equity_excess > 0.005


@dataclass(frozen=True, slots=True)
class PlanResult:
    plan: FinancialPlan
    years: tuple[PlanYearResult, ...]
    warnings: tuple[Problem, ...] = ()


def _error(field_name, rule, message, value=None) -> Problem:
    return Problem(field_name, rule, message, value)


def validate_plan(plan: FinancialPlan) -> list[Problem]:
    """The errors that make a plan impossible to compute (nothing is computed while any remain)."""
    problems: list[Problem] = []
    wanted = [plan.plan_year + i for i in range(PLAN_YEARS)]
    given = [y.year for y in plan.years]
    if sorted(given) != wanted:
        problems.append(
            _error(
                "years",
                "plan.years",
                f"Planen ska omfatta planåret och de två följande åren ({wanted[0]}–{wanted[-1]}), "
                f"en gång vardera (nu {', '.join(map(str, sorted(given))) or 'inga år'}).",
                tuple(given),
            )
        )
    for y in plan.years:
        if not math.isfinite(y.contribution_total) or y.contribution_total < 0:
            problems.append(
                _error(
                    "contribution_total",
                    "plan.amount_negative",
                    f"Medlemmarnas bidrag {y.year}: beloppet får inte vara negativt "
                    f"(nu {y.contribution_total:g}).",
                    y.contribution_total,
                )
            )
        if y.state_offer is not None and (not math.isfinite(y.state_offer) or y.state_offer < 0):
            problems.append(
                _error(
                    "state_offer",
                    "plan.amount_negative",
                    f"Statens erbjudande {y.year}: beloppet får inte vara negativt "
                    f"(nu {y.state_offer:g}).",
                    y.state_offer,
                )
            )
    seen: set[tuple[int, str, str]] = set()
    for ln in plan.lines:
        where = f"{ln.code or '(ingen kod)'} {ln.year}"
        if ln.kind not in LINE_KINDS:
            problems.append(
                _error(
                    "kind",
                    "plan.line_kind",
                    f"Planrad {where}: okänd radtyp {ln.kind!r} "
                    "(administrativ kostnad eller insatskostnad).",
                    ln.kind,
                )
            )
        elif ln.kind == ADMIN and ln.code not in ADMIN_COST_TYPES:
            problems.append(
                _error(
                    "code",
                    "plan.cost_type",
                    f"Planrad {where}: okänd kostnadstyp; välj en av "
                    f"{', '.join(ADMIN_COST_TYPES.code_values)}.",
                    ln.code,
                )
            )
        elif ln.kind == INTERVENTION and not ln.code:
            problems.append(
                _error("code", "plan.intervention", "Planrad: ange vilken insats kostnaden avser.")
            )
        if ln.year not in wanted:
            problems.append(
                _error(
                    "year",
                    "plan.line_year",
                    f"Planrad {where}: året ska vara ett av planens år ({wanted[0]}–{wanted[-1]}).",
                    ln.year,
                )
            )
        if not math.isfinite(ln.amount) or ln.amount < 0:
            problems.append(
                _error(
                    "amount",
                    "plan.amount_negative",
                    f"Planrad {where}: beloppet får inte vara negativt (nu {ln.amount:g}).",
                    ln.amount,
                )
            )
        if ln.planned_participants is not None and ln.planned_participants < 0:
            problems.append(
                _error(
                    "planned_participants",
                    "plan.participants_negative",
                    f"Planrad {where}: planerat antal deltagare får inte vara negativt.",
                    ln.planned_participants,
                )
            )
        key = (ln.year, ln.kind, ln.code)
        if key in seen:
            problems.append(
                _error(
                    "code",
                    "plan.duplicate_line",
                    f"Planrad {where}: samma kostnad finns två gånger samma år.",
                    ln.code,
                )
            )
        seen.add(key)
    return problems


def _warning(field_name, rule, message, value=None) -> Problem:
    return Problem(field_name, rule, message, value, warning=True)


def evaluate_plan(plan: FinancialPlan) -> PlanResult:
    """Every year's money, costs and equity, and the warnings where the plan breaks a rule.

    Raises :class:`DomainValidationError` for an impossible plan (see :func:`validate_plan`) and
    for a charter split that cannot be applied (e.g. custom percentages not summing to 100 %).
    """
    problems = validate_plan(plan)
    if problems:
        raise DomainValidationError(problems)
    warnings: list[Problem] = []
    results: list[PlanYearResult] = []
    equity = round_sek(plan.equity_start)
    for y in sorted(plan.years, key=lambda y: y.year):
        lines = tuple(ln for ln in plan.lines if ln.year == y.year)
        cplan = None
        if y.contribution_total > 0 and (plan.regions or plan.municipalities):
            cplan = contrib.plan_contributions(
                y.year,
                y.contribution_total,
                list(plan.regions),
                list(plan.municipalities),
                plan.region_method,
                plan.municipal_method,
                start=plan.start,
                end=plan.end,
            )
            parties = cplan.year_amounts
        else:
            months = contrib.active_months(y.year, plan.start, plan.end)
            parties = contrib.shares_of_total(round_sek(y.contribution_total * months / 12), y.year)
        revenue = round_sek(parties.total)
        admin = round_sek(math.fsum(ln.amount for ln in lines if ln.kind == ADMIN))
        interventions = round_sek(math.fsum(ln.amount for ln in lines if ln.kind == INTERVENTION))
        end = round_sek(equity + revenue - admin - interventions)
        assessment = assess_equity(end, revenue, plan.recommendation)
        cap = None
        if y.state_offer is not None:
            cap = contrib.capped_state(
                y.state_offer, parties.regions, parties.municipalities, y.year
            ).state
        participants = sum(
            ln.planned_participants or 0
            for ln in lines
            if ln.kind == INTERVENTION and ln.orientation == INDIVIDUAL and ln.amount > 0
        )
        row = PlanYearResult(
            y.year,
            cplan,
            parties,
            y.state_offer,
            cap,
            revenue,
            admin,
            interventions,
            equity,
            end,
            round_sek(assessment.recommended_max),
            round_sek(assessment.excess),
            participants,
            lines,
        )
        results.append(row)
        warnings += _year_warnings(row)
        equity = end
    return PlanResult(plan, tuple(results), tuple(warnings))


def _year_warnings(row: PlanYearResult) -> list[Problem]:
    y = row.year
    out: list[Problem] = []
    if row.state_offer is not None and row.parties.state > row.state_offer + 0.005:
        out.append(
            _warning(
                "state_offer",
                "plan.state_over_offer",
                f"{y}: statens del ({format_sek(row.parties.state)} kr) är större än statens "
                f"erbjudande ({format_sek(row.state_offer)} kr); staten bidrar med högst sitt "
                f"erbjudande, så medlemmarnas bidrag för året kan vara högst "
                f"{format_sek(2 * row.state_offer)} kr (50/25/25).",
                row.parties.state,
            )
        )
    if row.costs > 0 and row.revenue <= 0:
        out.append(
            _warning(
                "contribution_total",
                "plan.no_contributions",
                f"{y}: planen har kostnader ({format_sek(row.costs)} kr) men inga bidrag från "
                "medlemmarna.",
                row.costs,
            )
        )
    if row.revenue > 0 and not row.lines:
        out.append(
            _warning(
                "lines",
                "plan.no_costs",
                f"{y}: planen har bidrag ({format_sek(row.revenue)} kr) men inga planerade "
                "kostnader ännu.",
                row.revenue,
            )
        )
    if row.equity_end < -0.005:
        out.append(
            _warning(
                "equity",
                "plan.negative_equity",
                f"{y}: eget kapital blir negativt ({format_sek(row.equity_end)} kr); kostnaderna "
                f"({format_sek(row.costs)} kr) är större än bidragen och det egna kapitalet.",
                row.equity_end,
            )
        )
    elif row.over_recommendation:
        out.append(
            _warning(
                "equity",
                "plan.equity_over_recommendation",
                f"{y}: eget kapital vid årets slut ({format_sek(row.equity_end)} kr) är över "
                f"rekommendationen ({format_sek(row.recommended_max_equity)} kr) med "
                f"{format_sek(row.equity_excess)} kr; det kan minska statens tilldelning.",
                row.equity_end,
            )
        )
    for ln in row.lines:
        if ln.kind != INTERVENTION or ln.amount <= 0:
            continue
        label = ln.name or ln.code
        if ln.orientation == INDIVIDUAL and not ln.planned_participants:
            out.append(
                _warning(
                    "planned_participants",
                    "plan.individual_without_participants",
                    f"{y}: den individinriktade insatsen {label} har en kostnad men inget "
                    "planerat antal deltagare.",
                    ln.code,
                )
            )
        if not ln.goal.strip():
            out.append(
                _warning(
                    "goal",
                    "plan.intervention_without_goal",
                    f"{y}: insatsen {label} har inget mål i verksamhetsplanen.",
                    ln.code,
                )
            )
    return out


def budget_lines_for_year(result: PlanResult, year: int) -> list[BudgetLine]:
    """The budget's lines for one plan year: each member's contribution as a resource line (the
    state's half on Försäkringskassan, ``FK``), and each planned cost.

    Without members to split between, the parties' amounts go on ``FK`` alone (the regions' and
    municipalities' parts cannot be placed on a member) – the caller should have members."""
    row = next((r for r in result.years if r.year == year), None)
    if row is None:
        raise DomainValidationError(
            [
                _error(
                    "year",
                    "plan.year_missing",
                    f"Året {year} finns inte i planen.",
                    year,
                )
            ]
        )
    code = result.plan.association_code
    lines: list[BudgetLine] = []
    if row.contributions is not None:
        for m in row.contributions.members:
            if m.amount > 0:
                lines.append(BudgetLine(code, year, "resource", m.organisation_code, "", m.amount))
    elif row.parties.state > 0:
        lines.append(BudgetLine(code, year, "resource", "FK", "", row.parties.state))
    for ln in row.lines:
        if ln.kind == ADMIN:
            lines.append(BudgetLine(code, year, ADMIN, ln.code, "", ln.amount))
        else:
            lines.append(BudgetLine(code, year, INTERVENTION, "", ln.code, ln.amount))
    return lines


def plan_totals(result: PlanResult) -> dict[str, float]:
    """Sums over the three years (revenue, costs, result) and the equity at the end."""
    return {
        "revenue": round_sek(math.fsum(r.revenue for r in result.years)),
        "costs": round_sek(math.fsum(r.costs for r in result.years)),
        "result": round_sek(math.fsum(r.result for r in result.years)),
        "equity_end": result.years[-1].equity_end if result.years else result.plan.equity_start,
    }


def default_years(plan_year: int, contribution_total: float = 0.0) -> tuple[PlanYearInput, ...]:
    return tuple(PlanYearInput(plan_year + i, contribution_total) for i in range(PLAN_YEARS))


__all__: Sequence[str] = (
    "ADMIN",
    "INTERVENTION",
    "PLAN_YEARS",
    "FinancialPlan",
    "PlanLine",
    "PlanResult",
    "PlanYearInput",
    "PlanYearResult",
    "budget_lines_for_year",
    "default_years",
    "evaluate_plan",
    "plan_totals",
    "validate_plan",
)
