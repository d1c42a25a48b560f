import io

import openpyxl
from hypothesis import given
from hypothesis import strategies as st

from finsam.domain.tabular import check_header, read_table


def rules(problems):
    return {p.rule for p in problems}


def test_csv_with_bom_and_semicolons():
    header, rows, problems = read_table("\ufeffa;b\n1;2\n".encode())
    assert (header, rows, problems) == (["a", "b"], [["1", "2"]], [])


def test_xlsx_first_sheet_with_trailing_empty_columns():
    book = openpyxl.Workbook()
    book.active.append(["a", "b", None])
    book.active.append([1.0, "x", None])
    buffer = io.BytesIO()
    book.save(buffer)
    header, rows, problems = read_table(buffer.getvalue())
    assert header == ["a", "b"] and rows[0][:2] == ["1", "x"] and problems == []


def test_unreadable_inputs_give_problems_not_exceptions(tmp_path):
    assert rules(read_table(b"\xff\xfe\x00a")[2]) == {"file.encoding"}
    assert rules(read_table(b"")[2]) == {"file.empty"}
    assert rules(read_table(tmp_path / "missing.csv")[2]) == {"file.not_found"}
    assert rules(read_table(b"PK\x03\x04broken")[2]) == {"file.xlsx"}


def test_header_check_names_unknown_missing_and_duplicated_columns():
    problems = check_header(["a", "typo", "a"], ["a", "b"], {"a", "b"}, file_label="filen")
    assert rules(problems) == {
        "file.unknown_column",
        "file.missing_column",
        "file.duplicate_column",
    }
    assert any("'typo'" in p.message and "tillåtna: a, b" in p.message for p in problems)


@given(st.binary(max_size=300))
def test_read_table_never_raises(data):
    header, rows, problems = read_table(data)
    assert problems or (isinstance(header, list) and isinstance(rows, list))
