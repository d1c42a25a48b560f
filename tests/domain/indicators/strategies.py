"""Hypothesis strategies for questionnaire definitions and answers."""

from __future__ import annotations

from hypothesis import strategies as st

from finsam.domain.indicators.answers import CANNOT_JUDGE
from finsam.domain.indicators.definitions import (
    DRAFT,
    PUBLISHED,
    RESPONDENT_GROUPS,
    DefinitionSet,
    IndicatorDef,
    ItemDef,
    QuestionnaireDef,
    Scale,
)

# Control and format characters (Cc/Cf) are refused in every text (finsam/domain/inputs.py).
TEXT = (
    st.text(
        alphabet=st.characters(
            codec="utf-8", exclude_categories=("Cc", "Cf", "Cs", "Zl", "Zp"), exclude_characters="|"
        ),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(bool)
)


@st.composite
def scales(draw) -> Scale:
    minimum = draw(st.integers(0, 3))
    points = draw(st.integers(2, 11))
    return Scale(
        minimum=minimum,
        maximum=minimum + points - 1,
        labels=tuple(draw(st.lists(TEXT, min_size=points, max_size=points))),
        top_categories=draw(st.integers(1, points - 1)),
        cannot_judge_label=draw(TEXT),
    )


@st.composite
def definition_sets(draw) -> DefinitionSet:
    numbers = draw(st.lists(st.integers(1, 999), min_size=1, max_size=5, unique=True))
    indicators = tuple(IndicatorDef(n, draw(TEXT), draw(TEXT)) for n in numbers)
    keys = draw(
        st.lists(
            st.tuples(st.sampled_from(list(RESPONDENT_GROUPS)), st.integers(1, 999)),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    questionnaires = []
    for group, version in keys:
        n_items = draw(st.integers(1, 6))
        codes = draw(
            st.lists(
                st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,5}", fullmatch=True),
                min_size=n_items,
                max_size=n_items,
                unique=True,
            )
        )
        positions = draw(
            st.lists(st.integers(1, 999), min_size=n_items, max_size=n_items, unique=True)
        )
        items = tuple(
            ItemDef(code, pos, draw(TEXT), draw(st.sampled_from(numbers)))
            for code, pos in zip(codes, positions, strict=True)
        )
        questionnaires.append(
            QuestionnaireDef(
                respondent_group=group,
                version=version,
                title=draw(TEXT),
                scale=draw(scales()),
                items=items,
                status=draw(st.sampled_from([DRAFT, PUBLISHED])),
                starter=draw(st.booleans()),
            )
        )
    return DefinitionSet(indicators=indicators, questionnaires=tuple(questionnaires))


def answers_for(questionnaire: QuestionnaireDef):
    scale = questionnaire.scale
    value = st.one_of(st.integers(scale.minimum, scale.maximum), st.just(CANNOT_JUDGE))
    return st.fixed_dictionaries({}, optional={item.code: value for item in questionnaire.items})
