"""Every change to users, passwords, roles, assignments, code lists and parameters is audited,
whichever way it is made; sign-in events are audited without passwords."""

from __future__ import annotations

import pytest
from django.urls import reverse

from finsam.audit.models import AuditLog


def _rows(**filters):
    return list(AuditLog.objects.filter(**filters).order_by("seq"))


@pytest.mark.django_db
def test_role_and_assignment_granted_in_the_admin_are_audited(client, world):
    """The issue's case: a system administrator gives himself the handler role and an
    assignment through the Django admin."""
    system = world["users"]["system_admin"]
    client.force_login(system)
    response = client.post(
        reverse("admin:access_roleassignment_add"),
        {"user": system.pk, "role": "participant_handler", "association": world["association"].pk},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row = _rows(object_type="access.RoleAssignment", action="create")[-1]
    assert row.actor == system
    assert row.association_id == world["association"].pk
    assert row.changes["role"] == [None, "participant_handler"]
    response = client.post(
        reverse("admin:access_interventionassignment_add"),
        {"user": system.pk, "intervention": world["persons"].pk, "kind": "handler"},
    )
    assert response.status_code == 302
    row = _rows(object_type="access.InterventionAssignment", action="create")[-1]
    assert row.actor == system and row.association_id == world["association"].pk


@pytest.mark.django_db
def test_user_changes_in_the_admin_are_audited_without_the_password(client, world):
    system = world["users"]["system_admin"]
    target = world["users"]["board_reader"]
    client.force_login(system)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[target.pk]),
        {"password1": "Ett-nytt-lösenord-42", "password2": "Ett-nytt-lösenord-42"},
    )
    assert response.status_code == 302
    rows = _rows(object_type="accounts.User", object_id=str(target.pk), action="password_change")
    assert rows and rows[-1].actor == system
    target.refresh_from_db()
    for row in AuditLog.objects.all():
        text = f"{row.summary} {row.changes} {row.reason}"
        assert target.password not in text and "Ett-nytt-lösenord-42" not in text
    target.is_superuser = True
    target.save()
    row = _rows(object_type="accounts.User", action="update")[-1]
    assert row.changes == {"is_superuser": [False, True]}


@pytest.mark.django_db
def test_changes_from_code_or_a_command_are_audited(world):
    from finsam.access.models import InterventionAssignment, RoleAssignment
    from finsam.accounts.models import User
    from finsam.registry.models import CodeListEntry

    user = User.objects.create_user("ny", password="pw-ny-1234567")
    assert _rows(object_type="accounts.User", object_id=str(user.pk), action="create")
    assert _rows(object_type="accounts.User", object_id=str(user.pk), action="password_set")
    ra = RoleAssignment.objects.create(user=user, role="board_reader", association=world["other"])
    ia = InterventionAssignment.objects.create(
        user=world["users"]["participant_handler"], intervention=world["volume"], kind="manager"
    )
    ra_pk = ra.pk
    ia.delete()
    ra.delete()
    assert [r.action for r in _rows(object_type="access.RoleAssignment", object_id=str(ra_pk))] == [
        "create",
        "delete",
    ]
    assert _rows(object_type="access.InterventionAssignment", action="delete")
    entry = CodeListEntry.objects.first()
    if entry is None:
        entry = CodeListEntry.objects.create(list_name="TEST", code="X", label="Ett")
    old = entry.label
    entry.label = "Ny benämning"
    entry.save()
    row = _rows(object_type="registry.CodeListEntry", action="update")[-1]
    assert row.changes == {"label": [old, "Ny benämning"]} and row.actor is None
    user.set_password("annat-lösenord-987")
    user.save()
    assert _rows(object_type="accounts.User", object_id=str(user.pk), action="password_change")


