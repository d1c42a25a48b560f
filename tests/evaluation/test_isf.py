"""The ISF study workflow and its writers."""

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from finsam.domain.problems import DomainValidationError
from finsam.evaluation import EVALUATION_COLUMNS
from finsam.evaluation import report as rp
from finsam.evaluation.isf import (
    NOT_APPLICABLE,
    OUTCOMES,
    POPULATIONS,
    StudyOptions,
    build_share_panel,
    run_isf_study,
)
from finsam.evaluation.simulate import ISF_TRUE_EFFECTS, simulate_isf_counts

FAST = StudyOptions(biters=199, seed=1)


@pytest.fixture(scope="module")
def counts():
    return simulate_isf_counts(n_municipalities=150, seed=3)


@pytest.fixture(scope="module")
def report(counts):
    return run_isf_study(counts, options=FAST)


def test_share_panel_is_percent_of_population(counts):
    panel = build_share_panel(counts)
    row = counts.iloc[10]
    expected = 100 * row["sickness_benefit_women"] / row["pop_women"]
    assert panel.loc[10, "sickness_benefit_women"] == pytest.approx(expected)
    never = counts.join_year.isna()
    assert (panel.loc[never, "join_year"] == 0).all()


def test_zero_population_gives_missing_share(counts):
    broken = counts.copy()
    broken.loc[0, "pop_men"] = 0
    panel = build_share_panel(broken)
    assert np.isnan(panel.loc[0, "social_assistance_men"])


def test_every_combination_is_in_the_report(report):
    assert len(report.combinations) == len(OUTCOMES) * len(POPULATIONS)
    estimated = [c for c in report.combinations if c.estimated]
    assert len(estimated) == len(OUTCOMES) * len(POPULATIONS) - len(NOT_APPLICABLE)
    for c in report.combinations:
        if (c.outcome, c.population) in NOT_APPLICABLE:
            assert not c.estimated and c.notes[0].startswith("Skattas inte")


def test_effects_cover_six_year_window_and_recover_synthetic_effects(report):
    effects = report.effects()
    assert effects.event_time.min() == -6 and effects.event_time.max() == 6
    summary = report.summary().dropna(subset=["overall_effect"])
    total = summary[summary.population == "total"].set_index("outcome")
    for outcome, truth in ISF_TRUE_EFFECTS.items():
        row = total.loc[outcome]
        assert abs(row.overall_effect - truth) < 4 * row.std_error + 0.02, outcome
    assert summary.pretest_pvalue.between(0, 1).all()


def test_missing_columns_become_notes_not_errors(counts):
    partial = counts.drop(columns=["neet_total", "pop_age_55_64"])
    report = run_isf_study(
        partial,
        outcomes=["neet", "social_assistance"],
        populations=["total", "age_55_64"],
        options=FAST,
    )
    notes = {(c.outcome, c.population): " ".join(c.notes) for c in report.combinations}
    assert "neet_total" in notes[("neet", "total")]
    assert "pop_age_55_64" in notes[("social_assistance", "age_55_64")]
    assert report.combinations[2].estimated  # social_assistance × total


def test_join_years_can_come_separately(counts):
    joins = counts.groupby("municipality").join_year.first().reset_index()
    without = counts.drop(columns=["join_year"])
    a = run_isf_study(without, joins, outcomes=["neet"], populations=["total"], options=FAST)
    b = run_isf_study(counts, outcomes=["neet"], populations=["total"], options=FAST)
    np.testing.assert_allclose(a.combinations[0].dynamic.att, b.combinations[0].dynamic.att)


def test_join_year_missing_is_a_clear_error(counts):
    with pytest.raises(DomainValidationError, match="join_year"):
        run_isf_study(counts.drop(columns=["join_year"]), options=FAST)


def test_rows_csv_and_json(report, tmp_path):
    csv_text = rp.rows_to_csv(report.to_rows())
    frame = pd.read_csv(pd.io.common.StringIO(csv_text))
    assert tuple(frame.columns) == EVALUATION_COLUMNS
    assert set(frame.aggregation) == {"dynamic"}
    path = rp.write_json(report, tmp_path / "isf.json")

    def reject(constant):
        raise AssertionError(f"{constant} is not valid JSON")

    data = json.loads(path.read_text(encoding="utf-8"), parse_constant=reject)
    assert data["municipalities"] == 150
    assert len(data["summary"]) == 30
    assert any("55–64" in n for n in data["notes"])


def test_xlsx_has_the_sheets(report, tmp_path):
    path = rp.write_xlsx(report, tmp_path / "isf.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["Sammanfattning", "Effekter", "Noteringar", "Metod"]
    assert book["Effekter"]["A1"].value == "Utfall"
    assert book["Effekter"].max_row == len(report.effects()) + 1


def test_chart_spec_png_and_svg(report, tmp_path):
    spec = rp.event_study_chart(report, "sickness_benefit").to_dict()
    assert "Sjukpenning" in spec["title"]
    svg = rp.write_chart(report, "sickness_benefit", tmp_path / "c.svg").read_text()
    assert svg.lstrip().startswith("<svg")
    png = rp.write_chart(report, "sickness_benefit", tmp_path / "c.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_pdf(report, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = rp.write_pdf(report, tmp_path / "isf.pdf", charts=False)
    assert path.read_bytes()[:5] == b"%PDF-"
    html = rp.report_html(report, charts=False)
    assert "Sammanfattning" in html and "Sjukpenning" in html


def test_html_report_embeds_one_svg_chart_per_outcome(counts):
    small = run_isf_study(
        counts, outcomes=["neet", "sickness_benefit"], populations=["total", "men"], options=FAST
    )
    page = rp.report_html(small, charts=True)
    assert page.count("<svg") == 2
    assert "Unga som varken arbetar eller studerar" in page


def test_municipality_codes_with_leading_zero_match_however_read(counts, tmp_path):
    from finsam.evaluation.isf import normalise_codes, read_isf_file

    assert list(normalise_codes(pd.Series([114, "0114", 114.0, " 2480", "K1"]))) == [
        "0114",
        "0114",
        "0114",
        "2480",
        "K1",
    ]
    subset = counts[counts.municipality.isin(counts.municipality.unique()[:60])].copy()
    subset["municipality"] = subset["municipality"].str.replace("^1", "0", regex=True)
    joins = subset.groupby("municipality").join_year.first().reset_index()
    path = tmp_path / "isf.csv"
    subset.drop(columns=["join_year"]).to_csv(path, sep=";", index=False)
    as_text = read_isf_file(path)
    assert as_text.municipality.iloc[0].startswith("0")
    as_numbers = pd.read_csv(path, sep=";")  # codes lose their leading zero here
    a = build_share_panel(as_text, joins)
    b = build_share_panel(as_numbers, joins)
    pd.testing.assert_series_equal(a.join_year, b.join_year)
    assert (a.join_year > 0).any()
