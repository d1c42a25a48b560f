"""``finsam evaluate did|isf``: the Evaluation CSV layout, JSON, and bad input."""

import csv
import io
import json
import os
import subprocess
import sys

import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from finsam.evaluation import EVALUATION_COLUMNS
from tests.evaluation.web.conftest import (
    MPDTA_ARGS,
    REFERENCE_ATT,
    REFERENCE_PRETEST_P,
    REPO,
)


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("evaluate", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_did_csv_reproduces_the_reference(mpdta_path):
    out, err = run("did", "--data", str(mpdta_path), *MPDTA_ARGS, "--method", "reg", "--seed", "7")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == list(EVALUATION_COLUMNS)
    cells = {(int(r["group"]), int(r["time"])): r for r in rows if r["aggregation"] == "attgt"}
    assert set(cells) == set(REFERENCE_ATT)
    for key, (att, se) in REFERENCE_ATT.items():
        assert round(float(cells[key]["estimate"]), 4) == att, key
        assert float(cells[key]["std_error"]) == pytest.approx(se, rel=0.2), key
        assert cells[key]["outcome"] == "lemp" and cells[key]["population"] == "all"
        assert cells[key]["event_time"] == ""
    assert cells[(2004, 2004)]["estimate"].startswith("-0.0105")
    overall = {
        r["aggregation"]: float(r["estimate"])
        for r in rows
        if r["aggregation"] != "attgt" and not (r["group"] or r["time"] or r["event_time"])
    }
    assert round(overall["dynamic"], 4) == -0.0772
    assert round(overall["group"], 4) == -0.0310
    dynamic = {int(r["event_time"]): float(r["estimate"]) for r in rows if r["event_time"]}
    assert round(dynamic[-3], 4) == 0.0305 and round(dynamic[2], 4) == -0.1373
    groups = {
        int(r["group"]): float(r["estimate"])
        for r in rows
        if r["aggregation"] == "group" and r["group"]
    }
    assert {g: round(v, 4) for g, v in groups.items()} == {
        2004: -0.0797,
        2006: -0.0229,
        2007: -0.0261,
    }
    assert [r["aggregation"] for r in rows].count("calendar") == 5  # overall + 4 periods
    assert f"p = {REFERENCE_PRETEST_P:.5f}" in err
    assert "Slumpfrö: 7" in err


def test_same_seed_same_output(mpdta_path):
    args = ("did", "--data", str(mpdta_path), *MPDTA_ARGS, "--bootstrap", "99", "--seed", "3")
    assert run(*args)[0] == run(*args)[0]


def test_did_json_to_file_with_options(mpdta_path, tmp_path):
    target = tmp_path / "ut.json"
    out, _ = run(
        "did",
        "--data",
        str(mpdta_path),
        *MPDTA_ARGS,
        "--method",
        "reg",
        "--control",
        "notyet",
        "--base-period",
        "universal",
        "--bootstrap",
        "0",
        "--format",
        "json",
        "--output",
        str(target),
    )
    assert out == ""
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["options"]["control_group"] == "notyet"
    assert data["options"]["base_period"] == "universal"
    assert data["options"]["bootstrap_draws"] == 0
    assert set(data) == {"options", "pretest", "notes", "rows"}
    rows = data["rows"]
    assert all(list(r) == list(EVALUATION_COLUMNS) for r in rows)
    # Universal base period: the cell of the period before treatment is 0 with no standard error.
    ref = next(
        r for r in rows if r["aggregation"] == "attgt" and (r["group"], r["time"]) == (2006, 2005)
    )
    assert ref["estimate"] == 0 and ref["std_error"] is None


def test_did_default_json_of_mpdta_has_pretest(mpdta_path):
    out, _ = run(
        "did", "--data", str(mpdta_path), *MPDTA_ARGS, "--method", "reg", "--format", "json"
    )
    data = json.loads(out)
    assert data["pretest"]["pvalue"] == pytest.approx(REFERENCE_PRETEST_P, abs=5e-6)
    first = data["rows"][0]
    assert (first["group"], first["time"], round(first["estimate"], 4)) == (2004, 2004, -0.0105)


def test_semicolon_file_with_decimal_commas_reads_the_same(mpdta_path, tmp_path):
    semicolon = tmp_path / "panel.csv"
    pd.read_csv(mpdta_path).to_csv(semicolon, sep=";", index=False, decimal=",")
    args = (*MPDTA_ARGS, "--covariates", "lpop", "--bootstrap", "0", "--seed", "1")
    out, _ = run("did", "--data", str(semicolon), *args)
    reference, _ = run("did", "--data", str(mpdta_path), *args)
    ours = pd.read_csv(io.StringIO(out))
    expected = pd.read_csv(io.StringIO(reference))
    # Unit ids read as text ("8001,0") sort differently, so the bootstrap multipliers of the
    # aggregations fall on other units; estimates and the analytic cell errors are identical.
    pd.testing.assert_series_equal(ours.estimate, expected.estimate, rtol=1e-9)
    cells = ours.aggregation == "attgt"
    pd.testing.assert_series_equal(ours.std_error[cells], expected.std_error[cells], rtol=1e-9)
    assert (ours.group[0], ours.time[0]) == (2004, 2004)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"--outcome": "lon"}, "Kolumnen 'lon'"),
        ({"--control": "alla"}, "Ogiltigt värde för --control"),
        ({"--method": "ols"}, "Ogiltigt värde för --method"),
        ({"--bootstrap": "många"}, "--bootstrap måste vara ett heltal"),
        ({"--anticipation": "-1"}, "--anticipation måste vara minst 0"),
        ({"--format": "xml"}, "Ogiltigt värde för --format"),
        ({"--unit": None}, "Ange --unit"),
    ],
)
def test_bad_input_stops_without_output(mpdta_path, tmp_path, change, message):
    options = dict(zip(MPDTA_ARGS[::2], MPDTA_ARGS[1::2], strict=True))
    options.update(change)
    target = tmp_path / "ut.csv"
    args = ["did", "--data", str(mpdta_path), "--output", str(target)]
    for flag, value in options.items():
        if value is not None:
            args += [flag, value]
    with pytest.raises(CommandError) as exc:
        run(*args)
    assert message in str(exc.value)
    assert "\n" not in str(exc.value)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_duplicate_unit_year_is_refused(mpdta_path, tmp_path):
    data = pd.read_csv(mpdta_path)
    broken = tmp_path / "dubbel.csv"
    pd.concat([data, data.iloc[[5]]]).to_csv(broken, index=False)
    target = tmp_path / "ut.csv"
    with pytest.raises(CommandError) as exc:
        run("did", "--data", str(broken), *MPDTA_ARGS, "--output", str(target))
    assert "flera gånger" in str(exc.value) and "en rad per period" in str(exc.value)
    assert not target.exists()


