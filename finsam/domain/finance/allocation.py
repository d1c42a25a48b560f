"""The national state-allocation model (``spec/finance.md`` §3) as a pure function.

:func:`allocate` takes a list of :class:`AllocationRow` (one per association, the columns of
``allocation_input.csv``) and :class:`AllocationParameters` and returns an :class:`AllocationResult`
with every step per association, in the "Allocation CSV layout" of ``spec/interchange.md``:

1. base: ``R = F − |J| × B``;
2. keys: ``key_j = w_FM × FM_j / ΣFM + w_P × P_j / ΣP``; ``model_j = B + R × key_j`` (Σ = F);
3. equity check (**policy** ``equity_policy``: ``half`` default, ``full``, ``none``);
4. floor (**policy** ``floor_share``: 0.9 default, ``None`` = off);
5. take-up: at most the requested amount, and at most what the members match
   (``2 × min(region, municipalities)`` when their contributions are known);
6. redistribution (**policy** ``redistribution``: on by default) of the money not allocated;
7. frame check: never more than ``F`` in total.

Decisions where the spec is silent are documented in ``docs/finance.md``. Reading and writing files
(CSV, xlsx, JSON) is in this module too, so a command and a web page share one validated path: bad
input raises :class:`DomainValidationError` before any output file is opened.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Literal

from finsam.domain import formatting, safe_cells, tabular
from finsam.domain.finance._money import (
    ORE_PER_SEK,
    format_sek,
    round_sek,
    split_amount,
)
from finsam.domain.finance.equity import (
    DEFAULT_EQUITY_RECOMMENDATION,
    EquityRecommendation,
    assess_equity,
)
from finsam.domain.problems import DomainValidationError, Problem, raise_if_errors

EquityPolicy = Literal["half", "full", "none"]
EQUITY_POLICY_FACTORS: Mapping[str, float] = {"half": 0.5, "full": 1.0, "none": 0.0}
"""Share of the equity above the recommendation that is deducted from the allocation."""

DEFAULT_BASE_GRANT = 400_000.0
DEFAULT_WEIGHT_SUPPORT = 0.75
DEFAULT_WEIGHT_POPULATION = 0.25
DEFAULT_FLOOR_SHARE = 0.9

FRAMES: tuple[tuple[int, float], ...] = ((2012, 280_000_000.0), (2016, 339_000_000.0))
"""The state frame ``F`` by first year it applies (finance.md §3)."""

FLOOR_DECISIONS: Mapping[int, float] = {2016: 0.9, 2017: 0.9}
"""Years in which a floor was decided, with its share of last year's allocation (policy data)."""

MODEL_FIRST_YEAR = 2016
"""The model was decided in January 2015 and used from 2016."""

AMOUNT_TOLERANCE = 0.005
"""Half an öre: amounts closer than this are equal."""


def default_frame(year: int) -> float | None:
    """The state frame in force for ``year`` according to :data:`FRAMES` (``None`` before 2012)."""
    valid = [amount for first, amount in FRAMES if first <= year]
    return valid[-1] if valid else None


# --- input -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AllocationRow:
    """One association's input (one line of ``allocation_input.csv``)."""

    association_code: str
    name: str
    support_measure_sek: float
    population_16_64: float
    previous_allocation: float = 0.0
    equity: float = 0.0
    revenue: float = 0.0
    requested: float | None = None
    """The state amount the members are willing to match; ``None`` = takes everything offered."""
    region_contribution: float | None = None
    """Optional (not a column of ``allocation_input.csv``): the regions' budgeted contribution.
    With ``municipal_contribution`` it caps take-up at ``2 × min(region, municipalities)``."""
    municipal_contribution: float | None = None

    @property
    def take_up_cap(self) -> float:
        """The most this association takes: the request and the members' matching (∞ if none)."""
        cap = math.inf if self.requested is None else self.requested
        if self.region_contribution is not None and self.municipal_contribution is not None:
            cap = min(cap, 2 * min(self.region_contribution, self.municipal_contribution))
        return cap


