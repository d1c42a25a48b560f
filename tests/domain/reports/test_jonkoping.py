"""R1 against the national standard table for Jönköping county 2019.

Micro data are rebuilt from the association columns of ``jonkoping_2019_utfall.csv`` (counts
exactly, percentages as a count that rounds to the published percentage); the test then checks that
R1 gives the association numbers back and that its internal relations hold: shares = counts / total,
county = sum of its associations, full-time equivalents = hours / 40.
"""

from collections import defaultdict
from datetime import date, timedelta

import pytest

from finsam.domain.reports.core import Period, ReportOptions, round_half_up
from finsam.domain.reports.export import report_csv_rows
from finsam.domain.reports.frame import build_frame
from finsam.domain.reports.standard import outcome_summary
from tests.domain.reports.conftest import read_published

ASSOCIATIONS = {"Södra Vätterbygden": "SV", "Finnveden": "FV", "Höglandet": "HL"}
COUNTY = "Jönköpings län"
SEXES = {"kvinnor": "K", "man": "M"}


def published() -> dict:
    data = defaultdict(dict)
    for r in read_published("jonkoping_2019_utfall.csv"):
        for col in ("totalt", "kvinnor", "man"):
            data[(r["rad"], r["omrade"])][col] = float(r[col]) if r[col] else 0.0
    return data


def fit_count(pct: float, n: int) -> int:
    """The count k (0…n) whose share rounds half up to ``pct``, closest to pct·n/100."""
    fits = [k for k in range(n + 1) if int(round_half_up(100 * k / n)) == int(pct)]
    assert fits, (pct, n)
    return min(fits, key=lambda k: abs(k - pct * n / 100))


def spread(total_hours: int, people: int) -> list[int]:
    if people == 0:
        assert total_hours == 0
        return []
    q, r = divmod(total_hours, people)
    hours = [q + 1] * r + [q] * (people - r)
    assert max(hours) <= 40, (total_hours, people)
    return hours


def rebuild() -> list[dict]:
    pub = published()
    records = []
    eid = 0
    for name, code in ASSOCIATIONS.items():
        for col, sex in SEXES.items():

            def v(row, name=name, col=col):
                return pub[(row, name)][col]

            n = int(v("antal_avslutade"))
            dup = n - int(v("antal_unika"))
            k30 = fit_count(v("andel_under_30_vid_start_pct"), n)
            k3y = fit_count(v("andel_offentlig_forsorjning_over_3_ar_pct"), n)
            kgru = fit_count(v("andel_hogst_grundskola_pct"), n)
            keft = fit_count(v("andel_eftergymnasial_pct"), n)
            assert kgru + keft <= n
            days = int(v("medel_inskrivningstid_dagar"))
            w = int(v("antal_forvarvsarbete"))
            ws = int(v("antal_arbete_och_eller_studier"))
            inc = int(v("antal_fatt_eller_okat_arbete_studier"))
            w_hours = spread(round(v("heltidsekvivalenter_forvarvsarbete") * 40), w)
            ws_total = round(v("heltidsekvivalenter_arbete_och_eller_studier") * 40)
            s_hours = spread(ws_total - sum(w_hours), ws - w)
            for i in range(n):
                eid += 1
                end = date(2019, 1, 2) + timedelta(days=(i * 7) % 360)
                if i < 2 * dup:
                    person = f"{code}{sex}-{i // 2}"
                elif i >= n - 3:
                    person = None  # anonymous: counts as one person each
                else:
                    person = f"{code}{sex}-{i}"
                work = float(w_hours[i]) if i < w else (0.0 if i % 2 else None)
                study = float(s_hours[i - w]) if w <= i < ws else (0.0 if i < w else None)
                increased = i < inc
                records.append(
                    {
                        "episode_id": eid,
                        "association_code": code,
                        "association_name": name,
                        "county_code": "06",
                        "county_name": COUNTY,
                        "intervention_code": f"{code}-1",
                        "intervention_name": f"{name} insats",
                        "person_key": person,
                        "sex": sex,
                        "age_at_start": 22 if i < k30 else 45,
                        "start_date": end - timedelta(days=days),
                        "end_date": end,
                        "exit_reason": "ARB" if i < w else "REH",
                        "time_on_support": ("GE9" if i % 2 else "3TO9")
                        if i < k3y
                        else (None if i % 5 == 0 else "LT1"),
                        "education": ("GRU_LT" if i % 4 == 0 else "GRU")
                        if i < kgru
                        else ("EFT" if i < kgru + keft else (None if i % 6 == 0 else "GYM")),
                        "work_hours": work,
                        "study_hours": study,
                        "work_hours_before": 0.0 if increased else (work if i < ws else None),
                        "study_hours_before": 0.0 if increased else (study if i < ws else None),
                        "support_after": ["ING"] if i < w else [],
                    }
                )
    return records


@pytest.fixture(scope="module")
def r1():
    df = build_frame(rebuild())
    options = ReportOptions(Period.year(2019), levels=("association", "county"), protected=False)
    return outcome_summary(df, options).table("utfall")


COUNT_ROWS = (
    "antal_avslutade",
    "antal_unika",
    "antal_forvarvsarbete",
    "antal_arbete_och_eller_studier",
    "antal_fatt_eller_okat_arbete_studier",
)
PCT_ROWS = {
    "andel_under_30_vid_start_pct": None,
    "andel_offentlig_forsorjning_over_3_ar_pct": None,
    "andel_hogst_grundskola_pct": None,
    "andel_eftergymnasial_pct": None,
    "andel_forvarvsarbete_pct": "antal_forvarvsarbete",
}


