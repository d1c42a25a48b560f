"""Budget and accounts of one association and calendar year (``spec/finance.md`` §2).

Plain dataclasses: resources by funder, administrative costs by type, intervention costs per
intervention (budget and actual, ESF share) and planned participants. Everything is computed on a
*basis*: ``"budget"`` or ``"actual"``; a forecast is a copy of the year whose actuals are forecasts,
so every ratio works on it too.

Equity carried over (funder ``EK``) is financing, not revenue: it is left out of revenue, so a
budget that plans to use equity shows a negative result of that size and the equity at year end
falls by it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from finsam.domain.codelists import ORIENTATION, Code, CodeList
from finsam.domain.finance.equity import (
    DEFAULT_EQUITY_RECOMMENDATION,
    EquityRecommendation,
    assess_equity,
)
from finsam.domain.problems import Problem, raise_if_errors

Basis = Literal["budget", "actual"]
BASES = ("budget", "actual")

DEFAULT_PAYROLL_OVERHEAD = 0.3833
"""Payroll overhead (PO-pålägg) of the Sundbyberg seed: 38.33 % on top of the salary."""


def salary_cost(
    monthly_salary: float, months: int = 12, payroll_overhead: float = DEFAULT_PAYROLL_OVERHEAD
) -> float:
    """Yearly cost of a salary with payroll overhead: 50 000 × 12 × 1.3833 = 829 980."""
    if monthly_salary < 0 or months < 0 or payroll_overhead < 0:
        raise_if_errors(
            [
                Problem(
                    "monthly_salary",
                    "amount.negative",
                    "Lön, antal månader och personalomkostnadspålägg får inte vara negativa.",
                    (monthly_salary, months, payroll_overhead),
                )
            ]
        )
    return round(monthly_salary * months * (1 + payroll_overhead), 2)


# --- code lists of the budget ---------------------------------------------------------------------

FUNDER_STATE = "STATE"
FUNDER_REGION = "REGION"
FUNDER_MUNICIPALITY = "MUNICIPALITY"
FUNDER_EQUITY = "EK"
FUNDER_ESF = "ESF"
FUNDER_OTHER = "OVR"

FUNDER_KINDS = CodeList(
    "funder_kind",
    "Finansiär",
    (
        Code(FUNDER_STATE, "Staten (Försäkringskassan)", "State (FK; AF included)"),
        Code(FUNDER_REGION, "Region", "Region"),
        Code(FUNDER_MUNICIPALITY, "Kommun", "Municipality"),
        Code(FUNDER_EQUITY, "Eget kapital från tidigare år", "Equity carried over"),
        Code(FUNDER_ESF, "Europeiska socialfonden", "European Social Fund"),
        Code(FUNDER_OTHER, "Övriga intäkter", "Other"),
    ),
    ours=True,
)


def funder_kind(code: str) -> str | None:
    """The kind of a funder code as used in ``budget_lines.csv`` (``category`` of resource lines).

    ``FK``/``AF`` → state, two digits (county code) → region, four digits (municipality code) →
    municipality, ``EK``, ``ESF``, ``OVR``; anything else → ``None`` (unknown code).
    """
    code = code.strip().upper()
    if code in {"FK", "AF", FUNDER_STATE}:
        return FUNDER_STATE
    if re.fullmatch(r"\d{2}", code):
        return FUNDER_REGION
    if re.fullmatch(r"\d{4}", code):
        return FUNDER_MUNICIPALITY
    if code in {FUNDER_EQUITY, FUNDER_ESF, FUNDER_OTHER}:
        return code
    return None


MEMBER_FUNDER_KINDS = frozenset({FUNDER_STATE, FUNDER_REGION, FUNDER_MUNICIPALITY})

ADMIN_COST_TYPES = CodeList(
    "admin_cost_type",
    "Administrativ kostnad",
    (
        Code("PREMISES", "Lokaler", "Premises"),
        Code("DIRECTOR", "Förbundschef", "Director"),
        Code("STAFF", "Övrig personal", "Other staff"),
        Code("BOARD", "Styrelsearvoden", "Board fees"),
        Code("AUDIT", "Revision", "Auditors"),
        Code("TRAINING", "Utbildning", "Training"),
        Code("IT", "IT och webbplats", "IT and website"),
        Code("OTHER", "Övriga administrativa kostnader", "Other"),
    ),
    ours=True,
)


# --- the model ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ResourceLine:
    funder: str
    """Funder code: FK, AF, county or municipality code, EK, ESF or OVR (:func:`funder_kind`)."""
    budget: float = 0.0
    actual: float | None = None
    label: str = ""

    @property
    def kind(self) -> str | None:
        return funder_kind(self.funder)


@dataclass(frozen=True, slots=True)
class AdminCostLine:
    cost_type: str
    """A code of :data:`ADMIN_COST_TYPES`."""
    budget: float = 0.0
    actual: float | None = None
    label: str = ""


@dataclass(frozen=True, slots=True)
class InterventionCost:
    code: str
    name: str = ""
    orientation: str = "individual"
    """``individual`` or ``structural`` (``codelists.ORIENTATION``)."""
    budget: float = 0.0
    actual: float | None = None
    esf_share: float = 0.0
    """Fraction (0–1) of the intervention's cost financed by the ESF."""
    planned_participants: int | None = None
    actual_participants: int | None = None


