"""axe-core on every page each role reaches by links, with the small demo data set: zero WCAG 2.1
A/AA violations of any impact. Screenshots of each role's start page for CI's artefacts."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tests.browser.conftest import axe_violations, crawl, screenshot

PAGES_PER_ROLE = 14
"""New page patterns per role (a pattern checked for an earlier role is not checked again)."""
ROLE_ORDER = (
    "participant_handler",
    "association_admin",
    "intervention_manager",
    "board_reader",
    "national_analyst",
    "system_admin",
)
"""Handlers first: they reach the pages with personal data."""


@pytest.fixture
def demo_users(live_db, tmp_path, settings):
    from finsam.access.models import RoleAssignment
    from finsam.domain.access import Role

    settings.DATA_DIR = tmp_path
    call_command("demo", episodes=160, seed=7, stdout=open("/dev/null", "w"))  # noqa: SIM115
    users = {}
    for role in Role:
        ra = RoleAssignment.objects.filter(role=role).select_related("user").order_by("pk").first()
        if ra is not None:
            users[role.value] = ra.user
    return users


@pytest.mark.browser
def test_every_reachable_page_of_every_role_has_no_axe_violations(open_as, live_server, demo_users):
    problems: list[str] = []
    visited: dict[str, list[str]] = {}
    seen: set[str] = set()
    for role in ROLE_ORDER:
        user = demo_users.get(role)
        if user is None:
            continue
        page = open_as(user)
        visited[role] = []
        for url, status in crawl(page, live_server.url, seen=seen, limit=PAGES_PER_ROLE):
            visited[role].append(url)
            if status >= 400:
                problems.append(f"{role}: {url} answered {status}")
                continue
            problems += [f"{role}: {v}" for v in axe_violations(page)]
            if len(visited[role]) == 1:
                screenshot(page, f"start-{role}")
    page.goto(live_server.url + "/tillganglighet/")
    problems += [f"statement: {v}" for v in axe_violations(page)]
    assert len(visited) == len(ROLE_ORDER), visited
    assert sum(len(v) for v in visited.values()) >= 30, visited
    assert not problems, "\n".join(problems)
