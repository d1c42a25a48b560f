"""Target group and coverage (``socioeconomics.md`` §3, behovskartläggning).

estimate(area) = Σ_groups register count(area, group) × share in need(group)

per municipality, association (through a municipality → association mapping), county (the first
two digits of the municipality code) and country. Coverage = distinct participants in the year /
estimate. The default groups and shares are the national estimate 2016 (seed 004, appendix 4):
483 300 persons, 6.6 % of about 7.3 million of working age.

Register counts per group are summed as they are: a person in two registers (say, social assistance
and sick-listed) counts in both, as in the national estimate.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from finsam.domain.problems import Problem, raise_if_errors

from ._csvio import CsvSource, parse_number, read_rows

GROUPS: tuple[str, ...] = ("NEET", "FSS", "AF", "AKE", "SJK", "SJE_DELTID")
GROUP_LABELS: Mapping[str, str] = {
    "NEET": "Unga som varken arbetar eller studerar (NEET)",
    "FSS": "Vuxna med ekonomiskt bistånd",
    "AF": "Öppet arbetslösa och sökande i program med aktivitetsstöd",
    "AKE": "Personer med aktivitetsersättning",
    "SJK": "Sjukskrivna",
    "SJE_DELTID": "Personer med sjukersättning på deltid",
}
DEFAULT_SHARES: Mapping[str, float] = {
    "NEET": 1.0,
    "FSS": 0.8,
    "AF": 0.25,
    "AKE": 0.5,
    "SJK": 0.1,
    "SJE_DELTID": 0.5,
}
"""Share of each register group assumed to need coordinated rehabilitation (national 2016)."""
DEFAULT_SHARES_SOURCE = (
    "Nationell uppskattning av målgruppen för samordnad rehabilitering 2016 (bilaga 4)"
)
TOTAL = "TOTAL"
LEVELS = ("municipality", "association", "county", "country")
COUNTRY_CODE, COUNTRY_NAME = "SE", "Riket"

RULE_OF_THUMB_SHARE = 0.05
"""The preparatory work's rule of thumb: 5 % of the population 16–64 need coordinated support."""
NATIONAL_COVERAGE_2017 = (28_500, 280_000)
"""About 28 500 participants of about 280 000 in need in 2017 (roughly 10 %)."""
NATIONAL_FULL_YEAR_EQUIVALENT_SHARE_2021 = 0.133
"""Full-year equivalents on benefits as a share of the population 20–64, 2021."""

NEEDS_COLUMNS = ("level", "area_code", "area_name", "group", "count", "share", "estimate")
COVERAGE_COLUMNS = ("participants", "coverage")

_MUNICIPALITY = re.compile(r"\d{4}")


@dataclass(frozen=True, slots=True)
class RegisterCount:
    municipality_code: str
    group: str
    count: float


@dataclass(frozen=True, slots=True)
class Participant:
    """One participant in the year (a pseudonymous key; never an identity number in clear)."""

    person_key: str
    municipality_code: str
    association_code: str = ""


@dataclass(frozen=True, slots=True)
class NeedsRow:
    level: str
    area_code: str
    area_name: str
    group: str
    count: float
    share: float | None
    """The group's share in need; ``None`` on TOTAL lines."""
    estimate: float
    participants: int | None = None
    coverage: float | None = None


@dataclass(frozen=True, slots=True)
class NeedsIndicators:
    support_measure_per_inhabitant: float | None
    budget_per_inhabitant: float | None
    full_year_equivalent_share: float | None
    target_group_share: float | None
    rule_of_thumb_estimate: float


# --- shares and counts --------------------------------------------------------------------------


def validate_shares(shares: Mapping[str, float]) -> list[Problem]:
    problems = []
    for group, share in shares.items():
        if group not in GROUPS:
            problems.append(
                Problem(
                    "group",
                    "needs.unknown_group",
                    f"Okänd grupp '{group}' i andelsfilen; tillåtna är {', '.join(GROUPS)}.",
                    group,
                )
            )
        if not 0 <= share <= 1:
            problems.append(
                Problem(
                    "share",
                    "needs.share_range",
                    f"Andelen i behov för {group} måste vara mellan 0 och 1 (nu {share:g}).",
                    share,
                )
            )
    return problems


