"""The registered person's rights (GDPR art. 15–17) through the pages and the commands;
permission checked inside the services; each audited."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse

from finsam.audit.models import AuditLog
from tests.conftest import PNR_MAN, PNR_WOMAN


@pytest.fixture
def person(world, enrol):
    from finsam.registry import services

    episode = enrol()
    handler = world["users"]["participant_handler"]
    services.participant_identity_reveal(
        actor=handler,
        participant=episode.participant,
        association_id=world["association"].pk,
        reason="Kontakt med deltagaren – boka möte",
    )
    return episode


def test_extract_holds_everything_and_who_read_the_identity(world, person):
    from finsam.registry import rights

    handler = world["users"]["participant_handler"]
    data = rights.access_extract(actor=handler, participant=person.participant)
    assert data["person"]["personnummer"] == PNR_WOMAN
    episode = data["inskrivningar"][0]
    fields = {f["falt"]: f for f in episode["uppgifter"]}
    # every concrete episode field except the link to the person
    expected = {f.name for f in type(person)._meta.concrete_fields if not f.primary_key}
    assert set(fields) == expected - {"participant"}
    assert fields["support_before"]["text"] == "Försörjningsstöd/Ekonomiskt bistånd"
    assert fields["home_municipality"]["text"].startswith("Sundbyberg")
    assert data["samtycken"][0]["lamnat"] == "2024-03-01"
    reads = data["lasningar_av_identitet"]
    assert reads[0]["anvandare"] == "participant_handler"
    assert reads[0]["skal"] == "Kontakt med deltagaren – boka möte"
    assert reads[-1]["handelse"] == "Registerutdrag (rätt till tillgång)"
    assert json.loads(rights.extract_json(data))["person"]["personnummer"] == PNR_WOMAN
    assert AuditLog.objects.filter(action="participant_extract", actor=handler).count() == 1


@pytest.mark.parametrize(
    "role", ["association_admin", "intervention_manager", "board_reader", "system_admin"]
)
def test_services_refuse_everyone_but_the_handler(world, person, role):
    from finsam.registry import rights

    actor = world["users"][role]
    with pytest.raises(PermissionDenied):
        rights.access_extract(actor=actor, participant=person.participant)
    with pytest.raises(PermissionDenied):
        rights.erase(actor=actor, participant=person.participant, reason="x")
    with pytest.raises(PermissionDenied):
        rights.rectify_identity(actor=actor, participant=person.participant, reason="x", name="Ny")
    person.participant.refresh_from_db()
    assert person.participant.identity_encrypted


def test_pages_extract_pdf_and_json(client, world, person):
    url = reverse("participant_rights", args=[person.participant_id])
    client.force_login(world["users"]["association_admin"])
    assert client.get(url).status_code == 403
    client.force_login(world["users"]["participant_handler"])
    page = client.get(url).content.decode()
    assert "Registerutdrag" in page and PNR_WOMAN not in page
    response = client.post(url, {"what": "json"})
    assert response["Content-Type"].startswith("application/json")
    assert json.loads(response.content)["person"]["personnummer"] == PNR_WOMAN
    response = client.post(url, {"what": "pdf", "reason": "begäran per brev"})
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    extracts = AuditLog.objects.filter(action="participant_extract").order_by("seq")
    assert extracts.count() == 2 and extracts.last().reason.endswith("begäran per brev")


def test_page_rectification_and_erasure(client, world, person):
    from finsam.registry import services
    from finsam.registry.models import Participant

    url = reverse("participant_rights", args=[person.participant_id])
    client.force_login(world["users"]["participant_handler"])
    page = client.post(url, {"what": "rectify", "personal_number": PNR_MAN, "reason": ""})
    assert "Skäl krävs" in page.content.decode()
    response = client.post(
        url, {"what": "rectify", "personal_number": PNR_MAN, "reason": "fel siffra vid inskrivning"}
    )
    assert response.status_code == 302
    participant = Participant.objects.get(pk=person.participant_id)
    assert participant.pseudonym == services.pseudonym_for(
        __import__("finsam.domain.identity", fromlist=["x"]).parse_personal_number(PNR_MAN)
    )
    assert participant.sex == "M"
    row = AuditLog.objects.get(action="participant_rectify")
    assert row.changes == {"personal_number": "ändrad"} and row.reason
    for r in AuditLog.objects.all():
        assert "0615-2399" not in f"{r.summary}{r.changes}{r.reason}"
    page = client.post(url, {"what": "erase", "reason": "begäran"}).content.decode()
    assert "Bekräfta" in page
    response = client.post(url, {"what": "erase", "reason": "begäran", "confirm": "1"})
    assert response.status_code == 302
    participant.refresh_from_db()
    assert (
        participant.erased_at and not participant.identity_encrypted and not participant.pseudonym
    )
    assert participant.episodes.count() == 1  # anonymous outcome strata stay
    assert AuditLog.objects.filter(action="participant_erase").count() == 1


def test_commands(world, person, tmp_path):
    out = tmp_path / "utdrag.json"
    with pytest.raises(CommandError, match="behörighet"):
        call_command(
            "participant-extract",
            "--user",
            "association_admin",
            "--personnummer",
            PNR_WOMAN,
            "--output",
            str(out),
        )
    call_command(
        "participant-extract",
        "--user",
        "participant_handler",
        "--personnummer",
        PNR_WOMAN,
        "--output",
        str(out),
        stdout=StringIO(),
    )
    assert json.loads(out.read_text(encoding="utf-8"))["person"]["personnummer"] == PNR_WOMAN
    pdf = tmp_path / "utdrag.pdf"
    call_command(
        "participant-extract",
        "--user",
        "participant_handler",
        "--personnummer",
        PNR_WOMAN,
        "--output",
        str(pdf),
        stdout=StringIO(),
    )
    assert pdf.read_bytes().startswith(b"%PDF")
    call_command(
        "participant-rectify",
        "--user",
        "participant_handler",
        "--personnummer",
        PNR_WOMAN,
        "--name",
        "Rätt Namn",
        "--reason",
        "stavfel",
        stdout=StringIO(),
    )
    with pytest.raises(CommandError, match="Skäl"):
        call_command(
            "participant-erase",
            "--user",
            "participant_handler",
            "--personnummer",
            PNR_WOMAN,
            "--reason",
            " ",
        )
    call_command(
        "participant-erase",
        "--user",
        "participant_handler",
        "--personnummer",
        PNR_WOMAN,
        "--reason",
        "begäran om radering",
        stdout=StringIO(),
    )
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {"participant_extract", "participant_rectify", "participant_erase"} <= actions
    with pytest.raises(CommandError, match="finns inte"):
        call_command(
            "participant-extract",
            "--user",
            "participant_handler",
            "--personnummer",
            PNR_WOMAN,
            "--output",
            str(out),
        )
