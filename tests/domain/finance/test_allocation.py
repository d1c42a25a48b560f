from __future__ import annotations

import csv
import io
import json
import math
import random

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from finsam.domain.finance.allocation import (
    LAYOUT_COLUMNS,
    AllocationParameters,
    AllocationRow,
    allocate,
    compare_scenarios,
    read_allocation_input,
    run_allocation_file,
    write_allocation_csv,
    write_allocation_json,
    write_allocation_xlsx,
)
from finsam.domain.problems import DomainValidationError

# A small example that can be followed by hand:
# ΣFM = 1000, ΣP = 400; keys A = .75·.6 + .25·.25 = .5125, B = .2875, C = .2000.
# R = 3 000 000 − 3 × 400 000 = 1 800 000; model A 1 322 500, B 917 500, C 760 000.
# B: equity 300 000 on revenue 1 000 000 → recommended max 200 000, excess 100 000.
ROWS = [
    AllocationRow("A", "Alfa", 600, 100, 1_000_000, 0, 1_000_000, None),
    AllocationRow("B", "Beta", 300, 100, 1_000_000, 300_000, 1_000_000, None),
    AllocationRow("C", "Gamma", 100, 200, 1_000_000, 0, 1_000_000, 850_000),
]
FRAME = 3_000_000


def test_keys_and_model_by_hand():
    result = allocate(ROWS, AllocationParameters(frame=FRAME, floor_share=None))
    rows = result.by_code()
    assert result.remaining_base == 1_800_000
    assert rows["A"].key == pytest.approx(0.5125)
    assert rows["B"].key == pytest.approx(0.2875)
    assert rows["C"].key == pytest.approx(0.2)
    assert [r.model for r in result.rows] == [1_322_500, 917_500, 760_000]
    assert sum(r.model for r in result.rows) == FRAME


@pytest.mark.parametrize(
    ("policy", "b_after"), [("half", 867_500), ("full", 817_500), ("none", 917_500)]
)
def test_equity_policies(policy, b_after):
    result = allocate(
        ROWS, AllocationParameters(frame=FRAME, floor_share=None, equity_policy=policy)
    )
    b = result.row("B")
    assert b.over_equity_recommendation
    assert b.recommended_max_equity == 200_000
    assert b.equity_excess == 100_000
    assert b.after_equity == b_after
    assert result.row("A").after_equity == result.row("A").model


def test_default_run_every_step_by_hand():
    result = allocate(ROWS, AllocationParameters(frame=FRAME))
    a, b, c = (result.row(x) for x in "ABC")
    # floor: C (760 000) is raised to 90 % of 1 000 000; B is over the recommendation and has no
    # floor, so its own floor is 0; the cost 140 000 is taken from A and B pro rata to their amount
    # above their own floor (422 500 and 867 500).
    assert c.floor == 900_000 and b.floor is None and a.floor == 900_000
    t = 140_000 / (422_500 + 867_500)
    assert c.after_floor == 900_000
    assert a.after_floor == pytest.approx(1_322_500 - t * 422_500, abs=0.01)
    assert b.after_floor == pytest.approx(867_500 - t * 867_500, abs=0.01)
    # take-up: C only wants 850 000
    assert c.after_take_up == 850_000
    # redistribution: the 50 000 from B's equity and C's 50 000 go to A (B is over the
    # recommendation, C wants no more)
    assert a.allocation == pytest.approx(a.after_floor + 100_000, abs=0.01)
    assert b.allocation == b.after_take_up
    assert c.allocation == 850_000
    assert result.total_allocation == pytest.approx(FRAME)
    assert c.change_from_previous == -150_000
    assert c.per_inhabitant_16_64 == 4_250
    assert c.region_match == c.municipal_match == 425_000


def test_switched_off_steps_repeat_the_previous_column():
    params = AllocationParameters(
        frame=FRAME, floor_share=None, equity_policy="none", redistribution=False
    )
    result = allocate(ROWS, params)
    for r in result.rows:
        assert r.after_equity == r.model
        assert r.after_floor == r.after_equity
        assert r.allocation == r.after_take_up
    assert result.unallocated == 0  # C asks for more than its model: everything is taken
    result = allocate(
        [*ROWS[:2], AllocationRow("C", "Gamma", 100, 200, 1_000_000, 0, 1_000_000, 500_000)],
        params,
    )
    assert result.unallocated == 260_000


