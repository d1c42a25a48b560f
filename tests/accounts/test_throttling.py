"""Failed sign-ins are limited per account and per client address (django-axes)."""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from finsam.audit.models import AuditLog

RIGHT = "pw-board_reader-123"


def _login(client, username, password):
    return client.post("/login/", {"username": username, "password": password, "next": "/"})


def test_the_right_password_is_refused_during_the_lockout(client, world, axes_on):
    for _ in range(2):
        assert _login(client, "board_reader", "fel-lösenord").status_code == 200
    locked = _login(client, "board_reader", "fel-lösenord")
    assert locked.status_code == 429
    response = _login(client, "board_reader", RIGHT)
    assert response.status_code == 429
    html = response.content.decode()
    assert "För många misslyckade inloggningsförsök" in html and "15 minuter" in html
    assert "_auth_user_id" not in client.session
    # One row when the lock starts and one for the refused right password.
    rows = AuditLog.objects.filter(action="login_locked_out")
    assert rows.count() == 2
    assert all(r.actor == world["users"]["board_reader"] for r in rows)


def test_the_lockout_expires_by_itself(client, world, axes_on):
    for _ in range(3):
        _login(client, "board_reader", "fel")
    assert _login(client, "board_reader", RIGHT).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = _login(client, "board_reader", RIGHT)
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == world["users"]["board_reader"].pk


def test_failures_are_counted_per_client_address(client, world, axes_on):
    for name in ("nobody-1", "nobody-2", "nobody-3"):
        _login(client, name, "fel")
    # Another account from the same address is refused; from another address it works.
    assert _login(client, "board_reader", RIGHT).status_code == 429
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert _login(other, "board_reader", RIGHT).status_code == 302


def test_failures_are_counted_per_account_across_addresses(world, axes_on):
    for n in range(3):
        _login(Client(REMOTE_ADDR=f"10.0.1.{n}"), "board_reader", "fel")
    assert _login(Client(REMOTE_ADDR="10.0.2.1"), "board_reader", RIGHT).status_code == 429


def test_an_administrator_unlocks_the_account(client, world, axes_on):
    for _ in range(3):
        _login(client, "board_reader", "fel")
    admin = Client()
    admin.force_login(world["users"]["system_admin"])
    page = admin.get("/anvandare/sparrar/").content.decode()
    assert "board_reader" in page and "127.0.0.1" in page
    response = admin.post("/anvandare/sparrar/", {"kind": "username", "value": "board_reader"})
    assert response.status_code == 302
    assert AuditLog.objects.filter(action="login_unlocked").count() == 1
    assert _login(client, "board_reader", RIGHT).status_code == 302


def test_the_association_administrator_sees_only_own_accounts_and_no_addresses(
    client, world, axes_on
):
    for _ in range(3):
        _login(client, "board_reader", "fel")
    admin = Client()
    admin.force_login(world["users"]["association_admin"])
    page = admin.get("/anvandare/sparrar/").content.decode()
    assert "board_reader" in page and "127.0.0.1" not in page
    refused = admin.post("/anvandare/sparrar/", {"kind": "ip_address", "value": "127.0.0.1"})
    assert refused.status_code == 403
    assert not AuditLog.objects.filter(action="login_unlocked").exists()