def _value(line: ResourceLine | AdminCostLine | InterventionCost, basis: Basis) -> float:
    if basis == "budget":
        return line.budget
    return line.actual or 0.0


@dataclass(frozen=True, slots=True)
class KeyRatios:
    basis: str
    revenue: float
    costs: float
    result: float
    equity_end: float
    administration_share: float | None
    """Administrative costs / all costs."""
    structural_share: float | None
    """Structural interventions' costs / all intervention costs."""
    individual_share: float | None
    participants: int | None
    cost_per_participant: float | None
    """Individual interventions' costs / participants in them (planned for the budget basis)."""
    budget_per_inhabitant_16_64: float | None
    """Revenue / inhabitants 16–64 of the area."""
    esf_financing: float
    equity_share_of_revenue: float | None
    recommended_max_equity: float
    equity_excess: float

    @property
    def over_equity_recommendation(self) -> bool:
        return self.equity_excess > 0


@dataclass(frozen=True, slots=True)
class AssociationYearBudget:
    association_code: str
    year: int
    equity_start: float = 0.0
    resources: tuple[ResourceLine, ...] = field(default_factory=tuple)
    admin_costs: tuple[AdminCostLine, ...] = field(default_factory=tuple)
    interventions: tuple[InterventionCost, ...] = field(default_factory=tuple)
    population_16_64: int | None = None

    # -- validation

    def validate(self) -> list[Problem]:
        """Every problem of the year's data (Swedish messages); empty when valid."""
        problems: list[Problem] = []
        for i, r in enumerate(self.resources, start=1):
            if r.kind is None:
                problems.append(
                    Problem(
                        "category",
                        "budget.unknown_funder",
                        f"Okänd finansiär {r.funder!r} (tillåtna: FK, AF, länskod, kommunkod, "
                        "EK, ESF, OVR).",
                        r.funder,
                        row=i,
                    )
                )
            problems += _negatives(r, "resurs", i)
        for i, c in enumerate(self.admin_costs, start=1):
            if c.cost_type not in ADMIN_COST_TYPES:
                problems.append(
                    Problem(
                        "category",
                        "budget.unknown_cost_type",
                        f"Okänd kostnadstyp {c.cost_type!r} (tillåtna: "
                        + ", ".join(ADMIN_COST_TYPES.code_values)
                        + ").",
                        c.cost_type,
                        row=i,
                    )
                )
            problems += _negatives(c, "administrativ kostnad", i)
        seen: set[str] = set()
        for i, iv in enumerate(self.interventions, start=1):
            if iv.code in seen:
                problems.append(
                    Problem(
                        "intervention_code",
                        "budget.duplicate_intervention",
                        f"Insatsen {iv.code} förekommer mer än en gång.",
                        iv.code,
                        row=i,
                    )
                )
            seen.add(iv.code)
            if iv.orientation not in ORIENTATION:
                problems.append(
                    Problem(
                        "orientation",
                        "budget.unknown_orientation",
                        f"Insatsen {iv.code}: okänd inriktning {iv.orientation!r} "
                        "(tillåtna: individual, structural).",
                        iv.orientation,
                        row=i,
                    )
                )
            if not 0 <= iv.esf_share <= 1:
                problems.append(
                    Problem(
                        "esf_share",
                        "budget.esf_share_range",
                        f"Insatsen {iv.code}: ESF-andelen måste vara mellan 0 och 100 % "
                        f"(nu {iv.esf_share * 100:g} %).",
                        iv.esf_share,
                        row=i,
                    )
                )
            for name in ("planned_participants", "actual_participants"):
                value = getattr(iv, name)
                if value is not None and value < 0:
                    problems.append(
                        Problem(
                            name,
                            "budget.negative_participants",
                            f"Insatsen {iv.code}: antalet deltagare får inte vara negativt.",
                            value,
                            row=i,
                        )
                    )
            problems += _negatives(iv, f"insatsen {iv.code}", i)
        if self.population_16_64 is not None and self.population_16_64 < 0:
            problems.append(
                Problem(
                    "population_16_64",
                    "amount.negative",
                    "Antalet invånare 16–64 år får inte vara negativt.",
                    self.population_16_64,
                )
            )
        return problems

    # -- totals

    def revenue(self, basis: Basis = "budget") -> float:
        """Resources excluding equity carried over."""
        return math.fsum(_value(r, basis) for r in self.resources if r.kind != FUNDER_EQUITY)

    def revenue_by_kind(self, basis: Basis = "budget") -> dict[str, float]:
        out: dict[str, float] = {}
        for r in self.resources:
            out[r.kind or "?"] = out.get(r.kind or "?", 0.0) + _value(r, basis)
        return out

    def admin_costs_total(self, basis: Basis = "budget") -> float:
        return math.fsum(_value(c, basis) for c in self.admin_costs)

    def intervention_costs_total(
        self, basis: Basis = "budget", orientation: str | None = None
    ) -> float:
        return math.fsum(
            _value(iv, basis)
            for iv in self.interventions
            if orientation is None or iv.orientation == orientation
        )

    def costs(self, basis: Basis = "budget") -> float:
        return self.admin_costs_total(basis) + self.intervention_costs_total(basis)

    def result(self, basis: Basis = "budget") -> float:
        """Result = revenue − costs."""
        return self.revenue(basis) - self.costs(basis)

    def equity_end(self, basis: Basis = "budget") -> float:
        """Equity at year end = equity at start + result."""
        return self.equity_start + self.result(basis)

    def esf_financing(self, basis: Basis = "budget") -> float:
        return math.fsum(_value(iv, basis) * iv.esf_share for iv in self.interventions)

    # -- ratios

    def key_ratios(
        self,
        basis: Basis = "budget",
        recommendation: EquityRecommendation = DEFAULT_EQUITY_RECOMMENDATION,
    ) -> KeyRatios:
        """The key ratios of §2 on a basis; raises on invalid data."""
        raise_if_errors(self.validate())
        revenue = self.revenue(basis)
        costs = self.costs(basis)
        interventions = self.intervention_costs_total(basis)
        individual = self.intervention_costs_total(basis, "individual")
        structural = self.intervention_costs_total(basis, "structural")
        attr = "planned_participants" if basis == "budget" else "actual_participants"
        counts = [getattr(iv, attr) for iv in self.interventions if iv.orientation == "individual"]
        known = [c for c in counts if c is not None]
        participants = sum(known) if known else None
        equity_end = self.equity_end(basis)
        assessment = assess_equity(equity_end, revenue, recommendation)
        return KeyRatios(
            basis=basis,
            revenue=revenue,
            costs=costs,
            result=revenue - costs,
            equity_end=equity_end,
            administration_share=_ratio(self.admin_costs_total(basis), costs),
            structural_share=_ratio(structural, interventions),
            individual_share=_ratio(individual, interventions),
            participants=participants,
            cost_per_participant=_ratio(individual, participants),
            budget_per_inhabitant_16_64=_ratio(revenue, self.population_16_64),
            esf_financing=self.esf_financing(basis),
            equity_share_of_revenue=assessment.share_of_revenue,
            recommended_max_equity=assessment.recommended_max,
            equity_excess=assessment.excess,
        )

    # -- forecast

    def forecast(
        self, months_elapsed: int, method: Literal["remaining", "linear"] = "remaining"
    ) -> AssociationYearBudget:
        """A copy whose ``actual`` values are the forecast for the whole year.

        ``actual`` on each line is taken as the actual *so far* after ``months_elapsed`` months.

        * ``"remaining"`` (default): actual so far + what is left of the budget, i.e.
          ``max(actual, budget)`` – the budget is assumed to be spent unless already overrun.
        * ``"linear"``: actual so far + the budget's monthly rate for the remaining months,
          ``actual + budget × (12 − months_elapsed) / 12``.

        Participants: the forecast keeps the larger of actual and planned participants.
        """
        if not 0 <= months_elapsed <= 12:
            raise_if_errors(
                [
                    Problem(
                        "months_elapsed",
                        "budget.months_range",
                        f"Antal förflutna månader måste vara 0–12 (nu {months_elapsed}).",
                        months_elapsed,
                    )
                ]
            )
        if method not in ("remaining", "linear"):
            raise_if_errors(
                [
                    Problem(
                        "method",
                        "budget.forecast_method",
                        f"Okänd prognosmetod {method!r} (tillåtna: remaining, linear).",
                        method,
                    )
                ]
            )

        def fc(line):
            so_far = line.actual or 0.0
            if method == "remaining":
                value = max(so_far, line.budget) if months_elapsed < 12 else so_far
            else:
                value = so_far + line.budget * (12 - months_elapsed) / 12
            return replace(line, actual=round(value, 2))

        def fc_iv(iv: InterventionCost) -> InterventionCost:
            iv = fc(iv)
            if months_elapsed < 12 and iv.planned_participants is not None:
                iv = replace(
                    iv,
                    actual_participants=max(iv.actual_participants or 0, iv.planned_participants),
                )
            return iv

        return replace(
            self,
            resources=tuple(fc(r) for r in self.resources),
            admin_costs=tuple(fc(c) for c in self.admin_costs),
            interventions=tuple(fc_iv(iv) for iv in self.interventions),
        )


