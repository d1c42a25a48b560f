"""Collection: rounds, one-time links, the public form without login, paper answers."""

from datetime import date

import pytest
from django.urls import reverse

from finsam.audit.models import AuditLog
from finsam.domain.problems import DomainValidationError
from finsam.indicators import services
from finsam.indicators.models import Answer, CollectionRound, Response, ResponseToken
from tests.conftest import login

from .conftest import answer


def _post(client, token, **values):
    return client.post(
        reverse("survey", args=[token]), {f"q_{k}": str(v) for k, v in values.items()}
    )


def test_round_needs_a_published_version_and_an_own_intervention(world, starter):
    from finsam.domain.indicators.definitions import Scale
    from finsam.indicators.models import QuestionnaireVersion

    draft = services.questionnaire_create(
        actor=None, respondent_group="staff", title="Utkast", scale=Scale(1, 2, ("Nej", "Ja"), 1)
    )
    published = QuestionnaireVersion.objects.get(respondent_group="staff", version=1)
    with pytest.raises(DomainValidationError) as exc:
        services.round_open(
            actor=None,
            association=world["association"],
            intervention=world["other_persons"],
            questionnaire=draft,
            period_start=date(2025, 6, 1),
            period_end=date(2025, 1, 1),
        )
    assert {p.field for p in exc.value.problems} == {"period_end", "questionnaire", "intervention"}
    assert not CollectionRound.objects.exists()
    services.round_open(
        actor=None,
        association=world["association"],
        questionnaire=published,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 6, 30),
    )
    assert CollectionRound.objects.count() == 1


def test_tokens_are_stored_only_as_hashes(tokens, collection_round):
    assert len(tokens) == 3 and len(set(tokens)) == 3
    stored = list(ResponseToken.objects.values_list("token_hash", flat=True))
    assert all(t not in stored for t in tokens)
    assert AuditLog.objects.filter(action="indicator_tokens_generate").count() == 1


def test_public_form_without_login_consumes_the_token(client, tokens, collection_round):
    url = reverse("survey", args=[tokens[0]])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Du är anonym" in body
    assert "<fieldset" in body and "<legend>" in body
    assert 'name="viewport"' in body
    assert page["Referrer-Policy"] == "no-referrer"
    assert page["Cache-Control"] == "no-store"
    response = _post(client, tokens[0], A1=5, A2="kb", A5=6)
    assert response.status_code == 302 and response["Location"] == reverse("survey_thanks")
    assert client.get(reverse("survey_thanks")).status_code == 200
    stored = Response.objects.get()
    assert stored.channel == "web"
    assert dict(Answer.objects.filter(cannot_judge=False).values_list("item__code", "value")) == {
        "A1": 5,
        "A5": 6,
    }
    assert Answer.objects.filter(cannot_judge=True).get().item.code == "A2"
    assert ResponseToken.objects.filter(used=True).count() == 1
    # answering twice is impossible and says so in Swedish
    again = client.get(url)
    assert again.status_code == 410
    assert "Enkäten är redan besvarad" in again.content.decode()
    assert _post(client, tokens[0], A1=1).status_code == 410
    assert Response.objects.count() == 1
    audit = AuditLog.objects.get(action="indicator_response_web")
    assert audit.actor is None and tokens[0] not in str(audit.__dict__)


def test_no_identity_or_token_link_is_stored(client, tokens, collection_round):
    _post(client, tokens[1], A1=4)
    field_names = {f.name for f in Response._meta.get_fields()}
    assert not field_names & {"token", "user", "episode", "participant", "ip", "submitted_at"}
    assert {f.name for f in ResponseToken._meta.get_fields()} == {
        "id",
        "round",
        "token_hash",
        "created_on",
        "used",
    }


