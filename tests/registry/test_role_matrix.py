"""Every role × every page/action: allowed (200) or denied (403), as domain.md §5 says."""

from datetime import date

import pytest
from django.urls import reverse

ROLES = [
    "system_admin",
    "association_admin",
    "intervention_manager",
    "participant_handler",
    "board_reader",
    "national_analyst",
]
ALL = set(ROLES)


def wrong_statuses(client, entries, role: str) -> list[str]:
    """Each page whose status is not 200 for a role it allows, 403 for the others."""
    wrong = []
    for name, url, allowed in entries:
        status = client.get(url).status_code
        expected = 200 if role in allowed else 403
        if status != expected:
            wrong.append(f"{name}: {status} (expected {expected})")
    return wrong


def pages(world, episode):
    own, other = world["association"], world["other"]
    p, v, op = world["persons"], world["volume"], world["other_persons"]
    return [
        ("home", reverse("home"), ALL),
        ("association_list", reverse("association_list"), ALL),
        ("association_detail own", reverse("association_detail", args=[own.pk]), ALL),
        (
            "association_detail other",
            reverse("association_detail", args=[other.pk]),
            {"system_admin", "national_analyst"},
        ),
        ("association_create", reverse("association_create"), {"system_admin"}),
        (
            "association_edit",
            reverse("association_edit", args=[own.pk]),
            {"system_admin", "association_admin"},
        ),
        ("member_add", reverse("member_add", args=[own.pk]), {"system_admin", "association_admin"}),
        (
            "board_member_add",
            reverse("board_member_add", args=[own.pk]),
            {"system_admin", "association_admin"},
        ),
        ("area_add", reverse("area_add", args=[own.pk]), {"system_admin", "association_admin"}),
        (
            "extra_question_add",
            reverse("extra_question_add", args=[own.pk]),
            {"system_admin", "association_admin"},
        ),
        ("signoff_page own", reverse("signoff_page", args=[own.pk]), {"association_admin"}),
        ("signoff_page other", reverse("signoff_page", args=[other.pk]), set()),
        ("signoff_status", reverse("signoff_status"), {"system_admin", "national_analyst"}),
        ("job_list", reverse("job_list"), ALL),
        ("export_start", reverse("export_start"), ALL),
        ("intervention_list", reverse("intervention_list"), ALL),
        ("intervention_detail own", reverse("intervention_detail", args=[p.pk]), ALL),
        (
            "intervention_detail other",
            reverse("intervention_detail", args=[op.pk]),
            {"system_admin", "national_analyst"},
        ),
        (
            "intervention_create",
            reverse("intervention_create", args=[own.pk]),
            {"association_admin"},
        ),
        (
            "intervention_edit",
            reverse("intervention_edit", args=[p.pk]),
            {"association_admin", "intervention_manager"},
        ),
        (
            "intervention_assign",
            reverse("intervention_assign", args=[p.pk]),
            {"association_admin", "intervention_manager"},
        ),
        (
            "volume_edit",
            reverse("volume_edit", args=[v.pk]),
            {"intervention_manager", "participant_handler"},
        ),
        (
            "episode_list",
            reverse("episode_list", args=[p.pk]),
            {"association_admin", "participant_handler"},
        ),
        ("episode_list other", reverse("episode_list", args=[op.pk]), set()),
        ("episode_enrol", reverse("episode_enrol", args=[p.pk]), {"participant_handler"}),
        ("episode_enrol other", reverse("episode_enrol", args=[op.pk]), set()),
        (
            "episode_detail",
            reverse("episode_detail", args=[episode.pk]),
            {"association_admin", "participant_handler"},
        ),
        ("episode_exit", reverse("episode_exit", args=[episode.pk]), {"participant_handler"}),
        ("episode_correct", reverse("episode_correct", args=[episode.pk]), {"participant_handler"}),
        (
            "episode_mark_error",
            reverse("episode_mark_error", args=[episode.pk]),
            {"participant_handler"},
        ),
        ("followup_record", reverse("followup_record", args=[episode.pk]), {"participant_handler"}),
        (
            "consent_withdraw",
            reverse("consent_withdraw", args=[episode.pk]),
            {"participant_handler"},
        ),
        ("audit_list", reverse("audit_list"), {"system_admin", "association_admin"}),
        (
            "participant_rights",
            reverse("participant_rights", args=[episode.participant_id]),
            {"participant_handler"},
        ),
        ("user_list", reverse("user_list"), {"system_admin", "association_admin"}),
        ("user_new", reverse("user_new"), {"system_admin", "association_admin"}),
        ("lockout_list", reverse("lockout_list"), {"system_admin", "association_admin"}),
        (
            "user_detail",
            reverse("user_detail", args=[world["users"]["board_reader"].pk]),
            {"system_admin", "association_admin"},
        ),
        ("budget_list own", reverse("budget_list", args=[own.pk]), ALL),
        ("budget_year own", reverse("budget_year", args=[own.pk, 2025]), ALL),
        (
            "budget_year other",
            reverse("budget_year", args=[other.pk, 2025]),
            {"system_admin", "national_analyst"},
        ),
        (
            "budget_year_edit",
            reverse("budget_year_edit", args=[own.pk, 2025]),
            {"system_admin", "association_admin"},
        ),
        (
            "budget_line_add",
            reverse("budget_line_add", args=[own.pk, 2025]),
            {"system_admin", "association_admin"},
        ),
        ("allocation", reverse("allocation"), {"national_analyst"}),
        ("merger", reverse("merger"), {"national_analyst"}),
        ("socio_index", reverse("socio_index"), ALL),
        ("socio_exclusion", reverse("socio_exclusion"), ALL),
        (
            "socio_parameters",
            reverse("socio_parameters"),
            {"system_admin", "association_admin", "national_analyst"},
        ),
        # domain.md §5: the analyst changes nothing; the system administrator keeps the national
        # parameter table (docs/decisions.md, "Roles")
        ("socio_parameter_upload", reverse("socio_parameter_upload"), {"system_admin"}),
        ("socio_payback", reverse("socio_payback"), ALL - {"system_admin"}),
        (
            "socio_payback other",
            reverse("socio_payback") + f"?association={other.pk}",
            {"national_analyst"},
        ),
        ("socio_needs", reverse("socio_needs"), ALL - {"system_admin"}),
        ("evaluation_index", reverse("evaluation_index"), {"national_analyst"}),
        ("evaluation_did", reverse("evaluation_did"), {"national_analyst"}),
        ("evaluation_isf", reverse("evaluation_isf"), {"national_analyst"}),
        ("import_upload", reverse("import_upload"), {"association_admin"}),
        ("report_index", reverse("report_index"), ALL - {"system_admin"}),
        ("report_page", reverse("report_page", args=["utfall"]), ALL - {"system_admin"}),
        (
            "report_page other",
            reverse("report_page", args=["utfall"]) + "?year=2024&associations=OTH",
            {"national_analyst"},
        ),
        (
            "report_csv",
            reverse("report_page", args=["insatser"]) + "?year=2024&format=csv",
            ALL - {"system_admin"},
        ),
        ("report_quality", reverse("report_quality"), ALL - {"system_admin"}),
    ]