def test_r1_gives_back_the_association_columns(r1):
    pub = published()
    for name, code in ASSOCIATIONS.items():
        area = ("association", code)
        for col, sex_col in (("kvinnor", "women"), ("man", "men")):
            for row in COUNT_ROWS:
                assert r1.value(row, area, sex_col) == pub[(row, name)][col], (name, row, col)
            for row in PCT_ROWS:
                assert r1.display(row, area, sex_col) == str(int(pub[(row, name)][col])), (
                    name,
                    row,
                    col,
                )
            assert r1.display("medel_inskrivningstid_dagar", area, sex_col) == str(
                int(pub[("medel_inskrivningstid_dagar", name)][col])
            )
            for row in (
                "heltidsekvivalenter_forvarvsarbete",
                "heltidsekvivalenter_arbete_och_eller_studier",
            ):
                assert r1.display(row, area, sex_col) == f"{pub[(row, name)][col]:.1f}", (name, row)
        # totals: counts and rounded shares as published (Höglandet's FTE total is a misprint)
        for row in COUNT_ROWS:
            assert r1.value(row, area, "total") == pub[(row, name)]["totalt"]
        for row in PCT_ROWS:
            assert r1.display(row, area, "total") == str(int(pub[(row, name)]["totalt"]))
        assert r1.display("medel_inskrivningstid_dagar", area, "total") == str(
            int(pub[("medel_inskrivningstid_dagar", name)]["totalt"])
        )
    hl = ("association", "HL")
    assert r1.value("heltidsekvivalenter_arbete_och_eller_studier", hl, "total") == pytest.approx(
        9.5 + 15.3
    )


def test_r1_shares_are_counts_over_total(r1):
    for area in r1.areas:
        for col in ("total", "women", "men"):
            total = r1.value("antal_avslutade", area, col)
            share = r1.value("andel_forvarvsarbete_pct", area, col)
            assert share == pytest.approx(100 * r1.value("antal_forvarvsarbete", area, col) / total)
            dist = r1.value("fordelning_pct", area, col)
            assert dist == pytest.approx(100 * total / r1.value("antal_avslutade", area, "total"))


def test_r1_county_is_the_sum_of_its_associations(r1):
    pub = published()
    county = ("county", "06")
    assert r1.area("06").name == COUNTY
    for row in (
        *COUNT_ROWS,
        "heltidsekvivalenter_forvarvsarbete",
        "heltidsekvivalenter_arbete_och_eller_studier",
    ):
        for col in ("total", "women", "men"):
            parts = sum(r1.value(row, ("association", c), col) for c in ASSOCIATIONS.values())
            assert r1.value(row, county, col) == pytest.approx(parts), (row, col)
    # and equals the published county line where the source is consistent
    for row in COUNT_ROWS:
        for col, sex_col in (("totalt", "total"), ("kvinnor", "women"), ("man", "men")):
            assert r1.value(row, county, sex_col) == pub[(row, COUNTY)][col], (row, col)
    assert r1.display("heltidsekvivalenter_forvarvsarbete", county, "total") == "66.0"
    # shares of the county are recomputed from counts, within one point of the published ones
    for row in PCT_ROWS:
        for col, sex_col in (("totalt", "total"), ("kvinnor", "women"), ("man", "men")):
            assert abs(r1.value(row, county, sex_col) - pub[(row, COUNTY)][col]) <= 1.0, row
    # the mean is over all episodes, not a mean of means
    days = sum(
        r1.value("medel_inskrivningstid_dagar", ("association", c), "total")
        * r1.value("antal_avslutade", ("association", c), "total")
        for c in ASSOCIATIONS.values()
    )
    assert r1.value("medel_inskrivningstid_dagar", county, "total") == pytest.approx(days / 201)


def test_r1_fte_is_hours_over_40(r1):
    df = build_frame(rebuild())
    sv = df[(df["association_code"] == "SV") & (df["sex"] == "K")]
    hours = sv["work_hours"].fillna(0).clip(upper=40).sum()
    assert r1.value("heltidsekvivalenter_forvarvsarbete", ("association", "SV"), "women") == (
        pytest.approx(hours / 40)
    )


def test_r1_csv_layout_for_the_county_table():
    df = build_frame(rebuild())
    options = ReportOptions(Period.year(2019), levels=("association", "county", "country"))
    rows = report_csv_rows(outcome_summary(df, options))
    assert list(rows[0]) == ["level", "area_code", "area_name", "row", "total", "women", "men"]
    riket = [r for r in rows if r["level"] == "country"]
    assert {r["area_code"] for r in riket} == {"SE"} and riket[0]["area_name"] == "Riket"
    line = next(r for r in rows if r["area_code"] == "06" and r["row"] == "antal_avslutade")
    assert (line["total"], line["women"], line["men"]) == ("201", "103", "98")
    fte = next(
        r
        for r in rows
        if r["area_code"] == "SV" and r["row"] == "heltidsekvivalenter_forvarvsarbete"
    )
    assert (fte["total"], fte["women"], fte["men"]) == ("21.2", "9.2", "12.0")
    # internal numerator rows are never written
    assert not any(r["row"].startswith("_") for r in rows)
    assert [r["row"] for r in rows if r["area_code"] == "SV"][:3] == [
        "antal_avslutade",
        "fordelning_pct",
        "antal_unika",
    ]