def test_members_matching_caps_take_up():
    rows = [
        *ROWS[:2],
        AllocationRow(
            "C",
            "Gamma",
            100,
            200,
            1_000_000,
            0,
            1_000_000,
            850_000,
            region_contribution=300_000,
            municipal_contribution=400_000,
        ),
    ]
    c = allocate(rows, AllocationParameters(frame=FRAME)).row("C")
    assert c.take_up_cap == 600_000  # 2 × min(300 000, 400 000) < requested 850 000
    assert c.after_take_up == c.allocation == 600_000
    assert c.region_match == c.municipal_match == 300_000


def test_parameters_for_year():
    p2016 = AllocationParameters.for_year(2016)
    assert (p2016.frame, p2016.floor_share, p2016.base_grant) == (339_000_000, 0.9, 400_000)
    assert AllocationParameters.for_year(2019).floor_share is None
    assert AllocationParameters.for_year(2014).frame == 280_000_000
    assert AllocationParameters.for_year(2019, floor_share=0.8).floor_share == 0.8
    with pytest.raises(DomainValidationError):
        AllocationParameters.for_year(2005)


def test_bad_parameters_and_rows_are_reported_together():
    rows = [
        AllocationRow("A", "Alfa", -1, 100),
        AllocationRow("A", "Alfa igen", 1, -100),
        AllocationRow("", "Utan kod", 1, 1, requested=-5),
    ]
    with pytest.raises(DomainValidationError) as exc:
        allocate(rows, AllocationParameters(frame=1_000_000, weight_support=0.8, equity_policy="x"))
    rules = [p.rule for p in exc.value.problems]
    assert rules.count("amount.negative") == 3
    assert "allocation.duplicate" in rules
    assert "allocation.code_missing" in rules
    assert "allocation.weights_sum" in rules
    assert "allocation.equity_policy" in rules
    assert "allocation.frame_too_small" in rules
    assert "Ramen (1\u00a0000\u00a0000 kr) räcker inte" in str(exc.value)


# --- properties ----------------------------------------------------------------------------------


@st.composite
def scenarios(draw):
    n = draw(st.integers(1, 10))
    rows = [
        AllocationRow(
            association_code=f"F{i:02d}",
            name=f"Förbund {i}",
            support_measure_sek=draw(st.integers(0, 10**9)),
            population_16_64=draw(st.integers(0, 10**6)),
            previous_allocation=draw(st.integers(0, 2 * 10**7)),
            equity=draw(st.integers(-(10**6), 10**7)),
            revenue=draw(st.integers(0, 3 * 10**7)),
            requested=draw(st.none() | st.integers(0, 2 * 10**7)),
            region_contribution=draw(st.none() | st.integers(0, 10**7)),
            municipal_contribution=draw(st.none() | st.integers(0, 10**7)),
        )
        for i in range(n)
    ]
    assume(sum(r.support_measure_sek for r in rows) > 0)
    assume(sum(r.population_16_64 for r in rows) > 0)
    base = draw(st.integers(0, 10**6))
    ws = draw(st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]))
    params = AllocationParameters(
        frame=n * base + draw(st.integers(0, 10**8)) + 1,
        base_grant=base,
        weight_support=ws,
        weight_population=1 - ws,
        floor_share=draw(st.none() | st.sampled_from([0.5, 0.9, 1.0])),
        equity_policy=draw(st.sampled_from(["half", "full", "none"])),
        redistribution=draw(st.booleans()),
    )
    return rows, params


PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)


@PROPERTY_SETTINGS
@given(scenarios())
def test_property_frame_never_exceeded_and_nothing_negative(scenario):
    rows, params = scenario
    result = allocate(rows, params)
    assert result.total_allocation <= params.frame + 1e-6
    for r in result.rows:
        for value in (r.model, r.after_equity, r.after_floor, r.after_take_up, r.allocation):
            assert value >= 0
        if r.requested is not None:
            assert r.allocation <= r.requested + 1e-9
        if r.take_up_cap is not None:
            assert r.allocation <= r.take_up_cap + 1e-9


@PROPERTY_SETTINGS
@given(scenarios())
def test_property_keys_sum_to_one_and_model_to_the_frame(scenario):
    rows, params = scenario
    result = allocate(rows, params)
    assert math.fsum(r.key for r in result.rows) == pytest.approx(1, abs=1e-9)
    assert math.fsum(r.model for r in result.rows) == pytest.approx(
        params.frame, abs=0.01 * len(rows)
    )