def read_shares(source: CsvSource) -> dict[str, float]:
    """Read a ``group, share`` file; groups not in the file keep their default share."""
    raw, problems = read_rows(
        source, required=("group", "share"), optional=(), file_label="andelsfilen"
    )
    raise_if_errors(problems)
    shares: dict[str, float] = {}
    for number, values in raw:
        group = values.get("group", "").upper()
        share = parse_number(
            values.get("share", ""),
            field="share",
            row=number,
            label="Andelen i kolumnen share",
            problems=problems,
        )
        if group in shares:
            problems.append(
                Problem(
                    "group",
                    "needs.duplicate_group",
                    f"Gruppen {group} förekommer flera gånger i andelsfilen (rad {number}).",
                    group,
                    number,
                )
            )
        if share is not None:
            problems += [
                Problem(p.field, p.rule, f"{p.message} (rad {number})", p.value, number)
                for p in validate_shares({group: share})
            ]
            shares[group] = share
    raise_if_errors(problems)
    return {**DEFAULT_SHARES, **shares}


def validate_counts(
    counts: Iterable[RegisterCount],
    known_municipalities: Iterable[str] | None = None,
    *,
    lines: Sequence[int] | None = None,
) -> list[Problem]:
    """Every problem of the counts, rows numbered by ``lines`` (a file's lines as a spreadsheet
    shows them) or from 1."""
    known = set(known_municipalities) if known_municipalities is not None else None
    problems: list[Problem] = []
    seen: dict[tuple[str, str], int] = {}
    counts = list(counts)
    numbers = list(lines) if lines is not None else range(1, len(counts) + 1)
    for number, c in zip(numbers, counts, strict=True):
        if not _MUNICIPALITY.fullmatch(c.municipality_code) or (
            known is not None and c.municipality_code not in known
        ):
            problems.append(
                Problem(
                    "municipality_code",
                    "needs.municipality",
                    f"Okänd kommunkod '{c.municipality_code}' i kolumnen municipality_code "
                    f"(rad {number}); ange kommunens fyrsiffriga kod.",
                    c.municipality_code,
                    number,
                )
            )
        if c.group not in GROUPS:
            problems.append(
                Problem(
                    "group",
                    "needs.unknown_group",
                    f"Okänd grupp '{c.group}' i kolumnen group (rad {number}); tillåtna är "
                    f"{', '.join(GROUPS)}.",
                    c.group,
                    number,
                )
            )
        if c.count < 0:
            problems.append(
                Problem(
                    "count",
                    "needs.negative_count",
                    f"Antalet i kolumnen count får inte vara negativt (rad {number}: {c.count:g}).",
                    c.count,
                    number,
                )
            )
        key = (c.municipality_code, c.group)
        if key in seen:
            problems.append(
                Problem(
                    "group",
                    "needs.duplicate",
                    f"Kommun {c.municipality_code} och grupp {c.group} förekommer två gånger "
                    f"(rad {seen[key]} och rad {number}).",
                    f"{c.municipality_code}/{c.group}",
                    number,
                )
            )
        else:
            seen[key] = number
    return problems


def read_needs_input(
    source: CsvSource, known_municipalities: Iterable[str] | None = None
) -> list[RegisterCount]:
    """Read ``needs_input.csv`` (``municipality_code, group, count``); all-or-nothing."""
    raw, problems = read_rows(
        source,
        required=("municipality_code", "group", "count"),
        optional=(),
        file_label="filen med registerantal",
    )
    raise_if_errors(problems)
    counts = []
    for number, values in raw:
        count = parse_number(
            values.get("count", ""),
            field="count",
            row=number,
            label="Antalet i kolumnen count",
            problems=problems,
        )
        counts.append(
            RegisterCount(
                values.get("municipality_code", ""),
                values.get("group", "").upper(),
                count if count is not None else 0.0,
            )
        )
    problems += validate_counts(counts, known_municipalities, lines=[n for n, _v in raw])
    raise_if_errors(problems)
    return counts


# --- estimates ----------------------------------------------------------------------------------


def target_group_estimate(
    counts: Mapping[str, float], shares: Mapping[str, float] | None = None
) -> dict[str, float]:
    """Estimate per group (count × share) for one area; ``TOTAL`` holds the sum."""
    shares = {**DEFAULT_SHARES, **(shares or {})}
    raise_if_errors(
        validate_shares(shares)
        + validate_counts(RegisterCount("0000", g, c) for g, c in counts.items())
    )
    estimates = {g: counts[g] * shares[g] for g in GROUPS if g in counts}
    estimates[TOTAL] = sum(estimates.values())
    return estimates


