"""The allocation model's scenario comparison with many associations as a background job:
queued from the page, run by the worker (``execute``), progress, the result and both scenarios'
downloads, a Swedish message on failure, role checks."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings
from django.urls import reverse

from finsam.jobs.models import Job

from .test_model_pages import analyst, params  # noqa: F401 – the fixture

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
COMPARE = {**params(), **params("b", frame="25000000"), "jamfor": "1"}


@pytest.fixture
def many(settings):
    settings.FINSAM_BACKGROUND_ALLOCATION_ROWS = 4  # the test file's 4 associations are "many"


@override_settings(TASKS=DB_QUEUE)
def test_comparison_waits_in_the_queue_then_shows_the_result(analyst, many):  # noqa: F811
    from finsam.jobs.runner import execute

    response = analyst.get(reverse("allocation"), COMPARE)
    assert response.status_code == 302 and response["Location"].startswith("/jobb/")
    job = Job.objects.get()
    assert job.kind == "allocation" and job.status == "queued" and len(job.params["rows"]) == 4
    assert "<progress" in analyst.get(response["Location"]).content.decode()
    execute(str(job.pk))
    job.refresh_from_db()
    assert job.status == "done" and job.progress == 100
    html = analyst.get(response["Location"]).content.decode()
    assert "Jämförelse: scenario B − A" in html and "<svg" in html
    assert "Total skillnad: 5\u00a0000\u00a0000 kr" in html
    assert "Resultat, scenario B" in html and "Till fördelningssidan" in html
    labels = [f["label"] for f in job.result["files"]]
    assert labels[0] == "Scenario A, CSV" and len(labels) == 6
    n = labels.index("Scenario B, JSON")
    data = json.loads(
        b"".join(analyst.get(reverse("job_file", args=[job.pk, n])).streaming_content)
    )
    assert data["total_allocation"] == 25_000_000


def test_one_scenario_and_few_associations_stay_in_the_request(analyst):  # noqa: F811
    html = analyst.get(reverse("allocation"), COMPARE).content.decode()
    assert "Jämförelse: scenario B − A" in html  # 4 < 150 associations
    assert not Job.objects.exists()


def test_one_scenario_stays_in_the_request_even_with_many(analyst, many):  # noqa: F811
    html = analyst.get(reverse("allocation"), params()).content.decode()
    assert "Resultat, scenario A" in html
    assert not Job.objects.exists()


def test_bad_parameters_fail_the_job_in_swedish(analyst, many):  # noqa: F811
    query = {**COMPARE, **params("b", weight_support="70", weight_population="20")}
    job = analyst.get(reverse("allocation"), query, follow=True).context["job"]
    assert job.status == "failed" and "summera till 100 %" in job.error
    assert "html" not in job.result


def test_other_roles_get_no_job(client, world, many):
    for role, user in world["users"].items():
        if role == "national_analyst":
            continue
        client.force_login(user)
        assert client.get(reverse("allocation"), COMPARE).status_code == 403
    assert not Job.objects.exists()
