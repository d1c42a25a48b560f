import csv

import pytest
from hypothesis import given
from hypothesis import strategies as st

from finsam.domain.problems import DomainValidationError
from finsam.domain.socioeconomics.needs import (
    DEFAULT_SHARES,
    GROUPS,
    NEEDS_COLUMNS,
    TOTAL,
    Participant,
    RegisterCount,
    estimate_needs,
    needs_csv_rows,
    needs_indicators,
    read_needs_input,
    read_shares,
    target_group_estimate,
)
from tests.conftest import FIXTURES

MALGRUPP = FIXTURES / "published" / "malgrupp_2016.csv"
REFERENCE = FIXTURES / "reference"
# The fixture's rows, in order, are the six groups of socioeconomics.md §3.
FIXTURE_GROUP_PREFIX = {
    "NEET": "NEET",
    "Ekonomiskt bistånd": "FSS",
    "Öppet arbetslösa": "AF",
    "Aktivitetsersättning": "AKE",
    "Sjukskrivna": "SJK",
    "Sjukersättning på deltid": "SJE_DELTID",
}


def malgrupp():
    with MALGRUPP.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    groups = {}
    total = None
    for row in rows:
        if row["grupp"] == "Totalt":
            total = float(row["uppskattat_antal"])
            continue
        code = next(c for p, c in FIXTURE_GROUP_PREFIX.items() if row["grupp"].startswith(p))
        groups[code] = row
    return groups, total


def test_default_shares_are_those_of_the_national_estimate_2016():
    groups, _ = malgrupp()
    assert set(groups) == set(GROUPS)
    for code, row in groups.items():
        assert DEFAULT_SHARES[code] == pytest.approx(
            float(row["andel_med_samordningsbehov_pct"]) / 100
        )


def test_national_target_group_is_483_300_or_6_6_percent_of_7_3_million():
    groups, published_total = malgrupp()
    counts = {code: float(row["bas_antal"]) for code, row in groups.items()}
    estimate = target_group_estimate(counts)
    assert published_total == 483_300
    # the source rounds each group (93 050 is printed as 93 000)
    assert estimate[TOTAL] == pytest.approx(483_300, abs=100)
    for code, row in groups.items():
        assert estimate[code] == pytest.approx(float(row["uppskattat_antal"]), abs=50)
    assert round(estimate[TOTAL] / 7_300_000 * 100, 1) == 6.6


def municipalities():
    with (REFERENCE / "municipalities.csv").open(encoding="utf-8") as f:
        return {r["municipality_code"]: r["municipality_name"] for r in csv.DictReader(f)}


def counties():
    with (REFERENCE / "counties.csv").open(encoding="utf-8") as f:
        return {r["county_code"]: r["county_name"] for r in csv.DictReader(f)}


INPUT = """municipality_code,group,count
0114,NEET,100
0114,FSS,200
0115,FSS,50
0115,SJK,1000
0480,AF,400
"""


def test_estimates_per_municipality_association_county_and_country_with_coverage():
    counts = read_needs_input(INPUT, known_municipalities=municipalities())
    participants = [
        Participant("a", "0114"),
        Participant("a", "0114"),  # same person twice: counted once
        Participant("b", "0115"),
        Participant("c", "0480"),
        Participant("d", "0480", association_code="NYK"),
    ]
    rows = estimate_needs(
        counts,
        shares={"SJK": 0.2},
        municipality_to_association={"0114": "VV", "0115": "VV", "0480": "NYK"},
        municipality_names=municipalities(),
        association_names={"VV": "Väsby–Vallentuna", "NYK": "Nyköping"},
        county_names=counties(),
        participants=participants,
    )
    totals = {(r.level, r.area_code): r for r in rows if r.group == TOTAL}
    # 0114: 100 × 1.0 + 200 × 0.8 = 260; 0115: 50 × 0.8 + 1000 × 0.2 = 240; 0480: 400 × 0.25 = 100
    assert totals[("municipality", "0114")].estimate == pytest.approx(260)
    assert totals[("municipality", "0115")].estimate == pytest.approx(240)
    assert totals[("municipality", "0480")].estimate == pytest.approx(100)
    assert totals[("association", "VV")].estimate == pytest.approx(500)
    assert totals[("association", "VV")].area_name == "Väsby–Vallentuna"
    assert totals[("county", "01")].estimate == pytest.approx(500)
    assert totals[("county", "04")].area_name == "Södermanlands län"
    assert totals[("country", "SE")].estimate == pytest.approx(600)
    assert totals[("country", "SE")].area_name == "Riket"
    assert totals[("municipality", "0114")].participants == 1
    assert totals[("association", "VV")].participants == 2
    assert totals[("association", "NYK")].participants == 2
    assert totals[("association", "NYK")].coverage == pytest.approx(0.02)
    assert totals[("country", "SE")].participants == 4
    assert totals[("country", "SE")].coverage == pytest.approx(4 / 600)
    sjk = next(r for r in rows if r.area_code == "0115" and r.group == "SJK")
    assert (sjk.count, sjk.share, sjk.estimate) == (1000, 0.2, pytest.approx(200))
    assert rows[0].level == "municipality" and rows[-1].level == "country"