@dataclass(frozen=True, slots=True)
class AllocationParameters:
    frame: float
    base_grant: float = DEFAULT_BASE_GRANT
    weight_support: float = DEFAULT_WEIGHT_SUPPORT
    weight_population: float = DEFAULT_WEIGHT_POPULATION
    floor_share: float | None = DEFAULT_FLOOR_SHARE
    """Allocation at least this share of last year's (policy); ``None`` switches the floor off."""
    equity_policy: EquityPolicy = "half"
    redistribution: bool = True
    year: int | None = None
    equity_recommendation: EquityRecommendation = DEFAULT_EQUITY_RECOMMENDATION

    @classmethod
    def for_year(cls, year: int, frame: float | None = None, **overrides) -> AllocationParameters:
        """Parameters with the year's decided frame and floor (:data:`FRAMES`,
        :data:`FLOOR_DECISIONS`: no floor in years without a decision)."""
        chosen = frame if frame is not None else default_frame(year)
        if chosen is None:
            raise DomainValidationError(
                [
                    Problem(
                        "frame",
                        "allocation.frame_missing",
                        f"Det finns ingen känd statlig ram för {year}; ange ramen.",
                        year,
                    )
                ]
            )
        overrides.setdefault("floor_share", FLOOR_DECISIONS.get(year))
        return cls(frame=chosen, year=year, **overrides)

    def validate(self, n_associations: int | None = None) -> list[Problem]:
        problems: list[Problem] = []
        if not self.frame > 0:
            problems.append(
                Problem(
                    "frame",
                    "allocation.frame_positive",
                    f"Den statliga ramen måste vara större än 0 (nu {self.frame:g}).",
                    self.frame,
                )
            )
        if self.base_grant < 0:
            problems.append(
                Problem(
                    "base_grant",
                    "amount.negative",
                    f"Grundbidraget får inte vara negativt (nu {self.base_grant:g}).",
                    self.base_grant,
                )
            )
        weights = (self.weight_support, self.weight_population)
        if any(w < 0 for w in weights) or abs(sum(weights) - 1) > 1e-9:
            problems.append(
                Problem(
                    "weights",
                    "allocation.weights_sum",
                    "Vikterna för försörjningsmått och befolkning måste vara minst 0 och summera "
                    f"till 100 % (nu {self.weight_support * 100:g} % + "
                    f"{self.weight_population * 100:g} %).",
                    weights,
                )
            )
        if self.floor_share is not None and not 0 <= self.floor_share <= 1:
            problems.append(
                Problem(
                    "floor_share",
                    "allocation.floor_range",
                    "Golvet måste vara en andel mellan 0 och 100 % av fjolårets tilldelning "
                    f"(nu {self.floor_share * 100:g} %).",
                    self.floor_share,
                )
            )
        if self.equity_policy not in EQUITY_POLICY_FACTORS:
            problems.append(
                Problem(
                    "equity_policy",
                    "allocation.equity_policy",
                    f"Okänd policy för eget kapital: {self.equity_policy!r} "
                    "(tillåtna: half, full, none).",
                    self.equity_policy,
                )
            )
        if (
            n_associations is not None
            and self.frame > 0
            and n_associations * self.base_grant > self.frame
        ):
            problems.append(
                Problem(
                    "base_grant",
                    "allocation.frame_too_small",
                    f"Ramen ({format_sek(self.frame)} kr) räcker inte till grundbidraget för "
                    f"{n_associations} förbund "
                    f"({format_sek(n_associations * self.base_grant)} kr).",
                    self.frame,
                )
            )
        return problems