def _ratio(numerator: float, denominator: float | None) -> float | None:
    if not denominator:
        return None
    return numerator / denominator


def _negatives(line, what: str, row: int) -> list[Problem]:
    problems = []
    for name in ("budget", "actual"):
        value = getattr(line, name)
        if value is not None and value < 0:
            problems.append(
                Problem(
                    name,
                    "amount.negative",
                    f"Beloppet ({'budget' if name == 'budget' else 'utfall'}) för {what} får inte "
                    f"vara negativt (nu {value:g}).",
                    value,
                    row=row,
                )
            )
    return problems


def equity_share_percent(equity: float, revenue: float) -> int | None:
    """Equity as a whole percent of revenue, as printed in annual reports (Finnveden 2019: 33)."""
    if revenue <= 0:
        return None
    return round(equity / revenue * 100)


# --- budget_lines.csv ---------------------------------------------------------------------------

LINE_KINDS = ("resource", "admin_cost", "intervention_cost")
INTERVENTION_TOTAL = ""
"""``category`` of an intervention_cost line carrying the intervention's cost."""
INTERVENTION_ESF = "ESF"
"""``category`` of an intervention_cost line carrying the ESF-financed part of that cost."""


@dataclass(frozen=True, slots=True)
class BudgetLine:
    """One row of ``budget_lines.csv`` (``spec/interchange.md``)."""

    association_code: str
    year: int
    line: str
    """``resource``, ``admin_cost`` or ``intervention_cost``."""
    category: str = ""
    """Funder code (resource), cost type (admin_cost), empty or ``ESF`` (intervention_cost)."""
    intervention_code: str = ""
    budget: float = 0.0
    actual: float | None = None
    row: int | None = field(default=None, compare=False)
    """The line of the file it was read from (header = line 1, as a spreadsheet shows it);
    ``None`` when entered in a form (problems then number the lines from 1)."""

    @property
    def key(self) -> tuple[str, int, str, str, str]:
        """The row key for idempotent re-import."""
        return (self.association_code, self.year, self.line, self.category, self.intervention_code)


