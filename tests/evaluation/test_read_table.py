"""Panel files go through the one table reader (finsam.domain.tabular): the same file messages as
every small input, and problems name the line a spreadsheet shows (header = line 1)."""

import io

import pytest
import xlsxwriter

from finsam.domain.problems import DomainValidationError
from finsam.evaluation import validate_panel
from finsam.evaluation.run import read_table
from finsam.evaluation.validation import LINE_INDEX

KW = {"yname": "y", "tname": "t", "idname": "u", "gname": "g"}


def _problems(source, name="panel.csv"):
    with pytest.raises(DomainValidationError) as exc:
        validate_panel(read_table(io.BytesIO(source), name), **KW)
    return exc.value.problems


def test_a_bad_cell_names_its_spreadsheet_line_blank_lines_counted():
    (problem,) = _problems(b"u,t,y,g\n1,2000,1.5,0\n\n1,2001,hog,0\n")
    assert problem.rule == "evaluation.outcome_not_numeric"
    assert problem.row == 4 and "rad 4" in problem.message


def test_types_are_inferred_and_the_index_is_the_line():
    frame = read_table(io.BytesIO("\ufeffu;t;y;g\n1;2000;1,5;0\n2;2000;2;2001\n".encode()), "p.csv")
    assert list(frame.columns) == ["u", "t", "y", "g"]
    assert frame.index.name == LINE_INDEX and list(frame.index) == [2, 3]
    assert str(frame["t"].dtype) == "int64"
    clean = validate_panel(frame, **KW)  # the decimal comma is the checks' business
    assert list(clean["y"]) == [1.5, 2.0]


def test_file_problems_are_the_common_ones_naming_the_file():
    (problem,) = _problems_read(b"u,t\n\xe5,1\n")
    assert problem.rule == "file.encoding" and problem.message.startswith("panel.csv: ")
    (problem,) = _problems_read(b"u,t,y,g\n1,2000,1,0\n1,2001,2,0,9\n")
    assert problem.rule == "file.extra_values" and problem.row == 3
    assert "Rad 3 har fler värden (5) än rubrikraden (4)" in problem.message
    (problem,) = _problems_read(b"PK\x03\x04 broken", "panel.xlsx")
    assert problem.rule == "file.xlsx"


def _problems_read(source, name="panel.csv"):
    with pytest.raises(DomainValidationError) as exc:
        read_table(io.BytesIO(source), name)
    return exc.value.problems


def test_xlsx_panel_reads_like_csv_with_lines():
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    rows = [
        ["u", "t", "y", "g"],
        ["0114", 2000, 1.5, 0],
        ["0115", 2000, "NA", 0],
        ["0116", 2001, "x", 0],
    ]
    for n, row in enumerate(rows):
        sheet.write_row(n, 0, row)
    book.close()
    frame = read_table(io.BytesIO(buffer.getvalue()), "panel.xlsx", text_columns=("u",))
    assert list(frame["u"]) == ["0114", "0115", "0116"]  # codes kept as text
    assert list(frame.index) == [2, 3, 4]
    with pytest.raises(DomainValidationError) as exc:
        validate_panel(frame, **KW)
    assert [(p.rule, p.row) for p in exc.value.problems] == [("evaluation.outcome_not_numeric", 4)]
