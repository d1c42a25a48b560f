"""Every write of the finance app: one transaction, validated by the domain core, audited.

On a rule violation a service raises :class:`DomainValidationError` (Swedish messages naming the
field and the rule) and nothing is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction

from finsam.audit.services import audit_change, diff
from finsam.domain.codelists import LAW_START
from finsam.domain.finance import budget as core
from finsam.domain.problems import DomainValidationError, Problem, raise_if_errors
from finsam.finance.models import AssociationYear, BudgetLine
from finsam.registry.models import Association, Intervention

YEAR_MIN = LAW_START.year
YEAR_MAX = 2100

YEAR_FIELDS = (
    "budget_adopted",
    "annual_report_adopted",
    "equity_start",
    "population_16_64",
    "contribution_total",
    "state_offer",
    "notes",
)


def _money(value) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(round(float(value), 2))).quantize(Decimal("0.01"))


MAX_AMOUNT = 10**12
"""Amounts are stored with 14 digits, two of them öre."""
MAX_POPULATION = 100_000_000


def check_amount(value, field_name: str, label: str, *, row: int | None = None) -> list[Problem]:
    """An amount must fit the database (below 1 000 000 000 000 kr in absolute value)."""
    if value is not None and value != "" and abs(float(value)) >= MAX_AMOUNT:
        return [
            Problem(
                field_name,
                "amount.too_large",
                f"{label}: beloppet är för stort (högst 999 999 999 999,99 kr).",
                value,
                row=row,
            )
        ]
    return []


def check_year(year, *, row: int | None = None, field_name: str = "year") -> list[Problem]:
    """The budget year must be a calendar year within the law's time (2004–2100)."""
    if not isinstance(year, int) or not YEAR_MIN <= year <= YEAR_MAX:
        return [
            Problem(
                field_name,
                "budget.year_range",
                f"År måste vara ett årtal mellan {YEAR_MIN} och {YEAR_MAX} (nu {year!r}).",
                year,
                row=row,
            )
        ]
    return []


def _snapshot_year(obj: AssociationYear | None) -> dict:
    if obj is None:
        return {}
    return {f: getattr(obj, f) for f in YEAR_FIELDS}


def association_year_save(
    *,
    actor,
    association: Association,
    year: int,
    budget_adopted: date | None = None,
    annual_report_adopted: date | None = None,
    equity_start=None,
    population_16_64: int | None = None,
    contribution_total=None,
    state_offer=None,
    notes: str = "",
) -> AssociationYear:
    """Create or update the facts of one budget year (adoption dates, equity, population, the
    members' full-year contribution and the state's offer)."""
    problems = check_year(year)
    for name, value, label in (
        ("contribution_total", contribution_total, "Medlemmarnas bidrag för helår"),
        ("state_offer", state_offer, "Erbjuden statlig tilldelning"),
        ("population_16_64", population_16_64, "Invånare 16–64 år"),
    ):
        if value is not None and value != "" and float(value) < 0:
            problems.append(
                Problem(
                    name,
                    "amount.negative",
                    f"{label} får inte vara negativt (nu {float(value):g}).",
                    value,
                )
            )
    if population_16_64 is not None and population_16_64 > MAX_POPULATION:
        problems.append(
            Problem(
                "population_16_64",
                "population.too_large",
                f"Invånare 16–64 år: högst {MAX_POPULATION:_} (nu {population_16_64:_}).".replace(
                    "_", " "
                ),
                population_16_64,
            )
        )
    problems += check_amount(equity_start, "equity_start", "Eget kapital vid årets början")
    problems += check_amount(contribution_total, "contribution_total", "Medlemmarnas bidrag")
    problems += check_amount(state_offer, "state_offer", "Erbjuden statlig tilldelning")
    if budget_adopted is not None and not problems and budget_adopted.year > year:
        problems.append(
            Problem(
                "budget_adopted",
                "budget.adopted_after_year",
                f"Budget fastställd: budgeten för {year} kan inte fastställas efter "
                f"budgetåret (nu {budget_adopted.isoformat()}).",
                budget_adopted,
            )
        )
    if annual_report_adopted is not None and not problems and annual_report_adopted.year <= year:
        problems.append(
            Problem(
                "annual_report_adopted",
                "budget.report_before_year_end",
                f"Årsredovisning fastställd: årsredovisningen för {year} fastställs efter årets "
                f"slut (nu {annual_report_adopted.isoformat()}).",
                annual_report_adopted,
            )
        )
    raise_if_errors(problems)
    values = {
        "budget_adopted": budget_adopted,
        "annual_report_adopted": annual_report_adopted,
        "equity_start": _money(equity_start),
        "population_16_64": population_16_64,
        "contribution_total": _money(contribution_total),
        "state_offer": _money(state_offer),
        "notes": notes or "",
    }
    with transaction.atomic():
        obj = (
            AssociationYear.objects.select_for_update()
            .filter(association=association, year=year)
            .first()
        )
        before = _snapshot_year(obj)
        if obj is None:
            obj = AssociationYear(association=association, year=year)
        for name, value in values.items():
            setattr(obj, name, value)
        obj.save()
        changes = diff(before, _snapshot_year(obj))
        audit_change(
            actor=actor,
            action="budget_year_save",
            obj=obj,
            association_id=association.pk,
            changes=changes,
            summary=f"Budgetår {year} för {association.code}",
        )
    return obj


