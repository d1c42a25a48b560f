"""Every role × the association's-year pages: allowed (200) or denied (403), as domain.md §5 and
docs/annual-report.md say (the same check as tests/registry/test_role_matrix.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.registry.test_role_matrix import ALL, ROLES, wrong_statuses

EDITORS = {"system_admin", "association_admin"}


@pytest.fixture
def entries(world):
    from finsam.planning import services

    own, other = world["association"], world["other"]
    services.plan_save(
        actor=world["users"]["system_admin"], association=own, plan_year=2027, years=[]
    )
    return [
        ("planning_index own", reverse("planning_index", args=[own.pk]), ALL),
        (
            "planning_index other",
            reverse("planning_index", args=[other.pk]),
            {"system_admin", "national_analyst"},
        ),
        # the figures are the reports': the system administrator has no VIEW_REPORTS
        (
            "annual_report own",
            reverse("annual_report", args=[own.pk, 2025]),
            ALL - {"system_admin"},
        ),
        (
            "annual_report other",
            reverse("annual_report", args=[other.pk, 2025]),
            {"national_analyst"},
        ),
        ("annual_report_edit", reverse("annual_report_edit", args=[own.pk, 2025]), EDITORS),
        ("plan_list own", reverse("plan_list", args=[own.pk]), ALL),
        ("plan_detail own", reverse("plan_detail", args=[own.pk, 2027]), ALL),
        ("calendar_detail own", reverse("calendar_detail", args=[own.pk, 2026]), ALL),
        (
            "calendar_detail other",
            reverse("calendar_detail", args=[other.pk, 2026]),
            {"system_admin", "national_analyst"},
        ),
        ("calendar_overview", reverse("calendar_overview"), ALL),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(client, world, entries, role):
    client.force_login(world["users"][role])
    assert wrong_statuses(client, entries, role) == []


@pytest.mark.parametrize("role", sorted(set(ROLES) - EDITORS))
def test_writes_are_denied_on_the_server(client, world, role):
    own = world["association"]
    client.force_login(world["users"][role])
    for name, args, data in (
        ("annual_report_edit", [own.pk, 2025], {"foreword": "x"}),
        ("annual_report_adopt", [own.pk, 2025], {"adopted": "2026-03-01"}),
        ("plan_list", [own.pk], {"plan_year": "2027"}),
        ("calendar_detail", [own.pk, 2026], {"step": "consultation"}),
    ):
        assert client.post(reverse(name, args=args), data).status_code == 403, name
