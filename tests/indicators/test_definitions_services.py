"""Questionnaire definitions: drafts edit, published versions never change, import is
all-or-nothing, the starter set loads idempotently."""

import json

import pytest

from finsam.audit.models import AuditLog
from finsam.domain.indicators import transfer
from finsam.domain.indicators.definitions import Scale
from finsam.domain.problems import DomainValidationError
from finsam.indicators import selectors, services
from finsam.indicators.models import Indicator, Item, QuestionnaireVersion

SCALE = Scale(1, 4, ("Nej", "Lite", "Ganska", "Ja"), 1)


def test_starter_set_loads_once_and_is_marked(world, starter):
    assert QuestionnaireVersion.objects.count() == 6
    assert QuestionnaireVersion.objects.filter(starter=True, status="published").count() == 6
    assert Indicator.objects.count() == 10
    n_items = Item.objects.count()
    counts = services.starter_load(actor=None)
    assert counts["oförändrade"] == 6 and counts["nya versioner"] == 0
    assert Item.objects.count() == n_items
    assert selectors.starter_in_use()


def test_draft_edit_publish_then_frozen(world, starter):
    actor = world["users"]["national_analyst"]
    draft = services.questionnaire_create(
        actor=actor, respondent_group="referrer", title="Remittentenkät", scale=SCALE
    )
    assert draft.version == 2 and draft.status == "draft"
    item = services.item_save(
        actor=actor,
        questionnaire=draft,
        code="R1",
        position=1,
        text="Bra samarbete.",
        indicator_number=6,
    )
    services.item_save(
        actor=actor,
        questionnaire=draft,
        item=item,
        code="R1",
        position=1,
        text="Mycket bra.",
        indicator_number=6,
    )
    services.questionnaire_publish(actor=actor, questionnaire=draft)
    draft.refresh_from_db()
    assert draft.is_published and draft.published_at
    for call in (
        lambda: services.item_save(
            actor=actor,
            questionnaire=draft,
            item=item,
            code="R1",
            position=1,
            text="Ändrad",
            indicator_number=6,
        ),
        lambda: services.item_save(
            actor=actor, questionnaire=draft, code="R2", position=2, text="Ny", indicator_number=6
        ),
        lambda: services.item_delete(actor=actor, item=item),
        lambda: services.questionnaire_update(
            actor=actor, questionnaire=draft, title="Ny rubrik", scale=SCALE
        ),
        lambda: services.questionnaire_publish(actor=actor, questionnaire=draft),
        lambda: services.questionnaire_delete_draft(actor=actor, questionnaire=draft),
    ):
        with pytest.raises(DomainValidationError) as exc:
            call()
        assert exc.value.problems[0].rule == "indicators.published_frozen"
    item.refresh_from_db()
    assert item.text == "Mycket bra."
    assert draft.items.count() == 1
    assert AuditLog.objects.filter(action="questionnaire_publish", object_id=str(draft.pk)).exists()


def test_new_wording_is_a_new_version(world, exit_version):
    actor = world["users"]["system_admin"]
    new = services.questionnaire_new_version(actor=actor, source=exit_version)
    assert (new.version, new.status, new.starter) == (2, "draft", False)
    assert new.items.count() == exit_version.items.count()
    a1 = new.items.get(code="A1")
    services.item_save(
        actor=actor,
        questionnaire=new,
        item=a1,
        code="A1",
        position=a1.position,
        text="Insatsen passade mig.",
        indicator_number=1,
    )
    assert exit_version.items.get(code="A1").text == "Insatsen var anpassad efter mina behov."


def test_item_problems_are_specific(world, starter):
    actor = world["users"]["system_admin"]
    draft = services.questionnaire_create(
        actor=actor, respondent_group="staff", title="T", scale=SCALE
    )
    services.item_save(
        actor=actor, questionnaire=draft, code="P1", position=1, text="A", indicator_number=1
    )
    with pytest.raises(DomainValidationError) as exc:
        services.item_save(
            actor=actor, questionnaire=draft, code="P1", position=1, text="", indicator_number=99
        )
    assert {p.rule for p in exc.value.problems} == {
        "indicators.item_code_unique",
        "indicators.item_position_unique",
        "indicators.item_text",
        "indicators.item_indicator",
    }
    assert draft.items.count() == 1


def test_import_is_all_or_nothing(world, starter):
    definitions = transfer.parse_json(services.STARTER_FILE.read_text(encoding="utf-8"))
    data = transfer.to_json_data(definitions)
    # a new version (fine) and a changed published version (refused) in one file
    new = json.loads(json.dumps(data["questionnaires"][0]))
    new["version"] = 7
    changed = json.loads(json.dumps(data["questionnaires"][1]))
    changed["items"][0]["text"] = "Omformulerat påstående."
    data["questionnaires"] = [new, changed]
    before = (QuestionnaireVersion.objects.count(), Item.objects.count(), AuditLog.objects.count())
    with pytest.raises(DomainValidationError) as exc:
        services.definitions_import(actor=None, definitions=transfer.parse_json(json.dumps(data)))
    assert [p.rule for p in exc.value.problems] == ["indicators.published_changed"]
    assert "nytt versionsnummer" in exc.value.problems[0].message
    assert (
        QuestionnaireVersion.objects.count(),
        Item.objects.count(),
        AuditLog.objects.count(),
    ) == before
    data["questionnaires"] = [new]
    counts = services.definitions_import(
        actor=None, definitions=transfer.parse_json(json.dumps(data))
    )
    assert counts["nya versioner"] == 1
    assert QuestionnaireVersion.objects.filter(version=7).get().items.count() == len(new["items"])


def test_import_replaces_a_draft(world, starter):
    actor = world["users"]["system_admin"]
    draft = services.questionnaire_create(
        actor=actor, respondent_group="board", title="Utkast", scale=SCALE
    )
    services.item_save(
        actor=actor, questionnaire=draft, code="S1", position=1, text="Gammal", indicator_number=8
    )
    exported = selectors.definition_set([draft])
    text = transfer.to_csv(exported).replace("Gammal", "Ny text")
    counts = services.definitions_import(actor=actor, definitions=transfer.parse_csv(text))
    assert counts["ersatta utkast"] == 1
    assert list(draft.items.values_list("text", flat=True)) == ["Ny text"]


def test_export_then_import_is_a_no_op(world, starter):
    definitions = selectors.definition_set()
    for text in (transfer.to_json(definitions), transfer.to_csv(definitions)):
        counts = services.definitions_import(actor=None, definitions=transfer.parse(text))
        assert counts["oförändrade"] == 6 and counts["nya versioner"] == 0