def validate_rows(
    rows: Sequence[AllocationRow], lines: Sequence[int] | None = None
) -> list[Problem]:
    """Every problem of the input rows (Swedish messages). Rows are numbered by ``lines`` (the
    lines of a file as a spreadsheet shows them, header = line 1), else from 1."""
    problems: list[Problem] = []
    if not rows:
        return [
            Problem("", "allocation.no_rows", "Indata innehåller inga förbund att fördela till.")
        ]
    seen: dict[str, int] = {}
    numbers = list(lines) if lines is not None else range(1, len(rows) + 1)
    for i, r in zip(numbers, rows, strict=True):
        code = (r.association_code or "").strip()
        if not code:
            problems.append(
                Problem(
                    "association_code",
                    "allocation.code_missing",
                    f"Rad {i}: förbundskod (association_code) saknas.",
                    None,
                    row=i,
                )
            )
        elif code in seen:
            problems.append(
                Problem(
                    "association_code",
                    "allocation.duplicate",
                    f"Rad {i}: förbundet {code} förekommer redan på rad {seen[code]}.",
                    code,
                    row=i,
                )
            )
        else:
            seen[code] = i
        for name in (
            "support_measure_sek",
            "population_16_64",
            "previous_allocation",
            "revenue",
            "requested",
            "region_contribution",
            "municipal_contribution",
        ):
            value = getattr(r, name)
            if value is None:
                continue
            if isinstance(value, float) and not math.isfinite(value):
                problems.append(
                    Problem(
                        name,
                        "allocation.not_finite",
                        f"Rad {i} ({code}): {name} måste vara ett ändligt tal.",
                        value,
                        row=i,
                    )
                )
            elif value < 0:
                problems.append(
                    Problem(
                        name,
                        "amount.negative",
                        f"Rad {i} ({code}): {name} får inte vara negativt (nu {value:g}).",
                        value,
                        row=i,
                    )
                )
        if isinstance(r.equity, float) and not math.isfinite(r.equity):
            problems.append(
                Problem(
                    "equity",
                    "allocation.not_finite",
                    f"Rad {i} ({code}): equity måste vara ett ändligt tal.",
                    r.equity,
                    row=i,
                )
            )
    return problems


# --- result ------------------------------------------------------------------------------------

LAYOUT_COLUMNS: tuple[str, ...] = (
    "association_code",
    "name",
    "key",
    "model",
    "after_equity",
    "after_floor",
    "after_take_up",
    "allocation",
    "over_equity_recommendation",
    "per_inhabitant_16_64",
    "change_from_previous",
)
"""The "Allocation CSV layout" of ``spec/interchange.md`` (stable; tools depend on it)."""


@dataclass(frozen=True, slots=True)
class AllocationResultRow:
    association_code: str
    name: str
    key: float
    model: float
    after_equity: float
    after_floor: float
    after_take_up: float
    allocation: float
    over_equity_recommendation: bool
    per_inhabitant_16_64: float | None
    change_from_previous: float
    # details beyond the layout
    previous_allocation: float = 0.0
    requested: float | None = None
    take_up_cap: float | None = None
    """The most the association takes (request and members' matching); ``None`` = no limit."""
    recommended_max_equity: float = 0.0
    equity_excess: float = 0.0
    floor: float | None = None
    """The floor amount when the association is protected by the floor, else ``None``."""
    region_match: float = 0.0
    """The regions' matching (half the allocation, split to the öre)."""
    municipal_match: float = 0.0
    """The municipalities' matching (the other half)."""

    def layout(self) -> dict[str, object]:
        """The row as the layout columns, values as Python numbers/strings."""
        return {
            "association_code": self.association_code,
            "name": self.name,
            "key": self.key,
            "model": self.model,
            "after_equity": self.after_equity,
            "after_floor": self.after_floor,
            "after_take_up": self.after_take_up,
            "allocation": self.allocation,
            "over_equity_recommendation": int(self.over_equity_recommendation),
            "per_inhabitant_16_64": self.per_inhabitant_16_64,
            "change_from_previous": self.change_from_previous,
        }


