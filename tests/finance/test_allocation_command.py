"""``finsam allocation``: csv, json and xlsx; bad input exits non-zero and writes no file."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from finsam.domain.finance.allocation import LAYOUT_COLUMNS

from .conftest import ALLOCATION_CSV

FRAME = "20000000"


@pytest.fixture
def input_file(tmp_path):
    path = tmp_path / "allocation_input.csv"
    path.write_bytes(ALLOCATION_CSV)
    return path


def test_csv_to_stdout(input_file):
    out = io.StringIO()
    call_command("allocation", str(input_file), "--frame", FRAME, stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == list(LAYOUT_COLUMNS)
    assert [r["association_code"] for r in rows] == ["FIN", "HOG", "OTH", "SBG"]
    total = sum(float(r["allocation"]) for r in rows)
    assert total == pytest.approx(20_000_000, abs=0.01)
    assert sum(float(r["key"]) for r in rows) == pytest.approx(1)
    hog = next(r for r in rows if r["association_code"] == "HOG")
    assert float(hog["allocation"]) <= 3_205_000  # takes at most what it requested
    fin = next(r for r in rows if r["association_code"] == "FIN")
    assert fin["over_equity_recommendation"] == "1"  # 1 690 000 > 20 % of 5 144 000


def test_json_and_options(input_file, tmp_path):
    target = tmp_path / "ut.json"
    call_command(
        "allocation",
        str(input_file),
        "--frame",
        FRAME,
        "--base-grant",
        "500000",
        "--floor",
        "none",
        "--equity-policy",
        "full",
        "--format",
        "json",
        "--output",
        str(target),
        stderr=io.StringIO(),
    )
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["parameters"]["base_grant"] == 500_000
    assert data["parameters"]["floor_share"] is None
    assert data["parameters"]["equity_policy"] == "full"
    assert data["remaining_base"] == 20_000_000 - 4 * 500_000
    fin = next(r for r in data["rows"] if r["association_code"] == "FIN")
    # full policy: reduced by the whole excess 1 690 000 − 0.2 × 5 144 000 = 661 200
    assert fin["after_equity"] == pytest.approx(fin["model"] - 661_200, abs=0.01)


def test_xlsx_with_year_frame(input_file, tmp_path):
    target = tmp_path / "ut.xlsx"
    call_command(
        "allocation",
        str(input_file),
        "--year",
        "2016",
        "--format",
        "xlsx",
        "--output",
        str(target),
        stderr=io.StringIO(),
    )
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Fördelning", "Parametrar"]
    sheet = book["Fördelning"]
    assert [c.value for c in sheet[1]] == list(LAYOUT_COLUMNS)
    assert sheet.cell(row=6, column=8).value == pytest.approx(339_000_000, abs=0.01)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--frame", "abc"], "--frame"),
        (["--frame", "1000000"], "räcker inte till grundbidraget"),
        (["--frame", FRAME, "--floor", "90"], "--floor"),
        (["--frame", FRAME, "--equity-policy", "half-ish"], "--equity-policy"),
        (["--frame", FRAME, "--format", "pdf"], "--format"),
        ([], "--frame krävs"),
        (["--year", "2005"], "ingen känd statlig ram"),
    ],
)
def test_bad_options_exit_non_zero_without_a_file(input_file, tmp_path, args, fragment):
    target = tmp_path / "ut.csv"
    with pytest.raises(CommandError) as exc:
        call_command("allocation", str(input_file), *args, "--output", str(target))
    assert fragment in str(exc.value)
    assert "\n" not in str(exc.value)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == [input_file]


def test_bad_file_exits_non_zero_without_a_file(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "association_code,name,support_measure_sek,population_16_64\nA,A,1 000,5\nA,B,-1,5\n",
        encoding="utf-8",
    )
    target = tmp_path / "ut.csv"
    with pytest.raises(CommandError) as exc:
        call_command("allocation", str(bad), "--frame", FRAME, "--output", str(target))
    assert "inget tal" in str(exc.value) and "fel till" in str(exc.value)
    assert not target.exists()
    with pytest.raises(CommandError) as exc:
        call_command("allocation", str(tmp_path / "finns-inte.csv"), "--frame", FRAME)
    assert "finns inte" in str(exc.value)
