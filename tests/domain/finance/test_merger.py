from __future__ import annotations

import math

import pytest

from finsam.domain.finance.allocation import AllocationParameters, AllocationRow
from finsam.domain.finance.contributions import MemberBasis
from finsam.domain.finance.merger import MergerMember, merge_rows, simulate_merger
from finsam.domain.problems import DomainValidationError

FRAME = 339_000_000
BASE = 400_000
N = 75
TOTAL_POPULATION = 6_300_000
JONKOPING = ("Höglandet", "Södra Vätterbygden", "Finnveden")


def national_rows(jonkoping_2019, take_all: bool = False) -> list[AllocationRow]:
    """75 associations; the three in Jönköping county get keys that reproduce their 2019 offer
    (used / share used, from the published accounts) and populations that reproduce the published
    state allocation per inhabitant 16–64; the other 72 share the rest equally (synthetic)."""
    remaining = FRAME - N * BASE
    offers, populations, used = {}, {}, {}
    for name in JONKOPING:
        row = jonkoping_2019[name]
        used[name] = int(row["statliga_medel_utnyttjade_kr"])
        offers[name] = used[name] / (int(row["statlig_tilldelning_utnyttjad_pct"]) / 100)
        populations[name] = round(
            used[name] / int(row["statlig_tilldelning_kr_per_invanare_16_64"])
        )
    keys = {name: (offers[name] - BASE) / remaining for name in JONKOPING}
    other_key = (1 - sum(keys.values())) / (N - 3)
    other_population = (TOTAL_POPULATION - sum(populations.values())) / (N - 3)
    rows = []
    for i in range(N - 3):
        keys[f"X{i:02d}"] = other_key
        populations[f"X{i:02d}"] = other_population
    for code, key in keys.items():
        support_share = (key - 0.25 * populations[code] / TOTAL_POPULATION) / 0.75
        rows.append(
            AllocationRow(
                association_code=code,
                name=code,
                support_measure_sek=support_share * 1e12,
                population_16_64=populations[code],
                requested=None if take_all or code not in used else used[code],
            )
        )
    return rows


PARAMS = AllocationParameters(frame=FRAME, base_grant=BASE, floor_share=None, equity_policy="none")


def test_jonkoping_offers_use_and_per_inhabitant_reproduce(jonkoping_2019):
    result = simulate_merger(national_rows(jonkoping_2019), PARAMS, JONKOPING).before
    assert result.row("Finnveden").model == pytest.approx(2_570_000, abs=0.01)
    for name in JONKOPING:
        published = jonkoping_2019[name]
        r = result.row(name)
        assert r.allocation == int(published["statliga_medel_utnyttjade_kr"])
        assert round(r.allocation / r.model * 100) == int(
            published["statlig_tilldelning_utnyttjad_pct"]
        )
        assert round(r.per_inhabitant_16_64) == int(
            published["statlig_tilldelning_kr_per_invanare_16_64"]
        )


def test_jonkoping_merger_loses_800_000_of_base_grant(jonkoping_2019):
    merger = simulate_merger(
        national_rows(jonkoping_2019, take_all=True), PARAMS, JONKOPING, "JKP", "Jönköpings län"
    )
    assert merger.base_grant_lost == 800_000
    key_group = sum(merger.before.row(n).key for n in JONKOPING)
    # the merged association's model = sum of the parts − 2 base grants + its key share of them
    assert merger.group_model_before - merger.group_model_after == pytest.approx(
        800_000 * (1 - key_group), abs=0.05
    )
    assert merger.group_allocation_before - merger.group_allocation_after == pytest.approx(
        800_000 * (1 - key_group), abs=0.05
    )
    # the freed base grants are spread over all associations by key
    other = next(e for e in merger.associations if e.association_code == "X00")
    assert other.change == pytest.approx(800_000 * merger.before.row("X00").key, abs=0.02)
    assert math.isclose(merger.after.total_allocation, FRAME, abs_tol=0.01)