def test_unknown_token_and_bad_answers(client, tokens):
    page = client.get(reverse("survey", args=["x" * 24]))
    assert page.status_code == 404 and "Länken fungerar inte" in page.content.decode()
    assert client.get(reverse("survey", args=["kort"])).status_code == 404
    empty = _post(client, tokens[0])
    assert empty.status_code == 200
    assert "Svara på minst ett påstående" in empty.content.decode()
    bad = _post(client, tokens[0], A1=9)
    assert "välj ett av svarsalternativen" in bad.content.decode()
    assert 'value="9"' not in bad.content.decode()
    kept = _post(client, tokens[0], A1=9, A2=3).content.decode()
    assert 'name="q_A2" value="3" id="id_q_A2_2" checked' in kept  # the form keeps the answer
    assert (
        'href="#id_q_A1"' in kept and '<fieldset id="id_q_A1"' in kept
    )  # the error summary links to the statement
    assert not Response.objects.exists()
    assert not ResponseToken.objects.filter(used=True).exists()


def test_closed_round_refuses_links_and_paper(client, world, tokens, collection_round):
    services.round_close(
        actor=world["users"]["association_admin"], collection_round=collection_round
    )
    page = client.get(reverse("survey", args=[tokens[0]]))
    assert page.status_code == 410 and "Enkäten är stängd" in page.content.decode()
    with pytest.raises(DomainValidationError):
        answer(collection_round, {"A1": 3})
    with pytest.raises(DomainValidationError):
        services.tokens_generate(actor=None, collection_round=collection_round, count=1)