def test_unreadable_file_is_refused(tmp_path):
    bad = tmp_path / "panel.pdf"
    bad.write_bytes(b"%PDF-1.4")
    with pytest.raises(CommandError, match="CSV-fil"):
        run("did", "--data", str(bad), *MPDTA_ARGS)
    with pytest.raises(CommandError, match="kan inte läsas"):
        run("did", "--data", str(tmp_path / "finns-inte.csv"), *MPDTA_ARGS)


def test_real_command_line_exit_code_and_swedish_help(mpdta_path, tmp_path):
    env = {**os.environ, "FINSAM_DATA_DIR": str(tmp_path / "var")}
    target = tmp_path / "ut.csv"
    cmd = [sys.executable, "-m", "finsam", "evaluate", "did", "--data", str(mpdta_path)]
    bad = subprocess.run(
        [*cmd, *MPDTA_ARGS[:-1], "saknas", "--output", str(target)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
    )
    assert bad.returncode != 0
    lines = bad.stderr.strip().splitlines()
    assert len(lines) == 1 and "Kolumnen 'saknas'" in lines[0]
    assert not target.exists()
    helptext = subprocess.run(
        [sys.executable, "-m", "finsam", "evaluate", "did", "--help"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
    )
    assert helptext.returncode == 0
    assert "Jämförelsegrupp" in helptext.stdout and "Comparison group" in helptext.stdout


# --- isf ---------------------------------------------------------------------------------------


def test_isf_json_and_xlsx_with_separate_join_years(isf_files, tmp_path):
    counts, joins = isf_files
    target = tmp_path / "isf.json"
    _, err = run(
        "isf",
        "--data",
        str(counts),
        "--join-years",
        str(joins),
        "--bootstrap",
        "49",
        "--output",
        str(target),
    )
    data = json.loads(target.read_text(encoding="utf-8"))
    assert len(data["summary"]) == 30
    estimated = [s for s in data["summary"] if s["overall_effect"] is not None]
    assert len(estimated) == 28  # studying and NEET are not reported for 55–64
    assert data["options"]["bootstrap_draws"] == 49 and data["options"]["control_group"] == "notyet"
    assert {r["aggregation"] for r in data["rows"]} == {"dynamic"}
    assert "28 av 30 kombinationer" in err
    workbook = tmp_path / "isf.xlsx"
    run(
        "isf",
        "--data",
        str(counts),
        "--join-years",
        str(joins),
        "--bootstrap",
        "49",
        "--format",
        "xlsx",
        "--output",
        str(workbook),
    )
    assert load_workbook(workbook).sheetnames == [
        "Sammanfattning",
        "Effekter",
        "Noteringar",
        "Metod",
    ]


def test_isf_without_join_years_stops_without_output(isf_files, tmp_path):
    counts, _ = isf_files
    target = tmp_path / "isf.xlsx"
    with pytest.raises(CommandError, match="join_year"):
        run("isf", "--data", str(counts), "--output", str(target))
    assert not target.exists()
    with pytest.raises(CommandError, match="--output"):
        run("isf", "--data", str(counts))
    with pytest.raises(CommandError, match="Ogiltigt värde för --format"):
        run("isf", "--data", str(counts), "--format", "csv", "--output", str(target))
    assert not target.exists()
