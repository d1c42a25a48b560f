"""The definition pages through the test client: drafts, publishing, import and export."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from finsam.indicators.models import Item, QuestionnaireVersion
from tests.conftest import login


def test_definitions_page_marks_the_starter_set(client, world, starter):
    login(client, world["users"]["board_reader"])
    body = client.get(reverse("indicators_definitions")).content.decode()
    assert "Startuppsättning – inte NNS officiella formuleringar" in body
    assert "Remittenter" in body and "Styrelseledamöter" in body
    assert "Importera definitioner" not in body  # a reader does not edit
    exported = json.loads(client.get(reverse("indicators_definitions") + "?format=json").content)
    assert exported["format"] == "finsam-indicators" and exported["starter"] is True
    assert len(exported["questionnaires"]) == 6


def test_draft_through_the_web_then_published_is_closed(client, world, starter):
    login(client, world["users"]["system_admin"])
    response = client.post(
        reverse("indicators_questionnaire_create"),
        {
            "respondent_group": "manager",
            "title": "Chefsenkät 2027",
            "scale_min": "1",
            "scale_max": "4",
            "scale_labels": "Nej\nLite\nGanska\nJa",
            "top_categories": "1",
            "cannot_judge_label": "Kan inte bedöma",
        },
    )
    draft = QuestionnaireVersion.objects.get(title="Chefsenkät 2027")
    assert response.status_code == 302 and draft.version == 2 and draft.status == "draft"
    add = reverse("indicators_item_add", args=[draft.pk])
    bad = client.post(
        add, {"code": "C 1", "position": "1", "text": "Vi samarbetar.", "indicator": "6"}
    )
    body = bad.content.decode()
    # the form's safe-code check (finsam/domain/inputs.py) or the core's own rule
    assert "Frågekod: 1–20 tecken" in body or "Frågekod: en kod får bara" in body
    assert "Vi samarbetar." in body
    assert not Item.objects.filter(questionnaire=draft).exists()
    client.post(add, {"code": "C1", "position": "1", "text": "Vi samarbetar.", "indicator": "6"})
    assert draft.items.count() == 1
    client.post(reverse("indicators_questionnaire_publish", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.is_published
    edit = client.get(reverse("indicators_questionnaire_edit", args=[draft.pk]), follow=True)
    assert "är publicerad och kan inte ändras" in edit.content.decode()
    item = draft.items.get()
    post = client.post(
        reverse("indicators_item_edit", args=[draft.pk, item.pk]),
        {"code": "C1", "position": "1", "text": "Ändrat", "indicator": "6"},
    )
    assert post.status_code == 302
    item.refresh_from_db()
    assert item.text == "Vi samarbetar."
    deleted = client.post(reverse("indicators_item_delete", args=[draft.pk, item.pk]), follow=True)
    assert "kan inte ändras" in deleted.content.decode()
    assert draft.items.count() == 1


def test_scale_problems_are_shown_on_the_fields(client, world, starter):
    login(client, world["users"]["system_admin"])
    page = client.post(
        reverse("indicators_questionnaire_create"),
        {
            "respondent_group": "staff",
            "title": "T",
            "scale_min": "1",
            "scale_max": "4",
            "scale_labels": "Nej\nJa",
            "top_categories": "1",
            "cannot_judge_label": "Kan inte bedöma",
        },
    )
    body = page.content.decode()
    assert "Skalans etiketter: ange en etikett per steg, 4 stycken (nu 2)." in body
    assert 'href="#id_scale_labels"' in body
    assert QuestionnaireVersion.objects.filter(respondent_group="staff").count() == 1


def test_import_page_all_or_nothing(client, world, starter):
    login(client, world["users"]["system_admin"])
    csv_text = client.get(reverse("indicators_definitions") + "?format=csv").content.decode()
    changed = csv_text.replace("Jag blev bemött med respekt.", "Jag blev väl bemött.")
    before = Item.objects.count()
    page = client.post(
        reverse("indicators_import"),
        {"file": SimpleUploadedFile("def.csv", changed.encode("utf-8"), "text/csv")},
    )
    body = page.content.decode()
    assert page.status_code == 200 and "Publicerade versioner ändras aldrig" in body
    assert Item.objects.count() == before
    renumbered = changed.replace("participant_exit,1,", "participant_exit,2,")
    ok = client.post(
        reverse("indicators_import"),
        {"file": SimpleUploadedFile("def.csv", renumbered.encode("utf-8"), "text/csv")},
    )
    assert ok.status_code == 302
    new = QuestionnaireVersion.objects.get(respondent_group="participant_exit", version=2)
    assert new.items.filter(text="Jag blev väl bemött.").exists()
    latin1 = client.post(
        reverse("indicators_import"),
        {"file": SimpleUploadedFile("def.csv", "åäö".encode("latin-1"), "text/csv")},
    )
    assert "filen måste vara i UTF-8" in latin1.content.decode()


def test_printable_paper_questionnaire(client, world, exit_version):
    login(client, world["users"]["association_admin"])
    pdf = client.get(reverse("indicators_questionnaire", args=[exit_version.pk]) + "?format=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert 'filename="enkat_participant_exit_v1.pdf"' in pdf["Content-Disposition"]
