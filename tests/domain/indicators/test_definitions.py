from finsam.domain.indicators import definitions as core
from finsam.domain.indicators.definitions import (
    DRAFT,
    PUBLISHED,
    ItemDef,
    QuestionnaireDef,
    Scale,
    check_editable,
    check_publishable,
    published_differences,
    validate_questionnaire,
)

SCALE = Scale(1, 6, ("a", "b", "c", "d", "e", "f"), 2)


def version(*items, status=DRAFT, title="Enkät"):
    return QuestionnaireDef("participant_exit", 1, title, SCALE, tuple(items), status)


def rules(problems):
    return [p.rule for p in problems]


def test_all_six_respondent_groups_of_the_spec():
    assert list(core.RESPONDENT_GROUPS) == [
        "participant_during",
        "participant_exit",
        "staff",
        "board",
        "manager",
        "referrer",
    ]


def test_top_threshold_counts_the_highest_points():
    assert SCALE.top_threshold == 5
    assert Scale(0, 10, tuple("abcdefghijk"), 3).top_threshold == 8


def test_a_valid_version_has_no_problems():
    assert validate_questionnaire(version(ItemDef("D1", 1, "Text", 1)), {1}) == []


def test_scale_rules_name_the_field():
    bad = Scale(1, 1, ("a",), 1)
    problems = validate_questionnaire(QuestionnaireDef("staff", 1, "T", bad), {1})
    assert rules(problems) == ["indicators.scale_points"]
    assert "Svarsskala" in problems[0].message
    wrong_labels = Scale(1, 4, ("a", "b"), 4, "")
    assert set(
        rules(validate_questionnaire(QuestionnaireDef("staff", 1, "T", wrong_labels), set()))
    ) == {
        "indicators.scale_labels",
        "indicators.top_categories",
        "indicators.cannot_judge_label",
    }


def test_items_must_be_unique_and_point_at_a_known_indicator():
    problems = validate_questionnaire(
        version(ItemDef("D1", 1, "A", 1), ItemDef("D1", 1, "", 7), ItemDef("bad code", 2, "C", 1)),
        {1},
    )
    assert set(rules(problems)) == {
        "indicators.item_code_unique",
        "indicators.item_position_unique",
        "indicators.item_text",
        "indicators.item_indicator",
        "indicators.item_code",
    }
    assert any("indikator 7 finns inte" in p.message for p in problems)


def test_unknown_group_and_status_are_named():
    q = QuestionnaireDef("patients", 0, "", SCALE, status="done")
    assert set(rules(validate_questionnaire(q, set()))) == {
        "indicators.respondent_group",
        "indicators.version",
        "indicators.title",
        "indicators.status",
    }


def test_a_published_version_is_frozen():
    assert check_editable(DRAFT) == []
    (problem,) = check_editable(PUBLISHED, label="Version 1")
    assert problem.rule == "indicators.published_frozen"
    assert "ny version" in problem.message


def test_an_empty_draft_cannot_be_published():
    assert rules(check_publishable(version(), {1})) == ["indicators.publish_empty"]
    assert check_publishable(version(ItemDef("D1", 1, "A", 1)), {1}) == []


def test_a_published_version_may_only_be_repeated_word_for_word():
    published = version(ItemDef("D1", 1, "Jag fick hjälp.", 1), status=PUBLISHED)
    same = version(ItemDef("D1", 1, "Jag fick hjälp.", 1), status=PUBLISHED)
    reworded = version(ItemDef("D1", 1, "Jag fick bra hjälp.", 1), status=PUBLISHED)
    assert published_differences(published, same) == []
    assert rules(published_differences(published, reworded)) == ["indicators.published_changed"]
    draft = version(ItemDef("D1", 1, "Jag fick hjälp.", 1))
    assert published_differences(draft, reworded) == []
