"""Job pages: progress while queued (the page reloads itself, no script), the result when done,
a Swedish message when a job fails, and only the orderer sees a job."""

from __future__ import annotations

from datetime import date

from django.test import override_settings
from django.urls import reverse

from finsam.domain.problems import DomainValidationError, Problem
from finsam.domain.signoff import SignoffPeriod
from tests.interchange.conftest import episode_rows
from tests.interchange.test_web import job_of, post_upload

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def refuse(job, progress):
    progress(40, "Halvvägs")
    raise DomainValidationError([Problem("x", "test.refused", "Testjobbet vägrade: fel indata.")])


def crash(job, progress):
    raise RuntimeError("boom")


def enqueue(user, handler):
    from finsam.jobs.services import job_enqueue

    return job_enqueue(actor=user, kind="test", title="Testjobb", handler=handler)


@override_settings(TASKS=DB_QUEUE)
def test_a_queued_job_waits_in_the_database_and_its_page_refreshes(client, world, settings):
    from django_tasks_db.models import DBTaskResult

    from finsam.jobs.runner import execute

    user = world["users"]["association_admin"]
    job = enqueue(user, "finsam.jobs.handlers.selftest")
    assert job.status == "queued" and job.task_id
    assert DBTaskResult.objects.filter(id=job.task_id).exists()
    client.force_login(user)
    html = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in html
    assert "<progress" in html and "väntar på att en bakgrundsarbetare" in html
    assert "<script>" not in html  # no inline script (strict CSP)
    execute(str(job.pk))  # what the worker does
    html = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert 'http-equiv="refresh"' not in html and "Bakgrundsarbetaren fungerar" in html
    assert "Testjobb" in client.get(reverse("job_list")).content.decode()


def test_failed_jobs_show_a_swedish_message(client, world):
    user = world["users"]["association_admin"]
    client.force_login(user)
    job = enqueue(user, "tests.jobs.test_jobs.refuse")
    assert job.status == "failed" and job.error == "Testjobbet vägrade: fel indata."
    html = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "Jobbet misslyckades" in html and "Ingenting har ändrats" in html
    job = enqueue(user, "tests.jobs.test_jobs.crash")
    assert job.status == "failed" and "oväntat fel" in job.error and "boom" not in job.error


def test_only_the_orderer_sees_a_job(client, world):
    job = enqueue(world["users"]["association_admin"], "finsam.jobs.handlers.selftest")
    client.force_login(world["users"]["system_admin"])
    assert client.get(reverse("job_detail", args=[job.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("job_detail", args=[job.pk])).status_code == 302  # to login


def test_web_import_of_a_signed_period_fails_and_changes_nothing(client, world):
    from finsam.registry.models import Episode
    from finsam.registry.services.signoff import period_sign_off

    admin = world["users"]["association_admin"]
    period_sign_off(
        actor=admin,
        association=world["association"],
        period=SignoffPeriod(2024),
        today=date(2026, 11, 22),
    )
    client.force_login(admin)
    response = post_upload(client, world, episode_rows(4))
    html = response.content.decode()
    assert job_of(response).status == "done" and not job_of(response).result["ok"]
    assert "signoff.locked" in html and "som förbundet har undertecknat" in html
    assert "Importera</button>" not in html
    assert client.post(reverse("import_confirm", args=[job_of(response).pk])).status_code == 404
    assert Episode.objects.count() == 0


def test_import_that_fails_after_the_preview_changes_nothing(client, world):
    from finsam.registry.models import Episode
    from finsam.registry.services.signoff import period_sign_off

    admin = world["users"]["association_admin"]
    client.force_login(admin)
    preview = job_of(post_upload(client, world, episode_rows(4)))
    assert preview.result["ok"]
    # The period is signed off between the preview and the import.
    period_sign_off(
        actor=admin,
        association=world["association"],
        period=SignoffPeriod(2024),
        today=date(2026, 11, 22),
    )
    response = client.post(reverse("import_confirm", args=[preview.pk]), follow=True)
    job = job_of(response)
    assert job.status == "failed" and "ingenting har importerats" in job.error
    assert "Jobbet misslyckades" in response.content.decode()
    assert Episode.objects.count() == 0
