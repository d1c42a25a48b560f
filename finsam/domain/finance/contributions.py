"""The financing rules of the FINSAM law (SFS 2003:1210) as dated data (``spec/finance.md`` §1).

Pure functions: amounts in SEK as floats in, dataclasses out; every bad input raises
:class:`~finsam.domain.problems.DomainValidationError` with Swedish messages, every rule that only
needs attention (deadlines, non-member revenue) returns warnings as :class:`Problem` s.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from finsam.domain.codelists import LAW_START, MEMBER_KIND
from finsam.domain.finance._money import format_sek, round_sek, split_amount
from finsam.domain.problems import DomainValidationError, Problem, raise_if_errors

# --- the law's rules as dated data ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FinancingRule:
    """One version of the law's financing rules, valid from ``effective_from``."""

    effective_from: date
    state_share: float = 0.50
    region_share: float = 0.25
    municipal_share: float = 0.25
    state_cap_factor: float = 2.0
    """The state gives at most this times the smaller of the region and municipal totals."""
    budget_deadline_month: int = 11
    """The budget for year Y is adopted before the end of this month of year Y − 1."""
    annual_report_months: int = 3
    """The annual report is due within this many months of year end."""
    min_parties_per_intervention: int = 2
    source: str = "SFS 2003:1210 §§ 5, 19, 23"


FINANCING_RULES: tuple[FinancingRule, ...] = (FinancingRule(effective_from=LAW_START),)
"""All versions, oldest first. Add a row here when the law changes; never edit an old one."""


def financing_rule(
    on: date | int, rules: Sequence[FinancingRule] = FINANCING_RULES
) -> FinancingRule:
    """The rule in force on a date (or on 1 January of a year)."""
    day = date(on, 1, 1) if isinstance(on, int) else on
    valid = [r for r in rules if r.effective_from <= day]
    if not valid:
        raise DomainValidationError(
            [
                Problem(
                    "year",
                    "contributions.before_law",
                    f"Finsamlagen gäller från {LAW_START.isoformat()}; {day.isoformat()} är före.",
                    day,
                )
            ]
        )
    return max(valid, key=lambda r: r.effective_from)


# --- parties --------------------------------------------------------------------------------------

STATE = "STATE"
REGIONS = "REGIONS"
MUNICIPALITIES = "MUNICIPALITIES"
PARTY_LABELS = {STATE: "Staten", REGIONS: "Regionerna", MUNICIPALITIES: "Kommunerna"}
PARTY_OF_MEMBER_KIND = {"FK": STATE, "AF": STATE, "REGION": REGIONS, "MUNICIPALITY": MUNICIPALITIES}
"""The law's three parties (§§ 3–5): FK and AF are the state; several regions are one party, as are
several municipalities."""


@dataclass(frozen=True, slots=True)
class PartyAmounts:
    """One year's money by party. ``total`` = state + regions + municipalities."""

    state: float
    regions: float
    municipalities: float

    @property
    def total(self) -> float:
        return self.state + self.regions + self.municipalities


def shares_of_total(total: float, year: int | date) -> PartyAmounts:
    """Split an association's total funds 50/25/25 (§ 5) for the rule in force in ``year``.

    Sundbyberg: 2 000 000 → state 1 000 000, region 500 000, municipality 500 000.
    """
    _check_amount("total", total)
    rule = financing_rule(year)
    state, regions, municipalities = split_amount(
        total, [rule.state_share, rule.region_share, rule.municipal_share]
    )
    return PartyAmounts(state, regions, municipalities)


def capped_state(
    state_offer: float, region_total: float, municipal_total: float, year: int | date = LAW_START
) -> PartyAmounts:
    """Apply the practical cap: ``state = min(offer, 2 × region, 2 × municipalities)``.

    The region total and the municipal total then each become ``state / 2`` (their matching of the
    state money). Höglandet 2019: offered 4 006 250, members match 1 602 500 each → 3 205 000.
    """
    for name, value in (
        ("state_offer", state_offer),
        ("region_total", region_total),
        ("municipal_total", municipal_total),
    ):
        _check_amount(name, value)
    rule = financing_rule(year)
    state = min(
        state_offer, rule.state_cap_factor * region_total, rule.state_cap_factor * municipal_total
    )
    state = round_sek(state)
    local = state * rule.region_share / rule.state_share
    return PartyAmounts(state, round_sek(local), round_sek(local))


# --- pro rata for a mid-year start ----------------------------------------------------------------


