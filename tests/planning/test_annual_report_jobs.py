"""The annual report's docx and PDF as background jobs: queued from the page, run by the worker
(``execute``), progress, the file when done, a Swedish message on failure, role checks."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from finsam.jobs.models import Job

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@override_settings(TASKS=DB_QUEUE)
def test_docx_waits_in_the_queue_then_the_file_is_offered(client, world):
    from finsam.jobs.runner import execute

    assoc = world["association"]
    client.force_login(world["users"]["board_reader"])
    response = client.get(reverse("annual_report", args=[assoc.pk, 2025]) + "?format=docx")
    assert response.status_code == 302 and response["Location"].startswith("/jobb/")
    job = Job.objects.get()
    assert job.kind == "annual_report" and job.status == "queued"
    assert "<progress" in client.get(response["Location"]).content.decode()
    execute(str(job.pk))
    job.refresh_from_db()
    assert job.status == "done" and job.progress == 100
    html = client.get(response["Location"]).content.decode()
    assert "Word (docx)" in html and "Till årsredovisningen" in html
    file = client.get(reverse("job_file", args=[job.pk, 0]))
    content = b"".join(file.streaming_content)
    assert content.startswith(b"PK")  # a docx is a zip
    assert f"arsredovisning-{assoc.code}-2025.docx" in file["Content-Disposition"]


def test_pdf_job_runs(client, world):
    assoc = world["association"]
    client.force_login(world["users"]["association_admin"])
    url = reverse("annual_report", args=[assoc.pk, 2025]) + "?format=pdf"
    job = client.get(url, follow=True).context["job"]
    assert job.status == "done"
    file = client.get(reverse("job_file", args=[job.pk, 0]))
    assert b"".join(file.streaming_content).startswith(b"%PDF")


def test_a_job_whose_user_lost_the_right_fails_in_swedish_and_writes_nothing(client, world):
    from finsam.access.models import RoleAssignment
    from finsam.access.permissions import forget_principal
    from finsam.jobs.runner import execute, job_dir

    assoc, user = world["association"], world["users"]["board_reader"]
    client.force_login(user)
    with override_settings(TASKS=DB_QUEUE):
        client.get(reverse("annual_report", args=[assoc.pk, 2025]) + "?format=docx")
    job = Job.objects.get()
    RoleAssignment.objects.filter(user=user).delete()
    forget_principal(user)
    execute(str(job.pk))
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error == "Du har inte längre behörighet till förbundet."
    assert not (job_dir(job.pk) / "arsredovisning.docx").exists()


@pytest.mark.parametrize("role", ["system_admin"])
def test_no_job_for_a_role_without_the_reports(client, world, role):
    assoc = world["association"]
    client.force_login(world["users"][role])
    url = reverse("annual_report", args=[assoc.pk, 2025]) + "?format=docx"
    assert client.get(url).status_code == 403
    client.force_login(world["users"]["board_reader"])
    other = reverse("annual_report", args=[world["other"].pk, 2025]) + "?format=pdf"
    assert client.get(other).status_code == 403
    assert not Job.objects.exists()
