"""MFA for password accounts: TOTP with recovery codes (django-otp), and strong sign-in."""

from __future__ import annotations

import re

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from finsam.audit.models import AuditLog


def _code(device, offset=0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset * device.step
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def strong(settings):
    settings.FINSAM_REQUIRE_STRONG_AUTH = True
    return settings


def test_a_handler_without_mfa_is_sent_to_set_it_up(client, world, strong):
    client.force_login(world["users"]["participant_handler"])
    response = client.get("/insatser/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/tvastegsverifiering/?next=")


def test_roles_that_never_see_identity_need_no_mfa(client, world, strong):
    for role in ("board_reader", "association_admin", "system_admin"):
        client.force_login(world["users"][role])
        assert client.get("/").status_code == 200, role


def test_without_strong_auth_nobody_is_forced(client, world):
    client.force_login(world["users"]["participant_handler"])
    assert client.get("/").status_code == 200


def test_setting_up_totp_gives_recovery_codes_and_is_audited(client, world, strong):
    user = world["users"]["participant_handler"]
    client.force_login(user)
    page = client.get("/konto/tvastegsverifiering/?next=/").content.decode()
    assert "<svg" in page
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    wrong = client.post("/konto/tvastegsverifiering/", {"token": "000000", "next": "/"})
    assert "Koden stämmer inte" in wrong.content.decode()
    response = client.post(
        "/konto/tvastegsverifiering/", {"token": _code(device), "next": "/"}, follow=True
    )
    html = response.content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", html)
    assert len(codes) == 10
    assert StaticDevice.objects.get(user=user).token_set.count() == 10
    assert TOTPDevice.objects.get(user=user).confirmed
    assert AuditLog.objects.filter(action="mfa_enable", object_id=str(user.pk)).count() == 1
    assert client.get("/").status_code == 200  # verified in this session


@pytest.fixture
def enrolled(world):
    user = world["users"]["participant_handler"]
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="Reservkoder", confirmed=True)
    static.token_set.create(token="abcdefgh")
    return user, device


def _password_login(client, user):
    response = client.post(
        "/login/", {"username": user.username, "password": "pw-participant_handler-123"}
    )
    assert response.status_code == 302
    return response


def test_password_then_code(client, enrolled, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's wait after a wrong code (tested below)
    user, device = enrolled
    _password_login(client, user)
    assert client.get("/")["Location"].startswith("/login/kod/")
    wrong = client.post("/login/kod/", {"token": "123456", "next": "/"})
    assert "Koden stämmer inte" in wrong.content.decode()
    assert AuditLog.objects.filter(action="mfa_failed").count() == 1
    response = client.post("/login/kod/", {"token": _code(device), "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_recovery_code_works_once(client, enrolled):
    user, _device = enrolled
    _password_login(client, user)
    assert client.post("/login/kod/", {"token": "abcdefgh", "next": "/"}).status_code == 302
    client.post("/logout/")
    _password_login(client, user)
    response = client.post("/login/kod/", {"token": "abcdefgh", "next": "/"})
    assert response.status_code == 200 and "Koden stämmer inte" in response.content.decode()


def test_administrator_resets_mfa(client, world, enrolled):
    user, _device = enrolled
    client.force_login(world["users"]["association_admin"])
    response = client.post(f"/anvandare/{user.pk}/", {"action": "mfa_reset"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticDevice.objects.filter(user=user).exists()
    assert AuditLog.objects.filter(action="mfa_reset", object_id=str(user.pk)).count() == 1


def test_wrong_codes_are_throttled(client, enrolled):
    user, device = enrolled
    _password_login(client, user)
    client.post("/login/kod/", {"token": "123456", "next": "/"})
    response = client.post("/login/kod/", {"token": _code(device), "next": "/"})
    assert response.status_code == 200
    assert "vänta en stund" in response.content.decode()