def test_only_the_survey_urls_are_open(client, tokens):
    assert client.get(reverse("survey", args=[tokens[0]])).status_code == 200
    for name in (
        "indicators_index",
        "indicators_results",
        "indicators_rounds",
        "indicators_definitions",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.get("/enkatx/").status_code == 302


def test_paper_entry_page(client, world, collection_round):
    handler = world["users"]["participant_handler"]
    login(client, handler)
    url = reverse("indicators_paper", args=[collection_round.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Registrera pappersenkät" in page.content.decode()
    response = client.post(url, {"q_A1": "6", "q_A4": "kb"})
    assert response.status_code == 302
    stored = Response.objects.get()
    assert stored.channel == "paper"
    assert AuditLog.objects.get(action="indicator_response_paper").actor == handler
    bad = client.post(url, {})
    assert "Svara på minst ett påstående" in bad.content.decode()
    assert Response.objects.count() == 1


def test_token_generation_page_shows_links_once_and_csv(client, world, collection_round):
    login(client, world["users"]["association_admin"])
    url = reverse("indicators_tokens", args=[collection_round.pk])
    page = client.post(url, {"count": "2"})
    body = page.content.decode()
    assert page.status_code == 200 and body.count("/enkat/") == 2
    csv = client.post(url, {"count": "3", "format": "csv"})
    lines = csv.content.decode().strip().splitlines()
    assert lines[0] == "nr,lank" and len(lines) == 4
    link = lines[1].split(",")[1]
    client.logout()
    assert client.get(link.replace("http://testserver", "")).status_code == 200
    login(client, world["users"]["association_admin"])
    bad = client.post(url, {"count": "0"})
    assert bad.status_code == 400 and "Antal engångslänkar: ange 1–1000" in bad.content.decode()
    assert ResponseToken.objects.count() == 5


def test_round_create_page(client, world, exit_version):
    login(client, world["users"]["association_admin"])
    url = reverse("indicators_round_create")
    assert client.get(url).status_code == 200
    bad = client.post(
        url,
        {
            "association": world["association"].pk,
            "questionnaire": exit_version.pk,
            "period_start": "2025-06-01",
            "period_end": "2025-01-01",
            "name": "Fel",
        },
    )
    body = bad.content.decode()
    assert "Perioden slutar: datumet får inte vara före periodens början." in body
    assert 'value="Fel"' in body
    assert not CollectionRound.objects.exists()
    other = client.post(
        url,
        {
            "association": world["other"].pk,
            "questionnaire": exit_version.pk,
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
        },
    )
    assert other.status_code == 200 and not CollectionRound.objects.exists()
    ok = client.post(
        url,
        {
            "association": world["association"].pk,
            "intervention": world["persons"].pk,
            "questionnaire": exit_version.pk,
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
        },
    )
    assert ok.status_code == 302
    assert CollectionRound.objects.get().intervention == world["persons"]


def test_the_respondent_pages_have_english(client, tokens):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(reverse("survey", args=[tokens[0]])).content.decode()
    assert "You are anonymous." in body and "Send my answers" in body
    assert "choose “Kan inte bedöma”" in body
    _post(client, tokens[0], A1=3)
    used = client.get(reverse("survey", args=[tokens[0]])).content.decode()
    assert "The questionnaire has already been answered" in used


def test_a_simultaneous_second_submission_stores_nothing(monkeypatch, tokens, collection_round):
    """Another request consumes the link between the check and the write: the conditional
    update sees it, and the whole submission is rolled back."""
    real = services.parse_answers

    def racing(questionnaire, raw):
        ResponseToken.objects.update(used=True)  # the other request got there first
        return real(questionnaire, raw)

    monkeypatch.setattr(services, "parse_answers", racing)
    with pytest.raises(services.TokenUnusable) as exc:
        services.response_submit(token=tokens[0], raw_answers={"A1": "4"})
    assert exc.value.reason == "used"
    assert not Response.objects.exists() and not Answer.objects.exists()
    assert not AuditLog.objects.filter(action="indicator_response_web").exists()


def test_the_survey_says_what_it_is_about(client, tokens, collection_round):
    body = client.get(reverse("survey", args=[tokens[0]])).content.decode()
    assert "Individinsats" in body


def test_closing_a_round_through_the_web(client, world, collection_round):
    url = reverse("indicators_round_close", args=[collection_round.pk])
    login(client, world["users"]["board_reader"])
    assert client.post(url).status_code == 403
    login(client, world["users"]["participant_handler"])
    assert client.post(url).status_code == 403
    login(client, world["users"]["association_admin"])
    page = client.post(url, follow=True).content.decode()
    assert "Insamlingen är stängd" in page
    collection_round.refresh_from_db()
    assert collection_round.closed
    again = client.post(url, follow=True).content.decode()
    assert "inga fler svar eller länkar" in again
    assert AuditLog.objects.filter(action="indicator_round_close").count() == 1


def test_printable_link_cards(client, world, collection_round):
    login(client, world["users"]["association_admin"])
    pdf = client.post(
        reverse("indicators_tokens", args=[collection_round.pk]), {"count": "4", "format": "pdf"}
    )
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert ResponseToken.objects.count() == 4


def test_answers_import_page_all_or_nothing(client, world, collection_round):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, world["users"]["participant_handler"])
    url = reverse("indicators_answers_import", args=[collection_round.pk])
    template = client.get(url + "?format=csv").content.decode()
    assert template.strip() == "A1,A2,A3,A4,A5,A6,A7"
    bad = client.post(
        url, {"file": SimpleUploadedFile("svar.csv", b"A1,A2\n5,4\n8,kb\n", "text/csv")}
    )
    assert "Rad 3: Påstående 1" in bad.content.decode()  # the spreadsheet's line (header = 1)
    assert not Response.objects.exists()
    ok = client.post(
        url, {"file": SimpleUploadedFile("svar.csv", b"A1,A2\n5,4\n6,kb\n,\n", "text/csv")}
    )
    assert ok.status_code == 302
    assert Response.objects.filter(channel="file").count() == 2
    assert Answer.objects.count() == 4
    assert (
        AuditLog.objects.get(action="indicator_responses_import").actor
        == world["users"]["participant_handler"]
    )
    login(client, world["users"]["board_reader"])
    assert client.get(url).status_code == 403