def validate_budget_lines(
    lines: Sequence[BudgetLine], intervention_codes: Iterable[str] | None = None
) -> list[Problem]:
    """Every problem of a set of budget lines (row: each line's ``row``, else its position from 1;
    Swedish messages).

    ``intervention_codes``: the interventions known in the registry; when given, an
    intervention_cost line for any other code is an error.
    """
    known = None if intervention_codes is None else set(intervention_codes)
    problems: list[Problem] = []
    seen: dict[tuple, int] = {}
    for n, ln in enumerate(lines, start=1):
        i = ln.row or n
        if not ln.association_code:
            problems.append(
                Problem("association_code", "budget.code_missing", "Förbundskod saknas.", row=i)
            )
        if ln.line not in LINE_KINDS:
            problems.append(
                Problem(
                    "line",
                    "budget.unknown_line",
                    f"Okänd radtyp {ln.line!r} (tillåtna: {', '.join(LINE_KINDS)}).",
                    ln.line,
                    row=i,
                )
            )
        elif ln.line == "resource":
            if funder_kind(ln.category) is None:
                problems.append(
                    Problem(
                        "category",
                        "budget.unknown_funder",
                        f"Okänd finansiär {ln.category!r} (tillåtna: FK, AF, länskod, kommunkod, "
                        "EK, ESF, OVR).",
                        ln.category,
                        row=i,
                    )
                )
        elif ln.line == "admin_cost":
            if ln.category not in ADMIN_COST_TYPES:
                problems.append(
                    Problem(
                        "category",
                        "budget.unknown_cost_type",
                        f"Okänd kostnadstyp {ln.category!r} (tillåtna: "
                        + ", ".join(ADMIN_COST_TYPES.code_values)
                        + ").",
                        ln.category,
                        row=i,
                    )
                )
        else:
            if not ln.intervention_code:
                problems.append(
                    Problem(
                        "intervention_code",
                        "budget.intervention_missing",
                        "Insatskod (intervention_code) saknas på en rad för insatskostnad.",
                        row=i,
                    )
                )
            elif known is not None and ln.intervention_code not in known:
                problems.append(
                    Problem(
                        "intervention_code",
                        "budget.unknown_intervention",
                        f"Insatsen {ln.intervention_code} finns inte i registret.",
                        ln.intervention_code,
                        row=i,
                    )
                )
            if ln.category not in (INTERVENTION_TOTAL, INTERVENTION_ESF):
                problems.append(
                    Problem(
                        "category",
                        "budget.intervention_category",
                        f"Kategori {ln.category!r} på en insatskostnad: lämna tom för kostnaden "
                        "eller ange ESF för den ESF-finansierade delen.",
                        ln.category,
                        row=i,
                    )
                )
        problems += _negatives(ln, "raden", i)
        if ln.key in seen:
            problems.append(
                Problem(
                    "",
                    "budget.duplicate_line",
                    f"Raden är en dubblett av rad {seen[ln.key]} (samma förbund, år, radtyp, "
                    "kategori och insats).",
                    None,
                    row=i,
                )
            )
        else:
            seen[ln.key] = i
    return problems