@pytest.fixture
def matrix(world, enrol):
    episode = enrol()
    return pages(world, episode), episode


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(client, world, matrix, role):
    entries, _episode = matrix
    client.force_login(world["users"][role])
    wrong = wrong_statuses(client, entries, role)
    assert wrong == []


@pytest.mark.parametrize("role", ROLES)
def test_only_the_handler_may_reveal_identity(client, world, matrix, role):
    from finsam.audit.models import AccessLog

    _entries, episode = matrix
    client.force_login(world["users"][role])
    response = client.post(
        reverse("episode_detail", args=[episode.pk]),
        {"reveal": "1", "purpose": "handlaggning", "reason": "ärendet"},
    )
    if role == "participant_handler":
        assert response.status_code == 200
        assert "19900101-0009" in response.content.decode()
        assert AccessLog.objects.filter(actor=world["users"][role]).count() == 1
    else:
        assert response.status_code in (403, 404)
        assert "19900101-0009" not in response.content.decode()
        assert AccessLog.objects.count() == 0


@pytest.mark.parametrize("role", ROLES)
def test_admin_site_is_for_system_administrators_only(client, world, role):
    user = world["users"][role]
    user.is_staff = True  # even a staff flag must not open the admin to other roles
    user.save()
    client.force_login(user)
    status = client.get(reverse("admin:index")).status_code
    assert status == (200 if role == "system_admin" else 302)


def test_writes_are_denied_on_the_server_not_just_hidden(client, world):
    from finsam.registry.models import Episode

    client.force_login(world["users"]["board_reader"])
    response = client.post(
        reverse("episode_enrol", args=[world["persons"].pk]),
        {
            "identity_level": "anonymous",
            "sex": "K",
            "birth_year": "1990",
            "home_municipality": "0183",
            "start_date": date(2024, 1, 1).isoformat(),
            "support_before": ["FSS"],
        },
    )
    assert response.status_code == 403
    assert Episode.objects.count() == 0


def test_association_admin_cannot_also_be_participant_handler(world):
    from finsam.access.services import role_grant
    from finsam.domain.access import Role
    from finsam.domain.problems import DomainValidationError

    with pytest.raises(DomainValidationError) as exc:
        role_grant(
            user=world["users"]["association_admin"],
            role=Role.PARTICIPANT_HANDLER,
            association=world["association"],
            actor=world["users"]["system_admin"],
        )
    assert "identitetsuppgifter" in str(exc.value)


def test_anonymous_visitor_sees_the_swedish_login_page(client, db):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="sv"' in html and "Logga in" in html and "Lösenord" in html
    assert client.get(reverse("intervention_list")).status_code == 302


def test_admin_refuses_incompatible_roles(client, world):
    from finsam.access.models import RoleAssignment

    client.force_login(world["users"]["system_admin"])
    response = client.post(
        reverse("admin:access_roleassignment_add"),
        {
            "user": world["users"]["association_admin"].pk,
            "role": "participant_handler",
            "association": world["association"].pk,
        },
    )
    assert response.status_code == 200
    assert "kan inte vara både" in response.content.decode()
    assert not RoleAssignment.objects.filter(
        user=world["users"]["association_admin"], role="participant_handler"
    ).exists()