def active_months(year: int, start: date | None = None, end: date | None = None) -> int:
    """Whole calendar months of ``year`` the association exists.

    A month counts when the association exists from its first day (a start on the 1st counts that
    month, a later start counts from the next month) to its last day (an end on the last day of the
    month counts that month). Decision: the spec says "pro rata by months" without saying how a
    start within a month counts; only whole months are financed.
    """
    first_month = 1
    last_month = 12
    if start is not None:
        if start.year > year:
            return 0
        if start.year == year:
            first_month = start.month if start.day == 1 else start.month + 1
    if end is not None:
        if end.year < year:
            return 0
        if end.year == year:
            month_last_day = calendar.monthrange(end.year, end.month)[1]
            last_month = end.month if end.day == month_last_day else end.month - 1
    return max(0, last_month - first_month + 1)


def pro_rata(amount: float, year: int, start: date | None = None, end: date | None = None) -> float:
    """The year's amount pro rata by active months.

    Sundbyberg 2018, starting 1 July: 2 000 000 → 1 000 000.
    """
    _check_amount("amount", amount)
    if start is not None and end is not None and end < start:
        raise DomainValidationError(
            [
                Problem(
                    "end_date",
                    "contributions.end_before_start",
                    f"Slutdatum {end.isoformat()} är före startdatum {start.isoformat()}.",
                    end,
                )
            ]
        )
    return round_sek(amount * active_months(year, start, end) / 12)


# --- splitting a party's part between its members -------------------------------------------------


class SplitMethod(StrEnum):
    EQUAL = "equal"
    POPULATION = "population"
    SUPPORT_MEASURE = "support_measure"
    CUSTOM = "custom"


SPLIT_METHOD_LABELS = {
    SplitMethod.EQUAL: "Lika delar",
    SplitMethod.POPULATION: "Efter befolkning",
    SplitMethod.SUPPORT_MEASURE: "Efter försörjningsmått",
    SplitMethod.CUSTOM: "Egna procentsatser",
}


@dataclass(frozen=True, slots=True)
class MemberBasis:
    """One member (a municipality or a region) and what its share may be based on."""

    code: str
    """Municipality code (four digits) or county code (two digits) of a region."""
    name: str = ""
    population: float | None = None
    """Inhabitants (usually 16–64) in the member's part of the area."""
    support_measure: float | None = None
    """Support measure in SEK (finance.md §3)."""
    percent: float | None = None
    """Custom share in percent of the party's part (0–100)."""


def split_between_members(
    total: float,
    members: Sequence[MemberBasis],
    method: SplitMethod | str,
    party: str = MUNICIPALITIES,
) -> dict[str, float]:
    """Split one party's part (the municipalities' or the regions' total) between its members (§ 9).

    Returns ``{member code: amount}``; the amounts sum exactly (to the öre) to ``total``.
    """
    party_label = "kommunerna" if party == MUNICIPALITIES else "regionerna"
    problems: list[Problem] = []
    try:
        method = SplitMethod(method)
    except ValueError:
        raise DomainValidationError(
            [
                Problem(
                    "method",
                    "contributions.split_method",
                    f"Okänd fördelningsgrund för {party_label}: {method!r} (tillåtna: "
                    + ", ".join(m.value for m in SplitMethod)
                    + ").",
                    method,
                )
            ]
        ) from None
    if total < 0:
        problems.append(_negative("total", total))
    if not members:
        problems.append(
            Problem(
                "members",
                "contributions.no_members",
                f"Det finns inga medlemmar att fördela {party_label}s del på.",
            )
        )
    seen: set[str] = set()
    for i, m in enumerate(members, start=1):
        if m.code in seen:
            problems.append(
                Problem(
                    "code",
                    "contributions.duplicate_member",
                    f"Medlemmen {m.code} förekommer mer än en gång.",
                    m.code,
                    row=i,
                )
            )
        seen.add(m.code)
    raise_if_errors(problems)

    if method is SplitMethod.EQUAL:
        weights = [1.0] * len(members)
    else:
        attr, label = {
            SplitMethod.POPULATION: ("population", "befolkning"),
            SplitMethod.SUPPORT_MEASURE: ("support_measure", "försörjningsmått"),
            SplitMethod.CUSTOM: ("percent", "procentsats"),
        }[method]
        weights = []
        for i, m in enumerate(members, start=1):
            value = getattr(m, attr)
            if value is None or (isinstance(value, float) and math.isnan(value)):
                problems.append(
                    Problem(
                        attr,
                        "contributions.missing_basis",
                        f"{m.name or m.code}: {label} saknas men behövs för fördelningen "
                        f"mellan {party_label}.",
                        None,
                        row=i,
                    )
                )
            elif value < 0:
                problems.append(
                    Problem(
                        attr,
                        "contributions.negative_basis",
                        f"{m.name or m.code}: {label} får inte vara negativ (nu {value:g}).",
                        value,
                        row=i,
                    )
                )
            weights.append(value or 0.0)
        raise_if_errors(problems)
        if method is SplitMethod.CUSTOM:
            percent_sum = math.fsum(weights)
            if abs(percent_sum - 100) > 1e-6:
                raise DomainValidationError(
                    [
                        Problem(
                            "percent",
                            "contributions.percent_sum",
                            f"Andelarna för {party_label} måste summera till 100 % "
                            f"(nu {percent_sum:g} %).",
                            percent_sum,
                        )
                    ]
                )
        elif math.fsum(weights) <= 0:
            raise DomainValidationError(
                [
                    Problem(
                        attr,
                        "contributions.zero_basis",
                        f"Summan av {label} för {party_label} är 0; det går inte att fördela "
                        "efter den.",
                        0,
                    )
                ]
            )
    return dict(zip((m.code for m in members), split_amount(total, weights), strict=True))