def budgets_from_lines(
    lines: Sequence[BudgetLine],
    interventions: Mapping[str, InterventionCost] | None = None,
    equity_start: Mapping[tuple[str, int], float] | None = None,
    population_16_64: Mapping[str, int] | None = None,
) -> list[AssociationYearBudget]:
    """Build one :class:`AssociationYearBudget` per association and year from budget lines.

    ``interventions``: registry data per intervention code (name, orientation, planned
    participants; its amounts are ignored). Raises on any invalid line (all-or-nothing).
    """
    raise_if_errors(
        validate_budget_lines(lines, None if interventions is None else interventions.keys())
    )
    groups: dict[tuple[str, int], list[BudgetLine]] = {}
    for ln in lines:
        groups.setdefault((ln.association_code, ln.year), []).append(ln)
    budgets = []
    for (code, year), group in sorted(groups.items()):
        resources = tuple(
            ResourceLine(ln.category, ln.budget, ln.actual) for ln in group if ln.line == "resource"
        )
        admin = tuple(
            AdminCostLine(ln.category, ln.budget, ln.actual)
            for ln in group
            if ln.line == "admin_cost"
        )
        costs: dict[str, BudgetLine] = {}
        esf: dict[str, BudgetLine] = {}
        for ln in group:
            if ln.line == "intervention_cost":
                target = esf if ln.category == INTERVENTION_ESF else costs
                target[ln.intervention_code] = ln
        items = []
        for iv_code in sorted(set(costs) | set(esf)):
            template = (interventions or {}).get(iv_code, InterventionCost(iv_code))
            cost = costs.get(iv_code)
            budget_amount = cost.budget if cost else 0.0
            esf_amount = esf[iv_code].budget if iv_code in esf else 0.0
            items.append(
                replace(
                    template,
                    code=iv_code,
                    budget=budget_amount,
                    actual=cost.actual if cost else None,
                    esf_share=min(1.0, esf_amount / budget_amount) if budget_amount else 0.0,
                )
            )
        budgets.append(
            AssociationYearBudget(
                association_code=code,
                year=year,
                equity_start=(equity_start or {}).get((code, year), 0.0),
                resources=resources,
                admin_costs=admin,
                interventions=tuple(items),
                population_16_64=(population_16_64 or {}).get(code),
            )
        )
    return budgets


