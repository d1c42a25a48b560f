"""Background jobs through the API: import jobs (dry run, confirm, direct import), evaluation
runs (DiD with bootstrap), reading one's own jobs and their files; the same queue and handlers as
the pages (run at once by the tests' immediate task backend, or left queued with the database
backend and run as the worker does)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from finsam.api.services import token_create
from finsam.jobs.models import Job
from tests.evaluation.web.conftest import MPDTA, isf_counts, isf_files  # noqa: F401
from tests.reports.conftest import registry  # noqa: F401 – the fixture

VOLUME = b"intervention_code,month,women,men,other\nSBG-VOL,2024-01,3,4,0\nSBG-VOL,2024-02,1,0,0\n"
DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
DID = {
    "unit": "countyreal",
    "time": "year",
    "group": "first.treat",
    "outcome": "lemp",
    "method": "reg",
    "bootstrap": "49",
    "seed": "11",
}


def bearer(world, role, **kw):
    _, secret = token_create(actor=None, user=world["users"][role], name=f"jobs-{role}", **kw)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def start_import(client, world, auth, content=VOLUME, **extra):
    data = {
        "kind": "volume",
        "association": world["association"].pk,
        "file": SimpleUploadedFile("volym.csv", content, "text/csv"),
        **extra,
    }
    return client.post("/api/v1/import-jobs", data, **auth)


def start_did(client, auth, **change):
    with MPDTA.open("rb") as f:
        return client.post("/api/v1/evaluations/did", {"file": f, **DID, **change}, **auth)


def test_import_job_dry_run_poll_confirm(client, world):
    from finsam.registry.models import VolumeCount

    auth = bearer(world, "association_admin")
    response = start_import(client, world, auth)
    assert response.status_code == 202, response.content
    preview = response.json()
    assert preview["kind"] == "import_preview" and preview["status"] == "done"
    assert preview["result"]["ok"] and preview["result"]["created"] == 2
    assert preview["page"] == f"/jobb/{preview['id']}/"
    assert VolumeCount.objects.count() == 0  # a dry run keeps nothing
    polled = client.get(f"/api/v1/jobs/{preview['id']}", **auth).json()
    assert polled["status"] == "done" and polled["progress"] == 100
    done = client.post(f"/api/v1/import-jobs/{preview['id']}/confirm", **auth)
    assert done.status_code == 202 and done.json()["kind"] == "import"
    assert done.json()["status"] == "done" and VolumeCount.objects.count() == 2
    # A preview is confirmed once.
    again = client.post(f"/api/v1/import-jobs/{preview['id']}/confirm", **auth)
    assert again.status_code == 404 and again["Content-Type"] == "application/problem+json"
    listed = client.get("/api/v1/jobs?limit=1", **auth).json()
    assert listed["count"] == 2 and listed["items"][0]["id"] == done.json()["id"]
    imports = client.get("/api/v1/jobs?kind=import", **auth).json()
    assert [j["id"] for j in imports["items"]] == [done.json()["id"]]


def test_import_job_with_errors_fails_with_a_swedish_message_and_changes_nothing(client, world):
    from finsam.registry.models import VolumeCount

    auth = bearer(world, "association_admin")
    bad = b"intervention_code,month,women\nSBG-IND,2024-01,3\n"
    job = start_import(client, world, auth, content=bad, dry_run="false").json()
    assert job["kind"] == "import" and job["status"] == "failed"
    assert "importerats" in job["error"] and job["result"]["problems"] >= 1
    assert VolumeCount.objects.count() == 0
    preview = start_import(client, world, auth, content=bad).json()
    refused = client.post(f"/api/v1/import-jobs/{preview['id']}/confirm", **auth)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["message"] == "Filen har fel och kan inte importeras."


def test_import_job_bad_form_is_a_problem_with_the_forms_message(client, world):
    auth = bearer(world, "association_admin")
    response = start_import(client, world, auth, kind="nonsense")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "kind"
    assert not Job.objects.exists()


@override_settings(TASKS=DB_QUEUE)
def test_import_job_waits_in_the_queue_and_the_worker_runs_it(client, world):
    from finsam.jobs.runner import execute
    from finsam.registry.models import VolumeCount

    auth = bearer(world, "association_admin")
    job = start_import(client, world, auth, dry_run="false").json()
    assert job["status"] == "queued" and job["progress"] == 0
    assert VolumeCount.objects.count() == 0
    execute(job["id"])  # what the worker does
    polled = client.get(f"/api/v1/jobs/{job['id']}", **auth).json()
    assert polled["status"] == "done" and VolumeCount.objects.count() == 2


def test_jobs_are_the_orderers_and_the_tokens_scope_applies(client, world):
    admin = bearer(world, "association_admin")
    job = start_import(client, world, admin).json()
    assert client.get(f"/api/v1/jobs/{job['id']}", **bearer(world, "system_admin")).status_code == (
        404
    )
    narrow = bearer(world, "association_admin", actions=["view_reports"])
    assert client.get(f"/api/v1/jobs/{job['id']}", **narrow).status_code == 404
    assert client.get("/api/v1/jobs", **narrow).json()["count"] == 0
    assert client.get(f"/api/v1/jobs/{job['id']}").status_code == 401


@pytest.mark.parametrize(
    "role", ["association_admin", "participant_handler", "board_reader", "intervention_manager"]
)
def test_evaluation_runs_only_for_the_national_models_role(client, world, role):
    from finsam.access.permissions import can
    from finsam.domain.access import Action

    user = world["users"][role]
    assert not can(user, Action.NATIONAL_MODELS)
    assert start_did(client, bearer(world, role)).status_code == 403
    assert not Job.objects.exists()


def test_evaluation_run_result_and_files(client, world):
    auth = bearer(world, "national_analyst")
    response = start_did(client, auth)
    assert response.status_code == 202, response.content
    job = response.json()
    assert job["kind"] == "evaluation_did" and job["status"] == "done"
    assert job["result"]["seed"] == 11 and "html" not in job["result"]
    labels = [f["label"] for f in job["files"]]
    assert labels == ["CSV", "JSON", "Excel (xlsx)", "PDF"]
    url = job["files"][1]["url"]
    file = client.get(url, **auth)
    assert file.status_code == 200 and file["Content-Type"].startswith("application/json")
    data = json.loads(b"".join(file.streaming_content))
    assert data["options"]["bootstrap_draws"] == 49
    assert client.get(f"/api/v1/jobs/{job['id']}/files/9", **auth).status_code == 404
    # The same job is on the job page of the web interface.
    client.force_login(world["users"]["national_analyst"])
    assert client.get(job["page"]).status_code == 200


def test_evaluation_bad_choices_are_the_pages_swedish_messages(client, world):
    auth = bearer(world, "national_analyst")
    response = start_did(client, auth, time="countyreal", bootstrap="-1")
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert "redan vald" in errors["time"] and errors["bootstrap"] == (
        "Bootstrap-dragningar: ange minst 0."
    )
    bad = client.post(
        "/api/v1/evaluations/did",
        {"file": SimpleUploadedFile("x.txt", b"\x00\x01", "text/plain"), **DID},
        **auth,
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "file"
    assert not Job.objects.exists()


@override_settings(TASKS=DB_QUEUE)
def test_evaluation_run_shows_progress_while_queued(client, world):
    from finsam.jobs.runner import execute

    auth = bearer(world, "national_analyst")
    job = start_did(client, auth).json()
    assert job["status"] == "queued" and job["files"] == []
    execute(job["id"])
    assert client.get(f"/api/v1/jobs/{job['id']}", **auth).json()["status"] == "done"


def test_an_associations_token_does_not_see_national_report_jobs(client, registry, settings):  # noqa: F811
    from finsam.reports import extract

    settings.FINSAM_BACKGROUND_REPORT_EPISODES = 1
    extract.forget()
    analyst = registry["users"]["national_analyst"]
    client.force_login(analyst)
    query = "?period_type=year&year=2025&levels=country&format=csv"
    job = client.get(reverse("report_page", args=["utfall"]) + query, follow=True).context["job"]
    client.logout()
    _, everything = token_create(actor=None, user=analyst, name="alla")
    _, scoped = token_create(
        actor=None, user=analyst, name="ett", association=registry["association"]
    )
    assert (
        client.get(f"/api/v1/jobs/{job.pk}", HTTP_AUTHORIZATION=f"Bearer {everything}").json()[
            "kind"
        ]
        == "report"
    )
    assert client.get(
        f"/api/v1/jobs/{job.pk}", HTTP_AUTHORIZATION=f"Bearer {scoped}"
    ).status_code == (404)


def test_isf_study_with_separate_join_years(client, world, isf_files):  # noqa: F811
    counts, joins = isf_files
    auth = bearer(world, "national_analyst")
    with counts.open("rb") as c, joins.open("rb") as j:
        response = client.post(
            "/api/v1/evaluations/isf",
            {"file": c, "join_years": j, "bootstrap": "19", "seed": "3"},
            **auth,
        )
    assert response.status_code == 202, response.content
    job = response.json()
    assert job["kind"] == "evaluation_isf" and job["status"] == "done"
    assert job["result"]["seed"] == 3
    assert [f["label"] for f in job["files"]] == ["Excel (xlsx)", "PDF", "JSON"]
    with counts.open("rb") as c:  # without join years the page's message
        refused = client.post("/api/v1/evaluations/isf", {"file": c, "bootstrap": "19"}, **auth)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "join_years"
    assert "join_year" in refused.json()["errors"][0]["message"]
    assert (
        client.post(
            "/api/v1/evaluations/isf", {"file": counts.open("rb")}, **bearer(world, "board_reader")
        ).status_code
        == 403
    )


def test_report_job_national_and_scoped(client, registry, settings):  # noqa: F811
    from finsam.reports import extract

    extract.forget()
    q = "?start=2025-01-01&end=2025-12-31&level=country"
    national = bearer(registry, "national_analyst")
    response = client.post(f"/api/v1/report-jobs/utfall{q}", **national)
    assert response.status_code == 202, response.content
    job = response.json()
    assert job["kind"] == "report" and job["status"] == "done"
    assert [f["label"] for f in job["files"]] == ["CSV", "Excel (xlsx)", "JSON"]
    data = json.loads(b"".join(client.get(job["files"][2]["url"], **national).streaming_content))
    assert data  # the report as JSON, protected as on the page
    board = bearer(registry, "board_reader")
    refused = client.post(f"/api/v1/report-jobs/utfall{q}", **board)
    assert refused.status_code == 422 and refused["Content-Type"] == "application/problem+json"
    scoped = bearer(registry, "association_admin", association=registry["association"])
    own = client.post(
        "/api/v1/report-jobs/utfall?start=2025-01-01&end=2025-12-31&level=association", **scoped
    )
    assert own.status_code == 202 and own.json()["status"] == "done"
    assert client.get(f"/api/v1/jobs/{own.json()['id']}", **scoped).status_code == 200
    assert (
        client.post(f"/api/v1/report-jobs/utfall{q}&associations=OTH", **scoped).status_code == 403
    )
    assert (
        client.post(
            f"/api/v1/report-jobs/utfall{q}", **bearer(registry, "system_admin")
        ).status_code
        == 403
    )