@PROPERTY_SETTINGS
@given(scenarios())
def test_property_floor_honoured_where_it_applies(scenario):
    rows, params = scenario
    result = allocate(rows, params)
    # the floor only moves money between associations
    assert math.fsum(r.after_floor for r in result.rows) == pytest.approx(
        math.fsum(r.after_equity for r in result.rows), abs=0.01 * len(rows)
    )
    if any(w.rule == "allocation.floor_infeasible" for w in result.warnings):
        return
    for r in result.rows:
        if r.floor is None:
            continue
        assert params.floor_share is not None and r.previous_allocation > 0
        assert r.after_floor >= r.floor - 0.01
        wanted = r.floor if r.take_up_cap is None else min(r.floor, r.take_up_cap)
        assert r.allocation >= wanted - 0.02
    for r in result.rows:
        if r.over_equity_recommendation and params.equity_policy != "none":
            assert r.floor is None


@PROPERTY_SETTINGS
@given(scenarios())
def test_property_members_matching_equals_the_allocation(scenario):
    rows, params = scenario
    for r in allocate(rows, params).rows:
        assert round((r.region_match + r.municipal_match) * 100) == round(r.allocation * 100)
        assert abs(round(r.region_match * 100) - round(r.municipal_match * 100)) <= 1


@PROPERTY_SETTINGS
@given(scenarios(), st.randoms(use_true_random=False))
def test_property_independent_of_row_order(scenario, rnd):
    rows, params = scenario
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    assert allocate(shuffled, params).rows == allocate(rows, params).rows


@PROPERTY_SETTINGS
@given(scenarios())
def test_property_redistribution_leaves_nothing_anyone_could_take(scenario):
    rows, params = scenario
    result = allocate(rows, params)
    if not params.redistribution or result.unallocated <= 0.01 * len(rows):
        return
    for r in result.rows:
        eligible = not (r.over_equity_recommendation and params.equity_policy != "none")
        if eligible:
            assert r.take_up_cap is not None and r.allocation >= r.take_up_cap - 0.01


# --- reading -------------------------------------------------------------------------------------

HEADER = (
    "association_code,name,support_measure_sek,population_16_64,"
    "previous_allocation,equity,revenue,requested"
)
GOOD = (
    HEADER
    + "\nA,Alfa,600,100,1000000,0,1000000,"
    + "\nB,Beta,300,100,1000000,300000,1000000,"
    + "\nC,Gamma,100,200,1000000,0,1000000,850000\n"
)


def test_read_csv_with_bom_and_semicolons():
    rows = read_allocation_input(("\ufeff" + GOOD).encode())
    assert rows == ROWS
    semicolon = GOOD.replace(",", ";")
    assert read_allocation_input(semicolon.encode()) == ROWS


def test_read_csv_optional_columns_may_be_missing(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("association_code,name,support_measure_sek,population_16_64\nA,Alfa,1,2\n")
    assert read_allocation_input(path) == [AllocationRow("A", "Alfa", 1, 2)]


def test_read_xlsx(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER.split(","))
    for r in ROWS:
        ws.append(
            [
                r.association_code,
                r.name,
                r.support_measure_sek,
                r.population_16_64,
                r.previous_allocation,
                r.equity,
                r.revenue,
                r.requested,
            ]
        )
    path = tmp_path / "in.xlsx"
    wb.save(path)
    assert read_allocation_input(path) == ROWS


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        (HEADER + ",colour\nA,Alfa,1,2,3,4,5,6,red\n", "file.unknown_column"),
        ("association_code,name,population_16_64\nA,Alfa,2\n", "file.missing_column"),
        (HEADER + "\nA,Alfa,-1,2,3,4,5,\n", "amount.negative"),
        (HEADER + "\nA,Alfa,1,2,3,4,5,-6\n", "amount.negative"),
        (HEADER + "\nA,Alfa,1,2,3,4,5,\nA,Alfa,1,2,3,4,5,\n", "allocation.duplicate"),
        (HEADER + "\n,Alfa,1,2,3,4,5,\n", "allocation.code_missing"),
        (HEADER + '\nA,Alfa,"1 000",2,3,4,5,\n', "file.not_a_number"),
        (HEADER + "\nA,Alfa,1,,3,4,5,\n", "file.value_missing"),
        (HEADER + "\n", "allocation.no_rows"),
        ("", "file.empty"),
    ],
)
def test_read_bad_input(text, rule):
    with pytest.raises(DomainValidationError) as exc:
        read_allocation_input(text.encode())
    assert rule in [p.rule for p in exc.value.problems]
    assert all(p.message for p in exc.value.problems)


