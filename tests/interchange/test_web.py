"""The web import: upload → dry-run preview with the error report → confirm → import, each step
a background job (run at once by the tests' immediate task backend)."""

from __future__ import annotations

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.interchange.conftest import EPISODE_HEADER, episode_rows
from tests.registry.test_privacy import FORMS_OF_THE_NUMBER, dump_database


def upload_file(rows, name="inskrivningar.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EPISODE_HEADER)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8"), content_type="text/csv")


def post_upload(client, world, rows, **extra):
    return client.post(
        reverse("import_upload"),
        {
            "kind": "episodes",
            "association": world["association"].pk,
            "file": upload_file(rows),
            **extra,
        },
        follow=True,
    )


def job_of(response):
    return response.context["job"]


def test_upload_preview_confirm(client, world):
    from finsam.audit.models import AuditLog
    from finsam.registry.models import Episode

    client.force_login(world["users"]["association_admin"])
    page = client.get(reverse("import_upload")).content.decode()
    assert "Importera fil" in page and 'enctype="multipart/form-data"' in page
    response = post_upload(client, world, episode_rows(6))
    html = response.content.decode()
    assert response.status_code == 200
    assert response.redirect_chain[0][0] == reverse("job_detail", args=[job_of(response).pk])
    assert "Filen kan importeras" in html and "6 nya" in html
    assert 'http-equiv="refresh"' not in html  # done: the page no longer reloads itself
    assert Episode.objects.count() == 0  # the preview is a dry run
    token = job_of(response).pk
    response = client.post(reverse("import_confirm", args=[token]), follow=True)
    assert job_of(response).status == "done"
    assert "6 skapade" in response.content.decode()
    assert Episode.objects.count() == 6
    log = AuditLog.objects.get(action="import_episodes")
    assert log.actor == world["users"]["association_admin"]
    assert log.changes["file"] == "inskrivningar.csv" and log.changes["created"] == 6
    dump = dump_database()
    assert not any(form in dump for form in FORMS_OF_THE_NUMBER)
    # The token is spent.
    assert client.post(reverse("import_confirm", args=[token])).status_code == 404


def test_preview_lists_every_problem_and_offers_the_csv_report(client, world):
    from finsam.registry.models import Episode

    rows = episode_rows(5)
    rows[1][7] = "9999"
    rows[3][9] = "XYZ"
    client.force_login(world["users"]["association_admin"])
    response = post_upload(client, world, rows)
    html = response.content.decode()
    assert "Filen har 2 fel och har inte importerats" in html
    assert "Hemkommun" in html and "XYZ" in html and "Importera</button>" not in html
    assert job_of(response).status == "done"  # a checked file with errors is a result
    report = client.get(reverse("import_report", args=[job_of(response).pk]))
    assert report["Content-Type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(report.content.decode("utf-8"))))
    assert [(r["row"], r["column"], r["rule"]) for r in lines] == [
        ("3", "home_municipality", "code.unknown"),
        ("5", "support_before", "code.unknown"),
    ]
    assert Episode.objects.count() == 0


def test_form_errors_and_permissions(client, world):
    client.force_login(world["users"]["association_admin"])
    response = client.post(reverse("import_upload"), {"kind": "episodes"})
    html = response.content.decode()
    assert "Det finns 2 fel att rätta" in html and "Fil (CSV eller xlsx) måste anges." in html
    # Another association is not offered and cannot be forced.
    response = client.post(
        reverse("import_upload"),
        {"kind": "episodes", "association": world["other"].pk, "file": upload_file([])},
    )
    assert "välj ett förbund du får importera till" in response.content.decode()
    # A participant handler may not use the web import, nor another user's token.
    token = job_of(post_upload(client, world, episode_rows(2))).pk
    client.force_login(world["users"]["participant_handler"])
    assert client.get(reverse("import_upload")).status_code == 403
    assert client.post(reverse("import_confirm", args=[token])).status_code in (403, 404)
    assert client.get(reverse("job_detail", args=[token])).status_code == 404
