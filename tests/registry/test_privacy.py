"""Identity numbers never stored in clear text; every read audited; audit log append-only."""

from datetime import date

import pytest
from django.db import connection
from django.urls import reverse

from tests.conftest import PNR_WOMAN

FORMS_OF_THE_NUMBER = ["199001010009", "19900101-0009", "900101-0009", "9001010009"]


def dump_database() -> str:
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from the schema
            for row in cursor.fetchall():
                chunks.append(" ".join(str(v) for v in row))
    return "\n".join(chunks)


def enrol_via_form(client, world, **overrides):
    client.force_login(world["users"]["participant_handler"])
    data = {
        "identity_level": "identified",
        "personal_number": PNR_WOMAN,
        "name": "Testa Testsson",
        "consent_date": "2024-03-01",
        "home_municipality": "0183",
        "start_date": "2024-03-01",
        "support_before": ["FSS", "SJP"],
        "education": "GYM",
        "time_on_support": "1TO3",
    }
    data.update(overrides)
    return client.post(reverse("episode_enrol", args=[world["persons"].pk]), data)


def test_identity_number_is_nowhere_in_clear_text(client, world):
    from finsam.registry.models import Episode, Participant

    response = enrol_via_form(client, world)
    assert response.status_code == 302, response.content.decode()[:2000]
    participant = Participant.objects.get()
    assert participant.pseudonym and participant.identity_encrypted
    assert participant.sex == "K" and participant.birth_year == 1990
    assert Episode.objects.get().age_at_start == 34
    dump = dump_database()
    for form in [*FORMS_OF_THE_NUMBER, "Testa Testsson"]:
        assert form not in dump


def test_handler_read_of_identity_is_in_the_audit_log(client, world):
    from finsam.audit.models import AccessLog
    from finsam.registry.models import Episode

    enrol_via_form(client, world)
    episode = Episode.objects.get()
    page = client.get(reverse("episode_detail", args=[episode.pk])).content.decode()
    assert "19900101-0009" not in page  # not shown until asked for
    response = client.post(
        reverse("episode_detail", args=[episode.pk]),
        {"reveal": "1", "purpose": "kontakt", "reason": "ringa om nästa möte"},
    )
    assert "19900101-0009" in response.content.decode()
    assert "Testa Testsson" in response.content.decode()
    log = AccessLog.objects.get()
    assert log.actor == world["users"]["participant_handler"]
    assert log.object_id == str(episode.participant_id)
    assert log.reason == "Kontakt med deltagaren – ringa om nästa möte"


@pytest.mark.parametrize(
    "post, field",
    [
        ({"purpose": "kontakt", "reason": "   "}, "Skriv skälet"),
        ({"purpose": "", "reason": "ringa"}, "Välj ändamål"),
        ({"purpose": "påhittat", "reason": "ringa"}, "Välj ändamål"),
    ],
)
def test_identity_is_not_shown_without_purpose_and_reason(client, world, post, field):
    from finsam.audit.models import AccessLog
    from finsam.registry.models import Episode

    enrol_via_form(client, world)
    episode = Episode.objects.get()
    response = client.post(reverse("episode_detail", args=[episode.pk]), {"reveal": "1", **post})
    page = response.content.decode()
    assert response.status_code == 200
    assert "19900101-0009" not in page and "Testa Testsson" not in page
    assert field in page
    assert post["reason"].strip() in page  # the form keeps the input
    assert AccessLog.objects.count() == 0


def test_same_person_links_across_interventions_by_pseudonym(world, enrol):
    from finsam.registry.models import Participant

    first = enrol()
    second = enrol(intervention=world["other_persons"], home_municipality="0180")
    assert first.participant_id == second.participant_id
    assert Participant.objects.count() == 1


def test_audit_log_is_append_only_in_the_database(world):
    from django.db import DatabaseError, transaction

    from finsam.audit.models import AuditLog

    entry = AuditLog.objects.first()
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        AuditLog.objects.all().delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditlog SET action = 'x'")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditlog")


def test_every_change_is_audited_with_who_and_what(world, enrol):
    from finsam.audit.models import ChangeLog

    episode = enrol()
    log = ChangeLog.objects.filter(action="episode_enrol").get()
    assert log.actor == world["users"]["participant_handler"]
    assert log.object_id == str(episode.pk) and log.association_id == world["association"].pk


def test_system_administrator_can_export_the_audit_log(client, world, enrol):
    enrol()
    client.force_login(world["users"]["system_admin"])
    response = client.get(reverse("audit_list") + "?format=csv")
    body = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert body.splitlines()[0].startswith("Löpnummer;Tidpunkt;Användare;Typ;Händelse")
    assert "Skrev in deltagare" in body


def test_erasure_keeps_anonymous_outcome_strata(world, enrol):
    from finsam.registry import services
    from finsam.registry.models import Participant

    episode = enrol()
    services.episode_exit(
        actor=world["users"]["participant_handler"],
        episode=episode,
        data=services.exit_input_from(
            {"end_date": date(2024, 6, 1), "exit_reason": "ARB", "support_after": ["ING"]}
        ),
        today=date(2026, 11, 22),
    )
    services.participant_erase(
        actor=world["users"]["participant_handler"],
        participant=episode.participant,
        reason="begäran om radering",
    )
    participant = Participant.objects.get()
    assert participant.pseudonym is None and participant.identity_encrypted == ""
    assert participant.identity_level == "anonymous"
    episode.refresh_from_db()
    assert episode.exit_reason == "ARB" and episode.support_after_codes == ("ING",)
    assert "199001010009" not in dump_database()


def test_right_of_access_report_lists_everything_and_is_audited(world, enrol):
    from finsam.audit.models import AccessLog
    from finsam.registry import services

    episode = enrol()
    report = services.participant_access_report(
        actor=world["users"]["participant_handler"],
        participant=episode.participant,
        association_id=world["association"].pk,
    )
    assert report["personal_number"] == "19900101-0009"
    assert report["inskrivningar"][0]["insats"] == "Individinsats"
    assert AccessLog.objects.count() == 1