def normalise_category(line: str, category: str) -> str:
    """Funder codes and cost types are stored upper case; an intervention line's category is empty
    or ``ESF``."""
    return (category or "").strip().upper()


def validate_lines(lines: Sequence[core.BudgetLine]) -> tuple[list[Problem], dict, dict]:
    """Every problem of a set of lines against the core's rules and the registry (row numbers
    from 1). Returns the problems and the associations and interventions found by code."""
    problems = list(core.validate_budget_lines(lines))
    assoc_codes = {ln.association_code for ln in lines if ln.association_code}
    associations = {a.code: a for a in Association.objects.filter(code__in=assoc_codes)}
    iv_codes = {ln.intervention_code for ln in lines if ln.intervention_code}
    interventions = {
        i.code: i
        for i in Intervention.objects.filter(code__in=iv_codes).select_related("association")
    }
    for n, ln in enumerate(lines, start=1):
        i = ln.row or n  # the file's line, else the position
        problems += check_year(ln.year, row=i)
        problems += check_amount(ln.budget, "budget", f"Rad {i}, budget", row=i)
        problems += check_amount(ln.actual, "actual", f"Rad {i}, utfall", row=i)
        if ln.association_code and ln.association_code not in associations:
            problems.append(
                Problem(
                    "association_code",
                    "budget.unknown_association",
                    f"Förbundet {ln.association_code} finns inte i registret.",
                    ln.association_code,
                    row=i,
                )
            )
        if ln.line == "intervention_cost" and ln.intervention_code:
            iv = interventions.get(ln.intervention_code)
            if iv is None:
                problems.append(
                    Problem(
                        "intervention_code",
                        "budget.unknown_intervention",
                        f"Insatsen {ln.intervention_code} finns inte i registret.",
                        ln.intervention_code,
                        row=i,
                    )
                )
            elif iv.association.code != ln.association_code:
                problems.append(
                    Problem(
                        "intervention_code",
                        "budget.intervention_other_association",
                        f"Insatsen {ln.intervention_code} hör till förbundet "
                        f"{iv.association.code}, inte {ln.association_code}.",
                        ln.intervention_code,
                        row=i,
                    )
                )
        elif ln.line in ("resource", "admin_cost") and ln.intervention_code:
            problems.append(
                Problem(
                    "intervention_code",
                    "budget.intervention_not_allowed",
                    "Insatskod (intervention_code) ska bara anges på rader för insatskostnad.",
                    ln.intervention_code,
                    row=i,
                )
            )
    return problems, associations, interventions


def _find(association, ln: core.BudgetLine, intervention) -> BudgetLine | None:
    return BudgetLine.objects.filter(
        association=association,
        year=ln.year,
        line=ln.line,
        category=ln.category,
        intervention=intervention,
    ).first()


def _line_snapshot(obj: BudgetLine | None) -> dict:
    if obj is None:
        return {}
    return {"budget": obj.budget, "actual": obj.actual}


