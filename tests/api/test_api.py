"""The REST API: tokens, problem details, pagination, rate limit, identity, audit."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.management import call_command

from finsam.api.models import ApiToken
from finsam.api.services import token_create, token_revoke
from finsam.audit.models import AuditLog
from finsam.domain.problems import DomainValidationError


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def new_token(world, role="participant_handler", **kw):
    _, secret = token_create(actor=None, user=world["users"][role], name=f"sys-{role}", **kw)
    return secret


def test_openapi_document_is_public_and_lists_the_resources(client, db):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.")
    paths = set(doc["paths"])
    for p in (
        "/api/v1/associations",
        "/api/v1/associations/{pk}/members",
        "/api/v1/associations/{pk}/area",
        "/api/v1/interventions",
        "/api/v1/interventions/{pk}/episodes",
        "/api/v1/episodes/{pk}/exit",
        "/api/v1/episodes/{pk}/correct",
        "/api/v1/episodes/{pk}/mark-error",
        "/api/v1/episodes/{pk}/followups",
        "/api/v1/interventions/{pk}/volume",
        "/api/v1/reports/{name}",
    ):
        assert p in paths, p
    errors = doc["paths"]["/api/v1/associations"]["get"]["responses"]["403"]["content"]
    assert "application/problem+json" in errors


def test_docs_page_uses_only_local_assets(client, db):
    html = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()


def test_without_credentials_401_problem_not_a_login_redirect(client, db):
    response = client.get("/api/v1/associations")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 401 and body["title"] and body["detail"]
    assert client.get("/api/v1/associations", **bearer("fsm_nope_nope")).status_code == 401


def test_token_is_stored_hashed_and_every_use_is_attributed(client, world):
    secret = new_token(world, "association_admin")
    token = ApiToken.objects.get()
    assert secret.split("_", 2)[2] not in json.dumps(
        list(ApiToken.objects.values("prefix", "secret_hash", "name"))
    )
    assert len(token.secret_hash) == 64
    response = client.get("/api/v1/associations", **bearer(secret))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["items"][0]["code"] == "SBG"
    row = AuditLog.objects.filter(action="api_read").latest("id")
    assert row.actor == world["users"]["association_admin"]
    assert token.name in row.summary and token.prefix in row.summary
    assert AuditLog.objects.filter(action="api_token_create").exists()


def test_revoked_token_is_refused(client, world):
    secret = new_token(world)
    token = ApiToken.objects.get()
    token_revoke(actor=world["users"]["system_admin"], token=token)
    assert client.get("/api/v1/associations", **bearer(secret)).status_code == 401
    assert AuditLog.objects.filter(action="api_token_revoke").exists()


def test_association_admin_creates_tokens_only_for_own_association(world):
    admin = world["users"]["association_admin"]
    token_create(actor=admin, user=admin, name="ekonomisystem", association=world["association"])
    with pytest.raises(DomainValidationError) as exc:
        token_create(actor=admin, user=admin, name="x", association=world["other"])
    assert exc.value.problems[0].field == "association"
    with pytest.raises(DomainValidationError):
        token_create(actor=admin, user=admin, name="x", association=None)


def test_token_scope_limits_association_and_actions(client, world):
    secret = new_token(world, "system_admin", association=world["association"])
    body = client.get("/api/v1/associations", **bearer(secret)).json()
    assert [a["code"] for a in body["items"]] == ["SBG"]
    other = world["other"].pk
    assert client.get(f"/api/v1/associations/{other}", **bearer(secret)).status_code == 403
    limited = new_token(world, "participant_handler", actions=["view_association"])
    p = world["persons"].pk
    assert client.get(f"/api/v1/interventions/{p}", **bearer(limited)).status_code == 403
    assert client.get("/api/v1/associations", **bearer(limited)).status_code == 200


def test_pagination_limit_offset_count(client, world):
    secret = new_token(world, "national_analyst")
    body = client.get("/api/v1/interventions?limit=1&offset=1", **bearer(secret)).json()
    assert body["count"] == 4 and len(body["items"]) == 1


def test_enrol_problem_details_carry_the_services_messages(client, world):
    secret = new_token(world)
    url = f"/api/v1/interventions/{world['persons'].pk}/episodes"
    payload = {
        "identity_level": "identified",
        "personal_number": "19900101-0008",
        "home_municipality": "0183",
        "start_date": "2024-03-01",
        "consent_date": "2024-03-01",
        "support_before": ["FSS"],
    }
    response = client.post(url, payload, content_type="application/json", **bearer(secret))
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert any(e["field"] == "personal_number" for e in errors)
    assert all(e["message"] and e["rule"] for e in errors)
    payload["personal_number"] = "19900101-0009"
    response = client.post(url, payload, content_type="application/json", **bearer(secret))
    assert response.status_code == 201, response.content
    episode = response.json()["episode"]
    assert "19900101" not in response.content.decode()  # never identity in an episode
    pk = episode["id"]
    exit_ = client.post(
        f"/api/v1/episodes/{pk}/exit",
        {"end_date": "2024-09-01", "exit_reason": "ARB", "support_after": ["EGEN"]},
        content_type="application/json",
        **bearer(secret),
    )
    assert exit_.status_code in (200, 422), exit_.content
    mark = client.post(
        f"/api/v1/episodes/{pk}/mark-error",
        {"reason": ""},
        content_type="application/json",
        **bearer(secret),
    )
    assert mark.status_code == 422
    assert mark.json()["errors"][0] == {
        "field": "reason",
        "rule": "required",
        "message": "Ange varför registreringen är felaktig.",
        "value": None,
    }


def test_identity_only_for_the_handler_and_audited(client, world, enrol):
    episode = enrol()
    handler = new_token(world, "participant_handler")
    admin = new_token(world, "association_admin")
    url = f"/api/v1/episodes/{episode.pk}/identity?reason=kontroll"
    assert client.get(url, **bearer(admin)).status_code == 403
    response = client.get(url, **bearer(handler))
    assert response.status_code == 200
    assert response.json()["personal_number"] == "19900101-0009"
    assert AuditLog.objects.filter(action="identity_read", object_id=str(episode.participant_id))


def test_session_needs_csrf_for_unsafe_methods(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world["users"]["intervention_manager"])
    assert client.get("/api/v1/associations").status_code == 200
    url = f"/api/v1/interventions/{world['volume'].pk}/volume"
    body = {"month": "2024-01-01", "women": 1, "men": 2, "other": 0}
    assert client.post(url, body, content_type="application/json").status_code in (401, 403)


def test_rate_limit_answers_429_with_retry_after(client, world, settings):
    settings.FINSAM_API_RATE_LIMIT = 2
    secret = new_token(world)
    for _ in range(2):
        assert client.get("/api/v1/associations", **bearer(secret)).status_code == 200
    response = client.get("/api/v1/associations", **bearer(secret))
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert response.json()["status"] == 429


def test_report_is_protected_like_the_page(client, world, enrol):
    enrol()
    board = new_token(world, "board_reader")
    q = "?start=2024-01-01&end=2024-12-31"
    response = client.get(f"/api/v1/reports/utfall{q}", **bearer(board))
    assert response.status_code == 200, response.content
    assert response.json()["protected"] is True
    denied = client.get(f"/api/v1/reports/utfall{q}&unprotected=true", **bearer(board))
    assert denied.status_code == 422
    county = client.get(f"/api/v1/reports/utfall{q}&level=county", **bearer(board))
    assert county.status_code == 422
    unknown = client.get(f"/api/v1/reports/nope{q}", **bearer(board))
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "report"


def test_api_token_command_prints_a_working_token(client, world, capsys):
    call_command("api-token", "--user", "national_analyst", "--name", "analys")
    secret = capsys.readouterr().out.strip()
    assert secret.startswith("fsm_")
    assert client.get("/api/v1/associations", **bearer(secret)).json()["count"] == 2
    assert ApiToken.objects.get().name == "analys"


def test_token_page_create_and_revoke(client, world):
    admin = world["users"]["association_admin"]
    client.force_login(admin)
    page = client.get("/api-nycklar/")
    assert page.status_code == 200 and b'href="/api-nycklar/"' in page.content  # in the menu
    response = client.post(
        "/api-nycklar/",
        {"name": "verksamhetssystem", "user": admin.pk, "association": world["association"].pk},
    )
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("fsm_")
    token = ApiToken.objects.get()
    client.post(f"/api-nycklar/{token.pk}/aterkalla/")
    token.refresh_from_db()
    assert token.revoked_at is not None
    client.force_login(world["users"]["board_reader"])
    assert client.get("/api-nycklar/").status_code == 403
    assert date.today()


@pytest.mark.parametrize(
    "role",
    [
        "system_admin",
        "association_admin",
        "participant_handler",
        "board_reader",
        "national_analyst",
    ],
)
def test_allocation_model_for_the_national_analyst_only(client, world, role):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from tests.finance.conftest import ALLOCATION_CSV

    secret = new_token(world, role)
    upload = SimpleUploadedFile("allocation_input.csv", ALLOCATION_CSV, "text/csv")
    response = client.post("/api/v1/allocation", {"file": upload}, **bearer(secret))
    client.force_login(world["users"][role])
    page = client.get(reverse("allocation")).status_code
    if role == "national_analyst":
        assert response.status_code == 200, response.content
        assert response.json()["rows"] == 4 and page == 200
    else:
        assert response.status_code == 403 and page == 403
    bad = SimpleUploadedFile("x.csv", b"nonsense;\n1", "text/csv")
    if role == "national_analyst":
        response = client.post("/api/v1/allocation", {"file": bad}, **bearer(secret))
        assert response.status_code == 422 and response.json()["errors"]


def test_import_dry_run_then_real_and_role_checked(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from finsam.registry.models import VolumeCount

    csv = b"intervention_code,month,women,men,other\nSBG-VOL,2024-01,3,4,0\nSBG-VOL,2024-02,1,0,0\n"
    admin = new_token(world, "association_admin")

    def post(secret, content=csv, **extra):
        data = {
            "kind": "volume",
            "association": world["association"].pk,
            "file": SimpleUploadedFile("v.csv", content, "text/csv"),
            **extra,
        }
        return client.post("/api/v1/imports", data, **bearer(secret))

    response = post(admin)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["dry_run"] and body["ok"] and body["created"] == 2 and not body["written"]
    assert VolumeCount.objects.count() == 0
    response = post(admin, dry_run="false")
    assert response.json()["written"] and VolumeCount.objects.count() == 2
    bad = post(admin, content=b"intervention_code,month,women\nSBG-IND,2024-01,3\n").json()
    assert not bad["ok"] and bad["problems"][0]["rule"] == "volume.not_volume_intervention"
    assert post(new_token(world, "board_reader")).status_code == 403
    other = client.post(
        "/api/v1/imports",
        {
            "kind": "volume",
            "association": world["other"].pk,
            "file": SimpleUploadedFile("v.csv", csv, "text/csv"),
        },
        **bearer(admin),
    )
    assert other.status_code in (403, 422)
