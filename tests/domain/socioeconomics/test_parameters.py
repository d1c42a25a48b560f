from pathlib import Path

import pytest

from finsam.domain.codelists import SUPPORT
from finsam.domain.problems import DomainValidationError
from finsam.domain.socioeconomics.parameters import (
    ACTORS,
    PRODUCTION_FULLTIME,
    WORK_FULLTIME,
    ParameterRow,
    build_parameters,
    default_parameter_years,
    default_parameters,
    parameters_csv_rows,
    read_parameters,
)

DATA = Path(__file__).resolve().parents[3] / "finsam" / "domain" / "socioeconomics" / "data"


def rules(exc: DomainValidationError) -> list[str]:
    return [p.rule for p in exc.problems]


def test_defaults_are_shipped_with_source_year_and_assumption_flag():
    params = default_parameters()
    assert params.valid_year in default_parameter_years()
    assert (DATA / f"payback_parameters_{params.valid_year}.csv").exists()
    for row in params.rows:
        assert row.source, row
        assert row.year is not None and 2000 < row.year <= params.valid_year
        assert row.actor in ACTORS
    assert params.assumptions, "defaults that are assumptions must be flagged"
    assert params.production_value() > 0
    for actor in ("municipality", "region", "state"):
        assert params.work_income(actor) > 0
    # social assistance costs the municipality, sickness benefit FK, unemployment benefit AF
    assert params.monthly("FSS", "municipality") > 0
    assert params.monthly("SJP", "fk") > 0
    assert params.monthly("AKA", "af") > 0
    assert params.monthly("ING", "municipality") == 0


def test_default_year_selection_takes_latest_not_after():
    latest = max(default_parameter_years())
    assert default_parameters(latest + 5).valid_year == latest
    assert default_parameters(latest).valid_year == latest


def test_read_user_file_with_semicolons_bom_and_optional_columns():
    text = "\ufeffitem;actor;monthly_sek\nFSS;municipality;9000\nWORK_FULLTIME;region;3000.5\n"
    params = read_parameters(text, valid_year=2025)
    assert params.valid_year == 2025
    assert params.monthly("FSS", "municipality") == 9000
    assert params.work_income("region") == 3000.5
    assert params.support_cost({"FSS", "SJP"}, "municipality") == 9000


def test_round_trip_of_the_export_layout():
    params = default_parameters()
    again = read_parameters(parameters_csv_rows(params), valid_year=params.valid_year)
    assert again.rows == params.rows


@pytest.mark.parametrize(
    ("text", "rule", "word"),
    [
        ("item,actor,monthly_sek\nFSS,municipality,-5\n", "parameters.negative", "negativt"),
        ("item,actor,monthly_sek\nXYZ,municipality,5\n", "parameters.unknown_item", "Okänd post"),
        ("item,actor,monthly_sek\nSAK,municipality,5\n", "parameters.unknown_item", "saknas"),
        ("item,actor,monthly_sek\nFSS,kyrkan,5\n", "parameters.unknown_actor", "Okänd aktör"),
        (
            "item,actor,monthly_sek\nFSS,municipality,5\nFSS,municipality,6\n",
            "parameters.duplicate",
            "två gånger",
        ),
        (
            f"item,actor,monthly_sek\n{PRODUCTION_FULLTIME},region,5\n",
            "parameters.production_society_only",
            "society",
        ),
        ("item,actor,monthly_sek\nFSS,municipality,tio\n", "number.invalid", "tal"),
        ("item,actor,monthly_sek,colour\nFSS,municipality,5,red\n", "file.unknown_column", "Okänd"),
        ("item,actor\nFSS,municipality\n", "file.missing_column", "saknas"),
        (
            "item,actor,monthly_sek,assumption\nFSS,municipality,5,ja\n",
            "parameters.assumption_flag",
            "0 eller 1",
        ),
    ],
)
def test_bad_files_give_a_swedish_error_and_no_table(text, rule, word):
    with pytest.raises(DomainValidationError) as info:
        read_parameters(text)
    assert rule in rules(info.value)
    assert word in str(info.value)


def test_every_problem_is_reported_at_once_with_row_numbers():
    text = "item,actor,monthly_sek\nFSS,municipality,-1\nXYZ,fk,1\nFSS,kyrkan,1\n"
    with pytest.raises(DomainValidationError) as info:
        read_parameters(text)
    assert [(p.rule, p.row) for p in info.value.problems] == [  # spreadsheet lines: header = 1
        ("parameters.negative", 2),
        ("parameters.unknown_item", 3),
        ("parameters.unknown_actor", 4),
    ]


def test_all_support_codes_but_missing_are_valid_items():
    rows = [ParameterRow(c, "state", 1.0) for c in SUPPORT.code_values if c != "SAK"]
    rows.append(ParameterRow(WORK_FULLTIME, "state", 1.0))
    assert len(build_parameters(rows).rows) == len(rows)


def test_with_changes_marks_edits_as_assumptions_and_validates():
    params = default_parameters()
    edited = params.with_changes({("FSS", "municipality"): 12345})
    assert edited.monthly("FSS", "municipality") == 12345
    row = next(r for r in edited.rows if (r.item, r.actor) == ("FSS", "municipality"))
    assert row.assumption
    with pytest.raises(DomainValidationError):
        params.with_changes({("FSS", "municipality"): -1})


def test_xlsx_with_the_same_columns_is_accepted(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["item", "actor", "monthly_sek", "assumption"])
    sheet.append(["FSS", "municipality", 9500, 1])
    sheet.append(["SJP", "fk", 18000.5, 0])
    path = tmp_path / "parametrar.xlsx"
    workbook.save(path)
    params = read_parameters(path, valid_year=2025)
    assert params.monthly("FSS", "municipality") == 9500
    assert params.monthly("SJP", "fk") == 18000.5
    assert [r.assumption for r in params.rows] == [True, False]


def test_csv_file_on_disk_is_read(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("item,actor,monthly_sek\nAKA,af,17000\n", encoding="utf-8-sig")
    assert read_parameters(path).monthly("AKA", "af") == 17000