def budget_to_lines(budget: AssociationYearBudget) -> list[BudgetLine]:
    """The inverse of :func:`budgets_from_lines` (for the ``budget-lines`` export)."""
    code, year = budget.association_code, budget.year
    out = [
        BudgetLine(code, year, "resource", r.funder, "", r.budget, r.actual)
        for r in budget.resources
    ]
    out += [
        BudgetLine(code, year, "admin_cost", c.cost_type, "", c.budget, c.actual)
        for c in budget.admin_costs
    ]
    for iv in budget.interventions:
        out.append(BudgetLine(code, year, "intervention_cost", "", iv.code, iv.budget, iv.actual))
        if iv.esf_share:
            out.append(
                BudgetLine(
                    code,
                    year,
                    "intervention_cost",
                    INTERVENTION_ESF,
                    iv.code,
                    round(iv.budget * iv.esf_share, 2),
                    None if iv.actual is None else round(iv.actual * iv.esf_share, 2),
                )
            )
    return out


__all__: Sequence[str] = (
    "ADMIN_COST_TYPES",
    "BASES",
    "DEFAULT_PAYROLL_OVERHEAD",
    "FUNDER_KINDS",
    "LINE_KINDS",
    "AdminCostLine",
    "AssociationYearBudget",
    "BudgetLine",
    "InterventionCost",
    "KeyRatios",
    "ResourceLine",
    "budget_to_lines",
    "budgets_from_lines",
    "equity_share_percent",
    "funder_kind",
    "salary_cost",
    "validate_budget_lines",
)