@dataclass(frozen=True, slots=True)
class AllocationResult:
    parameters: AllocationParameters
    rows: tuple[AllocationResultRow, ...]
    """One row per association, ordered by association code."""
    remaining_base: float
    """``R = F − |J| × B``."""
    warnings: tuple[Problem, ...] = field(default_factory=tuple)

    @property
    def total_allocation(self) -> float:
        return round_sek(math.fsum(r.allocation for r in self.rows))

    @property
    def unallocated(self) -> float:
        """What is left of the frame (money not taken up and not redistributed)."""
        return round_sek(self.parameters.frame - self.total_allocation)

    def row(self, association_code: str) -> AllocationResultRow:
        for r in self.rows:
            if r.association_code == association_code:
                return r
        raise KeyError(association_code)

    def by_code(self) -> dict[str, AllocationResultRow]:
        return {r.association_code: r for r in self.rows}


# --- the model ---------------------------------------------------------------------------------


def allocate(rows: Sequence[AllocationRow], parameters: AllocationParameters) -> AllocationResult:
    """Run the state-allocation model. Raises :class:`DomainValidationError` on bad input."""
    problems = validate_rows(rows) + parameters.validate(len(rows))
    raise_if_errors(problems)
    p = parameters
    rows = sorted(rows, key=lambda r: r.association_code.strip())
    n = len(rows)
    frame = p.frame

    # 1. base
    remaining = frame - n * p.base_grant

    # 2. keys
    sum_fm = math.fsum(r.support_measure_sek for r in rows)
    sum_pop = math.fsum(r.population_16_64 for r in rows)
    key_problems = []
    if p.weight_support > 0 and sum_fm <= 0:
        key_problems.append(
            Problem(
                "support_measure_sek",
                "allocation.zero_support_measure",
                "Summan av försörjningsmåttet är 0; nyckeln kan inte beräknas.",
                0,
            )
        )
    if p.weight_population > 0 and sum_pop <= 0:
        key_problems.append(
            Problem(
                "population_16_64",
                "allocation.zero_population",
                "Summan av befolkningen 16–64 år är 0; nyckeln kan inte beräknas.",
                0,
            )
        )
    raise_if_errors(key_problems)
    keys = [
        (p.weight_support * r.support_measure_sek / sum_fm if p.weight_support > 0 else 0.0)
        + (p.weight_population * r.population_16_64 / sum_pop if p.weight_population > 0 else 0.0)
        for r in rows
    ]
    model = [p.base_grant + remaining * k for k in keys]

    # 3. equity check
    factor = EQUITY_POLICY_FACTORS[p.equity_policy]
    assessments = [assess_equity(r.equity, r.revenue, p.equity_recommendation) for r in rows]
    over = [a.over_recommendation for a in assessments]
    after_equity = [
        max(0.0, m - factor * a.excess) for m, a in zip(model, assessments, strict=True)
    ]

    # 4. floor
    warnings: list[Problem] = []
    floors: list[float | None] = [None] * n
    if p.floor_share is not None:
        for j, r in enumerate(rows):
            loses_protection = over[j] and p.equity_policy != "none"
            if r.previous_allocation > 0 and not loses_protection:
                floors[j] = p.floor_share * r.previous_allocation
        after_floor, feasible = _apply_floor(after_equity, floors)
        if not feasible:
            warnings.append(
                Problem(
                    "floor_share",
                    "allocation.floor_infeasible",
                    "Golvet kan inte uppfyllas för alla förbund inom ramen; de som ligger under "
                    "golvet har höjts så långt pengarna räcker.",
                    p.floor_share,
                    warning=True,
                )
            )
    else:
        after_floor = list(after_equity)

    # 5. take-up
    caps = [r.take_up_cap for r in rows]
    after_take_up = [min(a, c) for a, c in zip(after_floor, caps, strict=True)]

    # 6. redistribution
    current = list(after_take_up)
    if p.redistribution:
        eligible = [not (over[j] and p.equity_policy != "none") for j in range(n)]
        current = _redistribute(current, caps, keys, eligible, frame)

    # 7. frame check
    total = math.fsum(current)
    if total > frame:
        current = [c * frame / total for c in current]
    allocation = _round_within(current, frame, caps)

    result_rows = []
    for j, r in enumerate(rows):
        alloc = allocation[j]
        region, municipal = split_amount(alloc, [1, 1]) if alloc > 0 else (0.0, 0.0)
        result_rows.append(
            AllocationResultRow(
                association_code=r.association_code.strip(),
                name=r.name,
                key=keys[j],
                model=round_sek(model[j]),
                after_equity=round_sek(after_equity[j]),
                after_floor=round_sek(after_floor[j]),
                after_take_up=round_sek(after_take_up[j]),
                allocation=alloc,
                over_equity_recommendation=over[j],
                per_inhabitant_16_64=(
                    round_sek(alloc / r.population_16_64) if r.population_16_64 > 0 else None
                ),
                change_from_previous=round_sek(alloc - r.previous_allocation),
                previous_allocation=r.previous_allocation,
                requested=r.requested,
                take_up_cap=caps[j] if math.isfinite(caps[j]) else None,
                recommended_max_equity=round_sek(assessments[j].recommended_max),
                equity_excess=round_sek(assessments[j].excess),
                floor=None if (floor := floors[j]) is None else round_sek(floor),
                region_match=region,
                municipal_match=municipal,
            )
        )
    return AllocationResult(p, tuple(result_rows), round_sek(remaining), tuple(warnings))