def test_read_reports_missing_associations_and_every_problem():
    text = HEADER + "\nA,Alfa,-1,2,3,4,5,\nA,Alfa,1,-2,3,4,5,\n"
    with pytest.raises(DomainValidationError) as exc:
        read_allocation_input(text.encode(), expected_codes=["A", "B"])
    problems = exc.value.problems
    assert [p.rule for p in problems] == [
        "amount.negative",
        "allocation.duplicate",
        "amount.negative",
        "allocation.association_missing",
    ]
    assert problems[0].row == 2 and problems[1].row == 3  # spreadsheet lines: header = 1
    assert problems[-1].message == "Förbundet B saknas i filen; alla förbund måste vara med."


# --- writing -------------------------------------------------------------------------------------


def test_csv_layout():
    result = allocate(ROWS, AllocationParameters(frame=FRAME))
    out = io.StringIO()
    write_allocation_csv(result, out)
    lines = list(csv.reader(io.StringIO(out.getvalue())))
    assert tuple(lines[0]) == LAYOUT_COLUMNS
    assert len(lines) == 4
    c = dict(zip(LAYOUT_COLUMNS, lines[3], strict=True))
    assert c == {
        "association_code": "C",
        "name": "Gamma",
        "key": "0.2",
        "model": "760000.00",
        "after_equity": "760000.00",
        "after_floor": "900000.00",
        "after_take_up": "850000.00",
        "allocation": "850000.00",
        "over_equity_recommendation": "0",
        "per_inhabitant_16_64": "4250.00",
        "change_from_previous": "-150000.00",
    }
    assert lines[2][8] == "1"  # B is over the recommendation


def test_json_and_xlsx_output(tmp_path):
    result = allocate(ROWS, AllocationParameters(frame=FRAME))
    out = io.StringIO()
    write_allocation_json(result, out)
    data = json.loads(out.getvalue())
    assert data["parameters"]["frame"] == FRAME
    assert data["parameters"]["equity_policy"] == "half"
    assert [r["association_code"] for r in data["rows"]] == ["A", "B", "C"]
    assert data["total_allocation"] == pytest.approx(FRAME)
    path = tmp_path / "out.xlsx"
    write_allocation_xlsx(result, path)
    sheet = load_workbook(path).worksheets[0]
    table = list(sheet.iter_rows(values_only=True))
    assert tuple(table[0]) == LAYOUT_COLUMNS
    assert table[3][7] == 850_000
    assert table[4][0] == "Summa"


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_run_writes_nothing_on_bad_input(tmp_path, fmt):
    bad = tmp_path / "in.csv"
    bad.write_text(HEADER + ",colour\nA,Alfa,1,2,3,4,5,6,red\n", encoding="utf-8")
    out = tmp_path / f"out.{fmt}"
    with pytest.raises(DomainValidationError):
        run_allocation_file(bad, AllocationParameters(frame=FRAME), out, fmt)
    assert list(tmp_path.iterdir()) == [bad]
    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    # bad parameters: no output either
    with pytest.raises(DomainValidationError):
        run_allocation_file(good, AllocationParameters(frame=1), out, fmt)
    assert not out.exists()
    result = run_allocation_file(good, AllocationParameters(frame=FRAME), out, fmt)
    assert out.exists() and out.stat().st_size > 0
    assert result.total_allocation == pytest.approx(FRAME)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["in.csv", "good.csv", out.name])


def test_unknown_output_format(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    with pytest.raises(DomainValidationError) as exc:
        run_allocation_file(good, AllocationParameters(frame=FRAME), tmp_path / "o.pdf", "pdf")
    assert exc.value.problems[0].rule == "file.format"


def test_compare_scenarios():
    base = AllocationParameters(frame=FRAME)
    bigger = AllocationParameters(frame=FRAME + 300_000)
    comparison = compare_scenarios(ROWS, base, bigger)
    assert [d.association_code for d in comparison.rows] == ["A", "B", "C"]
    assert comparison.total_difference == pytest.approx(300_000)
    for d in comparison.rows:
        assert d.difference == pytest.approx(d.allocation_b - d.allocation_a, abs=0.01)
    # C is capped by its request in both
    assert comparison.rows[2].difference == 0


def test_shuffled_example_gives_same_csv():
    shuffled = list(ROWS)
    random.Random(3).shuffle(shuffled)
    a, b = io.StringIO(), io.StringIO()
    write_allocation_csv(allocate(ROWS, AllocationParameters(frame=FRAME)), a)
    write_allocation_csv(allocate(shuffled, AllocationParameters(frame=FRAME)), b)
    assert a.getvalue() == b.getvalue()
