"""e-ID sign-in end to end against a real OpenID Connect provider in a second process."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.conf import settings

from finsam.audit.models import AuditLog
from finsam.domain.identity import parse_personal_number, pseudonym
from tests.accounts.conftest import PERSONS, path_of


def _link(user, personal_number):
    user.eid_pseudonym = pseudonym(
        parse_personal_number(personal_number), settings.FINSAM_PSEUDONYM_KEY
    )
    user.save()


def _start(client, next_url="/"):
    response = client.get(f"/login/e-legitimation/?{urlencode({'next': next_url})}")
    assert response.status_code == 302
    return response["Location"]


def _refusals(reason):
    return AuditLog.objects.filter(action="oidc_refused", reason=reason)


@pytest.fixture
def handler(world):
    user = world["users"]["participant_handler"]
    _link(user, PERSONS["anna"]["personal_number"])
    return user


def test_authorization_request_uses_pkce_state_and_nonce(client, oidc, handler):
    query = parse_qs(urlsplit(_start(client)).query)
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0]
    assert query["redirect_uri"] == ["http://testserver/login/e-legitimation/svar/"]
    stored = client.session["oidc_states"][query["state"][0]]
    assert stored["nonce"] == query["nonce"][0] and stored["code_verifier"]


def test_sign_in_lands_on_the_start_page_of_the_role(client, oidc, handler, world):
    callback = oidc.sign_in(_start(client), "anna")
    response = client.get(path_of(callback))
    assert response.status_code == 302 and response["Location"] == "/"
    assert int(client.session["_auth_user_id"]) == handler.pk
    assert client.session["finsam_auth_method"] == "eid"
    home = client.get("/").content.decode()
    assert "Dina insatser som deltagaransvarig" in home
    assert world["persons"].name in home
    # Only the pseudonym is stored: the number is nowhere on the account.
    handler.refresh_from_db()
    assert "199001010009" not in str(handler.__dict__)


def test_sign_in_by_hsa_id(client, oidc, world):
    user = world["users"]["board_reader"]
    user.hsa_id = PERSONS["siths"]["hsa_id"]
    user.save()
    response = client.get(path_of(oidc.sign_in(_start(client), "siths")))
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_unknown_person_is_refused_in_swedish_and_audited(client, oidc, handler):
    response = client.get(path_of(oidc.sign_in(_start(client), "okand")), follow=True)
    assert "_auth_user_id" not in client.session
    html = response.content.decode()
    assert "Det finns inget konto i Finsam för den här e-legitimationen" in html
    assert _refusals("unknown_subject").count() == 1
    assert AuditLog.objects.filter(action="oidc_refused").count() == 1
    assert "198506152399" not in str(list(AuditLog.objects.values()))


def test_tampered_state_is_refused_and_audited(client, oidc, handler):
    callback = oidc.sign_in(_start(client), "anna")
    parts = urlsplit(callback)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query["state"] = query["state"][:-2] + "xx"
    response = client.get(f"{parts.path}?{urlencode(query)}", follow=True)
    assert "_auth_user_id" not in client.session
    assert "ogiltigt eller redan använt tillstånd" in response.content.decode()
    assert _refusals("state").count() == 1


def test_replayed_code_is_refused_and_audited(client, oidc, handler):
    callback = oidc.sign_in(_start(client), "anna")
    assert client.get(path_of(callback)).status_code == 302
    client.post("/logout/")
    # The same callback again: its state was used up.
    client.get(path_of(callback))
    assert "_auth_user_id" not in client.session
    assert _refusals("state").count() == 1
    # The old code with a fresh state: the provider refuses the code at the token endpoint.
    fresh = parse_qs(urlsplit(_start(client)).query)["state"][0]
    code = parse_qs(urlsplit(callback).query)["code"][0]
    response = client.get(
        f"/login/e-legitimation/svar/?{urlencode({'code': code, 'state': fresh})}", follow=True
    )
    assert "_auth_user_id" not in client.session
    assert "godtog inte inloggningskoden" in response.content.decode()
    assert _refusals("code").count() == 1


def test_deactivated_account_is_refused(client, oidc, handler):
    handler.is_active = False
    handler.save()
    response = client.get(path_of(oidc.sign_in(_start(client), "anna")), follow=True)
    assert "_auth_user_id" not in client.session
    assert "Kontot är avstängt" in response.content.decode()
    assert _refusals("inactive").count() == 1


def test_provider_error_is_refused(client, oidc, handler):
    state = parse_qs(urlsplit(_start(client)).query)["state"][0]
    response = client.get(
        f"/login/e-legitimation/svar/?error=access_denied&state={state}", follow=True
    )
    assert "avbröts eller misslyckades" in response.content.decode()
    assert _refusals("provider_error").count() == 1
    assert AuditLog.objects.filter(action="oidc_refused").count() == 1
    assert state not in client.session.get("oidc_states", {})


def test_without_configuration_the_button_is_hidden_and_the_flow_refused(client, db):
    assert "e-legitimation" not in client.get("/login/").content.decode().split("<form")[0]
    response = client.get("/login/e-legitimation/", follow=True)
    assert "inte inställd" in response.content.decode()


def test_login_page_offers_e_id_when_configured(client, oidc, db):
    assert "/login/e-legitimation/" in client.get("/login/").content.decode()


def test_e_id_counts_as_strong_sign_in(client, oidc, handler, settings):
    settings.FINSAM_REQUIRE_STRONG_AUTH = True
    client.get(path_of(oidc.sign_in(_start(client), "anna")))
    assert client.get("/").status_code == 200  # no MFA setup asked for
    assert client.session["finsam_strong_at"] == client.session["finsam_auth_at"]


def test_step_up_asks_the_provider_for_a_fresh_authentication(client, oidc, handler):
    client.force_login(handler)
    location = client.get("/login/e-legitimation/?stepup=1&next=/")["Location"]
    assert parse_qs(urlsplit(location).query)["prompt"] == ["login"]