def _apply_floor(amounts: list[float], floors: list[float | None]) -> tuple[list[float], bool]:
    """Raise amounts below their floor to it, taking the cost from the others pro rata to their
    amount above their own floor (0 for those without floor protection). Σ is unchanged.

    Taking ``t × (a − f)`` from each other association leaves it at ``f + (1 − t)(a − f) ≥ f``, so
    no one is pushed below its own floor and one pass suffices. When the others cannot pay for all
    floors (``t`` would exceed 1), the others go down to their floors and the floored associations
    share what there is pro rata to their shortfall; the second value is then ``False``.
    """
    own_floor = [f or 0.0 for f in floors]
    below = [j for j, f in enumerate(floors) if f is not None and amounts[j] < f]
    if not below:
        return list(amounts), True
    need = math.fsum(own_floor[j] - amounts[j] for j in below)
    below_set = set(below)
    others = [j for j in range(len(amounts)) if j not in below_set]
    capacity = math.fsum(amounts[j] - own_floor[j] for j in others)
    out = list(amounts)
    if need <= capacity:
        t = need / capacity
        for j in others:
            out[j] = amounts[j] - t * (amounts[j] - own_floor[j])
        for j in below:
            out[j] = own_floor[j]
        return out, True
    fill = capacity / need if need > 0 else 0.0
    for j in others:
        out[j] = own_floor[j]
    for j in below:
        out[j] = amounts[j] + (own_floor[j] - amounts[j]) * fill
    return out, False


def _redistribute(
    current: list[float],
    caps: list[float],
    keys: list[float],
    eligible: list[bool],
    frame: float,
) -> list[float]:
    """Offer the money not allocated to associations that want more, pro rata to their key, round
    after round until nothing is left or nobody wants more. Equal shares if all keys are 0."""
    out = list(current)
    for _ in range(len(out) + 1):
        pool = frame - math.fsum(out)
        if pool <= AMOUNT_TOLERANCE:
            break
        wanting = [
            j for j in range(len(out)) if eligible[j] and caps[j] - out[j] > AMOUNT_TOLERANCE
        ]
        if not wanting:
            break
        weight_sum = math.fsum(keys[j] for j in wanting)
        weights = {j: (keys[j] if weight_sum > 0 else 1.0) for j in wanting}
        total_weight = math.fsum(weights.values())
        for j in wanting:
            out[j] = min(caps[j], out[j] + pool * weights[j] / total_weight)
    return out


