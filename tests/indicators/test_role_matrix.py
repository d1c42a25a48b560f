"""Every role × every indicators page: allowed (200) or denied (403). Kept beside the app (the
registry's matrix, ``tests/registry/test_role_matrix.py``, covers the other apps)."""

import pytest
from django.urls import reverse

from tests.registry.test_role_matrix import ALL, ROLES, wrong_statuses


@pytest.fixture
def entries(world, collection_round, exit_version):
    from datetime import date

    from finsam.indicators import services
    from finsam.indicators.models import Indicator

    other_round = services.round_open(
        actor=None,
        association=world["other"],
        questionnaire=exit_version,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
    )
    whole_association = services.round_open(
        actor=None,
        association=world["association"],
        questionnaire=exit_version,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
    )
    r, v = collection_round, exit_version
    d = services.questionnaire_new_version(actor=None, source=v)
    draft_item = d.items.first()
    readers = ALL
    results_readers = ALL - {"system_admin"}
    editors = {"system_admin"}  # domain.md §5: the analyst changes nothing
    return [
        ("indicators_index", reverse("indicators_index"), readers),
        ("definitions", reverse("indicators_definitions"), readers),
        ("definitions json", reverse("indicators_definitions") + "?format=json", readers),
        ("questionnaire", reverse("indicators_questionnaire", args=[v.pk]), readers),
        (
            "questionnaire csv",
            reverse("indicators_questionnaire", args=[v.pk]) + "?format=csv",
            readers,
        ),
        ("import", reverse("indicators_import"), editors),
        ("questionnaire_create", reverse("indicators_questionnaire_create"), editors),
        ("questionnaire_edit", reverse("indicators_questionnaire_edit", args=[d.pk]), editors),
        ("item_add", reverse("indicators_item_add", args=[d.pk]), editors),
        ("item_edit", reverse("indicators_item_edit", args=[d.pk, draft_item.pk]), editors),
        ("indicator_add", reverse("indicators_indicator_add"), editors),
        (
            "indicator_edit",
            reverse("indicators_indicator_edit", args=[Indicator.objects.first().pk]),
            editors,
        ),
        (
            "rounds",
            reverse("indicators_rounds"),
            {"association_admin", "intervention_manager", "participant_handler"},
        ),
        ("round_create", reverse("indicators_round_create"), {"association_admin"}),
        (
            "round own intervention",
            reverse("indicators_round", args=[r.pk]),
            {"association_admin", "intervention_manager", "participant_handler"},
        ),
        (
            "paper own intervention",
            reverse("indicators_paper", args=[r.pk]),
            {"association_admin", "intervention_manager", "participant_handler"},
        ),
        (
            "answers import own intervention",
            reverse("indicators_answers_import", args=[r.pk]),
            {"association_admin", "intervention_manager", "participant_handler"},
        ),
        (
            "paper whole association",
            reverse("indicators_paper", args=[whole_association.pk]),
            # staff assigned to any intervention of the association (docs/indicators.md)
            {"association_admin", "intervention_manager", "participant_handler"},
        ),
        ("round other association", reverse("indicators_round", args=[other_round.pk]), set()),
        ("results", reverse("indicators_results"), results_readers),
        (
            "results own",
            reverse("indicators_results")
            + f"?version={v.pk}&association={world['association'].pk}",
            results_readers,
        ),
        (
            "results other",
            reverse("indicators_results") + f"?version={v.pk}&association={world['other'].pk}",
            {"national_analyst"},
        ),
        (
            "results nation",
            reverse("indicators_results") + f"?version={v.pk}&association=riket",
            {"national_analyst"},
        ),
    ]


@pytest.fixture
def with_answers(collection_round):
    from .conftest import answer

    answer(collection_round, {"A1": 4})


@pytest.mark.parametrize("role", ROLES)
def test_indicator_role_matrix(client, world, entries, with_answers, role):
    client.force_login(world["users"][role])
    wrong = wrong_statuses(client, entries, role)
    assert wrong == []


@pytest.mark.parametrize("role", ROLES)
def test_only_association_admins_create_links(client, world, collection_round, role):
    client.force_login(world["users"][role])
    response = client.post(reverse("indicators_tokens", args=[collection_round.pk]), {"count": "1"})
    assert response.status_code == (200 if role == "association_admin" else 403)


@pytest.mark.parametrize("role", ROLES)
def test_only_definition_editors_publish_and_import(client, world, starter, role):
    from finsam.indicators.models import QuestionnaireVersion

    client.force_login(world["users"][role])
    v = QuestionnaireVersion.objects.first()
    status = client.post(reverse("indicators_questionnaire_new_version", args=[v.pk])).status_code
    assert status == (302 if role == "system_admin" else 403)
    status = client.post(reverse("indicators_starter")).status_code
    assert status == (302 if role == "system_admin" else 403)