@pytest.mark.django_db
def test_service_grants_write_one_row_not_two(world):
    from finsam.access import services

    handler = world["users"]["participant_handler"]
    before = AuditLog.objects.count()
    services.intervention_assign(
        user=world["users"]["intervention_manager"],
        intervention=world["volume"],
        kind="manager",
        actor=world["users"]["association_admin"],
    )
    services.role_grant(
        user=handler, role="board_reader", association=world["association"], actor=handler
    )
    actions = list(AuditLog.objects.order_by("seq")[before:].values_list("action", flat=True))
    assert actions == ["intervention_assign", "role_grant"]


@pytest.mark.django_db
def test_parameter_table_changed_outside_the_upload_is_audited(world):
    from finsam.socioeconomics.models import ParameterRow

    row = ParameterRow.objects.first()
    if row is None:
        pytest.skip("no parameter table loaded")
    row.monthly_sek = row.monthly_sek + 1
    row.save()
    assert _rows(object_type="socioeconomics.ParameterRow", action="update")


@pytest.mark.django_db
def test_login_logout_and_failed_login_are_audited(client, world):
    client.post(
        reverse("login"),
        {"username": "board_reader", "password": "fel-lösenord"},
        REMOTE_ADDR="192.0.2.7",
    )
    failed = _rows(action="auth_login_failed")[-1]
    assert failed.log_type == "auth"
    assert failed.changes == {"username": "board_reader", "client_address": "192.0.2.7"}
    assert "fel-lösenord" not in f"{failed.summary} {failed.changes}"
    response = client.post(
        reverse("login"),
        {"username": "board_reader", "password": "pw-board_reader-123"},
        REMOTE_ADDR="192.0.2.8",
    )
    assert response.status_code == 302
    login = _rows(action="auth_login")[-1]
    assert login.actor == world["users"]["board_reader"]
    assert login.changes["client_address"] == "192.0.2.8"
    client.post(reverse("logout"), REMOTE_ADDR="192.0.2.8")
    assert _rows(action="auth_logout")[-1].actor == world["users"]["board_reader"]


@pytest.mark.django_db
def test_audit_auth_event_for_lockouts(world):
    from finsam.audit.services import audit_auth_event

    row = audit_auth_event(event="lockout", username="okänd-person", client_address="198.51.100.1")
    assert row.action == "auth_lockout" and row.actor is None
    assert row.changes == {"username": "okänd-person", "client_address": "198.51.100.1"}
    with pytest.raises(ValueError):
        audit_auth_event(event="påhittad")


@pytest.mark.django_db
def test_queryset_update_and_bulk_create_are_audited(world):
    from finsam.access.models import RoleAssignment
    from finsam.registry.models import CodeListEntry

    handler = world["users"]["participant_handler"]
    RoleAssignment.objects.filter(user=handler).update(association=world["other"])
    row = _rows(object_type="access.RoleAssignment", action="update")[-1]
    assert row.changes == {"association": [world["association"].pk, world["other"].pk]}
    assert row.association_id == world["other"].pk
    (created,) = CodeListEntry.objects.bulk_create(
        [CodeListEntry(list_name="TEST", code="NY", label="Ny kod")]
    )
    row = _rows(object_type="registry.CodeListEntry", action="create")[-1]
    assert row.object_id == str(created.pk) and row.changes["label"] == [None, "Ny kod"]


@pytest.mark.django_db
def test_user_queryset_update_is_audited_password_without_its_hash(world):
    from django.contrib.auth.hashers import make_password

    from finsam.accounts.models import User

    board = world["users"]["board_reader"]
    User.objects.filter(pk=board.pk).update(is_superuser=True, password=make_password("x"))
    row = _rows(object_type="accounts.User", action="update")[-1]
    assert row.object_id == str(board.pk)
    assert row.changes == {"is_superuser": [False, True]}
    (changed,) = _rows(object_type="accounts.User", action="password_change")[-1:]
    assert changed.object_id == str(board.pk) and changed.changes in ({}, None)
    hashed = User.objects.get(pk=board.pk).password
    assert all(hashed not in str(r.changes) + r.summary for r in _rows(object_type="accounts.User"))