def _round_within(amounts: list[float], frame: float, caps: list[float]) -> list[float]:
    """Round to whole öre so that the total is the exact total rounded to öre (largest remainders
    get the öre), but never above the frame, never above ``caps`` and never below 0."""
    exact = [max(0.0, a) * ORE_PER_SEK for a in amounts]
    ore = [math.floor(x + 1e-6) for x in exact]
    cap_ore = [math.floor(c * ORE_PER_SEK + 1e-6) if math.isfinite(c) else None for c in caps]
    ore = [o if c is None else min(o, c) for o, c in zip(ore, cap_ore, strict=True)]
    frame_ore = math.floor(frame * ORE_PER_SEK + 1e-6)
    left = min(frame_ore, round(math.fsum(exact))) - sum(ore)
    order = sorted(range(len(ore)), key=lambda i: (-(exact[i] - ore[i]), i))
    for j in order:
        if left <= 0:
            break
        if exact[j] - ore[j] > 0 and ((cap := cap_ore[j]) is None or ore[j] + 1 <= cap):
            ore[j] += 1
            left -= 1
    while left < 0:
        j = max(range(len(ore)), key=lambda i: (ore[i], -i))
        ore[j] -= 1
        left += 1
    return [o / ORE_PER_SEK for o in ore]


# --- scenarios ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScenarioDelta:
    association_code: str
    name: str
    allocation_a: float
    allocation_b: float
    difference: float
    per_inhabitant_a: float | None
    per_inhabitant_b: float | None


@dataclass(frozen=True, slots=True)
class ScenarioComparison:
    a: AllocationResult
    b: AllocationResult
    rows: tuple[ScenarioDelta, ...]

    @property
    def total_difference(self) -> float:
        return round_sek(self.b.total_allocation - self.a.total_allocation)


def compare_scenarios(
    rows: Sequence[AllocationRow], a: AllocationParameters, b: AllocationParameters
) -> ScenarioComparison:
    """Run two parameter sets over the same input and put them side by side (b − a)."""
    ra, rb = allocate(rows, a), allocate(rows, b)
    bb = rb.by_code()
    deltas = tuple(
        ScenarioDelta(
            x.association_code,
            x.name,
            x.allocation,
            bb[x.association_code].allocation,
            round_sek(bb[x.association_code].allocation - x.allocation),
            x.per_inhabitant_16_64,
            bb[x.association_code].per_inhabitant_16_64,
        )
        for x in ra.rows
    )
    return ScenarioComparison(ra, rb, deltas)


# --- reading allocation_input.csv (or xlsx) ---------------------------------------------------

INPUT_COLUMNS: tuple[str, ...] = (
    "association_code",
    "name",
    "support_measure_sek",
    "population_16_64",
    "previous_allocation",
    "equity",
    "revenue",
    "requested",
)
REQUIRED_INPUT_COLUMNS = frozenset(
    {"association_code", "name", "support_measure_sek", "population_16_64"}
)
_REQUIRED_VALUES = frozenset({"association_code", "support_measure_sek", "population_16_64"})
_NUMBER_COLUMNS = INPUT_COLUMNS[2:]


