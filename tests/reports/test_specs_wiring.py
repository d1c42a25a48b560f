"""The report specifications drive the runner, the pages and the command: every report runs
under its one name, and its code is accepted wherever its slug is."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from finsam.domain.reports.core import Period
from finsam.domain.reports.specs import SPECS
from finsam.reports import runner

PERIOD = ["--from", "2025-01-01", "--to", "2025-12-31"]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.code)
def test_every_spec_runs_through_the_runner_under_its_name(registry, spec):
    user = registry["users"]["association_admin"]
    for name in (spec.slug, spec.code):
        plan = runner.plan_report(user, name, period=Period.year(2025))
        assert plan.name == spec.slug and plan.code == spec.code
        frames = runner.load_frames(plan)
        assert set(frames) == {"episodes", *spec.frames}
        result = runner.run_report(plan, with_quality=False).result
        assert (result.key, result.code) == (spec.slug, spec.code)


def test_the_command_takes_the_code_as_well_as_the_slug(registry):
    def run(name):
        out = io.StringIO()
        call_command("report", name, *PERIOD, stdout=out)
        return out.getvalue()

    assert run("R1") == run("utfall") == run("r1")


def test_the_page_of_a_code_redirects_to_the_slug(client, registry):
    client.force_login(registry["users"]["board_reader"])
    response = client.get(reverse("report_page", args=["R4"]) + "?year=2025&period_type=year")
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("report_page", args=["avslutningsanledningar"]) + "?year=2025&period_type=year"
    )
    index = client.get(reverse("report_index")).content.decode()
    for spec in SPECS:
        assert reverse("report_page", args=[spec.slug]) in index and spec.title in index
    assert client.get(reverse("report_page", args=["R10"])).status_code == 404
