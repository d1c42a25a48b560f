from datetime import date

from django.urls import reverse

from finsam.registry.models import Episode, ExtraAnswer, ExtraQuestion
from tests.conftest import PNR_WOMAN


def questions(world):
    common = dict(association=world["association"], valid_from=date(2020, 1, 1))
    return (
        ExtraQuestion.objects.create(
            text="Remitterad från",
            answer_type="single",
            phase="enrolment",
            choices=["FK", "AF", "Kommunen"],
            order=1,
            **common,
        ),
        ExtraQuestion.objects.create(
            text="Har en samordnad plan", answer_type="yes_no", phase="exit", order=1, **common
        ),
    )


ENROL = {
    "identity_level": "identified",
    "personal_number": PNR_WOMAN,
    "consent_date": "2024-03-01",
    "home_municipality": "0183",
    "start_date": "2024-03-01",
    "support_before": ["FSS"],
}


def test_enrolment_form_asks_the_associations_questions_and_stores_answers(client, world):
    enrol_q, exit_q = questions(world)
    client.force_login(world["users"]["participant_handler"])
    url = reverse("episode_enrol", args=[world["persons"].pk])
    page = client.get(url).content.decode()
    assert "Remitterad från" in page and "Har en samordnad plan" not in page
    response = client.post(url, {**ENROL, f"q_{enrol_q.pk}": "AF"})
    assert response.status_code == 302
    episode = Episode.objects.get()
    assert ExtraAnswer.objects.get(episode=episode).value == "AF"
    response = client.post(
        reverse("episode_exit", args=[episode.pk]),
        {
            "end_date": "2024-06-01",
            "exit_reason": "ARB",
            "support_after": ["ING"],
            "work_study_increased": "unknown",
            f"q_{exit_q.pk}": "1",
        },
    )
    assert response.status_code == 302
    assert ExtraAnswer.objects.get(question=exit_q).value is True
    detail = client.get(reverse("episode_detail", args=[episode.pk])).content.decode()
    assert "Har en samordnad plan" in detail and "Ja" in detail


def test_an_invalid_answer_saves_nothing(client, world):
    enrol_q, _ = questions(world)
    client.force_login(world["users"]["participant_handler"])
    response = client.post(
        reverse("episode_enrol", args=[world["persons"].pk]),
        {**ENROL, f"q_{enrol_q.pk}": "Grannen"},
    )
    assert response.status_code == 200
    assert "välj ett av alternativen" in response.content.decode()
    assert Episode.objects.count() == 0 and ExtraAnswer.objects.count() == 0


def test_consent_withdrawal_page(client, world, enrol):
    from finsam.registry.models import Consent

    episode = enrol()
    client.force_login(world["users"]["participant_handler"])
    url = reverse("consent_withdraw", args=[episode.pk])
    response = client.post(url, {"withdrawn_date": "2099-01-01"})
    assert "får inte vara i framtiden" in response.content.decode()
    assert Consent.objects.get().withdrawn_date is None
    response = client.post(url, {"withdrawn_date": "2025-01-10"})
    assert response.status_code == 302
    assert Consent.objects.get().withdrawn_date == date(2025, 1, 10)