def test_csv_layout_with_and_without_coverage():
    counts = read_needs_input(INPUT)
    plain = needs_csv_rows(estimate_needs(counts))
    assert all(tuple(r) == NEEDS_COLUMNS for r in plain)
    assert plain[0] == {
        "level": "municipality",
        "area_code": "0114",
        "area_name": "",
        "group": "NEET",
        "count": "100",
        "share": "1",
        "estimate": "100",
    }
    total = next(r for r in plain if r["group"] == TOTAL and r["area_code"] == "0114")
    assert total["share"] == "" and total["estimate"] == "260"
    covered = needs_csv_rows(estimate_needs(counts, participants=[Participant("x", "0114")]))
    assert tuple(covered[0]) == (*NEEDS_COLUMNS, "participants", "coverage")
    line = next(r for r in covered if r["group"] == TOTAL and r["area_code"] == "0114")
    assert line["participants"] == "1" and line["coverage"] == "0.0038"
    assert covered[0]["participants"] == ""


def test_shares_file_overrides_defaults():
    shares = read_shares("group;share\nSJK;0.2\nfss;0.5\n")
    assert shares["SJK"] == 0.2 and shares["FSS"] == 0.5 and shares["NEET"] == 1.0


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("municipality_code,group,count\n114,NEET,1\n", "needs.municipality"),
        ("municipality_code,group,count\n9999,NEET,1\n", "needs.municipality"),
        ("municipality_code,group,count\n0114,XYZ,1\n", "needs.unknown_group"),
        ("municipality_code,group,count\n0114,NEET,-1\n", "needs.negative_count"),
        ("municipality_code,group,count\n0114,NEET,1\n0114,NEET,2\n", "needs.duplicate"),
        ("municipality_code,group,count\n0114,NEET,x\n", "number.invalid"),
        ("municipality_code,group,antal\n0114,NEET,1\n", "file.unknown_column"),
    ],
)
def test_bad_needs_input_gives_swedish_errors(text, rule):
    with pytest.raises(DomainValidationError) as info:
        read_needs_input(text, known_municipalities=municipalities())
    assert rule in [p.rule for p in info.value.problems]
    assert any(w in str(info.value) for w in ("Okänd", "negativt", "två gånger", "tal"))


@pytest.mark.parametrize(
    "text", ["group,share\nSJK,1.5\n", "group,share\nXYZ,0.5\n", "group,share\nSJK,0.1\nSJK,0.2\n"]
)
def test_bad_shares_file_is_rejected(text):
    with pytest.raises(DomainValidationError):
        read_shares(text)


def test_needs_indicators_when_data_are_loaded():
    ind = needs_indicators(
        10_000,
        support_measure_sek=50_000_000,
        budget_sek=1_000_000,
        full_year_equivalents=1_330,
        population_20_64=10_000,
        estimate=600,
    )
    assert ind.support_measure_per_inhabitant == 5_000
    assert ind.budget_per_inhabitant == 100
    assert ind.full_year_equivalent_share == pytest.approx(0.133)
    assert ind.target_group_share == pytest.approx(0.06)
    assert ind.rule_of_thumb_estimate == 500
    assert needs_indicators(10_000).budget_per_inhabitant is None


count_values = st.floats(min_value=0, max_value=1e6)
municipality_codes = st.sampled_from(["0114", "0115", "0180", "0480", "1480"])


@given(
    st.dictionaries(
        st.tuples(municipality_codes, st.sampled_from(GROUPS)), count_values, max_size=20
    ),
    st.dictionaries(st.sampled_from(GROUPS), st.floats(min_value=0, max_value=1)),
)
def test_country_is_the_sum_of_municipalities_and_grows_with_counts(data, shares):
    counts = [RegisterCount(m, g, c) for (m, g), c in data.items()]
    rows = estimate_needs(counts, shares)
    municipal = sum(r.estimate for r in rows if r.level == "municipality" and r.group == TOTAL)
    country = [r.estimate for r in rows if r.level == "country" and r.group == TOTAL]
    assert country == ([] if not counts else [pytest.approx(municipal)])
    more = [RegisterCount(c.municipality_code, c.group, c.count + 1) for c in counts]
    more_total = sum(
        r.estimate
        for r in estimate_needs(more, shares)
        if r.level == "country" and r.group == TOTAL
    )
    assert more_total >= municipal - 1e-6