def rule_of_thumb_estimate(population_16_64: float) -> float:
    return RULE_OF_THUMB_SHARE * population_16_64


def estimate_needs(
    counts: Iterable[RegisterCount],
    shares: Mapping[str, float] | None = None,
    *,
    municipality_to_association: Mapping[str, str] | None = None,
    municipality_names: Mapping[str, str] | None = None,
    association_names: Mapping[str, str] | None = None,
    county_names: Mapping[str, str] | None = None,
    participants: Iterable[Participant] | None = None,
    levels: Iterable[str] = LEVELS,
) -> list[NeedsRow]:
    """Estimate rows per area and group with a TOTAL line per area (and coverage if given).

    Raises ``DomainValidationError`` (no rows) on bad counts or shares.
    """
    counts = list(counts)
    shares = {**DEFAULT_SHARES, **(shares or {})}
    raise_if_errors(validate_shares(shares) + validate_counts(counts))
    mapping = municipality_to_association or {}
    names = {
        "municipality": municipality_names or {},
        "association": association_names or {},
        "county": county_names or {},
        "country": {COUNTRY_CODE: COUNTRY_NAME},
    }

    def areas_of(municipality: str, association: str = "") -> dict[str, str | None]:
        return {
            "municipality": municipality,
            "association": association or mapping.get(municipality),
            "county": municipality[:2],
            "country": COUNTRY_CODE,
        }

    sums: dict[tuple[str, str], dict[str, float]] = {}
    for c in counts:
        for level, area in areas_of(c.municipality_code).items():
            if area is not None:
                bucket = sums.setdefault((level, area), {})
                bucket[c.group] = bucket.get(c.group, 0.0) + c.count
    people: dict[tuple[str, str], set[str]] | None = None
    if participants is not None:
        people = {}
        for p in participants:
            for level, area in areas_of(p.municipality_code, p.association_code).items():
                if area is not None:
                    people.setdefault((level, area), set()).add(p.person_key)

    rows: list[NeedsRow] = []
    for level in levels:
        for (lvl, area), by_group in sorted(sums.items()):
            if lvl != level:
                continue
            name = names[level].get(area, "")
            estimates = {g: by_group[g] * shares[g] for g in GROUPS if g in by_group}
            for group, estimate in estimates.items():
                rows.append(
                    NeedsRow(level, area, name, group, by_group[group], shares[group], estimate)
                )
            total = sum(estimates.values())
            reached = None if people is None else len(people.get((level, area), ()))
            rows.append(
                NeedsRow(
                    level,
                    area,
                    name,
                    TOTAL,
                    sum(by_group.values()),
                    None,
                    total,
                    reached,
                    None if reached is None or total == 0 else reached / total,
                )
            )
    return rows


def needs_indicators(
    population_16_64: float,
    *,
    support_measure_sek: float | None = None,
    budget_sek: float | None = None,
    full_year_equivalents: float | None = None,
    population_20_64: float | None = None,
    estimate: float | None = None,
) -> NeedsIndicators:
    """Needs indicators for an area, each ``None`` when its data are not loaded."""

    def per(value: float | None, population: float | None) -> float | None:
        return None if value is None or not population else value / population

    return NeedsIndicators(
        support_measure_per_inhabitant=per(support_measure_sek, population_16_64),
        budget_per_inhabitant=per(budget_sek, population_16_64),
        full_year_equivalent_share=per(full_year_equivalents, population_20_64),
        target_group_share=per(estimate, population_16_64),
        rule_of_thumb_estimate=rule_of_thumb_estimate(population_16_64),
    )


def _fmt(value: float | None, decimals: int = 2) -> str:
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.{decimals}f}".rstrip("0").rstrip(".")


def needs_csv_rows(rows: Iterable[NeedsRow]) -> list[dict[str, str]]:
    """Rows in the needs layout of ``interchange.md``; coverage columns only with participants."""
    rows = list(rows)
    with_coverage = any(r.participants is not None for r in rows)
    out = []
    for r in rows:
        line = {
            "level": r.level,
            "area_code": r.area_code,
            "area_name": r.area_name,
            "group": r.group,
            "count": _fmt(r.count),
            "share": _fmt(r.share, 4),
            "estimate": _fmt(r.estimate),
        }
        if with_coverage:
            line["participants"] = "" if r.participants is None else str(r.participants)
            line["coverage"] = _fmt(r.coverage, 4)
        out.append(line)
    return out
