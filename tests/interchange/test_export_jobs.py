"""``finsam export`` from the web as a background job: queued from the page, run by the worker
(``execute``), the file on the job's page, pseudonymised, scoped to what the orderer may see,
audited; a refused export fails in Swedish and writes nothing."""

from __future__ import annotations

import csv
import io

from django.test import override_settings
from django.urls import reverse

from finsam.audit.models import AuditLog
from finsam.jobs.models import Job
from tests.conftest import PNR_WOMAN

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def rows_of(client, job):
    file = client.get(reverse("job_file", args=[job.pk, 0]))
    return list(csv.reader(io.StringIO(b"".join(file.streaming_content).decode("utf-8-sig"))))


@override_settings(TASKS=DB_QUEUE)
def test_export_waits_in_the_queue_then_offers_the_pseudonymised_file(client, world, enrol):
    from finsam.jobs.runner import execute

    enrol(personal_number=PNR_WOMAN)
    client.force_login(world["users"]["participant_handler"])
    assert "Exportera" in client.get(reverse("export_start")).content.decode()
    response = client.post(reverse("export_start"), {"kind": "episodes", "file_format": "csv"})
    assert response.status_code == 302
    job = Job.objects.get()
    assert job.kind == "export" and job.status == "queued"
    assert not AuditLog.objects.filter(action="export_episodes").exists()
    execute(str(job.pk))
    job.refresh_from_db()
    assert job.status == "done" and job.result["rows"] == 1
    rows = rows_of(client, job)
    assert len(rows) == 2
    assert PNR_WOMAN not in "".join(rows[1]) and PNR_WOMAN[:8] not in "".join(rows[1])
    assert AuditLog.objects.filter(action="export_episodes").count() == 1


def test_export_of_one_association_as_xlsx(client, world):
    client.force_login(world["users"]["association_admin"])
    response = client.post(
        reverse("export_start"),
        {"kind": "interventions", "association": world["association"].pk, "file_format": "xlsx"},
        follow=True,
    )
    job = response.context["job"]
    assert job.status == "done" and job.result["files"][0]["file_name"] == "interventions-SBG.xlsx"
    file = client.get(reverse("job_file", args=[job.pk, 0]))
    assert b"".join(file.streaming_content).startswith(b"PK")


def test_another_associations_export_is_refused_and_no_job(client, world):
    client.force_login(world["users"]["association_admin"])
    response = client.post(
        reverse("export_start"),
        {"kind": "interventions", "association": world["other"].pk, "file_format": "csv"},
    )
    assert response.status_code == 200
    assert "välj ett förbund du får se" in response.content.decode()
    assert not Job.objects.exists()


def test_a_job_whose_user_lost_the_right_fails_in_swedish_and_writes_nothing(client, world):
    from finsam.access.models import RoleAssignment
    from finsam.access.permissions import forget_principal
    from finsam.jobs.runner import execute, job_dir

    user = world["users"]["board_reader"]
    client.force_login(user)
    with override_settings(TASKS=DB_QUEUE):
        client.post(reverse("export_start"), {"kind": "members", "file_format": "csv"})
    job = Job.objects.get()
    RoleAssignment.objects.filter(user=user).delete()
    forget_principal(user)
    execute(str(job.pk))
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error == "Du har inte behörighet att exportera uppgifter."
    assert not (job_dir(job.pk) / "export.csv").exists()
    assert not AuditLog.objects.filter(action="export_members").exists()


def test_who_may_open_the_export_page(client, world):
    from finsam.access.permissions import can
    from finsam.domain.access import Action

    for role, user in world["users"].items():
        client.force_login(user)
        allowed = can(user, Action.VIEW_ASSOCIATION) or can(user, Action.EXPORT_MICRODATA)
        assert client.get(reverse("export_start")).status_code == (200 if allowed else 403), role
