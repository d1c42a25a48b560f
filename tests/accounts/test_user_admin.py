"""User and role management in Finsam's own pages, every change audited."""

from __future__ import annotations

import pytest
from django.conf import settings

from finsam.access.models import InterventionAssignment, RoleAssignment
from finsam.accounts.models import User
from finsam.audit.models import AuditLog
from finsam.domain.identity import parse_personal_number, pseudonym
from tests.conftest import PNR_MAN


def _as(client, world, role):
    client.force_login(world["users"][role])
    return client


def test_menu_entry_only_for_administrators(client, world):
    for role, shown in (
        ("system_admin", True),
        ("association_admin", True),
        ("participant_handler", False),
        ("board_reader", False),
    ):
        html = _as(client, world, role).get("/").content.decode()
        assert ('href="/anvandare/"' in html) is shown, role
        assert client.get("/anvandare/").status_code == (200 if shown else 403), role


def test_system_admin_creates_an_e_id_account_with_a_role(client, world):
    _as(client, world, "system_admin")
    response = client.post(
        "/anvandare/ny/",
        {
            "username": "karin",
            "first_name": "Karin",
            "last_name": "Berg",
            "personal_number": PNR_MAN,
            "role": "national_analyst",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="karin")
    assert not user.has_usable_password()
    assert user.eid_pseudonym == pseudonym(
        parse_personal_number(PNR_MAN), settings.FINSAM_PSEUDONYM_KEY
    )
    assert PNR_MAN.replace("-", "") not in str(User.objects.filter(pk=user.pk).values().get())
    assert RoleAssignment.objects.filter(user=user, role="national_analyst").exists()
    actions = set(
        AuditLog.objects.filter(actor=world["users"]["system_admin"]).values_list(
            "action", flat=True
        )
    )
    assert {"user_create", "role_grant"} <= actions


def test_bad_input_is_refused_in_swedish_and_keeps_the_form(client, world):
    _as(client, world, "system_admin")
    response = client.post(
        "/anvandare/ny/", {"username": "eva", "personal_number": "19900101-0008"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Personnummer/samordningsnummer" in html and 'value="eva"' in html
    assert not User.objects.filter(username="eva").exists()
    response = client.post("/anvandare/ny/", {"username": "eva"})
    assert "annars kan kontot inte logga in" in response.content.decode()


def test_association_admin_sees_and_manages_only_own_association(client, world):
    other_user = User.objects.create_user("other-board", password="x" * 12)
    RoleAssignment.objects.create(user=other_user, role="board_reader", association=world["other"])
    _as(client, world, "association_admin")
    listing = client.get("/anvandare/").content.decode()
    assert "board_reader" in listing and "other-board" not in listing
    assert client.get(f"/anvandare/{other_user.pk}/").status_code == 404
    # Roles for another association cannot be granted.
    user = world["users"]["board_reader"]
    response = client.post(
        f"/anvandare/{user.pk}/",
        {"action": "grant", "role": "intervention_manager", "association": world["other"].pk},
    )
    assert response.status_code == 200
    assert not RoleAssignment.objects.filter(user=user, association=world["other"]).exists()
    # ... nor system-wide roles.
    response = client.post(
        f"/anvandare/{user.pk}/", {"action": "grant", "role": "system_admin", "association": ""}
    )
    assert not RoleAssignment.objects.filter(user=user, role="system_admin").exists()


def test_association_admin_creates_a_user_in_own_association(client, world):
    _as(client, world, "association_admin")
    response = client.post(
        "/anvandare/ny/",
        {
            "username": "ny-handl",
            "password": "ett-langt-losenord-42",
            "role": "participant_handler",
            "association": world["association"].pk,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="ny-handl")
    assert user.check_password("ett-langt-losenord-42")
    assert RoleAssignment.objects.filter(
        user=user, role="participant_handler", association=world["association"]
    ).exists()


def test_the_administrator_cannot_also_be_a_participant_handler(client, world):
    _as(client, world, "system_admin")
    admin = world["users"]["association_admin"]
    response = client.post(
        f"/anvandare/{admin.pk}/",
        {"action": "grant", "role": "participant_handler", "association": world["association"].pk},
    )
    assert response.status_code == 200
    assert "kan inte vara både förbundsadministratör och deltagaransvarig" in (
        response.content.decode()
    )
    assert not RoleAssignment.objects.filter(user=admin, role="participant_handler").exists()


def test_withdrawing_a_role_removes_its_assignments(client, world):
    _as(client, world, "association_admin")
    handler = world["users"]["participant_handler"]
    role = RoleAssignment.objects.get(user=handler, role="participant_handler")
    response = client.post(
        f"/anvandare/{handler.pk}/", {"action": "withdraw", "assignment": role.pk}
    )
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(pk=role.pk).exists()
    assert not InterventionAssignment.objects.filter(user=handler, kind="handler").exists()
    actions = list(AuditLog.objects.values_list("action", flat=True))
    assert actions.count("intervention_unassign") == 2 and "role_withdraw" in actions


def test_assign_and_unassign_an_intervention(client, world):
    _as(client, world, "association_admin")
    manager = world["users"]["intervention_manager"]
    InterventionAssignment.objects.filter(user=manager).delete()
    response = client.post(
        f"/anvandare/{manager.pk}/",
        {"action": "assign", "intervention": world["persons"].pk, "kind": "manager"},
    )
    assert response.status_code == 302
    assignment = InterventionAssignment.objects.get(user=manager, intervention=world["persons"])
    # A role the user lacks is refused with the service's message.
    response = client.post(
        f"/anvandare/{manager.pk}/",
        {"action": "assign", "intervention": world["persons"].pk, "kind": "handler"},
    )
    assert "har inte rollen deltagaransvarig" in response.content.decode()
    client.post(f"/anvandare/{manager.pk}/", {"action": "unassign", "assignment": assignment.pk})
    assert not InterventionAssignment.objects.filter(pk=assignment.pk).exists()


def test_deactivation_ends_sign_in_and_is_audited(client, world):
    from django.test import Client

    reader = world["users"]["board_reader"]
    reader_client = Client()
    reader_client.force_login(reader)
    _as(client, world, "association_admin")
    assert client.post(f"/anvandare/{reader.pk}/", {"action": "deactivate"}).status_code == 302
    reader.refresh_from_db()
    assert not reader.is_active
    assert reader_client.get("/insatser/").status_code == 302  # the open session is over
    assert AuditLog.objects.filter(action="user_deactivate", object_id=str(reader.pk)).exists()
    client.post(f"/anvandare/{reader.pk}/", {"action": "activate"})
    reader.refresh_from_db()
    assert reader.is_active


@pytest.mark.parametrize("action", ["deactivate", "mfa_reset"])
def test_association_admin_cannot_switch_off_someone_working_elsewhere(client, world, action):
    reader = world["users"]["board_reader"]
    RoleAssignment.objects.create(user=reader, role="board_reader", association=world["other"])
    _as(client, world, "association_admin")
    assert client.post(f"/anvandare/{reader.pk}/", {"action": action}).status_code == 403
    reader.refresh_from_db()
    assert reader.is_active


def test_nobody_deactivates_themselves(client, world):
    admin = world["users"]["system_admin"]
    _as(client, world, "system_admin")
    response = client.post(f"/anvandare/{admin.pk}/", {"action": "deactivate"}, follow=True)
    assert "Du kan inte stänga av ditt eget konto" in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active


def test_edit_links_and_unlinks_e_id(client, world):
    _as(client, world, "system_admin")
    reader = world["users"]["board_reader"]
    client.post(
        f"/anvandare/{reader.pk}/andra/",
        {"first_name": "Bo", "last_name": "Ek", "email": "", "personal_number": PNR_MAN},
    )
    reader.refresh_from_db()
    assert reader.eid_pseudonym and reader.first_name == "Bo"
    client.post(
        f"/anvandare/{reader.pk}/andra/",
        {"first_name": "Bo", "last_name": "Ek", "email": "", "remove_personal_number": "on"},
    )
    reader.refresh_from_db()
    assert reader.eid_pseudonym is None
    assert AuditLog.objects.filter(action="user_update", object_id=str(reader.pk)).count() == 2
