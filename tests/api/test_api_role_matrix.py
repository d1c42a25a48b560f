"""Every API operation × every role of the ``world`` fixture: allowed exactly when the page
permission (``finsam.access.permissions.can`` with the page's action and target) allows it, and
then the page itself answers 200 too."""

from __future__ import annotations

import pytest
from django.urls import reverse

from finsam.access.permissions import can, forget_principal
from finsam.api.services import token_create
from finsam.domain.access import Action

ROLES = [
    "system_admin",
    "association_admin",
    "intervention_manager",
    "participant_handler",
    "board_reader",
    "national_analyst",
]


def _multipart(association, kind):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = b"intervention_code,month,women,men,other\nSBG-VOL,2024-01,3,4,0\n"
    return {
        "kind": kind,
        "association": association.pk,
        "file": SimpleUploadedFile("v.csv", content, "text/csv"),
    }


def _did_multipart():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.evaluation.web.conftest import MPDTA

    return {
        "file": SimpleUploadedFile("mpdta.csv", MPDTA.read_bytes(), "text/csv"),
        "unit": "countyreal",
        "time": "year",
        "group": "first.treat",
        "outcome": "lemp",
        "bootstrap": "9",
        "seed": "1",
    }


def _isf_multipart():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from finsam.evaluation.simulate import simulate_isf_counts

    content = simulate_isf_counts(n_municipalities=20, seed=5).to_csv(index=False).encode()
    return {
        "file": SimpleUploadedFile("antal.csv", content, "text/csv"),
        "bootstrap": "5",
        "seed": "1",
    }


