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