# --- a whole contribution plan --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemberContribution:
    member_kind: str
    """FK, AF, REGION or MUNICIPALITY (``codelists.MEMBER_KIND``)."""
    organisation_code: str
    name: str
    amount: float
    note: str = ""


@dataclass(frozen=True, slots=True)
class ContributionPlan:
    year: int
    months: int
    full_year: PartyAmounts
    year_amounts: PartyAmounts
    """The year's amounts after pro rata for a start or end within the year."""
    members: tuple[MemberContribution, ...] = field(default_factory=tuple)

    def amount_of(self, organisation_code: str) -> float:
        return sum(m.amount for m in self.members if m.organisation_code == organisation_code)


def plan_contributions(
    year: int,
    annual_total: float,
    regions: Sequence[MemberBasis],
    municipalities: Sequence[MemberBasis],
    region_method: SplitMethod | str = SplitMethod.EQUAL,
    municipal_method: SplitMethod | str = SplitMethod.EQUAL,
    start: date | None = None,
    end: date | None = None,
) -> ContributionPlan:
    """Each member's contribution for ``year`` from the association's annual total.

    50/25/25 of the annual total, pro rata by months for a start/end within the year, the regions'
    and the municipalities' parts split by the charter's method. Försäkringskassan pays the whole
    state half (Arbetsförmedlingen's part included), so AF's line is 0 with a note.
    """
    full = shares_of_total(annual_total, year)
    months = active_months(year, start, end)
    if start is not None and end is not None and end < start:
        pro_rata(annual_total, year, start, end)  # raises the Swedish error
    year_total = round_sek(annual_total * months / 12)
    year_amounts = shares_of_total(year_total, year)
    region_split = split_between_members(year_amounts.regions, regions, region_method, REGIONS)
    municipal_split = split_between_members(
        year_amounts.municipalities, municipalities, municipal_method, MUNICIPALITIES
    )
    lines = [
        MemberContribution("FK", "FK", MEMBER_KIND.label_of("FK"), year_amounts.state),
        MemberContribution(
            "AF", "AF", MEMBER_KIND.label_of("AF"), 0.0, "Ingår i Försäkringskassans inbetalning."
        ),
    ]
    names = {m.code: m.name for m in (*regions, *municipalities)}
    lines += [MemberContribution("REGION", c, names[c], a) for c, a in region_split.items()]
    lines += [
        MemberContribution("MUNICIPALITY", c, names[c], a) for c, a in municipal_split.items()
    ]
    return ContributionPlan(year, months, full, year_amounts, tuple(lines))


# --- deadlines ------------------------------------------------------------------------------------


def budget_deadline(year: int) -> date:
    """Last day to adopt the budget for ``year``: the end of November of the year before (§ 19)."""
    rule = financing_rule(year)
    month = rule.budget_deadline_month
    return date(year - 1, month, calendar.monthrange(year - 1, month)[1])


def annual_report_deadline(year: int) -> date:
    """Last day for the annual report of ``year``: three months after year end (§ 23)."""
    rule = financing_rule(year)
    month = rule.annual_report_months
    return date(year + 1, month, calendar.monthrange(year + 1, month)[1])


DEFAULT_WARN_DAYS = 30