def operations(world, episode):
    own, other = world["association"], world["other"]
    p, v, op = world["persons"], world["volume"], world["other_persons"]
    e = episode.pk
    exit_body = {"end_date": "2024-09-01", "exit_reason": "ARB", "support_after": ["EGEN"]}
    correct_body = {
        "start_date": "2024-03-01",
        "home_municipality": "0183",
        "support_before": ["FSS"],
        "reason": "rättelse",
    }
    enrol_body = {
        "identity_level": "anonymous",
        "sex": "K",
        "birth_year": 1990,
        "home_municipality": "0183",
        "start_date": "2024-04-01",
        "support_before": ["FSS"],
    }
    q = "?start=2024-01-01&end=2024-12-31"
    return [
        # (name, method, url, body, action, target, page url)
        (
            "associations",
            "get",
            "/api/v1/associations",
            None,
            Action.VIEW_ASSOCIATION,
            {},
            reverse("association_list"),
        ),
        (
            "association own",
            "get",
            f"/api/v1/associations/{own.pk}",
            None,
            Action.VIEW_ASSOCIATION,
            {"association": own},
            reverse("association_detail", args=[own.pk]),
        ),
        (
            "association other",
            "get",
            f"/api/v1/associations/{other.pk}",
            None,
            Action.VIEW_ASSOCIATION,
            {"association": other},
            reverse("association_detail", args=[other.pk]),
        ),
        (
            "members",
            "get",
            f"/api/v1/associations/{own.pk}/members",
            None,
            Action.VIEW_ASSOCIATION,
            {"association": own},
            None,
        ),
        (
            "area",
            "get",
            f"/api/v1/associations/{own.pk}/area",
            None,
            Action.VIEW_ASSOCIATION,
            {"association": own},
            None,
        ),
        (
            "interventions",
            "get",
            "/api/v1/interventions",
            None,
            Action.VIEW_INTERVENTION,
            {},
            reverse("intervention_list"),
        ),
        (
            "intervention",
            "get",
            f"/api/v1/interventions/{p.pk}",
            None,
            Action.VIEW_INTERVENTION,
            {"intervention": p},
            reverse("intervention_detail", args=[p.pk]),
        ),
        (
            "intervention other",
            "get",
            f"/api/v1/interventions/{op.pk}",
            None,
            Action.VIEW_INTERVENTION,
            {"intervention": op},
            reverse("intervention_detail", args=[op.pk]),
        ),
        (
            "volume list",
            "get",
            f"/api/v1/interventions/{v.pk}/volume",
            None,
            Action.VIEW_INTERVENTION,
            {"intervention": v},
            None,
        ),
        (
            "volume record",
            "post",
            f"/api/v1/interventions/{v.pk}/volume",
            {"month": "2024-01-01", "women": 3, "men": 2, "other": 0},
            Action.EDIT_VOLUME,
            {"intervention": v},
            reverse("volume_edit", args=[v.pk]),
        ),
        (
            "episodes",
            "get",
            f"/api/v1/interventions/{p.pk}/episodes",
            None,
            Action.VIEW_EPISODES,
            {"intervention": p},
            reverse("episode_list", args=[p.pk]),
        ),
        (
            "episodes other",
            "get",
            f"/api/v1/interventions/{op.pk}/episodes",
            None,
            Action.VIEW_EPISODES,
            {"intervention": op},
            reverse("episode_list", args=[op.pk]),
        ),
        (
            "enrol",
            "post",
            f"/api/v1/interventions/{p.pk}/episodes",
            enrol_body,
            Action.EDIT_EPISODES,
            {"intervention": p},
            reverse("episode_enrol", args=[p.pk]),
        ),
        (
            "episode",
            "get",
            f"/api/v1/episodes/{e}",
            None,
            Action.VIEW_EPISODES,
            {"intervention": p},
            reverse("episode_detail", args=[e]),
        ),
        (
            "identity",
            "get",
            f"/api/v1/episodes/{e}/identity",
            None,
            Action.VIEW_IDENTITY,
            {"intervention": p},
            None,
        ),
        (
            "followups",
            "get",
            f"/api/v1/episodes/{e}/followups",
            None,
            Action.VIEW_EPISODES,
            {"intervention": p},
            None,
        ),
        (
            "correct",
            "post",
            f"/api/v1/episodes/{e}/correct",
            correct_body,
            Action.EDIT_EPISODES,
            {"intervention": p},
            reverse("episode_correct", args=[e]),
        ),
        (
            "exit",
            "post",
            f"/api/v1/episodes/{e}/exit",
            exit_body,
            Action.EDIT_EPISODES,
            {"intervention": p},
            reverse("episode_exit", args=[e]),
        ),
        (
            "followup",
            "post",
            f"/api/v1/episodes/{e}/followups",
            {"months_after": 6, "support": ["EGEN"]},
            Action.EDIT_EPISODES,
            {"intervention": p},
            reverse("followup_record", args=[e]),
        ),
        (
            "mark error",
            "post",
            f"/api/v1/episodes/{e}/mark-error",
            {"reason": "dubblett"},
            Action.EDIT_EPISODES,
            {"intervention": p},
            reverse("episode_mark_error", args=[e]),
        ),
        (
            "import job own",
            "post",
            "/api/v1/import-jobs",
            lambda: _multipart(own, "volume"),
            Action.IMPORT_DATA,
            {"association": own},
            reverse("import_upload"),
        ),
        (
            "import job other",
            "post",
            "/api/v1/import-jobs",
            lambda: _multipart(other, "volume"),
            Action.IMPORT_DATA,
            {"association": other},
            None,
        ),
        (
            "evaluation run",
            "post",
            "/api/v1/evaluations/did",
            _did_multipart,
            Action.NATIONAL_MODELS,
            {},
            reverse("evaluation_did"),
        ),
        (
            "evaluation isf",
            "post",
            "/api/v1/evaluations/isf",
            _isf_multipart,
            Action.NATIONAL_MODELS,
            {},
            reverse("evaluation_isf"),
        ),
        (
            "report job",
            "post",
            "/api/v1/report-jobs/utfall" + q + "&level=association",
            None,
            Action.VIEW_REPORTS,
            {},
            reverse("report_index"),
        ),
        (
            "reports",
            "get",
            "/api/v1/reports",
            None,
            Action.VIEW_REPORTS,
            {},
            reverse("report_index"),
        ),
        ("report", "get", f"/api/v1/reports/utfall{q}", None, Action.VIEW_REPORTS, {}, None),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_enforces_the_page_permission(client, world, enrol, role):
    episode = enrol()
    user = world["users"][role]
    _, secret = token_create(actor=None, user=user, name=f"matrix-{role}")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    wrong = []
    for name, method, url, body, action, target, page in operations(world, episode):
        forget_principal(user)
        allowed = can(user, action, **target)
        call = getattr(client, method)
        if body is None:
            status = call(url, **auth).status_code
        elif callable(body):  # multipart (an upload)
            status = call(url, body(), **auth).status_code
        else:
            status = call(url, body, content_type="application/json", **auth).status_code
        if status >= 500 or (allowed and status in (401, 403)) or (not allowed and status != 403):
            wrong.append(f"{name}: {status} (allowed={allowed})")
        if page is not None:
            client.force_login(user)
            page_status = client.get(page).status_code
            client.logout()
            if (page_status == 200) != allowed:
                wrong.append(f"{name}: page {page_status}, api allowed={allowed}")
    assert not wrong, wrong
