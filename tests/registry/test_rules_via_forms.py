"""Every rule of domain.md §3 submitted through the web forms: Swedish message, nothing saved,
and the form keeps what the user typed."""

from datetime import date

import pytest
from django.urls import reverse

from tests.conftest import PNR_WOMAN


def counts():
    from finsam.audit.models import AuditLog
    from finsam.registry.models import Consent, Episode, FollowUp, Participant, VolumeCount

    return (
        *(m.objects.count() for m in (Episode, Participant, Consent, FollowUp, VolumeCount)),
        AuditLog.objects.exclude(log_type="auth").count(),  # signing in is audited, too
    )


def post_enrol(client, world, **overrides):
    client.force_login(world["users"]["participant_handler"])
    data = {
        "identity_level": "identified",
        "personal_number": PNR_WOMAN,
        "consent_date": "2024-03-01",
        "home_municipality": "0183",
        "start_date": "2024-03-01",
        "support_before": ["FSS"],
    }
    data.update(overrides)
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(reverse("episode_enrol", args=[world["persons"].pk]), data)


ENROL_CASES = [
    ({"personal_number": "19900101-0008"}, "fel kontrollsiffra"),
    ({"personal_number": "19901301-0009"}, "giltigt födelsedatum"),
    ({"consent_date": None}, "kräver ett registrerat samtycke"),
    ({"protected_identity": "on"}, "skyddade personuppgifter får bara registreras anonymt"),
    ({"start_date": "2018-05-01"}, "inom insatsens period"),
    ({"start_date": "2003-12-31"}, "före 2004-01-01"),
    ({"home_municipality": "9999"}, "ingen giltig kommunkod"),
    ({"support_before": None}, "Försörjning före måste anges"),
    (
        {"identity_level": "anonymous", "personal_number": "", "consent_date": None},
        "Kön måste anges",
    ),
    (
        {
            "identity_level": "anonymous",
            "personal_number": PNR_WOMAN,
            "sex": "K",
            "birth_year": "1990",
            "consent_date": None,
        },
        "får inte anges vid anonym registrering",
    ),
    ({"start_date": "2099-01-01"}, "får inte vara i framtiden"),
]


@pytest.mark.parametrize(("overrides", "message"), ENROL_CASES)
def test_enrolment_rule_violations(client, world, overrides, message):
    before = counts()
    response = post_enrol(client, world, **overrides)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert 'class="error-summary"' in html
    assert counts() == before
    if overrides.get("home_municipality"):
        assert f'value="{overrides["home_municipality"]}"' in html  # kept what was typed


def test_overlapping_enrolment_in_the_same_intervention(client, world):
    assert post_enrol(client, world).status_code == 302
    before = counts()
    response = post_enrol(client, world, start_date="2024-05-01", consent_date="2024-05-01")
    assert "redan inskriven i samma insats under en överlappande period" in (
        response.content.decode()
    )
    assert counts() == before


def test_withdrawn_consent_blocks_identified_registration(client, world):
    from finsam.registry import services
    from finsam.registry.models import Episode, Participant

    assert post_enrol(client, world).status_code == 302
    episode = Episode.objects.get()
    services.episode_exit(
        actor=world["users"]["participant_handler"],
        episode=episode,
        data=services.exit_input_from(
            {"end_date": date(2024, 4, 1), "exit_reason": "AVB", "support_after": ["SAK"]}
        ),
    )
    services.consent_withdraw(
        actor=world["users"]["participant_handler"],
        participant=Participant.objects.get(),
        withdrawn_date=date(2024, 4, 2),
    )
    before = counts()
    response = post_enrol(client, world, start_date="2024-06-01", consent_date="2024-03-01")
    assert "samtycket är återkallat" in response.content.decode()
    assert counts() == before


def test_enrolment_in_a_volume_intervention_is_refused(client, world):
    client.force_login(world["users"]["participant_handler"])
    before = counts()
    response = client.post(
        reverse("episode_enrol", args=[world["volume"].pk]),
        {
            "identity_level": "anonymous",
            "sex": "K",
            "birth_year": "1990",
            "home_municipality": "0183",
            "start_date": "2024-01-01",
            "support_before": ["FSS"],
        },
        follow=True,
    )
    assert "tar inte emot personregistrering" in response.content.decode()
    assert counts() == before


def test_home_municipality_outside_the_area_warns_but_saves(client, world):
    response = post_enrol(client, world, home_municipality="0180")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "utanför förbundets område" in page


def make_episode(enrol):
    return enrol(start_date=date(2024, 3, 1))


EXIT_CASES = [
    ({"end_date": "2024-02-01"}, "får inte vara före startdatum"),
    ({"end_date": "2099-01-01"}, "får inte vara i framtiden"),
    ({"exit_reason": ""}, "Avslutningsanledning måste anges"),
    ({"support_after": None}, "Försörjning efter måste anges"),
    ({"work_hours": "-5"}, "får inte vara negativt"),
    ({"work_hours": "200"}, "mellan 0 och 168"),
]