def deadline_warnings(
    today: date,
    year: int,
    budget_adopted: date | None = None,
    annual_report_adopted: date | None = None,
    warn_days: int = DEFAULT_WARN_DAYS,
) -> list[Problem]:
    """Warnings about the budget and annual-report deadlines of ``year`` as seen on ``today``.

    Before a deadline (within ``warn_days``) with nothing recorded: "approaching". After it with
    nothing recorded: "missed". Recorded after the deadline: "adopted late". All are warnings.
    """
    problems: list[Problem] = []
    checks = (
        (
            "budget_adopted",
            "budget",
            budget_deadline(year),
            budget_adopted,
            f"Budgeten för {year}",
            "antas av styrelsen före utgången av november",
        ),
        (
            "annual_report_adopted",
            "annual_report",
            annual_report_deadline(year),
            annual_report_adopted,
            f"Årsredovisningen för {year}",
            "ska vara klar inom tre månader efter årets slut",
        ),
    )
    for field_name, key, deadline, recorded, what, rule_text in checks:
        if recorded is not None:
            if recorded > deadline:
                problems.append(
                    Problem(
                        field_name,
                        f"deadline.{key}_late",
                        f"{what} blev klar {recorded.isoformat()}, efter sista dag "
                        f"{deadline.isoformat()} ({rule_text}).",
                        recorded,
                        warning=True,
                    )
                )
            continue
        if today > deadline:
            problems.append(
                Problem(
                    field_name,
                    f"deadline.{key}_missed",
                    f"{what} saknas: sista dag var {deadline.isoformat()} ({rule_text}).",
                    None,
                    warning=True,
                )
            )
        elif today >= deadline - timedelta(days=warn_days):
            days = (deadline - today).days
            problems.append(
                Problem(
                    field_name,
                    f"deadline.{key}_approaching",
                    f"{what} {rule_text}: sista dag är {deadline.isoformat()} (om {days} dagar).",
                    None,
                    warning=True,
                )
            )
    return problems


# --- revenue only from members --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RevenueLine:
    source: str
    """Organisation code of the payer: FK, AF, a county code, a municipality code, or e.g. ESF."""
    amount: float
    label: str = ""


CARRIED_OVER_EQUITY = "EK"
"""Funder code for equity carried over: financing, but not revenue from anyone."""


def non_member_revenue(lines: Iterable[RevenueLine], member_codes: Iterable[str]) -> list[Problem]:
    """Flag (as warnings) revenue lines whose source is not a member of the association.

    Contributions are money from members only; gifts, sponsorship and other income are not allowed
    (finance.md §1). ESF and other external project money is flagged too, so the board sees it.
    """
    members = {c.strip().upper() for c in member_codes}
    problems = []
    for i, line in enumerate(lines, start=1):
        source = line.source.strip().upper()
        if source == CARRIED_OVER_EQUITY or source in members:
            continue
        problems.append(
            Problem(
                "source",
                "contributions.non_member_revenue",
                f"Intäkten {line.label or source} ({format_sek(line.amount)} kr) kommer från "
                f"{source}, som inte är medlem i förbundet; bidrag får bara lämnas av medlemmarna.",
                line.source,
                row=i,
                warning=True,
            )
        )
    return problems


# --- interventions involve at least two parties ---------------------------------------------------


def intervention_parties(member_kinds: Iterable[str]) -> frozenset[str]:
    """The law's parties (state, regions, municipalities) behind a set of member kinds."""
    return frozenset(PARTY_OF_MEMBER_KIND[k] for k in member_kinds if k in PARTY_OF_MEMBER_KIND)


def check_intervention_parties(
    intervention_code: str, member_kinds: Iterable[str], year: int | date = LAW_START
) -> list[Problem]:
    """A funded intervention must involve at least two parties; two municipalities are one party.

    ``member_kinds``: the kinds (FK, AF, REGION, MUNICIPALITY) of the members taking part, one entry
    per member (duplicates allowed). Unknown kinds are errors too.
    """
    kinds = [k.strip().upper() for k in member_kinds]
    problems = [
        Problem(
            "providers",
            "contributions.unknown_member_kind",
            f"Insatsen {intervention_code}: okänd medlemstyp {k!r} (tillåtna: "
            + ", ".join(MEMBER_KIND.code_values)
            + ").",
            k,
        )
        for k in kinds
        if k not in PARTY_OF_MEMBER_KIND
    ]
    parties = intervention_parties(kinds)
    minimum = financing_rule(year).min_parties_per_intervention
    if len(parties) < minimum:
        named = ", ".join(PARTY_LABELS[p] for p in sorted(parties)) or "ingen"
        problems.append(
            Problem(
                "providers",
                "contributions.min_parties",
                f"Insatsen {intervention_code} måste involvera minst {minimum} parter "
                f"(staten, regionerna, kommunerna; flera kommuner är en part) – nu: {named}.",
                tuple(kinds),
            )
        )
    return problems


# --- helpers --------------------------------------------------------------------------------------


def _negative(field_name: str, value: float) -> Problem:
    return Problem(
        field_name,
        "amount.negative",
        f"Beloppet i {field_name} får inte vara negativt (nu {value:g}).",
        value,
    )


def _check_amount(field_name: str, value: float) -> None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        raise DomainValidationError(
            [Problem(field_name, "amount.missing", f"Beloppet i {field_name} saknas.")]
        )
    if value < 0:
        raise DomainValidationError([_negative(field_name, value)])