def read_allocation_input(
    source: str | os.PathLike | bytes | IO,
    expected_codes: Iterable[str] | None = None,
) -> list[AllocationRow]:
    """Read and validate ``allocation_input.csv`` (UTF-8, BOM accepted, ``,`` or ``;``) or xlsx.

    ``source``: a path, the file's bytes, or an open file. ``expected_codes``: the associations
    that must be in the file (e.g. all active ones in the registry); any missing is an error. All
    problems are collected and raised together (all-or-nothing), rows numbered as a spreadsheet
    shows them (header = line 1).
    """
    header, records = _read_table(source)
    normalised = [h.strip().lower() for h in header]
    problems: list[Problem] = tabular.check_header(header, INPUT_COLUMNS, REQUIRED_INPUT_COLUMNS)
    raise_if_errors(problems)

    rows: list[AllocationRow] = []
    lines: list[int] = []
    for i, record in enumerate(records, start=tabular.FIRST_DATA_LINE):
        if all(not (v or "").strip() for v in record):
            continue
        if len(record) > len(normalised):
            problems.append(
                Problem(
                    "",
                    "file.extra_values",
                    f"Rad {i} har fler värden ({len(record)}) än rubrikraden ({len(normalised)}).",
                    None,
                    row=i,
                )
            )
            continue
        values = dict(zip(normalised, ((v or "").strip() for v in record), strict=False))
        code = values.get("association_code", "")
        parsed: dict[str, float | None] = {}
        for col in _NUMBER_COLUMNS:
            text = values.get(col, "")
            if not text:
                if col in _REQUIRED_VALUES:
                    problems.append(
                        Problem(
                            col,
                            "file.value_missing",
                            f"Rad {i} ({code or 'utan kod'}): {col} saknas.",
                            None,
                            row=i,
                        )
                    )
                parsed[col] = None
                continue
            try:
                number = float(text)
                if not math.isfinite(number):
                    raise ValueError
            except ValueError:
                problems.append(
                    Problem(
                        col,
                        "file.not_a_number",
                        f"Rad {i} ({code or 'utan kod'}): {col} = {text!r} är inget tal "
                        "(använd decimalpunkt och inga tusentalsavgränsare).",
                        text,
                        row=i,
                    )
                )
                parsed[col] = None
                continue
            parsed[col] = number
        lines.append(i)
        rows.append(
            AllocationRow(
                association_code=code,
                name=values.get("name", "") or code,
                support_measure_sek=parsed["support_measure_sek"] or 0.0,
                population_16_64=parsed["population_16_64"] or 0.0,
                previous_allocation=parsed.get("previous_allocation") or 0.0,
                equity=parsed.get("equity") or 0.0,
                revenue=parsed.get("revenue") or 0.0,
                requested=parsed.get("requested"),
            )
        )
    problems += validate_rows(rows, lines)
    if expected_codes is not None:
        present = {r.association_code.strip() for r in rows}
        for code in sorted(set(expected_codes) - present):
            problems.append(
                Problem(
                    "association_code",
                    "allocation.association_missing",
                    f"Förbundet {code} saknas i filen; alla förbund måste vara med.",
                    code,
                )
            )
    raise_if_errors(problems)
    return rows


def _read_table(source) -> tuple[list[str], list[list[str]]]:
    header, records, problems = tabular.read_table(source)
    raise_if_errors(problems)
    return header, records


# --- writing -----------------------------------------------------------------------------------

OUTPUT_FORMATS = ("csv", "json", "xlsx")


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def write_allocation_csv(result: AllocationResult, out: IO[str]) -> None:
    """The "Allocation CSV layout": one line per association, amounts with two decimals."""
    writer = safe_cells.writer(out, lineterminator="\n")
    writer.writerow(LAYOUT_COLUMNS)
    for row in result.rows:
        values = row.layout()
        writer.writerow(
            [
                repr(values["key"]) if col == "key" else _csv_value(values[col])
                for col in LAYOUT_COLUMNS
            ]
        )


def allocation_json(result: AllocationResult) -> dict[str, object]:
    params = asdict(result.parameters)
    params["equity_recommendation"] = {
        "mode": result.parameters.equity_recommendation.mode,
        "steps": [
            {"up_to": s.up_to, "share": s.share}
            for s in result.parameters.equity_recommendation.steps
        ],
    }
    return {
        "parameters": params,
        "remaining_base": result.remaining_base,
        "total_allocation": round_sek(result.total_allocation),
        "unallocated": result.unallocated,
        "rows": [row.layout() for row in result.rows],
        "warnings": [p.message for p in result.warnings],
    }


def write_allocation_json(result: AllocationResult, out: IO[str]) -> None:
    json.dump(allocation_json(result), out, ensure_ascii=False, indent=2)
    out.write("\n")


