"""Deviation reports ("Lex Heller", ``spec/indicators.md`` §2): the rules, the workflow and the
report calculations, free of Django.

A deviation report records where the member agencies' cooperation failed a person. It must not
identify the person: every free-text field is scanned for Swedish personal identity numbers and
coordination numbers (:func:`finsam.domain.identity.find_identity_numbers`, where the number rules
live) and refused when one is found.

Workflow (``docs/deviations.md``)::

    new ──classify──▶ classified ──record action──▶ in progress ──close──▶ closed
                      (classify again)              (classify again, more actions)

The category list is ours (the spec says so) and editable: the defaults below are loaded into the
versioned code lists (``registry.CodeListEntry``, list ``deviation_category``) and validation takes
the codes valid on the report date as an argument.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from itertools import combinations

from finsam.domain.access import gettext_noop
from finsam.domain.codelists import LAW_START, Code, CodeList
from finsam.domain.identity import find_identity_numbers
from finsam.domain.problems import DomainValidationError, Problem
from finsam.domain.protection import (
    Cell,
    Kind,
    Line,
    ProtectedTable,
    ProtectionRule,
    Table,
    protect,
)

CATEGORY_LIST_NAME = "deviation_category"

CATEGORIES = CodeList(
    CATEGORY_LIST_NAME,
    gettext_noop("Avvikelsekategori"),
    (
        Code(
            "NEKAD",
            gettext_noop("Nekad av en myndighet i väntan på att en annan ska agera först"),
            "Refused by one agency because another must act first",
        ),
        Code(
            "BEDOMNING",
            gettext_noop("Motstridiga bedömningar av arbetsförmåga"),
            "Contradictory assessments of work capacity",
        ),
        Code(
            "VANTETID",
            gettext_noop("Väntetid mellan myndigheter"),
            "Waiting time between agencies",
        ),
        Code(
            "INFORMATION",
            gettext_noop("Information har inte förts över"),
            "Missing information transfer",
        ),
        Code(
            "PLAN",
            gettext_noop("Ingen samordnad plan"),
            "No coordinated plan",
        ),
        Code("OVRIGT", gettext_noop("Övrigt"), "Other"),
    ),
    ours=True,
)
"""The starter category list (ours, editable in the code-list administration)."""


class Status(StrEnum):
    NEW = "new"
    CLASSIFIED = "classified"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"


STATUS_LABELS = {
    Status.NEW: gettext_noop("Ny"),
    Status.CLASSIFIED: gettext_noop("Klassificerad"),
    Status.IN_PROGRESS: gettext_noop("Under åtgärd"),
    Status.CLOSED: gettext_noop("Avslutad"),
}


class Event(StrEnum):
    CLASSIFY = "classify"
    RECORD_ACTION = "record_action"
    CLOSE = "close"


EVENT_LABELS = {
    Event.CLASSIFY: gettext_noop("klassificera"),
    Event.RECORD_ACTION: gettext_noop("registrera en åtgärd"),
    Event.CLOSE: gettext_noop("avsluta"),
}

TRANSITIONS: dict[tuple[Status, Event], Status] = {
    (Status.NEW, Event.CLASSIFY): Status.CLASSIFIED,
    (Status.CLASSIFIED, Event.CLASSIFY): Status.CLASSIFIED,
    (Status.IN_PROGRESS, Event.CLASSIFY): Status.IN_PROGRESS,
    (Status.CLASSIFIED, Event.RECORD_ACTION): Status.IN_PROGRESS,
    (Status.IN_PROGRESS, Event.RECORD_ACTION): Status.IN_PROGRESS,
    (Status.IN_PROGRESS, Event.CLOSE): Status.CLOSED,
}
"""Every allowed step; anything else is refused. Closed is final."""


def next_status(status: Status | str, event: Event | str) -> Status:
    """The state after ``event``; raises :class:`DomainValidationError` when not allowed."""
    current, ev = Status(status), Event(event)
    after = TRANSITIONS.get((current, ev))
    if after is None:
        raise DomainValidationError(
            [
                Problem(
                    "status",
                    "deviation.transition",
                    f"En avvikelse med status \u201d{STATUS_LABELS[current]}\u201d går inte att "
                    f"{EVENT_LABELS[ev]}"
                    + (
                        " – den måste klassificeras först."
                        if current is Status.NEW
                        else " – registrera minst en åtgärd först."
                        if current is Status.CLASSIFIED
                        else " – den är avslutad."
                        if current is Status.CLOSED
                        else "."
                    ),
                    current.value,
                )
            ]
        )
    return after


def allowed_events(status: Status | str) -> frozenset[Event]:
    current = Status(status)
    return frozenset(ev for (st, ev) in TRANSITIONS if st is current)


# --- identifying data in free text --------------------------------------------------------------


def check_free_text(
    field: str, label: str, text: str, *, today: date | None = None
) -> list[Problem]:
    """Refuse free text that contains an identity number (the report must not identify anyone)."""
    hits = find_identity_numbers(text, today=today)
    if not hits:
        return []
    return [
        Problem(
            field,
            "deviation.identity_number",
            f"{label}: texten innehåller något som är ett personnummer eller samordningsnummer "
            f"(tecken {hits[0].start + 1}). Avvikelser får inte innehålla uppgifter som "
            "identifierar personen – ta bort numret och beskriv händelsen utan namn och nummer.",
        )
    ]


# --- validation ---------------------------------------------------------------------------------

DESCRIPTION_MAX = 4000
TEXT_MAX = 2000

FIELD_LABELS = {
    "report_date": gettext_noop("Datum"),
    "organisations": gettext_noop("Inblandade organisationer"),
    "category": gettext_noop("Kategori"),
    "description": gettext_noop("Beskrivning"),
    "consequence": gettext_noop("Konsekvens för personen"),
    "improvement": gettext_noop("Förslag till förbättring"),
    "owner": gettext_noop("Ansvarig organisation"),
    "action_date": gettext_noop("Datum för åtgärden"),
    "text": gettext_noop("Åtgärd"),
    "closed_date": gettext_noop("Avslutsdatum"),
    "closing_note": gettext_noop("Avslutskommentar"),
}


def _date_problems(field: str, value: date | None, *, earliest: date, today: date) -> list[Problem]:
    label = FIELD_LABELS[field]
    if value is None:
        return [Problem(field, "deviation.required", f"{label} måste anges.")]
    if value > today:
        return [
            Problem(
                field,
                "deviation.future_date",
                f"{label} får inte ligga efter dagens datum ({today.isoformat()}).",
                value,
            )
        ]
    if value < earliest:
        return [
            Problem(
                field,
                "deviation.early_date",
                f"{label} får inte vara tidigare än {earliest.isoformat()}.",
                value,
            )
        ]
    return []


def _text_problems(
    field: str, text: str, *, required: bool, max_length: int, today: date
) -> list[Problem]:
    label = FIELD_LABELS[field]
    text = (text or "").strip()
    if not text:
        return [Problem(field, "deviation.required", f"{label} måste anges.")] if required else []
    if len(text) > max_length:
        return [
            Problem(
                field,
                "deviation.too_long",
                f"{label} får vara högst {max_length} tecken (nu {len(text)}).",
            )
        ]
    return check_free_text(field, label, text, today=today)


@dataclass(frozen=True, slots=True)
class ReportInput:
    report_date: date | None
    organisations: tuple[str, ...]
    """Keys of the involved member organisations (the Django layer uses member ids)."""
    category: str
    description: str
    consequence: str = ""
    improvement: str = ""


def validate_report(
    data: ReportInput,
    *,
    members: Iterable[str],
    categories: Iterable[str],
    today: date,
) -> list[Problem]:
    """Problems with a new deviation report; ``members`` are the association's member keys and
    ``categories`` the category codes valid on the report date."""
    problems = _date_problems("report_date", data.report_date, earliest=LAW_START, today=today)
    members = set(members)
    if not data.organisations:
        problems.append(
            Problem(
                "organisations",
                "deviation.organisations_required",
                "Inblandade organisationer: välj minst en av förbundets medlemmar.",
            )
        )
    elif any(o not in members for o in data.organisations):
        problems.append(
            Problem(
                "organisations",
                "deviation.organisation_not_member",
                "Inblandade organisationer: bara förbundets egna medlemmar kan väljas.",
            )
        )
    problems += _category_problems(data.category, categories)
    problems += _text_problems(
        "description", data.description, required=True, max_length=DESCRIPTION_MAX, today=today
    )
    for name in ("consequence", "improvement"):
        problems += _text_problems(
            name, getattr(data, name), required=False, max_length=TEXT_MAX, today=today
        )
    return problems


def _category_problems(category: str, categories: Iterable[str]) -> list[Problem]:
    if not category:
        return [Problem("category", "deviation.required", "Kategori måste anges.")]
    if category not in set(categories):
        return [
            Problem(
                "category",
                "deviation.category",
                f"Kategori: \u201d{category}\u201d finns inte i kategorilistan för datumet.",
                category,
            )
        ]
    return []


def validate_classification(
    *,
    status: Status | str,
    category: str,
    owner: str | None,
    categories: Iterable[str],
    members: Iterable[str],
) -> list[Problem]:
    """Problems with classifying a report (category and owner organisation)."""
    problems: list[Problem] = []
    try:
        next_status(status, Event.CLASSIFY)
    except DomainValidationError as exc:
        return exc.problems
    problems += _category_problems(category, categories)
    if not owner:
        problems.append(
            Problem("owner", "deviation.required", "Ansvarig organisation måste anges.")
        )
    elif owner not in set(members):
        problems.append(
            Problem(
                "owner",
                "deviation.owner_not_member",
                "Ansvarig organisation: välj en av förbundets medlemmar.",
            )
        )
    return problems


def validate_action(
    *,
    status: Status | str,
    action_date: date | None,
    text: str,
    filed: date,
    today: date,
    organisation: str | None = None,
    members: Iterable[str] = (),
) -> list[Problem]:
    """Problems with recording an action (a dated log entry, optionally by one member)."""
    try:
        next_status(status, Event.RECORD_ACTION)
    except DomainValidationError as exc:
        return exc.problems
    problems = _date_problems("action_date", action_date, earliest=filed, today=today)
    problems += _text_problems("text", text, required=True, max_length=TEXT_MAX, today=today)
    if organisation and organisation not in set(members):
        problems.append(
            Problem(
                "organisation",
                "deviation.organisation_not_member",
                "Organisation: välj en av förbundets medlemmar.",
            )
        )
    return problems


def validate_close(
    *,
    status: Status | str,
    closed_date: date | None,
    closing_note: str,
    last_action: date | None,
    filed: date,
    today: date,
) -> list[Problem]:
    """Problems with closing a report: only in progress, dated on or after its last action."""
    try:
        next_status(status, Event.CLOSE)
    except DomainValidationError as exc:
        return exc.problems
    earliest = max(filed, last_action) if last_action else filed
    problems = _date_problems("closed_date", closed_date, earliest=earliest, today=today)
    problems += _text_problems(
        "closing_note", closing_note, required=True, max_length=TEXT_MAX, today=today
    )
    return problems


# --- reports ------------------------------------------------------------------------------------


class PeriodType(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


PERIOD_LABELS = {
    PeriodType.MONTH: gettext_noop("Månad"),
    PeriodType.QUARTER: gettext_noop("Kvartal"),
    PeriodType.YEAR: gettext_noop("År"),
}


def period_key(day: date, period_type: PeriodType | str) -> str:
    """``2025-03`` (month), ``2025 K1`` (quarter) or ``2025`` (year) – sorts chronologically."""
    kind = PeriodType(period_type)
    if kind is PeriodType.MONTH:
        return f"{day.year}-{day.month:02d}"
    if kind is PeriodType.QUARTER:
        return f"{day.year} K{(day.month - 1) // 3 + 1}"
    return str(day.year)


def periods_between(start: date, end: date, period_type: PeriodType | str) -> list[str]:
    """Every period key from ``start`` to ``end`` (inclusive), so empty periods show as 0."""
    keys: list[str] = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        key = period_key(date(year, month, 1), period_type)
        if not keys or keys[-1] != key:
            keys.append(key)
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return keys


@dataclass(frozen=True, slots=True)
class Fact:
    """One deviation report as the report calculations see it."""

    report_date: date
    category: str
    organisations: tuple[str, ...]
    """Labels of the involved organisations (in a national report: member kinds)."""
    status: Status
    closed_date: date | None = None


def organisation_pairs(organisations: Iterable[str]) -> list[tuple[str, str]]:
    """Each unordered pair of distinct organisations, each pair as a sorted tuple."""
    return list(combinations(sorted(set(organisations)), 2))


def count_by_category(facts: Iterable[Fact]) -> Counter:
    return Counter(f.category for f in facts)


def count_by_pair(facts: Iterable[Fact]) -> Counter:
    """How many reports involve each pair (a report with three organisations counts in three
    pairs; a report with one organisation in none)."""
    counts: Counter = Counter()
    for f in facts:
        counts.update(organisation_pairs(f.organisations))
    return counts


def count_by_period(facts: Iterable[Fact], period_type: PeriodType | str) -> Counter:
    return Counter(period_key(f.report_date, period_type) for f in facts)


def days_to_closure(fact: Fact) -> int | None:
    if fact.status is not Status.CLOSED or fact.closed_date is None:
        return None
    return (fact.closed_date - fact.report_date).days


@dataclass(frozen=True, slots=True)
class ClosureTimes:
    n: int
    median: float | None
    mean: float | None


def closure_times(facts: Iterable[Fact]) -> ClosureTimes:
    """Days from report date to closure over the closed reports: median and mean."""
    days = [d for d in (days_to_closure(f) for f in facts) if d is not None]
    if not days:
        return ClosureTimes(0, None, None)
    return ClosureTimes(len(days), float(statistics.median(days)), statistics.fmean(days))


TOTAL = "__total__"


@dataclass(frozen=True, slots=True)
class DeviationSummary:
    """Every count of the report page, protected (or not) as one table, so page, csv, xlsx and
    pdf show the same cells."""

    table: ProtectedTable
    categories: tuple[str, ...]
    periods: tuple[str, ...]
    pairs: tuple[tuple[str, str], ...]
    total: int
    open_count: int
    closure: ClosureTimes
    notes: tuple[str, ...] = field(default=())

    def render(self, key) -> str:
        return self.table.render(key, _fmt)

    def category_rows(self) -> list[tuple[str, str]]:
        return [(c, self.render(("category", c))) for c in self.categories]

    def period_rows(self) -> list[tuple[str, str]]:
        return [(p, self.render(("period", p))) for p in self.periods]

    def pair_rows(self) -> list[tuple[tuple[str, str], str]]:
        return [(p, self.render(("pair", p))) for p in self.pairs]


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


def summarise(
    facts: Sequence[Fact],
    *,
    categories: Sequence[str],
    period_type: PeriodType | str,
    start: date,
    end: date,
    protected: bool,
    rule: ProtectionRule | None = None,
) -> DeviationSummary:
    """Counts by category, period and organisation pair, open items and time to closure for the
    reports dated ``start``–``end``; small-cell protection applied when ``protected``.

    Category and period counts each add up to the total (a protection line each, so a hidden
    cell cannot be recovered by subtraction). Pair counts do not add up to anything (a report
    may count in several pairs), so they get primary protection. The closure mean and median are
    derived cells built on the number of closed reports.
    """
    in_range = [f for f in facts if start <= f.report_date <= end]
    known = list(categories)
    by_category = count_by_category(in_range)
    extra = sorted(c for c in by_category if c not in known)  # a code no longer in the list
    category_keys = tuple(known + extra)
    periods = tuple(periods_between(start, end, period_type))
    by_period = count_by_period(in_range, period_type)
    by_pair = count_by_pair(in_range)
    pairs = tuple(sorted(by_pair, key=lambda p: (-by_pair[p], p)))
    closure = closure_times(in_range)
    open_count = sum(1 for f in in_range if f.status is not Status.CLOSED)

    cells: dict = {("total",): Cell(len(in_range))}
    for c in category_keys:
        cells[("category", c)] = Cell(by_category.get(c, 0))
    for p in periods:
        cells[("period", p)] = Cell(by_period.get(p, 0))
    for p in pairs:
        cells[("pair", p)] = Cell(by_pair[p])
    cells[("open",)] = Cell(open_count)
    cells[("closed",)] = Cell(closure.n)
    cells[("closure", "median")] = Cell(
        closure.median, Kind.DERIVED, n=closure.n, refs=(("closed",),)
    )
    cells[("closure", "mean")] = Cell(closure.mean, Kind.DERIVED, n=closure.n, refs=(("closed",),))
    lines = (
        Line(("total",), tuple(("category", c) for c in category_keys)),
        Line(("total",), tuple(("period", p) for p in periods)),
        Line(("total",), (("open",), ("closed",))),
    )
    table = protect(Table(cells, lines), rule, protected=protected)
    return DeviationSummary(
        table=table,
        categories=category_keys,
        periods=periods,
        pairs=pairs,
        total=len(in_range),
        open_count=open_count,
        closure=closure,
        notes=((rule or ProtectionRule()).note(),) if protected else (),
    )
