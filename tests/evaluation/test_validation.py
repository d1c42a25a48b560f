"""Bad input gives DomainValidationError with Swedish messages naming the column and the rule."""

import numpy as np
import pandas as pd
import pytest

from finsam.domain.problems import DomainValidationError
from finsam.evaluation import EvaluationWarning, att_gt, validate_panel
from finsam.evaluation.simulate import simulate_panel

KW = {"yname": "y", "tname": "year", "idname": "unit", "gname": "g"}


@pytest.fixture
def panel():
    return simulate_panel(n_units=60, periods=range(2000, 2006), cohorts=(2002, 2004), seed=1)


def _rules(excinfo):
    return {p.rule for p in excinfo.value.problems}


def test_missing_columns_are_named(panel):
    with pytest.raises(DomainValidationError) as exc:
        att_gt(panel.drop(columns=["y"]), **KW, covariates=["inkomst"])
    problems = exc.value.problems
    assert {p.field for p in problems} == {"y", "inkomst"}
    assert all(p.rule == "evaluation.column_missing" for p in problems)
    assert "saknas" in str(exc.value)


def test_non_numeric_outcome_names_row_and_value(panel):
    bad = panel.astype({"y": object})
    bad.loc[4, "y"] = "hög"
    with pytest.raises(DomainValidationError) as exc:
        validate_panel(bad, **KW)
    (problem,) = exc.value.problems
    assert problem.rule == "evaluation.outcome_not_numeric"
    assert problem.row == 5
    assert "'y'" in problem.message and "numerisk" in problem.message


def test_decimal_comma_text_is_accepted(panel):
    text = panel.assign(y=panel["y"].map(lambda v: f"{v:.6f}".replace(".", ",")))
    clean = validate_panel(text, **KW)
    np.testing.assert_allclose(clean["y"], panel["y"], atol=1e-6)


def test_duplicated_unit_year_rows(panel):
    dup = pd.concat([panel, panel.iloc[[3]]], ignore_index=True)
    with pytest.raises(DomainValidationError) as exc:
        att_gt(dup, **KW)
    assert _rules(exc) == {"evaluation.duplicate_unit_time"}
    assert "flera gånger" in str(exc.value)


def test_group_varying_within_unit(panel):
    bad = panel.copy()
    current = bad.loc[bad.unit == 5, "g"].iloc[0]
    bad.loc[(bad.unit == 5) & (bad.year == 2003), "g"] = 2002.0 if current != 2002 else 2004.0
    with pytest.raises(DomainValidationError) as exc:
        att_gt(bad, **KW)
    assert "evaluation.group_varies_within_unit" in _rules(exc)
    assert "enheten 5" in str(exc.value)


def test_unit_treated_before_first_period(panel):
    bad = panel.copy()
    bad.loc[bad.unit == 7, "g"] = 1998.0
    with pytest.raises(DomainValidationError) as exc:
        att_gt(bad, **KW)
    assert _rules(exc) == {"evaluation.treated_before_first_period"}
    assert "1998" in str(exc.value) and "2000" in str(exc.value)


def test_never_treated_group_too_small_suggests_not_yet(panel):
    few = panel.copy()
    never_units = few.loc[few.g == 0, "unit"].unique()
    few.loc[few.unit.isin(never_units[3:]), "g"] = 2004.0
    with pytest.raises(DomainValidationError) as exc:
        att_gt(few, **KW)
    assert _rules(exc) == {"evaluation.never_treated_too_small"}
    assert "notyet" in str(exc.value)
    # The suggested alternative works.
    with pytest.warns(EvaluationWarning, match="små"):
        result = att_gt(few, **KW, control_group="notyet", bootstrap=False)
    assert np.isfinite(result.att).any()


def test_no_never_treated_with_never_control_is_a_clear_error(panel):
    none = panel.assign(g=panel.g.replace(0.0, 2004.0))
    with pytest.raises(DomainValidationError) as exc:
        att_gt(none, **KW)
    assert "inga enheter som aldrig behandlas" in str(exc.value)


def test_bad_options_are_rejected(panel):
    for kwargs in (
        {"control_group": "alla"},
        {"base_period": "fixed"},
        {"est_method": "ols"},
        {"alpha": 1.5},
        {"multiplier": "gauss"},
        {"biters": "många"},
        {"biters": 0},
        {"anticipation": -1},
        {"alpha": "fem procent"},
    ):
        with pytest.raises(DomainValidationError) as exc:
            att_gt(panel, **KW, **kwargs)
        assert _rules(exc) == {"evaluation.option"}


def test_empty_group_means_never_treated(panel):
    blank = panel.assign(g=panel.g.replace(0.0, np.nan))
    a = att_gt(blank, **KW, bootstrap=False)
    b = att_gt(panel, **KW, bootstrap=False)
    np.testing.assert_array_equal(a.att, b.att)
