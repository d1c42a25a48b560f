"""Deviation pages through the test client: roles, the form, the workflow, the report page."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse

from finsam.deviations import services
from finsam.deviations.models import DeviationReport
from tests.conftest import login

from .conftest import TODAY

pytestmark = pytest.mark.django_db

ROLES = [
    "system_admin",
    "association_admin",
    "intervention_manager",
    "participant_handler",
    "board_reader",
    "national_analyst",
]
ASSOCIATION_ROLES = {
    "association_admin",
    "intervention_manager",
    "participant_handler",
    "board_reader",
}


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)


def _matrix(world, report, other_report):
    own = world["association"]
    return [
        ("list", reverse("deviation_list"), ASSOCIATION_ROLES),
        # the board reads and counts deviation reports but files none (domain.md §5)
        ("start", reverse("deviation_start"), ASSOCIATION_ROLES - {"board_reader"}),
        ("new own", reverse("deviation_new", args=[own.pk]), ASSOCIATION_ROLES - {"board_reader"}),
        ("new other", reverse("deviation_new", args=[world["other"].pk]), set()),
        ("detail own", reverse("deviation_detail", args=[report.pk]), ASSOCIATION_ROLES),
        ("detail other", reverse("deviation_detail", args=[other_report.pk]), set()),
        ("statistics", reverse("deviation_statistics"), ASSOCIATION_ROLES | {"national_analyst"}),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(client, world, file_report, role):
    report = file_report()
    other_report = file_report(association=world["other"], actor=world["users"]["system_admin"])
    login(client, world["users"][role])
    for name, url, allowed in _matrix(world, report, other_report):
        response = client.get(url, follow=False)
        expected = {200, 302} if role in allowed else {403}
        assert response.status_code in expected, (name, role, response.status_code)


@pytest.mark.parametrize("role", sorted(ASSOCIATION_ROLES - {"association_admin"}))
def test_only_the_preparatory_group_handles_reports(client, world, file_report, members, role):
    report = file_report()
    login(client, world["users"][role])
    response = client.post(
        reverse("deviation_classify", args=[report.pk]),
        {"classify-category": "PLAN", "classify-owner": members["FK"].pk},
    )
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == "new"
    assert (
        b"Klassificera och utse ansvarig"
        not in client.get(reverse("deviation_detail", args=[report.pk])).content
    )


def _form_data(members, **kw):
    data = {
        "report_date": "2026-10-01",
        "organisations": [members["FK"].pk, members["MUNICIPALITY"].pk],
        "category": "NEKAD",
        "description": "Kommunen väntade på FK:s beslut, FK på kommunens utredning.",
        "consequence": "Försörjningsstöd i fyra månader.",
        "improvement": "Gemensam kontaktperson.",
    }
    data.update(kw)
    return data


def test_filing_through_the_form(client, world, members):
    login(client, world["users"]["participant_handler"])
    page = client.get(reverse("deviation_new", args=[world["association"].pk]))
    assert b"Inga personuppgifter" in page.content
    response = client.post(
        reverse("deviation_new", args=[world["association"].pk]), _form_data(members)
    )
    report = DeviationReport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("deviation_detail", args=[report.pk])
    assert report.association == world["association"]
    assert {m.kind for m in report.organisations.all()} == {"FK", "MUNICIPALITY"}


def test_a_personal_number_is_refused_and_the_form_keeps_the_input(client, world, members):
    login(client, world["users"]["intervention_manager"])
    text = "Personen 900101-0009 fick avslag hos både FK och kommunen."
    response = client.post(
        reverse("deviation_new", args=[world["association"].pk]),
        _form_data(members, description=text, improvement="Bättre överlämning"),
    )
    assert response.status_code == 200
    assert DeviationReport.objects.count() == 0
    content = response.content.decode()
    assert "Beskrivning: texten innehåller något som är ett personnummer" in content
    assert 'href="#id_description"' in content  # the error summary links to the field
    assert "Bättre överlämning" in content  # the rest of the input is kept


def test_the_only_member_organisations_offered_are_the_associations_own(client, world, members):
    login(client, world["users"]["participant_handler"])
    other = world["other"].members.first()
    response = client.post(
        reverse("deviation_new", args=[world["association"].pk]),
        _form_data(members, organisations=[other.pk]),
    )
    assert response.status_code == 200
    assert "välj ett av alternativen" in response.content.decode()
    assert DeviationReport.objects.count() == 0


def test_the_workflow_through_the_pages(client, world, file_report, members):
    report = file_report()
    login(client, world["users"]["association_admin"])
    detail = reverse("deviation_detail", args=[report.pk])
    assert b"Registrera \xc3\xa5tg\xc3\xa4rd" not in client.get(detail).content  # new: classify
    r = client.post(
        reverse("deviation_classify", args=[report.pk]),
        {"classify-category": "INFORMATION", "classify-owner": members["REGION"].pk},
    )
    assert r.status_code == 302
    r = client.post(
        reverse("deviation_action", args=[report.pk]),
        {"action-action_date": "2026-10-05", "action-text": "Pnr 9001010009 ringdes upp"},
    )
    assert r.status_code == 400
    assert "Åtgärd: texten innehåller" in r.content.decode()
    r = client.post(
        reverse("deviation_action", args=[report.pk]),
        {
            "action-action_date": "2026-10-05",
            "action-text": "Möte mellan FK och regionen",
            "action-organisation": members["REGION"].pk,
        },
    )
    assert r.status_code == 302
    r = client.post(
        reverse("deviation_close", args=[report.pk]),
        {"close-closed_date": "2026-11-02", "close-closing_note": "Rutin för intyg ändrad."},
    )
    assert r.status_code == 302
    report.refresh_from_db()
    assert report.status == "closed"
    page = client.get(detail).content.decode()
    assert "Möte mellan FK och regionen" in page
    assert "Avslutad" in page
    assert "Spara klassificering" not in page  # closed is final


def test_list_filters(client, world, file_report, members):
    a = file_report(category="PLAN", kinds=("FK", "AF"))
    b = file_report(category="VANTETID", kinds=("REGION", "MUNICIPALITY"))
    login(client, world["users"]["board_reader"])
    url = reverse("deviation_list")
    page = client.get(url, {"category": "PLAN"}).content.decode()
    assert f'href="{reverse("deviation_detail", args=[a.pk])}"' in page
    assert f'href="{reverse("deviation_detail", args=[b.pk])}"' not in page
    page = client.get(url, {"organisation_kind": "REGION"}).content.decode()
    assert f'href="{reverse("deviation_detail", args=[b.pk])}"' in page
    assert f'href="{reverse("deviation_detail", args=[a.pk])}"' not in page


def _statistics(client, **params):
    base = {"period_type": "quarter", "start": "2026-01-01", "end": "2026-11-22"}
    base.update(params)
    return client.get(reverse("deviation_statistics"), base)


def test_own_association_sees_unprotected_counts_and_open_items(client, world, file_report):
    for _ in range(2):
        file_report(category="PLAN", kinds=("FK", "AF", "REGION"))
    file_report(category="VANTETID", kinds=("FK",))
    login(client, world["users"]["board_reader"])
    response = _statistics(client, scope=world["association"].pk)
    ctx = response.context
    assert not ctx["protected"]
    assert ctx["total"] == "3"
    labels = dict(ctx["category_rows"])
    assert labels["Ingen samordnad plan"] == "2"
    assert labels["Väntetid mellan myndigheter"] == "1"
    pairs = dict(ctx["pair_rows"])
    assert pairs["Arbetsförmedlingen – Försäkringskassan"] == "2"
    assert dict(ctx["period_rows"])["2026 K4"] == "3"
    assert len(ctx["open_items"]) == 3
    assert b"<svg" in response.content


def test_national_aggregates_are_protected_for_the_analyst(client, world, file_report):
    for _ in range(6):
        file_report(category="PLAN")
    file_report(
        category="VANTETID", association=world["other"], actor=world["users"]["system_admin"]
    )
    login(client, world["users"]["national_analyst"])
    ctx = _statistics(client, scope="national").context
    assert ctx["protected"]
    labels = dict(ctx["category_rows"])
    assert labels["Väntetid mellan myndigheter"] == ".."
    # the only other non-zero category is hidden too, or 7 − 6 would give the 1 back
    assert labels["Ingen samordnad plan"] == ".."
    assert ctx["total"] == "7"
    assert ctx["open_items"] is None
    # pairs compare member kinds across associations
    assert "Arbetsförmedlingen – Försäkringskassan" in dict(ctx["pair_rows"])
    # the analyst may look at one association, but protected and without its open items
    ctx = _statistics(client, scope=world["other"].pk).context
    assert ctx["protected"] and ctx["open_items"] is None
    assert ctx["total"] == ".."


def test_association_roles_cannot_see_the_nation_or_another_association(client, world):
    login(client, world["users"]["association_admin"])
    assert _statistics(client, scope="national").status_code == 403
    assert _statistics(client, scope=world["other"].pk).status_code == 403


def test_downloads(client, world, file_report):
    file_report(category="PLAN")
    login(client, world["users"]["association_admin"])
    params = {"scope": world["association"].pk}
    csv = _statistics(client, format="csv", **params)
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode()
    assert "Kategori,Ingen samordnad plan,1" in text
    xlsx = _statistics(client, format="xlsx", **params)
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx.content))
    assert {"Kategorier", "Perioder", "Organisationspar", "Öppna ärenden"} <= set(book.sheetnames)
    pdf = _statistics(client, format="pdf", **params)
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_no_identity_number_reaches_the_database(world, file_report, members):
    from django.db import connection

    from finsam.domain.problems import DomainValidationError

    for text in ("900101-0009", "19900101 0009", "9001010009"):
        with pytest.raises(DomainValidationError):
            file_report(description=f"Personen {text} nekades")
    report = file_report()
    services.deviation_classify(
        actor=world["users"]["association_admin"],
        report=report,
        category="PLAN",
        owner_id=members["FK"].pk,
    )
    with connection.cursor() as cursor:
        for table in ("deviations_deviationreport", "deviations_deviationaction", "audit_auditlog"):
            # (the audit's hash columns are hex digests: any four digits can occur there)
            columns = "*" if table != "audit_auditlog" else "summary, changes, reason, object_id"
            cursor.execute(f"SELECT {columns} FROM {table}")  # noqa: S608 (fixed names)
            dump = repr(cursor.fetchall())
            assert "0009" not in dump.replace("2026", ""), table
    assert date(2026, 10, 1) == report.report_date
