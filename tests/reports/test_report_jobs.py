"""National reports, their downloads and the rebuild of the columnar copy as background jobs:
queued from the page, run by the worker (``execute``, what ``finsam db_worker`` does), progress,
the result and its files, a failure's Swedish message, role checks."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from finsam.jobs.models import Job
from finsam.reports import extract

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
NATIONAL = "?period_type=year&year=2025&levels=association&levels=county&levels=country"


@pytest.fixture
def national(client, registry, settings):
    settings.FINSAM_BACKGROUND_REPORT_EPISODES = 1  # the test registry counts as large
    extract.forget()
    client.force_login(registry["users"]["national_analyst"])
    return client


def page(name="utfall", query=NATIONAL, **extra):
    return (
        reverse("report_page", args=[name]) + query + "".join(f"&{k}={v}" for k, v in extra.items())
    )


@override_settings(TASKS=DB_QUEUE)
def test_a_national_report_with_a_stale_copy_waits_in_the_queue_then_shows(national):
    from finsam.jobs.runner import execute

    response = national.get(page())
    assert response.status_code == 302 and response["Location"].startswith("/jobb/")
    job = Job.objects.get()
    assert job.kind == "report" and job.status == "queued"
    html = national.get(response["Location"]).content.decode()
    assert '<meta http-equiv="refresh"' in html and "<progress" in html
    assert extract.current() is None
    execute(str(job.pk))  # the worker
    job.refresh_from_db()
    assert job.status == "done" and job.progress == 100
    assert extract.current() is not None  # the copy was rebuilt on the way
    html = national.get(response["Location"]).content.decode()
    assert "Annat förbund" in html and "Riket" in html and "Oskyddade tal" not in html
    assert "Till rapportsidan" in html
    assert [f["label"] for f in job.result["files"]] == ["CSV", "Excel (xlsx)", "JSON"]
    csv = national.get(reverse("job_file", args=[job.pk, 0]))
    assert b"".join(csv.streaming_content).decode().startswith("level,")
    # The copy is current now: the same page is answered in the request.
    again = national.get(page())
    assert again.status_code == 200 and "Riket" in again.content.decode()
    assert Job.objects.count() == 1


def test_a_national_download_is_a_job_with_the_file(national):
    response = national.get(page(format="pdf"), follow=True)
    job = response.context["job"]
    assert job.status == "done" and job.params["format"] == "pdf"
    (entry,) = job.result["files"]
    assert entry["label"] == "PDF" and entry["file_name"].endswith(".pdf")
    pdf = national.get(reverse("job_file", args=[job.pk, 0]))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_an_associations_own_report_stays_in_the_request(client, registry, settings):
    settings.FINSAM_BACKGROUND_REPORT_EPISODES = 1
    extract.forget()
    client.force_login(registry["users"]["association_admin"])
    response = client.get(
        page(query="?period_type=year&year=2025&levels=association", format="csv")
    )
    assert response.status_code == 200 and response.content.decode().startswith("level,")
    assert not Job.objects.exists()


def test_a_small_registry_stays_in_the_request(client, registry):
    extract.forget()
    client.force_login(registry["users"]["national_analyst"])
    assert client.get(page()).status_code == 200
    assert not Job.objects.exists()


def test_a_report_job_whose_user_lost_the_right_fails_in_swedish(national, registry):
    from finsam.access.models import RoleAssignment
    from finsam.access.permissions import forget_principal

    analyst = registry["users"]["national_analyst"]
    with override_settings(TASKS=DB_QUEUE):
        response = national.get(page())
    job = Job.objects.get()
    RoleAssignment.objects.filter(user=analyst).delete()
    forget_principal(analyst)
    from finsam.jobs.runner import execute

    execute(str(job.pk))
    job.refresh_from_db()
    assert job.status == "failed" and job.error  # a Swedish message, nothing written
    assert "Traceback" not in job.error
    assert job.result.get("files") is None
    national.force_login(analyst)
    html = national.get(response["Location"]).content.decode()
    assert "Jobbet misslyckades" in html and "Ingenting har ändrats" in html


def test_extract_rebuild_from_the_index_for_national_users_only(client, registry):
    extract.forget()
    client.force_login(registry["users"]["national_analyst"])
    assert "Bygg om kolumnkopian" in client.get(reverse("report_index")).content.decode()
    response = client.post(reverse("report_extract_rebuild"), follow=True)
    job = response.context["job"]
    assert job.kind == "report_extract" and job.status == "done"
    assert "Kolumnkopian är ombyggd" in response.content.decode()
    assert extract.current() is not None
    again = client.post(reverse("report_extract_rebuild"), follow=True)
    assert "redan aktuell" in again.content.decode()
    for role in ("association_admin", "board_reader", "participant_handler"):
        client.force_login(registry["users"][role])
        assert "Bygg om kolumnkopian" not in client.get(reverse("report_index")).content.decode()
        assert client.post(reverse("report_extract_rebuild")).status_code == 403
    client.force_login(registry["users"]["system_admin"])
    assert client.post(reverse("report_extract_rebuild")).status_code == 403
    assert Job.objects.count() == 2