@pytest.mark.parametrize(("overrides", "message"), EXIT_CASES)
def test_exit_rule_violations(client, world, enrol, overrides, message):
    episode = make_episode(enrol)
    client.force_login(world["users"]["participant_handler"])
    data = {
        "end_date": "2024-06-01",
        "exit_reason": "ARB",
        "support_after": ["ING"],
        "work_hours": "20",
        "work_study_increased": "unknown",
    }
    data.update(overrides)
    data = {k: v for k, v in data.items() if v is not None}
    before = counts()
    response = client.post(reverse("episode_exit", args=[episode.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert counts() == before
    episode.refresh_from_db()
    assert episode.end_date is None


def test_a_valid_exit_is_saved_and_derives_the_increase(client, world, enrol):
    episode = make_episode(enrol)
    client.force_login(world["users"]["participant_handler"])
    response = client.post(
        reverse("episode_exit", args=[episode.pk]),
        {
            "end_date": "2024-06-01",
            "exit_reason": "ARB",
            "support_after": ["ING"],
            "occupation_after": "ARB",
            "work_hours": "45",
            "work_study_increased": "unknown",
        },
    )
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.end_date == date(2024, 6, 1) and episode.support_after_codes == ("ING",)


VOLUME_CASES = [
    ({"women": "-1"}, "antalet ska vara ett heltal som är 0 eller större"),
    ({"men": "2.5"}, "Män: ange ett tal"),
    ({"month": "2003-12"}, "före 2004-01-01"),
    ({"month": "13-2024"}, "ange månaden som ÅÅÅÅ-MM"),
]


@pytest.mark.parametrize(("overrides", "message"), VOLUME_CASES)
def test_volume_rule_violations(client, world, overrides, message):
    client.force_login(world["users"]["intervention_manager"])
    data = {"month": "2024-01", "women": "3", "men": "2", "other": "0"}
    data.update(overrides)
    before = counts()
    response = client.post(reverse("volume_edit", args=[world["volume"].pk]), data)
    assert message in response.content.decode()
    assert counts() == before


def test_volume_counts_are_saved_per_month_and_replaced(client, world):
    from finsam.registry.models import VolumeCount

    client.force_login(world["users"]["intervention_manager"])
    url = reverse("volume_edit", args=[world["volume"].pk])
    client.post(url, {"month": "2024-01", "women": "3", "men": "2", "other": "1"})
    client.post(url, {"month": "2024-01", "women": "4", "men": "2", "other": "1"})
    row = VolumeCount.objects.get()
    assert (row.month, row.women, row.total) == (date(2024, 1, 1), 4, 7)


def test_followup_requires_an_exited_episode(client, world, enrol):
    episode = make_episode(enrol)
    client.force_login(world["users"]["participant_handler"])
    before = counts()
    response = client.post(
        reverse("followup_record", args=[episode.pk]), {"months_after": "6", "support": ["ING"]}
    )
    assert "bara registreras för en avslutad inskrivning" in response.content.decode()
    assert counts() == before


def test_mark_as_registration_error_keeps_history(client, world, enrol):
    from finsam.audit.models import ChangeLog

    episode = make_episode(enrol)
    client.force_login(world["users"]["participant_handler"])
    response = client.post(
        reverse("episode_mark_error", args=[episode.pk]), {"reason": "Dubbelregistrerad"}
    )
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.exit_reason == "FEL"
    log = ChangeLog.objects.get(action="episode_mark_error")
    assert log.changes["exit_reason"] == ["", "FEL"]
    page = client.get(reverse("episode_detail", args=[episode.pk])).content.decode()
    assert "felregistrering" in page and "Dubbelregistrerad" in page


def test_correction_keeps_old_values_in_history(client, world, enrol):
    episode = make_episode(enrol)
    client.force_login(world["users"]["participant_handler"])
    response = client.post(
        reverse("episode_correct", args=[episode.pk]),
        {
            "start_date": "2024-03-05",
            "home_municipality": "0183",
            "support_before": ["SJP"],
            "reason": "Fel startdatum",
        },
    )
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.start_date == date(2024, 3, 5) and episode.support_before_codes == ("SJP",)
    page = client.get(reverse("episode_detail", args=[episode.pk])).content.decode()
    assert "2024-03-01" in page and "2024-03-05" in page


def test_intervention_form_rules(client, world):
    from finsam.registry.models import Intervention

    client.force_login(world["users"]["association_admin"])
    before = Intervention.objects.count()
    response = client.post(
        reverse("intervention_create", args=[world["association"].pk]),
        {
            "code": "SBG-IND",
            "name": "Ny",
            "start_date": "2024-05-01",
            "end_date": "2024-01-01",
            "status": "planned",
            "orientation": "individual",
            "registration": "persons",
        },
    )
    html = response.content.decode()
    assert "Slutdatum får inte vara före startdatum" in html
    assert "används redan av en annan insats" in html
    assert 'value="Ny"' in html
    assert Intervention.objects.count() == before


def test_district_must_lie_in_the_home_municipality(client, world):
    before = counts()
    response = post_enrol(client, world, district="1480-HIS")
    assert "stadsdelen ligger inte i hemkommunen" in response.content.decode()
    assert counts() == before
    response = post_enrol(client, world, home_municipality="0180", district="0180-BRO")
    assert response.status_code == 302
    from finsam.registry.models import Episode

    assert Episode.objects.get().district.name == "Bromma"
