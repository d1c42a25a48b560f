from hypothesis import given
from hypothesis import strategies as st

from finsam.domain.indicators.answers import CANNOT_JUDGE, parse_answers
from finsam.domain.indicators.definitions import ItemDef, QuestionnaireDef, Scale

Q = QuestionnaireDef(
    "participant_during",
    1,
    "Enkät",
    Scale(1, 6, ("a", "b", "c", "d", "e", "f"), 2),
    (
        ItemDef("D1", 1, "Insatsen utgår från mina behov.", 1),
        ItemDef("D2", 2, "Någon håller ihop.", 2),
    ),
    "published",
)


def test_points_cannot_judge_and_skipped_items():
    answers, problems = parse_answers(Q, {"D1": "5", "D2": "kb"})
    assert problems == []
    assert answers == {"D1": 5, "D2": CANNOT_JUDGE}
    answers, problems = parse_answers(Q, {"D1": "", "D2": "2"})
    assert answers == {"D2": 2} and problems == []


def test_out_of_scale_names_the_statement():
    _answers, problems = parse_answers(Q, {"D1": "7", "D2": "x"})
    assert [p.field for p in problems] == ["D1", "D2"]
    assert "Påstående 1" in problems[0].message and "1–6" in problems[0].message


def test_empty_submission_and_unknown_items_are_refused():
    _a, problems = parse_answers(Q, {"D1": "", "D2": None})
    assert [p.rule for p in problems] == ["indicators.answer_empty"]
    _a, problems = parse_answers(Q, {"X9": "3"})
    assert "indicators.answer_unknown_item" in [p.rule for p in problems]


@given(st.dictionaries(st.sampled_from(["D1", "D2"]), st.text(max_size=4)))
def test_accepted_answers_are_always_on_the_scale(raw):
    answers, problems = parse_answers(Q, raw)
    for value in answers.values():
        assert value == CANNOT_JUDGE or 1 <= value <= 6
    assert answers or problems


def test_answer_file_rows_and_problems_with_row_numbers():
    import pytest

    from finsam.domain.indicators.answers import parse_answer_file
    from finsam.domain.problems import DomainValidationError

    assert parse_answer_file(Q, "D1,D2\n5,kb\n\n,2\n") == [{"D1": 5, "D2": CANNOT_JUDGE}, {"D2": 2}]
    assert parse_answer_file(Q, "D2;D1\n1;6\n") == [{"D1": 6, "D2": 1}]
    with pytest.raises(DomainValidationError) as exc:
        parse_answer_file(Q, "D1,D2\n5,7\n9,1\n,\n")
    messages = [p.message for p in exc.value.problems]
    # the lines a spreadsheet shows: the header is line 1
    assert messages[0].startswith("Rad 2: Påstående 2") and messages[1].startswith(
        "Rad 3: Påstående 1"
    )
    assert [p.row for p in exc.value.problems] == [2, 3]
    with pytest.raises(DomainValidationError) as exc:
        parse_answer_file(Q, "D1,personnummer\n5,199001010009\n")
    assert exc.value.problems[0].rule == "indicators.answers_unknown_column"
    with pytest.raises(DomainValidationError):
        parse_answer_file(Q, "")


@given(
    st.lists(
        st.fixed_dictionaries(
            {},
            optional={
                "D1": st.sampled_from(["1", "6", "kb", ""]),
                "D2": st.sampled_from(["3", "kb"]),
            },
        ),
        min_size=1,
        max_size=20,
    )
)
def test_answer_file_round_trip(rows):
    from finsam.domain.indicators.answers import parse_answer_file
    from finsam.domain.problems import DomainValidationError

    lines = ["D1,D2"] + [f"{r.get('D1', '')},{r.get('D2', '')}" for r in rows]
    kept = [r for r in rows if any(r.values())]
    try:
        parsed = parse_answer_file(Q, "\n".join(lines) + "\n")
    except DomainValidationError as exc:  # only when every row is empty
        assert not kept, exc
        assert exc.problems[0].rule == "indicators.answers_no_rows"
        return
    expected = [
        {k: (CANNOT_JUDGE if v == "kb" else int(v)) for k, v in r.items() if v} for r in kept
    ]
    assert parsed == expected


def test_answer_file_through_the_one_table_reader_xlsx_and_its_messages():
    import io

    import pytest
    import xlsxwriter

    from finsam.domain.indicators.answers import parse_answer_file
    from finsam.domain.problems import DomainValidationError

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for n, row in enumerate([["D1", "D2"], [5, "kb"], [9, 1]]):
        sheet.write_row(n, 0, row)
    book.close()
    with pytest.raises(DomainValidationError) as exc:
        parse_answer_file(Q, buffer.getvalue())
    (problem,) = exc.value.problems
    assert problem.row == 3 and problem.message.startswith("Rad 3: Påstående 1")
    # the same file-level messages as every other small input (finsam.domain.tabular)
    with pytest.raises(DomainValidationError) as exc:
        parse_answer_file(Q, "D1,D2\n5,kb\n".encode("latin-1") + b"\xe5\n")
    assert exc.value.problems[0].rule == "file.encoding"
    assert "UTF-8" in exc.value.problems[0].message