def budget_line_save(
    *,
    actor,
    association: Association,
    year: int,
    line: str,
    category: str = "",
    intervention_code: str = "",
    budget=0,
    actual=None,
    budget_line: BudgetLine | None = None,
) -> BudgetLine:
    """Create a budget line, or update ``budget_line`` (its key may change but must stay unique)."""
    ln = core.BudgetLine(
        association.code,
        year,
        line,
        normalise_category(line, category),
        (intervention_code or "").strip(),
        float(budget if budget is not None else 0),
        None if actual is None or actual == "" else float(actual),
    )
    problems, _assocs, interventions = validate_lines([ln])
    problems = [Problem(p.field, p.rule, p.message, p.value) for p in problems]  # no row numbers
    raise_if_errors(problems)
    intervention = interventions.get(ln.intervention_code) if ln.intervention_code else None
    with transaction.atomic():
        existing = _find(association, ln, intervention)
        if existing is not None and (budget_line is None or existing.pk != budget_line.pk):
            raise DomainValidationError(
                [
                    Problem(
                        "category",
                        "budget.duplicate_line",
                        "Det finns redan en rad med samma år, radtyp, kategori och insats; "
                        "ändra den i stället.",
                        ln.category,
                    )
                ]
            )
        obj = budget_line or BudgetLine(association=association)
        before = {
            **_line_snapshot(budget_line),
            **(
                {
                    "year": budget_line.year,
                    "line": budget_line.line,
                    "category": budget_line.category,
                }
                if budget_line
                else {}
            ),
        }
        obj.year, obj.line, obj.category, obj.intervention = (
            ln.year,
            ln.line,
            ln.category,
            intervention,
        )
        obj.budget, obj.actual = _money(ln.budget), _money(ln.actual)
        obj.save()
        after = {
            **_line_snapshot(obj),
            "year": obj.year,
            "line": obj.line,
            "category": obj.category,
        }
        audit_change(
            actor=actor,
            action="budget_line_save",
            obj=obj,
            association_id=association.pk,
            changes=diff(before, after),
            summary=f"{ln.line} {ln.category} {ln.intervention_code} {ln.year}".strip(),
        )
    return obj


def budget_line_delete(*, actor, budget_line: BudgetLine) -> None:
    with transaction.atomic():
        audit_change(
            actor=actor,
            action="budget_line_delete",
            obj=budget_line,
            association_id=budget_line.association_id,
            changes=diff(_line_snapshot(budget_line), {}),
            summary=f"{budget_line.line} {budget_line.category} {budget_line.year}",
        )
        budget_line.delete()


@dataclass
class UpsertSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not [p for p in self.problems if not p.warning]


def budget_lines_upsert(
    *, actor, lines: Sequence[core.BudgetLine], dry_run: bool = False, allowed=None
) -> UpsertSummary:
    """Create or update many lines by their key (association, year, line, category,
    intervention): all-or-nothing, idempotent. ``allowed``: a predicate on the association (the
    caller's permission); a line for any other association is an error."""
    lines = [
        core.BudgetLine(
            ln.association_code.strip(),
            ln.year,
            ln.line.strip(),
            normalise_category(ln.line, ln.category),
            (ln.intervention_code or "").strip(),
            ln.budget,
            ln.actual,
            ln.row,
        )
        for ln in lines
    ]
    problems, associations, interventions = validate_lines(lines)
    if allowed is not None:
        for n, ln in enumerate(lines, start=1):
            i = ln.row or n
            a = associations.get(ln.association_code)
            if a is not None and not allowed(a):
                problems.append(
                    Problem(
                        "association_code",
                        "permission.association",
                        f"Du har inte behörighet att ändra budgeten för förbundet "
                        f"{ln.association_code}.",
                        ln.association_code,
                        row=i,
                    )
                )
    summary = UpsertSummary(problems=problems, dry_run=dry_run)
    if not summary.ok:
        return summary
    with transaction.atomic():
        touched: dict[tuple[int, int], dict[str, int]] = {}
        for ln in lines:
            association = associations[ln.association_code]
            intervention = interventions.get(ln.intervention_code) if ln.intervention_code else None
            obj = _find(association, ln, intervention)
            budget, actual = _money(ln.budget), _money(ln.actual)
            counts = touched.setdefault((association.pk, ln.year), {"created": 0, "updated": 0})
            if obj is None:
                summary.created += 1
                counts["created"] += 1
                if not dry_run:
                    BudgetLine.objects.create(
                        association=association,
                        year=ln.year,
                        line=ln.line,
                        category=ln.category,
                        intervention=intervention,
                        budget=budget,
                        actual=actual,
                    )
            elif obj.budget == budget and obj.actual == actual:
                summary.unchanged += 1
            else:
                summary.updated += 1
                counts["updated"] += 1
                if not dry_run:
                    obj.budget, obj.actual = budget, actual
                    obj.save(update_fields=["budget", "actual"])
        if not dry_run:
            by_pk = {a.pk: a for a in associations.values()}
            for (assoc_pk, year), counts in sorted(touched.items()):
                if counts["created"] or counts["updated"]:
                    audit_change(
                        actor=actor,
                        action="budget_lines_import",
                        obj=by_pk[assoc_pk],
                        association_id=assoc_pk,
                        changes={"year": year, **counts},
                        summary=f"Budgetrader {year}: {counts['created']} nya, "
                        f"{counts['updated']} ändrade",
                    )
    return summary