def test_jonkoping_merger_members_can_compensate_by_taking_up_more(jonkoping_2019):
    """Seed 001: Höglandet and Södra Vätterbygden did not use their full offer, so the merged
    association can keep at least the sum of what the three used."""
    merger = simulate_merger(national_rows(jonkoping_2019), PARAMS, JONKOPING, "JKP")
    used = 2_570_000 + 3_205_000 + 3_036_000
    assert merger.group_allocation_before == used
    assert merger.group_model_after > used
    assert merger.group_allocation_after == used
    assert merger.group_change == 0
    merged = [e for e in merger.associations if e.merged]
    assert [e.association_code for e in merged] == sorted(JONKOPING)
    assert all(e.allocation_after == used for e in merged)


def test_member_effects(jonkoping_2019):
    # synthetic members: one region in all three, two municipalities each
    members = {
        "Höglandet": [
            MergerMember("REGION", MemberBasis("06", "Region Jönköpings län", 52_541)),
            MergerMember("MUNICIPALITY", MemberBasis("M1", "Kommun 1", 30_000)),
            MergerMember("MUNICIPALITY", MemberBasis("M2", "Kommun 2", 22_541)),
        ],
        "Södra Vätterbygden": [
            MergerMember("REGION", MemberBasis("06", "Region Jönköpings län", 94_875)),
            MergerMember("MUNICIPALITY", MemberBasis("M3", "Kommun 3", 80_000)),
            MergerMember("MUNICIPALITY", MemberBasis("M4", "Kommun 4", 14_875)),
        ],
        "Finnveden": [
            MergerMember("REGION", MemberBasis("06", "Region Jönköpings län", 44_310)),
            MergerMember("MUNICIPALITY", MemberBasis("M5", "Kommun 5", 44_310)),
        ],
    }
    merger = simulate_merger(
        national_rows(jonkoping_2019, take_all=True), PARAMS, JONKOPING, "JKP", members=members
    )
    by_code = {m.member_code: m for m in merger.members}
    assert set(by_code) == {"06", "M1", "M2", "M3", "M4", "M5"}
    before = merger.group_allocation_before
    after = merger.group_allocation_after
    assert by_code["06"].matching_before == pytest.approx(before / 2, abs=0.02)
    assert by_code["06"].matching_after == pytest.approx(after / 2, abs=0.01)
    municipal_after = sum(m.matching_after for m in merger.members if m.kind == "MUNICIPALITY")
    assert municipal_after + by_code["06"].matching_after == pytest.approx(after, abs=0.01)
    assert by_code["06"].change < 0
    assert by_code["06"].change_per_inhabitant == pytest.approx(
        by_code["06"].change / (52_541 + 94_875 + 44_310)
    )


def test_merge_rows_sums_the_parts():
    rows = [
        AllocationRow("A", "A", 10, 1, 100, 5, 50, 30),
        AllocationRow("B", "B", 20, 2, 200, 6, 60, None),
        AllocationRow("C", "C", 40, 4, 400, 7, 70, 10),
    ]
    merged = merge_rows(rows, ["A", "B"], "AB", "A och B")
    assert merged == [
        rows[2],
        AllocationRow("AB", "A och B", 30, 3, 300, 11, 110, None),
    ]
    assert merge_rows(rows, ["A", "C"], "AC", "AC")[-1].requested == 40


def test_merger_input_errors():
    rows = [AllocationRow("A", "A", 10, 1), AllocationRow("B", "B", 20, 2)]
    params = AllocationParameters(frame=10_000_000)
    with pytest.raises(DomainValidationError) as exc:
        simulate_merger(rows, params, ["A"])
    assert exc.value.problems[0].rule == "merger.too_few"
    with pytest.raises(DomainValidationError) as exc:
        simulate_merger(rows, params, ["A", "Z"])
    assert "Förbundet Z finns inte i indata." in str(exc.value)
    with pytest.raises(DomainValidationError) as exc:
        simulate_merger([*rows, AllocationRow("C", "C", 1, 1)], params, ["A", "B"], merged_code="C")
    assert exc.value.problems[0].rule == "merger.code_taken"
    with pytest.raises(DomainValidationError) as exc:
        simulate_merger(rows, params, ["A", "B"], split_method="custom")
    assert exc.value.problems[0].rule == "merger.custom_split"
