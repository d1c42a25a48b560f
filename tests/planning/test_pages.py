"""Pages and services of the association's year: who may read and write, audit rows, nothing
saved on bad input, the budget adopted from the plan equals the plan's first year."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from finsam.audit.models import AuditLog
from finsam.domain.problems import DomainValidationError
from finsam.finance import selectors as finance_selectors
from finsam.finance.models import AssociationYear, BudgetLine
from finsam.planning import services
from finsam.planning.models import ActivityPlan, AnnualReportDraft, CalendarStep
from tests.conftest import login

# --- the annual report ----------------------------------------------------------------------------


def test_director_writes_texts_and_board_reads_them(year_world, client):
    assoc, users = year_world["association"], year_world["users"]
    login(client, users["association_admin"])
    url = reverse("annual_report_edit", args=[assoc.pk, 2019])
    r = client.post(
        url,
        {
            "foreword": "Ett bra år.\n\nMed två stycken.",
            "finance": "Budgeten höll.",
            "board_meetings": "7",
        },
    )
    assert r.status_code == 302
    draft = AnnualReportDraft.objects.get(association=assoc, year=2019)
    assert (
        draft.texts["foreword"] == "Ett bra år.\n\nMed två stycken." and draft.board_meetings == 7
    )
    assert AuditLog.objects.filter(
        action="annual_report_text_save", association_id=assoc.pk
    ).exists()
    client.logout()
    login(client, users["board_reader"])
    page = client.get(reverse("annual_report", args=[assoc.pk, 2019])).content.decode()
    assert "Ett bra år." in page and "Med två stycken." in page
    assert "Styrelsen har under 2019 haft 7 sammanträden." in page
    assert "Anna Ordförande" in page and "Skriv texterna" not in page
    assert client.get(url).status_code == 403
    assert client.post(url, {"foreword": "x"}).status_code == 403
    r = client.get(reverse("annual_report", args=[assoc.pk, 2019]) + "?format=docx", follow=True)
    job = r.context["job"]  # the document is written by a background job
    assert job.status == "done" and job.result["files"][0]["file_name"].endswith("-2019.docx")
    file = client.get(reverse("job_file", args=[job.pk, 0]))
    assert file.status_code == 200 and file["Content-Type"].startswith("application/vnd.openxml")


def test_too_long_text_keeps_the_input_and_saves_nothing(year_world, client):
    assoc, users = year_world["association"], year_world["users"]
    login(client, users["association_admin"])
    r = client.post(
        reverse("annual_report_edit", args=[assoc.pk, 2019]),
        {"foreword": "x" * 20_001, "finance": "behåll mig"},
    )
    assert r.status_code == 200
    assert "behåll mig" in r.content.decode()
    assert not AnnualReportDraft.objects.exists()


def test_board_adoption_recorded_and_audited(year_world, client):
    assoc, users = year_world["association"], year_world["users"]
    login(client, users["association_admin"])
    url = reverse("annual_report_adopt", args=[assoc.pk, 2019])
    client.post(url, {"adopted": "2019-12-01"})  # within the year: refused
    assert AssociationYear.objects.get(association=assoc, year=2019).annual_report_adopted == date(
        2020, 3, 15
    )
    client.post(url, {"adopted": "2020-03-20"})
    facts = AssociationYear.objects.get(association=assoc, year=2019)
    assert facts.annual_report_adopted == date(2020, 3, 20)
    log = AuditLog.objects.filter(action="annual_report_adopt").get()
    assert log.association_id == assoc.pk and "2020-03-20" in log.summary
    client.logout()
    login(client, users["board_reader"])
    assert client.post(url, {"adopted": "2020-03-21"}).status_code == 403


def test_adopt_service_rules(year_world):
    assoc, system = year_world["association"], year_world["users"]["system_admin"]
    with pytest.raises(DomainValidationError) as exc:
        services.annual_report_adopt(
            actor=system,
            association=assoc,
            year=2019,
            adopted=date(2027, 1, 1),
            today=date(2026, 1, 1),
        )
    assert exc.value.problems[0].rule == "annual_report.adopted_future"


def test_command_refuses_bad_input_and_writes_no_file(year_world, tmp_path):
    assoc = year_world["association"]
    out = tmp_path / "a.docx"
    for args, text in (
        (["--format", "odt"], "Format"),
        (["--year", "tjugo"], "År"),
        (["--association", "NOPE"], "inget förbund"),
        (["--user", "board_reader", "--association", "OTH"], "Behörighet"),
    ):
        base = {"--association": assoc.code, "--year": "2019", "--format": "docx"}
        for i in range(0, len(args), 2):
            base[args[i]] = args[i + 1]
        argv = [x for kv in base.items() for x in kv]
        with pytest.raises(CommandError, match=text):
            call_command("annual-report", *argv, "--output", str(out))
        assert not out.exists()
    call_command(
        "annual-report",
        "--association",
        assoc.code,
        "--year",
        "2019",
        "--output",
        str(out),
        stdout=io.StringIO(),
    )
    assert out.read_bytes()[:2] == b"PK"


# --- the plan -----------------------------------------------------------------------------------


def _plan_via_pages(client, assoc, persons, volume):
    r = client.post(
        reverse("plan_list", args=[assoc.pk]),
        {
            "plan_year": "2027",
            "equity_start": "400000",
            "contribution_total_0": "2000000",
            "state_offer_0": "1000000",
            "contribution_total_1": "2000000",
            "contribution_total_2": "2000000",
        },
    )
    assert r.status_code == 302, r.content.decode()
    add = reverse("plan_line_add", args=[assoc.pk, 2027])
    for data in (
        {"year": "2027", "kind": "admin_cost", "cost_type": "DIRECTOR", "amount": "830000"},
        {
            "year": "2027",
            "kind": "intervention_cost",
            "intervention_code": persons.code,
            "amount": "900000",
            "goal": "Hälften till arbete eller studier",
            "planned_participants": "45",
        },
        {
            "year": "2027",
            "kind": "intervention_cost",
            "intervention_code": volume.code,
            "amount": "200000",
            "goal": "Gemensam kartläggning",
        },
    ):
        assert client.post(add, data).status_code == 302


def test_plan_pages_and_budget_from_the_plan(year_world, client):
    w = year_world
    assoc, users = w["association"], w["users"]
    login(client, users["association_admin"])
    _plan_via_pages(client, assoc, w["persons"], w["volume"])
    plan = ActivityPlan.objects.get(association=assoc, plan_year=2027)
    page = client.get(reverse("plan_detail", args=[assoc.pk, 2027])).content.decode()
    # 2027: revenue 2 000 000, costs 1 930 000 → result 70 000, equity 470 000 > 400 000 (20 %)
    assert "1\xa0930\xa0000" in page and "470\xa0000" in page
    assert "över rekommendationen" in page
    # a bad line keeps the input and saves nothing
    before = plan.lines.count()
    r = client.post(
        reverse("plan_line_add", args=[assoc.pk, 2027]),
        {"year": "2027", "kind": "admin_cost", "cost_type": "", "amount": "5", "goal": "kvar"},
    )
    assert r.status_code == 200 and "Kostnadstyp" in r.content.decode()
    assert plan.lines.count() == before
    r = client.post(reverse("plan_adopt_budget", args=[assoc.pk, 2027]), {"adopted": "2026-11-20"})
    assert r.status_code == 302
    o = finance_selectors.budget_overview(assoc, 2027, today=date(2026, 11, 22))
    assert o["totals"]["budget"]["revenue"] == 2_000_000
    assert o["totals"]["budget"]["costs"] == 1_930_000
    assert o["totals"]["budget"]["equity_start"] == 400_000
    assert {r["code"]: r["budget"] for r in o["resources"]} == {
        "FK": 1_000_000,
        "01": 500_000,
        "0183": 500_000,
    }
    facts = AssociationYear.objects.get(association=assoc, year=2027)
    assert facts.budget_adopted == date(2026, 11, 20) and facts.contribution_total == 2_000_000
    assert AuditLog.objects.filter(action="activity_plan_adopt_budget").count() == 1
    # adopting again is idempotent; a line not in the plan gets budget 0
    BudgetLine.objects.create(
        association=assoc, year=2027, line="admin_cost", category="IT", budget=5
    )
    client.post(reverse("plan_adopt_budget", args=[assoc.pk, 2027]), {"adopted": "2026-11-20"})
    assert BudgetLine.objects.get(association=assoc, year=2027, category="IT").budget == 0
    assert BudgetLine.objects.filter(association=assoc, year=2027).count() == 7


def test_board_reads_the_plan_but_cannot_change_it(year_world, client):
    w = year_world
    assoc, users = w["association"], w["users"]
    login(client, users["association_admin"])
    _plan_via_pages(client, assoc, w["persons"], w["volume"])
    client.logout()
    login(client, users["board_reader"])
    assert client.get(reverse("plan_detail", args=[assoc.pk, 2027])).status_code == 200
    assert (
        client.post(reverse("plan_list", args=[assoc.pk]), {"plan_year": "2028"}).status_code == 403
    )
    r = client.post(reverse("plan_adopt_budget", args=[assoc.pk, 2027]), {})
    assert r.status_code == 403
    assert not BudgetLine.objects.filter(year=2027).exists()


# --- the calendar -------------------------------------------------------------------------------


def test_calendar_step_and_national_table(year_world, client):
    w = year_world
    assoc, users = w["association"], w["users"]
    login(client, users["association_admin"])
    url = reverse("calendar_detail", args=[assoc.pk, 2019])
    r = client.post(url, {"step": "consultation", "done_date": "2018-02-20", "note": "Gemensamt"})
    assert r.status_code == 302
    assert (
        CalendarStep.objects.get(association=assoc, year=2019, step="consultation").note
        == "Gemensamt"
    )
    assert AuditLog.objects.filter(action="calendar_step_save").count() == 1
    # a done date in the future is refused, nothing saved, the input kept
    r = client.post(url, {"step": "audit_done", "done_date": "2099-01-01", "note": "kvar här"})
    assert r.status_code == 200 and "kvar här" in r.content.decode()
    assert not CalendarStep.objects.filter(step="audit_done").exists()
    page = client.get(url).content.decode()
    # budget 2019 adopted 2018-11-20 and the annual report 2020-03-15 come from the budget year
    assert "2018-11-20" in page and "2020-03-15" in page
    client.logout()
    login(client, users["national_analyst"])
    table = client.get(reverse("calendar_overview") + "?ar=2019").content.decode()
    assert assoc.name in table and w["other"].name in table
    client.logout()
    login(client, users["board_reader"])
    table = client.get(reverse("calendar_overview") + "?ar=2019").content.decode()
    assert assoc.name in table and w["other"].name not in table
    assert client.post(url, {"step": "audit_done"}).status_code == 403