PARAMETER_LABELS = {
    "frame": "Statlig ram (kr)",
    "base_grant": "Grundbidrag per förbund (kr)",
    "weight_support": "Vikt försörjningsmått",
    "weight_population": "Vikt befolkning 16–64 år",
    "floor_share": "Golv (andel av fjolårets tilldelning)",
    "equity_policy": "Policy för eget kapital",
    "redistribution": "Omfördelning av ej utnyttjade medel",
    "year": "År",
}


def write_allocation_xlsx(result: AllocationResult, out: str | os.PathLike | IO[bytes]) -> None:
    """xlsx with the layout columns on the first sheet and the parameters on a second sheet."""
    target = os.fspath(out) if isinstance(out, (str, os.PathLike)) else out
    workbook = safe_cells.workbook(target, {"in_memory": True})
    try:
        money = workbook.add_format({"num_format": formatting.XLSX_INTEGER})
        fraction = workbook.add_format({"num_format": "0.000000"})
        bold = workbook.add_format({"bold": True})
        sheet = workbook.add_worksheet("Fördelning")
        for c, col in enumerate(LAYOUT_COLUMNS):
            sheet.write(0, c, col, bold)
        for r, row in enumerate(result.rows, start=1):
            for c, col in enumerate(LAYOUT_COLUMNS):
                value = row.layout()[col]
                if value is None:
                    continue
                fmt = fraction if col == "key" else money if isinstance(value, float) else None
                sheet.write(r, c, value, fmt)
        total_row = len(result.rows) + 1
        sheet.write(total_row, 0, "Summa", bold)
        sheet.write_number(total_row, 7, round_sek(result.total_allocation), money)
        sheet.set_column(0, 1, 22)
        sheet.set_column(2, len(LAYOUT_COLUMNS) - 1, 16)
        params = workbook.add_worksheet("Parametrar")
        p = result.parameters
        for r, (name, label) in enumerate(PARAMETER_LABELS.items()):
            value = getattr(p, name)
            params.write(r, 0, label)
            params.write(r, 1, "av" if value is None else value)
        params.write(len(PARAMETER_LABELS), 0, "Ej fördelat (kr)")
        params.write(len(PARAMETER_LABELS), 1, result.unallocated)
        params.set_column(0, 0, 40)
        params.set_column(1, 1, 18)
    finally:
        workbook.close()


def write_allocation(result: AllocationResult, fmt: str, out) -> None:
    """Write in ``fmt`` (csv, json, xlsx) to an open file (text for csv/json, binary for xlsx)."""
    if fmt == "csv":
        write_allocation_csv(result, out)
    elif fmt == "json":
        write_allocation_json(result, out)
    elif fmt == "xlsx":
        write_allocation_xlsx(result, out)
    else:
        raise DomainValidationError([_format_problem(fmt)])


def _format_problem(fmt: str) -> Problem:
    return Problem(
        "format",
        "file.format",
        f"Okänt utdataformat {fmt!r} (tillåtna: {', '.join(OUTPUT_FORMATS)}).",
        fmt,
    )


def run_allocation_file(
    input_source: str | os.PathLike | bytes | IO,
    parameters: AllocationParameters,
    output_path: str | os.PathLike,
    fmt: str = "csv",
    expected_codes: Iterable[str] | None = None,
) -> AllocationResult:
    """Read, validate, compute and write in one go. Nothing is written unless every step succeeds:
    the output goes to a temporary file next to ``output_path`` that replaces it only at the end."""
    if fmt not in OUTPUT_FORMATS:
        raise DomainValidationError([_format_problem(fmt)])
    rows = read_allocation_input(input_source, expected_codes)
    result = allocate(rows, parameters)
    target = Path(output_path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
    try:
        if fmt == "xlsx":
            with os.fdopen(fd, "wb") as fh:
                write_allocation_xlsx(result, fh)
        else:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                write_allocation(result, fmt, fh)
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return result
