"""Idle timeout, absolute lifetime and step-up before identity is revealed."""

from __future__ import annotations

import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from finsam.audit.models import AuditLog
from tests.conftest import PNR_WOMAN


def _age(client, **seconds_ago):
    session = client.session
    now = time.time()
    for key, ago in seconds_ago.items():
        session[f"finsam_{key}"] = now - ago
    session.save()


def test_idle_timeout_logs_out_with_a_message(client, world):
    client.force_login(world["users"]["board_reader"])
    assert client.get("/").status_code == 200
    _age(client, seen_at=31 * 60)
    response = client.get("/insatser/", follow=True)
    assert "_auth_user_id" not in client.session
    assert "inte har använt Finsam på 30 minuter" in response.content.decode()


def test_idle_timeout_is_configurable(client, world, settings):
    settings.FINSAM_SESSION_IDLE_MINUTES = 5
    client.force_login(world["users"]["board_reader"])
    _age(client, seen_at=4 * 60)
    assert client.get("/").status_code == 200
    _age(client, seen_at=6 * 60)
    assert client.get("/").status_code == 302


def test_absolute_lifetime_ends_an_active_session(client, world):
    client.force_login(world["users"]["board_reader"])
    _age(client, login_at=10 * 3600 + 60, seen_at=10)
    response = client.get("/", follow=True)
    assert "_auth_user_id" not in client.session
    assert "äldre än 10 timmar" in response.content.decode()


def test_activity_keeps_the_session(client, world):
    client.force_login(world["users"]["board_reader"])
    _age(client, login_at=3600, seen_at=29 * 60)
    assert client.get("/").status_code == 200
    assert time.time() - client.session["finsam_seen_at"] < 60


@pytest.fixture
def episode(enrol):
    return enrol()


def _reveal(client, episode):
    return client.post(
        f"/inskrivningar/{episode.pk}/",
        {"reveal": "1", "purpose": "kontakt", "reason": "uppföljning"},
    )


def test_a_fresh_sign_in_reveals_identity(client, world, episode):
    client.force_login(world["users"]["participant_handler"])
    response = _reveal(client, episode)
    assert response.status_code == 200 and PNR_WOMAN in response.content.decode()


def test_an_old_sign_in_must_confirm_before_revealing(client, world, episode):
    client.force_login(world["users"]["participant_handler"])
    _age(client, auth_at=16 * 60)
    before = AuditLog.objects.filter(action="identity_read").count()
    response = _reveal(client, episode)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/bekrafta/?next=")
    assert AuditLog.objects.filter(action="identity_read").count() == before
    wrong = client.post(
        "/login/bekrafta/",
        {"kind": "password", "password": "fel", "next": f"/inskrivningar/{episode.pk}/"},
    )
    assert "Lösenordet stämmer inte" in wrong.content.decode()
    confirmed = client.post(
        "/login/bekrafta/",
        {
            "kind": "password",
            "password": "pw-participant_handler-123",
            "next": f"/inskrivningar/{episode.pk}/",
        },
    )
    assert confirmed["Location"] == f"/inskrivningar/{episode.pk}/"
    assert PNR_WOMAN in _reveal(client, episode).content.decode()


def test_with_strong_auth_the_confirmation_needs_a_code(client, world, episode, settings):
    settings.FINSAM_REQUIRE_STRONG_AUTH = True
    settings.FINSAM_STEP_UP_MINUTES = 5
    user = world["users"]["participant_handler"]
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client.force_login(user)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time -= device.step  # a code of the previous step (allowed drift) for the sign-in
    client.post("/login/kod/", {"token": f"{totp.token():06d}", "next": "/"})
    assert PNR_WOMAN in _reveal(client, episode).content.decode()
    _age(client, strong_at=6 * 60, auth_at=10)
    response = _reveal(client, episode)
    assert response["Location"].startswith("/login/bekrafta/")
    page = client.get(response["Location"]).content.decode()
    assert 'name="token"' in page and 'name="password"' not in page
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    client.post(
        "/login/bekrafta/",
        {"kind": "code", "token": f"{totp.token():06d}", "next": f"/inskrivningar/{episode.pk}/"},
    )
    assert PNR_WOMAN in _reveal(client, episode).content.decode()
