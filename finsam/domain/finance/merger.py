"""Merger simulation (``spec/finance.md`` §3, "Merger simulation").

Merging n associations keeps the area's keys (support measure and population are summed) but
removes (n − 1) base grants. :func:`simulate_merger` runs the allocation model before and after and
shows the effect per association, per member (the regions' and municipalities' matching) and per
inhabitant. Jönköping county (seed 001): three associations merging lose 3 × 400 000 − 400 000 =
800 000 of base grant.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from finsam.domain.finance._money import round_sek
from finsam.domain.finance.allocation import (
    AllocationParameters,
    AllocationResult,
    AllocationRow,
    allocate,
    validate_rows,
)
from finsam.domain.finance.contributions import (
    MUNICIPALITIES,
    REGIONS,
    MemberBasis,
    SplitMethod,
    split_between_members,
)
from finsam.domain.problems import Problem, raise_if_errors


@dataclass(frozen=True, slots=True)
class MergerMember:
    kind: str
    """``REGION`` or ``MUNICIPALITY``."""
    basis: MemberBasis


@dataclass(frozen=True, slots=True)
class AssociationEffect:
    association_code: str
    name: str
    merged: bool
    """True for the associations that merge (their "after" is the merged association's)."""
    model_before: float
    model_after: float
    allocation_before: float
    allocation_after: float
    per_inhabitant_before: float | None
    per_inhabitant_after: float | None

    @property
    def change(self) -> float:
        return round_sek(self.allocation_after - self.allocation_before)


@dataclass(frozen=True, slots=True)
class MemberEffect:
    kind: str
    member_code: str
    name: str
    matching_before: float
    """The member's matching (its share of the state money) before the merger, summed."""
    matching_after: float
    population: float | None

    @property
    def change(self) -> float:
        return round_sek(self.matching_after - self.matching_before)

    @property
    def change_per_inhabitant(self) -> float | None:
        return self.change / self.population if self.population else None


@dataclass(frozen=True, slots=True)
class MergerResult:
    merged_code: str
    merged_name: str
    merging_codes: tuple[str, ...]
    base_grant_lost: float
    """(n − 1) × base grant."""
    before: AllocationResult
    after: AllocationResult
    associations: tuple[AssociationEffect, ...]
    """The merging associations (before) and every other association, ordered by code."""
    members: tuple[MemberEffect, ...]
    group_model_before: float
    group_model_after: float
    group_allocation_before: float
    group_allocation_after: float
    group_population: float

    @property
    def group_change(self) -> float:
        return round_sek(self.group_allocation_after - self.group_allocation_before)

    @property
    def group_change_per_inhabitant(self) -> float | None:
        return self.group_change / self.group_population if self.group_population else None


def merge_rows(
    rows: Sequence[AllocationRow], codes: Sequence[str], merged_code: str, merged_name: str
) -> list[AllocationRow]:
    """The input after a merger: the merging rows replaced by one row with their sums.

    ``requested`` of the merged row is the sum of the parts, or ``None`` (takes everything) when any
    part takes everything.
    """
    chosen = [r for r in rows if r.association_code in set(codes)]
    requested = (
        None
        if any(r.requested is None for r in chosen)
        else math.fsum(r.requested or 0.0 for r in chosen)
    )
    merged = AllocationRow(
        association_code=merged_code,
        name=merged_name,
        support_measure_sek=math.fsum(r.support_measure_sek for r in chosen),
        population_16_64=math.fsum(r.population_16_64 for r in chosen),
        previous_allocation=math.fsum(r.previous_allocation for r in chosen),
        equity=math.fsum(r.equity for r in chosen),
        revenue=math.fsum(r.revenue for r in chosen),
        requested=requested,
        region_contribution=_sum_known([r.region_contribution for r in chosen]),
        municipal_contribution=_sum_known([r.municipal_contribution for r in chosen]),
    )
    return [r for r in rows if r.association_code not in set(codes)] + [merged]


def simulate_merger(
    rows: Sequence[AllocationRow],
    parameters: AllocationParameters,
    codes: Sequence[str],
    merged_code: str | None = None,
    merged_name: str | None = None,
    members: Mapping[str, Sequence[MergerMember]] | None = None,
    split_method: SplitMethod | str = SplitMethod.POPULATION,
) -> MergerResult:
    """Simulate merging the associations ``codes`` into one.

    ``members``: per association code, its regions and municipalities (for the per-member effect);
    each party's half of an allocation is split between its members by ``split_method`` (custom
    percentages cannot be carried over to a merged association, so they are not accepted here).
    A member of several merging associations (a region) is summed over them.
    """
    problems = validate_rows(rows)
    codes = tuple(dict.fromkeys(c.strip() for c in codes))
    present = {r.association_code.strip() for r in rows}
    if len(codes) < 2:
        problems.append(
            Problem(
                "codes",
                "merger.too_few",
                "Välj minst två förbund att slå samman.",
                codes,
            )
        )
    for code in codes:
        if code not in present:
            problems.append(
                Problem(
                    "codes",
                    "merger.unknown_association",
                    f"Förbundet {code} finns inte i indata.",
                    code,
                )
            )
    merged_code = merged_code or "+".join(codes)
    if merged_code in present - set(codes):
        problems.append(
            Problem(
                "merged_code",
                "merger.code_taken",
                f"Koden {merged_code} används redan av ett förbund som inte ingår i "
                "sammanslagningen.",
                merged_code,
            )
        )
    if SplitMethod(split_method) is SplitMethod.CUSTOM:
        problems.append(
            Problem(
                "split_method",
                "merger.custom_split",
                "Egna procentsatser kan inte föras över till ett sammanslaget förbund; välj lika "
                "delar, befolkning eller försörjningsmått.",
                split_method,
            )
        )
    raise_if_errors(problems)

    by_code = {r.association_code.strip(): r for r in rows}
    merged_name = merged_name or " + ".join(by_code[c].name for c in codes)
    before = allocate(rows, parameters)
    after = allocate(merge_rows(rows, codes, merged_code, merged_name), parameters)
    bb, aa = before.by_code(), after.by_code()
    merged_after = aa[merged_code]

    effects = []
    for r in before.rows:
        in_group = r.association_code in codes
        new = merged_after if in_group else aa[r.association_code]
        effects.append(
            AssociationEffect(
                association_code=r.association_code,
                name=r.name,
                merged=in_group,
                model_before=r.model,
                model_after=new.model,
                allocation_before=r.allocation,
                allocation_after=new.allocation,
                per_inhabitant_before=r.per_inhabitant_16_64,
                per_inhabitant_after=new.per_inhabitant_16_64,
            )
        )

    member_effects: list[MemberEffect] = []
    if members:
        member_effects = _member_effects(codes, members, bb, merged_after.allocation, split_method)

    group_rows = [bb[c] for c in codes]
    return MergerResult(
        merged_code=merged_code,
        merged_name=merged_name,
        merging_codes=codes,
        base_grant_lost=round_sek((len(codes) - 1) * parameters.base_grant),
        before=before,
        after=after,
        associations=tuple(effects),
        members=tuple(member_effects),
        group_model_before=round_sek(math.fsum(r.model for r in group_rows)),
        group_model_after=merged_after.model,
        group_allocation_before=round_sek(math.fsum(r.allocation for r in group_rows)),
        group_allocation_after=merged_after.allocation,
        group_population=math.fsum(by_code[c].population_16_64 for c in codes),
    )


def _member_effects(codes, members, before_rows, merged_allocation, method) -> list[MemberEffect]:
    before: dict[tuple[str, str], float] = {}
    combined: dict[tuple[str, str], MemberBasis] = {}
    for code in codes:
        listed = members.get(code, ())
        for kind, party in (("REGION", REGIONS), ("MUNICIPALITY", MUNICIPALITIES)):
            group = [m.basis for m in listed if m.kind == kind]
            if not group:
                continue
            half = (
                before_rows[code].region_match
                if kind == "REGION"
                else before_rows[code].municipal_match
            )
            for member_code, amount in split_between_members(half, group, method, party).items():
                before[(kind, member_code)] = before.get((kind, member_code), 0.0) + amount
            for b in group:
                key = (kind, b.code)
                old = combined.get(key)
                combined[key] = (
                    b
                    if old is None
                    else MemberBasis(
                        b.code,
                        b.name or old.name,
                        _add(old.population, b.population),
                        _add(old.support_measure, b.support_measure),
                    )
                )
    halves = {"REGION": round_sek(merged_allocation / 2), "MUNICIPALITY": 0.0}
    halves["MUNICIPALITY"] = round_sek(merged_allocation - halves["REGION"])
    after: dict[tuple[str, str], float] = {}
    for kind, party in (("REGION", REGIONS), ("MUNICIPALITY", MUNICIPALITIES)):
        group = [b for (k, _c), b in combined.items() if k == kind]
        if group:
            for member_code, amount in split_between_members(
                halves[kind], group, method, party
            ).items():
                after[(kind, member_code)] = amount
    return [
        MemberEffect(
            kind=kind,
            member_code=code,
            name=combined[(kind, code)].name,
            matching_before=round_sek(before.get((kind, code), 0.0)),
            matching_after=after.get((kind, code), 0.0),
            population=combined[(kind, code)].population,
        )
        for kind, code in sorted(combined)
    ]


def _sum_known(values: list[float | None]) -> float | None:
    return None if any(v is None for v in values) else math.fsum(v or 0.0 for v in values)


def _add(a: float | None, b: float | None) -> float | None:
    if a is None or b is None:
        return None
    return a + b
